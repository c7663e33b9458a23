#!/bin/sh
# mount.aliasfs run directly with the arguments mount(8) gives a helper
# (SPEC DIR [-sfnv] [-N NS] [-o OPTS] [-t TYPE]): the daemon command line
# it builds, every refused option (exit 1, the option named, no daemon
# run), the exit codes 2 and 32, and real mounts: the view it mounts equals
# the view the daemon mounts by itself; ro, auto_unmount and -N.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/backings.sh"
need_fuse
view_watchdog 120

H=$top_builddir/mount-helper/mount.aliasfs
D=$top_builddir/fs/aliasfs
ALIASFS_DAEMON=$D
export ALIASFS_DAEMON
B=$T/backing
M=$T/mnt
backing_split "$B"
mkdir -p "$M"

# A stand-in daemon that records its arguments, one a line.
FAKE=$T/fake-daemon
cat >"$FAKE" <<EOF
#!/bin/sh
printf '%s\n' "\$@" >>"$T/calls"
[ -n "\${FAKE_SIGNAL:-}" ] && kill -"\$FAKE_SIGNAL" \$\$
exit \${FAKE_RC:-0}
EOF
chmod +x "$FAKE"

# cmdline DESC EXPECTED ARGS...: mount.aliasfs -fv ARGS prints EXPECTED
# as the daemon command line and exits 0 without running it.
cmdline()
{
	_desc=$1
	_want=$2
	shift 2
	rm -f "$T/calls"
	_out=$(ALIASFS_DAEMON=$FAKE "$H" -fv "$@" 2>"$T/err")
	_rc=$?
	check_eq "$_desc: exit 0" 0 "$_rc"
	check_eq "$_desc: command line" "mount.aliasfs: running $FAKE $_want" \
		"$_out"
	check_eq "$_desc: nothing on stderr" "" "$(cat "$T/err")"
	check_fails "$_desc: -f runs no daemon" test -e "$T/calls"
}

cmdline "no options" "$B $M" "$B" "$M"
cmdline "mount(8)'s usual -o rw" "$B $M -o rw" "$B" "$M" -o rw
cmdline "options for mount(8), systemd and fstab are dropped" \
	"$B $M -o rw" "$B" "$M" -o \
	"defaults,auto,noauto,nofail,_netdev,x-systemd.automount,x-systemd.requires=a.mount,X-mount.mkdir,comment=hi,uhelper=x,user,user=bob,nouser,users,nousers,owner,noowner,group,nogroup,rw"
cmdline "every option of the view is passed, in order" \
	"$B $M -o db=/d,arch=arm64,dpkgdb=raw,handles=open,threads=8,poll_us=0,entry_timeout=1,attr_timeout=0.5,negative_timeout=0,ro,rw,allow_other,noallow_other,default_permissions,no_default_permissions,dev,nodev,suid,nosuid,exec,noexec,atime,noatime,sync,async,dirsync,auto_unmount" \
	"$B" "$M" -o \
	"db=/d,arch=arm64,dpkgdb=raw,handles=open,threads=8,poll_us=0,entry_timeout=1,attr_timeout=0.5,negative_timeout=0,ro,rw,allow_other,noallow_other,default_permissions,no_default_permissions,dev,nodev,suid,nosuid,exec,noexec,atime,noatime,sync,async,dirsync,auto_unmount"
cmdline "several -o, options after the operands (mount(8)'s order)" \
	"$B $M -o ro,threads=2" "$B" "$M" -n -o ro -s -o nofail,threads=2 \
	-t aliasfs
cmdline "options before the operands, -oOPTS, -t fuse.aliasfs" \
	"$B $M -o nodev" -onoauto -t fuse.aliasfs -o nodev "$B" "$M"
cmdline "a quoted value keeps its commas (escaped for libfuse)" \
	"$B $M -o 'db=/a\\,b\\\\c'" "$B" "$M" -o 'db="/a,b\c"'
cmdline "empty items are ignored" "$B $M -o ro" "$B" "$M" -o ',,ro,'
(cd "$T" && cmdline "relative paths are made absolute" \
	"$T/backing $T/-mnt" backing -- -mnt) >"$T/rel.out" 2>&1
cat "$T/rel.out"
grep -q '^FAIL' "$T/rel.out" && fail "relative paths (above)"

