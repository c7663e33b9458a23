#!/bin/sh
# aliasctl compare: two copies of a hand-made tree holding every kind of
# entry are equal; each kind of difference made in one copy is found, as
# exactly the item expected (text and JSON); canonical paths make a split
# and a merged tree hold the same paths; exclusions, mtimes with clamping,
# a tree's own database, a mounted view, and the exit codes.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/backings.sh"
. "$top_srcdir/tests/integration/aliasctl-helpers.sh"

command -v python3 >/dev/null 2>&1 || skip "python3 is needed to parse JSON"

# The reference tree: merged layout, every file type, a hard-link pair,
# an extended attribute, set-ID and sticky bits.
REF=$T/ref
mkdir -p "$REF/usr/bin" "$REF/usr/sbin" "$REF/usr/lib/$MA/sub" \
	"$REF/usr/lib64" "$REF/etc/deep/er" "$REF/var/log/apt" "$REF/dev" \
	"$REF/tmp"
for a in bin sbin lib lib64; do
	ln -s "usr/$a" "$REF/$a"
done
put "$REF/usr/bin/ls" "ls binary"
put "$REF/usr/bin/same-size" "abcdef"
put "$REF/usr/sbin/tool" "tool"
put "$REF/usr/lib/$MA/libc.so.6" "libc"
put "$REF/usr/lib/$MA/sub/deep" "deep"
put "$REF/etc/deep/er/file" "deeper"
put "$REF/etc/hostname" "ref"
put "$REF/var/log/dpkg.log" "2025-01-01 install"
put "$REF/var/log/apt/history.log" "Start-Date: 2025-01-01"
ln -s ../lib/$MA/libc.so.6 "$REF/usr/bin/libc-link"
ln "$REF/usr/bin/ls" "$REF/usr/bin/dir"
mkfifo "$REF/usr/lib/fifo"
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
	"$REF/usr/lib/sock"
xattrs=0
if setfattr -n user.test -v value "$REF/usr/sbin/tool" 2>/dev/null; then
	xattrs=1
fi
devices=0
if is_root; then
	mknod "$REF/dev/null" c 1 3 && mknod "$REF/dev/loop0" b 7 0 &&
		devices=1
	chown 0:0 -R "$REF"
fi
# after chown, which clears set-ID bits
chmod 4755 "$REF/usr/bin/ls"
chmod 1777 "$REF/tmp"

# copy NAME: a fresh copy of the reference at $T/NAME, every attribute kept.
copy()
{
	rm -rf "${T:?}/$1"
	cp -a "$REF" "$T/$1"
}

# items JSON: "KIND PATH A | B" a line from compare's JSON.
items()
{
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["differences"] == len(d["items"]), d
assert d["equal"] == (not d["items"]), d
assert sum(d["counts"].values()) == len(d["items"]), d
for i in d["items"]:
    print(i["kind"], i["path"], i["a"], "|", i["b"])
' "$1"
}

# one_diff DESC NAME EXPECTED [compare options]: comparing the reference
# with copy NAME finds exactly EXPECTED (as printed by items), exit 1, and
# the text output says the same in one line per difference.
one_diff()
{
	_d=$1
	_n=$2
	_want=$3
	shift 3
	run aliasctl compare --json "$@" "$REF" "$T/$_n"
	check_rc "$_d: exit 1" 1
	printf '%s\n' "$out" >"$T/$_n.json"
	check_eq "$_d: found" "$_want" "$(items "$T/$_n.json")"
	run aliasctl compare "$@" "$REF" "$T/$_n"
	check_rc "$_d: text: exit 1" 1
	check_eq "$_d: text: one line per difference and a summary" \
		$(($(printf '%s\n' "$_want" | wc -l) + 1)) \
		"$(printf '%s\n' "$out" | wc -l)"
}

# Equal copies.
copy same
run aliasctl compare "$REF" "$T/same"
check_rc "an exact copy: exit 0" 0
check_has "an exact copy: equal" "equal: " "$out"
run aliasctl compare --json "$REF" "$T/same"
check_rc "an exact copy, JSON: exit 0" 0
printf '%s\n' "$out" >"$T/same.json"
check_eq "an exact copy, JSON: no item" "" "$(items "$T/same.json")"
run aliasctl compare "$REF" "$REF"
check_rc "a tree with itself: exit 0" 0

