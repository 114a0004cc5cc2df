#!/usr/bin/env bats
# SCMP_ACT_NOTIFY: the filter's listener goes to the agent at
# linux.seccomp.listenerPath, with the container process state of the
# runtime-spec (config-linux.md), for the workload and for each exec; the
# workload runs only once the agent has it.

load helpers
load helpers_features

SECCOMP_AGENT="${SECCOMP_AGENT:-$REPO_ROOT/build/tools/seccomp_agent}"

# x86_64 syscall numbers, as the agent logs them.
NR_MKDIR=83 NR_MKDIRAT=258 NR_EXECVE=59 NR_CHDIR=80
MKDIR_NAMES='["mkdir", "mkdirat"]'

setup() {
	setup_bundle
	update_config '.root.readonly = false'
	AGENT_SOCK="$BATS_TEST_TMPDIR/agent.sock"
	AGENT_STATES="$BATS_TEST_TMPDIR/agent.states"
	AGENT_LOG="$BATS_TEST_TMPDIR/agent.log"
	AGENT_PID=
}

teardown() {
	teardown_bundle
	stop_agent
}

# start_agent ANSWER: the test agent on $AGENT_SOCK; it appends each
# process state it gets to $AGENT_STATES, logs each notification to
# $AGENT_LOG as "<nr> <pid>" and answers it with ANSWER (errno:N or
# continue).
start_agent() {
	"$SECCOMP_AGENT" "$AGENT_SOCK" "$AGENT_STATES" "$1" >"$AGENT_LOG" 2>&1 3>&- &
	AGENT_PID=$!
	wait_for_file "$AGENT_SOCK"
}

stop_agent() {
	[[ -n "$AGENT_PID" ]] || return 0
	kill "$AGENT_PID" 2>/dev/null || true
	wait "$AGENT_PID" 2>/dev/null || true
	AGENT_PID=
}

# notify_on NAMES-JSON: every syscall allowed, NAMES notified to the agent.
notify_on() {
	update_config --argjson n "$1" --arg p "$AGENT_SOCK" '.linux.seccomp = {
		defaultAction: "SCMP_ACT_ALLOW", listenerPath: $p, listenerMetadata: "berth-test",
		syscalls: [{names: $n, action: "SCMP_ACT_NOTIFY"}]}'
}

# assert_state_line N JQ-FILTER [JQ-ARGS...]: the filter on the Nth process state
# the agent got (1-based) prints true.
assert_state_line() {
	local n="$1" filter="$2"
	shift 2
	run jq -c "$@" "$filter" <(sed -n "${n}p" "$AGENT_STATES")
	[[ "$output" == true ]] || fail "process state $n: $(sed -n "${n}p" "$AGENT_STATES")"
}

@test "the agent gets the listener with the container process state, and answers the workload's calls" {
	local id init workload
	start_agent errno:18
	notify_on "$MKDIR_NAMES"
	set_sh 'mkdir /newdir; echo "rc=$?"; exec sleep 1000'
	id=$(unique_id notify)
	create_logged "$id"
	berth start "$id"
	wait_for_text "$BATS_TEST_TMPDIR/$id.out" rc=1
	# 18 = EXDEV: the agent's answer, not the kernel's.
	grep -q 'Invalid cross-device link' "$BATS_TEST_TMPDIR/$id.err"
	[[ ! -e "$ROOTFS/newdir" ]]
	init=$(init_pid "$id")
	# berth-init's child; with runc the workload is the init.
	workload=$(awk '{ print $1 }' "/proc/$init/task/$init/children")
	workload=${workload:-$init}
	assert_equal "$(wc -l <"$AGENT_STATES")" 1
	assert_state_line 1 '(.ociVersion | type) == "string" and .fds == ["seccompFd"] and .pid == $pid
		and .metadata == "berth-test" and .state.id == $id and .state.pid == $init
		and (.state.status == "created" or .state.status == "creating") and .state.bundle == $bundle' \
		--argjson pid "$workload" --argjson init "$init" --arg id "$id" --arg bundle "$BUNDLE"
	# The shell forks for mkdir: the call comes from a child of the workload.
	grep -Eq "^($NR_MKDIR|$NR_MKDIRAT) [0-9]+\$" "$AGENT_LOG" || fail "agent log: $(cat "$AGENT_LOG")"
	berth delete -f "$id"
	assert_nothing_left "$id"
}

