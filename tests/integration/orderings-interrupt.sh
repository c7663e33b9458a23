#!/bin/sh
# aliasctl orderings interrupted: SIGINT and SIGTERM while dpkg runs a
# maintainer script leave no mount, no daemon, no process and no
# directory, and the command dies of the signal; SIGKILL leaves them, and
# the next run cleans what the dead one left; a dpkg call that hangs is
# killed at the per-step timeout and reported. ORD_USER=1
# (orderings-interrupt-user.sh): the same as an ordinary user.
. "$top_srcdir/tests/integration/lib.sh"
need_fuse
. "$top_srcdir/tests/integration/orderings-helpers.sh"

# Through the view (its root ends in /mnt; the baseline's in /root) the
# preinst says it started, then waits far longer than the test.
S=$ORD_DIR/hang.scenario
cat >"$S" <<EOF
name hang
package slow slow 1
	file /usr/bin/slow
	script preinst case "\$DPKG_ROOT" in */mnt) touch "$ORD_DIR/started"; sleep 300 ;; esac
end
package quick quick 1
	file /usr/bin/quick
end
permute slow quick
EOF
chmod 0644 "$S"

# wait_for FILE: poll for it, up to 60 s.
wait_for()
{
	_n=1200
	while [ $_n -gt 0 ]; do
		[ -e "$1" ] && return 0
		_n=$((_n - 1))
		sleep 0.05
	done
	return 1
}

# wait_gone PID: poll until the process is gone, up to 60 s.
wait_gone()
{
	_n=1200
	while [ $_n -gt 0 ]; do
		kill -0 "$1" 2>/dev/null || return 0
		_n=$((_n - 1))
		sleep 0.05
	done
	return 1
}

# A run's views, seen from its own mount namespace.
run_mounts()
{
	for _p in $(ord_run_processes); do
		awk -v w="$ORD_WORKDIR/" 'index($5, w) == 1 { print $5 }' \
			"/proc/$_p/mountinfo" 2>/dev/null
	done | sort -u | tr '\n' ' '
}

for sig in INT TERM; do
	rm -f "$ORD_DIR/started"
	ord_start --jobs 1 "$S" >"$T/out.$sig" 2>&1
	if ! wait_for "$ORD_DIR/started"; then
		fail "SIG$sig: the preinst never started"
		cat "$T/out.$sig"
		kill -KILL $ORD_PID
		continue
	fi
	check "SIG$sig: a view is mounted while dpkg runs" \
		test -n "$(run_mounts)"
	# As a terminal does: to the command (its children have their own
	# process groups).
	kill -$sig $ORD_PID
	wait $BG
	rc=$?
	check_eq "SIG$sig: the command died of the signal" \
		$((128 + $(kill -l $sig))) "$rc"
	check "SIG$sig: it says it cleaned up" \
		grep -q "stopped, views unmounted, files removed" "$T/out.$sig"
	ord_no_leftovers
done

# SIGKILL: nothing can run in the command any more. Its children die with
# it (PR_SET_PDEATHSIG); the maintainer script's sleep and the run's
# directory stay, until the next run cleans them.
rm -f "$ORD_DIR/started"
ord_start --jobs 1 "$S" >"$T/out.KILL" 2>&1
if wait_for "$ORD_DIR/started"; then
	kill -KILL $ORD_PID
	wait $BG
	check_eq "SIGKILL: killed" 137 $?
	check "SIGKILL: the run's directory is left" \
		test -n "$(ls -A "$ORD_WORKDIR")"
	n=100
	while [ $n -gt 0 ] && pgrep -f "^aliasfs -f $ORD_WORKDIR/" >/dev/null; do
		n=$((n - 1))
		sleep 0.1
	done
	check_eq "SIGKILL: the daemons died with it" "" \
		"$(pgrep -f "^aliasfs -f $ORD_WORKDIR/")"
	# The next run: a bad scenario is enough, the cleaning comes first.
	printf 'name next\npackage n n 1\nend\npermute n\n' >"$ORD_DIR/next.scenario"
	chmod 0644 "$ORD_DIR/next.scenario"
	orderings --baseline none "$ORD_DIR/next.scenario" >"$T/out.next" 2>&1
	check_eq "the next run works" 0 $?
	ord_no_leftovers
else
	fail "SIGKILL: the preinst never started"
	kill -KILL $ORD_PID
fi

# A dpkg call that hangs: killed at the per-step timeout, reported, the
# rest of the run goes on.
orderings --jobs 2 --timeout 2 --sample 1 --seed 0 --json "$ORD_DIR/t.json" \
	"$S" >"$T/out.timeout" 2>&1
check_eq "timeout: exit 0 (refused is no loss)" 0 $?
check_eq "timeout: the slow step timed out on the view, refused" \
	"refused True -1 ok False" \
	"$(ord_field "$ORD_DIR/t.json" '" ".join(str(x) for x in (d["orderings"][0]["view"]["outcome"], [s for s in d["orderings"][0]["view"]["steps"] if s["command"].endswith("slow_1_all.deb")][0]["timed_out"], [s for s in d["orderings"][0]["view"]["steps"] if s["command"].endswith("slow_1_all.deb")][0]["rc"], d["orderings"][0]["baseline"]["outcome"], [s for s in d["orderings"][0]["baseline"]["steps"] if s["command"].endswith("slow_1_all.deb")][0]["timed_out"]))')"
check "timeout: the error says so" \
	grep -q "timed out after 2 s" "$ORD_DIR/t.json"
ord_no_leftovers
finish
