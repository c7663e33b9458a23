#!/bin/sh
# aliasctl index and owner: the ownership index of a root's dpkg database,
# alias-aware lookups (either spelling), diversions, incremental updates
# (only changed lists are read; removed lists are dropped), a new alias
# map rebuilds, and the errors.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/archive-helpers.sh"

R=$T/root
I=$R/var/lib/dpkg/info
mkdir -p "$I"
printf '/.\n/bin\n/bin/tool\n/usr\n/usr/share\n/usr/share/a\n' >"$I/a.list"
printf '/.\n/usr\n/usr/bin\n/usr/bin/tool\n/usr/bin/b-only\n' \
	>"$I/b:amd64.list"
printf '/.\n/lib64\n/lib64/ld-linux-x86-64.so.2\n' >"$I/libc6.list"
printf '/bin/sh\n/bin/sh.distrib\ndash\n/usr/bin/mine\n/usr/bin/mine.orig\n:\n' \
	>"$R/var/lib/dpkg/diversions"

aliasctl owner --root "$R" /bin/tool >"$T/out" 2>"$T/err"
check_eq "no index yet: exit 2" 2 $?
check "no index yet: says how to build it" grep -q 'aliasctl index' "$T/err"

aliasctl index --root "$R" --arch amd64 >"$T/out" 2>"$T/err"
check_eq "index: exit 0" 0 $?
check "index: three lists read" grep -q ': 3 lists read (11 paths), 0 unchanged' \
	"$T/out"

aliasctl owner --root "$R" /usr/bin/tool >"$T/out"
check_eq "owner: exit 0" 0 $?
check_eq "either spelling finds both owners" \
	"a: /bin/tool
b:amd64: /usr/bin/tool" "$(cat "$T/out")"
aliasctl owner --root "$R" /bin/tool >"$T/out2"
check "the other spelling gives the same answer" cmp -s "$T/out" "$T/out2"
aliasctl owner --root "$R" /bin/b-only /usr/lib64/ld-linux-x86-64.so.2 \
	>"$T/out"
check_eq "alias spelling of a canonical path; several PATHs" \
	"b:amd64: /usr/bin/b-only
libc6: /lib64/ld-linux-x86-64.so.2" "$(cat "$T/out")"
aliasctl owner --root "$R" /usr/bin >"$T/out"
check_eq "a directory lists every package listing it" \
	"a: /bin
b:amd64: /usr/bin" "$(cat "$T/out")"
aliasctl owner --root "$R" /usr/bin/sh >"$T/out"
check_eq "diversions, dpkg -S style, by either spelling" \
	"diversion by dash from: /bin/sh
diversion by dash to: /bin/sh.distrib" "$(cat "$T/out")"
aliasctl owner --root "$R" /usr/bin/mine.orig >"$T/out"
check_eq "local diversion" "local diversion from: /usr/bin/mine
local diversion to: /usr/bin/mine.orig" "$(cat "$T/out")"

aliasctl owner --root "$R" /usr/bin/none /bin/tool >"$T/out" 2>"$T/err"
check_eq "a path nobody owns: exit 1" 1 $?
check "a path nobody owns: message" \
	grep -q 'no path found matching /usr/bin/none' "$T/err"
check "the other PATH is still answered" grep -q '^a: /bin/tool$' "$T/out"
aliasctl owner --root "$R" relative/path >"$T/out" 2>"$T/err"
check_eq "relative PATH: exit 2" 2 $?

# Incremental: nothing changed, then one list rewritten (as dpkg does, by
# rename), then one removed.
aliasctl index --root "$R" --arch amd64 >"$T/out"
check "unchanged: nothing read" grep -q ': 0 lists read (0 paths), 3 unchanged, 0 removed$' \
	"$T/out"
printf '/.\n/bin\n/bin/newtool\n' >"$I/a.list.new"
mv "$I/a.list.new" "$I/a.list"
aliasctl index --root "$R" --arch amd64 >"$T/out"
check "one list changed: only it is read" \
	grep -q ': 1 lists read (2 paths), 2 unchanged, 0 removed$' "$T/out"
aliasctl owner --root "$R" /usr/bin/newtool >"$T/out"
check_eq "its new path is found" "a: /bin/newtool" "$(cat "$T/out")"
aliasctl owner --root "$R" /usr/bin/tool >"$T/out"
check_eq "its old path is gone, the other owner stays" \
	"b:amd64: /usr/bin/tool" "$(cat "$T/out")"
rm "$I/b:amd64.list"
aliasctl index --root "$R" --arch amd64 >"$T/out"
check "a removed list is dropped" grep -q ', 1 removed$' "$T/out"
aliasctl owner --root "$R" /usr/bin/tool >"$T/out" 2>&1
check_eq "its paths are gone" 1 $?

# Paths longer than an LMDB key (511 bytes), sharing their first 500.
long=/usr/share/$(printf '%0600d' 0)
printf '/.\n%s/x\n%s/y\n' "$long" "$long" >"$I/long.list"
aliasctl index --root "$R" --arch amd64 >"$T/out"
aliasctl owner --root "$R" "$long/y" >"$T/out"
check_eq "long paths: found" "long: $long/y" "$(cat "$T/out")"
aliasctl owner --root "$R" "$long/z" >"$T/out" 2>&1
check_eq "long paths: a third one, same prefix, is not" 1 $?

# Another alias map: every list is read again.
aliasctl index --root "$R" --arch arm64 >"$T/out"
check "a new map rebuilds" grep -q 'rebuilt for a new alias map' "$T/out"

aliasctl index >"$T/out" 2>"$T/err"
check_eq "index without --root: exit 2" 2 $?
aliasctl index --root "$T/nothing-here" --arch amd64 >"$T/out" 2>"$T/err"
check_eq "index of a directory without dpkg database: exit 2" 2 $?
check "... with a message" grep -q 'no dpkg database' "$T/err"

finish
