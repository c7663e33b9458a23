#!/bin/sh
# The ordering matrix of seed 003 with real dpkg: `a` ships /bin/test, `b`
# ships /usr/bin/test, `c` declares /bin -> /usr/bin (aliases.d/c). The
# view starts with no alias (aliasctl init --empty); after each dpkg call
# the declarations are synced (what the daemon's auto-sync / a dpkg file
# trigger does). The control is a plain merged directory, where c's
# declaration is inert and /bin is a symlink from the start.
#
# Each row: the dpkg exit codes in order, which call reported "trying to
# overwrite", the alias state, and what /usr/bin/test and /bin/test read
# as through the root. README.md, "What aliasfs fixes", says where aliasfs
# deliberately differs from the seed's wishes and why ("The ordering
# matrix (seed 003)", "Where aliasfs deliberately differs, and what dpkg
# would need").
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/dpkg-scenarios.sh"
need_fuse
[ "$(id -u)" = 0 ] || skip "dpkg --root needs root to set owners"
command -v dpkg >/dev/null 2>&1 || skip "no dpkg"
aliasctl help sync >/dev/null 2>&1 || skip "aliasctl has no sync"
dpkg_watchdog 170

P=$T/debs
mkdir -p "$P"
{
	mkpkg "$P" a 1 /bin/test &&
		mkpkg "$P" b 1 /usr/bin/test &&
		mkpkg "$P" br 1 /usr/bin/test "Replaces: a" &&
		mkpkg "$P" c 1 "/usr/share/aliasfs/aliases.d/c=/bin /usr/bin"
} || fail "building the packages"

# sync_view: what a dpkg trigger on aliases.d would do, then wait until
# the view shows the alias map the database holds.
sync_view()
{
	aliasctl --root "$BK" sync >>"$T/dpkg.log" 2>&1
	if aliasctl --root "$BK" list 2>/dev/null |
		grep -q '^/bin .* active'; then
		_want=symlink
	else
		_want=none
	fi
	_n=100
	while [ $_n -gt 0 ]; do
		if [ -L "$ROOT/bin" ]; then _have=symlink; else _have=none; fi
		[ "$_have" = "$_want" ] && return 0
		_n=$((_n - 1))
		sleep 0.05
	done
	echo "view never showed /bin as $_want" >&2
	return 1
}

alias_state()
{
	if [ "$ROOT" = "$BK" ]; then
		echo n/a
		return
	fi
	_s=$(aliasctl --root "$BK" list 2>/dev/null |
		awk '$1 == "/bin" { print $3 }')
	echo "${_s:-none}"
}

# steps: "a", "b", "c", "br" install; "-c" removes c; "!b" installs b
# with --force-overwrite.
sc_order()
{
	_rcs="" _ow=""
	for _x in "$@"; do
		case $_x in
		-*) D "$ROOT" -r "${_x#-}" ;;
		!*) D "$ROOT" --force-overwrite -i "$P/${_x#!}_1.deb" ;;
		*) D "$ROOT" -i "$P/${_x}_1.deb" ;;
		esac
		_rc=$?
		overwrote && [ "$_rc" != 0 ] && _ow="$_ow$_x"
		_rcs="$_rcs$_rc"
		[ "$ROOT" = "$BK" ] || sync_view || _rcs="${_rcs}S"
	done
	_a=$(dpkg-query --admindir="$ROOT/var/lib/dpkg" -W -f '${Status}' a \
		2>/dev/null | awk '{ print $3 }')
	echo "rc=$_rcs overwrite=${_ow:-none} alias=$(alias_state)" \
		"usr=$(content "$ROOT/usr/bin/test" | cut -d' ' -f1)" \
		"bin=$(content "$ROOT/bin/test" | cut -d' ' -f1)" \
		"a=${_a:-gone}"
}

