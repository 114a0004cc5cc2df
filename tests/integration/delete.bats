#!/usr/bin/env bats
# berth delete: of created, running and stopped containers, --force, and
# what must be gone afterwards.

load helpers
load helpers_features

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

@test "delete of a created container works without --force and leaves nothing" {
	local id pid
	id=$(unique_id)
	berth_detached create -b "$BUNDLE" "$id"
	pid=$(init_pid "$id")
	run berth delete "$id"
	assert_success
	assert_output ''
	wait_for_exit "$pid"
	assert_nothing_left "$id"
}

@test "delete of a stopped container leaves no state, cgroup, mount or process" {
	local id
	id=$(unique_id)
	set_args true
	berth_detached create -b "$BUNDLE" "$id"
	berth start "$id"
	wait_for_status "$id" stopped
	berth delete "$id"
	[[ ! -e "$BERTH_ROOT/$id" ]] || fail "state dir left"
	assert_nothing_left "$id"
	berth_capture state "$id"
	assert_one_error 'does not exist'
}

@test "delete of a running container fails without --force and leaves it running" {
	local id
	id=$(unique_id)
	berth_detached create -b "$BUNDLE" "$id"
	berth start "$id"
	berth_capture delete "$id"
	assert_one_error "cannot delete container $id that is not stopped: running"
	assert_equal "$(state_field "$id" status)" running
}

@test "delete --force of a running container kills it and leaves nothing" {
	local id pid
	id=$(unique_id)
	set_sh 'sleep 1000 & sleep 1000'
	berth_detached create -b "$BUNDLE" "$id"
	berth start "$id"
	pid=$(init_pid "$id")
	run berth delete --force "$id"
	assert_success
	wait_for_exit "$pid"
	assert_nothing_left "$id"
}

@test "delete -f works as --force" {
	local id
	id=$(unique_id)
	berth_detached create -b "$BUNDLE" "$id"
	berth start "$id"
	berth delete -f "$id"
	assert_nothing_left "$id"
}

@test "delete --force of an id that does not exist succeeds" {
	local id
	id=$(unique_id)
	run --separate-stderr berth delete --force "$id"
	assert_success
	assert_output ''
	assert_equal "$stderr" ''
}

@test "delete of an id that does not exist fails" {
	local id
	id=$(unique_id)
	berth_capture delete "$id"
	assert_one_error 'does not exist'
	if is_berth; then
		[[ "$stderr" == *"\"$id\""* ]] || fail "error does not name $id: $stderr"
	fi
}

@test "an id is free again once deleted" {
	local id
	id=$(unique_id)
	berth_detached create -b "$BUNDLE" "$id"
	berth delete "$id"
	berth_detached create -b "$BUNDLE" "$id"
	assert_equal "$(state_field "$id" status)" created
}