@test "the workload execs only once the agent has the listener: execve itself can be notified" {
	start_agent continue
	notify_on '["execve"]'
	set_sh 'echo RAN'
	run_container
	assert_success
	assert_line RAN
	run head -n 1 "$AGENT_LOG"
	assert_output --regexp "^$NR_EXECVE [0-9]+\$"
}

@test "without noNewPrivileges the filter loads early: the steps after it are notified too" {
	start_agent continue
	update_config '.process.noNewPrivileges = false'
	notify_on '["execve", "chdir"]'
	set_sh 'echo RAN'
	run_container
	assert_success
	assert_line RAN
	# berth-init's chdir to process.cwd comes after the load, then the exec.
	run awk '{ print $1 }' "$AGENT_LOG"
	assert_line --index 0 "$NR_CHDIR"
	assert_line --index 1 "$NR_EXECVE"
}

@test "exec mode: the workload is PID 1 and the process state's pid is the init's" {
	requires_berth
	local id
	start_agent errno:18
	notify_on "$MKDIR_NAMES"
	update_config '.annotations["run.berth.init"] = "exec"'
	set_sh 'mkdir /newdir; echo "rc=$? pid=$$"'
	run_container
	assert_success
	assert_line 'rc=1 pid=1'
	assert_state_line 1 '.pid == .state.pid and .pid > 1'
}

@test "exec: the exec'd process's listener goes to the agent too" {
	local id pid
	start_agent errno:18
	notify_on "$MKDIR_NAMES"
	set_args sleep 1000
	id=$(unique_id notify)
	berth_detached run -d -b "$BUNDLE" "$id"
	run berth exec --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$id" sh -c 'mkdir /newdir; echo "rc=$?"'
	assert_success
	assert_line rc=1
	pid=$(cat "$BATS_TEST_TMPDIR/exec.pid")
	assert_equal "$(wc -l <"$AGENT_STATES")" 2
	assert_state_line 2 '.pid == $pid and .state.id == $id and .state.status == "running"
		and .fds == ["seccompFd"]' --argjson pid "$pid" --arg id "$id"
	assert_equal "$(grep -cE "^($NR_MKDIR|$NR_MKDIRAT) " "$AGENT_LOG")" 1
	# No helper is left behind, as a zombie or otherwise: only init and sleep.
	run berth exec "$id" sh -c 'set -- /proc/[0-9]*; echo $#'
	if is_berth; then
		assert_output 3 # berth-init, sleep and this shell
	else
		assert_output 2
	fi
	berth delete -f "$id"
}

@test "run: with no agent at listenerPath the run fails, the workload never runs, nothing is left" {
	local id
	notify_on "$MKDIR_NAMES"
	set_sh 'touch /ran'
	id=$(unique_id notify)
	berth_capture run -b "$BUNDLE" "$id"
	assert_one_error "$AGENT_SOCK"
	[[ ! -e "$ROOTFS/ran" ]]
	assert_nothing_left "$id"
}

@test "start: with no agent at listenerPath start fails and the container is stopped, its workload never run" {
	requires_berth # runc sends the listener at create
	local id
	notify_on "$MKDIR_NAMES"
	set_sh 'touch /ran'
	id=$(unique_id notify)
	create_logged "$id"
	berth_capture start "$id"
	assert_one_error "seccomp listener: connect to \"$AGENT_SOCK\""
	[[ "$(state_field "$id" status)" == stopped ]]
	[[ ! -e "$ROOTFS/ran" ]]
	berth delete "$id"
	assert_nothing_left "$id"
}

@test "exec: with the agent gone the exec fails and its process never runs" {
	local id
	start_agent errno:18
	notify_on "$MKDIR_NAMES"
	set_args sleep 1000
	id=$(unique_id notify)
	berth_detached run -d -b "$BUNDLE" "$id"
	stop_agent
	berth_capture exec "$id" touch /ran
	assert_exec_failed "$AGENT_SOCK"
	[[ ! -e "$ROOTFS/ran" ]]
	[[ "$(state_field "$id" status)" == running ]]
	berth delete -f "$id"
	assert_nothing_left "$id"
}

@test "SCMP_ACT_NOTIFY without listenerPath is a config error" {
	local id
	update_config '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
		syscalls: [{names: ["mkdir"], action: "SCMP_ACT_NOTIFY"}]}'
	id=$(unique_id notify)
	berth_capture run -b "$BUNDLE" "$id"
	assert_one_error "listenerPath"
	assert_nothing_left "$id"
}
