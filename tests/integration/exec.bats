#!/usr/bin/env bats
# berth exec: a new process in a created or running container, with the
# container's namespaces, cgroup, seccomp filter, capabilities, rlimits and
# user unless overridden; exit status passed through, 255 when exec itself
# fails; --detach leaves the process to the caller's reaper.

load helpers
load helpers_features

setup() {
	setup_bundle
	RECVTTY_PID=
	update_config '.root.readonly = false'
}

teardown() {
	stop_recvtty
	teardown_bundle
}

# start_sleeper ID: a running container whose workload sleeps.
start_sleeper() {
	set_args sleep 1000
	berth_detached run -d -b "$BUNDLE" "$1"
}

# exec_capture ARGS...: `berth exec ARGS` like berth_capture (stdin from
# /dev/null, 20 s at most, stdout and stderr apart).
exec_capture() { berth_capture exec "$@"; }

@test "exec runs a command in the container and passes its exit status through" {
	local id
	id=$(unique_id)
	start_sleeper "$id"
	exec_capture "$id" sh -c 'echo out; echo err >&2; exit 7'
	assert_equal "$status" 7
	assert_equal "$output" out
	assert_equal "$stderr" err
	exec_capture "$id" true
	assert_equal "$status" 0
}

@test "exec of a missing executable exits 255 with one error line" {
	local id
	id=$(unique_id)
	start_sleeper "$id"
	exec_capture "$id" no-such-binary
	assert_exec_failed 'no-such-binary'
	# The container is unharmed.
	assert_equal "$(state_field "$id" status)" running
}

@test "exec into an id that does not exist, or a stopped container, fails with 255" {
	local id
	id=$(unique_id)
	exec_capture "$id" true
	assert_exec_failed 'does not exist'
	set_args true
	berth_detached create -b "$BUNDLE" "$id"
	berth start "$id"
	wait_for_status "$id" stopped
	exec_capture "$id" true
	[[ "$status" -eq 255 ]] || fail "exit status $status, want 255"
	if is_berth; then
		assert_exec_failed 'cannot exec in a stopped container'
	fi
}

@test "exec usage errors exit 1: no id, unknown flag; no command exits 255" {
	berth_capture exec
	assert_one_error
	berth_capture exec --no-such-flag x true
	[[ "$status" -eq 1 ]] || fail "exit status $status, want 1"
	local id
	id=$(unique_id)
	start_sleeper "$id"
	exec_capture "$id"
	assert_exec_failed 'args cannot be empty'
}

@test "exec into a paused container fails unless --ignore-paused" {
	local id
	id=$(unique_id)
	start_sleeper "$id"
	berth pause "$id"
	exec_capture "$id" true
	assert_exec_failed 'cannot exec in a paused container'
	berth resume "$id"
	exec_capture --ignore-paused "$id" true
	assert_success
}

@test "exec into a created container runs beside berth-init" {
	local id
	id=$(unique_id)
	set_args sleep 1000
	berth_detached create -b "$BUNDLE" "$id"
	exec_capture "$id" sh -c 'echo $$'
	assert_success
	assert_equal "$(state_field "$id" status)" created
}

@test "exec --env adds to the container's env (PATH stays, the last value wins), --cwd, --user" {
	local id
	id=$(unique_id)
	update_config '.process.env += ["FROM_CONFIG=1"]'
	start_sleeper "$id"
	exec_capture -e FOO=1 -e FOO=2 -e BAR=x --cwd /tmp -u 1000:1001 -g 1002 -g 1003 "$id" \
		sh -c 'env; pwd; id -u; id -g; grep ^Groups: /proc/self/status'
	assert_success
	assert_line --regexp '^PATH=.+'
	assert_line FROM_CONFIG=1
	assert_line FOO=2
	refute_line FOO=1
	assert_line BAR=x
	assert_line /tmp
	assert_line 1000
	assert_line 1001
	assert_line --regexp '^Groups:[[:space:]]+1002 1003 *$'
	exec_capture -u abc "$id" true
	assert_exec_failed 'parsing abc as int for uid failed'
	# A numeric user changes nothing on the host.
	[[ "$(stat -c %u "$ROOTFS/tmp")" == 0 ]]
}

