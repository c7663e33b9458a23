#!/bin/sh
# The dpkg database view itself: what a list reads as through the view
# and in the backing, stat and read agreeing, writing a presented list in
# place, bad input (garbage, no final newline), the dpkgdb= policies, and
# the claims surviving a remount.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/dpkg-scenarios.sh"
dpkg_test_start 120
{
	mkpkg "$P" a 1 /bin/foo /usr/share/doc/a/x &&
		mkpkg "$P" b 1 /usr/bin/foo "Replaces: a (<< 2)" \
			"Breaks: a (<< 2)" &&
		mkpkg "$P" a 2 /usr/share/doc/a/x &&
		mkpkg "$P" t 1 /bin/test
} || fail "building the packages"

view_root v || fail "mount"
L=var/lib/dpkg/info/a.list
D "$ROOT" -i "$P/a_1.deb" || fail "dpkg -i a 1: $(cat "$T/dpkg.out")"

# Presented with both spellings; the backing keeps what dpkg wrote.
check "view: /bin/foo listed" grep -qx /bin/foo "$ROOT/$L"
check "view: /usr/bin/foo listed" grep -qx /usr/bin/foo "$ROOT/$L"
check_fails "view: the /bin alias itself is not listed" \
	grep -qx /bin "$ROOT/$L"
check "backing: /bin/foo as dpkg wrote it" grep -qx /bin/foo "$BK/$L"
check_fails "backing: no /usr/bin/foo added" grep -qx /usr/bin/foo "$BK/$L"
check_eq "stat size = bytes read" "$(wc -c <"$ROOT/$L")" \
	"$(stat -c %s "$ROOT/$L")"
check_eq "stat size stays right after a read" "$(wc -c <"$ROOT/$L")" \
	"$(stat -c %s "$ROOT/$L")"
check_eq "ls -l agrees" "$(stat -c %s "$ROOT/$L")" \
	"$(ls -l "$ROOT/$L" | awk '{ print $5 }')"

# A transfer changes the presentation: stat and read follow at once.
D "$ROOT" --auto-deconfigure -i "$P/b_1.deb"
check_fails "after b took /usr/bin/foo: a no longer lists it" \
	grep -qx /usr/bin/foo "$ROOT/$L"
check_eq "after the transfer: stat size = bytes read" \
	"$(wc -c <"$ROOT/$L")" "$(stat -c %s "$ROOT/$L")"
check "backing still has /bin/foo as dpkg wrote it" \
	grep -qx /bin/foo "$BK/$L"
# The claims changed what the list shows, not its backing: the list's
# modification time moves on, so a kernel that keeps its pages drops them
# even when the size happens to stay the same.
check "after the transfer: the list is newer than its backing" \
	awk -v v="$(stat -c %.9Y "$ROOT/$L")" -v b="$(stat -c %.9Y "$BK/$L")" \
	'BEGIN { exit !(v > b) }'

# The claims survive a remount.
umount_view "$ROOT" || fail "unmount"
mount_view "$BK" "$ROOT" || fail "remount"
# A fresh mount lists info/ with attributes (READDIRPLUS): what ls -l shows
# for a list is its presented size, not its backing's.
listed=$(ls -l "$ROOT/var/lib/dpkg/info/" | awk '$NF == "a.list" { print $5 }')
check_eq "remounted: ls -l of info/ shows the presented size" \
	"$(wc -c <"$ROOT/$L")" "$listed"
check_fails "the backing size differs (so the check above can tell)" \
	test "$(wc -c <"$BK/$L")" = "$listed"
check_fails "remounted: a still does not list /usr/bin/foo" \
	grep -qx /usr/bin/foo "$ROOT/$L"
D "$ROOT" -i "$P/a_2.deb"
check_eq "remounted: a 2 leaves b's file" "b 1 /usr/bin/foo" \
	"$(content "$BK/usr/bin/foo")"

# Writing a presented list in place works on the backing content (the
# content written is what the backing holds) and is learned from like
# dpkg's own rename.
printf '/.\n/bin/w\n' >"$ROOT/var/lib/dpkg/info/w.list"
printf '/.\n/bin/w\n' >"$T/w.want"
check "written in place: backing has exactly the bytes" \
	cmp -s "$T/w.want" "$BK/var/lib/dpkg/info/w.list"
