#!/bin/sh
# aliasctl dump, restore and recover, and what every program does with a
# damaged database: exit 2, a message naming the file and the way out,
# nothing changed; recover brings the map back from the plain-text copy
# kept beside the database, moving the damaged files aside.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/aliasctl-helpers.sh"

B=$T/tree
DB=$B/var/lib/aliasfs
mkdir -p "$B/usr/share/aliasfs/aliases.d"
check "init" aliasctl --root "$B" init --arch amd64
check "add by hand" aliasctl --root "$B" add /opt/a /usr/a
check "an owned alias" aliasctl-test-seed "$DB" own /srv/s /usr/s "pkg x"
check "a conflict" aliasctl-test-seed "$DB" conflict /usr/bin/t /bin/t
printf '/opt/d /usr/d\n' >"$B/usr/share/aliasfs/aliases.d/d"
aliasctl --root "$B" sync >/dev/null
# After the sync, which would find nothing hidden and activate it.
check "a blocked alias" aliasctl-test-seed "$DB" block /lib32 \
	"would hide /lib32/x"
aliasctl --root "$B" list >"$T/list.orig"

# ---- dump -------------------------------------------------------------------
run aliasctl --root "$B" dump
check_rc "dump" 0
check_has "dump: the format line" "
aliasfs-dump 1
generation " "$out"
check_has "dump: by hand" "alias /opt/a /usr/a active hand" "$out"
check_has "dump: owner escaped" "alias /srv/s /usr/s active owner=pkg\\x20x" "$out"
check_has "dump: blocked with its reason" \
	"alias /lib32 /usr/lib32 blocked hand reason=would\\x20hide\\x20/lib32/x" "$out"
check_has "dump: the declaration" "declaration d " "$out"
check_has "dump: the conflict" "conflict /usr/bin/t /bin/t" "$out"
check_has "dump: the record count" "end 11" "$out"
echo "$out" >"$T/saved.dump"
check "the kept copy is the dump" cmp -s "$T/saved.dump" "$DB/aliases.dump"
run aliasctl --root "$B" status
check_has "status: the copy is up to date" \
	"plain-text copy: $DB/aliases.dump (up to date)" "$out"
run aliasctl --root "$B" dump --json
check_rc "dump --json" 0
check "dump --json: the same aliases as list" python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["format"] == 1
a = {x["alias"]: x for x in d["aliases"]}
assert len(a) == 9, a
assert a["/srv/s"]["owners"] == ["pkg x"] and not a["/srv/s"]["by_hand"]
assert a["/lib32"]["state"] == "blocked"
assert d["declarations"][0]["pairs"] == [{"alias": "/opt/d", "canonical": "/usr/d"}]
assert d["conflicts"] == [{"canonical": "/usr/bin/t", "shadowed": "/bin/t"}]
' "$out"

# ---- restore ------------------------------------------------------------------
check "a change after the dump" aliasctl --root "$B" add /opt/later /usr/later
run aliasctl --root "$B" restore "$T/saved.dump"
check_rc "restore" 0
check_has "restore: says what" "restored 9 aliases, 1 declaration, 1 conflict" "$out"
check_eq "restore: the map as dumped" "$(cat "$T/list.orig")" \
	"$(aliasctl --root "$B" list)"
check "restore from standard input" sh -c \
	"aliasctl --root '$B' restore - <'$T/saved.dump' >/dev/null"
g=$(aliasctl --root "$B" status | sed -n 's/.*(generation \([0-9]*\)).*/\1/p')
head -n 8 "$T/saved.dump" >"$T/cut.dump"
run aliasctl --root "$B" restore "$T/cut.dump"
check_rc "restore of a dump cut short" 1
check_has "restore: names FILE:LINE" "$T/cut.dump:9: no 'end' line" "$err"
check_eq "restore: nothing changed" "$g" \
	"$(aliasctl --root "$B" status | sed -n 's/.*(generation \([0-9]*\)).*/\1/p')"
sed -e 's/^end 11$/alias \/opt\/bad\\x0a \/usr\/bad active hand\nend 12/' \
	"$T/saved.dump" >"$T/bad.dump"
run aliasctl --root "$B" restore "$T/bad.dump"
check_rc "restore with a refused alias" 1
check_has "restore: the refused alias, escaped, with its rule" \
	"refused /opt/bad\\x0a -> /usr/bad: alias and target must not contain control characters" "$err"
check_eq "restore: the rest is restored" "$(cat "$T/list.orig")" \
	"$(aliasctl --root "$B" list)"
check_usage "restore without FILE" aliasctl --root "$B" restore