@test "exec --process runs the process.json as given, --tty ignored" {
	local id
	id=$(unique_id)
	start_sleeper "$id"
	cat >"$BATS_TEST_TMPDIR/process.json" <<-'EOF'
		{"args": ["sh", "-c", "echo from-process; id -u; echo $X; pwd"], "cwd": "/tmp",
		 "env": ["PATH=/bin:/usr/bin", "X=y"], "user": {"uid": 5, "gid": 6}}
	EOF
	exec_capture --process "$BATS_TEST_TMPDIR/process.json" "$id"
	assert_success
	assert_equal "$output" $'from-process\n5\ny\n/tmp'
	echo '{"args": [], "cwd": "/"}' >"$BATS_TEST_TMPDIR/empty.json"
	exec_capture -p "$BATS_TEST_TMPDIR/empty.json" "$id"
	[[ "$status" -eq 255 ]] || fail "exit status $status, want 255"
	echo '{"args": ["true"], "cwd": "/", "user": {"uid": "x"}}' >"$BATS_TEST_TMPDIR/bad.json"
	exec_capture -p "$BATS_TEST_TMPDIR/bad.json" "$id"
	[[ "$status" -eq 255 ]] || fail "exit status $status, want 255"
	if is_berth; then
		assert_exec_failed 'user.uid: expected an unsigned integer'
	fi
}

# exec_cpus ID AFFINITY: exec of a process.json whose execCPUAffinity is
# AFFINITY (a JSON object) and which prints the CPUs it may run on.
exec_cpus() {
	jq -n --argjson a "$2" '{args: ["grep", "Cpus_allowed_list", "/proc/self/status"],
		cwd: "/", env: ["PATH=/bin"], execCPUAffinity: $a}' >"$BATS_TEST_TMPDIR/cpus.json"
	exec_capture -p "$BATS_TEST_TMPDIR/cpus.json" "$1"
}

@test "exec into a cgroup2 container that enabled controllers below its root goes to its init's cgroup" {
	[[ "$(stat -f -c %T /sys/fs/cgroup)" == cgroup2fs ]] || skip "needs a cgroup2 host"
	local id
	id=$(unique_id)
	# What systemd or a nested runtime does: every process into a child
	# cgroup, then a controller enabled below the root, which from then
	# on takes no process (EBUSY).
	# A pids limit: the pids controller is enabled for the container's
	# cgroup, so the container has one to enable below it (the first the
	# kernel takes: Linux 6.1 refused cpuset with EPERM).
	update_config '.linux.namespaces += [{"type": "cgroup"}] | .linux.resources.pids.limit = 100
		| .mounts |= map(if .destination == "/sys/fs/cgroup" then .options = (.options - ["ro"]) + ["rw"] else . end)'
	set_sh 'exec 2>/tmp/log; cd /sys/fs/cgroup && mkdir init && for p in $(cat cgroup.procs); do echo $p >init/cgroup.procs; done
		for c in $(cat cgroup.controllers); do echo "+$c" >cgroup.subtree_control && touch /tmp/enabled && break; done
		touch /tmp/ready; exec sleep 1000'
	berth_detached run -d -b "$BUNDLE" "$id"
	wait_for_file "$ROOTFS/tmp/ready"
	[[ -e "$ROOTFS/tmp/enabled" ]] || skip "no controller to enable in the container's cgroup: $(cat "$ROOTFS/tmp/log")"
	exec_capture "$id" cat /proc/self/cgroup
	assert_success
	assert_output 0::/init
}

@test "exec runs on process.execCPUAffinity: final once in the cgroup, else where initial put it" {
	local id default pid
	(($(nproc) >= 2)) || skip "needs two CPUs"
	id=$(unique_id)
	start_sleeper "$id"
	exec_cpus "$id" '{}'
	assert_success
	default=$output
	[[ "$default" == *"0-"* ]] || fail "a plain exec should run anywhere, got $default"
	exec_cpus "$id" '{"initial": "0", "final": "1"}'
	assert_success
	assert_output --regexp $'^Cpus_allowed_list:\t1$'
	# No final: the kernel decides. Linux 6.2 and later keep the process on
	# the CPUs it moved with; older ones give it the cgroup's.
	exec_cpus "$id" '{"initial": "1"}'
	assert_success
	[[ "$output" == $'Cpus_allowed_list:\t1' || "$output" == "$default" ]] || fail "initial 1 alone: $output"
	exec_cpus "$id" '{"final": "0"}'
	assert_output --regexp $'^Cpus_allowed_list:\t0$'
	exec_cpus "$id" '{"initial": "", "final": ""}'
	assert_equal "$output" "$default"
	requires_berth
	# berth itself goes back to its own CPUs once it has cloned the process.
	jq -n '{args: ["sleep", "10"], cwd: "/", env: ["PATH=/bin"], execCPUAffinity: {initial: "1"}}' \
		>"$BATS_TEST_TMPDIR/sleep.json"
	"$BERTH" --root "$BERTH_ROOT" exec -p "$BATS_TEST_TMPDIR/sleep.json" "$id" </dev/null >/dev/null 2>&1 &
	pid=$!
	# Two sleeps (the workload's and ours) mean "go" was sent: berth is
	# past the clone and its own CPUs back.
	for _ in $(seq 100); do
		(($(container_processes "$id" | xargs -I{} cat /proc/{}/comm 2>/dev/null | grep -c '^sleep$') == 2)) && break
		sleep 0.05
	done
	assert_equal "$(grep Cpus_allowed_list "/proc/$pid/status")" "$(grep Cpus_allowed_list /proc/self/status)"
	kill "$pid"
	wait "$pid" || true
}

