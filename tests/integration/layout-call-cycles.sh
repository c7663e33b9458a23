#!/bin/sh
# Calls go only downward: no two C files of archive/ or aliasctl/ call
# each other, directly or round a circle (scripts/call-cycles, from the
# symbols of the built object files). aliasdb/ (a circle through the
# convert and revert files) and fs/ join the list once they are split.
: "${top_srcdir:?}" "${top_builddir:?}"
command -v python3 >/dev/null 2>&1 || { echo "no python3" >&2; exit 77; }
command -v nm >/dev/null 2>&1 || { echo "no nm" >&2; exit 77; }
python3 "$top_srcdir/scripts/call-cycles" -b "$top_builddir" \
	archive aliasctl
r=$?
[ $r = 0 ] && echo "ok: no call circle in archive/, aliasctl/"
exit $r
