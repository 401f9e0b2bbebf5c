#!/usr/bin/env bash
# boot-test.sh — the appliance as deployed: the amd64 .deb installed with
# apt-get into a Debian 12 root booted with systemd as PID 1
# (systemd-nspawn --boot), its real units, the cage session, updates from a
# loopback mirror, the watchdog, power cuts of the whole machine, idle
# writes, and remove/purge/reinstall. One command, run as root:
#
#   bash systemd/boot-test.sh
#
# What it does, in order (each scenario is a row of the table printed at the end):
#   setup  test keys (provisioning key, TUF repository) and a test package made
#          by package.sh with them baked in (the webview build); a root from
#          `mmdebstrap --variant=minbase --include=systemd,systemd-sysv,dbus,…
#          bookworm` with this machine's apt sources, plus the package's
#          dependencies, cached in $SAPAR_CACHE (default /var/cache/sapar-ci);
#          each run boots an overlay on that cached root, so it starts clean.
#   a      apt-get install ./sapar_….deb inside the booted root; reboot; the
#          setup screen answers on the loopback port; a signed provisioning
#          file dropped into /media/sapar/usb1 → provisioned, READY, content
#          from the seed.
#   b      the production session: cage + the webview build, grim screenshot
#          after 15 s, not blank (kept under $SAPAR_ARTIFACTS/boot-test/).
#   c      systemctl start sapar-update.service against a loopback mirror →
#          new release active at the idle reset, and after systemctl restart.
#   d      kill -STOP of the sapar process → watchdog restart, page back.
#   e      power cuts: SIGKILL of the container's init (the whole machine)
#          at random points during an update; every boot READY with a
#          verified release. BOOT_TEST_CUTS (default 3; 200 = benchmark).
#   f      bytes written to the root file system per hour while idle
#          (overlay upper dir and /proc/PID/io), journald volatile.
#   h0–h6  firmware over the air: the package itself as a signed TUF target,
#          installed by sapar-firmware.service (adopt, upgrade, a bad build
#          rolled back and never retried, a phased rollout and a canary,
#          power cuts during dpkg, a USB stick, a forged pending.deb); see
#          the h section. BOOT_TEST_FW_CUTS (default 3; 100 = benchmark).
#   i      Debian security updates: sapar-maintenance.service against a
#          loopback archive labelled Debian-Security, inside and outside the
#          maintenance window, with someone at the screen and idle, and the
#          reboot the update asks for.
#   g      apt-get remove, purge, reinstall inside the booted system.
#
# The only test-only change to the shipped units is a drop-in,
# /etc/systemd/system/sapar.service.d/boot-test.conf, written by this script
# (see container_dropin below for which lines it overrides and why).
#
# Environment: SAPAR_REQUIRE_BOOT=1 makes a skip (no root, no nspawn) a
# failure (.ci/run sets it); SAPAR_DEB a prebuilt test package (must have
# been built with this run's keys: normally leave unset); SAPAR_CACHE;
# SAPAR_ARTIFACTS (default artifacts/); BOOT_TEST_CUTS; BOOT_TEST_IDLE
# (seconds of idle measurement, default 60); BOOT_TEST_KEEP=1 keeps the
# work dir; BOOT_TEST_ONLY="a b c" runs only some scenarios (a always runs;
# any h row runs h0 and h1 first, which the others build on); BOOT_TEST_FW_CUTS.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
CACHE=${SAPAR_CACHE:-/var/cache/sapar-ci}
ART=${SAPAR_ARTIFACTS:-$top/artifacts}/boot-test
CUTS=${BOOT_TEST_CUTS:-3}
IDLE=${BOOT_TEST_IDLE:-60}
ONLY=${BOOT_TEST_ONLY:-a b c d e f g h0 h1 h2 h3 h4 h5 h6 i}
t0=$SECONDS

log() { printf '%s boot-test: %s\n' "$(date -u +%T)" "$*" >&2; }
skip() {
	if [ "${SAPAR_REQUIRE_BOOT:-}" = 1 ]; then
		echo "boot-test: FAIL: cannot boot a system here: $* (SAPAR_REQUIRE_BOOT=1)" >&2
		exit 1
	fi
	echo "boot-test: SKIP: cannot boot a system here: $* (set SAPAR_REQUIRE_BOOT=1 to make this a failure)" >&2
	exit 0
}
want() { case " $ONLY " in *" $1 "*) return 0 ;; esac; return 1; }
ms() { echo $(($(date +%s%N) / 1000000)); }

[ "$(id -u)" = 0 ] || skip "needs root (systemd-nspawn --boot, overlayfs, mmdebstrap)"
command -v systemd-nspawn >/dev/null || skip "systemd-nspawn missing (apt-get install systemd-container)"
command -v mmdebstrap >/dev/null || skip "mmdebstrap missing (apt-get install mmdebstrap)"
command -v nsenter >/dev/null || skip "nsenter missing (util-linux)"
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null || true
grep -qw overlay /proc/filesystems || skip "no overlayfs in this kernel"
for t in curl python3 convert go dpkg-deb; do
	command -v "$t" >/dev/null || { echo "boot-test: FAIL: $t not found" >&2; exit 1; }
done

mkdir -p "$CACHE" "$ART"
work=$(mktemp -d /var/tmp/sapar-boot-test.XXXXXX)
root=$work/root
nspawn_pid="" leader="" mirror_pid="" printer_pid="" printer_tty="" boots=0
rows=()
failed=0

