#!/bin/sh
# aliasctl canon: arguments, standard input, the fallback to the host's
# defaults without a database, --arch, and bad paths.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/aliasctl-helpers.sh"

db=$T/db
check "init amd64" aliasctl --db "$db" init --arch amd64

run aliasctl --db "$db" canon /bin/../lib64/ld-linux-x86-64.so.2
check_rc "canon one path" 0
check_eq "the dynamic loader" "/usr/lib64/ld-linux-x86-64.so.2" "$out"

# Several arguments, one line each, in order; whole components only.
run aliasctl --db "$db" canon /bin/sh /usr/bin/sh /library/x /lib64 \
	//sbin/./ldconfig/ /lib/x86_64-linux-gnu/../../bin / /etc/passwd \
	/lib32x /libx32/a/.. /bin/../../../lib
check_rc "canon several paths" 0
check_eq "canon several paths: output" "/usr/bin/sh
/usr/bin/sh
/library/x
/usr/lib64
/usr/sbin/ldconfig
/usr/bin
/
/etc/passwd
/lib32x
/usr/libx32
/usr/lib" "$out"

# Standard input, including a last line without a newline.
printf '/bin/ls\n/sbin/../lib/x\n/usr/share/doc\n/lib32/a' >"$T/in"
run sh -c 'aliasctl --db "$1" canon - <"$2"' sh "$db" "$T/in"
check_rc "canon -" 0
check_eq "canon -: output" "/usr/bin/ls
/usr/lib/x
/usr/share/doc
/usr/lib32/a" "$out"
run sh -c 'aliasctl --db "$1" canon - </dev/null' sh "$db"
check_rc "canon - on empty input" 0
check_eq "canon - on empty input prints nothing" "" "$out"

# The database's own aliases count, not only the defaults.
check "add /opt/tools" aliasctl --db "$db" add /opt/tools /usr/lib/tools
run aliasctl --db "$db" canon /opt/tools/bin/x /opt/toolsx
check_eq "canon uses an added alias" "/usr/lib/tools/bin/x
/opt/toolsx" "$out"
check "remove /opt/tools" aliasctl --db "$db" remove /opt/tools
run aliasctl --db "$db" canon /opt/tools/bin/x
check_eq "canon forgets a removed alias" "/opt/tools/bin/x" "$out"

# An empty database maps nothing: the database wins over the defaults.
check "init --empty" aliasctl --db "$T/empty" init --empty
run aliasctl --db "$T/empty" canon /bin/sh /lib64/../bin/x
check_eq "empty database: only normalized" "/bin/sh
/bin/x" "$out"

# No database: the host architecture's defaults, nothing created.
run aliasctl --db "$T/none" canon /bin/sh /sbin/init
check_rc "canon without a database" 0
check_eq "canon without a database uses the host defaults" "/usr/bin/sh
/usr/sbin/init" "$out"
check "canon created no database" test ! -e "$T/none"

# --arch: that architecture's defaults, even where a database exists.
run aliasctl --db "$db" canon --arch arm64 /lib64/x /bin/y
check_rc "canon --arch arm64" 0
check_eq "arm64 has no /lib64 alias" "/lib64/x
/usr/bin/y" "$out"
run aliasctl --db "$T/none" canon --arch mips64el /libo32/x
check_eq "canon --arch mips64el" "/usr/libo32/x" "$out"
run aliasctl --db "$db" canon --arch nosuch /bin
check_rc "canon --arch nosuch" 1
check_has "canon --arch nosuch: message" "unknown architecture 'nosuch'" "$err"

# Bad paths: exit 1 with the reason; lines before the bad one are printed.
run aliasctl --db "$db" canon bin/sh
check_rc "canon relative path" 1
check_has "canon relative path: message" "not an absolute path: bin/sh" "$err"
printf '/bin/a\n/bin/b\nrelative\n/bin/c\n' >"$T/bad"
run sh -c 'aliasctl --db "$1" canon - <"$2"' sh "$db" "$T/bad"
check_rc "canon - with a relative line" 1
check_has "canon -: names the line" "line 3: not an absolute path" "$err"
check_eq "canon -: lines before the bad one" "/usr/bin/a
/usr/bin/b" "$out"
printf '/bin/a\n\n' >"$T/empty-line"
run sh -c 'aliasctl --db "$1" canon - <"$2"' sh "$db" "$T/empty-line"
check_rc "canon - with an empty line" 1
check_has "canon -: empty line" "line 2" "$err"
long=/bin$(awk 'BEGIN { for (i = 0; i < 500; i++) printf "/123456789" }')
run aliasctl --db "$db" canon "$long"
check_rc "canon of a too long path" 1
check_has "canon too long: message" "too long" "$err"

check_usage "canon without a path" aliasctl --db "$db" canon
check_usage "canon - with another path" aliasctl --db "$db" canon - /bin
check_usage "canon --arch without value" aliasctl --db "$db" canon --arch
check_usage "canon unknown option" aliasctl --db "$db" canon --frob /bin

finish
