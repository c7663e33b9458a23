#!/bin/sh
# bench/owner.sh — `aliasctl owner` (ownership index) beside
# `dpkg-query -S` on a bootstrapped root. Not part of `make check`.
#
# usage: bench/owner.sh [--build DIR] [--queries N] [ROOT]
#
# ROOT defaults to a minbase bookworm tree made with mmdebstrap in
# $ALIASFS_BENCH_CACHE/minbase (/var/tmp/aliasfs-cache/minbase) when
# absent. Indexes ROOT (timed, then timed again unchanged), then asks both
# tools who owns N paths (default 200, taken from ROOT's file lists, half
# of them spelled through an alias), one process per query, and prints
# the time per query.
set -u

here=$(cd "$(dirname "$0")" && pwd)
build=$here/../build
queries=200
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--queries) queries=$2; shift 2 ;;
	-h|--help) sed -n '2,13p' "$0"; exit 0 ;;
	*) break ;;
	esac
done
aliasctl=${ALIASCTL:-$build/aliasctl/aliasctl}
[ -x "$aliasctl" ] || { echo "no $aliasctl (build first, or --build DIR)" >&2; exit 1; }

if [ $# -gt 0 ]; then
	root=$1
else
	root=${ALIASFS_BENCH_CACHE:-/var/tmp/aliasfs-cache}/minbase
	if [ ! -d "$root/var/lib/dpkg/info" ]; then
		echo "making $root with mmdebstrap (a minute or two)" >&2
		mkdir -p "$(dirname "$root")"
		mmdebstrap --variant=minbase --skip=cleanup/apt/cache bookworm \
			"$root" >&2 || exit 1
	fi
fi

W=$(mktemp -d "${TMPDIR:-/tmp}/bench-owner.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT

now()
{
	date +%s.%N
}

elapsed()
{
	echo "$1 $(now)" | awk '{ printf "%.3f", $2 - $1 }'
}

# Files (not directories) from the lists, every k-th; every other one
# respelled through its alias where it has one (/usr/bin/x -> /bin/x).
cat "$root"/var/lib/dpkg/info/*.list | sort -u | while read -r p; do
	[ -f "$root$p" ] && [ ! -L "$root$p" ] && echo "$p"
done >"$W/files"
total=$(wc -l <"$W/files")
step=$((total / queries))
[ "$step" -ge 1 ] || step=1
awk -v s="$step" -v n="$queries" 'NR % s == 0 && c < n { c++; print }' \
	"$W/files" |
	awk 'NR % 2 == 0 { sub(/^\/usr\/(bin|sbin|lib|lib64)\//, "/&"); sub(/^\/\/usr/, "") } { print }' \
	>"$W/queries"
n=$(wc -l <"$W/queries")
echo "root: $root ($(ls "$root"/var/lib/dpkg/info/*.list | wc -l) packages, $total files); $n queries"

s=$(now)
"$aliasctl" index --root "$root" --arch amd64 >/dev/null || exit 1
t_index=$(elapsed "$s")
s=$(now)
"$aliasctl" index --root "$root" --arch amd64 >/dev/null || exit 1
t_reindex=$(elapsed "$s")

s=$(now)
while read -r q; do
	"$aliasctl" owner --root "$root" "$q" >>"$W/aliasctl.out" 2>&1
done <"$W/queries"
t_owner=$(elapsed "$s")
s=$(now)
"$aliasctl" owner --root "$root" $(cat "$W/queries") >/dev/null 2>&1
t_owner_batch=$(elapsed "$s")

s=$(now)
while read -r q; do
	dpkg-query --root="$root" -S "$q" >>"$W/dpkg.out" 2>&1
done <"$W/queries"
t_dpkg=$(elapsed "$s")
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
echo
echo "answered: aliasctl $found_a of $n; dpkg-query found no owner for" \
	"$missed_d (the paths spelled through an alias the package does not" \
	"list)"
