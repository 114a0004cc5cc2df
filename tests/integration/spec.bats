#!/usr/bin/env bats
# `berth spec` writes the config.json runc's `spec` writes (runc's own
# defaults, so bundles made for one runtime run on the other), in the
# current directory or --bundle, a rootless variant for the caller, never
# over an existing file; and what it writes runs a busybox container.

load helpers

RUNC="${RUNC:-/usr/sbin/runc}"

setup() {
	BERTH_ROOT="$BATS_TEST_TMPDIR/root"
	DIR="$BATS_TEST_TMPDIR/spec"
	mkdir -p "$BERTH_ROOT" "$DIR"
}

teardown() {
	teardown_bundle
	if [[ -n "${USER_DIR:-}" ]]; then
		rm -rf "$USER_DIR"
	fi
}

requires_runc() {
	[[ -x "$RUNC" ]] || skip "no runc at $RUNC to compare with"
}

# spec_in DIR [ARGS...]: runs `spec ARGS` of the runtime under test in DIR.
spec_in() {
	local dir="$1"
	shift
	mkdir -p "$dir"
	(cd "$dir" && "$BERTH" spec "$@")
}

# runc_spec_in DIR [ARGS...]: the same with runc.
runc_spec_in() {
	local dir="$1"
	shift
	mkdir -p "$dir"
	(cd "$dir" && "$RUNC" spec "$@")
}

# same_json FILTER A B: FILTER gives the same (key-sorted) JSON on A and B.
same_json() {
	local filter="$1" a b
	a=$(jq -S "$filter" "$2")
	b=$(jq -S "$filter" "$3")
	[[ "$a" == "$b" ]] || fail "$filter differs:
$(diff <(echo "$a") <(echo "$b"))"
}

# compare_with_runc ARGS...: `spec ARGS` of both runtimes agree on every
# part an engine or a user relies on.
compare_with_runc() {
	spec_in "$DIR/ours" "$@"
	runc_spec_in "$DIR/runc" "$@"
	local ours="$DIR/ours/config.json" theirs="$DIR/runc/config.json" f
	# The same keys everywhere (paths of every leaf, values aside).
	same_json '[paths(scalars) | map(tostring) | join(".")] | map(select(test("^mounts\\.|^linux\\.(masked|readonly)") | not))' \
		"$ours" "$theirs"
	for f in .mounts .linux.namespaces .process.capabilities .linux.maskedPaths \
		.linux.readonlyPaths .linux.resources .linux.uidMappings .linux.gidMappings \
		.process.rlimits .process.env .process.args .process.cwd .process.user .process.terminal \
		.process.noNewPrivileges .root; do
		same_json "$f" "$ours" "$theirs"
	done
}

@test "spec writes config.json in the current directory" {
	spec_in "$DIR"
	[[ -f "$DIR/config.json" ]] || fail "no config.json"
	run jq -e . "$DIR/config.json"
	assert_success
	# Mode as runc makes it: 0666 less the umask.
	assert_equal "$(umask 022 && rm "$DIR/config.json" && spec_in "$DIR" && stat -c %a "$DIR/config.json")" 644
}

@test "spec is runc's spec: same keys, mounts, namespaces, capabilities, masked and readonly paths" {
	requires_runc
	compare_with_runc
}

@test "spec is runc's spec byte for byte, but for hostname and ociVersion" {
	requires_runc
	spec_in "$DIR/ours"
	runc_spec_in "$DIR/runc"
	diff <(sed -E '/"(hostname|ociVersion)"/d' "$DIR/runc/config.json") \
		<(sed -E '/"(hostname|ociVersion)"/d' "$DIR/ours/config.json") ||
		fail "config.json differs from runc's"
}

@test "spec's ociVersion is one berth accepts, and its hostname is set" {
	spec_in "$DIR"
	assert_regex "$(jq -r .ociVersion "$DIR/config.json")" '^1\.[0-2]\.[0-9]+'
	if is_berth; then
		assert_equal "$(jq -r .ociVersion "$DIR/config.json")" 1.2.0
	fi
	assert_equal "$(jq -r .hostname "$DIR/config.json")" "$(basename "$BERTH")"
}

@test "spec --bundle DIR, --bundle=DIR and -b DIR write there, not in the current directory" {
	local form n=0
	for form in --bundle --bundle= -b -bundle; do
		n=$((n + 1))
		mkdir -p "$DIR/$n"
		if [[ "$form" == *= ]]; then
			spec_in "$DIR/cwd" "$form$DIR/$n"
		else
			spec_in "$DIR/cwd" "$form" "$DIR/$n"
		fi
		[[ -f "$DIR/$n/config.json" ]] || fail "$form: no $DIR/$n/config.json"
	done
	[[ ! -e "$DIR/cwd/config.json" ]] || fail "config.json written in the current directory"
}

