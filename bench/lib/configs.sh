# bench/lib/configs.sh — the configurations bench/run compares (bash,
# sourced). Each gets its own copy of the tree under $W/<id>/ so no view
# shares a page or a dentry with another. config_setup ID sets VIEW[ID]
# and OPTS[ID] (the exact command, for the results) or returns 1 with the
# reason on stdout.

# Long timeouts for every FUSE peer: the same promise aliasfs makes (the
# view sees its own changes; changes behind its back are not guaranteed).
BENCH_TIMEOUT=86400

CONFIG_ALL="native aliasfs-merged aliasfs-split bindfs fuse-overlayfs mergerfs"

# extract_tree DEST: a fresh copy of the benchmark tree in DEST.
extract_tree()
{
	mkdir -p "$1" || return 1
	case $TREE_KIND in
	tar)
		if [ "$(id -u)" = 0 ]; then
			tar -xf "$TREE" -C "$1" --numeric-owner
		else
			# Device nodes need root; the workloads never touch dev/.
			tar -xf "$TREE" -C "$1" --exclude='./dev/*' 2>/dev/null
		fi
		;;
	dir)
		cp -a "$TREE/." "$1/"
		;;
	esac
}

# split_tree ROOT: undo merged-/usr: every alias symlink (bin -> usr/bin …)
# becomes a real directory holding what was in its /usr counterpart, so
# files really are in bin/, sbin/, lib/, lib64/ of the backing.
split_tree()
{
	local a
	for a in bin sbin lib lib32 lib64 libx32; do
		[ -L "$1/$a" ] && [ -d "$1/usr/$a" ] || continue
		[ "$(readlink "$1/$a")" = "usr/$a" ] || continue
		rm "$1/$a" && mkdir "$1/$a" || return 1
		chmod --reference="$1/usr/$a" "$1/$a"
		chown --reference="$1/usr/$a" "$1/$a" 2>/dev/null
		find "$1/usr/$a" -mindepth 1 -maxdepth 1 \
			-exec mv -t "$1/$a" -- {} + || return 1
		touch -r "$1/usr/$a" "$1/$a"
	done
	[ -d "$1/bin" ] && [ ! -L "$1/bin" ] || {
		echo "the tree has no bin -> usr/bin symlink to split"
		return 1
	}
}

# mount_fuse ID VIEWDIR COMMAND...: run COMMAND (which daemonizes) and
# wait for VIEWDIR to appear; checks the view looks like the tree.
mount_fuse()
{
	local id=$1 v=$2
	shift 2
	mkdir -p "$v"
	track_mount "$v"
	OPTS[$id]="$*"
	if ! "$@" >>"$W/mount.log" 2>&1; then
		echo "mount command failed: $(tail -n 3 "$W/mount.log" | tr '\n' ' ')"
		return 1
	fi
	if ! wait_mounted "$v" 10; then
		echo "$v never appeared in /proc/self/mountinfo"
		return 1
	fi
	VIEW[$id]=$v
}

# mount_daemon ID VIEWDIR COMMAND...: run a daemon that stays in the
# foreground (aliasfs -f) as our child, its output in $W/ID.log, so a
# crash is seen with its signal and last messages instead of a bare
# "Transport endpoint is not connected".
mount_daemon()
{
	local id=$1 v=$2 n=200
	shift 2
	mkdir -p "$v"
	track_mount "$v"
	OPTS[$id]="$*"
	"$@" </dev/null >>"$W/$id.log" 2>&1 &
	DAEMON_PID[$id]=$!
	while [ "$n" -gt 0 ]; do
		if is_mounted "$v"; then
			VIEW[$id]=$v
			return 0
		fi
		kill -0 "${DAEMON_PID[$id]}" 2>/dev/null || break
		sleep 0.05
		n=$((n - 1))
	done
	if daemon_ended "$id"; then
		echo "$v never mounted: ${DAEMON_EXIT[$id]}"
	else
		echo "$v never mounted (the daemon still runs; see $W/$id.log)"
	fi
	return 1
}

# daemon_ended ID: true if the foreground daemon of ID has ended; sets
# DAEMON_EXIT[ID] to how (signal or status) with its last messages, and
# keeps its whole log for a post-mortem. Must run in the main shell (it
# reaps our child), never inside $(…).
daemon_ended()
{
	local pid=${DAEMON_PID[$1]:-} st sig keep
	[ -n "$pid" ] || return 1
	if [ -z "${DAEMON_EXIT[$1]:-}" ]; then
		kill -0 "$pid" 2>/dev/null && return 1
		wait "$pid" 2>/dev/null
		st=$?
		if [ "$st" -gt 128 ] && sig=$(kill -l $((st - 128)) 2>/dev/null); then
			DAEMON_EXIT[$1]="the daemon was killed by SIG$sig"
		else
			DAEMON_EXIT[$1]="the daemon exited with status $st"
		fi
		keep=${TMPDIR:-/var/tmp}/aliasfs-bench-$1-$(date +%Y%m%d-%H%M%S).log
		if [ -s "$W/$1.log" ] && cp "$W/$1.log" "$keep"; then
			DAEMON_EXIT[$1]="${DAEMON_EXIT[$1]} (log: $keep; last lines: $(tail -n 3 "$W/$1.log" | tr '\n' ' '))"
		fi
	fi
	return 0
}