cleanup() {
	set +e
	[ -n "$leader" ] && kill -KILL "$leader" 2>/dev/null
	[ -n "$nspawn_pid" ] && { kill -KILL "$nspawn_pid" 2>/dev/null; wait "$nspawn_pid" 2>/dev/null; }
	[ -n "$mirror_pid" ] && kill "$mirror_pid" 2>/dev/null
	[ -n "$printer_pid" ] && kill "$printer_pid" 2>/dev/null
	mountpoint -q "$root" && umount -l "$root"
	if [ "${BOOT_TEST_KEEP:-}" = 1 ]; then
		echo "boot-test: work dir kept: $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# row ID SCENARIO PASS|FAIL FIGURE — one line of the final table.
row() {
	rows+=("$1|$2|$3|$4")
	[ "$3" != FAIL ] || failed=$((failed + 1))
	log "[$1] $3: $2 — $4"
}
table() {
	printf '\n%-3s %-58s %-5s %s\n' id scenario result figure
	printf '%-3s %-58s %-5s %s\n' --- ---------------------------------------------------------- ----- ------
	for r in "${rows[@]}"; do
		IFS='|' read -r id sc res fig <<<"$r"
		printf '%-3s %-58s %-5s %s\n' "$id" "$sc" "$res" "$fig"
	done
	printf '\nboot-test: %d scenario(s) failed; %d boots; %d s in all\n' "$failed" "$boots" $((SECONDS - t0))
}

# free_port → a TCP port nobody listens on at 127.0.0.1 (the container shares
# the host's network, and other kiosks or tests may hold 8080).
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# ---------------------------------------------------------------- setup
log "work dir $work, cache $CACHE, artifacts $ART"
host_sapar=$work/sapar-host
(cd "$top" && CGO_ENABLED=0 go build -o "$host_sapar" ./kiosk/cmd/sapar)

keys=$work/keys
mkdir -p "$keys"
"$host_sapar" provision keygen --out "$keys/provisioning.key" >/dev/null
"$host_sapar" publish init --repo "$work/repo" --keys "$keys/tuf" >/dev/null

ui_port=$(free_port)
mirror_port=$(free_port)
while [ "$mirror_port" = "$ui_port" ]; do mirror_port=$(free_port); done

if [ -n "${SAPAR_DEB:-}" ]; then
	deb=$SAPAR_DEB
else
	log "package.sh amd64 with the test provisioning key and TUF root"
	deb=$(DIST=$work/dist SAPAR_PROVISIONING_PUB=$keys/provisioning.key.pub \
		SAPAR_TUF_ROOT=$work/repo/metadata/1.root.json "$here/package.sh" amd64 2>"$work/package.log") ||
		{ cat "$work/package.log" >&2; echo "boot-test: FAIL: package.sh" >&2; exit 1; }
fi
log "package: $deb ($(stat -c %s "$deb") bytes)"
depends=$(dpkg-deb -f "$deb" Depends)

# The cached root: minbase + systemd + the tools this test runs inside
# (grim for screenshots) + the package's dependencies, by name, so that the
# per-run apt-get install ./sapar.deb resolves them against what is there.
# Keyed by the dependency names: a new Depends makes a new root.
dep_names=$(echo "$depends" | tr ',' '\n' | sed 's/^ *//; s/[ (].*//' | grep -v '^$' | sort -u | tr '\n' ',')
incl="systemd,systemd-sysv,dbus,grim,procps,${dep_names%,}"
key=$(echo "bookworm minbase v1 $incl" | sha256sum | cut -c1-16)
base=$CACHE/boot-bookworm-amd64-$key
if [ ! -f "$base/.sapar-boot-root" ]; then
	sources=""
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && grep -v '^[[:space:]]*#' "$f" | grep -Eq '(^deb |^URIs:).*debian' && sources="$sources $f"
	done
	log "mmdebstrap --variant=minbase bookworm → $base (once per dependency set)"
	rm -rf "$base.new"
	s0=$SECONDS
	# shellcheck disable=SC2086 # one argument per sources file
	mmdebstrap --quiet --variant=minbase --include="$incl" --skip=cleanup/apt/lists \
		bookworm "$base.new" ${sources:-http://deb.debian.org/debian} >"$work/mmdebstrap.log" 2>&1 ||
		{ tail -30 "$work/mmdebstrap.log" >&2; echo "boot-test: FAIL: mmdebstrap" >&2; exit 1; }
	echo "$incl" >"$base.new/.sapar-boot-root"
	mv "$base.new" "$base"
	# Roots for older dependency sets are not used again.
	find "$CACHE" -maxdepth 1 -name 'boot-bookworm-amd64-*' ! -path "$base" -exec rm -rf {} +
	log "root made in $((SECONDS - s0)) s ($(du -sm "$base" | cut -f1) MB)"
fi

mkdir -p "$work/upper" "$work/ovl" "$root"
mount -t overlay overlay -o "lowerdir=$base,upperdir=$work/upper,workdir=$work/ovl" "$root"
upper=$work/upper
# From here on a failing command fails its scenario's row, not the run.
set +e

# ---------------------------------------------------------------- the container
# boot [NAME] — start the container in the background; wait for its init and
# for the system to be up (running or degraded).
boot() {
	boots=$((boots + 1))
	local name=${1:-boot$boots} i
	[ "${printer_cycled:-0}" = 0 ] || start_printer
	systemd-nspawn --quiet --register=no --keep-unit --boot -D "$root" --console=pipe \
		${printer_tty:+--bind="$printer_tty:/dev/sapar-printer"} \
		>"$ART/console-$name.log" 2>&1 </dev/null &
	nspawn_pid=$!
	leader=""
	for i in $(seq 200); do
		# shellcheck disable=SC2013 # the file is one line of pids
		for c in $(cat /proc/"$nspawn_pid"/task/*/children 2>/dev/null); do
			[ "$(cat /proc/"$c"/comm 2>/dev/null)" = systemd ] && leader=$c
		done
		[ -n "$leader" ] && break
		sleep 0.05
	done
	[ -n "$leader" ] || { cat "$ART/console-$name.log" >&2; return 1; }
	for i in $(seq 300); do
		case "$(inct systemctl is-system-running 2>/dev/null || true)" in
		running | degraded) return 0 ;;
		esac
		sleep 0.1
	done
	log "system not up after 30 s: $(inct systemctl is-system-running 2>&1 || true)"
	inct systemctl --failed --no-pager >&2 || true
	return 1
}
# inct CMD… — run CMD inside the container (its mount, pid, ipc, uts namespaces).
inct() { nsenter -t "$leader" -m -u -i -p -- "$@"; }
# shutdown_ct — a clean poweroff.
shutdown_ct() {
	inct systemctl poweroff >/dev/null 2>&1 || true
	local i
	for i in $(seq 300); do
		kill -0 "$nspawn_pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$nspawn_pid" 2>/dev/null; then
		log "container did not power off in 30 s: cutting power"
		powercut
	fi
	wait "$nspawn_pid" 2>/dev/null || true
	nspawn_pid="" leader=""
}
# powercut — the whole machine loses power: SIGKILL to the container's init
# takes every process in its PID namespace down at once (no unit stops, no
# sync), then nspawn itself.
powercut() {
	kill -KILL "$leader" 2>/dev/null || true
	kill -KILL "$nspawn_pid" 2>/dev/null || true
	wait "$nspawn_pid" 2>/dev/null || true
	nspawn_pid="" leader=""
	printer_cycled=1
}
show() { inct systemctl show -p "$2" --value "$1" 2>/dev/null; }
journal() { inct journalctl --no-pager -o short-monotonic "$@" 2>/dev/null || true; }
# http PATH → body of GET http://127.0.0.1:UI/PATH (empty on failure).
http() { curl -fsS -m 5 "http://127.0.0.1:$ui_port$1" 2>/dev/null || true; }
# wait_for SECONDS CMD… — poll CMD every 0.2 s; returns its status.
wait_for() {
	local limit=$(($(ms) + $1 * 1000))
	shift
	while [ "$(ms)" -lt "$limit" ]; do
		"$@" && return 0
		sleep 0.2
	done
	return 1
}
active_is() { [ "$(show sapar.service ActiveState)" = "$1" ]; }
# The kiosk's log lines of the current run of sapar.service (its invocation).
kiosk_log() { journal _SYSTEMD_INVOCATION_ID="$(show sapar.service InvocationID)"; }
# kiosk_ready: systemd took READY=1 (active) and this run of sapar logged
# "kiosk ready" (provisioned, content open), not the setup screen's READY.
kiosk_ready() { active_is active && kiosk_log | grep -q 'msg="kiosk ready"'; }
# serving_version → the content version this run of the kiosk serves: the
# one it opened at start, or the last one a hot reload switched to.
serving_version() {
	kiosk_log | sed -n -e 's/.*msg=content version=\([^ ]*\) .*/\1/p' \
		-e 's/.*msg="hot reload: new content serving" version=\([^ ]*\).*/\1/p' | tail -1
}
status_is_content() { kiosk_ready; }
setup_screen_up() { http /healthz | grep -q 'not provisioned' && http / | grep -qi '<html'; }
kiosk_serving() { http /healthz | grep -q '"ok"'; }
save_journal() { journal -b >"$ART/journal-$1.log"; }

# The test-only drop-in. The shipped unit is for a board with a display and
# virtual consoles; a container has neither, so exactly these lines change:
#   ConditionPathExists=   (reset) the unit's ConditionPathExists=/dev/tty0:
#                          nspawn gives no /dev/tty0, the unit would be skipped;
#   StandardInput=null     instead of tty-fail: there is no /dev/tty1 to own;
#   TTYReset=no TTYVHangup=no TTYVTDisallocate=no  nothing to reset on /dev/tty1
#                          (TTYPath=/dev/tty1 stays, unused);
#   Environment=WLR_…      wlroots' headless backend and pixman renderer: no GPU,
#                          no DRM/KMS, no input devices in the container.
# Everything else — User=sapar, seatd, the sandbox, Type=notify, NotifyAccess,
# WatchdogSec=30s, cage -d -s, /etc/default/sapar — runs as shipped.
container_dropin() {
	mkdir -p "$root/etc/systemd/system/sapar.service.d"
	cat >"$root/etc/systemd/system/sapar.service.d/boot-test.conf" <<-'EOF'
	# Written by systemd/boot-test.sh: a container has no VT and no GPU.
	[Unit]
	ConditionPathExists=
	[Service]
	StandardInput=null
	TTYReset=no
	TTYVHangup=no
	TTYVTDisallocate=no
	Environment=WLR_BACKENDS=headless WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1
	EOF
}

# ---------------------------------------------------------------- loopback mirror
python3 -m http.server --bind 127.0.0.1 --directory "$work/repo" "$mirror_port" >"$work/mirror.log" 2>&1 &
mirror_pid=$!
# The receipt printer: the drivers' ESC/POS emulator on a pseudo-terminal of
# this machine (systemd/boottest/virtual-printer), its tty bound into the
# container as /dev/sapar-printer at every boot (what the udev rule names a
# real one). One JSON line per finished slip in printer.jsonl.
# A power cut takes the printer down too (same mains): it comes back as a new
# tty with an empty buffer, like a USB printer enumerated again at boot.
(cd "$top" && go build -o "$work/virtual-printer" ./systemd/boottest/virtual-printer)
: >"$work/printer.jsonl"
start_printer() {
	if [ -n "$printer_pid" ]; then
		kill "$printer_pid" 2>/dev/null
		wait "$printer_pid" 2>/dev/null
	fi
	local before
	before=$(grep -c '^{"tty"' "$work/printer.jsonl")
	"$work/virtual-printer" --profile TM-T20III --baud 38400 --out "$ART/slips/power-on-$((before + 1))" >>"$work/printer.jsonl" 2>>"$work/printer.err" &
	printer_pid=$!
	printer_tty=""
	for _ in $(seq 50); do
		if [ "$(grep -c '^{"tty"' "$work/printer.jsonl")" -gt "$before" ]; then
			printer_tty=$(sed -n 's/^{"tty":"\(.*\)"}$/\1/p' "$work/printer.jsonl" | tail -1)
			break
		fi
		sleep 0.1
	done
	[ -n "$printer_tty" ] || log "virtual printer did not start: $(tail -3 "$work/printer.err")"
	printer_cycled=0
}
start_printer

# publish_version TAG — a content bundle differing from the seed by one
# guide title (…[TAG]), signed into the test repository.
publish_version() {
	local src=$work/content-$1
	rm -rf "$src" "$work/bundle-$1"
	cp -R "$top/content/sample" "$src"
	sed -i "s/^title: \\(.*\\)$/title: \\1 [$1]/" "$src/guides/check-agency-licence/en.md"
	"$host_sapar" content build "$src" --out "$work/bundle-$1" 2>/dev/null | sed -n 's/.*version \([^,]*\),.*/\1/p'
	"$host_sapar" publish add --repo "$work/repo" --keys "$keys/tuf" "$work/bundle-$1" >/dev/null
}

# ---------------------------------------------------------------- a: install, first boot, provisioning
container_dropin
s=$(ms)
boot install || { row a "boot the minbase root (systemd as PID 1)" FAIL "no boot"; table; exit 1; }
boot_ms=$(($(ms) - s))
cp "$deb" "$root/root/"
s=$(ms)
if ! inct env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "/root/$(basename "$deb")" >"$ART/apt-install.log" 2>&1; then
	tail -20 "$ART/apt-install.log" >&2
	row a "apt-get install ./$(basename "$deb")" FAIL "see apt-install.log"
	table
	exit 1
fi
install_ms=$(($(ms) - s))
newly=$(grep -c '^Setting up ' "$ART/apt-install.log" || true)
# The technician's settings (a conffile): the UI on a free loopback port, the mirror.
sed -i -e "s|^SAPAR_ARGS=.*|SAPAR_ARGS=\"--addr 127.0.0.1:$ui_port\"|" \
	-e "s|^SAPAR_UPDATE_ARGS=.*|SAPAR_UPDATE_ARGS=\"--mirror http://127.0.0.1:$mirror_port\"|" "$root/etc/default/sapar"
ldd_out=$(inct ldd /usr/bin/sapar 2>&1 || true)
echo "$ldd_out" >"$ART/ldd-sapar.txt"
webkit_linked=no
echo "$ldd_out" | grep -q 'libwebkit2gtk-4.0.so.37 => /' && webkit_linked=yes
missing_libs=$(echo "$ldd_out" | grep -c 'not found' || true)
enabled=$(inct systemctl is-enabled sapar.service 2>&1 || true)
shutdown_ct

s=$(ms)
boot first
if wait_for 60 setup_screen_up; then
	setup_ms=$(($(ms) - s))
	res=PASS
	[ "$webkit_linked" = yes ] && [ "$missing_libs" = 0 ] && [ "$enabled" = enabled ] || res=FAIL
	row a1 "install (apt, $newly pkgs set up) + first boot → setup screen" $res \
		"boot ${boot_ms} ms; apt-get install ${install_ms} ms; webkit linked: $webkit_linked, missing libs $missing_libs; $enabled; setup screen $setup_ms ms after boot start"
else
	save_journal a1
	row a1 "first boot → setup screen on 127.0.0.1:$ui_port" FAIL "no setup screen in 60 s ($(show sapar.service ActiveState)/$(show sapar.service SubState), $(show sapar.service StatusText))"
fi

# The provisioning file, signed with the test key, as the MRC would.
cat >"$work/site.yaml" <<EOF
version: 1
kiosk:
  id: boot-test-01
  name: "Boot test kiosk"
place:
  city: Bishkek
  kind: station
languages:
  offered: [ky, uz-Latn, uz-Cyrl, ru, en]
  default: ky
idle_timeout: 30s
printer:
  device: /dev/sapar-printer
  profile: TM-T20III
  baud: 38400
updates:
  mirrors:
    - http://127.0.0.1:$mirror_port/
  trusted_root:
    file: /usr/share/sapar/tuf-root.json
time_zone: Asia/Bishkek
screen:
  orientation: 0
technician:
  pin_hash: "\$argon2id\$v=19\$m=65536,t=3,p=2\$dTf4l/jkpOlG5g/DsiSguA\$GlEk/l4UWDUctmTMPatz0NHtfXnbaWLDDp1Ps9mkgzk"
EOF
"$host_sapar" provision sign --key "$keys/provisioning.key" "$work/site.yaml" >/dev/null
mkdir -p "$root/media/sapar/.incoming"
cp "$work/site.yaml" "$work/site.yaml.sig" "$root/media/sapar/.incoming/"
s=$(ms)
mv "$root/media/sapar/.incoming" "$root/media/sapar/usb1" # the stick appears at once
if wait_for 90 status_is_content && wait_for 10 kiosk_serving; then
	prov_ms=$(($(ms) - s))
	seed_version=$(serving_version)
	guides=$(http /api/guides | grep -o '"id"' | wc -l)
	nr=$(show sapar.service NRestarts)
	res=PASS
	[ "$guides" -gt 0 ] && [ "$nr" = 0 ] || res=FAIL
	row a2 "signed provisioning file on the stick → provisioned, READY" $res \
		"READY with content $prov_ms ms after the stick; $seed_version ($guides guides); $(show sapar.service ActiveState), NRestarts $nr"
else
	save_journal a2
	row a2 "signed provisioning file on the stick → provisioned, READY" FAIL \
		"StatusText '$(show sapar.service StatusText)', $(show sapar.service ActiveState), NRestarts $(show sapar.service NRestarts)"
	seed_version=""
fi

# ---------------------------------------------------------------- b: the production session
shot_check() { # shot_check NAME → sets shot_fig, returns 0 if the page is painted
	local png=$ART/$1.png sock
	# cage's socket is in the unit's XDG_RUNTIME_DIR=/run/sapar.
	sock=$(inct sh -c "ls /run/sapar/ 2>/dev/null | grep -E '^wayland-[0-9]+\$' | head -1" || true)
	shot_fig="no Wayland socket in /run/sapar"
	[ -n "$sock" ] || return 1
	if ! inct env WAYLAND_DISPLAY="/run/sapar/$sock" grim - >"$png" 2>"$work/grim.log"; then
		shot_fig="grim failed: $(head -c 200 "$work/grim.log")"
		return 1
	fi
	local size black edges
	size=$(convert "$png" -format '%wx%h' info:)
	# Share of (near-)black pixels, and edge density (text, lines) per 1000 pixels.
	black=$(convert "$png" -colorspace gray -threshold 6% -negate -format '%[fx:int(1000*mean+0.5)]' info:)
	edges=$(convert "$png" -colorspace gray -edge 1 -threshold 20% -format '%[fx:int(1000*mean+0.5)]' info:)
	shot_fig="$size, black $black/1000 px, edges $edges/1000 px ($1.png)"
	[ "$black" -lt 500 ] && [ "$edges" -ge 5 ]
}
if want b; then
	# Headless cage 0.1.4 (wlroots 0.15, pixman) paints the first screen in
	# about half the starts at low load, fewer under load, for WebKit and for
	# Chromium alike (the open defect in systemd/README.md). So the row tries
	# up to BOOT_TEST_SHOTS starts (default 8), each checked 15 s after
	# READY, and passes once one paints: a setting that blanks every start
	# (compositing off did) still fails. BOOT_TEST_STRICT_PAINT=1 demands
	# that every one of the starts paints. The rate is the row's figure.
	shots=${BOOT_TEST_SHOTS:-8} painted=0 tried=0 figs=""
	for n in $(seq "$shots"); do
		if [ "$n" -gt 1 ]; then
			inct systemctl reset-failed sapar.service >/dev/null 2>&1
			inct systemctl restart sapar.service
			wait_for 90 kiosk_ready || { figs="$figs start $n: not READY;"; tried=$n; continue; }
		fi
		tried=$n
		if ! kiosk_ready; then
			figs="$figs start $n: not READY;"
			continue
		fi
		sleep 15
		if shot_check "session-$n"; then painted=$((painted + 1)); fi
		figs="$figs start $n: $shot_fig;"
		if [ "$painted" -gt 0 ] && [ "${BOOT_TEST_STRICT_PAINT:-}" != 1 ]; then break; fi
	done
	res=PASS
	if [ "${BOOT_TEST_STRICT_PAINT:-}" = 1 ]; then
		[ "$painted" = "$shots" ] || res=FAIL
	else
		[ "$painted" -gt 0 ] || res=FAIL
	fi
	[ "$res" = PASS ] || save_journal b
	inct systemctl reset-failed sapar.service >/dev/null 2>&1 || true
	row b "cage + webview under systemd, grim 15 s after READY" $res "painted in $painted of $tried starts;$figs"
fi

# ---------------------------------------------------------------- c: update from the loopback mirror
content_version() { serving_version; }
if want c; then
	v2=$(publish_version v2)
	# c0: the timer's unit with /etc/default/sapar as shipped (no --mirror): the
	# provisioned mirrors are the only ones the kiosk has.
	cp "$root/etc/default/sapar" "$work/default-sapar"
	sed -i 's|^SAPAR_UPDATE_ARGS=.*|SAPAR_UPDATE_ARGS=""|' "$root/etc/default/sapar"
	inct systemctl start sapar-update.service >/dev/null 2>&1
	c0_result=$(show sapar-update.service Result)
	c0_msg=$(journal -u sapar-update.service | grep -m1 'sapar update:' | sed 's/.*sapar update: //' | cut -c1-120)
	cp "$work/default-sapar" "$root/etc/default/sapar"
	inct systemctl reset-failed sapar-update.service >/dev/null 2>&1
	res=PASS
	[ "$c0_result" = success ] || res=FAIL
	row c0 "sapar-update.service, SAPAR_UPDATE_ARGS empty as shipped" $res "Result $c0_result${c0_msg:+: $c0_msg}"
	s=$(ms)
	inct systemctl start sapar-update.service >/dev/null 2>&1
	upd_rc=$?
	upd_ms=$(($(ms) - s))
	upd_result=$(show sapar-update.service Result)
	if [ "$upd_result" != success ]; then
		journal -u sapar-update.service >"$ART/journal-c-update.log"
		row c1 "systemctl start sapar-update.service (mirror 127.0.0.1)" FAIL \
			"rc $upd_rc, Result $upd_result after $upd_ms ms: $(journal -u sapar-update.service | grep -m1 'sapar update:' | cut -c1-160)"
	else
		s=$(ms)
		serving_is() { [ "$(serving_version)" = "$1" ]; }
		if wait_for 90 serving_is "$v2"; then
			row c1 "sapar-update.service → new release at the idle reset" PASS \
				"update ${upd_ms} ms; $seed_version → $v2 serving $(($(ms) - s)) ms later"
		else
			save_journal c1
			row c1 "sapar-update.service → new release at the idle reset" FAIL \
				"update ${upd_ms} ms (Result $upd_result) but the kiosk still shows '$(content_version)' after 90 s: $(journal -u sapar.service | grep -m1 -i 'hot reload' | cut -c1-200)"
		fi
		s=$(ms)
		nr0=$(show sapar.service NRestarts)
		inct systemctl restart sapar.service
		if wait_for 60 status_is_content && sleep 20 && [ "$(content_version)" = "$v2" ] && active_is active && [ "$(show sapar.service NRestarts)" = "$nr0" ]; then
			title=$(http /api/guides/check-agency-licence?lang=en | grep -o '"title":"[^"]*"' | head -1)
			row c2 "systemctl restart sapar → still the new release" PASS \
				"READY $(($(ms) - s - 20000)) ms after restart; $v2; no automatic restart in the next 20 s; $title"
		else
			save_journal c2
			row c2 "systemctl restart sapar → still the new release" FAIL \
				"'$(show sapar.service StatusText)', $(show sapar.service ActiveState), NRestarts $(show sapar.service NRestarts): $(journal -u sapar.service | grep -m1 'sapar run:' | cut -c1-200)"
		fi
	fi
fi

# ---------------------------------------------------------------- d: watchdog
# The test's own restarts (b, c2) count against StartLimitBurst=5 per 10 min
# like any start; forget them, so d measures one watchdog restart only.
inct systemctl reset-failed sapar.service >/dev/null 2>&1
if want d; then
	if active_is active && status_is_content; then
		cage=$(show sapar.service MainPID)
		sapar_pid=$(inct pgrep -x -P "$cage" sapar || true)
		nr0=$(show sapar.service NRestarts)
		s=$(ms)
		inct kill -STOP "$sapar_pid"
		restarted_since() { [ "$(show sapar.service NRestarts)" != "$1" ]; }
		if wait_for 60 restarted_since "$nr0"; then
			restart_ms=$(($(ms) - s))
			window_back() { kiosk_log | grep -q 'msg="window ready"'; }
			if wait_for 60 status_is_content && wait_for 30 kiosk_serving && wait_for 60 window_back; then
				back_ms=$(($(ms) - s))
				res=PASS
				[ "$restart_ms" -le 35000 ] || res=FAIL
				wd=$(journal -u sapar.service | grep -c -i 'watchdog timeout' || true)
				sleep 16 # one watchdog period with the page's heartbeat
				shot_check watchdog-after || true
				row d "kill -STOP sapar → watchdog restart, page back" $res \
					"restart ${restart_ms} ms after STOP (WatchdogSec 30 s; $wd watchdog-timeout lines); READY and the page loaded again (window ready) at ${back_ms} ms; screen: $shot_fig"
			else
				save_journal d
				row d "kill -STOP sapar → watchdog restart, page back" FAIL \
					"restarted at ${restart_ms} ms, then: $(show sapar.service ActiveState)/$(show sapar.service Result), kiosk ready $(kiosk_log | grep -c 'msg="kiosk ready"'), window ready $(kiosk_log | grep -c 'msg="window ready"')"
			fi
		else
			save_journal d
			inct kill -CONT "$sapar_pid" || true
			row d "kill -STOP sapar → watchdog restart, page back" FAIL "no restart within 60 s of STOP"
		fi
	else
		row d "kill -STOP sapar → watchdog restart" FAIL "kiosk not running"
	fi
fi

# ---------------------------------------------------------------- f: idle writes
if want f; then
	if active_is active && status_is_content; then
		sleep 5
		touch "$work/idle-mark"
		io_sum() { # bytes written by every process of the container so far
			local ns p sum=0 w
			ns=$(readlink /proc/"$leader"/ns/pid)
			for p in /proc/[0-9]*; do
				[ "$(readlink "$p/ns/pid" 2>/dev/null)" = "$ns" ] || continue
				w=$(awk '/^write_bytes:/ {w=$2} /^cancelled_write_bytes:/ {c=$2} END {print w-c+0}' "$p/io" 2>/dev/null || echo 0)
				sum=$((sum + w))
			done
			echo "$sum"
		}
		io0=$(io_sum)
		sleep "$IDLE"
		io1=$(io_sum)
		upper_bytes=$(find "$upper" -newer "$work/idle-mark" -type f -printf '%s\n' | awk '{s+=$1} END {print s+0}')
		upper_files=$(find "$upper" -newer "$work/idle-mark" -type f | sed "s|^$upper||" | head -5 | tr '\n' ' ')
		# Where journald keeps its files open: /run/log (RAM) only, none under /var/log.
		# shellcheck disable=SC2016 # expanded inside the container
		storage=$(inct sh -c 'p=$(pidof systemd-journald); ls -l /proc/$p/fd 2>/dev/null | grep -c " /var/log/journal/"; ls -l /proc/$p/fd 2>/dev/null | grep -c " /run/log/journal/"' | tr '\n' ' ')
		per_h=$(((io1 - io0) * 3600 / IDLE))
		up_h=$((upper_bytes * 3600 / IDLE))
		res=PASS
		[ "$up_h" -le 1048576 ] || res=FAIL
		# shellcheck disable=SC2086 # two numbers
		set -- $storage
		[ "$1" = 0 ] && [ "$2" -ge 1 ] || res=FAIL
		row f "idle ${IDLE} s: writes to the root, journald volatile" $res \
			"files changed on the root: $upper_bytes B → $up_h B/h ${upper_files:+($upper_files)}; /proc/PID/io $((io1 - io0)) B → $per_h B/h; journald files open in /var/log $1, in /run/log $2"
	else
		row f "idle writes" FAIL "kiosk not running"
	fi
fi

# ---------------------------------------------------------------- e: power cuts during updates
if want e && [ "$CUTS" -gt 0 ]; then
	cut_ok=0 cut_fail=0 worst_ready=0 new_after=0 old_after=0 e_notes=""
	# How long an update takes here, to spread the cut points over it.
	span=${upd_ms:-3000}
	[ "$span" -ge 500 ] || span=500
	for i in $(seq "$CUTS"); do
		vi=$(publish_version "cut$i")
		before=$(content_version)
		inct systemctl start --no-block sapar-update.service
		# From before the unit starts to after it is done (about a third of the cuts).
		at=$((RANDOM % (3 * span)))
		sleep "$(printf '0.%03d' $((at % 1000)))"
		[ "$at" -lt 1000 ] || sleep $((at / 1000))
		powercut
		s=$(ms)
		if ! boot "cut$i"; then
			cut_fail=$((cut_fail + 1))
			e_notes="$e_notes cut$i:no-boot"
			continue
		fi
		if wait_for 90 status_is_content && wait_for 10 kiosk_serving; then
			r=$(($(ms) - s))
			[ "$r" -le "$worst_ready" ] || worst_ready=$r
			now=$(content_version)
			# doctor's content check verifies every object's hash of content/current.
			doc=$(inct runuser -u sapar -- sapar doctor --state /var/lib/sapar 2>&1 | grep -E '^(PASS|WARN|FAIL) +content ' | head -1)
			case "$doc" in
			PASS*) ;;
			*) cut_fail=$((cut_fail + 1)); e_notes="$e_notes cut$i:doctor(${doc:-no content line})" ;;
			esac
			case "$doc" in
			PASS*)
				cut_ok=$((cut_ok + 1))
				if [ "$now" = "$vi" ]; then new_after=$((new_after + 1)); else old_after=$((old_after + 1)); fi
				;;
			esac
			[ "$now" = "$vi" ] || [ "$now" = "$before" ] || e_notes="$e_notes cut$i:version($now)"
		else
			cut_fail=$((cut_fail + 1))
			save_journal "cut$i"
			e_notes="$e_notes cut$i:not-ready($(show sapar.service StatusText | cut -c1-60))"
		fi
	done
	res=PASS
	[ "$cut_fail" = 0 ] || res=FAIL
	row e "power cut during sapar-update ×$CUTS (SIGKILL of the machine)" $res \
		"$cut_ok/$CUTS boots READY with a verified release ($new_after new, $old_after old), slowest READY $worst_ready ms after boot start${e_notes:+;$e_notes}"
