#!/usr/bin/env bats
# Idmapped bind mounts (runtime-spec 1.2 "idmap"/"ridmap" and per-mount
# uidMappings/gidMappings): owners seen and written through the mount, the
# mount's own mappings, recursion over submounts, and the refused configs.
#
# How an idmapped mount maps: an on-disk id D is taken as a "containerID" of
# the mount's mapping and becomes its hostID H; a process then sees H the way
# its own user namespace maps it. With the container's mapping 0->100000 a
# host file of uid 0 is root inside (uid 0), not the overflow uid 65534, and
# a file container root creates through it is owned by uid 0 on the host.

load helpers
load helpers_features

OVERFLOW_UID="$(cat /proc/sys/kernel/overflowuid)"
OVERFLOW_GID="$(cat /proc/sys/kernel/overflowgid)"

setup() {
	setup_bundle
	HOST_MOUNTS=()
	SRC="$BATS_TEST_TMPDIR/src"
	mkdir -m 0777 "$SRC"
	touch "$SRC/root-file" "$SRC/user-file"
	chown 0:0 "$SRC/root-file"
	chown 1000:2000 "$SRC/user-file"
	# Mapped root (uid 100000 on the host) must be able to walk to the
	# bundle, and cannot create mount points in the host-owned rootfs.
	local dir="$BUNDLE"
	while [[ "$dir" != / ]]; do
		chmod a+x "$dir"
		dir=$(dirname "$dir")
	done
	mkdir -p "$ROOTFS"/mnt/{a,b,ro,plain}
	# A cgroup mount in a user namespace without its own cgroup ns fails.
	update_config '.root.readonly = false | .mounts |= map(select(.destination != "/sys/fs/cgroup"))'
}

teardown() {
	teardown_bundle
	local m
	for m in "${HOST_MOUNTS[@]}"; do
		umount -l "$m" 2>/dev/null || true
	done
}

# with_userns: the container gets a user namespace, uids 0->100000 and gids
# 0->200000 (65536 each), so uid and gid mappings cannot be mixed up.
with_userns() {
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]'
}

# add_mount JSON: appends one entry to .mounts.
add_mount() { update_config --argjson m "$1" '.mounts += [$m]'; }

# n_mounts: how many entries .mounts has (the index of the next one).
n_mounts() { jq '.mounts | length' "$BUNDLE/config.json"; }

# requires_idmap: runs the config as it is with `true`; when the host kernel
# or filesystem refuses the idmapped mount itself (mount_setattr EINVAL or
# EPERM in stage 0), skips with the reason instead of failing.
requires_idmap() {
	local saved="$BATS_TEST_TMPDIR/config.saved"
	requires_runc_version 1.2 "idmapped mounts"
	cp "$BUNDLE/config.json" "$saved"
	set_args true
	berth_capture run -b "$BUNDLE" "$(unique_id probe)"
	cp "$saved" "$BUNDLE/config.json"
	if [[ "$status" -ne 0 && "$stderr" == *"does its filesystem support idmapped mounts?"* &&
		("$stderr" == *"invalid argument"* || "$stderr" == *"operation not permitted"*) ]]; then
		skip "kernel $(uname -r) refuses idmapped mounts here: $stderr"
	fi
	[[ "$status" -eq 0 ]] || fail "probe run failed: $stderr"
}

