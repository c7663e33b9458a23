#!/bin/sh
# Real programs through aliasctl run, beside the same on plain
# directories: dpkg -i of a package shipping /bin/foo into a split tree
# (through the view it lands in usr/bin and dpkg -S knows both
# spellings), and dpkg --print-architecture chrooted into a split tree
# that has dpkg only in bin/ and its libraries only in lib/. As root and
# as an ordinary user (a user namespace, where it is root).
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/run-helpers.sh"
. "$top_srcdir/tests/integration/fixtures/dpkg-scenarios.sh"
need_fuse
command -v dpkg >/dev/null 2>&1 || skip "no dpkg"
command -v busybox >/dev/null 2>&1 || skip "no busybox"

P=$T/debs
mkdir -p "$P"
chmod 0755 "$P"
mkpkg "$P" a 1 /bin/foo || fail "building a_1.deb"
chmod 0644 "$P/a_1.deb"

# The script dpkg runs with, inside the run: the view is its cwd.
cat >"$T/install" <<'EOS'
#!/bin/sh
root=$(pwd -P)
dpkg --root="$root" --force-script-chrootless --log=/dev/null \
	-i "$1" >/dev/null || exit 10
dpkg --root="$root" -S /usr/bin/foo || exit 11
dpkg --root="$root" -S /bin/foo || exit 12
EOS
chmod 0755 "$T/install"

# split NAME OWNER: a split tree with dpkg's empty database, its own
# bin/; owned by OWNER (uid:gid). In a user namespace only the user's uid
# and gid are mapped, and the kernel lets nobody write a file whose owner
# or group is not.
split()
{
	mkdir -p "$T/$1/bin"
	dpkg_skel "$T/$1"
	chown -R "$2" "$T/$1"
}

# A split tree without a view: dpkg puts the file in bin/, and knows
# it only by that name.
if [ "$(id -u)" = 0 ]; then
	split native 0:0
	(cd "$T/native" && "$T/install" "$P/a_1.deb") >"$T/native.out" 2>&1
	check_eq "native: dpkg -S /usr/bin/foo fails" 11 $?
	check "native: the file is in bin/" test -f "$T/native/bin/foo"
fi

# install_through WHO MODE
install_through()
{
	split "view-$2" "$3"
	out=$(run_as "$1" --mode "$2" --backing "$T/view-$2" -- \
		"$T/install" "$P/a_1.deb" 2>"$T/err")
	_rc=$?
	check_eq "$2: dpkg -i and dpkg -S both names through the view" \
		"0:a: /usr/bin/foo a: /bin/foo" \
		"$_rc:$(echo $out)"
	[ "$_rc" = 0 ] || cat "$T/err" >&2
	check_eq "$2: the file landed canonical in the backing" \
		"a 1 /bin/foo" "$(cat "$T/view-$2/usr/bin/foo")"
	check_fails "$2: nothing in the backing's bin/" \
		test -e "$T/view-$2/bin/foo"
	check "$2: dpkg's database records what the package shipped" \
		grep -qx /bin/foo "$T/view-$2/var/lib/dpkg/info/a.list"
	run_nothing_left "$2: dpkg -i"
}

if [ "$(id -u)" = 0 ]; then
	install_through me root 0:0
fi
userns=no
run_userns_works && userns=yes
if [ $userns = yes ]; then
	install_through user userns "$RUN_USER_UID:$RUN_USER_GID"
fi

# A split tree for a chroot: dpkg and busybox in bin/, their libraries
# in lib/x86_64-linux-gnu (the split side), the loader in lib64/.
C=$T/chroot
mkdir -p "$C/bin" "$C/proc" "$C/dev"
for prog in dpkg busybox; do
	cp "$(command -v $prog)" "$C/bin/$prog"
	ldd "$(command -v $prog)" | awk '$3 ~ "^/" { print $3 } $1 ~ "^/" { print $1 }' |
		while read -r lib; do
			case $lib in
			*/ld-linux*) d=$C/lib64 ;;
			*) d=$C/lib/$(basename "$(dirname "$lib")") ;;
			esac
			mkdir -p "$d"
			cp -L "$lib" "$d/"
		done
done
chmod -R a+rX "$C"
arch=$(dpkg --print-architecture)

if [ "$(id -u)" = 0 ]; then
	chroot "$C" /usr/bin/dpkg --print-architecture >/dev/null 2>&1
	check_eq "native chroot: no /usr/bin/dpkg in a split tree" 127 $?
fi

# chroot_through WHO MODE
chroot_through()
{
	out=$(run_as "$1" --mode "$2" --chroot --backing "$C" -- \
		/bin/busybox sh -c '/bin/busybox readlink /bin; /usr/bin/dpkg \
		--print-architecture; test -e /proc/self/status && echo proc;
		test -c /dev/null && echo dev; pwd' 2>"$T/err")
	_rc=$?
	check_eq "$2: chrooted into the view: dpkg, /proc, /dev" \
		"0:usr/bin $arch proc dev /" "$_rc:$(echo $out)"
	[ "$_rc" = 0 ] || cat "$T/err" >&2
	run_nothing_left "$2: --chroot"
}

if [ "$(id -u)" = 0 ]; then
	chroot_through me root
fi
if [ $userns = yes ]; then
	chroot_through user userns
fi
# fusermount3 mounts in the host: an ordinary user cannot chroot there.
if [ "$(id -u)" != 0 ] || [ -n "$RUN_USER" ]; then
	run_as user --mode fusermount --chroot --backing "$C" -- /bin/true \
		2>"$T/err"
	check_eq "fusermount --chroot: refused" 125 $?
	check "fusermount --chroot: said why" grep -q -- "--chroot" "$T/err"
fi
run_nothing_left "all runs"

finish