fi

# ---------------------------------------------------------------- e2: power cuts while printing
# Jobs go in through the kiosk's own API (as the page sends them), the power
# is cut at a random point while slips are on their way to the printer, and
# after every boot the queue carries on. The queue's promise
# (kiosk/printqueue recoverJobs): a job cut short while printing is recorded
# failed ("interrupted") and never printed again by itself; a queued one
# prints after the boot or expires. So in the end every accepted job must be
# answerable by GET /api/print/{job} (no lost record), none left queued or
# printing, and for every topic the complete (cut) slips must equal the jobs
# reported done: no duplicate, no "done" that never came out.
slips_seen() { grep -c '"job":' "$work/printer.jsonl"; }
if want e && [ "$CUTS" -gt 0 ]; then
	if [ -z "$printer_tty" ] || ! kiosk_ready; then
		row e2 "power cut while printing" FAIL "no printer or kiosk not READY"
	else
		http '/api/guides?lang=en' >"$work/guides.json"
		topics=$(python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
d=d.get("guides",d) if isinstance(d,dict) else d
print(" ".join(g["id"] for g in d))' "$work/guides.json")
		# shellcheck disable=SC2206 # a list of ids
		topic_list=($topics)
		: >"$work/expected"
		k=0 refused=0 p_boot_fail=0
		p0=$(slips_seen)
		for i in $(seq "$CUTS"); do
			token=$(http / | grep -o '"token":"[0-9a-f]*"' | head -1 | cut -d'"' -f4)
			for _ in 1 2 3; do
				t=${topic_list[$((k % ${#topic_list[@]}))]}
				k=$((k + 1))
				j=$(curl -fsS -m 5 -H "X-Sapar-Token: $token" -H 'Content-Type: application/json' \
					-d "{\"topic\":\"$t\",\"lang\":\"en\"}" "http://127.0.0.1:$ui_port/api/print" 2>/dev/null |
					sed -n 's/.*"job":"\([^"]*\)".*/\1/p')
				if [ -n "$j" ]; then
					echo "$j $t" >>"$work/expected"
				else
					refused=$((refused + 1))
				fi
			done
			# Three slips take about a second at 38400 baud: cut within 1.2 s of the last job.
			at=$((RANDOM % 1200))
			sleep "$((at / 1000)).$(printf '%03d' $((at % 1000)))"
			powercut
			if ! boot "print-cut$i" || ! wait_for 90 kiosk_ready; then
				p_boot_fail=$((p_boot_fail + 1))
				save_journal "print-cut$i"
			fi
		done
		# Let the queue drain: no new slip for 20 s (at most 5 minutes).
		last=-1 quiet=0
		for _ in $(seq 300); do
			n=$(wc -l <"$work/printer.jsonl")
			if [ "$n" = "$last" ]; then quiet=$((quiet + 1)); else quiet=0 last=$n; fi
			[ "$quiet" -lt 20 ] || break
			sleep 1
		done
		# What the kiosk says became of each job.
		while read -r j t; do
			printf '%s %s %s\n' "$j" "$t" "$(http "/api/print/$j" | tr -d '\n')"
		done <"$work/expected" >"$work/job-states"
		verdict=$(python3 - "$work/guides.json" "$work/job-states" "$work/printer.jsonl" "$p0" <<-'PY'
		import json, sys, collections, re
		d = json.load(open(sys.argv[1])); d = d.get("guides", d) if isinstance(d, dict) else d
		norm = lambda s: re.sub(r"\s+", "", s).lower()
		titles = {g["id"]: norm(g["title"])[:24] for g in d}
		done, jobs, states, limbo, gone = collections.Counter(), collections.Counter(), collections.Counter(), 0, 0
		for line in open(sys.argv[2]):
		    j, t, body = (line.rstrip("\n").split(" ", 2) + [""])[:3]
		    jobs[t] += 1
		    try: st = json.loads(body)
		    except ValueError: gone += 1; continue
		    key = st.get("state", "?") + ("/" + st["reason"] if st.get("state") == "failed" and st.get("reason") else "")
		    states[key] += 1
		    if st.get("state") == "done": done[t] += 1
		    elif st.get("state") in ("queued", "printing"): limbo += 1
		got, partial, unknown = collections.Counter(), 0, 0
		slips = [json.loads(l) for l in open(sys.argv[3]) if '"job":' in l]
		for s in slips[int(sys.argv[4]):]:
		    if not s.get("cut"):
		        partial += 1; continue
		    text = norm(s.get("text", ""))
		    ids = [i for i, t in titles.items() if t and t in text]
		    if ids: got[ids[0]] += 1
		    else: unknown += 1
		missing = sum((done - got).values())   # reported done, never came out whole: lost
		dup = sum((got - jobs).values())       # a topic came out whole more often than it was asked for
		extra = sum((got - done).values()) - dup  # whole on paper, but recorded interrupted (power went before "done")
		st = ",".join(f"{k}:{v}" for k, v in sorted(states.items()))
		print(f"{sum(states.values()) + gone} {sum(got.values())} {missing} {dup} {extra} {limbo} {gone} {partial} {unknown} {st or '-'}")
		PY
		)
		read -r n_jobs n_got n_missing n_dup n_extra n_limbo n_gone n_partial n_unknown n_states <<<"$verdict"
		res=PASS
		[ "${n_missing:-1}" = 0 ] && [ "${n_dup:-1}" = 0 ] && [ "${n_limbo:-1}" = 0 ] && [ "${n_gone:-1}" = 0 ] &&
			[ "$p_boot_fail" = 0 ] && [ "${n_jobs:-0}" -gt 0 ] || res=FAIL
		row e2 "power cut while printing ×$CUTS (3 jobs before each cut)" $res \
			"accepted $n_jobs jobs ($refused refused), states $n_states; complete slips $n_got; lost (done, not printed) $n_missing, duplicated $n_dup, stuck queued/printing $n_limbo, unknown job ids $n_gone; printed whole but recorded interrupted $n_extra, partial slips $n_partial, unmatched $n_unknown; boots not READY $p_boot_fail"
	fi
fi

# ---------------------------------------------------------------- h: firmware over the air
# The sapar package itself as a signed TUF target (issue 14), through the
# shipped path: `sapar publish firmware` on the MRC side (this machine),
# sapar-update.service (user sapar) downloads, verifies and stages
# /var/lib/sapar/firmware/pending.deb, sapar-firmware.path starts
# sapar-firmware.service (root), which checks the package against the
# signed targets again, runs dpkg -i, restarts sapar.service and waits for
# it to be healthy (READY, /healthz on the kiosk's --addr from SAPAR_ARGS,
# the page heartbeat, 40 s without a restart), else reinstalls the
# previous package and marks the version bad.
#
# Versions: v1 is the package built above and installed in a. v2, v4, … are
# that same package repacked (dpkg-deb -R, a new Version: in the control
# file, dpkg-deb -b -Zgzip): no second webview build (a minute each here).
# Nothing in the installer asks the binary for its version — it asks
# dpkg-query, and health is READY + /healthz + heartbeat — so a repack is a
# faithful stand-in for a new build; `sapar version` prints the same commit
# for all of them, which is the truth (same binary). gzip instead of
# package.sh's xz only to save time; the kiosk reads both.
# v3 is the bad build: v2 repacked with /usr/bin/sapar replaced by a
# program that exits 70 at once (what a build that crashes at start, or
# links a library the board lacks, does). No test hook in the product.
#
#   h0  the first over-the-air install on a kiosk installed with
#       apt-get install ./sapar.deb: apt keeps no copy of the package, so
#       there is nothing to roll back to; the installer refuses (nothing
#       installed) and says so. Then `sapar firmware adopt ./sapar.deb`
#       (root, what the image build or the technician runs once) keeps it.
#   h1  v1 → v2 at 100% from the loopback mirror: figure, publish → v2 READY.
#   h2  v3 (crashes at start) → installed, rolled back to v2 by itself, v3 in
#       STATE/firmware/bad; the next sapar-update.service cycle does not
#       download it. Figure: v3 installed → v2 READY again.
#   h3  v4 at a rollout that leaves this kiosk's bucket out (10%, or the
#       bucket itself when it is below 10: the row says which): kept v2; then
#       the same kiosk provisioned again with updates.rollout: canary (the
#       device identity is kept) takes v4.
#   h4  power cuts (SIGKILL of the container's init) while sapar-firmware
#       runs dpkg on a newer repack, at a random point of it (up to 1.5×
#       the dpkg time measured in h1); BOOT_TEST_FW_CUTS (default 3; 100 is
#       the benchmark). After each boot: the installer resumes, the kiosk is
#       READY on the old or the new version, dpkg --audit is empty.
#       A SIGKILL keeps what the kernel had cached (no page cache is lost):
#       this is an interruption at every point, not a lost-write test.
#   h5  the next version through a USB stick: the repository copied to a
#       stick mounted at /mnt/stick (outside /media/sapar, which the kiosk
#       watches), `sapar update --usb` as the technician runs it over ssh
#       (user sapar), the same installer.
#   h7  the next version on a stick that appears under /media/sapar while
#       the kiosk runs: the kiosk's own stick watcher stages it (it took
#       content only before), the same installer. Not in the default list
#       (one more 40 s install): BOOT_TEST_ONLY="… h7".
#   h8  a power cut after dpkg installed a bad build (v1+fw80, like v3),
#       while the installer waits for health: at boot /usr/bin/sapar is the
#       bad one, the unit resumes with the installer's own copy, which rolls
#       back. Not in the default list either (a rollback and a boot, ~70 s).
#   h6  a pending.deb made by user sapar (a package of its own, not the
#       signed target; pending.json matching it) is refused by the root
#       installer: nothing installed.
fw_rows="h0 h1 h2 h3 h4 h5 h6 h7 h8"
fw_wanted=""
for r in $fw_rows; do want "$r" && fw_wanted="$fw_wanted $r"; done
FW_CUTS=${BOOT_TEST_FW_CUTS:-3}
fwdir=$work/firmware
mkdir -p "$fwdir"
# repack VERSION [bad] → path of the test package repacked at VERSION.
repack() {
	local d=$fwdir/root-$1 out=$fwdir/sapar_$1_amd64.deb
	rm -rf "$d"
	dpkg-deb -R "$deb" "$d" || return 1
	sed -i "s/^Version: .*/Version: $1/" "$d/DEBIAN/control"
	if [ "${2:-}" = bad ]; then
		printf '#!/bin/sh\necho "sapar: this build crashes at start (boot-test h2)" >&2\nexit 70\n' >"$d/usr/bin/sapar"
		chmod 0755 "$d/usr/bin/sapar"
	fi
	dpkg-deb --root-owner-group -Zgzip -b "$d" "$out" >/dev/null || return 1
	rm -rf "$d"
	echo "$out"
}
publish_fw() { # publish_fw FILE [PERCENT]
	"$host_sapar" publish firmware --repo "$work/repo" --keys "$keys/tuf" --rollout "${2:-100}" "$1" >>"$work/publish-fw.log" 2>&1
}
# shellcheck disable=SC2016 # dpkg-query's own ${field} syntax
dpkg_state() { inct dpkg-query -W -f='${db:Status-Abbrev}${Version}' sapar 2>/dev/null | tr -s ' '; }
# fw_field KEY → one field of `sapar firmware status` run as the kiosk user
# (what a technician sees): result, version, running, previous, error, bad, rollback.
fw_field() {
	inct runuser -u sapar -- sapar firmware status --state /var/lib/sapar 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin); l = d.get("last_install") or {}
k = sys.argv[1]
v = {"bad": ",".join(d.get("bad") or []), "installed": d.get("installed", ""), "staged": (d.get("staged") or {}).get("version", ""),
     "rollback": str(d.get("rollback_package", ""))}.get(k, l.get(k, ""))
print(v if not isinstance(v, float) else "%.1f" % v)' "$1" 2>/dev/null
}
fw_unit_busy() { case "$(show sapar-firmware.service ActiveState)" in activating | active | deactivating | reloading) return 0 ;; esac; return 1; }
fw_files_left() { [ -e "$root/var/lib/sapar/firmware/pending.deb" ] || [ -e "$root/var/lib/sapar/firmware/installing.deb" ]; }
fw_idle() { ! fw_unit_busy && ! fw_files_left; }
dpkg_is() { [ "$(dpkg_state)" = "ii $1" ]; }
# fw_tried VERSION: the installer's last result is about VERSION and it is not running.
fw_tried() { ! fw_unit_busy && [ "$(fw_field version)" = "$1" ]; }
# fw_done VERSION: the installer ran for VERSION and is finished.
fw_done() { ! fw_unit_busy && ! fw_files_left && [ "$(fw_field version)" = "$1" ]; }
fw_note() { inct runuser -u sapar -- sapar update --state /var/lib/sapar --status 2>/dev/null | python3 -c 'import json,sys; print(((json.load(sys.stdin).get("firmware") or {}).get("note") or "")[:150])' 2>/dev/null; }
update_cycle() { # one sapar-update.service run, as the timer starts it
	inct systemctl reset-failed sapar-update.service >/dev/null 2>&1
	inct systemctl start sapar-update.service >/dev/null 2>&1
	[ "$(show sapar-update.service Result)" = success ]
}
fw_runs() { journal -u sapar-firmware.service | grep -c 'Starting sapar-firmware.service\|Starting Sapar firmware install' || true; }
# wait_running VERSION SECONDS: poll until dpkg says VERSION is installed
# (ii) and this run of the kiosk is READY; sets ran_ms (epoch ms) or fails.
wait_running() {
	local limit=$(($(ms) + $2 * 1000))
	ran_ms=""
	while [ "$(ms)" -lt "$limit" ]; do
		if [ "$(dpkg_state)" = "ii $1" ] && kiosk_ready; then
			ran_ms=$(ms)
			return 0
		fi
		sleep 0.3
	done
	return 1
}

v1=$(dpkg-deb -f "$deb" Version)
fw_base=$v1
# sv TEXT → TEXT with the long test version shortened to "v1" (v2 is v1+fw2, …).
sv() { local t=$1; echo "${t//$fw_base/v1}"; }
if [ -n "$fw_wanted" ]; then
	if ! kiosk_ready; then
		for r in $fw_wanted; do row "$r" "firmware over the air" FAIL "kiosk not READY before the firmware rows"; done
		fw_wanted=""
	fi
fi
if [ -n "$fw_wanted" ]; then
	v2=$fw_base+fw2 v3=$fw_base+fw3 v4=$fw_base+fw4
	s=$(ms)
	if ! { deb2=$(repack "$v2") && deb3=$(repack "$v3" bad) && deb4=$(repack "$v4"); }; then
		log "repack failed"
	fi
	log "repacked v2, v3 (bad), v4 in $(($(ms) - s)) ms"
	cp "$deb" "$root/root/sapar_v1.deb"

	# h0: not adopted → refused, nothing installed; then adopt.
	s=$(ms)
	publish_fw "$deb2" 100
	pub_ms=$(($(ms) - s))
	update_cycle
	wait_for 60 fw_tried "$v2"
	h0_res=$(fw_field result) h0_err=$(sv "$(fw_field error)" | cut -c1-170) h0_dpkg=$(dpkg_state)
	adopt_out=$(inct sapar firmware adopt "/root/sapar_v1.deb" 2>&1)
	adopt_rc=$?
	res=PASS
	[ "$h0_res" = refused ] && [ "$h0_dpkg" = "ii $v1" ] && [ "$adopt_rc" = 0 ] || res=FAIL
	case "$h0_err" in *"roll back"*) ;; *) res=FAIL ;; esac
	if want h0; then
		row h0 "first OTA without the installed .deb kept: refused; adopt" $res \
			"$(sv "result $h0_res, dpkg '$h0_dpkg': ${h0_err}; sapar firmware adopt (rc $adopt_rc): $(echo "$adopt_out" | tail -1 | cut -c1-130)")"
	fi

	# h1: v1 → v2, published in h0 (sapar publish firmware took pub_ms):
	# timed from the start of this cycle (on a kiosk, the timer's next run).
	s=$(ms)
	upd_ok=yes
	update_cycle || upd_ok=no
	upd_fw_ms=$(($(ms) - s))
	# Watch dpkg run (for the power-cut spread of h4).
	dpkg_seen="" dpkg_gone=""
	limit=$(($(ms) + 120000))
	while [ "$(ms)" -lt "$limit" ]; do
		if inct pgrep -x dpkg >/dev/null 2>&1; then
			[ -n "$dpkg_seen" ] || dpkg_seen=$(ms)
		elif [ -n "$dpkg_seen" ]; then
			dpkg_gone=$(ms)
			break
		fi
		sleep 0.1
	done
	dpkg_ms=$((${dpkg_gone:-0} - ${dpkg_seen:-0}))
	[ "$dpkg_ms" -gt 0 ] || dpkg_ms=5000
	if wait_running "$v2" 240; then
		run_ms=$((ran_ms - s))
		wait_for 240 fw_done "$v2"
		done_ms=$(($(ms) - s))
		h1_res=$(fw_field result)
		ver=$(inct sapar version 2>/dev/null | head -1)
		res=PASS
		[ "$h1_res" = installed ] && [ "$(dpkg_state)" = "ii $v2" ] && kiosk_ready && [ "$upd_ok" = yes ] || res=FAIL
		[ "$res" = PASS ] || save_journal h1
		want h1 && row h1 "v1 → v2 at 100% (sapar-update.service, mirror)" $res \
			"$(sv "publish ${pub_ms} ms; then update cycle (download+verify+stage; unit succeeded: $upd_ok) ${upd_fw_ms} ms; dpkg ${dpkg_ms} ms; v2 READY $run_ms ms after the cycle started ($((pub_ms + run_ms)) ms publish+cycle → v2 READY); installer '$h1_res' at $done_ms ms (after its 40 s stable window); dpkg '$(dpkg_state)'; sapar version: $ver")"
	else
		save_journal h1
		want h1 && row h1 "v1 → v2 at 100% (sapar-update.service, mirror)" FAIL \
			"$(sv "not READY on v2 within 240 s: dpkg '$(dpkg_state)', installer $(fw_field result): $(fw_field error | cut -c1-160)")"
	fi
fi

if [ -n "$fw_wanted" ] && want h2; then
	# h2: v3 crashes at start.
	publish_fw "$deb3" 100
	s=$(ms)
	update_cycle
	bad_seen=""
	limit=$(($(ms) + 300000))
	while [ "$(ms)" -lt "$limit" ]; do
		st=$(dpkg_state)
		[ -n "$bad_seen" ] || [ "$st" != "ii $v3" ] || bad_seen=$(ms)
		[ -z "$bad_seen" ] || ! kiosk_ready || [ "$st" != "ii $v2" ] || break
		sleep 0.3
	done
	back_ms=$(ms)
	wait_for 240 fw_done "$v3"
	h2_res=$(fw_field result) h2_bad=$(fw_field bad) h2_secs=$(fw_field seconds) h2_err=$(fw_field error | cut -c1-120)
	n_before=$(fw_runs)
	update_cycle
	sleep 2
	note=$(fw_note)
	n_after=$(fw_runs)
	res=PASS
	[ -n "$bad_seen" ] && [ "$h2_res" = rolled-back ] && [ "$(dpkg_state)" = "ii $v2" ] && kiosk_ready || res=FAIL
	case ",$h2_bad," in *",$v3,"*) ;; *) res=FAIL ;; esac
	[ "$n_after" = "$n_before" ] && ! fw_files_left || res=FAIL
	case "$note" in *"marked bad"*) ;; *) res=FAIL ;; esac
	[ "$res" = PASS ] || save_journal h2
	if [ -n "$bad_seen" ]; then rb="v3 installed (dpkg ii) $((bad_seen - s)) ms after the cycle started, v2 READY again $((back_ms - bad_seen)) ms later"; else rb="v3 never seen installed"; fi
	want h2 && row h2 "v3 crashes at start → rolled back to v2, marked bad" $res \
		"$(sv "$rb; installer '$h2_res' after ${h2_secs} s ($h2_err); bad: $h2_bad; next cycle: installer runs $n_before → $n_after, note '$note'")"
