#!/usr/bin/env bats
# run.berth.seccomp.supervise=perf_event_open: berth's supervisor performs
# the container's perf_event_open calls (seccomp user notification), so a
# profiler works where the profile or missing capabilities refuse them,
# within the policy of perf_proxy.h.

load helpers
load helpers_features

PERFPROBE="${PERFPROBE:-$REPO_ROOT/build/tools/perfprobe}"

setup() {
	requires_berth
	setup_bundle
	update_config '.root.readonly = false'
	cp "$PERFPROBE" "$ROOTFS/perfprobe"
}

teardown() {
	teardown_bundle
}

supervise() { update_config '.annotations["run.berth.seccomp.supervise"] = "perf_event_open"'; }

# docker_profile: linux.seccomp = Docker's default profile for the
# config's capabilities, which refuses perf_event_open (EPERM) without
# CAP_SYS_ADMIN or CAP_PERFMON.
docker_profile() {
	[[ -r "$DOCKER_PROFILE" ]] ||
		skip "$DOCKER_PROFILE missing (apt-get install golang-github-containers-common)"
	[[ "$(uname -m)" == x86_64 ]] || skip "profile conversion written for amd64"
	local caps
	caps=$(jq -c '.process.capabilities.bounding' "$BUNDLE/config.json")
	update_config --argjson s "$(docker_profile_to_oci "$caps")" '.linux.seccomp = $s'
}

# supervisors: the live (not zombie) supervisor daemons on the host.
supervisors() { ps -eo stat=,comm= | awk '$2 == "berth-supervise" && $1 !~ /^Z/' | wc -l; }

@test "under Docker's profile perf_event_open fails; supervised, a profiler gets a working event" {
	docker_profile
	set_args /perfprobe
	run_container
	assert_failure
	assert_output --regexp '^error 1 perf_event_open'
	supervise
	run_container
	assert_success
	# 20 ms of task-clock, counted by the event the supervisor opened.
	[[ "$output" =~ ^ok\ ([0-9]+)$ ]] || fail "perfprobe: $output"
	((BASH_REMATCH[1] >= 10000000)) || fail "task-clock counted ${BASH_REMATCH[1]} ns of 20 ms"
}

@test "without linux.seccomp the annotation filters perf_event_open alone" {
	supervise
	set_sh '/perfprobe && mkdir /tmp/d && echo made'
	run_container
	assert_success
	assert_line --regexp '^ok [0-9]+$'
	assert_line made
}

@test "the rest of the profile still applies" {
	supervise
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"},
			{"names": ["perf_event_open"], "action": "SCMP_ACT_KILL"}]}'
	set_sh '/perfprobe; mkdir /tmp/d || echo refused'
	run_container
	assert_success
	assert_line --regexp '^ok [0-9]+$'
	assert_line refused
}

@test "policy: own processes and groups yes; kernel, physical addresses, system-wide, PID 1, unknown pids no" {
	docker_profile
	supervise
	set_sh 'sleep 100 & /perfprobe --pid $!; kill $!
		/perfprobe --group
		/perfprobe --kernel
		/perfprobe --phys-addr
		/perfprobe --system
		/perfprobe --pid 1
		/perfprobe --pid 4000
		true'
	run_container
	assert_success
	assert_line --index 0 --regexp '^ok [0-9]+$'
	assert_line --index 1 --regexp '^ok [0-9]+$'
	assert_line --index 2 --regexp '^error 13 ' # EACCES: kernel
	assert_line --index 3 --regexp '^error 13 ' # physical addresses
	assert_line --index 4 --regexp '^error 13 ' # system-wide
	assert_line --index 5 --regexp '^error 13 ' # berth-init
	assert_line --index 6 --regexp '^error 3 '  # ESRCH
}

@test "policy: what the kernel keeps from an unprivileged user stays kept (branch levels, sigtrap, non-dumpable)" {
	docker_profile
	supervise
	set_sh '/perfprobe --branch kernel
		/perfprobe --branch user
		/perfprobe --sigtrap
		sleep 100 & /perfprobe --sigtrap --pid $!; kill $!
		/perfprobe --nondumpable-child
		true'
	run_container
	assert_success
	# Kernel-level branch records need kernel access.
	assert_line --index 0 --regexp '^error 13 '
	# User-level ones pass the policy; the software event has none (EOPNOTSUPP).
	assert_line --index 1 --regexp '^error 95 '
	# A signal on overflow to itself, not to another process.
	assert_line --index 2 --regexp '^ok [0-9]+$'
	assert_line --index 3 --regexp '^error 13 '
	# Same uid, but non-dumpable: ptrace (and so perf) needs CAP_SYS_PTRACE.
	assert_line --index 4 --regexp '^error 13 '
}

# add_caps CAP...: the process gets these capabilities too (bounding,
# effective and permitted).
add_caps() {
	update_config --argjson c "$(printf '%s\n' "$@" | jq -R . | jq -sc .)" '.process.capabilities |=
		with_entries(if .key == "ambient" or .key == "inheritable" then . else .value += $c end)'
}

