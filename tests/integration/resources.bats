#!/usr/bin/env bats
# linux.resources at create: every limit is in the kernel's cgroup files
# before the workload runs, whether the controller is a v1 hierarchy or
# on the unified one; bad values fail create with one error and nothing
# left behind.

load helpers
load helpers_features
load helpers_cgroup

setup() {
	setup_cgroup_bundle
}

teardown() {
	teardown_bundle
}

# create_with JQ-FILTER: create $ID with the filter applied to its config.
create_with() {
	update_config "$1"
	berth_detached create -b "$BUNDLE" "$ID"
}

@test "memory: limit, reservation and swappiness" {
	requires_controller memory memory
	create_with '.linux.resources.memory = {"limit": 104857600, "reservation": 52428800, "swappiness": 10}'
	[ "$(cg_read memory memory.limit_in_bytes memory.max)" = 104857600 ]
	[ "$(cg_read memory memory.soft_limit_in_bytes memory.low)" = 52428800 ]
	if cg_is_v1 memory; then
		[ "$(cg_read memory memory.swappiness memory.swappiness)" = 10 ]
	fi
}

@test "memory: swap is memory+swap (v1 memsw, v2 swap.max = swap - limit)" {
	requires_controller memory memory
	if cg_is_v1 memory && [[ ! -e "$(cg_v1_mount memory)/memory.memsw.limit_in_bytes" ]]; then
		skip "no swap accounting (boot with swapaccount=1)"
	fi
	create_with '.linux.resources.memory = {"limit": 104857600, "swap": 209715200}'
	if cg_is_v1 memory; then
		[ "$(cg_read memory memory.memsw.limit_in_bytes x)" = 209715200 ]
	else
		[ "$(cg_read memory x memory.swap.max)" = 104857600 ]
	fi
}

@test "cpu: shares, quota and period (v2: weight and cpu.max)" {
	requires_controller cpu cpu
	create_with '.linux.resources.cpu = {"shares": 512, "quota": 50000, "period": 100000}'
	if cg_is_v1 cpu; then
		[ "$(cg_read cpu cpu.shares x)" = 512 ]
		[ "$(cg_read cpu cpu.cfs_quota_us x)" = 50000 ]
		[ "$(cg_read cpu cpu.cfs_period_us x)" = 100000 ]
	else
		# runc's conversion: 1 + ((512 - 2) * 9999) / 262142 = 20.
		[ "$(cg_read cpu x cpu.weight)" = 20 ]
		[ "$(cg_read cpu x cpu.max)" = "50000 100000" ]
	fi
}

@test "cpuset: cpus and mems" {
	requires_controller cpuset cpuset
	create_with '.linux.resources.cpu = {"cpus": "0", "mems": "0"}'
	[ "$(cg_read cpuset cpuset.cpus cpuset.cpus)" = 0 ]
	[ "$(cg_read cpuset cpuset.mems cpuset.mems)" = 0 ]
}

@test "pids: limit" {
	requires_controller pids pids
	create_with '.linux.resources.pids = {"limit": 42}'
	[ "$(cg_read pids pids.max pids.max)" = 42 ]
}

@test "blockIO: weight (BFQ or CFQ) and a read bps throttle" {
	requires_controller blkio io
	local dev
	dev=$(block_device) || skip "no block device"
	update_config --arg d "$dev" '.linux.resources.blockIO = {"weight": 500,
		"throttleReadBpsDevice": [{"major": ($d | split(":")[0] | tonumber),
					   "minor": ($d | split(":")[1] | tonumber), "rate": 1048576}]}'
	berth_capture create -b "$BUNDLE" "$ID"
	if [[ "$status" -ne 0 && "$stderr" == *"weight"* ]]; then
		skip "no blkio weight file on this host (no BFQ/CFQ): $stderr"
	fi
	assert_success
	if cg_is_v1 blkio; then
		local w
		w=$(cat "$(cg_file blkio blkio.bfq.weight x)" 2>/dev/null || cg_read blkio blkio.weight x)
		[ "$w" = 500 ]
		grep -qx "$dev 1048576" "$(cg_file blkio blkio.throttle.read_bps_device x)"
	else
		grep -q "^$dev rbps=1048576 " "$(cg_file blkio x io.max)"
	fi
}

