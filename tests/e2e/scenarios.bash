# The scenarios tests/e2e/{containerd,docker,podman}.bats share: each
# scenario_* function is a test's body (and assert_*/check_* a part of
# one), written once and run through the adapter each engine file defines
# (cli.bash for docker and podman, containerd.bats for ctr):
#
#   IMG                                    the image
#   run_rm NAME [OPTION... --] COMMAND...  COMMAND in a container of IMG,
#                                          attached and removed when it exits;
#                                          its status is COMMAND's (NAME: the
#                                          id where the engine wants one)
#   run_d NAME [OPTION... --] COMMAND...   COMMAND in container NAME of IMG,
#                                          in the background; returns once
#                                          NAME runs
#   exec_in [OPTION...] NAME COMMAND...    COMMAND in the running NAME, attached
#   pid_of NAME                            the host pid of NAME's init
#   state_of NAME                          running, paused... (lower case)
#   pause_container NAME, unpause_container NAME
#   rm_all                                 every container removed
#
# Where the engines ask for a scenario in their own ways, the scenario takes
# what differs: an option's name (scenario_env -e, scenario_env --env) or
# RUNNER...: the words that run a container of IMG, attached and removed,
# up to its command (run_rm t-user --user 1000:1000 --, or ctr_run_spec
# with a spec change).

