#!/bin/bash
# bench/convert.sh — `aliasctl convert` beside usrmerge's convert-usrmerge,
# and `aliasctl revert` beside dpkg's dpkg-fsys-usrunmess, on copies of
# one split bookworm minbase tree, timed with hyperfine. As root; not part
# of `make check`.
#
# usage: bench/convert.sh [--build DIR] [--runs N] [--dir DIR] [--json FILE]
#
# The tree: `mmdebstrap --variant=minbase --hook-dir=.../no-merged-usr
# --include=perl,libfile-find-rule-perl,libfile-fcntllock-perl bookworm`
# (real bin/, sbin/, lib/, lib64/ and a dpkg database; the two perl
# modules are what the two other tools need to run inside it), cached in
# $ALIASFS_BENCH_CACHE/minbase-split-tools.tar, and usrmerge's .deb in
# $ALIASFS_BENCH_CACHE/convert/ (/var/tmp/aliasfs-cache by default).
#
# convert-usrmerge converts `/`, so it runs in `chroot COPY`, never on
# this machine's root; so does dpkg-fsys-usrunmess, with
# --no-prevention, on a copy of the tree `aliasctl convert` merged (it
# also marks every package half-configured and reconfigures them all, so
# its time includes their maintainer scripts). `aliasctl` works on the
# copy from outside. Each timed run gets a fresh copy (not timed).
#
# --dir DIR puts the copies in DIR (default: a tmpfs mounted for the
# run): on a disk, aliasctl's syncs (syncfs after each batch, fsync of its
# journal) cost what they cost there, while the other two tools never
# sync. Before timing, one run of each is checked: the files of both
# converted trees must be the same, each at its canonical path.
# shellcheck source-path=SCRIPTDIR
set -u

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/archive.sh
. "$here/lib/archive.sh"
build=$here/../build
runs=10
dir=
json=
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--dir) dir=$2; shift 2 ;;
	--json) json=$2; shift 2 ;;
	-h|--help) sed -n '2,30p' "$0"; exit 0 ;;
	*) echo "unknown argument $1" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "run as root (chroot)" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "no hyperfine" >&2; exit 1; }
bench_aliasctl "$build" >&2 || exit 1
ALIASCTL=$(cd "$(dirname "$ALIASCTL")" && pwd)/$(basename "$ALIASCTL")
SUM="python3 $here/../tests/integration/fixtures/treesum.py"

cache=$(bench_cache_dir)
tar=$cache/minbase-split-tools.tar
hook=/usr/share/mmdebstrap/hooks/no-merged-usr
if [ ! -s "$tar" ]; then
	echo "making $tar with mmdebstrap (a minute or two)" >&2
	mkdir -p "$cache"
	mmdebstrap --variant=minbase --hook-dir="$hook" \
		--include=perl,libfile-find-rule-perl,libfile-fcntllock-perl \
		bookworm "$tar.partial.tar" >&2 ||
		{ rm -f "$tar.partial.tar"; exit 1; }
	mv "$tar.partial.tar" "$tar"
fi
mkdir -p "$cache/convert"
deb=$(ls "$cache"/convert/usrmerge_*_all.deb 2>/dev/null | tail -n 1)
if [ -z "$deb" ]; then
	(cd "$cache/convert" && apt-get download usrmerge) >&2 || exit 1
	deb=$(ls "$cache"/convert/usrmerge_*_all.deb | tail -n 1)
fi

W=$(mktemp -d "${TMPDIR:-/tmp}/bench-convert.XXXXXX") || exit 1
mounted=
if [ -z "$dir" ]; then
	mount -t tmpfs -o size=4g tmpfs "$W" || exit 1
	mounted=1
	where="tmpfs"
else
	W=$(mktemp -d "$dir/bench-convert.XXXXXX") || exit 1
	where="$(stat -f -c %T "$W") ($dir)"
fi
cleanup()
{
	[ -n "$mounted" ] && umount -l "$W"
	rm -rf "$W"
}
trap cleanup EXIT

echo "tree: $tar, copies on $where, $runs runs each"
mkdir "$W/usrmerge"
dpkg-deb -x "$deb" "$W/usrmerge" || exit 1
script=$W/usrmerge/usr/lib/usrmerge/convert-usrmerge
mkdir "$W/split"
tar -C "$W/split" -xf "$tar" || exit 1
echo "entries: $(find "$W/split" | wc -l)," \
	"$(du -sm "$W/split" | cut -f 1) MiB"

# ---- one checked run of each ------------------------------------------------
cp -a "$W/split" "$W/a"
"$ALIASCTL" convert "$W/a" >"$W/a.out" 2>&1 ||
	{ cat "$W/a.out"; echo "aliasctl convert failed" >&2; exit 1; }
rm -rf "$W/b"; cp -a "$W/split" "$W/b"; cp "$script" "$W/b/tmp/convert-usrmerge"
chroot "$W/b" /usr/bin/perl /tmp/convert-usrmerge >"$W/b.out" 2>&1 ||
	{ cat "$W/b.out"; echo "convert-usrmerge failed" >&2; exit 1; }
rm -f "$W/b/tmp/convert-usrmerge"
$SUM canon "$W/a" --exclude var/lib/aliasfs >"$W/a.canon"
$SUM canon "$W/b" >"$W/b.canon"
if cmp -s "$W/a.canon" "$W/b.canon"; then
	same="yes ($(wc -l <"$W/a.canon") files)"
else
	same="NO: $(diff "$W/a.canon" "$W/b.canon" | head -n 5 | tr '\n' ' ')"
