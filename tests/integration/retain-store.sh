#!/bin/sh
# Retention without dpkg (issue 18): a rule given as a mount option, a
# full store (retain_max drops the oldest first), truncation keeps a copy,
# a remount drops what was retained (and keeps it with retain_keep), and
# bad options are refused before anything is mounted.
. "$top_srcdir/tests/integration/lib.sh"
need_fuse

BK=$T/backing
MNT=$T/view
RET=/run/aliasfs/retained/t
RULE="retain=/opt/t/*.bin:$RET/<version>"
mkdir -p "$BK/opt/t"

# exists PATH: yes or no.
exists()
{
	if [ -e "$1" ]; then echo yes; else echo no; fi
}

# Bad options: a clear message, no mount.
for bad in "retain=opt/*.bin:/run/x" "retain=/opt/*.bin" \
	"retain=/opt/*.bin:/usr/keep" "retain=/*/x:/run/x" \
	"retain=/opt/t/*.bin:/opt/t/keep" "retain_max=12Q" "retain_max=lots"; do
	mkdir -p "$MNT"
	if aliasfs -o "$bad" "$BK" "$MNT" 2>"$T/err"; then
		fail "-o $bad was accepted"
		fusermount3 -u "$MNT"
	else
		check "-o $bad refused with a message" \
			grep -q "^aliasfs: retain" "$T/err"
	fi
	check_fails "-o $bad: nothing mounted" is_mounted "$MNT"
done

mount_view "$BK" "$MNT" -o "$RULE" -o retain_max=10K || finish
# The kernel now caches that the place is missing: retention must drop
# that, or the retained files stay invisible for negative_timeout.
check_eq "no place before anything is retained" no "$(exists "$MNT$RET")"
for f in a b c; do
	head -c 4096 /dev/zero | tr '\0' "$f" >"$MNT/opt/t/$f.bin" ||
		fail "write $f"
done
rm "$MNT/opt/t/a.bin" "$MNT/opt/t/b.bin" "$MNT/opt/t/c.bin" ||
	fail "remove a, b, c"
check_eq "three files retained, the oldest dropped over retain_max" \
	"no yes yes" \
	"$(exists "$MNT$RET/gen-1/a.bin") $(exists "$MNT$RET/gen-2/b.bin") $(exists "$MNT$RET/gen-3/c.bin")"
check_eq "the dropped file left the backing too" no \
	"$(exists "$BK$RET/gen-1/a.bin")"
check_eq "retained content" "$(head -c 4096 /dev/zero | tr '\0' c)" \
	"$(cat "$MNT$RET/gen-3/c.bin")"
check_eq "retained lists what is kept" "$RET/gen-2/b.bin $RET/gen-3/c.bin" \
	"$(aliasctl --root "$BK" retained | tail -n +2 | cut -f1 | paste -sd' ' -)"

# A truncating rewrite keeps a copy of what was there; so does a
# truncation; a file that does not match is never kept.
echo old >"$MNT/opt/t/d.bin" && echo new >"$MNT/opt/t/d.bin" ||
	fail "rewrite d"
check_eq "rewritten file shows the new content" new "$(cat "$MNT/opt/t/d.bin")"
check_eq "rewritten file's old content kept" old "$(cat "$MNT$RET/gen-4/d.bin")"
truncate -s 1 "$MNT/opt/t/d.bin" || fail "truncate d"
check_eq "truncated file's old content kept" new "$(cat "$MNT$RET/gen-5/d.bin")"
echo x >"$MNT/opt/t/other.txt" && rm "$MNT/opt/t/other.txt" ||
	fail "other.txt"
check_eq "a file the rule does not match is not kept" 4 \
	"$(aliasctl --root "$BK" retained | tail -n +2 | wc -l)"

# A remount drops what was retained, as a reboot clears /run.
umount_view "$MNT" || fail "unmount"
mount_view "$BK" "$MNT" -o "$RULE" || finish
check_eq "remount dropped the retained files" "no no" \
	"$(exists "$MNT$RET/gen-3/c.bin") $(exists "$BK$RET/gen-3/c.bin")"
check_eq "remount emptied the index" "" \
	"$(aliasctl --root "$BK" retained | tail -n +2)"
echo e >"$MNT/opt/t/e.bin" && rm "$MNT/opt/t/e.bin" || fail "e"
check_eq "retained after the remount" e "$(cat "$MNT$RET/gen-6/e.bin")"
umount_view "$MNT" || fail "unmount"
mount_view "$BK" "$MNT" -o "$RULE" -o retain_keep || finish
check_eq "retain_keep kept the retained file" e \
	"$(cat "$MNT$RET/gen-6/e.bin" 2>&1)"
check_eq "retain_keep kept the index" "$RET/gen-6/e.bin" \
	"$(aliasctl --root "$BK" retained | tail -n +2 | cut -f1)"
umount_view "$MNT" || fail "unmount"
finish
