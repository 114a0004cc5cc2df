#!/usr/bin/env bats
# OCI hooks: every kind runs once at its point of the lifecycle, in order,
# with the state JSON on stdin, args, env and timeout; failures of
# create-time hooks fail create cleanly, later ones only warn.

load helpers
load helpers_features

setup() {
	setup_bundle
	update_config '.root.readonly = false'
	# The hooks and their log sit at the same path on the host and, through a
	# bind mount, inside the container, so hooks that run in the container's
	# mount namespace (createContainer before pivot_root, startContainer
	# after it) find them either way.
	HOOKDIR="$BATS_TEST_TMPDIR/hooks"
	HOOKLOG="$HOOKDIR/log"
	mkdir -p "$HOOKDIR"
	chmod 755 "$BATS_TEST_TMPDIR" "$HOOKDIR"
	cat >"$HOOKDIR/hook.sh" <<-EOF
		#!/bin/sh
		# hook.sh KIND [ARGS...]: logs KIND, saves stdin, args and env.
		kind="\$1"
		cat >"$HOOKDIR/stdin-\$kind.json"
		echo "\$*|\${HOOKVAR-unset}" >"$HOOKDIR/args-\$kind"
		echo "\$kind" >>"$HOOKLOG"
	EOF
	chmod 755 "$HOOKDIR/hook.sh"
	update_config --arg d "$HOOKDIR" '.mounts += [{"destination": $d, "type": "bind", "source": $d, "options": ["bind"]}]'
	WORKLOAD_MARK="98765$$"
}

teardown() {
	teardown_bundle
}

# add_hook KIND [JSON-FIELDS]: a hook.sh KIND entry in hooks.KIND, with
# extra fields (e.g. '"timeout": 1') merged in.
add_hook() {
	local kind="$1" extra="${2:-}"
	update_config --arg k "$kind" --arg p "$HOOKDIR/hook.sh" \
		".hooks[\$k] += [{\"path\": \$p, \"args\": [\"hook.sh\", \$k]} + {$extra}]"
}

# add_script_hook KIND SCRIPT: a hook running /bin/sh -c SCRIPT.
add_script_hook() {
	update_config --arg k "$1" --arg s "$2" '.hooks[$k] += [{"path": "/bin/sh", "args": ["sh", "-c", $s]}]'
}

ALL_HOOKS="prestart createRuntime createContainer startContainer poststart poststop"

@test "every hook kind runs once, in order, poststart during start" {
	requires_runc_version 1.2 "poststart hooks during start (1.1 runs them in create)"
	local kind
	for kind in $ALL_HOOKS; do add_hook $kind; done
	set_args sleep "$WORKLOAD_MARK"
	berth create -b "$BUNDLE" ctr </dev/null >/dev/null
	run cat "$HOOKLOG"
	assert_output "$(printf '%s\n' prestart createRuntime createContainer)"

	berth start ctr
	# start has returned: startContainer and poststart already ran.
	run cat "$HOOKLOG"
	assert_output "$(printf '%s\n' prestart createRuntime createContainer startContainer poststart)"

	berth kill ctr KILL
	wait_for_status ctr stopped
	berth delete ctr
	run cat "$HOOKLOG"
	assert_output "$(printf '%s\n' $ALL_HOOKS)"
}

@test "berth run runs every hook in order" {
	requires_runc_version 1.2 "poststart hooks after startContainer"
	local kind
	for kind in $ALL_HOOKS; do add_hook $kind; done
	set_args true
	run_container
	assert_success
	run cat "$HOOKLOG"
	assert_output "$(printf '%s\n' $ALL_HOOKS)"
}

@test "each hook gets the state JSON on stdin" {
	local kind
	for kind in $ALL_HOOKS; do add_hook $kind; done
	set_args sleep "$WORKLOAD_MARK"
	berth create -b "$BUNDLE" ctr </dev/null >/dev/null
	local pid
	pid=$(init_pid ctr)
	berth start ctr
	berth delete --force ctr
	for kind in $ALL_HOOKS; do
		local f="$HOOKDIR/stdin-$kind.json"
		[[ -s "$f" ]] || fail "$kind got no state on stdin"
		jq -e . "$f" >/dev/null || fail "$kind stdin is not JSON: $(cat "$f")"
		assert_equal "$(jq -r .id "$f")" ctr
		assert_equal "$(jq -r .bundle "$f")" "$BUNDLE"
		[[ "$(jq -r .ociVersion "$f")" != null ]] || fail "$kind: no ociVersion"
		[[ "$(jq -r .status "$f")" =~ ^(creating|created|running|stopped)$ ]] ||
			fail "$kind: status $(jq -r .status "$f")"
	done
	# The host-side hooks see the container's host pid.
	for kind in prestart createRuntime poststart; do
		assert_equal "$(jq -r .pid "$HOOKDIR/stdin-$kind.json")" "$pid"
	done
	assert_equal "$(jq -r .status "$HOOKDIR/stdin-poststop.json")" stopped
}

