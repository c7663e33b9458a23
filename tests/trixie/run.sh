#!/bin/sh
# CI leg: build aliasfs and run `make check` on Debian trixie (gcc 14,
# libfuse 3.17, dpkg 1.22), in a chroot that mmdebstrap makes with the
# packages scripts/install-deps lists. Every test that runs dpkg then runs
# trixie's dpkg.
#   1. the chroot: mmdebstrap --variant=apt --include=<install-deps --list>
#      trixie, cached as a tarball in /var/tmp/aliasfs-cache (keyed by the
#      package list, remade when a week old), unpacked in a work directory
#   2. the source tree (git's tracked and new files) copied in
#   3. in a private mount namespace (unshare -m: nothing is left in the
#      host's mount table, even if this is killed) with /dev (so
#      /dev/fuse), /proc and /sys bound in, and a PID namespace (what the
#      tests leave running ends with it): autogen, configure, make with
#      -Werror on top of configure's warnings, make check of the tests
#      that TRIXIE_TESTS names (ALIASFS_TRIXIE_TESTS=all: every test)
# Prints each test's result line, the time of each stage, and leaves the
# automake test-suite.log in OUT; the last line is automake's totals as
# "N passed, N failed, N skipped" (what tests/run-all's bg_collect adds to
# its summary). Exits 0 if all passed, 1 if anything failed; when the
# mirror is unreachable and no chroot is cached: "0 passed, 0 failed,
# 1 skipped" and 0. Run as root: tests/trixie/run.sh [OUT]
# tests/trixie/run.sh --prepare only makes the cached chroot tarball.
# Environment: ALIASFS_E2E_MIRROR (mirror URL), ALIASFS_CACHE (cache
# directory), ALIASFS_TRIXIE_KEEP=1 (keep the work directory),
# ALIASFS_TRIXIE_JOBS (make -j, default nproc).
set -u
src=$(cd "$(dirname "$0")/../.." && pwd)
MIRROR=${ALIASFS_E2E_MIRROR:-http://deb.debian.org/debian}
CACHE=${ALIASFS_CACHE:-/var/tmp/aliasfs-cache}
JOBS=${ALIASFS_TRIXIE_JOBS:-$(nproc 2>/dev/null || echo 2)}

now()
{
	date +%s
}

# The tests this leg runs (an extended regular expression over the paths
# `make list-tests` prints).
TRIXIE_TESTS='^tests/unit/|/(dpkg-[a-z0-9-]*|view-(posix|posix-open|dpkg|modes|setid|setid-open|options|rootless|root-mount|xattr|rename|create-remove|aliases|union|replace-alias)|mount-helper|mount-helper-system|run|run-dpkg|orderings-seed003|orderings-seed003-user|archive-extract|declarations-sync|convert-cases)\.sh$'
# Packages of scripts/install-deps the chroot leaves out: only the
# benchmarks, the HTML screenshot test, the package and bootstrap tests
# and check-format use them, and this leg runs none of those.
TRIXIE_LEAVE_OUT='chromium|bindfs|fuse-overlayfs|mergerfs|hyperfine|apt-file|stress-ng|lintian|debhelper|mmdebstrap|debootstrap|clang-format'

# ---- In the chroot (as: run.sh --build). ----
if [ "${1:-}" = --build ]; then
	export LC_ALL=C.UTF-8 HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin
	cd /src/aliasfs || exit 2
	echo "gcc $(gcc -dumpfullversion), libfuse $(pkg-config --modversion \
fuse3), dpkg $(dpkg-query -W -f '${Version}' dpkg)"
	t0=$(now)
	./autogen.sh >/tmp/autogen.log 2>&1 ||
		{ tail -n 30 /tmp/autogen.log; exit 1; }
	mkdir -p build && cd build || exit 2
	../configure -q >/tmp/configure.log 2>&1 ||
		{ tail -n 30 /tmp/configure.log; exit 1; }
	# configure's WARN_CFLAGS (-Wall -Wextra ...) come in AM_CFLAGS;
	# -Werror here, not in configure, so its probes are not affected.
	make -s -j"$JOBS" CFLAGS="-g -O2 -Werror" >/tmp/make.log 2>&1
	rc=$?
	# All but the silent rules' one line per file: the warnings.
	grep -vE '^  (CC|CCLD|AR|GEN) ' /tmp/make.log
	[ "$rc" -eq 0 ] || { echo "FAIL: make (warnings are errors)"; exit 1; }
	echo "build: $(($(now) - t0)) s"
	t0=$(now)
	# The tests whose outcome depends on what trixie changed (dpkg,
	# libfuse and the kernel interface, gcc): the units, dpkg through
	# the view, the POSIX and mode tests, the mount helper, run and one
	# orderings scenario as root and as a user. ALIASFS_TRIXIE_TESTS=all
	# runs the whole suite (about 25 minutes more on two cores).
	if [ "${ALIASFS_TRIXIE_TESTS:-}" = all ]; then
		tests=$(make -s list-tests)
	else
		tests=$(make -s list-tests | grep -E "$TRIXIE_TESTS")
	fi
	make -s -j"$JOBS" CFLAGS="-g -O2 -Werror" TESTS="$(echo $tests)" \
		check >/tmp/check.log 2>&1
	rc=$?
	grep -E '^(PASS|FAIL|SKIP|XFAIL|XPASS|ERROR):' /tmp/check.log
	# The logs of what failed, for the reader of this leg's output.
	for log in tests/*/*.log; do
		case $log in */test-suite.log) continue ;; esac
		if grep -qE '^:test-result: (FAIL|ERROR|XPASS)' \
			"${log%.log}.trs" 2>/dev/null; then
			echo "--- $log"
			tail -n 60 "$log"
		fi
	done
	[ -f test-suite.log ] || tail -n 40 /tmp/check.log
	echo "make check: $(($(now) - t0)) s"
	exit "$rc"
