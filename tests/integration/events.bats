#!/usr/bin/env bats
# berth events: --stats prints one object in runc's shape, --interval
# streams them until the container stops, and OOM kills show as
# {"type":"oom"} objects.

load helpers
load helpers_features

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

@test "events --stats prints one stats object in runc's shape" {
	local id
	id=$(unique_id)
	start_two "$id"
	run berth events --stats "$id"
	assert_success
	assert_equal "${#lines[@]}" 1
	jq -e --arg id "$id" '.type == "stats" and .id == $id' <<<"$output"
	jq -e '.data.memory.usage.usage > 0 and (.data.memory.usage | has("limit") and has("failcnt"))' <<<"$output"
	jq -e '.data.pids.current >= 2' <<<"$output"
	jq -e '.data.cpu.usage.total > 0 and (.data.cpu.usage | has("kernel") and has("user"))' <<<"$output"
	jq -e '(.data.cpu.throttling | type) == "object" and (.data.blkio | type) == "object"' <<<"$output"
	jq -e '.data.memory | has("swap") and has("kernel") and has("kernelTCP")' <<<"$output"
	jq -e '(.data.hugetlb | type) == "object"' <<<"$output"
}

@test "events --stats of a stopped container fails" {
	local id
	id=$(unique_id)
	set_args true
	berth_detached create -b "$BUNDLE" "$id"
	berth start "$id"
	wait_for_status "$id" stopped
	berth_capture events --stats "$id"
	assert_one_error 'is not running'
}

@test "events of an id that does not exist fails" {
	berth_capture events --stats "$(unique_id nope)"
	assert_one_error 'does not exist'
}

@test "events --interval takes a Go duration and refuses other text" {
	local id
	id=$(unique_id)
	start_two "$id"
	berth_capture events --interval 1 "$id"
	assert_one_error 'invalid value "1" for flag -interval'
	berth_capture events --interval 1x "$id"
	assert_one_error 'invalid value "1x" for flag -interval'
}

@test "events --interval streams stats until the container stops" {
	requires_berth # runc's stream goes on after the container stopped
	local id
	id=$(unique_id)
	set_args sleep 1.5
	berth_detached create -b "$BUNDLE" "$id"
	berth start "$id"
	run timeout 20 "$BERTH" --root "$BERTH_ROOT" events --interval 200ms "$id"
	assert_success
	((${#lines[@]} >= 2)) || fail "want at least 2 objects, got: $output"
	jq -e -s --arg id "$id" 'all(.[]; .type == "stats" and .id == $id)' <<<"$output"
	# The last object may be read as the workload exits.
	jq -e -s 'any(.[]; .data.pids.current >= 1)' <<<"$output"
	assert_equal "$(state_field "$id" status)" stopped
}

@test "an OOM kill shows as an oom event and the container exits non-zero" {
	local id dir run_pid events_pid status=0 tries=100
	id=$(unique_id oom)
	update_config '.root.readonly = false | .linux.resources.memory = {"limit": 16777216, "swap": 16777216}'
	set_sh 'echo ready; while [ ! -e /tmp/go ]; do sleep 0.1; done; exec tail /dev/zero'
	timeout 60 "$BERTH" --root "$BERTH_ROOT" run -b "$BUNDLE" "$id" </dev/null \
		>"$BATS_TEST_TMPDIR/run.out" 2>"$BATS_TEST_TMPDIR/run.err" &
	run_pid=$!
	wait_for_text "$BATS_TEST_TMPDIR/run.out" ready
	# Fallback while berth's resource support lands (issue 3, another
	# change): put the limit into the v1 memory cgroup ourselves.
	dir=/sys/fs/cgroup/memory/$id
	if is_berth && [[ -e "$dir/memory.limit_in_bytes" ]] &&
		[[ "$(cat "$dir/memory.limit_in_bytes")" != 16777216 ]]; then
		echo 16777216 >"$dir/memory.limit_in_bytes"
		echo 16777216 >"$dir/memory.memsw.limit_in_bytes" 2>/dev/null || true
	fi
	timeout 60 "$BERTH" --root "$BERTH_ROOT" events --interval 200ms "$id" \
		>"$BATS_TEST_TMPDIR/events.out" 2>"$BATS_TEST_TMPDIR/events.err" &
	events_pid=$!
	# The first stats object proves the OOM watch is in place.
	while [[ ! -s "$BATS_TEST_TMPDIR/events.out" ]] && ((tries-- > 0)); do sleep 0.05; done
	touch "$ROOTFS/tmp/go"
	wait "$run_pid" || status=$?
	((status != 0)) || fail "the OOM-killed container exited 0"
	if is_berth; then
		wait "$events_pid" || fail "events failed: $(cat "$BATS_TEST_TMPDIR/events.err")"
	else
		kill "$events_pid" && wait "$events_pid" || true # runc's stream does not end
	fi
	run cat "$BATS_TEST_TMPDIR/events.out"
	assert_line "{\"type\":\"oom\",\"id\":\"$id\"}"
}
