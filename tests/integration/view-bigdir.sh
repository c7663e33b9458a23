#!/bin/sh
# A merged directory of 100 000 entries, split over both sides with an
# overlap: every name once in readdir, d_ino = st_ino for every entry, and
# after the kernel forgets the 100 000 lookups the daemon lets go of them
# (no descriptor left open per forgotten inode).
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/backings.sh"
need_fuse
view_watchdog 280

B=$T/split
M=$T/mnt
mkdir -p "$B/bin" "$B/usr/bin"
# 49 000 names on the alias side, 49 000 on the canonical side and 2 000
# identical on both: 100 000 distinct names.
python3 - "$B" <<'PY'
import os, sys
b = sys.argv[1]
def put(path, text):
    with open(path, "w") as f:
        f.write(text)
for i in range(49000):
    put("%s/bin/a%05d" % (b, i), "a")
    put("%s/usr/bin/c%05d" % (b, i), "c")
for i in range(2000):
    put("%s/bin/both%04d" % (b, i), "same")
    put("%s/usr/bin/both%04d" % (b, i), "same")
PY
mount_view "$B" "$M" || fail "mount"
pid=$(view_daemon_pids "$M" | head -n 1)
base=0
[ -n "$pid" ] && base=$(ls "/proc/$pid/fd" | wc -l)

ls -f "$M/usr/bin" >"$T/names" 2>"$T/ls.err" || fail "ls -f: $(cat "$T/ls.err")"
check_eq "ls -f | wc -l" 100002 "$(wc -l <"$T/names")"
check_eq "no name twice" "" "$(sort "$T/names" | uniq -d | head -n 5)"
check_eq "every expected name present" 100000 \
	"$(grep -cE '^(a[0-9]{5}|c[0-9]{5}|both[0-9]{4})$' "$T/names")"
check_eq "same through the alias spelling" 100002 \
	"$(ls -f "$M/bin/" | wc -l)"
check_eq "d_ino = st_ino for all 100 000" OK "$(fsop dino "$M/usr/bin")"

# -links makes find stat (look up) every file, not just read d_type.
check_eq "find looks up every file" 100000 \
	"$(find "$M/usr/bin" -type f -links 1 | wc -l)"
if is_root && [ -n "$pid" ]; then
	# fd_count: descriptors the daemon holds now.
	fd_count()
	{
		ls "/proc/$pid/fd" | wc -l
	}
	high=$(fd_count)
	sync
	echo 2 >/proc/sys/vm/drop_caches
	# Forgets arrive asynchronously. A bounded cache may keep some
	# descriptors; what must not stay is one per forgotten inode.
	fds_released()
	{
		[ "$(fd_count)" -le $((base + 1024)) ]
	}
	if poll 30 fds_released; then
		ok "daemon let go after forget ($base -> $high -> $(fd_count) fds)"
	else
		fail "daemon holds $(fd_count) fds after drop_caches" \
			"(had $base after mount, $high after 100 000 lookups)"
	fi
	check_eq "files still readable after forget" "same same" \
		"$(cat "$M/usr/bin/both0042") $(cat "$M/bin/both1999")"
	check_eq "inode after forget = backing inode" \
		"$(stat -c %i "$B/bin/a04242")" \
		"$(stat -c %i "$M/usr/bin/a04242" 2>&1)"
fi
umount_view "$M"
finish
