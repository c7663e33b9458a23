#!/bin/sh
# The mmdebstrap hooks (mount-helper/mmdebstrap) without mmdebstrap and
# without the network: the steps mmdebstrap takes around them are done by
# hand, as root. The setup hook mounts a view over TARGET (files written
# before it stay, aliases appear, files land at canonical paths); the
# customize hook takes it away while mmdebstrap's /proc, /dev/pts and bind
# mounts are inside it (they must stay where they were), leaving a plain
# merged tree equal to the same steps done on a native merged directory,
# with no aliasfs state left. Then: the watcher tears the view down when
# "mmdebstrap" dies before its customize stage; refusals.
# tests/e2e/mmdebstrap-hooks.sh runs the hooks under real mmdebstrap.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/backings.sh"
need_fuse
is_root || skip "the hooks mount file systems: root only"
view_watchdog 150

HOOKS=$top_builddir/mount-helper/mmdebstrap
ALIASFS_DAEMON=$top_builddir/fs/aliasfs
ALIASCTL=$top_builddir/aliasctl/aliasctl
MMDEBSTRAP_MODE=root
export ALIASFS_DAEMON ALIASCTL MMDEBSTRAP_MODE
unset MMDEBSTRAP_APT_CONFIG MMDEBSTRAP_HOOKSOCK SOURCE_DATE_EPOCH
ARCH=$(dpkg --print-architecture)

# state TARGET: the hooks' state directory for TARGET.
state()
{
	_s=/run
	[ -w "$_s" ] || _s=/tmp
	echo "$_s/aliasfs-mmdebstrap.$(printf '%s' "$1" | sha256sum |
		cut -c1-16)"
}

# Whatever a failed run leaves: mounts under $T, hooks' state, processes.
parents=""
hooks_cleanup()
{
	_rc=$?
	for _p in $parents; do
		kill "$_p" 2>/dev/null
	done
	for _t in "$T/target" "$T/target2" "$T/target3" "$T/target4"; do
		pkill -f "customize99-aliasfs.sh --after [0-9]* $_t\$" 2>/dev/null
		umount -R "$_t" 2>/dev/null || umount -R -l "$_t" 2>/dev/null
		_s=$(state "$_t")
		umount "$_s/backing" 2>/dev/null || umount -l "$_s/backing" \
			2>/dev/null
		rm -rf "$_s"
	done
	for _t in "$T/native"; do
		umount -R "$_t/proc" "$_t/run" "$_t/dev/pts" "$_t/dev/null" \
			2>/dev/null
	done
	(exit "$_rc")
	_fix_cleanup
}
trap hooks_cleanup EXIT

# start_setup TARGET: run the setup hook as mmdebstrap does, from a parent
# process that lives on (the watcher waits for it); echo the parent's pid.
start_setup()
{
	rm -f "$T/setup-done"
	sh -c '"$1" "$2" && touch "$3"; exec sleep 600' sh \
		"$HOOKS/setup00-aliasfs.sh" "$1" "$T/setup-done" \
		>"$T/setup.out" 2>&1 &
	echo $!
}

# what mmdebstrap and the packages do, on ROOT (a view or a native tree).
bootstrap_steps()
{
	_r=$1
	mkdir -p "$_r/usr/bin" "$_r/usr/lib/$MA" "$_r/proc" "$_r/dev/pts" \
		"$_r/run" "$_r/etc"
	put "$_r/bin/hello" "hello"
	put "$_r/usr/sbin/tool" "tool"
	put "$_r/lib/$MA/libx.so.1" "libx"
	ln -s libx.so.1 "$_r/lib/$MA/libx.so"
	: >"$_r/dev/null"
	# usrmerge's postinst drops the unused biarch link.
	rm "$_r/lib32"
}

# mmdebstrap's mounts inside ROOT, and their removal.
inner_mounts()
{
	mount -t proc proc "$1/proc" &&
		mount -t devpts -o newinstance,ptmxmode=666 devpts \
			"$1/dev/pts" &&
		mount --bind /dev/null "$1/dev/null" &&
		mount -t tmpfs tmpfs "$1/run" && mkdir "$1/run/lock" &&
		mount -t tmpfs tmpfs "$1/run/lock"
}
inner_umount()
{
	umount "$1/run/lock" && umount "$1/run" && umount "$1/dev/null" &&
		umount "$1/dev/pts" && umount "$1/proc"
}

# tree DIR: a listing to compare trees by.
tree()
{
	(cd "$1" && find . -path ./proc -prune -o -path ./run -prune -o \
		-path ./dev -prune -o -printf '%p %y %l %m %s\n' |
		LC_ALL=C sort)
}

