#!/usr/bin/env bats
# dockerd 20.10 on the lane's own containerd, with the runtime under test
# added as "berth" (--add-runtime berth=<wrapper>) and the default runtime.
# The scenarios are podman's too: scenarios.bash, cli.bash.

load helpers
load scenarios
load cli

IMG=e2e-busybox:latest

setup_file() {
	e2e_setup_dir docker
	E2E_CGROUP_PARENT="/e2e-docker-$(rand_hex)"
	export E2E_CGROUP_PARENT
	# dockerd gives the shim Root=<exec-root>/runtime-runc whatever the
	# runtime's name; the shim adds the containerd namespace.
	export E2E_RUNTIME_ROOT="$E2E_T/docker/exec/runtime-runc/moby"
	e2e_record_cgroup_parent "$E2E_CGROUP_PARENT"
	start_containerd
	start_dockerd
	engine import --change 'CMD ["/bin/sh"]' "$E2E_IMAGE_DIR/rootfs.tar" "$IMG" >/dev/null
	snapshot_baseline
}

teardown_file() {
	rm_all
	stop_dockerd
	stop_containerd
	e2e_teardown_dir
}

teardown() { rm_all; }

# engine ARGS...: the docker CLI, less its "WARNING: IPv4 forwarding is
# disabled" on stderr: it prints that on every run when the host's
# net.ipv4.ip_forward is 0 (the lane's dockerd has no networking to forward
# anyway), and the scenarios compare output exactly. The exit status is the
# CLI's.
engine() {
	local rc
	{
		"$E2E_DOCKER_CLI" "$@" 2>&1 1>&3 3>&- |
			{ grep --line-buffered -v '^WARNING: IPv4 forwarding is disabled' >&2 || :; }
		rc=${PIPESTATUS[0]}
	} 3>&1
	return "$rc"
}

rm_all() {
	local ids
	ids=$(engine ps -aq 2>/dev/null) || return 0
	# shellcheck disable=SC2086 # one id a word
	[[ -z "$ids" ]] || engine rm -f $ids >/dev/null 2>&1 || true
}

@test "docker: run captures the container's output" { scenario_output; }
@test "docker: the exit code passes through (sh -c 'exit 7')" { scenario_exit_code; }
@test "docker: a command that does not exist: the engine shows the runtime's error" { scenario_missing_command; }
@test "docker: no fd beyond stdio reaches the container's process" { scenario_no_extra_fds; }
@test "docker: environment variable (-e)" { scenario_env -e; }
@test "docker: working directory (-w)" { scenario_cwd -w; }
@test "docker: user uid:gid (--user 1000:1000)" { scenario_user run_rm t-user --user 1000:1000 --; }
@test "docker: read-only rootfs (--read-only): writing to / fails" { scenario_read_only; }
@test "docker: terminal (-t): stdin and stdout are a tty" { scenario_tty run_rm t-tty -t --; }
@test "docker: detached run (-d) and docker logs" { scenario_logs; }
@test "docker: exec: output and exit code" { scenario_exec; }
@test "docker: stop: SIGTERM is honoured (trap exits 42)" { scenario_stop_sigterm; }
@test "docker: stop: a container ignoring SIGTERM is killed after the timeout (stop -t 1: 137)" { scenario_stop_timeout; }
@test "docker: kill delivers the signal (-s USR1 trapped: exit 10; plain kill: 137)" { scenario_kill; }
@test "docker: pause and unpause: status paused, no progress while paused" { scenario_pause; }
@test "docker: top lists the container's processes" { scenario_top; }

@test "docker: update of memory and cpu (--memory 64m --cpus 0.5)" {
	scenario_update
	run engine inspect -f '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}' t-update
	assert_output "67108864 500000000"
}

@test "docker: memory limit enforced: a hog is OOM-killed (--memory 32m: 137)" {
	scenario_oom
	run engine inspect -f '{{.State.OOMKilled}}' t-oom
	assert_output true
}

@test "docker: pids limit (--pids-limit 10): pids.max set, forks beyond it fail" { scenario_pids_limit; }
@test "docker: --network none: no interface but lo" { scenario_no_network --network none; }
@test "docker: hostname (--hostname)" { scenario_hostname run_rm t-hostname --hostname e2e-host --; }
@test "docker: bind mounts (-v): rw writes reach the host, :ro refuses writes" { scenario_bind_mounts run_binds; }
@test "docker: restart of a stopped container (docker start again)" { scenario_restart; }
@test "docker: rm -f of a running container leaves no state" { scenario_rm_force; }
@test "docker: 20 containers started and removed leave no state, cgroup, mount or process" { scenario_many_containers; }
@test "docker: after all tests: no runtime state, cgroup, mount or process left" { scenario_after_all; }