# ---- a damaged database -----------------------------------------------------
cp -a "$DB" "$T/db.good"
run aliasctl --root "$B" recover
check_rc "recover of a sound database" 0
check_has "recover: nothing to do" "not damaged; nothing to do" "$out"
printf '\377' | dd of="$DB/data.mdb" bs=1 seek=4137 conv=notrunc 2>/dev/null
sum=$(sha256sum "$DB/data.mdb" | cut -d' ' -f1)
for c in "list" "list --json" "status" "canon /bin/x" "dump" \
	"add /opt/z /usr/z" "remove /opt/a" "sync" "activate /lib32" \
	"init" "restore $T/saved.dump"; do
	# shellcheck disable=SC2086
	run aliasctl --root "$B" $c
	check_rc "damaged: $c exits 2" 2
	check_has "damaged: $c says so and names the file" \
		"aliasctl: the alias database in $DB is damaged: $DB/data.mdb: " "$err"
	check_has "damaged: $c gives the way out" \
		"'aliasctl --db $DB recover' rebuilds it" "$err"
done
printf 'bin/foo pkga\n' >"$T/Contents-amd64"
run aliasctl --root "$B" check "$T/Contents-amd64"
check_rc "damaged: check exits 2" 2
check_has "damaged: check says so" "is damaged" "$err"
check_eq "damaged: the file is left as it was" "$sum" \
	"$(sha256sum "$DB/data.mdb" | cut -d' ' -f1)"

if [ -c /dev/fuse ] && command -v fusermount3 >/dev/null 2>&1; then
	mkdir -p "$T/mnt"
	_lib_mounts="$_lib_mounts $T/mnt"
	aliasfs -f "$B" "$T/mnt" >"$T/out" 2>"$T/err"
	check_eq "damaged: the daemon exits 2" 2 $?
	check "damaged: the daemon does not mount" sh -c "! grep -q ' $T/mnt ' /proc/self/mountinfo"
	check "damaged: the daemon says why" \
		grep -q "^aliasfs: the alias database in $DB is damaged: $DB/data.mdb: " \
		"$T/err"
	check "damaged: the daemon says what to do" \
		grep -q "^aliasfs: not mounting; 'aliasctl --db $DB recover'" \
		"$T/err"
fi

run aliasctl --root "$B" recover
check_rc "recover" 0
check_has "recover: names the damage" "damaged: $DB/data.mdb: " "$out"
check_has "recover: where the files went" "moved aside: $DB/damaged-" "$out"
check_has "recover: from the copy" "rebuilt the alias map from $DB/aliases.dump: 9 aliases" "$out"
check_eq "recover: the map is back" "$(cat "$T/list.orig")" \
	"$(aliasctl --root "$B" list)"
check_eq "recover: the damaged file is kept" "$sum" \
	"$(sha256sum "$DB"/damaged-*/data.mdb | cut -d' ' -f1)"
run aliasctl --root "$B" status
check_has "recover: the declaration and the quarantine kept" "  /srv/s -> /usr/s" "$out"
check_has "recover: the blocked alias kept" \
	"  /lib32 -> /usr/lib32  blocked: would hide /lib32/x" "$out"

# Empty: never taken for "no aliases".
rm -rf "$DB"
cp -a "$T/db.good" "$DB"
: >"$DB/data.mdb"
run aliasctl --root "$B" list
check_rc "empty data.mdb: exit 2" 2
check_has "empty data.mdb: says so" "$DB/data.mdb: the file is empty" "$err"
# No copy: nothing moved, and a saved dump can be given.
rm "$DB/aliases.dump"
run aliasctl --root "$B" recover
check_rc "no copy: recover fails" 2
check_has "no copy: says so" "cannot recover: $DB/aliases.dump:" "$err"
check_has "no copy: nothing moved" "nothing was moved or changed" "$err"
check "no copy: the file stays" test -f "$DB/data.mdb"
run aliasctl --root "$B" recover --from "$T/saved.dump"
check_rc "recover --from a saved dump" 0
check_eq "recover --from: the map is back" "$(cat "$T/list.orig")" \
	"$(aliasctl --root "$B" list)"

# Damaged claims: the database is refused too; recover moves them aside
# and leaves the alias map alone.
rm -rf "$DB"
cp -a "$T/db.good" "$DB"
printf 'not an lmdb file at all\n' >"$DB/dpkg-claims.mdb"
run aliasctl --root "$B" list
check_rc "damaged claims: exit 2" 2
check_has "damaged claims: names the claims file" \
	"$DB/dpkg-claims.mdb: " "$err"
run aliasctl --root "$B" recover
check_rc "damaged claims: recover" 0
check_has "damaged claims: start empty" "the dpkg claims start empty" "$out"
check "damaged claims: moved aside" sh -c "ls '$DB'/damaged-*/dpkg-claims.mdb"
check_eq "damaged claims: the map untouched" "$(cat "$T/list.orig")" \
	"$(aliasctl --root "$B" list)"

check_usage "recover with an argument" aliasctl --root "$B" recover x
finish
