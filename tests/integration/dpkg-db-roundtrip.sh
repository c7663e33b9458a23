#!/bin/sh
# dpkg's whole-file databases (diversions, statoverride, triggers/File)
# written through a view are stored byte for byte as dpkg writes them on a
# plain merged tree: the view shows dpkg every spelling of a path, but the
# backing must not keep the extra spellings dpkg writes back (the
# debootstrap cell found dash's /bin/sh diversion stored twice).
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/dpkg-scenarios.sh"
need_fuse
[ "$(id -u)" = 0 ] || skip "dpkg --root needs root to set owners"
command -v dpkg >/dev/null 2>&1 || skip "no dpkg"
dpkg_watchdog 150

P=$T/debs
mkdir -p "$P"
{
	mkpkg "$P" sd1 1 /usr/lib/sd/a &&
		mkpkg "$P" sd2 1 /lib/sd/b &&
		mkpkg "$P" trg 1 "/DEBIAN/triggers=interest-noawait /lib/sd" &&
		mkpkg "$P" trg2 1 "/DEBIAN/triggers=interest /usr/lib/sd2"
} || fail "building the packages"

divert()
{
	DPKG_ROOT=$ROOT dpkg-divert --root="$ROOT" "$@" >>"$T/dpkg.log" 2>&1
}

statoverride()
{
	dpkg-statoverride --root="$ROOT" "$@" >>"$T/dpkg.log" 2>&1
}

# The same steps on a plain merged root and through a view; what the
# backing holds is compared after. Every call rewrites the file whole.
steps()
{
	touch "$ROOT/usr/bin/sh" "$ROOT/usr/bin/ls"
	# dash's diversions, as its postinst makes them; then one under the
	# other spelling of its target; each call rewrites the file.
	divert --package dash --divert /bin/sh.distrib --add /bin/sh
	divert --package dash --divert /usr/share/man/man1/sh.distrib.1.gz \
		--add /usr/share/man/man1/sh.1.gz
	divert --package d2 --add --rename --divert /usr/bin/ls.distrib /bin/ls
	divert --local --add /usr/sbin/x
	statoverride --add root root 0700 /bin/sh
	statoverride --add root root 0755 /usr/share/s
	statoverride --add root root 0750 /sbin/t
	D "$ROOT" -i "$P/sd1_1.deb" "$P/trg_1.deb"
	D "$ROOT" -i "$P/sd2_1.deb" "$P/trg2_1.deb"
	divert --package d3 --add /usr/bin/z
}

plain_root plain
touch "$ROOT/var/lib/dpkg/diversions" "$ROOT/var/lib/dpkg/statoverride"
steps
PLAIN=$ROOT
view_root view || fail "mount the view"
touch "$ROOT/var/lib/dpkg/diversions" "$ROOT/var/lib/dpkg/statoverride"
steps
for f in diversions statoverride triggers/File; do
	check_eq "$f: stored as dpkg writes it natively" \
		"$(cat "$PLAIN/var/lib/dpkg/$f")" \
		"$(cat "$BK/var/lib/dpkg/$f")"
done
check_eq "ls diverted as natively" \
	"$(ls "$PLAIN/usr/bin")" "$(ls "$ROOT/usr/bin")"
# The view still shows dpkg both spellings.
check_eq "the view: /usr/bin/sh diverted by dash" "dash" \
	"$(dpkg-divert --root="$ROOT" --listpackage /usr/bin/sh)"
check_eq "the view: /bin/ls diverted to /bin/ls.distrib" "/bin/ls.distrib" \
	"$(dpkg-divert --root="$ROOT" --truename /bin/ls)"
check_eq "the view: /usr/bin/sh overridden" "root root 700 /usr/bin/sh" \
	"$(dpkg-statoverride --root="$ROOT" --list /usr/bin/sh)"
umount_view "$ROOT" || fail "unmount"

[ "$_lib_failed" -eq 0 ] || show_log
finish
