#!/bin/sh
# CI step: the Debian package, built and used as a user would.
#   1. build it: dpkg-buildpackage -us -uc -b (DEB_BUILD_OPTIONS=nocheck:
#      the test suite runs on its own in tests/run-all) from a copy of
#      the working tree; its contents; make install/uninstall DESTDIR=
#   2. lintian on the .deb: no error (warnings are printed)
#   3. a fresh bookworm chroot made by mmdebstrap (--variant=apt; the
#      downloaded .debs are cached in /var/tmp/aliasfs-cache/package-debs)
#   4. apt install ./aliasfs_*.deb there, with /dev, /proc and /dev/fuse,
#      in a private mount namespace; a smoke test of the installed
#      programs (mount -t aliasfs, fstab lines, mount.fuse3, --version,
#      --help, man -w); apt purge leaves nothing
# Prints one "ok:" or "FAIL:" line per check, the time of each stage, and
# ends with "N passed, N failed"; exits 1 if anything failed. Steps 3-4
# need the Debian mirror; without it they are skipped (said so above the
# last line). Run as root from anywhere: tests/package/run.sh
# Environment: ALIASFS_E2E_MIRROR (mirror URL), ALIASFS_CACHE (cache
# directory), ALIASFS_PACKAGE_KEEP=1 (keep the work directory).
set -u
src=$(cd "$(dirname "$0")/../.." && pwd)
MIRROR=${ALIASFS_E2E_MIRROR:-http://deb.debian.org/debian}
CACHE=${ALIASFS_CACHE:-/var/tmp/aliasfs-cache}/package-debs
pass=0
failed=0

ok()
{
	pass=$((pass + 1))
	echo "ok: $*"
}
fail()
{
	failed=$((failed + 1))
	echo "FAIL: $*"
}
# check DESC COMMAND...
check()
{
	_d=$1
	shift
	if "$@"; then ok "$_d"; else fail "$_d (exit $?: $*)"; fi
}
check_eq()
{
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: expected [$2], got [$3]"; fi
}
now()
{
	date +%s
}

# ---- The smoke test, run inside the chroot (as: run.sh --smoke). ----
if [ "${1:-}" = --smoke ]; then
	export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8
	deb=$2
	t0=$(now)
	(cd "$(dirname "$deb")" &&
		apt-get install -y --no-install-recommends \
			-o APT::Sandbox::User=root "./$(basename "$deb")" \
			man-db) >/tmp/apt.log 2>&1
	check "apt install ./$(basename "$deb") (and man-db)" test $? -eq 0 ||
		tail -n 30 /tmp/apt.log
	echo "install: $(($(now) - t0)) s"
	check "fuse3 came with it (Depends)" test -x /usr/bin/fusermount3
	dpkg -L aliasfs | sort >/tmp/files
	for f in /usr/sbin/aliasfs /usr/sbin/mount.aliasfs /usr/bin/aliasctl \
		/usr/share/man/man8/aliasfs.8.gz \
		/usr/share/man/man8/mount.aliasfs.8.gz \
		/usr/share/man/man1/aliasctl.1.gz \
		/usr/share/aliasfs/mmdebstrap/setup00-aliasfs.sh \
		/usr/share/aliasfs/mmdebstrap/customize99-aliasfs.sh \
		/usr/share/doc/aliasfs/copyright; do
		check "installed: $f" grep -qxF "$f" /tmp/files
	done
	check "mount(8) finds /sbin/mount.aliasfs" test -x /sbin/mount.aliasfs
	check_eq "aliasfs --version" "aliasfs 0.1.0" \
		"$(aliasfs --version | cut -d' ' -f1-2)"
	check_eq "mount.aliasfs --version" "mount.aliasfs (aliasfs) 0.1.0" \
		"$(mount.aliasfs --version)"
	check "aliasctl --help" sh -c 'aliasctl --help | grep -q "^Usage: aliasctl"'
	check_eq "man -w finds the three pages" \
		"/usr/share/man/man8/aliasfs.8.gz /usr/share/man/man8/mount.aliasfs.8.gz /usr/share/man/man1/aliasctl.1.gz" \
		"$(man -w aliasfs mount.aliasfs aliasctl | tr '\n' ' ' |
			sed 's/ $//')"
	check "man renders mount.aliasfs(8)" sh -c \
		'man mount.aliasfs 2>/dev/null | grep -q "MMDEBSTRAP HOOKS"'
	check_eq "mount.aliasfs links libc only" "libc.so.6" \
		"$(ldd /usr/sbin/mount.aliasfs | awk '/=>/ { print $1 }' |
			tr '\n' ' ' | sed 's/ $//')"
	for h in /usr/share/aliasfs/mmdebstrap/*.sh; do
		check "hook $h: sh -n" sh -n "$h"
	done
	check "the hooks run the installed daemon" grep -q \
		'AFS=${ALIASFS_DAEMON:-/usr/sbin/aliasfs}' \
		/usr/share/aliasfs/mmdebstrap/setup00-aliasfs.sh
	check "the hooks run the installed aliasctl" grep -q \
		'ACTL=${ALIASCTL:-/usr/bin/aliasctl}' \
		/usr/share/aliasfs/mmdebstrap/customize99-aliasfs.sh

	mkdir -p /srv/b/usr/bin /srv/b/bin /mnt/v /mnt/f /mnt/g /mnt/e
	echo hi >/srv/b/bin/hello
	# view DESC MNT: MNT shows the view of /srv/b.
	view()
	{
		check_eq "$1: type and source" "fuse.aliasfs /srv/b" \
			"$(findmnt -n -o FSTYPE,SOURCE --mountpoint "$2" |
				tr -s ' ')"
		check_eq "$1: an alias" usr/bin "$(readlink "$2/bin")"
		check_eq "$1: a file through it" hi "$(cat "$2/usr/bin/hello")"
	}
	mount -t aliasfs /srv/b /mnt/v
	check_eq "mount -t aliasfs: exit 0" 0 "$?"
	view "mount -t aliasfs" /mnt/v
	check "umount" umount /mnt/v
	mount -t aliasfs -o ro,bogus /srv/b /mnt/v 2>/tmp/err
	check_eq "mount -t aliasfs -o bogus: exit 1" 1 "$?"
	check "mount -o bogus: names it" grep -q "'bogus' is unknown" /tmp/err
	mount -t aliasfs /srv/no-such /mnt/v 2>/tmp/err
	check_eq "mount of a missing backing: exit 32" 32 "$?"
	mount -t fuse.aliasfs -o nofail /srv/b /mnt/v
	check_eq "mount -t fuse.aliasfs (mount.fuse3): exit 0" 0 "$?"
	view "mount -t fuse.aliasfs" /mnt/v
	check "umount" umount /mnt/v
	cat >/tmp/fstab <<-EOF
	/srv/b /mnt/f aliasfs defaults,nofail,_netdev,x-systemd.automount 0 0
	/srv/b /mnt/g aliasfs noauto,ro 0 0
	EOF
	mount -a -T /tmp/fstab
	check_eq "mount -a -T FSTAB: exit 0" 0 "$?"
	view "fstab line, mount -a" /mnt/f
	check_eq "mount -a: noauto line not mounted" "" \
		"$(findmnt -n --mountpoint /mnt/g)"
	mount -a -T /tmp/fstab
	check_eq "mount -a twice: still one mount" 1 \
		"$(findmnt -n --mountpoint /mnt/f | wc -l)"
	mount -T /tmp/fstab /mnt/g
	check_eq "mount -T FSTAB MNT: exit 0" 0 "$?"
	view "fstab line, noauto,ro" /mnt/g
	check "fstab ro: read-only" sh -c '! touch /mnt/g/new 2>/dev/null'
	echo "/srv/b /mnt/e aliasfs defaults 0 0" >>/etc/fstab
	mount /mnt/e
	check_eq "an /etc/fstab line: mount MNT: exit 0" 0 "$?"
	view "/etc/fstab line" /mnt/e
	for m in /mnt/f /mnt/g /mnt/e; do
		check "umount $m" umount "$m"
	done
	check_eq "no view left" "" "$(findmnt -n -l -t fuse.aliasfs)"
	check "aliasctl init and list" sh -c \
		'aliasctl --root /srv/b init >/dev/null &&
		 aliasctl --root /srv/b list | grep -q "^/bin "'

	t0=$(now)
	apt-get purge -y aliasfs >/tmp/purge.log 2>&1
	check "apt purge aliasfs" test $? -eq 0 || tail -n 20 /tmp/purge.log
	check_eq "purged: dpkg knows no aliasfs" "" \
		"$(dpkg-query -W -f '${db:Status-Abbrev}' aliasfs 2>/dev/null)"
	left=$(while read -r f; do
		[ -d "$f" ] && continue
		{ [ -e "$f" ] || [ -L "$f" ]; } && echo "$f"
	done </tmp/files)
	check_eq "purged: none of its files left" "" "$left"
	check_fails_dir()
	{
		if [ -e "$1" ]; then fail "purged: $1 left"; else ok "purged: no $1"; fi
	}
	check_fails_dir /usr/share/aliasfs
	check_fails_dir /usr/share/doc/aliasfs
	echo "purge: $(($(now) - t0)) s"
	echo "$pass passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
fi

# ---- Inside a private mount namespace (as: run.sh --chroot). ----
if [ "${1:-}" = --chroot ]; then
	C=$2
	deb=$3
	mount --make-rprivate / || exit 2
	mount -t proc proc "$C/proc" &&
		mount --bind /dev "$C/dev" &&
		mount -t tmpfs tmpfs "$C/run" &&
		mount -t tmpfs tmpfs "$C/tmp" &&
		mount --bind "$CACHE" "$C/var/cache/apt/archives" || exit 2
	cp "$deb" "$C/tmp/" && cp "$0" "$C/tmp/smoke.sh" || exit 2
	chroot "$C" /bin/sh /tmp/smoke.sh --smoke "/tmp/$(basename "$deb")"
	rc=$?
	# Any view the smoke test left: unmount it before the namespace goes.
	findmnt -n -l -o TARGET -t fuse.aliasfs | while read -r m; do
		case $m in "$C"/*) umount "$m" || umount -l "$m" ;; esac
	done
	exit "$rc"
fi

# ---- The driver. ----
[ "$(id -u)" = 0 ] || { echo "tests/package/run.sh: run as root" >&2; exit 2; }
W=$(mktemp -d /var/tmp/aliasfs-package.XXXXXX) || exit 2
cleanup()
{
	if [ -d "$W/chroot" ]; then
		awk -v c="$W/" 'index($5, c) == 1 { print $5 }' \
			/proc/self/mountinfo | sort -r | while read -r m; do
			umount "$m" 2>/dev/null || umount -l "$m"
		done
	fi
	if [ "${ALIASFS_PACKAGE_KEEP:-0}" = 1 ]; then
		echo "kept $W"
	else
		rm -rf --one-file-system "$W"
	fi
}
trap cleanup EXIT
trap 'exit 2' HUP INT TERM
T0=$(now)

# 1. Build from a copy of the working tree (tracked and new files).
version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version) ||
	exit 2
B=$W/aliasfs-${version%-*}
mkdir -p "$B"
(cd "$src" && git ls-files -z -c -o --exclude-standard |
	xargs -0 tar -cf - --no-recursion --ignore-failed-read) |
	tar -C "$B" -xf - ||
	{ fail "copy the source tree"; exit 1; }
t0=$(now)
(cd "$B" && DEB_BUILD_OPTIONS="nocheck parallel=2" \
	dpkg-buildpackage -us -uc -b) >"$W/build.log" 2>&1
check "dpkg-buildpackage -us -uc -b" test $? -eq 0 || tail -n 40 "$W/build.log"
echo "build: $(($(now) - t0)) s"
arch=$(dpkg --print-architecture)
deb=$W/aliasfs_${version}_$arch.deb
check "the package: $(basename "$deb")" test -f "$deb"
[ -f "$deb" ] || { echo "$pass passed, $failed failed"; exit 1; }
dpkg-deb -I "$deb" >"$W/info"
check "Depends on fuse3" grep -q '^ Depends:.*fuse3' "$W/info"
check "Depends on libfuse3 (shlibs)" grep -q '^ Depends:.*libfuse3-3' "$W/info"
dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\.||' >"$W/contents"
check "the package holds /usr/share/aliasfs/mmdebstrap/setup00-aliasfs.sh" \
	grep -qx /usr/share/aliasfs/mmdebstrap/setup00-aliasfs.sh "$W/contents"
check_eq "the package holds nothing under /usr/local, /etc or /var" "" \
	"$(grep -E '^/(usr/local|etc|var)/' "$W/contents")"

# make install / make uninstall into a DESTDIR, in the built tree.
make -C "$B" -s install DESTDIR="$W/dest" >"$W/install.log" 2>&1
check "make install DESTDIR=" test $? -eq 0
for f in usr/sbin/aliasfs usr/sbin/mount.aliasfs usr/bin/aliasctl \
	usr/share/man/man8/mount.aliasfs.8 usr/share/man/man1/aliasctl.1 \
	usr/share/aliasfs/mmdebstrap/customize99-aliasfs.sh; do
	check "make install: /$f" test -e "$W/dest/$f"
done
make -C "$B" -s uninstall DESTDIR="$W/dest" >>"$W/install.log" 2>&1
check "make uninstall DESTDIR=" test $? -eq 0
check_eq "make uninstall leaves no file" "" \
	"$(find "$W/dest" ! -type d)"

# 2. lintian.
t0=$(now)
lintian --fail-on error --display-info "$deb" >"$W/lintian.log" 2>&1
check "lintian: no error" test $? -eq 0
sed 's/^/    /' "$W/lintian.log"
echo "lintian: $(($(now) - t0)) s"

# 3. A fresh chroot, its .debs cached.
if ! python3 - "$MIRROR/dists/bookworm/Release" <<'PY'
import sys, urllib.request
try:
    urllib.request.urlopen(sys.argv[1], timeout=10).read(64)
except Exception as e:
    print("mirror probe: %s: %s" % (sys.argv[1], e), file=sys.stderr)
    sys.exit(1)
PY
then
	echo "mirror $MIRROR unreachable: chroot install and smoke test skipped"
	echo "total: $(($(now) - T0)) s"
	echo "$pass passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
fi
mkdir -p "$CACHE"
t0=$(now)
mmdebstrap --mode=root --variant=apt --skip=essential/unlink \
	--skip=cleanup/apt/lists \
	--setup-hook='mkdir -p "$1"/var/cache/apt/archives' \
	--setup-hook="sync-in $CACHE /var/cache/apt/archives/" \
	--customize-hook="sync-out /var/cache/apt/archives $CACHE" \
	bookworm "$W/chroot" "$MIRROR" >"$W/mmdebstrap.log" 2>&1
check "mmdebstrap --variant=apt bookworm" test $? -eq 0 ||
	tail -n 30 "$W/mmdebstrap.log"
echo "chroot: $(($(now) - t0)) s"

# 4. Install and smoke test in a private mount namespace.
if [ -x "$W/chroot/usr/bin/apt-get" ]; then
	t0=$(now)
	unshare -m --propagation private /bin/sh "$0" --chroot "$W/chroot" \
		"$deb" >"$W/smoke.log" 2>&1
	rc=$?
	cat "$W/smoke.log"
	p=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$W/smoke.log")
	f=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$W/smoke.log")
	pass=$((pass + ${p:-0}))
	failed=$((failed + ${f:-0}))
	[ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ] &&
		fail "the smoke test exited $rc"
	echo "install, smoke test, purge: $(($(now) - t0)) s"
fi
check_eq "no aliasfs daemon of the chroot left" "" \
	"$(for p in $(pgrep -x aliasfs); do
		[ "$(readlink "/proc/$p/root")" = "$W/chroot" ] && echo "$p"
	done)"
echo "total: $(($(now) - T0)) s"
echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
