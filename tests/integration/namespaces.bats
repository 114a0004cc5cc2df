#!/usr/bin/env bats
# Namespaces: new ones differ from the host's, missing ones are the host's,
# joining by path, user namespace mappings, uts names, time offsets, cgroup.

load helpers
load helpers_features

setup() {
	setup_bundle
	NETNS_NAME=
}

teardown() {
	teardown_bundle
	if [[ -n "$NETNS_NAME" ]]; then
		ip netns delete "$NETNS_NAME" 2>/dev/null || true
	fi
}

# Prints "NAME LINK" for every namespace link in /proc/self/ns (inside).
NS_SCRIPT='for ns in cgroup ipc mnt net pid user uts time; do
	[ -e /proc/self/ns/$ns ] && echo "$ns $(readlink /proc/self/ns/$ns)"
done; true'

# inside_ns NAME: the link for NAME from $output of NS_SCRIPT.
inside_ns() { awk -v n="$1" '$1 == n { print $2 }' <<<"$output"; }

@test "namespaces in the config are new, the others are the host's" {
	update_config '.linux.namespaces += [{"type": "cgroup"}]'
	set_sh "$NS_SCRIPT"
	run_container
	assert_success
	local ns
	for ns in cgroup ipc mnt net pid uts; do
		[[ -n "$(inside_ns $ns)" ]] || fail "no $ns link inside"
		[[ "$(inside_ns $ns)" != "$(ns_inode /proc/self/ns/$ns)" ]] ||
			fail "$ns namespace is the host's: $(inside_ns $ns)"
	done
	# Not in the config: shared with the host.
	assert_equal "$(inside_ns user)" "$(ns_inode /proc/self/ns/user)"
	if [[ -e /proc/self/ns/time ]]; then
		assert_equal "$(inside_ns time)" "$(ns_inode /proc/self/ns/time)"
	fi
}

@test "namespaces removed from the config are the host's" {
	update_config '.linux.namespaces |= map(select(.type != "network" and .type != "ipc" and .type != "uts"))
		| del(.hostname)'
	set_sh "$NS_SCRIPT"
	run_container
	assert_success
	assert_equal "$(inside_ns net)" "$(ns_inode /proc/self/ns/net)"
	assert_equal "$(inside_ns ipc)" "$(ns_inode /proc/self/ns/ipc)"
	assert_equal "$(inside_ns uts)" "$(ns_inode /proc/self/ns/uts)"
	# Still new:
	[[ "$(inside_ns mnt)" != "$(ns_inode /proc/self/ns/mnt)" ]]
	[[ "$(inside_ns pid)" != "$(ns_inode /proc/self/ns/pid)" ]]
}

@test "join a network namespace made with ip netns add" {
	ip netns list >/dev/null 2>&1 || skip "no ip netns here (busybox's ip in the cgroup2 VM)"
	NETNS_NAME="berth-test-$$-$BATS_TEST_NUMBER"
	ip netns add "$NETNS_NAME"
	local path="/var/run/netns/$NETNS_NAME"
	local want
	want="net:[$(stat -L -c %i "$path")]"
	update_config --arg p "$path" '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)'
	set_sh "$NS_SCRIPT"
	run_container
	assert_success
	assert_equal "$(inside_ns net)" "$want"
	[[ "$want" != "$(ns_inode /proc/self/ns/net)" ]]
}

@test "join the host's network namespace by /proc/PID/ns/net" {
	# /proc/1 may be off limits in a sandbox; this shell is in the host's netns.
	update_config --arg p "/proc/$$/ns/net" '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)'
	set_sh "$NS_SCRIPT"
	run_container
	assert_success
	assert_equal "$(inside_ns net)" "$(ns_inode /proc/$$/ns/net)"
}

@test "join a missing namespace path fails" {
	update_config '.linux.namespaces |= map(if .type == "network" then .path = "/var/run/netns/berth-no-such-netns" else . end)'
	run_container
	assert_failure
	run berth list -q
	refute_output --partial ctr
}

@test "user namespace: uid_map, gid_map, root inside, owner of created files" {
	make_bundle_reachable
	local shared="$BATS_TEST_TMPDIR/shared"
	mkdir -m 0777 "$shared"
	# Mapped root cannot create the mount point in the host-owned rootfs.
	mkdir "$ROOTFS/shared"
	update_config --arg s "$shared" '
		.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]
		| .mounts |= map(select(.destination != "/sys/fs/cgroup"))
		| .mounts += [{"destination": "/shared", "type": "bind", "source": $s, "options": ["rbind", "rw"]}]'
	set_sh 'cat /proc/self/uid_map /proc/self/gid_map; echo uid=$(id -u) gid=$(id -g); touch /shared/made-inside; readlink /proc/self/ns/user'
	run_container
	assert_success
	assert_line --regexp '^ +0 +100000 +65536$'
	assert_line --regexp '^ +0 +200000 +65536$'
	assert_line 'uid=0 gid=0'
	refute_line "$(ns_inode /proc/self/ns/user)"
	assert_equal "$(stat -c '%u:%g' "$shared/made-inside")" "100000:200000"
}

