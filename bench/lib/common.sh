# bench/lib/common.sh — helpers shared by bench/run and its workloads
# (bash, sourced). Progress goes to stderr, results to stdout.

BENCH_T0=${EPOCHREALTIME/./}

# say MESSAGE: progress line on stderr, with the seconds since the start.
say()
{
	local t=$(((${EPOCHREALTIME/./} - BENCH_T0) / 100000))
	printf 'bench: %4d.%ds %s\n' $((t / 10)) $((t % 10)) "$*" >&2
}

# die MESSAGE: fatal error; the EXIT trap cleans up.
die()
{
	printf 'bench: error: %s\n' "$*" >&2
	exit 1
}

# note_skip WHAT REASON: remember something that was not measured, and why;
# the list is printed with the results so nobody mistakes a gap for a pass.
note_skip()
{
	printf '%s\t%s\n' "$1" "$2" >>"$W/skipped.tsv"
	say "SKIP $1: $2"
}

# now: monotonic-enough wall clock in seconds with microseconds (bash 5).
now()
{
	printf '%s' "$EPOCHREALTIME"
}

# elapsed START END: END - START in seconds, 6 decimals.
elapsed()
{
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", b - a }'
}

# is_mounted DIR: DIR (a canonical path: never stat'ed, as a hung daemon
# would hang us too) is a mount point in /proc/self/mountinfo.
is_mounted()
{
	awk -v m="$1" '$5 == m { found = 1 } END { exit !found }' \
		/proc/self/mountinfo
}

# fuse_abort VIEW: cut a hung FUSE connection so stuck processes return.
fuse_abort()
{
	local dev
	dev=$(awk -v m="$1" '$5 == m { print $3 }' /proc/self/mountinfo |
		tail -n 1)
	[ -n "$dev" ] || return 0
	[ -w "/sys/fs/fuse/connections/${dev#*:}/abort" ] &&
		echo 1 >"/sys/fs/fuse/connections/${dev#*:}/abort"
}

# wait_mounted DIR [SECONDS]: poll mountinfo until DIR is mounted.
wait_mounted()
{
	local n=$((${2:-10} * 20))
	while [ "$n" -gt 0 ]; do
		is_mounted "$1" && return 0
		n=$((n - 1))
		sleep 0.05
	done
	return 1
}

# wait_unmounted DIR [SECONDS]: poll mountinfo until DIR is gone.
wait_unmounted()
{
	local n=$((${2:-10} * 20))
	while [ "$n" -gt 0 ]; do
		is_mounted "$1" || return 0
		n=$((n - 1))
		sleep 0.05
	done
	return 1
}

# track_mount DIR: unmount DIR on exit (FUSE views first, then the tmpfs).
track_mount()
{
	MOUNTS="$1 $MOUNTS"
}

# unmount_one DIR: unmount a FUSE view or the tmpfs, lazily if it is busy.
unmount_one()
{
	is_mounted "$1" || return 0
	case $(awk -v m="$1" '$5 == m { for (i = 7; $i != "-"; i++); print $(i + 1) }' \
		/proc/self/mountinfo | tail -n 1) in
	fuse*)
		fusermount3 -u "$1" 2>/dev/null || {
			fuse_abort "$1"
			fusermount3 -u -z "$1" 2>/dev/null ||
				umount -l "$1" 2>/dev/null
		}
		;;
	*)
		umount "$1" 2>/dev/null || umount -l "$1" 2>/dev/null
		;;
	esac
	wait_unmounted "$1" 10 || say "warning: $1 still mounted"
}

# drop_kernel_caches: forget dentries and inodes so the next lookups reach
# the FUSE daemons (tmpfs keeps its own, so native stays in memory).
drop_kernel_caches()
{
	[ "$CAN_DROP" = 1 ] || return 0
	echo 2 >/proc/sys/vm/drop_caches
}

# alias_path_list: $W/w2.list, every entry under usr/bin, usr/sbin and
# usr/lib/<triplet> of the native tree spelled through its alias (bin/…).
alias_path_list()
{
	local d
	[ -s "$W/w2.list" ] && return 0
	for d in usr/bin usr/sbin "usr/lib/$TRIPLET"; do
		[ -d "$NATIVE_TREE/$d" ] || continue
		(cd "$NATIVE_TREE" && find "$d" -mindepth 1) | sed 's|^usr/||'
	done | LC_ALL=C sort >"$W/w2.list"
}

# note_add WHAT TEXT: a line for the "Notes" list under the results.
note_add()
{
	printf '%s\t%s\n' "$1" "$2" >>"$W/notes.tsv"
}

# config_of VIEW: the configuration whose view VIEW is.
config_of()
{
	local c
	for c in "${!VIEW[@]}"; do
		[ "${VIEW[$c]}" = "$1" ] && { echo "$c"; return 0; }
	done
	echo "$1"
}

# dpkg_usable: the host's dpkg can work on the native tree's database
# (the D workloads run `dpkg --root=VIEW`); prints why not.
dpkg_usable()
{
	command -v dpkg >/dev/null 2>&1 || {
		echo "no dpkg on this machine"
		return 1
	}
	[ -s "$NATIVE_TREE/var/lib/dpkg/status" ] || {
		echo "the tree has no dpkg database (var/lib/dpkg/status)"
		return 1
	}
}

# dpkg_root ROOT ARGS...: the host's dpkg on the tree at ROOT, with output
# that does not depend on the caller's locale or terminal.
dpkg_root()
{
	local r=$1
	shift
	LC_ALL=C COLUMNS=200 DPKG_COLORS=never DEBIAN_FRONTEND=noninteractive \
		dpkg --root="$r" "$@"
}
