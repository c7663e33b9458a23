# W5 reads: read every regular file under usr/lib through a pipe, so
# nothing can skip the reads; the byte count must match the native tree's.
# Warm (the warm-up run fills the page cache and the kernel's metadata
# caches: the bar row), and as W5c with dentries and inodes dropped first
# (file data stays in tmpfs, so W5c measures the lookups and opens a cold
# read needs, not a disk).
workload_register w5 "W5 reads: cat every file under usr/lib (warm)" 0
workload_register w5c "W5c reads: cat every file under usr/lib (cold)" 1 w5

w5_prepare()
{
	W5_EXPECT=$(find "$NATIVE_TREE/usr/lib/" -type f -exec cat -- {} + | wc -c)
	say "W5: $W5_EXPECT bytes per run"
}

w5_run()
{
	local n
	n=$(find "$1/usr/lib/" -type f -exec cat -- {} + | wc -c) || return 1
	if [ "$n" != "$W5_EXPECT" ]; then
		echo "read $n bytes, native has $W5_EXPECT"
		return 1
	fi
}
