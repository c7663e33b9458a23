#!/bin/sh
# aliasctl orderings as an ordinary user without a user namespace: views
# mounted with fusermount3, dpkg under fakeroot (--mode fakeroot, what
# auto picks where the kernel refuses FUSE in a user namespace). Both
# sides must give the rows root gives, the view's too: dpkg writes
# through directories that exist only in the view (usr/bin over an empty
# backing), which the daemon gives the backing's owner, the user
# (view-rootless.sh tests that part alone).
ORD_USER=1
. "$top_srcdir/tests/integration/lib.sh"
need_fuse
. "$top_srcdir/tests/integration/orderings-helpers.sh"
command -v fakeroot >/dev/null 2>&1 || skip "no fakeroot"

for sc in seed-003 dep17-p1; do
	J=$ORD_DIR/$sc.json
	orderings --mode fakeroot --json "$J" "$(ord_example $sc)" \
		>"$T/$sc.out" 2>&1
	rc=$?
	cat "$T/$sc.out"
	check "$sc: the run completes (exit 0 or 1)" test "$rc" -le 1
	[ -f "$J" ] || { fail "$sc: no JSON"; continue; }
	check_eq "$sc: fakeroot mode" fakeroot "$(ord_field "$J" 'd["mode"]')"
	if [ $sc = seed-003 ]; then
		rows=$SEED003_ROWS map=$SEED003_MAP
	else
		rows=$DEP17_ROWS map=$DEP17_MAP
	fi
	ord_rows "$J" "$map" >"$T/$sc.rows"
	ord_check_rows "$rows" "$T/$sc.rows"
	check_eq "$sc: no step refused for lack of permission" "" \
		"$(ord_field "$J" '",".join(str(o["index"]) for o in d["orderings"] if "Permission denied" in json.dumps(o))')"
	ord_view_never_lost_or_overwritten "$J"
done
ord_no_leftovers
finish
