#!/bin/sh
# package.sh — build the Sapar Debian package(s) with dpkg-deb.
#
#   systemd/package.sh [ARCH...]        ARCH: amd64 arm64 armhf (default: this machine's)
#
# Writes $DIST/sapar_$VERSION_$ARCH.deb (DIST defaults to dist/ at the top of
# the repository) and prints each path. The binary is the default build,
# cross-compiled with CGO_ENABLED=0 (armhf: GOARM=7), unless SAPAR_BIN names a
# prebuilt one — the webview build from the Pi or from Debian multiarch, see
# README "Building the webview binary for arm64". SAPAR_BIN takes one ARCH,
# and its ELF machine must match it.
#
# Environment: VERSION (default from git: the latest vX.Y.Z tag, or
# 0.0.0~gitYYYYMMDDhhmmss.SHA), DIST, SAPAR_BIN, SOURCE_DATE_EPOCH (default:
# the commit time, so rebuilding the same commit gives the same bytes).
#
# The MRC's trust anchors, baked into the image (the first root of trust
# never comes from the network):
#   SAPAR_PROVISIONING_PUB  the MRC provisioning public key (sapar provision keygen)
#                           → /usr/share/sapar/provisioning.pub
#   SAPAR_TUF_ROOT          the first TUF root.json of the MRC's update repository
#                           → /usr/share/sapar/tuf-root.json
# Without them the package is for testing only: `sapar run` refuses every
# provisioning file until a key is there. The content seed
# (/usr/share/sapar/content) is built from content/sample with
# `sapar content build`, or taken from SAPAR_SEED (a bundle directory).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
DIST=${DIST:-$top/dist}

die() { echo "package.sh: $*" >&2; exit 1; }
command -v dpkg-deb >/dev/null || die "dpkg-deb not found (apt-get install dpkg-dev)"
command -v go >/dev/null || [ -n "${SAPAR_BIN:-}" ] || die "go not found"

if [ $# -eq 0 ]; then
	set -- "$(dpkg --print-architecture)"
fi
if [ -n "${SAPAR_BIN:-}" ] && [ $# -ne 1 ]; then
	die "SAPAR_BIN is one binary: name exactly one ARCH"
fi

commit_time=$(git -C "$top" log -1 --format=%ct 2>/dev/null || date +%s)
: "${SOURCE_DATE_EPOCH:=$commit_time}"
export SOURCE_DATE_EPOCH

if [ -z "${VERSION:-}" ]; then
	if tag=$(git -C "$top" describe --tags --match 'v[0-9]*' --abbrev=0 2>/dev/null); then
		VERSION=${tag#v}
		n=$(git -C "$top" rev-list --count "$tag..HEAD")
		[ "$n" = 0 ] || VERSION="$VERSION+git$n.$(git -C "$top" rev-parse --short=10 HEAD)"
	else
		sha=$(git -C "$top" rev-parse --short=10 HEAD 2>/dev/null || echo unknown)
		VERSION="0.0.0~git$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y%m%d%H%M%S).$sha"
	fi
fi
case "$VERSION" in
[0-9]*) ;;
*) die "VERSION $VERSION must start with a digit (Debian policy)" ;;
esac
case "$VERSION" in
*[!A-Za-z0-9.+~-]*) die "VERSION $VERSION has characters Debian does not allow" ;;
esac

# elf_machine FILE → amd64 | arm64 | armhf | other (from the ELF header's e_machine).
elf_machine() {
	case "$(od -An -t u2 -j 18 -N 2 "$1" | tr -d ' ')" in
	62) echo amd64 ;;
	183) echo arm64 ;;
	40) echo armhf ;;
	*) echo other ;;
	esac
}

mkdir -p "$DIST"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

