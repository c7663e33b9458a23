#!/bin/sh
# View rule 2: a canonical directory shows the union of the backing's
# canonical and alias directories, recursively; identical entries once.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/backings.sh"
need_fuse
view_watchdog 120

# expect_names DESC DIR NAME...: DIR lists exactly NAMEs (plus . and ..).
expect_names()
{
	_desc=$1
	_dir=$2
	shift 2
	_want=$(printf '%s\n' . .. "$@" | sort)
	_got=$(ls -f "$_dir" 2>&1 | sort)
	check_eq "$_desc" "$_want" "$_got"
}

B=$T/split
M=$T/mnt-split
backing_split "$B"
mount_view "$B" "$M" || fail "mount split"
expect_names "split: usr/bin is the union" "$M/usr/bin" bin-a usr-b same
expect_names "split: bin (alias spelling) is the union" "$M/bin/" \
	bin-a usr-b same
expect_names "split: usr/sbin is the union" "$M/usr/sbin" \
	sbin-only usr-sbin-only
expect_names "split: usr/lib/$MA merges lib/$MA" "$M/usr/lib/$MA" \
	libalias.so.1 libcanon.so.1 sub
expect_names "split: merged recursively (sub)" "$M/usr/lib/$MA/sub" \
	deep-alias deep-canon
expect_names "split: usr/lib64 merges lib64" "$M/usr/lib64" \
	ld-alias ld-canon
expect_names "split: usr/lib has one $MA" "$M/usr/lib" "$MA"
check_eq "split: alias-side file content" "alias side bin-a" \
	"$(cat "$M/usr/bin/bin-a" 2>&1)"
check_eq "split: deep alias-side file via lib spelling" "alias side deep" \
	"$(cat "$M/lib/$MA/sub/deep-alias" 2>&1)"
check_eq "split: deep canonical file via lib spelling" \
	"canonical side deep" "$(cat "$M/lib/$MA/sub/deep-canon" 2>&1)"
check_eq "split: ld-alias via /lib64 spelling" "alias side lib64" \
	"$(cat "$M/lib64/ld-alias" 2>&1)"
for d in usr/bin usr/sbin "usr/lib/$MA" "usr/lib/$MA/sub" usr/lib64; do
	check "split: no duplicate names in $d" names_once "$M/$d"
done
# find walks the view without following the alias symlinks: every file
# exactly once, at its canonical path.
got=$(cd "$M" && find . -path ./var -prune -o -type f -print | sort)
want=$(printf '%s\n' ./etc/hostname ./usr/bin/bin-a ./usr/bin/same \
	./usr/bin/usr-b ./usr/lib/$MA/libalias.so.1 \
	./usr/lib/$MA/libcanon.so.1 ./usr/lib/$MA/sub/deep-alias \
	./usr/lib/$MA/sub/deep-canon ./usr/lib64/ld-alias \
	./usr/lib64/ld-canon ./usr/sbin/sbin-only \
	./usr/sbin/usr-sbin-only | sort)
check_eq "split: find lists every file once, canonically" "$want" "$got"
check_eq "split: find sees the aliases as symlinks" \
	"$(printf './%s\n' $ALIASES | sort)" \
	"$(cd "$M" && find . -maxdepth 1 -type l | sort)"
check "split: stat of an alias-side file via usr" test -f "$M/usr/sbin/sbin-only"
check_fails "split: no such file stays ENOENT" test -e "$M/usr/bin/nope"
umount_view "$M"
check "split: backing alias side kept" test -f "$B/bin/bin-a"
check_fails "split: nothing copied to the canonical side" \
	test -e "$B/usr/bin/bin-a"

B=$T/half
M=$T/mnt-half
backing_half "$B"
mount_view "$B" "$M" || fail "mount half"
expect_names "half: usr/bin" "$M/usr/bin" usr-b
expect_names "half: usr/lib/$MA merges the real lib/$MA" "$M/usr/lib/$MA" \
	libalias.so.1 libcanon.so.1
expect_names "half: usr/lib64 shows the real lib64" "$M/usr/lib64" ld-alias
check "half: no duplicates in usr/lib/$MA" names_once "$M/usr/lib/$MA"
umount_view "$M"

B=$T/merged
M=$T/mnt-merged
backing_merged "$B"
mount_view "$B" "$M" || fail "mount merged"
expect_names "merged: usr/bin" "$M/usr/bin" usr-b
expect_names "merged: usr/lib/$MA" "$M/usr/lib/$MA" libcanon.so.1
expect_names "merged: bin/ spelling" "$M/bin/" usr-b
check_eq "merged: content" "canonical side usr-b" \
	"$(cat "$M/bin/usr-b" 2>&1)"
umount_view "$M"

B=$T/empty
M=$T/mnt-empty
backing_empty "$B"
mount_view "$B" "$M" || fail "mount empty"
check_eq "empty: the root lists the aliases and nothing else (but usr)" \
	"$(printf '%s\n' . .. $ALIASES | sort)" "$(ls -f "$M" | grep -vx usr |
		sort)"
umount_view "$M"
finish
