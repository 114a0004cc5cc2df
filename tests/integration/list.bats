#!/usr/bin/env bats
# berth list: runc's table, -q and --format json.

load helpers
load helpers_features

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

EMPTY_HEADER='ID          PID         STATUS      BUNDLE      CREATED     OWNER'

# expected_table: the table runc prints for the containers `list --format
# json` reports: Go's tabwriter (min width 12, padding 3), the last column
# unpadded, PID 0 for a stopped container.
expected_table() {
	berth list --format json | jq -r '
		(["ID","PID","STATUS","BUNDLE","CREATED","OWNER"]),
		((. // [])[] | [.id, (.pid | tostring), .status, .bundle, .created, .owner])
		| @tsv' |
		awk -F '\t' '
		{ for (i = 1; i <= NF; i++) { cell[NR, i] = $i; if (length($i) + 3 > w[i]) w[i] = length($i) + 3 } n = NR }
		END {
			for (i = 1; i <= 5; i++) if (w[i] < 12) w[i] = 12
			for (r = 1; r <= n; r++) {
				line = ""
				for (i = 1; i <= 5; i++) line = line sprintf("%-" w[i] "s", cell[r, i])
				print line cell[r, 6]
			}
		}'
}

# create_three: a created, a running and a stopped container; sets IDS
# (sorted).
create_three() {
	local base
	base=$(unique_id)
	IDS=("$base-a" "$base-b" "$base-c")
	berth_detached create -b "$BUNDLE" "${IDS[0]}"
	berth_detached create -b "$BUNDLE" "${IDS[1]}"
	berth start "${IDS[1]}"
	berth_detached create -b "$BUNDLE" "${IDS[2]}"
	berth start "${IDS[2]}"
	berth kill "${IDS[2]}" KILL
	wait_for_status "${IDS[2]}" stopped
}

@test "list of an empty root prints runc's header only" {
	run berth list
	assert_success
	assert_output "$EMPTY_HEADER"
}

@test "list of a root that does not exist prints the header and succeeds" {
	run "$BERTH" --root "$BATS_TEST_TMPDIR/no-such-root" list
	assert_success
	assert_output "$EMPTY_HEADER"
}

@test "list --format json of an empty root prints null, as runc" {
	run berth list --format json
	assert_success
	assert_output null
}

@test "list -q of an empty root prints nothing" {
	run berth list -q
	assert_success
	assert_output ''
}

@test "list shows every container in runc's table layout" {
	create_three
	run berth list
	assert_success
	assert_equal "${#lines[@]}" 4
	assert_output "$(expected_table)"
	assert_line --index 0 --regexp '^ID +PID +STATUS +BUNDLE +CREATED +OWNER$'
	assert_line --index 1 --regexp "^${IDS[0]} +[1-9][0-9]* +created +$(realpath "$BUNDLE") +[0-9T:.-]+Z +$(id -un)\$"
	assert_line --index 2 --regexp "^${IDS[1]} +[1-9][0-9]* +running +"
	assert_line --index 3 --regexp "^${IDS[2]} +0 +stopped +"
}

@test "list -q prints the ids only, sorted" {
	create_three
	run berth list -q
	assert_success
	assert_output "$(printf '%s\n' "${IDS[@]}")"
	run berth list --quiet --format json
	assert_output "$(printf '%s\n' "${IDS[@]}")"
}

@test "list --format json: one object per container with state's fields" {
	local i got
	create_three
	run berth list --format json
	assert_success
	# One line, an array.
	assert_equal "${#lines[@]}" 1
	assert_equal "$(jq -r 'type' <<<"$output")" array
	assert_equal "$(jq -r 'map(.id) | join(" ")' <<<"$output")" "${IDS[*]}"
	assert_equal "$(jq -r 'map(.status) | join(" ")' <<<"$output")" 'created running stopped'
	assert_equal "$(jq -r '.[0] | keys_unsorted | join(" ")' <<<"$output")" \
		'ociVersion id pid status bundle rootfs created owner'
	assert_equal "$(jq -r '.[0].owner' <<<"$output")" "$(id -un)"
	# Each entry is what state says, but the owner (runc's state leaves it
	# empty).
	for i in 0 1 2; do
		got=$(jq -cS ".[$i] | del(.owner)" <<<"$output")
		assert_equal "$got" "$(berth state "${IDS[$i]}" | jq -cS 'del(.owner)')"
	done
}

@test "list -f json shows the config's annotations" {
	local id
	id=$(unique_id)
	update_config '.annotations = {"org.example.k": "v"}'
	berth_detached create -b "$BUNDLE" "$id"
	run berth list -f json
	assert_equal "$(jq -c '.[0].annotations' <<<"$output")" '{"org.example.k":"v"}'
}

@test "list --format of an unknown format fails with one error" {
	berth_capture list --format xml
	assert_one_error 'format'
	assert_output ''
}
