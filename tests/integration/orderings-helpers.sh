# Helpers for the aliasctl orderings tests (tests/integration/orderings-*.sh).
# Sourced after lib.sh (uses $T, skip, fail).
#
# ORD_USER=1 before sourcing runs aliasctl as an ordinary user (created if
# there is none): the test itself runs as root, the command through
# runuser. Debian's /dev/fuse is mode 0666; a machine where it is not is
# made so, as CI does, since that is what the ordinary-user mode needs.

ORD_USER=${ORD_USER:-0}
ORD_TESTUSER=aliasfs-orderings

. "$top_srcdir/tests/integration/orderings-expected.sh"
command -v dpkg >/dev/null 2>&1 || skip "no dpkg"
# The system's python3 (reads the JSON): a wrapper first in PATH (pyenv)
# may take seconds to start.
PYTHON=$(command -v /usr/bin/python3 || command -v python3) ||
	skip "no python3 (reads the JSON)"

# ord_setup_user: the user, its directory $U (owned by it), /dev/fuse.
ord_setup_user()
{
	[ "$(id -u)" = 0 ] || skip "the test switches users: run it as root"
	command -v runuser >/dev/null 2>&1 || skip "no runuser"
	# Kept afterwards: tests running in parallel share it.
	if ! id -u "$ORD_TESTUSER" >/dev/null 2>&1; then
		useradd --system --no-create-home --shell /bin/sh \
			"$ORD_TESTUSER" 2>/dev/null ||
			id -u "$ORD_TESTUSER" >/dev/null 2>&1 ||
			{ fail "useradd $ORD_TESTUSER"; exit 1; }
	fi
	if [ "$(stat -c %a /dev/fuse)" != 666 ]; then
		echo "note: /dev/fuse was mode $(stat -c %a /dev/fuse);" \
			"made 0666 as on Debian"
		chmod 0666 /dev/fuse
	fi
	# $T is root's (0700): the user gets a directory of its own, reachable.
	chmod 0755 "$T"
	U=$T/user
	mkdir -p "$U/bin"
	# The build tree may sit where the user cannot go (/root): the user
	# runs copies of the programs (our libraries are linked in).
	cp "$(command -v aliasctl)" "$(command -v aliasfs)" "$U/bin/" ||
		{ fail "copying the programs for the user"; exit 1; }
	chown -R "$ORD_TESTUSER" "$U"
	ORD_PATH=$U/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
}

# ord_example NAME: the path of examples/NAME.scenario the command can
# read (a copy the user can reach, as an ordinary user).
ord_example()
{
	if [ "$ORD_USER" = 1 ]; then
		cp "$top_srcdir/examples/$1.scenario" "$U/$1.scenario"
		chmod 0644 "$U/$1.scenario"
		echo "$U/$1.scenario"
	else
		echo "$top_srcdir/examples/$1.scenario"
	fi
}

if [ "$ORD_USER" = 1 ]; then
	ord_setup_user
	ORD_DIR=$U
else
	[ "$(id -u)" = 0 ] || skip "run as root (ORD_USER=1 variants run as a user)"
	ORD_DIR=$T
fi
ORD_WORKDIR=$ORD_DIR/wd

# orderings ARGS...: aliasctl orderings as root or as the test user, with
# the run directories in $ORD_WORKDIR.
orderings()
{
	if [ "$ORD_USER" = 1 ]; then
		runuser -u "$ORD_TESTUSER" -- env -i PATH="$ORD_PATH" \
			HOME="$U" LC_ALL=C.UTF-8 \
			aliasctl orderings --workdir "$ORD_WORKDIR" "$@"
	else
		aliasctl orderings --workdir "$ORD_WORKDIR" "$@"
	fi
}

# ord_run_example NAME JSON: aliasctl orderings --json JSON on the shipped
# examples/NAME.scenario, its output kept in $T/matrix.out and
# $T/matrix.err; checks it exits 0 (the view is never lost or
# overwritten) and writes JSON, and as an ordinary user skips where user
# namespaces cannot mount FUSE. The start every shipped-scenario test
# shares, so they judge a run the same way.
ord_run_example()
{
	orderings --json "$2" "$(ord_example "$1")" \
		>"$T/matrix.out" 2>"$T/matrix.err"
	_rc=$?
	cat "$T/matrix.out" "$T/matrix.err"
	check_eq "exit status: the view is never lost or overwritten" 0 "$_rc"
	[ -f "$2" ] || { fail "no JSON written"; finish; }
	if [ "$ORD_USER" = 1 ]; then
		_mode=$(ord_field "$2" 'd["mode"]')
		[ "$_mode" = userns ] ||
			skip "user namespaces cannot mount FUSE here" \
				"(mode $_mode): orderings-fakeroot.sh covers" \
				"the fallback"
	fi
}

