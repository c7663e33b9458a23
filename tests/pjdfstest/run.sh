#!/bin/sh
# pjdfstest side by side: the POSIX file-system test suite on a native
# tmpfs directory and inside aliasfs views, in one run; fails on any
# subtest that passes natively but fails in a view. See usage() and
# tests/pjdfstest/README.md.
set -u

usage()
{
	cat <<'EOF'
usage: tests/pjdfstest/run.sh [OPTIONS]

Builds pjdfstest into a temporary directory and runs it, as root, from
inside each of these directories, at the same time:
  native            a directory on a private tmpfs
  view-empty        VIEW/x, a view over an empty backing
  view-split-union  VIEW/usr/bin/x, a view over a split backing; x exists
                    in the backing as usr/bin/x and bin/x (a union)
  view-split-alias  VIEW/bin/x, the same through the alias bin -> usr/bin
Views are mounted with the daemon's defaults (plus -o allow_other when a
root mount does not have it by default: the tests switch to uid 65534).
Prints per run: files, subtests, failed subtests; then every subtest that
fails in a view but passes natively. The last line is
  pjdfstest: N passed, N failed, N skipped
counting subtests of every run (a subtest that fails natively too is
counted as skipped in every run).

  --build DIR     aliasfs build directory (default: SRCDIR/build)
  --src DIR       pjdfstest sources (default: $PJDFSTEST_SRC, else
                  shared/third-party/pjdfstest beside the source tree, else
                  /work/shared/third-party/pjdfstest)
  --sample N      view-empty and view-split-union run every Nth test file
                  (different offsets); native and view-split-alias run
                  every file (default 1: all four runs complete)
  --runs LIST     comma-separated subset of the runs above (native is
                  always included: it is the reference)
  --only PATTERN  test files matching the shell PATTERN (e.g. 'chmod/*')
  --keep DIR      copy the per-run results and daemon logs to DIR
  --timeout MIN   abort the views' FUSE connections after MIN minutes
                  (default 60), so that a wedged daemon cannot hang CI
  -h, --help      this text
Exit status: 0 no difference, 1 differences (or a daemon died), 2 error,
77 cannot run here (not root, no FUSE, no pjdfstest sources, no prove).
EOF
}

src=$(cd "$(dirname "$0")/../.." && pwd -P) || exit 2
here=$src/tests/pjdfstest
build=$src/build
pjd_src=${PJDFSTEST_SRC:-}
sample=1
runs=native,view-empty,view-split-union,view-split-alias
only=
keep=
timeout=60
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--build | --src | --sample | --runs | --only | --keep | --timeout)
		[ $# -ge 2 ] || { echo "pjdfstest: $1 needs an argument" >&2; exit 2; }
		case $1 in
		--build) build=$2 ;;
		--src) pjd_src=$2 ;;
		--sample) sample=$2 ;;
		--runs) runs=$2 ;;
		--only) only=$2 ;;
		--keep) keep=$2 ;;
		--timeout) timeout=$2 ;;
		esac
		shift
		;;
	*) echo "pjdfstest: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
for n in "$sample" "$timeout"; do
	case $n in
	'' | *[!0-9]* | 0)
		echo "pjdfstest: --sample and --timeout need a positive number" >&2
		exit 2 ;;
	esac
done
for r in $(echo "$runs" | tr , ' '); do
	case $r in
	native | view-empty | view-split-union | view-split-alias) ;;
	*) echo "pjdfstest: unknown run $r (see --help)" >&2; exit 2 ;;
	esac
done
case ,$runs, in *,native,*) ;; *) runs=native,$runs ;; esac

cannot()
{
	echo "pjdfstest: SKIP: $*" >&2
	echo "pjdfstest: 0 passed, 0 failed, 1 skipped"
	exit 77
}

