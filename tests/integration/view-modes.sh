#!/bin/sh
# Modes of new entries follow the caller's umask, not the daemon's, side
# by side with a native directory: files (open and mknod), directories,
# FIFOs, devices, symlinks and O_TMPFILE files, with set-ID and sticky
# bits, under umask 000, 022 and 077, as root and as uid 65534, in a
# plain parent, a set-group-ID parent (its group not the caller's: the
# kernel strips set-group-ID) and parents with a default POSIX ACL (the
# umask is then not applied). Each parent is reached through an alias:
# once where its canonical side exists in the backing, once where only
# the alias side does (the view creates the canonical side first). The
# daemon runs with umask 022.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/backings.sh"
need_fuse
view_watchdog 600
is_root || skip "needs root (uid 65534 callers, devices, ownership)"
command -v setpriv >/dev/null || skip "setpriv missing"
command -v setfacl >/dev/null || skip "setfacl missing (acl package)"

B=$T/backing
N=$T/native
M=$T/mnt
backing_split "$B"
chmod 0755 "$T"
cp "$FIX/mkmodes.py" "$T/mkmodes.py"
chmod 0644 "$T/mkmodes.py"
mkdir -p "$N" "$B/usr/lib/modes" "$B/lib/amodes"
setfacl -m u::rwx "$N" 2>/dev/null ||
	skip "the file system under $T has no POSIX ACLs"

USERS="0 65534"
UMASKS="000 022 077"
VARIANTS="plain sgid acl-min acl-ext"

# parent DIR UID VARIANT: make DIR as the parent of a case.
parent()
{
	mkdir -p "$1"
	case $3 in
	sgid)
		# Its group is one the caller is not in (for uid 65534).
		chown "$2:0" "$1"
		chmod 2775 "$1"
		[ "$2" = 0 ] && chown 0:65534 "$1" && chmod 2775 "$1"
		;;
	acl-min)
		chown "$2:$2" "$1"
		chmod 0755 "$1"
		setfacl -d -m u::rwx,g::rwx,o::r-x "$1"
		;;
	acl-ext)
		chown "$2:$2" "$1"
		chmod 0755 "$1"
		setfacl -d -m u::rwx,u:4242:r-x,g::r-x,m::rwx,o::--- "$1"
		;;
	*)
		chown "$2:$2" "$1"
		chmod 0755 "$1"
		;;
	esac
}

# Parents, before the mount: a) the canonical side exists in the backing
# (usr/lib/modes, reached as lib/modes); b) only the alias side does
# (lib/amodes, reached as usr/lib/amodes).
for u in $USERS; do
	for m in $UMASKS; do
		for v in $VARIANTS; do
			c=$u-$m-$v
			parent "$N/a-$c" "$u" "$v"
			parent "$N/b-$c" "$u" "$v"
			parent "$B/usr/lib/modes/$c" "$u" "$v"
			parent "$B/lib/amodes/$c" "$u" "$v"
		done
	done
done

umask 022
mount_view "$B" "$M" -o allow_other || fail "mount"

# make UID UMASK LABEL=DIR...: mkmodes.py in each DIR as UID with UMASK.
make_()
{
	_u=$1 _m=$2
	shift 2
	if [ "$_u" = 0 ]; then
		sh -c "umask $_m; exec python3 '$T/mkmodes.py' --devices $*"
	else
		setpriv --reuid="$_u" --regid="$_u" --clear-groups \
			sh -c "umask $_m; exec python3 '$T/mkmodes.py' $*"
	fi 2>&1
}

# modes LABEL=DIR...: name, mode and owner of every entry of each DIR.
modes()
{
	for _a in "$@"; do
		echo "== ${_a%%=*}"
		(cd "${_a#*=}" && stat -c '%n %a %u:%g' -- *) 2>&1
	done
}

# One run per caller and umask, over every parent (variant, placement).
for u in $USERS; do
	for m in $UMASKS; do
		native="" view="" backing=""
		for v in $VARIANTS; do
			c=$u-$m-$v
			native="$native $v-a=$N/a-$c $v-b=$N/b-$c"
			view="$view $v-a=$M/lib/modes/$c $v-b=$M/usr/lib/amodes/$c"
			backing="$backing $v-a=$B/usr/lib/modes/$c"
			backing="$backing $v-b=$B/usr/lib/amodes/$c"
		done
		want=$(make_ "$u" "$m" $native)
		check "uid $u umask $m: native made every entry" \
			test "$(echo "$want" | grep -c ' [0-7]* [0-9]*:[0-9]*')" \
			-ge 100
		check_eq "uid $u umask $m: as native" "$want" \
			"$(make_ "$u" "$m" $view)"
		# shellcheck disable=SC2086
		check_eq "uid $u umask $m: backing" "$(modes $native)" \
			"$(modes $backing)"
	done
done

# The test can fail: the native side did apply the umask and the ACL.
parent "$N/sanity-plain" 0 plain
parent "$N/sanity-acl" 0 acl-min
check_eq "native: umask 022 applied" "f0777 755 0:0" \
	"$(make_ 0 022 "x=$N/sanity-plain" | grep '^f0777')"
check_eq "native: a default ACL, not the umask" "f0777 775 0:0" \
	"$(make_ 0 022 "x=$N/sanity-acl" | grep '^f0777')"
finish
