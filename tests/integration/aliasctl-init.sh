#!/bin/sh
# aliasctl init: the per-architecture default sets, --empty, re-running on
# an existing database, unknown architectures.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/aliasctl-helpers.sh"

# Expected sets from debootstrap's setup_merged_usr table.
for spec in "amd64:bin sbin lib lib32 lib64 libx32" \
	"i386:bin sbin lib lib64 libx32" \
	"s390x:bin sbin lib lib32" \
	"arm64:bin sbin lib" \
	"mips64el:bin sbin lib lib32 lib64 libo32" \
	"ppc64el:bin sbin lib lib64"; do
	arch=${spec%%:*}
	names=${spec#*:}
	db=$T/db-$arch
	run aliasctl --db "$db" init --arch "$arch"
	check_rc "init --arch $arch" 0
	check_has "init $arch says it created" "created database $db" "$out"
	check_eq "list $arch: exactly the default set" \
		"$(default_set $names)" "$(aliases_of "$db")"
	run aliasctl --db "$db" list
	check_eq "list $arch: header" "ALIAS CANONICAL STATE OWNERS" \
		"$(echo "$out" | awk 'NR == 1 { print $1, $2, $3, $4 }')"
	check_eq "list $arch: all active, owned by hand" "active -" \
		"$(echo "$out" | awk 'NR > 1 { print $3, $4 }' | sort -u)"
done

# Running init again keeps everything and says so.
db=$T/db-amd64
run aliasctl --db "$db" init --arch amd64
check_rc "init on an existing database" 0
check_has "init again says the database exists" "already exists" "$out"
check_eq "init again changes nothing" \
	"$(default_set bin sbin lib lib32 lib64 libx32)" "$(aliases_of "$db")"

# A removed default comes back, the others are kept.
check "remove /lib64" aliasctl --db "$db" remove /lib64
run aliasctl --db "$db" init --arch amd64
check_rc "init re-adds a missing default" 0
check_has "init reports one added" "added 1 missing" "$out"
check_eq "the set is whole again" \
	"$(default_set bin sbin lib lib32 lib64 libx32)" "$(aliases_of "$db")"

# An alias of the user's survives init.
check "add a custom alias" aliasctl --db "$db" add /opt/tools /usr/lib/tools
check "init keeps it" aliasctl --db "$db" init --arch amd64
check_eq "custom alias still there" "/opt/tools /usr/lib/tools" \
	"$(aliases_of "$db" | grep '^/opt/')"

# --empty: a database without aliases.
run aliasctl --db "$T/empty" init --empty
check_rc "init --empty" 0
check_eq "empty database lists nothing" "" "$(aliases_of "$T/empty")"
run aliasctl --db "$T/empty" init --empty
check_rc "init --empty on an existing database" 0
check_has "init --empty again says so" "already exists" "$out"

# The host's set by default: it always holds /bin.
run aliasctl --db "$T/host" init
check_rc "init with the host architecture" 0
check_has "host set has /bin" "/bin /usr/bin" "$(aliases_of "$T/host")"
if command -v dpkg >/dev/null 2>&1; then
	check_eq "host set is the --arch set of dpkg's architecture" \
		"$(aliases_of "$T/host")" \
		"$(aliasctl --db "$T/host-explicit" init \
			--arch "$(dpkg --print-architecture)" >/dev/null &&
			aliases_of "$T/host-explicit")"
fi

# Unknown architectures: exit 1, nothing created.
for arch in nosuch hurd-amd64 ""; do
	run aliasctl --db "$T/bad" init --arch "$arch"
	check_rc "init --arch '$arch' refused" 1
	check_has "init --arch '$arch' names it" \
		"unknown architecture '$arch'" "$err"
	check "init --arch '$arch' created nothing" test ! -e "$T/bad"
done

check_usage "init --arch with --empty" \
	aliasctl --db "$T/x" init --arch amd64 --empty
check_usage "init with an argument" aliasctl --db "$T/x" init amd64
check_usage "init --arch without value" aliasctl --db "$T/x" init --arch
check "usage errors created nothing" test ! -e "$T/x"

finish
