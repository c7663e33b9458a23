#!/bin/sh
# A damaged alias database never crashes anything. A real database (default
# aliases, declarations, a blocked alias, a quarantined file, a conflict,
# dpkg claims) is damaged in seeded ways: single bytes changed and files
# truncated, in data.mdb and in dpkg-claims.mdb. On each damaged copy every
# aliasctl command that opens the database runs, then a mount attempt, then
# `aliasctl recover`. A run passes when no program dies of a signal or
# hangs, every failure is exit 2 with a message on stderr, a sanitizer
# build reports nothing, and recover gives back the map it had.
#
# ALIASFS_DAMAGE_MUTATIONS (default 12: the three fixed ones, then nine
# seeded; each runs 16 programs, about 20 s on an idle machine and several
# times that under CI's load) and ALIASFS_DAMAGE_SEED (default 1) choose
# how many and which; the damage list is the same for one seed on every
# machine (awk's srand). ALIASFS_DAMAGE_ONLY=K runs only the K-th. A
# longer pass by hand: ALIASFS_DAMAGE_MUTATIONS=300 with a new seed.
. "$top_srcdir/tests/integration/lib.sh"

N=${ALIASFS_DAMAGE_MUTATIONS:-12}
SEED=${ALIASFS_DAMAGE_SEED:-1}
# Each program gets this long before it counts as hung.
LIMIT=30

mount_ok=1
if ! [ -c /dev/fuse ] || ! command -v fusermount3 >/dev/null 2>&1; then
	mount_ok=0
	echo "no FUSE here: the mount attempts are left out"
fi

# ---- The seed: a database that uses every record kind ----------------------
S=$T/seed
DB=$S/var/lib/aliasfs
D=$S/usr/share/aliasfs/aliases.d
mkdir -p "$D" "$S/bin" "$S/usr/bin" "$S/libexec" "$S/usr/libexec" \
	"$S/qq" "$S/usr/qq"
printf 'alias side\n' >"$S/bin/test"
printf 'canonical side\n' >"$S/usr/bin/test"
printf 'one\n' >"$S/libexec/f"
printf 'two\n' >"$S/usr/libexec/f"
printf 'one\n' >"$S/qq/f"
printf 'two\n' >"$S/usr/qq/f"
printf '/opt/a /usr/a\n/srv/b /usr/b\n' >"$D/d1"
printf '# blocked: the two f differ\n/libexec /usr/libexec\n' >"$D/d2"
printf '/qq /usr/qq\n' >"$D/d3"
printf '/etc/foo /usr/etc/foo\nnot a pair at all\n' >"$D/d4"
# Enough aliases for branch pages in the tree, and a declaration record
# larger than a page (LMDB's overflow pages): where one byte changed is a
# pointer, not a letter.
i=0
while [ $i -lt 300 ]; do
	echo "/opt/m$i /srv/m$i"
	i=$((i + 1))
done >"$D/d5"
aliasctl --root "$S" init --arch amd64 >/dev/null || fail "seed: init"
aliasctl --root "$S" sync >/dev/null 2>&1
aliasctl --root "$S" activate --force /qq >/dev/null ||
	fail "seed: activate --force /qq"
if [ $mount_ok = 1 ]; then
	V=$T/seedview
	if mount_view "$S" "$V"; then
		ls "$V/usr/bin" >/dev/null
		mkdir -p "$V/var/lib/dpkg/info"
		printf '/bin/foo\n/usr/share/doc/a\n' \
			>"$V/var/lib/dpkg/info/a.list"
		printf '/usr/bin/foo\n' >"$V/var/lib/dpkg/info/b.list"
		printf '/usr/share/doc/a\n' >"$V/var/lib/dpkg/info/a.list"
		cat "$V/var/lib/dpkg/info/a.list" >/dev/null
		# The daemon's watcher records the conflict: poll, for up
		# to 3 minutes (a loaded CI machine runs two suites at once).
		n=3600
		until aliasctl --root "$S" status 2>/dev/null |
			grep -q '^conflicts: [1-9]' || [ $n -eq 0 ]; do
			n=$((n - 1))
			sleep 0.05
		done
		umount_view "$V" || fail "seed: unmount"
	else
		fail "seed: mount"
	fi
	check "seed: dpkg claims were recorded" test -s "$DB/dpkg-claims.mdb"
	check "seed: a conflict was recorded" sh -c \
		"aliasctl --root '$S' status | grep -q '^conflicts: [1-9]'"