[ "$(id -u)" = 0 ] || cannot "needs root (mounts, and the tests switch uids)"
[ -c /dev/fuse ] || cannot "no /dev/fuse"
command -v fusermount3 >/dev/null 2>&1 || cannot "fusermount3 missing"
perl -MTAP::Parser -e 1 2>/dev/null || cannot "perl's TAP::Parser missing"
for t in autoreconf make cc timeout setsid; do
	command -v $t >/dev/null 2>&1 || cannot "$t missing"
done
if [ -z "$pjd_src" ]; then
	# Beside the checkout, or the workplace's shared folder (a CI
	# checkout may live anywhere).
	for d in "$src/../shared/third-party/pjdfstest" \
		"$src/../../shared/third-party/pjdfstest" \
		/work/shared/third-party/pjdfstest; do
		[ -f "$d/pjdfstest.c" ] && { pjd_src=$d; break; }
	done
fi
[ -n "$pjd_src" ] && [ -f "$pjd_src/pjdfstest.c" ] ||
	cannot "pjdfstest sources not found (--src DIR or PJDFSTEST_SRC)"
[ -x "$build/fs/aliasfs" ] || {
	echo "pjdfstest: $build/fs/aliasfs not built (--build DIR)" >&2
	exit 2
}

T=$(mktemp -d "${TMPDIR:-/tmp}/pjdfstest.XXXXXX") || exit 2
# The tests reach their directory as uid 65534 too.
chmod 755 "$T"
mounts=
watchdog=
t0=$(date +%s)

say()
{
	echo "pjdfstest: $(($(date +%s) - t0))s $*" >&2
}

# mount_dev DIR: the st_dev "major:minor" of the mount at DIR, from
# mountinfo (never a stat: a hung daemon would hang us too).
mount_dev()
{
	awk -v m="$1" '$5 == m { d = $3 } END { print d }' /proc/self/mountinfo
}

# fuse_abort DIR: cut the FUSE connection of DIR so stuck processes return.
fuse_abort()
{
	_d=$(mount_dev "$1")
	[ -n "$_d" ] && [ -w "/sys/fs/fuse/connections/${_d#*:}/abort" ] &&
		echo 1 >"/sys/fs/fuse/connections/${_d#*:}/abort"
}

is_mounted()
{
	[ -n "$(mount_dev "$1")" ]
}

# wait_for COMMAND...: poll COMMAND for up to 10 s.
wait_for()
{
	_n=200
	while [ $_n -gt 0 ]; do
		"$@" && return 0
		_n=$((_n - 1))
		sleep 0.05
	done
	return 1
}

not_mounted()
{
	! is_mounted "$1"
}

cleanup()
{
	# The runs first (each is a process group), so the views are idle.
	for f in "$T"/*.runner; do
		[ -f "$f" ] || continue
		kill -TERM "-$(cat "$f")" 2>/dev/null
		wait "$(cat "$f")" 2>/dev/null
	done
	touch "$T/done"
	[ -n "$watchdog" ] && wait "$watchdog"
	for m in $mounts; do
		is_mounted "$m" || continue
		case $m in
		*/fs) umount "$m" 2>/dev/null || umount -l "$m" ;;
		*) fusermount3 -u "$m" 2>/dev/null || {
			fuse_abort "$m"
			fusermount3 -u -z "$m" 2>/dev/null || umount -l "$m"
		} ;;
		esac
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 2' HUP INT TERM

# Everything under test lives on one private tmpfs: the native directory
# and the views' backings.
mkdir "$T/fs" && mount -t tmpfs -o mode=755 pjdfstest "$T/fs" || exit 2
mounts="$T/fs"

# A copy: the build directory may be rebuilt while the suite runs.
mkdir "$T/bin" && cp "$build/fs/aliasfs" "$T/bin/aliasfs" || exit 2

say "building pjdfstest from $pjd_src"
cp -r "$pjd_src" "$T/pjd" &&
	(cd "$T/pjd" && autoreconf -ifs && ./configure && make pjdfstest) \
		>"$T/pjd-build.log" 2>&1 || {
	tail -n 30 "$T/pjd-build.log" >&2
	echo "pjdfstest: building pjdfstest failed" >&2
	exit 2
}