fi

if [ -n "$fw_wanted" ] && want h3; then
	# h3: a phased rollout. The bucket is the kiosk's own (from its device key).
	bucket=$(inct runuser -u sapar -- sapar update --state /var/lib/sapar --status 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin).get("bucket",""))')
	# provision_group GROUP: the same kiosk provisioned again with updates.rollout: GROUP
	# (signed, as a technician does; the device key is kept, so the bucket is too).
	provision_group() {
		sed "s/^updates:\$/updates:\n  rollout: $1/" "$work/site.yaml" >"$work/site-$1.yaml"
		"$host_sapar" provision sign --key "$keys/provisioning.key" "$work/site-$1.yaml" >/dev/null
		cp "$work/site-$1.yaml" "$work/site-$1.yaml.sig" "$root/var/lib/sapar/"
		inct chown sapar: "/var/lib/sapar/site-$1.yaml" "/var/lib/sapar/site-$1.yaml.sig"
		inct runuser -u sapar -- sapar provision --state /var/lib/sapar --file "/var/lib/sapar/site-$1.yaml" \
			--pubkey /usr/share/sapar/provisioning.pub >"$ART/provision-$1.log" 2>&1
		echo "sapar provision ($1) rc $?"
	}
	pct=10 pct_why="10%"
	if [ -n "$bucket" ] && [ "$bucket" -gt 0 ] && [ "$bucket" -lt 10 ]; then pct=$bucket pct_why="$bucket% (bucket $bucket is inside 10%)"; fi
	if [ "$bucket" = 0 ]; then
		# Bucket 0 is inside every rollout above 0%: keep it out as the MRC would, in the late group.
		pct_why="10% with the kiosk in rollout: late (bucket 0 is inside every rollout above 0%; $(provision_group late))"
	fi
	publish_fw "$deb4" "$pct"
	n_before=$(fw_runs)
	update_cycle
	sleep 2
	note_out=$(fw_note)
	kept=$(dpkg_state)
	n_mid=$(fw_runs)
	# The same kiosk provisioned again, now in the canary group.
	prov_out=$(provision_group canary)
	s=$(ms)
	update_cycle
	if wait_running "$v4" 240; then
		took=$((ran_ms - s))
		wait_for 240 fw_done "$v4"
	else
		took=-1
	fi
	cohort=$(inct runuser -u sapar -- sapar update --state /var/lib/sapar --status 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("bucket",""), d.get("cohort",""))')
	res=PASS
	[ -n "$bucket" ] || res=FAIL
	[ "$kept" = "ii $v2" ] && [ "$n_mid" = "$n_before" ] || res=FAIL
	case "$note_out" in *"keeps"*) ;; *) res=FAIL ;; esac
	[ "$took" -ge 0 ] && [ "$(fw_field result)" = installed ] && [ "$(dpkg_state)" = "ii $v4" ] || res=FAIL
	[ "$res" = PASS ] || save_journal h3
	want h3 && row h3 "v4 at a partial rollout: bucket outside keeps v2; canary takes it" $res \
		"$(sv "bucket $bucket, rollout $pct_why: kept '$kept' (note '$note_out'); re-provisioned with updates.rollout: canary ($prov_out) → bucket/cohort '$cohort' (the device key is kept), v4 READY $took ms after the cycle started, installer '$(fw_field result)'")"