@test "hugepageLimits: hugetlb.<size> limit, on v1 or the unified hierarchy" {
	requires_controller hugetlb hugetlb
	requires_kernel_file /sys/kernel/mm/hugepages/hugepages-2048kB
	# runc drives hugetlb through v1 only: on a hybrid host it cannot.
	cg_is_v1 hugetlb || [[ "$(cg_v2_mount)" == /sys/fs/cgroup ]] || requires_berth
	create_with '.linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 4194304}]'
	[ "$(cg_read hugetlb hugetlb.2MB.limit_in_bytes hugetlb.2MB.max)" = 4194304 ]
}

@test "network: classID and priorities (net_cls, net_prio)" {
	cg_is_v1 net_cls && cg_is_v1 net_prio || skip "no net_cls/net_prio v1 hierarchy on this host"
	create_with '.linux.resources.network = {"classID": 1048577, "priorities": [{"name": "lo", "priority": 5}]}'
	[ "$(cg_read net_cls net_cls.classid x)" = 1048577 ]
	grep -qx "lo 5" "$(cg_file net_prio net_prio.ifpriomap x)"
}

@test "network.classID without a net_cls controller: one clear error, nothing left" {
	requires_berth
	cg_is_v1 net_cls && skip "this host has net_cls"
	update_config '.linux.resources.network = {"classID": 1048577}'
	berth_capture create -b "$BUNDLE" "$ID"
	# v1 hosts say "is not available on this host", v2 "does not exist on cgroup v2".
	assert_one_error 'linux.resources.network.classID: the net_cls controller'
	assert_nothing_left "$ID"
}

@test "devices: a node outside the allow list cannot be opened, an allowed one can" {
	# CAP_MKNOD to make the nodes: the device cgroup, not a missing
	# capability, must be what refuses the open. c 10:237 (loop-control,
	# opened without any capability) is allowed read-only; c 10:229 (fuse)
	# is not in the allow list at all.
	requires_kernel_file /dev/loop-control
	update_config '.root.readonly = false
		| .process.capabilities.bounding += ["CAP_MKNOD"] | .process.capabilities.effective += ["CAP_MKNOD"]
		| .process.capabilities.permitted += ["CAP_MKNOD"]
		| .linux.resources.devices += [{"allow": true, "type": "c", "major": 10, "minor": 237, "access": "r"}]'
	# "denied" only for EPERM, the device cgroup's answer; any other error
	# (a nodev mount, a missing driver) is printed as it is.
	set_sh 'mknod /tmp/fuse c 10 229 && mknod /tmp/loopctl c 10 237 || exit 9
		try() { if eval "$2" 2>/tmp/err; then echo "$1"; elif grep -q "not permitted" /tmp/err; then echo "$1-denied"; else echo "$1-error: $(cat /tmp/err)"; fi; }
		try fuse "dd if=/tmp/fuse of=/dev/null bs=1 count=0"
		try loopctl-read "dd if=/tmp/loopctl of=/dev/null bs=1 count=0"
		try loopctl-write "(: >/tmp/loopctl)"'
	run_container "$ID"
	assert_success
	assert_line fuse-denied
	assert_line loopctl-read
	assert_line loopctl-write-denied
	refute_output --partial -error
}

@test "pids.limit stops a fork bomb; the host stays responsive" {
	requires_controller pids pids
	update_config '.linux.resources.pids = {"limit": 10}'
	# A subshell forks 40 sleepers (bounded: 5 s each) until the limit
	# makes fork fail and the subshell die; then PID 1 waits.
	set_sh '( i=0; while [ $i -lt 40 ]; do sleep 5 & i=$((i + 1)); done ) 2>/dev/null; exec sleep 100'
	berth_detached create -b "$BUNDLE" "$ID"
	berth start "$ID"
	sleep 1
	[ "$(cg_read pids pids.current pids.current)" -le 10 ]
	grep -Eq '^max [1-9]' "$(cg_file pids pids.events pids.events)"
	timeout 5 true
}

