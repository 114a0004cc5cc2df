#!/bin/bash
# `make check-e2e`: the end-to-end engine lane. Installs containerd, docker.io
# and podman if missing (tests/e2e/install-deps.sh), builds the busybox
# image once (tests/e2e/build-image.sh), then runs containerd.bats,
# docker.bats and podman.bats: each starts its engine with private state
# and runs the scenarios through it, the OCI runtime being E2E_RUNTIME
# (default: build/berth) behind an argv-logging wrapper. Counts the TAP
# lines into "N passed, N failed[, N skipped]" and exits 1 on any failure.
#
#   E2E_RUNTIME=/usr/sbin/runc make check-e2e   # the lane against runc
#   E2E_FILES="docker podman" tests/e2e/run.sh  # some engines only
#
# Kept under build/e2e: test-output.log (all TAP), argv-<engine>.log (one
# line per runtime call), argv-<engine>.detail.log (caller, cwd, fds, added
# env), host-writes-<engine>.txt (what the engine wrote to /run, /var, /etc
# inside its namespace), <engine>-<daemon>.log.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

E2E_RUNTIME=${E2E_RUNTIME:-$PWD/build/berth}
E2E_FILES=${E2E_FILES:-containerd docker podman}
# Healthy, a file takes well under a minute; these limits keep a hanging
# runtime within the lane's budget of 15 minutes.
FILE_LIMIT=${E2E_FILE_LIMIT:-270}
export BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-60}

# shellcheck source=tests/lib/tap.bash
source tests/lib/tap.bash

out=build/e2e
mkdir -p "$out"
log=$out/test-output.log
: >"$log"
tap_log=$log
lane_started=$SECONDS

say() { echo "$*" | tee -a "$log"; }

summary() {
	tap_report_failures "(full output: $log)"
	say "# e2e lane: $((SECONDS - lane_started))s"
	say "$(tap_summary)"
}

# give_up TAP_LINE FAILURE: the lane cannot run: TAP_LINE, FAILURE as the
# one failure, the summary, exit 1.
give_up() {
	say "$1"
	tap_fail e2e "$2"
	summary
	exit 1
}

((EUID == 0)) || give_up "not ok 1 e2e lane # needs root: engines, namespaces, mounts and cgroups" "not root"

# Dependencies and the image: a failure here is one failed test.
prepare() {
	tests/e2e/install-deps.sh && tests/e2e/build-image.sh
}
prepare 2>&1 | tee -a "$log" ||
	give_up "not ok 1 e2e lane prerequisites (install-deps.sh, build-image.sh)" "prerequisites failed"
[[ -x "$E2E_RUNTIME" ]] ||
	give_up "not ok 1 e2e lane # E2E_RUNTIME=$E2E_RUNTIME is not executable (make all?)" "no runtime"
E2E_RUNTIME=$(readlink -f "$E2E_RUNTIME")
export E2E_RUNTIME

# shellcheck source=tests/e2e/helpers.bash
source tests/e2e/helpers.bash

E2E_TMPROOT=$(mktemp -d /tmp/berth-e2e.XXXXXX)
export E2E_TMPROOT

# cleanup: whatever a killed bats file could not tear down.
cleanup() {
	local d
	for d in "$E2E_TMPROOT"/*/; do
		[[ -d "$d" ]] && e2e_teardown_dir "${d%/}"
	done
	rm -rf "$E2E_TMPROOT"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# host_snapshot: what the lane must leave as it found it: engine processes,
# mounts of engines' default or private paths, top-level cgroups, and the
# engines' default state paths.
host_snapshot() {
	ps -eo pid=,comm= | awk '$2 ~ /^(containerd|containerd-shim|dockerd|docker-proxy|conmon|podman)$/ { print "process: " $2 " " $1 }'
	awk '{ print $5 }' /proc/self/mountinfo |
		grep -E "^$E2E_TMPROOT|^/run/(containerd|docker|libpod|containers|runc|berth)|^/var/lib/(docker|containerd|containers)" |
		sed 's/^/mount: /'
	local h
	for h in $(cg_hierarchies); do
		find "$h" -mindepth 1 -maxdepth 1 -type d | sed 's/^/cgroup: /'
	done
	local p
	for p in /run/containerd /run/docker /run/docker.sock /run/docker.pid /run/libpod \
		/run/containers /run/podman /run/runc /run/berth /run/crun /var/lib/containerd \
		/var/lib/docker /var/lib/containers /var/cache/containers /var/lib/cni /etc/cni \
		/etc/docker/key.json /etc/docker/daemon.json /opt/containerd /dev/shm/libpod_lock \
		/etc/containers; do
		[[ -e "$p" ]] && find "$p" -maxdepth 2 -printf 'path: %p %TY-%Tm-%Td %TH:%TM\n' 2>/dev/null
	done
	return 0
}
host_before=$(host_snapshot)

tap_section_note=", runtime $E2E_RUNTIME"
for engine in $E2E_FILES; do
	tap_run_section "$engine" "$FILE_LIMIT" bats --tap "tests/e2e/$engine.bats"
	# a file killed by its limit did not tear down: do it now
	[[ -d "$E2E_TMPROOT/$engine" ]] && e2e_teardown_dir "$E2E_TMPROOT/$engine"
done

# The host as the lane found it: one more test.
host_unchanged_tap() {
	tap_host_unchanged "$host_before" host_snapshot "the host is as the lane found it" \
		"(no engine process, mount, cgroup or default state path added)"
}
cleanup
host_tap=$(mktemp)
say "# --- host"
host_unchanged_tap | tee "$host_tap" | tee -a "$log"
tap_count host "$host_tap" "${PIPESTATUS[0]}"
rm -f "$host_tap"

for engine in $E2E_FILES; do
	[[ -f "$out/argv-$engine.log" ]] &&
		say "# $engine: $(wc -l <"$out/argv-$engine.log") runtime calls in $out/argv-$engine.log"
done
summary
((tap_failed == 0))