(cd "$T/pjd/tests" && find . -name '*.t' | sed 's|^\./||' | LC_ALL=C sort) \
	>"$T/all.list"
if [ -n "$only" ]; then
	while read -r f; do
		# shellcheck disable=SC2254 # PATTERN is a pattern
		case $f in $only) echo "$f" ;; esac
	done <"$T/all.list" >"$T/only.list"
	mv "$T/only.list" "$T/all.list"
fi
[ -s "$T/all.list" ] || { echo "pjdfstest: no test file selected" >&2; exit 2; }

# split_backing DIR: a split tree: real bin/, sbin/, lib/, lib64/ beside
# usr/bin, usr/sbin, usr/lib, some files on each side, and x/ on both
# sides of bin, so that usr/bin/x is a union directory.
split_backing()
{
	mkdir -p "$1/bin/x" "$1/sbin" "$1/lib/x86_64-linux-gnu" "$1/lib64" \
		"$1/usr/bin/x" "$1/usr/sbin" "$1/usr/lib/x86_64-linux-gnu" &&
		echo a >"$1/bin/from-bin" && echo b >"$1/usr/bin/from-usr" &&
		echo c >"$1/bin/x/from-bin" && echo d >"$1/usr/bin/x/from-usr" &&
		echo e >"$1/lib/x86_64-linux-gnu/libsplit.so.1" &&
		echo f >"$1/usr/lib/x86_64-linux-gnu/libmerged.so.1" &&
		echo g >"$1/sbin/init" && echo h >"$1/lib64/ld-split.so"
}

opts_note=
# mount_view NAME BACKING MOUNTPOINT: the daemon in the foreground, as our
# child (a crash shows as its exit status), with the defaults; adds
# -o allow_other when the defaults lack it.
mount_view()
{
	mkdir -p "$3" || return 1
	mounts="$3 $mounts"
	"$T/bin/aliasfs" -f "$2" "$3" </dev/null >/dev/null \
		2>>"$T/$1.daemon.log" &
	echo $! >"$T/$1.pid"
	wait_for is_mounted "$3" || {
		echo "pjdfstest: $1: the view did not mount" >&2
		cat "$T/$1.daemon.log" >&2
		return 1
	}
	awk -v m="$3" '$5 == m' /proc/self/mountinfo | grep -q allow_other &&
		return 0
	fusermount3 -u "$3" && wait_for not_mounted "$3" || return 1
	wait "$(cat "$T/$1.pid")"
	opts_note="-o allow_other (not a default of this daemon for root)"
	"$T/bin/aliasfs" -f -o allow_other "$2" "$3" </dev/null >/dev/null \
		2>>"$T/$1.daemon.log" &
	echo $! >"$T/$1.pid"
	wait_for is_mounted "$3" || {
		echo "pjdfstest: $1: the view did not mount" >&2
		cat "$T/$1.daemon.log" >&2
		return 1
	}
}

# setup RUN: prepare RUN's directory, in $dir. Not in a subshell: the
# daemons must be this shell's children.
setup()
{
	case $1 in
	native)
		dir=$T/fs/native/x
		mkdir -p "$dir"
		;;
	view-empty)
		dir=$T/mnt-empty/x
		mkdir -p "$T/fs/empty" &&
			mount_view "$1" "$T/fs/empty" "$T/mnt-empty" &&
			mkdir "$dir"
		;;
	view-split-union)
		dir=$T/mnt-union/usr/bin/x
		split_backing "$T/fs/split-union" &&
			mount_view "$1" "$T/fs/split-union" "$T/mnt-union"
		;;
	view-split-alias)
		dir=$T/mnt-alias/bin/x
		split_backing "$T/fs/split-alias" &&
			mount_view "$1" "$T/fs/split-alias" "$T/mnt-alias"
		;;
	esac
}

