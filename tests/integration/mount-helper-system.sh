#!/bin/sh
# mount(8) itself running mount.aliasfs, with nothing installed on the
# machine: the test runs in a private mount namespace where /sbin is an
# overlay of the real one and a directory holding the built helper. Then
# `mount -t aliasfs`, fstab lines through `mount -a -T FSTAB` and
# `mount -T FSTAB MNT` (defaults, noauto, nofail, _netdev, x-systemd.*,
# users, ro), a users line of /etc/fstab mounted and unmounted by nobody,
# refusals and failures through mount(8)'s exit status,
# `mount -t fuse.aliasfs` through mount.fuse3, and umount.

# Re-run in a private mount namespace first (before lib.sh makes $T).
if [ -z "${AFS_PRIVATE_NS:-}" ] && [ "$(id -u)" = 0 ] &&
	unshare -m true 2>/dev/null; then
	AFS_PRIVATE_NS=1 exec unshare -m --propagation private /bin/sh "$0" "$@"
fi
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/backings.sh"
need_fuse
is_root || skip "mount(8) with a helper needs root"
[ -n "${AFS_PRIVATE_NS:-}" ] || skip "no private mount namespace (unshare)"
view_watchdog 120

SBIN=$(readlink -f /sbin)
mkdir -p "$T/sbin"
cp "$top_builddir/mount-helper/mount.aliasfs" "$top_builddir/fs/aliasfs" \
	"$T/sbin/"
# mount(8) runs helpers with a PATH of its own: mount.fuse3 finds the
# daemon in /sbin; the helper is told where it is.
if ! mount -t overlay overlay -o "lowerdir=$T/sbin:$SBIN" "$SBIN" \
	2>"$T/overlay.err"; then
	skip "cannot overlay $SBIN: $(cat "$T/overlay.err")"
fi
# The overlay goes before $T (its lower layer) is removed.
trap '_rc=$?; umount "$SBIN" 2>/dev/null; (exit $_rc); _fix_cleanup' EXIT
# mount(8) records user mounts in /run/mount/utab: a private one here.
mkdir -p /run/mount && mount -t tmpfs tmpfs /run/mount ||
	fail "a private /run/mount"
ALIASFS_DAEMON=$SBIN/aliasfs
export ALIASFS_DAEMON
check "mount(8) finds /sbin/mount.aliasfs" test -x /sbin/mount.aliasfs
check "mount.fuse3 finds /sbin/aliasfs" test -x /sbin/aliasfs

B=$T/backing
backing_split "$B"
for m in m1 m2 m3 m4 m5 m6; do
	mkdir -p "$T/$m"
	_lib_mounts="$_lib_mounts $T/$m"
done

# fstype MNT: the type mount(8) lists for MNT.
fstype()
{
	findmnt -n -o FSTYPE --mountpoint "$1"
}

# mounted_view DESC MNT: MNT holds a view of $B.
mounted_view()
{
	check_eq "$1: mounted as fuse.aliasfs" fuse.aliasfs "$(fstype "$2")"
	check_eq "$1: an alias in the view" usr/bin "$(readlink "$2/bin")"
	check_eq "$1: a file through an alias" "alias side bin-a" \
		"$(cat "$2/usr/bin/bin-a" 2>&1)"
}

M=$T/m1
mount -t aliasfs "$B" "$M" 2>"$T/err"
check_eq "mount -t aliasfs: exit 0" 0 "$?"
mounted_view "mount -t aliasfs" "$M"
umount "$M"
check_eq "umount: exit 0" 0 "$?"
check_fails "umount: gone" is_mounted "$M"

mount -t aliasfs -o ro,threads=2,nofail,_netdev,x-systemd.automount \
	"$B" "$M" 2>"$T/err"
check_eq "mount -t aliasfs -o ro,...: exit 0" 0 "$?"
mounted_view "mount -o ro" "$M"
check_eq "mount -o ro: EROFS" EROFS "$(fsop create-mode "$M/new" 0644)"
umount "$M"

mount -t aliasfs -o ro,bogus "$B" "$M" 2>"$T/err"
check_eq "mount -o bogus: exit 1 (usage)" 1 "$?"
check "mount -o bogus: names it" grep -q "option 'bogus' is unknown" "$T/err"
check_fails "mount -o bogus: nothing mounted" is_mounted "$M"
mount -t aliasfs -o threads=0 "$B" "$M" 2>"$T/err"
check_eq "mount -o threads=0: exit 1" 1 "$?"
check "mount -o threads=0: names it" grep -q "'threads=0' is malformed" \
	"$T/err"
mount -t aliasfs "$T/no-such-backing" "$M" 2>"$T/err"
check_eq "mount of a missing backing: exit 32 (mount failure)" 32 "$?"
check "missing backing: the daemon says why" grep -q "no-such-backing" \
	"$T/err"
check_fails "missing backing: nothing mounted" is_mounted "$M"