# Every kind of difference, one at a time.
copy gone
rm "$T/gone/usr/sbin/tool"
one_diff "a file only in A" gone "only-a /usr/sbin/tool regular file | None"

copy gonedir
rm -r "$T/gonedir/etc/deep"
one_diff "a directory only in A: one item, its content counted" gonedir \
	"only-a /etc/deep directory, 2 entries below | None"

copy extra
put "$T/extra/etc/new" "new"
mkdir "$T/extra/opt"
ln -s nowhere "$T/extra/opt/dangling"
one_diff "files only in B" extra "only-b /etc/new None | regular file
only-b /opt None | directory, 1 entry below"

copy type
rm "$T/type/etc/hostname"
ln -s ref "$T/type/etc/hostname"
one_diff "a file became a symlink" type \
	"type /etc/hostname regular file | symlink -> ref"

copy typedir
rm -r "$T/typedir/etc/deep"
put "$T/typedir/etc/deep" "a file now"
one_diff "a directory became a file: its content is not listed" typedir \
	"type /etc/deep directory, 2 entries below | regular file"

copy mode
chmod 0755 "$T/mode/usr/bin/ls"
one_diff "set-user-ID bit dropped (on both links of the file)" mode \
	"mode /usr/bin/dir 4755 | 0755
mode /usr/bin/ls 4755 | 0755"

copy sticky
chmod 0777 "$T/sticky/tmp"
one_diff "sticky bit dropped on a directory" sticky "mode /tmp 1777 | 0777"

if is_root; then
	copy owner
	chown 1234 "$T/owner/usr/lib/$MA/libc.so.6"
	one_diff "owner" owner "owner /usr/lib/$MA/libc.so.6 0 | 1234"
	copy group
	chgrp 4321 "$T/group/etc"
	one_diff "group of a directory" group "group /etc 0 | 4321"
fi

copy target
ln -sfn ../lib/$MA/libother "$T/target/usr/bin/libc-link"
one_diff "symlink target" target \
	"target /usr/bin/libc-link ../lib/$MA/libc.so.6 | ../lib/$MA/libother"

copy bytes
printf 'abcdeF\n' >"$T/bytes/usr/bin/same-size"
sum_a=$(sha256sum <"$REF/usr/bin/same-size" | cut -d' ' -f1)
sum_b=$(sha256sum <"$T/bytes/usr/bin/same-size" | cut -d' ' -f1)
one_diff "content, same size" bytes "content /usr/bin/same-size sha256:$sum_a, 7 bytes | sha256:$sum_b, 7 bytes"

copy size
printf 'more\n' >>"$T/size/etc/deep/er/file"
sum_a=$(sha256sum <"$REF/etc/deep/er/file" | cut -d' ' -f1)
sum_b=$(sha256sum <"$T/size/etc/deep/er/file" | cut -d' ' -f1)
one_diff "content, other size" size "content /etc/deep/er/file sha256:$sum_a, 7 bytes | sha256:$sum_b, 12 bytes"

if [ "$devices" = 1 ]; then
	copy dev
	rm "$T/dev/dev/null"
	mknod "$T/dev/dev/null" c 1 5
	one_diff "device number" dev "device /dev/null 1:3 | 1:5"
	copy devtype
	rm "$T/devtype/dev/loop0"
	mknod "$T/devtype/dev/loop0" c 7 0
	one_diff "block became character device" devtype \
		"type /dev/loop0 block device 7:0 | character device 7:0"
fi

copy fifo
rm "$T/fifo/usr/lib/fifo"
put "$T/fifo/usr/lib/fifo" ""
one_diff "a fifo became a file" fifo "type /usr/lib/fifo fifo | regular file"

copy link
cp -p "$T/link/usr/bin/dir" "$T/link/dir.tmp"
mv "$T/link/dir.tmp" "$T/link/usr/bin/dir"
one_diff "a hard link broken, same content and attributes" link \
	"hardlink /usr/bin/dir hard links: /usr/bin/dir, /usr/bin/ls | not hard-linked
hardlink /usr/bin/ls hard links: /usr/bin/dir, /usr/bin/ls | not hard-linked"

copy link2
ln "$T/link2/usr/sbin/tool" "$T/link2/usr/sbin/tool2"
cp -a "$T/link2/usr/sbin/tool" "$REF/usr/sbin/tool2"
one_diff "a new hard link to an existing file" link2 \
	"hardlink /usr/sbin/tool not hard-linked | hard links: /usr/sbin/tool, /usr/sbin/tool2
