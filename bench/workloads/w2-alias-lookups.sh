# W2 alias lookups: lstat every entry under usr/bin, usr/sbin and
# usr/lib/<triplet> through its alias spelling (bin/…, sbin/…, lib/…),
# caches dropped first. Native and the peers resolve the tree's own
# symlinks; aliasfs resolves its alias map. Timed inside b-statloop.
workload_register w2 "W2 alias lookups: lstat bin/… sbin/… lib/<triplet>/… (cold)" 1

w2_prepare()
{
	alias_path_list
	say "W2: $(wc -l <"$W/w2.list") paths"
}

w2_run()
{
	statloop "$1" "$W/w2.list" 1
}
