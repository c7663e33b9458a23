#!/bin/sh
# One cell of the bootstrap matrix (README, "Bootstrapping into a view"):
#     tests/e2e/cell.sh CELL
# runs the cell's tool natively and into an aliasfs view over an empty
# backing, in the same run, then checks that the result runs (a shell,
# dpkg -l, apt-get update from a local file: repository where the variant
# has apt) and that it equals the native result (aliasctl compare with
# --mtimes --bootstrap-excludes, SOURCE_DATE_EPOCH set). Prints "TIME ..."
# lines for tests/e2e/run-e2e. Cells:
#   mm-root-minbase-SUITE                  mmdebstrap --mode=root
#   mm-unshare-minbase-SUITE               mmdebstrap --mode=unshare, as an
#                                          ordinary user who mounts the view
#   mm-chrootless-essential-SUITE          mmdebstrap --mode=chrootless
#   mm-chrootless-essential-arm64-SUITE    ... --arch=arm64 (no qemu)
#   debootstrap-minbase-SUITE              debootstrap
#   split-minbase-SUITE                    unpacked with no aliases, then
#                                          the default set declared, synced
# Needs root and the mirror (77 when it cannot be reached).
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/backings.sh"
. "$top_srcdir/tests/integration/fixtures/mkdeb.sh"
. "$top_srcdir/tests/e2e/lib-e2e.sh"

