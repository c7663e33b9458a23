#!/bin/sh
# aliasctl sync and activate on real trees (no FUSE): a declared alias over
# a split tree with a differing bin/test is blocked, status lists why,
# activate --force quarantines the shadowed file with nothing lost, and
# removing the declaration removes the alias. Refused and malformed lines
# are reported as FILE:LINE while the rest is synced.
. "$top_srcdir/tests/integration/lib.sh"

B=$T/tree
D=$B/usr/share/aliasfs/aliases.d
DB=$B/var/lib/aliasfs
mkdir -p "$B/bin" "$B/usr/bin" "$D"
printf 'alias side\n' >"$B/bin/test"
printf 'canonical side\n' >"$B/usr/bin/test"
printf 'same\n' >"$B/bin/same"
printf 'same\n' >"$B/usr/bin/same"
printf 'only here\n' >"$B/bin/only"
check "init --empty" aliasctl --root "$B" init --empty

# sums: "checksum" of every file in the tree but the database, sorted, so
# that a file moved anywhere (the quarantine included) still counts.
sums()
{
	{
		find "$B" -path "$DB" -prune -o -type f -print
		find "$DB/quarantine" -type f -print 2>/dev/null
	} | xargs -r sha256sum | awk '{ print $1 }' | sort
}
quarantine_sums()
{
	find "$DB/quarantine" -type f -print 2>/dev/null |
		xargs -r sha256sum | awk '{ print $1 }'
}
generation()
{
	aliasctl --root "$B" status | sed -n 's/.*(generation \([0-9]*\)).*/\1/p'
}

printf '# declared by package c\n/bin /usr/bin\n' >"$D/c"
aliasctl --root "$B" sync >"$T/out" 2>"$T/err"
check_eq "sync: exit 0" 0 $?
check_eq "sync: one line per change" "imported c
added /bin -> /usr/bin
blocked /bin -> /usr/bin: would hide 1 differing file: /bin/test (vs /usr/bin/test)" \
	"$(cat "$T/out")"
check_eq "sync: nothing on stderr" "" "$(cat "$T/err")"
check "status lists the blocked alias and its conflicting paths" \
	grep -q '^  /bin -> /usr/bin  blocked: would hide 1 differing file: /bin/test (vs /usr/bin/test)$' \
	"$(aliasctl --root "$B" status >"$T/status"; echo "$T/status")"
check_eq "list: owner c, blocked" "/bin /usr/bin blocked c" \
	"$(aliasctl --root "$B" list | awk 'NR == 2 { print $1, $2, $3, $4 }')"
check_eq "the tree stays as it was" "alias side" "$(cat "$B/bin/test")"

g=$(generation)
check_eq "second sync: no output" "" "$(aliasctl --root "$B" sync 2>&1)"
check_eq "second sync: generation unchanged" "$g" "$(generation)"

# activate without --force: still blocked, differences on stderr, exit 1
aliasctl --root "$B" activate /bin >"$T/out" 2>"$T/err"
check_eq "activate: exit 1 while it differs" 1 $?
check "activate: lists the difference" \
	grep -q '^  /bin/test differs from /usr/bin/test$' "$T/err"
check_eq "activate: still blocked" blocked \
	"$(aliasctl --root "$B" list | awk '$1 == "/bin" { print $3 }')"

before=$(sums)
want=$(sha256sum "$B/bin/test" | awk '{ print $1 }')
aliasctl --root "$B" activate --force /bin >"$T/out" 2>"$T/err"
check_eq "activate --force: exit 0" 0 $?
check_eq "activate --force: reports the move and the activation" \
	"quarantined /bin/test -> $DB/quarantine/bin/test
active /bin -> /usr/bin" "$(cat "$T/out")"
check "the shadowed file left the alias side" test ! -e "$B/bin/test"
check_eq "the quarantined file is intact" "$want" "$(quarantine_sums)"
check_eq "nothing lost: same files, by content" "$before" "$(sums)"
check_eq "the canonical file is untouched" "canonical side" \
	"$(cat "$B/usr/bin/test")"
check_eq "the identical and alias-only files stay" "same only here" \
	"$(cat "$B/bin/same") $(cat "$B/bin/only")"
