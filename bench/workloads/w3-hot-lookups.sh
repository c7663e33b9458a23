# W3 hot lookups: the same ~40 paths (alias and canonical spellings, plus
# ld.so-style misses) lstat'ed thousands of times with warm caches: what
# a dpkg unpack or a shell's PATH search hammers on. Timed inside
# b-statloop.
workload_register w3 "W3 hot lookups: ~40 paths × $W3_ROUNDS rounds (warm)" 0

w3_prepare()
{
	local f
	[ -n "$STATLOOP" ] || { echo "cannot build bench/b-statloop (see make output)"; return 1; }
	alias_path_list
	: >"$W/w3.list"
	# Every k-th regular file of the W2 list, in both spellings.
	(cd "$NATIVE_TREE" && while read -r f; do
		[ -f "usr/$f" ] && [ ! -L "usr/$f" ] && echo "$f"
	done <"$W/w2.list") >"$W/w3.files"
	awk -v n="$(wc -l <"$W/w3.files")" '
		BEGIN { k = int(n / 15); if (k < 1) k = 1 }
		(NR - 1) % k == 0 && c < 15 { print; print "usr/" $0; c++ }
	' "$W/w3.files" >>"$W/w3.list"
	# Misses: the hwcaps and tls directories ld.so probes first.
	awk '/^lib\// && c < 10 {
		n = split($0, p, "/"); base = p[n]
		dir = substr($0, 1, length($0) - length(base) - 1)
		print "!" dir "/glibc-hwcaps/x86-64-v3/" base; c++
		print "!usr/" dir "/tls/" base; c++
	}' "$W/w3.files" >>"$W/w3.list"
	# Keep only misses that really are missing on the native tree.
	while read -r f; do
		case $f in
		!*) [ -e "$NATIVE_TREE/${f#!}" ] || echo "$f" ;;
		*) echo "$f" ;;
		esac
	done <"$W/w3.list" >"$W/w3.list.new"
	mv "$W/w3.list.new" "$W/w3.list"
	say "W3: $(wc -l <"$W/w3.list") paths ($(grep -c '^!' "$W/w3.list") misses) × $W3_ROUNDS"
}

w3_run()
{
	statloop "$1" "$W/w3.list" "$W3_ROUNDS"
}
