# bench/lib/archive.sh — set-up and measurements shared by the archive
# benchmarks (bench/extract.sh, bench/owner.sh, bench/check-contents.sh)
# and the library section of bench/run. POSIX sh, sourced; every name it
# defines starts with bench_, owner_ or contents_.
# shellcheck shell=sh

# The cache of downloaded and bootstrapped inputs, kept between runs:
# essential.tar (bench/run's tree), minbase/ (a bootstrapped root with
# its .deb files), debs/ (D3's packages), Contents-ARCH.lz4.
# ALIASFS_BENCH_CACHE may name the directory or, as bench/run always
# accepted, the tree tar inside it.
bench_cache_dir()
{
	case ${ALIASFS_BENCH_CACHE:-} in
	'') echo /var/tmp/aliasfs-cache ;;
	*.tar) dirname "$ALIASFS_BENCH_CACHE" ;;
	*) echo "$ALIASFS_BENCH_CACHE" ;;
	esac
}

# bench_now: wall clock in seconds with nanoseconds.
bench_now()
{
	date +%s.%N
}

# bench_elapsed START: seconds since START (from bench_now), 3 decimals.
bench_elapsed()
{
	echo "$1 $(bench_now)" | awk '{ printf "%.3f", $2 - $1 }'
}

# bench_timed VAR CMD...: run CMD and set VAR to the seconds it took
# (bench_elapsed); returns CMD's exit status.
bench_timed()
{
	_bt_var=$1
	shift
	_bt_start=$(bench_now)
	"$@"
	_bt_status=$?
	eval "$_bt_var=\$(bench_elapsed \"\$_bt_start\")"
	return "$_bt_status"
}

# bench_aliasctl BUILD: set ALIASCTL (ALIASCTL in the environment wins,
# else BUILD/aliasctl/aliasctl); prints why and fails if it is not built.
bench_aliasctl()
{
	ALIASCTL=${ALIASCTL:-$1/aliasctl/aliasctl}
	if [ ! -x "$ALIASCTL" ]; then
		echo "no $ALIASCTL (build first, or --build DIR)"
		return 1
	fi
}

# bench_minbase: print the cached minbase bookworm root (with its .deb
# files kept in var/cache/apt/archives), bootstrapping it with mmdebstrap
# when absent (a minute or two; needs the Debian mirror).
bench_minbase()
{
	_root=$(bench_cache_dir)/minbase
	if [ ! -d "$_root/var/lib/dpkg/info" ] ||
		[ ! -d "$_root/var/cache/apt/archives" ]; then
		command -v mmdebstrap >/dev/null 2>&1 || {
			echo "no $_root and no mmdebstrap to make it" >&2
			return 1
		}
		echo "making $_root with mmdebstrap (a minute or two)" >&2
		mkdir -p "${_root%/*}" || return 1
		rm -rf "$_root.partial"
		mmdebstrap --variant=minbase --skip=cleanup/apt/cache bookworm \
			"$_root.partial" >&2 || { rm -rf "$_root.partial"; return 1; }
		rm -rf "$_root"
		mv "$_root.partial" "$_root" || return 1
	fi
	echo "$_root"
}

