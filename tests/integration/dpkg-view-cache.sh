#!/bin/sh
# The cache of presented dpkg database files holds a sealed copy (a
# memfd) per backing list. Repeated installs and purges replace and
# remove lists: the copies of lists that are gone must go with them, or
# the daemon's descriptors and memory grow with every dpkg run (found by
# bench/soak). The lists still there keep being shown with both
# spellings.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/dpkg-scenarios.sh"
dpkg_test_start 120
{
	mkpkg "$P" a 1 /bin/foo /usr/share/doc/a/x &&
		mkpkg "$P" b 1 /usr/bin/bar &&
		mkpkg "$P" c 1 /sbin/baz
} || fail "building the packages"

view_root v || fail "mount"
pid=$(pgrep -f "^aliasfs .*$BK $ROOT$") || fail "no daemon for $ROOT"

# memfds: the daemon's descriptors of presented copies.
memfds()
{
	ls -l "/proc/$pid/fd" | grep -c 'memfd:aliasfs-dpkgdb'
}

# round: install a, b, c; read every list (as dpkg -S does); purge b
# and c, and upgrade-in-place a (its list is replaced).
round()
{
	D "$ROOT" -i "$P/a_1.deb" "$P/b_1.deb" "$P/c_1.deb" ||
		fail "dpkg -i: $(cat "$T/dpkg.out")"
	cat "$ROOT"/var/lib/dpkg/info/*.list >/dev/null
	D "$ROOT" -P b c || fail "dpkg -P: $(cat "$T/dpkg.out")"
	D "$ROOT" -i "$P/a_1.deb" || fail "dpkg -i a again"
	cat "$ROOT"/var/lib/dpkg/info/*.list >/dev/null
}

round
first=$(memfds)
for i in 1 2 3 4 5 6 7 8; do
	round
done
last=$(memfds)
check_eq "presented copies after 8 more rounds as after the first" \
	"$first" "$last"
check "a.list still shows /usr/bin/foo" \
	grep -qx /usr/bin/foo "$ROOT/var/lib/dpkg/info/a.list"
check_eq "dpkg -S by the other spelling" "a: /usr/bin/foo" \
	"$(dpkg-query --admindir="$ROOT/var/lib/dpkg" -S /usr/bin/foo)"
umount_view "$ROOT" || fail "unmount"
finish
