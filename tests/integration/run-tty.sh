#!/bin/sh
# aliasctl run on a terminal: ^C goes to the command, which decides. A
# command that dies of it ends the run with 130 (the runner dies of
# SIGINT too, as a shell expects); one that ignores it (an interactive
# shell) goes on, and its own status is the run's.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/run-helpers.sh"
need_fuse
command -v python3 >/dev/null 2>&1 || skip "no python3"
PTY=$top_srcdir/tests/integration/run-pty.py

run_prefix me
UP=$RUN_IO/up

# The command dies of ^C.
rm -f "$UP"
python3 "$PTY" "$UP" '\x03' $_pre aliasctl run --tmp -- \
	sh -c 'touch "$1"; exec cat' sh "$UP" >"$T/out1"
check_eq "^C kills the command, and the run: 130" 130 $?
run_nothing_left "^C"

# The command ignores ^C, then ends by itself with 3.
rm -f "$UP"
python3 "$PTY" "$UP" '\x03ok\n' $_pre aliasctl run --tmp -- \
	sh -c 'trap "" INT; touch "$1"; read x; echo "read $x"; exit 3' \
	sh "$UP" >"$T/out2"
check_eq "^C ignored by the command: its own status" 3 $?
check "^C ignored by the command: it went on" grep -q "read ok" "$T/out2"
run_nothing_left "^C ignored"

finish
