#!/usr/bin/env bats
# berth run: create + start + wait. Exit status, cleanup, --keep, --detach,
# signal forwarding, output.

load helpers
load helpers_features

setup() {
	setup_bundle
	RUN_PID=
}

teardown() {
	if [[ -n "$RUN_PID" ]]; then
		kill -KILL "$RUN_PID" 2>/dev/null || true
		wait "$RUN_PID" 2>/dev/null || true
	fi
	teardown_bundle
}

# run_in_background ID [ARGS...]: `berth run ARGS -b $BUNDLE ID` in the
# background with stdio through files; sets RUN_PID (berth's own pid).
run_in_background() {
	local id="$1"
	shift
	"$BERTH" --root "$BERTH_ROOT" run "$@" -b "$BUNDLE" "$id" </dev/null \
		>"$BATS_TEST_TMPDIR/run.out" 2>"$BATS_TEST_TMPDIR/run.err" &
	RUN_PID=$!
}

# wait_run: waits (at most 20 s) for the background run; sets RUN_STATUS.
wait_run() {
	wait_for_pid_exit "$RUN_PID" 400 || fail "berth run still running"
	RUN_STATUS=0
	wait "$RUN_PID" || RUN_STATUS=$?
	RUN_PID=
}

@test "run exits with the workload's exit status" {
	set_sh 'exit 7'
	run_container
	assert_equal "$status" 7
}

@test "run exits 0 when the workload succeeds" {
	set_args true
	run_container
	assert_success
}

@test "run of a container killed by SIGKILL exits 128+9" {
	local id
	id=$(unique_id)
	run_in_background "$id"
	wait_for_status "$id" running
	berth kill "$id" KILL
	wait_run
	assert_equal "$RUN_STATUS" 137
}

@test "run of a workload killed by signal N exits 128+N" {
	requires_berth # under runc the workload is PID 1, which ignores it
	set_sh 'kill -USR2 $$'
	run_container
	assert_equal "$status" $((128 + 10 + 2))
}

@test "run deletes the container when it exits" {
	local id
	id=$(unique_id)
	set_args true
	run berth run -b "$BUNDLE" "$id" </dev/null
	assert_success
	berth_capture state "$id"
	assert_one_error 'does not exist'
	assert_nothing_left "$id"
}

@test "run --keep keeps the stopped container, then delete removes it" {
	local id
	id=$(unique_id)
	set_sh 'exit 3'
	run berth run --keep -b "$BUNDLE" "$id" </dev/null
	assert_equal "$status" 3
	assert_equal "$(state_field "$id" status)" stopped
	assert_equal "$(state_field "$id" pid)" 0
	run container_processes "$id"
	assert_output ''
	berth delete "$id"
	assert_nothing_left "$id"
}

@test "run --detach returns with the container running" {
	local id
	id=$(unique_id)
	# Not `run`: the container inherits stdout, which must not be bats' pipe.
	timeout 20 "$BERTH" --root "$BERTH_ROOT" run --detach -b "$BUNDLE" "$id" \
		</dev/null >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
	assert_equal "$(state_field "$id" status)" running
	berth_detached run -d -b "$BUNDLE" "$id-2"
	assert_equal "$(state_field "$id-2" status)" running
}

@test "signals sent to berth run reach the workload" {
	local id
	id=$(unique_id)
	set_sh 'trap "echo got-usr1; exit 5" USR1; echo ready; while :; do sleep 0.1; done'
	run_in_background "$id"
	wait_for_text "$BATS_TEST_TMPDIR/run.out" ready
	kill -USR1 "$RUN_PID"
	wait_run
	assert_equal "$RUN_STATUS" 5
	run cat "$BATS_TEST_TMPDIR/run.out"
	assert_line got-usr1
	assert_nothing_left "$id"
}

@test "SIGTERM to berth run reaches the workload" {
	local id
	id=$(unique_id)
	set_sh 'trap "echo got-term; exit 0" TERM; echo ready; while :; do sleep 0.1; done'
	run_in_background "$id"
	wait_for_text "$BATS_TEST_TMPDIR/run.out" ready
	kill -TERM "$RUN_PID"
	wait_run
	assert_equal "$RUN_STATUS" 0
	run cat "$BATS_TEST_TMPDIR/run.out"
	assert_line got-term
}

@test "the workload's stdout and stderr reach run's caller" {
	set_sh 'echo to-stdout; echo to-stderr >&2'
	run --separate-stderr berth run -b "$BUNDLE" "$(unique_id)" </dev/null
	assert_success
	assert_output to-stdout
	assert_equal "$stderr" to-stderr
}

@test "run's stdin reaches the workload" {
	set_sh 'read line; echo "got:$line"'
	run berth run -b "$BUNDLE" "$(unique_id)" <<<'some input'
	assert_success
	assert_output 'got:some input'
}

@test "run of a taken id fails and leaves the first container alone" {
	local id
	id=$(unique_id)
	berth_detached create -b "$BUNDLE" "$id"
	berth_capture run -b "$BUNDLE" "$id"
	assert_one_error 'already exists'
	assert_equal "$(state_field "$id" status)" created
}

@test "run of a missing program fails with one error and leaves nothing" {
	local id
	id=$(unique_id)
	set_args /bin/no-such-program
	berth_capture run -b "$BUNDLE" "$id"
	assert_one_error 'no-such-program'
	assert_nothing_left "$id"
}
