#!/usr/bin/env bats
# cgroup handling that is no verb's own: --systemd-cgroup on a host without
# systemd, and delete --force of a container whose init left processes.

load helpers
load helpers_features

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

@test "--systemd-cgroup without systemd: create and run fail, nothing is left" {
	[[ ! -d /run/systemd/system ]] || skip "systemd runs on this host"
	local id verb
	for verb in create run; do
		id=$(unique_id "sd$verb")
		berth_capture --systemd-cgroup "$verb" -b "$BUNDLE" "$id"
		assert_one_error 'systemd'
		assert_nothing_left "$id"
	done
}

@test "--systemd-cgroup without systemd: the error names the flag" {
	requires_berth
	[[ ! -d /run/systemd/system ]] || skip "systemd runs on this host"
	berth_capture --systemd-cgroup create -b "$BUNDLE" "$(unique_id sd)"
	assert_one_error '--systemd-cgroup: systemd is not running on this host'
}

@test "--systemd-cgroup is ignored by verbs that make no cgroup" {
	local id
	id=$(unique_id)
	berth_detached create -b "$BUNDLE" "$id"
	run berth --systemd-cgroup state "$id"
	assert_success
	run berth --systemd-cgroup list -q
	assert_success
	assert_output "$id"
	run berth --systemd-cgroup delete --force "$id"
	assert_success
	assert_nothing_left "$id"
}

@test "delete --force kills what a dead init left in the cgroup" {
	local id pid
	id=$(unique_id)
	# No pid namespace: the kernel would kill the rest with PID 1.
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	set_sh 'sleep 1000 & echo $! >&2; echo ready'
	create_logged "$id"
	berth start "$id"
	wait_for_status "$id" stopped
	pid=$(head -n1 "$BATS_TEST_TMPDIR/$id.err")
	[[ -n "$pid" ]] || fail "no pid in $(cat "$BATS_TEST_TMPDIR/$id.err")"
	# The sleep is in the host's pid namespace: $pid is its host pid.
	grep -qE -- "/$id(/|\$)" "/proc/$pid/cgroup" || fail "sleep $pid is not in the container's cgroup"
	run timeout 20 "$BERTH" --root "$BERTH_ROOT" delete --force "$id"
	assert_success
	wait_for_exit "$pid"
	assert_nothing_left "$id"
}

@test "cgroup v1: each container's cpuset gets the host's cpus and mems from the /berth made for it" {
	requires_berth # the default parent is berth's
	local root=/sys/fs/cgroup/cpuset a b id
	[[ -f "$root/cpuset.cpus" ]] || skip "no v1 cpuset hierarchy"
	# A /berth left by an earlier test goes (rmdir: only if empty), so the
	# first create makes it and fills it from the root.
	for id in /sys/fs/cgroup/*/berth; do rmdir "$id" 2>/dev/null || true; done
	a=$(unique_id a)
	b=$(unique_id b)
	berth_detached create -b "$BUNDLE" "$a"
	berth_detached create -b "$BUNDLE" "$b"
	assert_equal "$(cat "$root/berth/cgroup.clone_children")" 1
	for id in "$a" "$b"; do
		assert_equal "$(cat "$root/berth/$id/cpuset.cpus")" "$(cat "$root/cpuset.cpus")"
		assert_equal "$(cat "$root/berth/$id/cpuset.mems")" "$(cat "$root/cpuset.mems")"
	done
	berth delete "$a"
	berth delete "$b"
	assert_nothing_left "$b"
}