# mounted_at DIR: fstype of the top mount exactly at DIR, or nothing.
mounted_at()
{
	findmnt -n -o FSTYPE --mountpoint "$1" | tail -n 1
}

TGT=$T/target
S=$(state "$TGT")
mkdir -p "$TGT/etc/apt" "$TGT/var/lib/dpkg" "$TGT/tmp"
# What mmdebstrap's setup step writes before the setup hooks.
put "$TGT/etc/apt/sources.list" "deb http://deb.debian.org/debian bookworm main"

parent=$(start_setup "$TGT")
parents="$parents $parent"
check "setup hook: succeeds" poll 20 test -e "$T/setup-done"
cat "$T/setup.out"
check_eq "setup hook: a view on TARGET" fuse.aliasfs "$(mounted_at "$TGT")"
check_eq "setup hook: its source is the bind of TARGET" "$S/backing" \
	"$(findmnt -n -o SOURCE --mountpoint "$TGT" | tail -n 1)"
check_eq "setup hook: TARGET's mount is private" private \
	"$(findmnt -n -o PROPAGATION --mountpoint "$TGT" | tail -n 1)"
# watcher PARENT: pids of the watcher the setup hook started for PARENT.
watcher()
{
	pgrep -f "[c]ustomize99-aliasfs.sh --after $1 "
}
check "setup hook: the watcher runs" sh -c "pgrep -f \
	'[c]ustomize99-aliasfs.sh --after $parent ' >/dev/null"
check_eq "the view: an alias" usr/bin "$(readlink "$TGT/bin")"
check_eq "the view: what setup wrote before is there" \
	"deb http://deb.debian.org/debian bookworm main" \
	"$(cat "$TGT/etc/apt/sources.list")"
check_eq "the database is the chroot architecture's default set" \
	"$("$ALIASCTL" --db "$T/arch-db" init --arch "$ARCH" >/dev/null &&
		"$ALIASCTL" --db "$T/arch-db" list)" \
	"$("$ALIASCTL" --db "$S/db" list)"

bootstrap_steps "$TGT"
check "the view: files land at canonical paths" test -f \
	"$S/backing/usr/bin/hello" -a ! -e "$S/backing/bin"
check_fails "the view: lib32 gone with usrmerge's rm" test -L "$TGT/lib32"
inner_mounts "$TGT" || fail "mmdebstrap's mounts in the view"

SOURCE_DATE_EPOCH=1700000000 "$HOOKS/customize99-aliasfs.sh" "$TGT" \
	2>"$T/customize.err"
check_eq "customize hook: exit 0" 0 "$?"
cat "$T/customize.err"
check_eq "customize hook: no view on TARGET any more" "" "$(mounted_at "$TGT")"
check_eq "mmdebstrap's /proc stays in place" proc "$(mounted_at "$TGT/proc")"
check_eq "mmdebstrap's /dev/pts stays in place" devpts \
	"$(mounted_at "$TGT/dev/pts")"
check_eq "mmdebstrap's /dev/null bind stays in place" devtmpfs \
	"$(mounted_at "$TGT/dev/null")"
check_eq "a mount inside a mount stays in place" tmpfs \
	"$(mounted_at "$TGT/run/lock")"
check "the moved /proc works" test -e "$TGT/proc/self/status"
inner_umount "$TGT" || fail "mmdebstrap unmounts its mounts where it put them"
for a in bin sbin lib lib64 libx32; do
	check_eq "TARGET: $a is a real symlink" "usr/$a" "$(readlink "$TGT/$a")"
done
check_fails "TARGET: no lib32 (removed in the view)" test -L "$TGT/lib32"
check_eq "TARGET: alias links dated SOURCE_DATE_EPOCH" 1700000000 \
	"$(stat -c %Y "$TGT/bin")"
check_eq "TARGET: a file through its alias" hello "$(cat "$TGT/bin/hello")"
check_fails "TARGET: no aliasfs database" test -e "$TGT/var/lib/aliasfs"
check_fails "no state left" test -e "$S"
check_eq "no bind left" "" "$(findmnt -n -o TARGET --mountpoint "$S/backing")"
check "the daemon is gone" poll 10 no_view_daemon "$S/backing"
no_watcher()
{
	[ -z "$(watcher "$parent")" ]
}
check "the watcher is gone" poll 10 no_watcher

