#!/bin/sh
# aliasctl convert and revert on small trees: a split tree, a half-merged
# one, both-spelling cases convert resolves itself, conflicts that need
# --prefer; the plan, the result, the round trip, the refusals.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/convert-trees.sh"
SUM="python3 $top_srcdir/tests/integration/fixtures/treesum.py"

W=$(mktemp -d /dev/shm/aliasfs-convert.XXXXXX 2>/dev/null) || W=$T/w
mkdir -p "$W"
MNT=
trap '[ -n "$MNT" ] && umount "$MNT" 2>/dev/null; rm -rf "$W"; _lib_cleanup' \
	EXIT

# exact TREE: its description without the database.
exact()
{
	$SUM exact "$1" --exclude var/lib/aliasfs
}

# fresh NAME KIND: a new tree $W/NAME of KIND and its description.
fresh()
{
	rm -rf "${W:?}/$1"
	"tree_$2" "$W/$1"
	exact "$W/$1" >"$W/$1.orig"
}

# same_as_orig NAME WHAT: the tree is exactly as built.
same_as_orig()
{
	exact "$W/$1" >"$W/$1.now"
	if cmp -s "$W/$1.orig" "$W/$1.now"; then
		ok "$2"
	else
		fail "$2: $(diff "$W/$1.orig" "$W/$1.now" | head -n 10)"
	fi
}

# ---- a split tree ----------------------------------------------------------
fresh split split
aliasctl convert --dry-run "$W/split" >"$W/plan" 2>&1
check_eq "dry run: exit 0" 0 $?
same_as_orig split "dry run: the tree is untouched"
check "dry run: no database made" test ! -e "$W/split/var/lib/aliasfs"
for line in "merge        /bin -> /usr/bin" \
	"move         /bin/ls -> /usr/bin/ls" \
	"replace-link /bin/touch -> /usr/bin/touch: the canonical side is a symlink to it" \
	"move         /lib64 -> /usr/lib64" \
	"symlink      /lib64 -> usr/lib64" \
	"skip         /lib32 | /usr/lib32: neither spelling exists" \
	"note         /lib/udev/rules.d | /usr/lib/udev/rules.d: directories with different mode or owner: the canonical one's stay"; do
	check "dry run lists: $line" grep -qxF "$line" "$W/plan"
done

aliasctl convert "$W/split" >"$W/out" 2>&1
check_eq "convert: exit 0" 0 $?
check "convert: summary" grep -q "^converted $W/split: " "$W/out"
for a in bin sbin lib lib64; do
	check_eq "convert: /$a is the relative symlink" "usr/$a" \
		"$(readlink "$W/split/$a")"
done
check "convert: no /lib32 made (nothing to point to)" \
	test ! -e "$W/split/lib32" -a ! -L "$W/split/lib32"
check "convert: no staging directory left" \
	test ! -e "$W/split/.aliasfs-convert"
check "convert: usr/bin/touch is the file now" test -f "$W/split/usr/bin/touch" \
	-a ! -L "$W/split/usr/bin/touch"
check_eq "convert: hard links kept (ls, dir)" \
	"$(stat -c %i "$W/split/usr/bin/ls")" "$(stat -c %i "$W/split/usr/bin/dir")"
check_eq "convert: setuid kept" 4755 "$(stat -c %a "$W/split/usr/bin/su")"
check "convert: the fifo moved" test -p "$W/split/usr/lib/x86_64-linux-gnu/a-fifo"
check "convert: untracked files moved" \
	test -f "$W/split/usr/lib/modules/6.1.0/modules.dep" -a \
	-f "$W/split/usr/bin/local-script"
check_eq "convert: the canonical directory's mode stays" 755 \
	"$(stat -c %a "$W/split/usr/lib/udev/rules.d")"
check "convert: the aliases are in the tree's database" \
	grep -q '^/lib64 *\/usr\/lib64 *active' \
	"$(aliasctl --root "$W/split" list >"$W/list"; echo "$W/list")"
