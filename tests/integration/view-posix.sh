#!/bin/sh
# View rule 6: the POSIX surface behaves as on the backing: data, mmap and
# exec, links, special files, metadata with nanoseconds, statfs, locks,
# sparse files, inode numbers (readdir d_ino = st_ino = backing inode,
# stable after the kernel forgets).
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/backings.sh"
need_fuse
view_watchdog 240

B=$T/split
M=$T/mnt
backing_split "$B"
# A tiny runnable system, spread over both sides of the split so that
# only the merged view can run it: sh in bin/, env in usr/bin/, the
# loader in lib64/, libc in lib/$MA/ (where ldd finds them on the host).
cp -L /bin/sh "$B/bin/sh"
cp -L /usr/bin/env "$B/usr/bin/env"
for lib in $(ldd /bin/sh /usr/bin/env | tr ' \t' '\n\n' | grep '^/' |
	sort -u); do
	mkdir -p "$B$(dirname "$lib")"
	cp -L "$lib" "$B$lib"
done
mount_view "$B" "$M" || fail "mount"

# ---- data
F=$M/bin/data
printf 'hello\n' >"$F" || fail "write"
printf 'world\n' >>"$F" || fail "append"
check_eq "read back" "$(printf 'hello\nworld')" "$(cat "$F" 2>&1)"
check_eq "backing holds it" "$(printf 'hello\nworld')" \
	"$(cat "$B/usr/bin/data" 2>&1)"
check "truncate -s 3" truncate -s 3 "$F"
check_eq "truncated content" hel "$(cat "$F" 2>&1)"
check_eq "truncated size" 3 "$(stat -c %s "$F" 2>&1)"
check "truncate -s 10 (grow)" truncate -s 10 "$F"
check_eq "grown size" 10 "$(stat -c %s "$B/usr/bin/data" 2>&1)"
# apt and dpkg fstat, write and truncate files they already unlinked.
check_eq "open file keeps working after unlink (canonical spelling)" OK \
	"$(fsop unlinked "$M/usr/bin/gone")"
check_eq "open file keeps working after unlink (alias spelling)" OK \
	"$(fsop unlinked "$M/bin/gone2")"
printf 'abcdef\n' >"$M/usr/bin/mm"
check_eq "shared mmap write/read" OK "$(fsop mmap "$M/bin/mm")"
check_eq "mmap write reached the backing" Mbcdef "$(cat "$B/usr/bin/mm")"

# ---- exec (mmap of the binary and its libraries through the view)
if is_root; then
	check_eq "chroot /bin/sh runs" hi \
		"$(chroot "$M" /bin/sh -c 'echo hi' 2>&1)"
	check "chroot /usr/bin/env /bin/sh -c true" \
		chroot "$M" /usr/bin/env /bin/sh -c true
	check "chroot via the lib64 loader explicitly" \
		chroot "$M" /lib64/ld-linux-x86-64.so.2 /usr/bin/sh -c true
fi

# ---- hard links and symlinks
put "$B/bin/hl" "hard"
check "ln bin/hl usr/bin/hl2" ln "$M/bin/hl" "$M/usr/bin/hl2"
check_eq "link count 2 via bin" 2 "$(stat -c %h "$M/bin/hl" 2>&1)"
check_eq "link count 2 via usr/bin" 2 "$(stat -c %h "$M/usr/bin/hl2" 2>&1)"
check_eq "both names one inode" "$(stat -c %i "$M/bin/hl" 2>&1)" \
	"$(stat -c %i "$M/usr/bin/hl2" 2>&1)"
check_eq "backing link count 2" 2 "$(stat -c %h "$B/bin/hl" 2>&1)"
check "ln -s" ln -s ../lib/target "$M/bin/sym"
check_eq "readlink via view" ../lib/target "$(readlink "$M/usr/bin/sym" 2>&1)"
check_eq "readlink in backing" ../lib/target \
	"$(readlink "$B/usr/bin/sym" 2>&1)"
check_eq "lstat size of a symlink" 13 "$(stat -c %s "$M/usr/bin/sym" 2>&1)"

# ---- special files
if is_root; then
	check "mknod c 1 3" mknod "$M/usr/bin/null" c 1 3
	check_eq "char device in the view" "character special file 1 3" \
		"$(stat -c '%F %t %T' "$M/bin/null" 2>&1)"
	check_eq "char device in the backing" "character special file 1 3" \
		"$(stat -c '%F %t %T' "$B/usr/bin/null" 2>&1)"
fi
check "mkfifo" mkfifo "$M/bin/fifo"
check_eq "fifo type" fifo "$(stat -c %F "$M/usr/bin/fifo" 2>&1)"
check_eq "fifo in the backing" fifo "$(stat -c %F "$B/usr/bin/fifo" 2>&1)"
check_eq "unix socket" OK "$(fsop mksock "$M/bin/sock")"
check_eq "socket type" socket "$(stat -c %F "$M/usr/bin/sock" 2>&1)"

