#!/usr/bin/env bats
# The command line as engines and people send it: global flags before the
# verb, --flag=value and --flag value, Go-style single-dash long options,
# --log and --log-format as runc writes them, version and help, and one
# clear error line with exit status 1 for every usage mistake.

load helpers

setup() {
	setup_bundle
	LOG="$BATS_TEST_TMPDIR/log"
}

teardown() {
	teardown_bundle
}

# runtime_name: "berth", or "runc" when testing runc.
runtime_name() { basename "$BERTH"; }

# Every verb berth has; runc has them too.
VERBS=(create start run state list kill delete spec features checkpoint restore)

# --- global flags ---------------------------------------------------

@test "--root DIR and --root=DIR put the state under DIR" {
	local id1 id2 other="$BATS_TEST_TMPDIR/other-root"
	id1=$(unique_id root)
	id2=$(unique_id root)
	mkdir -p "$other"
	berth_detached create -b "$BUNDLE" "$id1"
	raw --root="$other" create -b "$BUNDLE" "$id2"
	assert_success
	[[ -d "$BERTH_ROOT/$id1" ]] || fail "no state dir $BERTH_ROOT/$id1"
	[[ -d "$other/$id2" ]] || fail "no state dir $other/$id2"
	raw --root "$BERTH_ROOT" list -q
	assert_output "$id1"
	raw --root="$other" list -q
	assert_output "$id2"
	raw --root "$other" delete --force "$id2"
	assert_success
	[[ ! -e "$other/$id2" ]] || fail "state dir $other/$id2 left"
}

@test "single-dash long global flags: -root DIR, -root=DIR, -log-format json" {
	local id
	id=$(unique_id dash)
	berth_detached create -b "$BUNDLE" "$id"
	raw -root "$BERTH_ROOT" list -q
	assert_success
	assert_output "$id"
	raw -root="$BERTH_ROOT" state "$id"
	assert_success
	assert_equal "$(jq -r .status <<<"$output")" created
	raw -root "$BERTH_ROOT" -log "$LOG" -log-format json state nope
	assert_equal "$status" 1
	jq -e '.level == "error"' "$LOG" >/dev/null || fail "log: $(cat "$LOG")"
}

@test "--log FILE --log-format json: one JSON line per message, as runc writes it" {
	berth_capture --log "$LOG" --log-format json state nope-1
	assert_equal "$status" 1
	berth_capture --log="$LOG" --log-format=json delete nope-2
	assert_equal "$status" 1
	run cat "$LOG"
	assert_equal "${#lines[@]}" 2
	local line
	for line in "${lines[@]}"; do
		# Exactly logrus' keys, sorted as its JSONFormatter writes them.
		jq -e 'keys == ["level", "msg", "time"] and .level == "error"
			and (.msg | type == "string" and length > 0)
			and (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})$"))' \
			<<<"$line" >/dev/null || fail "not a runc log line: $line"
		[[ "$(jq -r .msg <<<"$line")" == *"does not exist"* ]] || fail "msg: $line"
	done
	# Appended in order: the file is a log, not the last message.
	if is_berth; then
		[[ "$(jq -r .msg <<<"${lines[1]}")" == *nope-2* ]] || fail "second line: ${lines[1]}"
	fi
}

@test "--log FILE: the error also reaches stderr as one line" {
	berth_capture --log "$LOG" --log-format json state nope
	assert_equal "$status" 1
	refute_output
	# runc writes the bare message there, berth its usual line.
	assert_equal "${#stderr_lines[@]}" 1
	assert_regex "$stderr" 'container .*does not exist'
	if is_berth; then
		assert_equal "$stderr" 'berth: container "nope" does not exist'
	fi
}

@test "--log-format json without --log: JSON lines on stderr, as runc does" {
	berth_capture --log-format json state nope
	assert_equal "$status" 1
	assert_equal "${#stderr_lines[@]}" 1
	jq -e 'keys == ["level", "msg", "time"] and .level == "error" and (.msg | test("does not exist"))' \
		<<<"$stderr" >/dev/null || fail "stderr: $stderr"
}

@test "--log FILE --log-format text: logrus key=value lines with quotes escaped" {
	berth_capture --log "$LOG" --log-format text state nope
	assert_equal "$status" 1
	run cat "$LOG"
	assert_equal "${#lines[@]}" 1
	assert_regex "${lines[0]}" '^time="[0-9]{4}-[0-9]{2}-[0-9]{2}T[^"]+" level=error msg="([^"\\]|\\.)*"$'
	if is_berth; then
		assert_equal "${lines[0]#* }" 'level=error msg="container \"nope\" does not exist"'
	fi
}

@test "--log FILE with the default format writes text lines" {
	berth_capture --log "$LOG" state nope
	assert_equal "$status" 1
	assert_regex "$(cat "$LOG")" '^time="[^"]+" level=error msg=".*does not exist.*"$'
}

