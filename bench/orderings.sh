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
# and prints orderings per second, the baseline's share of the tool's run
# (orderings minus orderings-view), and the view's cost per ordering
# against the baseline's, in the tool and in the loops.
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

# time_runs NAME COMMAND...: run it $runs times, print the median seconds.
time_runs()
{
	_name=$1
	shift
	_i=0
	while [ $_i -lt "$runs" ]; do
		_t0=$(now)
		"$@" >"$work/$_name.out" 2>&1 || [ $? -le 1 ] || {
			echo "$_name failed:" >&2
			tail -n 20 "$work/$_name.out" >&2
			exit 1
		}
		echo "$(now) $_t0" | awk '{ printf "%.3f\n", $1 - $2 }'
		_i=$((_i + 1))
	done | median
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
	aliasfs "$d/root" "$d/mnt"
	r=$d/mnt
fi
for deb in "$@"; do
	dpkg --root="$r" --force-script-chrootless --log=/dev/null -i "$deb" \
		>/dev/null 2>&1 || :
done
[ "$kind" = merged ] || fusermount3 -u "$d/mnt"
rm -rf "$d"
EOF
chmod +x "$work/one.sh"
WORK=$work
export WORK

printf '%-12s %-16s %10s %12s\n' scenario run seconds orderings/s
for sc in "$@"; do
	name=$(basename "$sc" .scenario)
	# The packages, built once: a one-ordering run that keeps them.
	aliasctl orderings --baseline none --sample 1 --seed 0 \
		--keep "$work/keep-$name" --json "$work/$name-pkgs.json" \
		"$sc" >/dev/null 2>&1 || [ $? -le 1 ]
	orders "$work/$name-pkgs.json" "$work/keep-$name" >"$work/$name.orders"
	n=$(wc -l <"$work/$name.orders")
	t_all=$(time_runs "$name-all" aliasctl orderings --jobs "$jobs" \
		--json "$work/$name.json" "$sc")
	t_view=$(time_runs "$name-view" aliasctl orderings --jobs "$jobs" \
		--baseline none "$sc")
	t_loop=$(time_runs "$name-loop" sh -c \
		"xargs -P $jobs -L 1 '$work/one.sh' merged <'$work/$name.orders'")
	t_loopv=$(time_runs "$name-loopview" sh -c \
		"xargs -P $jobs -L 1 '$work/one.sh' view <'$work/$name.orders'")
	for r in "orderings $t_all" "orderings-view $t_view" \
		"loop-merged $t_loop" "loop-view $t_loopv"; do
		set -- $r
		printf '%-12s %-16s %10.2f %12.2f\n' "$name" "$1" "$2" \
			"$(echo "$n $2" | awk '{ print $1 / $2 }')"
	done
	echo "$name $n $t_all $t_view $t_loop $t_loopv" | awk '{
		base = $3 - $4
		printf "%-12s %d orderings on %s jobs: baseline share %.2f s; " \
			"view/baseline per ordering: tool %.2fx, loops %.2fx\n",
			$1, $2, "'"$jobs"'", base, $4 / base, $6 / $5 }'
done
