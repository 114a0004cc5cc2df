#!/usr/bin/env bats
# Many short container lives leave nothing behind: after 200 create/start/
# delete cycles (run, start to exit, kill, delete unstarted) there is no
# state directory, mount, cgroup, process, zombie or open fd left, and the
# workload never inherits one of berth's fds. berth itself is short-lived,
# so leaks are looked for host-wide, by names only these tests use.

load helpers

# The workload binary's name: a zombie or process called this is ours.
WORKLOAD=busybox-leak

setup() {
	setup_bundle
	cp "$BUSYBOX" "$ROOTFS/bin/$WORKLOAD"
	PREFIX=$(unique_id leak)
}

teardown() {
	teardown_bundle
}

# set_workload ARGS...: process.args = $WORKLOAD ARGS.
set_workload() {
	local args
	args=$(printf '%s\n' "/bin/$WORKLOAD" "$@" | jq -R . | jq -s -c .)
	update_config ".process.args = $args"
}

# our_processes: pids in a cgroup of one of this test's containers.
our_processes() {
	local file
	for file in /proc/[0-9]*/cgroup; do
		grep -qE -- "/$PREFIX-[0-9]+(/|\$)" "$file" 2>/dev/null || continue
		file="${file#/proc/}"
		echo "${file%/cgroup}"
	done
	return 0
}

# our_zombies: zombies named like our workload, berth or berth-init.
our_zombies() {
	ps -eo pid=,stat=,comm= | awk -v w="$WORKLOAD" \
		'$2 ~ /^Z/ && ($3 == w || $3 == "berth" || $3 == "berth-init") { print $1 }'
}

# fds_to PATTERN: "pid:fd -> target" for every fd on the host whose target
# contains PATTERN.
fds_to() {
	find /proc/[0-9]*/fd -mindepth 1 -maxdepth 1 -lname "*$1*" -printf '%p -> %l\n' 2>/dev/null || true
}