# split_opts [OPTION... --] COMMAND...: sets OPTS to the options (none
# unless the first word is an option; then all before the first "--") and
# CMD to the command.
# shellcheck disable=SC2034 # the caller's
split_opts() {
	local i
	OPTS=() CMD=("$@")
	[[ "${1:-}" == -* ]] || return 0
	for ((i = 1; i <= $#; i++)); do
		if [[ "${!i}" == -- ]]; then
			OPTS=("${@:1:i-1}") CMD=("${@:i+1}")
			return 0
		fi
	done
}

state_is() { [[ "$(state_of "$1")" == "$2" ]]; }

# snapshot_baseline: for setup_file: the baseline of the leak checks, taken
# after one container ran and was removed, so that what the engine keeps for
# good (a cgroup parent, conmon's cgroup) is in.
snapshot_baseline() {
	run_rm baseline -- true ||
		e2e_note "the baseline container failed: the runtime fails the tests, not the setup"
	e2e_snapshot >"$E2E_T/snapshot.base"
}

scenario_output() {
	run --separate-stderr run_rm t-output -- sh -c 'echo hello from the container; echo to stderr >&2'
	echo "stderr: $stderr" # shown if the test fails
	assert_success
	assert_output "hello from the container"
}

# A workload that cannot start: the engine fails and shows the runtime's
# error, which names the missing command (taken from --log's last JSON
# error line by containerd's shim).
scenario_missing_command() {
	local out status=0
	# Not bats' run: engines differ in the exit code (docker 127, ctr 1).
	out=$(run_rm t-missing -- /no/such-command 2>&1) || status=$?
	echo "status $status, output: $out"
	((status != 0)) || fail "the engine reported success"
	[[ "$out" == *"/no/such-command"* ]] || fail "the error does not name the command"
	[[ "$out" != *"unable to retrieve OCI runtime error"* ]] || fail "the engine could not read the runtime's error"
}

scenario_exit_code() {
	run run_rm t-exit -- sh -c 'exit 7'
	assert_failure 7
}

scenario_no_extra_fds() {
	run_d t-fds sleep 1000
	run workload_fds "$(pid_of t-fds)" sleep
	assert_success
	assert_output "0 1 2"
}

# scenario_env OPTION: the engine's option for an environment variable.
scenario_env() {
	run run_rm t-env "$1" E2E_VAR=hello-env -- sh -c 'echo "$E2E_VAR"'
	assert_success
	assert_output "hello-env"
}

# scenario_cwd OPTION: the engine's option for the working directory.
scenario_cwd() {
	run run_rm t-cwd "$1" /tmp -- pwd
	assert_success
	assert_output "/tmp"
}

# scenario_user RUNNER...: RUNNER runs as uid and gid 1000.
scenario_user() {
	run "$@" id
	assert_success
	assert_output --partial "uid=1000(user) gid=1000(user)"
}

scenario_read_only() {
	run run_rm t-ro --read-only -- sh -c 'touch /should-fail && echo WROTE'
	assert_failure
	assert_output --partial "Read-only file system"
	refute_output --partial WROTE
}

# scenario_tty RUNNER...: RUNNER gives the container a terminal.
scenario_tty() {
	run "$@" sh -c 'test -t 0 && test -t 1 && echo "TTY-YES $(tty)"'
	assert_success
	run strip_cr <<<"$output"
	assert_output --regexp "TTY-YES /dev/(pts/[0-9]+|console)"
}

scenario_exec() {
	run_d t-exec sleep 1000
	run --separate-stderr exec_in t-exec sh -c 'echo "from exec in $(hostname)"; exit 3'
	echo "stderr: $stderr" # shown if the test fails
	assert_failure 3
	assert_output --regexp "^from exec in "
}

counter() { cat "/proc/$1/root/tmp/counter" 2>/dev/null; }
counter_above() { local n; n=$(counter "$1") && [[ "$n" =~ ^[0-9]+$ ]] && ((n > $2)); }

scenario_pause() {
	local pid c1 c2
	# The counter is renamed into place, never truncated and rewritten:
	# a container frozen in between would leave it empty.
	run_d t-pause sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/counter.new; mv /tmp/counter.new /tmp/counter; sleep 0.05; done'
	pid=$(pid_of t-pause)
	wait_for 10 "the counter to start" counter_above "$pid" 0
	pause_container t-pause
	run state_of t-pause
	assert_output paused
	cg_frozen "$pid"
	c1=$(counter "$pid")
	sleep 1 # the window in which a frozen process must not move
	c2=$(counter "$pid")
	[[ "$c2" =~ ^[0-9]+$ ]] || fail "the counter reads \"$c2\" while paused"
	[[ "$c1" == "$c2" ]] || fail "the counter moved while paused: $c1 -> $c2"
	unpause_container t-pause
	run state_of t-pause
	assert_output running
	wait_for 10 "the counter to move after the unpause" counter_above "$pid" "$c2"
}

# assert_limits_64m_half_cpu PID: PID's cgroup limits memory to 64 MiB and
# the cpu to half a cpu.
assert_limits_64m_half_cpu() {
	run cg_memory_limit "$1"
	assert_output 67108864
	run cg_cpu_quota "$1"
	assert_output "50000 100000"
}

# check_hog_oom_killed OPTION...: a container given OPTION... (32 MiB of
# memory) whose hog gets OOM-killed: the kernel counts the kill in its
# memory cgroup.
check_hog_oom_killed() {
	local pid
	run_d t-oom-count "$@" -- sh -c 'tail /dev/zero; exec sleep 1000'
	pid=$(pid_of t-oom-count)
	wait_for 30 "an OOM kill in the container's memory cgroup" oom_killed "$pid"
}

# check_fork_limit RUNNER...: RUNNER limits the container to 10 pids: the
# forks beyond it fail.
check_fork_limit() {
	run "$@" sh -c 'i=0; while [ $i -lt 30 ]; do sleep 30 & i=$((i+1)); echo "started $i"; done'
	assert_failure
	refute_output --partial "started 30"
	assert_output --regexp "can't fork|Resource temporarily unavailable"
}

# scenario_no_network [OPTION...]: what the engine needs for no network.
scenario_no_network() {
	run run_rm t-net "$@" -- sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "'
	assert_success
	assert_output lo
}

# scenario_hostname RUNNER...: RUNNER sets the hostname e2e-host.
scenario_hostname() {
	run "$@" hostname
	assert_success
	assert_output e2e-host
}

# scenario_bind_mounts BIND_RUN: BIND_RUN RW RO COMMAND... runs COMMAND
# with RW bound read-write on /rw and RO read-only on /ro.
scenario_bind_mounts() {
	local rw ro
	rw=$(e2e_bind_dir rw)
	ro=$(e2e_bind_dir ro)
	echo from-host >"$ro/file"
	run "$1" "$rw" "$ro" \
		sh -c 'echo from-container >/rw/file && cat /ro/file && if echo x >/ro/file; then echo RO-WRITABLE; fi'
	assert_success
	assert_output --partial from-host
	assert_output --partial "Read-only file system"
	refute_output --partial RO-WRITABLE
	[[ "$(cat "$rw/file")" == from-container ]]
	[[ "$(cat "$ro/file")" == from-host ]]
}

# assert_container_gone PID ID: after a forced removal: the init PID is
# gone and the runtime keeps no state and no cgroup for ID.
assert_container_gone() {
	wait_for 10 "the container's init to go" e2e_gone "$1"
	runtime_state_gone "$2" || fail "runtime state left: $E2E_RUNTIME_ROOT/$2"
	run cg_dirs "$E2E_CGROUP_PARENT/$2"
	assert_output ""
}

scenario_many_containers() {
	local i
	for i in $(seq 20); do
		run_rm "t-loop-$i" -- true || fail "container $i failed"
	done
	assert_runtime_root_empty
	assert_no_leaks "$E2E_T/snapshot.base"
}

scenario_after_all() {
	rm_all
	assert_no_leaks "$E2E_T/snapshot.base"
}
