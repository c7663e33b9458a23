# The unshare row, sourced by tests/e2e/cell.sh: mmdebstrap --mode=unshare
# run by an ordinary user (ALIASFS_E2E_USER, made here with subordinate
# ids if it does not exist), natively and into a view over an empty
# backing that the same user mounted. Inside mmdebstrap's user namespace
# the chroot's root is the user's first subordinate uid, so the checks
# that the result runs are customize hooks (mmdebstrap runs them in its
# namespace): a shell, dpkg -l, apt-get update from the local repository;
# they leave nothing behind. Then, where the hooks of mount.aliasfs exist,
# the same with --hook-dir (the view mounted inside the namespace).

U=$E2E_USER
if ! id "$U" >/dev/null 2>&1; then
	useradd --create-home --shell /bin/sh "$U" ||
		{ fail "cannot create the user $U"; finish; }
fi
grep -q "^$U:" /etc/subuid && grep -q "^$U:" /etc/subgid ||
	{ fail "$U has no subordinate ids in /etc/subuid and /etc/subgid"; finish; }
command -v newuidmap >/dev/null 2>&1 ||
	{ fail "newuidmap missing (package uidmap)"; finish; }

chmod 755 "$T"
TU=$T/u
mkdir "$TU"
chown "$U:" "$TU"
# runuser keeps the environment: PATH to the built programs,
# SOURCE_DATE_EPOCH; the user's own HOME for mmdebstrap.
asuser()
{
	runuser -u "$U" -- env HOME="$(getent passwd "$U" | cut -d: -f6)" "$@"
}

# The checks, run by mmdebstrap as customize hooks in its namespace.
cp -a "$(e2e_repo)" "$TU/repo"
cat >"$TU/check.sh" <<'EOF'
#!/bin/sh
# customize hook: the new tree runs, then nothing of this is left.
set -u
t=$1
repo=$2
fail=0
say() { echo "CHECK $*"; }
if chroot "$t" /bin/sh -c true; then say "ok: chroot /bin/sh -c true"
else say "FAIL: chroot /bin/sh -c true"; fail=1; fi
n=$(chroot "$t" dpkg -l | grep -c '^ii ')
if [ "$n" -ge 10 ]; then say "ok: dpkg -l lists $n packages"
else say "FAIL: dpkg -l lists $n packages"; fail=1; fi
mkdir -p "$t/srv/aliasfs-e2e-repo"
cp -a "$repo/." "$t/srv/aliasfs-e2e-repo/"
echo "deb [trusted=yes] file:/srv/aliasfs-e2e-repo ./" >"$t/srv/aliasfs-e2e.list"
o="-o Dir::Etc::SourceList=/srv/aliasfs-e2e.list -o Dir::Etc::SourceParts=/nonexistent"
chroot "$t" apt-get update $o >"$t/srv/apt.log" 2>&1
rc=$?
sed 's/^/  apt: /' "$t/srv/apt.log"
if [ "$rc" = 0 ] && ! grep -q '^[WE]:' "$t/srv/apt.log"; then
	say "ok: apt-get update from a local file: repository"
else
	say "FAIL: apt-get update (exit $rc)"; fail=1
fi
if chroot "$t" apt-cache policy $o aliasfs-e2e-a | grep -q file:/srv/aliasfs-e2e-repo
then say "ok: apt knows the local package"
else say "FAIL: apt does not know the local package"; fail=1; fi
rm -rf "$t/srv/aliasfs-e2e-repo" "$t/srv/aliasfs-e2e.list" "$t/srv/apt.log"
rm -rf "$t"/var/lib/apt/lists/*aliasfs-e2e*
exit $fail
EOF
chmod 755 "$TU/check.sh"
chown -R "$U:" "$TU"

# The cell's options (cache: read only, the user does not write root's),
# the checks, then "$@".
mm_args
{
	echo "--customize-hook=$TU/check.sh \"\$1\" $TU/repo"
} >>"$MMARGS"

# checks_of DESC LOG: the CHECK lines of a run as checks of this test.
checks_of()
{
	grep '^CHECK ' "$2" | while read -r _c _r _rest; do
		echo "$1: $_r $_rest"
	done
	if grep -q '^CHECK FAIL' "$2"; then
		fail "$1: the result does not run (see CHECK lines above)"
	elif grep -q '^CHECK ok' "$2"; then
		ok "$1: the result runs (shell, dpkg -l, apt-get update)"
	fi
}

# run_mm_user WHAT LOG TARGET EXTRA...: run_mm as the user.
run_mm_user()
{
	_what=$1
	_log=$2
	_tgt=$3
	shift 3
	while IFS= read -r _a; do
		set -- "$@" "$_a"
	done <"$MMARGS"
	e2e_time "$_what" "$_log" runuser -u "$U" -- env \
		HOME="$(getent passwd "$U" | cut -d: -f6)" \
		mmdebstrap "$@" "$SUITE" "$_tgt" "$E2E_MIRROR"
}
# 1. Native.
NATIVE=$TU/native
if run_mm_user native "$T/native.log" "$TU/native"; then
	ok "native mmdebstrap --mode=unshare as $U"
else
	fail "native mmdebstrap --mode=unshare as $U: $(tail -n 20 "$T/native.log")"
fi
checks_of "native" "$T/native.log"

# 2. Into a view the user mounted over an empty backing.
mkdir "$TU/backing"
chown "$U:" "$TU/backing"
asuser mkdir "$TU/view"
uopts="db=$TU/db,arch=$ARCH"
if grep -q '^user_allow_other' /etc/fuse.conf 2>/dev/null; then
	uopts="$uopts,allow_other"
fi
_lib_mounts="$_lib_mounts $TU/view"
if asuser aliasfs -o "$uopts" "$TU/backing" "$TU/view" 2>"$T/user-mount.log" &&
	wait_mounted "$TU/view"; then
	ok "$U mounts a view ($uopts)"
	if run_mm_user view "$T/view.log" "$TU/view" --skip=check/empty; then
		ok "mmdebstrap --mode=unshare into the user's view"
		checks_of "view" "$T/view.log"
		asuser fusermount3 -u "$TU/view" && wait_unmounted "$TU/view"
		raw_compare "view" "$TU/backing" "$TU/db"
	else
		fail "mmdebstrap --mode=unshare into the user's view:" \
			"$(grep -E '^(E|W): ' "$T/view.log" | head -n 20)"
		asuser fusermount3 -u "$TU/view" && wait_unmounted "$TU/view"
	fi
else
	fail "$U cannot mount a view: $(cat "$T/user-mount.log")"
fi

# 3. The mount.aliasfs hooks, the view mounted in mmdebstrap's namespace.
HOOKS=$(e2e_hooks)
if [ -n "$HOOKS" ]; then
	if run_mm_user hooks "$T/hooks.log" "$TU/target" --hook-dir="$HOOKS"
	then
		ok "mmdebstrap --mode=unshare --hook-dir=aliasfs as $U"
		checks_of "hooks" "$T/hooks.log"
		e2e_compare "hooks" "$NATIVE" "$TU/target"
	else
		fail "mmdebstrap --mode=unshare --hook-dir=aliasfs as $U:" \
			"$(grep -E '^(E|W): ' "$T/hooks.log" | head -n 20)"
	fi
fi