fi
check "seed: a blocked alias" sh -c \
	"aliasctl --root '$S' list | grep -q '^/libexec .*blocked'"
check "seed: a quarantined file" sh -c \
	"aliasctl --root '$S' status | grep -q '^quarantine: 1'"
# Each damaged copy starts from the same files: no lock files, so every
# opener starts afresh as on a rebooted machine.
rm -f "$DB/lock.mdb" "$DB/dpkg-claims.mdb-lock"
aliasctl --root "$S" list >"$T/seed.list" 2>&1 || fail "seed: list"
rm -f "$DB/lock.mdb" "$DB/dpkg-claims.mdb-lock"
printf 'bin/foo pkga\nusr/bin/foo pkgb\n' >"$T/Contents-amd64"

# ---- One run of every program over a tree -----------------------------------
# outcome TAG RC: classify one program's exit into $T/log, counting
# signals and hangs, sanitizer reports, and failures without a message.
crashes=0
sanitizer=0
silent=0
outcome()
{
	_tag=$1
	_rc=$2
	_want=$3
	if [ "$_rc" -gt 128 ] || [ "$_rc" = 124 ]; then
		crashes=$((crashes + 1))
		echo "CRASH($_rc) $_tag" >>"$T/log"
		cp "$T/err" "$T/crash.$crashes.err" 2>/dev/null
	fi
	if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$T/err"; then
		sanitizer=$((sanitizer + 1))
		echo "SANITIZER $_tag" >>"$T/log"
		cat "$T/err" >>"$T/log"
	fi
	if [ "$_rc" != "$_want" ] && [ "$_rc" -le 128 ] && [ "$_rc" != 124 ]; then
		if [ "$_rc" != 2 ] || ! [ -s "$T/err" ]; then
			silent=$((silent + 1))
			echo "UNEXPECTED($_rc, intact $_want) $_tag" >>"$T/log"
			cat "$T/err" >>"$T/log"
		fi
	fi
}

# The commands, one a line: NAME|ARGS (run as aliasctl --root TREE ARGS).
cat >"$T/commands" <<EOF
list|list
list-json|list --json
status|status
canon|canon /bin/ls /lib64/ld.so
canon-stdin|canon -
dump|dump
dump-json|dump --json
add|add /opt/z /usr/z
remove|remove /opt/a
sync|sync
activate|activate /libexec
init|init --arch amd64
check|check $T/Contents-amd64
index|index --root @TREE@
EOF

# run_all TREE SUFFIX: every command over TREE; exit codes in
# $T/rc.SUFFIX, one "NAME RC" a line.
run_all()
{
	_tree=$1
	: >"$T/rc.$2"
	while IFS='|' read -r _name _args; do
		_args=$(echo "$_args" | sed "s|@TREE@|$_tree|")
		# shellcheck disable=SC2086
		echo /bin/x | timeout -s KILL $LIMIT \
			aliasctl --root "$_tree" $_args >/dev/null 2>"$T/err"
		echo "$_name $?" >>"$T/rc.$2"
		cp "$T/err" "$T/err.$_name"
	done <"$T/commands"
	if [ $mount_ok = 1 ]; then
		_m=$T/mnt
		mkdir -p "$_m"
		_lib_mounts="$_lib_mounts $_m"
		# The daemon gets twice the limit, so that the poll decides:
		# neither mounted nor gone within the limit is a hang.
		timeout -s KILL $((LIMIT * 2)) aliasfs -f "$_tree" "$_m" \
			2>"$T/err.mount" &
		_pid=$!
		_end=$(($(date +%s) + LIMIT))
		while ! is_mounted "$_m" && kill -0 $_pid 2>/dev/null &&
			[ "$(date +%s)" -lt $_end ]; do
			sleep 0.05
		done
		if is_mounted "$_m"; then
			ls "$_m/usr/bin" "$_m/bin/" >/dev/null 2>&1
			cat "$_m/var/lib/dpkg/info/a.list" >/dev/null 2>&1
			fusermount3 -u "$_m" 2>/dev/null ||
				fusermount3 -u -z "$_m" 2>/dev/null ||
				umount -l "$_m"
		fi
		wait $_pid
		echo "mount $?" >>"$T/rc.$2"
	fi
}