CELL=${1:?usage: cell.sh CELL}
need_fuse
view_watchdog "${ALIASFS_E2E_TIMEOUT:-1800}"
is_root || { echo "FAIL: the bootstrap cells need root" >&2; exit 1; }
# Bootstrapped trees are large: keep them off a small /tmp.
case $T in
/tmp/*) [ -n "${TMPDIR:-}" ] || echo "note: trees under $T" ;;
esac

ARCH=$(dpkg --print-architecture)
case $CELL in
mm-root-minbase-*) KIND=mm MODE=root VARIANT=minbase APT=apt ;;
mm-unshare-minbase-*) KIND=unshare MODE=unshare VARIANT=minbase APT=apt ;;
mm-chrootless-essential-arm64-*)
	KIND=mm MODE=chrootless VARIANT=essential APT=noapt ARCH=arm64 ;;
mm-chrootless-essential-*)
	KIND=mm MODE=chrootless VARIANT=essential APT=noapt ;;
debootstrap-minbase-*) KIND=debootstrap VARIANT=minbase APT=apt ;;
split-minbase-*) KIND=split MODE=root VARIANT=minbase APT=apt ;;
*) echo "cell.sh: unknown cell $CELL" >&2; exit 99 ;;
esac
SUITE=${CELL##*-}
NATIVE=$T/native

e2e_mirror_ok "$SUITE" || skip "mirror $E2E_MIRROR unreachable: $CELL not run"
echo "cell $CELL: $SUITE $ARCH, SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH"

# mm_args [sync-out]: the cell's mmdebstrap options, one a line, in
# $MMARGS (POSIX sh has no arrays); run_mm reads them.
MMARGS=$T/mmargs
mm_args()
{
	{
		echo "--mode=$MODE"
		echo "--variant=$VARIANT"
		[ "$ARCH" = "$(dpkg --print-architecture)" ] ||
			echo "--arch=$ARCH"
		e2e_mm_cache "$SUITE" "$ARCH" "${1:-}"
	} >"$MMARGS"
}

# run_mm WHAT LOG TARGET EXTRA...: mmdebstrap with the cell's options.
run_mm()
{
	_what=$1
	_log=$2
	_tgt=$3
	shift 3
	while IFS= read -r _a; do
		set -- "$@" "$_a"
	done <"$MMARGS"
	e2e_time "$_what" "$_log" mmdebstrap "$@" "$SUITE" "$_tgt" \
		"$E2E_MIRROR"
}

# raw_compare DESC BACKING DB [compare options]: compare the native tree
# with the backing as a view shows it, dpkg's database as stored.
raw_compare()
{
	_d=$1
	_b=$2
	_db=$3
	shift 3
	if mount_view "$_b" "$T/raw" -o "ro,dpkgdb=raw,db=$_db,arch=$ARCH"; then
		e2e_compare "$_d" "$NATIVE" "$T/raw" "$@"
		umount_view "$T/raw"
	else
		fail "$_d: mount the result for the comparison"
	fi
}

# use_view DESC BACKING DB: the result runs, in a view of it.
use_view()
{
	if mount_view "$2" "$T/use" -o "db=$3,arch=$ARCH"; then
		e2e_use "$1" "$T/use" "$SUITE" "$ARCH" "$APT"
		umount_view "$T/use"
	else
		fail "$1: mount the result to use it"
	fi
}

# nothing_mounted DESC: no mount left under $T.
nothing_mounted()
{
	check_eq "$1: nothing left mounted" "" \
		"$(awk -v t="$T/" 'index($5, t) == 1 { print $5 }' \
			/proc/self/mountinfo)"
}

case $KIND in
mm)
	mm_args sync-out
	if run_mm native "$T/native.log" "$T/native"; then
		ok "native mmdebstrap"
	else
		fail "native mmdebstrap: $(tail -n 20 "$T/native.log")"
	fi
	mm_args
	HOOKS=$(e2e_hooks)
	if [ -n "$HOOKS" ]; then
		# The shipped hooks: the view is mounted over TARGET at setup
		# and taken away at the end, TARGET a plain tree then.
		echo "view: mmdebstrap --hook-dir=$HOOKS"
		if run_mm view "$T/view.log" "$T/target" --hook-dir="$HOOKS"
		then
			ok "mmdebstrap --hook-dir=aliasfs into a view"
		else
			fail "mmdebstrap into a view: $(tail -n 30 "$T/view.log")"
		fi
		nothing_mounted "hooks"
		e2e_compare "hooks" "$T/native" "$T/target"
		use_view "view" "$T/target" "$T/use.db"
	else
		# By hand: mount, bootstrap, unmount.
		echo "view: mounted by hand (no aliasfs mmdebstrap hooks built)"
		mkdir "$T/backing"
		mount_view "$T/backing" "$T/view" -o "db=$T/db,arch=$ARCH" ||
			fail "mount a view over an empty backing"
		if run_mm view "$T/view.log" "$T/view" --skip=check/empty; then
			ok "mmdebstrap into a view"
		else
			fail "mmdebstrap into a view: $(tail -n 30 "$T/view.log")"
		fi
		umount_view "$T/view"
		raw_compare "view" "$T/backing" "$T/db"
		use_view "view" "$T/backing" "$T/db"
	fi
	e2e_use "native" "$T/native" "$SUITE" "$ARCH" "$APT"
	;;
debootstrap)
	C=$(e2e_apt_cache "$SUITE" "$ARCH")
	mkdir -p "$C"
	if e2e_time native "$T/native.log" debootstrap --variant=minbase \
		--cache-dir="$C" "$SUITE" "$T/native" "$E2E_MIRROR"; then
		ok "native debootstrap"
	else
		fail "native debootstrap: $(tail -n 20 "$T/native.log")"
	fi
	# The three commands of the README: mount, debootstrap, unmount.
	mkdir "$T/backing"
	mount_view "$T/backing" "$T/view" -o "db=$T/db,arch=$ARCH" ||
		fail "mount a view over an empty backing"
	if e2e_time view "$T/view.log" debootstrap --variant=minbase \
		--cache-dir="$C" "$SUITE" "$T/view" "$E2E_MIRROR"; then
		ok "debootstrap into a view"
	else
		fail "debootstrap into a view: $(tail -n 30 "$T/view.log")"
	fi
	umount_view "$T/view"
	raw_compare "view" "$T/backing" "$T/db"
	use_view "view" "$T/backing" "$T/db"
	e2e_use "native" "$T/native" "$SUITE" "$ARCH" "$APT"
	;;
split)
	# Native: the same packages (usr-is-merged, not usrmerge), merged
	# the way debootstrap does it.
	mm_args sync-out
	if run_mm native "$T/native.log" "$T/native" \
		--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr; then
		ok "native mmdebstrap, merged-usr hook"
	else
		fail "native mmdebstrap: $(tail -n 20 "$T/native.log")"
	fi
	# Into a view with no alias at all: packages unpack as they ship.
	mm_args
	aliasctl --db "$T/db" init --empty >/dev/null
	mkdir "$T/backing"
	mount_view "$T/backing" "$T/view" -o "db=$T/db" ||
		fail "mount a view with an empty alias map"
	if run_mm view "$T/view.log" "$T/view" --skip=check/empty \
		--hook-dir=/usr/share/mmdebstrap/hooks/no-merged-usr; then
		ok "mmdebstrap into a view with no aliases"
	else
		fail "mmdebstrap into a view: $(tail -n 30 "$T/view.log")"
	fi
	check "split: a real bin/ directory in the backing" \
		test -d "$T/backing/bin" -a ! -L "$T/backing/bin"
	check "split: the shell at /bin/dash in the backing" \
		test -f "$T/backing/bin/dash"
	# Declare the default set in the tree and sync.
	mkdir -p "$T/view/usr/share/aliasfs/aliases.d"
	for a in $ALIASES; do
		echo "/$a /usr/$a"
	done >"$T/view/usr/share/aliasfs/aliases.d/merged-usr"
	aliasctl --db "$T/db" sync --tree "$T/backing" >"$T/sync.log" 2>&1 ||
		fail "sync: $(cat "$T/sync.log")"
	check_eq "split: every declared alias active after the sync" "" \
		"$(aliasctl --db "$T/db" list | awk 'NR > 1 && $3 != "active"')"
	check "split: the view shows /bin as the alias" \
		poll 10 sh -c "[ \"\$(readlink '$T/view/bin')\" = usr/bin ]"
	umount_view "$T/view"
	raw_compare "split, synced" "$T/backing" "$T/db" \
		--exclude /etc/unsupported-skip-usrmerge-conversion \
		--exclude /usr/share/aliasfs
	use_view "split, synced" "$T/backing" "$T/db"
	e2e_use "native" "$T/native" "$SUITE" "$ARCH" "$APT"
	;;
unshare)
	. "$top_srcdir/tests/e2e/unshare.sh"
	;;
esac
nothing_mounted "$CELL"
finish