# berth_init_fd_holders: pids that hold berth-init's memfd open and are not
# in a container (another test's container may hold its own): a container's
# processes live in a mount namespace of their own.
berth_init_fd_holders() {
	local line pid ours
	ours=$(readlink /proc/self/ns/mnt)
	fds_to 'memfd:berth' | while read -r line; do
		pid=${line#/proc/}
		pid=${pid%%/*}
		[[ "$(readlink "/proc/$pid/ns/mnt" 2>/dev/null)" != "$ours" ]] || echo "$pid"
	done | sort -u
}

# leftovers: everything of this test that should be gone, one per line.
leftovers() {
	ls -A "$BERTH_ROOT" | sed 's/^/state: /'
	bundle_mounts | sed 's/^/mount: /'
	grep -F -- "$BERTH_ROOT" /proc/self/mountinfo | sed 's/^/mount: /'
	find /sys/fs/cgroup -maxdepth 6 -type d -name "$PREFIX-*" 2>/dev/null | sed 's/^/cgroup: /'
	our_processes | sed 's/^/process: /'
	our_zombies | sed 's/^/zombie: /'
	fds_to "$BUNDLE" | sed 's/^/fd: /'
	fds_to "$BERTH_ROOT" | sed 's/^/fd: /'
	pgrep -f -- "$PREFIX-" | sed "s/^/process with our id: /"
	true
}

# assert_clean BEFORE_ZOMBIES BEFORE_HOLDERS: nothing left, allowing the
# host's PID 1 a moment to reap inits that exited last.
assert_clean() {
	local tries=40 left new_holders
	while :; do
		left=$(leftovers | grep -vxF -f <(sed 's/^/zombie: /' <<<"$1") || true)
		new_holders=$(comm -13 <(echo "$2") <(berth_init_fd_holders))
		[[ -z "$left" && -z "$new_holders" ]] && return 0
		((tries-- > 0)) || break
		sleep 0.05
	done
	fail "left behind:
$left${new_holders:+
berth-init memfd held by: $new_holders}"
}

@test "200 create/start/delete cycles leave no state, mount, cgroup, process, zombie or fd" {
	local zombies holders i id start elapsed mounts_before mounts_after
	zombies=$(our_zombies)
	holders=$(berth_init_fd_holders)
	mounts_before=$(wc -l </proc/self/mountinfo)
	start=$SECONDS

	# 50 x run: berth waits for the workload and deletes the container.
	set_workload true
	for i in $(seq 1 50); do
		id="$PREFIX-$i"
		timeout 20 "$BERTH" --root "$BERTH_ROOT" run -b "$BUNDLE" "$id" </dev/null ||
			fail "run $id: exit $?"
	done

	# 50 x create, start, the workload exits, delete.
	for i in $(seq 51 100); do
		id="$PREFIX-$i"
		timeout 20 "$BERTH" --root "$BERTH_ROOT" create -b "$BUNDLE" "$id" </dev/null || fail "create $id"
		berth start "$id" || fail "start $id"
		wait_for_status "$id" stopped
		berth delete "$id" || fail "delete $id"
	done

	# 50 x create, start, kill, delete.
	set_workload sleep 1000
	for i in $(seq 101 150); do
		id="$PREFIX-$i"
		timeout 20 "$BERTH" --root "$BERTH_ROOT" create -b "$BUNDLE" "$id" </dev/null || fail "create $id"
		berth start "$id" || fail "start $id"
		berth kill "$id" KILL || fail "kill $id"
		wait_for_status "$id" stopped
		berth delete "$id" || fail "delete $id"
	done

	# 50 x create, delete --force without a start (the storage phase).
	for i in $(seq 151 200); do
		id="$PREFIX-$i"
		timeout 20 "$BERTH" --root "$BERTH_ROOT" create -b "$BUNDLE" "$id" </dev/null || fail "create $id"
		berth delete --force "$id" || fail "delete --force $id"
	done

	elapsed=$((SECONDS - start))
	echo "# 200 cycles in ${elapsed} s" >&3
	assert_clean "$zombies" "$holders"
	mounts_after=$(wc -l </proc/self/mountinfo)
	# Other tests may mount concurrently; report, don't judge, the total.
	echo "# host mountinfo lines: $mounts_before before, $mounts_after after" >&3
	((elapsed < 90)) || fail "200 cycles took ${elapsed} s (limit 90 s)"
}

@test "the workload starts with only stdio open, every time" {
	# Tested by stat, not listed: listing /proc/$$/fd opens an fd itself,
	# and a pipeline's fds come and go.
	set_workload sh -c 'i=0; while [ $i -lt 1024 ]; do [ -e /proc/$$/fd/$i ] && printf "%s " $i; i=$((i + 1)); done'
	local i id
	for i in $(seq 1 30); do
		id="$PREFIX-$i"
		run timeout 20 "$BERTH" --root "$BERTH_ROOT" run -b "$BUNDLE" "$id" </dev/null
		assert_success
		assert_output '0 1 2 '
	done
	assert_clean "" ""
}

@test "berth-init holds no fd of the host: stdio, its socket and signalfd only" {
	requires_berth
	set_workload sleep 1000
	local id pid fds
	id="$PREFIX-1"
	berth_detached create -b "$BUNDLE" "$id"
	pid=$(init_pid "$id")
	# 0-2 are the container's stdio, which berth was given for it.
	fds=$(for fd in /proc/"$pid"/fd/*; do
		[[ "${fd##*/}" -gt 2 ]] && readlink "$fd"
	done)
	# Nothing that reaches back to the host: no bundle, state dir, berth
	# binary, memfd or regular file.
	if grep -E -- "^/|memfd:" <<<"$fds"; then
		fail "berth-init holds host files: $fds"
	fi
	berth start "$id"
	berth delete --force "$id"
	assert_clean "" ""
}

@test "failed creates in a row leave nothing either" {
	# Half-made containers are rolled back: a missing executable fails in
	# berth-init's exec only after everything else was made.
	set_workload true
	update_config '.process.args = ["/no/such/program"]'
	local zombies holders i id
	zombies=$(our_zombies)
	holders=$(berth_init_fd_holders)
	for i in $(seq 1 30); do
		id="$PREFIX-$i"
		timeout 20 "$BERTH" --root "$BERTH_ROOT" run -b "$BUNDLE" "$id" </dev/null >/dev/null 2>&1 &&
			fail "run $id of a missing program succeeded"
	done
	# And a config refused late, at the cgroup or the id map.
	update_config '.process.args = ["true"] | .linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 4294967294, "size": 1}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 0, "size": 1}]'
	for i in $(seq 31 40); do
		id="$PREFIX-$i"
		timeout 20 "$BERTH" --root "$BERTH_ROOT" create -b "$BUNDLE" "$id" </dev/null >/dev/null 2>&1 || true
		berth delete --force "$id" >/dev/null 2>&1 || true
	done
	assert_clean "$zombies" "$holders"
}