# refused DESC OPTS...: exit 1, a message naming the option, no daemon.
refused()
{
	_desc=$1
	_opt=$2
	rm -f "$T/calls"
	ALIASFS_DAEMON=$FAKE "$H" "$B" "$M" -o "$_opt" >"$T/out" 2>"$T/err"
	_rc=$?
	check_eq "refused $_desc: exit 1" 1 "$_rc"
	if grep -q "^mount.aliasfs: option '.*$3" "$T/err"; then
		ok "refused $_desc: $(head -n 1 "$T/err")"
	else
		fail "refused $_desc: message [$(cat "$T/err")]"
	fi
	check_fails "refused $_desc: no daemon run" test -e "$T/calls"
}
refused "unknown" foo "foo' is unknown"
refused "unknown after good ones" ro,nofail,bogus "bogus' is unknown"
refused "a value on a flag" ro=1 "ro=1' takes no value"
refused "db without value" db "db' needs a value"
refused "db= empty" db= "db=' needs a value"
refused "db=\"\" empty" 'db=""' "needs a value"
refused "unterminated quote" 'db="/x' "unterminated"
refused "misplaced quote" 'db=/a"b"c' "misplaced"
refused "threads=0" threads=0 "threads=0' is malformed"
refused "threads=1025" threads=1025 "malformed"
refused "threads=abc" threads=abc "malformed"
refused "threads=-1" threads=-1 "malformed"
refused "threads=+2" threads=+2 "malformed"
refused "threads huge" threads=99999999999999999999 "malformed"
refused "poll_us above a second" poll_us=1000001 "malformed"
refused "entry_timeout=-1" entry_timeout=-1 "malformed"
refused "attr_timeout=1e3" attr_timeout=1e3 "malformed"
refused "negative_timeout=inf" negative_timeout=inf "malformed"
refused "dpkgdb=other" dpkgdb=other "expected claims or raw"
refused "handles=file" handles=file "expected inode or open"
refused "arch=AMD64" arch=AMD64 "architecture"
refused "arch=-x" arch=-x "architecture"
refused "debug (would never return)" debug "debug' is unknown"
refused "fsname= (set by the daemon)" fsname=x "unknown"
refused "subtype=" subtype=x "unknown"
refused "allow_root" allow_root "unknown"
refused "max_read=" max_read=4096 "unknown"
refused "relatime (libfuse cannot set it)" relatime "unknown"
refused "a control character" "$(printf 'ro\001x')" 'ro\\x01x'
refused "a newline in a value" "db=$(printf '/a\nb')" 'db=/a\\x0ab'

# usage DESC ARGS...: exit 1 with a usage message, no daemon.
usage()
{
	_desc=$1
	shift
	rm -f "$T/calls"
	ALIASFS_DAEMON=$FAKE "$H" "$@" >"$T/out" 2>"$T/err"
	check_eq "usage $_desc: exit 1" 1 "$?"
	check "usage $_desc: says usage" grep -q '^usage: mount.aliasfs' \
		"$T/err"
	check_fails "usage $_desc: no daemon run" test -e "$T/calls"
}
usage "no arguments"
usage "one operand" "$B"
usage "three operands" "$B" "$M" extra
usage "empty backing" "" "$M"
usage "unknown letter" -x "$B" "$M"
usage "unknown long option" --bogus "$B" "$M"
usage "-o without a value" "$B" "$M" -o
usage "-N without a value" "$B" "$M" -N
usage "-t another type" "$B" "$M" -t ext4
usage "-t fuse.other" "$B" "$M" -t fuse.sshfs

# -s: unknown options are skipped with a warning; malformed ones are not.
rm -f "$T/calls"
out=$(ALIASFS_DAEMON=$FAKE "$H" -sfv "$B" "$M" -o bogus,ro,x=1 2>"$T/err")
check_eq "-s: exit 0, bogus dropped" "mount.aliasfs: running $FAKE $B $M -o ro" \
	"$out"
check_eq "-s: a warning names them" \
	"mount.aliasfs: ignoring unknown options bogus,x=1 (-s)" "$(cat "$T/err")"
ALIASFS_DAEMON=$FAKE "$H" -s "$B" "$M" -o threads=abc 2>"$T/err"
check_eq "-s: a malformed known option still fails" 1 "$?"
check_eq "--help exits 0" 0 "$("$H" --help >/dev/null; echo $?)"
check "--help lists the table" sh -c "'$H' --help | grep -q '^  dpkgdb '"
check_eq "--version" "mount.aliasfs (aliasfs) $(sed -n \
	's/^AC_INIT(\[aliasfs\], \[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")" \
	"$("$H" --version)"

# The man page documents every option of the table.
"$H" --help | awk '/^Options for the view/ { v = 1; next }
	/^Options for mount/ { v = 0; m = 1; next }
	m && !NF { exit }
	v && NF { print $1 } m && NF { for (i = 1; i <= NF; i++) print $i }' |
	sed 's/[=*]*$//' | while read -r o; do
		grep -qF -- "$(printf '%s' "$o" | sed 's/-/\\-/g')" \
			"$top_srcdir/man/mount.aliasfs.8" ||
			echo "mount.aliasfs.8 does not mention $o"
	done >"$T/undocumented"
check_eq "mount.aliasfs(8) names every option" "" "$(cat "$T/undocumented")"

# Exit codes of a failed start: 32 when the daemon fails or dies, 2 when
# it cannot be run.
"$H" "$T/no-such-backing" "$M" 2>"$T/err"
check_eq "missing backing: exit 32" 32 "$?"
check "missing backing: the daemon's message" grep -q \
	"aliasfs: backing directory $T/no-such-backing" "$T/err"
