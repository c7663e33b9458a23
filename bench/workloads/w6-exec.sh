# W6 exec: chroot into the view and run /bin/true, W6_EXECS times: exec,
# ld.so through /lib64, mmap of libc — start-up cost of every program.
# Needs root and a tree whose binaries run here.
workload_register w6 "W6 exec: chroot VIEW /bin/true × $W6_EXECS" 0

w6_prepare()
{
	:
}

w6_check()
{
	if [ "$(id -u)" != 0 ]; then
		echo "chroot needs root"
		return 1
	fi
	chroot "$1" /bin/true 2>&1 || {
		echo "chroot $1 /bin/true fails"
		return 1
	}
}

w6_run()
{
	local i
	for ((i = 0; i < W6_EXECS; i++)); do
		chroot "$1" /bin/true || return 1
	done
}
