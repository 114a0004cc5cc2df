#!/usr/bin/env bats
# A bad config.json is refused before anything is made: `create` and `run`
# exit 1 with one line on stderr that names the JSON path and the problem,
# `berth: config.json: <path>: <problem>`, and leave no state directory,
# cgroup, mount or process behind.

load helpers

setup() {
	setup_bundle true
}

teardown() {
	teardown_bundle
}

# refused VERB: `berth VERB -b $BUNDLE <new id>` fails with one error line
# and leaves nothing behind. Sets status, stderr and ID.
refused() {
	ID=$(unique_id cfg)
	berth_capture "$1" -b "$BUNDLE" "$ID"
	assert_one_error
	assert_nothing_left "$ID"
}

# assert_config_error VERB TEXT: VERB is refused, and berth's line is exactly
# "berth: config.json: TEXT" (runc words its errors its own way, so against
# runc only the exit status, the single line and the clean host count).
assert_config_error() {
	refused "$1"
	if is_berth; then
		assert_equal "$stderr" "berth: config.json: $2"
	fi
}

# both TEXT: create and run are refused alike.
both() {
	assert_config_error create "$1"
	assert_config_error run "$1"
}

# write_config TEXT: config.json becomes TEXT, byte for byte.
write_config() { printf '%s' "$1" >"$BUNDLE/config.json"; }

@test "not JSON: refused, one line naming the position" {
	write_config 'ociVersion = "1.2.0"'
	both 'invalid JSON at line 1, column 1: lexical error: invalid char in json text.'
}

@test "truncated JSON: refused, one line naming where it ends" {
	local text
	text=$(head -c 200 "$BUNDLE/config.json")
	write_config "$text"
	refused create
	if is_berth; then
		assert_regex "$stderr" '^berth: config\.json: invalid JSON at line [0-9]+, column [0-9]+: '
	fi
	refused run
}

@test "a NUL byte in config.json: refused where it is" {
	printf '{\n  "ociVersion": "1.2.0\0"}' >"$BUNDLE/config.json"
	refused create
	if is_berth; then
		assert_equal "$stderr" 'berth: config.json: invalid JSON at line 2, column 23: NUL byte in input'
	fi
}

@test "empty config.json: refused" {
	write_config ''
	both 'invalid JSON at line 1, column 1: parse error: premature EOF'
}

@test "top level not an object: refused" {
	write_config '["ociVersion"]'
	both 'expected an object, got array'
}

@test "missing config.json: refused" {
	rm "$BUNDLE/config.json"
	both "open \"$BUNDLE/config.json\": no such file or directory"
}

@test "config.json a directory: refused" {
	rm "$BUNDLE/config.json"
	mkdir "$BUNDLE/config.json"
	requires_berth # runc reads a directory as an empty file: "unexpected end of JSON input"
	both "\"$BUNDLE/config.json\" is not a regular file"
}

@test "process.args a string: wrong type" {
	update_config '.process.args = "sh"'
	both 'process.args: expected an array, got string'
}

@test "process.args with a number: wrong type, with its index" {
	update_config '.process.args = ["sh", 1]'
	both 'process.args[1]: expected a string, got number'
}

@test "process.user.uid a string: wrong type" {
	update_config '.process.user.uid = "0"'
	both 'process.user.uid: expected an unsigned integer, got string'
}

@test "process.user.gid negative: wrong type" {
	update_config '.process.user.gid = -1'
	both 'process.user.gid: expected an unsigned integer, got -1'
}

@test "process.user.uid beyond uint32: out of range" {
	update_config '.process.user.uid = 4294967296'
	both 'process.user.uid: 4294967296 is out of range (max 4294967295)'
}

@test "process.terminal a string: wrong type" {
	update_config '.process.terminal = "false"'
	both 'process.terminal: expected a boolean, got string'
}

@test "missing process.args: refused" {
	update_config 'del(.process.args)'
	both 'process.args: missing'
}

