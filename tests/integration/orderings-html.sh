#!/bin/sh
# aliasctl orderings --html in headless Chromium: the page loads without
# console errors, the matrix has one row per ordering, and a click on a
# cell shows that ordering's step log and file differences. The page is
# self-contained: no network, no other file.
. "$top_srcdir/tests/integration/lib.sh"
need_fuse
. "$top_srcdir/tests/integration/orderings-helpers.sh"

CHROMIUM=$(command -v chromium || command -v chromium-browser) || {
	echo "ERROR: chromium is missing: scripts/install-deps installs it" >&2
	exit 99
}

S=$ORD_DIR/page.scenario
cat >"$S" <<'EOF2'
name page <test> & "quotes"
package x x 1
	file /usr/bin/x = </script><b>not markup</b>
end
package y y 1
	file /usr/bin/y
	script postinst echo clobbered > "$DPKG_ROOT/usr/bin/x"
	script postinst echo '</script><b>not markup</b>'
end
permute x y
EOF2
orderings --json "$T/r.json" --html "$T/page.html" "$S" >"$T/out" 2>&1
check_eq "the run: exit 1 (x y overwritten)" 1 $?
rows=$(ord_field "$T/r.json" 'len(d["orderings"])')
check_eq "two orderings" 2 "$rows"

check_eq "no network address in the page" "" \
	"$(grep -Eo 'https?://[^"]*' "$T/page.html")"
check_eq "no other file: no src= or stylesheet link" "" \
	"$(grep -Eo ' src=|rel="stylesheet"' "$T/page.html")"

# The page with a test harness around it: errors collected from the first
# script on; at the end a click on the first view cell, and the result put
# where --dump-dom shows it.
"$PYTHON" - "$T/page.html" "$T/test.html" <<'EOF2'
import sys
page = open(sys.argv[1]).read()
head = ("<script>window.__errors = [];"
        "window.addEventListener('error', e => window.__errors.push(String(e.message)));"
        "{const ce = console.error; console.error = (...a) => "
        "{window.__errors.push(a.join(' ')); ce(...a);};}</script>")
tail = ("<script>{"
        "const rows = document.querySelectorAll('#matrix tbody tr').length;"
        "const before = document.getElementById('detail').hidden;"
        "document.querySelector('#matrix tbody td.outcome.view').click();"
        "const d = document.getElementById('detail');"
        "document.body.setAttribute('data-test', JSON.stringify({"
        "errors: window.__errors, rows: rows, hiddenBefore: before,"
        "hiddenAfter: d.hidden, log: d.textContent.includes('dpkg -i x_1_all.deb'),"
        "diff: d.textContent.includes('File differences'),"
        "markup: document.querySelectorAll('#detail b b, #detail pre b').length,"
        "title: document.title}));}</script>")
page = page.replace("<head>\n", "<head>\n" + head, 1)
page = page.replace("</body>", tail + "</body>", 1)
open(sys.argv[2], "w").write(page)
EOF2
ud=$(mktemp -d "$T/chromium.XXXXXX")
timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
	--disable-background-networking --disable-component-update \
	--disable-sync --no-first-run --user-data-dir="$ud" \
	--enable-logging=stderr --v=0 \
	--dump-dom "file://$T/test.html" >"$T/dom" 2>"$T/chromium.err"
check_eq "chromium ran" 0 $?
"$PYTHON" - "$T/dom" >"$T/result" <<'EOF2'
import html, json, re, sys
m = re.search(r'data-test="([^"]*)"', open(sys.argv[1]).read())
r = json.loads(html.unescape(m.group(1))) if m else {}
for k in ("errors", "rows", "hiddenBefore", "hiddenAfter", "log", "diff",
          "markup", "title"):
    print("%s=%s" % (k, r.get(k)))
EOF2
cat "$T/result"
check_eq "no script error on the page" "errors=[]" \
	"$(grep '^errors=' "$T/result")"
check_eq "one row per ordering" "rows=$rows" "$(grep '^rows=' "$T/result")"
check_eq "the detail is hidden before a click" "hiddenBefore=True" \
	"$(grep '^hiddenBefore=' "$T/result")"
check_eq "a click shows the detail" "hiddenAfter=False" \
	"$(grep '^hiddenAfter=' "$T/result")"
check_eq "... with the step log" "log=True" "$(grep '^log=' "$T/result")"
check_eq "... and the file differences" "diff=True" \
	"$(grep '^diff=' "$T/result")"
check_eq "text from the run is text, never markup" "markup=0" \
	"$(grep '^markup=' "$T/result")"
check_eq "the title is the scenario's" \
	'title=aliasctl orderings: page <test> & "quotes"' \
	"$(grep '^title=' "$T/result")"
check_eq "no console message from the page" "" \
	"$(grep -E 'CONSOLE|Uncaught' "$T/chromium.err")"
ord_no_leftovers
finish
