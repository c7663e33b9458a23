#!/bin/sh
# aliasctl orderings on the shipped DEP17 P1 scenario: a 1 ships /bin/foo,
# b 1 takes it over as /usr/bin/foo (Replaces, Breaks: a << 2), a 2 drops
# it; after a 1, b 1 and a 2 in both orders. On the plain merged baseline
# unpacking b first loses the file (dpkg removes a's /bin/foo, which is
# b's /usr/bin/foo); through the view it stays b's. Both sides report
# dpkg's own dependency error for that order (Breaks). Asserted row by row;
# ORD_USER=1 (orderings-dep17-user.sh): the same as an ordinary user.
. "$top_srcdir/tests/integration/lib.sh"
need_fuse
. "$top_srcdir/tests/integration/orderings-helpers.sh"

J=$ORD_DIR/dep17.json
ord_run_example dep17-p1 "$J"

ord_rows "$J" "$DEP17_MAP" >"$T/rows"
ord_check_rows "$DEP17_ROWS" "$T/rows"
check_eq "b's file is b's on the view, dpkg says" "b" \
	"$(ord_field "$J" '",".join(f["owners"][0] for f in d["orderings"][0]["view"]["files"] if f["path"] == "/usr/bin/foo")')"
check_eq "the refused call is dpkg's Breaks, on both sides" "2" \
	"$(ord_field "$J" 'sum(1 for s in ("view", "baseline") if any("breaks a" in e for e in d["orderings"][0][s]["steps"][1]["errors"]))')"
ord_view_never_lost_or_overwritten "$J"
ord_no_leftovers
finish
