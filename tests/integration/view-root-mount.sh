#!/bin/sh
# A view that root mounts can hold a system that programs run in, as a
# native directory can: by default other users get in (allow_other, the
# kernel checking modes), device nodes work (dev) and set-user-ID programs
# gain their privileges (suid); -o noallow_other, -o nodev and -o nosuid
# turn each off. An ordinary user's mount keeps FUSE's safe defaults.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/backings.sh"
need_fuse
view_watchdog 180
is_root || skip "needs root (a root mount, other users, devices)"
command -v runuser >/dev/null || skip "runuser missing"
command -v setpriv >/dev/null || skip "setpriv missing"

B=$T/backing
N=$T/native
M=$T/mnt
backing_split "$B"
chmod 0755 "$T"
mkdir -p "$N/usr/bin" "$N/usr/share/doc" "$N/var/cache/apt" "$B/usr/share/doc" \
	"$B/var/cache/apt"
ln -s usr/bin "$N/bin"
for d in "$N" "$B"; do
	put "$d/usr/share/doc/public" "world-readable"
	chmod 0644 "$d/usr/share/doc/public"
done
# apt's sandbox user (uid 42 on Debian), or that uid if there is none.
APT_UID=$(id -u _apt 2>/dev/null) || APT_UID=42

as_uid()
{
	_u=$1
	shift
	setpriv --reuid="$_u" --regid=65534 --clear-groups "$@"
}

# mount_opts DIR: the per-mount flags, then the super block options of
# the mount at DIR, from /proc/self/mountinfo.
mount_opts()
{
	# Not cd "$1": root may not enter a user's mount.
	_m=$(cd "$(dirname "$1")" && pwd -P)/$(basename "$1")
	awk -v m="$_m" '$5 == m {
		for (i = 7; $i != "-"; i++) ;
		print $6, $(i + 3) }' /proc/self/mountinfo
}

# has_opt LIST OPT: OPT is one of the comma-separated LIST.
has_opt()
{
	case ",$1," in *",$2,"*) return 0 ;; esac
	return 1
}

# system_root TREE: what a system in TREE needs, printed one result a
# line: another user reading, _apt writing into its own directory, a
# device node, a set-user-ID program run by nobody.
system_root()
{
	_r=$1
	echo "nobody cat: $(runuser -u nobody -- cat "$_r/usr/share/doc/public" \
		2>&1 | sed "s|$_r|TREE|")"
	mkdir -p "$_r/var/cache/apt/partial" &&
		chown "$APT_UID:65534" "$_r/var/cache/apt/partial" &&
		chmod 0700 "$_r/var/cache/apt/partial"
	as_uid "$APT_UID" sh -c "echo fetched >'$_r/var/cache/apt/partial/p.deb'" \
		2>&1 | sed "s|$_r|TREE|"
	echo "_apt wrote: $(stat -c '%u %a' "$_r/var/cache/apt/partial/p.deb" \
		2>&1 | sed "s|$_r|TREE|") $(cat \
		"$_r/var/cache/apt/partial/p.deb" 2>/dev/null)"
	mkdir -p "$_r/dev"
	rm -f "$_r/dev/null" "$_r/dev/zero"
	mknod "$_r/dev/null" c 1 3 && mknod "$_r/dev/zero" c 1 5 &&
		chmod 0666 "$_r/dev/null" "$_r/dev/zero"
	echo "write dev/null: $( (echo x >"$_r/dev/null") 2>&1 |
		sed "s|$_r|TREE|; s|.*: ||")"
	echo "read dev/zero: $(head -c 4 "$_r/dev/zero" 2>&1 | od -An -tx1 |
		tr -d ' ')"
	echo "nobody writes dev/null: $(runuser -u nobody -- sh -c \
		"echo x >'$_r/dev/null'" 2>&1 | sed "s|.*: ||")"
	rm -f "$_r/usr/bin/id-suid"
	cp /usr/bin/id "$_r/usr/bin/id-suid" && chmod 4755 "$_r/usr/bin/id-suid"
	echo "set-user-ID id -u as nobody: $(runuser -u nobody -- \
		"$_r/bin/id-suid" -u 2>&1 | sed "s|$_r|TREE|")"
	rm -rf "$_r/var/cache/apt/partial" "$_r/dev" "$_r/usr/bin/id-suid"
}

native=$(system_root "$N")
check_eq "native: a system can run there" "nobody cat: world-readable
_apt wrote: $APT_UID 644 fetched
write dev/null: 
read dev/zero: 00000000
nobody writes dev/null: 
set-user-ID id -u as nobody: 0" "$native"

# Default root mount: as native.
mount_view "$B" "$M" || fail "mount"
opts=$(mount_opts "$M")
check "root mount: not nosuid" sh -c "! echo '${opts% *}' |
	grep -qw nosuid"
