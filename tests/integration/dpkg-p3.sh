#!/bin/sh
# DEP17 P3 and friends with real dpkg, side by side on a plain merged
# directory and through an aliasfs view: diversions, statoverrides and
# file triggers made under one spelling must hold for the other.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/dpkg-scenarios.sh"
dpkg_test_start 150
cat >"$T/trg-postinst" <<'EOF'
#!/bin/sh
[ "$1" = triggered ] && echo "$2" >>"$DPKG_ROOT/var/trg-fired"
exit 0
EOF
{
	mkpkg "$P" t 1 /bin/test &&
		mkpkg "$P" u 1 /usr/bin/test &&
		mkpkg "$P" trg 1 "postinst=$T/trg-postinst" \
			"/DEBIAN/triggers=interest-noawait /usr/lib/trgdir" &&
		mkpkg "$P" s 1 /lib/trgdir/plugin
} || fail "building the packages"
divert()
{
	DPKG_ROOT=$ROOT dpkg-divert --root="$ROOT" "$@" >>"$T/dpkg.log" 2>&1
}

statoverride()
{
	dpkg-statoverride --root="$ROOT" "$@" >>"$T/dpkg.log" 2>&1
}

# A local diversion of /usr/bin/test, then t ships /bin/test.
sc_divert_other()
{
	divert --local --divert /usr/bin/test.local --add /usr/bin/test
	D "$ROOT" -i "$P/t_1.deb"
	echo "test=$(content "$BK/usr/bin/test")" \
		"test.local=$(content "$BK/usr/bin/test.local")"
}

# A diversion added as /usr/bin/x is removed as /bin/x (dpkg-divert says
# "No diversion" and exits 0 when it finds none: count what is left).
sc_divert_remove()
{
	divert --local --divert /usr/bin/x.local --add /usr/bin/x
	_r=ok
	divert --local --remove /bin/x || _r=refused
	echo "remove=$_r left=$(grep -c . "$ROOT/var/lib/dpkg/diversions")"
}

# A statoverride on /usr/bin/test, then t ships /bin/test.
sc_stat_other()
{
	statoverride --add root root 0700 "$1"
	D "$ROOT" -i "$P/$2.deb"
	echo "mode=$(stat -c %a "$BK/usr/bin/test" 2>/dev/null)"
}

# A statoverride added as /usr/bin/x is removed as /bin/x, and listed by
# either spelling.
sc_stat_remove()
{
	statoverride --add root root 0700 /usr/bin/x
	_l=$(dpkg-statoverride --root="$ROOT" --list /bin/x 2>/dev/null |
		awk '{ print $3 }')
	_r=ok
	statoverride --remove /bin/x || _r=refused
	echo "listed=${_l:-none} remove=$_r" \
		"left=$(grep -c . "$ROOT/var/lib/dpkg/statoverride")"
}

# trg is interested in /usr/lib/trgdir; s ships /lib/trgdir/plugin.
sc_trigger()
{
	D "$ROOT" -i "$P/trg_1.deb"
	rm -f "$ROOT/var/trg-fired"
	D "$ROOT" -i "$P/s_1.deb"
	_f=no
	[ -s "$ROOT/var/trg-fired" ] && _f=yes
	echo "fired=$_f"
}

# The plain tree starts without these files; dpkg-divert and
# dpkg-statoverride want them.
run_plain_setup()
{
	touch "$ROOT/var/lib/dpkg/diversions" "$ROOT/var/lib/dpkg/statoverride"
}

# scenario	args	plain merged	aliasfs
run divert_other \
	"test=t 1 /bin/test test.local=missing" \
	"test=missing test.local=t 1 /bin/test"
run divert_remove \
	"remove=ok left=3" \
	"remove=ok left=0"
run stat_other /usr/bin/test t_1 \
	"mode=644" \
	"mode=700"
run stat_other /bin/test u_1 \
	"mode=644" \
	"mode=700"
run stat_remove \
	"listed=none remove=refused left=1" \
	"listed=700 remove=ok left=0"
run trigger \
	"fired=no" \
	"fired=yes"

[ "$_lib_failed" -eq 0 ] || show_log
finish
