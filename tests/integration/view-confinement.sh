#!/bin/sh
# View rule 7: the daemon never follows a backing symlink, absolute or
# relative, so nothing outside the backing is served as view content.
# (The kernel still follows a symlink the view shows, as on any file
# system: that is not the daemon reaching out.)
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/backings.sh"
need_fuse
view_watchdog 120

O=$T/outside
mkdir -p "$O/bin" "$O/lib/$MA" "$O/sbin"
put "$O/SECRET" "outside"
put "$O/bin/outside-bin" "outside"
put "$O/lib/$MA/outside-lib" "outside"
put "$O/sbin/outside-sbin" "outside"
put "$O/outside-direct" "outside"
outer=$(find "$O" | sort)

# usr itself is a symlink to outside: the view shows it as a symlink and
# the daemon does not list outside's files as usr's.
B=$T/usr-link
mkdir -p "$B"
ln -s "$O" "$B/usr"
mount_view "$B" "$T/m1" || fail "mount usr-link"
check "usr shown as a symlink" test -L "$T/m1/usr"
check_eq "usr symlink target unchanged" "$O" "$(readlink "$T/m1/usr" 2>&1)"
check_fails "outside's SECRET not served as usr/SECRET by the daemon" \
	sh -c "ls -f '$T/m1/usr/' 2>/dev/null | grep -qx SECRET && test ! -L '$T/m1/usr'"
# If the view shows usr as anything but the symlink, writes through the
# aliases must not make the daemon follow the backing's usr symlink.
# (While usr is shown as the symlink, the kernel follows it: by design.)
# write_through VIEW: try to create entries through the aliases.
write_through()
{
	touch "$1/bin/via-alias" "$1/usr/bin/via-usr" 2>/dev/null
	mkdir -p "$1/lib64/dir-via-alias" "$1/sbin/dir-via-alias" 2>/dev/null
}
if [ ! -L "$T/m1/usr" ]; then
	write_through "$T/m1"
	check_eq "nothing written outside through the aliases" "$outer" \
		"$(find "$O" | sort)"
fi
umount_view "$T/m1"
# Same with a relative escape.
B=$T/usr-rel
mkdir -p "$B"
ln -s ../outside "$B/usr"
mount_view "$B" "$T/m2" || fail "mount usr-rel"
check "relative usr shown as a symlink" test -L "$T/m2/usr"
check_eq "relative usr target unchanged" ../outside \
	"$(readlink "$T/m2/usr" 2>&1)"
if [ ! -L "$T/m2/usr" ]; then
	write_through "$T/m2"
	check_eq "nothing written outside through a relative usr link" \
		"$outer" "$(find "$O" | sort)"
fi
umount_view "$T/m2"

# bin -> outside (absolute), sbin and lib64 -> ../outside... (relative),
# usr/lib/$MA -> outside (absolute).
B=$T/split
M=$T/mnt
backing_split "$B"
rm -rf "${B:?}/bin" "${B:?}/sbin" "${B:?}/usr/lib/$MA" "${B:?}/lib64"
ln -s "$O/bin" "$B/bin"
ln -s ../outside/sbin "$B/sbin"
ln -s "$O/lib/$MA" "$B/usr/lib/$MA"
ln -s ../outside "$B/lib64"
ln -s /etc "$B/usr/bin/escape"
ln -s ../../../../../../../../etc "$B/usr/bin/escape-rel"
mount_view "$B" "$M" || fail "mount split"
check_fails "outside bin files not in usr/bin" \
	test -e "$M/usr/bin/outside-bin"
check_fails "outside bin files not listed" has_name "$M/usr/bin" outside-bin
check_fails "outside sbin files not in usr/sbin (relative)" \
	test -e "$M/usr/sbin/outside-sbin"
check_fails "outside files not in usr/lib64 (relative, ..)" \
	has_name "$M/usr/lib64" outside-direct
check_fails "outside SECRET not in usr/lib64" test -e "$M/usr/lib64/SECRET"
check "usr/bin/usr-b still there" test -f "$M/usr/bin/usr-b"
# The canonical usr/lib/$MA is itself a symlink to outside: it is shown
# as that symlink, never merged with lib/$MA as a directory.
check "usr/lib/$MA shown as a symlink" test -L "$M/usr/lib/$MA"
check_eq "usr/lib/$MA target unchanged" "$O/lib/$MA" \
	"$(readlink "$M/usr/lib/$MA" 2>&1)"
check_fails "the daemon does not list outside-lib under lib/$MA" \
	sh -c "ls -f '$M/usr/lib/' | grep -qx outside-lib"
check_eq "escape symlinks shown as symlinks" "/etc" \
	"$(readlink "$M/usr/bin/escape" 2>&1)"
check "relative escape shown as a symlink" test -L "$M/usr/bin/escape-rel"
check_eq "aliases still symlinks" usr/bin "$(readlink "$M/bin" 2>&1)"
check_fails "creating through bin/ does not write outside" \
	sh -c "touch '$M/bin/created' 2>/dev/null; test -e '$O/bin/created'"
check_fails "creating through usr/lib64 does not write outside" \
	sh -c "touch '$M/usr/lib64/created' 2>/dev/null; test -e '$O/created'"
umount_view "$M"
check "outside untouched" test -f "$O/bin/outside-bin" -a -f "$O/SECRET"
check_eq "outside has no new files" "$outer" "$(find "$O" | sort)"
finish