# ---------------------------------------------------------------- owner
# owner_queries ROOT N OUT: up to N files (not directories) from ROOT's
# dpkg file lists, every k-th, every other one respelled through its alias
# where it has one (/usr/bin/x -> /bin/x), into OUT; prints how many
# owned files ROOT has.
owner_queries()
{
	cat "$1"/var/lib/dpkg/info/*.list | LC_ALL=C sort -u | while read -r _p; do
		[ -f "$1$_p" ] && [ ! -L "$1$_p" ] && echo "$_p"
	done >"$3.files"
	_total=$(wc -l <"$3.files")
	_step=$((_total / $2))
	[ "$_step" -ge 1 ] || _step=1
	awk -v s="$_step" -v n="$2" 'NR % s == 0 && c < n { c++; print }' \
		"$3.files" |
		awk 'NR % 2 == 0 { sub(/^\/usr\/(bin|sbin|lib|lib64)\//, "/&"); sub(/^\/\/usr/, "") } { print }' \
			>"$3"
	rm -f "$3.files"
	echo "$_total"
}

# owner_index ROOT ARCH: (re)build ROOT's ownership index.
owner_index()
{
	"$ALIASCTL" index --root "$1" --arch "$2" >/dev/null
}

# owner_each_aliasctl ROOT QUERIES OUT: one aliasctl process per query;
# the answers appended to OUT.
owner_each_aliasctl()
{
	while read -r _q; do
		"$ALIASCTL" owner --root "$1" "$_q" >>"$3" 2>&1
	done <"$2"
}

# owner_each_dpkg ROOT QUERIES OUT: one dpkg-query -S process per query.
owner_each_dpkg()
{
	while read -r _q; do
		dpkg-query --root="$1" -S "$_q" >>"$3" 2>&1
	done <"$2"
}

# owner_batch_aliasctl ROOT QUERIES / owner_batch_dpkg ROOT QUERIES: every
# query in one process.
owner_batch_aliasctl()
{
	# shellcheck disable=SC2046 # one argument per line of QUERIES
	"$ALIASCTL" owner --root "$1" $(cat "$2") >/dev/null 2>&1
	return 0
}

owner_batch_dpkg()
{
	# shellcheck disable=SC2046
	dpkg-query --root="$1" -S $(cat "$2") >/dev/null 2>&1
	return 0
}

# ------------------------------------------------------------- Contents
# contents_cat FILE...: the decompressed text of Contents indices.
contents_cat()
{
	for _f in "$@"; do
		case $_f in
		*.lz4) lz4 -dc "$_f" ;;
		*.gz) gzip -dc "$_f" ;;
		*.xz) xz -dc "$_f" ;;
		*.zst) zstd -dc "$_f" ;;
		*) cat "$_f" ;;
		esac
	done
}

# contents_find SUFFIX: print the cached bookworm main Contents-SUFFIX
# (e.g. amd64, all) of $(bench_cache_dir), copying it there from
# /var/lib/apt/lists (where `apt-file update` leaves it) the first time.
# Fails, with the reason on stderr, when neither has it.
contents_find()
{
	_dir=$(bench_cache_dir)
	for _f in "$_dir/Contents-$1".*; do
		[ -s "$_f" ] && { echo "$_f"; return 0; }
	done
	for _f in /var/lib/apt/lists/*_dists_bookworm_main_Contents-"$1".*; do
		[ -s "$_f" ] || continue
		mkdir -p "$_dir" && cp "$_f" "$_dir/Contents-$1.${_f##*.}.partial" &&
			mv "$_dir/Contents-$1.${_f##*.}.partial" "$_dir/Contents-$1.${_f##*.}" &&
			{ echo "$_dir/Contents-$1.${_f##*.}"; return 0; }
		# The cache is not writable: use the apt list in place.
		echo "$_f"
		return 0
	done
	echo "no bookworm main Contents-$1 in $_dir or /var/lib/apt/lists:" \
		"run 'apt-get install apt-file && apt-file update'" >&2
	return 1
}

# contents_awk_check FILE...: the scripted equivalent of `aliasctl check`:
# same parsing (the last blank run ends the path, comma lists, section/
# qualifiers), the same amd64 alias set, the same rule (two spellings by
# two packages); prints the conflicting canonical paths, sorted.
contents_awk_check()
{
	contents_cat "$@" | LC_ALL=C awk '
{
	sub(/\r$/, ""); sub(/[ \t]+$/, "")
	if (!match($0, /[ \t]+[^ \t]+$/)) next
	path = "/" substr($0, 1, RSTART - 1)
	pkgs = substr($0, RSTART); sub(/^[ \t]+/, "", pkgs)
	if (path ~ /^\/(bin|sbin|lib|lib32|lib64|libx32)(\/|$)/)
		canon = "/usr" path
	else if (path ~ /^\/usr\/(bin|sbin|lib|lib32|lib64|libx32)(\/|$)/)
		canon = path
	else
		next
	n = split(pkgs, P, ",")
	for (i = 1; i <= n; i++) {
		p = P[i]; sub(/.*\//, "", p)
		if (!((canon, path) in sp)) { sp[canon, path] = 1; nsp[canon]++ }
		if (!((canon, p) in pk)) { pk[canon, p] = 1; npk[canon]++ }
	}
}
END {
	for (c in nsp)
		if (nsp[c] >= 2 && npk[c] >= 2)
			print c
}' | LC_ALL=C sort
}

# contents_aliasctl_check FILE...: `aliasctl check` on the same input,
# reduced to the conflicting canonical paths of kind "alias", sorted.
contents_aliasctl_check()
{
	"$ALIASCTL" check --arch amd64 --json "$@" |
		sed -n 's/.*"kind": "alias", "canonical": "\([^"]*\)".*/\1/p' |
		LC_ALL=C sort
}
