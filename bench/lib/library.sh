# bench/lib/library.sh — bench/run's library table (bash, sourced): what
# the aliasfs tools cost beside the usual way of doing the same, measured
# after the views are unmounted. The measurements are those of
# bench/owner.sh and bench/check-contents.sh, through the functions they
# share in bench/lib/archive.sh:
#   - b-canon: canonicalizations per second (aliasdb_map_canon);
#   - aliasctl owner vs dpkg-query -S, per query, on a copy of the tree
#     (LIB_QUERIES owned files, half spelled through an alias), one
#     process per query and all queries in one process;
#   - aliasctl check vs the awk pipeline on bookworm's main Contents-amd64
#     (cached; LIB_CONTENTS_LINES > 0 takes only its first lines).
# Each is run LIB_RUNS times and the median kept; a slow step is repeated
# only while its section stays within LIB_BUDGET seconds, and every command
# is bounded by LIB_LIMIT seconds. Rows go to $W/library.tsv:
#   key, measure, our tool, value, usual tool, value, unit, runs, note
# (values in the unit; unit "s" and "ms/query" are times, lower is better).
# shellcheck shell=bash

LIB_LIMIT=${LIB_LIMIT:-300}

# median NUMBER...: the median.
median()
{
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
		END { if (NR % 2) print v[(NR + 1) / 2]
		      else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# lib_row KEY MEASURE OURS VALUE THEIRS VALUE UNIT RUNS NOTE
lib_row()
{
	local IFS=$'\t'
	printf '%s\n' "$*" >>"$W/library.tsv"
}

# lib_time VAR CMD...: run CMD bounded by LIB_LIMIT seconds and append
# its wall time to the array VAR. CMD is a program, run as is, or a
# function of bench/lib/archive.sh, run in a bash of its own (its start-up
# is negligible beside the loops and pipelines those functions are).
# Exit status 1 is an answer (aliasctl check found conflicts, owner or
# dpkg-query -S a path nobody owns); 2 and above, or a timeout, fail.
lib_time()
{
	local -n _acc=$1
	local t0 t1 st
	shift
	t0=$EPOCHREALTIME
	if declare -F "$1" >/dev/null; then
		# shellcheck disable=SC2016 # expanded by that shell
		timeout "$LIB_LIMIT" env ALIASCTL="$ALIASCTL" \
			bash -c '. "$0"; "$@"' "$BENCH/lib/archive.sh" "$@"
	else
		timeout "$LIB_LIMIT" "$@"
	fi
	st=$?
	t1=$EPOCHREALTIME
	[ "$st" -le 1 ] || return 1
	_acc+=("$(elapsed "$t0" "$t1")")
}

library_canon()
{
	local out cps ns
	if [ "$HAVE_BUILD" != 1 ] ||
		! make -C "$BUILD" bench/b-canon >>"$W/make.log" 2>&1; then
		note_skip "library: b-canon" "cannot build it (make -C $BUILD bench/b-canon; see the make output)"
		return
	fi
	say "library: bench/b-canon"
	if ! out=$(timeout "$LIB_LIMIT" "$BUILD/bench/b-canon" 2>>"$W/run.log"); then
		note_skip "library: b-canon" "failed: $out"
		return
	fi
	cps=$(sed -n 's/.*median_calls_per_sec=\([0-9.]*\).*/\1/p' <<<"$out")
	ns=$(sed -n 's/.*median_ns_per_call=\([0-9.]*\).*/\1/p' <<<"$out")
	lib_row canon \
		"canonicalizations per second: aliasdb_map_canon, $(sed -n 's/.*calls=\([0-9]*\) .*/\1/p' <<<"$out") paths of a realistic mix per run" \
		"b-canon" "$(awk -v c="$cps" 'BEGIN { printf "%.2f", c / 1e6 }')" \
		"" "" "M/s" "$(sed -n 's/.* runs=\([0-9]*\).*/\1/p' <<<"$out")" \
		"$ns ns per call (wall), $(sed -n 's/.*median_cpu_ns_per_call=\([0-9.]*\).*/\1/p' <<<"$out") ns CPU"
}

library_owner()
{
	local root=$T/library/root q=$W/owner.queries total n i ok=1
	local -a ti tr ea ed ba bd qs
	if ! dpkg_usable >"$W/why"; then
		note_skip "library: aliasctl owner" "$(cat "$W/why")"
		return
	fi
	command -v dpkg-query >/dev/null 2>&1 || {
		note_skip "library: aliasctl owner" "no dpkg-query on this machine"
		return
	}
	say "library: aliasctl owner vs dpkg-query -S on a copy of the tree"
	if ! extract_tree "$root"; then
		note_skip "library: aliasctl owner" "cannot copy the tree"
		return
	fi
	total=$(owner_queries "$root" "$LIB_QUERIES" "$q")
	n=$(wc -l <"$q")
	mapfile -t qs <"$q"
	if ! lib_time ti "$ALIASCTL" index --root "$root" --arch amd64 >/dev/null 2>&1 ||
		! lib_time tr "$ALIASCTL" index --root "$root" --arch amd64 >/dev/null 2>&1; then
		note_skip "library: aliasctl owner" "aliasctl index --root failed"
		rm -rf --one-file-system "$root"
		return
	fi
	local t0=$EPOCHREALTIME
	for ((i = 0; i < LIB_RUNS; i++)); do
		: >"$W/owner.a" && : >"$W/owner.d"
		if ! lib_time ea owner_each_aliasctl "$root" "$q" "$W/owner.a" ||
			! lib_time ed owner_each_dpkg "$root" "$q" "$W/owner.d" ||
			! lib_time ba "$ALIASCTL" owner --root "$root" "${qs[@]}" >/dev/null 2>&1 ||
			! lib_time bd dpkg-query --root="$root" -S "${qs[@]}" >/dev/null 2>&1; then
			ok=0
			break
		fi
		[ "$(elapsed "$t0" "$EPOCHREALTIME" | cut -d. -f1)" -lt "$LIB_BUDGET" ] || break
	done
	if [ "$ok" != 1 ]; then
		note_skip "library: aliasctl owner" "a run failed or took over $LIB_LIMIT s"
		rm -rf --one-file-system "$root"
		return
	fi
	local fa fd
	fa=$(grep -c '^[^ ]*: /' "$W/owner.a")
	fd=$(grep -c '^[^ ]*: /' "$W/owner.d")
	lib_row index "aliasctl index of the tree's dpkg database ($total owned files): first build" \
		"aliasctl index" "${ti[0]}" "" "" s 1 ""
	lib_row reindex "aliasctl index again, nothing changed" \
		"aliasctl index" "${tr[0]}" "" "" s 1 ""
	lib_row owner-each "who owns a path, one process per query ($n queries from the tree's lists, half spelled through an alias)" \
		"aliasctl owner" "$(awk -v t="$(median "${ea[@]}")" -v n="$n" 'BEGIN { printf "%.4f", 1000 * t / n }')" \
		"dpkg-query -S" "$(awk -v t="$(median "${ed[@]}")" -v n="$n" 'BEGIN { printf "%.4f", 1000 * t / n }')" \
		ms/query "${#ea[@]}" "answer lines: aliasctl $fa, dpkg-query $fd (dpkg-query misses the spellings a package does not list)"
	lib_row owner-batch "who owns a path, all $n queries in one process" \
		"aliasctl owner" "$(awk -v t="$(median "${ba[@]}")" -v n="$n" 'BEGIN { printf "%.4f", 1000 * t / n }')" \
		"dpkg-query -S" "$(awk -v t="$(median "${bd[@]}")" -v n="$n" 'BEGIN { printf "%.4f", 1000 * t / n }')" \
		ms/query "${#ba[@]}" ""
	rm -rf --one-file-system "$root"
}

library_check()
{
	local f lines i t0 note
	local -a ta tw
	if ! f=$(contents_find amd64 2>"$W/why"); then
		if [ "$IS_ROOT" = 1 ] && command -v apt-file >/dev/null 2>&1; then
			say "library: fetching the Contents indices: apt-file update (at most $LIB_LIMIT s)"
			timeout "$LIB_LIMIT" apt-file update >>"$W/apt.log" 2>&1
			f=$(contents_find amd64 2>"$W/why")
		fi
		if [ -z "$f" ]; then
			note_skip "library: aliasctl check" "$(cat "$W/why")"
			return
		fi
	fi
	if [ "$LIB_CONTENTS_LINES" -gt 0 ]; then
		mkdir -p "$W/contents"
		contents_cat "$f" | head -n "$LIB_CONTENTS_LINES" >"$W/contents/Contents-amd64"
		f=$W/contents/Contents-amd64
	fi
	lines=$(contents_cat "$f" | wc -l)
	say "library: aliasctl check vs awk on $f ($lines lines)"
	contents_aliasctl_check "$f" >"$W/check.aliasctl"
	t0=$EPOCHREALTIME
	for ((i = 0; i < LIB_RUNS; i++)); do
		# aliasctl check exits 1 when it finds conflicts.
		if ! lib_time ta "$ALIASCTL" check --arch amd64 "$f" >/dev/null ||
			! lib_time tw contents_awk_check "$f" >"$W/check.awk"; then
			note_skip "library: aliasctl check" "a run failed or took over $LIB_LIMIT s"
			return
		fi
		[ "$(elapsed "$t0" "$EPOCHREALTIME" | cut -d. -f1)" -lt "$LIB_BUDGET" ] || break
	done
	if cmp -s "$W/check.aliasctl" "$W/check.awk"; then
		note="both find the same alias conflicts ($(wc -l <"$W/check.awk"))"
	else
		note="DIFFERENT results: aliasctl $(wc -l <"$W/check.aliasctl"), awk $(wc -l <"$W/check.awk") conflicts"
	fi
	if [ "$LIB_CONTENTS_LINES" -gt 0 ]; then
		lines="its first $lines lines"
	else
		lines="$lines lines"
	fi
	lib_row check "alias conflicts in bookworm main Contents-amd64 ($lines)" \
		"aliasctl check" "$(median "${ta[@]}")" \
		"awk pipeline" "$(median "${tw[@]}")" s "${#ta[@]}" "$note"
}

# library_run: the whole table; what cannot run is noted, never fatal.
library_run()
{
	local t0=$EPOCHREALTIME
	: >"$W/library.tsv"
	library_canon
	if ! bench_aliasctl "$BUILD" >"$W/why" &&
		! { [ "$HAVE_BUILD" = 1 ] &&
			make -C "$BUILD" aliasctl/aliasctl >>"$W/make.log" 2>&1 &&
			bench_aliasctl "$BUILD" >"$W/why"; }; then
		note_skip "library: aliasctl owner, aliasctl check" "$(cat "$W/why")"
		return
	fi
	library_owner
	library_check
	say "library: $(elapsed "$t0" "$EPOCHREALTIME") s"
}
