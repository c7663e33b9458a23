#!/bin/sh
# Programs that replace an alias symlink with a directory (DESIGN.md view
# rule 9, aliasfs(8) "Programs that replace an alias"): GNU tar, busybox
# tar, rsync -a (with and without --delete), cpio -i and cp -a extracting
# a split tree into views over empty, split and merged backings. Each
# tool must terminate (under `timeout`: a daemon that makes it retry for
# ever fails the test), exit as on a native split directory (cp -a: as on
# a native merged one, which is the best it can do: it refuses before
# trying anything), put every file at its canonical path in the backing,
# make no real alias directory there, and leave every alias active (the
# database and the view). Two sources: a split tree, and one whose
# packages moved files across spellings (one name under bin/ and usr/bin/,
# same and different content). Then: `rm` of an alias whose canonical
# directory is empty still removes it (usrmerge's postinst), of one with
# content keeps it; two tars at once; a caller the daemon cannot identify.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/backings.sh"
need_fuse
view_watchdog 900

TOOLS="tar bbtar rsync rsync-delete cpio cpio-newer cp"
for p in tar busybox rsync cpio; do
	command -v "$p" >/dev/null 2>&1 || skip "$p missing"
done

# --- the sources ---------------------------------------------------------

# A split tree, as every rootfs tarball and pre-transition .deb has it.
S=$T/src-split
put "$S/bin/foo" "split /bin/foo"
put "$S/sbin/sfoo" "split /sbin/sfoo"
put "$S/lib/$MA/libfoo.so.1" "split /lib/libfoo"
put "$S/lib/$MA/sub/deep" "split /lib/sub/deep"
put "$S/lib64/ld-foo.so" "split /lib64/ld-foo"
put "$S/usr/bin/bar" "split /usr/bin/bar"
put "$S/usr/lib/$MA/libbar.so.1" "split /usr/lib/libbar"
put "$S/usr/share/doc/x/copyright" "split copyright"
chmod 0755 "$S/bin/foo"

# Packages that moved files between spellings: one name on both sides,
# with the same and with a different content, and names on one side only.
S=$T/src-moved
put "$S/bin/mv-same" "identical"
put "$S/usr/bin/mv-same" "identical"
put "$S/bin/mv-diff" "the /bin version, longer"
put "$S/usr/bin/mv-diff" "the /usr/bin version"
put "$S/bin/mv-onlybin" "moved-only-bin"
put "$S/usr/bin/mv-onlyusr" "moved-only-usr"
put "$S/lib/$MA/libm.so.6" "libm"
put "$S/usr/lib/$MA/libm.so.6" "libm"
put "$S/usr/lib/$MA/libz.so.1" "libz"

for src in split moved; do
	S=$T/src-$src
	# Old times: an unpacker that compares them (cpio) keeps what the
	# view has; the -newer cpio archive makes it replace everything.
	find "$S" -exec touch -h -d 2020-01-01 {} +
	(cd "$S" && tar --sort=name --format=gnu -cf "$T/$src.tar" .) ||
		fail "tar -c $src"
	(cd "$S" && find . | LC_ALL=C sort |
		cpio -o -H newc --quiet >"$T/$src.cpio") || fail "cpio -o $src"
	cp -a "$S" "$T/newer-$src"
	find "$T/newer-$src" -exec touch -h -d '+2 days' {} +
	(cd "$T/newer-$src" && find . | LC_ALL=C sort |
		cpio -o -H newc --quiet >"$T/$src-newer.cpio") ||
		fail "cpio -o $src (newer)"
done

# run_tool TOOL SRC DEST: run TOOL to put source SRC into DEST, bounded
# in time; prints nothing, returns its exit status (124: killed).
run_tool()
{
	_s=$T/src-$2
	case $1 in
	tar) timeout 60 tar -xf "$T/$2.tar" -C "$3" ;;
	bbtar) timeout 60 busybox tar -xf "$T/$2.tar" -C "$3" ;;
	rsync) timeout 60 rsync -a "$_s/" "$3/" ;;
	# The alias database lives in the tree: --delete would take it with
	# everything else the source lacks.
	rsync-delete) timeout 60 rsync -a --delete --exclude=/var/lib/aliasfs \
		"$_s/" "$3/" ;;
	cpio) (cd "$3" && timeout 60 cpio -idm --quiet <"$T/$2.cpio") ;;
	cpio-newer) (cd "$3" && timeout 60 cpio -idm --quiet <"$T/$2-newer.cpio") ;;
	cp) timeout 60 cp -a "$_s/." "$3/" ;;
	esac
} >>"$T/tools.log" 2>&1

