# W1 walk: find + lstat of every entry of the tree, warm (the warm-up run
# fills the kernel's caches: this is the bar row); W1c the same walk with
# the dentry/inode caches dropped first, so every lookup reaches the
# daemon. The entry count must equal the native tree's: a view that hides
# or duplicates entries fails instead of looking fast. The only extras
# allowed are what aliasfs adds by design for aliases the tree lacks: the
# alias symlinks at the root (lib32 -> usr/lib32) and their canonical
# directories (usr/lib32) if it shows them.
workload_register w1 "W1 walk: find + lstat every entry (warm)" 0
workload_register w1c "W1c walk: find + lstat every entry (cold)" 1 w1

declare -A W1_EXTRA

w1_prepare()
{
	W1_EXPECT=$(find "$NATIVE_TREE/" -printf '%i %s\n' | wc -l)
	say "W1: $W1_EXPECT entries per walk"
}

w1_check()
{
	local a n=0
	for a in bin sbin lib lib32 lib64 libx32 libo32; do
		if [ -L "$1/$a" ] && [ ! -e "$NATIVE_TREE/$a" ] &&
			[ ! -L "$NATIVE_TREE/$a" ]; then
			n=$((n + 1))
		fi
		# The alias's canonical directory, if the view provides it.
		if [ -d "$1/usr/$a" ] && [ ! -L "$1/usr/$a" ] &&
			[ ! -e "$NATIVE_TREE/usr/$a" ]; then
			n=$((n + $(find "$1/usr/$a" | wc -l)))
		fi
	done
	W1_EXTRA[$1]=$n
}

w1_run()
{
	local n want=$((W1_EXPECT + ${W1_EXTRA[$1]:-0}))
	n=$(find "$1/" -printf '%i %s\n' | wc -l) || return 1
	if [ "$n" != "$want" ]; then
		echo "walk saw $n entries, expected $want" \
			"(native $W1_EXPECT + ${W1_EXTRA[$1]:-0} for aliases the tree lacks)"
		return 1
	fi
}