# files RUN: the test files RUN runs: all, or every Nth for the sampled
# runs, each from its own offset so that together they cover more.
files()
{
	case $1 in
	view-empty) off=0 ;;
	view-split-union) off=$((sample / 2)) ;;
	*) cat "$T/all.list"; return ;;
	esac
	awk -v n="$sample" -v o="$off" '(NR - 1) % n == o' "$T/all.list"
}

all_runs=$(echo "$runs" | tr , ' ')
for r in $all_runs; do
	setup "$r" || exit 2
	[ -d "$dir" ] || { echo "pjdfstest: $r: no directory $dir" >&2; exit 2; }
	files "$r" >"$T/$r.list"
	say "$r: $(wc -l <"$T/$r.list") files in $dir"
	# Each run in a process group of its own, to be killed as a whole.
	(cd "$dir" && exec setsid perl "$here/tap-collect.pl" \
		"$T/pjd/tests" "$T/$r.res" "$T/$r.list") >"$T/$r.log" 2>&1 &
	echo $! >"$T/$r.runner"
done
[ -n "$opts_note" ] && say "views mounted with $opts_note"

# A run that hangs (a wedged daemon) would hang CI: after --timeout
# minutes the views' connections are cut, so every stuck process returns.
(
	end=$(($(date +%s) + timeout * 60))
	while [ ! -e "$T/done" ]; do
		if [ "$(date +%s)" -ge "$end" ]; then
			echo "pjdfstest: $timeout minutes passed, aborting the views" >&2
			for m in $mounts; do fuse_abort "$m"; done
			break
		fi
		sleep 5
	done
) &
watchdog=$!

for r in $all_runs; do
	wait "$(cat "$T/$r.runner")"
	echo $? >"$T/$r.rc"
	rm "$T/$r.runner"
	say "$r: done in $(cat "$T/$r.res.secs" 2>/dev/null || echo ?) s"
done
touch "$T/done"
wait "$watchdog"
watchdog=

# Unmount the views; a daemon that died during the run is a failure.
daemon_failed=0
for r in $all_runs; do
	[ -f "$T/$r.pid" ] || continue
	pid=$(cat "$T/$r.pid")
	case $r in
	view-empty) m=$T/mnt-empty ;;
	view-split-union) m=$T/mnt-union ;;
	view-split-alias) m=$T/mnt-alias ;;
	esac
	died=no
	kill -0 "$pid" 2>/dev/null || died=yes
	fusermount3 -u "$m" 2>/dev/null || fuse_abort "$m"
	wait_for not_mounted "$m" || umount -l "$m"
	wait "$pid"
	st=$?
	if [ $died = yes ]; then
		echo "pjdfstest: $r: the daemon died during the run (status $st)" >&2
		daemon_failed=$((daemon_failed + 1))
	elif [ "$st" -ne 0 ]; then
		echo "pjdfstest: $r: the daemon exited with status $st" >&2
		daemon_failed=$((daemon_failed + 1))
	fi
	say "$r: unmounted"
	if [ -s "$T/$r.daemon.log" ]; then
		echo "pjdfstest: $r: daemon messages:" >&2
		sed 's/^/    /' "$T/$r.daemon.log" | head -n 20 >&2
	fi
done

