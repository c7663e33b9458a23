#!/bin/sh
# View rule 6, extended attributes: user.*, security.capability (setcap)
# and trusted.* pass through to the backing file, under either spelling.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/backings.sh"
need_fuse
view_watchdog 120
command -v setfattr >/dev/null || skip "setfattr (attr) missing"

B=$T/split
M=$T/mnt
backing_split "$B"
setfattr -n user.pre -v before "$B/bin/bin-a" 2>/dev/null ||
	skip "the backing file system has no user xattrs"
mount_view "$B" "$M" || fail "mount"

check_eq "xattr set in the backing is visible" before \
	"$(getfattr --absolute-names --only-values -n user.pre "$M/usr/bin/bin-a" 2>&1)"
check "setfattr user.x via the alias spelling" \
	setfattr -n user.x -v 1 "$M/bin/usr-b"
check_eq "getfattr user.x via usr" 1 \
	"$(getfattr --absolute-names --only-values -n user.x "$M/usr/bin/usr-b" 2>&1)"
check_eq "user.x in the backing" 1 \
	"$(getfattr --absolute-names --only-values -n user.x "$B/usr/bin/usr-b" 2>&1)"
check "setfattr on an alias-side file" \
	setfattr -n user.y -v two "$M/usr/bin/bin-a"
check_eq "it landed on the alias-side backing file" two \
	"$(getfattr --absolute-names --only-values -n user.y "$B/bin/bin-a" 2>&1)"
check_eq "listxattr" "user.pre user.y" \
	"$(getfattr -d -m '^user\.' "$M/bin/bin-a" 2>/dev/null |
		sed -n 's/=.*//p' | sort | tr '\n' ' ' | sed 's/ $//')"
check "remove user.y" setfattr -x user.y "$M/bin/bin-a"
check_fails "user.y gone in the backing" \
	getfattr -n user.y "$B/bin/bin-a"
check_fails "missing xattr is an error (ENODATA)" \
	getfattr -n user.none "$M/bin/bin-a"
check "xattr on a directory (merged)" \
	setfattr -n user.d -v dir "$M/usr/lib/$MA/sub"
check_eq "directory xattr reads back" dir \
	"$(getfattr --absolute-names --only-values -n user.d "$M/lib/$MA/sub" 2>&1)"
# set_big FILE: a 3000-byte value (not echoed into the log on failure).
set_big()
{
	setfattr -n user.big -v "$(head -c 3000 /dev/zero | tr '\0' v)" "$1"
}
check "3000-byte value" set_big "$M/bin/usr-b"
check_eq "3000-byte value reads back" "3000 $(head -c 3000 /dev/zero |
	tr '\0' v | md5sum)" "$(getfattr --absolute-names --only-values -n user.big \
	"$M/usr/bin/usr-b" 2>/dev/null | wc -c) $(getfattr --absolute-names --only-values \
	-n user.big "$M/usr/bin/usr-b" 2>/dev/null | md5sum)"

if is_root; then
	# setcap writes security.capability exactly as dpkg-installed
	# binaries carry it (ping, ...).
	cp /bin/true "$M/bin/captest"
	check "setcap cap_net_raw+ep" setcap cap_net_raw+ep "$M/bin/captest"
	check_eq "getcap via the view" cap_net_raw=ep \
		"$(getcap "$M/usr/bin/captest" 2>&1 | awk '{print $2}')"
	check_eq "getcap in the backing" cap_net_raw=ep \
		"$(getcap "$B/usr/bin/captest" 2>&1 | awk '{print $2}')"
	check "setfattr security.capability raw" setfattr -n \
		security.capability -v 0sAQAAAgAgAAAAAAAAAAAAAAAAAAA= \
		"$M/bin/usr-b"
	check "backing has security.capability" \
		getfattr -n security.capability "$B/usr/bin/usr-b"
	check "trusted.t as root" setfattr -n trusted.t -v tt "$M/bin/usr-b"
	check_eq "trusted.t reads back" tt \
		"$(getfattr --absolute-names --only-values -n trusted.t "$M/usr/bin/usr-b" 2>&1)"
	check_eq "trusted.t in the backing" tt \
		"$(getfattr --absolute-names --only-values -n trusted.t "$B/usr/bin/usr-b" 2>&1)"
fi
umount_view "$M"
finish
