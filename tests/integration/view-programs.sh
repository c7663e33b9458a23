#!/bin/sh
# Real programs through the view: tar extracting a .deb's data member,
# cp -a of a tree into and out of the view (content, modes, owners,
# times, symlinks, hard links, xattrs compared), find.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/backings.sh"
. "$top_srcdir/tests/integration/fixtures/mkdeb.sh"
need_fuse
view_watchdog 200

make_deb "$T/a.deb" pkga 1.0 /bin/foo /sbin/sfoo /usr/bin/bar \
	"/lib/$MA/libfoo.so.1" /lib64/ld-foo.so /usr/share/doc/pkga/copyright ||
	fail "dpkg-deb -b"

for kind in empty split merged; do
	B=$T/$kind
	M=$T/mnt-$kind
	"backing_$kind" "$B"
	mount_view "$B" "$M" || { fail "$kind: mount"; continue; }
	# --keep-directory-symlink: what any unpacker must do on a merged
	# system (dpkg does the same by itself).
	if dpkg-deb --fsys-tarfile "$T/a.deb" |
		tar -x --keep-directory-symlink -C "$M" 2>"$T/tar.err"; then
		ok "$kind: tar -x of the .deb"
	else
		fail "$kind: tar -x: $(cat "$T/tar.err")"
	fi
	for p in bin/foo sbin/sfoo "lib/$MA/libfoo.so.1" lib64/ld-foo.so; do
		check_eq "$kind: /$p landed at usr/$p" "pkga /$p" \
			"$(cat "$B/usr/$p" 2>&1)"
		check_eq "$kind: /$p readable via the alias" "pkga /$p" \
			"$(cat "$M/$p" 2>&1)"
	done
	check_eq "$kind: usr/bin/bar" "pkga /usr/bin/bar" \
		"$(cat "$B/usr/bin/bar" 2>&1)"
	check_eq "$kind: mode kept" 755 "$(stat -c %a "$B/usr/bin/foo" 2>&1)"
	case $kind in
	empty)
		for a in bin sbin lib lib64; do
			check_fails "empty: no backing $a made" test -e "$B/$a"
		done ;;
	split)
		check_fails "split: nothing in the backing's bin" \
			test -e "$B/bin/foo" ;;
	esac
	check_eq "$kind: aliases intact after tar" usr/bin \
		"$(readlink "$M/bin" 2>&1)"
	check_eq "$kind: find -name foo" ./usr/bin/foo \
		"$(cd "$M" && find . -name foo)"
	umount_view "$M"
done

# A source tree with every kind of entry cp -a preserves.
S=$T/src
mkdir -p "$S/d/e"
put "$S/file" "file"
put "$S/d/e/deep" "deep"
chmod 0640 "$S/file"
chmod 2775 "$S/d"
ln -s ../file "$S/d/rel-link"
ln "$S/file" "$S/d/hard"
mkfifo "$S/fifo"
setfattr -n user.kind -v tree "$S/file" 2>/dev/null
touch -h -d '1999-12-31 23:59:59.987654321 UTC' "$S/d/rel-link"
touch -d '2000-06-01 12:00:00.111111111 UTC' "$S/d/e/deep" "$S/d"
if is_root; then
	chown 1001:1002 "$S/d/e/deep"
	chown -h 1003:1004 "$S/d/rel-link"
fi

# snapshot DIR: one line per entry with everything cp -a keeps.
snapshot()
{
	(cd "$1" && find . -printf '%p %y %m %U:%G %s %T@ %n %l\n' |
		sed 's/^\. d [0-9]* [0-9:]* [0-9]* [0-9.]* /. d /' | sort)
	(cd "$1" && getfattr -R --no-dereference -d -m '^user\.' . 2>/dev/null)
}

B=$T/cp-split
M=$T/mnt-cp
backing_split "$B"
mount_view "$B" "$M" || fail "cp: mount"
check "cp -a into the view (alias spelling)" cp -a "$S" "$M/lib/tree"
# (diff -r refuses to compare fifos; snapshot covers the fifo.)
check "diff -r source and view" diff -r -x fifo "$S" "$M/usr/lib/tree"
check_eq "cp -a kept everything (in the view)" "$(snapshot "$S")" \
	"$(snapshot "$M/usr/lib/tree")"
check_eq "cp -a kept everything (in the backing)" "$(snapshot "$S")" \
	"$(snapshot "$B/usr/lib/tree")"
check "cp -a out of the view" cp -a "$M/lib/tree" "$T/out"
check "diff -r view and copy" diff -r -x fifo "$S" "$T/out"
check_eq "cp -a out kept everything" "$(snapshot "$S")" \
	"$(snapshot "$T/out")"
check "cp -a of a merged dir out of the view" \
	cp -a "$M/usr/lib/$MA" "$T/out-ma"
check_eq "copy of the merged dir has both sides' files" \
	"libalias.so.1 libcanon.so.1 sub" "$(ls "$T/out-ma" | tr '\n' ' ' |
		sed 's/ $//')"
check "diff -r merged dir" diff -r "$M/usr/lib/$MA" "$T/out-ma"
umount_view "$M"
finish
