#!/usr/bin/env bats
# berth ps: --format json (host pids, as containerd's Pids reads them) and
# the default table (the host ps cut to the container's processes, Top).

load helpers
load helpers_features

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

@test "ps --format json lists the host pids of the init and the workload" {
	local id pid
	id=$(unique_id)
	start_two "$id"
	run berth ps --format json "$id"
	assert_success
	# One JSON array of numbers: the init plus sh and sleep (runc: sh, sleep).
	jq -e 'type == "array" and length >= 2 and all(.[]; type == "number")' <<<"$output"
	jq -e --argjson p "$(init_pid "$id")" 'index($p) != null' <<<"$output"
	for pid in $(jq -r '.[]' <<<"$output"); do
		grep -qE -- "/$id(/|\$)" "/proc/$pid/cgroup" || fail "pid $pid is not in the container's cgroup"
	done
	run berth ps -f json "$id"
	assert_success
}

@test "ps keeps the host ps header and only the container's lines" {
	local id
	id=$(unique_id)
	start_two "$id"
	run berth ps "$id"
	assert_success
	assert_line --index 0 --regexp '^UID +PID +PPID'
	assert_line --regexp "^[^ ]+ +$(init_pid "$id") "
	assert_line --partial 'sleep 1000'
	refute_line --regexp "^[^ ]+ +$$ "
	((${#lines[@]} >= 3)) || fail "want a header and two processes: $output"
}

@test "ps passes its arguments on to the host ps" {
	local id
	id=$(unique_id)
	start_two "$id"
	run berth ps "$id" -o pid,comm
	assert_success
	assert_line --index 0 --regexp '^ *PID +COMMAND$'
	assert_line --regexp "^ *$(init_pid "$id") "
	assert_line --regexp ' sleep$'
}

@test "ps of an id that does not exist fails" {
	berth_capture ps "$(unique_id nope)"
	assert_one_error 'does not exist'
	berth_capture ps --format json "$(unique_id nope)"
	assert_one_error 'does not exist'
}

@test "ps with an unknown format fails" {
	local id
	id=$(unique_id)
	start_two "$id"
	berth_capture ps --format yaml "$id"
	assert_one_error 'invalid format option'
}
