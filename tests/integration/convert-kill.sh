#!/bin/sh
# aliasctl convert and revert killed at 50 points each, on a small tree
# with every case (duplicates, hard links, symlink twins, dangling links,
# conflicts resolved with --prefer canonical): after a rerun the tree is
# exactly what an uninterrupted run makes and no file is lost or
# duplicated; after --rollback it is exactly the tree before the run.
# The points are drawn from every event of the run
# (ALIASCTL_DEBUG_KILL_AFTER), with ALIASFS_KILL_SEED (default 17); a few
# more runs are killed from outside by a timer.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/convert-trees.sh"
. "$top_srcdir/tests/integration/fixtures/kill-loop.sh"
SUM="python3 $top_srcdir/tests/integration/fixtures/treesum.py"
SEED=${ALIASFS_KILL_SEED:-17}

# Runs sync the file system after each batch: on tmpfs that costs nothing.
W=$(mktemp -d /dev/shm/aliasfs-convert.XXXXXX 2>/dev/null) || W=$T/w
mkdir -p "$W"
trap 'rm -rf "$W"; _lib_cleanup' EXIT

echo "kill points drawn with seed $SEED"
tree_all "$W/orig"
kl_sum "$W/orig" >"$W/orig.sum"
# What must survive: every non-directory of the original at its canonical
# path or in the quarantine, minus the second copies convert drops.
$SUM canon "$W/orig" --drop bin/same --drop bin/linked \
	--drop usr/sbin/grouped --drop sbin/twin --drop bin/libc-link \
	--drop usr/bin/touch >"$W/orig.canon"

cp -a "$W/orig" "$W/ref"
check "convert --prefer canonical on the whole tree" \
	aliasctl convert --prefer canonical "$W/ref"
kl_sum "$W/ref" >"$W/ref.sum"
$SUM canon "$W/ref" --exclude var/lib/aliasfs \
	--quarantine "$W/ref/var/lib/aliasfs/quarantine" >"$W/ref.canon"
check "no file lost or duplicated by convert" cmp "$W/orig.canon" \
	"$W/ref.canon"

cp -a "$W/ref" "$W/back"
check "revert" aliasctl revert "$W/back"
kl_sum "$W/back" >"$W/back.sum"
check "convert then revert gives the original back" cmp "$W/orig.sum" \
	"$W/back.sum"

# Killed while it made the database, before any event: the half-made
# database directory (its LMDB files and its copy of the aliases, one
# still under its temporary name) is all the run left in the tree, and a
# rollback, which finds no run to undo, must take it away.
cp -a "$W/orig" "$W/early"
mkdir "$W/early/var/lib/aliasfs.new"
for f in data.mdb lock.mdb aliases.dump .aliases.dump.tmp; do
	echo partial >"$W/early/var/lib/aliasfs.new/$f"
done
check "rollback after a kill while the database was made" \
	aliasctl convert --prefer canonical --rollback "$W/early"
kl_sum "$W/early" >"$W/early.sum"
check "the half-made database is gone" cmp "$W/orig.sum" "$W/early.sum"
rm -rf "$W/early" "$W/early.sum"

# convert
n=$(kl_events "$W/orig" convert --prefer canonical)
echo "convert: $n events"
[ "${n:-0}" -gt 20 ] || fail "convert counts $n events"
kl_points "$n" 50 "$SEED" >"$W/points"
check_eq "50 convert kill points" 50 "$(wc -l <"$W/points")"
KL_FWD=$W/ref.sum KL_BACK=$W/orig.sum KL_CANON=$W/orig.canon
kl_loop convert "$W/orig" "$W/points" convert --prefer canonical
kl_timer convert "$W/orig" 6 $((n * 3)) 3000 convert --prefer canonical

# revert, from the converted tree
n=$(kl_events "$W/ref" revert)
echo "revert: $n events"
[ "${n:-0}" -gt 20 ] || fail "revert counts $n events"
kl_points "$n" 50 "$((SEED + 1))" >"$W/points"
check_eq "50 revert kill points" 50 "$(wc -l <"$W/points")"
KL_FWD=$W/orig.sum KL_BACK=$W/ref.sum KL_CANON=
kl_loop revert "$W/ref" "$W/points" revert
kl_timer revert "$W/ref" 6 $((n * 3)) 3000 revert

finish