@test "spec --bundle of a missing directory: exit 1, one line, nothing made" {
	berth_capture spec --bundle "$DIR/missing"
	assert_one_error missing
	[[ ! -e "$DIR/missing" ]] || fail "made $DIR/missing"
}

@test "spec refuses to overwrite an existing config.json" {
	echo '{"mine": true}' >"$DIR/config.json"
	cd "$DIR"
	berth_capture spec
	assert_one_error 'exists'
	[[ "$(error_text)" == *config.json* ]] || fail "error does not name config.json: $stderr"
	assert_equal "$(cat "$DIR/config.json")" '{"mine": true}'
	berth_capture spec --rootless
	assert_one_error 'exists'
	assert_equal "$(cat "$DIR/config.json")" '{"mine": true}'
}

@test "spec refuses a config.json that is a dangling symlink, as it would any file" {
	# Following the link would create a file elsewhere; runc 1.1 does.
	requires_berth
	ln -s "$DIR/elsewhere.json" "$DIR/config.json"
	cd "$DIR"
	berth_capture spec
	assert_equal "$status" 1
	[[ ! -e "$DIR/elsewhere.json" ]] || fail "wrote through the symlink"
}

@test "spec --rootless: a user namespace mapping the caller, no network namespace" {
	spec_in "$DIR" --rootless
	local c="$DIR/config.json"
	jq -e '.linux.namespaces | map(.type) | index("user") != null' "$c" >/dev/null || fail "no user namespace"
	jq -e '.linux.namespaces | map(.type) | index("network") == null' "$c" >/dev/null || fail "network namespace"
	assert_equal "$(jq -c .linux.uidMappings "$c")" "[{\"containerID\":0,\"hostID\":$(id -u),\"size\":1}]"
	assert_equal "$(jq -c .linux.gidMappings "$c")" "[{\"containerID\":0,\"hostID\":$(id -g),\"size\":1}]"
	# Nothing an unprivileged user cannot do: no device cgroup rules, a
	# bind of /sys instead of a new sysfs, no gid= on devpts.
	assert_equal "$(jq -c '.linux.resources // null' "$c")" null
	assert_equal "$(jq -r '.mounts[] | select(.destination == "/sys") | .type' "$c")" none
	jq -e '.mounts[] | select(.destination == "/dev/pts") | .options | index("gid=5") == null' "$c" >/dev/null ||
		fail "devpts has gid=5"
}

@test "spec --rootless maps the uid and gid of a non-root caller" {
	command -v setpriv >/dev/null || skip "no setpriv"
	# bats' temporary directories are private to root.
	USER_DIR=$(mktemp -d /tmp/berth-spec.XXXXXX)
	chmod 777 "$USER_DIR"
	setpriv --reuid=1234 --regid=2345 --clear-groups \
		sh -c 'cd "$1" && "$2" spec --rootless' sh "$USER_DIR" "$BERTH"
	assert_equal "$(jq -c .linux.uidMappings "$USER_DIR/config.json")" '[{"containerID":0,"hostID":1234,"size":1}]'
	assert_equal "$(jq -c .linux.gidMappings "$USER_DIR/config.json")" '[{"containerID":0,"hostID":2345,"size":1}]'
	assert_equal "$(stat -c %u:%g "$USER_DIR/config.json")" 1234:2345
}

@test "spec --rootless is runc's rootless spec" {
	requires_runc
	compare_with_runc --rootless
}

@test "the spec runs a busybox container with only args and terminal changed" {
	BUNDLE="$DIR"
	make_busybox_rootfs "$BUNDLE/rootfs"
	spec_in "$BUNDLE"
	update_config '.process.terminal = false | .process.args = ["sh", "-c", "echo hello; hostname; id -u"]'
	local id
	id=$(unique_id spec)
	run berth run -b "$BUNDLE" "$id" </dev/null
	assert_success
	assert_line --index 0 hello
	assert_line --index 1 "$(jq -r .hostname "$BUNDLE/config.json")"
	assert_line --index 2 0
	assert_nothing_left "$id"
}

@test "the spec's container is read-only at / and has the default mounts" {
	BUNDLE="$DIR"
	make_busybox_rootfs "$BUNDLE/rootfs"
	spec_in "$BUNDLE"
	update_config '.process.terminal = false
		| .process.args = ["sh", "-c", "touch /x 2>/dev/null && echo writable; cut -d\" \" -f2,3 /proc/self/mounts"]'
	run berth run -b "$BUNDLE" "$(unique_id spec)" </dev/null
	assert_success
	refute_line writable
	local dest
	for dest in $(jq -r '.mounts[].destination' "$BUNDLE/config.json"); do
		assert_line --regexp "^$dest "
	done
}
