#!/bin/sh
# Set-user-ID and set-group-ID bits through the view behave as on a native
# directory: an unprivileged writer, truncater or chgrp clears them, root
# writing keeps them, although the daemon does every write as root. The
# kernel leaves clearing them to the daemon (FUSE_HANDLE_KILLPRIV): the
# view's mode is what the kernel shows, the backing's what the daemon did.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/backings.sh"
need_fuse
view_watchdog 120
is_root || skip "needs root (files owned by another user, setpriv)"
command -v setpriv >/dev/null || skip "setpriv missing"

B=$T/backing
N=$T/native
M=$T/mnt
backing_split "$B"
chmod 0755 "$T"
mkdir -p "$B/usr/lib/setid" "$N"
chmod 1777 "$B/usr/lib/setid" "$N"
mount_view "$B" "$M" -o allow_other || fail "mount"

as_nobody()
{
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

# case NAME MODE OWNER OP...: make NAME with MODE owned by OWNER in the
# native directory and in the view, run OP (with %f for the file) on
# each, and compare the modes that result.
case_()
{
	_name=$1 _mode=$2 _owner=$3
	shift 3
	for _d in "$N" "$M/usr/lib/setid"; do
		printf 'data\n' >"$_d/$_name"
		chown "$_owner" "$_d/$_name"
		chmod "$_mode" "$_d/$_name"
		_cmd=$(printf '%s' "$*" | sed "s|%f|$_d/$_name|g")
		sh -c "$_cmd" >"$T/op.out" 2>&1 ||
			fail "$_name: '$_cmd' failed: $(cat "$T/op.out")"
	done
	_want=$(stat -c %a "$N/$_name")
	check_eq "$_name: mode as native ($_mode -> $_want)" "$_want" \
		"$(stat -c %a "$M/usr/lib/setid/$_name" 2>&1)"
	check_eq "$_name: backing agrees" "$_want" \
		"$(stat -c %a "$B/usr/lib/setid/$_name" 2>&1)"
}

case_ user-append 4755 65534:65534 \
	"setpriv --reuid=65534 --regid=65534 --clear-groups sh -c 'echo more >>%f'"
case_ user-append-sgid 2775 65534:65534 \
	"setpriv --reuid=65534 --regid=65534 --clear-groups sh -c 'echo more >>%f'"
case_ user-truncate 6755 65534:65534 \
	"setpriv --reuid=65534 --regid=65534 --clear-groups truncate -s 2 %f"
case_ user-chgrp 2775 65534:65534 \
	"setpriv --reuid=65534 --regid=65534 --clear-groups chgrp 65534 %f"
case_ user-otrunc 4755 65534:65534 \
	"setpriv --reuid=65534 --regid=65534 --clear-groups sh -c ': >%f'"
case_ user-fallocate 4755 65534:65534 \
	"setpriv --reuid=65534 --regid=65534 --clear-groups fallocate -l 64 %f"
# Set-group-ID without group execute: cleared for a writer outside the
# file's group, kept for one in it.
case_ user-append-sgid-other 2766 0:0 \
	"setpriv --reuid=65534 --regid=65534 --clear-groups sh -c 'echo more >>%f'"
case_ user-append-sgid-member 2764 0:65534 \
	"setpriv --reuid=65534 --regid=65534 --clear-groups sh -c 'echo more >>%f'"
case_ user-chgrp-sgid-other 2744 65534:0 \
	"setpriv --reuid=65534 --regid=65534 --clear-groups chgrp 65534 %f"
case_ root-append 4755 0:0 "echo more >>%f"
case_ root-truncate 6755 0:0 "truncate -s 2 %f"
case_ root-chown 6755 0:0 "chown 0:0 %f"
case_ root-chmod 4755 0:0 "chmod 4711 %f"
check_eq "user's write arrived" "data
more" "$(cat "$M/usr/lib/setid/user-append")"

# File capabilities go with any write, root's too: set through the view,
# or in the backing after the kernel checked the file for them (it then
# no longer asks before each write).
if command -v setcap >/dev/null; then
	V=$M/usr/lib/setid
	for _f in "$N/capped" "$V/capped"; do
		printf 'data\n' >"$_f"
		setcap cap_net_raw+ep "$_f" || fail "setcap $_f"
	done
	check_eq "capabilities set" "cap_net_raw=ep cap_net_raw=ep" \
		"$(getcap "$N/capped" | awk '{ print $2 }') $(getcap \
			"$V/capped" | awk '{ print $2 }')"
	printf 'data\n' >"$V/capped-behind"
	echo more >>"$V/capped-behind"
	setcap cap_net_raw+ep "$B/usr/lib/setid/capped-behind" ||
		fail "setcap in the backing"
	for _f in "$N/capped" "$V/capped" "$V/capped-behind"; do
		echo more >>"$_f" || fail "append to $_f"
	done
	check_eq "a write drops capabilities as native" \
		"$(getcap "$N/capped")" "$(getcap "$V/capped")"
	check_eq "set in the backing: a write drops them there" "" \
		"$(getcap "$B/usr/lib/setid/capped-behind")"
fi
umount_view "$M"

# Since the daemon clears the bits, the kernel does not ask for fresh
# attributes before each chown (tar and dpkg chown every file): libfuse's
# debug log (-d) names every request.
aliasfs -d ${AFS_HANDLES:+-o handles=$AFS_HANDLES} "$B" "$M" 2>"$T/debug.log" &
pid=$!
wait_mounted "$M" || fail "mount -d"
printf 'data\n' >"$M/usr/lib/setid/chowned"
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	chown "0:$((i % 2))" "$M/usr/lib/setid/chowned" || fail "chown $i"
done
# Nor for its capabilities before every write (FUSE_HANDLE_KILLPRIV_V2):
# tar and dpkg write big files a few KiB at a time.
dd if=/dev/zero of="$M/usr/lib/setid/written" bs=4096 count=50 \
	status=none || fail "dd"
umount_view "$M" || fail "unmount -d"
wait "$pid"
check_eq "20 chowns: 20 SETATTR" 20 \
	"$(grep -c 'opcode: SETATTR ' "$T/debug.log")"
check "20 chowns: fewer than 20 GETATTR (not one per chown)" \
	test "$(grep -c 'opcode: GETATTR ' "$T/debug.log")" -lt 20
check "50 writes: 50 WRITE" \
	test "$(grep -c 'opcode: WRITE ' "$T/debug.log")" -ge 50
check "50 writes, 20 chowns: fewer than 50 GETXATTR" \
	test "$(grep -c 'opcode: GETXATTR ' "$T/debug.log")" -lt 50
finish
