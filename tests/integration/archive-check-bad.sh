#!/bin/sh
# aliasctl check on bad input: a truncated .deb, a non-deb ar archive,
# garbage, a decompression bomb, an unreadable file, a missing file, a
# broken or empty Contents index, a root without a dpkg database, bad
# usage. Each is exit 2 with a clear message on stderr and no report on
# stdout.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/archive-helpers.sh"

# expect_error DESCRIPTION PATTERN ARGS...: aliasctl check ARGS exits 2,
# prints PATTERN (grep -E) on stderr and nothing on stdout.
expect_error()
{
	_d=$1
	_p=$2
	shift 2
	aliasctl check --arch amd64 "$@" >"$T/out" 2>"$T/err"
	_rc=$?
	check_eq "$_d: exit 2" 2 "$_rc"
	if grep -Eq "$_p" "$T/err"; then
		ok "$_d: message"
	else
		fail "$_d: message [$(cat "$T/err")] lacks [$_p]"
	fi
	check_eq "$_d: no report" "" "$(cat "$T/out")"
}

# A valid package with incompressible content, to cut in the middle.
head -c 300000 /dev/urandom | od -An -tx1 >"$T/noise"
"$MKDEB" -c xz "$T/good.deb" good "f:./usr/bin/good:x" \
	"f:./usr/share/noise:$(head -c 100000 "$T/noise" | tr -d ' \n')" \
	"f:./usr/share/after:y" || fail "mkdeb good"
aliasctl check --arch amd64 "$T/good.deb" >/dev/null
check_eq "the intact package is fine" 0 $?

size=$(stat -c %s "$T/good.deb")
head -c $((size / 2)) "$T/good.deb" >"$T/truncated.deb"
expect_error "truncated .deb" 'truncated\.deb: .*(truncated|Truncated)' \
	"$T/truncated.deb"
head -c 100 "$T/good.deb" >"$T/stub.deb"
expect_error "a .deb cut in its ar header" 'stub\.deb: ' "$T/stub.deb"

"$MKDEB" --not-deb "$T/notdeb.deb" x "f:./a:b" || fail "mkdeb notdeb"
expect_error "non-deb ar archive" \
	'notdeb\.deb: not a Debian package .*debian-binary' "$T/notdeb.deb"
"$MKDEB" --no-data "$T/nodata.deb" x "f:./a:b" || fail "mkdeb nodata"
expect_error "ar archive without data.tar" 'nodata\.deb: .*no data\.tar' \
	"$T/nodata.deb"

head -c 4096 /dev/urandom >"$T/garbage.deb"
expect_error "garbage named .deb" 'garbage\.deb: ' "$T/garbage.deb"
printf '!<arch>\nthis is not really an ar archive' >"$T/fakear"
expect_error "garbage behind an ar magic" 'fakear: ' "$T/fakear"
head -c 4096 /dev/urandom >"$T/garbage"
# Random bytes are no Contents index either (a NUL byte or a line without
# a package list, whichever comes first).
expect_error "garbage" 'garbage: (line [0-9]+: |.*Unrecognized)' \
	"$T/garbage"

# 64 MiB of zeros compress to a few KiB: beyond the 1000:1 ratio bound.
"$MKDEB" -c xz "$T/bomb.deb" bomb "z:./usr/share/zeros:67108864" ||
	fail "mkdeb bomb"
expect_error "decompression bomb" 'bomb\.deb: data\.tar\.xz: .*bomb' \
	"$T/bomb.deb"

printf 'usr/bin/a   utils/a\nno-package-list-here\n' >"$T/Contents-bad"
expect_error "Contents line without packages" \
	'Contents-bad: line 2: no package list' "$T/Contents-bad"
printf 'usr/bin/a   utils/a,\n' >"$T/Contents-bad2"
expect_error "Contents with an empty package name" \
	'Contents-bad2: line 1: bad package name' "$T/Contents-bad2"

# An index that lists nothing is an error, not "no conflicts": a
# zero-length file, a compressed empty file, blank lines, a header block
# without entries, an empty pipe.
: >"$T/Contents-empty"
expect_error "zero-length index" \
	'Contents-empty: empty Contents index: no entries' "$T/Contents-empty"
gzip -c "$T/Contents-empty" >"$T/Contents-empty.gz"
expect_error "compressed empty index" \
	'Contents-empty\.gz: empty Contents index: no entries' \
	"$T/Contents-empty.gz"
printf '\n  \r\n\n' >"$T/Contents-blank"
expect_error "index of blank lines" \
	'Contents-blank: empty Contents index: no entries' "$T/Contents-blank"
{
	printf 'This file maps each file available in the Debian GNU/Linux\n'
	printf 'system to the package from which it originates.\n\n'
	printf 'FILE                                    LOCATION\n'
} >"$T/Contents-header"
expect_error "header without entries" \
	'Contents-header: empty Contents index: a header but no entries' \
	"$T/Contents-header"
xz -c "$T/Contents-header" >"$T/Contents-header.xz"
expect_error "compressed header without entries" \
	'Contents-header\.xz: empty Contents index: a header but no entries' \
	"$T/Contents-header.xz"
expect_error "empty pipe" 'empty Contents index: no entries' /dev/stdin \
	</dev/null
# One entry is an index.
printf 'FILE   LOCATION\nusr/bin/a   utils/a\n' >"$T/Contents-one"
aliasctl check --arch amd64 "$T/Contents-one" >"$T/out" 2>"$T/err"
check_eq "one entry after the header: no conflicts, exit 0" \
	"0 no conflicts" "$? $(cat "$T/out")"
# An empty index among good inputs spoils the report too.
expect_error "empty index after a good one" 'Contents-empty: empty' \
	"$T/Contents-one" "$T/Contents-empty"

expect_error "missing file" 'missing\.deb: No such file' "$T/missing.deb"
mkdir -p "$T/notaroot"
expect_error "directory without dpkg database" \
	'notaroot: no dpkg database' "$T/notaroot"

# Unreadable: as root, drop privileges for the run; otherwise chmod works.
cp "$T/good.deb" "$T/unreadable.deb"
chmod 000 "$T/unreadable.deb"
if [ "$(id -u)" = 0 ]; then
	if command -v setpriv >/dev/null 2>&1; then
		chmod 755 "$T"
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			aliasctl check --arch amd64 "$T/unreadable.deb" \
			>"$T/out" 2>"$T/err"
		check_eq "unreadable file: exit 2" 2 $?
		check "unreadable file: message" \
			grep -q 'unreadable\.deb: Permission denied' "$T/err"
		check_eq "unreadable file: no report" "" "$(cat "$T/out")"
	fi
else
	expect_error "unreadable file" 'unreadable\.deb: Permission denied' \
		"$T/unreadable.deb"
fi

# One bad input spoils the whole report: no partial table.
expect_error "good then bad" 'garbage\.deb' "$T/good.deb" "$T/garbage.deb"

# Usage.
aliasctl check >"$T/out" 2>"$T/err"
check_eq "no INPUT: exit 2" 2 $?
check "no INPUT: usage" grep -q 'Usage: ' "$T/err"
aliasctl check --arch no-such-arch "$T/good.deb" >"$T/out" 2>"$T/err"
check_eq "unknown architecture: exit 2" 2 $?
check "unknown architecture: message" grep -q "no-such-arch" "$T/err"
aliasctl check --bogus "$T/good.deb" >"$T/out" 2>"$T/err"
check_eq "unknown option: exit 2" 2 $?

finish
