#!/bin/sh
# Interrupted dpkg runs (kill -9) in the P1 scenario, side by side on a
# plain merged directory and through an aliasfs view: after the re-run or
# `dpkg --configure -a`, and a's upgrade, no file may be lost.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/dpkg-scenarios.sh"
dpkg_test_start 150
mkdir -p "$P/preinst" "$P/postinst" "$P/unpack"
# Each script kills dpkg once (a marker in the root says it did).
cat >"$T/kill-preinst" <<'EOF'
#!/bin/sh
cd /
[ -e "$DPKG_ROOT/var/killed" ] && exit 0
touch "$DPKG_ROOT/var/killed"
kill -9 $PPID
EOF
cp "$T/kill-preinst" "$T/kill-postinst"
# Kill dpkg as soon as it has renamed b's new list into place: in the
# middle of writing the lists of a Replaces transfer.
cat >"$T/kill-unpack" <<'EOF'
#!/bin/sh
cd /
[ -e "$DPKG_ROOT/var/killed" ] && exit 0
touch "$DPKG_ROOT/var/killed"
dpkg=$PPID
(
	n=0
	while [ ! -e "$DPKG_ROOT/var/lib/dpkg/info/b.list" ] &&
		[ $n -lt 200000 ]; do
		n=$((n + 1))
	done
	kill -9 $dpkg
) >/dev/null 2>&1 &
exit 0
EOF
{
	mkpkg "$P" a 1 /bin/foo /usr/share/doc/a/x &&
		mkpkg "$P" a 2 /usr/share/doc/a/x &&
		mkpkg "$P/preinst" b 1 /usr/bin/foo "Replaces: a (<< 2)" \
			"Breaks: a (<< 2)" "preinst=$T/kill-preinst" &&
		mkpkg "$P/postinst" b 1 /usr/bin/foo "Replaces: a (<< 2)" \
			"Breaks: a (<< 2)" "postinst=$T/kill-postinst" &&
		mkpkg "$P/unpack" b 1 /usr/bin/foo "Replaces: a (<< 2)" \
			"Breaks: a (<< 2)" "preinst=$T/kill-unpack"
} || fail "building the packages"

# $1: where b kills dpkg (preinst, postinst, unpack).
sc_killed()
{
	D "$ROOT" -i "$P/a_1.deb"
	D "$ROOT" --auto-deconfigure -i "$P/$1/b_1.deb"
	_rc1=$?
	# dpkg was killed: finish the job the way an admin would.
	D "$ROOT" --auto-deconfigure -i "$P/$1/b_1.deb"
	D "$ROOT" --configure -a
	D "$ROOT" -i "$P/a_2.deb"
	_st=$(dpkg-query --admindir="$ROOT/var/lib/dpkg" -W -f '${Status}' b)
	echo "killed=$([ "$_rc1" -ge 128 ] && echo yes || echo no)" \
		"b=$_st foo=$(content "$BK/usr/bin/foo")"
}

# scenario	args	plain merged	aliasfs
run killed preinst \
	"killed=yes b=install ok installed foo=missing" \
	"killed=yes b=install ok installed foo=b 1 /usr/bin/foo"
run killed postinst \
	"killed=yes b=install ok installed foo=missing" \
	"killed=yes b=install ok installed foo=b 1 /usr/bin/foo"
run killed unpack \
	"killed=yes b=install ok installed foo=missing" \
	"killed=yes b=install ok installed foo=b 1 /usr/bin/foo"

[ "$_lib_failed" -eq 0 ] || show_log
finish
