#!/bin/sh
# View rule 1: every active alias is a symlink to its canonical directory,
# relative, whatever the backing holds there (real directory, symlink,
# nothing, a file, a dangling absolute symlink).
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/backings.sh"
need_fuse
view_watchdog 120

# weird: the backing holds odd things at the alias names.
backing_weird()
{
	mkdir -p "$1/usr/bin" "$1/bin"
	put "$1/lib64" "a regular file where lib64 should be"
	ln -s /nonexistent/usr/lib32 "$1/lib32"
	ln -s usr/sbin "$1/libx32"
}

for kind in split half merged empty weird; do
	B=$T/$kind
	M=$T/mnt-$kind
	"backing_$kind" "$B"
	mount_view "$B" "$M" || { fail "$kind: mount"; continue; }
	for a in $ALIASES; do
		check_eq "$kind: $a is a symlink" "symbolic link" \
			"$(stat -c %F "$M/$a" 2>&1)"
		check_eq "$kind: readlink $a" "usr/$a" \
			"$(readlink "$M/$a" 2>&1)"
	done
	# (An empty backing has no usr; whether the view makes one up is
	# the daemon's choice.)
	[ "$kind" = empty ] || check_eq "$kind: usr is a directory" \
		"directory" "$(stat -c %F "$M/usr" 2>&1)"
	for a in $ALIASES; do
		check_eq "$kind: $a listed once in the root" 1 \
			"$(ls -f "$M" | grep -cxF "$a")"
	done
	check "$kind: root has no duplicate names" names_once "$M"
	umount_view "$M" || fail "$kind: unmount"
	# The backing is untouched by merely looking.
	case $kind in
	split)
		check "split: backing bin is still a directory" \
			test -d "$B/bin" -a ! -L "$B/bin" ;;
	weird)
		check "weird: backing lib64 still a file" test -f "$B/lib64"
		check_eq "weird: backing lib32 link kept" \
			/nonexistent/usr/lib32 "$(readlink "$B/lib32")" ;;
	esac
done

# With an explicit database the same holds, and the database decides:
# an empty database means no alias at all.
B=$T/split-db
backing_split "$B"
backing_db "$B" --empty
mount_view "$B" "$T/mnt-db" || fail "mount with empty db"
check "empty db: bin is the backing's real directory" \
	test -d "$T/mnt-db/bin" -a ! -L "$T/mnt-db/bin"
check "empty db: backing's bin files visible" test -f "$T/mnt-db/bin/bin-a"
check_fails "empty db: no alias symlink for lib32" test -L "$T/mnt-db/lib32"
umount_view "$T/mnt-db"

B=$T/split-db2
backing_split "$B"
aliasctl --db "$T/otherdb" init --empty >/dev/null &&
	aliasctl --db "$T/otherdb" add /lib64 /usr/lib64 >/dev/null ||
	fail "aliasctl init/add"
mount_view "$B" "$T/mnt-db2" -o "db=$T/otherdb" || fail "mount db="
check_eq "db=: lib64 alias" usr/lib64 "$(readlink "$T/mnt-db2/lib64" 2>&1)"
check "db=: bin not aliased" test -d "$T/mnt-db2/bin" -a ! -L "$T/mnt-db2/bin"
umount_view "$T/mnt-db2"
finish
