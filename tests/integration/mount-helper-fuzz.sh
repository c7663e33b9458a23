#!/bin/sh
# mount.aliasfs against random option strings and argument lists: never a
# crash or a signal, always exit 0 or 1 (2 only for -N), a message on
# every refusal, and the daemon never sees an option outside the table.
# The seed is printed (ALIASFS_FUZZ_SEED=N repeats a run); a sanitizer
# build's reports fail it.
. "$top_srcdir/tests/integration/lib.sh"

H=$top_builddir/mount-helper/mount.aliasfs
SEED=${ALIASFS_FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
ROUNDS=${ALIASFS_FUZZ_ROUNDS:-100}
echo "seed $SEED, $ROUNDS rounds"

# A stand-in daemon that records its -o value and fails (exit 1).
FAKE=$T/fake-daemon
cat >"$FAKE" <<EOF
#!/bin/sh
echo "aliasfs: (fake) not mounted" >&2
while [ \$# -gt 0 ]; do
	[ "\$1" = -o ] && printf '%s\n' "\$2" >>"$T/passed"
	shift
done
exit 1
EOF
chmod +x "$FAKE"
ALIASFS_DAEMON=$FAKE
export ALIASFS_DAEMON

# The names the daemon may receive: the first column of --help's table.
"$H" --help | awk '/^Options for the view/ { v = 1; next }
	/^Options for mount/ { exit } v && NF { print $1 }' >"$T/daemon-names"
[ -s "$T/daemon-names" ] || fail "no option table in --help"

# One random option string a line: table names, values, separators,
# quotes, digits, and bytes 1..255 (argv cannot hold NUL).
awk -v seed="$SEED" -v rounds="$ROUNDS" -v namefile="$T/daemon-names" '
BEGIN {
	srand(seed)
	n = 0
	while ((getline l < namefile) > 0)
		names[++n] = l
	split("nofail,_netdev,x-systemd.automount,defaults,user,users,owner,noauto,comment=c,X-x,debug,fsname,relatime", extra, ",")
	split("=,\",\\,-,1,0,.,/, ,=claims,=raw,=inode,=open,=amd64,=99999999999", bits, ",")
	for (r = 0; r < rounds; r++) {
		s = ""
		k = 1 + int(rand() * 6)
		for (i = 0; i < k; i++) {
			p = rand()
			if (p < 0.45)
				s = s names[1 + int(rand() * n)]
			else if (p < 0.6)
				s = s extra[1 + int(rand() * 13)]
			if (rand() < 0.3)
				s = s bits[1 + int(rand() * 15)]
			if (rand() < 0.2)
				s = s int(rand() * 2000000)
			if (rand() < 0.08) {
				c = 1 + int(rand() * 255)
				if (c != 10)
					s = s sprintf("%c", c)
			}
			if (i + 1 < k)
				s = s ","
		}
		print s
	}
}' >"$T/cases"

# run EXPECTED_CODES ARGS...: the helper exits with one of the codes, not
# by a signal, and says something on stderr whenever it fails.
runs=0
bad=0
run()
{
	_codes=$1
	shift
	"$H" "$@" >"$T/out" 2>"$T/err"
	_rc=$?
	runs=$((runs + 1))
	case " $_codes " in
	*" $_rc "*) ;;
	*)
		bad=$((bad + 1))
		fail "exit $_rc (wanted $_codes) for: $(printf '%s|' "$@" |
			od -An -c | tr -s ' ' | head -c 300)"
		return
		;;
	esac
	if grep -q 'Sanitizer\|runtime error' "$T/err"; then
		bad=$((bad + 1))
		fail "sanitizer report for: $(printf '%s|' "$@" |
			od -An -c | tr -s ' ' | head -c 300): $(head -n 5 "$T/err")"
		return
	fi
	if [ "$_rc" -ne 0 ] && ! grep -q '^mount.aliasfs: \|^aliasfs: ' "$T/err"
	then
		bad=$((bad + 1))
		fail "exit $_rc without a message for: $(printf '%s|' "$@" |
			od -An -c | tr -s ' ' | head -c 300)"
	fi
}

while IFS= read -r opts; do
	# Fake (-f) mode: 0 or 1. Without -f: 1, or 32 from the fake daemon.
	run "0 1" /b /m -f -o "$opts"
	run "1 32" /b /m -o "$opts"
	run "0 1" -sf /b /m -o "$opts"
done <"$T/cases"

# Every option string the fake daemon received holds table names only.
if [ -f "$T/passed" ]; then
	# Split on commas not escaped by a backslash, drop values.
	sed 's/\\\\/\x01/g; s/\\,/\x02/g' "$T/passed" | tr ',' '\n' |
		sed 's/=.*//' | LC_ALL=C sort -u >"$T/passed-names"
	check_eq "the daemon saw only the table's options" "" \
		"$(LC_ALL=C sort -u "$T/daemon-names" |
			LC_ALL=C comm -23 "$T/passed-names" -)"
	ok "the daemon ran $(wc -l <"$T/passed") times"
else
	fail "no random string was ever accepted: the fuzzer is broken"
fi

# Random argument lists made of the helper's own letters and words.
awk -v seed="$SEED" -v rounds="$ROUNDS" 'BEGIN {
	srand(seed + 1)
	split("-s -f -n -v -o -oro -t aliasfs fuse.aliasfs -N -- - -x --help=x --bogus -fvn -sN /b /m x ro,nofail -V", w, " ")
	for (r = 0; r < rounds; r++) {
		k = int(rand() * 7)
		s = ""
		for (i = 0; i < k; i++)
			s = s " " w[1 + int(rand() * 23)]
		print s
	}
}' >"$T/argcases"
while read -r args; do
	# shellcheck disable=SC2086 # split on purpose
	run "0 1 2" -f $args
done <"$T/argcases"

ok "$runs runs, $bad bad"
finish
