#!/bin/sh
# Progress of aliasctl check and extract: on a terminal, for a run longer
# than a second, whatever its input (a Contents index, a package, a pipe),
# first drawn after a second, redrawn at most four times a second, erased
# at the end and around error messages; never when stderr is no terminal.
#
# The long runs read from a FIFO that the test holds half-way until the
# progress line has appeared, then lets through: the run is as long as
# the test needs, and no assertion depends on how fast this machine is. A
# second, real workload (a large index streamed in) checks the same
# against the time the run took, asserting only what that time implies.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/archive-helpers.sh"

command -v python3 >/dev/null 2>&1 || skip "python3 missing"
PTY="$top_srcdir/tests/integration/pty-run.py"

_feeders=""
trap 'for _f in $_feeders; do kill -- -"$_f" 2>/dev/null; done; _lib_cleanup' EXIT

# feed FILE FIFO GATE: in the background (a process group of its own),
# write the first half of FILE into FIFO, wait until GATE is opened for
# writing, then write the rest. Sets $feeder.
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

# release GATE, bounded (a feeder whose reader died never opens it).
release()
{
	timeout 30 sh -c ': >"$1"' release "$1" 2>/dev/null
}

# wait_text FILE REGEX: poll until FILE matches REGEX (grep -E; at most
# 60 s).
wait_text()
{
	_n=1200
	while [ $_n -gt 0 ]; do
		grep -Eq "$2" "$1" 2>/dev/null && return 0
		_n=$((_n - 1))
		sleep 0.05
	done
	return 1
}

now_ms()
{
	echo $(($(date +%s%N) / 1000000))
}

# draws LOG: how many times a progress line was drawn.
draws()
{
	tr '\r' '\n' <"$1" | grep -c '^aliasctl [a-z]*: '
}

# screen LOG: what the terminal shows at the end.
screen()
{
	python3 "$PTY" --screen "$1"
}

# ---- inputs -----------------------------------------------------------------
# An index of 200 000 lines with one alias conflict.
awk 'BEGIN {
	print "bin/tool   utils/old"
	for (i = 0; i < 200000; i++)
		printf "usr/share/doc/p%d/file-%d   doc/p%d\n", i % 500, i, i % 500
	print "usr/bin/tool   utils/new"
}' >"$T/Contents-big"
# A package with one large member (8 MiB, stored).
"$MKDEB" -c none "$T/big.deb" big "d:./" "d:./usr/" "d:./usr/share/" \
	"z:./usr/share/zeros:8388608" "f:./bin/tool:tool" ||
	fail "mkdeb big"

# ---- check: a slow input on a terminal and, at the same time, without ---
feed "$T/Contents-big" "$T/fifo-n" "$T/gate-n"
feeder_n=$feeder
aliasctl check --arch amd64 "$T/fifo-n" >"$T/out-n" 2>"$T/err-n" &
run_n=$!
feed "$T/Contents-big" "$T/fifo-t" "$T/gate-t"
feeder_t=$feeder
start=$(now_ms)
python3 "$PTY" "$T/log-check" aliasctl check --arch amd64 "$T/fifo-t" \
	>"$T/out-t" &
run_t=$!
# The first half holds enough paths to fill the pipe's batches: the count
# shows while the gate is held.
check "check on a terminal: progress appears, with bytes and paths" \
	wait_text "$T/log-check" 'aliasctl check: fifo-t [0-9]+ KiB, [0-9]+ paths'

seen=$(now_ms)
# The run without a terminal started first: it has run as long.
release "$T/gate-n"
release "$T/gate-t"
wait "$run_t"
check_eq "check on a terminal: exit 1 (a conflict)" 1 $?
end=$(now_ms)
wait "$run_n"
check_eq "check without a terminal: exit 1 (a conflict)" 1 $?
wait "$feeder_n" "$feeder_t"
check "check on a terminal: not before a second" \
	test $((seen - start)) -ge 1000
check "check on a terminal: at most four redraws a second" \
	test "$(draws "$T/log-check")" -le $(((end - start) * 4 / 1000 + 2))
check_eq "check on a terminal: the line is erased at the end" "" \
	"$(screen "$T/log-check")"
check "check on a terminal: the report on stdout" \
	grep -Eq '^alias +/usr/bin/tool +/bin/tool +old$' "$T/out-t"
check_eq "check without a terminal: nothing on stderr" "" \
	"$(cat "$T/err-n")"
