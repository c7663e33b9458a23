#!/bin/sh
# aliasctl extract: packages land at canonical paths with the aliases as
# relative symlinks; modes, owners, mtimes, hard links, symlinks, fifos and
# xattrs are kept; the result matches `dpkg-deb -x` once merged; alias
# conflicts across the set are reported.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/archive-helpers.sh"

command -v dpkg-deb >/dev/null 2>&1 || skip "dpkg-deb missing"

# ---- a package built with dpkg-deb ------------------------------------
put p1 bin/tool '#!/bin/sh'
put p1 sbin/admin
put p1 lib/x86_64-linux-gnu/libp1.so.1
put p1 usr/share/doc/p1/README
chmod 4755 "$T/src/p1/bin/tool"
chmod 0640 "$T/src/p1/usr/share/doc/p1/README"
ln -s libp1.so.1 "$T/src/p1/lib/x86_64-linux-gnu/libp1.so"
ln "$T/src/p1/sbin/admin" "$T/src/p1/sbin/admin-link"
touch -d '2001-02-03 04:05:06' "$T/src/p1/bin/tool" \
	"$T/src/p1/usr/share/doc/p1/README"
mkpkg p1 "$T/p1.deb" xz
put p2 usr/bin/other
put p2 usr/share/doc/p2/README
mkpkg p2 "$T/p2.deb" gzip

R=$T/root
aliasctl extract --arch amd64 --root "$R" "$T/p1.deb" "$T/p2.deb" \
	>"$T/out" 2>"$T/err"
check_eq "extract: exit 0" 0 $?
check_eq "no conflicts, no report" "" "$(cat "$T/out")"
check_eq "nothing on stderr" "" "$(cat "$T/err")"
for a in bin sbin lib lib32 lib64 libx32; do
	check_eq "/$a is the relative alias symlink" "usr/$a" \
		"$(readlink "$R/$a")"
	check "/usr/$a is a directory" test -d "$R/usr/$a" -a ! -L "$R/usr/$a"
done
check "file shipped under /bin lands in /usr/bin" test -f "$R/usr/bin/tool"
check "file shipped under /lib lands in /usr/lib" \
	test -f "$R/usr/lib/x86_64-linux-gnu/libp1.so.1"
check_eq "mode kept (setuid too)" 4755 "$(stat -c %a "$R/usr/bin/tool")"
check_eq "mode kept (0640)" 640 \
	"$(stat -c %a "$R/usr/share/doc/p1/README")"
check_eq "mtime kept" "$(stat -c %Y "$T/src/p1/bin/tool")" \
	"$(stat -c %Y "$R/usr/bin/tool")"
check_eq "content kept" '#!/bin/sh' "$(cat "$R/usr/bin/tool")"
check_eq "symlink kept" libp1.so.1 \
	"$(readlink "$R/usr/lib/x86_64-linux-gnu/libp1.so")"
check_eq "hard link kept" "$(stat -c %i "$R/usr/sbin/admin")" \
	"$(stat -c %i "$R/usr/sbin/admin-link")"
check_eq "no staging directory left" "" \
	"$(ls -a "$R" | grep aliasctl-extract)"
if [ "$(id -u)" = 0 ]; then
	check_eq "owner root:root kept" 0:0 "$(stat -c %u:%g "$R/usr/bin/tool")"
fi

# ---- the same set with dpkg-deb -x, merged by hand: identical -----------
X=$T/dpkg-x
mkdir -p "$X"
dpkg-deb -x "$T/p1.deb" "$X" && dpkg-deb -x "$T/p2.deb" "$X" ||
	fail "dpkg-deb -x"
(cd "$X" && find . ! -type d -printf '%P %m %U %G %s %T@ %y %l\n') |
	sed -E 's#^(bin|sbin|lib|lib32|lib64|libx32)/#usr/\1/#' |
	sort >"$T/expected"
(cd "$R" && find . ! -type d -printf '%P %m %U %G %s %T@ %y %l\n') |
	grep -vE '^(bin|sbin|lib|lib32|lib64|libx32) ' | sort >"$T/actual"
check "non-directories identical to dpkg-deb -x, merged" \
	cmp -s "$T/expected" "$T/actual"

# ---- owners, xattrs, fifos, every data.tar compression ------------------
for z in none gzip xz zstd bzip2; do
	"$MKDEB" -c $z --owner 1234:5678 --mode 2750 \
		--xattr user.aliasfs.test=hello "$T/x-$z.deb" "x-$z" \
		"d:./" "d:./usr/" "f:./usr/share/x-$z:data-$z" \
		"p:./usr/share/fifo-$z" || fail "mkdeb $z"
done
aliasctl extract --arch amd64 --root "$R" "$T"/x-*.deb >"$T/out" 2>"$T/err"
check_eq "extract, five compressions: exit 0" 0 $?
for z in none gzip xz zstd bzip2; do
	check_eq "$z: content" "data-$z" "$(cat "$R/usr/share/x-$z")"
	check "$z: fifo" test -p "$R/usr/share/fifo-$z"
done
check_eq "mode with setgid kept" 2750 "$(stat -c %a "$R/usr/share/x-xz")"
if [ "$(id -u)" = 0 ]; then
	check_eq "numeric owner kept as root" 1234:5678 \
		"$(stat -c %u:%g "$R/usr/share/x-xz")"
fi
if command -v getfattr >/dev/null 2>&1 &&
	setfattr -n user.probe -v 1 "$R/usr/share/x-none" 2>/dev/null; then
	check_eq "xattr kept" hello \
		"$(getfattr --absolute-names --only-values -n user.aliasfs.test "$R/usr/share/x-zstd")"
fi

# ---- alias conflicts across the set --------------------------------------
put c1 bin/clash 'from c1'
put c2 usr/bin/clash 'from c2'
mkpkg c1 "$T/c1.deb"
mkpkg c2 "$T/c2.deb"
R2=$T/root2
aliasctl extract --arch amd64 --root "$R2" "$T/c1.deb" "$T/c2.deb" \
	>"$T/out" 2>"$T/err"
check_eq "conflicting set: exit 0 (extracted)" 0 $?
check "conflict reported" grep -Eq '^alias +/usr/bin/clash +/bin/clash +c1$' \
	"$T/out"
check_eq "the later package wins, as with dpkg" "from c2" \
	"$(cat "$R2/usr/bin/clash")"
aliasctl extract --arch amd64 --strict --json --root "$R2" "$T/c2.deb" \
	"$T/c1.deb" >"$T/out" 2>"$T/err"
check_eq "--strict: exit 1" 1 $?
check "--json report" grep -q '"canonical": "/usr/bin/clash"' "$T/out"

# ---- an existing merged root is fine; symlinks inside it are followed ---
R3=$T/root3
mkdir -p "$R3/usr/bin" "$R3/usr/share/real"
ln -s usr/bin "$R3/bin"
ln -s real "$R3/usr/share/link"
"$MKDEB" "$T/in.deb" in "f:./usr/share/link/file:inside" || fail "mkdeb in"
aliasctl extract --arch amd64 --root "$R3" "$T/in.deb" 2>"$T/err"
check_eq "relative symlink inside the root: exit 0" 0 $?
check_eq "written through it" inside "$(cat "$R3/usr/share/real/file")"

finish