# --- bad input: one error, exit 1, nothing left ---------------------------

@test "negative memory limit: config error naming the member" {
	requires_berth
	update_config '.linux.resources.memory = {"limit": -5}'
	berth_capture create -b "$BUNDLE" "$ID"
	assert_one_error 'config.json: linux.resources.memory.limit: -5 is out of range'
	assert_nothing_left "$ID"
}

@test "malformed pids limit: config error naming the member" {
	update_config '.linux.resources.pids = {"limit": "many"}'
	berth_capture create -b "$BUNDLE" "$ID"
	[ "$status" -eq 1 ]
	if is_berth; then
		assert_one_error 'config.json: linux.resources.pids.limit: expected an integer, got string'
	fi
	assert_nothing_left "$ID"
}

@test "blockIO weight out of the kernel's range: config error" {
	requires_berth
	update_config '.linux.resources.blockIO = {"weight": 5}'
	berth_capture create -b "$BUNDLE" "$ID"
	assert_one_error 'linux.resources.blockIO.weight: 5 is out of range (10 to 1000)'
	assert_nothing_left "$ID"
}

@test "unified: unknown controller is refused" {
	requires_berth
	update_config '.linux.resources.unified = {"nosuch.max": "1"}'
	berth_capture create -b "$BUNDLE" "$ID"
	assert_one_error 'linux.resources.unified: "nosuch.max": the nosuch controller is not on this host'"'"'s cgroup v2 hierarchy'
	assert_nothing_left "$ID"
}

@test "unified: a key of a v1 controller is refused on a hybrid host" {
	requires_berth
	cg_is_v1 memory || skip "memory is not a v1 controller here"
	update_config '.linux.resources.unified = {"memory.max": "104857600"}'
	berth_capture create -b "$BUNDLE" "$ID"
	assert_one_error 'linux.resources.unified: "memory.max": the memory controller is not on this host'"'"'s cgroup v2 hierarchy'
	assert_nothing_left "$ID"
}

@test "unified: a key naming another directory is refused" {
	requires_berth
	update_config '.linux.resources.unified = {"../cgroup.procs": "1"}'
	berth_capture create -b "$BUNDLE" "$ID"
	assert_one_error 'linux.resources.unified: "../cgroup.procs" is not a cgroup file name'
	assert_nothing_left "$ID"
}

@test "unified: a v2 key is written on the unified hierarchy" {
	requires_berth
	cg_v2_has pids || cg_v2_has hugetlb || skip "no v2 controller to write"
	local key=pids.max value=17
	if ! cg_v2_has pids; then
		requires_kernel_file /sys/kernel/mm/hugepages/hugepages-2048kB
		key=hugetlb.2MB.max value=2097152
	fi
	update_config --arg k "$key" --arg v "$value" '.linux.resources.unified = {($k): $v}'
	berth_detached create -b "$BUNDLE" "$ID"
	[ "$(cat "$(cg_v2_mount)$CG_PATH/$key")" = "$value" ]
}

@test "cgroupsPath with .. is refused" {
	requires_berth
	update_config '.linux.cgroupsPath = "../../escape"'
	berth_capture create -b "$BUNDLE" "$ID"
	assert_one_error 'linux.cgroupsPath "../../escape" must not contain ".."'
	assert_nothing_left "$ID"
	[ -z "$(find /sys/fs/cgroup -maxdepth 3 -name escape)" ]
}

@test "a limit the kernel refuses fails create and leaves nothing" {
	requires_controller cpu cpu
	# A CFS period below 1 ms is refused by the kernel (EINVAL).
	update_config '.linux.resources.cpu = {"period": 10, "quota": 5}'
	berth_capture create -b "$BUNDLE" "$ID"
	[ "$status" -eq 1 ]
	if is_berth; then
		assert_one_error 'invalid argument'
	fi
	assert_nothing_left "$ID"
}
