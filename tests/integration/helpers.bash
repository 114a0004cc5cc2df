# Shared helpers for berth's bats tests. Every test gets its own state root
# and bundle under $BATS_TEST_TMPDIR, so tests never see each other's
# containers, and teardown removes whatever a test left behind.
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

REPO_ROOT="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
# BERTH may point at another runtime (e.g. BERTH=runc) to check that a test
# encodes runc's behaviour; berth-specific tests call requires_berth.
BERTH="${BERTH:-$REPO_ROOT/build/berth}"
BUSYBOX="${BUSYBOX:-/bin/busybox}"

# berth ARGS...: the runtime under test with this test's private --root.
berth() {
	"$BERTH" --root "$BERTH_ROOT" "$@"
}

is_berth() { [[ "$(basename "$BERTH")" == berth ]]; }
requires_berth() { is_berth || skip "berth-specific behaviour"; }

# `run -N`, `run --separate-stderr` and `run !` need bats >= 1.5.
bats_require_minimum_version 1.5.0

# Makes a busybox rootfs at $1. The applet symlinks are made once per bats
# run in a template that each test copies (a copy is ~20 times faster).
make_busybox_rootfs() {
	local rootfs="$1" template="${BATS_RUN_TMPDIR:-/tmp}/busybox-rootfs"
	(
		flock 9
		[[ -e "$template/.done" ]] && exit 0
		rm -rf "$template"
		_make_busybox_rootfs_slowly "$template" && touch "$template/.done"
	) 9>"$template.lock" || return 1
	mkdir -p "$(dirname "$rootfs")"
	rm -rf "$rootfs"
	cp -a "$template" "$rootfs" && rm -f "$rootfs/.done"
}

_make_busybox_rootfs_slowly() {
	local rootfs="$1" applet
	mkdir -p "$rootfs"/{bin,dev,proc,sys,etc,tmp,root,run}
	cp "$BUSYBOX" "$rootfs/bin/busybox"
	for applet in $("$BUSYBOX" --list); do
		[[ -e "$rootfs/bin/$applet" ]] || ln -s busybox "$rootfs/bin/$applet"
	done
	echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
	echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >>"$rootfs/etc/passwd"
	echo 'root:x:0:' >"$rootfs/etc/group"
	echo 'nogroup:x:65534:' >>"$rootfs/etc/group"
}

