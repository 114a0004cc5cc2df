# docker and podman take the same CLI: scenarios.bash's adapter over
# `engine` (docker.bats and podman.bats define it: the CLI with the lane's
# private flags), and the scenarios only these two run. Messages name the
# engine by E2E_ENGINE.

run_rm() {
	split_opts "${@:2}"
	engine run --rm "${OPTS[@]}" "$IMG" "${CMD[@]}"
}

run_d() {
	local name="$1"
	split_opts "${@:2}"
	engine run -d --name "$name" "${OPTS[@]}" "$IMG" "${CMD[@]}" >/dev/null
	wait_for 20 "container $name to run" state_is "$name" running
}

exec_in() { engine exec "$@"; }
state_of() { engine inspect -f '{{.State.Status}}' "$1"; }
pid_of() { engine inspect -f '{{.State.Pid}}' "$1"; }
exit_code_of() { engine inspect -f '{{.State.ExitCode}}' "$1"; }
pause_container() { engine pause "$1" >/dev/null; }
unpause_container() { engine unpause "$1" >/dev/null; }

# run_binds RW RO COMMAND...: scenario_bind_mounts' runner.
run_binds() { run_rm t-bind -v "$1:/rw" -v "$2:/ro:ro" -- "${@:3}"; }

scenario_logs() {
	run_d t-logs sh -c 'echo hello-log; exec sleep 1000'
	wait_for 20 "the log line" eval 'engine logs t-logs | grep -qx hello-log'
	run engine logs t-logs
	assert_output hello-log
}

scenario_stop_sigterm() {
	local started elapsed
	run_d t-stop sh -c 'trap "exit 42" TERM; while :; do sleep 0.1; done'
	started=$SECONDS
	engine stop -t 20 t-stop >/dev/null
	elapsed=$((SECONDS - started))
	run exit_code_of t-stop
	assert_output 42
	((elapsed < 15)) || fail "$E2E_ENGINE stop took ${elapsed}s: SIGTERM not seen?"
}

scenario_stop_timeout() {
	local started elapsed
	run_d t-stop-kill sh -c 'trap "" TERM; while :; do sleep 0.1; done'
	started=$(date +%s%N)
	engine stop -t 1 t-stop-kill >/dev/null
	elapsed=$((($(date +%s%N) - started) / 1000000))
	run exit_code_of t-stop-kill
	assert_output 137
	((elapsed >= 900)) || fail "stopped after ${elapsed} ms: before the 1 s timeout?"
}

scenario_kill() {
	run_d t-kill sh -c 'trap "exit 10" USR1; while :; do sleep 0.1; done'
	engine kill -s USR1 t-kill >/dev/null
	run engine wait t-kill
	assert_output 10
	run_d t-kill9 sleep 1000
	engine kill t-kill9 >/dev/null
	run engine wait t-kill9
	assert_output 137
}

scenario_top() {
	run_d t-top sh -c 'sleep 1000 & exec sleep 1001'
	run engine top t-top
	assert_success
	assert_output --partial "sleep 1000"
	assert_output --partial "sleep 1001"
}

# scenario_update: the cgroup of t-update (left running) has the new limits.
scenario_update() {
	local pid
	run_d t-update sleep 1000
	pid=$(pid_of t-update)
	run engine update --memory 64m --memory-swap 64m --cpus 0.5 t-update
	assert_success
	assert_limits_64m_half_cpu "$pid"
}

# scenario_oom: t-oom (kept) exits 137.
scenario_oom() {
	check_hog_oom_killed --memory 32m
	run engine run --name t-oom --memory 32m "$IMG" tail /dev/zero
	assert_failure 137
}

scenario_pids_limit() {
	run_d t-pids-max --pids-limit 10 -- sleep 1000
	run cg_pids_max "$(pid_of t-pids-max)"
	assert_output 10
	check_fork_limit run_rm t-pids --pids-limit 10 --
}

scenario_restart() {
	run engine run --name t-restart "$IMG" sh -c 'echo run >>/tmp/runs; echo "runs: $(wc -l </tmp/runs)"'
	assert_success
	assert_output "runs: 1"
	run engine start -a t-restart
	assert_success
	assert_output "runs: 2"
}

scenario_rm_force() {
	local pid id
	run_d t-rmf sleep 1000
	pid=$(pid_of t-rmf)
	id=$(engine inspect -f '{{.Id}}' t-rmf)
	run engine rm -f t-rmf
	assert_success
	run engine ps -aq
	assert_output ""
	assert_container_gone "$pid" "$id"
}
