#!/bin/sh
# bench/extract.sh — `aliasctl extract` beside a `dpkg-deb -x` loop over the
# same .deb set. Not part of `make check`.
#
# usage: bench/extract.sh [--build DIR] [--runs N] [DEBDIR]
#
# DEBDIR defaults to the apt cache of a minbase bookworm tree, made with
# `mmdebstrap --variant=minbase --skip=cleanup/apt/cache bookworm` in
# $ALIASFS_BENCH_CACHE/minbase (/var/tmp/aliasfs-cache/minbase) when
# absent. Prints the best wall time of each over N runs (default 3), each
# into a fresh directory, and checks that both give the same files once
# the dpkg-deb tree is merged by hand.
# shellcheck source-path=SCRIPTDIR
set -u

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/archive.sh
. "$here/lib/archive.sh"
build=$here/../build
runs=3
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	-h|--help) sed -n '2,13p' "$0"; exit 0 ;;
	*) break ;;
	esac
done
bench_aliasctl "$build" >&2 || exit 1

if [ $# -gt 0 ]; then
	debdir=$1
else
	debdir=$(bench_minbase)/var/cache/apt/archives || exit 1
fi
set -- "$debdir"/*.deb
[ -e "$1" ] || { echo "no .deb files in $debdir" >&2; exit 1; }
bytes=$(cat "$@" | wc -c)
echo "input: $# packages in $debdir ($((bytes / 1024 / 1024)) MiB)"

W=$(mktemp -d "${TMPDIR:-/tmp}/bench-extract.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT

# best_of N NAME: run step NAME N times into fresh directories.
# shellcheck disable=SC2154 # _t is set by bench_timed
best_of()
{
	_best=""
	for _i in $(seq "$1"); do
		rm -rf "${W:?}/$2"
		sync
		bench_timed _t "run_$2" "$W/$2" ||
			{ echo "$2 failed" >&2; exit 1; }
		if [ -z "$_best" ]; then
			_best=$_t
		else
			_best=$(echo "$_best $_t" | awk '{ print ($2 < $1) ? $2 : $1 }')
		fi
	done
	echo "$_best"
}

run_aliasctl()
{
	"$ALIASCTL" extract --arch amd64 --root "$1" "$debdir"/*.deb >/dev/null
}

run_dpkgdeb()
{
	mkdir -p "$1"
	for d in "$debdir"/*.deb; do
		dpkg-deb -x "$d" "$1" || return 1
	done
}

t1=$(best_of "$runs" aliasctl)
t2=$(best_of "$runs" dpkgdeb)

printf '\n| tool | best of %s (s) |\n|---|---|\n' "$runs"
printf '| aliasctl extract | %s |\n' "$t1"
printf '| dpkg-deb -x loop | %s |\n' "$t2"

# Same non-directories (path, mode, owner, size, mtime, type, target)?
(cd "$W/dpkgdeb" && find . ! -type d -printf '%P %m %U %G %s %T@ %y %l\n') |
	sed -E 's#^(bin|sbin|lib|lib32|lib64|libx32)/#usr/\1/#' |
	sort >"$W/expected"
(cd "$W/aliasctl" && find . ! -type d -printf '%P %m %U %G %s %T@ %y %l\n') |
	grep -vE '^(bin|sbin|lib|lib32|lib64|libx32) ' | sort >"$W/actual"
if cmp -s "$W/expected" "$W/actual"; then
	echo "same files as dpkg-deb -x, merged ($(wc -l <"$W/actual") non-directories)"
else
	echo "DIFFERENT trees (first differences):"
	diff "$W/expected" "$W/actual" | head -20
	exit 1
fi