@test "--log to a file that cannot be opened: exit 1" {
	berth_capture --log "$BATS_TEST_TMPDIR/no/such/dir/log" list
	assert_one_error 'no/such/dir/log'
}

@test "unknown --log-format: exit 1 with one line" {
	berth_capture --log-format xml list
	assert_one_error xml
}

@test "--debug, --systemd-cgroup and --rootless are accepted before the verb" {
	local args
	for args in --debug --systemd-cgroup --systemd-cgroup=false "--rootless true" "--rootless false" \
		"--rootless auto" --rootless=false "-debug -rootless=auto"; do
		# shellcheck disable=SC2086
		berth_capture $args list -q
		[[ "$status" -eq 0 ]] || fail "$args: exit $status: $stderr"
		assert_equal "$stderr" ''
	done
}

@test "boolean global flags take Go's boolean values, and refuse others" {
	local args
	for args in --debug=false --debug=true --debug=1 -debug=F --systemd-cgroup=false -systemd-cgroup=0; do
		berth_capture "$args" list -q
		[[ "$status" -eq 0 ]] || fail "$args: exit $status: $stderr"
	done
	berth_capture --debug=maybe list
	assert_one_error maybe
	berth_capture --systemd-cgroup=maybe list
	assert_one_error maybe
}

@test "--debug with a log file keeps the log well-formed" {
	berth_capture --debug --log "$LOG" --log-format json state nope
	assert_equal "$status" 1
	run jq -c . "$LOG"
	assert_success
	jq -se 'map(select(.level == "error")) | length == 1' "$LOG" >/dev/null || fail "log: $(cat "$LOG")"
}

@test "containerd's command lines: global flags, then the verb's, then the id" {
	# As go-runc builds them: --root --log --log-format json before the
	# verb, options before the id, the signal after it.
	local id g
	id=$(unique_id ctrd)
	g=(--root "$BERTH_ROOT" --log "$LOG" --log-format json)
	"$BERTH" "${g[@]}" create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/init.pid" \
		--no-new-keyring "$id" </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1 || fail "create: $(cat "$BATS_TEST_TMPDIR/out")"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/init.pid")" "$(init_pid "$id")"
	"$BERTH" "${g[@]}" start "$id"
	run "$BERTH" "${g[@]}" state "$id"
	assert_success
	assert_equal "$(jq -r .status <<<"$output")" running
	"$BERTH" "${g[@]}" kill --all "$id" KILL
	wait_for_status "$id" stopped
	"$BERTH" "${g[@]}" delete --force "$id"
	assert_nothing_left "$id"
	# Nothing went wrong, so nothing was logged at error level.
	if [[ -s "$LOG" ]]; then
		jq -se 'map(select(.level == "error")) == []' "$LOG" >/dev/null || fail "log: $(cat "$LOG")"
	fi
}

# --- verb options ---------------------------------------------------

@test "--bundle DIR, --bundle=DIR, -b DIR and -bundle DIR are the same" {
	local form id
	for form in "--bundle" "--bundle=" "-b" "-b=" "-bundle" "-bundle="; do
		id=$(unique_id bnd)
		if [[ "$form" == *= ]]; then
			berth_detached create "$form$BUNDLE" "$id"
		else
			berth_detached create "$form" "$BUNDLE" "$id"
		fi
		assert_equal "$(state_field "$id" bundle)" "$BUNDLE"
		berth delete --force "$id"
	done
}

@test "run -d -no-subreaper -pid-file F, create --pid-file=F" {
	local id1 id2
	id1=$(unique_id nsr)
	id2=$(unique_id nsr)
	berth_detached run -d -no-subreaper -pid-file "$BATS_TEST_TMPDIR/1.pid" -bundle "$BUNDLE" "$id1"
	berth_detached create --pid-file="$BATS_TEST_TMPDIR/2.pid" --bundle="$BUNDLE" "$id2"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/1.pid")" "$(init_pid "$id1")"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/2.pid")" "$(init_pid "$id2")"
}

@test "run -d with single-dash flags detaches" {
	local id
	id=$(unique_id rund)
	berth_detached run -d -bundle "$BUNDLE" "$id"
	wait_for_status "$id" running
}

@test "option parsing stops at the container id: later words are arguments" {
	# runc reorders flags after the id for most verbs; berth reads a command
	# line the way exec-style verbs must, so "-d" here is not a flag.
	requires_berth
	local id
	id=$(unique_id stop)
	berth_capture run -b "$BUNDLE" "$id" -d
	assert_one_error 'run: too many arguments'
	assert_nothing_left "$id"
	berth_capture create "$id" --bundle "$BUNDLE"
	assert_one_error 'create: too many arguments'
	assert_nothing_left "$id"
}

