#!/bin/sh
# aliasctl add / remove: every refusal rule through the command line, add
# then remove, duplicates, missing aliases.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/aliasctl-helpers.sh"

db=$T/db
check "init amd64" aliasctl --db "$db" init --arch amd64
before=$(aliasctl --db "$db" list)

# refused DESCRIPTION KEYWORD ALIAS CANONICAL: add is refused with exit 1,
# the message names the alias and the rule, the database is unchanged.
refused()
{
	run aliasctl --db "$db" add "$3" "$4"
	check_rc "refused, $1: exit 1" 1
	check_has "refused, $1: message" "aliasctl: refused $3 -> $4: " "$err"
	check_has "refused, $1: names the rule" "$2" "$err"
	check_eq "refused, $1: nothing printed" "" "$out"
	check_eq "refused, $1: database unchanged" "$before" \
		"$(aliasctl --db "$db" list)"
}

# The issue's own example, word for word.
run aliasctl --db "$db" add /etc/x /usr/x
check_rc "add /etc/x refused" 1
check_eq "add /etc/x: the message" "aliasctl: refused /etc/x -> /usr/x: /etc and everything under it can be neither an alias nor a target, nor inside one" "$err"

refused "relative alias" "absolute" bin /usr/bin2
refused "relative target" "absolute" /opt/a usr/a
refused "trailing slash" "normalized" /opt/a/ /usr/a
refused "dot-dot" "normalized" /opt/a /usr/../a
refused "double slash" "normalized" //opt/a /usr/a
refused "alias is /" "'/'" / /usr/root
refused "target is /" "'/'" /opt/a /
refused "alias is /usr" "/usr must never" /usr /opt/usr
refused "alias is /etc" "/etc and everything" /etc /usr/etc
refused "alias under /etc" "/etc and everything" /etc/alternatives/x /usr/x
refused "alias in the dpkg db" "/var/lib/dpkg" /var/lib/dpkg/info /usr/info
refused "target in the dpkg db" "/var/lib/dpkg" /opt/a /var/lib/dpkg/a
refused "alias under /proc" "/proc, /sys, /dev" /proc/a /usr/a
refused "target under /sys" "/proc, /sys, /dev" /opt/a /sys/a
refused "alias is /dev" "/proc, /sys, /dev" /dev /usr/dev
refused "alias is its target" "itself" /opt/a /opt/a
refused "alias inside its target" "inside" /opt/a/b /opt/a
refused "target inside the alias" "inside" /opt/a /opt/a/b
refused "target under an alias" "chain" /opt/a /bin/a
refused "target is an alias" "chain" /opt/a /lib64
refused "alias under an alias" "chain" /bin/x /usr/x
refused "alias is another's target" "chain" /usr/bin /opt/bin
refused "alias exists, other target" "different target" /bin /usr/sbin
long=/opt$(awk 'BEGIN { for (i = 0; i < 410; i++) printf "/123456789" }')
refused "path too long" "longer" "$long" /usr/long

# Rules that need no database are checked even without one.
run aliasctl --db "$T/none" add /etc/x /usr/x
check_rc "refused without a database: exit 1" 1
check_has "refused without a database: rule" "/etc and everything" "$err"
check "refusal created no database" test ! -e "$T/none"

# Add, then remove.
run aliasctl --db "$db" add /opt/tools /usr/lib/tools
check_rc "add /opt/tools" 0
check_eq "add /opt/tools: listed, active, by hand" \
	"/opt/tools /usr/lib/tools active -" \
	"$(aliasctl --db "$db" list | awk '$1 == "/opt/tools" { print $1, $2, $3, $4 }')"
check_eq "seven aliases now" 8 "$(aliasctl --db "$db" list | wc -l)"

# Adding the same alias again succeeds and changes nothing.
run aliasctl --db "$db" add /opt/tools /usr/lib/tools
check_rc "duplicate add" 0
check_has "duplicate add says so" "already present" "$out"
check_eq "still seven aliases" 8 "$(aliasctl --db "$db" list | wc -l)"
run aliasctl --db "$db" add /opt/tools /usr/lib/other
check_rc "add with another target refused" 1
check_has "another target: rule" "different target" "$err"

run aliasctl --db "$db" remove /opt/tools
check_rc "remove /opt/tools" 0
check_eq "back to the defaults" "$before" "$(aliasctl --db "$db" list)"

run aliasctl --db "$db" remove /opt/tools
check_rc "remove a missing alias" 1
check_has "remove missing: message" "no alias /opt/tools in $db" "$err"
run aliasctl --db "$db" remove /usr/bin
check_rc "remove a canonical path is no alias" 1

# A default alias can be removed and added back by hand.
check "remove /bin" aliasctl --db "$db" remove /bin
check_eq "/bin gone" "" "$(aliases_of "$db" | grep '^/bin ')"
check "add /bin back" aliasctl --db "$db" add /bin /usr/bin
check_eq "back to the defaults again" "$before" "$(aliasctl --db "$db" list)"

# A missing database is a system error for add and remove.
run aliasctl --db "$T/none" add /opt/a /usr/a
check_rc "add without a database" 2
check_has "add without a database: message" "cannot open database $T/none" "$err"
run aliasctl --db "$T/none" remove /bin
check_rc "remove without a database" 2

check_usage "add without arguments" aliasctl --db "$db" add
check_usage "add with one argument" aliasctl --db "$db" add /opt/a
check_usage "add with three arguments" aliasctl --db "$db" add /a /b /c
check_usage "remove without argument" aliasctl --db "$db" remove
check_usage "remove with two arguments" aliasctl --db "$db" remove /a /b
check_eq "usage errors changed nothing" "$before" "$(aliasctl --db "$db" list)"

finish
