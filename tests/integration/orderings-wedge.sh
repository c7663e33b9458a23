#!/bin/sh
# aliasctl orderings with a view whose daemon stops answering (a
# maintainer script sends it SIGSTOP): dpkg is killed at the step timeout,
# the daemon 10 s later, the ordering's view side is an error naming it,
# the baseline is unaffected, the command exits 2, and nothing is left.
. "$top_srcdir/tests/integration/lib.sh"
need_fuse
. "$top_srcdir/tests/integration/orderings-helpers.sh"
command -v pkill >/dev/null 2>&1 || skip "no pkill"

S=$ORD_DIR/wedge.scenario
cat >"$S" <<'EOF2'
name wedge
package w w 1
	file /usr/bin/w
	script postinst case "$DPKG_ROOT" in */mnt) pkill -STOP -f "^aliasfs -f [^ ]* $DPKG_ROOT\$" ;; esac
end
permute w
EOF2
orderings --timeout 2 --json "$T/w.json" "$S" >"$T/out" 2>&1
check_eq "exit 2: an ordering could not be run" 2 $?
cat "$T/out"
check_eq "the view side: an error naming the daemon; the baseline ok" \
	"error|the view's daemon stopped answering: killed after 12 s|True|ok" \
	"$(ord_field "$T/w.json" '"|".join(str(x) for x in (d["orderings"][0]["view"]["outcome"], d["orderings"][0]["view"]["error"], d["orderings"][0]["view"]["steps"][0]["timed_out"], d["orderings"][0]["baseline"]["outcome"]))')"
ord_no_leftovers
finish