# ---- metadata
put "$B/bin/meta" "meta"
check "chmod 4751" chmod 4751 "$M/usr/bin/meta"
check_eq "mode via view" 4751 "$(stat -c %a "$M/bin/meta" 2>&1)"
check_eq "mode in backing" 4751 "$(stat -c %a "$B/bin/meta" 2>&1)"
if is_root; then
	check "chown 1234:5678" chown 1234:5678 "$M/bin/meta"
	check_eq "owner via view" 1234:5678 "$(stat -c %u:%g "$M/bin/meta" 2>&1)"
	check_eq "owner in backing" 1234:5678 \
		"$(stat -c %u:%g "$B/bin/meta" 2>&1)"
	check "chown -h on a symlink" chown -h 42:43 "$M/bin/sym"
	check_eq "symlink owner" 42:43 "$(stat -c %u:%g "$B/usr/bin/sym" 2>&1)"
fi
check "touch -d with nanoseconds" \
	touch -d '2001-02-03 04:05:06.123456789 UTC' "$M/bin/meta"
check_eq "mtime ns via view" "2001-02-03 04:05:06.123456789 +0000" \
	"$(TZ=UTC stat -c %y "$M/usr/bin/meta" 2>&1)"
check_eq "mtime ns in backing" "2001-02-03 04:05:06.123456789 +0000" \
	"$(TZ=UTC stat -c %y "$B/bin/meta" 2>&1)"
check "touch -a -d atime" touch -a -d '2002-01-01 00:00:00.5 UTC' "$M/bin/meta"
check_eq "atime ns" "2002-01-01 00:00:00.500000000 +0000" \
	"$(TZ=UTC stat -c %x "$M/bin/meta" 2>&1)"
check_eq "mtime kept by touch -a" "2001-02-03 04:05:06.123456789 +0000" \
	"$(TZ=UTC stat -c %y "$M/bin/meta" 2>&1)"
check_eq "size as backing" "$(stat -c %s "$B/bin/meta")" \
	"$(stat -c %s "$M/bin/meta" 2>&1)"

# ---- statfs
check "df works" df "$M"
check_eq "statfs block count as the backing's fs" \
	"$(stat -f -c '%b %S' "$B")" "$(stat -f -c '%b %S' "$M" 2>&1)"

# ---- locks
put "$B/bin/lock" ""
check "flock on a free file" flock -n "$M/usr/bin/lock" true
check "flock held: a second open file is refused" flock -x "$M/bin/lock" \
	sh -c "! flock -n -x '$M/usr/bin/lock' true"
check_eq "POSIX lock held against another process" OK \
	"$(fsop posixlock "$M/bin/lock")"

# ---- sparse file
S=$M/usr/bin/sparse
check "truncate -s 5G" truncate -s 5G "$S"
check_eq "size 5 GiB" 5368709120 "$(stat -c %s "$S" 2>&1)"
check_eq "backing size 5 GiB" 5368709120 "$(stat -c %s "$B/usr/bin/sparse")"
check "du reports it sparse (< 1 MiB used)" \
	test "$(du -k "$S" | cut -f1)" -lt 1024
off=$((4608 * 1024 * 1024))
check_eq "write at 4.5 GiB" OK "$(fsop pwrite "$S" "$off" sparse-data)"
check_eq "read back at 4.5 GiB" sparse-data \
	"$(fsop pread "$S" "$off" 11)"
check_eq "backing has it at 4.5 GiB" sparse-data \
	"$(fsop pread "$B/usr/bin/sparse" "$off" 11)"
check "still sparse" test "$(du -k "$S" | cut -f1)" -lt 1024
rm -f "$S"

# ---- inode numbers
for d in usr/bin usr/sbin "usr/lib/$MA" "usr/lib/$MA/sub" /; do
	check_eq "readdir d_ino = st_ino in $d" OK "$(fsop dino "$M/$d")"
done
check_eq "inode = backing inode (canonical side)" \
	"$(stat -c %i "$B/usr/bin/usr-b")" "$(stat -c %i "$M/usr/bin/usr-b" 2>&1)"
check_eq "inode = backing inode (alias side)" \
	"$(stat -c %i "$B/bin/bin-a")" "$(stat -c %i "$M/usr/bin/bin-a" 2>&1)"
check_eq "inode = backing inode (merged dir)" \
	"$(stat -c %i "$B/usr/lib/$MA/sub")" \
	"$(stat -c %i "$M/usr/lib/$MA/sub" 2>&1)"
# Listings live on the directory, not on an open handle: a reader part-way
# through a merged directory that changes while another reader starts
# over still sees every name once.
for i in $(seq 300); do
	: >"$B/bin/restart-$i"
	: >"$B/usr/bin/restart-usr-$i"
done
check_eq "readdir goes on while another reader restarts" OK \
	"$(fsop readdir-restart "$M/usr/bin")"
check_eq "... and through the alias spelling" OK \
	"$(fsop readdir-restart "$M/bin")"
before=$(cd "$M" && stat -c '%n %i' usr/bin/* usr/lib/$MA/* usr/lib/$MA/sub/*)
if is_root; then
	sync
	echo 2 >/proc/sys/vm/drop_caches
fi
after=$(cd "$M" && stat -c '%n %i' usr/bin/* usr/lib/$MA/* usr/lib/$MA/sub/*)
check_eq "inode numbers stable after the kernel forgot them" "$before" "$after"
umount_view "$M"
finish
