#!/bin/sh
# aliasctl list --json: valid JSON with the documented members, whatever
# bytes the paths and owners hold; the table escapes them.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/aliasctl-helpers.sh"

command -v python3 >/dev/null 2>&1 || skip "python3 is needed to parse JSON"

db=$T/db
check "init --empty" aliasctl --db "$db" init --empty
run aliasctl --db "$db" list --json
check_rc "list --json on an empty database" 0
check_eq "empty database is []" "[]" "$out"

check "init amd64" aliasctl --db "$db" init --arch amd64
aliasctl --db "$db" list --json >"$T/defaults.json"
check_eq "list --json exit" 0 "$?"
check "list --json parses" python3 -m json.tool "$T/defaults.json"
check_eq "list --json: the six defaults" "$(cat <<'X'
/bin /usr/bin active None []
/lib /usr/lib active None []
/lib32 /usr/lib32 active None []
/lib64 /usr/lib64 active None []
/libx32 /usr/libx32 active None []
/sbin /usr/sbin active None []
X
)" "$(python3 -c '
import json, sys
for a in json.load(open(sys.argv[1])):
    assert sorted(a) == ["alias", "canonical", "owners", "reason", "state"], a
    print(a["alias"], a["canonical"], a["state"], a["reason"], a["owners"])
' "$T/defaults.json")"

# Weird bytes: quote, backslash, tab, newline, other control characters,
# DEL, UTF-8 and bytes that are not UTF-8.
weird_alias=$(printf '/opt/q"b\\s\tt\nn\001\037\177/\303\251/\342\202\254/\360\237\220\247x')
weird_canon=$(printf '/srv/bad\377\300\257\355\240\200end')
# The rules refuse control characters now: the record is written as an
# older aliasfs could have (by hand, and owned by two declarations).
check_fails "add refuses control characters" \
	aliasctl --db "$db" add "$weird_alias" "$weird_canon"
check "write weird paths as an older aliasfs did" aliasctl-test-seed "$db" \
	raw "$weird_alias" "$weird_canon" hand binfmt-support "pkg é\"\\"
check "block an alias" aliasctl-test-seed "$db" block /lib32 \
	"$(printf 'would hide /lib32/x\t"differs"')"

aliasctl --db "$db" list --json >"$T/weird.json"
check_eq "list --json exit with weird paths" 0 "$?"
check "weird JSON parses" python3 -m json.tool "$T/weird.json"
check "weird JSON is pure ASCII or UTF-8" python3 -c '
import sys
open(sys.argv[1], "rb").read().decode("utf-8")' "$T/weird.json"
run python3 -c '
import json, sys
byname = {a["alias"]: a for a in json.load(open(sys.argv[1]))}
w = byname["/opt/q\"b\\s\tt\nn\x01\x1f\x7f/\u00e9/\u20ac/\U0001f427x"]
assert w["canonical"] == "/srv/bad\ufffd\ufffd\ufffd\ufffd\ufffd\ufffdend", w
assert w["owners"] == ["binfmt-support", "pkg \u00e9\"\\"], w["owners"]
assert w["state"] == "refused" and "control characters" in w["reason"], w
b = byname["/lib32"]
assert b["state"] == "blocked", b
assert b["reason"] == "would hide /lib32/x\t\"differs\"", b
print(len(byname))
' "$T/weird.json"
check_rc "weird JSON has the exact strings" 0
check_eq "weird JSON has seven aliases" 7 "$out"
check "control characters are \\u escapes" grep -q '\\u0001\\u001f\\u007f' "$T/weird.json"

# The table keeps one line per alias and escapes what a terminal would eat.
run aliasctl --db "$db" list
check_rc "list with weird paths" 0
check_eq "table: one line per alias" 8 "$(echo "$out" | wc -l)"
check_has "table escapes control bytes" '\x09t\x0an\x01\x1f\x7f' "$out"
check_has "table escapes backslashes" 'q"b\\s' "$out"
check_has "table lists the owners" "binfmt-support,pkg é\"\\\\" "$out"
check_has "table shows blocked" "/lib32" \
	"$(echo "$out" | awk '$3 == "blocked" { print $1 }')"

check_usage "list --json with an argument" aliasctl --db "$db" list --json x

finish