if [ -n "$keep" ]; then
	mkdir -p "$keep" && cp "$T"/*.res "$T"/*.log "$T"/*.list "$keep/"
fi

# The report: per run, then the differences with native.
printf '%-18s %6s %6s %6s %6s %6s %6s\n' run secs files tests failed \
	skipped todo-diff
for r in $all_runs; do
	touch "$T/$r.res"
	[ "$(cat "$T/$r.rc" 2>/dev/null)" = 0 ] || {
		echo "pjdfstest: $r: the runner failed:" >&2
		tail -n 20 "$T/$r.log" >&2
		daemon_failed=$((daemon_failed + 1))
	}
	awk -F '\t' -v r="$r" -v secs="$(cat "$T/$r.res.secs" 2>/dev/null)" '
		part != 2 { if ($3 != "fail") nat[$1 "\t" $2] = $3; next }
		{ files[$1] = 1 }
		$2 != "-" { tests++ }
		$3 == "fail" { failed++ }
		$3 == "skip" { skipped++ }
		$3 ~ /^todo/ && ($1 "\t" $2) in nat && nat[$1 "\t" $2] != $3 { todo++ }
		END {
			for (f in files) nf++
			printf "%-18s %6s %6d %6d %6d %6d %6d\n", r, secs, nf,
				tests, failed, skipped, todo
		}' "$T/native.res" part=2 "$T/$r.res"
done

passed=0
failed=$daemon_failed
skipped=0
for r in $all_runs; do
	# NATIVE.res then RUN.res: classify each subtest of RUN.
	awk -F '\t' -v r="$r" '
		part != 2 { nat[$1 "\t" $2] = $3; next }
		{
			k = $1 "\t" $2
			# pjdfstest names are long: keep the start and the end
			d = $4
			if (length(d) > 240)
				d = substr(d, 1, 120) " ... " substr(d, length(d) - 100)
			if ($3 == "skip") { skip++; next }
			if ($3 != "fail") { pass++; next }
			if (r != "native" && (!(k in nat) || nat[k] != "fail")) {
				fail++
				printf "%s\t%s\t%s\t%s\n", r, $1, $2, d >"/dev/stderr"
			} else {
				skip++
				printf "%s\t%s\t%s\t%s\n", r, $1, $2, d >>"'"$T"'/both.txt"
			}
		}
		END { printf "%d %d %d\n", pass, fail, skip }
	' "$T/native.res" part=2 "$T/$r.res" 2>>"$T/regressions.txt" >"$T/$r.count"
	read -r p f s <"$T/$r.count"
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
done
if [ -s "$T/both.txt" ]; then
	echo "failing natively too (the environment, not the view):"
	sed 's/^/  /' "$T/both.txt"
fi
for r in $all_runs; do
	[ "$r" = native ] && continue
	awk -F '\t' -v r="$r" '
		part != 2 { nat[$1 "\t" $2] = $3; next }
		$3 ~ /^todo/ && ($1 "\t" $2) in nat && nat[$1 "\t" $2] != $3 {
			printf "  %s: %s %s: %s natively, %s in the view\n",
				r, $1, $2, nat[$1 "\t" $2], $3
		}' "$T/native.res" part=2 "$T/$r.res"
done >"$T/todo.txt"
if [ -s "$T/todo.txt" ]; then
	echo "TODO subtests (pass either way) that differ from native:"
	cat "$T/todo.txt"
fi
# A view that ran the same files as native must have run the same
# subtests: one native ran that a view did not (a file cut short without
# a plan error) is a difference too.
for r in $all_runs; do
	[ "$r" = native ] && continue
	cmp -s "$T/native.list" "$T/$r.list" || continue
	awk -F '\t' -v r="$r" '
		part != 2 { if ($2 != "-") nat[$1 "\t" $2] = 1; next }
		{ seen[$1 "\t" $2] = 1 }
		END { for (k in nat) if (!(k in seen)) printf "%s\t%s\tnot run in the view\n", r, k }
	' "$T/native.res" part=2 "$T/$r.res"
done | LC_ALL=C sort >"$T/missing.txt"
if [ -s "$T/missing.txt" ]; then
	cat "$T/missing.txt" >>"$T/regressions.txt"
	failed=$((failed + $(wc -l <"$T/missing.txt")))
fi
if [ -s "$T/regressions.txt" ]; then
	n=$(wc -l <"$T/regressions.txt")
	echo "FAILED or not run in a view, passed natively ($n):"
	sed 's/^/  /' "$T/regressions.txt" | head -n 200
	[ "$n" -le 200 ] || echo "  ... and $((n - 200)) more"
fi
say "finished"
echo "pjdfstest: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
