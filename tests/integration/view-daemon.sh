#!/bin/sh
# What a new user of the daemon meets: a mount point that is a file is
# refused; a mount over a view whose daemon was killed says how to clean
# it up; a daemon in the background logs to syslog (-f: to stderr);
# chown(path, -1, -1) updates ctime as natively.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/backings.sh"
need_fuse
view_watchdog 120

B=$T/backing
M=$T/mnt
backing_split "$B"
mkdir -p "$M"

# A regular file as the mount point: exit 1, a message, nothing mounted.
put "$T/a-file" x
aliasfs "$B" "$T/a-file" >"$T/out" 2>"$T/err"
check_eq "mount point is a file: exit 1" 1 "$?"
check "mount point is a file: says so" grep -q "is not a directory" "$T/err"
if is_mounted "$T/a-file"; then
	fail "mount point is a file: something got mounted"
	fusermount3 -u "$T/a-file"
fi
check_eq "mount point is a file: untouched" x "$(cat "$T/a-file")"

# A view whose daemon was killed: the next mount says what to do.
mount_view "$B" "$M" || fail "mount"
for p in $(view_daemon_pids "$M"); do
	kill -KILL "$p"
done
dead()
{
	stat "$M" 2>&1 | grep -q 'Transport endpoint is not connected'
}
check "killed daemon: the mount is dead" poll 10 dead
aliasfs "$B" "$M" >"$T/out" 2>"$T/err"
check_eq "mount over a dead view: exit 1" 1 "$?"
check "mount over a dead view: says to run fusermount3 -u" \
	grep -qF "fusermount3 -u $M" "$T/err"
check "mount over a dead view: names the error" \
	grep -q 'Transport endpoint is not connected' "$T/err"
check "the advice works" fusermount3 -u "$M"
while is_mounted "$M" && fusermount3 -u "$M"; do
	fail "more than one mount on $M"
done
check "then a mount works" mount_view "$B" "$M"
check_eq "and shows the tree" "alias side bin-a" \
	"$(cat "$M/bin/bin-a" 2>&1)"
umount_view "$M"

# chown(path, -1, -1) updates ctime, as natively: a file, a directory
# and a symlink (lchown), by root and by their owner.
cat >"$T/chown.py" <<'EOF'
import os, sys, time
root, scratch = sys.argv[1], sys.argv[2]
for name in ("file", "dir", "link"):
    p = os.path.join(root, name)
    before = os.lstat(p).st_ctime_ns
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        os.utime(scratch)
        if os.stat(scratch).st_ctime_ns > before:
            break
    os.chown(p, -1, -1, follow_symlinks=False)
    after = os.lstat(p).st_ctime_ns
    print(name, "changed" if after != before else "same")
EOF
chmod 0755 "$T"
chmod 0644 "$T/chown.py"
# chown_run UID DIR: chown.py over DIR as UID.
chown_run()
{
	: >"$T/scratch-$1"
	chown "$1" "$T/scratch-$1"
	setpriv --reuid="$1" --regid="$1" --clear-groups \
		sh -c "exec python3 '$T/chown.py' '$2' '$T/scratch-$1'" 2>&1
}
if is_root && command -v setpriv >/dev/null; then
	mount_view "$B" "$M" -o allow_other || fail "mount"
	for u in 0 65534; do
		for d in "$T/native-$u" "$B/usr/lib/chown-$u"; do
			mkdir -p "$d/dir"
			put "$d/file" data
			ln -s file "$d/link"
			chown -hR "$u:$u" "$d"
		done
		want=$(chown_run "$u" "$T/native-$u")
		check_eq "uid $u: native chown -1 -1 changes ctime" \
			"file changed
dir changed
link changed" "$want"
		check_eq "uid $u: chown -1 -1 through the view as native" \
			"$want" "$(chown_run "$u" "$M/lib/chown-$u")"
	done
	umount_view "$M"
fi

# Messages of a daemon in the background reach syslog (the journal takes
# them from /dev/log); with -f they go to stderr. In a mount namespace of
# its own the daemon sees a /dev whose log socket this test reads.
if is_root && command -v unshare >/dev/null; then
	L=$T/logdev
	mkdir -p "$L"
	: >"$L/null"
	: >"$L/fuse"
	timeout 100 python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[3], "w").close()
with open(sys.argv[2], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(65536) + b"\n")
' "$L/log" "$T/syslog.out" "$T/syslog.ready" &
	lpid=$!
	check "syslog listener ready" poll 10 test -e "$T/syslog.ready"
	SB=$T/syslog-backing
	SM=$T/syslog-mnt
	backing_split "$SB"
	put "$SB/bin/dup-bg" "alias side"
	put "$SB/usr/bin/dup-bg" "canonical side"
	put "$SB/bin/dup-fg" "alias side"
	put "$SB/usr/bin/dup-fg" "canonical side"
	mkdir -p "$SM"
	# in_ns SCRIPT: run SCRIPT with /dev replaced, in a new mount
	# namespace (the view mounted there is seen there only).
	in_ns()
	{
		unshare -m --propagation private sh -c "
			mount --bind /dev/null '$L/null' &&
			mount --bind /dev/fuse '$L/fuse' &&
			mount --rbind '$L' /dev || exit 1
			$1"
	}
	# A conflict (two different dup-bg) is recorded with a warning.
	in_ns "aliasfs '$SB' '$SM' || exit 1
		trap 'fusermount3 -u \"$SM\"' EXIT
		cat '$SM/usr/bin/dup-bg' >/dev/null
		n=0
		while [ \$n -lt 200 ] &&
			! grep -q 'dup-bg' '$T/syslog.out'; do
			n=\$((n + 1)); sleep 0.05
		done" >"$T/ns.out" 2>&1 || fail "background run: $(cat "$T/ns.out")"
	line=$(grep 'dup-bg' "$T/syslog.out")
	check "background: the warning reached syslog" \
		test -n "$line"
	check "background: as aliasfs[PID], LOG_DAEMON|LOG_WARNING" sh -c \
		"echo '$line' | grep -Eq '^<28>.* aliasfs\[[0-9]+\]: conflict recorded: /usr/bin/dup-bg shadows /bin/dup-bg$'"
	check_eq "background: nothing on stderr" "" "$(cat "$T/ns.out")"
	# In the foreground: stderr, not syslog.
	in_ns "aliasfs -f '$SB' '$SM' 2>'$T/fg.err' &
		n=0
		while [ \$n -lt 200 ] && ! mountpoint -q '$SM'; do
			n=\$((n + 1)); sleep 0.05
		done
		trap 'fusermount3 -u \"$SM\"; wait' EXIT
		cat '$SM/usr/bin/dup-fg' >/dev/null
		n=0
		while [ \$n -lt 200 ] && ! grep -q 'dup-fg' '$T/fg.err'; do
			n=\$((n + 1)); sleep 0.05
		done" >"$T/ns.out" 2>&1 || fail "foreground run: $(cat "$T/ns.out")"
	check "foreground: the warning on stderr" \
		grep -q 'aliasfs: conflict recorded: /usr/bin/dup-fg' "$T/fg.err"
	check_fails "foreground: not in syslog" grep -q 'dup-fg' "$T/syslog.out"
	kill "$lpid" 2>/dev/null
	wait "$lpid" 2>/dev/null
fi
finish
