# W2 alias lookups: lstat every entry under usr/bin, usr/sbin and
# usr/lib/<triplet> through its alias spelling (bin/…, sbin/…, lib/…):
# warm (the bar row), and as W2c with the caches dropped first. Native and
# the peers resolve the tree's own symlinks; aliasfs resolves its alias
# map. Timed inside b-statloop.
workload_register w2 "W2 alias lookups: lstat bin/… sbin/… lib/<triplet>/… (warm)" 0
workload_register w2c "W2c alias lookups: lstat bin/… sbin/… lib/<triplet>/… (cold)" 1 w2

w2_prepare()
{
	[ -n "$STATLOOP" ] || { echo "cannot build bench/b-statloop (see make output)"; return 1; }
	alias_path_list
	say "W2: $(wc -l <"$W/w2.list") paths"
}

w2_run()
{
	statloop "$1" "$W/w2.list" 1
}
