#!/bin/sh
# aliasctl's command line: help, version, global options, usage errors,
# missing or unreadable databases.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/aliasctl-helpers.sh"

unset ALIASFS_DB

run aliasctl --help
check_rc "--help" 0
for cmd in init add remove list canon status; do
	check_has "--help lists $cmd" "  $cmd " "$out"
done
check_has "--help documents --db" "--db DIR" "$out"
check_has "--help documents --root" "--root DIR" "$out"
check_eq "--help: stderr empty" "" "$err"
run aliasctl help
check_rc "help" 0
check_has "help is --help" "Usage: aliasctl" "$out"
for cmd in init add remove list canon status; do
	run aliasctl help "$cmd"
	check_rc "help $cmd" 0
	check_has "help $cmd: usage line" "Usage: aliasctl [--db DIR] $cmd" "$out"
	run aliasctl "$cmd" --help
	check_rc "$cmd --help" 0
	check_has "$cmd --help: usage line" "Usage: aliasctl [--db DIR] $cmd" "$out"
done
check_usage "help of an unknown command" aliasctl help frob
check_usage "help with two commands" aliasctl help list add

version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' \
	"$top_builddir/config.h")
run aliasctl --version
check_rc "--version" 0
check_eq "--version prints the package version" "aliasctl (aliasfs) $version" "$out"

check_usage "no command" aliasctl
check_usage "unknown command" aliasctl frob
check_usage "unknown global option" aliasctl --frob list
check_usage "unknown short option" aliasctl -x list
check_usage "--db without value" aliasctl --db
check_usage "--db empty" aliasctl --db "" list
check_usage "--db and --root" aliasctl --db "$T/a" --root "$T/b" list
check_usage "unknown list option" aliasctl --db "$T/a" list --frob
check_usage "list with an argument" aliasctl --db "$T/a" list /bin
check_usage "status with an argument" aliasctl --db "$T/a" status x
check_usage "global option after the command" aliasctl list --db "$T/a"
check_has "command usage names the command" \
	"Usage: aliasctl [--db DIR] list" "$err"

# --root DIR is --db DIR/var/lib/aliasfs.
mkdir -p "$T/tree"
run aliasctl --root "$T/tree/" init --arch arm64
check_rc "init --root" 0
check "--root put the database in the tree" test -d "$T/tree/var/lib/aliasfs"
check_eq "--root and --db see the same database" \
	"$(default_set bin sbin lib)" "$(aliases_of "$T/tree/var/lib/aliasfs")"
run aliasctl --root "$T/tree" canon /lib64/x /lib/y
check_eq "--root canon uses the tree's database" "/lib64/x
/usr/lib/y" "$out"

# $ALIASFS_DB is the default; --db wins over it.
run env ALIASFS_DB="$T/envdb" aliasctl init --arch s390x
check_rc "init with ALIASFS_DB" 0
check_eq "ALIASFS_DB chose the database" \
	"$(default_set bin sbin lib lib32)" "$(aliases_of "$T/envdb")"
run env ALIASFS_DB="$T/envdb" aliasctl --db "$T/tree/var/lib/aliasfs" list
check_eq "--db wins over ALIASFS_DB" \
	"$(default_set bin sbin lib)" \
	"$(echo "$out" | awk 'NR > 1 { print $1, $2 }' | LC_ALL=C sort)"

# A missing database: exit 2, the directory named, for every command that
# needs one.
for cmd in list status "remove /bin" "add /opt/a /usr/a"; do
	# shellcheck disable=SC2086 # split the command and its arguments
	run aliasctl --db "$T/missing" $cmd
	check_rc "$cmd without a database" 2
	check_has "$cmd without a database: message" \
		"aliasctl: cannot open database $T/missing: " "$err"
	check_eq "$cmd without a database: no output" "" "$out"
done
check "nothing created by them" test ! -e "$T/missing"

# Not a database: a file, and a directory without one.
: >"$T/file"
run aliasctl --db "$T/file" list
check_rc "database path is a file" 2
check_has "database path is a file: message" "cannot open database $T/file" "$err"
mkdir "$T/emptydir"
run aliasctl --db "$T/emptydir" status
check_rc "directory without a database" 2

# A database from a newer schema is refused, never modified.
if command -v mdb_dump >/dev/null 2>&1 && command -v mdb_load >/dev/null 2>&1
then
	check "init a database to age" aliasctl --db "$T/newer" init --empty
	mdb_dump -s meta "$T/newer" >"$T/meta.dump"
	# The value line after the key "schema" (hex 736368656d61).
	awk 'prev == " 736368656d61" { $0 = " 0000000000000007" }
		{ print; prev = $0 }' "$T/meta.dump" >"$T/meta.new"
	check "set schema 7" mdb_load -s meta -f "$T/meta.new" "$T/newer"
	for cmd in list status "canon /bin" "add /opt/a /usr/a" init; do
		# shellcheck disable=SC2086 # split the command and its arguments
		run aliasctl --db "$T/newer" $cmd
		check_rc "$cmd on a newer schema" 2
		check_eq "$cmd on a newer schema: message" "aliasctl: cannot open database $T/newer: database schema version 7 is newer than this aliasctl understands (1); upgrade aliasfs" "$err"
	done
	check_eq "the newer database is untouched" " 0000000000000007" \
		"$(mdb_dump -s meta "$T/newer" | grep -A1 '^ 736368656d61$' | tail -n 1)"
fi

# Unreadable for an unprivileged user.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
	nobody="setpriv --reuid=65534 --regid=65534 --clear-groups"
	mkdir -m 0755 "$T/pub"
	check "init a shared database" aliasctl --db "$T/pub/db" init --arch amd64
	chmod 0700 "$T/pub/db"
	run $nobody aliasctl --db "$T/pub/db" list
	check_rc "unreadable database" 2
	check_has "unreadable database: message" \
		"cannot open database $T/pub/db: Permission denied" "$err"
	run $nobody aliasctl --db "$T/pub/db" canon /bin/x
	check_rc "canon on an unreadable database does not fall back" 2
	chmod 0755 "$T/pub/db"
	run $nobody aliasctl --db "$T/pub/db" add /opt/a /usr/a
	check_rc "add to a database the user may not write" 2
	check_eq "the refused write changed nothing" \
		"$(default_set bin sbin lib lib32 lib64 libx32)" \
		"$(aliases_of "$T/pub/db")"
fi

finish
