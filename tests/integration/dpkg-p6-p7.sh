#!/bin/sh
# DEP17 P6 (empty directories shipped under both spellings) and P7
# (Multi-Arch: same files moving between spellings) with real dpkg, side
# by side on a plain merged directory and through an aliasfs view.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/dpkg-scenarios.sh"
dpkg_test_start 150
{
	mkpkg "$P" x 1 /lib/p6dir/ &&
		mkpkg "$P" y 1 /usr/lib/p6dir/ &&
		for _a in amd64 i386; do
			mkpkg "$P" mm 1 $_a "Multi-Arch: same" /lib/mmdir/mmfile &&
				mkpkg "$P" mm 2 $_a "Multi-Arch: same" \
					/usr/lib/mmdir/mmfile || exit 1
		done
} || fail "building the packages"

# x ships the empty /lib/p6dir, y the empty /usr/lib/p6dir; remove one.
sc_p6()
{
	D "$ROOT" -i "$P/x_1.deb" "$P/y_1.deb"
	D "$ROOT" -r "$1"
	_d=gone
	[ -d "$ROOT/usr/lib/p6dir" ] && _d=kept
	echo "dir=$_d"
}

# mm (Multi-Arch: same, amd64 and i386) moves /lib/mmdir/mmfile to
# /usr/lib/mmdir/mmfile; upgraded together, one architecture after the
# other, or one upgraded and the other removed.
sc_p7()
{
	dpkg --root="$ROOT" --add-architecture i386
	D "$ROOT" -i "$P/mm_1_amd64.deb" "$P/mm_1_i386.deb"
	case $1 in
	together)
		D "$ROOT" -i "$P/mm_2_amd64.deb" "$P/mm_2_i386.deb" ;;
	one-by-one)
		D "$ROOT" -i "$P/mm_2_amd64.deb"
		D "$ROOT" -i "$P/mm_2_i386.deb" ;;
	remove-other)
		# skew: one instance upgraded, the other removed
		D "$ROOT" --force-depends -i "$P/mm_2_amd64.deb"
		D "$ROOT" --force-depends -r mm:i386 ;;
	esac
	_o=$(owner "$ROOT" /usr/lib/mmdir/mmfile)
	echo "file=$(content "$BK/usr/lib/mmdir/mmfile") owner=$_o"
}

# scenario	args	plain merged	aliasfs
run p6 x \
	"dir=gone" \
	"dir=kept"
run p6 y \
	"dir=gone" \
	"dir=kept"
run p7 together \
	"file=mm 2 /usr/lib/mmdir/mmfile owner=mm:amd64,mm:i386" \
	"file=mm 2 /usr/lib/mmdir/mmfile owner=mm:amd64,mm:i386"
run p7 one-by-one \
	"file=mm 2 /usr/lib/mmdir/mmfile owner=mm:amd64,mm:i386" \
	"file=mm 2 /usr/lib/mmdir/mmfile owner=mm:amd64,mm:i386"
run p7 remove-other \
	"file=missing owner=mm:amd64" \
	"file=mm 2 /usr/lib/mmdir/mmfile owner=mm:amd64"

[ "$_lib_failed" -eq 0 ] || show_log
finish
