#!/bin/sh
# aliasctl run: the command runs in a view of the backing and its exit
# status comes back; the view is private to it and gone when it ends;
# --tmp, --keep, the TREE -- COMMAND form, and bad input.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/run-helpers.sh"
need_fuse

# A split tree: bin/ a directory of its own.
B=$T/split
mkdir -p "$B/bin" "$B/usr/bin"
echo split-x >"$B/bin/x"

# The command sees the merged view as its working directory.
out=$(run_as me --backing "$B" -- sh -c \
	'readlink bin; cat usr/bin/x; echo new >sbin/new; pwd -P' 2>"$T/err")
check_eq "the command ran" 0 $?
check_eq "bin is an alias in the view" "usr/bin" "$(echo "$out" | sed -n 1p)"
check_eq "bin/x shows under usr/bin" "split-x" "$(echo "$out" | sed -n 2p)"
view=$(echo "$out" | sed -n 3p)
check_eq "a file written through sbin/ lands canonical" \
	"new:no" "$(cat "$B/usr/sbin/new" 2>&1):$(test -e "$B/sbin/new" &&
		echo yes || echo no)"
check "the view was under the run base" \
	expr "$view" : "$RUN_TMP/aliasctl-run-$(id -u)/" >/dev/null
check_fails "the view is not mounted after the run" is_mounted "$view"
run_nothing_left "a finished run"

# Exit statuses pass through; a signal that killed the command is 128+N.
for st in 0 1 7 42 255; do
	run_as me --backing "$B" -- sh -c "exit $st" 2>>"$T/err"
	check_eq "exit $st passes through" "$st" $?
done
run_as me --backing "$B" -- sh -c 'kill -9 $$' 2>>"$T/err"
check_eq "a command killed by SIGKILL gives 137" 137 $?
run_as me --backing "$B" -- sh -c 'kill -USR1 $$' 2>>"$T/err"
check_eq "a command killed by SIGUSR1 gives 138" 138 $?
run_as me --backing "$B" -- sh -c 'echo to-stdout; echo to-stderr >&2' \
	>"$T/o" 2>"$T/e"
check_eq "the command's stdout is ours" "to-stdout" "$(cat "$T/o")"
check "the command's stderr is ours" grep -qx to-stderr "$T/e"
run_nothing_left "runs with each exit status"

# The mount is private: while the command runs, the host's mount table
# does not have it (root: a mount namespace; a user: a user namespace).
if [ "$(id -u)" = 0 ] || run_userns_works; then
	if run_start me --backing "$B"; then
		check "the view is mounted for the command" \
			nsenter -t "$CMD" -m awk -v m="$VIEW" \
			'$5 == m { f = 1 } END { exit !f }' /proc/self/mountinfo
		check_fails "the host does not see the view" is_mounted "$VIEW"
		run_release
	else
		fail "the command never came up"
	fi
	run_wait
	check_eq "released, the command's exit 0" 0 "$RC"
	run_nothing_left "a private run"
fi

# TREE -- COMMAND is --backing TREE.
check_eq "TREE -- COMMAND" "split-x" \
	"$(run_as me "$B" -- cat usr/bin/x 2>>"$T/err")"

# --tmp: a new empty backing with the default aliases, removed after.
out=$(run_as me --tmp -- sh -c 'ls; touch usr/bin/t; pwd -P' 2>>"$T/err")
check_eq "--tmp runs" 0 $?
check_eq "--tmp is empty but for the aliases" \
	"bin lib lib32 lib64 libx32 sbin usr /" \
	"$(echo "$out" | sed '$d' | tr '\n' ' ')/"
run_nothing_left "a --tmp run"

# --tmp --keep: the backing stays where it says, with what was written.
run_as me --tmp --keep -- sh -c 'echo kept >usr/bin/k' 2>"$T/keep.err"
check_eq "--tmp --keep runs" 0 $?
kept=$(sed -n 's/^aliasctl run: the backing is kept in //p' "$T/keep.err")
check_eq "--keep kept what was written" "kept" "$(cat "$kept/usr/bin/k")"
rm -rf "$kept"
run_nothing_left "a --keep run (once its backing is removed)"

# --arch picks the alias set of a backing without a database.
out=$(run_as me --tmp --arch i386 -- ls 2>>"$T/err")
check_eq "--arch i386: i386's set" "bin lib lib64 libx32 sbin usr " \
	"$(echo "$out" | tr '\n' ' ')"

# Bad input: a message and 125 (126, 127 for the command, as env(1)).
bad()
{
	_want=$1 _msg=$2
	shift 2
	run_as me "$@" >/dev/null 2>"$T/bad.err"
	_rc=$?
	if [ "$_rc" = "$_want" ] && grep -q -- "$_msg" "$T/bad.err"; then
		ok "aliasctl run $*: $_rc, '$_msg'"
	else
		fail "aliasctl run $*: exit $_rc, said: $(cat "$T/bad.err")"
	fi
}
bad 125 "missing COMMAND" --backing "$B"
bad 125 "missing --backing DIR or --tmp" -- true
bad 125 "not both" --backing "$B" --tmp -- true
bad 125 "needs --tmp" --backing "$B" --keep -- true
bad 125 "$T/nonexistent" --backing "$T/nonexistent" -- true
bad 125 "not a directory" --backing "$B/bin/x" -- true
bad 125 "unknown architecture 'nosuch'" --tmp --arch nosuch -- true
bad 125 "unknown --mode" --tmp --mode other -- true
bad 125 "no_such_option" --tmp -o no_such_option -- true
bad 127 "cannot run no-such-command" --tmp -- no-such-command
bad 126 "cannot run $B/bin/x" --tmp -- "$B/bin/x"
run_nothing_left "runs refused"

finish
