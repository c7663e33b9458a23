#!/bin/sh
# The parent directory's mtime and ctime change through the view exactly
# when they change natively, after every directory operation made through
# an alias (lib/tt/x, with usr/lib/tt/x as the other spelling): create,
# mkdir, mknod, symlink, link, unlink, rmdir, rename within and across
# directories, on entries the backing has on the canonical side, on the
# alias side only or on both; and operations that leave the parent alone.
# As root and as uid 65534. What is compared is "changed or not".
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/backings.sh"
need_fuse
view_watchdog 180
is_root || skip "needs root (trees owned by uid 65534)"
command -v setpriv >/dev/null || skip "setpriv missing"

chmod 0755 "$T"
cp "$FIX/dirtimes.py" "$T/dirtimes.py"
chmod 0644 "$T/dirtimes.py"

# native_tree DIR UID: a merged tree as dirtimes.py wants it.
native_tree()
{
	mkdir -p "$1/usr/lib/tt/a-dir" "$1/usr/lib/tt/a-dir2" \
		"$1/usr/lib/tt/a-dir4" \
		"$1/usr/sbin/tt2" "$1/usr/lib/only"
	ln -s usr/lib "$1/lib"
	ln -s usr/sbin "$1/sbin"
	for f in c-file a-file a-file4 a-file5 a-file6 both; do
		put "$1/usr/lib/tt/$f" "$f"
	done
	chown -R "$2:$2" "$1/usr/lib/tt" "$1/usr/sbin/tt2" "$1/usr/lib/only"
}

# split_tree DIR UID: the same as a split backing: c-file on the
# canonical side, a-file, a-file4 and the directories on the alias side
# only, both on both sides; tt2 on both sides; only/ on the alias side.
split_tree()
{
	mkdir -p "$1/usr/lib/tt" "$1/lib/tt/a-dir" "$1/lib/tt/a-dir2" \
		"$1/lib/tt/a-dir4" \
		"$1/usr/sbin/tt2" "$1/sbin/tt2" "$1/lib/only"
	put "$1/usr/lib/tt/c-file" c-file
	put "$1/lib/tt/a-file" a-file
	put "$1/lib/tt/a-file4" a-file4
	put "$1/lib/tt/a-file5" a-file5
	put "$1/lib/tt/a-file6" a-file6
	put "$1/usr/lib/tt/both" both
	put "$1/lib/tt/both" both
	chown -R "$2:$2" "$1/usr/lib/tt" "$1/lib/tt" "$1/usr/sbin/tt2" \
		"$1/sbin/tt2" "$1/lib/only"
}

# run UID ROOT: dirtimes.py over ROOT as UID.
run()
{
	: >"$T/scratch-$1"
	chown "$1" "$T/scratch-$1"
	setpriv --reuid="$1" --regid="$1" --clear-groups \
		sh -c "exec python3 '$T/dirtimes.py' '$2' '$T/scratch-$1'" 2>&1
}

for u in 0 65534; do
	N=$T/native-$u
	B=$T/backing-$u
	M=$T/mnt-$u
	native_tree "$N" "$u"
	split_tree "$B" "$u"
	mount_view "$B" "$M" || fail "mount"
	want=$(run "$u" "$N")
	check "uid $u: native ran every operation" \
		test "$(echo "$want" | grep -c ' OK ')" -ge 20
	check "uid $u: native: an unlink changes the parent" sh -c \
		"echo '$want' | grep -qx 'unlink OK lib/tt m=changed c=changed'"
	check "uid $u: native: a chmod of a child does not" sh -c \
		"echo '$want' | grep -qx 'chmod-child OK lib/tt m=same c=same'"
	got=$(run "$u" "$M")
	check_eq "uid $u: parent times as native" "$want" "$got"
	umount_view "$M"
done
finish
