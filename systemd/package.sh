#!/bin/sh
# package.sh — build the Sapar Debian package(s) with dpkg-deb.
#
#   systemd/package.sh [ARCH...]        ARCH: amd64 arm64 armhf (default: this machine's)
#
# Writes $DIST/sapar_$VERSION_$ARCH.deb (DIST defaults to dist/ at the top of
# the repository) and prints each path. The package is the product: the
# binary is the webview build (go build -tags webview, cgo, WebKitGTK), the
# one that opens the kiosk's window under cage.
#   amd64   built natively (needs libwebkit2gtk-4.0-dev on this machine);
#   arm64   cross-compiled with aarch64-linux-gnu-gcc inside a separate root,
#   armhf   arm-linux-gnueabihf-gcc (GOARM=7): a Debian 12 root made with
#           mmdebstrap that holds only the foreign libwebkit2gtk-4.0-dev and the
#           cross compiler (installing libwebkit2gtk-4.0-dev:arm64 on this
#           machine would remove the amd64 one). Go runs inside it with this
#           machine's /usr/local/go, the repository, GOCACHE and GOMODCACHE
#           bind-mounted (systemd-nspawn as a chroot). The roots are kept in
#           $SAPAR_CACHE/cross-bookworm-ARCH (default /var/cache/sapar-ci):
#           the first run downloads about 300 MB per architecture, later runs
#           reuse them. Needs root, mmdebstrap and systemd-container.
# Depends: is computed from the binary's ELF NEEDED entries with
# dpkg-shlibdeps (for arm64/armhf inside the cross root, against the foreign
# libraries' own shlibs/symbols files), plus what the kiosk runs: cage,
# xwayland (cage 0.1.4 exits without it), seatd (the seat for cage), fonts, espeak-ng.
#
# Environment: VERSION (default from git: the latest vX.Y.Z tag, or
# 0.0.0~gitYYYYMMDDhhmmss.SHA), DIST, SOURCE_DATE_EPOCH (default: the commit
# time, so rebuilding the same commit gives the same bytes), SAPAR_CACHE,
# SAPAR_DEBIAN_SOURCES (apt sources for the cross roots: a .sources/.list file
# or a mirror URL; default this machine's Debian entries in /etc/apt),
# SAPAR_BIN (a prebuilt binary for exactly one ARCH; its ELF machine must
# match), SAPAR_PURE_GO=1 (quick development packages: the pure-Go build,
# CGO_ENABLED=0, no window — never what CI ships).
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