# ord_start ARGS...: orderings in the background with the default action
# for SIGINT and SIGTERM (a non-interactive shell makes background jobs
# ignore SIGINT). Sets BG (the job, to wait for) and ORD_PID (aliasctl
# itself, to signal: the child of runuser, not any aliasctl of the test
# user, since another suite may run the same test at once).
ord_start()
{
	if [ "$ORD_USER" = 1 ]; then
		runuser -u "$ORD_TESTUSER" -- env -i PATH="$ORD_PATH" \
			HOME="$U" LC_ALL=C.UTF-8 \
			env --default-signal=INT,TERM,HUP \
			aliasctl orderings --workdir "$ORD_WORKDIR" "$@" &
		BG=$!
		_n=200
		ORD_PID=
		while [ $_n -gt 0 ] && [ -z "$ORD_PID" ]; do
			ORD_PID=$(pgrep -P "$BG" -u "$ORD_TESTUSER" -x aliasctl)
			_n=$((_n - 1))
			sleep 0.05
		done
	else
		env --default-signal=INT,TERM,HUP \
			aliasctl orderings --workdir "$ORD_WORKDIR" "$@" &
		BG=$!
		ORD_PID=$BG
	fi
}

# ord_rows JSON SCENARIO-CONTENT-MAP: one line per ordering and side:
#   ORDER | SIDE OUTCOME rc=RCS lost=.. ow=.. aliases=.. blocked=.. PATH=WHO..
# where WHO names the package whose shipped content the file holds (from
# the map "PATH:LABEL=CONTENT;..."), and only the paths in the map are
# listed.
ord_rows()
{
	"$PYTHON" - "$1" "$2" <<'EOF'
import hashlib, json, sys
d = json.load(open(sys.argv[1]))
content = {}
paths = []
for item in sys.argv[2].split(";"):
    if not item:
        continue
    path, rest = item.split(":", 1)
    label, text = rest.split("=", 1)
    content[hashlib.sha256((text + "\n").encode()).hexdigest()] = label
    if path not in paths:
        paths.append(path)
for o in d["orderings"]:
    for side in ("baseline", "view"):
        s = o[side]
        if s is None:
            continue
        files = {f["path"]: f for f in s["files"]}
        who = []
        for p in paths:
            f = files.get(p)
            if f is None:
                who.append("%s=missing" % p)
            else:
                who.append("%s=%s" % (p, content.get(f.get("sha256"), "?")))
        print("%s | %s %s rc=%s lost=%s ow=%s aliases=%s blocked=%s %s" % (
            " ".join(o["order"]), side, s["outcome"],
            "".join(str(st["rc"]) for st in s["steps"]),
            ",".join(s["lost"]) or "-", ",".join(s["overwritten"]) or "-",
            ",".join(s["aliases"]) or "-",
            ",".join(b["alias"] for b in s["blocked"]) or "-",
            " ".join(who)))
EOF
}

# ord_check_rows EXPECTED ROWS-FILE [SIDE]: each expected row (of SIDE
# only, if given) against the row of the same order and side. Rows that
# differ are listed in $T/row-failures.
ord_check_rows()
{
	: >"$T/row-failures"
	echo "$1" | {
		while IFS= read -r _want; do
			_key=${_want%% | *}
			_side=$(echo "$_want" | sed 's/^[^|]*| \([a-z]*\) .*/\1/')
			[ -n "${3:-}" ] && [ "$_side" != "$3" ] && continue
			_got=$(grep -F "$_key | $_side " "$2")
			if [ "$_got" = "$_want" ]; then
				echo "ok: $_key: $_side"
			else
				echo "FAIL: $_key: $_side: expected [$_want]," \
					"got [$_got]" >&2
				echo "$_key | $_side" >>"$T/row-failures"
			fi
		done
	}
	_n=$(echo "$1" | grep -c "| ${3:-}")
	_f=$(wc -l <"$T/row-failures")
	_lib_checks=$((_lib_checks + _n - _f))
	_lib_failed=$((_lib_failed + _f))
}

# ord_field JSON EXPR: a value of the result, by a Python expression on d.
ord_field()
{
	"$PYTHON" -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# ord_view_never_lost_or_overwritten JSON: what the issue asks of the view.
ord_view_never_lost_or_overwritten()
{
	_bad=$(ord_field "$1" \
		'",".join(str(o["index"]) for o in d["orderings"] if o["view"]["outcome"] in ("lost", "overwritten"))')
	check_eq "the view is never lost or overwritten" "" "$_bad"
}

# ord_no_leftovers: no run directory, no mount, no process of a run.
ord_no_leftovers()
{
	_left=$(ls -A "$ORD_WORKDIR" 2>/dev/null | tr '\n' ' ')
	check_eq "no run directory left in the workdir" "" "$_left"
	check_eq "no mount left under the workdir" "" \
		"$(awk -v w="$ORD_WORKDIR/" 'index($5, w) == 1' /proc/self/mountinfo)"
	check_eq "no process of a run left" "" "$(ord_run_processes)"
}

# ord_run_processes: pids whose environment marks them as a run's.
ord_run_processes()
{
	grep -l -a "ALIASCTL_ORDERINGS_RUN=$ORD_WORKDIR/" \
		/proc/[0-9]*/environ 2>/dev/null |
		sed 's,^/proc/\([0-9]*\)/environ$,\1,' |
		tr '\n' ' ' | sed 's/ $//'
}
