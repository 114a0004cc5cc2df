#!/usr/bin/env bats
# berth state: the OCI state JSON as runc prints it, through the lifecycle.

load helpers
load helpers_features

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

RFC3339_NANO='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{1,9}Z$'

@test "state prints runc's fields, in runc's order" {
	local id
	id=$(unique_id)
	berth_detached create -b "$BUNDLE" "$id"
	run berth state "$id"
	assert_success
	assert_equal "$(jq -r 'keys_unsorted | join(" ")' <<<"$output")" \
		'ociVersion id pid status bundle rootfs created owner'
	assert_equal "$(jq -r .ociVersion <<<"$output")" "$(jq -r .ociVersion "$BUNDLE/config.json")"
	assert_equal "$(jq -r .id <<<"$output")" "$id"
	assert_equal "$(jq -r '.pid | type' <<<"$output")" number
	assert_equal "$(jq -r .bundle <<<"$output")" "$(realpath "$BUNDLE")"
	assert_equal "$(jq -r .rootfs <<<"$output")" "$(realpath "$ROOTFS")"
	# runc's state leaves owner empty; its list (list.bats) names it.
	assert_equal "$(jq -r '.owner' <<<"$output")" ""
	# Indented with two spaces, as runc's json.MarshalIndent.
	assert_line --index 1 --regexp '^  "ociVersion": '
}

@test "state: created is RFC 3339 UTC with nanoseconds, the time of create" {
	local id created before after
	id=$(unique_id)
	before=$(date -u +%s)
	berth_detached create -b "$BUNDLE" "$id"
	after=$(date -u +%s)
	created=$(state_field "$id" created)
	[[ "$created" =~ $RFC3339_NANO ]] || fail "created \"$created\""
	local t
	t=$(date -u -d "$created" +%s)
	((t >= before && t <= after)) || fail "created $created not within create ($before..$after)"
}

@test "state: annotations come from the config" {
	local id
	id=$(unique_id)
	update_config '.annotations = {"org.example.one": "1", "org.example.two": "a b"}'
	berth_detached create -b "$BUNDLE" "$id"
	run berth state "$id"
	assert_equal "$(jq -c .annotations <<<"$output")" '{"org.example.one":"1","org.example.two":"a b"}'
	assert_equal "$(jq -r 'keys_unsorted | join(" ")' <<<"$output")" \
		'ociVersion id pid status bundle rootfs created annotations owner'
}

@test "state follows created -> running -> stopped; pid is 0 once stopped" {
	local id pid
	id=$(unique_id)
	berth_detached create -b "$BUNDLE" "$id"
	assert_equal "$(state_field "$id" status)" created
	pid=$(init_pid "$id")
	[[ "$pid" -gt 0 ]] || fail "pid $pid"
	berth start "$id"
	assert_equal "$(state_field "$id" status)" running
	# The same PID 1 runs the container.
	assert_equal "$(init_pid "$id")" "$pid"
	berth kill "$id" KILL
	wait_for_status "$id" stopped
	assert_equal "$(init_pid "$id")" 0
	# The rest of the state stays as it was.
	assert_equal "$(state_field "$id" bundle)" "$(realpath "$BUNDLE")"
}

@test "state: a workload that exits by itself is stopped" {
	local id
	id=$(unique_id)
	set_args true
	berth_detached create -b "$BUNDLE" "$id"
	berth start "$id"
	wait_for_status "$id" stopped
	assert_equal "$(init_pid "$id")" 0
}

@test "state of an id that does not exist fails, naming it" {
	local id
	id=$(unique_id)
	berth_capture state "$id"
	assert_one_error 'does not exist'
	assert_output ''
	if is_berth; then
		[[ "$stderr" == *"\"$id\""* ]] || fail "error does not name $id: $stderr"
	fi
}

@test "state of an invalid id fails with one error" {
	berth_capture state 'a/b'
	assert_one_error
}
