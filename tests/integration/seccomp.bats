#!/usr/bin/env bats
# seccomp filters from linux.seccomp: actions, errnoRet, argument rules,
# allowlists, unknown syscall names, Docker's default profile, KILL.

load helpers
load helpers_features

setup() {
	setup_bundle
	update_config '.root.readonly = false'
}

teardown() {
	teardown_bundle
}

# set_seccomp JSON: linux.seccomp = JSON.
set_seccomp() { update_config --argjson s "$1" '.linux.seccomp = $s'; }

# busybox (static, x86_64) uses mkdir(2); other builds use mkdirat(2).
MKDIR_NAMES='["mkdir", "mkdirat"]'

@test "defaultAction ALLOW, mkdir ERRNO: mkdir fails with EPERM" {
	set_seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\",
		\"syscalls\": [{\"names\": $MKDIR_NAMES, \"action\": \"SCMP_ACT_ERRNO\"}]}"
	set_sh 'mkdir /newdir && echo MADE; echo still-running'
	run_container
	assert_success
	assert_output --partial 'Operation not permitted'
	refute_line MADE
	assert_line still-running
	[[ ! -e "$ROOTFS/newdir" ]]
}

@test "errnoRet sets the errno" {
	# 28 = ENOSPC
	set_seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\",
		\"syscalls\": [{\"names\": $MKDIR_NAMES, \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 28}]}"
	set_sh 'mkdir /newdir && echo MADE; true'
	run_container
	assert_success
	assert_output --partial 'No space left on device'
	refute_line MADE
}

@test "a rule with args matches only the given argument" {
	# personality(PER_LINUX32 = 8), which busybox linux32 calls, is refused;
	# the rest of the shell (no such call) runs on.
	set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ERRNO",
			"args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}]}'
	set_sh 'uname -m; linux32 uname -m && echo SWITCHED; echo done'
	run_container
	assert_success
	assert_line --index 0 "$(uname -m)"
	refute_line SWITCHED
	assert_line done
}

@test "a rule with SCMP_CMP_MASKED_EQ" {
	# personality(persona) with persona & 0xff == PER_LINUX32 (8) is refused:
	# linux32 calls personality(8), linux64 personality(0).
	set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ERRNO",
			"args": [{"index": 0, "value": 255, "valueTwo": 8, "op": "SCMP_CMP_MASKED_EQ"}]}]}'
	set_sh 'linux64 true && echo OK-64; linux32 true && echo OK-32; true'
	run_container
	assert_success
	assert_line OK-64
	refute_line OK-32
}

@test "defaultAction ERRNO with an allowlist" {
	set_seccomp '{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
		"architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
		"syscalls": [{"action": "SCMP_ACT_ALLOW", "names": [
			"arch_prctl", "brk", "capget", "capset", "chdir", "clone", "clone3", "close",
			"close_range", "dup", "dup2", "dup3", "epoll_create1", "epoll_ctl", "epoll_pwait",
			"execve", "execveat", "exit", "exit_group", "fchdir", "fchown", "fcntl", "fstat",
			"fstatfs", "futex", "getcwd", "getdents64", "getegid", "geteuid", "getgid",
			"getgroups", "getpgrp", "getpid", "getppid", "getrandom", "getrlimit", "gettid",
			"getuid", "ioctl", "kill", "lseek", "madvise", "mmap", "mprotect", "munmap",
			"nanosleep", "newfstatat", "open", "openat", "pipe", "pipe2", "poll", "ppoll",
			"prctl", "pread64", "prlimit64", "read", "readlink", "readlinkat", "rseq",
			"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sched_getaffinity",
			"sched_yield", "select", "pselect6", "sendfile", "set_robust_list",
			"set_tid_address", "setgid", "setgroups", "setuid", "sigaltstack", "stat",
			"lstat", "statx", "tgkill", "uname", "vfork", "wait4", "waitid", "write",
			"writev", "fstatat64", "faccessat", "faccessat2", "access", "umask",
			"setsid", "getsid", "setpgid", "getpgid", "seccomp", "setresuid",
			"setresgid", "getresuid", "getresgid", "socketpair", "sendmsg", "recvmsg",
			"epoll_wait", "signalfd4", "pidfd_open", "pidfd_send_signal", "mount_setattr",
			"sigreturn", "restart_syscall", "personality"
		]}]}'
	set_sh 'echo allowed; cat /proc/self/status >/dev/null && echo read-ok; mkdir /nope && echo MADE; true'
	run_container
	assert_success
	assert_line allowed
	assert_line read-ok
	refute_line MADE
	assert_output --partial 'Operation not permitted'
}

