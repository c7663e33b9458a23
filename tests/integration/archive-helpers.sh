# Helpers for the archive-*.sh tests. Source after lib.sh.

MKDEB="$top_builddir/tests/integration/archive-mkdeb"

# mkpkg NAME OUT.deb [COMPRESS] -- build package NAME with dpkg-deb from
# the tree in $T/src/NAME (which must exist), compressed with COMPRESS
# (default xz).
mkpkg()
{
	_n=$1
	_o=$2
	_z=${3:-xz}
	mkdir -p "$T/src/$_n/DEBIAN"
	cat >"$T/src/$_n/DEBIAN/control" <<EOC
Package: $_n
Version: 1.0
Architecture: all
Maintainer: Test <test@example.org>
Description: archive test package $_n
EOC
	dpkg-deb --root-owner-group -Z"$_z" --build "$T/src/$_n" "$_o" \
		>/dev/null || fail "dpkg-deb --build $_n"
}

# put NAME PATH [CONTENT] -- a file PATH (relative) in package NAME's tree.
put()
{
	mkdir -p "$T/src/$1/$(dirname "$2")"
	printf '%s\n' "${3:-content of $2}" >"$T/src/$1/$2"
}

# listing DIR -- every entry under DIR with type, mode and link target, to
# compare trees before and after.
listing()
{
	if [ -e "$1" ]; then
		(cd "$1" && find . -printf '%p %y %m %l\n' | sort)
	else
		echo "(absent)"
	fi
}

# The commands must be wired into aliasctl (usage.c's command table and
# aliasctl/Makemodule.am); a hard error, not a skip, until they are.
for _c in check extract index owner; do
	if ! aliasctl help $_c >/dev/null 2>&1; then
		echo "aliasctl has no $_c command: add aliasctl/cmd-$_c.c to" \
			"aliasctl (see aliasctl/cmd-archive.h)" >&2
		exit 99
	fi
done
[ -x "$MKDEB" ] || { echo "$MKDEB not built" >&2; exit 99; }
