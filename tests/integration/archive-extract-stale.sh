#!/bin/sh
# aliasctl extract killed mid-run leaves its staging directory
# (ROOT/.aliasctl-extract.PID.N) behind; the next extract into that root
# removes it, and removes a directory named after a live process that is
# no extract (a reused process id), but never touches the staging
# directory of an extract still running. The killed and the running
# extract read their package from a FIFO the test holds half-way, so each
# is at a known point (in the middle of a large member) without any
# timing.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/archive-helpers.sh"

# Feeders still blocked on their FIFO when the test ends (a failure):
# each runs in a process group of its own, killed whole.
_feeders=""
trap 'for _f in $_feeders; do kill -- -"$_f" 2>/dev/null; done; _lib_cleanup' EXIT

# feed DEB FIFO GATE: in the background, write the first half of DEB into
# FIFO, then wait until GATE is opened for writing (release), then write
# the rest. Sets $feeder.
feed()
{
	mkfifo "$2" "$3" || fail "mkfifo"
	setsid sh -c '
		half=$(($(stat -c %s "$1") / 2))
		{
			head -c "$half" "$1"
			cat "$3"
			tail -c +"$((half + 1))" "$1"
		} >"$2" 2>/dev/null' feed "$1" "$2" "$3" &
	feeder=$!
	_feeders="$_feeders $feeder"
}

# release GATE: let its feeder write the rest. Bounded: a feeder that
# died (its reader killed) never opens the gate.
release()
{
	timeout 30 sh -c ': >"$1"' release "$1" 2>/dev/null
}

# wait_size FILE BYTES: poll until FILE holds at least BYTES (at most 60 s).
wait_size()
{
	_n=1200
	while [ $_n -gt 0 ]; do
		[ "$(stat -c %s "$1" 2>/dev/null || echo 0)" -ge "$2" ] &&
			return 0
		_n=$((_n - 1))
		sleep 0.05
	done
	return 1
}

# staging ROOT: the staging directories in ROOT, one per line.
staging()
{
	ls -a "$1" | grep '^\.aliasctl-extract\.' | sort
}

# A large member (32 MiB, stored uncompressed) and a small package.
"$MKDEB" -c none "$T/big.deb" big "d:./" "d:./usr/" "d:./usr/share/" \
	"d:./usr/share/big/" "z:./usr/share/big/zeros:33554432" \
	"f:./usr/share/big/after:after the zeros" || fail "mkdeb big"
"$MKDEB" "$T/small.deb" small "d:./" "d:./bin/" "f:./bin/small:small" ||
	fail "mkdeb small"
R=$T/root

# ---- a run killed in the middle of the large member ---------------------
feed "$T/big.deb" "$T/fifo1" "$T/gate1"
aliasctl extract --arch amd64 --root "$R" "$T/fifo1" \
	>"$T/out1" 2>"$T/err1" &
killed=$!
# Staged entry 0 is the large member: the run is inside it once 8 of its
# 32 MiB are written (the feeder holds it at 16).
check "the first run stages the large member" \
	wait_size "$R/.aliasctl-extract.$killed.0/0" 8388608
kill -KILL "$killed"
wait "$killed"
check_eq "the first run was killed" 137 $?
release "$T/gate1"
wait "$feeder"
stale=.aliasctl-extract.$killed.0
check "the killed run left its staging directory" test -d "$R/$stale"
check "with part of the member in it" \
	test "$(stat -c %s "$R/$stale/0")" -ge 8388608

# A directory named after a live process that is no extract: the test's
# shell, as a process id reused after a run died would be.
mkdir "$R/.aliasctl-extract.$$.7"
echo left >"$R/.aliasctl-extract.$$.7/0"
# Names that are not staging directories stay whatever they hold.
mkdir "$R/.aliasctl-extractor"
echo keep >"$R/.aliasctl-extract.1.1"

# ---- a run in progress while another extract runs -------------------------
feed "$T/big.deb" "$T/fifo2" "$T/gate2"
aliasctl extract --arch amd64 --root "$R" "$T/fifo2" \
	>"$T/out2" 2>"$T/err2" &
live=$!
check "the concurrent run stages the large member" \
	wait_size "$R/.aliasctl-extract.$live.0/0" 8388608
live_dir=.aliasctl-extract.$live.0
live_ino=$(stat -c %i "$R/$live_dir/0")

# ---- the next run --------------------------------------------------------
aliasctl extract --arch amd64 --root "$R" "$T/big.deb" "$T/small.deb" \
	>"$T/out3" 2>"$T/err3"
check_eq "the next run: exit 0" 0 $?
check_eq "the next run: nothing on stderr" "" "$(cat "$T/err3")"
check "the killed run's staging directory is gone" test ! -e "$R/$stale"
check "the reused-PID directory is gone" \
	test ! -e "$R/.aliasctl-extract.$$.7"
check "the concurrent run's staging directory is still there" \
	test -d "$R/$live_dir"
check_eq "with its staged member untouched" "$live_ino" \
	"$(stat -c %i "$R/$live_dir/0" 2>&1)"
check "and still 8 MiB or more" \
	test "$(stat -c %s "$R/$live_dir/0")" -ge 8388608
check_eq "no other staging directory" "$live_dir" "$(staging "$R" |
	grep -v '^\.aliasctl-extract\.1\.1$')"
check "a similar name stays" test -d "$R/.aliasctl-extractor"
check "a file with the prefix stays" test -f "$R/.aliasctl-extract.1.1"
check_eq "the large member is whole" 33554432 \
	"$(stat -c %s "$R/usr/share/big/zeros")"
check "the large member is zeros" \
	cmp -s -n 33554432 /dev/zero "$R/usr/share/big/zeros"
check_eq "the member after it" "after the zeros" \
	"$(cat "$R/usr/share/big/after")"
check_eq "the small package, under /usr/bin" "small" \
	"$(cat "$R/usr/bin/small")"
check_eq "/bin is the alias" usr/bin "$(readlink "$R/bin")"

# ---- the concurrent run finishes -----------------------------------------
release "$T/gate2"
wait "$feeder"
wait "$live"
check_eq "the concurrent run: exit 0" 0 $?
check_eq "the concurrent run: nothing on stderr" "" "$(cat "$T/err2")"
check_eq "no staging directory left" ".aliasctl-extract.1.1" \
	"$(staging "$R")"
check "the concurrent run's member is whole" \
	cmp -s -n 33554432 /dev/zero "$R/usr/share/big/zeros"
check_eq "the concurrent run's member size" 33554432 \
	"$(stat -c %s "$R/usr/share/big/zeros")"

finish
