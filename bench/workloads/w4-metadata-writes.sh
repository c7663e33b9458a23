# W4 metadata writes: untar W4_FILES small files (100 per directory) into
# usr/lib/bench-w4 of the view, then rm -rf it: creates, chowns, utimes,
# unlinks, rmdirs, as a dpkg unpack and purge do.
workload_register w4 "W4 metadata writes: untar $W4_FILES files + rm -rf" 0

w4_prepare()
{
	local src=$W/w4src d i
	mkdir -p "$src/bench-w4"
	for ((i = 0; i < W4_FILES; i++)); do
		d=$src/bench-w4/d$((i / 100))
		[ $((i % 100)) = 0 ] && mkdir -p "$d"
		printf 'file %d of the aliasfs metadata benchmark\n' "$i" >"$d/f$i"
	done
	tar -cf "$W/w4.tar" -C "$src" bench-w4
	rm -rf "$src"
}

w4_check()
{
	if [ -e "$1/usr/lib/bench-w4" ]; then
		echo "$1/usr/lib/bench-w4 already exists"
		return 1
	fi
}

w4_run()
{
	tar -xf "$W/w4.tar" -C "$1/usr/lib" || return 1
	rm -rf "$1/usr/lib/bench-w4" || return 1
	if [ -e "$1/usr/lib/bench-w4" ]; then
		echo "usr/lib/bench-w4 still there after rm -rf"
		return 1
	fi
}
