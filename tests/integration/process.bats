#!/usr/bin/env bats
# The workload's process attributes: args, env, cwd, user and groups, umask,
# capabilities, rlimits, noNewPrivileges, oomScoreAdj, sysctl, personality,
# and LSM labels on a host without an LSM.

load helpers
load helpers_features

setup() {
	setup_bundle
	update_config '.root.readonly = false'
}

teardown() {
	teardown_bundle
}

# caps_from_config SET: the config's capability names of SET, one a line.
caps_from_config() {
	jq -r --arg s "$1" '.process.capabilities[$s] // [] | .[]' "$BUNDLE/config.json"
}

# check_cap_sets SETS...: each of the named sets (bounding effective
# permitted inheritable ambient) in /proc/self/status ($output) equals the
# config's mask.
check_cap_sets() {
	local set field want got
	for set in "$@"; do
		case "$set" in
		bounding) field=CapBnd ;;
		effective) field=CapEff ;;
		permitted) field=CapPrm ;;
		inheritable) field=CapInh ;;
		ambient) field=CapAmb ;;
		esac
		# shellcheck disable=SC2046
		want=$(cap_mask $(caps_from_config "$set"))
		got=$(status_field "$field" "$output")
		[[ "$got" == "$want" ]] || fail "$field is $got, config's $set wants $want"
	done
}

@test "args, env and cwd" {
	update_config '.process.env = ["PATH=/bin:/sbin", "FOO=bar baz", "EMPTY="] | .process.cwd = "/root"'
	set_args sh -c 'echo "args=$#:$1:$2"; echo "FOO=$FOO"; echo "EMPTY=[${EMPTY-unset}]"; pwd' sh 'one two' three
	run_container
	assert_success
	assert_line 'args=2:one two:three'
	assert_line 'FOO=bar baz'
	assert_line 'EMPTY=[]'
	assert_line /root
}

@test "exit status of the workload is run's exit status" {
	set_sh 'exit 42'
	run_container
	assert_equal "$status" 42
}

@test "a missing executable fails" {
	set_args /bin/no-such-program
	run_container
	assert_failure
	run berth list -q
	refute_output --partial ctr
}

@test "user: uid, gid, additionalGids, umask" {
	# umask is decimal in JSON: 23 = 0027.
	update_config '.process.user = {"uid": 1000, "gid": 1001, "additionalGids": [2000, 3000], "umask": 23}'
	set_sh 'grep -E "^(Uid|Gid|Groups):" /proc/self/status; umask; id -u; id -g'
	run_container
	assert_success
	assert_equal "$(status_field Uid "$output" | tr -s '\t ' ' ')" '1000 1000 1000 1000'
	assert_equal "$(status_field Gid "$output" | tr -s '\t ' ' ')" '1001 1001 1001 1001'
	local groups
	groups=$(status_field Groups "$output" | tr -s '\t ' ' ')
	[[ " $groups " == *" 2000 "* && " $groups " == *" 3000 "* ]] || fail "Groups: $groups"
	assert_line 0027
}

@test "user: root has no supplementary groups but those configured" {
	set_sh 'grep -E "^Groups:" /proc/self/status'
	run_container
	assert_success
	assert_equal "$(status_field Groups "$output" | tr -d ' \t')" ''
}

@test "capabilities: the default spec's bounding, effective, permitted" {
	set_sh 'grep ^Cap /proc/self/status'
	run_container
	assert_success
	assert_equal "$(cap_mask CAP_AUDIT_WRITE CAP_KILL CAP_NET_BIND_SERVICE)" 0000000020000420
	check_cap_sets bounding effective permitted inheritable
}

@test "capabilities: all five sets as configured" {
	# After execve as root the kernel makes effective = permitted, so a
	# config that means what it says keeps them equal.
	update_config '.process.capabilities = {
		"bounding": ["CAP_CHOWN", "CAP_NET_RAW", "CAP_SYS_CHROOT", "CAP_SETUID", "CAP_SETGID"],
		"effective": ["CAP_NET_RAW", "CAP_SYS_CHROOT", "CAP_CHOWN"],
		"permitted": ["CAP_NET_RAW", "CAP_SYS_CHROOT", "CAP_CHOWN"],
		"inheritable": ["CAP_NET_RAW", "CAP_SYS_CHROOT"],
		"ambient": ["CAP_NET_RAW"]}'
	set_sh 'grep ^Cap /proc/self/status'
	run_container
	assert_success
	check_cap_sets bounding effective permitted inheritable ambient
}

@test "capabilities: ambient set reaches a non-root user" {
	# A non-root user keeps across execve only what is ambient.
	update_config '.process.user = {"uid": 1000, "gid": 1000}
		| .process.capabilities = {
		"bounding": ["CAP_NET_RAW", "CAP_NET_BIND_SERVICE", "CAP_CHOWN"],
		"effective": ["CAP_NET_RAW", "CAP_NET_BIND_SERVICE"],
		"permitted": ["CAP_NET_RAW", "CAP_NET_BIND_SERVICE"],
		"inheritable": ["CAP_NET_RAW", "CAP_NET_BIND_SERVICE"],
		"ambient": ["CAP_NET_RAW", "CAP_NET_BIND_SERVICE"]}'
	set_sh 'grep ^Cap /proc/self/status'
	run_container
	assert_success
	check_cap_sets bounding effective permitted inheritable ambient
}

@test "signals the caller ignores are neither ignored nor blocked in the workload" {
	# An ignored signal survives exec: berth-init resets what SigIgn names.
	# grep itself, not sh (busybox sh ignores SIGQUIT of its own).
	set_args grep -E '^Sig(Ign|Blk):' /proc/self/status
	trap '' USR1 HUP QUIT
	run_container
	trap - USR1 HUP QUIT
	assert_success
	assert_equal "$(status_field SigIgn "$output")" 0000000000000000
	assert_equal "$(status_field SigBlk "$output")" 0000000000000000
}

