#!/bin/sh
# Output errors: a full disk or a closed stdout ends in exit 2 with a
# message, and never touches the database.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/aliasctl-helpers.sh"

[ -w /dev/full ] || skip "no /dev/full"

db=$T/db
check "init amd64" aliasctl --db "$db" init --arch amd64
before=$(aliasctl --db "$db" list)

for cmd in list "list --json" status "canon /bin/sh" "--help" "--version" \
	"help list" "add /opt/a /usr/a"; do
	# shellcheck disable=SC2086 # split the command and its arguments
	run sh -c 'aliasctl --db "$1" $2 >/dev/full' sh "$db" "$cmd"
	check_rc "$cmd > /dev/full" 2
	check_has "$cmd > /dev/full: message" \
		"cannot write to standard output: No space left on device" "$err"
done
check "remove /opt/a" aliasctl --db "$db" remove /opt/a

# A large canon - output fails on the first full buffer.
seq 1 200000 | sed 's|^|/bin/x|' >"$T/in"
run sh -c 'aliasctl --db "$1" canon - <"$2" >/dev/full' sh "$db" "$T/in"
check_rc "canon - > /dev/full" 2

# stdout closed: the database must not end up on fd 1.
for cmd in list status "canon /bin/sh"; do
	run sh -c 'aliasctl --db "$1" $2 >&-' sh "$db" "$cmd"
	check_rc "$cmd with stdout closed" 2
	check_has "$cmd with stdout closed: message" \
		"cannot write to standard output" "$err"
done
run sh -c 'aliasctl --db "$1" add /opt/b /usr/b >&-' sh "$db"
check_rc "add with stdout closed" 2
check "remove /opt/b" aliasctl --db "$db" remove /opt/b
check_eq "database intact" "$before" "$(aliasctl --db "$db" list)"
run aliasctl --db "$db" status
check_rc "status still works" 0

finish