# canonical_of PATH: sets _c to the spelling of PATH (relative) with its
# alias resolved, and _o to the same name under its other spelling (for a
# name outside the aliases, one no source has). No subshell: this runs
# for every file of every combination.
canonical_of()
{
	case $1 in
	bin/* | sbin/* | lib/* | lib32/* | lib64/* | libx32/*)
		_c=usr/$1
		_o=$_c ;;
	usr/bin/* | usr/sbin/* | usr/lib/* | usr/lib32/* | usr/lib64/* | \
		usr/libx32/*)
		_c=$1
		_o=${1#usr/} ;;
	*)
		_c=$1
		_o=none/$1 ;;
	esac
}

# Every file of each source (FILES_src, relative), and the alias names it
# has (ALIASES_src).
for src in split moved; do
	eval "FILES_$src=\$(cd \"\$T/src-$src\" && find . -type f |
		sed 's|^\./||' | LC_ALL=C sort)"
	_l=""
	for _a in $ALIASES; do
		[ -d "$T/src-$src/$_a" ] && _l="$_l $_a"
	done
	eval "ALIASES_$src=\$_l"
done

# check_landed LABEL SRC B M [skip-alias-side]: every file of SRC is at
# its canonical path in backing B, with the content of one of its
# spellings (the one the tool wrote last), and reads the same through view
# M. With "skip-alias-side": files only under an alias spelling are not
# expected.
check_landed()
{
	_bad=""
	_late=""
	eval "_files=\$FILES_$2"
	for _p in $_files; do
		canonical_of "$_p"
		if [ "${5:-}" = skip-alias-side ] && [ "$_c" != "$_p" ]; then
			[ -f "$T/src-$2/$_o" ] || continue
		fi
		if ! cmp -s "$3/$_c" "$T/src-$2/$_p" &&
			! cmp -s "$3/$_c" "$T/src-$2/$_o" 2>/dev/null; then
			_bad="$_bad $_p:[$(cat "$3/$_c" 2>&1)]"
			continue
		fi
		cmp -s "$4/$_c" "$3/$_c" || _late="$_late $_c"
	done
	check_eq "$1: every file at its canonical path" "" "$_bad"
	# The kernel learns of names written through a door from the
	# daemon's watcher thread: poll for the view's answer.
	for _c in $_late; do
		poll 5 cmp -s "$4/$_c" "$3/$_c" ||
			fail "$1: $_c through the view: $(cat "$4/$_c" 2>&1)"
	done
}

# want_alias TOOL SRC ALIAS: sets _want to the state ALIAS must have:
# active, or "" (absent) for one rsync --delete was told to delete (the
# source has no such name: gone, as the link goes natively).
want_alias()
{
	eval "_has=\" \$ALIASES_$2 \""
	_want=active
	case "$1:$_has" in
	rsync-delete:*" $3 "*) ;;
	rsync-delete:*) _want="" ;;
	esac
}

# check_aliases LABEL B M KIND TOOL SRC: the backing has no real alias
# directory the tool made, and every alias is as want_alias says, in the
# view and in the database.
check_aliases()
{
	# The view first: a lookup settles what an exited program left,
	# the database included.
	for _a in $ALIASES; do
		want_alias "$5" "$6" "$_a"
		if [ -n "$_want" ]; then
			check_eq "$1: /$_a in the view" "usr/$_a" \
				"$(readlink "$3/$_a" 2>&1)"
		else
			check_fails "$1: /$_a gone from the view" \
				test -L "$3/$_a"
		fi
	done
	_states=" "
	while read -r _x _y _z _rest; do
		_states="$_states$_x=$_z "
	done <<EOF
$(aliasctl --root "$2" list 2>/dev/null)
EOF
	for _a in $ALIASES; do
		want_alias "$5" "$6" "$_a"
		case $_states in
		*" /$_a=active "*) _got=active ;;
		*" /$_a="*) _got=other ;;
		*) _got="" ;;
		esac
		check_eq "$1: /$_a in the database" "$_want" "$_got"
		case $4 in
		empty)
			[ "$_want" ] && check_fails "$1: no backing /$_a made" \
				test -e "$2/$_a" ;;
		merged)
			[ "$_want" ] && check "$1: backing /$_a still a link" \
				test -L "$2/$_a" ;;
		split)
			eval "_files=\$FILES_$6"
			for _p in $_files; do
				case $_p in "$_a"/*) ;; *) continue ;; esac
				[ -e "$2/$_p" ] &&
					fail "$1: $_p written at the alias side"
			done ;;
		esac
	done
}

# alias_state B ALIAS: its state in the database (empty: absent).
alias_state()
{
	aliasctl --root "$1" list 2>/dev/null | awk -v a="/$2" '$1 == a { print $3 }'
}

# --- the matrix ------------------------------------------------------------

for tool in $TOOLS; do
	for src in split moved; do
		# What the tool does natively: into a split directory (what
		# the view should match), into a merged one (what it breaks).
		N=$T/native-split-$tool-$src
		backing_split "$N"
		run_tool "$tool" "$src" "$N"
		native_split=$?
		N=$T/native-merged-$tool-$src
		backing_merged "$N"
		run_tool "$tool" "$src" "$N"
		native_merged=$?
		case $tool in
		cp) want=$native_merged ;;
		*) want=$native_split ;;
		esac
		broke=""
		for a in bin lib; do
			[ -L "$N/$a" ] || broke="$broke $a"
		done
		echo "native $tool $src: split $native_split, merged" \
			"$native_merged, merged links replaced:${broke:- none}"

		for kind in empty split merged; do
			L="$tool $src over $kind"
			B=$T/b-$tool-$src-$kind
			M=$T/m-$tool-$src-$kind
			"backing_$kind" "$B"
			backing_db "$B"
			mount_view "$B" "$M" || { fail "$L: mount"; continue; }
			run_tool "$tool" "$src" "$M"
			rc=$?
			check_eq "$L: terminates, exit status as natively" \
				"$want" "$rc"
			if [ "$tool" = cp ]; then
				# cp -a refuses a symlink where it copies a
				# directory (natively too); copying into the
				# alias is the way.
				check_landed "$L" "$src" "$B" "$M" \
					skip-alias-side
				eval "_has=\$ALIASES_$src"
				for a in $_has; do
					timeout 60 cp -a "$T/src-$src/$a/." \
						"$M/$a/" 2>>"$T/tools.log" ||
						fail "$L: cp -a into $a/"
				done
			fi
			check_landed "$L" "$src" "$B" "$M"
			check_aliases "$L" "$B" "$M" "$kind" "$tool" "$src"
			if [ "$tool" = rsync-delete ]; then
				# Again: nothing the first run wrote goes, and
				# the aliases stay.
				run_tool "$tool" "$src" "$M"
				check_eq "$L: second run" 0 "$?"
				check_landed "$L, second run" "$src" "$B" "$M"
				check_aliases "$L, second run" "$B" "$M" \
					"$kind" "$tool" "$src"
			fi
			umount_view "$M" || fail "$L: unmount"
			case $tool in tar | rsync-delete) ;; *) continue ;; esac
			# ... and after a remount.
			mount_view "$B" "$M" || { fail "$L: remount"; continue; }
			check_eq "$L: lib still the alias after a remount" \
				usr/lib "$(readlink "$M/lib" 2>&1)"
			umount_view "$M"
		done
	done
done

# --- unlinking an alias, as usrmerge's postinst does ------------------------

for kind in empty split merged; do
	B=$T/rm-$kind
	M=$T/mrm-$kind
	"backing_$kind" "$B"
	backing_db "$B"
	mount_view "$B" "$M" || { fail "rm $kind: mount"; continue; }
	# An unused biarch link: usr/lib32 is empty (or absent).
	check "rm $kind: rm /lib32" rm "$M/lib32"
	check_fails "rm $kind: /lib32 gone" test -L "$M/lib32"
	check_eq "rm $kind: not in the database" "" "$(alias_state "$B" lib32)"
	check_fails "rm $kind: no backing lib32" test -e "$B/lib32"
	if [ -d "$B/usr/lib32" ]; then
		# A real empty directory, which usrmerge then removes.
		check "rm $kind: rmdir /usr/lib32" rmdir "$M/usr/lib32"
		check_fails "rm $kind: no backing usr/lib32" \
			test -e "$B/usr/lib32"
	else
		check "rm $kind: usr/lib32 gone from the view" \
			poll 5 sh -c "! test -e '$M/usr/lib32'"
	fi
	# One with content stays (the unlink itself succeeds).
	put "$M/usr/lib/$MA/keep" "keep"
	check "rm $kind: rm /lib" rm "$M/lib"
	check_eq "rm $kind: /lib stays" usr/lib "$(readlink "$M/lib" 2>&1)"
	check_eq "rm $kind: in the database" active "$(alias_state "$B" lib)"
	# A program that makes the alias again (a merged tree's tarball).
	ln -s usr/bin "$T/bin-link"
	(cd "$T" && tar -cf "$T/merged-link.tar" bin-link --transform \
		's|^bin-link$|bin|') || fail "tar -c merged-link"
	check "rm $kind: tar -x of a bin -> usr/bin member" \
		timeout 60 tar -xf "$T/merged-link.tar" -C "$M"
	check_eq "rm $kind: bin still the alias" usr/bin \
		"$(readlink "$M/bin" 2>&1)"
	umount_view "$M"
	mount_view "$B" "$M" || { fail "rm $kind: remount"; continue; }
	check_fails "rm $kind: lib32 stays gone after a remount" \
		test -L "$M/lib32"
	umount_view "$M"
	rm -f "$T/bin-link"
done

# --- what tar sets on the directory it made -------------------------------

# It lands on the canonical directory (as busybox tar and cpio set it when
# they write through the link), and the view's canonical spelling, cached
# before, shows it. The mkdir's own 0700 does not.
mkdir -p "$T/attr-src/lib/$MA"
put "$T/attr-src/lib/$MA/f" "f"
chmod 0750 "$T/attr-src/lib"
touch -d 2019-06-01 "$T/attr-src/lib"
(cd "$T/attr-src" && tar --sort=name -cf "$T/attr.tar" lib) || fail "tar -c"
B=$T/attr
M=$T/mattr
backing_merged "$B"
backing_db "$B"
mount_view "$B" "$M" || fail "attr: mount"
stat -c %a "$M/usr/lib" >/dev/null
run_tool tar attr "$M"
check_eq "attr: tar" 0 "$?"
check_eq "attr: mode on usr/lib" 750 "$(stat -c %a "$B/usr/lib")"
check_eq "attr: mtime on usr/lib" "$(stat -c %Y "$T/attr-src/lib")" \
	"$(stat -c %Y "$B/usr/lib")"
check "attr: the view's usr/lib shows it" poll 5 sh -c \
	"[ \"\$(stat -c %a '$M/usr/lib')\" = 750 ]"
check_eq "attr: lib is the alias" usr/lib "$(readlink "$M/lib" 2>&1)"
umount_view "$M"

# --- two programs at once ---------------------------------------------------

B=$T/two
M=$T/mtwo
backing_split "$B"
backing_db "$B"
mount_view "$B" "$M" || fail "two: mount"
run_tool tar split "$M" &
p1=$!
run_tool rsync moved "$M" &
p2=$!
wait "$p1"
check_eq "two: tar" 0 "$?"
wait "$p2"
check_eq "two: rsync" 0 "$?"
check_landed "two: tar" split "$B" "$M"
check_landed "two: rsync" moved "$B" "$M"
check_aliases "two" "$B" "$M" split tar split
umount_view "$M"

# --- a caller the daemon cannot follow --------------------------------------

# A daemon in a pid namespace of its own gets pid 0 for callers outside
# it: it cannot tell which program unlinked the alias, so the unlink is
# refused (EPERM) and nothing else changes; GNU tar then writes through
# the alias, as busybox tar does.
if is_root && unshare --pid --fork true 2>/dev/null; then
	B=$T/pidns
	M=$T/mpidns
	backing_merged "$B"
	backing_db "$B"
	mkdir -p "$M"
	_lib_mounts="$_lib_mounts $M"
	unshare --pid --fork aliasfs -f "$B" "$M" 2>>"$T/aliasfs.log" &
	daemon=$!
	if wait_mounted "$M"; then
		check_fails "pidns: rm /lib32 refused" rm "$M/lib32"
		check_eq "pidns: lib32 kept" active "$(alias_state "$B" lib32)"
		run_tool tar split "$M"
		check_eq "pidns: tar terminates" 0 "$?"
		check_landed "pidns: tar" split "$B" "$M"
		check_aliases "pidns" "$B" "$M" merged tar split
		umount_view "$M"
	else
		fail "pidns: mount never appeared"
	fi
	wait "$daemon"
fi

finish
