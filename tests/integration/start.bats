#!/usr/bin/env bats
# berth start: runs the workload of a created container, once.

load helpers
load helpers_features

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

# workload_comms ID: the command names of the container's processes.
workload_comms() {
	local pid
	for pid in $(container_processes "$1"); do
		cat "/proc/$pid/comm" 2>/dev/null || true
	done
}

# live_processes ID: the container's processes that are not zombies (one
# that is gone by the time its stat is read is not live either).
live_processes() {
	local pid state
	for pid in $(container_processes "$1"); do
		state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || continue
		[[ -z "$state" || "$state" == [ZX] ]] || echo "$pid"
	done
}

@test "start runs the workload: status running, the program in the container" {
	local id
	id=$(unique_id)
	berth_detached create -b "$BUNDLE" "$id"
	run workload_comms "$id"
	refute_line sleep
	berth start "$id"
	assert_equal "$(state_field "$id" status)" running
	run workload_comms "$id"
	assert_line sleep
}

@test "start prints nothing and the workload's output goes where create's stdout went" {
	local id
	id=$(unique_id)
	set_sh 'echo hello from the workload'
	create_logged "$id"
	run berth start "$id"
	assert_success
	assert_output ''
	wait_for_status "$id" stopped
	assert_equal "$(cat "$BATS_TEST_TMPDIR/$id.out")" 'hello from the workload'
}

@test "start of a running container fails and leaves it running" {
	local id pid
	id=$(unique_id)
	berth_detached create -b "$BUNDLE" "$id"
	berth start "$id"
	pid=$(init_pid "$id")
	berth_capture start "$id"
	assert_one_error 'cannot start an already running container'
	assert_equal "$(state_field "$id" status)" running
	assert_equal "$(init_pid "$id")" "$pid"
}

@test "start of a stopped container fails" {
	local id
	id=$(unique_id)
	set_args true
	berth_detached create -b "$BUNDLE" "$id"
	berth start "$id"
	wait_for_status "$id" stopped
	berth_capture start "$id"
	assert_one_error 'cannot start a container that has stopped'
	assert_equal "$(state_field "$id" status)" stopped
}

@test "start of an id that does not exist fails, naming it" {
	local id
	id=$(unique_id)
	berth_capture start "$id"
	assert_one_error 'does not exist'
	if is_berth; then
		[[ "$stderr" == *"\"$id\""* ]] || fail "error does not name $id: $stderr"
	fi
	assert_nothing_left "$id"
}

@test "start of a program missing from the rootfs fails with one clear error" {
	requires_berth # runc looks the program up at create already
	local id pid
	id=$(unique_id)
	set_args /bin/no-such-program
	berth_detached create -b "$BUNDLE" "$id"
	pid=$(init_pid "$id")
	berth_capture start "$id"
	assert_one_error '/bin/no-such-program'
	[[ "$stderr" == *"no such file or directory"* ]] || fail "error lacks the reason: $stderr"
	# PID 1 exits (a zombie until the host's init reaps it: no longer ours),
	# the container is stopped and deletes cleanly.
	wait_for_exit "$pid"
	assert_equal "$(state_field "$id" status)" stopped
	run live_processes "$id"
	assert_output ''
	berth delete "$id"
	assert_nothing_left "$id"
}

@test "start of a program that is not executable fails with one clear error" {
	requires_berth # runc looks the program up at create already
	local id
	id=$(unique_id)
	echo 'not a program' >"$ROOTFS/bin/not-exec"
	chmod 0644 "$ROOTFS/bin/not-exec"
	set_args /bin/not-exec
	berth_detached create -b "$BUNDLE" "$id"
	berth_capture start "$id"
	assert_one_error '/bin/not-exec'
	[[ "$stderr" == *"permission denied"* ]] || fail "error lacks the reason: $stderr"
	assert_equal "$(state_field "$id" status)" stopped
}