# An fstab.
cat >"$T/fstab" <<EOF
# aliasfs lines as a user would write them
$B $T/m1 aliasfs defaults 0 0
$B $T/m2 aliasfs defaults,nofail,_netdev,x-systemd.requires=local-fs.target,x-systemd.automount,comment=x 0 0
$B $T/m3 aliasfs noauto,ro 0 0
$B $T/m4 fuse.aliasfs defaults,nofail 0 0
$B $T/m5 aliasfs users,noauto 0 0
EOF
mount -a -T "$T/fstab" 2>"$T/err"
check_eq "mount -a -T FSTAB: exit 0" 0 "$?"
[ -s "$T/err" ] && cat "$T/err"
mounted_view "fstab defaults" "$T/m1"
mounted_view "fstab nofail,_netdev,x-systemd.*,comment=" "$T/m2"
mounted_view "fstab fuse.aliasfs (mount.fuse3)" "$T/m4"
check_fails "fstab noauto: not mounted by mount -a" is_mounted "$T/m3"
check_fails "fstab users,noauto: not mounted by mount -a" is_mounted "$T/m5"
check_eq "the source shown is the backing" "$B" \
	"$(findmnt -n -o SOURCE --mountpoint "$T/m1")"
mount -a -T "$T/fstab" 2>"$T/err"
check_eq "mount -a again: exit 0" 0 "$?"
for m in m1 m2 m4; do
	check_eq "mount -a again: $m not mounted twice" 1 \
		"$(grep -c " $T/$m " /proc/self/mountinfo)"
done
mount -T "$T/fstab" "$T/m3" 2>"$T/err"
check_eq "mount -T FSTAB MNT (noauto,ro): exit 0" 0 "$?"
mounted_view "fstab noauto,ro" "$T/m3"
check_eq "fstab ro: EROFS" EROFS "$(fsop create-mode "$T/m3/new" 0644)"
mount -T "$T/fstab" "$T/m5" 2>"$T/err"
check_eq "mount -T FSTAB MNT (users): exit 0" 0 "$?"
mounted_view "fstab users" "$T/m5"
check "fstab users: mount(8) adds nosuid,nodev,noexec" sh -c \
	"findmnt -n -o VFS-OPTIONS --mountpoint '$T/m5' |
	 grep -q 'nosuid.*nodev.*noexec'"
for m in m1 m2 m3 m4 m5; do
	umount "$T/$m" || fail "umount $m"
done

# A line that cannot mount: mount -a reports it (64: some mounted), the
# others still mount; with nofail as well (nofail is about missing
# devices, which mount(8) checks before it runs a helper).
cat >"$T/fstab-bad" <<EOF
$T/no-such-backing $T/m6 aliasfs defaults,nofail 0 0
$B $T/m1 aliasfs defaults 0 0
EOF
mount -a -T "$T/fstab-bad" 2>"$T/err"
check_eq "mount -a with a failing line: exit 64 (some mounted)" 64 "$?"
check "mount -a with a failing line: the daemon says why" grep -q \
	"no-such-backing" "$T/err"
mounted_view "mount -a with a failing line: the good one" "$T/m1"
check_fails "mount -a with a failing line: not the bad one" is_mounted \
	"$T/m6"
umount "$T/m1"

# An ordinary user mounts and unmounts a users line of /etc/fstab (mount
# runs the helper and the daemon as that user, which mounts through
# fusermount3), and may read through the view.
if id nobody >/dev/null 2>&1 && [ -f /etc/fstab ] &&
	command -v setpriv >/dev/null; then
	chmod 755 "$T"
	chown nobody "$T/m5"
	echo "$B $T/m5 aliasfs users,noauto 0 0" >"$T/etc-fstab"
	mount --bind "$T/etc-fstab" /etc/fstab || fail "a private /etc/fstab"
	as_nobody()
	{
		setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
	}
	as_nobody mount "$T/m5" 2>"$T/err"
	check_eq "users line: nobody mounts it: exit 0" 0 "$?"
	[ -s "$T/err" ] && cat "$T/err"
	check_eq "users line: the daemon runs as nobody" nobody \
		"$(ps -o user= -p "$(view_daemon_pids "$T/m5" | head -n 1)" \
			2>/dev/null)"
	check_eq "users line: nobody reads through the view" \
		"alias side bin-a" "$(as_nobody cat "$T/m5/usr/bin/bin-a")"
	as_nobody umount "$T/m5" 2>"$T/err"
	check_eq "users line: nobody unmounts it: exit 0" 0 "$?"
	check_fails "users line: gone" is_mounted "$T/m5"
	umount /etc/fstab
else
	echo "no nobody user, /etc/fstab or setpriv: user mount not tested"
fi

# fuse.aliasfs through mount.fuse3 (the daemon checks the options there).
mount -t fuse.aliasfs -o nofail,users "$B" "$M" 2>"$T/err"
check_eq "mount -t fuse.aliasfs: exit 0" 0 "$?"
mounted_view "mount -t fuse.aliasfs" "$M"
umount "$M"
check_eq "no view left" "" \
	"$(findmnt -n -l -o TARGET -t fuse.aliasfs | grep -F "$T/")"
finish