fi

# ---- In private mount and PID namespaces (as: run.sh --ns ROOT). ----
if [ "${1:-}" = --ns ]; then
	R=$2
	mount --make-rprivate / || exit 2
	# The chroot's / a mount point, as a machine's is: tests that make
	# their own mount namespace change its propagation.
	mount --bind "$R" "$R" &&
		mount -t proc proc "$R/proc" &&
		mount -t sysfs sysfs "$R/sys" &&
		mount --rbind /dev "$R/dev" || exit 2
	[ -c "$R/dev/fuse" ] || { echo "FAIL: no /dev/fuse in the chroot"; exit 2; }
	# pivot_root, not chroot: a mount namespace the tests make and
	# enter (setns, nsenter, mount.aliasfs -N) has the tree as its /.
	mkdir -p "$R/.old-root" && cd "$R" && pivot_root . .old-root &&
		umount -l /.old-root && rmdir /.old-root || exit 2
	exec /bin/sh /src/aliasfs/tests/trixie/run.sh --build
fi

# ---- The driver. ----
[ "$(id -u)" = 0 ] || { echo "tests/trixie/run.sh: run as root" >&2; exit 2; }
prepare=0
[ "${1:-}" = --prepare ] && prepare=1 && shift
OUT=${1:-$src/build-tests/trixie}
T0=$(now)

# 1. The chroot: its tarball named by a hash of the package list.
pkgs=$("$src/scripts/install-deps" --list | grep -vxE "$TRIXIE_LEAVE_OUT" |
	tr '\n' ',' | sed 's/,$//')
key=$(printf '%s\n' "$pkgs" | sha256sum | cut -c1-12)
TAR=$CACHE/trixie-build-$key.tar
mkdir -p "$CACHE" || exit 2
if [ -f "$TAR" ] && [ -n "$(find "$TAR" -mtime +7)" ]; then
	echo "$TAR is over a week old: making it anew"
	rm -f "$TAR"
