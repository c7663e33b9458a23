#!/bin/sh
# aliasctl compare with odd names: newlines, tabs, quotes, backslashes,
# control characters, DEL, UTF-8 and bytes that are not UTF-8, in file
# names and symlink targets. Several seeded rounds: each removes, adds and
# changes random entries of a copy; the JSON output must parse and name
# exactly those entries (path_hex/a_hex/b_hex give the bytes back where
# the text is not UTF-8), and the text output must keep one line per
# difference.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/aliasctl-helpers.sh"

command -v python3 >/dev/null 2>&1 || skip "python3 is needed"

for seed in 1 2 3 4 5; do
	A=$T/a$seed
	B=$T/b$seed
	# Build both trees and write what compare must find to $T/want.
	python3 - "$A" "$B" "$seed" >"$T/want$seed" <<'PY' ||
import os, random, shutil, sys
a, b, seed = os.fsencode(sys.argv[1]), os.fsencode(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(seed)
special = [b"\n", b"\t", b'"', b"\\", b"\x01", b"\x1f", b"\x7f", b"\xff",
           b"\xc3\xa9", b"\xe2\x82\xac", b"\xf0\x9f\x90\xa7", b"\xc0\xaf",
           b"\xed\xa0\x80", b" ", b"*", b"?", b"[", b"-", b"."]
def name():
    while True:
        parts = [rnd.choice(special) if rnd.random() < 0.5
                 else bytes([rnd.randrange(1, 256)]) for _ in range(rnd.randrange(1, 8))]
        n = b"".join(parts).replace(b"/", b"_")
        if n not in (b".", b"..") and b"\0" not in n:
            return n
os.makedirs(a)
entries = {}   # relative path -> kind
dirs = [b""]
for i in range(200):
    parent = rnd.choice(dirs)
    rel = (parent + b"/" if parent else b"") + name()
    if rel in entries:
        continue
    p = os.path.join(a, rel)
    kind = rnd.choice(["file", "file", "dir", "link"])
    if kind == "file":
        with open(p, "wb") as f:
            f.write(b"%d" % i)
    elif kind == "dir":
        os.mkdir(p)
        dirs.append(rel)
    else:
        os.symlink(name(), p)
    entries[rel] = kind
shutil.copytree(a, b, symlinks=True)
want = []
def hexs(x):
    return x.hex()
leaves = [r for r, k in entries.items() if k != "dir"]
rnd.shuffle(leaves)
for rel in leaves[:5]:                       # removed from B
    # only when no removed ancestor already covers it
    os.unlink(os.path.join(b, rel))
    want.append(("only-a", rel))
for rel in leaves[5:10]:                     # content or target changed
    p = os.path.join(b, rel)
    if entries[rel] == "file":
        with open(p, "ab") as f:
            f.write(b"changed")
        want.append(("content", rel))
    else:
        t = os.readlink(p) + b"\n\xfe"
        os.unlink(p)
        os.symlink(t, p)
        want.append(("target", rel))
for i in range(5):                           # added to B
    parent = rnd.choice(dirs)
    rel = (parent + b"/" if parent else b"") + name()
    if rel in entries or os.path.lexists(os.path.join(b, rel)):
        continue
    with open(os.path.join(b, rel), "wb") as f:
        f.write(b"new")
    want.append(("only-b", rel))
for kind, rel in sorted(want):
    print(kind, hexs(b"/" + rel))
PY
		{ fail "round $seed: making the trees"; continue; }
	run aliasctl compare --json --literal "$A" "$B"
	check_rc "round $seed: different: exit 1" 1
	printf '%s\n' "$out" >"$T/got$seed.json"
	# The items as "KIND HEX-PATH", and every target's bytes checked.
	got=$(python3 - "$T/got$seed.json" "$A" "$B" <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1]))
a, b = os.fsencode(sys.argv[2]), os.fsencode(sys.argv[3])
def raw(item, key):
    if item.get(key) is None:
        return None
    if key + "_hex" in item:
        return bytes.fromhex(item[key + "_hex"])
    return item[key].encode("utf-8")
out = []
for i in d["items"]:
    p = raw(i, "path")
    out.append((i["kind"], p.hex()))
    if i["kind"] == "target":
        assert raw(i, "a") == os.readlink(a + p), (i, os.readlink(a + p))
        assert raw(i, "b") == os.readlink(b + p), (i, os.readlink(b + p))
for k, h in sorted(out):
    print(k, h)
PY
)
	check_eq "round $seed: JSON names exactly the changed entries" \
		"$(cat "$T/want$seed")" "$got"
	run aliasctl compare --literal "$A" "$B"
	check_rc "round $seed: text: exit 1" 1
	check_eq "round $seed: text: one line per difference and a summary" \
		$(($(wc -l <"$T/want$seed") + 1)) \
		"$(printf '%s\n' "$out" | wc -l)"
	run aliasctl compare --literal "$A" "$A"
	check_rc "round $seed: a tree with odd names equals itself" 0
done

finish
