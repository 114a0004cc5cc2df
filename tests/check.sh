#!/bin/bash
# `make check`: runs the unit test binaries given as arguments, the linters
# and the bats integration suite; counts every TAP result across them and
# ends with the line "N passed, N failed[, N skipped]". Exits 1 if any test
# failed. The full TAP output is kept in build/test-output.log.
set -uo pipefail
cd "$(dirname "$0")/.."

mkdir -p build
log=build/test-output.log
: >"$log"
passed=0 failed=0 skipped=0
failures=()

# count SECTION FILE STATUS: adds FILE's TAP results to the totals. A
# section that failed without reporting a failing test (a crash, a syntax
# error in a .bats file) counts as one failure of its own.
count() {
	local section="$1" file="$2" status="$3" line section_failed=0
	while IFS= read -r line; do
		if [[ "$line" =~ ^not\ ok\ [0-9]+ ]]; then
			failed=$((failed + 1)) section_failed=1
			failures+=("$section: $line")
		elif [[ "$line" =~ ^ok\ [0-9]+.*\ \#\ [Ss][Kk][Ii][Pp] ]]; then
			skipped=$((skipped + 1))
		elif [[ "$line" =~ ^ok\ [0-9]+ ]]; then
			passed=$((passed + 1))
		fi
	done <"$file"
	if ((status != 0 && section_failed == 0)); then
		failed=$((failed + 1))
		failures+=("$section: exited with status $status without a failing test")
	fi
}

# run_section NAME LIMIT COMMAND...: runs COMMAND with stdin from /dev/null
# (CI's stdin may be a pipe that never closes) and at most LIMIT seconds,
# streams and logs its output. A section that overruns is killed and counts
# as failed, so a hung test can never eat CI's whole time budget.
run_section() {
	local name="$1" limit="$2" out status started
	shift 2
	out=$(mktemp)
	started=$SECONDS
	echo "# --- $name (limit ${limit}s)" | tee -a "$log"
	timeout --kill-after=20 "$limit" "$@" </dev/null 2>&1 | tee "$out" | tee -a "$log"
	status=${PIPESTATUS[0]}
	((status == 124 || status == 137)) && echo "# $name: killed after ${limit}s" | tee -a "$log"
	echo "# $name: $((SECONDS - started))s" | tee -a "$log"
	count "$name" "$out" "$status"
	rm -f "$out"
}

for unit in "$@"; do
	run_section "unit $(basename "$unit")" 300 "$unit"
done

# The linters count as one test.
lint_tap() {
	if tests/lint.sh; then echo "ok 1 lint"; else echo "not ok 1 lint"; return 1; fi
}
export -f lint_tap
run_section lint 900 bash -c lint_tap

# host_snapshot: what the tests must leave as they found it: the host's
# device nodes (never chowned or chmodded), its mount table, berth cgroups,
# containers' PID 1s.
host_snapshot() {
	stat -c '%n %F %a %u:%g %i' /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty \
		/dev/ptmx /dev/fuse /dev/net/tun /dev/kmsg /dev/loop-control 2>&1
	echo "mounts: $(wc -l </proc/self/mountinfo)"
	find /sys/fs/cgroup -maxdepth 3 -type d -name berth 2>/dev/null | sed 's/^/cgroup: /'
	# Zombies don't count: this host's PID 1 may reap orphans late.
	ps -C berth-init -o pid=,stat= | awk '$2 !~ /^Z/ { print "berth-init pid: " $1 }'
	return 0
}
host_before=$(host_snapshot)

if ((EUID != 0)); then
	msg="integration tests need root (they create namespaces, mounts and cgroups); run make check as root"
	echo "# --- integration" | tee -a "$log"
	echo "not ok 1 integration # $msg" | tee -a "$log"
	failed=$((failed + 1))
	failures+=("integration: $msg")
elif ! compgen -G 'tests/integration/*.bats' >/dev/null; then
	echo "# --- integration: no .bats files" | tee -a "$log"
else
	# Each test gets at most BATS_TEST_TIMEOUT seconds (bats >= 1.7).
	export BATS_TEST_TIMEOUT="${BATS_TEST_TIMEOUT:-120}"
	run_section integration 2400 bats --tap tests/integration
fi

# The host as the tests found it: one more test.
host_unchanged_tap() {
	local added tries=20
	# What the tests added or changed (a leftover a test cleaned up, such
	# as an empty /berth cgroup from an earlier run, is no failure). A
	# container killed by the last test may take a moment to go.
	while added=$(comm -13 <(sort <<<"$host_before") <(host_snapshot | sort)); [[ -n "$added" ]] &&
		((tries-- > 0)); do
		sleep 0.5
	done
	if [[ -z "$added" ]]; then
		echo "ok 1 the host is as the tests found it"
	else
		echo "not ok 1 the host is as the tests found it"
		echo "# before:"
		sed 's/^/#   /' <<<"$host_before"
		echo "# added or changed:"
		sed 's/^/#   /' <<<"$added"
		return 1
	fi
}
export -f host_snapshot host_unchanged_tap
export host_before
run_section host 60 bash -c host_unchanged_tap

if ((${#failures[@]} > 0)); then
	echo
	echo "Failed:"
	printf '  %s\n' "${failures[@]}"
	echo "(full output: $log)"
fi
summary="$passed passed, $failed failed"
((skipped > 0)) && summary+=", $skipped skipped"
echo "$summary" | tee -a "$log"
((failed == 0))
