#!/bin/sh
# measure-writes.sh STATE_DIR SECONDS — how many bytes the kiosk writes, for
# SD-card care (target: under 1 MB per hour while idle).
#
# Samples, at the start and every INTERVAL seconds until SECONDS have passed:
#   proc    the sum of write_bytes - cancelled_write_bytes in /proc/PID/io of
#           the kiosk's processes (bytes they sent towards storage);
#   cgroup  wbytes in the unit's cgroup io.stat (includes processes that exited;
#           only counts I/O that reached a block device);
#   dir     the apparent size of STATE_DIR (du -sb): growth, not churn;
#   device  sectors written to the block device holding STATE_DIR, by anyone
#           (journald, the kernel...) — the SD card's real wear.
# and prints the totals and the rate per hour. Run it as root (other users'
# /proc/PID/io is unreadable) on a kiosk left idle for an hour, then again
# during an hour of steady use, and note both figures in the issue.
#
# Environment: UNIT (default sapar.service) whose processes are measured, or
# PIDS="1 2 3" to name them; INTERVAL (default 60); TARGET (bytes per hour,
# default 1048576). Exit status: 0 within target (proc figure), 1 over it,
# 2 usage or nothing to measure.
set -eu

usage() { echo "usage: $0 STATE_DIR SECONDS   (env: UNIT, PIDS, INTERVAL, TARGET)" >&2; exit 2; }
[ $# -eq 2 ] || usage
dir=$1 seconds=$2
case "$seconds" in '' | *[!0-9]*) usage ;; esac
[ "$seconds" -gt 0 ] || usage
[ -d "$dir" ] || { echo "measure-writes: $dir is not a directory" >&2; exit 2; }
UNIT=${UNIT:-sapar.service}
INTERVAL=${INTERVAL:-60}
TARGET=${TARGET:-1048576}

cgroup=""
if [ -z "${PIDS:-}" ] && command -v systemctl >/dev/null 2>&1; then
	cg=$(systemctl show -p ControlGroup --value "$UNIT" 2>/dev/null || true)
	[ -n "$cg" ] && [ -d "/sys/fs/cgroup$cg" ] && cgroup=/sys/fs/cgroup$cg
fi

pids() {
	if [ -n "${PIDS:-}" ]; then
		echo "$PIDS"
	elif [ -n "$cgroup" ]; then
		cat "$cgroup/cgroup.procs" 2>/dev/null || true
	fi
}
[ -n "$(pids)" ] || { echo "measure-writes: no processes: is $UNIT running? (or set PIDS)" >&2; exit 2; }

# Bytes written by processes seen alive so far. A process that exits takes its
# counters along; the last value read is kept for it in $seen.
seen=$(mktemp)
trap 'rm -f "$seen" "$seen.new"' EXIT INT TERM
proc_bytes() {
	for pid in $(pids); do
		[ -r "/proc/$pid/io" ] || continue
		awk -v pid="$pid" '/^write_bytes:/ {w=$2} /^cancelled_write_bytes:/ {c=$2} END {if (w != "") print pid, w - c}' "/proc/$pid/io" 2>/dev/null || true
	done >"$seen.new"
	# Merge: newest value per pid, older pids kept.
	cat "$seen" "$seen.new" | awk '{v[$1]=$2} END {for (p in v) print p, v[p]}' >"$seen.tmp"
	mv "$seen.tmp" "$seen"
	awk '{s+=$2} END {printf "%d\n", s}' "$seen"
}
cgroup_bytes() {
	if [ -n "$cgroup" ] && [ -r "$cgroup/io.stat" ]; then
		awk '{for (i=2; i<=NF; i++) if ($i ~ /^wbytes=/) {sub("wbytes=", "", $i); s+=$i}} END {printf "%d\n", s}' "$cgroup/io.stat"
	else
		echo -
	fi
}
dir_bytes() { du -sb "$dir" 2>/dev/null | cut -f1; }

# The whole disk (mmcblk0, sda...) under the file system holding STATE_DIR.
device=""
src=$(df -P "$dir" | awk 'NR==2 {print $1}')
if [ -b "$src" ]; then
	name=$(basename "$(readlink -f "$src")")
	if [ -e "/sys/class/block/$name/partition" ]; then
		name=$(basename "$(dirname "$(readlink -f "/sys/class/block/$name")")")
	fi
	[ -r "/sys/class/block/$name/stat" ] && device=$name
fi
device_bytes() {
	if [ -n "$device" ]; then
		awk '{printf "%d\n", $7 * 512}' "/sys/class/block/$device/stat"
	else
		echo -
	fi
}

delta() { if [ "$1" = - ] || [ "$2" = - ]; then echo -; else echo $(($2 - $1)); fi; }
per_hour() { if [ "$1" = - ]; then echo -; else echo $(($1 * 3600 / $2)); fi; }

p0=$(proc_bytes) c0=$(cgroup_bytes) d0=$(dir_bytes) b0=$(device_bytes)
start=$(date +%s)
echo "measuring $UNIT (pids: $(pids | tr '\n' ' ')) state $dir, device ${device:-unknown}, for ${seconds}s"
printf '%8s %14s %14s %14s %14s\n' elapsed proc cgroup dir device
elapsed=0
while [ "$elapsed" -lt "$seconds" ]; do
	step=$INTERVAL
	[ $((elapsed + step)) -le "$seconds" ] || step=$((seconds - elapsed))
	sleep "$step"
	elapsed=$(($(date +%s) - start))
	printf '%8s %14s %14s %14s %14s\n' "$elapsed" "$(delta "$p0" "$(proc_bytes)")" \
		"$(delta "$c0" "$(cgroup_bytes)")" "$(delta "$d0" "$(dir_bytes)")" "$(delta "$b0" "$(device_bytes)")"
done
[ "$elapsed" -gt 0 ] || elapsed=1
p=$(delta "$p0" "$(proc_bytes)") c=$(delta "$c0" "$(cgroup_bytes)")
d=$(delta "$d0" "$(dir_bytes)") b=$(delta "$b0" "$(device_bytes)")
echo "bytes per hour: proc $(per_hour "$p" "$elapsed")  cgroup $(per_hour "$c" "$elapsed")  dir growth $(per_hour "$d" "$elapsed")  device $(per_hour "$b" "$elapsed")  (target $TARGET)"
if [ "$(per_hour "$p" "$elapsed")" -gt "$TARGET" ]; then
	echo "OVER TARGET: the kiosk writes more than $TARGET bytes per hour"
	exit 1
fi
echo "within target"
