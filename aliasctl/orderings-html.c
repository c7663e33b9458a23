/*
 * The HTML page: one file, no network, no external file. The result is
 * embedded as JSON (escaped so it cannot end its <script> element) and a
 * short script draws the matrix and, on a click, the ordering's step log
 * and file differences — always as text nodes, never as markup.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aliasctl/orderings-json.h"
#include "aliasctl/orderings-output.h"

static const char html_head[] =
	"<!DOCTYPE html>\n"
	"<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	"<meta name=\"viewport\" content=\"width=device-width\">\n"
	"<link rel=\"icon\" href=\"data:,\">\n";

static const char html_style[] =
	"<style>\n"
	"body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}\n"
	"h1{font-size:1.3em}h2{font-size:1.1em;margin-top:1.5em}\n"
	"table{border-collapse:collapse}td,th{padding:.2em .6em;"
	"text-align:left;border-bottom:1px solid #ddd;vertical-align:top}\n"
	"#matrix td.outcome{cursor:pointer;font-weight:600}\n"
	"#matrix tr.differs td.mark::after{content:'\\2260'}\n"
	"#matrix tr.selected{outline:2px solid #36c}\n"
	".ok{background:#d7f5dd}.refused{background:#fff1c2}\n"
	".overwritten{background:#f6d3f0}.lost{background:#f8c4c4}\n"
	".error{background:#555;color:#fff}\n"
	"pre{background:#f6f6f6;padding:.5em;overflow:auto;max-height:24em;"
	"white-space:pre-wrap}\n"
	"code{font-family:ui-monospace,monospace}\n"
	".rc1{color:#a00;font-weight:600}.muted{color:#777}\n"
	"</style>\n</head>\n<body>\n";

static const char html_body[] =
	"<h1 id=\"title\"></h1>\n<p id=\"summary\"></p>\n"
	"<p class=\"muted\">Click a cell for the ordering's steps and file "
	"differences.</p>\n"
	"<table id=\"matrix\"><thead><tr><th>#</th><th>order</th>"
	"<th>baseline</th><th>view</th><th></th></tr></thead>"
	"<tbody></tbody></table>\n"
	"<section id=\"detail\" hidden></section>\n";

/* The script: plain DOM calls, text only. */
static const char html_script[] =
	"<script>\n"
	"'use strict';\n"
	"const R = JSON.parse(document.getElementById('data').textContent);\n"
	"function el(tag, attrs, ...kids) {\n"
	"  const e = document.createElement(tag);\n"
	"  for (const k in attrs || {}) e.setAttribute(k, attrs[k]);\n"
	"  for (const c of kids) e.append(c === null ? '' : c);\n"
	"  return e;\n"
	"}\n"
	"function differs(o) {\n"
	"  const v = o.view, b = o.baseline;\n"
	"  if (!v || !b) return false;\n"
	"  if (v.outcome !== b.outcome) return true;\n"
	"  return JSON.stringify(v.files.map(f => [f.path, f.type, f.sha256, "
	"f.target])) !==\n"
	"    JSON.stringify(b.files.map(f => [f.path, f.type, f.sha256, "
	"f.target]));\n"
	"}\n"
	"function fileText(f) {\n"
	"  if (!f) return 'absent';\n"
	"  let t = f.type;\n"
	"  if (f.sha256) t += ' ' + f.sha256.slice(0, 12);\n"
	"  if (f.target) t += ' -> ' + f.target;\n"
	"  if (f.owners && f.owners.length) t += ' (' + f.owners.join(', ') "
	"+ ')';\n"
	"  return t;\n"
	"}\n"
	"function list(title, items) {\n"
	"  return el('p', {}, el('b', {}, title + ': '),\n"
	"    items && items.length ? items.join(', ') : 'none');\n"
	"}\n"
	"function sideBlock(name, s) {\n"
	"  const box = el('div', {class: 'side'});\n"
	"  box.append(el('h2', {}, name + ': ', el('span', {class: s.outcome},"
	" s.outcome)));\n"
	"  if (s.error) box.append(el('p', {class: 'rc1'}, s.error));\n"
	"  const t = el('table', {class: 'steps'}, el('tr', {}, el('th', {}, "
	"'step'),\n"
	"    el('th', {}, 'command'), el('th', {}, 'rc'), el('th', {}, 's'),"
	" el('th', {}, 'errors')));\n"
	"  s.steps.forEach((st, i) => {\n"
	"    const out = el('details', {}, el('summary', {}, 'output'), "
	"el('pre', {}, st.output || ''));\n"
	"    t.append(el('tr', {}, el('td', {}, String(i + 1)),\n"
	"      el('td', {}, el('code', {}, st.command), out),\n"
	"      el('td', {class: st.rc ? 'rc1' : ''}, st.timed_out ? 'timeout'"
	" : String(st.rc)),\n"
	"      el('td', {}, (st.seconds || 0).toFixed(2)),\n"
	"      el('td', {}, st.errors.join('\\n'))));\n"
	"  });\n"
	"  box.append(t);\n"
	"  box.append(list('lost', s.lost), list('overwritten', "
	"s.overwritten),\n"
	"    list('aliases', s.aliases),\n"
	"    list('blocked', (s.blocked || []).map(b => b.alias + ' (' + "
	"b.reason + ')')));\n"
	"  if (s.audit) box.append(el('p', {}, el('b', {}, 'dpkg --audit: '),"
	"\n"
	"    s.audit.output ? el('pre', {}, s.audit.output) : 'nothing to "
	"report'));\n"
	"  return box;\n"
	"}\n"
	"function fileDiff(o) {\n"
	"  const box = el('div', {class: 'files'});\n"
	"  box.append(el('h2', {}, 'File differences'));\n"
	"  if (!o.baseline) { box.append(el('p', {}, 'no baseline')); "
	"return box; }\n"
	"  const m = new Map();\n"
	"  for (const f of o.baseline.files) m.set(f.path, [f, null]);\n"
	"  for (const f of o.view.files) (m.get(f.path) || m.set(f.path, "
	"[null, null]).get(f.path))[1] = f;\n"
	"  const t = el('table', {}, el('tr', {}, el('th', {}, 'path'), "
	"el('th', {}, 'baseline'), el('th', {}, 'view')));\n"
	"  let n = 0;\n"
	"  const rows = [...m.entries()].sort((x, y) => x[0] < y[0] ? -1 : "
	"1);\n"
	"  for (const [p, [b, v]] of rows) {\n"
	"    const bt = fileText(b), vt = fileText(v);\n"
	"    const same = b && v && b.type === v.type && b.sha256 === v.sha256"
	" && b.target === v.target;\n"
	"    if (same) continue;\n"
	"    n++;\n"
	"    t.append(el('tr', {}, el('td', {}, el('code', {}, p)), el('td', "
	"{}, bt), el('td', {}, vt)));\n"
	"  }\n"
	"  box.append(n ? t : el('p', {}, 'the same files on both sides'));\n"
	"  return box;\n"
	"}\n"
	"function show(i, first) {\n"
	"  const o = R.orderings[i];\n"
	"  const d = document.getElementById('detail');\n"
	"  for (const tr of document.querySelectorAll('#matrix tr.selected')) "
	"tr.classList.remove('selected');\n"
	"  document.getElementById('row-' + i).classList.add('selected');\n"
	"  d.replaceChildren(el('h2', {}, 'Ordering ' + o.index + ': ' + "
	"o.order.join(' ')));\n"
	"  const sides = [['view', o.view], ['baseline', o.baseline]];\n"
	"  if (first === 'baseline') sides.reverse();\n"
	"  for (const [name, s] of sides) if (s) d.append(sideBlock(name, "
	"s));\n"
	"  d.append(fileDiff(o));\n"
	"  d.hidden = false;\n"
	"  d.scrollIntoView({block: 'nearest'});\n"
	"}\n"
	"document.getElementById('title').textContent = 'aliasctl "
	"orderings: ' + R.scenario;\n"
	"document.title = 'aliasctl orderings: ' + R.scenario;\n"
	"const count = {};\n"
	"let ndiff = 0;\n"
	"const body = document.querySelector('#matrix tbody');\n"
	"R.orderings.forEach((o, i) => {\n"
	"  const tr = el('tr', {id: 'row-' + i});\n"
	"  if (differs(o)) { tr.classList.add('differs'); ndiff++; }\n"
	"  tr.append(el('td', {}, String(o.index)), el('td', {}, "
	"o.order.join(' ')));\n"
	"  for (const name of ['baseline', 'view']) {\n"
	"    const s = o[name];\n"
	"    const td = el('td', {class: 'outcome ' + name + ' ' + (s ? "
	"s.outcome : '')}, s ? s.outcome : '-');\n"
	"    if (s) {\n"
	"      td.addEventListener('click', () => show(i, name));\n"
	"      count[name + ' ' + s.outcome] = (count[name + ' ' + s.outcome]"
	" || 0) + 1;\n"
	"    }\n"
	"    tr.append(td);\n"
	"  }\n"
	"  tr.append(el('td', {class: 'mark'}));\n"
	"  body.append(tr);\n"
	"});\n"
	"document.getElementById('summary').textContent =\n"
	"  R.orderings.length + ' of ' + R.total + ' orderings; view aliases "
	"' + R.aliases +\n"
	"  ', baseline ' + R.baseline + '; ' + Object.entries(count).map(([k,"
	" v]) => v + ' ' + k).join(', ') +\n"
	"  '; ' + ndiff + ' differ (\\u2260)';\n"
	"</script>\n</body>\n</html>\n";

static void html_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

void ord_html_write(FILE *f, const struct ord_result *res)
{
	fputs(html_head, f);
	fputs("<title>aliasctl orderings: ", f);
	html_text(f, res->scenario);
	fputs("</title>\n", f);
	fputs(html_style, f);
	fputs(html_body, f);
	fputs("<script type=\"application/json\" id=\"data\">", f);
	ord_json_write(f, res, true);
	fputs("</script>\n", f);
	fputs(html_script, f);
}

int ord_html_save(const char *path, const struct ord_result *res)
{
	return ord_result_save(path, res, ord_html_write);
}
