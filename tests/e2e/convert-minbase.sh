#!/bin/sh
# convert and revert on real bookworm trees: a minbase bootstrapped split
# (mmdebstrap's no-merged-usr hook: real bin/, lib/ and a dpkg database),
# a half-merged one made from it, and one with planted conflicts of every
# kind. Each is converted (the result runs: chroot dpkg -l, dpkg --verify,
# /bin/sh), reverted (exactly the original), and killed at many points.
#
# Needs root and the Debian mirror or the cached tree
# ($ALIASFS_CONVERT_CACHE, default /var/tmp/aliasfs-cache/minbase-split.tar,
# made here with mmdebstrap when absent); skipped (77) without either.
# ALIASFS_KILL_POINTS (default 50) points per loop, ALIASFS_KILL_SEED
# (default 17). Minutes; run by `make check-convert`, never by make check.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/convert-trees.sh"
. "$top_srcdir/tests/integration/fixtures/kill-loop.sh"
SUM="python3 $top_srcdir/tests/integration/fixtures/treesum.py"
SEED=${ALIASFS_KILL_SEED:-17}
POINTS=${ALIASFS_KILL_POINTS:-50}
CACHE=${ALIASFS_CONVERT_CACHE:-/var/tmp/aliasfs-cache/minbase-split.tar}
MIRROR=${ALIASFS_E2E_MIRROR:-http://deb.debian.org/debian}
HOOK=/usr/share/mmdebstrap/hooks/no-merged-usr
KL_BATCH=8 # trees of 120 MB described at once

[ "$(id -u)" = 0 ] || { echo "FAIL: needs root (chroot, tmpfs)" >&2; exit 1; }

# The split minbase, bootstrapped once.
if [ ! -s "$CACHE" ]; then
	command -v mmdebstrap >/dev/null 2>&1 && [ -d "$HOOK" ] ||
		skip "no $CACHE and no mmdebstrap with $HOOK to make it"
	python3 - "$MIRROR/dists/bookworm/Release" <<'PY' ||
import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=10).read(64)
PY
		skip "no $CACHE and the mirror $MIRROR is unreachable"
	mkdir -p "$(dirname "$CACHE")"
	echo "making $CACHE with mmdebstrap (a minute or two)"
	mmdebstrap --variant=minbase --hook-dir="$HOOK" bookworm \
		"$CACHE.partial.tar" "$MIRROR" >"$T/mmdebstrap.log" 2>&1 || {
		rm -f "$CACHE.partial.tar"
		fail "mmdebstrap: $(tail -n 20 "$T/mmdebstrap.log")"
		finish
	}
	mv "$CACHE.partial.tar" "$CACHE"
fi

# Everything on a tmpfs: the trees are copied hundreds of times.
W=$T/w
mkdir -p "$W"
mount -t tmpfs -o size=6g tmpfs "$W" || { fail "mount a tmpfs"; finish; }
trap 'umount -l "$W" 2>/dev/null; _lib_cleanup' EXIT

# Into orig/ itself: --one-top-level leaves mmdebstrap's hard link targets
# (./bin/gunzip) unrewritten, and tar then fails on them.
mkdir -p "$W/orig" && tar -C "$W/orig" -xf "$CACHE" ||
	{ fail "unpack $CACHE"; finish; }
check "the tree is split: /bin is a directory" test -d "$W/orig/bin" -a \
	! -L "$W/orig/bin"
check "the tree has a dpkg database" test -s "$W/orig/var/lib/dpkg/status"

# uses NAME TREE: the converted tree runs its programs.
uses()
{
	for a in bin sbin lib lib64; do
		check_eq "$1: /$a is the alias symlink" "usr/$a" \
			"$(readlink "$2/$a")"
	done
	check "$1: chroot /bin/sh -c true" chroot "$2" /bin/sh -c true
	chroot "$2" dpkg -l >"$T/dpkg-l" 2>&1 || fail "$1: chroot dpkg -l"
	n=$(grep -c '^ii ' "$T/dpkg-l")
	if [ "$n" -ge 80 ]; then
		ok "$1: chroot dpkg -l lists $n installed packages"
	else
		fail "$1: chroot dpkg -l lists $n packages"
	fi
	chroot "$2" dpkg --verify >"$T/verify" 2>&1
	check_eq "$1: dpkg --verify finds every file of every package" "" \
		"$(grep -v ' c /' "$T/verify" | head -n 20)"
}

# ---- the split minbase ----------------------------------------------------------
kl_sum "$W/orig" >"$W/orig.sum"
$SUM canon "$W/orig" --drop usr/bin/touch >"$W/orig.canon"
cp -a "$W/orig" "$W/ref"
check "minbase: convert" aliasctl convert "$W/ref"
kl_sum "$W/ref" >"$W/ref.sum"
$SUM canon "$W/ref" --exclude var/lib/aliasfs \
	--quarantine "$W/ref/var/lib/aliasfs/quarantine" >"$W/ref.canon"
check "minbase: every file once, at its canonical place" \
	cmp "$W/orig.canon" "$W/ref.canon"
uses minbase "$W/ref"
cp -a "$W/ref" "$W/back"
check "minbase: revert" aliasctl revert "$W/back"
kl_sum "$W/back" >"$W/back.sum"
check "minbase: convert then revert gives the tree back exactly" \
	cmp "$W/orig.sum" "$W/back.sum"
