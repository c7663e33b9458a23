#!/bin/sh
# bench/check-contents.sh — `aliasctl check` over a release's Contents
# indices beside an equivalent awk pipeline. Not part of `make check`;
# bench/run measures the same on Contents-amd64 in its library table.
#
# usage: bench/check-contents.sh [--build DIR] [--runs N] [CONTENTS...]
#
# Default input: bookworm main Contents-amd64 and Contents-all (about 7.3
# million lines), as `apt-file update` leaves them in /var/lib/apt/lists,
# cached in $ALIASFS_BENCH_CACHE (/var/tmp/aliasfs-cache). Prints the best
# wall time and peak memory of each tool over N runs (default 3) and
# checks that both find the same alias conflicts.
# shellcheck source-path=SCRIPTDIR
set -u

here=$(cd "$(dirname "$0")" && pwd)
lib=$here/lib/archive.sh
# shellcheck source=lib/archive.sh
. "$lib"
build=$here/../build
runs=3
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	-h|--help) sed -n '2,12p' "$0"; exit 0 ;;
	*) break ;;
	esac
done
bench_aliasctl "$build" >&2 || exit 1

if [ $# -eq 0 ]; then
	a=$(contents_find amd64) && b=$(contents_find all) || exit 1
	set -- "$a" "$b"
fi
if [ ! -x /usr/bin/time ]; then
	echo "needs /usr/bin/time (apt-get install time)" >&2
	exit 1
fi

W=$(mktemp -d "${TMPDIR:-/tmp}/bench-check.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT

echo "input: $* ($(contents_cat "$@" | wc -l) lines)"

# best_of N CMD...: run N times, print "best-seconds peak-KiB".
best_of()
{
	_n=$1
	shift
	_best=""
	_mem=0
	for _i in $(seq "$_n"); do
		/usr/bin/time -f '%e %M' -o "$W/time" "$@" >"$W/last" 2>/dev/null
		read -r _t _m <<EOT
$(tail -n 1 "$W/time")
EOT
		if [ -z "$_best" ]; then
			_best=$_t
		else
			_best=$(echo "$_best $_t" |
				awk '{ print ($2 < $1) ? $2 : $1 }')
		fi
		[ "$_m" -gt "$_mem" ] && _mem=$_m
	done
	echo "$_best $_mem"
}

r1=$(best_of "$runs" "$ALIASCTL" check --arch amd64 "$@")
contents_aliasctl_check "$@" >"$W/aliasctl.txt"
r2=$(best_of "$runs" "$ALIASCTL" check --arch amd64 --all "$@")
# The awk equivalent runs as a shell of its own, so it is timed whole.
# shellcheck disable=SC2016 # expanded by that shell
r3=$(best_of "$runs" sh -c '. "$0"; contents_awk_check "$@"' "$lib" "$@")
cp "$W/last" "$W/awk.txt"

printf '\n| tool | best of %s (s) | peak RSS (MiB) | alias conflicts |\n' "$runs"
printf '|---|---|---|---|\n'
# shellcheck disable=SC2086 # "seconds KiB"
set -- $r1
printf '| aliasctl check | %s | %s | %s |\n' "$1" $(($2 / 1024)) \
	"$(wc -l <"$W/aliasctl.txt")"
# shellcheck disable=SC2086
set -- $r2
printf '| aliasctl check --all | %s | %s | (same-path too) |\n' "$1" \
	$(($2 / 1024))
# shellcheck disable=SC2086
set -- $r3
printf '| awk pipeline | %s | %s | %s |\n' "$1" $(($2 / 1024)) \
	"$(wc -l <"$W/awk.txt")"
if cmp -s "$W/aliasctl.txt" "$W/awk.txt"; then
	echo "both find the same alias conflicts"
else
	echo "DIFFERENT results:"
	diff "$W/aliasctl.txt" "$W/awk.txt"
	exit 1
fi