mkdir -p "$B/inner"
"$H" "$B" "$B/inner" 2>"$T/err"
check_eq "mount point inside the backing: exit 32" 32 "$?"
check_fails "nothing mounted inside the backing" is_mounted "$B/inner"
rmdir "$B/inner"
ALIASFS_DAEMON=$T/no-such-daemon "$H" "$B" "$M" 2>"$T/err"
check_eq "daemon missing: exit 2" 2 "$?"
check "daemon missing: says so" grep -q \
	"cannot run $T/no-such-daemon: No such file or directory" "$T/err"
FAKE_RC=3 ALIASFS_DAEMON=$FAKE "$H" "$B" "$M" 2>"$T/err"
check_eq "daemon exits 3: exit 32" 32 "$?"
FAKE_SIGNAL=KILL ALIASFS_DAEMON=$FAKE "$H" "$B" "$M" 2>"$T/err"
check_eq "daemon killed: exit 32" 32 "$?"
check "daemon killed: says so" grep -q "was killed by signal 9" "$T/err"
check_fails "no mount after the failures" is_mounted "$M"

# tree DIR: what a view shows, for comparing two views.
tree()
{
	(cd "$1" && find . -printf '%p %y %l %s %m\n' | LC_ALL=C sort)
}

# A real mount through the helper shows what the daemon alone shows.
V=$T/direct
mount_view "$B" "$V" || fail "mount the daemon directly"
_lib_mounts="$_lib_mounts $M"
"$H" "$B" "$M" -o rw,nofail,_netdev,threads=2 2>"$T/err"
check_eq "mount through the helper: exit 0" 0 "$?"
check "mount through the helper: mounted" is_mounted "$M"
check_eq "the helper's view equals the daemon's" "$(tree "$V")" "$(tree "$M")"
check_eq "an alias through the helper's view" usr/bin "$(readlink "$M/bin")"
umount_view "$M" || fail "unmount the helper's view"
umount_view "$V"

# ro
"$H" "$B" "$M" -o ro 2>"$T/err" || fail "mount -o ro: $(cat "$T/err")"
check_eq "ro: writes fail with EROFS" EROFS "$(fsop create-mode "$M/new-file" 0644)"
check_eq "ro: reads work, through an alias" "alias side bin-a" \
	"$(cat "$M/usr/bin/bin-a")"
umount_view "$M" || fail "unmount the ro view"

# auto_unmount: the mount goes when its daemon dies.
"$H" "$B" "$M" -o auto_unmount 2>"$T/err" ||
	fail "mount -o auto_unmount: $(cat "$T/err")"
pids=$(view_daemon_pids "$M")
if [ -n "$pids" ]; then
	kill -KILL $pids
	check "auto_unmount: the view goes with its daemon" wait_unmounted "$M"
else
	fail "auto_unmount: no daemon found for $M"
fi
is_mounted "$M" && { fusermount3 -u "$M" || umount -l "$M"; }

# -N: mount in another mount namespace (by file and by PID); not here.
if is_root && command -v unshare >/dev/null && command -v nsenter >/dev/null
then
	NS=$T/ns
	mkdir -p "$NS"
	mount --bind "$NS" "$NS" && mount --make-private "$NS" &&
		touch "$NS/mnt" &&
		unshare --mount="$NS/mnt" --propagation private true ||
		fail "make a mount namespace file"
	"$H" "$B" "$M" -N "$NS/mnt" 2>"$T/err"
	check_eq "-N FILE: exit 0" 0 "$?"
	check_fails "-N FILE: not mounted here" is_mounted "$M"
	check_eq "-N FILE: mounted there" usr/bin \
		"$(nsenter --mount="$NS/mnt" readlink "$M/bin")"
	nsenter --mount="$NS/mnt" umount "$M" || fail "-N FILE: umount there"
	umount "$NS/mnt" && umount "$NS"

	unshare -m --propagation private sleep 300 &
	nspid=$!
	poll 5 sh -c "[ \"\$(readlink /proc/$nspid/ns/mnt)\" != \
		\"\$(readlink /proc/self/ns/mnt)\" ]" ||
		fail "-N PID: the namespace never appeared"
	"$H" "$B" "$M" -N "$nspid" 2>"$T/err"
	check_eq "-N PID: exit 0" 0 "$?"
	check_fails "-N PID: not mounted here" is_mounted "$M"
	check_eq "-N PID: mounted there" usr/bin \
		"$(nsenter -t "$nspid" -m readlink "$M/bin")"
	nsenter -t "$nspid" -m umount "$M" || fail "-N PID: umount there"
	kill "$nspid"
	"$H" "$B" "$M" -N "$T/no-such-ns" 2>"$T/err"
	check_eq "-N missing: exit 2" 2 "$?"
	check "-N missing: says so" grep -q "cannot enter the mount namespace" \
		"$T/err"
else
	echo "not root: -N not tested"
fi
finish
