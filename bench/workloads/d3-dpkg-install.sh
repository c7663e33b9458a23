# D3 dpkg -i: install a few dozen real bookworm packages (the list in
# bench/dpkg-packages.txt, fetched once with `apt-get download` into
# $CACHE_DIR/debs) into the view's root with the host's dpkg: `dpkg
# --root=VIEW -i *.deb` unpacks through the view and runs the maintainer
# scripts chrooted into it (hence root). Only the install is timed. After
# each run, untimed, the packages are purged and what the purge leaves
# behind (netbase's etc/hosts, ldconfig's aux-cache, update-alternatives'
# log) is removed; then the root must be as before the first run: the
# same paths (aliasfs's own database, var/lib/aliasfs, excepted) and the
# same dpkg status file. So every run installs into the same fresh root.
workload_register d3 "D3 dpkg -i: real packages into VIEW (install timed, purge untimed)" 0

D3_LIST=$BENCH/dpkg-packages.txt
D3_PKGS=()
D3_DEBS=()
D3_COUNT=0

d3_prepare()
{
	local p f arch host missing=() have
	if [ "$(id -u)" != 0 ]; then
		echo "D3 needs root: dpkg chroots into the root for maintainer scripts and chowns files"
		return 1
	fi
	dpkg_usable || return 1
	arch=$(dpkg_root "$NATIVE_TREE" --print-architecture 2>/dev/null)
	host=$(dpkg --print-architecture)
	if [ "$arch" != "$host" ]; then
		echo "the tree's architecture ($arch) is not the host's ($host): D3's packages are the host's"
		return 1
	fi
	while read -r p; do
		[ "${#D3_PKGS[@]}" -lt "$D3_MAX" ] || break
		have=$(dpkg-query --root="$NATIVE_TREE" -W -f '${db:Status-Abbrev}' "$p" 2>/dev/null)
		case $have in
		i* | ?i* | ?c* | ?h* | ?u* | ?t* | ?w* | ?f* | ?H* | ?U* | ?T* | ?W* | ?F*)
			say "D3: $p is already in the tree; not installing it"
			continue
			;;
		esac
		D3_PKGS+=("$p")
	done < <(sed 's/#.*//; /^[[:space:]]*$/d' "$D3_LIST")
	[ "${#D3_PKGS[@]}" -gt 0 ] || { echo "no package of $D3_LIST to install"; return 1; }
	mkdir -p "$CACHE_DIR/debs" || { echo "cannot create $CACHE_DIR/debs"; return 1; }
	for p in "${D3_PKGS[@]}"; do
		f=$(d3_deb "$p")
		[ -n "$f" ] || missing+=("$p")
	done
	if [ "${#missing[@]}" -gt 0 ]; then
		say "D3: fetching ${#missing[@]} packages with apt-get download into $CACHE_DIR/debs"
		# apt's _apt sandbox user may not write there: it then
		# downloads as root, with a warning (in apt.log).
		if ! (cd "$CACHE_DIR/debs" && apt-get download "${missing[@]}") \
			>>"$W/apt.log" 2>&1; then
			echo "apt-get download ${missing[*]} failed ($(grep '^E:' "$W/apt.log" | head -n 1)); try apt-get update"
			return 1
		fi
	fi
	for p in "${D3_PKGS[@]}"; do
		f=$(d3_deb "$p")
		[ -n "$f" ] || { echo "no ${p}_*_$host.deb in $CACHE_DIR/debs"; return 1; }
		D3_DEBS+=("$f")
	done
	D3_COUNT=${#D3_PKGS[@]}
	# shellcheck disable=SC2034 # read by bench/run
	WL_TITLE["d3"]="D3 dpkg -i: $D3_COUNT real packages into VIEW (install timed, purge untimed)"
	say "D3: $D3_COUNT packages, $(cat "${D3_DEBS[@]}" | wc -c) bytes of .deb"
}

# d3_deb NAME: the newest cached .deb of NAME for this architecture.
d3_deb()
{
	local f
	for f in "$CACHE_DIR/debs/$1"_*_"$(dpkg --print-architecture)".deb \
		"$CACHE_DIR/debs/$1"_*_all.deb; do
		[ -s "$f" ] && echo "$f"
	done | sort -V | tail -n 1
}

# d3_key VIEW: a file name prefix for VIEW's reference state.
d3_key()
{
	local k=${1//\//_}
	echo "$W/d3$k"
}

# d3_paths VIEW: every path of the root, sorted; aliasfs's database is
# left out (aliasfs creates it in the backing on the first dpkg run).
d3_paths()
{
	(cd "$1" && find . -path ./var/lib/aliasfs -prune -o -print) | LC_ALL=C sort
}

d3_check()
{
	local k
	k=$(d3_key "$1")
	d3_paths "$1" >"$k.paths" || return 1
	cp "$1/var/lib/dpkg/status" "$k.status" || return 1
}

d3_run()
{
	dpkg_root "$1" --log=/dev/null -i "${D3_DEBS[@]}" >/dev/null
}

d3_reset()
{
	local k n
	k=$(d3_key "$1")
	n=$(dpkg-query --root="$1" -W -f '${db:Status-Abbrev}\n' "${D3_PKGS[@]}" |
		grep -c '^ii')
	if [ "$n" != "$D3_COUNT" ]; then
		echo "dpkg -i exited 0 but only $n of $D3_COUNT packages are installed"
		return 1
	fi
	dpkg_root "$1" --log=/dev/null --purge "${D3_PKGS[@]}" >/dev/null || return 1
	d3_paths "$1" >"$k.now" || return 1
	# Left behind by the purge: remove, and say so in the log.
	LC_ALL=C comm -13 "$k.paths" "$k.now" | LC_ALL=C sort -r >"$k.left"
	if [ -s "$k.left" ]; then
		while read -r p; do
			echo "removing $p (left after the purge)"
			rm -rf "${1:?}/${p#./}"
		done <"$k.left"
		d3_paths "$1" >"$k.now" || return 1
	fi
	if ! cmp -s "$k.paths" "$k.now"; then
		echo "the root differs from before the first run:"
		diff "$k.paths" "$k.now" | head -n 5
		return 1
	fi
	if ! cmp -s "$k.status" "$1/var/lib/dpkg/status"; then
		echo "var/lib/dpkg/status differs from before the first run:"
		diff "$k.status" "$1/var/lib/dpkg/status" | head -n 5
		return 1
	fi
}
