#!/bin/sh
# aliasctl extract on hostile and broken packages: path traversal in member
# names, absolute names, symlink targets written through (same package and
# earlier package, absolute and ../), hard links out of the package,
# decompression bombs, truncated and non-deb files, unreadable files, a
# split root. Each: exit 2, a clear message, and nothing of the package
# written (neither in the root nor outside it).
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/archive-helpers.sh"

OUT=$T/outside
mkdir -p "$OUT"

# expect_refused DESCRIPTION PATTERN ROOT DEB: extracting DEB into ROOT
# exits 2 with PATTERN on stderr; ROOT and $OUT are unchanged.
expect_refused()
{
	_d=$1
	_p=$2
	_r=$3
	shift 3
	listing "$_r" >"$T/before"
	listing "$OUT" >"$T/out-before"
	aliasctl extract --arch amd64 --root "$_r" "$@" >"$T/out" 2>"$T/err"
	check_eq "$_d: exit 2" 2 $?
	if grep -Eq "$_p" "$T/err"; then
		ok "$_d: message"
	else
		fail "$_d: message [$(cat "$T/err")] lacks [$_p]"
	fi
	listing "$_r" >"$T/after"
	listing "$OUT" >"$T/out-after"
	check "$_d: nothing written in the root" cmp -s "$T/before" "$T/after"
	check "$_d: nothing written outside" \
		cmp -s "$T/out-before" "$T/out-after"
}

R=$T/root
"$MKDEB" "$T/dotdot.deb" evil "d:./" "f:./usr/share/ok:1" \
	"f:./usr/../../outside/escaped:x" || fail mkdeb
expect_refused "../ in a member name" \
	'dotdot\.deb: member \./usr/\.\./\.\./outside/escaped refused: "\.\." in the member name' \
	"$R" "$T/dotdot.deb"
check "the root was not even created" test ! -e "$R"

"$MKDEB" "$T/abs.deb" evil "f:./usr/share/ok:1" \
	"f:$OUT/abs:x" || fail mkdeb
expect_refused "absolute member name" 'abs\.deb: member .* absolute member name' \
	"$R" "$T/abs.deb"

"$MKDEB" "$T/symabs.deb" evil "f:./usr/share/ok:1" \
	"l:./usr/lib/evil:$OUT" "f:./usr/lib/evil/pwned:x" || fail mkdeb
expect_refused "member through an absolute symlink of the same package" \
	'symabs\.deb: member \./usr/lib/evil/pwned refused: would be written through /usr/lib/evil' \
	"$R" "$T/symabs.deb"

"$MKDEB" "$T/symrel.deb" evil "f:./usr/share/ok:1" \
	"l:./usr/lib/up:../../../../../../../../../..$OUT" \
	"f:./usr/lib/up/pwned:x" || fail mkdeb
expect_refused "member through a ../ symlink of the same package" \
	'symrel\.deb: .*would be written through /usr/lib/up' "$R" \
	"$T/symrel.deb"

# Through an alias spelling: /lib/evil is /usr/lib/evil.
"$MKDEB" "$T/symalias.deb" evil "l:./usr/lib/evil2:$OUT" \
	"f:./lib/evil2/pwned:x" || fail mkdeb
expect_refused "member through a symlink, other spelling" \
	'symalias\.deb: .*would be written through /usr/lib/evil2' "$R" \
	"$T/symalias.deb"

# A first package may ship symlinks pointing out of the root (that is
# legitimate: /etc/alternatives style)...
"$MKDEB" "$T/links.deb" links "l:./usr/lib/abs:$OUT" \
	"l:./usr/lib/rel:../../../../../../../../../..$OUT" || fail mkdeb
aliasctl extract --arch amd64 --root "$R" "$T/links.deb"
check_eq "symlinks leading out are fine as symlinks" 0 $?
# ... but a later package must not write through them.
"$MKDEB" "$T/through-abs.deb" later "f:./usr/share/ok2:1" \
	"f:./usr/lib/abs/pwned:x" || fail mkdeb
expect_refused "member through an existing absolute symlink" \
	'through-abs\.deb: .*/usr/lib/abs is or goes through a symlink leading outside the root' \
	"$R" "$T/through-abs.deb"
"$MKDEB" "$T/through-rel.deb" later "f:./usr/share/ok2:1" \
	"f:./lib/rel/sub/pwned:x" || fail mkdeb
expect_refused "member through an existing ../ symlink" \
	'through-rel\.deb: .*/usr/lib/rel.* outside the root' "$R" \
	"$T/through-rel.deb"

"$MKDEB" "$T/hardlink.deb" evil "f:./usr/share/ok:1" \
	"h:./usr/share/h:$OUT/target" || fail mkdeb
expect_refused "hard link to an absolute path" \
	'hardlink\.deb: .*absolute hard link target' "$R" "$T/hardlink.deb"
"$MKDEB" "$T/hardlink2.deb" evil "f:./usr/share/ok:1" \
	"h:./usr/share/h:./usr/share/not-in-package" || fail mkdeb
expect_refused "hard link to a file the package lacks" \
	'hardlink2\.deb: .*not an earlier file of the package' "$R" \
	"$T/hardlink2.deb"

