#!/bin/sh
# aliasctl orderings on the shipped seed-003 scenario (a ships /bin/test,
# b ships /usr/bin/test, c declares /bin -> /usr/bin; the view starts with
# no alias): all six orderings, asserted row by row on both sides, the
# view never lost or overwritten, nothing left behind. Also the JSON shape
# scripts rely on. The same rows as tests/integration/dpkg-ordering.sh
# asserts by hand; see README "The ordering matrix (seed 003)".
# ORD_USER=1 (orderings-seed003-user.sh): the same as an ordinary user.
. "$top_srcdir/tests/integration/lib.sh"
need_fuse
. "$top_srcdir/tests/integration/orderings-helpers.sh"

J=$ORD_DIR/seed-003.json
ord_run_example seed-003 "$J"

check_eq "JSON: scenario and packages" "seed-003 a,b,c 6 6" \
	"$(ord_field "$J" '"%s %s %d %d" % (d["scenario"], ",".join(d["packages"]), d["total"], len(d["orderings"]))')"
check_eq "JSON: every ordering has index, order, view and baseline" "ok" \
	"$(ord_field "$J" '"ok" if all(set(o) >= {"index", "order", "view", "baseline"} and set(o["view"]) >= {"outcome", "steps", "lost", "overwritten", "aliases"} and all(set(s) >= {"command", "rc", "errors"} for s in o["view"]["steps"]) for o in d["orderings"]) else "no"')"

ord_rows "$J" "$SEED003_MAP" >"$T/rows"
ord_check_rows "$SEED003_ROWS" "$T/rows"

# The failing calls say why, as dpkg does.
check_eq "the refused view rows fail on 'trying to overwrite'" 4 \
	"$(ord_field "$J" 'sum(1 for o in d["orderings"] if any("trying to overwrite" in e for s in o["view"]["steps"] for e in s["errors"]))')"
check_eq "the blocked alias names the file it would hide" "ok" \
	"$(ord_field "$J" '"ok" if all("/bin/test" in b["reason"] for o in d["orderings"] for b in o["view"]["blocked"]) else "no"')"
check "the matrix marks every row as differing" \
	grep -q "6 rows differ" "$T/matrix.out"
ord_view_never_lost_or_overwritten "$J"
ord_no_leftovers
finish
