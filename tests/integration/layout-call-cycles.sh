#!/bin/sh
# Calls go only downward: no two C files of aliasdb/, archive/, aliasctl/
# or fs/ call each other, directly or round a circle (scripts/call-cycles,
# from the symbols of the built object files); in fs/, every call goes to
# a file below its caller in the layer table of fs/README.md.
: "${top_srcdir:?}" "${top_builddir:?}"
command -v python3 >/dev/null 2>&1 || { echo "no python3" >&2; exit 77; }
command -v nm >/dev/null 2>&1 || { echo "no nm" >&2; exit 77; }
python3 "$top_srcdir/scripts/call-cycles" -b "$top_builddir" \
	aliasdb archive aliasctl fs
r=$?
[ $r = 0 ] && echo "ok: no call circle in aliasdb/, archive/, aliasctl/, fs/"
exit $r