SAPAR_CACHE=${SAPAR_CACHE:-/var/cache/sapar-ci}
commit=$(git -C "$top" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
ldflags="-s -w -X main.commit=$commit"

# debian_sources → the apt sources mmdebstrap gets for a cross root: the
# Debian entries of this machine (deb822 .sources or one-line .list files
# naming a debian archive), so a machine behind a local mirror uses it.
debian_sources() {
	if [ -n "${SAPAR_DEBIAN_SOURCES:-}" ]; then
		echo "$SAPAR_DEBIAN_SOURCES"
		return
	fi
	found=""
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		grep -v '^[[:space:]]*#' "$f" | grep -Eq '(^deb |^URIs:).*debian' || continue
		found="$found $f"
	done
	[ -n "$found" ] || found=http://deb.debian.org/debian
	echo "$found"
}

# main_archive → the URL of this machine's Debian archive (not security).
main_archive() {
	# shellcheck disable=SC2046
	url=$(sed -n -e 's/^URIs:[[:space:]]*//p' -e 's/^deb[[:space:]]\{1,\}\(\[[^]]*\][[:space:]]\{1,\}\)\{0,1\}//p' $(debian_sources) 2>/dev/null |
		awk '{print $1}' | grep -v -e security -e '^$' | head -1)
	echo "${url:-http://deb.debian.org/debian}"
}

# cross_root ARCH TRIPLET → path of a cached Debian 12 root (amd64 tools,
# ARCH libraries) for cross-building the webview binary; made once.
cross_root() {
	xarch=$1 triplet=$2
	dir=$SAPAR_CACHE/cross-bookworm-$xarch
	pkgs="libwebkit2gtk-4.0-dev:$xarch,libc6-dev:$xarch,gcc-$triplet,g++-$triplet,pkgconf,dpkg-dev,git,ca-certificates"
	want="sapar cross root v1 $pkgs"
	if [ -f "$dir/.sapar-cross-root" ] && [ "$(cat "$dir/.sapar-cross-root")" = "$want" ]; then
		echo "$dir"
		return
	fi
	[ "$(id -u)" = 0 ] || die "making the $xarch cross root needs root (mmdebstrap, systemd-nspawn)"
	command -v mmdebstrap >/dev/null || die "mmdebstrap not found (apt-get install mmdebstrap)"
	mkdir -p "$SAPAR_CACHE"
	rm -rf "$dir.new"
	echo "package.sh: making the $xarch cross root in $dir (once; about 300 MB from the Debian mirror)" >&2
	# shellcheck disable=SC2046 # one argument per sources file
	if ! mmdebstrap --quiet --variant=apt --architectures="amd64,$xarch" --include="$pkgs" \
		bookworm "$dir.new" $(debian_sources) >&2; then
		# A mirror or proxy that serves one stale index (seen here: the armhf
		# Packages of bookworm-security) fails the whole run; the compiler and
		# the -dev packages need only the release itself.
		main=$(main_archive)
		echo "package.sh: mmdebstrap failed with this machine's apt sources; again from $main (bookworm, bookworm-updates) only" >&2
		rm -rf "$dir.new"
		mmdebstrap --quiet --variant=apt --architectures="amd64,$xarch" --include="$pkgs" \
			bookworm "$dir.new" "deb $main bookworm main" "deb $main bookworm-updates main" >&2 ||
			die "mmdebstrap of the $xarch cross root failed"
	fi
	echo "$want" >"$dir.new/.sapar-cross-root"
	rm -rf "$dir"
	mv "$dir.new" "$dir"
	echo "$dir"
}

# build_webview ARCH OUT — the webview binary for ARCH at OUT.
build_webview() {
	barch=$1 out=$2
	case "$barch" in
	amd64)
		pkg-config --exists webkit2gtk-4.0 gtk+-3.0 2>/dev/null ||
			die "webkit2gtk-4.0 not found by pkg-config (apt-get install libwebkit2gtk-4.0-dev)"
		(cd "$top" && CGO_ENABLED=1 GOOS=linux GOARCH=amd64 \
			go build -tags webview -trimpath -ldflags="$ldflags" -o "$out" ./kiosk/cmd/sapar) ||
			die "go build -tags webview for amd64 failed"
		return
		;;
	arm64) triplet=aarch64-linux-gnu goarch=arm64 goarm= ;;
	armhf) triplet=arm-linux-gnueabihf goarch=arm goarm=7 ;;
	esac
	command -v systemd-nspawn >/dev/null || die "systemd-nspawn not found (apt-get install systemd-container)"
	xroot=$(cross_root "$barch" "$triplet")
	goroot=$(go env GOROOT)
	gocache=$(go env GOCACHE)
	gomodcache=$(go env GOMODCACHE)
	mkdir -p "$gocache" "$gomodcache"
	(cd "$top" && go mod download) || die "go mod download failed"
	outdir=$(dirname "$out")
	systemd-nspawn --quiet --register=no --keep-unit -D "$xroot" \
		--bind-ro="$goroot:/usr/local/go" --bind-ro="$top:/src" \
		--bind="$gocache:/gocache" --bind="$gomodcache:/gomodcache" --bind="$outdir:/out" \
		--setenv=HOME=/tmp --setenv=PATH=/usr/local/go/bin:/usr/bin:/bin \
		--setenv=GOCACHE=/gocache --setenv=GOMODCACHE=/gomodcache --setenv=GOFLAGS=-mod=mod \
		--setenv=GOPROXY=off --setenv=GOTOOLCHAIN=local \
		--setenv=CGO_ENABLED=1 --setenv=GOOS=linux --setenv=GOARCH="$goarch" --setenv=GOARM="$goarm" \
		--setenv=CC="$triplet-gcc" --setenv=CXX="$triplet-g++" \
		--setenv=PKG_CONFIG_LIBDIR="/usr/lib/$triplet/pkgconfig:/usr/share/pkgconfig" \
		--setenv=PKG_CONFIG_PATH= --setenv=GIT_CONFIG_COUNT=1 \
		--setenv=GIT_CONFIG_KEY_0=safe.directory --setenv=GIT_CONFIG_VALUE_0=/src \
		--chdir=/src \
		go build -tags webview -trimpath -ldflags="$ldflags" -o "/out/$(basename "$out")" ./kiosk/cmd/sapar >&2 ||
		die "go build -tags webview for $barch (in $xroot) failed"
}

