#!/bin/sh
# bench/orderings.sh — aliasctl orderings, timed against plain shell loops
# over `dpkg -i` in fresh directories (the way the same matrix is run by
# hand). Not part of `make check`. As root, or as a user who can run
# aliasctl orderings.
#
# usage: bench/orderings.sh [--build DIR] [--jobs N] [--workdir DIR]
#                           [--runs N] [SCENARIO...]
#
# For each scenario (default: examples/five.scenario, 120 orderings, and
# examples/seed-003.scenario) it times, --runs times each (median):
#   orderings        aliasctl orderings, view and merged baseline
#   orderings-view   aliasctl orderings --baseline none (the view alone)
#   loop-merged      a shell loop: per ordering a fresh merged directory,
#                    dpkg -i of each package in turn (xargs -P JOBS)
#   loop-view        the same loop through a fresh aliasfs view each
# interleaved, and prints the medians: wall seconds, CPU seconds (user +
# system of everything the run started, daemons included: on a shared
# machine a steadier measure than the wall clock), orderings per second,
# and the view's cost per ordering against the baseline's (in the tool:
# orderings-view against orderings minus orderings-view; in the loops:
# loop-view against loop-merged).
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
build=$src/build
jobs=$(nproc 2>/dev/null || echo 2)
work=
runs=1
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--jobs) jobs=$2; shift 2 ;;
	--workdir) work=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	-h | --help) sed -n '2,20p' "$0"; exit 0 ;;
	-*) echo "bench/orderings.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || set -- "$src/examples/five.scenario" \
	"$src/examples/seed-003.scenario"
PYTHON=$(command -v /usr/bin/python3 || command -v python3)
PATH=$build/aliasctl:$build/fs:$PATH
export PATH
command -v aliasctl >/dev/null || { echo "no aliasctl in $build" >&2; exit 2; }
if [ -z "$work" ]; then
	work=$(mktemp -d /var/tmp/bench-orderings.XXXXXX)
	trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"

now() { date +%s.%N; }

# median of the numbers on stdin
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# timed NAME COMMAND...: run it once; append "WALL CPU" (seconds; CPU is
# user + system of the command and every child it waited for, daemons
# included) to $work/NAME.times.
timed()
{
	_name=$1
	shift
	/usr/bin/time -f "%e %U %S" -o "$work/$_name.t" "$@" \
		>"$work/$_name.out" 2>&1 || [ $? -le 1 ] || {
		echo "$_name failed:" >&2
		tail -n 20 "$work/$_name.out" >&2
		exit 1
	}
	tail -n 1 "$work/$_name.t" | awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' \
		>>"$work/$_name.times"
}

# median NAME COLUMN: the median of a column of $work/NAME.times.
median()
{
	awk -v c="$2" '{ print $c }' "$work/$1.times" | sort -n |
		awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# The orderings of the scenario's permuted packages as lines of .deb
# paths, from the JSON of a run and the packages it kept.
orders()
{
	"${PYTHON:-python3}" - "$1" "$2" <<'EOF'
import glob, itertools, json, sys
d = json.load(open(sys.argv[1]))
debs = {}
for label in d["packages"]:
    files = []
    for part in label.split(","):
        files += glob.glob("%s/debs/%s/*.deb" % (sys.argv[2], part))
    debs[label] = " ".join(files)
for p in itertools.permutations(d["packages"]):
    print(" ".join(debs[x] for x in p))
EOF
}

# One ordering by hand: a fresh merged directory (or a fresh view over an
# empty backing), dpkg -i of each package, removed again.
cat >"$work/one.sh" <<'EOF'
#!/bin/sh
# one.sh merged|view DEB...
kind=$1
shift
d=$(mktemp -d "$WORK/one.XXXXXX")
mkdir -p "$d/root/var/lib/dpkg/info" "$d/root/var/lib/dpkg/updates" \
	"$d/root/var/lib/dpkg/triggers" "$d/root/var/log"
: >"$d/root/var/lib/dpkg/status"
if [ "$kind" = merged ]; then
	for x in bin sbin lib lib32 lib64 libx32; do
		mkdir -p "$d/root/usr/$x"
		ln -s "usr/$x" "$d/root/$x"
	done
	r=$d/root
else
	aliasctl --root "$d/root" init >/dev/null
	mkdir "$d/mnt"
	# In the foreground, so that its CPU time counts as the loop's.
	aliasfs -f "$d/root" "$d/mnt" 2>/dev/null &
	daemon=$!
	until mountpoint -q "$d/mnt"; do sleep 0.01; done
	r=$d/mnt
fi
for deb in "$@"; do
	dpkg --root="$r" --force-script-chrootless --log=/dev/null -i "$deb" \
		>/dev/null 2>&1 || :
done
if [ "$kind" != merged ]; then
	fusermount3 -u "$d/mnt"
	wait "$daemon"
fi
rm -rf "$d"
EOF
chmod +x "$work/one.sh"
WORK=$work
export WORK

printf '%-10s %-15s %9s %9s %12s %10s\n' scenario run wall cpu \
	orderings/s cpu/order
for sc in "$@"; do
	name=$(basename "$sc" .scenario)
	# The packages, built once: a one-ordering run that keeps them.
	aliasctl orderings --baseline none --sample 1 --seed 0 \
		--keep "$work/keep-$name" --json "$work/$name-pkgs.json" \
		"$sc" >/dev/null 2>&1 || [ $? -le 1 ]
	orders "$work/$name-pkgs.json" "$work/keep-$name" >"$work/$name.orders"
	n=$(wc -l <"$work/$name.orders")
	# Interleaved, so that a change of the machine's load spreads over
	# all four.
	i=0
	while [ $i -lt "$runs" ]; do
		timed "$name-orderings" aliasctl orderings --jobs "$jobs" \
			--json "$work/$name.json" "$sc"
		timed "$name-orderings-view" aliasctl orderings --jobs "$jobs" \
			--baseline none "$sc"
		timed "$name-loop-merged" sh -c \
			"xargs -P $jobs -L 1 '$work/one.sh' merged <'$work/$name.orders'"
		timed "$name-loop-view" sh -c \
			"xargs -P $jobs -L 1 '$work/one.sh' view <'$work/$name.orders'"
		i=$((i + 1))
	done
	for r in orderings orderings-view loop-merged loop-view; do
		w=$(median "$name-$r" 1)
		c=$(median "$name-$r" 2)
		echo "$name $r $w $c $n" | awk '{ printf "%-10s %-15s %9.2f %9.2f %12.2f %10.3f\n", $1, $2, $3, $4, $5 / $3, $4 / $5 }'
		eval "c_$(echo "$r" | tr -c 'a-z\n' _)=$c"
	done
	echo "$name $n $c_orderings $c_orderings_view $c_loop_merged $c_loop_view" |
		awk '{ base = $3 - $4
		printf "%-10s cpu per ordering: tool baseline %.3f s, tool view %.3f s (%.2fx); loops merged %.3f s, view %.3f s (%.2fx)\n",
			$1, base / $2, $4 / $2, $4 / base, $5 / $2, $6 / $2, $6 / $5 }'
done
