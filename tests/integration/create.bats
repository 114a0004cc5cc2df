#!/usr/bin/env bats
# berth create: the bundle, --pid-file, --console-socket, --no-pivot,
# --no-new-keyring, --preserve-fds and socket activation, the caller's stdio,
# and ids that are taken or invalid.

load helpers
load helpers_features

setup() {
	setup_bundle
	RECVTTY_PID=
}

teardown() {
	stop_recvtty
	teardown_bundle
}

@test "create leaves the container created, with a live PID 1 in its cgroup" {
	local id pid
	id=$(unique_id)
	berth_detached create -b "$BUNDLE" "$id"
	assert_equal "$(state_field "$id" status)" created
	pid=$(init_pid "$id")
	[[ "$pid" =~ ^[1-9][0-9]*$ ]] || fail "pid \"$pid\""
	[[ -d "/proc/$pid" ]] || fail "PID 1 ($pid) does not exist"
	run container_processes "$id"
	assert_line "$pid"
}

@test "create without --bundle uses the current directory" {
	local id
	id=$(unique_id)
	(cd "$BUNDLE" && berth_detached create "$id")
	assert_equal "$(state_field "$id" bundle)" "$(realpath "$BUNDLE")"
	assert_equal "$(state_field "$id" status)" created
}

@test "create --bundle and -b take the bundle from anywhere" {
	local id1 id2
	id1=$(unique_id a)
	id2=$(unique_id b)
	(cd / && berth_detached create --bundle "$BUNDLE" "$id1")
	(cd / && berth_detached create -b "$BUNDLE" "$id2")
	assert_equal "$(state_field "$id1" bundle)" "$(realpath "$BUNDLE")"
	assert_equal "$(state_field "$id2" rootfs)" "$(realpath "$ROOTFS")"
}

@test "create of a bundle without config.json fails and leaves nothing" {
	local id
	id=$(unique_id)
	rm "$BUNDLE/config.json"
	berth_capture create -b "$BUNDLE" "$id"
	assert_one_error config.json
	assert_nothing_left "$id"
}

@test "--pid-file: the host pid of PID 1 in decimal, without a newline" {
	local id
	id=$(unique_id)
	berth_detached create --pid-file "$BATS_TEST_TMPDIR/pid" -b "$BUNDLE" "$id"
	# $(...) would drop a trailing newline: compare bytes.
	assert_equal "$(cat "$BATS_TEST_TMPDIR/pid"; echo .)" "$(init_pid "$id")."
	run grep -c '' "$BATS_TEST_TMPDIR/pid"
	assert_output 1
	[[ "$(tail -c 1 "$BATS_TEST_TMPDIR/pid")" =~ ^[0-9]$ ]] || fail "pid file ends in a non-digit"
}

@test "--pid-file: a relative path is relative to the caller's cwd" {
	local id
	id=$(unique_id)
	mkdir "$BATS_TEST_TMPDIR/cwd"
	(cd "$BATS_TEST_TMPDIR/cwd" && berth_detached create --pid-file rel.pid -b "$BUNDLE" "$id")
	assert_equal "$(cat "$BATS_TEST_TMPDIR/cwd/rel.pid")" "$(init_pid "$id")"
	[[ ! -e "$BUNDLE/rel.pid" ]] || fail "pid file written relative to the bundle"
}

@test "--pid-file: written atomically (a new file renamed over the old one)" {
	local id
	id=$(unique_id)
	mkdir "$BATS_TEST_TMPDIR/pids"
	echo old >"$BATS_TEST_TMPDIR/pids/other"
	# A hard link to the old pid file: written in place, "other" would change.
	ln "$BATS_TEST_TMPDIR/pids/other" "$BATS_TEST_TMPDIR/pids/pid"
	berth_detached create --pid-file "$BATS_TEST_TMPDIR/pids/pid" -b "$BUNDLE" "$id"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/pids/pid")" "$(init_pid "$id")"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/pids/other")" old
	# No temporary file is left next to it.
	run ls -A "$BATS_TEST_TMPDIR/pids"
	assert_output $'other\npid'
}

