#!/bin/sh
# bench/owner.sh — `aliasctl owner` (ownership index) beside
# `dpkg-query -S` on a bootstrapped root. Not part of `make check`;
# bench/run measures the same in its library table.
#
# usage: bench/owner.sh [--build DIR] [--queries N] [ROOT]
#
# ROOT defaults to a minbase bookworm tree made with mmdebstrap in
# $ALIASFS_BENCH_CACHE/minbase (/var/tmp/aliasfs-cache/minbase) when
# absent. Indexes ROOT (timed, then timed again unchanged), then asks both
# tools who owns N paths (default 200, taken from ROOT's file lists, half
# of them spelled through an alias), one process per query, and prints
# the time per query.
# shellcheck source-path=SCRIPTDIR
# shellcheck disable=SC2154 # the t_* times are set by bench_timed
set -u

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/archive.sh
. "$here/lib/archive.sh"
build=$here/../build
queries=200
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--queries) queries=$2; shift 2 ;;
	-h|--help) sed -n '2,14p' "$0"; exit 0 ;;
	*) break ;;
	esac
done
bench_aliasctl "$build" >&2 || exit 1

if [ $# -gt 0 ]; then
	root=$1
else
	root=$(bench_minbase) || exit 1
fi

W=$(mktemp -d "${TMPDIR:-/tmp}/bench-owner.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT

total=$(owner_queries "$root" "$queries" "$W/queries")
n=$(wc -l <"$W/queries")
echo "root: $root ($(find "$root"/var/lib/dpkg/info -name '*.list' | wc -l) packages, $total files); $n queries"

bench_timed t_index owner_index "$root" amd64 || exit 1
bench_timed t_reindex owner_index "$root" amd64 || exit 1

bench_timed t_owner owner_each_aliasctl "$root" "$W/queries" "$W/aliasctl.out"
bench_timed t_owner_batch owner_batch_aliasctl "$root" "$W/queries"

bench_timed t_dpkg owner_each_dpkg "$root" "$W/queries" "$W/dpkg.out"
bench_timed t_dpkg_batch owner_batch_dpkg "$root" "$W/queries"
found_a=$(grep -vc 'no path found' "$W/aliasctl.out")
missed_d=$(grep -c 'no path found' "$W/dpkg.out")

printf '\n| step | seconds | per query (ms) |\n|---|---|---|\n'
printf '| aliasctl index (first) | %s | |\n' "$t_index"
printf '| aliasctl index (unchanged) | %s | |\n' "$t_reindex"
printf '| aliasctl owner, one process per query | %s | %s |\n' "$t_owner" \
	"$(echo "$t_owner $n" | awk '{ printf "%.3f", 1000 * $1 / $2 }')"
printf '| aliasctl owner, all in one process | %s | %s |\n' \
	"$t_owner_batch" \
	"$(echo "$t_owner_batch $n" | awk '{ printf "%.4f", 1000 * $1 / $2 }')"
printf '| dpkg-query -S, one process per query | %s | %s |\n' "$t_dpkg" \
	"$(echo "$t_dpkg $n" | awk '{ printf "%.3f", 1000 * $1 / $2 }')"
printf '| dpkg-query -S, all in one process | %s | %s |\n' "$t_dpkg_batch" \
	"$(echo "$t_dpkg_batch $n" | awk '{ printf "%.4f", 1000 * $1 / $2 }')"
echo
echo "answered: aliasctl $found_a of $n; dpkg-query found no owner for" \
	"$missed_d (the paths spelled through an alias the package does not" \
	"list)"