@test "an unknown syscall name is skipped" {
	set_seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\",
		\"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\", \"berth_no_such_syscall\"], \"action\": \"SCMP_ACT_ERRNO\"}]}"
	set_sh 'echo running; mkdir /newdir && echo MADE; true'
	run_container
	assert_success
	assert_line running
	refute_line MADE
}

@test "Docker's default seccomp profile loads and a shell runs under it" {
	[[ -r "$DOCKER_PROFILE" ]] ||
		skip "$DOCKER_PROFILE missing (apt-get install golang-github-containers-common)"
	[[ "$(uname -m)" == x86_64 ]] || skip "profile conversion written for amd64"
	local caps profile
	caps=$(jq -c '.process.capabilities.bounding' "$BUNDLE/config.json")
	profile=$(docker_profile_to_oci "$caps")
	set_seccomp "$profile"
	set_sh 'echo hello; ls / >/dev/null && echo ls-ok; for i in 1 2 3; do echo $i; done | wc -l; chroot / true && echo CHROOTED; true'
	run_container
	assert_success
	assert_line hello
	assert_line ls-ok
	assert_line 3
	# chroot needs CAP_SYS_CHROOT, which the default spec lacks: the profile refuses it.
	refute_line CHROOTED
}

@test "SCMP_ACT_KILL kills the workload with SIGSYS" {
	set_seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\",
		\"syscalls\": [{\"names\": $MKDIR_NAMES, \"action\": \"SCMP_ACT_KILL\"}]}"
	set_args mkdir /newdir
	run_container
	assert_equal "$status" 159 # 128 + SIGSYS (31)
	[[ ! -e "$ROOTFS/newdir" ]]
}

@test "SCMP_ACT_KILL: a child of the workload dies of SIGSYS" {
	set_seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\",
		\"syscalls\": [{\"names\": $MKDIR_NAMES, \"action\": \"SCMP_ACT_KILL\"}]}"
	set_sh 'echo before; mkdir /newdir; echo "status=$?"'
	run_container
	assert_success
	assert_line before
	assert_line status=159
}

@test "SCMP_ACT_KILL_PROCESS kills the workload with SIGSYS" {
	set_seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\",
		\"syscalls\": [{\"names\": $MKDIR_NAMES, \"action\": \"SCMP_ACT_KILL_PROCESS\"}]}"
	set_args mkdir /newdir
	run_container
	assert_equal "$status" 159
}

@test "SCMP_ACT_TRAP delivers SIGSYS" {
	set_seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\",
		\"syscalls\": [{\"names\": $MKDIR_NAMES, \"action\": \"SCMP_ACT_TRAP\"}]}"
	set_args mkdir /newdir
	run_container
	assert_equal "$status" 159
}

@test "SCMP_ACT_LOG allows the call" {
	set_seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\",
		\"syscalls\": [{\"names\": $MKDIR_NAMES, \"action\": \"SCMP_ACT_LOG\"}]}"
	set_sh 'mkdir /newdir && echo MADE'
	run_container
	assert_success
	assert_line MADE
}

@test "an unknown action is an error" {
	set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NO_SUCH"}]}'
	set_sh 'echo RAN'
	run_container
	assert_failure
	refute_line RAN
}

@test "compiled filters are cached per profile in the state root, never stale" {
	requires_berth
	local errno
	set_sh 'mkdir /newdir; true'
	for errno in 28 13 28; do
		set_seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\",
			\"syscalls\": [{\"names\": $MKDIR_NAMES, \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": $errno}]}"
		run_container
		assert_success
		if ((errno == 28)); then assert_output --partial 'No space left on device'; fi
		if ((errno == 13)); then assert_output --partial 'Permission denied'; fi
	done
	# Two profiles, two programs; `list` does not show the cache.
	assert_equal "$(find "$BERTH_ROOT/.seccomp" -type f | wc -l)" 2
	assert_equal "$(stat -c %a "$BERTH_ROOT/.seccomp")" 700
	run berth list -q
	assert_output ''
	# A damaged cache file is compiled again, not trusted.
	local f
	for f in "$BERTH_ROOT"/.seccomp/*; do echo garbage >"$f"; done
	run_container
	assert_success
	assert_output --partial 'No space left on device'
}
