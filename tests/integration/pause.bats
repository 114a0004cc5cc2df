#!/usr/bin/env bats
# berth pause / resume: the freezer stops every process of the container,
# state and list show "paused", and the errors, kill and delete of a paused
# container behave as runc's.

load helpers
load helpers_features

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

# start_counter ID: a running container that prints 1, 2, 3... ten times a
# second to $BATS_TEST_TMPDIR/ID.out (TERM: prints "got TERM" and exits).
start_counter() {
	local id="$1"
	set_sh 'trap "echo got TERM; exit 0" TERM; i=0; while :; do i=$((i+1)); echo $i; sleep 0.1; done'
	create_logged "$id"
	berth start "$id"
	wait_for_text "$BATS_TEST_TMPDIR/$id.out" 2
}

# counted ID: how many lines the counter has printed.
counted() { wc -l <"$BATS_TEST_TMPDIR/$1.out"; }

@test "pause stops the counter and resume lets it go on" {
	local id before after
	id=$(unique_id)
	start_counter "$id"
	berth pause "$id"
	before=$(counted "$id")
	sleep 0.6
	after=$(counted "$id")
	assert_equal "$after" "$before"
	berth resume "$id"
	sleep 0.6
	after=$(counted "$id")
	((after > before + 2)) || fail "counter at $after after resume, was $before"
}

@test "state and list show paused, then running after resume" {
	local id
	id=$(unique_id)
	start_counter "$id"
	run berth pause "$id"
	assert_success
	assert_output ''
	assert_equal "$(state_field "$id" status)" paused
	assert_equal "$(berth list --format json | jq -r --arg id "$id" '.[] | select(.id == $id) | .status')" paused
	run berth list
	assert_line --regexp "^$id +[0-9]+ +paused "
	run berth resume "$id"
	assert_success
	assert_output ''
	assert_equal "$(state_field "$id" status)" running
}

@test "pause of a paused container fails: container not running" {
	local id
	id=$(unique_id)
	start_counter "$id"
	berth pause "$id"
	berth_capture pause "$id"
	assert_one_error 'container not running'
	assert_equal "$(state_field "$id" status)" paused
}

@test "resume of a running container fails: container not paused" {
	local id
	id=$(unique_id)
	start_counter "$id"
	berth_capture resume "$id"
	assert_one_error 'container not paused'
	assert_equal "$(state_field "$id" status)" running
}

@test "pause of a stopped container fails: container not running" {
	local id
	id=$(unique_id)
	set_args true
	berth_detached create -b "$BUNDLE" "$id"
	berth start "$id"
	wait_for_status "$id" stopped
	berth_capture pause "$id"
	assert_one_error 'container not running'
}

@test "pause and resume of an id that does not exist fail" {
	berth_capture pause "$(unique_id nope)"
	assert_one_error 'does not exist'
	berth_capture resume "$(unique_id nope)"
	assert_one_error 'does not exist'
}

@test "kill TERM of a paused container is delivered on resume" {
	local id
	id=$(unique_id)
	start_counter "$id"
	berth pause "$id"
	run berth kill "$id" TERM
	assert_success
	sleep 0.3 # nothing to poll for: a frozen container must stay as it is
	assert_equal "$(state_field "$id" status)" paused
	run grep -c 'got TERM' "$BATS_TEST_TMPDIR/$id.out"
	assert_output 0
	berth resume "$id"
	wait_for_status "$id" stopped
	wait_for_text "$BATS_TEST_TMPDIR/$id.out" 'got TERM'
}

@test "kill KILL of a paused container stops it" {
	local id
	id=$(unique_id)
	start_counter "$id"
	berth pause "$id"
	berth kill "$id" KILL
	wait_for_status "$id" stopped
	berth delete "$id"
	assert_nothing_left "$id"
}

@test "delete of a paused container fails without --force" {
	local id
	id=$(unique_id)
	start_counter "$id"
	berth pause "$id"
	berth_capture delete "$id"
	assert_one_error "cannot delete container $id that is not stopped: paused"
	assert_equal "$(state_field "$id" status)" paused
}

@test "delete --force of a paused container leaves nothing" {
	local id
	id=$(unique_id)
	start_counter "$id"
	berth pause "$id"
	run timeout 20 "$BERTH" --root "$BERTH_ROOT" delete --force "$id"
	assert_success
	assert_nothing_left "$id"
}

@test "a created container can be paused and resumed" {
	local id
	id=$(unique_id)
	berth_detached create -b "$BUNDLE" "$id"
	berth pause "$id"
	assert_equal "$(state_field "$id" status)" paused
	berth resume "$id"
	assert_equal "$(state_field "$id" status)" created
}