# setup_bundle [ARGS...]: $BUNDLE with a busybox rootfs and a default
# config (from `spec`) running ARGS (default: sleep 1000), no terminal.
setup_bundle() {
	BERTH_ROOT="$BATS_TEST_TMPDIR/root"
	BUNDLE="$BATS_TEST_TMPDIR/bundle"
	ROOTFS="$BUNDLE/rootfs"
	mkdir -p "$BERTH_ROOT" "$BUNDLE"
	make_busybox_rootfs "$ROOTFS"
	(cd "$BUNDLE" && "$BERTH" spec) || return 1
	local args
	if [[ $# -eq 0 ]]; then set -- sleep 1000; fi
	args=$(printf '%s\n' "$@" | jq -R . | jq -s -c .)
	update_config ".process.terminal = false | .process.args = $args"
}

# update_config JQ-FILTER: edits $BUNDLE/config.json in place.
update_config() {
	local tmp="$BUNDLE/config.json.tmp"
	jq "$@" "$BUNDLE/config.json" >"$tmp" && mv "$tmp" "$BUNDLE/config.json"
}

# Removes every container this test's root still holds.
teardown_bundle() {
	local id
	[[ -d "${BERTH_ROOT:-}" ]] || return 0
	for id in $(berth list -q 2>/dev/null); do
		berth delete --force "$id" >/dev/null 2>&1 || true
	done
}

# wait_for_status ID STATUS [TRIES]: polls `state` (0.1 s apart).
wait_for_status() {
	local id="$1" want="$2" tries="${3:-50}" got
	while ((tries-- > 0)); do
		got=$(berth state "$id" 2>/dev/null | jq -r .status)
		[[ "$got" == "$want" ]] && return 0
		sleep 0.1
	done
	echo "container $id: status \"$got\", want \"$want\"" >&2
	return 1
}

# init_pid ID: the host pid of the container's PID 1.
init_pid() { berth state "$1" | jq -r .pid; }

# --- Added for the lifecycle tests -------------------------------------

# unique_id [PREFIX]: a container id no other test or run uses, for tests
# that look for leftovers by name (cgroup directories are host-wide).
unique_id() { echo "${1:-bt}-$$-${BATS_TEST_NUMBER:-0}-$RANDOM"; }

# assert_root_empty: the test's state root holds no container (a failed
# create must leave nothing; runc may or may not create the root itself).
assert_root_empty() {
	local left
	[[ -d "$BERTH_ROOT" ]] || return 0
	# berth's seccomp cache (.seccomp) is shared by containers, not state.
	left=$(ls -A "$BERTH_ROOT" | grep -vx .seccomp || true)
	if [[ -n "$left" ]]; then
		echo "left in $BERTH_ROOT: $left" >&2
		return 1
	fi
}

# bundle_mounts: lines of the host's mount table that mention $BUNDLE.
bundle_mounts() { grep -F -- "$BUNDLE" /proc/self/mountinfo || true; }

# container_processes ID: pids of host processes in a cgroup named ID (how
# runc and berth place a container without linux.cgroupsPath). /proc/PID/root
# cannot tell: it reads "/" from outside the container's mount namespace.
container_processes() {
	local id="$1" file
	for file in /proc/[0-9]*/cgroup; do
		grep -qE -- "/$id(/|\$)" "$file" 2>/dev/null || continue
		file="${file#/proc/}"
		echo "${file%/cgroup}"
	done
	return 0
}

# cgroup_dirs ID: cgroup directories on the host named after ID (v1 and
# v2), which must be gone once the container is deleted.
cgroup_dirs() {
	find /sys/fs/cgroup -maxdepth 6 -type d -name "$1" 2>/dev/null || true
}

# assert_nothing_left ID: no state, mount, process or cgroup of ID remains.
assert_nothing_left() {
	local id="$1" what
	assert_root_empty || return 1
	what=$(bundle_mounts)
	[[ -z "$what" ]] || { echo "mounts left: $what" >&2; return 1; }
	what=$(container_processes "$id")
	[[ -z "$what" ]] || { echo "processes left: $what" >&2; return 1; }
	what=$(cgroup_dirs "$id")
	[[ -z "$what" ]] || { echo "cgroups left: $what" >&2; return 1; }
}

# wait_for_exit PID [TRIES]: polls (0.05 s apart) until PID is gone or a
# zombie.
wait_for_exit() {
	local pid="$1" tries="${2:-100}" state
	while ((tries-- > 0)); do
		state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 0
		[[ "$state" == Z ]] && return 0
		sleep 0.05
	done
	echo "process $pid still alive" >&2
	return 1
}

# berth_detached ARGS...: `berth ARGS` with stdin from /dev/null and its
# stdout/stderr through files, then replayed on this function's own. A
# container made with terminal false inherits berth's stdio; if that were
# bats' `run` pipe, `run` would wait for the container to exit. Use it for
# every create, run -d (anything that leaves a container running).
berth_detached() {
	local out="$BATS_TEST_TMPDIR/.detached.out" err="$BATS_TEST_TMPDIR/.detached.err" status=0
	berth "$@" </dev/null >"$out" 2>"$err" || status=$?
	cat "$out"
	cat "$err" >&2
	rm -f "$out" "$err"
	return "$status"
}

# --- Added for the verb tests (create, start, run, state, list, kill,
# delete) ---------------------------------------------------------------

# raw ARGS...: the runtime with ARGS exactly as given (no --root added),
# stdin from /dev/null, stdout and stderr through files (a container that
# wrongly starts cannot hold bats' pipes) and at most 20 s; sets status,
# output, lines, stderr and stderr_lines the way `run --separate-stderr`
# does.
raw() {
	local out="$BATS_TEST_TMPDIR/.raw.out" err="$BATS_TEST_TMPDIR/.raw.err"
	status=0
	timeout 20 "$BERTH" "$@" </dev/null >"$out" 2>"$err" || status=$?
	output=$(<"$out")
	stderr=$(<"$err")
	mapfile -t lines <"$out"
	mapfile -t stderr_lines <"$err"
	rm -f "$out" "$err"
}

# berth_capture ARGS...: raw with this test's private --root.
berth_capture() { raw --root "$BERTH_ROOT" "$@"; }

# error_text: the message of the error the last berth_capture (or `run
# --separate-stderr`) printed: berth's line without "berth: ", or the msg
# of runc's logrus line with its quotes unescaped.
error_text() {
	if is_berth; then
		echo "${stderr#berth: }"
	else
		sed -n 's/.*level=error msg="\(.*\)"$/\1/p' <<<"$stderr" | sed 's/\\"/"/g'
	fi
}

# assert_one_error [TEXT]: the command failed with exit status 1 and wrote
# exactly one line on stderr, containing TEXT; berth's starts "berth: ".
assert_one_error() {
	local want="${1:-}" msg
	[[ "$status" -eq 1 ]] || fail "exit status $status, want 1 (stderr: $stderr)"
	[[ "${#stderr_lines[@]}" -eq 1 ]] || fail "want one line on stderr, got ${#stderr_lines[@]}: $stderr"
	if is_berth; then
		[[ "$stderr" == "berth: "* ]] || fail "stderr does not start with \"berth: \": $stderr"
	fi
	msg=$(error_text)
	[[ -n "$msg" ]] || fail "no error message in: $stderr"
	[[ "$msg" == *"$want"* ]] || fail "error \"$msg\" lacks \"$want\""
}

# assert_exec_failed TEXT: `exec` failed as runc's does: exit status 255
# and one error line with TEXT.
assert_exec_failed() {
	[[ "$status" -eq 255 ]] || fail "exit status $status, want 255 (stderr: $stderr)"
	[[ "${#stderr_lines[@]}" -eq 1 ]] || fail "want one line on stderr, got: $stderr"
	[[ "$(error_text)" == *"$1"* ]] || fail "error \"$(error_text)\" lacks \"$1\""
}

# wait_for_text FILE TEXT [TRIES]: polls (0.05 s apart) until FILE holds a
# line equal to TEXT.
wait_for_text() {
	local file="$1" text="$2" tries="${3:-200}"
	while ((tries-- > 0)); do
		grep -qxF -- "$text" "$file" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "timed out waiting for \"$text\" in $file: $(cat "$file" 2>/dev/null)" >&2
	return 1
}

# create_logged ID [ARGS...]: `berth create ARGS -b $BUNDLE ID` with stdin
# from /dev/null and the container's stdout/stderr going to $BATS_TEST_TMPDIR/
# ID.out and ID.err (terminal false: the workload inherits them).
create_logged() {
	local id="$1"
	shift
	berth create "$@" -b "$BUNDLE" "$id" </dev/null \
		>"$BATS_TEST_TMPDIR/$id.out" 2>"$BATS_TEST_TMPDIR/$id.err"
}

# state_field ID FIELD: one field of `state ID` (jq -r .FIELD).
state_field() { berth state "$1" | jq -r ".$2"; }

# start_two ID: a running container whose workload is a shell running a
# sleep (two processes besides berth-init); returns once both are up.
start_two() {
	local id="$1"
	set_sh 'sleep 1000 & echo ready; wait'
	create_logged "$id"
	berth start "$id"
	wait_for_text "$BATS_TEST_TMPDIR/$id.out" ready
}