fi
echo "convert: same files as convert-usrmerge: $same"
# The file check alone would also pass if convert-usrmerge had done
# nothing (a split tree has the same files at the same canonical paths):
# both trees must be merged, each alias a symlink.
links=
for x in bin sbin lib lib64; do
	if [ ! -L "$W/a/$x" ] || [ ! -L "$W/b/$x" ]; then
		echo "/$x is not a symlink in both converted trees" >&2
		exit 1
	fi
	links="$links /$x: $(readlink "$W/a/$x") | $(readlink "$W/b/$x");"
done
echo "convert: alias symlinks (aliasctl | convert-usrmerge):$links"
cp -a "$W/a" "$W/merged"
cp -a "$W/merged" "$W/c"
"$ALIASCTL" revert "$W/c" >"$W/c.out" 2>&1 ||
	{ cat "$W/c.out"; echo "aliasctl revert failed" >&2; exit 1; }
$SUM exact "$W/split" >"$W/split.sum"
$SUM exact "$W/c" --exclude var/lib/aliasfs >"$W/c.sum"
cmp -s "$W/split.sum" "$W/c.sum" && exact=yes || exact=NO
echo "revert: aliasctl gives the split tree back exactly: $exact"
cp -a "$W/merged" "$W/d"
if chroot "$W/d" dpkg-fsys-usrunmess --no-prevention >"$W/d.out" 2>&1; then
	usrunmess=1
	$SUM canon "$W/d" >"$W/d.canon" 2>/dev/null
	$SUM canon "$W/c" --exclude var/lib/aliasfs >"$W/c.canon"
	echo "revert: dpkg-fsys-usrunmess ran; files of both trees:" \
		"$(wc -l <"$W/c.canon") and $(wc -l <"$W/d.canon")" \
		"(it also rewrote dpkg's status and reconfigured every package)"
	# Where each tree put things: paths and types, not contents (the
	# maintainer scripts it reran rewrote some files).
	$SUM exact "$W/d" >"$W/d.sum"
	cut -d ' ' -f 1,2 "$W/c.sum" | LC_ALL=C sort >"$W/c.paths"
	cut -d ' ' -f 1,2 "$W/d.sum" | LC_ALL=C sort >"$W/d.paths"
	for x in bin sbin lib lib64; do
		if [ -L "$W/d/$x" ] || [ ! -d "$W/d/$x" ]; then
			echo "dpkg-fsys-usrunmess left /$x a symlink" >&2
			exit 1
		fi
	done
	echo "revert: paths only aliasctl's tree has:" \
		"$(LC_ALL=C comm -23 "$W/c.paths" "$W/d.paths" | wc -l)," \
		"only dpkg-fsys-usrunmess's:" \
		"$(LC_ALL=C comm -13 "$W/c.paths" "$W/d.paths" | wc -l)" \
		"($(LC_ALL=C comm -13 "$W/c.paths" "$W/d.paths" | head -n 12 |
			cut -d ' ' -f 1 | tr '\n' ' '))"
else
	usrunmess=
	echo "revert: dpkg-fsys-usrunmess cannot run here:" \
		"$(tail -n 3 "$W/d.out" | tr '\n' ' ')"
fi
rm -rf "$W/a" "$W/b" "$W/c" "$W/d"

# ---- timed ----------------------------------------------------------------------
hyperfine --runs "$runs" --export-json "$W/convert.json" --style basic \
	--prepare "rm -rf $W/a && cp -a $W/split $W/a" \
	-n "aliasctl convert" "$ALIASCTL convert $W/a" \
	--prepare "rm -rf $W/b && cp -a $W/split $W/b && cp $script $W/b/tmp/convert-usrmerge" \
	-n convert-usrmerge "chroot $W/b /usr/bin/perl /tmp/convert-usrmerge" ||
	exit 1
if [ -n "$usrunmess" ]; then
	hyperfine --runs "$runs" --export-json "$W/revert.json" --style basic \
		--prepare "rm -rf $W/c && cp -a $W/merged $W/c" \
		-n "aliasctl revert" "$ALIASCTL revert $W/c" \
		--prepare "rm -rf $W/d && cp -a $W/merged $W/d" \
		-n dpkg-fsys-usrunmess \
		"chroot $W/d dpkg-fsys-usrunmess --no-prevention" || exit 1
else
	hyperfine --runs "$runs" --export-json "$W/revert.json" --style basic \
		--prepare "rm -rf $W/c && cp -a $W/merged $W/c" \
		-n "aliasctl revert" "$ALIASCTL revert $W/c" || exit 1
fi

python3 - "$W/convert.json" "$W/revert.json" "${json:-}" "$where" <<'PY'
import json, sys
out = {"where": sys.argv[4], "results": {}}
print("\n%-22s %10s %10s %10s" % ("", "median s", "mean s", "stddev"))
for f, base in ((sys.argv[1], "aliasctl convert"),
                (sys.argv[2], "aliasctl revert")):
    res = {r["command"]: r for r in json.load(open(f))["results"]}
    for name, r in res.items():
        print("%-22s %10.3f %10.3f %10.3f" % (name, r["median"], r["mean"],
                                            r["stddev"] or 0))
        out["results"][name] = {"median": r["median"], "mean": r["mean"],
                                "stddev": r["stddev"], "runs": len(r["times"])}
    others = [n for n in res if n != base]
    for o in others:
        ratio = res[o]["median"] / res[base]["median"]
        print("%s is %.1fx faster than %s (medians)" % (base, ratio, o))
        out["results"][o]["ratio_to_aliasctl"] = ratio
if sys.argv[3]:
    json.dump(out, open(sys.argv[3], "w"), indent=1)
PY