# The same merge by hand, the way a merged system looks: no file lost.
$SUM canon "$W/split" --exclude var/lib/aliasfs >"$W/split.canon"
rm -rf "$W/byhand"
tree_split "$W/byhand"
rm "$W/byhand/usr/bin/touch"
$SUM canon "$W/byhand" >"$W/byhand.canon"
check "convert: every file at its canonical place, once" \
	cmp "$W/byhand.canon" "$W/split.canon"
aliasctl convert "$W/split" >"$W/out" 2>&1
check "convert again: nothing to do" \
	grep -q "^converted $W/split: nothing to do (0 steps)" "$W/out"

aliasctl revert --dry-run "$W/split" >"$W/plan" 2>&1
check_eq "revert dry run: exit 0" 0 $?
check "revert dry run lists the moves" \
	grep -qxF "move         /usr/bin/ls -> /bin/ls" "$W/plan"
check "revert dry run: lib64 moves back whole" \
	grep -qxF "move         /usr/lib64 -> /lib64: replaces the symlink" "$W/plan"
aliasctl revert "$W/split" >"$W/out" 2>&1
check_eq "revert: exit 0" 0 $?
same_as_orig split "convert then revert gives the split tree back exactly"

# ---- revert by dpkg alone ----------------------------------------------------
fresh dpkg split
aliasctl convert "$W/dpkg" >/dev/null 2>&1
aliasctl revert --dpkg-only "$W/dpkg" >"$W/out" 2>&1
check_eq "revert --dpkg-only: exit 0" 0 $?
check "revert --dpkg-only: listed files go back" test -f "$W/dpkg/bin/ls" \
	-a ! -e "$W/dpkg/usr/bin/ls"
check "revert --dpkg-only: an unlisted file stays canonical" \
	test -f "$W/dpkg/usr/bin/local-script" -a ! -e "$W/dpkg/bin/local-script"
check "revert --dpkg-only: an untracked file follows its directory" \
	test -f "$W/dpkg/lib/modules/6.1.0/modules.dep"
check "revert --dpkg-only: diversions count (/bin/sh)" test -f "$W/dpkg/bin/sh"
check "revert --dpkg-only: alternatives count (/usr/bin/awk stays)" \
	test -L "$W/dpkg/usr/bin/awk"

# ---- half merged ---------------------------------------------------------------
fresh half half
aliasctl convert --dry-run "$W/half" >"$W/plan" 2>&1
check "half-merged: lib64 is left as it is" grep -qxF \
	"skip         /lib64 | /usr/lib64: already a symlink to it" "$W/plan"
check "half-merged: convert" aliasctl convert "$W/half"
check_eq "half-merged: /bin is a symlink now" usr/bin "$(readlink "$W/half/bin")"
check "half-merged: revert" aliasctl revert "$W/half"
same_as_orig half "half-merged: convert then revert gives it back exactly"

# ---- cases convert resolves itself ------------------------------------------------
fresh res resolvable
aliasctl convert "$W/res" >"$W/out" 2>&1
check_eq "resolvable cases: convert without --prefer" 0 $?
R=$W/res
Q=$R/var/lib/aliasfs/quarantine
check "identical files: one stays" test -f "$R/usr/bin/same"
check_eq "hard links across the spellings: one inode" 1 \
	"$(stat -c %h "$R/usr/bin/linked")"
check_eq "the alias copy with other hard links stays" \
	"$(stat -c %i "$R/usr/sbin/grouped")" \
	"$(stat -c %i "$R/usr/sbin/grouped-too")"
check "alias symlink to its twin: the file stays" test -f "$R/usr/sbin/twin" \
	-a ! -L "$R/usr/sbin/twin"
check_eq "equivalent symlinks: the canonical one stays" \
	/lib/x86_64-linux-gnu/libc.so.6 "$(readlink "$R/usr/bin/libc-link")"
check "a dangling alias symlink goes to the quarantine" test -L "$Q/bin/dangling"
check_eq "... and the file stays" real "$(cat "$R/usr/bin/dangling")"
check "a dangling canonical symlink goes to the quarantine" \
	test -L "$Q/usr/sbin/real-here"
check_eq "... and the alias file takes its place" real \
	"$(cat "$R/usr/sbin/real-here")"
check_eq "the stale hwdb.bin goes, the canonical one stays" "new hwdb" \
	"$(cat "$R/usr/lib/udev/hwdb.bin")"