@test "idmap: host ids seen and written through the container's mapping" {
	with_userns
	add_mount "{\"destination\": \"/mnt/a\", \"type\": \"bind\", \"source\": \"$SRC\", \"options\": [\"bind\", \"idmap\"]}"
	add_mount "{\"destination\": \"/mnt/ro\", \"type\": \"bind\", \"source\": \"$SRC\", \"options\": [\"bind\", \"idmap\", \"ro\", \"nosuid\"]}"
	add_mount "{\"destination\": \"/mnt/plain\", \"type\": \"bind\", \"source\": \"$SRC\", \"options\": [\"bind\"]}"
	requires_idmap
	set_sh 'stat -c "a %n %u:%g" /mnt/a/root-file /mnt/a/user-file
		stat -c "plain %n %u:%g" /mnt/plain/root-file
		touch /mnt/a/made-inside && stat -c "made %u:%g" /mnt/a/made-inside
		touch /mnt/ro/nope 2>/dev/null || echo "ro refused"
		cat /proc/self/mountinfo'
	run_container
	assert_success
	assert_line "a /mnt/a/root-file 0:0"
	assert_line "a /mnt/a/user-file 1000:2000"
	# Without idmap the host's root is unmapped in the container.
	assert_line "plain /mnt/plain/root-file $OVERFLOW_UID:$OVERFLOW_GID"
	assert_line "made 0:0"
	assert_line "ro refused"
	assert_equal "$(stat -c %u:%g "$SRC/made-inside")" "0:0"
	[[ ! -e "$SRC/nope" ]]
	local opts
	opts=$(mountinfo_opts /mnt/a "$output")
	has_opt idmapped "$opts" || fail "/mnt/a not idmapped: $opts"
	opts=$(mountinfo_opts /mnt/ro "$output")
	has_opt idmapped "$opts" && has_opt ro "$opts" && has_opt nosuid "$opts" || fail "/mnt/ro options: $opts"
	opts=$(mountinfo_opts /mnt/plain "$output")
	! has_opt idmapped "$opts" || fail "/mnt/plain is idmapped: $opts"
}

@test "idmap: the mount's own uidMappings/gidMappings, relative source" {
	with_userns
	# On-disk uid 1000 -> host 100005 -> 5 inside; gid 2000 -> 200007 -> 7.
	# The kernel refuses writes to an inode whose owner the mount cannot
	# map (EACCES): the directory gets a mapped owner.
	chown 1000:2000 "$SRC"
	ln -s "$SRC" "$BUNDLE/src-link"
	add_mount '{"destination": "/mnt/a", "type": "bind", "source": "src-link/", "options": ["rbind", "idmap"],
		"uidMappings": [{"containerID": 1000, "hostID": 100005, "size": 10}],
		"gidMappings": [{"containerID": 2000, "hostID": 200007, "size": 1}]}'
	requires_idmap
	update_config '.process.user = {"uid": 5, "gid": 7}'
	set_sh 'stat -c "%n %u:%g" /mnt/a/user-file /mnt/a/root-file; touch /mnt/a/made-by-5 && echo made'
	run_container
	assert_success
	assert_line "/mnt/a/user-file 5:7"
	# On-disk 0 is outside the mount's mappings.
	assert_line "/mnt/a/root-file $OVERFLOW_UID:$OVERFLOW_GID"
	assert_line made
	assert_equal "$(stat -c %u:%g "$SRC/made-by-5")" "1000:2000"
}

@test "idmap: the mount's own mappings work without a user namespace (as runc)" {
	add_mount "{\"destination\": \"/mnt/a\", \"type\": \"bind\", \"source\": \"$SRC\", \"options\": [\"bind\"],
		\"uidMappings\": [{\"containerID\": 1000, \"hostID\": 3000, \"size\": 1}],
		\"gidMappings\": [{\"containerID\": 2000, \"hostID\": 4000, \"size\": 1}]}"
	requires_idmap
	set_sh 'stat -c "%n %u:%g" /mnt/a/user-file; grep " /mnt/a " /proc/self/mountinfo'
	run_container
	assert_success
	assert_line "/mnt/a/user-file 3000:4000"
	assert_output --partial idmapped
}

@test "idmap: ridmap idmaps submounts, idmap leaves them as they are" {
	with_userns
	mkdir "$SRC/sub"
	mount -t tmpfs -o size=1m,mode=0777 tmpfs "$SRC/sub"
	HOST_MOUNTS+=("$SRC/sub")
	touch "$SRC/sub/in-tmpfs"
	add_mount "{\"destination\": \"/mnt/a\", \"type\": \"bind\", \"source\": \"$SRC\", \"options\": [\"rbind\", \"ridmap\"]}"
	add_mount "{\"destination\": \"/mnt/b\", \"type\": \"bind\", \"source\": \"$SRC\", \"options\": [\"rbind\", \"idmap\"]}"
	requires_idmap
	set_sh 'stat -c "%n %u:%g" /mnt/a/root-file /mnt/b/root-file /mnt/a/sub/in-tmpfs /mnt/b/sub/in-tmpfs
		touch /mnt/a/sub/made && echo made
		cat /proc/self/mountinfo'
	run_container
	assert_success
	assert_line "/mnt/a/root-file 0:0"
	assert_line "/mnt/b/root-file 0:0"
	assert_line "/mnt/a/sub/in-tmpfs 0:0"
	assert_line "/mnt/b/sub/in-tmpfs $OVERFLOW_UID:$OVERFLOW_GID"
	assert_line made
	assert_equal "$(stat -c %u:%g "$SRC/sub/made")" "0:0"
	has_opt idmapped "$(mountinfo_opts /mnt/a/sub "$output")" || fail "/mnt/a/sub not idmapped"
	assert_equal "$(mountinfo_fstype /mnt/b/sub "$output")" tmpfs
	! has_opt idmapped "$(mountinfo_opts /mnt/b/sub "$output")" || fail "/mnt/b/sub is idmapped"
}

