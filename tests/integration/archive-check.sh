#!/bin/sh
# aliasctl check over .deb files built with dpkg-deb, an installed root and
# small Contents indices: alias conflicts across spellings, same-path
# conflicts (--all), none; the table and the JSON output; exit codes.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/archive-helpers.sh"

command -v dpkg-deb >/dev/null 2>&1 || skip "dpkg-deb missing"

# a ships /bin/tool, b ships /usr/bin/tool: the conflict that loses files.
put a bin/tool
put a usr/share/doc/a/README
put b usr/bin/tool
put b usr/share/same
# c ships /usr/share/same too (same spelling as b), and a library under
# /lib64 that d ships under /usr/lib64.
put c usr/share/same
put c lib64/libx.so.1
put d usr/lib64/libx.so.1
put e usr/bin/alone
put e sbin/alone2
mkpkg a "$T/a.deb" xz
mkpkg b "$T/b.deb" gzip
mkpkg c "$T/c.deb" zstd
mkpkg d "$T/d.deb" none
mkpkg e "$T/e.deb" xz

# ---- .deb inputs --------------------------------------------------------
aliasctl check --arch amd64 "$T/a.deb" "$T/b.deb" >"$T/out" 2>"$T/err"
check_eq "alias conflict: exit 1" 1 $?
check "table names the canonical path, both spellings and packages" \
	grep -Eq '^alias +/usr/bin/tool +/bin/tool +a$' "$T/out"
check "second row" grep -Eq '^alias +/usr/bin/tool +/usr/bin/tool +b$' \
	"$T/out"
check_eq "one conflict, two rows" 2 "$(grep -c '^alias' "$T/out")"
check_eq "nothing on stderr" "" "$(cat "$T/err")"

aliasctl check --arch amd64 "$T/a.deb" "$T/e.deb" >"$T/out"
check_eq "no conflict: exit 0" 0 $?
check_eq "says so" "no conflicts" "$(cat "$T/out")"

aliasctl check --arch amd64 "$T/b.deb" "$T/c.deb" >"$T/out"
check_eq "same spelling only: exit 0 without --all" 0 $?
aliasctl check --arch amd64 --all "$T/b.deb" "$T/c.deb" >"$T/out"
check_eq "same spelling with --all: exit 1" 1 $?
check "--all reports it as same-path" \
	grep -Eq '^same-path +/usr/share/same +/usr/share/same +b$' "$T/out"

aliasctl check --arch amd64 "$T/a.deb" "$T/b.deb" "$T/c.deb" "$T/d.deb" \
	"$T/e.deb" >"$T/out"
check_eq "five packages: exit 1" 1 $?
check_eq "two alias conflicts" \
	"/usr/bin/tool /usr/lib64/libx.so.1" \
	"$(awk '$1 == "alias" { print $2 }' "$T/out" | sort -u | tr '\n' ' ' |
		sed 's/ $//')"

aliasctl check --arch amd64 --json "$T/a.deb" "$T/b.deb" >"$T/out"
check_eq "--json: exit 1" 1 $?
check "JSON has the conflict" grep -q \
	'"kind": "alias", "canonical": "/usr/bin/tool", "ships": \[{"path": "/bin/tool", "package": "a"}, {"path": "/usr/bin/tool", "package": "b"}\]' \
	"$T/out"
if command -v python3 >/dev/null 2>&1; then
	check "JSON parses" python3 -c \
		'import json,sys; d=json.load(open(sys.argv[1])); assert len(d) == 1' \
		"$T/out"
fi
aliasctl check --arch amd64 --json "$T/a.deb" >"$T/out"
check_eq "--json without conflicts: exit 0, empty array" "0 []" \
	"$? $(cat "$T/out")"

# ---- an installed root ------------------------------------------------
R=$T/root
mkdir -p "$R/var/lib/dpkg/info" "$R/usr/bin" "$R/usr/share/doc/a" "$R/bin"
printf '/.\n/bin\n/bin/tool\n/usr\n/usr/share\n/usr/share/doc\n' \
	>"$R/var/lib/dpkg/info/a.list"
printf '/.\n/usr\n/usr/bin\n/usr/bin/tool\n/usr/share\n' \
	>"$R/var/lib/dpkg/info/b:amd64.list"
: >"$R/usr/bin/tool"
: >"$R/bin/tool"
aliasctl check --arch amd64 "$R" >"$T/out"
check_eq "root: exit 1" 1 $?
check "root: packages as dpkg names them" \
	grep -Eq '^alias +/usr/bin/tool +/usr/bin/tool +b:amd64$' "$T/out"
