#!/bin/sh
# aliasctl run, every way out, in every mode: the command killed, the
# runner sent SIGTERM, SIGHUP or SIGINT, the daemon killed, the runner
# killed (SIGKILL, so the guard cleans). Each time the status is asserted
# and no mount, process or file of the run may remain.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/run-helpers.sh"
need_fuse

B=$T/backing
mkdir -p "$B/bin"
echo x >"$B/bin/x"
chmod -R a+rwX "$B"

# ways MODE WHO: each way out for one mode.
ways()
{
	_m=$1 _w=$2

	# The command is killed: the runner reports 128+9 and cleans.
	if run_start "$_w" --mode "$_m" --backing "$B"; then
		kill -KILL "$CMD"
	fi
	run_wait
	check_eq "$_m: command SIGKILLed: 137" 137 "$RC"
	run_nothing_left "$_m: command SIGKILLed"

	# The runner gets SIGTERM or SIGHUP: the command gets it too, the
	# runner cleans and dies of it.
	for _s in TERM HUP; do
		if run_start "$_w" --mode "$_m" --backing "$B"; then
			kill -"$_s" "$RUNNER"
		fi
		run_wait
		check_eq "$_m: runner SIG$_s: 128+$_s" \
			$((128 + $(kill -l "$_s"))) "$RC"
		run_nothing_left "$_m: runner SIG$_s"
	done

	# SIGINT (run_prefix sets it back to its default: a background
	# job ignores it).
	if run_start "$_w" --mode "$_m" --backing "$B"; then
		kill -INT "$RUNNER"
	fi
	run_wait
	check_eq "$_m: runner SIGINT: 130" 130 "$RC"
	run_nothing_left "$_m: runner SIGINT"

	# The daemon dies: the view is gone, so the command is ended and
	# the runner fails (125), saying why.
	if run_start "$_w" --mode "$_m" --backing "$B"; then
		d=$(run_daemon)
		check "$_m: the daemon is the runner's child" test -n "$d"
		[ -z "$d" ] || kill -KILL $d
	fi
	run_wait
	check_eq "$_m: daemon SIGKILLed: 125" 125 "$RC"
	check "$_m: daemon SIGKILLed: said so" \
		grep -q "the aliasfs daemon ended" "$T/run.err"
	run_nothing_left "$_m: daemon SIGKILLed"

	# The runner is killed: the daemon and the command die with it, the
	# namespace with them, and the guard removes the run (the --tmp
	# backing too).
	if run_start "$_w" --mode "$_m" --tmp; then
		check "$_m: --tmp backing exists while running" \
			test -n "$(ls -d "$RUN_TMP"/aliasctl-run-*/run.*.d/backing)"
		kill -KILL "$RUNNER"
	fi
	run_wait
	check_eq "$_m: runner SIGKILLed: 137" 137 "$RC"
	run_nothing_left "$_m: runner SIGKILLed" 20
}

if [ "$(id -u)" = 0 ]; then
	ways root me
fi
if run_userns_works; then
	ways userns user
else
	echo "a user namespace cannot mount FUSE here: userns not tested"
fi
if command -v fusermount3 >/dev/null 2>&1; then
	ways fusermount user
fi

finish
