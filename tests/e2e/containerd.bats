#!/usr/bin/env bats
# containerd 1.6 through ctr, with the runtime under test as the runc shim's
# BinaryName (ctr run --runc-binary) and a private Root (--runc-root).
# ctr 1.6 has no --user, --hostname or --pids-limit: those scenarios run a
# spec of ctr's own (`ctr oci spec`, changed with jq) via `ctr run --config`
# on a private copy of the image's rootfs. The scenarios docker and podman
# run too are in scenarios.bash; this file gives them ctr's adapter.

load helpers
load scenarios

IMG=docker.io/library/e2e-busybox:latest

setup_file() {
	e2e_setup_dir containerd
	E2E_CTR_NS="e2e-ctr-$(rand_hex)"
	export E2E_CTR_NS
	export E2E_CGROUP_PARENT="/$E2E_CTR_NS"
	export E2E_RUNTIME_ROOT="$E2E_T/runtime-root/$E2E_CTR_NS"
	e2e_record_cgroup_parent "$E2E_CGROUP_PARENT"
	mkdir -p "$E2E_T/fifo" "$E2E_T/logs" "$E2E_RUNTIME_ROOT"
	start_containerd
	c images import "$E2E_IMAGE_DIR/oci.tar" >/dev/null
	snapshot_baseline
}

teardown_file() {
	rm_all
	stop_containerd
	e2e_teardown_dir
}

teardown() { rm_all; }

c() { ctr --address "$E2E_CONTAINERD_SOCK" --namespace "$E2E_CTR_NS" "$@"; }

ctr_run() {
	c run --fifo-dir "$E2E_T/fifo" --runc-binary "$E2E_T/runtime" \
		--runc-root "$E2E_T/runtime-root" "$@"
}

# ctr_run_spec ID JQ_FILTER ARGS...: runs ARGS (attached, --rm) with ctr's
# default spec changed by JQ_FILTER, on a private copy of the rootfs.
ctr_run_spec() {
	local id="$1" filter="$2" dir
	shift 2
	dir="$E2E_T/specs/$id"
	mkdir -p "$dir"
	cp -a "$E2E_IMAGE_DIR/rootfs" "$dir/rootfs"
	# (after --, jq takes an argument like -c for no option of its own)
	c oci spec | jq --arg root "$dir/rootfs" --arg cg "$E2E_CGROUP_PARENT/$id" \
		--argjson args "$(jq -nc '$ARGS.positional' --args -- "$@")" \
		'.root.path = $root | .linux.cgroupsPath = $cg | .process.args = $args
		 | .process.env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"] | '"$filter" \
		>"$dir/config.json"
	ctr_run --rm --config "$dir/config.json" "$id"
}

# ctr_run_tty ID ARGS...: `ctr run -t --rm` under script(1), which gives
# it a pseudo-terminal.
ctr_run_tty() {
	local cmd
	cmd=$(printf '%q ' ctr --address "$E2E_CONTAINERD_SOCK" --namespace "$E2E_CTR_NS" run -t --rm \
		--fifo-dir "$E2E_T/fifo" --runc-binary "$E2E_T/runtime" --runc-root "$E2E_T/runtime-root" \
		"$IMG" "$@")
	script -qec "$cmd" /dev/null
}

# ctr_run_binds RW RO ARGS...: scenario_bind_mounts' runner.
ctr_run_binds() {
	ctr_run --rm --mount "type=bind,src=$1,dst=/rw,options=rbind:rw" \
		--mount "type=bind,src=$2,dst=/ro,options=rbind:ro" "$IMG" t-bind "${@:3}"
}

# rm_all: every task killed and deleted, every container removed.
rm_all() {
	local id
	for id in $(c tasks ls -q 2>/dev/null); do
		c tasks rm -f "$id" >/dev/null 2>&1 || true
	done
	for id in $(c containers ls -q 2>/dev/null); do
		c tasks rm -f "$id" >/dev/null 2>&1 || true
		c containers rm "$id" >/dev/null 2>&1 || true
	done
}

# task_status ID / task_pid ID: from `ctr tasks ls` (TASK PID STATUS).
task_status() { c tasks ls | awk -v id="$1" '$1 == id { print $3 }'; }
task_pid() { c tasks ls | awk -v id="$1" '$1 == id { print $2 }'; }

# scenarios.bash's adapter.
run_rm() {
	local id="$1"
	split_opts "${@:2}"
	ctr_run --rm "${OPTS[@]}" "$IMG" "$id" "${CMD[@]}"
}

# run_d: an attached `ctr run --rm` in the background (its exit status is
# the task's: assert_bg_exit); waits until the task runs. BG_PID is ctr's
# pid.
run_d() {
	local id="$1"
	split_opts "${@:2}"
	ctr_run --rm "${OPTS[@]}" "$IMG" "$id" "${CMD[@]}" >"$E2E_T/logs/$id.bg" 2>&1 </dev/null 3>&- &
	BG_PID=$!
	BG_ID=$id
	wait_for 20 "task $id to run" state_is "$id" running
}

exec_in() { c tasks exec --fifo-dir "$E2E_T/fifo" --exec-id e1 "$@"; }
pid_of() { task_pid "$1"; }
state_of() { task_status "$1" | tr '[:upper:]' '[:lower:]'; }
pause_container() { c tasks pause "$1"; }
unpause_container() { c tasks resume "$1"; }

# assert_bg_exit N: the background ctr run returns N (waited for in this
# shell: `run wait` would be a subshell's).
assert_bg_exit() {
	local rc=0
	wait_for 20 "ctr run $BG_ID to return" e2e_gone "$BG_PID" || true
	wait "$BG_PID" || rc=$?
	((rc == $1)) || fail "expected exit status $1 from $BG_ID, got $rc; its output: $(cat "$E2E_T/logs/$BG_ID.bg")"
}