@test "--console-socket: the received pty is the workload's terminal, both ways" {
	local id sock="$BATS_TEST_TMPDIR/console.sock" dump="$BATS_TEST_TMPDIR/console.out"
	id=$(unique_id)
	start_recvtty "$sock" --write $'hello pty\n' --dump "$dump"
	update_config '.process.terminal = true'
	set_sh 'test -t 0 && test -t 1 && echo tty-ok; read line; echo "got:$line"'
	berth_detached create --console-socket "$sock" -b "$BUNDLE" "$id"
	berth start "$id"
	wait_for_pid_exit "$RECVTTY_PID" 200 || fail "recvtty still running"
	wait "$RECVTTY_PID" || fail "recvtty failed: $(cat "$BATS_TEST_TMPDIR/recvtty.err")"
	RECVTTY_PID=
	run tr -d '\r' <"$dump"
	assert_line tty-ok
	assert_line 'got:hello pty'
}

@test "--pidfd-socket: gets one pidfd of PID 1, which reports its exit" {
	requires_berth # runc 1.1 has no --pidfd-socket
	local id sock="$BATS_TEST_TMPDIR/pidfd.sock" out="$BATS_TEST_TMPDIR/pidfd.out" receiver
	id=$(unique_id)
	"$REPO_ROOT/build/tools/recvpidfd" "$sock" >"$out" 2>&1 </dev/null &
	receiver=$!
	wait_for_socket "$sock"
	berth_detached create -b "$BUNDLE" --pidfd-socket "$sock" "$id"
	wait_for_text "$out" "pidfd $(state_field "$id" pid)"
	berth start "$id"
	berth kill "$id" KILL
	wait "$receiver"
	run cat "$out"
	assert_line exited
}

@test "terminal: true: create holds neither the caller's stdout nor its stderr" {
	local id sock="$BATS_TEST_TMPDIR/console.sock"
	id=$(unique_id)
	start_recvtty "$sock" --dump "$BATS_TEST_TMPDIR/console.out"
	update_config '.process.terminal = true'
	# cat sees EOF only when every holder of the pipe is gone.
	run timeout 10 sh -c "\"\$0\" --root \"\$1\" create --console-socket \"\$2\" -b \"\$3\" \"\$4\" </dev/null 2>&1 | cat" \
		"$BERTH" "$BERTH_ROOT" "$sock" "$BUNDLE" "$id"
	assert_success
	assert_output ''
	assert_equal "$(state_field "$id" status)" created
}

@test "terminal: false: the caller's stdin, stdout and stderr reach the workload" {
	local id
	id=$(unique_id)
	set_sh 'read line; echo "got:$line"; echo "to stderr" >&2'
	echo 'from the caller' >"$BATS_TEST_TMPDIR/in"
	berth create -b "$BUNDLE" "$id" <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
	berth start "$id"
	wait_for_status "$id" stopped
	assert_equal "$(cat "$BATS_TEST_TMPDIR/out")" 'got:from the caller'
	assert_equal "$(cat "$BATS_TEST_TMPDIR/err")" 'to stderr'
}

@test "--no-pivot: the workload still has the bundle's rootfs as /" {
	local id
	id=$(unique_id)
	echo marker >"$ROOTFS/marker"
	set_sh 'cat /marker; ls /.. | grep -qx config.json && echo escaped; cat /proc/self/cgroup >/dev/null && echo proc-ok'
	create_logged "$id" --no-pivot
	berth start "$id"
	wait_for_status "$id" stopped
	assert_equal "$(cat "$BATS_TEST_TMPDIR/$id.out")" $'marker\nproc-ok'
}