fi

if [ -n "$fw_wanted" ] && want h4 && [ "$FW_CUTS" -gt 0 ]; then
	cut_ok=0 cut_fail=0 came_new=0 came_old=0 h4_notes="" cur=$(dpkg_state)
	cur=${cur#ii }
	spread=$((dpkg_ms * 3 / 2))
	for i in $(seq "$FW_CUTS"); do
		vn=$fw_base+fw$((10 + i))
		debn=$(repack "$vn") || { cut_fail=$((cut_fail + 1)); continue; }
		publish_fw "$debn" 100
		update_cycle
		# Wait for the installer's dpkg, then cut at a random point of it.
		wait_for 60 inct pgrep -x dpkg >/dev/null 2>&1
		at=$((RANDOM * 32768 + RANDOM))
		at=$((at % (spread > 0 ? spread : 1)))
		sleep "$((at / 1000)).$(printf '%03d' $((at % 1000)))"
		powercut
		s=$(ms)
		# The resumed install is a job of the boot: systemd says "starting"
		# until it is done (≥ 40 s), longer than boot() waits for "running".
		boot "fwcut$i" 2>/dev/null
		if [ -z "$leader" ]; then
			cut_fail=$((cut_fail + 1)) h4_notes="$h4_notes cut$i@${at}ms:no-boot"
			continue
		fi
		# The path unit resumes the interrupted install at boot; wait for it to finish.
		wait_for 300 fw_idle
		st=$(dpkg_state) audit=$(inct dpkg --audit 2>&1 | head -3 | tr '\n' ' ')
		if wait_for 90 kiosk_ready && [ -z "$audit" ]; then
			case "$st" in
			"ii $vn") came_new=$((came_new + 1)) cut_ok=$((cut_ok + 1)) h4_notes="$h4_notes cut$i@${at}ms:new(resumed $(fw_field resumed))" cur=$vn ;;
			"ii $cur") came_old=$((came_old + 1)) cut_ok=$((cut_ok + 1)) h4_notes="$h4_notes cut$i@${at}ms:old($(fw_field result): $(fw_field error | cut -c1-60))" ;;
			*) cut_fail=$((cut_fail + 1)) h4_notes="$h4_notes cut$i@${at}ms:dpkg'$st'" ;;
			esac
		else
			save_journal "fwcut$i"
			cut_fail=$((cut_fail + 1)) h4_notes="$h4_notes cut$i@${at}ms:not-ready('$st',audit:${audit:0:60})"
		fi
		log "h4 cut $i at ${at} ms of dpkg: '$st', back in $(($(ms) - s)) ms"
	done
	res=PASS
	[ "$cut_fail" = 0 ] || res=FAIL
	row h4 "power cut during sapar-firmware's dpkg ×$FW_CUTS" $res \
		"$(sv "$cut_ok/$FW_CUTS boots READY on a healthy firmware, dpkg --audit empty ($came_new new, $came_old old; cut points spread over ${spread} ms from dpkg's start):$h4_notes")"
fi

if [ -n "$fw_wanted" ] && want h5; then
	cur=$(dpkg_state)
	cur=${cur#ii }
	v5=$fw_base+fw50
	deb5=$(repack "$v5") && publish_fw "$deb5" 100
	# The stick: the whole repository (metadata and targets, the package
	# included), mounted where the kiosk does not look by itself.
	rm -rf "$root/mnt/stick"
	mkdir -p "$root/mnt"
	cp -R "$work/repo" "$root/mnt/stick"
	s=$(ms)
	usb_out=$(inct runuser -u sapar -- sapar update --state /var/lib/sapar --usb /mnt/stick 2>&1)
	usb_rc=$?
	usb_ms=$(($(ms) - s))
	echo "$usb_out" >"$ART/h5-sapar-update-usb.log"
	if wait_running "$v5" 240; then
		took=$((ran_ms - s))
		wait_for 240 fw_done "$v5"
	else
		took=-1
	fi
	res=PASS
	[ "$usb_rc" = 0 ] && [ "$took" -ge 0 ] && [ "$(fw_field result)" = installed ] || res=FAIL
	[ "$res" = PASS ] || save_journal h5
	row h5 "next version from a USB stick (sapar update --usb)" $res \
		"$(sv "$cur → $v5: sapar update --usb rc $usb_rc in $usb_ms ms ($(echo "$usb_out" | grep -m1 firmware | cut -c1-90)); READY on it $took ms after the command started; installer '$(fw_field result)', dpkg '$(dpkg_state)'")"
	rm -rf "$root/mnt/stick"
fi

if [ -n "$fw_wanted" ] && want h7; then
	cur=$(dpkg_state)
	cur=${cur#ii }
	v7=$fw_base+fw70
	deb7=$(repack "$v7") && publish_fw "$deb7" 100
	rm -rf "$root/media/sapar/.stick3"
	cp -R "$work/repo" "$root/media/sapar/.stick3"
	s=$(ms)
	mv "$root/media/sapar/.stick3" "$root/media/sapar/usb3" # appears at once, as a mount does
	if wait_running "$v7" 240; then
		took=$((ran_ms - s))
		wait_for 240 fw_done "$v7"
	else
		took=-1
	fi
	res=PASS
	[ "$took" -ge 0 ] && [ "$(fw_field result)" = installed ] || res=FAIL
	[ "$res" = PASS ] || save_journal h7
	row h7 "next version on a stick in the running kiosk (its watcher)" $res \
		"$(sv "$cur → $v7: READY on it $took ms after the stick appeared; installer '$(fw_field result)', dpkg '$(dpkg_state)'; kiosk log: $(journal -u sapar.service | grep -m1 'firmware: staged' | sed 's/.*firmware: //' | cut -c1-80)")"
	rm -rf "$root/media/sapar/usb3"
fi

if [ -n "$fw_wanted" ] && want h8; then
	# h8: the power goes while a bad build is installed (dpkg done, the
	# installer waiting for health): the boot comes up with the bad
	# /usr/bin/sapar on disk, and only the installer's own copy in
	# /var/lib/sapar-firmware can finish the rollback.
	cur=$(dpkg_state)
	cur=${cur#ii }
	v8=$fw_base+fw80
	deb8=$(repack "$v8" bad) && publish_fw "$deb8" 100
	update_cycle
	wait_for 120 dpkg_is "$v8"
	seen=$(dpkg_state)
	copy=no
	[ -x "$root/var/lib/sapar-firmware/installer" ] && copy=yes
	powercut
	s=$(ms)
	boot h8 2>/dev/null
	wait_for 300 fw_idle
	if wait_for 90 kiosk_ready && [ "$(dpkg_state)" = "ii $cur" ]; then took=$(($(ms) - s)); else took=-1; fi
	res=PASS
	[ "$seen" = "ii $v8" ] && [ "$took" -ge 0 ] && [ "$(fw_field result)" = rolled-back ] && [ "$(fw_field resumed)" = True ] || res=FAIL
	case ",$(fw_field bad)," in *",$v8,"*) ;; *) res=FAIL ;; esac
	[ -z "$(inct dpkg --audit 2>&1)" ] || res=FAIL
	[ "$res" = PASS ] || save_journal h8
	row h8 "power cut with a bad build installed → rolled back at boot" $res \
		"$(sv "cut with dpkg '$seen' (installer copy kept: $copy); boot → '$(dpkg_state)' READY $took ms after the boot started; installer '$(fw_field result)' (resumed $(fw_field resumed)); bad: $(fw_field bad); installer runs this boot: $(fw_runs)")"
fi

if [ -n "$fw_wanted" ] && want h6; then
	before=$(dpkg_state)
	vf=$fw_base+fw99
	forged=$(repack "$vf" bad)
	sum=$(sha256sum "$forged" | cut -d' ' -f1)
	len=$(stat -c %s "$forged")
	cp "$forged" "$root/var/tmp/forged.deb"
	chmod 0644 "$root/var/tmp/forged.deb"
	n_before=$(fw_runs)
	# As the kiosk user (what a WebKit exploit runs as): a package of its own and a pending.json that describes it.
	inct runuser -u sapar -- sh -c "set -e; cd /var/lib/sapar/firmware
		printf '{\"version\":\"$vf\",\"arch\":\"amd64\",\"package\":\"sapar\",\"sha256\":\"$sum\",\"length\":$len}\n' >pending.json
		cp /var/tmp/forged.deb .forged && mv .forged pending.deb"
	wait_for 60 fw_done "$vf"
	res=PASS
	[ "$(fw_field result)" = refused ] && [ "$(dpkg_state)" = "$before" ] && [ "$(fw_runs)" -gt "$n_before" ] && kiosk_ready || res=FAIL
	[ "$res" = PASS ] || save_journal h6
	row h6 "pending.deb made by user sapar → refused by the root installer" $res \
		"$(sv "installer ran ($n_before → $(fw_runs) runs), result '$(fw_field result)': $(fw_field error | cut -c1-130); dpkg '$before' → '$(dpkg_state)'")"
fi

# ---------------------------------------------------------------- i: Debian security updates
# i  sapar-maintenance.service as the timer starts it, against a loopback
#    archive that says what Debian's security archive says in its Release
#    file (Origin: Debian, Label: Debian-Security, Codename:
#    bookworm-security) and carries a newer version of a small package whose
#    postinst asks for a reboot, as libc6's does. The container's own apt
#    sources are moved aside for the row (no test may use the internet).
#    Outside the provisioned maintenance_window: nothing; inside it with a
#    session open (a tap on the real kiosk): nothing; idle: unattended-upgrade
#    installs it and the machine reboots (nspawn exits 133); after the boot a
#    pending reboot waits while someone is at the screen.
if want i; then
	s_i=$(ms)
	arch_dir=$work/repo/debian-security
	mkdir -p "$arch_dir"
	# probe VERSION [reboot] → a package sapar-ci-probe at VERSION.
	probe() {
		local d=$work/probe-$1
		mkdir -p "$d/DEBIAN" "$d/usr/share/doc/sapar-ci-probe"
		printf 'Package: sapar-ci-probe\nVersion: %s\nArchitecture: all\nMaintainer: Sapar boot test <ci@localhost>\nDescription: stands in for a security fix (boot-test row i)\n' "$1" >"$d/DEBIAN/control"
		echo "sapar-ci-probe $1" >"$d/usr/share/doc/sapar-ci-probe/VERSION"
		if [ "${2:-}" = reboot ]; then
			printf '#!/bin/sh\nset -e\necho "*** System restart required ***" >/run/reboot-required\necho sapar-ci-probe >>/run/reboot-required.pkgs\n' >"$d/DEBIAN/postinst"
			chmod 0755 "$d/DEBIAN/postinst"
		fi
		dpkg-deb --root-owner-group -b "$d" "$work/sapar-ci-probe_$1_all.deb" >/dev/null && rm -rf "$d"
	}
	probe 1.0 && probe 1.1 reboot
	cp "$work/sapar-ci-probe_1.1_all.deb" "$arch_dir/"
	(
		cd "$arch_dir" || exit 1
		f=sapar-ci-probe_1.1_all.deb
		{
			dpkg-deb -f "$f"
			printf 'Filename: ./%s\nSize: %s\nSHA256: %s\n\n' "$f" "$(stat -c %s "$f")" "$(sha256sum "$f" | cut -d' ' -f1)"
		} >Packages
		printf 'Origin: Debian\nLabel: Debian-Security\nSuite: stable-security\nCodename: bookworm-security\nArchitectures: amd64 all\nDate: %s\nSHA256:\n %s %s Packages\n' \
			"$(LC_ALL=C date -u -R)" "$(sha256sum Packages | cut -d' ' -f1)" "$(stat -c %s Packages)" >Release
	)
	cp "$work/sapar-ci-probe_1.0_all.deb" "$root/var/tmp/"
	inct dpkg -i /var/tmp/sapar-ci-probe_1.0_all.deb >"$ART/probe-install.log" 2>&1
	mkdir -p "$root/etc/apt/sources-off"
	for f in "$root"/etc/apt/sources.list "$root"/etc/apt/sources.list.d/*; do [ -f "$f" ] && mv "$f" "$root/etc/apt/sources-off/"; done
	echo "deb [trusted=yes] http://127.0.0.1:$mirror_port/debian-security/ ./" >"$root/etc/apt/sources.list.d/security-loopback.list"
	rm -rf "$root"/var/lib/apt/lists/*
	inct apt-get update -q >"$ART/apt-update-security.log" 2>&1
	# shellcheck disable=SC2016 # dpkg-query's own ${field} syntax
	probe_v() { inct dpkg-query -W -f='${Version}' sapar-ci-probe 2>/dev/null; }
	# window_site START END: the provisioning file with maintenance_window START-END, signed, provisioned.
	window_site() {
		{ cat "$work/site.yaml"; echo "maintenance_window: \"$1-$2\""; } >"$work/site-window.yaml"
		"$host_sapar" provision sign --key "$keys/provisioning.key" "$work/site-window.yaml" >/dev/null
		cp "$work/site-window.yaml" "$work/site-window.yaml.sig" "$root/var/lib/sapar/"
		inct chown sapar: /var/lib/sapar/site-window.yaml /var/lib/sapar/site-window.yaml.sig
		inct runuser -u sapar -- sapar provision --state /var/lib/sapar --file /var/lib/sapar/site-window.yaml \
			--pubkey /usr/share/sapar/provisioning.pub >>"$ART/provision-window.log" 2>&1
	}
	bishkek() { TZ=Asia/Bishkek date -d "$1" +%H:%M; }
	maint() { # one sapar-maintenance.service run; echoes its last decision
		inct systemctl reset-failed sapar-maintenance.service >/dev/null 2>&1
		inct systemctl start sapar-maintenance.service >/dev/null 2>&1
		journal -u sapar-maintenance.service -o cat | grep '^sapar maintenance:' | tail -1 | cut -c1-140
	}
	in_use() { http /metrics | sed -n 's/^sapar_kiosk_in_use \([0-9]\).*/\1/p'; }
	idle_now() { [ "$(in_use)" = 0 ]; }
	tap() { # what a person's first tap does: the page opens a session
		local token
		token=$(http / | grep -o '"token":"[0-9a-f]*"' | head -1 | cut -d'"' -f4)
		curl -fsS -m 5 -H "X-Sapar-Token: $token" -H 'Content-Type: application/json' \
			-d '{"event":"start"}' "http://127.0.0.1:$ui_port/api/session" >/dev/null 2>&1
	}
	res=PASS
	v0=$(probe_v)
	[ "$v0" = 1.0 ] || res=FAIL
	# Outside the window (it starts in 3 h).
	window_site "$(bishkek '+3 hours')" "$(bishkek '+4 hours')"
	d_out=$(maint)
	case "$d_out" in *"outside the maintenance window"*) ;; *) res=FAIL ;; esac
	[ "$(probe_v)" = 1.0 ] || res=FAIL
	# Inside it, someone at the screen.
	window_site "$(bishkek '-5 min')" "$(bishkek '+55 min')"
	tap
	d_use=$(maint)
	case "$d_use" in *"someone is at the screen"*) ;; *) res=FAIL ;; esac
	[ "$(probe_v)" = 1.0 ] || res=FAIL
	# Idle (the idle timeout after the tap): upgrade, then the reboot the fix asks for.
	wait_for 120 idle_now || res=FAIL
	s=$(ms)
	inct systemctl start --no-block sapar-maintenance.service >/dev/null 2>&1
	pid=$nspawn_pid
	for _ in $(seq 1800); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	gone_ms=$(($(ms) - s))
	if kill -0 "$pid" 2>/dev/null; then
		ct_exit=none
		res=FAIL
		shutdown_ct
	else
		wait "$pid" 2>/dev/null
		ct_exit=$?
		nspawn_pid="" leader=""
	fi
	[ "$ct_exit" = 133 ] || res=FAIL # systemd-nspawn's exit status when the machine reboots
	boot i-after-reboot || res=FAIL
	v_after=$(probe_v)
	[ "$v_after" = 1.1 ] || res=FAIL
	last_reboot=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d.get("last_reboot") or d.get("LastReboot") or "")' "$root/var/lib/sapar/maintenance-status.json" 2>/dev/null)
	[ -n "$last_reboot" ] || res=FAIL
	wait_for 120 kiosk_ready || res=FAIL
	# A reboot asked for while someone is at the screen waits.
	inct sh -c 'echo "*** System restart required ***" >/run/reboot-required; echo sapar-ci-probe >/run/reboot-required.pkgs'
	tap
	d_wait=$(maint)
	case "$d_wait" in *"someone is at the screen"*) ;; *) res=FAIL ;; esac
	kill -0 "$nspawn_pid" 2>/dev/null && kiosk_ready || res=FAIL
	[ "$res" = PASS ] || save_journal i
	row i "security updates (sapar-maintenance.service, loopback Debian-Security archive)" $res \
		"probe $v0 → $v_after; outside window: '${d_out#sapar maintenance: }'; tap: '${d_use#sapar maintenance: }'; idle: upgraded and rebooted (nspawn exit $ct_exit) ${gone_ms} ms after the unit started; reboot pending + tap: no reboot; $(($(ms) - s_i)) ms in all"
