#!/usr/bin/env bats
# systemd as the container's PID 1. berth gives a systemd workload what it
# needs (container=berth, tmpfs on /run, /run/lock and /tmp, a cgroup
# namespace with systemd's own hierarchies writable) and `kill` without a
# signal sends it SIGRTMIN+3. The boot tests run the host's own systemd in a
# rootfs made by make_systemd_rootfs.sh; the others use a shell script named
# systemd, which berth treats the same way, so they run without systemd.
# berth only.

load helpers
load helpers_features

HOST_SYSTEMD=/lib/systemd/systemd
BOOT_LIMIT=20   # seconds from create to `systemctl is-system-running` = running
STOP_LIMIT=30   # seconds from `berth kill` to stopped

setup() {
	requires_berth
	setup_bundle
	RTMIN3=$(kill -l RTMIN+3) # glibc's numbering, which systemd uses
}

teardown() {
	teardown_bundle
}

# systemd_rootfs: prints the path of the rootfs made from the host's
# systemd, built once per bats run and shared read-only by the tests (the
# config's root stays read-only, as `berth spec` writes it).
systemd_rootfs() {
	local template="${BATS_RUN_TMPDIR:-/tmp}/systemd-rootfs"
	(
		flock 9
		[[ -e "$template.done" ]] && exit 0
		"$BATS_TEST_DIRNAME/make_systemd_rootfs.sh" "$template" >&2 && touch "$template.done"
	) 9>"$template.lock" || return 1
	echo "$template"
}

# setup_systemd_bundle: $BUNDLE boots the host's systemd, otherwise the
# config `berth spec` writes: berth must add everything else itself.
setup_systemd_bundle() {
	[[ -x "$HOST_SYSTEMD" ]] || skip "no systemd on this host ($HOST_SYSTEMD)"
	SYSTEMD_ROOTFS=$(systemd_rootfs) || fail "could not build a systemd rootfs"
	update_config --arg r "$SYSTEMD_ROOTFS" --arg s "$HOST_SYSTEMD" '.root.path = $r | .process.args = [$s]'
}

# install_fake_init PATH: process.args = [PATH], a script in the busybox
# rootfs that records its environment and the signals it gets in /dev/shm
# (a tmpfs in every config here) and runs until killed.
install_fake_init() {
	local path="$1"
	mkdir -p "$ROOTFS$(dirname "$path")"
	cat >"$ROOTFS$path" <<-EOF
		#!/bin/sh
		trap 'echo RTMIN+3 >>/dev/shm/signals' $RTMIN3
		trap 'echo TERM >>/dev/shm/signals' TERM
		env >/dev/shm/env
		echo ready >/dev/shm/ready
		while :; do sleep 1000 & wait; done
	EOF
	chmod 755 "$ROOTFS$path"
	set_args "$path"
}

# start_fake ID: create + start, returns once the script is ready; sets pid.
start_fake() {
	create_logged "$1"
	berth start "$1"
	pid=$(init_pid "$1")
	wait_for_file "/proc/$pid/root/dev/shm/ready" 200
}

# hierarchies: the host's cgroup hierarchies, as every process sees them
# (a named v1 hierarchy made by a container would appear here).
hierarchies() { cut -d: -f1,2 /proc/self/cgroup; }

cgroup_is_v2() { [[ "$(stat -f -c %T /sys/fs/cgroup)" == cgroup2fs ]]; }

# assert_cgroup_mounts MOUNTINFO WRITABLE: the container's /sys/fs/cgroup
# as berth mounts it for systemd (WRITABLE=yes) or as the config says (ro).
assert_cgroup_mounts() {
	local mi="$1" want="ro" name
	[[ "$2" == yes ]] && want=rw
	if cgroup_is_v2; then
		assert_equal "$(mountinfo_fstype /sys/fs/cgroup "$mi")" cgroup2
		has_opt "$want" "$(mountinfo_opts /sys/fs/cgroup "$mi")" || fail "/sys/fs/cgroup not $want: $mi"
		return 0
	fi
	# v1 or hybrid: systemd's hierarchies as asked, the controllers ro.
	for name in systemd unified; do
		[[ -d "/sys/fs/cgroup/$name" ]] || continue
		has_opt "$want" "$(mountinfo_opts "/sys/fs/cgroup/$name" "$mi")" ||
			fail "/sys/fs/cgroup/$name not $want: $(mountinfo_line "/sys/fs/cgroup/$name" "$mi")"
	done
	for name in memory pids cpu; do
		[[ -d "/sys/fs/cgroup/$name" ]] || continue
		has_opt ro "$(mountinfo_opts "/sys/fs/cgroup/$name" "$mi")" ||
			fail "/sys/fs/cgroup/$name writable: $(mountinfo_line "/sys/fs/cgroup/$name" "$mi")"
	done
	has_opt ro "$(mountinfo_opts /sys/fs/cgroup "$mi")" || fail "the tmpfs on /sys/fs/cgroup is writable"
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# wait_for_boot ID: polls `systemctl is-system-running` in the container
# until it says "running", for at most BOOT_LIMIT s since the call. Until
# systemd has opened its private socket systemctl says "offline" (even with
# --wait), then "initializing" or "starting"; "degraded" is a failed unit.
wait_for_boot() {
	local id="$1" deadline=$(($(now_ms) + BOOT_LIMIT * 1000))
	while (($(now_ms) < deadline)); do
		berth_capture exec "$id" systemctl is-system-running
		case "$output" in
		running) return 0 ;;
		degraded | maintenance | stopping) break ;;
		esac
		sleep 0.05
	done
	echo "systemd in $id is \"$output\" $stderr" >&2
	berth_capture exec "$id" systemctl --failed --no-pager
	echo "$output" >&2
	return 1
}