"$MKDEB" -c xz "$T/bomb.deb" bomb "f:./usr/share/ok:1" \
	"z:./usr/share/zeros:67108864" || fail mkdeb
expect_refused "decompression bomb" 'bomb\.deb: data\.tar\.xz: .*bomb' \
	"$R" "$T/bomb.deb"

head -c 300000 /dev/urandom | od -An -tx1 | tr -d ' \n' | head -c 100000 \
	>"$T/noise"
"$MKDEB" "$T/good.deb" good "f:./usr/share/first:1" \
	"f:./usr/share/noise:$(cat "$T/noise")" "f:./usr/share/last:2" ||
	fail mkdeb
size=$(stat -c %s "$T/good.deb")
head -c $((size * 2 / 3)) "$T/good.deb" >"$T/truncated.deb"
expect_refused "truncated .deb (first members intact)" \
	'truncated\.deb: .*runcated' "$R" "$T/truncated.deb"
"$MKDEB" --not-deb "$T/notdeb.deb" x "f:./usr/share/x:1" || fail mkdeb
expect_refused "non-deb ar archive" 'notdeb\.deb: not a Debian package' \
	"$R" "$T/notdeb.deb"
head -c 4096 /dev/urandom >"$T/garbage.deb"
expect_refused "garbage" 'garbage\.deb: not a Debian package' "$R" \
	"$T/garbage.deb"
expect_refused "missing file" 'missing\.deb: No such file' "$R" \
	"$T/missing.deb"

if [ "$(id -u)" != 0 ]; then
	cp "$T/good.deb" "$T/unreadable.deb"
	chmod 000 "$T/unreadable.deb"
	expect_refused "unreadable file" 'unreadable\.deb: Permission denied' \
		"$R" "$T/unreadable.deb"
elif command -v setpriv >/dev/null 2>&1; then
	cp "$T/good.deb" "$T/unreadable.deb"
	chmod 000 "$T/unreadable.deb"
	chmod 755 "$T"
	mkdir -p "$T/nobody-root"
	chown 65534:65534 "$T/nobody-root"
	listing "$T/nobody-root" >"$T/before"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		aliasctl extract --arch amd64 --root "$T/nobody-root" \
		"$T/unreadable.deb" >"$T/out" 2>"$T/err"
	check_eq "unreadable file: exit 2" 2 $?
	check "unreadable file: message" \
		grep -q 'unreadable\.deb: Permission denied' "$T/err"
	listing "$T/nobody-root" >"$T/after"
	check "unreadable file: nothing written" cmp -s "$T/before" "$T/after"
fi

# A good package among bad ones is extracted; the run still exits 2.
aliasctl extract --arch amd64 --root "$R" "$T/garbage.deb" "$T/good.deb" \
	>"$T/out" 2>"$T/err"
check_eq "good among bad: exit 2" 2 $?
check "good among bad: the good one is there" test -f "$R/usr/share/last"

# A split root (a real /bin with files) is refused before anything.
S=$T/split
mkdir -p "$S/bin"
: >"$S/bin/sh"
expect_refused "split root" \
	'split/bin is a non-empty directory, not the alias symlink to usr/bin' \
	"$S" "$T/good.deb"
S2=$T/split2
mkdir -p "$S2"
: >"$S2/sbin"
expect_refused "a file where an alias goes" \
	'split2/sbin exists and is not the alias symlink to usr/sbin' \
	"$S2" "$T/good.deb"

# A failure is reported as what it is, with its own error, not as "not
# the alias symlink". A merged root whose empty lib32 directory the user
# may not remove (sticky root, owned by another user) or not read.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
	chmod 755 "$T"
	for P in "$T/sticky" "$T/unreadable-alias"; do
		mkdir -p "$P/lib32" "$P/usr/lib32"
		for a in bin sbin lib lib64 libx32; do
			mkdir -p "$P/usr/$a"
			ln -s "usr/$a" "$P/$a"
		done
		chown -R 65534:65534 "$P/usr"
		chmod 1777 "$P"
	done
	chmod 000 "$T/unreadable-alias/lib32"
	as_nobody()
	{
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			aliasctl extract --arch amd64 --root "$1" \
			"$T/good.deb" >"$T/out" 2>"$T/err"
	}
	as_nobody "$T/sticky"
	check_eq "alias directory not removable: exit 2" 2 $?
	check "alias directory not removable: the error and why" grep -q \
		'sticky/lib32: cannot replace the empty directory with the alias symlink: Operation not permitted' \
		"$T/err"
	check "alias directory not removable: it stays" \
		test -d "$T/sticky/lib32" -a ! -L "$T/sticky/lib32"
	check_eq "alias directory not removable: no staging directory left" \
		"" "$(ls -a "$T/sticky" | grep aliasctl-extract)"
	as_nobody "$T/unreadable-alias"
	check_eq "alias directory unreadable: exit 2" 2 $?
	check "alias directory unreadable: the error and why" grep -q \
		'unreadable-alias/lib32: cannot read: Permission denied' \
		"$T/err"
fi

# Usage.
aliasctl extract "$T/good.deb" >"$T/out" 2>"$T/err"
check_eq "no --root: exit 2" 2 $?
check "no --root: usage" grep -q 'Usage: ' "$T/err"

finish