# check_view ID: the view shows a merged-/usr tree. The native tree must
# be one too: the split variant is derived from it, and W2 spells its
# paths through the tree's own alias symlinks.
check_view()
{
	local v=${VIEW[$1]}
	if [ "$(readlink "$v/bin")" != usr/bin ]; then
		if [ "$1" = native ]; then
			echo "the tree is not merged-/usr (bin is no symlink to usr/bin);" \
				"give a merged tree: bench/run splits its own copy"
		else
			echo "bin in the view is not a symlink to usr/bin"
		fi
		return 1
	fi
	if [ ! -e "$v/bin/sh" ] || [ ! -e "$v/usr/lib/$TRIPLET" ]; then
		echo "bin/sh or usr/lib/$TRIPLET missing in the view"
		return 1
	fi
}

# tree_triplet: set TRIPLET, the multiarch directory of the native tree.
tree_triplet()
{
	local t
	TRIPLET=""
	for t in "$NATIVE_TREE"/usr/lib/*-linux-*; do
		[ -d "$t" ] && TRIPLET=${t##*/} && return 0
	done
	TRIPLET=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null) && return 0
	echo "cannot tell the tree's multiarch triplet"
	return 1
}

config_setup()
{
	local id=$1 d=$T/$1 r
	case $id in
	native)
		extract_tree "$d/tree" || { echo "cannot copy the tree"; return 1; }
		VIEW[$id]=$d/tree
		OPTS[$id]="plain directory, no FUSE"
		NATIVE_TREE=$d/tree
		tree_triplet || return 1
		;;
	aliasfs-merged | aliasfs-split | aliasfs-merged-*)
		if [ ! -x "$AFS" ]; then
			echo "$AFS not built (make -C $BUILD fs/aliasfs)"
			return 1
		fi
		extract_tree "$d/backing" || { echo "cannot copy the tree"; return 1; }
		if [ "$id" = aliasfs-split ]; then
			r=$(split_tree "$d/backing") || { echo "$r"; return 1; }
		fi
		# shellcheck disable=SC2086 # word lists
		mount_daemon "$id" "$d/view" "$AFS" -f $ALIASFS_OPTS \
			${VARIANT_ARGS[$id]:-} "$d/backing" "$d/view" || return 1
		;;
	bindfs)
		extract_tree "$d/backing" || { echo "cannot copy the tree"; return 1; }
		# bindfs 1.14 built on FUSE 3 forces entry, attr and negative
		# timeouts to 0 in its init handler, whatever -o says; the
		# documented tuning left is --multithreaded (and kernel_cache).
		mount_fuse "$id" "$d/view" bindfs --multithreaded \
			--no-allow-other -o kernel_cache \
			"$d/backing" "$d/view" || return 1
		;;
	fuse-overlayfs)
		extract_tree "$d/lower" || { echo "cannot copy the tree"; return 1; }
		mkdir -p "$d/upper" "$d/work"
		mount_fuse "$id" "$d/view" fuse-overlayfs \
			-o "lowerdir=$d/lower,upperdir=$d/upper,workdir=$d/work" \
			"$d/view" || return 1
		;;
	mergerfs)
		extract_tree "$d/backing" || { echo "cannot copy the tree"; return 1; }
		mount_fuse "$id" "$d/view" mergerfs \
			-o "fsname=bench-mergerfs,use_ino,cache.files=full,cache.entry=$BENCH_TIMEOUT,cache.attr=$BENCH_TIMEOUT,cache.negative_entry=$BENCH_TIMEOUT,cache.symlinks=true,cache.readdir=true,cache.statfs=$BENCH_TIMEOUT" \
			"$d/backing" "$d/view" || return 1
		;;
	*)
		echo "unknown configuration $id"
		return 1
		;;
	esac
	if ! r=$(check_view "$id"); then
		daemon_ended "$id" && r="$r; ${DAEMON_EXIT[$id]}"
		echo "$r"
		return 1
	fi
}

# config_available ID: can this machine run ID at all? Prints why not.
config_available()
{
	case $1 in
	native) return 0 ;;
	aliasfs-*)
		[ -x "$AFS" ] || {
			echo "no aliasfs binary at $AFS (build it: make -C $BUILD fs/aliasfs)"
			return 1
		}
		;;
	bindfs | fuse-overlayfs | mergerfs)
		command -v "$1" >/dev/null 2>&1 || {
			echo "$1 not installed (apt-get install $1)"
			return 1
		}
		;;
	esac
	[ "$HAVE_FUSE" = 1 ] || {
		echo "$FUSE_WHY"
		return 1
	}
}
