#!/bin/sh
# Option errors: a missing backing, a mount point inside the backing, a
# garbage database, bad options: exit non-zero with a message, nothing
# mounted and no daemon left behind. Also ro and EACCES for an ordinary
# user under allow_other.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/backings.sh"
need_fuse
view_watchdog 120

B=$T/backing
backing_split "$B"
mkdir -p "$T/mnt"

# refused DESC ARGS...: aliasfs ARGS exits non-zero, says something on
# stderr, and nothing is mounted on $T/mnt.
refused()
{
	_desc=$1
	shift
	aliasfs "$@" >"$T/out" 2>"$T/err"
	_rc=$?
	if [ "$_rc" -eq 0 ]; then
		fail "$_desc: exit 0"
	elif [ ! -s "$T/err" ]; then
		fail "$_desc: exit $_rc without a message"
	else
		ok "$_desc: exit $_rc: $(head -n 1 "$T/err")"
	fi
	for _m in "$T/mnt" "$B/mnt" "$B" "$T/no-such-mnt"; do
		if is_mounted "$_m"; then
			fail "$_desc: something got mounted on $_m"
			fusermount3 -u "$_m" || fusermount3 -u -z "$_m"
		fi
	done
}

refused "missing backing" "$T/no-such-dir" "$T/mnt"
put "$T/a-file" x
refused "backing is a file" "$T/a-file" "$T/mnt"
refused "missing mount point" "$B" "$T/no-such-mnt"
mkdir -p "$B/mnt"
refused "mount point inside the backing" "$B" "$B/mnt"
refused "mount point is the backing" "$B" "$B"
mkdir -p "$T/garbage"
head -c 65536 /dev/urandom >"$T/garbage/data.mdb"
head -c 8192 /dev/urandom >"$T/garbage/lock.mdb"
refused "garbage database" -o "db=$T/garbage" "$B" "$T/mnt"
refused "database dir is a file" -o "db=$T/a-file" "$B" "$T/mnt"
refused "unknown architecture" -o arch=no-such-arch "$B" "$T/mnt"
refused "unknown option" -o no_such_option_xyz "$B" "$T/mnt"
refused "bad threads" -o threads=abc "$B" "$T/mnt"
refused "negative poll_us" -o poll_us=-1 "$B" "$T/mnt"
refused "poll_us above a second" -o poll_us=1000001 "$B" "$T/mnt"
refused "unknown handles" -o handles=file "$B" "$T/mnt"
refused "no arguments"
refused "one argument" "$B"
check "no daemon left behind" poll 10 no_view_daemon "$T/mnt"

# ro: reads work, every write is EROFS, the backing is untouched.
mount_view "$B" "$T/mnt" -o ro || fail "mount -o ro"
check_eq "ro: read" "alias side bin-a" "$(cat "$T/mnt/usr/bin/bin-a" 2>&1)"
check_fails "ro: create refused" touch "$T/mnt/bin/new" 2>/dev/null
check_fails "ro: unlink refused" rm -f "$T/mnt/bin/bin-a" 2>/dev/null
check "ro: backing untouched" test -f "$B/bin/bin-a" -a ! -e "$B/usr/bin/new"
umount_view "$T/mnt"

# poll_us=0 (workers only ever sleep) and one thread: the same answers,
# and the daemon still ends with the unmount.
mount_view "$B" "$T/mnt" -o poll_us=0,threads=1 || fail "mount poll_us=0"
check_eq "poll_us=0: read" "alias side bin-a" \
	"$(cat "$T/mnt/usr/bin/bin-a" 2>&1)"
check_eq "poll_us=0: merged listing" "$(ls "$T/mnt/usr/bin" | wc -l)" \
	"$(ls "$T/mnt/bin/" | wc -l)"
umount_view "$T/mnt"
check "poll_us=0: no daemon left" poll 10 no_view_daemon "$T/mnt"

# arch=arm64 (no database in the backing): arm64's set (bin sbin lib,
# no lib64) replaces the host's.
mount_view "$B" "$T/mnt" -o arch=arm64 || fail "mount arch=arm64"
check_eq "arch=arm64: bin alias" usr/bin "$(readlink "$T/mnt/bin" 2>&1)"
check_fails "arch=arm64: no lib64 alias" test -L "$T/mnt/lib64"
check "arch=arm64: lib64 is the backing's directory" test -d "$T/mnt/lib64"
umount_view "$T/mnt"

# Permissions as a user: mode 0600 refused, 0644 allowed (allow_other so
# the user reaches the view at all; default_permissions is on).
if is_root && command -v setpriv >/dev/null; then
	chmod 0755 "$T"
	put "$B/usr/bin/secret" "secret"
	chmod 0600 "$B/usr/bin/secret"
	put "$B/bin/public" "public"
	chmod 0644 "$B/bin/public"
	mount_view "$B" "$T/mnt" -o allow_other || fail "mount allow_other"
	as_nobody()
	{
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	}
	check_eq "user reads a 0644 file" public \
		"$(as_nobody cat "$T/mnt/usr/bin/public" 2>&1)"
	check_fails "user cannot read a 0600 file" \
		as_nobody cat "$T/mnt/bin/secret"
	check "the refusal is EACCES" sh -c "setpriv --reuid=65534 \
		--regid=65534 --clear-groups cat '$T/mnt/bin/secret' 2>&1 |
		grep -q 'Permission denied'"
	check_fails "user cannot create in usr/bin (0755 root)" \
		as_nobody touch "$T/mnt/bin/by-nobody"
	check_fails "nothing created" test -e "$B/usr/bin/by-nobody"
	umount_view "$T/mnt"
	mount_view "$B" "$T/mnt" -o noallow_other ||
		fail "mount -o noallow_other"
	check_fails "with noallow_other the user is kept out" \
		as_nobody cat "$T/mnt/usr/bin/public"
	umount_view "$T/mnt"
fi
finish