# assert_nothing_left_but_zombies ID: assert_nothing_left, except that a
# zombie is not a process left: systemd's PID 1 exits in init.scope, and the
# host's reaper (the container's init is reparented to it once create has
# exited) may not have collected it yet; /proc/PID/cgroup still names
# ".../ID/init.scope (deleted)" until it does.
assert_nothing_left_but_zombies() {
	local id="$1" pid state live=""
	for pid in $(container_processes "$id"); do
		state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || continue # reaped meanwhile
		[[ "$state" == Z ]] || live+=" $pid"
	done
	[[ -z "$live" ]] || fail "processes left:$live"
	assert_root_empty
	assert_equal "$(bundle_mounts)" ""
	assert_equal "$(cgroup_dirs "$id")" ""
}

@test "systemd boots to a running state and stops on berth kill" {
	setup_systemd_bundle
	local id pid mi t0 booted stopped mounts_before hier_before
	id=$(unique_id sd)
	mounts_before=$(wc -l </proc/self/mountinfo)
	hier_before=$(hierarchies)

	t0=$(now_ms)
	create_logged "$id"
	berth start "$id"
	wait_for_status "$id" running
	pid=$(init_pid "$id")
	assert_equal "$(cat "/proc/$pid/comm")" systemd
	tr '\0' '\n' <"/proc/$pid/environ" | grep -qxF container=berth || fail "no container=berth in systemd's environment"
	mi=$(cat "/proc/$pid/mountinfo")
	assert_equal "$(mountinfo_fstype /run "$mi")" tmpfs
	assert_equal "$(mountinfo_fstype /run/lock "$mi")" tmpfs
	assert_equal "$(mountinfo_fstype /tmp "$mi")" tmpfs
	assert_cgroup_mounts "$mi" yes

	# Booted: systemd reached default.target with no failed unit.
	wait_for_boot "$id"
	booted=$(now_ms)
	((booted - t0 <= BOOT_LIMIT * 1000)) || fail "boot took $((booted - t0)) ms"
	# Its service ran in a cgroup systemd made, and systemd moved itself
	# into init.scope: the cgroup tree is systemd's to manage.
	grep -q '/system.slice/boot-marker.service$' "/proc/$pid/root/run/boot-marker" ||
		fail "boot-marker.service not in its own cgroup: $(cat "/proc/$pid/root/run/boot-marker")"
	grep -q '/init.scope$' "/proc/$pid/cgroup" || fail "systemd is not in init.scope: $(cat "/proc/$pid/cgroup")"
	echo "# systemd booted in $((booted - t0)) ms" >&3

	t0=$(now_ms)
	berth kill "$id"
	wait_for_status "$id" stopped $((STOP_LIMIT * 10))
	stopped=$(now_ms)
	echo "# systemd stopped $((stopped - t0)) ms after berth kill" >&3

	berth delete "$id"
	assert_nothing_left_but_zombies "$id"
	assert_equal "$(wc -l </proc/self/mountinfo)" "$mounts_before"
	assert_equal "$(hierarchies)" "$hier_before"
	! grep -qF -- "$SYSTEMD_ROOTFS" /proc/self/mountinfo || fail "a mount of the rootfs is left"
}

