# Shared by the aliasctl run tests (source after lib.sh).
#
# Every run keeps its files under $RUN_TMP (its TMPDIR), so that a test can
# tell that nothing of its runs is left: no mount under $T, no process
# whose arguments name $T, no file in a run base.

RUN_TMP=$T/tmp
RUN_IO=$T/io
mkdir -p "$RUN_TMP" "$RUN_IO"
# The ordinary user's runs write here too.
chmod 0755 "$T"
chmod 1777 "$RUN_TMP" "$RUN_IO"

# The ordinary user of the tests: nobody when we are root (with
# /dev/fuse 0666, as on CI), else ourselves.
if [ "$(id -u)" = 0 ]; then
	RUN_USER="setpriv --reuid=65534 --regid=65534 --clear-groups"
	RUN_USER_UID=65534
	RUN_USER_GID=65534
else
	RUN_USER=""
	RUN_USER_UID=$(id -u)
	RUN_USER_GID=$(id -g)
fi

# poll SECONDS COMMAND...: until COMMAND succeeds, for at most SECONDS.
poll()
{
	_pn=$(($1 * 20))
	shift
	while ! "$@"; do
		_pn=$((_pn - 1))
		[ "$_pn" -gt 0 ] || return 1
		sleep 0.05
	done
}

# run_as WHO ARGS...: aliasctl run as WHO (me or user), TMPDIR=$RUN_TMP.
run_as()
{
	run_prefix "$1"
	shift
	$_pre aliasctl run "$@"
}

# run_prefix WHO: set _pre to what runs a program as WHO with
# TMPDIR=$RUN_TMP (a simple command, so that a background job's $! is
# the program's pid), with the signals the tests send at their defaults:
# the runner reads only those its caller did not ignore (as nohup
# expects), and a test may itself run in the background (SIGINT and
# SIGQUIT ignored) or under nohup (SIGHUP ignored).
run_prefix()
{
	_pre="env --default-signal=HUP,INT,QUIT,TERM TMPDIR=$RUN_TMP"
	[ "$1" != user ] || _pre="$RUN_USER $_pre"
}

# run_left: print what the runs of this test left (empty if nothing).
run_left()
{
	awk -v t="$T/" 'index($5, t) == 1 { printf "mount %s\n", $5 }' \
		/proc/self/mountinfo
	pgrep -af "$T/" | sed 's/^/process /'
	for _b in "$RUN_TMP"/aliasctl-run-*; do
		[ -d "$_b" ] || continue
		ls -A "$_b" | sed "s|^|file $_b/|"
	done
}

run_nothing_left_now()
{
	[ -z "$(run_left)" ]
}

# run_nothing_left DESC [SECONDS]: check that no run left anything, at
# once or (SECONDS) once it has had that long to go.
run_nothing_left()
{
	[ -z "${2-}" ] || poll "$2" run_nothing_left_now
	check_eq "$1: nothing left" "" "$(run_left)"
}

# run_start WHO ARGS...: start aliasctl run ARGS... -- (a command that
# writes "PID VIEW" to $RUN_IO/up, then blocks reading the fifo
# $RUN_IO/go) in the background; wait until the command is up. Sets
# RUNNER (aliasctl's pid), CMD (the command's) and VIEW. $RUN_TMP must
# not hold a space (word splitting of the prefix). The runner's
# stderr goes to $T/run.err. Returns 1 if the command never came up.
run_start()
{
	_who=$1
	shift
	rm -f "$RUN_IO/up" "$RUN_IO/go"
	mkfifo -m 0666 "$RUN_IO/go"
	: >"$T/run.err"
	run_prefix "$_who"
	$_pre aliasctl run "$@" -- sh -c \
		'echo "$$ $(pwd -P)" >"$1.tmp" && mv "$1.tmp" "$1" &&
		exec cat "$2"' sh "$RUN_IO/up" "$RUN_IO/go" 2>"$T/run.err" &
	RUNNER=$!
	CMD=""
	VIEW=""
	poll 30 test -s "$RUN_IO/up" || {
		cat "$T/run.err" >&2
		return 1
	}
	read -r CMD VIEW <"$RUN_IO/up"
}

# run_release: let the command of run_start end (exit 0).
run_release()
{
	echo >"$RUN_IO/go"
}

# run_wait: wait for the runner; its exit status in RC. (A runner that
# never ends fails the test at the suite's TEST_TIME_LIMIT.)
run_wait()
{
	wait "$RUNNER"
	RC=$?
}

# run_daemon: the pid of the runner's aliasfs daemon.
run_daemon()
{
	pgrep -P "$RUNNER" -x aliasfs
}

# run_userns_works: can the ordinary user mount a view in a user
# namespace here?
run_userns_works()
{
	run_as user --mode userns --tmp -- true 2>/dev/null
}
