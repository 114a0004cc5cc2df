#!/usr/bin/env bats
# Annotations run.berth.stdout / run.berth.stderr: host files the workload
# gets as fd 1 and 2 (opened by berth with O_APPEND, created if missing), so
# a container's output outlives it even when nothing collects it.

load helpers
load helpers_features

setup() {
	requires_berth
	setup_bundle
	OUT="$BATS_TEST_TMPDIR/logs/out.log"
	ERR="$BATS_TEST_TMPDIR/logs/err.log"
	mkdir -p "$BATS_TEST_TMPDIR/logs"
	update_config --arg o "$OUT" --arg e "$ERR" \
		'.annotations["run.berth.stdout"] = $o | .annotations["run.berth.stderr"] = $e'
}

teardown() {
	teardown_bundle
}

@test "stdout and stderr go to the files and outlive a container killed with SIGKILL" {
	local id
	id=$(unique_id)
	set_sh 'echo to-stdout; echo to-stderr >&2; echo ready; exec sleep 1000'
	# berth's own stdio goes elsewhere: the workload's must not.
	create_logged "$id"
	berth start "$id"
	wait_for_text "$OUT" ready
	berth kill "$id" KILL
	wait_for_status "$id" stopped
	berth delete "$id"
	assert_nothing_left "$id"
	run cat "$OUT"
	assert_output $'to-stdout\nready'
	run cat "$ERR"
	assert_output to-stderr
	[[ ! -s "$BATS_TEST_TMPDIR/$id.out" ]] || fail "the workload wrote to berth's stdout: $(cat "$BATS_TEST_TMPDIR/$id.out")"
	assert_equal "$(stat -c %a "$OUT")" 640
}

@test "a second container appends to the same files" {
	set_sh 'echo run-$RUN'
	update_config '.process.env += ["RUN=1"]'
	run_container "$(unique_id)"
	assert_success
	update_config '.process.env += ["RUN=2"]'
	run_container "$(unique_id)"
	assert_success
	run cat "$OUT"
	assert_output $'run-1\nrun-2'
}

@test "a relative path, or a directory, is one clear error and leaves nothing" {
	local id
	id=$(unique_id)
	update_config '.annotations["run.berth.stdout"] = "relative.log"'
	berth_capture create -b "$BUNDLE" "$id"
	assert_one_error 'annotations["run.berth.stdout"]: "relative.log" is not an absolute path'
	assert_nothing_left "$id"
	update_config --arg d "$BATS_TEST_TMPDIR" '.annotations["run.berth.stdout"] = $d'
	berth_capture create -b "$BUNDLE" "$id"
	assert_one_error 'is a directory'
	assert_nothing_left "$id"
}

@test "a symlink, a fifo or a device is refused: only a regular file takes the output" {
	local id
	id=$(unique_id)
	ln -s "$BATS_TEST_TMPDIR/target" "$BATS_TEST_TMPDIR/link"
	update_config --arg p "$BATS_TEST_TMPDIR/link" '.annotations["run.berth.stdout"] = $p'
	berth_capture create -b "$BUNDLE" "$id"
	assert_one_error 'run.berth.stdout'
	[[ ! -e "$BATS_TEST_TMPDIR/target" ]] || fail "berth followed the symlink"
	# Without a reader the open fails at once (ENXIO): no hang either way.
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	update_config --arg p "$BATS_TEST_TMPDIR/fifo" '.annotations["run.berth.stdout"] = $p'
	berth_capture create -b "$BUNDLE" "$id"
	assert_one_error 'run.berth.stdout'
	# With a reader the open succeeds: then the file type refuses it.
	local reader
	exec {reader}<>"$BATS_TEST_TMPDIR/fifo"
	berth_capture create -b "$BUNDLE" "$id"
	exec {reader}<&-
	assert_one_error 'is not a regular file'
	update_config '.annotations["run.berth.stdout"] = "/dev/null"'
	berth_capture create -b "$BUNDLE" "$id"
	assert_one_error 'is not a regular file'
	assert_nothing_left "$id"
}

@test "features lists the stdio annotations as potentially unsafe" {
	run berth features
	assert_success
	jq -e '.potentiallyUnsafeConfigAnnotations | index("run.berth.stdout") != null and index("run.berth.stderr") != null' <<<"$output"
}
