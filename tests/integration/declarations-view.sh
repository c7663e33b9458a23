#!/bin/sh
# The daemon syncs declared aliases by itself when the declaration
# directory changes through the view (as a dpkg file trigger would): a
# declaration written, then removed, through the mount; a blocked one; and
# a real package shipping a declaration, installed and removed with dpkg.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/backings.sh"
need_fuse
view_watchdog 180

B=$T/split
M=$T/mnt
backing_split "$B"
# sbin: a differing file under both spellings, so /sbin gets blocked.
put "$B/sbin/test" "alias side test"
put "$B/usr/sbin/test" "canonical side test"
backing_db "$B" --empty
DB=$B/var/lib/aliasfs
mount_view "$B" "$M" || fail "mount"
D=$M/usr/share/aliasfs/aliases.d

bin_is_alias()
{
	[ "$(readlink "$M/bin" 2>/dev/null)" = usr/bin ]
}
bin_is_dir()
{
	[ -d "$M/bin" ] && [ ! -L "$M/bin" ]
}
listed()
{
	aliasctl --db "$DB" list | awk -v a="$1" '$1 == a { print $3, $4 }'
}
sbin_blocked()
{
	[ "$(listed /sbin)" = "blocked d" ]
}

check "before: bin is the backing's directory" bin_is_dir
ls "$M/usr/bin" >/dev/null
check "mkdir the declaration directory through the view" mkdir -p "$D"
check "write declaration c through the view" \
	sh -c "printf '/bin /usr/bin\n' >'$D/c'"
check "the declaration lands in the backing" \
	test -f "$B/usr/share/aliasfs/aliases.d/c"
check "bin becomes the alias symlink (within 10 s)" poll 10 bin_is_alias
check_eq "imported with owner c" "active c" "$(listed /bin)"
check "usr/bin now merges bin" test -f "$M/usr/bin/bin-a"

# A declaration whose activation would hide a differing file: blocked,
# the view keeps showing the backing as it is.
check "write declaration d (/sbin) through the view" \
	sh -c "printf '/sbin /usr/sbin\n' >'$D/d'"
check "sbin is blocked (within 10 s)" poll 10 sbin_blocked
check "status lists the conflicting paths" \
	sh -c "aliasctl --db '$DB' status | grep -q '/sbin/test (vs /usr/sbin/test)'"
check_eq "sbin stays the backing's directory" directory \
	"$(stat -c %F "$M/sbin" 2>&1)"
check_eq "both test files stay visible" "alias side test|canonical side test" \
	"$(cat "$M/sbin/test")|$(cat "$M/usr/sbin/test")"
check "remove declaration d through the view" rm "$D/d"
sbin_gone()
{
	[ -z "$(listed /sbin)" ]
}
check "sbin leaves the database (within 10 s)" poll 10 sbin_gone

check "remove declaration c through the view" rm "$D/c"
check "bin is the backing's directory again (within 10 s)" poll 10 bin_is_dir
check "bin/bin-a is the backing's again" test -f "$M/bin/bin-a"
check "backing bin untouched" test -f "$B/bin/bin-a" -a ! -L "$B/bin"

# dpkg: a package shipping a declaration, like a file trigger.
if is_root && command -v dpkg-deb >/dev/null 2>&1; then
	P=$T/pkg-c
	mkdir -p "$P/DEBIAN" "$P/usr/share/aliasfs/aliases.d"
	cat >"$P/DEBIAN/control" <<CTL
Package: c
Version: 1.0
Architecture: all
Maintainer: aliasfs tests <tests@example.invalid>
Description: declares /bin -> /usr/bin
 Built by the aliasfs integration tests.
CTL
	printf '# merged /bin\n/bin /usr/bin\n' \
		>"$P/usr/share/aliasfs/aliases.d/c"
	check "build package c" dpkg-deb --root-owner-group -Zgzip -b "$P" \
		"$T/c.deb"
	mkdir -p "$M/var/lib/dpkg/info" "$M/var/lib/dpkg/updates" \
		"$M/var/lib/dpkg/triggers" "$M/var/log"
	touch "$M/var/lib/dpkg/status" "$M/var/lib/dpkg/available"
	if dpkg --root="$M" --force-script-chrootless --log=/dev/null \
		-i "$T/c.deb" >"$T/dpkg.out" 2>&1; then
		ok "dpkg -i c"
	else
		fail "dpkg -i c: $(cat "$T/dpkg.out")"
	fi
	check "dpkg: bin becomes the alias (within 10 s)" poll 10 bin_is_alias
	check_eq "dpkg: owned by declaration c" "active c" "$(listed /bin)"
	if dpkg --root="$M" --force-script-chrootless --log=/dev/null \
		-r c >"$T/dpkg.out" 2>&1; then
		ok "dpkg -r c"
	else
		fail "dpkg -r c: $(cat "$T/dpkg.out")"
	fi
	check "dpkg -r: bin is the backing's directory again (within 10 s)" \
		poll 10 bin_is_dir
	check_eq "dpkg -r: alias gone from the database" "" "$(listed /bin)"
	check "dpkg -r: bin/bin-a visible again" test -f "$M/bin/bin-a"
else
	echo "not root or no dpkg-deb: dpkg part not run"
fi

umount_view "$M"
finish