@test "config.json's execCPUAffinity applies to every exec, never to the container's init" {
	local id
	(($(nproc) >= 2)) || skip "needs two CPUs"
	id=$(unique_id)
	update_config '.process.execCPUAffinity = {"final": "1"}'
	start_sleeper "$id"
	assert_equal "$(grep Cpus_allowed_list "/proc/$(init_pid "$id")/status")" "$(grep Cpus_allowed_list /proc/self/status)"
	exec_capture "$id" grep Cpus_allowed_list /proc/self/status
	assert_success
	assert_output --regexp $'^Cpus_allowed_list:\t1$'
}

@test "exec refuses a bad execCPUAffinity with one line and leaves nothing" {
	local id before
	id=$(unique_id)
	start_sleeper "$id"
	before=$(container_processes "$id" | wc -l)
	exec_cpus "$id" '{"final": "1-0"}'
	[[ "$status" -eq 255 ]] || fail "exit status $status, want 255"
	if is_berth; then
		assert_exec_failed 'execCPUAffinity.final: invalid CPU list "1-0"'
		# A CPU the machine does not have: the kernel refuses it.
		exec_cpus "$id" '{"final": "1000"}'
		assert_exec_failed 'execCPUAffinity.final: run on CPUs 1000'
		exec_cpus "$id" '{"initial": "1000"}'
		assert_exec_failed 'execCPUAffinity.initial: run on CPUs 1000'
		exec_cpus "$id" '{"initial": "0,"}'
		assert_exec_failed 'ends with'
	fi
	assert_equal "$(container_processes "$id" | wc -l)" "$before"
	assert_equal "$(state_field "$id" status)" running
}

@test "exec joins every namespace and the cgroup of the container" {
	local id init pid ns
	id=$(unique_id)
	update_config '.linux.namespaces += [{"type": "cgroup"}] | .hostname = "exec-host"'
	start_sleeper "$id"
	init=$(init_pid "$id")
	berth_detached exec -d --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$id" sleep 100
	pid=$(cat "$BATS_TEST_TMPDIR/exec.pid")
	for ns in cgroup ipc mnt net pid user uts; do
		assert_equal "$(readlink "/proc/$pid/ns/$ns")" "$(readlink "/proc/$init/ns/$ns")"
	done
	assert_equal "$(cat "/proc/$pid/cgroup")" "$(cat "/proc/$init/cgroup")"
	exec_capture "$id" hostname
	assert_output exec-host
	# Its pid inside is not its host pid: it lives in the container's pid ns.
	exec_capture "$id" sh -c 'echo $$'
	[[ "$output" -lt 100 ]] || fail "pid inside is $output"
}

@test "exec --detach returns at once, writes the pid file, and leaves no intermediate process" {
	local id pid ppid
	id=$(unique_id)
	start_sleeper "$id"
	exec_capture -d --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$id" sleep 100
	assert_success
	pid=$(cat "$BATS_TEST_TMPDIR/exec.pid")
	[[ "$pid" =~ ^[0-9]+$ ]] || fail "pid file holds \"$pid\""
	[[ "$(cat /proc/"$pid"/cmdline | tr '\0' ' ')" == "sleep 100 " ]] || fail "pid $pid is not the sleep"
	# The runtime has exited: its parent is whoever reaps orphans here, not
	# a runtime process.
	ppid=$(awk '{print $4}' "/proc/$pid/stat")
	[[ "$(cat "/proc/$ppid/comm")" != berth* && "$(cat "/proc/$ppid/comm")" != runc* ]] ||
		fail "parent $ppid is $(cat "/proc/$ppid/comm")"
	# ps lists it among the container's processes.
	run berth ps --format json "$id"
	assert_success
	jq -e --argjson p "$pid" 'index($p) != null' <<<"$output"
}