view_empty()
{
	BK=$T/backing-$1
	ROOT=$T/view-$1
	mkdir -p "$BK"
	dpkg_skel "$BK"
	aliasctl --root "$BK" init --empty >/dev/null || return 1
	mount_view "$BK" "$ROOT"
}

run()
{
	_exp_plain=$1 _exp_view=$2
	shift 2
	_run=$((${_run:-0} + 1))
	plain_root "o$_run"
	check_eq "$*: plain merged" "$_exp_plain" "$(sc_order "$@")"
	view_empty "o$_run" || { fail "$*: mount"; return; }
	check_eq "$*: aliasfs" "$_exp_view" "$(sc_order "$@")"
	umount_view "$ROOT" || fail "$*: unmount"
}

# The six orders. Seed: "a b c" and "b a c" should fail c and leave both
# files: aliasfs cannot fail dpkg's unpack of c, so c installs and the
# alias stays blocked (aliasctl status names /bin/test): both files kept,
# the tree as it was. "a c b", "c a b": b must fail; "b c a", "c b a": a
# must fail. On the plain merged directory every order silently
# overwrites.
run "rc=000 overwrite=none alias=n/a usr=b bin=b a=installed" \
	"rc=000 overwrite=none alias=blocked usr=b bin=a a=installed" \
	a b c
run "rc=000 overwrite=none alias=n/a usr=a bin=a a=installed" \
	"rc=000 overwrite=none alias=blocked usr=b bin=a a=installed" \
	b a c
run "rc=000 overwrite=none alias=n/a usr=b bin=b a=installed" \
	"rc=001 overwrite=b alias=active usr=a bin=a a=installed" \
	a c b
run "rc=000 overwrite=none alias=n/a usr=b bin=b a=installed" \
	"rc=001 overwrite=b alias=active usr=a bin=a a=installed" \
	c a b
run "rc=000 overwrite=none alias=n/a usr=a bin=a a=installed" \
	"rc=001 overwrite=a alias=active usr=b bin=b a=not-installed" \
	b c a
run "rc=000 overwrite=none alias=n/a usr=a bin=a a=installed" \
	"rc=001 overwrite=a alias=active usr=b bin=b a=not-installed" \
	c b a

# Replaces: b takes the file over from a. dpkg matches the takeover by
# the spelling b ships, so a keeps /bin/test in its in-memory list and
# does not "disappear" (the seed wishes it would); but a no longer claims
# the file: removing a afterwards keeps b's file, where on the plain
# merged directory it deletes it.
run "rc=000 overwrite=none alias=n/a usr=br bin=br a=installed" \
	"rc=000 overwrite=none alias=active usr=br bin=br a=installed" \
	a c br
run "rc=0000 overwrite=none alias=n/a usr=missing bin=missing a=not-installed" \
	"rc=0000 overwrite=none alias=active usr=br bin=br a=not-installed" \
	a c br -a
# --force-overwrite: b's file wins.
run "rc=000 overwrite=none alias=n/a usr=b bin=b a=installed" \
	"rc=000 overwrite=none alias=active usr=b bin=b a=installed" \
	a c '!b'

# --remove c: the alias goes away and the view shows the backing as it
# is. a, installed before c, wrote /bin/test: it is there again. b's
# file stays in /usr. a installed after c wrote /usr/bin/test (the
# canonical spelling): with the alias gone, /bin/test is no longer there
# (aliasfs does not move files back; see the README).
run "rc=000 overwrite=none alias=n/a usr=a bin=a a=installed" \
	"rc=000 overwrite=none alias=none usr=missing bin=a a=installed" \
	a c -c
run "rc=000 overwrite=none alias=n/a usr=b bin=b a=gone" \
	"rc=000 overwrite=none alias=none usr=b bin=missing a=gone" \
	b c -c
run "rc=000 overwrite=none alias=n/a usr=a bin=a a=installed" \
	"rc=000 overwrite=none alias=none usr=a bin=missing a=installed" \
	c a -c

[ "$_lib_failed" -eq 0 ] || show_log
finish
