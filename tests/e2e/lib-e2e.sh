# Shared by the end-to-end bootstrap tests (POSIX sh), sourced after
# tests/integration/lib.sh and fixtures/backings.sh. Environment:
#   ALIASFS_E2E_MIRROR     Debian mirror (default http://deb.debian.org/debian)
#   ALIASFS_E2E_CACHE      cache of .debs and local repositories for every
#                          cell (default /var/tmp/aliasfs-cache)
#   ALIASFS_E2E_USER       the ordinary user of the unshare rows (default
#                          aliasfs-e2e, created with subordinate ids if absent)
#   SOURCE_DATE_EPOCH      set by tests/e2e/run-e2e for the whole run

E2E_MIRROR=${ALIASFS_E2E_MIRROR:-http://deb.debian.org/debian}
E2E_CACHE=${ALIASFS_E2E_CACHE:-/var/tmp/aliasfs-cache}
E2E_USER=${ALIASFS_E2E_USER:-aliasfs-e2e}
: "${SOURCE_DATE_EPOCH:=$(date +%s)}"
export SOURCE_DATE_EPOCH

# e2e_mirror_ok SUITE: the mirror serves SUITE's Release file.
e2e_mirror_ok()
{
	python3 - "$E2E_MIRROR/dists/$1/Release" <<'PY'
import sys, urllib.request
try:
    urllib.request.urlopen(sys.argv[1], timeout=15).read(64)
except Exception as e:
    print("mirror probe: %s: %s" % (sys.argv[1], e), file=sys.stderr)
    sys.exit(1)
PY
}

# e2e_apt_cache SUITE ARCH: the one place where every cell of SUITE and
# ARCH keeps the .debs it downloaded (apt's file names, which debootstrap's
# --cache-dir uses too).
e2e_apt_cache()
{
	echo "$E2E_CACHE/apt/$1-$2"
}

# e2e_repo: a tiny local repository at $T/repo (two packages built here,
# their Packages and Release indices) for `apt-get update` inside a
# result. Needs fixtures/mkdeb.sh.
e2e_repo()
{
	if [ ! -f "$T/repo/Release" ]; then
		mkdir -p "$T/repo"
		make_deb "$T/repo/aliasfs-e2e-a_1_all.deb" aliasfs-e2e-a 1 \
			/usr/share/aliasfs-e2e/a
		make_deb "$T/repo/aliasfs-e2e-b_1_all.deb" aliasfs-e2e-b 1 \
			/usr/share/aliasfs-e2e/b
		(cd "$T/repo" && apt-ftparchive packages . >Packages &&
			apt-ftparchive release . >Release)
	fi
	echo "$T/repo"
}

# e2e_hooks: the aliasfs mmdebstrap hooks, from the build tree or
# installed; empty when neither exists (the view is then mounted by hand).
e2e_hooks()
{
	if [ -x "$top_builddir/mount-helper/mmdebstrap/setup00-aliasfs.sh" ]; then
		echo "$top_builddir/mount-helper/mmdebstrap"
	elif [ -x /usr/share/aliasfs/mmdebstrap/setup00-aliasfs.sh ]; then
		echo /usr/share/aliasfs/mmdebstrap
	fi
}
# The build tree's hooks run the build tree's programs.
ALIASFS_DAEMON=$top_builddir/fs/aliasfs
ALIASCTL=$top_builddir/aliasctl/aliasctl
export ALIASFS_DAEMON ALIASCTL

# e2e_now: seconds since the epoch, with fractions.
e2e_now()
{
	date +%s.%N
}

# e2e_secs START END: END - START, one decimal.
e2e_secs()
{
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'
}

# e2e_time WHAT LOG COMMAND...: run COMMAND with its output in LOG; print
# "TIME WHAT SECONDS" (the runner collects these lines); the status is
# COMMAND's.
e2e_time()
{
	_what=$1
	_log=$2
	shift 2
	_t0=$(e2e_now)
	"$@" >"$_log" 2>&1
	_rc=$?
	_t1=$(e2e_now)
	echo "TIME $_what $(e2e_secs "$_t0" "$_t1") rc=$_rc"
	return $_rc
}

# e2e_mm_cache SUITE ARCH [sync-out]: mmdebstrap options that fill the
# target's apt archive from the shared cache before the download, and
# (with sync-out) copy what was downloaded back before the cleanup.
e2e_mm_cache()
{
	_c=$(e2e_apt_cache "$1" "$2")
	mkdir -p "$_c"
	printf '%s\n' --skip=essential/unlink \
		'--setup-hook=mkdir -p "$1/var/cache/apt/archives"' \
		"--setup-hook=sync-in $_c /var/cache/apt/archives/"
	if [ "${3:-}" = sync-out ]; then
		printf '%s\n' \
			"--customize-hook=sync-out /var/cache/apt/archives $_c"
	fi
}

# e2e_compare DESC NATIVE RESULT [compare options]: the result equals the
# native tree: same canonical paths, types, modes, owners, targets,
# contents, hard links, devices, xattrs and clamped mtimes, with the
# usual varying files excluded. The differences go to the log.
e2e_compare()
{
	_d=$1
	_n=$2
	_r=$3
	shift 3
	_t0=$(e2e_now)
	aliasctl compare --mtimes --bootstrap-excludes "$@" "$_n" "$_r" \
		>"$T/compare.out" 2>&1
	_rc=$?
	echo "TIME compare $(e2e_secs "$_t0" "$(e2e_now)") rc=$_rc"
	case $_rc in
	0) ok "$_d: equal to the native result ($(tail -n 1 "$T/compare.out"))" ;;
	1)
		fail "$_d: differs from the native result:"
		head -n 60 "$T/compare.out" >&2
		# What differs in a small text file (dpkg's database, /etc).
		awk '$1 == "content" { sub(/:$/, "", $2); print $2 }' \
			"$T/compare.out" | head -n 5 | while read -r _p; do
			diff -u "$_n$_p" "$_r$_p" 2>&1 | head -n 40 >&2
		done
		;;
	*)
		fail "$_d: compare failed: $(cat "$T/compare.out")"
		;;
	esac
}

