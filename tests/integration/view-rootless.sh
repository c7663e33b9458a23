#!/bin/sh
# A view an ordinary user mounts (fusermount3, no allow_other, no root:
# only the user reaches it, so every look at it is the user's)
# over a tree they own works for them like a directory they own (issue
# 14, "rootless first"): the directories that exist only in the view
# (usr/bin over an empty backing) and the alias entries belong to the
# backing root's owner, so the user writes through them, and writing
# creates the canonical directory with that owner; a change to such a
# directory (chmod, times) creates it and sticks. The same operations on
# a native tree of the same shape, owned by the user, are the reference.
# `fakeroot dpkg --root=VIEW -i` then installs as it does natively. A
# view root mounts over a tree the user owns shows the same owner and
# gives it what it creates.
. "$top_srcdir/tests/integration/lib.sh"
need_fuse
[ "$(id -u)" = 0 ] || skip "the test switches users: run it as root"
command -v runuser >/dev/null 2>&1 || skip "no runuser"
. "$top_srcdir/tests/integration/fixtures/mkdeb.sh"

# The orderings tests' user; kept afterwards (tests in parallel share it).
RL_USER=aliasfs-orderings
if ! id -u "$RL_USER" >/dev/null 2>&1; then
	useradd --system --no-create-home --shell /bin/sh "$RL_USER" \
		2>/dev/null || id -u "$RL_USER" >/dev/null 2>&1 ||
		{ fail "useradd $RL_USER"; exit 1; }
fi
RL_IDS=$(id -u "$RL_USER"):$(id -g "$RL_USER")
# Debian's /dev/fuse is mode 0666; CI makes it so where it is not.
[ "$(stat -c %a /dev/fuse)" = 666 ] || chmod 0666 /dev/fuse
# $T is root's (0700); the user gets a directory of its own and a copy of
# the daemon (the build tree may be where the user cannot go).
chmod 0755 "$T"
U=$T/user
mkdir -p "$U/bin"
cp "$(command -v aliasfs)" "$U/bin/" || { fail "copying aliasfs"; exit 1; }
chown -R "$RL_USER" "$U"
as_user()
{
	runuser -u "$RL_USER" -- env -i \
		PATH="$U/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin" \
		HOME="$U" LC_ALL=C "$@"
}

# The operations, in directory $1; prints what they saw.
cat >"$U/ops.sh" <<'EOF'
cd "$1" || exit 1
for p in bin usr/bin usr/sbin usr/lib32; do
	stat -c "$p: %F %U:%G %a" "$p"
done
echo hello >bin/hello && echo "write through bin: ok"
cat usr/bin/hello
mkdir usr/bin 2>/dev/null || echo "mkdir usr/bin: refused (exists)"
mkdir -p usr/lib32/x/y && echo "mkdir -p usr/lib32/x/y: ok"
stat -c "usr/lib32/x: %U:%G %a" usr/lib32/x
chmod 0700 usr/sbin && stat -c "usr/sbin after chmod: %a" usr/sbin
touch -d '2001-02-03 04:05:06 UTC' usr/libx32 &&
	stat -c "usr/libx32 after touch: %Y" usr/libx32
ln -s hello usr/bin/hi && readlink bin/hi
EOF
chmod 0755 "$U/ops.sh"

# The native reference: the canonical directories exist, the user's.
N=$U/native
as_user sh -c "mkdir -p '$N/usr' && cd '$N' &&
	for d in bin sbin lib lib32 lib64 libx32; do
		mkdir usr/\$d && ln -s usr/\$d \$d
	done"
B=$U/backing
M=$U/mnt
as_user mkdir "$B" "$M"
_lib_mounts="$_lib_mounts $M"
as_user aliasfs "$B" "$M" 2>>"$T/aliasfs.log" ||
	{ cat "$T/aliasfs.log" >&2; fail "the user mounts a view"; exit 1; }