@test "empty process.args: refused" {
	update_config '.process.args = []'
	both 'process.args: must have at least one element'
}

@test "missing process: refused" {
	update_config 'del(.process)'
	requires_berth # runc 1.1 fails later: "process is not set"
	both 'process: missing'
}

@test "relative process.cwd: refused" {
	update_config '.process.cwd = "tmp"'
	both 'process.cwd: "tmp" is not an absolute path'
}

@test "missing root.path: refused" {
	update_config 'del(.root.path)'
	both 'root.path: missing'
}

@test "missing root: refused" {
	update_config 'del(.root)'
	both 'root.path: missing'
}

@test "rootfs is a file, not a directory: refused" {
	rm -rf "$ROOTFS"
	echo not a directory >"$ROOTFS"
	both "root.path: \"$ROOTFS\" is not a directory"
}

@test "rootfs missing: refused" {
	rm -rf "$ROOTFS"
	both "root.path: stat \"$ROOTFS\": no such file or directory"
}

@test "absolute root.path that does not exist: refused" {
	update_config --arg p "$BATS_TEST_TMPDIR/nowhere" '.root.path = $p'
	both "root.path: stat \"$BATS_TEST_TMPDIR/nowhere\": no such file or directory"
}

@test "unknown namespace: refused, naming its index" {
	update_config '.linux.namespaces[2].type = "pidd"'
	both 'linux.namespaces[2].type: unknown namespace "pidd"'
}

@test "duplicate namespace: refused" {
	update_config '.linux.namespaces += [{"type": "pid"}]'
	local n
	n=$(($(jq '.linux.namespaces | length' "$BUNDLE/config.json") - 1))
	both "linux.namespaces[$n].type: duplicate namespace \"pid\""
}

@test "relative namespace path: refused" {
	update_config '.linux.namespaces[0].path = "proc/1/ns/pid"'
	requires_berth # runc 1.1 finds out at setns time, with cgroup warnings
	both 'linux.namespaces[0].path: "proc/1/ns/pid" is not an absolute path'
}

# userns_config UIDMAPS: a user namespace with UIDMAPS and one gid range.
userns_config() {
	update_config --argjson u "$1" '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = $u
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
}

@test "uid mapping of size 0: refused" {
	userns_config '[{"containerID": 0, "hostID": 100000, "size": 0}]'
	requires_berth # runc 1.1: "User namespaces enabled, but no user mapping found."
	both 'linux.uidMappings[0].size: must be greater than 0'
}

@test "uid mappings overlapping inside the container: refused" {
	userns_config '[{"containerID": 0, "hostID": 100000, "size": 100},
		{"containerID": 50, "hostID": 200000, "size": 100}]'
	requires_berth # runc 1.1 lets the kernel refuse it, in three lines
	both 'linux.uidMappings[1]: containerID 50-149 overlaps linux.uidMappings[0] (0-99)'
}

@test "uid mappings overlapping on the host: refused" {
	userns_config '[{"containerID": 0, "hostID": 100000, "size": 100},
		{"containerID": 500, "hostID": 100099, "size": 10}]'
	requires_berth # runc 1.1 lets the kernel refuse it, in three lines
	both 'linux.uidMappings[1]: hostID 100099-100108 overlaps linux.uidMappings[0] (100000-100099)'
}

@test "uid mapping beyond uint32: refused" {
	userns_config '[{"containerID": 0, "hostID": 4294967295, "size": 2}]'
	requires_berth # runc 1.1 lets the kernel refuse it
	both 'linux.uidMappings[0].size: hostID 4294967295 + size 2 overflows uint32'
}

@test "uid mapping without a user namespace: refused" {
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 10}]'
	requires_berth # runc 1.1 ignores the mappings
	both 'linux.uidMappings: user namespace mappings given but no user namespace'
}

@test "relative mount destination: refused" {
	update_config '.mounts[0].destination = "proc"'
	requires_berth # runc 1.1 warns and makes it absolute
	both 'mounts[0].destination: "proc" is not an absolute path'
}

