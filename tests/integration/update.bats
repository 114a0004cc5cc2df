#!/usr/bin/env bats
# berth update: runc's flags and --resources JSON change the kernel's
# cgroup files of a created, running or paused container; a stopped one
# is refused; bad values give one error and change nothing.

load helpers
load helpers_features
load helpers_cgroup

setup() {
	setup_cgroup_bundle
}

teardown() {
	teardown_bundle
}

# start_container: $ID created and started, sleeping.
start_container() {
	berth_detached create -b "$BUNDLE" "$ID"
	berth start "$ID"
}

@test "update flags: memory, reservation, cpu and pids of a running container" {
	requires_controller memory memory
	requires_controller cpu cpu
	requires_controller pids pids
	update_config '.linux.resources.memory = {"limit": 104857600} | .linux.resources.pids = {"limit": 100}'
	start_container
	berth_capture update --memory 200M --memory-reservation 100M --cpu-share 256 \
		--cpu-period 100000 --cpu-quota 20000 --pids-limit 42 "$ID"
	assert_success
	[ "$(cg_read memory memory.limit_in_bytes memory.max)" = 209715200 ]
	[ "$(cg_read memory memory.soft_limit_in_bytes memory.low)" = 104857600 ]
	[ "$(cg_read pids pids.max pids.max)" = 42 ]
	if cg_is_v1 cpu; then
		[ "$(cg_read cpu cpu.shares x)" = 256 ]
		[ "$(cg_read cpu cpu.cfs_quota_us x)" = 20000 ]
		[ "$(cg_read cpu cpu.cfs_period_us x)" = 100000 ]
	else
		[ "$(cg_read cpu x cpu.max)" = "20000 100000" ]
	fi
}

@test "update --cpuset-cpus and --cpuset-mems" {
	requires_controller cpuset cpuset
	start_container
	berth_capture update --cpuset-cpus 0 --cpuset-mems 0 "$ID"
	assert_success
	[ "$(cg_read cpuset cpuset.cpus cpuset.cpus)" = 0 ]
	[ "$(cg_read cpuset cpuset.mems cpuset.mems)" = 0 ]
}

@test "update --memory-swap raises memory+swap together with memory" {
	requires_controller memory memory
	if cg_is_v1 memory && [[ ! -e "$(cg_v1_mount memory)/memory.memsw.limit_in_bytes" ]]; then
		skip "no swap accounting (boot with swapaccount=1)"
	fi
	update_config '.linux.resources.memory = {"limit": 104857600, "swap": 104857600}'
	start_container
	# Above the old memory+swap: the swap limit must go in first.
	berth_capture update --memory 300M --memory-swap 600M "$ID"
	assert_success
	[ "$(cg_read memory memory.limit_in_bytes memory.max)" = 314572800 ]
	if cg_is_v1 memory; then
		[ "$(cg_read memory memory.memsw.limit_in_bytes x)" = 629145600 ]
	else
		[ "$(cg_read memory x memory.swap.max)" = 314572800 ]
	fi
}

@test "update --resources FILE" {
	requires_controller memory memory
	requires_controller pids pids
	start_container
	cat >"$BATS_TEST_TMPDIR/r.json" <<-EOF
		{"memory": {"limit": 157286400}, "pids": {"limit": 55}}
	EOF
	berth_capture update --resources "$BATS_TEST_TMPDIR/r.json" "$ID"
	assert_success
	[ "$(cg_read memory memory.limit_in_bytes memory.max)" = 157286400 ]
	[ "$(cg_read pids pids.max pids.max)" = 55 ]
}

@test "update -r - reads the JSON from stdin; other flags are ignored" {
	requires_controller pids pids
	start_container
	run berth update --pids-limit 99 -r - "$ID" <<<'{"pids": {"limit": 66}}'
	assert_success
	[ "$(cg_read pids pids.max pids.max)" = 66 ]
}

@test "update --resources=FILE with a member of the wrong type: one error naming it" {
	start_container
	echo '{"memory": {"limit": "lots"}}' >"$BATS_TEST_TMPDIR/r.json"
	berth_capture update --resources="$BATS_TEST_TMPDIR/r.json" "$ID"
	[ "$status" -eq 1 ]
	if is_berth; then
		assert_one_error 'resources: memory.limit: expected an integer, got string'
	fi
}

@test "update --resources of a missing file" {
	start_container
	berth_capture update --resources "$BATS_TEST_TMPDIR/none.json" "$ID"
	assert_one_error "open $BATS_TEST_TMPDIR/none.json: no such file or directory"
}

@test "update of a paused container" {
	requires_controller pids pids
	start_container
	berth pause "$ID"
	berth_capture update --pids-limit 33 "$ID"
	assert_success
	[ "$(cg_read pids pids.max pids.max)" = 33 ]
	berth resume "$ID"
}

@test "update of a created (not started) container" {
	requires_controller pids pids
	berth_detached create -b "$BUNDLE" "$ID"
	berth_capture update --pids-limit 31 "$ID"
	assert_success
	[ "$(cg_read pids pids.max pids.max)" = 31 ]
}

@test "update of a stopped container fails" {
	set_args true
	berth_detached create -b "$BUNDLE" "$ID"
	berth start "$ID"
	wait_for_status "$ID" stopped
	berth_capture update --pids-limit 12 "$ID"
	assert_one_error 'container not running'
	if is_berth; then
		[ ! -e "$BERTH_ROOT/$ID/resources.json" ]
	fi
}

@test "update --memory with a bad size" {
	start_container
	berth_capture update --memory 12parsecs "$ID"
	assert_one_error "invalid value for memory: invalid size: '12parsecs'"
}

@test "update --l3-cache-schema and --mem-bw-schema without Intel RDT are refused" {
	[[ -e /sys/fs/resctrl/schemata ]] && skip "this host has Intel RDT"
	start_container
	berth_capture update --l3-cache-schema 'L3:0=f' "$ID"
	assert_one_error 'Intel RDT/CAT: l3 cache schema is not enabled'
	berth_capture update --mem-bw-schema 'MB:0=50' "$ID"
	assert_one_error 'Intel RDT/MBA: memory bandwidth schema is not enabled'
}

@test "update records what it changed in the state dir (resources.json)" {
	requires_berth
	requires_controller pids pids
	start_container
	berth update --pids-limit 21 "$ID"
	berth update --cpu-share 300 "$ID"
	run jq -c '[.pids.limit, .cpu.shares]' "$BERTH_ROOT/$ID/resources.json"
	assert_output '[21,300]'
}

@test "update with a value the kernel refuses: one error, the old limit stays" {
	requires_berth
	requires_controller cpu cpu
	update_config '.linux.resources.cpu = {"quota": 50000, "period": 100000}'
	start_container
	# A CFS period below 1 ms is refused by the kernel.
	berth_capture update --cpu-period 10 "$ID"
	assert_one_error 'invalid argument'
	if cg_is_v1 cpu; then
		[ "$(cg_read cpu cpu.cfs_period_us x)" = 100000 ]
	fi
	[ ! -e "$BERTH_ROOT/$ID/resources.json" ]
}
