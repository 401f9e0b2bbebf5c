#!/usr/bin/env bash
# arm64-test.sh [DEB] — the arm64 package as a Raspberry Pi gets it, on this
# amd64 machine: a Debian 12 arm64 root (mmdebstrap --architectures=arm64,
# every arm64 program run by qemu-user-static through binfmt_misc), the
# package installed with apt-get install ./sapar_…_arm64.deb (its real
# dependencies, arm64 WebKitGTK included), then inside it:
#   1. sapar version                         (the webview build starts at all)
#   2. sapar doctor --state /var/lib/sapar   (as user sapar; unprovisioned)
#   3. systemd-nspawn --boot of the root: how far systemd under qemu gets, and
#      whether sapar.service reaches READY (the setup screen) with the same
#      container drop-in as boot-test.sh.
# Prints one line per step with its figure. DEB defaults to the newest
# dist/sapar_*_arm64.deb. The root is cached in $SAPAR_CACHE (default
# /var/cache/sapar-ci) per dependency set; each run uses an overlay on it.
# Needs root, mmdebstrap, systemd-nspawn, qemu-user-static. Exit 1 if step 1
# or 2 fails (doctor's own FAIL lines for an unprovisioned kiosk are expected
# and reported, not a failure); step 3 is reported only (BOOT_ARM64=0 skips it).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
CACHE=${SAPAR_CACHE:-/var/cache/sapar-ci}
# shellcheck disable=SC2012 # newest by time; names are ours
deb=${1:-$(ls -t "$top"/dist/sapar_*_arm64.deb 2>/dev/null | head -1)}
log() { printf '%s arm64-test: %s\n' "$(date -u +%T)" "$*" >&2; }
die() { echo "arm64-test: FAIL: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root"
[ -f "$deb" ] || die "no arm64 package (give DEB or run systemd/package.sh arm64)"
command -v mmdebstrap >/dev/null || die "mmdebstrap missing"
command -v arch-test >/dev/null || die "arch-test missing (mmdebstrap needs it for a foreign root)"
command -v qemu-aarch64-static >/dev/null || die "qemu-user-static missing"
binfmt=/proc/sys/fs/binfmt_misc
if [ ! -e "$binfmt/qemu-aarch64" ]; then
	[ -e "$binfmt/register" ] || mount -t binfmt_misc binfmt_misc "$binfmt" 2>/dev/null || true
	grep -v '^#' /usr/lib/binfmt.d/qemu-aarch64.conf >"$binfmt/register" 2>/dev/null || true
fi
[ -e "$binfmt/qemu-aarch64" ] || die "binfmt_misc has no qemu-aarch64 entry"
grep -q '^flags:.*F' "$binfmt/qemu-aarch64" || die "qemu-aarch64 binfmt entry lacks the F flag (needed inside a root)"

depends=$(dpkg-deb -f "$deb" Depends)
names=$(echo "$depends" | tr ',' '\n' | sed 's/^ *//; s/[ (].*//' | grep -v '^$' | sort -u | tr '\n' ',')
incl="systemd,systemd-sysv,dbus,procps,${names%,}"
key=$(echo "bookworm arm64 minbase v1 $incl" | sha256sum | cut -c1-16)
base=$CACHE/arm64-bookworm-$key
if [ ! -f "$base/.sapar-arm64-root" ]; then
	sources=""
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && grep -v '^[[:space:]]*#' "$f" | grep -Eq '(^deb |^URIs:).*debian' && sources="$sources $f"
	done
	log "mmdebstrap --architectures=arm64 --variant=minbase bookworm → $base (once; maintainer scripts run under qemu)"
	rm -rf "$base.new"
	s0=$SECONDS
	# shellcheck disable=SC2086 # one argument per sources file
	if ! mmdebstrap --quiet --architectures=arm64 --variant=minbase --include="$incl" \
		bookworm "$base.new" ${sources:-http://deb.debian.org/debian} >"$CACHE/arm64-mmdebstrap.log" 2>&1; then
		# A proxy serving one stale index (bookworm-security) breaks the run: the release alone.
		log "mmdebstrap failed with this machine's sources; again from deb.debian.org bookworm only"
		rm -rf "$base.new"
		mmdebstrap --quiet --architectures=arm64 --variant=minbase --include="$incl" bookworm "$base.new" \
			"deb http://deb.debian.org/debian bookworm main" "deb http://deb.debian.org/debian bookworm-updates main" \
			>>"$CACHE/arm64-mmdebstrap.log" 2>&1 || { tail -20 "$CACHE/arm64-mmdebstrap.log" >&2; die "mmdebstrap"; }
	fi
	echo "$incl" >"$base.new/.sapar-arm64-root"
	mv "$base.new" "$base"
	find "$CACHE" -maxdepth 1 -name 'arm64-bookworm-*' ! -path "$base" -exec rm -rf {} +
	log "arm64 root made in $((SECONDS - s0)) s ($(du -sm "$base" | cut -f1) MB)"
fi

work=$(mktemp -d /var/tmp/sapar-arm64-test.XXXXXX)
root=$work/root
nspawn_pid=""
leader=""
cleanup() {
	set +e
	# The container's init first: killing nspawn alone leaves it running.
	[ -n "$leader" ] && kill -KILL "$leader" 2>/dev/null
	[ -n "$nspawn_pid" ] && kill -KILL "$nspawn_pid" 2>/dev/null && wait "$nspawn_pid" 2>/dev/null
	mountpoint -q "$root" && umount -l "$root"
	rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/upper" "$work/ovl" "$root"
mount -t overlay overlay -o "lowerdir=$base,upperdir=$work/upper,workdir=$work/ovl" "$root"
run() { systemd-nspawn --quiet --register=no --keep-unit -D "$root" "$@"; }

cp "$deb" "$root/root/"
s=$SECONDS
run env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "/root/$(basename "$deb")" >"$work/apt.log" 2>&1 ||
	{ tail -20 "$work/apt.log" >&2; die "apt-get install ./$(basename "$deb")"; }
echo "arm64-test: apt-get install ./$(basename "$deb"): ok in $((SECONDS - s)) s"
case "$(od -An -t u2 -j 18 -N 2 "$root/usr/bin/sapar" | tr -d ' ')" in
183) echo "arm64-test: /usr/bin/sapar is an arm64 ELF, NEEDED $(readelf -d "$root/usr/bin/sapar" | grep -c NEEDED) libraries" ;;
*) die "/usr/bin/sapar is not an arm64 binary" ;;
esac

s=$SECONDS
out=$(run /usr/bin/sapar version 2>&1) || die "sapar version: $out"
echo "arm64-test: sapar version ($((SECONDS - s)) s under qemu): $(echo "$out" | tr '\n' ' ')"

s=$SECONDS
set +e
doc=$(run runuser -u sapar -- /usr/bin/sapar doctor --state /var/lib/sapar 2>&1)
rc=$?
set -e
# shellcheck disable=SC2001
echo "$doc" | sed 's/^/arm64-test:   doctor| /'
case $rc in
0 | 1) echo "arm64-test: sapar doctor ran ($((SECONDS - s)) s, exit $rc: $(echo "$doc" | grep -c 'PASS') PASS, $(echo "$doc" | grep -c 'WARN') WARN, $(echo "$doc" | grep -c 'FAIL') FAIL — not provisioned here)" ;;
*) die "sapar doctor exit $rc" ;;
esac