for arch in "$@"; do
	case "$arch" in
	amd64) goarch=amd64 goarm= ;;
	arm64) goarch=arm64 goarm= ;;
	armhf) goarch=arm goarm=7 ;;
	*) die "unknown ARCH $arch (amd64, arm64, armhf)" ;;
	esac
	root=$work/$arch
	mkdir -p "$root/DEBIAN" "$root/usr/bin"

	if [ -n "${SAPAR_BIN:-}" ]; then
		[ -f "$SAPAR_BIN" ] || die "SAPAR_BIN $SAPAR_BIN: no such file"
		cp "$SAPAR_BIN" "$root/usr/bin/sapar"
	else
		(cd "$top" && CGO_ENABLED=0 GOOS=linux GOARCH=$goarch GOARM=$goarm \
			go build -trimpath -ldflags='-s -w' -o "$root/usr/bin/sapar" ./kiosk/cmd/sapar) ||
			die "go build for $arch failed"
	fi
	got=$(elf_machine "$root/usr/bin/sapar")
	[ "$got" = "$arch" ] || die "the binary is for $got, not $arch"
	chmod 0755 "$root/usr/bin/sapar"

	install -D -m 0644 "$here/sapar.service" "$root/lib/systemd/system/sapar.service"
	install -D -m 0644 "$here/sapar-update.service" "$root/lib/systemd/system/sapar-update.service"
	install -D -m 0644 "$here/sapar-update.timer" "$root/lib/systemd/system/sapar-update.timer"
	install -D -m 0644 "$here/60-sapar-printer.rules" "$root/lib/udev/rules.d/60-sapar-printer.rules"
	install -D -m 0644 "$here/sapar.tmpfiles" "$root/usr/lib/tmpfiles.d/sapar.conf"
	install -D -m 0644 "$here/sapar.journald.conf" "$root/usr/lib/systemd/journald.conf.d/60-sapar.conf"
	install -D -m 0644 "$here/sapar.pam" "$root/etc/pam.d/sapar"
	install -D -m 0644 "$here/sapar.default" "$root/etc/default/sapar"
	install -D -m 0755 "$here/measure-writes.sh" "$root/usr/lib/sapar/measure-writes"
	install -D -m 0644 "$here/61-sapar-touch.rules.example" "$root/usr/share/doc/sapar/examples/61-sapar-touch.rules"
	install -D -m 0644 "$here/README.md" "$root/usr/share/doc/sapar/README.md"
	if [ -n "${SAPAR_PROVISIONING_PUB:-}" ]; then
		install -D -m 0644 "$SAPAR_PROVISIONING_PUB" "$root/usr/share/sapar/provisioning.pub"
	else
		echo "package.sh: no SAPAR_PROVISIONING_PUB: $arch package for testing only (sapar run will refuse provisioning files)" >&2
	fi
	if [ -n "${SAPAR_TUF_ROOT:-}" ]; then
		install -D -m 0644 "$SAPAR_TUF_ROOT" "$root/usr/share/sapar/tuf-root.json"
	fi
	mkdir -p "$root/usr/share/sapar"
	if [ -n "${SAPAR_SEED:-}" ]; then
		cp -R "$SAPAR_SEED" "$root/usr/share/sapar/content"
	else
		[ -d "$work/seed" ] || (cd "$top" && go run ./kiosk/cmd/sapar content build content/sample --out "$work/seed" >/dev/null) ||
			die "building the content seed from content/sample failed"
		cp -R "$work/seed" "$root/usr/share/sapar/content"
	fi
	find "$root/usr/share/sapar" -type d -exec chmod 0755 {} + && find "$root/usr/share/sapar" -type f -exec chmod 0644 {} +
	cat >"$root/usr/share/doc/sapar/copyright" <<-COPYRIGHT
	Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
	Upstream-Name: sapar
	Comment: Sapar information kiosk firmware for Migration Resource Centres.
	 Printer profiles derive from escpos-printer-db (CC BY 4.0).
	COPYRIGHT

	for script in postinst prerm postrm; do
		install -m 0755 "$here/deb/$script" "$root/DEBIAN/$script"
	done
	printf '/etc/pam.d/sapar\n/etc/default/sapar\n' >"$root/DEBIAN/conffiles"
	size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
	cat >"$root/DEBIAN/control" <<-CONTROL
	Package: sapar
	Version: $VERSION
	Architecture: $arch
	Maintainer: Sapar kiosk team <sapar@localhost>
	Installed-Size: $size
	Depends: adduser, libpam-systemd, libwebkit2gtk-4.0-37, cage, fonts-noto-core, espeak-ng
	Section: misc
	Priority: optional
	Description: information kiosk for migrants (Migration Resource Centres)
	 Sapar runs a touchscreen kiosk: guides in Kyrgyz, Uzbek, Karakalpak,
	 Russian, Tajik, Urdu and English, printed slips on a serial thermal
	 printer, and signed offline-first content updates.
	 .
	 This package installs the sapar binary, the kiosk service (cage on tty1,
	 with a health watchdog), the update timer, a udev rule naming the printer
	 /dev/sapar-printer, and journald settings that spare the SD card.
	CONTROL

	# Files under the staging dir are owned by whoever builds; the package says root.
	find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
	out=$DIST/sapar_${VERSION}_$arch.deb
	dpkg-deb --root-owner-group -Zxz --build "$root" "$out" >/dev/null
	echo "$out"
done
