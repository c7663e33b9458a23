#!/bin/sh
# View rule 3: one name, two different files: the canonical one is shown,
# the pair is recorded for `aliasctl status`, nothing is deleted.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/backings.sh"
need_fuse
view_watchdog 120

B=$T/split
M=$T/mnt
backing_split "$B"
put "$B/bin/test" "alias test"
put "$B/usr/bin/test" "canonical test, longer"
put "$B/lib/$MA/sub/libc.so" "alias libc"
put "$B/usr/lib/$MA/sub/libc.so" "canonical libc"
# Identical files of any size are no conflict, by the rule aliasctl
# status applies too (aliasdb_entries_same()); sparse, so nothing is
# written.
truncate -s 65M "$B/bin/big" "$B/usr/bin/big"
backing_db "$B"
DB=$B/var/lib/aliasfs

mount_view "$B" "$M" || fail "mount"
check_eq "usr/bin/test shows the canonical file" "canonical test, longer" \
	"$(cat "$M/usr/bin/test" 2>&1)"
check_eq "bin/test shows the canonical file too" "canonical test, longer" \
	"$(cat "$M/bin/test" 2>&1)"
check_eq "size is the canonical file's" "$(stat -c %s "$B/usr/bin/test")" \
	"$(stat -c %s "$M/bin/test" 2>&1)"
check_eq "test listed once" 1 "$(ls -f "$M/usr/bin" | grep -cx test)"
check_eq "deep conflict shows canonical" "canonical libc" \
	"$(cat "$M/lib/$MA/sub/libc.so" 2>&1)"

# recorded NEEDLE-CANON NEEDLE-ALIAS: status names both spellings.
recorded()
{
	_s=$(aliasctl --db "$DB" status 2>/dev/null) || return 1
	printf '%s\n' "$_s" | grep -qF -- "$1" &&
		printf '%s\n' "$_s" | grep -Eq -- "(^|[^a-z])$2([^a-z0-9.]|\$)"
}
check "status lists /usr/bin/test vs /bin/test" \
	poll 10 recorded /usr/bin/test /bin/test
check "status lists the deep libc.so pair" \
	poll 10 recorded "/usr/lib/$MA/sub/libc.so" "/lib/$MA/sub/libc.so"
# LMDB wants one environment per process: the daemon records conflicts
# through the handle it watches the database with, so it still holds its
# lock on lock.mdb. Closing a second environment would have dropped it,
# and the next aliasctl could then reset the reader table under it.
check_eq "the daemon still holds its lock on the database" LOCKED \
	"$(fsop lockprobe "$DB/lock.mdb")"
# Identical files on both sides are not a conflict.
cat "$M/usr/bin/same" >/dev/null
status=$(aliasctl --db "$DB" status 2>&1)
check_fails "identical bin/same is not a conflict" \
	sh -c 'printf "%s\n" "$1" | grep -q "/bin/same"' sh "$status"
# The watcher compares in the order lookups queued them: "later", a
# real conflict made and looked up after "big", is recorded only once
# "big" has been decided.
stat "$M/usr/bin/big" >/dev/null
put "$B/bin/later" "alias later"
put "$B/usr/bin/later" "canonical later, longer"
stat "$M/usr/bin/later" >/dev/null
check "status lists /usr/bin/later vs /bin/later" \
	poll 30 recorded /usr/bin/later /bin/later
status=$(aliasctl --db "$DB" status 2>&1)
check_fails "identical 65 MiB bin/big is not a conflict" \
	sh -c 'printf "%s\n" "$1" | grep -q "/bin/big"' sh "$status"
umount_view "$M"
check_eq "backing bin/test kept" "alias test" "$(cat "$B/bin/test")"
check_eq "backing usr/bin/test kept" "canonical test, longer" \
	"$(cat "$B/usr/bin/test")"
check "backing lib/$MA/sub/libc.so kept" test -f "$B/lib/$MA/sub/libc.so"
finish
