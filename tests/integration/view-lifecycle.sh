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
check "no daemon left after the cycles" poll 10 no_view_daemon "$M"
check_fails "not mounted any more" is_mounted "$M"

# Descriptors: the same 2 000 files opened, read and closed 9 times over
# must not leave the daemon holding more descriptors each round. libfuse
# gives each worker thread a splice pipe (2 descriptors) when the thread
# first needs one, and threads start as load demands: pipes are counted
# apart, their growth since the mount bounded by 2 per worker thread (the
# daemon makes no pipes of its own; the test harness may hand it some),
# and every other descriptor must not grow at all.
python3 - "$B/usr/bin" <<'PY'
import sys
for i in range(2000):
    with open("%s/f%04d" % (sys.argv[1], i), "w") as f:
        f.write("x")
PY
threads=4
mount_view "$B" "$M" -o threads=$threads || fail "mount"
pid=$(view_daemon_pids "$M" | head -n 1)
check "the daemon is found" test -n "$pid"
# fds KIND: the daemon's descriptors that are pipes (pipe) or not (other).
fds()
{
	ls -l "/proc/$pid/fd" | awk -v kind="$1" '
		$NF ~ /^pipe:/ { p++ } / -> / && $NF !~ /^pipe:/ { o++ }
		END { print (kind == "pipe" ? p : o) + 0 }'
}
if [ -n "$pid" ]; then
	pipes0=$(fds pipe)
	read_all()
	{
		cat "$M"/usr/bin/f* "$M"/bin/f0* >/dev/null
	}
	read_all
	first=$(fds other)
	r=0
	while [ $r -lt 8 ]; do
		read_all
		r=$((r + 1))
	done
	last=$(fds other)
	pipes=$(fds pipe)
	if [ "$last" -le "$first" ]; then
		ok "daemon fds did not grow ($first -> $last, pipes apart)"
	else
		fail "daemon fds grew from $first to $last over 8 more rounds"
	fi
	if [ "$pipes" -le $((pipes0 + 2 * threads)) ]; then
		ok "daemon pipes: $pipes0 -> $pipes, at most 2 per worker thread"
	else
		fail "daemon pipe fds grew from $pipes0 to $pipes, more than" \
			"2 per thread ($threads threads)"
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
check "no aliasfs daemon left" poll 10 no_view_daemon "$M"
finish