@test "join a user namespace by path with a new pid namespace: it belongs to the joined one" {
	local holder userns
	# The holder's user namespace, as a pod's sandbox would make it.
	add_user_namespace
	set_args sleep 1000
	holder=$(unique_id holder)
	berth_detached run -d -b "$BUNDLE" "$holder"
	userns=$(ns_inode "/proc/$(init_pid "$holder")/ns/user")
	update_config --arg p "/proc/$(init_pid "$holder")/ns/user" '
		.linux.namespaces |= map(if .type == "user" then .path = $p else . end)
		| del(.linux.uidMappings, .linux.gidMappings)'
	# Mounting /proc proves the pid namespace's owner: only the joined
	# user namespace's root may mount it; the pid namespace's PID 1 is
	# our own init, and nothing of the holder's is in it.
	set_sh 'readlink /proc/self/ns/user; readlink /proc/self/ns/pid; echo uid=$(id -u); cat /proc/1/comm
		ls /proc | grep -c "^[0-9]"'
	run_container
	assert_success
	assert_equal "${lines[0]}" "$userns"
	[[ "${lines[1]}" != "$(ns_inode "/proc/$(init_pid "$holder")/ns/pid")" ]] || fail "the holder's pid namespace"
	[[ "${lines[1]}" != "$(ns_inode /proc/self/ns/pid)" ]] || fail "the host's pid namespace"
	assert_equal "${lines[2]}" uid=0
	assert_equal "${lines[3]}" berth-init
	# berth-init, the shell, ls (grep may or may not be counted yet).
	((${lines[4]} <= 4)) || fail "${lines[4]} processes in a new pid namespace"
	# create records that PID 1, not the process that made its namespace,
	# and hands it to the hooks.
	set_args sleep 1000
	update_config --arg f "$BATS_TEST_TMPDIR/hook-state.json" \
		'.hooks.createRuntime = [{"path": "/bin/sh", "args": ["sh", "-c", "cat >" + $f]}]'
	local id pid
	id=$(unique_id)
	berth_detached create -b "$BUNDLE" "$id"
	pid=$(init_pid "$id")
	assert_equal "$(awk '/^NSpid:/ { print $2, $3 }' "/proc/$pid/status")" "$pid 1"
	assert_equal "$(jq .pid "$BATS_TEST_TMPDIR/hook-state.json")" "$pid"
	assert_equal "$(state_field "$id" status)" created
	berth start "$id"
	assert_equal "$(state_field "$id" status)" running
	berth delete -f "$id"
	wait_for_exit "$pid"
	berth delete -f "$holder"
	assert_nothing_left "$id"
}

@test "uts namespace: hostname from the config" {
	update_config '.hostname = "berth-host"'
	set_sh 'hostname; uname -n'
	run_container
	assert_success
	assert_line --index 0 berth-host
	assert_line --index 1 berth-host
	[[ "$(hostname)" != berth-host ]]
}

@test "uts namespace: hostname and domainname from the config" {
	requires_runc_version 1.2 domainname
	update_config '.hostname = "berth-host" | .domainname = "berth.example"'
	set_sh 'hostname; cat /proc/sys/kernel/domainname'
	run_container
	assert_success
	assert_line --index 0 berth-host
	assert_line --index 1 berth.example
	# The host's names are untouched.
	[[ "$(hostname)" != berth-host ]]
}

@test "time namespace: timeOffsets for monotonic and boottime" {
	requires_kernel_file /proc/self/ns/time
	requires_runtime_feature .linux.namespaces time
	local boot=864000 mono=3600
	update_config --argjson b $boot --argjson m $mono '
		.linux.namespaces += [{"type": "time"}]
		| .linux.timeOffsets = {"boottime": {"secs": $b, "nanosecs": 0}, "monotonic": {"secs": $m, "nanosecs": 0}}'
	set_sh 'cat /proc/self/timens_offsets; cut -d. -f1 /proc/uptime'
	local host_uptime
	host_uptime=$(cut -d. -f1 /proc/uptime)
	run_container
	assert_success
	assert_line --regexp "^monotonic +$mono +0$"
	assert_line --regexp "^boottime +$boot +0$"
	local inside_uptime
	inside_uptime=$(tail -n 1 <<<"$output")
	((inside_uptime >= host_uptime + boot)) ||
		fail "uptime inside $inside_uptime, host $host_uptime + offset $boot"
}

@test "cgroup namespace: /proc/self/cgroup shows /" {
	update_config '.linux.namespaces += [{"type": "cgroup"}]'
	set_sh 'cat /proc/self/cgroup'
	run_container
	assert_success
	local line
	while read -r line; do
		[[ "$line" == *:/ ]] || fail "cgroup line \"$line\" is not the namespace root"
	done <<<"$output"
}

@test "without a cgroup namespace the container's cgroup path shows" {
	set_sh 'cat /proc/self/cgroup'
	run_container
	assert_success
	# The container has its own cgroup, visible from outside the root.
	assert_output --regexp ':/[^[:space:]]'
}
