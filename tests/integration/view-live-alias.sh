#!/bin/sh
# View rule 8: aliases added or removed with aliasctl while mounted take
# effect in the view without a remount.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/backings.sh"
need_fuse
view_watchdog 120

B=$T/split
M=$T/mnt
backing_split "$B"
backing_db "$B" --empty
DB=$B/var/lib/aliasfs
mount_view "$B" "$M" || fail "mount"

# Look first, so the kernel has bin cached as a directory.
check "before: bin is the backing's directory" \
	test -d "$M/bin" -a ! -L "$M/bin"
check "before: bin/bin-a visible" test -f "$M/bin/bin-a"
check_fails "before: usr/bin does not show bin-a" test -e "$M/usr/bin/bin-a"
ls "$M/usr/bin" >/dev/null

bin_is_alias()
{
	[ "$(readlink "$M/bin" 2>/dev/null)" = usr/bin ]
}
usr_bin_has_bin_a()
{
	has_name "$M/usr/bin" bin-a
}
bin_is_dir()
{
	[ -d "$M/bin" ] && [ ! -L "$M/bin" ]
}

check "aliasctl add /bin /usr/bin" aliasctl --db "$DB" add /bin /usr/bin
check "bin becomes the alias symlink (within 5 s)" poll 5 bin_is_alias
check "usr/bin now merges bin (within 5 s)" poll 5 usr_bin_has_bin_a
check_eq "bin-a readable via usr/bin" "alias side bin-a" \
	"$(cat "$M/usr/bin/bin-a" 2>&1)"
check_eq "lib64 untouched" directory "$(stat -c %F "$M/lib64" 2>&1)"

check "aliasctl add /lib64 /usr/lib64" aliasctl --db "$DB" add /lib64 /usr/lib64
lib64_is_alias()
{
	[ "$(readlink "$M/lib64" 2>/dev/null)" = usr/lib64 ]
}
check "lib64 becomes an alias (within 5 s)" poll 5 lib64_is_alias

check "aliasctl remove /bin" aliasctl --db "$DB" remove /bin
check "bin is the backing's directory again (within 5 s)" poll 5 bin_is_dir
check "bin/bin-a visible again" test -f "$M/bin/bin-a"
usr_bin_lacks_bin_a()
{
	! has_name "$M/usr/bin" bin-a
}
check "usr/bin no longer shows bin-a (within 5 s)" poll 5 usr_bin_lacks_bin_a
check_eq "lib64 still an alias" usr/lib64 "$(readlink "$M/lib64" 2>&1)"
check "backing bin untouched" test -f "$B/bin/bin-a" -a ! -L "$B/bin"
umount_view "$M"
finish
