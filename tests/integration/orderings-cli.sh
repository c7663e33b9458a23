#!/bin/sh
# aliasctl orderings: the command line. Usage and scenario errors (exit 2,
# the line named), a view outcome "overwritten" (exit 1), .deb files as
# input, --baseline none and split, --sample with --seed (reproducible),
# --shard K/N with --merge (the merged result is the whole run), --keep.
. "$top_srcdir/tests/integration/lib.sh"
need_fuse
. "$top_srcdir/tests/integration/orderings-helpers.sh"
. "$top_srcdir/tests/integration/fixtures/dpkg-scenarios.sh"

# --- Errors: exit 2 and a message.
orderings >"$T/out" 2>&1
check_eq "no argument: exit 2" 2 $?
check "no argument: says what is missing" grep -q "missing SCENARIO" "$T/out"
orderings --baseline tree x.scenario >"$T/out" 2>&1
check_eq "bad --baseline: exit 2" 2 $?
orderings --shard 2/2 x.scenario >"$T/out" 2>&1
check_eq "bad --shard: exit 2" 2 $?
orderings --seed 1 x.scenario >"$T/out" 2>&1
check_eq "--seed without --sample: exit 2" 2 $?
orderings "$T/nothere.scenario" >"$T/out" 2>&1
check_eq "missing scenario: exit 2" 2 $?
printf 'name broken\npackage a a 1\n  file /x\nend\nfrobnicate\n' \
	>"$T/broken.scenario"
orderings "$T/broken.scenario" >"$T/out" 2>&1
check_eq "scenario error: exit 2" 2 $?
check "scenario error: FILE:LINE: what" \
	grep -q "broken.scenario:5: unknown keyword 'frobnicate'" "$T/out"
orderings "$T/nothere.deb" >"$T/out" 2>&1
check_eq "missing .deb: exit 2" 2 $?
orderings --merge "$T/broken.scenario" >"$T/out" 2>&1
check_eq "merging a file that is not a result: exit 2" 2 $?
check "merge error names the file and line" \
	grep -q "broken.scenario: line 1:" "$T/out"

# --- A view outcome "overwritten": y's postinst writes over x's file.
S=$ORD_DIR/tiny.scenario
cat >"$S" <<'EOF'
name tiny
package x x 1
	file /usr/bin/x
end
package y y 1
	file /usr/bin/y
	script postinst echo clobbered > "$DPKG_ROOT/usr/bin/x"
end
permute x y
EOF
chmod 0644 "$S"
K=$ORD_DIR/keep
orderings --json "$ORD_DIR/tiny.json" --keep "$K" "$S" >"$T/out" 2>&1
check_eq "a view outcome overwritten: exit 1" 1 $?
cat "$T/out"
ord_rows "$ORD_DIR/tiny.json" \
	"/usr/bin/x:x=x 1 /usr/bin/x;/usr/bin/x:postinst=clobbered" >"$T/rows"
check_eq "the rows" \
"x y | baseline overwritten rc=00 lost=- ow=/usr/bin/x aliases=/bin,/lib,/lib32,/lib64,/libx32,/sbin blocked=- /usr/bin/x=postinst
x y | view overwritten rc=00 lost=- ow=/usr/bin/x aliases=/bin,/lib,/lib32,/lib64,/libx32,/sbin blocked=- /usr/bin/x=postinst
y x | baseline ok rc=00 lost=- ow=- aliases=/bin,/lib,/lib32,/lib64,/libx32,/sbin blocked=- /usr/bin/x=x
y x | view ok rc=00 lost=- ow=- aliases=/bin,/lib,/lib32,/lib64,/libx32,/sbin blocked=- /usr/bin/x=x" \
	"$(cat "$T/rows")"
check "the matrix names the overwritten file" \
	grep -q "view: /usr/bin/x overwritten" "$T/out"
check "--keep: the view's backing of ordering 0" test -f "$K/0/view/usr/bin/x"
check "--keep: the baseline of ordering 1" test -f "$K/1/baseline/usr/bin/y"
check "--keep: the view's alias database is kept" \
	test -d "$K/0/view/var/lib/aliasfs"

