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
	rmdir /sys/fs/cgroup/*/"berth-cpuset-$$" 2>/dev/null || true
	if [[ -n "${TAKEN_PID:-}" ]]; then
		kill -9 "$TAKEN_PID" 2>/dev/null || true
		wait "$TAKEN_PID" 2>/dev/null || true
	fi
	[[ -z "${TAKEN_DIR:-}" ]] || rmdir "$TAKEN_DIR" 2>/dev/null || true
}

# take_cgroup ID: makes cgroup ID (v1: in the pids hierarchy alone; v2: the
# one) as someone else's, with a process in it: $TAKEN_DIR, $TAKEN_PID.
take_cgroup() {
	local base=/sys/fs/cgroup
	[[ -e "$base/cgroup.controllers" ]] || base=/sys/fs/cgroup/pids
	TAKEN_DIR="$base/$1"
	mkdir "$TAKEN_DIR"
	sleep 1000 &
	TAKEN_PID=$!
	echo "$TAKEN_PID" >"$TAKEN_DIR/cgroup.procs"
}

# assert_taken_untouched ID: the process of take_cgroup still runs in it,
# and no other directory of ID is left.
assert_taken_untouched() {
	kill -0 "$TAKEN_PID" || fail "the cgroup's own process was killed"
	grep -q -- ":/$1\$" "/proc/$TAKEN_PID/cgroup" || fail "$(cat "/proc/$TAKEN_PID/cgroup")"
	assert_equal "$(cgroup_dirs "$1")" "$TAKEN_DIR"
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

@test "cgroup v1: a container's cpuset gets the host's cpus and mems, at /<id> or under a parent berth makes" {
	requires_berth # runc's default cgroup is below its own
	local root=/sys/fs/cgroup/cpuset a b c parent id
	[[ -f "$root/cpuset.cpus" ]] || skip "no v1 cpuset hierarchy"
	# The default path, /<id>, under the host's root cpuset, whose
	# clone_children berth leaves as it is.
	a=$(unique_id a)
	berth_detached create -b "$BUNDLE" "$a"
	assert_equal "$(cat "$root/$a/cpuset.cpus")" "$(cat "$root/cpuset.cpus")"
	assert_equal "$(cat "$root/$a/cpuset.mems")" "$(cat "$root/cpuset.mems")"
	assert_equal "$(cat "$root/cgroup.clone_children")" 0
	berth delete "$a"
	# A cgroupsPath whose parent is missing: the parent berth makes is
	# filled from the root and gets clone_children, so the kernel fills the
	# next container's cpuset (and the first one's) itself.
	parent="berth-cpuset-$$"
	b=$(unique_id b)
	c=$(unique_id c)
	update_config --arg p "/$parent/$b" '.linux.cgroupsPath = $p'
	berth_detached create -b "$BUNDLE" "$b"
	update_config --arg p "/$parent/$c" '.linux.cgroupsPath = $p'
	berth_detached create -b "$BUNDLE" "$c"
	assert_equal "$(cat "$root/$parent/cgroup.clone_children")" 1
	for id in "$parent" "$parent/$b" "$parent/$c"; do
		assert_equal "$(cat "$root/$id/cpuset.cpus")" "$(cat "$root/cpuset.cpus")"
		assert_equal "$(cat "$root/$id/cpuset.mems")" "$(cat "$root/cpuset.mems")"
	done
	berth delete "$b"
	berth delete "$c"
	rmdir /sys/fs/cgroup/*/"$parent"
	assert_nothing_left "$c"
}

@test "create refuses a default cgroup (/<id>) that was there, and leaves it and its processes alone" {
	requires_berth # runc's default cgroup is below its own, and runc joins it
	local id
	id=$(unique_id taken)
	take_cgroup "$id"
	berth_capture create -b "$BUNDLE" "$id"
	assert_one_error "$TAKEN_DIR was there before this container: remove it, or choose the cgroup with linux.cgroupsPath"
	assert_taken_untouched "$id"
	assert_root_empty
}

@test "a failed create removes only the cgroups it made, never one it joined" {
	local id
	id=$(unique_id joined)
	take_cgroup "$id"
	update_config --arg p "/$id" '.linux.cgroupsPath = $p'
	# Fails in stage 1, after the cgroup is made and joined.
	update_config '.mounts += [{"destination": "/mnt/x", "type": "bind", "source": "/nonexistent-berth-source", "options": ["bind"]}]'
	berth_capture create -b "$BUNDLE" "$id"
	assert_failure
	assert_taken_untouched "$id"
	assert_root_empty
}
