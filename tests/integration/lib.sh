# Shared helpers for the integration tests (POSIX sh). Source it first:
#   . "$top_srcdir/tests/integration/lib.sh"
# It makes a private work directory $T (removed on exit, with every view
# mounted by mount_view unmounted first) and puts the built programs on
# PATH. Exit codes follow automake: 0 pass, 1 fail, 77 skip, 99 error.

set -u

: "${top_builddir:?run through make check (top_builddir unset)}"
: "${top_srcdir:?run through make check (top_srcdir unset)}"
PATH="$top_builddir/aliasctl:$top_builddir/fs:$PATH"
export PATH

T=$(mktemp -d "${TMPDIR:-/tmp}/aliasfs-test.XXXXXX") || exit 99
_lib_mounts=""
_lib_failed=0
_lib_checks=0

# Views mounted in a subshell never reach $_lib_mounts: every mount under
# $T goes too, deepest first, so a killed test leaves nothing mounted.
_lib_cleanup()
{
	_under=$(awk -v t="$T/" 'index($5, t) == 1 { print $5 }' \
		/proc/self/mountinfo 2>/dev/null | sort -r)
	for m in $_under $_lib_mounts; do
		if mountpoint -q "$m" 2>/dev/null; then
			fusermount3 -u "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
		fi
	done
	rm -rf "$T"
}
trap _lib_cleanup EXIT
trap 'exit 99' HUP INT TERM

# fail MESSAGE: report a failed check and go on; the test fails at the end.
fail()
{
	echo "FAIL: $*" >&2
	_lib_failed=$((_lib_failed + 1))
}

# ok MESSAGE: report a passed check (keeps the log readable).
ok()
{
	_lib_checks=$((_lib_checks + 1))
	echo "ok: $*"
}

# check DESCRIPTION COMMAND...: run COMMAND; pass if it exits 0.
check()
{
	_d=$1
	shift
	if "$@"; then ok "$_d"; else fail "$_d (exit $?: $*)"; fi
}

# check_fails DESCRIPTION COMMAND...: pass if COMMAND exits non-zero.
check_fails()
{
	_d=$1
	shift
	if "$@"; then fail "$_d (unexpected success: $*)"; else ok "$_d"; fi
}

# check_eq DESCRIPTION EXPECTED ACTUAL
check_eq()
{
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		fail "$1: expected [$2], got [$3]"
	fi
}

# skip REASON: the whole test cannot run here (exit 77).
skip()
{
	echo "SKIP: $*" >&2
	exit 77
}

# need_fuse: skip unless FUSE can really mount here.
need_fuse()
{
	[ -c /dev/fuse ] || skip "no /dev/fuse"
	command -v fusermount3 >/dev/null 2>&1 || skip "fusermount3 missing"
}

# is_mounted DIR: DIR is a mount point in /proc/self/mountinfo.
is_mounted()
{
	_m=$(cd "$1" 2>/dev/null && pwd -P) || _m=$1
	awk -v m="$_m" '$5 == m { found = 1 } END { exit !found }' \
		/proc/self/mountinfo
}

# wait_mounted DIR [SECONDS]: poll mountinfo until DIR is mounted.
wait_mounted()
{
	_n=$(( ${2:-10} * 20 ))
	while [ $_n -gt 0 ]; do
		is_mounted "$1" && return 0
		_n=$((_n - 1))
		sleep 0.05
	done
	return 1
}

# wait_unmounted DIR [SECONDS]: poll mountinfo until DIR is gone.
wait_unmounted()
{
	_n=$(( ${2:-10} * 20 ))
	while [ $_n -gt 0 ]; do
		is_mounted "$1" || return 0
		_n=$((_n - 1))
		sleep 0.05
	done
	return 1
}

# mount_view BACKING MOUNTPOINT [aliasfs options...]: mount and wait.
# The daemon daemonizes; its stderr goes to $T/aliasfs.log. AFS_HANDLES
# (inode or open), when set, picks how file I/O reaches the backing for
# every mount of the test.
mount_view()
{
	_b=$1
	_m=$2
	shift 2
	mkdir -p "$_m"
	_lib_mounts="$_lib_mounts $_m"
	aliasfs ${AFS_HANDLES:+-o handles=$AFS_HANDLES} "$@" "$_b" "$_m" \
		2>>"$T/aliasfs.log" || {
		cat "$T/aliasfs.log" >&2
		return 1
	}
	wait_mounted "$_m" || { echo "mount of $_m never appeared" >&2; return 1; }
}

# umount_view MOUNTPOINT: unmount and wait until it is gone.
umount_view()
{
	fusermount3 -u "$1" && wait_unmounted "$1"
}

# finish: end the test, exit 1 if any check failed.
finish()
{
	echo "$_lib_checks checks passed, $_lib_failed failed"
	[ "$_lib_failed" -eq 0 ] || exit 1
	[ "$_lib_checks" -gt 0 ] || { echo "no check ran" >&2; exit 99; }
	exit 0
}