@test "idmap: refused without a user namespace and mappings of its own" {
	requires_berth
	local id n
	id=$(unique_id idmap)
	n=$(n_mounts)
	add_mount "{\"destination\": \"/mnt/a\", \"type\": \"bind\", \"source\": \"$SRC\", \"options\": [\"bind\", \"idmap\"]}"
	berth_capture create -b "$BUNDLE" "$id"
	assert_one_error "mounts[$n]: idmap mount without its own uidMappings/gidMappings needs a user namespace"
	assert_nothing_left "$id"
}

@test "idmap: refused on a mount that is not a bind" {
	requires_berth
	local id n
	id=$(unique_id idmap)
	with_userns
	n=$(n_mounts)
	add_mount '{"destination": "/mnt/a", "type": "tmpfs", "source": "tmpfs", "options": ["idmap"]}'
	berth_capture create -b "$BUNDLE" "$id"
	assert_one_error "mounts[$n]: idmap mounts must be bind mounts"
	assert_nothing_left "$id"
}

@test "idmap: refused with uidMappings but no gidMappings" {
	requires_berth
	local id n
	id=$(unique_id idmap)
	with_userns
	n=$(n_mounts)
	add_mount "{\"destination\": \"/mnt/a\", \"type\": \"bind\", \"source\": \"$SRC\", \"options\": [\"bind\", \"idmap\"],
		\"uidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 10}]}"
	berth_capture create -b "$BUNDLE" "$id"
	assert_one_error "mounts[$n]: idmap mount needs both uidMappings and gidMappings"
	assert_nothing_left "$id"
}

@test "idmap: a source the kernel cannot open fails cleanly" {
	requires_berth
	local id n
	id=$(unique_id idmap)
	with_userns
	n=$(n_mounts)
	add_mount '{"destination": "/mnt/a", "type": "bind", "source": "/nonexistent-berth-idmap", "options": ["bind", "idmap"]}'
	berth_capture create -b "$BUNDLE" "$id"
	assert_one_error "mounts[$n]: open_tree \"/nonexistent-berth-idmap\": no such file or directory"
	assert_nothing_left "$id"
}

@test "idmap: a filesystem that refuses idmapping fails cleanly" {
	requires_berth
	local id n
	id=$(unique_id idmap)
	with_userns
	n=$(n_mounts)
	# procfs does not support idmapped mounts.
	add_mount '{"destination": "/mnt/a", "type": "bind", "source": "/proc/sys", "options": ["bind", "idmap"]}'
	berth_capture create -b "$BUNDLE" "$id"
	assert_one_error "mounts[$n]: idmap \"/proc/sys\" (does its filesystem support idmapped mounts?)"
	assert_nothing_left "$id"
}

@test "idmap: a failure after the mapping namespace is made leaves nothing" {
	requires_berth
	local id n
	id=$(unique_id idmap)
	with_userns
	n=$(n_mounts)
	# The helper user namespace for the mount's own mappings is made
	# before the source is opened; it must be gone with the rest.
	add_mount '{"destination": "/mnt/a", "type": "bind", "source": "/nonexistent-berth-idmap", "options": ["bind", "idmap"],
		"uidMappings": [{"containerID": 0, "hostID": 1000, "size": 10}],
		"gidMappings": [{"containerID": 0, "hostID": 1000, "size": 10}]}'
	berth_capture create -b "$BUNDLE" "$id"
	assert_one_error "mounts[$n]: open_tree \"/nonexistent-berth-idmap\": no such file or directory"
	assert_nothing_left "$id"
}
