#!/bin/sh
# An alias over dpkg's database cannot bring the silent overwrite back.
# With /var -> /usr/var active, dpkg would read var/lib/dpkg through an
# alias, outside the view's presentation of its database, and `t` shipping
# /bin/test then `u` shipping /usr/bin/test would install with exit 0
# (the second file silently overwriting the first), as on a plain merged
# tree. The rules refuse that alias from every way in: `aliasctl add`, a
# declaration synced by aliasctl or by the daemon, a restored dump, and a
# record an older aliasfs wrote (not applied). In each case real dpkg
# through the view still says "trying to overwrite", as with no such
# alias, and keeps t's file; the plain merged tree shows what is at stake.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/dpkg-scenarios.sh"
dpkg_test_start 150
{
	mkpkg "$P" t 1 /bin/test && mkpkg "$P" u 1 /usr/bin/test
} || fail "building the packages"

# sc_overwrite ROOT BK: t, then u; one outcome line.
sc_overwrite()
{
	D "$1" -i "$P/t_1.deb"
	D "$1" -i "$P/u_1.deb"
	_rc=$?
	_ow=no
	overwrote && _ow=yes
	echo "rc=$_rc overwrite-error=$_ow test=$(content "$2/usr/bin/test")"
}
refused="rc=1 overwrite-error=yes test=t 1 /bin/test"

# The control: a plain merged tree overwrites silently.
plain_root control
check_eq "plain merged tree: silent overwrite" \
	"rc=0 overwrite-error=no test=u 1 /usr/bin/test" \
	"$(sc_overwrite "$ROOT" "$BK")"

# backing NAME: an empty backing with dpkg's skeleton and the amd64 set.
backing()
{
	BK=$T/backing-$1
	ROOT=$T/view-$1
	mkdir -p "$BK"
	dpkg_skel "$BK"
	aliasctl --root "$BK" init --arch amd64 >/dev/null
}

# view_outcome NAME: mount, check /var is no alias, run the scenario.
view_outcome()
{
	mount_view "$BK" "$ROOT" || { fail "$1: mount"; return; }
	check "$1: /var is a directory in the view" \
		sh -c "[ -d '$ROOT/var' ] && [ ! -L '$ROOT/var' ]"
	check_eq "$1: dpkg refuses the overwrite" "$refused" \
		"$(sc_overwrite "$ROOT" "$BK")"
	umount_view "$ROOT" || fail "$1: unmount"
}

# 1. aliasctl add: refused, naming the rule; nothing written.
backing add
aliasctl --root "$BK" add /var /usr/var >"$T/out" 2>"$T/err"
check_eq "add /var /usr/var: exit 1" 1 $?
check "add /var /usr/var: the rule is named" \
	grep -q "^aliasctl: refused /var -> /usr/var: /var/lib/dpkg" "$T/err"
check "add /var/lib -> /usr/var/lib: refused too" sh -c \
	"! aliasctl --root '$BK' add /var/lib /usr/var/lib 2>/dev/null"
check "add /opt -> /etc/opt: refused" sh -c \
	"! aliasctl --root '$BK' add /opt /etc/opt 2>/dev/null"
check_eq "add: no alias under /var" "" \
	"$(aliasctl --root "$BK" list | awk '$1 ~ /^\/var/')"
view_outcome add

# 2. A declaration: refused by aliasctl sync, reported by status.
backing decl
mkdir -p "$BK/usr/share/aliasfs/aliases.d"
printf '/var /usr/var\n' >"$BK/usr/share/aliasfs/aliases.d/v"
aliasctl --root "$BK" sync >/dev/null 2>"$T/err"
check_eq "sync of a /var declaration: exit 1" 1 $?
check "status names the declaration and the rule" sh -c \
	"aliasctl --root '$BK' status | grep -q '^  v:1: refused /var -> /usr/var: /var/lib/dpkg'"
view_outcome decl

# 3. The same declaration written through the view: the daemon's sync
# refuses it as well.
backing live
mount_view "$BK" "$ROOT" || fail "live: mount"
mkdir -p "$ROOT/usr/share/aliasfs/aliases.d"
printf '/var /usr/var\n' >"$ROOT/usr/share/aliasfs/aliases.d/v"
n=100
until aliasctl --root "$BK" status 2>/dev/null | grep -q '^  v:1: refused' ||
	[ $n -eq 0 ]; do
	n=$((n - 1))
	sleep 0.1
done
check "live: the daemon's sync refused the declaration" sh -c \
	"aliasctl --root '$BK' status | grep -q '^  v:1: refused /var -> /usr/var'"
check_eq "live: dpkg refuses the overwrite" "$refused" \
	"$(sc_overwrite "$ROOT" "$BK")"
umount_view "$ROOT" || fail "live: unmount"

# 4. A dump holding it: the rest is restored, /var left out.
backing restore
aliasctl --root "$BK" dump | sed '/^end /d' >"$T/dump"
echo "alias /var /usr/var active hand" >>"$T/dump"
line=$(wc -l <"$T/dump")
echo "end $(grep -c '^alias ' "$T/dump")" >>"$T/dump"
aliasctl --root "$BK" restore "$T/dump" >/dev/null 2>"$T/err"
check_eq "restore with /var: exit 1" 1 $?
check "restore names the line and the rule" \
	grep -q "dump:$line: refused /var -> /usr/var: /var/lib/dpkg" "$T/err"
check_eq "restore: the rest is there, /var is not" "6 0" \
	"$(aliasctl --root "$BK" list | awk 'NR > 1 && $3 == "active" { a++ }
		$1 == "/var" { v++ } END { print a + 0, v + 0 }')"
view_outcome restore

# 5. A record an older aliasfs wrote: shown as refused, never applied.
backing old
aliasctl-test-seed "$BK/var/lib/aliasfs" raw /var /usr/var hand ||
	fail "old: writing the record"
check_eq "old: list shows it refused" "/var refused" \
	"$(aliasctl --root "$BK" list | awk '$1 == "/var" { print $1, $3 }')"
check_eq "old: canon does not apply it" "/var/lib/dpkg/status" \
	"$(aliasctl --root "$BK" canon /var/lib/dpkg/status)"
view_outcome old

show_log >"$T/dpkg.transcript"
finish