@test "containerd: run captures the container's output" { scenario_output; }
@test "containerd: the exit code passes through (sh -c 'exit 7')" { scenario_exit_code; }
@test "containerd: a command that does not exist: the engine shows the runtime's error" { scenario_missing_command; }
@test "containerd: no fd beyond stdio reaches the container's process" { scenario_no_extra_fds; }
@test "containerd: environment variable (--env)" { scenario_env --env; }
@test "containerd: working directory (--cwd)" { scenario_cwd --cwd; }

# (not on one line: bats takes the last " {" of an @test line for the one
# that opens the body)
@test "containerd: user uid:gid (spec process.user, ctr run --config)" {
	scenario_user ctr_run_spec t-user '.process.user = {uid: 1000, gid: 1000}'
}

@test "containerd: read-only rootfs (--read-only): writing to / fails" { scenario_read_only; }
@test "containerd: terminal (ctr run -t under script): stdin and stdout are a tty" { scenario_tty ctr_run_tty t-tty; }

@test "containerd: detached run (-d) and its log (--log-uri file://)" {
	local log="$E2E_T/logs/t-logs.log"
	run ctr_run -d --log-uri "file://$log" "$IMG" t-logs sh -c 'echo hello-log; exec sleep 1000'
	assert_success
	wait_for 20 "the log line" grep -qx hello-log "$log"
	run state_of t-logs
	assert_output running
}

@test "containerd: exec (ctr tasks exec): output and exit code" { scenario_exec; }

@test "containerd: exec as another user (ctr tasks exec --user 1000)" {
	run_d t-exec-user sleep 1000
	run exec_in --user 1000 t-exec-user id -u
	assert_success
	assert_output 1000
}

@test "containerd: stop: SIGTERM is honoured (trap exits 42)" {
	run_d t-stop sh -c 'trap "exit 42" TERM; while :; do sleep 0.1; done'
	c tasks kill t-stop
	assert_bg_exit 42
}

@test "containerd: stop: a container ignoring SIGTERM is killed after the timeout (137)" {
	run_d t-stop-kill sh -c 'trap "" TERM; while :; do sleep 0.1; done'
	c tasks kill t-stop-kill
	# the stop timeout: still running 1 s after SIGTERM
	sleep 1
	run state_of t-stop-kill
	assert_output running
	c tasks kill -s SIGKILL t-stop-kill
	assert_bg_exit 137
}

@test "containerd: kill delivers the signal (SIGUSR1 trapped, exit 10)" {
	run_d t-kill sh -c 'trap "exit 10" USR1; while :; do sleep 0.1; done'
	c tasks kill -s SIGUSR1 t-kill
	assert_bg_exit 10
}

@test "containerd: pause and resume: status paused, no progress while paused" { scenario_pause; }

@test "containerd: ps (ctr tasks ps) lists the container's processes" {
	local pid
	run_d t-ps sh -c 'sleep 1000 & exec sleep 1001'
	pid=$(pid_of t-ps)
	run c tasks ps t-ps
	assert_success
	assert_output --regexp "(^|[[:space:]])$pid([[:space:]]|$)"
	# the init and the background sleep at least
	(($(tail -n +2 <<<"$output" | wc -l) >= 2)) || fail "expected 2+ processes: $output"
}

@test "containerd: update of memory and cpu" {
	skip "ctr 1.6 has no update command (no 'ctr tasks update'); docker and podman cover update"
}

@test "containerd: memory and cpu limits are applied (--memory-limit, --cpus)" {
	run_d t-limits --memory-limit 67108864 --cpus 0.5 -- sleep 1000
	assert_limits_64m_half_cpu "$(pid_of t-limits)"
}

@test "containerd: memory limit enforced: a hog is OOM-killed (137)" {
	check_hog_oom_killed --memory-limit 33554432
	run run_rm t-oom --memory-limit 33554432 -- tail /dev/zero
	assert_failure 137
}

@test "containerd: pids limit (spec linux.resources.pids.limit): forks beyond it fail" {
	check_fork_limit ctr_run_spec t-pids '.linux.resources.pids = {limit: 10}'
}

@test "containerd: no network but lo (ctr run without --net-host)" { scenario_no_network; }
@test "containerd: hostname (spec hostname, ctr run --config)" { scenario_hostname ctr_run_spec t-hostname '.hostname = "e2e-host"'; }
@test "containerd: bind mounts: rw writes reach the host, ro refuses writes" { scenario_bind_mounts ctr_run_binds; }

@test "containerd: restart of a stopped container (ctr tasks start again)" {
	run ctr_run "$IMG" t-restart sh -c 'echo run >>/tmp/runs; echo "runs: $(wc -l </tmp/runs)"'
	assert_success
	assert_output "runs: 1"
	c tasks rm t-restart >/dev/null 2>&1 || true
	run c tasks start --fifo-dir "$E2E_T/fifo" t-restart
	assert_success
	assert_output "runs: 2"
}

@test "containerd: rm -f of a running container (ctr tasks rm -f) leaves no state" {
	local pid
	ctr_run -d "$IMG" t-rmf sleep 1000
	wait_for 20 "task t-rmf to run" state_is t-rmf running
	pid=$(pid_of t-rmf)
	run c tasks rm -f t-rmf
	assert_success
	c containers rm t-rmf
	assert_container_gone "$pid" t-rmf
}

@test "containerd: 20 containers started and removed leave no state, cgroup, mount or process" { scenario_many_containers; }
@test "containerd: after all tests: no runtime state, cgroup, mount or process left" { scenario_after_all; }