hardlink /usr/sbin/tool2 not hard-linked | hard links: /usr/sbin/tool, /usr/sbin/tool2"
rm "$REF/usr/sbin/tool2"

if [ "$xattrs" = 1 ]; then
	copy xattr
	setfattr -n user.test -v other "$T/xattr/usr/sbin/tool"
	setfattr -n user.bin -v 0x00ff "$T/xattr/etc/hostname"
	one_diff "extended attributes" xattr \
		'xattr /etc/hostname none | user.bin=0x00ff
xattr /usr/sbin/tool user.test="value" | user.test="other"'
	run aliasctl compare --no-xattrs "$REF" "$T/xattr"
	check_rc "--no-xattrs: equal" 0
fi

# Modification times: ignored unless asked; clamped.
copy mtime
touch -d @1000000000 "$REF/etc/hostname"
touch -d @1000000500 "$T/mtime/etc/hostname"
run aliasctl compare "$REF" "$T/mtime"
check_rc "mtimes are not compared by default" 0
one_diff "--mtimes" mtime \
	"mtime /etc/hostname 1000000000.000000000 | 1000000500.000000000" \
	--mtimes --clamp-mtime 2000000000
run aliasctl compare --mtimes --clamp-mtime 1000000000 "$REF" "$T/mtime"
check_rc "--clamp-mtime: both later than the clamp: equal" 0
run env SOURCE_DATE_EPOCH=999999999 aliasctl compare --mtimes "$REF" \
	"$T/mtime"
check_rc "SOURCE_DATE_EPOCH clamps like --clamp-mtime" 0
run env SOURCE_DATE_EPOCH=1000000100 aliasctl compare --mtimes "$REF" \
	"$T/mtime"
check_rc "SOURCE_DATE_EPOCH between the two: different" 1
check_has "clamped time shown" "1000000100.000000000" "$out"

# Exclusions.
copy excl
put "$T/excl/var/log/dpkg.log" "2026-12-02 install"
put "$T/excl/var/log/apt/term.log" "today"
put "$T/excl/etc/deep/er/file" "changed"
put "$T/excl/usr/bin/foo.pyc" "cache"
run aliasctl compare --exclude /var/log --exclude /etc/deep \
	--exclude '*.pyc' "$REF" "$T/excl"
check_rc "--exclude of directories and of a name: equal" 0
run aliasctl compare --exclude /var/log "$REF" "$T/excl"
check_rc "--exclude of part of the differences: different" 1
check_has "--exclude of part: the rest found" "/etc/deep/er/file" "$out"
run aliasctl compare --bootstrap-excludes --exclude '*.pyc' \
	--exclude /etc/deep "$REF" "$T/excl"
check_rc "--bootstrap-excludes covers the logs" 0

# Canonical paths: a split copy holds the same paths as the merged tree;
# only the alias entries themselves differ.
copy split
for a in bin sbin; do
	rm "$T/split/$a"
	mkdir "$T/split/$a"
done
mv "$T/split/usr/bin/ls" "$T/split/usr/bin/dir" "$T/split/bin/"
mv "$T/split/usr/sbin/tool" "$T/split/sbin/"
one_diff "split copy: only the alias entries differ" split \
	"type /bin symlink -> usr/bin | directory
type /sbin symlink -> usr/sbin | directory"
run aliasctl compare --literal "$REF" "$T/split"
check_rc "--literal: the moved files differ" 1
check_has "--literal: /bin holds the files" \
	"type       /bin: symlink -> usr/bin | directory, 2 entries below" \
	"$out"
check_has "--literal: /usr/bin/ls only in A" "only-a     /usr/bin/ls: " \
	"$out"

# The same name on both sides of a split tree: identical is one entry,
# differing is reported as shadowed (the canonical one is compared).
put "$T/split/bin/same-size" "abcdef"
run aliasctl compare "$REF" "$T/split"
check_rc "identical second spelling: counted once" 1
check_eq "identical second spelling: still only the alias entries" 3 \
	"$(printf '%s\n' "$out" | wc -l)"
put "$T/split/bin/same-size" "other"
run aliasctl compare --json "$REF" "$T/split"
printf '%s\n' "$out" >"$T/shadow.json"
check_eq "differing second spelling: shadowed-b" \
	"shadowed-b /usr/bin/same-size None | /bin/same-size" \
	"$(items "$T/shadow.json" | grep shadowed)"