@test "hook args and env reach the hook" {
	update_config --arg p "$HOOKDIR/hook.sh" \
		'.hooks.prestart = [{"path": $p, "args": ["hook.sh", "prestart", "second arg", "third"], "env": ["HOOKVAR=hello world"]}]'
	set_args true
	run_container
	assert_success
	assert_equal "$(cat "$HOOKDIR/args-prestart")" 'prestart second arg third|hello world'
}

@test "a hook that exceeds its timeout is killed and create fails" {
	update_config --arg s "$HOOKDIR/slow.sh" '.hooks.createRuntime = [{"path": $s, "timeout": 1}]'
	printf '#!/bin/sh\nexec sleep 60\n' >"$HOOKDIR/slow.sh"
	chmod 755 "$HOOKDIR/slow.sh"
	set_args sleep "$WORKLOAD_MARK"
	local start=$SECONDS
	run berth create -b "$BUNDLE" ctr </dev/null
	assert_failure
	((SECONDS - start < 20)) || fail "create took $((SECONDS - start)) s with a 1 s hook timeout"
	[[ ! -e "$BERTH_ROOT/ctr" ]] || fail "state dir left behind"
	refute pgrep -f "sleep $WORKLOAD_MARK"
}

@test "a failing createRuntime hook fails create and leaves nothing behind" {
	add_script_hook createRuntime 'exit 3'
	set_args sleep "$WORKLOAD_MARK"
	local mounts_before
	mounts_before=$(wc -l </proc/self/mountinfo)
	run berth create -b "$BUNDLE" ctr </dev/null
	assert_failure
	[[ ! -e "$BERTH_ROOT/ctr" ]] || fail "state dir left behind: $(ls -A "$BERTH_ROOT/ctr")"
	run berth list -q
	refute_output --partial ctr
	refute pgrep -f "sleep $WORKLOAD_MARK"
	assert_equal "$(wc -l </proc/self/mountinfo)" "$mounts_before"
	# The id is free again.
	update_config '.hooks = {}'
	berth create -b "$BUNDLE" ctr </dev/null >/dev/null
	berth delete --force ctr
}

@test "a failing prestart hook fails create" {
	add_script_hook prestart 'exit 1'
	set_args sleep "$WORKLOAD_MARK"
	run berth create -b "$BUNDLE" ctr </dev/null
	assert_failure
	[[ ! -e "$BERTH_ROOT/ctr" ]] || fail "state dir left behind"
	refute pgrep -f "sleep $WORKLOAD_MARK"
}

@test "a failing createContainer hook fails create" {
	add_script_hook createContainer 'exit 1'
	set_args sleep "$WORKLOAD_MARK"
	run berth create -b "$BUNDLE" ctr </dev/null
	assert_failure
	[[ ! -e "$BERTH_ROOT/ctr" ]] || fail "state dir left behind"
	refute pgrep -f "sleep $WORKLOAD_MARK"
}

@test "a failing poststart hook only warns" {
	requires_berth # runc kills the container when a poststart hook fails
	add_script_hook poststart 'exit 1'
	set_args sleep "$WORKLOAD_MARK"
	berth create -b "$BUNDLE" ctr </dev/null >/dev/null
	run berth start ctr
	assert_success
	wait_for_status ctr running
	berth delete --force ctr
}

@test "a failing poststop hook only warns" {
	add_script_hook poststop 'exit 1'
	add_hook poststop
	set_args sleep "$WORKLOAD_MARK"
	berth create -b "$BUNDLE" ctr </dev/null >/dev/null
	berth start ctr
	berth kill ctr KILL
	wait_for_status ctr stopped
	run berth delete ctr
	assert_success
	run berth list -q
	refute_output --partial ctr
	# The hooks after the failing one still ran.
	is_berth || skip "runc stops at the first failing poststop hook"
	assert_equal "$(cat "$HOOKLOG")" poststop
}
