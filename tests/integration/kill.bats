#!/usr/bin/env bats
# berth kill: signal names and numbers, the default SIGTERM, --all, and the
# errors for stopped or missing containers and unknown signals.

load helpers
load helpers_features

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

# start_trapping ID SIGNAL...: a running container whose workload prints
# "got SIGNAL" and exits 0 on each SIGNAL (output in $BATS_TEST_TMPDIR/ID.out);
# returns once the traps are set.
start_trapping() {
	local id="$1" script="" sig
	shift
	for sig in "$@"; do
		script+="trap 'echo got $sig; exit 0' $sig; "
	done
	set_sh "${script}echo ready; while :; do sleep 0.1; done"
	create_logged "$id"
	berth start "$id"
	wait_for_text "$BATS_TEST_TMPDIR/$id.out" ready
}

@test "kill without a signal sends SIGTERM" {
	local id
	id=$(unique_id)
	start_trapping "$id" TERM
	berth kill "$id"
	wait_for_status "$id" stopped
	run cat "$BATS_TEST_TMPDIR/$id.out"
	assert_line 'got TERM'
}

@test "kill takes USR1, SIGUSR1, sigusr1 and 10 alike" {
	local id sig n=0
	for sig in USR1 SIGUSR1 sigusr1 10; do
		id=$(unique_id "u$((n++))")
		start_trapping "$id" USR1
		run berth kill "$id" "$sig"
		assert_success
		assert_output ''
		wait_for_status "$id" stopped
		run cat "$BATS_TEST_TMPDIR/$id.out"
		assert_line 'got USR1'
	done
}

@test "kill takes KILL, SIGKILL and 9 alike" {
	local id sig n=0 pids
	for sig in KILL SIGKILL 9; do
		id=$(unique_id "k$((n++))")
		berth_detached create -b "$BUNDLE" "$id"
		berth start "$id"
		berth kill "$id" "$sig"
		wait_for_status "$id" stopped
		pids=$(container_processes "$id")
		[[ -z "$pids" ]] || wait_for_exit "${pids%%$'\n'*}"
	done
}

@test "kill of an unknown signal fails and signals nothing" {
	local id
	id=$(unique_id)
	start_trapping "$id" TERM USR1
	for sig in FOO SIGFOO; do
		berth_capture kill "$id" "$sig"
		assert_one_error "unknown signal \"$sig\""
	done
	assert_equal "$(state_field "$id" status)" running
	run cat "$BATS_TEST_TMPDIR/$id.out"
	refute_line --partial got
}

@test "kill of a stopped container fails: container not running" {
	local id
	id=$(unique_id)
	set_args true
	berth_detached create -b "$BUNDLE" "$id"
	berth start "$id"
	wait_for_status "$id" stopped
	berth_capture kill "$id" KILL
	assert_one_error 'container not running'
}

@test "kill of an id that does not exist fails" {
	berth_capture kill "$(unique_id)" KILL
	assert_one_error 'does not exist'
}

@test "kill of a created container stops it" {
	local id
	id=$(unique_id)
	berth_detached create -b "$BUNDLE" "$id"
	berth kill "$id"
	wait_for_status "$id" stopped
	berth delete "$id"
	assert_nothing_left "$id"
}

@test "kill KILL of a created container stops it" {
	local id
	id=$(unique_id)
	berth_detached create -b "$BUNDLE" "$id"
	berth kill "$id" KILL
	wait_for_status "$id" stopped
}

@test "kill --all signals every process in the container" {
	local id
	id=$(unique_id)
	update_config '.root.readonly = false'
	# Two children that each note USR1; PID 1 survives it.
	set_sh 'trap "touch /tmp/main" USR1
		for i in 1 2; do
			(trap "touch /tmp/child$i; exit 0" USR1; while :; do sleep 0.1; done) &
		done
		echo ready; while :; do sleep 0.1; done'
	create_logged "$id"
	berth start "$id"
	wait_for_text "$BATS_TEST_TMPDIR/$id.out" ready
	berth kill --all "$id" USR1
	wait_for_file "$ROOTFS/tmp/child1"
	wait_for_file "$ROOTFS/tmp/child2"
	assert_equal "$(state_field "$id" status)" running
}

@test "kill -a KILL leaves no process of the container" {
	local id
	id=$(unique_id)
	set_sh 'sleep 1000 & sleep 1000 & echo ready; wait'
	create_logged "$id"
	berth start "$id"
	wait_for_text "$BATS_TEST_TMPDIR/$id.out" ready
	berth kill -a "$id" KILL
	wait_for_status "$id" stopped
	local tries=100
	while [[ -n "$(container_processes "$id")" ]] && ((tries-- > 0)); do sleep 0.05; done
	run container_processes "$id"
	assert_output ''
}

@test "kill --all of a stopped container succeeds" {
	local id
	id=$(unique_id)
	set_args true
	berth_detached create -b "$BUNDLE" "$id"
	berth start "$id"
	wait_for_status "$id" stopped
	run berth kill --all "$id" KILL
	assert_success
}

@test "kill USR1 of a created container leaves it created, as runc's init does" {
	local id
	id=$(unique_id)
	berth_detached create -b "$BUNDLE" "$id"
	run berth kill "$id" USR1
	assert_success
	sleep 0.3 # nothing to poll for: the container must stay as it is
	assert_equal "$(state_field "$id" status)" created
	berth start "$id"
	wait_for_status "$id" running
}

@test "kill with an empty signal sends SIGTERM, as runc's" {
	local id
	id=$(unique_id)
	start_trapping "$id" TERM
	run berth kill "$id" ''
	assert_success
	wait_for_status "$id" stopped
	run cat "$BATS_TEST_TMPDIR/$id.out"
	assert_line 'got TERM'
}

@test "kill of a missing container with a bad signal reports the container" {
	berth_capture kill "$(unique_id nope)" NOSUCHSIGNAL
	assert_one_error 'does not exist'
}