@test "--flag value where the value looks like a flag is the value" {
	# An engine's pid file name may start with a dash.
	local id
	id=$(unique_id val)
	cd "$BATS_TEST_TMPDIR"
	berth_detached create --pid-file -odd.pid -b "$BUNDLE" "$id"
	assert_equal "$(cat -- "$BATS_TEST_TMPDIR/-odd.pid")" "$(init_pid "$id")"
}

@test "kill accepts signal names, SIG names and numbers" {
	local id sig
	for sig in KILL SIGKILL 9; do
		id=$(unique_id kill)
		berth_detached create -b "$BUNDLE" "$id"
		berth_capture kill "$id" "$sig"
		[[ "$status" -eq 0 ]] || fail "kill $sig: exit $status: $stderr"
		wait_for_status "$id" stopped
		berth delete "$id"
	done
}

@test "kill with an unknown signal: exit 1, one line, the container untouched" {
	local id sig
	id=$(unique_id ksig)
	berth_detached create -b "$BUNDLE" "$id"
	for sig in FOO SIGFOO 0x9 99999 -9; do
		berth_capture kill "$id" "$sig"
		assert_one_error
		if is_berth; then
			assert_regex "$stderr" "^berth: (unknown|invalid) signal \"$sig\"\$"
		fi
	done
	assert_equal "$(state_field "$id" status)" created
	kill -0 "$(init_pid "$id")" || fail "init was killed"
}

# --- version and help -----------------------------------------------

@test "--version and -v: name and version, commit, spec version" {
	local flag
	for flag in --version -v; do
		raw "$flag"
		assert_success
		assert_regex "${lines[0]}" "^$(runtime_name) version [0-9]+\.[0-9]+\.[0-9]+"
		assert_regex "${lines[1]}" '^commit: [^ ]+$'
		assert_regex "${lines[2]}" '^spec: 1\.[0-2]\.[0-9]+'
		if is_berth; then
			assert_regex "${lines[2]}" '^spec: 1\.2\.[0-9]+$'
		fi
		assert_equal "$stderr" ''
	done
}

@test "--help, -h, help and no arguments: usage with every verb, exit 0" {
	local form verb
	for form in --help -h help ''; do
		# shellcheck disable=SC2086
		raw $form
		assert_success
		assert_equal "$stderr" ''
		for verb in "${VERBS[@]}"; do
			grep -qE "^ +$verb([ ,]|\$)" <<<"$output" || fail "\"$form\": $verb not listed"
		done
	done
}

@test "VERB --help, VERB -h and help VERB: the verb's usage, exit 0" {
	local verb
	for verb in "${VERBS[@]}"; do
		for args in "$verb --help" "$verb -h" "help $verb"; do
			# shellcheck disable=SC2086
			raw $args
			[[ "$status" -eq 0 ]] || fail "$args: exit $status: $stderr"
			[[ "$output" == *"$(runtime_name) $verb"* ]] || fail "$args: no usage: $output"
		done
	done
}

@test "VERB --help does nothing else" {
	local id
	id=$(unique_id help)
	berth_capture create --help -b "$BUNDLE" "$id"
	assert_success
	assert_root_empty
}

# --- usage errors ---------------------------------------------------

@test "unknown verb: one error line naming it" {
	berth_capture frobnicate
	if is_berth; then
		assert_one_error 'unknown command "frobnicate"'
	else
		assert_equal "$status" 3 # runc: "No help topic"
	fi
	refute_output
	berth_capture help frobnicate
	if is_berth; then
		assert_one_error 'unknown command "frobnicate"'
	else
		assert_equal "$status" 3
	fi
	refute_output
}

@test "unknown global flag: exit 1, one line naming it" {
	berth_capture --frob list
	assert_one_error frob
	if is_berth; then
		refute_output
	fi
}

@test "unknown verb flag: exit 1, one line naming it, nothing made" {
	local id
	id=$(unique_id flag)
	berth_capture create --frob -b "$BUNDLE" "$id"
	assert_one_error frob
	assert_nothing_left "$id"
	berth_capture list --frob
	assert_one_error frob
	berth_capture list -frob
	assert_one_error frob
}

@test "flags are whole words, as with Go's flag package" {
	# No abbreviations, no grouped or glued short options: "-frob" is not
	# "-f rob", "--bund" is not "--bundle", "-dh" is not "-d -h".
	local args id
	id=$(unique_id word)
	for args in "list -frob" "list -fjson" "list --form json" "create --bund $BUNDLE $id" \
		"create -bDIR $id" "run -dh -b $BUNDLE $id"; do
		# shellcheck disable=SC2086
		berth_capture $args
		assert_one_error "$(cut -d' ' -f2 <<<"$args" | sed 's/^-*//')"
	done
	assert_nothing_left "$id"
}

