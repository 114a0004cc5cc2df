#!/bin/bash
# `make check`: runs the unit test binaries given as arguments, the linters
# and the bats integration suite; counts every TAP result across them and
# ends with the line "N passed, N failed[, N skipped]". Exits 1 if any test
# failed. The full TAP output is kept in build/test-output.log.
set -uo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=tests/lib/tap.bash
source tests/lib/tap.bash

mkdir -p build
log=build/test-output.log
: >"$log"
tap_log=$log

for unit in "$@"; do
	tap_run_section "unit $(basename "$unit")" 300 "$unit"
done

# The linters count as one test.
lint_tap() {
	if tests/lint.sh; then echo "ok 1 lint"; else echo "not ok 1 lint"; return 1; fi
}
export -f lint_tap
tap_run_section lint 900 bash -c lint_tap

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
	tap_fail integration "$msg"
elif ! compgen -G 'tests/integration/*.bats' >/dev/null; then
	echo "# --- integration: no .bats files" | tee -a "$log"
else
	# Each test gets at most BATS_TEST_TIMEOUT seconds (bats >= 1.7).
	export BATS_TEST_TIMEOUT="${BATS_TEST_TIMEOUT:-120}"
	tap_run_section integration 2400 bats --tap tests/integration
fi

# The host as the tests found it: one more test (a leftover a test cleaned
# up, such as an empty /berth cgroup from an earlier run, is no failure).
host_unchanged_tap() { tap_host_unchanged "$host_before" host_snapshot "the host is as the tests found it"; }
export -f host_snapshot host_unchanged_tap tap_host_unchanged
export host_before
tap_run_section host 60 bash -c host_unchanged_tap

tap_report_failures "(full output: $log)"
tap_summary | tee -a "$log"
((tap_failed == 0))
