#!/bin/sh
# aliasctl canon - on a million lines: every line comes out, in order, and
# each one is what the amd64 defaults make of it.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/aliasctl-helpers.sh"

db=$T/db
check "init amd64" aliasctl --db "$db" init --arch amd64

# Four kinds of lines; the expected output is computed apart, by sed on
# the input, from the amd64 set's meaning.
awk 'BEGIN {
	for (i = 0; i < 1000000; i++) {
		k = i % 4
		if (k == 0) print "/bin/x" i
		else if (k == 1) print "/usr/share/doc/p" i "/copyright"
		else if (k == 2) print "/lib64/../lib/p" i ".so"
		else print "/sbin//t" i "/"
	}
}' >"$T/in"
sed -e 's|^/bin/|/usr/bin/|' \
	-e 's|^/lib64/\.\./lib/|/usr/lib/|' \
	-e 's|^/sbin//\(.*\)/$|/usr/sbin/\1|' "$T/in" >"$T/expected"
check_eq "input has 1000000 lines" 1000000 "$(wc -l <"$T/in")"

aliasctl --db "$db" canon - <"$T/in" >"$T/out"
check_eq "canon - exit status" 0 "$?"
check_eq "output has 1000000 lines" 1000000 "$(wc -l <"$T/out")"
check "output is the expected canonical paths" cmp "$T/expected" "$T/out"
check_eq "a sample line" "/usr/sbin/t999999" "$(tail -n 1 "$T/out")"
check_eq "/bin lines map to /usr/bin" 250000 \
	"$(grep -c '^/usr/bin/x[0-9]*$' "$T/out")"

finish