check "the quarantine is recorded" grep -q "quarantine: 3" \
	"$(aliasctl --root "$R" status >"$W/status"; echo "$W/status")"
check "resolvable cases: revert" aliasctl revert "$R"
same_as_orig res "resolvable cases: convert then revert gives them back exactly"
aliasctl --root "$R" status >"$W/status"
check "the quarantine is empty again" test -z \
	"$(sed -n '/^quarantine: [1-9]/p' "$W/status")"

# ---- conflicts ------------------------------------------------------------------------
fresh conf conflicts
aliasctl convert "$W/conf" >"$W/out" 2>"$W/err"
check_eq "conflicts: convert refuses (exit 1)" 1 $?
same_as_orig conf "conflicts: nothing changed"
check "conflicts: not even a database made" test ! -e "$W/conf/var/lib/aliasfs"
check "conflicts: counted" grep -q "6 conflicts; nothing was changed" "$W/err"
for c in "/bin/conflict-test | /usr/bin/conflict-test: files that differ" \
	"/bin/mode | /usr/bin/mode: same content, different mode or owner (0755 0:0, 0700 0:0)" \
	"/sbin/fvsd | /usr/sbin/fvsd: file facing a directory" \
	"/sbin/dvsf | /usr/sbin/dvsf: directory facing a file" \
	"/lib/x86_64-linux-gnu/deep.so | /usr/lib/x86_64-linux-gnu/deep.so: files that differ" \
	"/bin/links | /usr/bin/links: symlinks to different targets (target-a, target-c)"; do
	check "conflicts: reported: $c" grep -qxF "  $c" "$W/err"
done
aliasctl convert --dry-run "$W/conf" >"$W/plan" 2>/dev/null
check_eq "conflicts: dry run exits 1" 1 $?
check "conflicts: dry run lists them" grep -q "^conflict  *\/bin\/conflict-test" "$W/plan"

for side in canonical alias; do
	fresh "conf-$side" conflicts
	R=$W/conf-$side
	Q=$R/var/lib/aliasfs/quarantine
	aliasctl convert --prefer "$side" "$R" >"$W/out" 2>&1
	check_eq "--prefer $side: convert" 0 $?
	if [ "$side" = canonical ]; then
		check_eq "--prefer $side: the canonical file stays" \
			"canonical test" "$(cat "$R/usr/bin/conflict-test")"
		check_eq "--prefer $side: the alias one is in the quarantine" \
			"alias test" "$(cat "$Q/bin/conflict-test")"
		check "--prefer $side: the directory went whole" \
			test -f "$Q/sbin/dvsf/inside"
	else
		check_eq "--prefer $side: the alias file stays" "alias test" \
			"$(cat "$R/usr/bin/conflict-test")"
		check_eq "--prefer $side: the canonical one is in the quarantine" \
			"canonical test" "$(cat "$Q/usr/bin/conflict-test")"
		check "--prefer $side: the directory replaced the file" \
			test -f "$R/usr/sbin/dvsf/inside"
	fi
	rm -rf "$W/base"
	tree_conflicts "$W/base"
	$SUM canon "$W/base" --drop usr/bin/touch >"$W/base.canon"
	$SUM canon "$R" --exclude var/lib/aliasfs --quarantine "$Q" >"$W/now.canon"
	check "--prefer $side: no file lost or duplicated" \
		cmp "$W/base.canon" "$W/now.canon"
	check "--prefer $side: status lists the quarantine" grep -q \
		"quarantine: 6" "$(aliasctl --root "$R" status >"$W/status"
		echo "$W/status")"
	check "--prefer $side: revert" aliasctl revert "$R"
	same_as_orig "conf-$side" \
		"--prefer $side: convert then revert gives the tree back exactly"
done

# ---- interrupted runs -------------------------------------------------------------------
fresh intr split
ALIASCTL_DEBUG_KILL_AFTER=10 aliasctl convert "$W/intr" >/dev/null 2>&1
check_eq "a run killed by SIGKILL" 137 $?
check "the staging directory is there" test -d "$W/intr/.aliasfs-convert"
aliasctl revert "$W/intr" >"$W/out" 2>&1
check_eq "revert refuses while a convert is pending" 1 $?
check "... and says how to go on" grep -q "an interrupted convert of .* is pending" \
	"$W/out"
