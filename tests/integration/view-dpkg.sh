#!/bin/sh
# Real dpkg, chrootless (dpkg --root), through the view. Each scenario is
# run on a plain merged directory first (the control: what dpkg does on a
# real merged system) and must give the same result in views over an
# empty and a split backing.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/backings.sh"
. "$top_srcdir/tests/integration/fixtures/mkdeb.sh"
need_fuse
view_watchdog 200
is_root || skip "dpkg --root needs root to set owners"

make_deb "$T/a1.deb" pkga 1.0 /bin/foo /usr/bin/bar "/lib/$MA/libfoo.so.1" \
	/usr/share/doc/pkga/copyright || fail "build a1"
# 2.0 moves /bin/foo to /usr/bin/foo inside the package: on a merged
# system dpkg must not delete the file it just unpacked.
make_deb "$T/a2.deb" pkga 2.0 /usr/bin/foo /usr/bin/bar \
	"/usr/lib/$MA/libfoo.so.1" /usr/share/doc/pkga/copyright ||
	fail "build a2"

# dpkg_db ROOT: the minimal database dpkg --root needs.
dpkg_db()
{
	mkdir -p "$1/var/lib/dpkg/info" "$1/var/lib/dpkg/updates" \
		"$1/var/lib/dpkg/triggers" "$1/var/log" &&
		touch "$1/var/lib/dpkg/status" "$1/var/lib/dpkg/available"
}

# run_dpkg ROOT ARGS...: dpkg on ROOT, output to $T/dpkg.out.
run_dpkg()
{
	_r=$1
	shift
	dpkg --root="$_r" --force-script-chrootless --log=/dev/null "$@" \
		>"$T/dpkg.out" 2>&1
}

# scenario NAME ROOT BACKING: install, query, upgrade, remove on ROOT
# (a view or the control), checking the files in BACKING.
scenario()
{
	_n=$1
	_r=$2
	_b=$3
	check "$_n: dpkg database" dpkg_db "$_r"
	if run_dpkg "$_r" -i "$T/a1.deb"; then
		ok "$_n: dpkg -i pkga 1.0"
	else
		fail "$_n: dpkg -i pkga 1.0: $(cat "$T/dpkg.out")"
	fi
	check_eq "$_n: /bin/foo in usr/bin" "pkga /bin/foo" \
		"$(cat "$_b/usr/bin/foo" 2>&1)"
	check_eq "$_n: libfoo in usr/lib/$MA" "pkga /lib/$MA/libfoo.so.1" \
		"$(cat "$_b/usr/lib/$MA/libfoo.so.1" 2>&1)"
	check_eq "$_n: status installed" "install ok installed" \
		"$(dpkg-query --admindir="$_r/var/lib/dpkg" -W \
			-f '${Status}' pkga 2>&1)"
	check "$_n: dpkg -L lists /bin/foo" \
		sh -c "dpkg --root='$_r' -L pkga | grep -qx /bin/foo"
	check_eq "$_n: dpkg -S /bin/foo" "pkga: /bin/foo" \
		"$(dpkg --root="$_r" -S /bin/foo 2>&1)"
	check "$_n: dpkg -V clean" run_dpkg "$_r" -V pkga
	check_eq "$_n: dpkg -V output empty" "" "$(cat "$T/dpkg.out")"
	if run_dpkg "$_r" -i "$T/a2.deb"; then
		ok "$_n: upgrade to 2.0 (/bin/foo -> /usr/bin/foo)"
	else
		fail "$_n: upgrade to 2.0: $(cat "$T/dpkg.out")"
	fi
	check_eq "$_n: foo survived the in-package move" "pkga /usr/bin/foo" \
		"$(cat "$_b/usr/bin/foo" 2>&1)"
	check_eq "$_n: libfoo survived the in-package move" \
		"pkga /usr/lib/$MA/libfoo.so.1" \
		"$(cat "$_b/usr/lib/$MA/libfoo.so.1" 2>&1)"
	# On a plain merged directory dpkg unlinks the /bin symlink here
	# (1.0 shipped the directory /bin, 2.0 does not): a view keeps it.
	if [ "$_r" != "$_b" ]; then
		check_eq "$_n: bin is still the alias" usr/bin \
			"$(readlink "$_r/bin" 2>&1)"
	fi
	if run_dpkg "$_r" -P pkga; then
		ok "$_n: dpkg -P pkga"
	else
		fail "$_n: dpkg -P pkga: $(cat "$T/dpkg.out")"
	fi
	for f in usr/bin/foo usr/bin/bar "usr/lib/$MA/libfoo.so.1" \
		usr/share/doc/pkga/copyright; do
		check_fails "$_n: $f removed" test -e "$_b/$f"
		check_fails "$_n: $f gone from the view" test -e "$_r/$f"
	done
	if [ "$_r" != "$_b" ]; then
		check_eq "$_n: aliases survive the purge" usr/bin \
			"$(readlink "$_r/bin" 2>&1)"
		check_eq "$_n: lib alias survives" usr/lib \
			"$(readlink "$_r/lib" 2>&1)"
	fi
}

C=$T/control
mkdir -p "$C/usr/bin" "$C/usr/lib" "$C/usr/sbin" "$C/usr/lib64"
for a in bin sbin lib lib64; do
	ln -s "usr/$a" "$C/$a"
done
scenario control "$C" "$C"

for kind in empty split merged; do
	B=$T/$kind
	M=$T/mnt-$kind
	"backing_$kind" "$B"
	mount_view "$B" "$M" || { fail "$kind: mount"; continue; }
	scenario "$kind" "$M" "$B"
	umount_view "$M"
	check "$kind: dpkg status in the backing" test -f "$B/var/lib/dpkg/status"
done
finish