@test "mount destination a number: wrong type" {
	update_config '.mounts[1].destination = 1'
	both 'mounts[1].destination: expected a string, got number'
}

@test "unknown capability: refused, naming set and index" {
	update_config '.process.capabilities.bounding += ["CAP_FOO"]'
	requires_berth # runc 1.1 warns and ignores unknown capabilities
	local n
	n=$(($(jq '.process.capabilities.bounding | length' "$BUNDLE/config.json") - 1))
	both "process.capabilities.bounding[$n]: unknown capability \"CAP_FOO\""
}

@test "capability without the CAP_ prefix: refused" {
	update_config '.process.capabilities.effective = ["kill"]'
	requires_berth # runc 1.1 warns and ignores unknown capabilities
	both 'process.capabilities.effective[0]: unknown capability "kill"'
}

@test "unknown rlimit: refused" {
	update_config '.process.rlimits[0].type = "RLIMIT_FOO"'
	both 'process.rlimits[0].type: unknown rlimit "RLIMIT_FOO"'
}

@test "rlimit without hard: refused" {
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 1024}]'
	requires_berth # runc 1.1 takes a missing hard limit as 0
	both 'process.rlimits[0].hard: missing'
}

@test "unknown seccomp action: refused" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_KILLL"}'
	refused create
	if is_berth; then
		assert_regex "$stderr" '^berth: config\.json: linux\.seccomp\.defaultAction: .*"SCMP_ACT_KILLL"'
	fi
	refused run
}

@test "unknown device type: refused" {
	update_config '.linux.devices = [{"path": "/dev/x", "type": "z", "major": 1, "minor": 3}]'
	both 'linux.devices[0].type: unknown device type "z" (want c, b, u or p)'
}

@test "ociVersion outside 1.0.0 to 1.2.x: refused" {
	requires_berth # runc does not check the version
	local v
	for v in 2.0.0 0.9.0 1.3.0 1.10.0 1 1.2 "" v1.2.0; do
		update_config --arg v "$v" '.ociVersion = $v'
		both "ociVersion: unsupported version \"$v\" (berth supports 1.0.0 to 1.2.x)"
	done
}

@test "ociVersion missing or not a string: refused" {
	update_config 'del(.ociVersion)'
	requires_berth # runc does not check the version
	both 'ociVersion: missing'
	update_config '.ociVersion = 1.2'
	both 'ociVersion: expected a string, got number'
}

@test "ociVersion 1.0.0, 1.0.2-dev, 1.1.0, 1.2.0 and 1.2.1 run" {
	local v id
	for v in 1.0.0 1.0.2-dev 1.1.0 1.2.0 1.2.1; do
		update_config --arg v "$v" '.ociVersion = $v'
		id=$(unique_id ver)
		berth_capture run -b "$BUNDLE" "$id"
		[[ "$status" -eq 0 ]] || fail "ociVersion $v: exit $status: $stderr"
		assert_nothing_left "$id"
	done
}

@test "unknown fields are ignored, as the runtime-spec asks" {
	update_config '.futureField = {"x": 1} | .process.futureField = true | .linux.futureField = []'
	local id
	id=$(unique_id unk)
	berth_capture run -b "$BUNDLE" "$id"
	assert_success
	assert_nothing_left "$id"
}

@test "an error after a valid prefix still leaves nothing behind" {
	# The last check fails: everything parsed before it is freed, not leaked
	# into a half-made container.
	update_config '.hooks = {"poststop": [{"path": "hook"}]}'
	requires_berth # runc 1.1 does not check hook paths
	both 'hooks.poststop[0].path: "hook" is not an absolute path'
}

@test "process.terminal without a console socket: create refused, nothing made" {
	update_config '.process.terminal = true'
	refused create
	[[ "$(error_text)" == *"cannot allocate tty if "*" will detach without setting console socket"* ]] ||
		fail "error: $stderr"
}