check "minbase: the reverted tree runs: chroot /bin/sh -c true" \
	chroot "$W/back" /bin/sh -c true
rm -rf "$W/back"

n=$(kl_events "$W/orig" convert)
echo "minbase convert: $n events; $POINTS points, seed $SEED"
kl_points "$n" "$POINTS" "$SEED" >"$W/points"
KL_FWD=$W/ref.sum KL_BACK=$W/orig.sum KL_CANON=$W/orig.canon
kl_loop "minbase convert" "$W/orig" "$W/points" convert
kl_timer "minbase convert" "$W/orig" 6 $((n * 2)) 2000 convert
n=$(kl_events "$W/ref" revert)
echo "minbase revert: $n events"
kl_points "$n" "$POINTS" "$((SEED + 1))" >"$W/points"
KL_FWD=$W/orig.sum KL_BACK=$W/ref.sum KL_CANON=
kl_loop "minbase revert" "$W/ref" "$W/points" revert
kl_timer "minbase revert" "$W/ref" 6 $((n * 2)) 2000 revert
rm -rf "$W/ref"

# ---- half merged: /sbin and /lib64 already symlinks ---------------------------------
cp -a "$W/orig" "$W/half"
aliasctl --root "$W/half" init --empty >/dev/null
aliasctl --root "$W/half" add /sbin /usr/sbin >/dev/null
aliasctl --root "$W/half" add /lib64 /usr/lib64 >/dev/null
check "half: merge /sbin and /lib64 only" aliasctl convert "$W/half"
for a in bin lib; do
	aliasctl --root "$W/half" add "/$a" "/usr/$a" >/dev/null
done
kl_sum "$W/half" >"$W/half.sum"
cp -a "$W/half" "$W/href"
aliasctl convert --dry-run "$W/href" >"$W/plan"
check "half: /sbin is left as it is" grep -q "^skip  *\/sbin .*already a symlink" \
	"$W/plan"
check "half: convert the rest" aliasctl convert "$W/href"
uses half "$W/href"
kl_sum "$W/href" >"$W/href.sum"
cp -a "$W/href" "$W/hback"
check "half: revert" aliasctl revert "$W/hback"
kl_sum "$W/hback" >"$W/hback.sum"
check "half: convert then revert gives the half-merged tree back exactly" \
	cmp "$W/half.sum" "$W/hback.sum"
rm -rf "$W/hback"
n=$(kl_events "$W/half" convert)
kl_points "$n" 20 "$((SEED + 2))" >"$W/points"
KL_FWD=$W/href.sum KL_BACK=$W/half.sum
kl_loop "half convert" "$W/half" "$W/points" convert
n=$(kl_events "$W/href" revert)
kl_points "$n" 20 "$((SEED + 3))" >"$W/points"
KL_FWD=$W/half.sum KL_BACK=$W/href.sum
kl_loop "half revert" "$W/href" "$W/points" revert
rm -rf "$W/half" "$W/href"

# ---- planted conflicts of every kind ---------------------------------------------------
cp -a "$W/orig" "$W/conf"
mkdir -p "$W/conf/sbin" "$W/conf/usr/sbin" "$W/conf/lib/udev"
add_resolvable "$W/conf"
add_conflicts "$W/conf"
kl_sum "$W/conf" >"$W/conf.sum"
aliasctl convert "$W/conf" >/dev/null 2>"$W/err"
check_eq "conflicts: convert refuses" 1 $?
check "conflicts: all six listed" grep -q "6 conflicts; nothing was changed" \
	"$W/err"
kl_sum "$W/conf" >"$W/now.sum"
check "conflicts: nothing changed" cmp "$W/conf.sum" "$W/now.sum"
$SUM canon "$W/conf" --drop bin/same --drop bin/linked \
	--drop usr/sbin/grouped --drop sbin/twin --drop bin/libc-link \
	--drop usr/bin/touch >"$W/conf.canon"
cp -a "$W/conf" "$W/cref"
check "conflicts: convert --prefer canonical" \
	aliasctl convert --prefer canonical "$W/cref"
$SUM canon "$W/cref" --exclude var/lib/aliasfs \
	--quarantine "$W/cref/var/lib/aliasfs/quarantine" >"$W/cref.canon"
check "conflicts: every file once, in the tree or the quarantine" \
	cmp "$W/conf.canon" "$W/cref.canon"
uses conflicts "$W/cref"
kl_sum "$W/cref" >"$W/cref.sum"
cp -a "$W/cref" "$W/cback"
check "conflicts: revert" aliasctl revert "$W/cback"
kl_sum "$W/cback" >"$W/cback.sum"
check "conflicts: convert then revert gives the tree back exactly" \
	cmp "$W/conf.sum" "$W/cback.sum"
rm -rf "$W/cback"
n=$(kl_events "$W/conf" convert --prefer canonical)
kl_points "$n" 20 "$((SEED + 4))" >"$W/points"
KL_FWD=$W/cref.sum KL_BACK=$W/conf.sum KL_CANON=$W/conf.canon
kl_loop "conflicts convert" "$W/conf" "$W/points" convert --prefer canonical
n=$(kl_events "$W/cref" revert)
kl_points "$n" 20 "$((SEED + 5))" >"$W/points"
KL_FWD=$W/conf.sum KL_BACK=$W/cref.sum KL_CANON=
kl_loop "conflicts revert" "$W/cref" "$W/points" revert

finish