# shlib_depends ARCH BIN → the Depends entries for BIN's shared libraries
# (dpkg-shlibdeps; for a foreign ARCH inside its cross root).
shlib_depends() {
	sarch=$1 bin=$2
	d=$(mktemp -d "$work/shlibs.XXXXXX")
	mkdir -p "$d/debian/sapar/usr/bin"
	printf 'Source: sapar\n\nPackage: sapar\nArchitecture: any\n' >"$d/debian/control"
	cp "$bin" "$d/debian/sapar/usr/bin/sapar"
	if [ "$sarch" = "$(dpkg --print-architecture)" ]; then
		command -v dpkg-shlibdeps >/dev/null || die "dpkg-shlibdeps not found (apt-get install dpkg-dev)"
		(cd "$d" && dpkg-shlibdeps -O -e debian/sapar/usr/bin/sapar 2>"$d/err") || { cat "$d/err" >&2; die "dpkg-shlibdeps failed"; }
	else
		case "$sarch" in arm64) triplet=aarch64-linux-gnu ;; armhf) triplet=arm-linux-gnueabihf ;; esac
		xroot=$(cross_root "$sarch" "$triplet")
		systemd-nspawn --quiet --register=no --keep-unit -D "$xroot" --bind="$d:/pkg" --chdir=/pkg \
			--setenv=DEB_HOST_ARCH="$sarch" --setenv=DEB_HOST_GNU_TYPE="$triplet" --setenv=DEB_HOST_MULTIARCH="$triplet" \
			--setenv=OBJDUMP="$triplet-objdump" \
			dpkg-shlibdeps -O -e debian/sapar/usr/bin/sapar 2>"$d/err" || { cat "$d/err" >&2; die "dpkg-shlibdeps ($sarch) failed"; }
	fi | sed -n 's/^shlibs:Depends=//p'
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
	elif [ "${SAPAR_PURE_GO:-}" = 1 ]; then
		echo "package.sh: SAPAR_PURE_GO=1: $arch package with the pure-Go build (no window; development only)" >&2
		(cd "$top" && CGO_ENABLED=0 GOOS=linux GOARCH=$goarch GOARM=$goarm \
			go build -trimpath -ldflags="$ldflags" -o "$root/usr/bin/sapar" ./kiosk/cmd/sapar) ||
			die "go build for $arch failed"
	else
		build_webview "$arch" "$work/sapar-$arch"
		cp "$work/sapar-$arch" "$root/usr/bin/sapar"
	fi
	got=$(elf_machine "$root/usr/bin/sapar")
	[ "$got" = "$arch" ] || die "the binary is for $got, not $arch"
	chmod 0755 "$root/usr/bin/sapar"

	install -D -m 0644 "$here/sapar.service" "$root/lib/systemd/system/sapar.service"
	install -D -m 0644 "$here/sapar-update.service" "$root/lib/systemd/system/sapar-update.service"
	install -D -m 0644 "$here/sapar-update.timer" "$root/lib/systemd/system/sapar-update.timer"
	install -D -m 0644 "$here/sapar-metrics.service" "$root/lib/systemd/system/sapar-metrics.service"
	install -D -m 0644 "$here/sapar-firmware.service" "$root/lib/systemd/system/sapar-firmware.service"
	install -D -m 0644 "$here/sapar-firmware.path" "$root/lib/systemd/system/sapar-firmware.path"
	install -D -m 0644 "$here/sapar-maintenance.service" "$root/lib/systemd/system/sapar-maintenance.service"
	install -D -m 0644 "$here/sapar-maintenance.timer" "$root/lib/systemd/system/sapar-maintenance.timer"
	install -D -m 0644 "$here/apt/52sapar-unattended-upgrades" "$root/etc/apt/apt.conf.d/52sapar-unattended-upgrades"
	install -D -m 0644 "$here/60-sapar-printer.rules" "$root/lib/udev/rules.d/60-sapar-printer.rules"
	install -D -m 0644 "$here/sapar.tmpfiles" "$root/usr/lib/tmpfiles.d/sapar.conf"
	install -D -m 0644 "$here/sapar.journald.conf" "$root/usr/lib/systemd/journald.conf.d/60-sapar.conf"
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
	printf '/etc/default/sapar\n/etc/apt/apt.conf.d/52sapar-unattended-upgrades\n' >"$root/DEBIAN/conffiles"
	size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
	# The kiosk's own needs, then the binary's shared libraries (none for a pure-Go build).
	depends="adduser, seatd, cage, xwayland, procps, fonts-noto-core, espeak-ng"
	# The fleet push agent (sapar-metrics.service) runs vmagent from victoria-metrics; a Depends so it is
	# configured before sapar's postinst, which masks the database service that package also brings.
	depends="$depends, victoria-metrics"
	# Debian security updates, run by sapar-maintenance.service in the provisioned window.
	depends="$depends, unattended-upgrades"
	if readelf -d "$root/usr/bin/sapar" 2>/dev/null | grep -q NEEDED; then
		shlibs=$(shlib_depends "$arch" "$root/usr/bin/sapar")
		[ -n "$shlibs" ] || die "dpkg-shlibdeps found no shared libraries in the $arch binary"
		depends="$depends, $shlibs"
	else
		depends="$depends, libwebkit2gtk-4.0-37"
	fi
	cat >"$root/DEBIAN/control" <<-CONTROL
	Package: sapar
	Version: $VERSION
	Architecture: $arch
	Maintainer: Sapar kiosk team <sapar@localhost>
	Installed-Size: $size
	Depends: $depends
	Section: misc
	Priority: optional
	Description: information kiosk for migrants (Migration Resource Centres)
	 Sapar runs a touchscreen kiosk: guides in Kyrgyz, Uzbek, Karakalpak,
	 Russian, Tajik, Urdu and English, printed slips on a serial thermal
	 printer, and signed offline-first content updates.
	 .
	 This package installs the sapar binary, the kiosk service (cage on tty1
	 with a seat from seatd, with a health watchdog), the update timer, a udev rule naming the printer
	 /dev/sapar-printer, and journald settings that spare the SD card.
	CONTROL

	# Files under the staging dir are owned by whoever builds; the package says root.
	find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
	out=$DIST/sapar_${VERSION}_$arch.deb
	dpkg-deb --root-owner-group -Zxz --build "$root" "$out" >/dev/null
	echo "$out"
done