check_eq "written in place: presented with both spellings" \
	"$(printf '/.\n/usr/bin/w\n/bin/w\n')" \
	"$(cat "$ROOT/var/lib/dpkg/info/w.list")"
printf '/usr/bin/w2\n' >>"$ROOT/var/lib/dpkg/info/w.list"
printf '/usr/bin/w2\n' >>"$T/w.want"
check "appended: the backing grew by exactly the appended bytes" \
	cmp -s "$T/w.want" "$BK/var/lib/dpkg/info/w.list"
check "appended: presented with both spellings" \
	grep -qx /bin/w2 "$ROOT/var/lib/dpkg/info/w.list"

# Bad input: garbage and no final newline stay readable, dpkg keeps
# working, nothing is lost from the backing.
printf 'garbage \001 line\n\n/bin/g' >"$BK/var/lib/dpkg/info/g.list"
check_eq "garbage: passes through, final newline added" \
	"$(printf 'garbage \001 line\n\n/usr/bin/g\n/bin/g\n')" \
	"$(cat "$ROOT/var/lib/dpkg/info/g.list")"
check_eq "garbage: backing untouched" \
	"$(printf 'garbage \001 line\n\n/bin/g')" \
	"$(cat "$BK/var/lib/dpkg/info/g.list")"
check "garbage: dpkg -S still answers" \
	sh -c "dpkg --root='$ROOT' -S /usr/bin/foo | grep -q '^b:'"
rm -f "$ROOT/var/lib/dpkg/info/g.list"
check_fails "unlinked through the view" test -e "$BK/var/lib/dpkg/info/g.list"

# A list without its final newline, written through the view: dpkg
# reads it fine; on a plain directory dpkg refuses the whole database.
D "$ROOT" -i "$P/t_1.deb"
printf '/.\n/bin\n/bin/test' >"$ROOT/var/lib/dpkg/info/t.list"
check_eq "no final newline: dpkg -S answers through the view" "t" \
	"$(owner "$ROOT" /usr/bin/test)"
_v=$ROOT _vb=$BK
plain_root nl
D "$ROOT" -i "$P/t_1.deb"
printf '/.\n/bin\n/bin/test' >"$ROOT/var/lib/dpkg/info/t.list"
check_fails "no final newline: plain merged dpkg refuses" \
	dpkg-query --admindir="$ROOT/var/lib/dpkg" -S /bin/test
check "no final newline: ... with dpkg's message" sh -c \
	"dpkg-query --admindir='$ROOT/var/lib/dpkg' -S /bin/test 2>&1 |
		grep -q 'missing final newline'"
ROOT=$_v BK=$_vb

# dpkg's other files show through unchanged.
check_eq "status file as the backing has it" \
	"$(cat "$BK/var/lib/dpkg/status")" "$(cat "$ROOT/var/lib/dpkg/status")"
umount_view "$ROOT" || fail "unmount"

# dpkgdb=raw: the database as the backing has it.
mount_view "$BK" "$ROOT" -o dpkgdb=raw || fail "mount raw"
check_eq "raw: a list reads as the backing" "$(cat "$BK/$L")" \
	"$(cat "$ROOT/$L")"
umount_view "$ROOT" || fail "unmount raw"

# ro: presented, never written.
mount_view "$BK" "$ROOT" -o ro || fail "mount ro"
check "ro: presented" grep -qx /usr/bin/w "$ROOT/var/lib/dpkg/info/w.list"
umount_view "$ROOT" || fail "unmount ro"

# A bad policy is refused before mounting, with a clear message.
mkdir -p "$T/m-bad"
check_fails "dpkgdb=bogus refused" aliasfs -o dpkgdb=bogus "$BK" "$T/m-bad"
check "dpkgdb=bogus: the message names the policies" \
	sh -c "aliasfs -o dpkgdb=bogus '$BK' '$T/m-bad' 2>&1 |
		grep -q 'claims or raw'"
check_fails "dpkgdb=bogus: nothing mounted" is_mounted "$T/m-bad"
check "--help documents dpkgdb" sh -c "aliasfs --help | grep -q dpkgdb="

[ "$_lib_failed" -eq 0 ] || show_log
finish
