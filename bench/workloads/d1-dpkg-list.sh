# D1 dpkg -l: the host's dpkg lists the packages of the view's database
# (`dpkg --root=VIEW -l`: dpkg-query reads var/lib/dpkg/status and
# friends through the view), D_REPEAT times per run. Every listing must
# have as many lines as the native tree's.
workload_register d1 "D1 dpkg -l: dpkg --root=VIEW -l × $D_REPEAT" 0

d1_prepare()
{
	dpkg_usable || return 1
	D1_EXPECT=$(dpkg_root "$NATIVE_TREE" -l 2>/dev/null | wc -l)
	if [ "$D1_EXPECT" -le 5 ]; then
		echo "dpkg -l lists no package of the native tree"
		return 1
	fi
	say "D1: $D1_EXPECT lines per dpkg -l"
}

d1_run()
{
	local i n
	n=$(for ((i = 0; i < D_REPEAT; i++)); do
		dpkg_root "$1" -l || echo "dpkg -l failed" >&2
	done | wc -l)
	if [ "$n" != $((D1_EXPECT * D_REPEAT)) ]; then
		echo "dpkg -l printed $n lines in $D_REPEAT calls," \
			"native $D1_EXPECT per call"
		return 1
	fi
}
