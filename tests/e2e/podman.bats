#!/usr/bin/env bats
# podman 4.3 (no daemon: each command runs in the lane's namespace), with the
# runtime under test as --runtime <wrapper> and its default runtime root
# (see pm in helpers.bash). The scenarios are docker's too: scenarios.bash,
# cli.bash.

load helpers
load scenarios
load cli

IMG=localhost/e2e-busybox:latest

setup_file() {
	e2e_setup_dir podman
	E2E_CGROUP_PARENT="/e2e-podman-$(rand_hex)"
	export E2E_CGROUP_PARENT
	# The runtime's default root, /run/<name> (see pm in helpers.bash): in
	# the namespace's /run overlay, whose upper layer holds exactly what the
	# runtime wrote there.
	E2E_RUNTIME_ROOT="$E2E_T/ns/run/upper/$(basename "$E2E_RUNTIME")"
	export E2E_RUNTIME_ROOT
	e2e_record_cgroup_parent "$E2E_CGROUP_PARENT"
	setup_podman
	engine import --quiet --change 'CMD ["/bin/sh"]' "$E2E_IMAGE_DIR/rootfs.tar" "$IMG" >/dev/null
	snapshot_baseline
}

teardown_file() {
	rm_all
	e2e_teardown_dir
}

teardown() { rm_all; }

engine() { pm "$@"; }

rm_all() { engine rm --all --force --time 0 >/dev/null 2>&1 || true; }

@test "podman: run captures the container's output" { scenario_output; }
@test "podman: the exit code passes through (sh -c 'exit 7')" { scenario_exit_code; }
@test "podman: a command that does not exist: the engine shows the runtime's error" { scenario_missing_command; }
@test "podman: no fd beyond stdio reaches the container's process" { scenario_no_extra_fds; }
@test "podman: environment variable (-e)" { scenario_env -e; }
@test "podman: working directory (-w)" { scenario_cwd -w; }
@test "podman: user uid:gid (--user 1000:1000)" { scenario_user run_rm t-user --user 1000:1000 --; }
@test "podman: read-only rootfs (--read-only): writing to / fails" { scenario_read_only; }
@test "podman: terminal (-t): stdin and stdout are a tty" { scenario_tty run_rm t-tty -t --; }
@test "podman: detached run (-d) and podman logs" { scenario_logs; }
@test "podman: exec: output and exit code" { scenario_exec; }
@test "podman: stop: SIGTERM is honoured (trap exits 42)" { scenario_stop_sigterm; }
@test "podman: stop: a container ignoring SIGTERM is killed after the timeout (stop -t 1: 137)" { scenario_stop_timeout; }
@test "podman: kill delivers the signal (-s USR1 trapped: exit 10; plain kill: 137)" { scenario_kill; }
@test "podman: pause and unpause: status paused, no progress while paused" { scenario_pause; }
@test "podman: top lists the container's processes" { scenario_top; }
# (podman 4.3's inspect keeps the create-time values after an update)
@test "podman: update of memory and cpu (--memory 64m --cpus 0.5)" { scenario_update; }
# (podman 4.3 reports OOMKilled=false here, so the kernel's count is the proof)
@test "podman: memory limit enforced: a hog is OOM-killed (--memory 32m: 137)" { scenario_oom; }
@test "podman: pids limit (--pids-limit 10): pids.max set, forks beyond it fail" { scenario_pids_limit; }
@test "podman: --network none: no interface but lo" { scenario_no_network --network none; }
@test "podman: hostname (--hostname)" { scenario_hostname run_rm t-hostname --hostname e2e-host --; }
@test "podman: bind mounts (-v): rw writes reach the host, :ro refuses writes" { scenario_bind_mounts run_binds; }
@test "podman: restart of a stopped container (podman start again)" { scenario_restart; }
@test "podman: rm -f of a running container leaves no state" { scenario_rm_force; }
@test "podman: 20 containers started and removed leave no state, cgroup, mount or process" { scenario_many_containers; }
@test "podman: after all tests: no runtime state, cgroup, mount or process left" { scenario_after_all; }