check "root mount: not nodev" sh -c "! echo '${opts% *}' | grep -qw nodev"
check "root mount: allow_other" has_opt "${opts#* }" allow_other
check "root mount: default_permissions" has_opt "${opts#* }" \
	default_permissions
check_eq "root mount: a system runs as natively" "$native" \
	"$(system_root "$M")"
umount_view "$M"

# Each default turned off: the safe behaviour.
mount_view "$B" "$M" -o noallow_other || fail "mount -o noallow_other"
check_fails "noallow_other: no allow_other" has_opt \
	"$(mount_opts "$M" | cut -d' ' -f2)" allow_other
check "noallow_other: nobody is kept out" sh -c "runuser -u nobody -- \
	cat '$M/usr/share/doc/public' 2>&1 | grep -q 'Permission denied'"
check_fails "noallow_other: _apt is kept out" as_uid "$APT_UID" \
	sh -c "echo x >'$M/usr/share/doc/by-apt'" 2>/dev/null
check_eq "noallow_other: root still reads" world-readable \
	"$(cat "$M/usr/share/doc/public" 2>&1)"
umount_view "$M"

mount_view "$B" "$M" -o nodev || fail "mount -o nodev"
opts=$(mount_opts "$M")
check "nodev: mount flag" sh -c "echo '${opts% *}' | grep -qw nodev"
mkdir -p "$M/dev"
check "nodev: mknod still works" mknod "$M/dev/null" c 1 3
check "nodev: opening it is refused" sh -c "(echo x >'$M/dev/null') 2>&1 |
	grep -q 'Permission denied'"
rm -rf "$M/dev"
umount_view "$M"

mount_view "$B" "$M" -o nosuid || fail "mount -o nosuid"
cp /usr/bin/id "$M/usr/bin/id-suid" && chmod 4755 "$M/usr/bin/id-suid"
check_eq "nosuid: the bit is there" 4755 \
	"$(stat -c %a "$M/bin/id-suid" 2>&1)"
check_eq "nosuid: no privileges gained" 65534 \
	"$(runuser -u nobody -- "$M/bin/id-suid" -u 2>&1)"
rm -f "$M/usr/bin/id-suid"
umount_view "$M"

# The options compose; the last of a pair wins.
mount_view "$B" "$M" -o nosuid,nodev,noallow_other,suid || fail "mount"
opts=$(mount_opts "$M")
check_eq "nosuid,nodev,noallow_other,suid: flags" "nodev noallow" \
	"$(echo "${opts% *}" | tr , '\n' | grep -x -e nosuid -e nodev |
		tr '\n' ' ')$(has_opt "${opts#* }" allow_other ||
		echo noallow)"
umount_view "$M"

# An ordinary user's mount: FUSE's safe defaults, whatever it asks for.
UB=$T/user-backing
UM=$T/user-mnt
mkdir -p "$UB" "$UM"
chown 65534:65534 "$UB" "$UM"
_lib_mounts="$_lib_mounts $UM"
as_uid 65534 aliasfs "$UB" "$UM" 2>>"$T/aliasfs.log" || fail "user mount"
wait_mounted "$UM" || fail "user mount never appeared"
opts=$(mount_opts "$UM")
check "user mount: in mountinfo" test -n "$opts"
check "user mount: nosuid" sh -c "echo '${opts% *}' | grep -qw nosuid"
check "user mount: nodev" sh -c "echo '${opts% *}' | grep -qw nodev"
check_fails "user mount: no allow_other" has_opt "${opts#* }" allow_other
as_uid 65534 fusermount3 -u "$UM" || fail "user unmount"
wait_unmounted "$UM" || fail "user mount still there"
as_uid 65534 aliasfs -o suid,dev "$UB" "$UM" 2>>"$T/aliasfs.log" ||
	fail "user mount -o suid,dev"
wait_mounted "$UM" || fail "user mount -o suid,dev never appeared"
opts=$(mount_opts "$UM")
check "user mount -o suid,dev: still nosuid,nodev" sh -c "echo \
	'${opts% *}' | grep -w nosuid | grep -qw nodev"
as_uid 65534 fusermount3 -u "$UM" || fail "user unmount"
wait_unmounted "$UM" || fail "user mount still there"
if ! grep -qs '^[[:space:]]*user_allow_other' /etc/fuse.conf; then
	check_fails "user mount -o allow_other: refused without \
user_allow_other" as_uid 65534 aliasfs -o allow_other "$UB" "$UM" \
		2>>"$T/aliasfs.log"
	check_fails "user mount -o allow_other: nothing mounted" \
		is_mounted "$UM"
fi
finish