run aliasctl compare "$T/split" "$REF"
check_has "... and shadowed-a the other way round" \
	"shadowed-a /usr/bin/same-size: /bin/same-size" "$out"
rm "$T/split/bin/same-size"

# A real alias directory with no canonical one stands for it.
copy alone
rm "$T/alone/sbin"
mv "$T/alone/usr/sbin" "$T/alone/sbin"
one_diff "usr/sbin only as /sbin: same paths" alone \
	"type /sbin symlink -> usr/sbin | directory"
run aliasctl compare --exclude /sbin "$REF" "$T/alone"
check_rc "excluding the alias entry keeps what is below it: equal" 0

# A tree's own database decides its aliases: with none, /bin is a plain
# directory and its files are at /bin.
backing_db "$T/split" --empty
run aliasctl compare --exclude /var/lib "$REF" "$T/split"
check_rc "split copy with an empty database: different" 1
check_has "empty database: /usr/bin/ls only in A" \
	"only-a     /usr/bin/ls: " "$out"
check_has "empty database: /bin is a directory with its files" \
	"type       /bin: symlink -> usr/bin | directory, 2 entries below" \
	"$out"
run aliasctl compare --arch amd64 --exclude /var/lib "$REF" \
	"$T/split"
check_eq "--arch amd64 overrides the database" \
	"type       /bin: symlink -> usr/bin | directory
type       /sbin: symlink -> usr/sbin | directory" \
	"$(printf '%s\n' "$out" | head -n 2)"
rm -rf "$T/split/var/lib"

# A mounted view of the split copy equals the merged tree (which gets
# the biarch aliases and their directories, as the view shows them).
if [ -c /dev/fuse ] && command -v fusermount3 >/dev/null 2>&1; then
	VIEW=$T/view
	for a in lib32 libx32; do
		ln -s "usr/$a" "$REF/$a"
		mkdir "$REF/usr/$a"
	done
	if mount_view "$T/split" "$VIEW" -o arch=amd64; then
		run aliasctl compare "$REF" "$VIEW"
		check_rc "a view of the split copy equals the merged tree" 0
		[ "$rc" = 0 ] || printf '%s\n' "$out" >&2
		umount_view "$VIEW"
	else
		fail "mount a view of the split copy"
	fi
	rm "$REF/lib32" "$REF/libx32"
	rmdir "$REF/usr/lib32" "$REF/usr/libx32"
fi

# Errors: exit 2 with a message and nothing on stdout.
check_error()
{
	_d=$1
	shift
	run "$@"
	check_rc "$_d: exit 2" 2
	check_eq "$_d: stdout empty" "" "$out"
	if [ -n "$err" ]; then
		ok "$_d: says why ($(printf '%s\n' "$err" | head -n 1))"
	else
		fail "$_d: no message"
	fi
}
check_error "a missing tree" aliasctl compare "$REF" "$T/nonexistent"
check_error "a file as a tree" aliasctl compare "$REF" "$REF/etc/hostname"
check_error "one tree only" aliasctl compare "$REF"
check_error "three trees" aliasctl compare "$REF" "$REF" "$REF"
check_error "unknown option" aliasctl compare --frobnicate "$REF" "$REF"
check_error "--clamp-mtime without --mtimes" aliasctl compare \
	--clamp-mtime 5 "$REF" "$REF"
check_error "a bad --clamp-mtime" aliasctl compare --mtimes \
	--clamp-mtime yesterday "$REF" "$REF"
check_error "a bad SOURCE_DATE_EPOCH" env SOURCE_DATE_EPOCH=x aliasctl \
	compare --mtimes "$REF" "$REF"
check_error "an empty --exclude" aliasctl compare --exclude "" "$REF" "$REF"
check_error "--literal with --arch" aliasctl compare --literal --arch amd64 \
	"$REF" "$REF"
check_error "an unknown --arch" aliasctl compare --arch nonesuch "$REF" \
	"$REF"
if ! is_root; then
	copy unreadable
	chmod 000 "$T/unreadable/etc/deep"
	check_error "an unreadable directory" aliasctl compare "$REF" \
		"$T/unreadable"
	chmod 755 "$T/unreadable/etc/deep"
fi
run aliasctl compare --help
check_rc "--help: exit 0" 0
check_has "--help lists every bootstrap exclusion with its reason" \
	"/etc/machine-id" "$out"

finish