aliasctl check --arch amd64 --all "$R" >"$T/out"
check_eq "root: shared directories are no conflict" 2 \
	"$(grep -c -E '^(alias|same-path) ' "$T/out")"
rm "$R/var/lib/dpkg/info/a.list"
aliasctl check --arch amd64 "$R" >"$T/out"
check_eq "root without the conflict: exit 0" 0 $?

# ---- Contents indices -------------------------------------------------
cat >"$T/Contents-amd64" <<'EOF'
bin/systemctl                                           admin/systemd
usr/bin/systemctl                                       admin/systemctl
usr/share/doc/My Package/read me                        doc/mypkg
lib/x86_64-linux-gnu/libsystemd.so.0                    libs/libelogind0
usr/lib/x86_64-linux-gnu/libsystemd.so.0                libs/libsystemd0,non-free/libs/libsystemd0-alt
usr/share/common                                        misc/p1,misc/p2
EOF
aliasctl check --arch amd64 "$T/Contents-amd64" >"$T/out"
check_eq "Contents: exit 1" 1 $?
check_eq "Contents: two alias conflicts, five rows" 5 \
	"$(grep -c '^alias' "$T/out")"
check "Contents: qualifiers stripped" \
	grep -Eq '^alias +/usr/lib/x86_64-linux-gnu/libsystemd.so.0 +/usr/lib/x86_64-linux-gnu/libsystemd.so.0 +libsystemd0-alt$' \
	"$T/out"
aliasctl check --arch amd64 --all "$T/Contents-amd64" >"$T/out"
check "Contents --all: comma-separated list is a same-path conflict" \
	grep -Eq '^same-path +/usr/share/common +/usr/share/common +p2$' \
	"$T/out"

# Old format: header block, CRLF line ends; compressed variants.
{
	printf 'This file maps each file available in the Debian GNU/Linux\r\n'
	printf 'system to the package from which it originates.\r\n\r\n'
	printf 'FILE                                    LOCATION\r\n'
	printf 'sbin/x   admin/old\r\n'
	printf 'usr/sbin/x   admin/new\r\n'
} >"$T/Contents-old"
aliasctl check --arch amd64 "$T/Contents-old" >"$T/out"
check_eq "old format with header and CRLF: exit 1" 1 $?
check_eq "old format: exactly the two rows" 2 "$(grep -c '^alias' "$T/out")"
gzip -c "$T/Contents-amd64" >"$T/Contents-amd64.gz"
aliasctl check --arch amd64 "$T/Contents-amd64.gz" >"$T/out.gz"
check_eq ".gz: exit 1" 1 $?
aliasctl check --arch amd64 "$T/Contents-amd64" >"$T/out"
check "gzip gives the same report" cmp -s "$T/out" "$T/out.gz"
if command -v xz >/dev/null 2>&1; then
	xz -c "$T/Contents-amd64" >"$T/Contents-amd64.xz"
	aliasctl check --arch amd64 "$T/Contents-amd64.xz" >"$T/out.xz"
	check "xz gives the same report" cmp -s "$T/out" "$T/out.xz"
fi
if command -v lz4 >/dev/null 2>&1; then
	lz4 -q -c "$T/Contents-amd64" >"$T/Contents-amd64.lz4"
	aliasctl check --arch amd64 "$T/Contents-amd64.lz4" >"$T/out.lz4"
	check "lz4 gives the same report" cmp -s "$T/out" "$T/out.lz4"
fi

# (An empty index is an error: archive-check-bad.sh. Progress on a
# terminal: archive-progress.sh.)

# From a pipe (nothing may be lost to type sniffing).
mkfifo "$T/fifo"
cat "$T/Contents-amd64" >"$T/fifo" &
writer=$!
# timeout only bounds a hang (a broken writer); it asserts no speed.
timeout 120 aliasctl check --arch amd64 "$T/fifo" >"$T/out.fifo"
check_eq "from a pipe: exit 1" 1 $?
kill "$writer" 2>/dev/null
wait "$writer" 2>/dev/null
check "a pipe gives the same report" cmp -s "$T/out.gz" "$T/out.fifo"

# ---- mixed inputs, and the map ----------------------------------------
printf 'usr/bin/tool   utils/fromcontents\n' >"$T/Contents-mix"
aliasctl check --arch amd64 "$T/a.deb" "$T/Contents-mix" >"$T/out"
check_eq "a .deb against a Contents index: exit 1" 1 $?
check "mixed: both packages" grep -Eq ' fromcontents$' "$T/out"
# On an architecture without /lib64 as an alias, /lib64 and /usr/lib64 are
# two different paths.
aliasctl check --arch arm64 "$T/c.deb" "$T/d.deb" >"$T/out"
check_eq "arm64: /lib64 is no alias there" 0 $?

finish