@test "capabilities: an empty config drops everything" {
	update_config '.process.capabilities = {}'
	set_sh 'grep ^Cap /proc/self/status'
	run_container
	assert_success
	local f
	for f in CapBnd CapEff CapPrm CapInh CapAmb; do
		assert_equal "$(status_field $f "$output")" 0000000000000000
	done
}

@test "capabilities: every capability" {
	requires_full_bounding_set
	local all
	all=$(all_cap_names | jq -R . | jq -s -c .)
	update_config --argjson a "$all" '.process.capabilities = {"bounding": $a, "effective": $a, "permitted": $a, "inheritable": $a, "ambient": $a}'
	set_sh 'grep ^Cap /proc/self/status'
	run_container
	assert_success
	check_cap_sets bounding effective permitted inheritable ambient
}

@test "capabilities: an unknown capability name is an error" {
	requires_berth # runc 1.1 only warns and drops an unknown capability
	update_config '.process.capabilities.bounding += ["CAP_NO_SUCH_THING"]'
	set_sh 'echo RAN'
	run_container
	assert_failure
	refute_line RAN
	assert_output --partial CAP_NO_SUCH_THING
	run berth list -q
	refute_output --partial ctr
}

@test "rlimits: soft and hard limits" {
	update_config '.process.rlimits = [
		{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 2048},
		{"type": "RLIMIT_CORE", "soft": 0, "hard": 4096},
		{"type": "RLIMIT_NPROC", "soft": 300, "hard": 400}]'
	set_sh 'echo "nofile=$(ulimit -n)/$(ulimit -Hn)"; grep -E "^Max (open files|core file size|processes)" /proc/self/limits'
	run_container
	assert_success
	assert_line 'nofile=512/2048'
	assert_line --regexp '^Max open files +512 +2048 +files'
	assert_line --regexp '^Max core file size +0 +4096 +bytes'
	assert_line --regexp '^Max processes +300 +400 +processes'
}

@test "rlimits: an unknown rlimit is an error" {
	update_config '.process.rlimits += [{"type": "RLIMIT_NO_SUCH", "soft": 1, "hard": 1}]'
	set_sh 'echo RAN'
	run_container
	assert_failure
	refute_line RAN
}

@test "noNewPrivileges" {
	update_config '.process.noNewPrivileges = true'
	set_sh 'grep ^NoNewPrivs: /proc/self/status'
	run_container
	assert_success
	assert_equal "$(status_field NoNewPrivs "$output")" 1
}

@test "noNewPrivileges false leaves the flag clear" {
	update_config '.process.noNewPrivileges = false'
	set_sh 'grep ^NoNewPrivs: /proc/self/status'
	run_container
	assert_success
	assert_equal "$(status_field NoNewPrivs "$output")" 0
}

@test "oomScoreAdj" {
	update_config '.process.oomScoreAdj = 543'
	set_sh 'cat /proc/self/oom_score_adj'
	run_container
	assert_success
	assert_output 543
}

@test "sysctl: net in a new netns, kernel.shm in a new ipc ns; the host's stay" {
	local host_fwd host_shm
	host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	host_shm=$(cat /proc/sys/kernel/shmmni)
	local want_fwd=$((1 - host_fwd)) want_shm=$((host_shm == 1000 ? 1001 : 1000))
	update_config --arg f "$want_fwd" --arg s "$want_shm" \
		'.linux.sysctl = {"net.ipv4.ip_forward": $f, "kernel.shmmni": $s}'
	set_sh 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni'
	run_container
	assert_success
	assert_line --index 0 "$want_fwd"
	assert_line --index 1 "$want_shm"
	assert_equal "$(cat /proc/sys/net/ipv4/ip_forward)" "$host_fwd"
	assert_equal "$(cat /proc/sys/kernel/shmmni)" "$host_shm"
}

@test "sysctl: a net sysctl without a new netns is refused" {
	update_config '.linux.namespaces |= map(select(.type != "network"))
		| .linux.sysctl = {"net.ipv4.ip_forward": "1"}'
	set_sh 'echo RAN'
	run_container
	assert_failure
	refute_line RAN
}

@test "personality LINUX32: uname -m is i686" {
	requires_runc_version 1.2 linux.personality
	[[ "$(uname -m)" == x86_64 ]] || skip "LINUX32 check written for x86_64 hosts"
	update_config '.linux.personality = {"domain": "LINUX32"}'
	set_sh 'uname -m'
	run_container
	assert_success
	assert_output i686
}

@test "apparmorProfile and selinuxLabel on a host without AppArmor or SELinux" {
	requires_berth
	if [[ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" == Y ]]; then
		skip "AppArmor is enabled on this host"
	fi
	if [[ -e /sys/fs/selinux/enforce ]]; then
		skip "SELinux is enabled on this host"
	fi
	update_config '.process.apparmorProfile = "berth-test-profile"
		| .process.selinuxLabel = "system_u:system_r:container_t:s0"
		| .linux.mountLabel = "system_u:object_r:container_file_t:s0"'
	set_sh 'echo RAN'
	run_container
	assert_success
	assert_line RAN
	# Documented: the labels are skipped with a warning naming them.
	[[ "$output" =~ [Aa]pp[Aa]rmor ]] || fail "no AppArmor warning: $output"
	[[ "$output" =~ [Ss][Ee][Ll]inux ]] || fail "no SELinux warning: $output"
}
