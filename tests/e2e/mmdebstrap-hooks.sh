#!/bin/sh
# End-to-end: the mmdebstrap hooks of mount-helper/mmdebstrap as a user
# runs them,
#     mmdebstrap --hook-dir=HOOKS bookworm TARGET
# for a directory and for a tarball: mmdebstrap succeeds without a
# warning about its mounts, nothing is left mounted or running, and TARGET
# is a working merged-/usr tree (real alias symlinks, files at canonical
# paths, dpkg --verify clean, nothing of aliasfs). Then a run that fails
# right after the setup hook: the view goes anyway.
# Needs root and the Debian mirror; skipped (77) when it is unreachable.
# Run by `make check-e2e`, never by `make check`.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/backings.sh"
need_fuse
view_watchdog 1500
is_root || { echo "FAIL: mmdebstrap --mode=root needs root" >&2; exit 1; }

MIRROR=${ALIASFS_E2E_MIRROR:-http://deb.debian.org/debian}
python3 - "$MIRROR/dists/bookworm/Release" <<'PY' ||
import sys, urllib.request
try:
    urllib.request.urlopen(sys.argv[1], timeout=10).read(64)
except Exception as e:
    print("mirror probe: %s: %s" % (sys.argv[1], e), file=sys.stderr)
    sys.exit(1)
PY
	skip "mirror $MIRROR unreachable"

HOOKS=$top_builddir/mount-helper/mmdebstrap
ALIASFS_DAEMON=$top_builddir/fs/aliasfs
ALIASCTL=$top_builddir/aliasctl/aliasctl
export ALIASFS_DAEMON ALIASCTL

state()
{
	_s=/run
	[ -w "$_s" ] || _s=/tmp
	echo "$_s/aliasfs-mmdebstrap.$(printf '%s' "$1" | sha256sum |
		cut -c1-16)"
}

# nothing_left DESC TARGET: no mount under $T, no state, no daemon, no
# watcher for TARGET.
nothing_left()
{
	_s=$(state "$2")
	check_eq "$1: nothing mounted under the test directory" "" \
		"$(awk -v t="$T/" 'index($5, t) == 1 { print $5 }' \
			/proc/self/mountinfo)"
	check_fails "$1: no state directory" test -e "$_s"
	check "$1: no daemon" poll 10 no_view_daemon "$_s/backing"
	check_eq "$1: no watcher" "" \
		"$(pgrep -f "[c]ustomize99-aliasfs.sh --after [0-9]* $2\$")"
}

# mmdebstrap_ok DESC LOG: no warning about mounts in mmdebstrap's log.
mmdebstrap_ok()
{
	check_eq "$1: mmdebstrap warns about no mount" "" \
		"$(grep -E '^W: .*(mount|unlink|rmdir)' "$2")"
}

TGT=$T/target
t0=$(date +%s)
if mmdebstrap --mode=root --variant=essential --hook-dir="$HOOKS" \
	bookworm "$TGT" "$MIRROR" >"$T/mm.log" 2>&1; then
	ok "mmdebstrap --hook-dir=HOOKS bookworm TARGET" \
		"($(($(date +%s) - t0)) s)"
else
	fail "mmdebstrap with the hooks: $(tail -n 30 "$T/mm.log")"
fi
mmdebstrap_ok directory "$T/mm.log"
nothing_left directory "$TGT"
for a in bin sbin lib lib64; do
	check_eq "directory: $a is a real symlink" "usr/$a" \
		"$(readlink "$TGT/$a")"
done
for a in lib32 libx32; do
	if [ -e "$TGT/$a" ] || [ -L "$TGT/$a" ]; then
		check_eq "directory: $a, if present, is a symlink" "usr/$a" \
			"$(readlink "$TGT/$a")"
	fi
done
check "directory: files at canonical paths" test -f "$TGT/usr/bin/dash" \
	-a -f "$TGT/usr/lib/$MA/libc.so.6" -a -f "$TGT/usr/lib64/ld-linux-x86-64.so.2"
check_fails "directory: nothing of aliasfs" test -e "$TGT/var/lib/aliasfs"
check "directory: chroot /bin/sh -c true" chroot "$TGT" /bin/sh -c true
chroot "$TGT" dpkg -l >"$T/dpkg-l" 2>&1 || fail "dpkg -l"
n=$(grep -c '^ii ' "$T/dpkg-l")
if [ "$n" -ge 20 ]; then
	ok "directory: dpkg -l lists $n installed packages"
else
	fail "directory: dpkg -l lists $n packages"
fi
check "directory: usrmerge or usr-is-merged installed" \
	grep -qE '^ii  (usrmerge|usr-is-merged) ' "$T/dpkg-l"
chroot "$TGT" dpkg --verify >"$T/verify" 2>&1
check_eq "directory: dpkg --verify finds nothing missing or changed" "" \
	"$(grep -v ' c /' "$T/verify" | head -n 20)"
check "directory: dpkg -S /bin/dash" chroot "$TGT" dpkg -S /bin/dash

# A tarball: mmdebstrap packs its temporary directory after the hooks.
t0=$(date +%s)
if mmdebstrap --mode=root --variant=essential --hook-dir="$HOOKS" \
	bookworm "$T/out.tar" "$MIRROR" >"$T/mm-tar.log" 2>&1; then
	ok "mmdebstrap --hook-dir=HOOKS bookworm OUT.tar" \
		"($(($(date +%s) - t0)) s)"
else
	fail "mmdebstrap to a tarball: $(tail -n 30 "$T/mm-tar.log")"
fi
mmdebstrap_ok tarball "$T/mm-tar.log"
check_eq "tarball: nothing mounted under /tmp/mmdebstrap.*" "" \
	"$(awk 'index($5, "/tmp/mmdebstrap.") == 1 { print $5 }' \
		/proc/self/mountinfo)"
tar -tvf "$T/out.tar" >"$T/tar-list" 2>&1 || fail "tar -t"
check "tarball: ./bin -> usr/bin" grep -q ' \./bin -> usr/bin$' "$T/tar-list"
check "tarball: ./usr/bin/dash" grep -q ' \./usr/bin/dash$' "$T/tar-list"
check_fails "tarball: no real ./bin/ directory" grep -q ' \./bin/' \
	"$T/tar-list"
check_fails "tarball: nothing of aliasfs" grep -q 'var/lib/aliasfs' \
	"$T/tar-list"

# mmdebstrap fails after the setup hook: the watcher takes the view away.
T3=$T/target-fail
mmdebstrap --mode=root --variant=essential --hook-dir="$HOOKS" \
	--setup-hook=false bookworm "$T3" "$MIRROR" >"$T/mm-fail.log" 2>&1
check_fails "failing run: mmdebstrap fails" test $? -eq 0
check "failing run: after the aliasfs setup hook" grep -q \
	'running --setup-hook directly: .*/setup00-aliasfs.sh' "$T/mm-fail.log"
gone()
{
	[ -z "$(findmnt -n --mountpoint "$T3")" ] && [ ! -e "$(state "$T3")" ]
}
check "failing run: the view goes after mmdebstrap" poll 30 gone
nothing_left "failing run" "$T3"
finish