wait_mounted "$M" || { fail "the user's view never appeared"; exit 1; }
check_eq "mounted without allow_other" "" \
	"$(awk -v m="$M" '$5 == m' /proc/self/mountinfo | grep allow_other)"

check_eq "the view's usr/bin over an empty backing: the backing's owner" \
	"$RL_IDS" "$(as_user stat -c %u:%g "$M/usr/bin")"
check_eq "the alias entry bin: the backing's owner" \
	"$RL_IDS" "$(as_user stat -c %u:%g "$M/bin")"
as_user "$U/ops.sh" "$N" >"$T/native.out" 2>&1
as_user "$U/ops.sh" "$M" >"$T/view.out" 2>&1
cat "$T/view.out"
check_eq "the user's operations in the view, as in a native tree" \
	"$(cat "$T/native.out")" "$(cat "$T/view.out")"
for p in usr usr/bin usr/bin/hello usr/lib32 usr/lib32/x/y usr/sbin; do
	check_eq "backing $p: the user's" "$RL_IDS" \
		"$(stat -c %u:%g "$B/$p" 2>&1)"
done
check_eq "backing usr/sbin: the mode set through the view" 700 \
	"$(stat -c %a "$B/usr/sbin" 2>&1)"
check_eq "backing usr/libx32: the time set through the view" 981173106 \
	"$(stat -c %Y "$B/usr/libx32" 2>&1)"

# fakeroot dpkg, as the issue measured it, in the view and natively.
if command -v fakeroot >/dev/null 2>&1 && command -v dpkg >/dev/null 2>&1
then
	make_deb "$U/hello.deb" hello 1 /bin/hello-dpkg /usr/share/doc/hello/
	chmod 0644 "$U/hello.deb"
	for r in "$N" "$M"; do
		as_user sh -c "mkdir -p '$r/var/lib/dpkg/info' \
			'$r/var/lib/dpkg/updates' && : >'$r/var/lib/dpkg/status'"
		as_user fakeroot dpkg --root="$r" --log=/dev/null \
			--force-script-chrootless --force-not-root \
			-i "$U/hello.deb" >"$T/dpkg.out" 2>&1
		rc=$?
		[ $rc = 0 ] || cat "$T/dpkg.out"
		check_eq "fakeroot dpkg -i in $(basename "$r")" 0 $rc
		as_user sh -c "cd '$r' && find usr/bin/hello-dpkg \
			usr/share/doc/hello -printf '%p %u %m\n' 2>&1" \
			>"$T/dpkg-$(basename "$r").files"
	done
	check_eq "fakeroot dpkg: the files, as natively" \
		"$(cat "$T/dpkg-native.files")" "$(cat "$T/dpkg-mnt.files")"
	check_eq "fakeroot dpkg: the view's backing holds them" \
		"usr/share/doc/hello $RL_USER 755" \
		"$(cd "$B" && find usr/share/doc/hello -printf '%p %u %m\n')"
fi
check "the user unmounts" as_user fusermount3 -u "$M"
wait_unmounted "$M"

# As root, a view over a tree the user owns.
B2=$U/backing2
M2=$T/mnt2
as_user mkdir "$B2"
mount_view "$B2" "$M2" || { fail "root mounts a view"; exit 1; }
check_eq "root's view: usr/lib32 only in the view: the backing's owner" \
	"$RL_IDS" "$(stat -c %u:%g "$M2/usr/lib32")"
check_eq "root's view: the alias entry lib32: the backing's owner" \
	"$RL_IDS" "$(stat -c %u:%g "$M2/lib32")"
check "root writes through lib32" sh -c "echo x >'$M2/lib32/f'"
check_eq "root's view: the canonical directory made for it: the backing's" \
	"$RL_IDS" "$(stat -c %u:%g "$B2/usr/lib32" 2>&1)"
check_eq "root's view: the file: root's (the caller's)" 0:0 \
	"$(stat -c %u:%g "$B2/usr/lib32/f" 2>&1)"
umount_view "$M2"
finish
