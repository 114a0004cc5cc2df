#!/usr/bin/env bats
# berth-init as the container's PID 1: the workload is its child, signals are
# forwarded, exit status is the workload's (128+N for signal N), orphans are
# reaped, and exec mode hands PID 1 to the workload. berth only: under runc
# the workload itself is PID 1.

load helpers
load helpers_features

setup() {
	requires_berth
	setup_bundle
	update_config '.root.readonly = false'
	RUN_PID=
}

teardown() {
	teardown_bundle
	if [[ -n "${RUN_PID:-}" ]]; then
		kill "$RUN_PID" 2>/dev/null || true
		wait "$RUN_PID" 2>/dev/null || true
	fi
}

# run_in_background: `berth run ctr` in the background, status to $RUN_STATUS_FILE.
run_in_background() {
	RUN_STATUS_FILE="$BATS_TEST_TMPDIR/run.status"
	(
		rc=0 # not `berth run; echo $?`: bats runs with set -e
		berth run -b "$BUNDLE" ctr </dev/null >"$BATS_TEST_TMPDIR/run.out" 2>&1 || rc=$?
		echo $rc >"$RUN_STATUS_FILE.tmp"
		mv "$RUN_STATUS_FILE.tmp" "$RUN_STATUS_FILE"
	) &
	RUN_PID=$!
}

# wait_run_status: waits for the background run, prints its exit status.
wait_run_status() {
	wait_for_file "$RUN_STATUS_FILE" 200 || return 1
	wait "$RUN_PID" 2>/dev/null || true
	RUN_PID=
	cat "$RUN_STATUS_FILE"
}

@test "PID 1 is berth-init and the workload is its child" {
	set_sh 'echo "comm=$(cat /proc/1/comm)"; echo "cmdline=$(tr "\0" " " </proc/1/cmdline)"; echo "self=$$ ppid=$PPID"'
	run_container
	assert_success
	[[ "$output" =~ (comm|cmdline)=[^[:space:]]*berth-init ]] || fail "PID 1 is not berth-init: $output"
	assert_line --regexp '^self=[0-9]+ ppid=1$'
	refute_line 'self=1 ppid=0'
}

@test "from the host: state pid is berth-init, the workload its child" {
	set_args sleep 1000
	berth create -b "$BUNDLE" ctr </dev/null >/dev/null
	berth start ctr
	local pid child
	pid=$(init_pid ctr)
	[[ "$(cat /proc/$pid/comm) $(tr '\0' ' ' </proc/$pid/cmdline)" == *berth-init* ]] ||
		fail "pid $pid is $(cat /proc/$pid/comm)"
	child=$(cat "/proc/$pid/task/$pid/children")
	[[ -n "$child" ]] || fail "berth-init has no child"
	assert_equal "$(cat /proc/${child%% *}/comm)" sleep
}

@test "berth kill TERM reaches a workload that traps it; run exits with its status" {
	set_sh 'trap "echo got > /tmp/trapped; exit 7" TERM; touch /tmp/ready; sleep 1000 & wait'
	run_in_background
	wait_for_file "$ROOTFS/tmp/ready" 200 || true
	[[ -e "$ROOTFS/tmp/ready" ]] || fail "workload never got ready: $(cat "$BATS_TEST_TMPDIR/run.out")"
	berth kill ctr TERM
	assert_equal "$(wait_run_status)" 7
	assert_equal "$(cat "$ROOTFS/tmp/trapped")" got
}

@test "every catchable signal is forwarded, the container keeps running" {
	set_sh 'trap "echo usr1 >> /tmp/got" USR1; trap "echo hup >> /tmp/got" HUP; trap "exit 0" TERM
		touch /tmp/ready; while :; do sleep 1000 & wait; done'
	berth create -b "$BUNDLE" ctr </dev/null >/dev/null
	berth start ctr
	wait_for_file "$ROOTFS/tmp/ready" 200
	berth kill ctr USR1
	wait_for_file "$ROOTFS/tmp/got" 200
	berth kill ctr SIGHUP
	local tries=100
	while ((tries-- > 0)) && [[ "$(wc -l <"$ROOTFS/tmp/got")" -lt 2 ]]; do sleep 0.05; done
	assert_equal "$(cat "$ROOTFS/tmp/got")" "$(printf 'usr1\nhup')"
	assert_equal "$(berth state ctr | jq -r .status)" running
	berth kill ctr 15
	wait_for_status ctr stopped
}

@test "a workload killed by signal N makes run exit 128+N" {
	set_sh 'kill -USR1 $$; sleep 5'
	run_container
	assert_equal "$status" 138 # 128 + SIGUSR1 (10)
}

@test "a workload killed by SIGKILL from berth kill: exit 137" {
	set_sh 'touch /tmp/ready; sleep 1000 & wait'
	run_in_background
	wait_for_file "$ROOTFS/tmp/ready" 200
	berth kill ctr KILL
	assert_equal "$(wait_run_status)" 137
}

@test "orphans are reaped: no zombie is left" {
	set_sh '(sleep 0.1 &); (sleep 0.1 &); (sh -c "sleep 0.2 &" &)
		i=0
		while grep -q "(sleep)" /proc/[0-9]*/stat 2>/dev/null; do
			i=$((i + 1))
			if [ $i -gt 100 ]; then echo NOT-REAPED; cat /proc/[0-9]*/stat; exit 1; fi
			usleep 50000
		done
		echo reaped
		awk "\$3 == \"Z\"" /proc/[0-9]*/stat'
	run_container
	assert_success
	assert_line reaped
	refute_line NOT-REAPED
	refute_output --regexp ' Z '
}

@test "orphans are reaped: seen from the host under the init pid" {
	set_sh '(sleep 0.1 &); (sleep 0.1 &); touch /tmp/ready; sleep 1000'
	berth create -b "$BUNDLE" ctr </dev/null >/dev/null
	berth start ctr
	wait_for_file "$ROOTFS/tmp/ready" 200
	local pid tries=100 zombies
	pid=$(init_pid ctr)
	while ((tries-- > 0)); do
		# Children of berth-init in state Z, or orphan sleeps still there.
		zombies=$(ps -o pid=,stat=,args= --ppid "$pid" | awk '$2 ~ /Z/ || $NF == "0.1"')
		[[ -z "$zombies" ]] && break
		sleep 0.05
	done
	[[ -z "$zombies" ]] || fail "not reaped: $zombies"
}

@test "exec mode: the workload is PID 1" {
	update_config '.annotations["run.berth.init"] = "exec"'
	set_sh 'echo "self=$$"; echo "comm=$(cat /proc/1/comm)"'
	run_container
	assert_success
	assert_line self=1
	assert_line comm=sh
}

@test "exec mode: run exits with the workload's status" {
	update_config '.annotations["run.berth.init"] = "exec"'
	set_sh 'exit 9'
	run_container
	assert_equal "$status" 9
}