@test "a flag missing its value: exit 1, one line naming it" {
	berth_capture create -b
	assert_one_error -b
	raw --root
	assert_one_error root
	raw --log-format
	assert_one_error log-format
}

@test "missing container id: exit 1, one line" {
	local verb
	for verb in create run start state kill delete; do
		berth_capture "$verb"
		assert_one_error
		if is_berth; then
			assert_equal "$stderr" "berth: $verb: a container id is required (see berth $verb --help)"
		fi
	done
	assert_root_empty
}

@test "too many arguments: exit 1, one line, nothing made" {
	local args id
	id=$(unique_id many)
	for args in "create -b $BUNDLE $id extra" "run -b $BUNDLE $id extra" "start $id extra" \
		"state $id extra" "delete $id extra" "kill $id KILL extra" "spec extra"; do
		# shellcheck disable=SC2086
		berth_capture $args
		assert_one_error
		if is_berth; then
			assert_equal "$stderr" "berth: ${args%% *}: too many arguments (see berth ${args%% *} --help)"
		fi
	done
	assert_nothing_left "$id"
}

@test "an invalid container id is refused before anything is made" {
	local id
	for id in ../escape 'a/b' '.' '..' ''; do
		berth_capture create -b "$BUNDLE" "$id"
		assert_one_error
	done
	assert_root_empty
	[[ ! -e "$BATS_TEST_TMPDIR/escape" ]] || fail "escaped the root"
}

# --- checkpoint and restore (no CRIU) --------------------------------

@test "checkpoint with containerd's flags: exit 1, one line about CRIU, the container untouched" {
	requires_berth
	local id
	id=$(unique_id ckpt)
	berth_detached create -b "$BUNDLE" "$id"
	berth_capture checkpoint --image-path "$BATS_TEST_TMPDIR/image" --work-path "$BATS_TEST_TMPDIR/work" \
		--leave-running --tcp-established --ext-unix-sk --shell-job --file-locks \
		--manage-cgroups-mode soft --empty-ns network --status-fd 3 --page-server 127.0.0.1:9 \
		--lazy-pages --pre-dump --auto-dedup --parent-path ../parent "$id"
	assert_one_error
	assert_equal "$stderr" "berth: checkpoint \"$id\": not supported: berth has no CRIU support"
	refute_output
	[[ ! -e "$BATS_TEST_TMPDIR/image" ]] || fail "checkpoint made its image directory"
	assert_equal "$(state_field "$id" status)" created
}

@test "restore with containerd's flags (-no-subreaper): exit 1, one line about CRIU, nothing made" {
	requires_berth
	local id
	id=$(unique_id rest)
	berth_capture restore --image-path "$BATS_TEST_TMPDIR/image" --work-path "$BATS_TEST_TMPDIR/work" \
		-detach -no-subreaper --pid-file "$BATS_TEST_TMPDIR/pid" --console-socket "$BATS_TEST_TMPDIR/sock" \
		--no-pivot --manage-cgroups-mode=full --empty-ns network --lsm-profile apparmor:x \
		--lsm-mount-context ctx --tcp-established --ext-unix-sk --shell-job --file-locks \
		--auto-dedup --lazy-pages -d -b "$BUNDLE" --bundle="$BUNDLE" "$id"
	assert_one_error
	assert_equal "$stderr" "berth: restore \"$id\": not supported: berth has no CRIU support"
	assert_nothing_left "$id"
	[[ ! -e "$BATS_TEST_TMPDIR/pid" ]] || fail "restore wrote a pid file"
}

@test "checkpoint and restore: usage mistakes are still usage errors" {
	local verb
	cd "$BATS_TEST_TMPDIR" # runc makes ./checkpoint before it checks its arguments
	for verb in checkpoint restore; do
		berth_capture "$verb"
		assert_one_error
		berth_capture "$verb" a b
		assert_one_error
		berth_capture "$verb" --frob x
		assert_one_error frob
		berth_capture "$verb" --image-path
		assert_one_error image-path
	done
	if is_berth; then
		berth_capture checkpoint
		assert_equal "$stderr" "berth: checkpoint: a container id is required (see berth checkpoint --help)"
		berth_capture restore a b
		assert_equal "$stderr" "berth: restore: too many arguments (see berth restore --help)"
	fi
}

@test "checkpoint --log FILE --log-format json: the CRIU error is the log's last error" {
	requires_berth
	local id
	id=$(unique_id ckptlog)
	berth_capture --log "$LOG" --log-format json checkpoint --leave-running "$id"
	assert_equal "$status" 1
	jq -se --arg id "$id" 'map(select(.level == "error")) | last | .msg
		== "checkpoint \"\($id)\": not supported: berth has no CRIU support"' "$LOG" >/dev/null ||
		fail "log: $(cat "$LOG")"
}