# e2e_repo_in DIR: put the local repository into DIR, with a sources
# file that names it (and nothing else).
e2e_repo_in()
{
	mkdir -p "$1/srv/aliasfs-e2e-repo"
	cp -a "$(e2e_repo)/." "$1/srv/aliasfs-e2e-repo/"
	echo "deb [trusted=yes] file:/srv/aliasfs-e2e-repo ./" \
		>"$1/srv/aliasfs-e2e.list"
}

# e2e_use DESC DIR SUITE ARCH HAS_APT: the result runs: a shell, dpkg -l,
# and apt-get update against the local file: repository (only the local
# one: no network inside) where the variant has apt. A foreign
# architecture cannot run here (no qemu): the host's dpkg reads its
# database instead.
e2e_use()
{
	_ud=$1
	_ur=$2
	_s=$3
	_a=$4
	_apt=$5
	if [ "$_a" != "$(dpkg --print-architecture)" ]; then
		dpkg --root="$_ur" -l >"$T/dpkg-l" 2>&1 ||
			fail "$_ud: dpkg --root -l: $(tail -n 5 "$T/dpkg-l")"
	else
		check "$_ud: chroot /bin/sh -c true" chroot "$_ur" /bin/sh -c true
		chroot "$_ur" dpkg -l >"$T/dpkg-l" 2>&1 ||
			fail "$_ud: chroot dpkg -l: $(tail -n 5 "$T/dpkg-l")"
	fi
	_n=$(grep -c '^ii ' "$T/dpkg-l")
	if [ "$_n" -ge 10 ]; then
		ok "$_ud: dpkg -l lists $_n installed packages"
	else
		fail "$_ud: dpkg -l lists $_n packages: $(head -n 20 "$T/dpkg-l")"
	fi
	[ "$_apt" = apt ] || return 0
	e2e_repo_in "$_ur"
	_pkg=aliasfs-e2e-a
	chroot "$_ur" apt-get update \
		-o Dir::Etc::SourceList=/srv/aliasfs-e2e.list \
		-o Dir::Etc::SourceParts=/nonexistent >"$T/apt-update" 2>&1
	_rc=$?
	if [ "$_rc" = 0 ] && ! grep -q '^[WE]:' "$T/apt-update"; then
		ok "$_ud: apt-get update from a local file: repository"
	else
		fail "$_ud: apt-get update (exit $_rc): $(cat "$T/apt-update")"
	fi
	check_eq "$_ud: apt knows $_pkg from the local repository" yes \
		"$(chroot "$_ur" apt-cache policy \
			-o Dir::Etc::SourceList=/srv/aliasfs-e2e.list \
			-o Dir::Etc::SourceParts=/nonexistent "$_pkg" 2>&1 |
			grep -q 'file:/srv/aliasfs-e2e-repo' && echo yes)"
}
