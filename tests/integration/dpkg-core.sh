#!/bin/sh
# The core DEP17 scenarios with real dpkg, side by side: each runs on a
# plain merged-/usr directory (what dpkg does on a merged system today)
# and through an aliasfs view (dpkgdb=claims, the default), and both
# outcomes are asserted. The table below is the expectation; README's
# "What aliasfs fixes" is written from it.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/dpkg-scenarios.sh"
dpkg_test_start 150
{
	mkpkg "$P" a 1 /bin/foo /usr/share/doc/a/x &&
		mkpkg "$P" a 2 /usr/share/doc/a/x &&
		mkpkg "$P" b 1 /usr/bin/foo "Replaces: a (<< 2)" \
			"Breaks: a (<< 2)" &&
		mkpkg "$P" t 1 /bin/test &&
		mkpkg "$P" u 1 /usr/bin/test &&
		mkpkg "$P" m 1 /bin/mv1 &&
		mkpkg "$P" m 2 /usr/bin/mv1 &&
		mkpkg "$P" m 3 /bin/mv1
} || fail "building the packages"
cat >"$T/dv-preinst" <<'EOF'
#!/bin/sh
set -e
dpkg-divert --package dv --add --rename --divert /bin/test.distrib /bin/test
EOF
cat >"$T/dv-postrm" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = remove ]; then
	dpkg-divert --package dv --remove --rename --divert /bin/test.distrib \
		/bin/test
fi
EOF
mkpkg "$P" dv 1 "preinst=$T/dv-preinst" "postrm=$T/dv-postrm" ||
	fail "building dv"

# Each scenario prints one outcome line; run it on ROOT/BK.

# P1: b takes /usr/bin/foo over from a (Replaces), then a drops /bin/foo.
sc_p1()
{
	D "$ROOT" -i "$P/a_1.deb"
	D "$ROOT" --auto-deconfigure -i "$P/b_1.deb"
	D "$ROOT" -i "$P/a_2.deb"
	echo "foo=$(content "$BK/usr/bin/foo")"
}

# P1 with b and a 2 in one dpkg call (as apt does), in either order.
sc_p1_one()
{
	D "$ROOT" -i "$P/a_1.deb"
	D "$ROOT" --auto-deconfigure -i "$P/$1.deb" "$P/$2.deb"
	echo "foo=$(content "$BK/usr/bin/foo")"
}

# t ships /bin/test, then u ships /usr/bin/test (and the reverse).
sc_overwrite()
{
	D "$ROOT" -i "$P/$1.deb"
	D "$ROOT" -i "$P/$2.deb"
	_rc=$?
	_ow=no
	overwrote && _ow=yes
	echo "rc=$_rc overwrite-error=$_ow test=$(content "$BK/usr/bin/test")"
}

# dpkg -S by either spelling.
sc_search()
{
	D "$ROOT" -i "$P/t_1.deb"
	echo "/bin/test:$(owner "$ROOT" /bin/test)" \
		"/usr/bin/test:$(owner "$ROOT" /usr/bin/test)"
}

# dv diverts /bin/test --rename in preinst, removes it in postrm.
sc_divert()
{
	D "$ROOT" -i "$P/t_1.deb"
	D "$ROOT" -i "$P/dv_1.deb"
	_during=$(content "$ROOT/bin/test.distrib")
	D "$ROOT" -r dv
	echo "during=$_during after=$(content "$ROOT/usr/bin/test")" \
		"diversions=$(grep -c . "$ROOT/var/lib/dpkg/diversions")"
}

# m moves /bin/mv1 to /usr/bin/mv1 and back, then is removed.
sc_move()
{
	D "$ROOT" -i "$P/m_1.deb"
	D "$ROOT" -i "$P/m_2.deb"
	_o2="$(owner "$ROOT" /bin/mv1),$(owner "$ROOT" /usr/bin/mv1)"
	_c2=$(content "$BK/usr/bin/mv1")
	D "$ROOT" -i "$P/m_3.deb"
	_o3="$(owner "$ROOT" /bin/mv1),$(owner "$ROOT" /usr/bin/mv1)"
	_c3=$(content "$BK/usr/bin/mv1")
	D "$ROOT" -r m
	echo "v2=$_c2 owners=$_o2 v3=$_c3 owners=$_o3" \
		"removed=$(content "$BK/usr/bin/mv1")"
}

# Removal of the only package listing /bin: is the /bin symlink kept?
sc_remove()
{
	D "$ROOT" -i "$P/t_1.deb"
	D "$ROOT" -r t
	_l=gone
	[ -L "$ROOT/bin" ] && _l=symlink
	echo "test=$(content "$ROOT/usr/bin/test") /bin=$_l"
}

# scenario	args	plain merged	aliasfs
run p1 \
	"foo=missing" \
	"foo=b 1 /usr/bin/foo"
run p1_one b_1 a_2 \
	"foo=missing" \
	"foo=b 1 /usr/bin/foo"
run p1_one a_2 b_1 \
	"foo=b 1 /usr/bin/foo" \
	"foo=b 1 /usr/bin/foo"
run overwrite t_1 u_1 \
	"rc=0 overwrite-error=no test=u 1 /usr/bin/test" \
	"rc=1 overwrite-error=yes test=t 1 /bin/test"
run overwrite u_1 t_1 \
	"rc=0 overwrite-error=no test=t 1 /bin/test" \
	"rc=1 overwrite-error=yes test=u 1 /usr/bin/test"
run search \
	"/bin/test:t /usr/bin/test:none" \
	"/bin/test:t /usr/bin/test:t"
run divert \
	"during=t 1 /bin/test after=t 1 /bin/test diversions=0" \
	"during=t 1 /bin/test after=t 1 /bin/test diversions=0"
run move \
	"v2=m 2 /usr/bin/mv1 owners=none,m v3=missing owners=m,none removed=missing" \
	"v2=m 2 /usr/bin/mv1 owners=m,m v3=m 3 /bin/mv1 owners=m,m removed=missing"
run remove \
	"test=missing /bin=gone" \
	"test=missing /bin=symlink"

[ "$_lib_failed" -eq 0 ] || show_log
finish