aliasctl convert --dry-run "$W/intr" >"$W/out" 2>&1
check "a dry run says a run is pending" grep -q "is pending: a rerun finishes it" \
	"$W/out"
aliasctl convert --rollback "$W/intr" >"$W/out" 2>&1
check_eq "--rollback" 0 $?
check "--rollback reports" grep -q "^rolled back $W/intr: [0-9]* steps undone" \
	"$W/out"
same_as_orig intr "--rollback gives the tree back exactly"
aliasctl convert --rollback "$W/intr" >"$W/out" 2>&1
check "--rollback with nothing pending" grep -q "^nothing to roll back" "$W/out"
ALIASCTL_DEBUG_KILL_AFTER=20 aliasctl convert "$W/intr" >/dev/null 2>&1
aliasctl convert --resume "$W/intr" >"$W/out" 2>&1
check_eq "--resume" 0 $?
check "--resume reports" grep -q "^finished $W/intr: [0-9]* steps made" "$W/out"
check_eq "--resume finished the merge" usr/lib "$(readlink "$W/intr/lib")"

# A run killed while it made the tree's database leaves it half made
# under a temporary name: the next run removes it and makes its own.
fresh part split
aliasctl --db "$W/part/var/lib/aliasfs.new" init --empty >/dev/null
aliasctl convert "$W/part" >/dev/null 2>&1
check_eq "a half-made database: the next run converts" usr/bin \
	"$(readlink "$W/part/bin")"
check "... and the half-made one is gone" \
	test ! -e "$W/part/var/lib/aliasfs.new"

# ---- bad input and refusals -------------------------------------------------------------
aliasctl convert "$W/missing" >/dev/null 2>"$W/err"
check_eq "a missing tree: exit 2" 2 $?
check "... with a message" grep -q "cannot open tree $W/missing" "$W/err"
aliasctl convert --prefer both "$W/split" >/dev/null 2>"$W/err"
check_eq "--prefer both: usage error" 1 $?
aliasctl convert --dry-run --rollback "$W/split" >/dev/null 2>"$W/err"
check_eq "--dry-run --rollback: usage error" 1 $?
check "... says why" grep -q "exclude each other" "$W/err"
aliasctl convert "$W/split" "$W/half" >/dev/null 2>&1
check_eq "two trees: usage error" 1 $?
aliasctl revert --prefer canonical "$W/split" >/dev/null 2>&1
check_eq "revert has no --prefer" 1 $?

if [ "$(id -u)" = 0 ]; then
	fresh mnt split
	mkdir "$W/mnt/lib/x86_64-linux-gnu/mnt"
	if mount -t tmpfs tmpfs "$W/mnt/lib/x86_64-linux-gnu/mnt" 2>/dev/null
	then
		MNT=$W/mnt/lib/x86_64-linux-gnu/mnt
		aliasctl convert "$W/mnt" >/dev/null 2>"$W/err"
		check_eq "a mount point in an alias directory: refused" 1 $?
		check "... naming it" grep -q "/lib.*mount point" "$W/err"
		umount "$MNT" && MNT=
		rmdir "$W/mnt/lib/x86_64-linux-gnu/mnt"
		same_as_orig mnt "... and nothing changed"
	fi
fi

if [ -c /dev/fuse ] && command -v fusermount3 >/dev/null 2>&1; then
	fresh view split
	aliasctl --root "$W/view" init --arch amd64 >/dev/null
	mount_view "$W/view" "$T/mnt" || fail "mount a view of the tree"
	aliasctl convert "$W/view" >/dev/null 2>"$W/err"
	check_eq "a tree a view serves: refused" 1 $?
	check "... saying why" grep -q "is served by a running aliasfs view" "$W/err"
	aliasctl convert "$T/mnt" >/dev/null 2>"$W/err"
	check_eq "a view's mount point: refused" 1 $?
	check "... saying why" grep -q "is an aliasfs view" "$W/err"
	umount_view "$T/mnt"
	same_as_orig view "... and nothing changed"
	check "after unmounting, convert works" aliasctl convert "$W/view"
fi

finish
