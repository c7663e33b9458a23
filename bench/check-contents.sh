#!/bin/sh
# bench/check-contents.sh — `aliasctl check` over a release's Contents
# indices beside an equivalent awk pipeline. Not part of `make check`.
#
# usage: bench/check-contents.sh [--build DIR] [--runs N] [CONTENTS...]
#
# Default input: bookworm main Contents-amd64 and Contents-all as
# `apt-file update` leaves them in /var/lib/apt/lists (about 7.3 million
# lines). Prints the best wall time and peak memory of each tool over N
# runs (default 3) and checks that both find the same alias conflicts.
set -u

here=$(cd "$(dirname "$0")" && pwd)
build=$here/../build
runs=3
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	-h|--help) sed -n '2,11p' "$0"; exit 0 ;;
	*) break ;;
	esac
done
aliasctl=${ALIASCTL:-$build/aliasctl/aliasctl}
[ -x "$aliasctl" ] || { echo "no $aliasctl (build first, or --build DIR)" >&2; exit 1; }

if [ $# -eq 0 ]; then
	for f in /var/lib/apt/lists/*_dists_bookworm_main_Contents-amd64.* \
		/var/lib/apt/lists/*_dists_bookworm_main_Contents-all.*; do
		[ -e "$f" ] && set -- "$@" "$f"
	done
	if [ $# -eq 0 ]; then
		echo "no bookworm Contents indices in /var/lib/apt/lists:" \
			"run 'apt-get install apt-file && apt-file update'" >&2
		exit 1
	fi
fi

W=$(mktemp -d "${TMPDIR:-/tmp}/bench-check.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT

# The awk equivalent, as a script of its own so that it is timed whole:
# same parsing (the last blank run ends the path, comma lists, section/
# qualifiers), the same amd64 alias set, the same rule (two spellings by
# two packages).
cat >"$W/awk-check.sh" <<'EOS'
for f in "$@"; do
	case $f in
	*.lz4) lz4 -dc "$f" ;;
	*.gz) gzip -dc "$f" ;;
	*.xz) xz -dc "$f" ;;
	*.zst) zstd -dc "$f" ;;
	*) cat "$f" ;;
	esac
done | LC_ALL=C awk '
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
}' | sort
EOS

lines=0
for f in "$@"; do
	lines=$((lines + $( \
		case $f in *.lz4) lz4 -dc "$f" ;; *.gz) gzip -dc "$f" ;; \
		*.xz) xz -dc "$f" ;; *.zst) zstd -dc "$f" ;; *) cat "$f" ;; \
		esac | wc -l)))
done
echo "input: $* ($lines lines)"

# best_of N CMD...: run N times, print "best-seconds peak-KiB".
best_of()
{
	_n=$1
	shift
	_best=""
	_mem=0
	for _i in $(seq "$_n"); do
		/usr/bin/time -f '%e %M' -o "$W/time" "$@" >"$W/last" 2>/dev/null
		read -r _t _m <<EOT
$(tail -n 1 "$W/time")
EOT
		if [ -z "$_best" ]; then
			_best=$_t
		else
			_best=$(echo "$_best $_t" |
				awk '{ print ($2 < $1) ? $2 : $1 }')
		fi
		[ "$_m" -gt "$_mem" ] && _mem=$_m
	done
	echo "$_best $_mem"
}

if [ ! -x /usr/bin/time ]; then
	echo "needs /usr/bin/time (apt-get install time)" >&2
	exit 1
fi

r1=$(best_of "$runs" "$aliasctl" check --arch amd64 "$@")
"$aliasctl" check --arch amd64 --json "$@" |
	sed -n 's/.*"kind": "alias", "canonical": "\([^"]*\)".*/\1/p' |
	sort >"$W/aliasctl.txt"
r2=$(best_of "$runs" "$aliasctl" check --arch amd64 --all "$@")
r3=$(best_of "$runs" sh "$W/awk-check.sh" "$@")
cp "$W/last" "$W/awk.txt"

printf '\n| tool | best of %s (s) | peak RSS (MiB) | alias conflicts |\n' "$runs"
printf '|---|---|---|---|\n'
set -- $r1
printf '| aliasctl check | %s | %s | %s |\n' "$1" $(($2 / 1024)) \
	"$(wc -l <"$W/aliasctl.txt")"
set -- $r2
printf '| aliasctl check --all | %s | %s | (same-path too) |\n' "$1" \
	$(($2 / 1024))
set -- $r3
printf '| awk pipeline | %s | %s | %s |\n' "$1" $(($2 / 1024)) \
	"$(wc -l <"$W/awk.txt")"
if cmp -s "$W/aliasctl.txt" "$W/awk.txt"; then
	echo "both find the same alias conflicts"
else
	echo "DIFFERENT results:"
	diff "$W/aliasctl.txt" "$W/awk.txt"
	exit 1
fi