@test "exec applies the container's seccomp filter, capabilities, rlimits and no_new_privs" {
	local id
	id=$(unique_id)
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
			"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}
		| .process.rlimits = [{"type": "RLIMIT_NOFILE", "hard": 555, "soft": 444}]
		| .process.noNewPrivileges = true
		| .process.capabilities = {"bounding": ["CAP_KILL", "CAP_CHOWN"], "effective": ["CAP_KILL"],
			"permitted": ["CAP_KILL"]}'
	start_sleeper "$id"
	exec_capture "$id" sh -c 'mkdir /tmp/x && echo MADE; ulimit -n; ulimit -Hn; grep -E "^(CapBnd|CapEff|NoNewPrivs|Seccomp):" /proc/self/status'
	refute_line MADE
	[[ "$stderr" == *'Operation not permitted'* ]] || fail "mkdir was not refused: $stderr"
	assert_line 444
	assert_line 555
	assert_line --regexp "^CapBnd:[[:space:]]+$(cap_mask CAP_KILL CAP_CHOWN)$"
	assert_line --regexp "^CapEff:[[:space:]]+$(cap_mask CAP_KILL)$"
	assert_line --regexp '^NoNewPrivs:[[:space:]]+1$'
	assert_line --regexp '^Seccomp:[[:space:]]+2$'
}

@test "exec --cap adds a capability to the bounding, effective and permitted sets" {
	local id
	id=$(unique_id)
	update_config '.process.capabilities = {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]}'
	start_sleeper "$id"
	exec_capture --cap CAP_CHOWN "$id" grep -E '^Cap(Bnd|Eff|Prm|Amb):' /proc/self/status
	assert_success
	assert_line --regexp "^CapBnd:[[:space:]]+$(cap_mask CAP_KILL CAP_CHOWN)$"
	assert_line --regexp "^CapEff:[[:space:]]+$(cap_mask CAP_KILL CAP_CHOWN)$"
	assert_line --regexp "^CapPrm:[[:space:]]+$(cap_mask CAP_KILL CAP_CHOWN)$"
	assert_line --regexp '^CapAmb:[[:space:]]+0+$'
	if is_berth; then
		exec_capture --cap CAP_NOPE "$id" true
		assert_exec_failed 'unknown capability "CAP_NOPE"'
	fi
}

@test "exec --tty --console-socket: the process's stdio is a pty handed to the socket" {
	local id
	id=$(unique_id)
	start_sleeper "$id"
	start_recvtty "$BATS_TEST_TMPDIR/tty.sock" --dump "$BATS_TEST_TMPDIR/tty.out"
	berth_detached exec -t -d --console-socket "$BATS_TEST_TMPDIR/tty.sock" "$id" \
		sh -c 'tty; test -t 0 && echo stdin-tty; test -t 1 && echo stdout-tty'
	wait_for_pid_exit "$RECVTTY_PID" 200 || fail "recvtty still running"
	run tr -d '\r' <"$BATS_TEST_TMPDIR/tty.out"
	assert_line --regexp '^/dev/pts/[0-9]+$'
	assert_line stdin-tty
	assert_line stdout-tty
}

@test "exec --tty needs --console-socket when detached; a console socket needs --tty" {
	local id
	id=$(unique_id)
	start_sleeper "$id"
	exec_capture -t -d "$id" true
	[[ "$status" -ne 0 ]] || fail "exec -t -d without a console socket succeeded"
	exec_capture --console-socket "$BATS_TEST_TMPDIR/none.sock" -d "$id" true
	[[ "$status" -ne 0 ]] || fail "exec with a console socket but no tty succeeded"
}

@test "exec -t in the foreground proxies the pty to berth's own terminal" {
	requires_berth
	command -v script >/dev/null || skip "script(1) not installed"
	local id
	id=$(unique_id)
	start_sleeper "$id"
	run script -qec "$BERTH --root $BERTH_ROOT exec -t $id sh -c 'test -t 0 && echo on-a-tty; exit 3'" /dev/null </dev/null
	assert_equal "$status" 3
	assert_output --partial on-a-tty
}

