#!/usr/bin/env bats
# Terminals: terminal: true with --console-socket (recvtty receives the pty
# master), consoleSize, create not holding the caller's stdout, and
# terminal: false handing the caller's stdio to the workload untouched.

load helpers
load helpers_features

setup() {
	setup_bundle
	SOCK="$BATS_TEST_TMPDIR/console.sock"
	DUMP="$BATS_TEST_TMPDIR/console.out"
	RECVTTY_PID=
	BG_PIDS=()
}

teardown() {
	stop_recvtty
	local pid
	for pid in "${BG_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	teardown_bundle
}

# with_terminal SCRIPT: terminal: true running sh -c SCRIPT.
with_terminal() {
	update_config '.process.terminal = true'
	set_sh "$1"
}

# create_and_start_with_console: create with --console-socket, then start.
create_and_start_with_console() {
	berth create -b "$BUNDLE" --console-socket "$SOCK" ctr </dev/null >/dev/null
	berth start ctr
}

# console_output: what recvtty dumped, without the pty's carriage returns.
console_output() { tr -d '\r' <"$DUMP"; }

# wait_recvtty: waits for recvtty to finish (the last slave closed).
wait_recvtty() {
	wait_for_pid_exit "$RECVTTY_PID" 200 || fail "recvtty still running: $(cat "$BATS_TEST_TMPDIR/recvtty.err")"
	wait "$RECVTTY_PID" || fail "recvtty failed: $(cat "$BATS_TEST_TMPDIR/recvtty.err")"
	RECVTTY_PID=
}

@test "terminal: the workload sees a tty and its output arrives through the pty master" {
	start_recvtty "$SOCK" --dump "$DUMP"
	with_terminal 'tty; test -t 0 && echo stdin-tty; test -t 1 && echo stdout-tty; test -t 2 && echo stderr-tty'
	create_and_start_with_console
	wait_recvtty
	run console_output
	assert_line --regexp '^/dev/(pts/[0-9]+|console)$'
	assert_line stdin-tty
	assert_line stdout-tty
	assert_line stderr-tty
	# The payload was the pty's name.
	run cat "$BATS_TEST_TMPDIR/recvtty.err"
	assert_line --regexp '^recvtty: pty name: .+'
}

@test "terminal: input written to the pty master reaches the workload" {
	start_recvtty "$SOCK" --write $'hello berth\n' --dump "$DUMP"
	with_terminal 'read line; echo "got:$line"'
	create_and_start_with_console
	wait_recvtty
	run console_output
	assert_line 'got:hello berth'
}

@test "terminal: consoleSize is applied" {
	start_recvtty "$SOCK" --winsize --dump "$DUMP"
	update_config '.process.consoleSize = {"height": 43, "width": 121}'
	with_terminal 'stty size'
	create_and_start_with_console
	wait_recvtty
	run console_output
	assert_line '43 121'
	# Already set when the master was sent.
	run cat "$BATS_TEST_TMPDIR/recvtty.err"
	assert_line 'recvtty: winsize: 43 121'
}

@test "terminal: the console's /dev/console or /dev/pts/N is a char device" {
	start_recvtty "$SOCK" --dump "$DUMP"
	with_terminal 'stat -c %F "$(tty)"; ls /dev/pts'
	create_and_start_with_console
	wait_recvtty
	run console_output
	assert_line 'character special file'
	assert_line --regexp '^(0|ptmx)( |$)'
}

@test "terminal: create returns while no process holds the caller's stdout" {
	start_recvtty "$SOCK" --dump "$DUMP"
	with_terminal 'sleep 1000'
	# If berth-init or anything that outlives create kept the pipe open,
	# cat would never see EOF and timeout would fire.
	run timeout 20 sh -c "\"$BERTH\" --root \"$BERTH_ROOT\" create -b \"$BUNDLE\" --console-socket \"$SOCK\" ctr 2>&1 </dev/null | cat"
	assert_success
	wait_for_status ctr created
	berth start ctr
	wait_for_status ctr running
	# And after start too, no one else holds a pipe the caller waits on.
	run timeout 20 sh -c "\"$BERTH\" --root \"$BERTH_ROOT\" state ctr | cat"
	assert_success
}

@test "terminal: works when the caller's stdin is not a tty" {
	start_recvtty "$SOCK" --dump "$DUMP"
	with_terminal 'echo ran-with-pty'
	berth create -b "$BUNDLE" --console-socket "$SOCK" ctr </dev/null >/dev/null 2>&1
	berth start ctr </dev/null
	wait_recvtty
	run console_output
	assert_line ran-with-pty
}

@test "terminal: true without --console-socket is refused by create" {
	with_terminal 'echo hi'
	run berth create -b "$BUNDLE" ctr </dev/null
	assert_failure
	run berth list -q
	refute_output --partial ctr
}

@test "terminal: false: stdout as a fifo gets the workload's output" {
	local fifo="$BATS_TEST_TMPDIR/out.fifo" out="$BATS_TEST_TMPDIR/out"
	mkfifo "$fifo"
	cat "$fifo" >"$out" &
	BG_PIDS+=($!)
	set_sh 'echo to-stdout; echo to-stderr >&2'
	berth run -b "$BUNDLE" ctr </dev/null >"$fifo" 2>"$BATS_TEST_TMPDIR/err"
	wait "${BG_PIDS[-1]}"
	assert_equal "$(cat "$out")" to-stdout
	assert_equal "$(cat "$BATS_TEST_TMPDIR/err")" to-stderr
}

@test "terminal: false: stdin piped in is read by the workload" {
	set_sh 'read a; read b; echo "got:$a:$b"; cat'
	run sh -c "printf 'one\ntwo\nrest\n' | \"$BERTH\" --root \"$BERTH_ROOT\" run -b \"$BUNDLE\" ctr"
	assert_success
	assert_line 'got:one:two'
	assert_line rest
}

@test "terminal: false: create/start keeps the caller's pipes for the workload" {
	local out="$BATS_TEST_TMPDIR/out"
	set_sh 'read line; echo "got:$line"'
	# create's stdin and stdout are pipes to processes that stay around.
	mkfifo "$BATS_TEST_TMPDIR/in.fifo" "$BATS_TEST_TMPDIR/out.fifo"
	cat "$BATS_TEST_TMPDIR/out.fifo" >"$out" &
	BG_PIDS+=($!)
	local reader=$!
	(echo piped-line; exec sleep 30) >"$BATS_TEST_TMPDIR/in.fifo" &
	BG_PIDS+=($!)
	berth create -b "$BUNDLE" ctr <"$BATS_TEST_TMPDIR/in.fifo" >"$BATS_TEST_TMPDIR/out.fifo"
	berth start ctr
	wait_for_status ctr stopped
	# The workload was the last writer: the reader sees EOF.
	wait_for_pid_exit "$reader" 100
	assert_equal "$(cat "$out")" got:piped-line
}