aliasctl --root "$B" status >"$T/status"
check "status: active" grep -q '^  /bin -> /usr/bin  active$' "$T/status"
check "status lists the quarantine" \
	grep -q "^  /bin/test (moved by activating /bin) is in $DB/quarantine/bin/test\$" \
	"$T/status"
check_eq "a forced alias stays active at the next sync" "" \
	"$(aliasctl --root "$B" sync 2>&1)"

# Refused and malformed lines: reported, the rest synced, exit 1.
printf '/sbin /usr/sbin\n' >"$D/d"
printf '/sbin /usr/local/sbin\n/lib\n/etc /usr/etc\n/lib64 /usr/lib64\n' \
	>"$D/e"
aliasctl --root "$B" sync >"$T/out" 2>"$T/err"
check_eq "refused: exit 1" 1 $?
check_eq "refused: the changes are on stdout" "imported d
imported e
added /lib64 -> /usr/lib64
added /sbin -> /usr/sbin" "$(cat "$T/out")"
check "refused: different target named with FILE:LINE" \
	grep -q "^aliasctl sync: $D/e:1: refused /sbin -> /usr/local/sbin: /sbin is already an alias of /usr/sbin\$" \
	"$T/err"
check "malformed: FILE:LINE and what is wrong" \
	grep -q "^aliasctl sync: $D/e:2: malformed: missing CANONICAL" "$T/err"
check "refused by a rule: FILE:LINE and the rule" \
	grep -q "^aliasctl sync: $D/e:3: refused /etc[^ ]* -> [^ ]*: /etc and everything under it" "$T/err"
g=$(generation)
aliasctl --root "$B" sync >"$T/out" 2>"$T/err"
check_eq "still refused: exit 1 again" 1 $?
check_eq "still refused: nothing changes" "$g" "$(generation)"

# The last declaration of /bin goes: the alias goes, the hand-free state
# of the tree is back (the quarantine stays, listed).
rm "$D/c"
aliasctl --root "$B" sync >"$T/out" 2>/dev/null
check "removing the declaration: unimported" grep -qx "unimported c" "$T/out"
check "removing the declaration: alias removed" \
	grep -qx "removed /bin -> /usr/bin" "$T/out"
check_fails "/bin no longer listed" \
	sh -c "aliasctl --root '$B' list | grep -q '^/bin '"
check "the quarantine is still listed" \
	sh -c "aliasctl --root '$B' status | grep -q '^quarantine: 1$'"
rm "$D/d" "$D/e"
aliasctl --root "$B" sync >/dev/null 2>&1
check_eq "every declaration gone: no alias left" "" \
	"$(aliasctl --root "$B" list | sed 1d)"

# Options: --db needs --tree unless the database is inside the tree.
mkdir -p "$T/elsewhere"
check "init a database outside the tree" \
	aliasctl --db "$T/elsewhere/db" init --empty
aliasctl --db "$T/elsewhere/db" sync >/dev/null 2>"$T/err"
check_eq "--db outside a tree without --tree: usage error" 1 $?
check "the usage error names --tree" grep -q -- "--tree TREE" "$T/err"
printf '/sbin /usr/sbin\n' >"$D/d"
check "--db DIR --tree TREE works" \
	aliasctl --db "$T/elsewhere/db" sync --tree "$B"
check_eq "--db DIR --tree TREE imported" "/sbin /usr/sbin active d" \
	"$(aliasctl --db "$T/elsewhere/db" list | awk 'NR == 2 { print $1, $2, $3, $4 }')"

# A symlinked declaration directory is refused as a whole.
g=$(generation)
mv "$D" "$T/real.d"
ln -s "$T/real.d" "$D"
aliasctl --root "$B" sync >/dev/null 2>"$T/err"
check_eq "symlinked aliases.d: exit 2" 2 $?
check "symlinked aliases.d: explained" grep -q "not a plain directory" \
	"$T/err"
check_eq "symlinked aliases.d: nothing changed" "$g" "$(generation)"

check_fails "activate: unknown alias" aliasctl --root "$B" activate /nope
check_fails "activate: missing ALIAS" aliasctl --root "$B" activate
check_fails "sync: stray argument" aliasctl --root "$B" sync extra
check "help sync" sh -c "aliasctl help sync | grep -q -- --tree"
check "help activate" sh -c "aliasctl help activate | grep -q -- --force"
finish
