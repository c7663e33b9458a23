#!/bin/sh
# bench/dpkg.sh — dpkg through the view against a native tree: `dpkg -l`,
# `dpkg -S /usr/bin/sh`, and installing then removing a set of small
# packages, each on the native directory, on aliasfs with dpkgdb=raw and
# on aliasfs with dpkgdb=claims (the default). Prints the median of each
# and the ratios to native. Not part of `make check`; needs root.
#
# usage: bench/dpkg.sh [--build DIR] [--runs N] [--packages N] [TREE.tar]
#
# TREE.tar defaults to $ALIASFS_BENCH_CACHE/essential.tar
# (/var/tmp/aliasfs-cache/essential.tar), a bootstrapped bookworm tree.
# The packages are built here with dpkg-deb (N of them, default 40, each
# shipping a few files under /bin, /usr/bin, /lib and /usr/share).
set -u

here=$(cd "$(dirname "$0")" && pwd)
build=$here/../build
runs=5
npkgs=40
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--packages) npkgs=$2; shift 2 ;;
	-h | --help) sed -n '2,14p' "$0"; exit 0 ;;
	*) break ;;
	esac
done
aliasfs=$build/fs/aliasfs
[ -x "$aliasfs" ] || { echo "no $aliasfs (build first, or --build DIR)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "bench/dpkg.sh needs root" >&2; exit 1; }
tar=${1:-${ALIASFS_BENCH_CACHE:-/var/tmp/aliasfs-cache}/essential.tar}
[ -f "$tar" ] || { echo "no tree $tar" >&2; exit 1; }

W=$(mktemp -d "${TMPDIR:-/tmp}/bench-dpkg.XXXXXX") || exit 1
cleanup()
{
	for m in "$W"/mnt-*; do
		mountpoint -q "$m" 2>/dev/null && fusermount3 -u "$m"
	done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

now()
{
	date +%s.%N
}

# median of the numbers on stdin
median()
{
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# time_cmd COMMAND...: seconds the command took (output discarded)
time_cmd()
{
	_t0=$(now)
	"$@" >/dev/null 2>&1
	echo "$_t0 $(now)" | awk '{ printf "%.4f\n", $2 - $1 }'
}

# The packages: pkgNN ships files under both spellings' directories.
mkdir -p "$W/debs"
i=1
while [ $i -le "$npkgs" ]; do
	d=$W/src/p$i
	mkdir -p "$d/DEBIAN" "$d/bin" "$d/usr/bin" "$d/usr/lib/bench$i" \
		"$d/usr/share/doc/bench$i"
	printf 'Package: bench%s\nVersion: 1\nArchitecture: all\n' $i \
		>"$d/DEBIAN/control"
	printf 'Maintainer: b <b@example.invalid>\nDescription: b\n' \
		>>"$d/DEBIAN/control"
	echo "bench $i" >"$d/bin/bench$i-a"
	echo "bench $i" >"$d/usr/bin/bench$i-b"
	for f in 1 2 3 4 5; do
		echo "bench $i $f" >"$d/usr/lib/bench$i/f$f"
	done
	echo "bench $i" >"$d/usr/share/doc/bench$i/copyright"
	dpkg-deb --root-owner-group -Zgzip -b "$d" "$W/debs/bench$i.deb" \
		>/dev/null || exit 1
	i=$((i + 1))
done

# setup CONFIG: a fresh copy of the tree, mounted as CONFIG wants. Sets
# ROOT.
setup()
{
	_b=$W/backing-$1
	rm -rf "$_b"
	mkdir -p "$_b"
	tar -C "$_b" -xf "$tar" || exit 1
	case $1 in
	native) ROOT=$_b ;;
	raw | claims)
		ROOT=$W/mnt-$1
		mkdir -p "$ROOT"
		"$aliasfs" -o dpkgdb=$1 "$_b" "$ROOT" || exit 1
		;;
	esac
}

teardown()
{
	case $1 in
	raw | claims) fusermount3 -u "$ROOT" ;;
	esac
	rm -rf "$W/backing-$1"
}

D()
{
	dpkg --root="$ROOT" --force-script-chrootless --log=/dev/null "$@"
}

install_remove()
{
	D -i "$W"/debs/*.deb && D -r $(cd "$W/debs" && ls | sed 's/\.deb$//')
}

printf '%-8s %10s %10s %10s\n' config "dpkg -l" "dpkg -S" "inst+rm"
for c in native raw claims; do
	setup $c
	D -l >/dev/null 2>&1 # warm the caches once
	l=$(for r in $(seq "$runs"); do time_cmd D -l; done | median)
	s=$(for r in $(seq "$runs"); do time_cmd D -S /usr/bin/sh; done |
		median)
	n=$(for r in $(seq "$runs"); do time_cmd install_remove; done |
		median)
	printf '%-8s %10s %10s %10s\n' $c "$l" "$s" "$n"
	echo "$c $l $s $n" >>"$W/results"
	teardown $c
done
echo
echo "ratios to native (1.00 = as fast):"
awk '$1 == "native" { l = $2; s = $3; n = $4 }
	$1 != "native" { printf "%-8s %10.2f %10.2f %10.2f\n", $1, $2 / l,
		$3 / s, $4 / n }' "$W/results"