# --- .deb files: labels are the package names.
P=$ORD_DIR/debs
mkdir -p "$P"
{ mkpkg "$P" p 1 /usr/bin/p && mkpkg "$P" q 1 /usr/bin/q; } ||
	fail "building the packages"
chmod -R a+rX "$P"
orderings --json "$ORD_DIR/debs.json" --baseline none "$P/p_1.deb" \
	"$P/q_1.deb" >"$T/out" 2>&1
check_eq ".deb files: exit 0" 0 $?
check_eq ".deb files: two orderings, no baseline" \
	"p,q|p q:ok:None|q p:ok:None" \
	"$(ord_field "$ORD_DIR/debs.json" '",".join(d["packages"]) + "|" + "|".join(" ".join(o["order"]) + ":" + o["view"]["outcome"] + ":" + str(o["baseline"]) for o in d["orderings"])')"

# --- A split baseline: no alias symlinks there.
orderings --json "$ORD_DIR/split.json" --baseline split --shard 0/2 \
	"$S" >"$T/out" 2>&1
check_eq "split baseline: exit 1 (x y overwritten on the view)" 1 $?
check_eq "split baseline: no aliases, same verdicts" \
	"merged? split | 0 | overwritten overwritten []" \
	"$(ord_field "$ORD_DIR/split.json" '"merged? " + d["baseline"] + " | " + ",".join(str(o["index"]) for o in d["orderings"]) + " | " + d["orderings"][0]["baseline"]["outcome"] + " " + d["orderings"][0]["view"]["outcome"] + " " + str(d["orderings"][0]["baseline"]["aliases"])')"

# --- --sample with --seed: the same pick each time.
orderings --json "$ORD_DIR/s1.json" --sample 1 --seed 7 "$S" >/dev/null 2>&1
orderings --json "$ORD_DIR/s2.json" --sample 1 --seed 7 "$S" >/dev/null 2>&1
check_eq "--sample 1 --seed 7 twice: the same ordering" \
	"$(ord_field "$ORD_DIR/s1.json" '"%s %s %s" % (d["sample"], d["seed"], d["orderings"][0]["index"])')" \
	"$(ord_field "$ORD_DIR/s2.json" '"%s %s %s" % (d["sample"], d["seed"], d["orderings"][0]["index"])')"
check_eq "--sample 1: one ordering of 2, the seed recorded" "1 1 7" \
	"$(ord_field "$ORD_DIR/s1.json" '"%d %d %d" % (len(d["orderings"]), d["sample"], d["seed"])')"

# --- Shards, merged: the whole run.
orderings --json "$ORD_DIR/shard1.json" --shard 1/2 "$S" >/dev/null 2>&1
orderings --merge --json "$ORD_DIR/merged.json" --html "$ORD_DIR/m.html" \
	"$ORD_DIR/shard1.json" "$ORD_DIR/split.json" >"$T/out" 2>&1
check_eq "merge of a split and a merged baseline: refused" 2 $?
orderings --json "$ORD_DIR/shard0.json" --shard 0/2 "$S" >/dev/null 2>&1
orderings --merge --json "$ORD_DIR/merged.json" --html "$ORD_DIR/m.html" \
	"$ORD_DIR/shard1.json" "$ORD_DIR/shard0.json" >"$T/out" 2>&1
check_eq "merged shards: exit 1, as the whole run" 1 $?
check_eq "merged shards: the whole run's rows" "$(cat "$T/rows")" \
	"$(ord_rows "$ORD_DIR/merged.json" "/usr/bin/x:x=x 1 /usr/bin/x;/usr/bin/x:postinst=clobbered")"
check_eq "merged shards: shard 0/1" "0/1" \
	"$(ord_field "$ORD_DIR/merged.json" 'd["shard"]')"
check "merged shards: the page" grep -q '"scenario": "tiny"' "$ORD_DIR/m.html"
ord_no_leftovers
finish