fi

# ---------------------------------------------------------------- g: remove, purge, reinstall
if want g; then
	s=$(ms)
	rm_ok=yes
	inct env DEBIAN_FRONTEND=noninteractive apt-get remove -y -q sapar >"$ART/apt-remove.log" 2>&1 || rm_ok=no
	after_rm="$(show sapar.service ActiveState)"
	[ -e "$root/lib/systemd/system/sapar.service" ] || after_rm="$after_rm, unit file gone"
	state_kept=no
	[ -f "$root/var/lib/sapar/config.json" ] && state_kept=yes
	inct env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q sapar >"$ART/apt-purge.log" 2>&1 || rm_ok=no
	state_gone=no
	[ -e "$root/var/lib/sapar" ] || state_gone=yes
	conf_gone=no
	[ -e "$root/etc/default/sapar" ] || conf_gone=yes
	inct env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "/root/$(basename "$deb")" >"$ART/apt-reinstall.log" 2>&1 || rm_ok=no
	sed -i -e "s|^SAPAR_ARGS=.*|SAPAR_ARGS=\"--addr 127.0.0.1:$ui_port\"|" "$root/etc/default/sapar"
	inct systemctl reset-failed sapar.service >/dev/null 2>&1
	inct systemctl start sapar.service || rm_ok=no
	if wait_for 60 setup_screen_up; then back=setup-screen; else back=none; rm_ok=no; fi
	res=PASS
	case "$rm_ok:$state_kept:$state_gone:$conf_gone" in yes:yes:yes:yes) ;; *) res=FAIL ;; esac
	case "$after_rm" in inactive*) ;; *) res=FAIL ;; esac
	row g "apt-get remove / purge / install again" $res \
		"remove: unit $after_rm, state kept $state_kept; purge: /var/lib/sapar gone $state_gone, /etc/default/sapar gone $conf_gone; reinstall + start → $back; $(($(ms) - s)) ms"
fi

shutdown_ct
table
[ "$failed" = 0 ]
