# Helpers shared by the aliasctl-*.sh tests (POSIX sh); source after lib.sh.

# run COMMAND...: run it, keep stdout in $out, stderr in $err, status in $rc
# (the files stay in $T/run.out and $T/run.err).
run()
{
	"$@" >"$T/run.out" 2>"$T/run.err"
	rc=$?
	out=$(cat "$T/run.out")
	err=$(cat "$T/run.err")
}

# check_rc DESCRIPTION EXPECTED: the last run exited EXPECTED.
check_rc()
{
	if [ "$rc" = "$2" ]; then
		ok "$1"
	else
		fail "$1: expected exit $2, got $rc; stderr: $err"
	fi
}

# check_has DESCRIPTION NEEDLE HAYSTACK: HAYSTACK contains NEEDLE.
check_has()
{
	case $3 in
	*"$2"*) ok "$1" ;;
	*) fail "$1: [$2] not in [$3]" ;;
	esac
}

# check_usage DESCRIPTION COMMAND...: a usage error: exit 1, a message and
# the usage line on stderr, nothing on stdout.
check_usage()
{
	_cu=$1
	shift
	run "$@"
	check_rc "$_cu: exit 1" 1
	check_has "$_cu: usage on stderr" "Usage: aliasctl" "$err"
	check_eq "$_cu: stdout empty" "" "$out"
}

# aliases_of DB: "ALIAS CANONICAL" per line from `aliasctl list`, sorted.
aliases_of()
{
	aliasctl --db "$1" list | awk 'NR > 1 { print $1, $2 }' | LC_ALL=C sort
}

# default_set NAME...: the "/N /usr/N" lines of a default set, sorted.
default_set()
{
	for _n in "$@"; do
		echo "/$_n /usr/$_n"
	done | LC_ALL=C sort
}
