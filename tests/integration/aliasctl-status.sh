#!/bin/sh
# aliasctl status: aliases with their state, blocked reasons, conflicts.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/aliasctl-helpers.sh"

db=$T/db
check "init amd64" aliasctl --db "$db" init --arch amd64
run aliasctl --db "$db" status
check_rc "status" 0
check_has "status names the database" "database: $db (generation " "$out"
check_has "status counts" "aliases: 6 (6 active, 0 blocked)" "$out"
check_has "status shows an alias" "  /lib64 -> /usr/lib64  active" "$out"
check_has "status shows no conflict" "conflicts: 0" "$out"

check "block /lib32" aliasctl-test-seed "$db" block /lib32 \
	"/lib32/libc.so.6 differs from /usr/lib32/libc.so.6"
check "record a conflict" aliasctl-test-seed "$db" conflict \
	/usr/bin/test /bin/test
run aliasctl --db "$db" status
check_rc "status with a blocked alias and a conflict" 0
check_has "status counts the blocked alias" "aliases: 6 (5 active, 1 blocked)" "$out"
check_has "status gives the reason" \
	"  /lib32 -> /usr/lib32  blocked: /lib32/libc.so.6 differs from /usr/lib32/libc.so.6" "$out"
check_has "status shows the conflict" "conflicts: 1
  /usr/bin/test shadows /bin/test" "$out"
run aliasctl --db "$db" list
check_eq "list shows the state" "/lib32 blocked" \
	"$(echo "$out" | awk '$3 == "blocked" { print $1, $3 }')"

# A blocked alias is not applied by canon.
run aliasctl --db "$db" canon /lib32/x /lib64/x
check_eq "canon skips the blocked alias" "/lib32/x
/usr/lib64/x" "$out"

# The generation moves on every write.
g1=$(aliasctl --db "$db" status | sed -n 's/.*(generation \([0-9]*\))$/\1/p')
check "add an alias" aliasctl --db "$db" add /opt/a /usr/a
g2=$(aliasctl --db "$db" status | sed -n 's/.*(generation \([0-9]*\))$/\1/p')
check "generation changed after add" test "$g1" != "$g2"

run aliasctl --db "$T/none" status
check_rc "status without a database" 2

finish