# with_possessed_key DESC CMD...: runs CMD in a new session keyring holding
# a key DESC that only a possessor may view. A process sees DESC in
# /proc/keys exactly when it still has this session keyring.
with_possessed_key() {
	local add_key keyctl
	case "$(uname -m)" in
	x86_64) add_key=248 keyctl=250 ;;
	aarch64) add_key=217 keyctl=219 ;;
	*) skip "no syscall numbers for $(uname -m)" ;;
	esac
	perl -e '
		my ($add_key, $keyctl, $desc, @cmd) = @ARGV;
		# syscall() wants writable strings.
		my ($type, $payload) = ("user", "x");
		# KEYCTL_JOIN_SESSION_KEYRING (1), anonymous
		syscall($keyctl, 1, 0) >= 0 or die "join session keyring: $!\n";
		# KEY_SPEC_SESSION_KEYRING is -3
		my $key = syscall($add_key, $type, $desc, $payload, 1, -3);
		$key >= 0 or die "add_key: $!\n";
		# KEYCTL_SETPERM (5): possessor only
		syscall($keyctl, 5, $key, 0x3f000000) == 0 or die "setperm: $!\n";
		exec @cmd or die "exec: $!\n";
	' "$add_key" "$keyctl" "$@"
}

# keyring_test_bundle: the workload prints /proc/keys (unmasked).
keyring_test_bundle() {
	update_config '.linux.maskedPaths -= ["/proc/keys"]'
	set_args cat /proc/keys
}

@test "create joins a new session keyring: the caller's keys are not the workload's" {
	local id desc
	id=$(unique_id)
	desc="berth-key-$id"
	keyring_test_bundle
	with_possessed_key "$desc" "$BERTH" --root "$BERTH_ROOT" create -b "$BUNDLE" "$id" \
		</dev/null >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
	berth start "$id"
	wait_for_status "$id" stopped
	run grep -c keyring "$BATS_TEST_TMPDIR/out"
	[[ "$output" -ge 1 ]] || fail "/proc/keys unreadable: $(cat "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/err")"
	run grep -F -- "$desc" "$BATS_TEST_TMPDIR/out"
	assert_failure
}

@test "--no-new-keyring: the workload keeps the caller's session keyring" {
	local id desc
	id=$(unique_id)
	desc="berth-key-$id"
	keyring_test_bundle
	with_possessed_key "$desc" "$BERTH" --root "$BERTH_ROOT" create --no-new-keyring -b "$BUNDLE" "$id" \
		</dev/null >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
	berth start "$id"
	wait_for_status "$id" stopped
	run grep -F -- "$desc" "$BATS_TEST_TMPDIR/out"
	assert_success
}

@test "--preserve-fds 1: the caller's fd 3 is readable in the workload" {
	local id
	id=$(unique_id)
	echo 'through fd 3' >"$BATS_TEST_TMPDIR/fd3"
	set_sh 'cat <&3; test -e /proc/self/fd/4 && echo fd4-open; true'
	berth create --preserve-fds 1 -b "$BUNDLE" "$id" </dev/null >"$BATS_TEST_TMPDIR/out" \
		2>"$BATS_TEST_TMPDIR/err" 3<"$BATS_TEST_TMPDIR/fd3" 4<"$BATS_TEST_TMPDIR/fd3"
	berth start "$id"
	wait_for_status "$id" stopped
	# fd 4 was not asked for, so it stays behind.
	assert_equal "$(cat "$BATS_TEST_TMPDIR/out")" 'through fd 3'
}

@test "without --preserve-fds the caller's fd 3 does not reach the workload" {
	local id
	id=$(unique_id)
	set_sh 'test -e /proc/self/fd/3 && echo fd3-open; echo done'
	berth create -b "$BUNDLE" "$id" </dev/null >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" \
		3<"$BATS_TEST_TMPDIR/err"
	berth start "$id"
	wait_for_status "$id" stopped
	assert_equal "$(cat "$BATS_TEST_TMPDIR/out")" done
}