# start_with_nobody: runs the bundle detached as $id, with a process of
# uid 65534 whose pid in the container is $nobody.
start_with_nobody() {
	local host_pid
	id=$(unique_id sup)
	berth_detached run -d -b "$BUNDLE" "$id"
	berth exec -d --user 65534:65534 --pid-file "$BATS_TEST_TMPDIR/nobody.pid" "$id" sleep 1000
	host_pid=$(cat "$BATS_TEST_TMPDIR/nobody.pid")
	nobody=$(awk '/^NSpid:/ { print $NF }' "/proc/$host_pid/status")
}

# assert_users_kept_apart: in a running supervised container, root may not
# profile a process of uid 65534, not even as root of a user namespace of
# its own (CAP_SETFCAP lets it map itself so: unshare -r), but may profile
# its own child, and the uid-65534 process may profile itself.
assert_users_kept_apart() {
	local id nobody
	add_caps CAP_SETFCAP
	start_with_nobody
	run berth exec "$id" /perfprobe --pid "$nobody"
	assert_failure
	assert_output --regexp '^error 13 '
	# Its capabilities there are not over the container's processes.
	run berth exec "$id" unshare -U -r /perfprobe --pid "$nobody"
	assert_failure
	assert_output --regexp '^error 13 '
	run berth exec --user 65534:65534 "$id" /perfprobe
	assert_success
	run berth exec "$id" sh -c 'sleep 100 & /perfprobe --pid $!; r=$?; kill $!; exit $r'
	assert_success
	assert_output --regexp '^ok [0-9]+$'
	berth delete -f "$id"
}

@test "policy: another user's process is refused, as ptrace would without CAP_SYS_PTRACE" {
	supervise
	assert_users_kept_apart
}

@test "policy: the same in a user namespace, its ids as that namespace numbers them" {
	supervise
	add_user_namespace
	assert_users_kept_apart
}

@test "policy: in a user namespace a non-dumpable process of the same uid is still refused" {
	supervise
	add_user_namespace
	set_sh '/perfprobe --nondumpable-child; sleep 100 & /perfprobe --pid $!; kill $!'
	run_container
	assert_success
	assert_line --index 0 --regexp '^error 13 '
	assert_line --index 1 --regexp '^ok [0-9]+$'
}

# assert_ptrace_opens_what_ptrace_may: with CAP_SYS_PTRACE, as the kernel
# has it, root may profile another user's and a non-dumpable process.
assert_ptrace_opens_what_ptrace_may() {
	local id nobody
	add_caps CAP_SYS_PTRACE
	start_with_nobody
	run berth exec "$id" /perfprobe --pid "$nobody"
	assert_success
	assert_output --regexp '^ok [0-9]+$'
	run berth exec "$id" /perfprobe --nondumpable-child
	assert_success
	assert_output --regexp '^ok [0-9]+$'
	berth delete -f "$id"
}

@test "policy: CAP_SYS_PTRACE opens another user's and a non-dumpable process, as ptrace" {
	supervise
	assert_ptrace_opens_what_ptrace_may
}

@test "policy: the same with CAP_SYS_PTRACE of a user namespace" {
	supervise
	add_user_namespace
	assert_ptrace_opens_what_ptrace_may
}

@test "an exec'd process is supervised too" {
	local id
	docker_profile
	supervise
	id=$(unique_id sup)
	berth_detached run -d -b "$BUNDLE" "$id"
	run berth exec "$id" /perfprobe
	assert_success
	assert_output --regexp '^ok [0-9]+$'
	berth delete -f "$id"
	assert_nothing_left "$id"
}

@test "a supervisor ends with the processes it serves and holds nothing of the container" {
	local id before tries=100
	before=$(supervisors)
	supervise
	id=$(unique_id sup)
	berth_detached run -d -b "$BUNDLE" "$id"
	assert_equal "$(supervisors)" $((before + 1))
	# It holds no lock of the state dir: delete does not wait for it.
	run timeout 10 "$BERTH" --root "$BERTH_ROOT" delete -f "$id"
	assert_success
	while (($(supervisors) > before && tries-- > 0)); do sleep 0.05; done
	assert_equal "$(supervisors)" "$before"
	assert_nothing_left "$id"
}

@test "bad annotations are config errors" {
	local id
	id=$(unique_id sup)
	update_config '.annotations["run.berth.seccomp.supervise"] = "bpf"'
	berth_capture run -b "$BUNDLE" "$id"
	assert_one_error 'annotations["run.berth.seccomp.supervise"]: berth cannot supervise "bpf"'
	assert_nothing_left "$id"
	supervise
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/run/agent.sock",
		"syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]}'
	berth_capture run -b "$BUNDLE" "$id"
	assert_one_error "cannot be combined with SCMP_ACT_NOTIFY"
	assert_nothing_left "$id"
}

@test "features lists the annotation as potentially unsafe for engines to filter" {
	run berth features
	assert_success
	jq -e '.potentiallyUnsafeConfigAnnotations | index("run.berth.seccomp.supervise") != null' <<<"$output"
}
