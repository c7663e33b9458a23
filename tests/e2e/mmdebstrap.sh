#!/bin/sh
# End-to-end: bootstrap Debian bookworm (mmdebstrap --variant=essential)
# into a view over an empty backing, then use the result: dpkg -l, a
# shell, dpkg --verify, all inside the view, and its dev/ is the one the
# same command makes in a plain directory. Then the same tree, split
# back into real bin/ and lib/ directories, run through a view.
# Needs root and the Debian mirror; skipped (77) only when the mirror is
# unreachable. Run by `make check-e2e`, never by `make check`.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/backings.sh"
need_fuse
view_watchdog 1500
is_root || { echo "FAIL: the e2e test runs mmdebstrap --mode=root:" \
	"run it as root" >&2; exit 1; }

MIRROR=${ALIASFS_E2E_MIRROR:-http://deb.debian.org/debian}
CACHE=${ALIASFS_E2E_CACHE:-/var/tmp/aliasfs-cache/essential.tar}

mirror_ok()
{
	python3 - "$MIRROR/dists/bookworm/Release" <<'PY'
import sys, urllib.request
try:
    urllib.request.urlopen(sys.argv[1], timeout=10).read(64)
except Exception as e:
    print("mirror probe: %s: %s" % (sys.argv[1], e), file=sys.stderr)
    sys.exit(1)
PY
}

# use_system NAME VIEW: the bootstrapped system works in the view.
use_system()
{
	_n=$1
	_v=$2
	for a in bin sbin lib lib64; do
		check_eq "$_n: $a is the alias" "usr/$a" \
			"$(readlink "$_v/$a" 2>&1)"
	done
	check "$_n: chroot /bin/sh -c true" chroot "$_v" /bin/sh -c true
	check_eq "$_n: the loader is reachable as /lib64" hi \
		"$(chroot "$_v" /lib64/ld-linux-x86-64.so.2 /bin/sh -c \
			'echo hi' 2>&1)"
	chroot "$_v" dpkg -l >"$T/dpkg-l" 2>&1 || fail "$_n: dpkg -l"
	n=$(grep -c '^ii ' "$T/dpkg-l")
	if [ "$n" -ge 20 ]; then
		ok "$_n: dpkg -l lists $n installed packages"
	else
		fail "$_n: dpkg -l lists $n packages: $(head -n 20 "$T/dpkg-l")"
	fi
	for p in base-files dpkg libc6 dash coreutils; do
		check "$_n: $p installed" grep -q "^ii  ${p}[: ]" "$T/dpkg-l"
	done
	chroot "$_v" dpkg --verify >"$T/verify" 2>&1
	check_eq "$_n: dpkg --verify finds no missing or changed file" "" \
		"$(grep -v ' c /' "$T/verify" | head -n 20)"
	check "$_n: dpkg -S /bin/sh (a file shipped as /bin/...)" \
		chroot "$_v" dpkg -S /bin/dash
	check_eq "$_n: ls -l via coreutils in the view" usr/bin \
		"$(chroot "$_v" readlink /bin 2>&1)"
}

# dev_listing ROOT: every entry of ROOT/dev: name, type, mode, owner,
# device numbers, symlink target.
dev_listing()
{
	(cd "$1/dev" && find . -printf '%p %y %m %U:%G %l\n' | sort &&
		find . \( -type c -o -type b \) -exec stat -c '%n %t:%T' {} + |
		sort) 2>&1
}

ran=0
mirror=0
if mirror_ok; then
	mirror=1
	B=$T/empty
	V=$T/view
	backing_empty "$B"
	mount_view "$B" "$V" || fail "mount over an empty backing"
	if mmdebstrap --mode=root --variant=essential --skip=check/empty \
		bookworm "$V" "$MIRROR" >"$T/mmdebstrap.log" 2>&1; then
		ok "mmdebstrap --variant=essential bookworm into the view"
		use_system mmdebstrap "$V"
		check "mmdebstrap: the files are at canonical paths" \
			test -f "$B/usr/bin/dash" -a -f "$B/usr/lib/$MA/libc.so.6"
		check_fails "mmdebstrap: no real bin/ made in the backing" \
			test -e "$B/bin"
		# The same command in a plain directory: the same dev/
		# (a root mount is dev, so mmdebstrap populates it).
		if mmdebstrap --mode=root --variant=essential bookworm \
			"$T/native-root" "$MIRROR" >"$T/mmdebstrap-native.log" \
			2>&1; then
			check "native: dev/null is a device" \
				test -c "$T/native-root/dev/null"
			want=$(dev_listing "$T/native-root")
			check_eq "mmdebstrap: dev/ as in a plain directory \
($(echo "$want" | grep -c '^\./[^ ]* [a-z] ') entries)" "$want" "$(dev_listing "$V")"
		else
			fail "mmdebstrap into a plain directory: $(tail -n 30 \
				"$T/mmdebstrap-native.log")"
		fi
		rm -rf "$T/native-root"
	else
		fail "mmdebstrap into the view: $(tail -n 30 "$T/mmdebstrap.log")"
	fi
	umount_view "$V"
	ran=1
	if [ ! -f "$CACHE" ]; then
		# No cached tree: make one for the split-backing run below.
		CACHE=$T/essential.tar
		mmdebstrap --mode=root --variant=essential bookworm "$CACHE" \
			"$MIRROR" >"$T/mmdebstrap-tar.log" 2>&1 ||
			fail "mmdebstrap to a tarball: $(tail -n 20 \
				"$T/mmdebstrap-tar.log")"
	fi
else
	echo "mirror $MIRROR unreachable: not bootstrapping" >&2
fi

if [ -f "$CACHE" ]; then
	# The essential tree with merged-/usr undone: real bin/, sbin/,
	# lib/, lib64/, half of each /usr directory's files moved there
	# (libc and the loader too), so only the view's union can run it.
	B=$T/split-essential
	V=$T/view-split
	mkdir -p "$B"
	tar -C "$B" -xf "$CACHE" || fail "extract $CACHE"
	for a in bin sbin lib lib64; do
		[ -L "$B/$a" ] && rm "$B/$a"
		mkdir -p "$B/$a"
	done
	mkdir -p "$B/lib/$MA"
	(cd "$B/usr" && find bin sbin "lib/$MA" -maxdepth 1 ! -type d \
		\( -name '*[a-m]' -o -name 'libc.so*' -o -name 'ld-linux*' \)) \
		>"$T/moved"
	while read -r f; do
		mv "$B/usr/$f" "$B/$f" || fail "move usr/$f"
	done <"$T/moved"
	mv "$B/usr/lib64/"* "$B/lib64/" 2>/dev/null
	check "split essential: libc only on the alias side" \
		test -e "$B/lib/$MA/libc.so.6" -a ! -e "$B/usr/lib/$MA/libc.so.6"
	check "split essential: dash only on the alias side" \
		test -e "$B/bin/dash" -a ! -e "$B/usr/bin/dash"
	mount_view "$B" "$V" || fail "mount the split essential tree"
	use_system split-essential "$V"
	umount_view "$V"
	ran=1
fi

[ "$ran" = 1 ] || skip "mirror $MIRROR unreachable and no $CACHE"
if [ "$mirror" = 0 ]; then
	[ "$_lib_failed" -eq 0 ] || finish
	skip "mirror $MIRROR unreachable: mmdebstrap not run" \
		"($_lib_checks checks on $CACHE passed)"
fi
finish