@test "exec --cgroup runs in an existing sub-cgroup and refuses one outside the container's" {
	requires_berth # runc's cgroup paths differ
	local id dir sub pid
	id=$(unique_id)
	start_sleeper "$id"
	# v1: the pids hierarchy alone; v2: the one hierarchy.
	if dir=$(cgroup_dirs "$id" | grep -m1 '/pids/'); then
		sub=pids:sub
	else
		dir=$(cgroup_dirs "$id" | head -n1)
		sub=sub
	fi
	mkdir "$dir/sub"
	berth_detached exec -d --pid-file "$BATS_TEST_TMPDIR/exec.pid" --cgroup "$sub" "$id" sleep 100
	pid=$(cat "$BATS_TEST_TMPDIR/exec.pid")
	grep -q ":/$id/sub\$" "/proc/$pid/cgroup" || fail "$(cat "/proc/$pid/cgroup")"
	exec_capture --cgroup ../other "$id" true
	assert_exec_failed 'is not a sub cgroup path'
	exec_capture --cgroup nosuch "$id" true
	assert_exec_failed 'nosuch'
	kill -9 "$pid"
}

@test "exec --preserve-fds passes fds 3.. on to the process" {
	local id
	id=$(unique_id)
	start_sleeper "$id"
	echo preserved-text >"$BATS_TEST_TMPDIR/fd3"
	run berth exec --preserve-fds 1 "$id" cat /proc/self/fd/3 3<"$BATS_TEST_TMPDIR/fd3"
	assert_success
	assert_output preserved-text
	# Without the flag fd 3 does not reach it.
	run berth exec "$id" sh -c 'test -e /proc/self/fd/3 && readlink /proc/self/fd/3 || echo closed' 3<"$BATS_TEST_TMPDIR/fd3"
	assert_output closed
}

@test "exec into a container with a user namespace runs as its mapped root" {
	local id
	id=$(unique_id)
	add_user_namespace
	start_sleeper "$id"
	berth_detached exec -d --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$id" sleep 100
	exec_capture "$id" sh -c 'id -u; cat /proc/self/uid_map'
	assert_success
	assert_line 0
	assert_line --regexp '^ +0 +100000 +65536$'
	# On the host the process runs as the mapped uid.
	assert_equal "$(awk '/^Uid:/ {print $2}' "/proc/$(cat "$BATS_TEST_TMPDIR/exec.pid")/status")" 100000
}

@test "signals sent to a foreground exec reach the process" {
	local id exec_pid
	id=$(unique_id)
	start_sleeper "$id"
	"$BERTH" --root "$BERTH_ROOT" exec "$id" sh -c 'trap "echo got-usr1; exit 5" USR1; echo ready; while :; do sleep 0.1; done' \
		</dev/null >"$BATS_TEST_TMPDIR/exec.out" 2>&1 &
	exec_pid=$!
	wait_for_text "$BATS_TEST_TMPDIR/exec.out" ready
	kill -USR1 "$exec_pid"
	status=0
	wait "$exec_pid" || status=$?
	assert_equal "$status" 5
	run cat "$BATS_TEST_TMPDIR/exec.out"
	assert_line got-usr1
}

@test "a failed exec leaves no process and no fd behind" {
	requires_berth
	local id before after
	id=$(unique_id)
	start_sleeper "$id"
	before=$(berth ps --format json "$id")
	exec_capture "$id" no-such-binary
	assert_exec_failed 'no-such-binary'
	after=$(berth ps --format json "$id")
	assert_equal "$after" "$before"
	run pgrep -f "exec $id"
	assert_failure
}

@test "a process without HOME gets its user's home from the container's /etc/passwd" {
	local id
	id=$(unique_id)
	start_sleeper "$id"
	exec_capture "$id" sh -c 'echo "home=$HOME"'
	assert_output home=/root
	exec_capture -u 65534 "$id" sh -c 'echo "home=$HOME"'
	assert_output home=/
	exec_capture -u 4321 "$id" sh -c 'echo "home=$HOME"'
	assert_output home=/
	exec_capture -e HOME=/given "$id" sh -c 'echo "home=$HOME"'
	assert_output home=/given
	# The container's own process got it too.
	exec_capture "$id" sh -c 'tr "\0" "\n" </proc/1/environ 2>/dev/null | grep ^HOME= || tr "\0" "\n" </proc/2/environ | grep ^HOME='
	assert_output HOME=/root
}
