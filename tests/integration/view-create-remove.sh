#!/bin/sh
# View rules 4 and 5: creation lands at the canonical place in the backing
# (missing canonical parents copy the alias side's mode and owner);
# removing a name removes every backing entry that provides it.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/backings.sh"
need_fuse
view_watchdog 120

B=$T/split
M=$T/mnt
backing_split "$B"
mkdir -p "$B/lib/only-alias/deeper"
chmod 0750 "$B/lib/only-alias"
chmod 0705 "$B/lib/only-alias/deeper"
if is_root; then
	chown 1234:2345 "$B/lib/only-alias"
	chown 4321:5432 "$B/lib/only-alias/deeper"
fi
put "$B/bin/x" "identical x"
put "$B/usr/bin/x" "identical x"
put "$B/lib/$MA/sub/y" "identical y"
put "$B/usr/lib/$MA/sub/y" "identical y"
mkdir -p "$B/usr/lib/$MA/both-empty" "$B/lib/$MA/both-empty"
mkdir -p "$B/usr/lib/$MA/half-empty" "$B/lib/$MA/half-empty"
put "$B/lib/$MA/half-empty/f" "alias side only"
# libx32 as a merged backing has it; lib32 has nothing on either side.
ln -s usr/libx32 "$B/libx32"

mount_view "$B" "$M" || fail "mount"

# ---- creation
check "touch bin/new" touch "$M/bin/new"
check "bin/new is in the backing's usr/bin" test -f "$B/usr/bin/new"
check_fails "bin/new is not in the backing's bin" test -e "$B/bin/new"
check "visible as usr/bin/new" test -f "$M/usr/bin/new"
echo data >"$M/sbin/written" || fail "write sbin/written"
check_eq "sbin/written landed in usr/sbin" data \
	"$(cat "$B/usr/sbin/written" 2>&1)"
check "mkdir bin/newdir" mkdir "$M/bin/newdir"
check "newdir is in usr/bin" test -d "$B/usr/bin/newdir"
check_fails "newdir is not in bin" test -e "$B/bin/newdir"
check "ln -s via lib64" ln -s target "$M/lib64/newlink"
check_eq "symlink in usr/lib64" target "$(readlink "$B/usr/lib64/newlink")"

check "touch in an alias-only dir" touch "$M/lib/only-alias/f"
check "canonical parent created" test -d "$B/usr/lib/only-alias"
check "file in the canonical parent" test -f "$B/usr/lib/only-alias/f"
check_fails "not in the alias dir" test -e "$B/lib/only-alias/f"
check_eq "canonical parent has the alias side's mode" 750 \
	"$(stat -c %a "$B/usr/lib/only-alias" 2>&1)"
check "touch two levels deep (usr spelling)" \
	touch "$M/usr/lib/only-alias/deeper/g"
check "deep file in the canonical place" \
	test -f "$B/usr/lib/only-alias/deeper/g"
check_eq "deep canonical parent has the alias side's mode" 705 \
	"$(stat -c %a "$B/usr/lib/only-alias/deeper" 2>&1)"
if is_root; then
	check_eq "canonical parent has the alias side's owner" 1234:2345 \
		"$(stat -c %u:%g "$B/usr/lib/only-alias" 2>&1)"
	check_eq "deep canonical parent's owner" 4321:5432 \
		"$(stat -c %u:%g "$B/usr/lib/only-alias/deeper" 2>&1)"
fi
check "the alias dir's earlier content still shows" \
	test -d "$M/usr/lib/only-alias/deeper"

# ---- removal
check "rm usr/bin/x" rm "$M/usr/bin/x"
check_fails "usr/bin/x gone from the view" test -e "$M/usr/bin/x"
check_fails "bin/x gone from the view" test -e "$M/bin/x"
check_fails "backing usr/bin/x removed" test -e "$B/usr/bin/x"
check_fails "backing bin/x removed (nothing to reappear)" test -e "$B/bin/x"
check "rm via the alias spelling" rm "$M/lib/$MA/sub/y"
check_fails "backing usr/lib/$MA/sub/y removed" test -e "$B/usr/lib/$MA/sub/y"
check_fails "backing lib/$MA/sub/y removed" test -e "$B/lib/$MA/sub/y"
check "rm an alias-side-only file" rm "$M/usr/bin/bin-a"
check_fails "backing bin/bin-a removed" test -e "$B/bin/bin-a"
check_fails "bin-a not listed" has_name "$M/usr/bin" bin-a

check_eq "rmdir merged non-empty dir" ENOTEMPTY \
	"$(fsop rmdir "$M/usr/lib/$MA/sub")"
check_eq "rmdir dir whose alias side alone has a file" ENOTEMPTY \
	"$(fsop rmdir "$M/usr/lib/$MA/half-empty")"
