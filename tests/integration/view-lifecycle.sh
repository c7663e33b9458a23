#!/bin/sh
# Lifecycle: 100 mount/unmount cycles leave no daemon behind; a daemon's
# descriptors do not grow with use; unmounting while a file is open fails
# with EBUSY like any FUSE file system (bindfs as the reference), and a
# lazy unmount then works and the daemon exits once the file is closed.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/backings.sh"
need_fuse
view_watchdog 280

B=$T/split
M=$T/mnt
backing_split "$B"

no_daemon()
{
	[ -z "$(view_daemon_pids "$M")" ]
}

i=0
bad=0
while [ $i -lt 100 ]; do
	if ! mount_view "$B" "$M"; then
		bad=$((bad + 1))
		break
	fi
	[ "$(cat "$M/usr/bin/bin-a" 2>&1)" = "alias side bin-a" ] ||
		bad=$((bad + 1))
	umount_view "$M" || { bad=$((bad + 1)); break; }
	i=$((i + 1))
done
check_eq "100 mount/stat/unmount cycles" "100 0" "$i $bad"
check "no daemon left after the cycles" poll 10 no_daemon
check_fails "not mounted any more" is_mounted "$M"

# Descriptors: the same 2 000 files opened, read and closed 5 times over
# must not leave the daemon holding more descriptors each round.
python3 - "$B/usr/bin" <<'PY'
import sys
for i in range(2000):
    with open("%s/f%04d" % (sys.argv[1], i), "w") as f:
        f.write("x")
PY
mount_view "$B" "$M" || fail "mount"
pid=$(view_daemon_pids "$M" | head -n 1)
check "the daemon is found" test -n "$pid"
if [ -n "$pid" ]; then
	read_all()
	{
		cat "$M"/usr/bin/f* "$M"/bin/f0* >/dev/null
	}
	read_all
	first=$(ls "/proc/$pid/fd" | wc -l)
	for r in 1 2 3 4; do
		read_all
	done
	last=$(ls "/proc/$pid/fd" | wc -l)
	if [ "$last" -le "$first" ]; then
		ok "daemon fds did not grow ($first -> $last)"
	else
		fail "daemon fds grew from $first to $last over 4 more rounds"
	fi
fi
umount_view "$M"

# Unmount while busy: compare with bindfs.
busy_unmount()
{
	_what=$1
	_m=$2
	_f=$3
	# `command` keeps a failed redirection from ending the script.
	command exec 3<"$_f" || { fail "$_what: open $_f"; return; }
	if fusermount3 -u "$_m" 2>"$T/fu.err"; then
		fail "$_what: unmount with an open file succeeded"
	else
		if grep -q 'busy' "$T/fu.err"; then
			ok "$_what: unmount refused: EBUSY"
		else
			fail "$_what: unmount refused, but not EBUSY: $(cat "$T/fu.err")"
		fi
	fi
	check "$_what: still mounted" is_mounted "$_m"
	check_eq "$_what: open file still readable" "$(cat "$_f.expect")" \
		"$(cat <&3)"
	check "$_what: lazy unmount" fusermount3 -u -z "$_m"
	check_fails "$_what: gone from the namespace" is_mounted "$_m"
	exec 3<&-
}

if command -v bindfs >/dev/null; then
	mkdir -p "$T/bindfs"
	put "$T/bindfs-src/file" "bindfs file"
	put "$T/bindfs-src/file.expect" "bindfs file"
	if bindfs "$T/bindfs-src" "$T/bindfs" && wait_mounted "$T/bindfs"; then
		_lib_mounts="$_lib_mounts $T/bindfs"
		busy_unmount bindfs "$T/bindfs" "$T/bindfs/file"
	else
		fail "bindfs mount"
	fi
fi

put "$B/usr/bin/open" "open file"
put "$B/usr/bin/open.expect" "open file"
mount_view "$B" "$M" || fail "mount"
pid=$(view_daemon_pids "$M" | head -n 1)
busy_unmount aliasfs "$M" "$M/bin/open"
daemon_gone()
{
	[ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null
}
check "the daemon exits once the last file is closed" poll 10 daemon_gone
check "no aliasfs daemon left" poll 10 no_daemon
finish