# The same steps on a native merged tree give the same tree.
N=$T/native
mkdir -p "$N/etc/apt" "$N/var/lib/dpkg" "$N/tmp" "$N/usr"
put "$N/etc/apt/sources.list" "deb http://deb.debian.org/debian bookworm main"
for a in bin sbin lib lib32 lib64 libx32; do
	ln -s "usr/$a" "$N/$a"
done
bootstrap_steps "$N"
[ -e "$N/usr/bin/hello" ] || fail "native steps"
check_eq "TARGET equals the native merged tree" "$(tree "$N")" \
	"$(tree "$TGT")"
kill "$parent"

# mmdebstrap dies before its customize stage: the watcher tears down.
T2=$T/target2
S2=$(state "$T2")
mkdir -p "$T2"
parent=$(start_setup "$T2")
parents="$parents $parent"
check "watcher: setup hook succeeds" poll 20 test -e "$T/setup-done"
put "$T2/bin/x" "x"
kill "$parent"
check "watcher: the view goes once mmdebstrap is gone" poll 20 sh -c \
	"[ -z \"\$(findmnt -n --mountpoint '$T2')\" ]"
check "watcher: the state goes" poll 20 sh -c "[ ! -e '$S2' ]"
check_eq "watcher: TARGET has its aliases" usr/bin "$(readlink "$T2/bin")"
check_eq "watcher: and its files" x "$(cat "$T2/usr/bin/x")"

# Refusals: a clear message and exit 1.
"$HOOKS/customize99-aliasfs.sh" "$T2" 2>"$T/err"
check_eq "customize without setup: exit 1" 1 "$?"
check "customize without setup: says so" grep -q "no aliasfs view" "$T/err"
MMDEBSTRAP_MODE=fakechroot "$HOOKS/setup00-aliasfs.sh" "$T2" 2>"$T/err"
check_eq "fakechroot mode: exit 1" 1 "$?"
check "fakechroot mode: says so" grep -q "cannot mount" "$T/err"
mkdir -p "$T/m"
mount_view "$T2" "$T/m"
"$HOOKS/setup00-aliasfs.sh" "$T/m" 2>"$T/err"
check_eq "TARGET already a view: exit 1" 1 "$?"
check "TARGET already a view: says so" grep -q "aliasfs view already" \
	"$T/err"
umount_view "$T/m"

# TARGET may be a mount point of its own (a tmpfs): it stays.
T3=$T/target3
mkdir -p "$T3"
mount -t tmpfs tmpfs "$T3" || fail "a tmpfs target"
parent=$(start_setup "$T3")
parents="$parents $parent"
check "tmpfs TARGET: setup hook succeeds" poll 20 test -e "$T/setup-done"
put "$T3/bin/y" "y"
"$HOOKS/customize99-aliasfs.sh" "$T3" 2>"$T/err"
check_eq "tmpfs TARGET: customize hook: exit 0" 0 "$?"
check_eq "tmpfs TARGET: the tmpfs is there again" tmpfs "$(mounted_at "$T3")"
check_eq "tmpfs TARGET: with the files in it" y "$(cat "$T3/usr/bin/y")"
check_eq "tmpfs TARGET: and the aliases" usr/bin "$(readlink "$T3/bin")"
umount "$T3" || fail "unmount the tmpfs target"
kill "$parent"
"$HOOKS/setup00-aliasfs.sh" "$T/no-such-target" 2>"$T/err"
check_eq "missing TARGET: exit 1" 1 "$?"
# A bind of TARGET the customize hook cannot unmount (a process works in
# it) must never be emptied by the state's removal: the tree stays.
T4=$T/target4
S4=$(state "$T4")
mkdir -p "$T4/etc/apt" "$S4/backing"
put "$T4/etc/apt/keep" "keep"
mount --bind "$T4" "$S4/backing" || fail "bind TARGET as setup would"
(cd "$S4/backing" && exec tail -f /dev/null) &
holder=$!
parents="$parents $holder"
check "a process works in the bind" poll 20 sh -c \
	"[ \"\$(readlink /proc/$holder/cwd)\" = '$S4/backing' ]"
"$HOOKS/customize99-aliasfs.sh" "$T4" 2>"$T/err"
check_fails "busy bind: customize hook fails" test "$?" = 0
check "busy bind: says the bind is still mounted" grep -q "still mounted" \
	"$T/err"
check_eq "busy bind: TARGET keeps its files" keep "$(cat "$T4/etc/apt/keep")"
kill "$holder"
wait "$holder" 2>/dev/null
umount "$S4/backing" || umount -l "$S4/backing"
rm -rf "$S4"
finish
