#!/usr/bin/env bats
# /dev inside the container: default nodes and symlinks, linux.devices, and
# host device nodes and files that must keep their owner and mode.

load helpers
load helpers_features

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

@test "default device nodes are char devices with the right numbers" {
	# %t:%T is major:minor in hex.
	set_sh 'for d in null zero full random urandom tty; do stat -c "%n %F %t:%T" /dev/$d; done'
	run_container
	assert_success
	assert_line '/dev/null character special file 1:3'
	assert_line '/dev/zero character special file 1:5'
	assert_line '/dev/full character special file 1:7'
	assert_line '/dev/random character special file 1:8'
	assert_line '/dev/urandom character special file 1:9'
	assert_line '/dev/tty character special file 5:0'
}

@test "default device nodes work" {
	set_sh 'echo gone > /dev/null && echo null-ok
		head -c 4 /dev/zero | od -An -tx1 | tr -d " "
		echo x > /dev/full || echo full-ENOSPC
		head -c 16 /dev/urandom | wc -c'
	run_container
	assert_success
	assert_line null-ok
	assert_line 00000000
	assert_line full-ENOSPC
	assert_line 16
}

@test "default /dev symlinks: fd, stdin, stdout, stderr, ptmx" {
	set_sh 'for l in fd stdin stdout stderr ptmx; do echo "$l -> $(readlink /dev/$l)"; done; stat -c %F /dev/pts/ptmx'
	run_container
	assert_success
	assert_line 'fd -> /proc/self/fd'
	assert_line 'stdin -> /proc/self/fd/0'
	assert_line 'stdout -> /proc/self/fd/1'
	assert_line 'stderr -> /proc/self/fd/2'
	assert_line 'ptmx -> pts/ptmx'
	assert_line 'character special file'
}

@test "linux.devices: char, block and fifo nodes with mode and owner" {
	# fileMode is decimal in JSON: 416 = 0640, 432 = 0660, 420 = 0644.
	update_config '.linux.devices = [
		{"path": "/dev/mychar", "type": "c", "major": 1, "minor": 3, "fileMode": 416, "uid": 1000, "gid": 1001},
		{"path": "/dev/myblock", "type": "b", "major": 7, "minor": 200, "fileMode": 432, "uid": 0, "gid": 6},
		{"path": "/dev/sub/myfifo", "type": "p", "fileMode": 420, "uid": 2000, "gid": 2000}
	]'
	set_sh 'for d in /dev/mychar /dev/myblock /dev/sub/myfifo; do stat -c "%n %F %t:%T %a %u:%g" $d; done'
	run_container
	assert_success
	assert_line '/dev/mychar character special file 1:3 640 1000:1001'
	assert_line '/dev/myblock block special file 7:c8 660 0:6'
	assert_line '/dev/sub/myfifo fifo 0:0 644 2000:2000'
}

@test "linux.devices: a char device is usable when the cgroup allows it" {
	update_config '.linux.devices = [{"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3, "fileMode": 438, "uid": 0, "gid": 0}]
		| .linux.resources.devices = [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm"}]'
	set_sh 'echo x > /dev/mynull && echo mynull-ok'
	run_container
	assert_success
	assert_line mynull-ok
}

@test "the host's /dev/null keeps its owner and mode after a uid 1000 container" {
	local before
	before=$(stat -c '%u:%g %a' /dev/null)
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	set_sh 'id -u; echo x > /dev/null'
	run berth run -b "$BUNDLE" ctr </dev/null
	assert_success
	assert_line 1000
	# stdio as /dev/null too (what detached engines pass).
	berth delete ctr 2>/dev/null || true
	berth run -b "$BUNDLE" ctr2 </dev/null >/dev/null 2>/dev/null
	assert_equal "$(stat -c '%u:%g %a' /dev/null)" "$before"
}

@test "a host file given as stdout keeps its owner and mode" {
	local out="$BATS_TEST_TMPDIR/stdout"
	: >"$out"
	chown 1234:1234 "$out"
	chmod 0600 "$out"
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	set_sh 'echo hello'
	berth run -b "$BUNDLE" ctr </dev/null >"$out"
	assert_equal "$(cat "$out")" hello
	assert_equal "$(stat -c '%u:%g %a' "$out")" "1234:1234 600"
}
