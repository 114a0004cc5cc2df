#!/usr/bin/env bats
# berth mount / berth umount: storage attached to a created (storage
# phase) or running container from outside, in the container's own
# namespaces, never in the host's mount namespace.

load helpers
load helpers_features

setup() {
	requires_berth
	setup_bundle
	SRC="$BATS_TEST_TMPDIR/src"
	mkdir -p "$SRC"
	echo from-the-host >"$SRC/hello"
	HOST_MOUNTS_BEFORE=$(host_mount_table)
}

teardown() {
	teardown_bundle
	# Every test, passed or failed, adds no mount to the host's table.
	assert_equal "$(host_mounts_added)" ""
}

# host_mount_table: the host's mounts, without ids (which never repeat).
host_mount_table() { awk '{ $1 = ""; $2 = ""; print }' /proc/self/mountinfo | sort; }

# host_mounts_added: lines of the host's mount table that were not there at
# setup, but the cgroup hierarchies a VM's init may mount meanwhile.
host_mounts_added() {
	comm -13 <(echo "$HOST_MOUNTS_BEFORE") <(host_mount_table) | grep -v ' /sys/fs/cgroup' || true
}

# in_container ID CMD...: runs CMD in the container, output in $output.
in_container() {
	local id="$1"
	shift
	run berth exec "$id" "$@"
}

# container_mounts ID: the mount points in the container's mount table.
container_mounts() { awk '{ print $5 }' "/proc/$(init_pid "$1")/mountinfo"; }

# start_sleeping ID: a created, then running, container (sleep 1000).
start_sleeping() {
	berth_detached create -b "$BUNDLE" "$1"
	berth start "$1"
}

@test "a host dir mounted in the storage phase is there for the workload's first instruction" {
	local id out="$BATS_TEST_TMPDIR/out.log"
	id=$(unique_id)
	update_config --arg o "$out" '.annotations["run.berth.stdout"] = $o'
	set_sh 'cat /data/hello; exec sleep 1000'
	berth_detached create -b "$BUNDLE" "$id"
	berth mount "$id" "$SRC" /data
	berth start "$id"
	wait_for_text "$out" from-the-host
	# The root is read-only (berth spec): the mount point was made anyway.
	[[ -d "$ROOTFS/data" ]]
	run berth state "$id"
	assert_equal "$(jq -c '.mounts' <<<"$output")" \
		"[{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"$SRC\",\"options\":[]}]"
}

@test "attach and detach while running; the list follows" {
	local id
	id=$(unique_id)
	start_sleeping "$id"
	berth mount --readonly "$id" "$SRC" /mnt/data
	in_container "$id" cat /mnt/data/hello
	assert_output from-the-host
	in_container "$id" sh -c 'echo x > /mnt/data/new'
	assert_failure
	run berth mount "$id"
	assert_line --index 0 --regexp '^DESTINATION +TYPE +SOURCE +OPTIONS$'
	assert_line --index 1 --regexp "^/mnt/data +bind +$SRC +ro$"
	run berth mount --format json "$id"
	assert_equal "$(jq -r '.[0].destination' <<<"$output")" /mnt/data
	berth umount "$id" /mnt/data
	in_container "$id" cat /mnt/data/hello
	assert_failure
	run container_mounts "$id"
	refute_line /mnt/data
	run berth mount --format json "$id"
	assert_output '[]'
	run berth state "$id"
	assert_equal "$(jq -r 'has("mounts")' <<<"$output")" false
}

@test "umount of a mount in use needs --lazy" {
	local id
	id=$(unique_id)
	start_sleeping "$id"
	berth mount "$id" "$SRC" /data
	berth exec -d --cwd /data "$id" sleep 1000
	berth_capture umount "$id" /data
	assert_one_error 'busy'
	berth umount --lazy "$id" /data
	run container_mounts "$id"
	refute_line /data
}

@test "a recursive bind brings submounts, a plain one does not" {
	local id
	id=$(unique_id)
	start_sleeping "$id"
	# A source with a submount, made in a container: the host gets none.
	berth mount --type tmpfs "$id" tmpfs /outer
	berth exec "$id" sh -c 'mkdir /outer/sub && echo inner > /outer/sub/f'
	berth mount --type tmpfs "$id" tmpfs /outer/sub
	berth mount --from "$id" "$id" /outer /plain
	berth mount --recursive --from "$id" "$id" /outer /deep
	in_container "$id" ls /plain/sub
	assert_output f
	in_container "$id" ls /deep/sub
	assert_output ''
	run container_mounts "$id"
	assert_line /deep/sub
	refute_line /plain/sub
}