check "alias side's file still there" test -f "$B/lib/$MA/half-empty/f"
check_eq "rmdir merged empty dir" OK \
	"$(fsop rmdir "$M/usr/lib/$MA/both-empty")"
check_fails "both-empty gone (canonical)" test -e "$B/usr/lib/$MA/both-empty"
check_fails "both-empty gone (alias)" test -e "$B/lib/$MA/both-empty"
check_fails "both-empty gone from the view" test -e "$M/usr/lib/$MA/both-empty"

# Unlinking an alias whose directory has content succeeds but keeps the
# alias (usrmerge's postinst and dpkg purges must not fail on it).
ls "$M/usr/bin" >"$T/usr-bin-before"
check_eq "unlink of an alias whose target has content keeps it" OK \
	"$(fsop unlink "$M/bin")"
check_eq "its files are all still there" "$(cat "$T/usr-bin-before")" \
	"$(ls "$M/bin/")"
check "the alias is still in the database" sh -c \
	"aliasctl --db '$B/var/lib/aliasfs' list 2>/dev/null | grep -q '^/bin ' ||
	! test -e '$B/var/lib/aliasfs'"
check_eq "rmdir of the alias symlink is refused" ENOTDIR \
	"$(fsop rmdir "$M/bin")"
check_eq "bin is still the alias" usr/bin "$(readlink "$M/bin" 2>&1)"
check "backing bin still there" test -d "$B/bin"
check_eq "creating over the alias name fails" EEXIST \
	"$(fsop mkdir "$M/lib64")"

# An alias whose canonical directory is empty may be unlinked, as on a
# real system (usrmerge's postinst removes unowned biarch links): once the
# unlinking program has exited without making a directory there, the
# alias is deactivated, and its canonical directory no longer shown (the
# kernel hears of that from the daemon's watcher thread: polled).
check "lib32 is an alias" test -L "$M/lib32"
check "usr/lib32 is shown for it" test -d "$M/usr/lib32"
check_eq "unlink of an alias with an empty target" OK \
	"$(fsop unlink "$M/lib32")"
check_fails "lib32 gone from the view" test -e "$M/lib32"
check_fails "lib32 not even a dangling link" test -L "$M/lib32"
check "usr/lib32 gone from the view" \
	poll 5 sh -c "! test -e '$M/usr/lib32'"
check_fails "lib32 not listed" has_name "$M" lib32
check "usr/lib32 not listed" \
	poll 5 sh -c "! ls -f '$M/usr' | grep -qx lib32"
check_eq "rmdir usr/lib32 after it" ENOENT "$(fsop rmdir "$M/usr/lib32")"
check "the database was created" test -d "$B/var/lib/aliasfs"
aliasctl --db "$B/var/lib/aliasfs" list >"$T/list" 2>&1 ||
	fail "aliasctl list: $(cat "$T/list")"
check_fails "lib32 not in the database" grep -q '^/lib32 ' "$T/list"
check "the other defaults are kept" grep -q '^/lib64 ' "$T/list"
check "lib64 is still an alias" test -L "$M/lib64"
check_eq "unlink of an alias the backing has as a symlink" OK \
	"$(fsop unlink "$M/libx32")"
check_fails "libx32 gone from the view" test -e "$M/libx32"
check_fails "libx32 gone from the view (no backing link)" test -L "$M/libx32"
check_fails "backing libx32 link removed" test -L "$B/libx32"
check_eq "renaming an alias stays refused" EPERM \
	"$(fsop rename "$M/lib64" "$M/lib64-old")"
umount_view "$M"
mount_view "$B" "$M" || fail "remount"
check_fails "lib32 stays gone after a remount" test -e "$M/lib32"
check_fails "libx32 stays gone after a remount" test -e "$M/libx32"
check_fails "usr/lib32 stays gone after a remount" test -e "$M/usr/lib32"
check_eq "bin is still the alias after a remount" usr/bin \
	"$(readlink "$M/bin" 2>&1)"
umount_view "$M"

# Creation in an empty backing makes the canonical directories.
B=$T/empty
M=$T/mnt-empty
backing_empty "$B"
mount_view "$B" "$M" || fail "mount empty"
check "mkdir -p usr/bin in an empty view" mkdir -p "$M/usr/bin"
check "cp into bin/ of an empty view" cp /bin/true "$M/bin/true"
check "landed in usr/bin" test -x "$B/usr/bin/true"
check_fails "no bin created in the backing" test -e "$B/bin"
check "mkdir -p lib/$MA via the alias" mkdir -p "$M/lib/$MA"
check "usr/lib/$MA created" test -d "$B/usr/lib/$MA"
check_fails "no lib created in the backing" test -e "$B/lib"
umount_view "$M"
finish