# ---- The intact seed gives the expected exit of each command ---------------
rm -rf "$T/w"
cp -a "$S" "$T/w"
run_all "$T/w" intact
while read -r _name _rc; do
	case $_name:$_rc in
	mount:0 | list:0 | list-json:0 | status:0 | canon:0 | dump:0) ;;
	mount:* | list:* | list-json:* | status:* | canon:* | dump:*)
		fail "intact seed: $_name exits $_rc: $(cat "$T/err.$_name")"
		;;
	esac
done <"$T/rc.intact"

# ---- The damage list --------------------------------------------------------
claims_size=$(stat -c %s "$DB/dpkg-claims.mdb" 2>/dev/null || echo 0)
awk -v n="$N" -v seed="$SEED" -v ds="$(stat -c %s "$DB/data.mdb")" \
	-v cs="$claims_size" 'BEGIN {
	srand(seed)
	# The cases the issue names come first.
	print "byte data.mdb 4137 255"
	print "trunc data.mdb 0"
	print "trunc data.mdb 8192"
	for (i = 3; i < n; i++) {
		f = (cs > 0 && rand() < 0.35) ? "dpkg-claims.mdb" : "data.mdb"
		size = f == "data.mdb" ? ds : cs
		if (rand() < 0.12)
			printf "trunc %s %d\n", f, int(rand() * size)
		else
			printf "byte %s %d %d\n", f, int(rand() * size),
				1 + int(rand() * 255)
	}
}' >"$T/plan"

# ---- Each damage ------------------------------------------------------------
i=0
damaged_seen=0
recovered=0
while read -r kind file off val; do
	i=$((i + 1))
	# ALIASFS_DAMAGE_ONLY=K: only the K-th, to look at one again.
	[ -z "${ALIASFS_DAMAGE_ONLY:-}" ] || [ "$i" = "$ALIASFS_DAMAGE_ONLY" ] ||
		continue
	W=$T/w
	rm -rf "$W"
	cp -a "$S" "$W"
	F=$W/var/lib/aliasfs/$file
	if [ "$kind" = trunc ]; then
		truncate -s "$off" "$F"
	else
		old=$(od -An -tu1 -j "$off" -N1 "$F" | tr -d ' ')
		new=$(( ${old:-0} ^ val ))
		# shellcheck disable=SC2059
		printf "\\$(printf %o "$new")" |
			dd of="$F" bs=1 seek="$off" conv=notrunc 2>/dev/null
	fi
	echo "--- $i: $kind $file $off ${val:-}" >>"$T/log"
	run_all "$W" damaged
	while read -r _name _rc; do
		_want=$(awk -v c="$_name" '$1 == c { print $2 }' "$T/rc.intact")
		cp "$T/err.$_name" "$T/err"
		outcome "$i $kind $file $off ${val:-} $_name" "$_rc" "$_want"
	done <"$T/rc.damaged"
	# recover: a damaged database comes back with the map it had
	# (the seed's, as its plain-text copy holds it).
	timeout -s KILL $LIMIT aliasctl --root "$W" recover >/dev/null \
		2>"$T/err"
	rc=$?
	outcome "$i $kind $file $off ${val:-} recover" $rc 0
	if grep -q 'damaged' "$T/err.list" "$T/err.mount" 2>/dev/null; then
		damaged_seen=$((damaged_seen + 1))
		if [ $rc = 0 ] && timeout -s KILL $LIMIT \
			aliasctl --root "$W" list >"$T/after.list" 2>"$T/err" &&
			cmp -s "$T/after.list" "$T/seed.list"; then
			recovered=$((recovered + 1))
		else
			echo "NOT RECOVERED $i" >>"$T/log"
			diff "$T/seed.list" "$T/after.list" >>"$T/log" 2>&1
		fi
	fi
done <"$T/plan"

echo "mutations: $i, reported damaged: $damaged_seen, recovered: $recovered"
echo "signals or hangs: $crashes, sanitizer reports: $sanitizer," \
	"failures without exit 2 and a message: $silent"
grep -E '^(CRASH|SANITIZER|UNEXPECTED|NOT RECOVERED)' "$T/log" | head -n 40
check_eq "damage runs: no signal or hang" 0 "$crashes"
check_eq "damage runs: no sanitizer report" 0 "$sanitizer"
check_eq "damage runs: every failure is exit 2 with a message" 0 "$silent"
check_eq "damage runs: every damaged database recovered" \
	"$damaged_seen" "$recovered"
if [ -n "${ALIASFS_DAMAGE_KEEP:-}" ]; then
	cp "$T/log" "$ALIASFS_DAMAGE_KEEP"
fi
finish