check "check without a terminal: the same report" \
	cmp -s "$T/out-t" "$T/out-n"

# ---- extract: a slow package --------------------------------------------
feed "$T/big.deb" "$T/dfifo-n" "$T/dgate-n"
feeder_n=$feeder
aliasctl extract --arch amd64 --root "$T/root-n" "$T/dfifo-n" \
	>"$T/out-n" 2>"$T/err-n" &
run_n=$!
feed "$T/big.deb" "$T/dfifo-t" "$T/dgate-t"
feeder_t=$feeder
start=$(now_ms)
python3 "$PTY" "$T/log-extract" aliasctl extract --arch amd64 \
	--root "$T/root-t" "$T/dfifo-t" >"$T/out-t" &
run_t=$!
check "extract on a terminal: progress appears, with the data written" \
	wait_text "$T/log-extract" 'aliasctl extract: dfifo-t [0-9]+ KiB'

seen=$(now_ms)
release "$T/dgate-n"
release "$T/dgate-t"
wait "$run_t"
check_eq "extract on a terminal: exit 0" 0 $?
wait "$run_n"
check_eq "extract without a terminal: exit 0" 0 $?
wait "$feeder_n" "$feeder_t"
check "extract on a terminal: not before a second" \
	test $((seen - start)) -ge 1000
check_eq "extract on a terminal: the line is erased at the end" "" \
	"$(screen "$T/log-extract")"
check_eq "extract without a terminal: nothing on stderr" "" \
	"$(cat "$T/err-n")"
for r in root-t root-n; do
	check_eq "$r: the large member" 8388608 \
		"$(stat -c %s "$T/$r/usr/share/zeros")"
	check_eq "$r: /bin/tool under /usr/bin" tool \
		"$(cat "$T/$r/usr/bin/tool")"
done

# ---- an error while the line is shown: on a line of its own ---------------
printf 'usr/bin/a   utils/a\nno-package-list-here\n' >"$T/Contents-bad"
feed "$T/Contents-big" "$T/efifo" "$T/egate"
python3 "$PTY" "$T/log-error" aliasctl check --arch amd64 "$T/efifo" \
	"$T/Contents-bad" >"$T/out-e" &
run_t=$!
check "two inputs: progress appears" \
	wait_text "$T/log-error" 'aliasctl check: 1/2 efifo'
release "$T/egate"
wait "$run_t"
check_eq "two inputs, the second bad: exit 2" 2 $?
wait "$feeder"
screen "$T/log-error" >"$T/screen-error"
check_eq "the message alone on the screen, no progress left" \
	"aliasctl: check: $T/Contents-bad: line 2: no package list after the path" \
	"$(cat "$T/screen-error")"

# ---- a run slow by its size: a large index streamed in ---------------------
# How long it takes depends on the machine: assert what its duration
# implies (a line after 3 s, none under 1 s), and the redraw bound.
start=$(now_ms)
python3 "$PTY" "$T/log-size" sh -c 'awk "BEGIN {
	for (i = 0; i < 3000000; i++)
		printf \"usr/lib/p%d/f%d.so   libs/p%d\\n\", i % 5000, i, i % 5000
}" | aliasctl check --arch amd64 --all /dev/stdin' >"$T/out-size"
check_eq "a large index: exit 0" 0 $?
end=$(now_ms)
took=$((end - start))
echo "a large index took $took ms, $(draws "$T/log-size") draws"
if [ $took -ge 3000 ]; then
	check "a large index (${took} ms): progress appeared" \
		grep -q 'aliasctl check: stdin' "$T/log-size"
elif [ $took -lt 1000 ]; then
	check_eq "a large index (${took} ms): no progress" 0 \
		"$(draws "$T/log-size")"
fi
check "a large index: at most four redraws a second" \
	test "$(draws "$T/log-size")" -le $((took * 4 / 1000 + 2))
check_eq "a large index: the line is erased at the end" "" \
	"$(screen "$T/log-size")"

# ---- a short run on a terminal shows nothing --------------------------------
start=$(now_ms)
python3 "$PTY" "$T/log-short" aliasctl check --arch amd64 "$T/big.deb" \
	>"$T/out-short"
check_eq "a short run: exit 0" 0 $?
took=$(($(now_ms) - start))
if [ $took -lt 1000 ]; then
	check_eq "a short run (${took} ms): nothing on the terminal" "" \
		"$(cat "$T/log-short")"
fi

finish