# exec_as_listener CMD...: CMD with LISTEN_FDS=1 and LISTEN_PID naming CMD
# itself (sh execs it, keeping its pid), as systemd starts a socket unit.
exec_as_listener() {
	# shellcheck disable=SC2016
	sh -c 'export LISTEN_FDS=1 LISTEN_PID=$$; exec "$@"' sh "$@"
}

@test "LISTEN_FDS=1: socket activation passes fd 3 and tells the workload" {
	local id
	id=$(unique_id)
	echo 'activated' >"$BATS_TEST_TMPDIR/fd3"
	set_sh 'echo "LISTEN_FDS=$LISTEN_FDS"; test "$LISTEN_PID" = "$$" && echo listen-pid-ok; cat <&3'
	exec_as_listener "$BERTH" --root "$BERTH_ROOT" create -b "$BUNDLE" "$id" </dev/null \
		>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" 3<"$BATS_TEST_TMPDIR/fd3"
	berth start "$id"
	wait_for_status "$id" stopped
	run cat "$BATS_TEST_TMPDIR/out"
	assert_line LISTEN_FDS=1
	assert_line listen-pid-ok
	assert_line activated
}

@test "LISTEN_FDS meant for another process (LISTEN_PID) is not passed on" {
	local id
	id=$(unique_id)
	set_sh 'echo "LISTEN_FDS=${LISTEN_FDS-unset}"; test -e /proc/self/fd/3 && echo fd3-open; true'
	LISTEN_FDS=1 LISTEN_PID=$$ "$BERTH" --root "$BERTH_ROOT" create -b "$BUNDLE" "$id" </dev/null \
		>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" 3<"$BATS_TEST_TMPDIR/err"
	berth start "$id"
	wait_for_status "$id" stopped
	run cat "$BATS_TEST_TMPDIR/out"
	refute_line LISTEN_FDS=1
	refute_line fd3-open
}

@test "create of a taken id fails before making anything; the first container is untouched" {
	local id pid before
	id=$(unique_id)
	berth_detached create -b "$BUNDLE" "$id"
	pid=$(init_pid "$id")
	before=$(container_processes "$id")
	berth_capture create --pid-file "$BATS_TEST_TMPDIR/second.pid" -b "$BUNDLE" "$id"
	assert_one_error 'already exists'
	[[ ! -e "$BATS_TEST_TMPDIR/second.pid" ]] || fail "the refused create wrote its pid file"
	assert_equal "$(state_field "$id" status)" created
	assert_equal "$(init_pid "$id")" "$pid"
	assert_equal "$(container_processes "$id")" "$before"
	# And it still starts.
	berth start "$id"
	assert_equal "$(state_field "$id" status)" running
}

@test "invalid ids are refused with one error and leave nothing" {
	local id long
	long=$(printf 'a%.0s' {1..1025})
	for id in a/b .. '' "$long" "${long:0:256}" 'a b' "$(printf 'a\nb')"; do
		berth_capture create -b "$BUNDLE" "$id"
		assert_one_error
		if is_berth; then
			[[ "$(error_text)" == *"invalid container id"* ]] || fail "id \"${id:0:20}\": $stderr"
		fi
		assert_root_empty
		[[ -z "$(bundle_mounts)" ]] || fail "mounts left: $(bundle_mounts)"
	done
	run cgroup_dirs "$long"
	assert_output ''
}

@test "an id of 255 characters (a directory name's limit) is valid" {
	local id
	id="$(unique_id)-$(printf 'a%.0s' {1..255})"
	id=${id:0:255}
	berth_detached create -b "$BUNDLE" "$id"
	assert_equal "$(state_field "$id" status)" created
	berth delete "$id"
	assert_nothing_left "$id"
}

@test "a --root that does not exist yet is made, parents too (Docker's first container)" {
	local id root="$BATS_TEST_TMPDIR/not/yet/there"
	id=$(unique_id)
	"$BERTH" --root "$root" create -b "$BUNDLE" "$id" </dev/null >/dev/null
	[[ -d "$root/$id" ]] || fail "no state dir under $root"
	"$BERTH" --root "$root" delete --force "$id"
}