@test "a file bind for an existing file, a new tmpfs with its options" {
	local id
	id=$(unique_id)
	start_sleeping "$id"
	echo host-motd >"$BATS_TEST_TMPDIR/motd"
	berth mount "$id" "$BATS_TEST_TMPDIR/motd" /etc/motd
	in_container "$id" cat /etc/motd
	assert_output host-motd
	berth mount --type tmpfs --options size=1m,mode=700,nosuid "$id" tmpfs /scratch
	run mountinfo_line /scratch "$(cat "/proc/$(init_pid "$id")/mountinfo")"
	assert_output --regexp ' /scratch rw,nosuid[^ ]* .* tmpfs tmpfs rw,size=1024k,mode=700'
}

@test "a tmpfs made in a user-namespaced container belongs to its root" {
	local id
	id=$(unique_id)
	add_user_namespace
	start_sleeping "$id"
	berth mount --type tmpfs "$id" tmpfs /scratch
	# A tmpfs made by the host's root would show its root dir as 65534
	# (unmapped) here: the superblock belongs to the container's userns.
	in_container "$id" sh -c 'touch /scratch/f && stat -c "%u:%g" /scratch /scratch/f'
	assert_output $'0:0\n0:0'
	assert_equal "$(stat -c %u "/proc/$(init_pid "$id")/root/scratch/f")" 100000
}

@test "an idmapped bind shows host owners through the container's mapping" {
	local id dir="$BATS_TEST_TMPDIR/owned"
	id=$(unique_id)
	add_user_namespace
	mkdir -p "$dir"
	touch "$dir/root-file" "$dir/user-file"
	chown 1000:1000 "$dir/user-file"
	start_sleeping "$id"
	berth mount "$id" "$dir" /plain
	berth_capture mount --idmap "$id" "$dir" /mapped
	if [[ "$status" -ne 0 && "$stderr" == *"does the filesystem support idmapped mounts"* ]]; then
		skip "kernel $(uname -r): no idmapped mounts on $(stat -f -c %T "$dir") ($stderr)"
	fi
	assert_success
	in_container "$id" stat -c '%u:%g %n' /plain/root-file /plain/user-file
	assert_output $'65534:65534 /plain/root-file\n65534:65534 /plain/user-file'
	in_container "$id" stat -c '%u:%g %n' /mapped/root-file /mapped/user-file
	assert_output $'0:0 /mapped/root-file\n1000:1000 /mapped/user-file'
	# The container's root writes as the host's root through the idmap.
	in_container "$id" touch /mapped/made-inside
	assert_equal "$(stat -c %u:%g "$dir/made-inside")" 0:0
	run berth mount "$id"
	assert_line --regexp "^/mapped +bind +$dir +idmap$"
}

@test "--from: one container writes index.html, another sees it at its own path" {
	local writer server
	writer=$(unique_id writer)
	server=$(unique_id server)
	start_sleeping "$writer"
	berth mount --type tmpfs "$writer" tmpfs /www
	berth exec "$writer" sh -c 'echo "<h1>hello</h1>" > /www/index.html'
	start_sleeping "$server"
	berth mount --from "$writer" --readonly "$server" /www /srv/html
	in_container "$server" cat /srv/html/index.html
	assert_output '<h1>hello</h1>'
	# The same superblock: later writes show too.
	berth exec "$writer" sh -c 'echo v2 > /www/index.html'
	in_container "$server" cat /srv/html/index.html
	assert_output v2
	run berth mount "$server"
	assert_line --regexp "^/srv/html +bind +$writer:/www +ro$"
}