@test "an explicit signal is sent as given: SIGTERM makes systemd re-execute, not stop" {
	setup_systemd_bundle
	local id pid
	id=$(unique_id sd)
	create_logged "$id"
	berth start "$id"
	pid=$(init_pid "$id")
	wait_for_boot "$id"

	berth kill "$id" TERM
	# systemd got the SIGTERM: it re-executes itself, passing its state on.
	local tries=100
	until [[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" == *--deserialize* ]]; do
		((tries-- > 0)) || fail "systemd did not re-execute: $(tr '\0' ' ' <"/proc/$pid/cmdline")"
		sleep 0.05
	done
	wait_for_boot "$id"
	assert_equal "$(state_field "$id" status)" running
	assert_equal "$(init_pid "$id")" "$pid"

	berth kill "$id" "$RTMIN3"
	wait_for_status "$id" stopped $((STOP_LIMIT * 10))
}

@test "a workload named systemd gets container=berth, /run, /run/lock, /tmp and a cgroup namespace" {
	install_fake_init /usr/lib/systemd/systemd
	local id pid mi
	id=$(unique_id sd)
	start_fake "$id"
	run grep -c '^container=' "/proc/$pid/root/dev/shm/env"
	assert_output 1
	grep -qxF container=berth "/proc/$pid/root/dev/shm/env" || fail "no container=berth"
	mi=$(cat "/proc/$pid/mountinfo")
	for dir in /run /run/lock /tmp; do
		assert_equal "$(mountinfo_fstype "$dir" "$mi")" tmpfs
		has_opt nosuid "$(mountinfo_opts "$dir" "$mi")" || fail "$dir without nosuid"
		has_opt nodev "$(mountinfo_opts "$dir" "$mi")" || fail "$dir without nodev"
	done
	assert_equal "$(stat -c %a "/proc/$pid/root/run")" 755
	assert_equal "$(stat -c %a "/proc/$pid/root/run/lock")" 1777
	assert_equal "$(stat -c %a "/proc/$pid/root/tmp")" 1777
	[[ "$(ns_inode "/proc/$pid/ns/cgroup")" != "$(ns_inode /proc/self/ns/cgroup)" ]] ||
		fail "no cgroup namespace of its own"
	assert_cgroup_mounts "$mi" yes
	# Only the running container has them: the saved config is the user's.
	run jq -r '.process.env[]' "$BERTH_ROOT/$id/config.json"
	refute_line --regexp '^container='
}

@test "berth kill without a signal sends SIGRTMIN+3 to a systemd workload, SIGTERM with --all" {
	install_fake_init /usr/lib/systemd/systemd
	local id pid
	id=$(unique_id sd)
	start_fake "$id"
	berth kill "$id"
	wait_for_text "/proc/$pid/root/dev/shm/signals" RTMIN+3
	berth kill "$id" TERM
	wait_for_text "/proc/$pid/root/dev/shm/signals" TERM
	: >"/proc/$pid/root/dev/shm/signals"
	berth kill --all "$id"
	wait_for_text "/proc/$pid/root/dev/shm/signals" TERM
	refute grep -qx RTMIN+3 "/proc/$pid/root/dev/shm/signals"
}

@test "before start, berth kill without a signal ends a systemd container with SIGTERM" {
	install_fake_init /usr/lib/systemd/systemd
	local id
	id=$(unique_id sd)
	create_logged "$id"
	# PID 1 is still berth-init: it ends on SIGTERM and drops SIGRTMIN+3.
	berth kill "$id"
	wait_for_status "$id" stopped
}

@test "a systemd workload keeps the config's own /tmp, container= and mounts inside /run" {
	install_fake_init /usr/lib/systemd/systemd
	local id pid mi own_tmp="$BATS_TEST_TMPDIR/own-tmp" secret="$BATS_TEST_TMPDIR/secret"
	mkdir -p "$own_tmp"
	echo mine >"$own_tmp/marker"
	echo s3cret >"$secret"
	update_config --arg t "$own_tmp" --arg s "$secret" '.process.env += ["container=other"]
		| .mounts += [{destination: "/tmp/", type: "bind", source: $t, options: ["rbind"]},
			      {destination: "/run/secret", type: "bind", source: $s, options: ["bind", "ro"]}]'
	id=$(unique_id sd)
	start_fake "$id"
	grep -qxF container=other "/proc/$pid/root/dev/shm/env" || fail "container=other lost"
	! grep -q '^container=berth' "/proc/$pid/root/dev/shm/env" || fail "container=berth added"
	# /tmp is the config's bind (its destination written "/tmp/"), not a tmpfs.
	assert_equal "$(cat "/proc/$pid/root/tmp/marker")" mine
	mi=$(cat "/proc/$pid/mountinfo")
	[[ "$(awk '$5 == "/tmp"' <<<"$mi" | wc -l)" -eq 1 ]] || fail "more than one mount on /tmp: $mi"
	# The /run tmpfs goes before the config's mount inside it.
	assert_equal "$(mountinfo_fstype /run "$mi")" tmpfs
	assert_equal "$(cat "/proc/$pid/root/run/secret")" s3cret
}

@test "a workload not named systemd gets none of the systemd defaults, and kill sends SIGTERM" {
	install_fake_init /usr/lib/systemd/systemd-like
	local id pid mi
	id=$(unique_id sd)
	start_fake "$id"
	! grep -q '^container=' "/proc/$pid/root/dev/shm/env" || fail "container= set"
	mi=$(cat "/proc/$pid/mountinfo")
	for dir in /run /run/lock /tmp; do
		assert_equal "$(mountinfo_line "$dir" "$mi")" ""
	done
	assert_equal "$(ns_inode "/proc/$pid/ns/cgroup")" "$(ns_inode /proc/self/ns/cgroup)"
	assert_cgroup_mounts "$mi" no
	berth kill "$id"
	wait_for_text "/proc/$pid/root/dev/shm/signals" TERM
}
