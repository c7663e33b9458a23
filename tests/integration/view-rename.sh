#!/bin/sh
# View rule 5: rename and link work across the alias boundary (never
# EXDEV), replace existing targets, honour RENAME_EXCHANGE and
# RENAME_NOREPLACE, and leave nothing shadowed behind.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/backings.sh"
need_fuse
view_watchdog 120

B=$T/split
M=$T/mnt
backing_split "$B"
put "$B/bin/a" "file a"
put "$B/bin/c" "file c"
put "$B/usr/sbin/d" "old d"
put "$B/bin/e" "file e"
put "$B/usr/sbin/f" "file f"
put "$B/bin/g" "file g"
put "$B/usr/bin/h" "file h"
put "$B/bin/dup" "dup"
put "$B/usr/bin/dup" "dup"
put "$B/bin/adir/inner" "inner"
put "$B/bin/l" "linked"
mount_view "$B" "$M" || fail "mount"

check_eq "rename bin/a -> usr/sbin/b (no EXDEV)" OK \
	"$(fsop rename "$M/bin/a" "$M/usr/sbin/b")"
check_eq "backing usr/sbin/b has a's content" "file a" \
	"$(cat "$B/usr/sbin/b" 2>&1)"
check_fails "backing bin/a gone" test -e "$B/bin/a"
check_fails "view bin/a gone" test -e "$M/bin/a"
check "mv (coreutils) across the alias" mv "$M/bin/bin-a" "$M/sbin/moved"
check "mv result in usr/sbin" test -f "$B/usr/sbin/moved"

check_eq "rename over an existing target" OK \
	"$(fsop rename "$M/bin/c" "$M/sbin/d")"
check_eq "target replaced" "file c" "$(cat "$M/usr/sbin/d" 2>&1)"
check_eq "target replaced in the backing" "file c" \
	"$(cat "$B/usr/sbin/d" 2>&1)"
check_fails "source gone" test -e "$M/bin/c"

check_eq "RENAME_EXCHANGE across the alias" OK \
	"$(fsop exchange "$M/bin/e" "$M/usr/sbin/f")"
check_eq "exchange: bin/e now holds f" "file f" "$(cat "$M/bin/e" 2>&1)"
check_eq "exchange: usr/sbin/f now holds e" "file e" \
	"$(cat "$M/usr/sbin/f" 2>&1)"

check_eq "RENAME_NOREPLACE onto an existing name" EEXIST \
	"$(fsop noreplace "$M/bin/g" "$M/usr/bin/h")"
check_eq "NOREPLACE left the target alone" "file h" \
	"$(cat "$M/usr/bin/h" 2>&1)"
check_eq "NOREPLACE onto an existing alias-side name" EEXIST \
	"$(fsop noreplace "$M/usr/bin/h" "$M/usr/sbin/sbin-only")"
check_eq "RENAME_NOREPLACE onto a new name" OK \
	"$(fsop noreplace "$M/bin/g" "$M/usr/sbin/g2")"
check_eq "g2 content" "file g" "$(cat "$B/usr/sbin/g2" 2>&1)"

check_eq "rename a name provided by both sides" OK \
	"$(fsop rename "$M/usr/bin/dup" "$M/usr/bin/dup2")"
check_fails "dup does not reappear in the view" test -e "$M/usr/bin/dup"
check_fails "backing bin/dup gone" test -e "$B/bin/dup"
check_fails "backing usr/bin/dup gone" test -e "$B/usr/bin/dup"
check_eq "dup2 content" dup "$(cat "$M/usr/bin/dup2" 2>&1)"

check_eq "rename an alias-side directory across" OK \
	"$(fsop rename "$M/bin/adir" "$M/usr/sbin/adir2")"
check_eq "directory moved with its content" inner \
	"$(cat "$B/usr/sbin/adir2/inner" 2>&1)"
check_fails "old directory gone" test -e "$B/bin/adir"

check_eq "link across the alias" OK \
	"$(fsop link "$M/bin/l" "$M/usr/sbin/l2")"
check_eq "link count 2" 2 "$(stat -c %h "$M/usr/sbin/l2" 2>&1)"
check_eq "same inode" "$(stat -c %i "$M/bin/l" 2>&1)" \
	"$(stat -c %i "$M/usr/sbin/l2" 2>&1)"

check_eq "renaming the alias symlink is refused" EPERM \
	"$(fsop rename "$M/bin" "$M/bin2")"
check_eq "bin still the alias" usr/bin "$(readlink "$M/bin" 2>&1)"
check_eq "renaming onto the alias name is refused" EPERM \
	"$(fsop rename "$M/usr/bin/h" "$M/lib64")"
check "h survived" test -f "$M/usr/bin/h"
umount_view "$M"
finish