if [ "${BOOT_ARM64:-1}" = 1 ]; then
	mkdir -p "$root/etc/systemd/system/sapar.service.d"
	printf '[Unit]\nConditionPathExists=\n[Service]\nStandardInput=null\nTTYReset=no\nTTYVHangup=no\nTTYVTDisallocate=no\nEnvironment=WLR_BACKENDS=headless WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1\n' \
		>"$root/etc/systemd/system/sapar.service.d/boot-test.conf"
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	sed -i "s|^SAPAR_ARGS=.*|SAPAR_ARGS=\"--addr 127.0.0.1:$port\"|" "$root/etc/default/sapar"
	systemd-nspawn --quiet --register=no --keep-unit --boot -D "$root" --console=pipe >"$work/console.log" 2>&1 </dev/null &
	nspawn_pid=$!
	s=$SECONDS got=""
	for _ in $(seq 100); do
		leader=$(cat /proc/"$nspawn_pid"/task/*/children 2>/dev/null | awk '{print $1}')
		[ -n "$leader" ] && break
		sleep 0.1
	done
	while [ $((SECONDS - s)) -lt "${BOOT_ARM64_SECONDS:-180}" ] && kill -0 "$nspawn_pid" 2>/dev/null; do
		if curl -fsS -m 3 "http://127.0.0.1:$port/healthz" 2>/dev/null | grep -q 'not provisioned'; then
			got="setup screen answering on 127.0.0.1:$port after $((SECONDS - s)) s"
			break
		fi
		sleep 2
	done
	state=""
	if [ -n "$leader" ]; then
		# shellcheck disable=SC2016 # expanded inside the container
		state=$(nsenter -t "$leader" -m -u -i -p -- sh -c 'echo "system $(systemctl is-system-running 2>&1); sapar.service $(systemctl show -p ActiveState --value sapar.service)/$(systemctl show -p SubState --value sapar.service), StatusText \"$(systemctl show -p StatusText --value sapar.service)\""' 2>&1 || true)
	fi
	echo "arm64-test: nspawn --boot under qemu: ${got:-no setup screen within ${BOOT_ARM64_SECONDS:-180} s}; ${state:-container not running: $(tail -3 "$work/console.log" | tr '\n' ' ')}"
fi