@test "a createRuntime hook can call berth mount on its own container" {
	local id out="$BATS_TEST_TMPDIR/out.log" hook="$BATS_TEST_TMPDIR/hook.sh"
	id=$(unique_id)
	cat >"$hook" <<-EOF
		#!/bin/sh
		id=\$(jq -r .id)
		exec "$BERTH" --root "$BERTH_ROOT" mount "\$id" "$SRC" /data
	EOF
	chmod +x "$hook"
	update_config --arg h "$hook" --arg o "$out" \
		'.hooks.createRuntime = [{"path": $h, "timeout": 10}] | .annotations["run.berth.stdout"] = $o'
	set_sh 'cat /data/hello; exec sleep 1000'
	timeout 20 "$BERTH" --root "$BERTH_ROOT" create -b "$BUNDLE" "$id" </dev/null >/dev/null
	berth start "$id"
	wait_for_text "$out" from-the-host
	run berth mount "$id"
	assert_line --regexp "^/data +bind +$SRC"
}

@test "a symlink in the image never leads a mount out of the rootfs" {
	local id
	id=$(unique_id)
	ln -s /etc "$ROOTFS/escape"
	ln -s ../../../../../../../../etc "$ROOTFS/climb"
	start_sleeping "$id"
	berth_capture mount "$id" "$SRC" /escape
	assert_one_error '"/escape" is a symlink: refused'
	berth_capture mount "$id" "$SRC" /data/../../etc
	assert_one_error 'leads outside the container'
	# Through a symlink on the way: the container's /etc, not the host's.
	berth mount "$id" "$SRC" /escape/berth-test-sub
	berth mount "$id" "$SRC" /climb/berth-test-sub2
	[[ ! -e /etc/berth-test-sub && ! -e /etc/berth-test-sub2 ]]
	[[ -d "$ROOTFS/etc/berth-test-sub" && -d "$ROOTFS/etc/berth-test-sub2" ]]
	in_container "$id" cat /etc/berth-test-sub/hello /etc/berth-test-sub2/hello
	assert_output $'from-the-host\nfrom-the-host'
}

@test "bad input: one clear error each, nothing mounted" {
	local id stopped before
	id=$(unique_id)
	stopped=$(unique_id stopped)
	start_sleeping "$id"
	before=$(container_mounts "$id")

	berth_capture mount nosuch "$SRC" /data
	assert_one_error 'container "nosuch" does not exist'
	berth_capture mount "$id" "$BATS_TEST_TMPDIR/missing" /data
	assert_one_error "source \"$BATS_TEST_TMPDIR/missing\": no such file or directory"
	berth_capture mount "$id" "$SRC" data
	assert_one_error 'destination "data" is not an absolute path'
	berth_capture mount "$id" "$SRC" /
	assert_one_error "cannot mount over the container's root"
	berth_capture mount --type nosuchfs "$id" none /data
	assert_one_error 'unknown filesystem type "nosuchfs"'
	berth_capture mount --type tmpfs --options nosuchopt "$id" tmpfs /data
	assert_one_error 'nosuchopt'
	berth_capture mount --options size=1m "$id" "$SRC" /data
	assert_one_error '"size=1m" does not apply to a bind mount'
	berth_capture mount --idmap "$id" "$SRC" /data
	assert_one_error 'has no user namespace of its own'
	berth_capture mount --from nosuch "$id" /etc /data
	assert_one_error 'container "nosuch" does not exist'
	berth_capture mount "$id" "$SRC"
	assert_one_error
	berth_capture umount "$id" /data
	assert_one_error 'nothing was attached on "/data"'

	berth pause "$id"
	berth_capture mount "$id" "$SRC" /data
	assert_one_error 'cannot mount into a paused container'
	berth resume "$id"

	update_config '.process.args = ["true"]'
	berth_detached create -b "$BUNDLE" "$stopped"
	berth start "$stopped"
	wait_for_status "$stopped" stopped
	berth_capture mount "$stopped" "$SRC" /data
	assert_one_error 'cannot mount into a stopped container'

	assert_equal "$(container_mounts "$id")" "$before"
	[[ ! -e "$ROOTFS/data" ]]
	run berth mount --format json "$id"
	assert_output '[]'
}

@test "delete of a container with attached mounts leaves nothing" {
	local id
	id=$(unique_id)
	start_sleeping "$id"
	berth mount "$id" "$SRC" /data
	berth mount --type tmpfs "$id" tmpfs /scratch
	berth delete --force "$id"
	assert_nothing_left "$id"
}
