#!/bin/sh
# File I/O by inode (-o handles=inode, the default on a local backing)
# and through a handle per open (-o handles=open): the same file system
# either way. By inode the kernel sends one open in all (declined), and
# no flush or release; a file whose name goes while it is open keeps
# working, as it does per open.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/backings.sh"
need_fuse
view_watchdog 240

B=$T/backing
backing_merged "$B"

for mode in inode open; do
	M=$T/mnt-$mode
	mount_view "$B" "$M" -o "handles=$mode" || fail "mount ($mode)"
	F=$M/bin/h-$mode
	printf 'a longer first line\n' >"$F" || fail "$mode: create"
	printf 'x\n' >"$F"
	check_eq "$mode: truncating open of an existing file" x "$(cat "$F")"
	check_eq "$mode: the backing has it" x "$(cat "$B/usr/bin/h-$mode")"
	printf 'y\n' >>"$F"
	check_eq "$mode: append to an existing file" "$(printf 'x\ny')" \
		"$(cat "$F")"
	check_eq "$mode: write in the middle" OK "$(fsop pwrite "$F" 1 Q)"
	check_eq "$mode: read what pwrite left" "xQy" "$(cat "$F")"
	check_eq "$mode: shared mmap of an existing file" OK \
		"$(fsop mmap "$F")"
	check_eq "$mode: mmap write reached the backing" "MQy" \
		"$(cat "$B/usr/bin/h-$mode")"
	check_eq "$mode: open, unlink, use (file made before the open)" OK \
		"$(fsop unlinked-existing "$M/usr/bin/ue-$mode")"
	check_eq "$mode: open, unlink, use (file made by the open)" OK \
		"$(fsop unlinked "$M/bin/uc-$mode")"
	check_eq "$mode: open file keeps its content when replaced" OK \
		"$(fsop replaced "$M/usr/bin/rp-$mode" "$M/bin/rp-new-$mode")"
	cp /bin/true "$M/usr/bin/true-$mode" || fail "$mode: copy a program"
	check "$mode: run a program written through the view" \
		"$M/bin/true-$mode"
	# Overwrite it in place (the same inode), then run the new one.
	cp /bin/false "$M/usr/bin/true-$mode" || fail "$mode: overwrite it"
	check_fails "$mode: the overwritten program is the new one" \
		"$M/bin/true-$mode"
	check "$mode: rewritten program equals its source" \
		cmp -s /bin/false "$B/usr/bin/true-$mode"
	umount_view "$M" || fail "unmount ($mode)"
done

# A daemon that may not override file modes (not root, or root without
# CAP_DAC_OVERRIDE, which is what counts) keeps a handle per open by
# default: a file created without write permission for its owner, as tar
# and dpkg make them, stays writable through the descriptor that created
# it. By inode the daemon would open it anew for each write, and fail.
if is_root && command -v setpriv >/dev/null 2>&1; then
	U=$T/nocap
	mkdir -p "$U/backing/usr/bin" "$U/mnt"
	setpriv --inh-caps=-dac_override --bounding-set=-dac_override \
		aliasfs "$U/backing" "$U/mnt" 2>>"$T/aliasfs.log" ||
		fail "mount without CAP_DAC_OVERRIDE"
	_lib_mounts="$_lib_mounts $U/mnt"
	wait_mounted "$U/mnt" || fail "the mount without CAP_DAC_OVERRIDE never appeared"
	for m in 0444 0; do
		check_eq "no DAC override: write into a file created with mode $m" \
			OK "$(fsop create-mode "$U/mnt/usr/bin/made-$m" "$m")"
		check_eq "no DAC override: the backing has it ($m)" written \
			"$(cat "$U/backing/usr/bin/made-$m")"
	done
	umount_view "$U/mnt" || fail "unmount"
fi

# How many opens reach the daemon: libfuse's debug log (-d) names every
# request it receives. Three files read three times each.
M=$T/mnt-count
mkdir -p "$M"
for mode in inode open; do
	aliasfs -d -o "handles=$mode" "$B" "$M" 2>"$T/debug-$mode.log" &
	pid=$!
	wait_mounted "$M" || fail "mount -d ($mode)"
	for i in 1 2 3; do
		cat "$M/bin/h-inode" "$M/usr/bin/h-open" \
			"$M/etc/hostname" >/dev/null || fail "read ($mode)"
	done
	umount_view "$M" || fail "unmount -d ($mode)"
	wait "$pid"
	eval "opens_$mode=\$(grep -c 'opcode: OPEN ' \"\$T/debug-$mode.log\")"
	eval "ends_$mode=\$(grep -c 'opcode: \\(FLUSH\\|RELEASE\\) ' \
		\"\$T/debug-$mode.log\")"
done
check_eq "by inode: one open reaches the daemon (declined)" 1 "$opens_inode"
check "by inode: at most one flush and one release (of that open)" \
	test "$ends_inode" -le 2
check_eq "per open: each of the 9 opens reaches the daemon" 9 "$opens_open"
check "per open: each is released" test "$ends_open" -ge 9

finish