fi
if [ ! -f "$TAR" ]; then
	if ! python3 - "$MIRROR/dists/trixie/Release" <<'PY'
import sys, urllib.request
try:
    urllib.request.urlopen(sys.argv[1], timeout=10).read(64)
except Exception as e:
    print("mirror probe: %s: %s" % (sys.argv[1], e), file=sys.stderr)
    sys.exit(1)
PY
	then
		echo "SKIP: mirror $MIRROR unreachable and no $TAR"
		echo "0 passed, 0 failed, 1 skipped"
		exit 0
	fi
	t0=$(now)
	log=$CACHE/trixie-build-$key.log
	# A partial tarball never takes the cache's name.
	# force-unsafe-io: a throw-away tree needs no fsync per file.
	if mmdebstrap --mode=root --variant=apt --include="$pkgs" \
		--dpkgopt=force-unsafe-io \
		trixie "$TAR.partial.tar" "$MIRROR" >"$log" 2>&1; then
		mv "$TAR.partial.tar" "$TAR"
		rm -f "$log"
	else
		rm -f "$TAR.partial.tar"
		tail -n 30 "$log"
		echo "FAIL: mmdebstrap trixie (log: $log)"
		exit 1
	fi
	echo "chroot tarball: $(($(now) - t0)) s"
fi
[ "$prepare" = 0 ] || exit 0
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd) || exit 2
rm -f "$OUT/test-suite.log"

W=$(mktemp -d /var/tmp/aliasfs-trixie.XXXXXX) || exit 2
R=$W/root
child=
cleanup()
{
	# The chroot's processes (daemons the tests left too) live in a
	# PID namespace that dies with its first process, which unshare
	# kills when it is killed.
	[ -z "$child" ] || { kill "$child" 2>/dev/null; wait "$child"; }
	if [ "${ALIASFS_TRIXIE_KEEP:-0}" = 1 ]; then
		echo "kept $W"
	else
		rm -rf --one-file-system "$W"
	fi
}
trap cleanup EXIT
trap 'exit 2' HUP INT TERM
t0=$(now)
mkdir -p "$R" && tar -C "$R" -xf "$TAR" || { echo "FAIL: unpack $TAR"; exit 1; }
echo "chroot unpacked: $(($(now) - t0)) s"
# What a booted machine has and a bootstrapped tree lacks: fusermount3
# (view-root-mount's user mounts) reads /etc/mtab.
[ -e "$R/etc/mtab" ] || ln -s ../proc/self/mounts "$R/etc/mtab"

# 2. The source tree: tracked and new files, as tests/package/run.sh.
mkdir -p "$R/src/aliasfs"
(cd "$src" && git ls-files -z -c -o --exclude-standard |
	xargs -0 tar -cf - --no-recursion --ignore-failed-read) |
	tar -C "$R/src/aliasfs" -xf - || { echo "FAIL: copy the source"; exit 1; }

# 3. Build and make check in the chroot, in private mount and PID
# namespaces. In the background, so that a signal to this script stops it
# at once (cleanup then kills what runs in the chroot).
unshare -m -p -f --kill-child --propagation private /bin/sh "$0" --ns "$R" &
child=$!
wait "$child"
rc=$?
child=
B=$R/src/aliasfs/build
if [ -f "$B/test-suite.log" ]; then
	cp "$B/test-suite.log" "$OUT/test-suite.log"
	n()
	{
		v=$(sed -n "s/^# $1: *//p" "$OUT/test-suite.log" | head -n 1)
		echo "${v:-0}"
	}
	failed=$(($(n FAIL) + $(n ERROR) + $(n XPASS)))
	echo "total: $(($(now) - T0)) s"
	echo "$(n PASS) passed, $failed failed, $(n SKIP) skipped"
else
	echo "total: $(($(now) - T0)) s"
	echo "no test-suite.log (exit $rc)"
	[ "$rc" -ne 0 ] || rc=1
fi
[ "$rc" -eq 0 ] || exit 1
