#!/usr/bin/env bats
# The container's mount table: default mounts, bind options, rbind, tmpfs,
# rro, rootfsPropagation, readonly root, masked and read-only paths, and
# symlinks planted in the image that must never lead outside the rootfs.

load helpers
load helpers_features

setup() {
	setup_bundle
	HOST_MOUNTS=()
	update_config '.root.readonly = false'
}

teardown() {
	teardown_bundle
	local m
	for m in "${HOST_MOUNTS[@]}"; do
		umount -l "$m" 2>/dev/null || true
	done
	rm -f "/etc/berth-evil-$$" "/etc/berth-evil-$$-2" 2>/dev/null || true
	rmdir /sys/fs/cgroup/*/berth-test 2>/dev/null || true
}

# host_tmpfs DIR: mounts a tmpfs at DIR on the host, undone in teardown.
host_tmpfs() {
	mkdir -p "$1"
	mount -t tmpfs -o size=1m tmpfs "$1"
	HOST_MOUNTS+=("$1")
}

# add_mount JSON: appends one entry to .mounts.
add_mount() { update_config --argjson m "$1" '.mounts += [$m]'; }

@test "default mounts: proc, sysfs ro, /dev tmpfs, devpts, shm, mqueue, cgroup" {
	set_sh 'cat /proc/self/mountinfo'
	run_container
	assert_success
	local info="$output"
	assert_equal "$(mountinfo_fstype /proc "$info")" proc
	assert_equal "$(mountinfo_fstype /sys "$info")" sysfs
	has_opt ro "$(mountinfo_opts /sys "$info")" || fail "/sys not ro: $(mountinfo_line /sys "$info")"
	assert_equal "$(mountinfo_fstype /dev "$info")" tmpfs
	has_opt nosuid "$(mountinfo_opts /dev "$info")"
	has_opt mode=755 "$(mountinfo_super_opts /dev "$info")"
	assert_equal "$(mountinfo_fstype /dev/pts "$info")" devpts
	local pts_super
	pts_super=$(mountinfo_super_opts /dev/pts "$info")
	has_opt ptmxmode=666 "$pts_super" || fail "devpts options: $pts_super"
	has_opt mode=620 "$pts_super" || fail "devpts options: $pts_super"
	has_opt gid=5 "$pts_super" || fail "devpts options: $pts_super"
	assert_equal "$(mountinfo_fstype /dev/shm "$info")" tmpfs
	local opt
	for opt in nosuid noexec nodev; do
		has_opt $opt "$(mountinfo_opts /dev/shm "$info")" || fail "/dev/shm lacks $opt"
		has_opt $opt "$(mountinfo_opts /dev/mqueue "$info")" || fail "/dev/mqueue lacks $opt"
	done
	assert_equal "$(mountinfo_fstype /dev/mqueue "$info")" mqueue
	# cgroup: v2 is one cgroup2 mount, v1 a tmpfs with one mount per
	# hierarchy; every cgroup mount is ro,nosuid,nodev,noexec as configured.
	local cg_lines
	cg_lines=$(awk '$5 ~ "^/sys/fs/cgroup" && / - cgroup2? /' <<<"$info")
	[[ -n "$cg_lines" ]] || fail "no cgroup mount under /sys/fs/cgroup"
	while read -r line; do
		local opts
		opts=$(awk '{ print $6 }' <<<"$line")
		for opt in ro nosuid nodev noexec; do
			has_opt $opt "$opts" || fail "cgroup mount lacks $opt: $line"
		done
	done <<<"$cg_lines"
}

@test "v1 cgroup mount without a cgroup namespace: every host hierarchy, bound at the container's own cgroup" {
	[[ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]] || skip "cgroup v1 layout only"
	local id cg host inside
	id=$(unique_id cgm)
	cg="/berth-test/$id"
	update_config --arg p "$cg" '.linux.cgroupsPath = $p'
	set_sh 'cat /proc/self/mountinfo'
	run_container "$id"
	assert_success
	# The hierarchies the host mounts at /sys/fs/cgroup/<name>, by name.
	host=$(awk '{ for (i = 7; $i != "-"; i++); if ($(i + 1) ~ /^cgroup2?$/ && $5 ~ "^/sys/fs/cgroup/[^/]+$") print $5 }' \
		/proc/self/mountinfo | sort -u)
	inside=$(awk '{ for (i = 7; $i != "-"; i++); if ($(i + 1) ~ /^cgroup2?$/) print $5 }' <<<"$output" | sort)
	assert_equal "$inside" "$host"
	# Each one is the container's cgroup (mountinfo's root field), not
	# berth's own, nor the hierarchy's root.
	local roots
	roots=$(awk '{ for (i = 7; $i != "-"; i++); if ($(i + 1) ~ /^cgroup2?$/) print $4 }' <<<"$output" | sort -u)
	assert_equal "$roots" "$cg"
}

@test "bind mount with ro, nosuid, nodev, noexec" {
	local src="$BATS_TEST_TMPDIR/src"
	mkdir "$src"
	echo hello >"$src/file"
	add_mount "{\"destination\": \"/mnt\", \"type\": \"bind\", \"source\": \"$src\",
		\"options\": [\"bind\", \"ro\", \"nosuid\", \"nodev\", \"noexec\"]}"
	set_sh 'cat /mnt/file; grep " /mnt " /proc/self/mountinfo; touch /mnt/new && echo WROTE; true'
	run_container
	assert_success
	assert_line --index 0 hello
	local opts
	opts=$(mountinfo_opts /mnt "$output")
	for opt in ro nosuid nodev noexec; do
		has_opt $opt "$opts" || fail "/mnt lacks $opt: $opts"
	done
	refute_line WROTE
	[[ ! -e "$src/new" ]]
}

@test "bind mount is read-write by default and writes reach the host" {
	local src="$BATS_TEST_TMPDIR/src"
	mkdir "$src"
	add_mount "{\"destination\": \"/mnt\", \"type\": \"bind\", \"source\": \"$src\", \"options\": [\"bind\"]}"
	set_sh 'echo inside > /mnt/new'
	run_container
	assert_success
	assert_equal "$(cat "$src/new")" inside
}

@test "rbind brings submounts, bind does not" {
	local src="$BATS_TEST_TMPDIR/src"
	mkdir -p "$src"
	host_tmpfs "$src/sub"
	echo in-submount >"$src/sub/file"
	add_mount "{\"destination\": \"/rbind\", \"type\": \"bind\", \"source\": \"$src\", \"options\": [\"rbind\"]}"
	add_mount "{\"destination\": \"/bind\", \"type\": \"bind\", \"source\": \"$src\", \"options\": [\"bind\"]}"
	set_sh 'cat /rbind/sub/file; ls -A /bind/sub | wc -l'
	run_container
	assert_success
	assert_line --index 0 in-submount
	assert_line --index 1 0
}

@test "tmpfs with size and mode" {
	add_mount '{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m", "mode=1770", "nosuid"]}'
	set_sh 'stat -c %a /scratch; grep " /scratch " /proc/self/mountinfo; echo x > /scratch/f && echo WROTE'
	run_container
	assert_success
	assert_line --index 0 1770
	assert_equal "$(mountinfo_fstype /scratch "$output")" tmpfs
	local super
	super=$(mountinfo_super_opts /scratch "$output")
	has_opt size=1024k "$super" || fail "tmpfs options: $super"
	has_opt mode=1770 "$super" || fail "tmpfs options: $super"
	assert_line WROTE
}

@test "tmpfs without mode takes the mode of the directory it covers" {
	mkdir -p "$ROOTFS/scratch"
	chmod 0751 "$ROOTFS/scratch"
	add_mount '{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}'
	set_sh 'stat -c %a /scratch'
	run_container
	assert_success
	assert_output 751
}

@test "tmpcopyup: the tmpfs starts with a copy of what it covers, owners and modes kept" {
	requires_runtime_feature .mountOptions tmpcopyup
	mkdir -p "$ROOTFS/run/sub"
	echo image-file >"$ROOTFS/run/sub/f"
	chown 12:34 "$ROOTFS/run/sub/f"
	chmod 0640 "$ROOTFS/run/sub/f"
	ln -s /etc/passwd "$ROOTFS/run/link"
	add_mount '{"destination": "/run", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "tmpcopyup"]}'
	update_config '.process.capabilities.effective += ["CAP_DAC_OVERRIDE"] | .process.capabilities.permitted += ["CAP_DAC_OVERRIDE"] | .process.capabilities.bounding += ["CAP_DAC_OVERRIDE"]'
	set_sh 'cat /run/sub/f; stat -c "%u:%g %a" /run/sub/f; readlink /run/link; grep " /run " /proc/self/mountinfo; echo new >/run/new && echo WROTE'
	run_container
	assert_success
	assert_line image-file
	assert_line '12:34 640'
	assert_line /etc/passwd
	assert_equal "$(mountinfo_fstype /run "$output")" tmpfs
	assert_line WROTE
	# The image itself is untouched.
	[[ ! -e "$ROOTFS/run/new" ]]
}

@test "tmpcopyup keeps the extended attributes of files and directories" {
	requires_runtime_feature .mountOptions tmpcopyup
	local id pid
	mkdir -p "$ROOTFS/run/sub"
	echo image-file >"$ROOTFS/run/sub/f"
	# trusted.*: tmpfs takes it on every kernel (user.* only from 6.6).
	"$XATTR" set "$ROOTFS/run/sub/f" trusted.berth file-value 2>/dev/null ||
		skip "the rootfs's filesystem takes no trusted.* attributes"
	"$XATTR" set "$ROOTFS/run/sub" trusted.berth dir-value
	add_mount '{"destination": "/run", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "tmpcopyup"]}'
	set_args sleep 1000
	id=$(unique_id)
	berth_detached run -d -b "$BUNDLE" "$id"
	pid=$(init_pid "$id")
	assert_equal "$("$XATTR" get "/proc/$pid/root/run/sub/f" trusted.berth)" file-value
	assert_equal "$("$XATTR" get "/proc/$pid/root/run/sub" trusted.berth)" dir-value
	assert_equal "$(stat -f -c %T "/proc/$pid/root/run/sub")" tmpfs
}

@test "rro makes submounts read-only too" {
	[[ "$(printf '%s\n' 5.12 "$(uname -r)" | sort -V | head -n 1)" == 5.12 ]] ||
		skip "kernel $(uname -r) lacks mount_setattr"
	requires_runtime_feature .mountOptions rro
	local src="$BATS_TEST_TMPDIR/src"
	mkdir -p "$src"
	host_tmpfs "$src/sub"
	add_mount "{\"destination\": \"/mnt\", \"type\": \"bind\", \"source\": \"$src\", \"options\": [\"rbind\", \"rro\"]}"
	set_sh 'touch /mnt/top && echo WROTE-TOP; touch /mnt/sub/f && echo WROTE-SUB; cat /proc/self/mountinfo'
	run_container
	assert_success
	refute_line WROTE-TOP
	refute_line WROTE-SUB
	has_opt ro "$(mountinfo_opts /mnt "$output")"
	has_opt ro "$(mountinfo_opts /mnt/sub "$output")" || fail "submount not ro: $(mountinfo_line /mnt/sub "$output")"
	# The host's submount stays writable.
	touch "$src/sub/host-can-write"
}

@test "plain ro bind leaves submounts writable, rro does not" {
	local src="$BATS_TEST_TMPDIR/src"
	mkdir -p "$src"
	host_tmpfs "$src/sub"
	add_mount "{\"destination\": \"/mnt\", \"type\": \"bind\", \"source\": \"$src\", \"options\": [\"rbind\", \"ro\"]}"
	set_sh 'touch /mnt/sub/f && echo WROTE-SUB; touch /mnt/top && echo WROTE-TOP; true'
	run_container
	assert_success
	assert_line WROTE-SUB
	refute_line WROTE-TOP
}

# check_root_propagation PROPAGATION PATTERN: the optional fields of / inside.
check_root_propagation() {
	update_config --arg p "$1" '.linux.rootfsPropagation = $p'
	set_sh 'cat /proc/self/mountinfo'
	run_container
	assert_success
	local fields
	fields=$(mountinfo_optional / "$output")
	[[ "$fields" =~ $2 ]] || fail "rootfsPropagation $1: optional fields of / are \"$fields\""
}

@test "rootfsPropagation private: / has no propagation fields" {
	check_root_propagation private '^$'
}

@test "rootfsPropagation shared: / is shared:N" {
	is_berth || skip "runc 1.1 leaves / without propagation on a private host root"
	check_root_propagation shared '(^| )shared:[0-9]+( |$)'
}

@test "rootfsPropagation slave: / is master:N and host mounts propagate in" {
	is_berth || skip "runc 1.1 cuts the rootfs off its host peer group"
	# A slave needs a master: this host's mounts are private (no systemd),
	# so put the rootfs on a shared mount of its own.
	mount --bind "$ROOTFS" "$ROOTFS"
	HOST_MOUNTS+=("$ROOTFS")
	mount --make-shared "$ROOTFS"
	mkdir -p "$ROOTFS/probe"
	check_root_propagation slave '(^| )master:[0-9]+( |$)'

	# A tmpfs the host mounts under the rootfs after start shows inside.
	set_sh 'i=0; while [ $i -lt 100 ]; do [ -e /probe/hello ] && exit 0; i=$((i + 1)); sleep 0.1; done; exit 3'
	local id pid status=0
	id=$(unique_id slave)
	berth run -b "$BUNDLE" "$id" </dev/null >/dev/null 2>&1 &
	pid=$!
	wait_for_status "$id" running
	mount -t tmpfs -o size=1m tmpfs "$ROOTFS/probe"
	touch "$ROOTFS/probe/hello"
	wait "$pid" || status=$?
	umount "$ROOTFS/probe"
	[[ $status -eq 0 ]] || fail "the container did not see the host's mount (exit $status)"
}

@test "rootfsPropagation unbindable: / is unbindable" {
	is_berth || skip "runc 1.1 fails to start with an unbindable rootfs"
	check_root_propagation unbindable '(^| )unbindable( |$)'
}

@test "root.readonly: / is read-only, a tmpfs on /tmp stays writable" {
	update_config '.root.readonly = true'
	add_mount '{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev"]}'
	set_sh 'touch /rootfile && echo WROTE-ROOT; touch /tmp/f && echo WROTE-TMP; cat /proc/self/mountinfo'
	run_container
	assert_success
	refute_line WROTE-ROOT
	assert_line WROTE-TMP
	has_opt ro "$(mountinfo_opts / "$output")"
	[[ ! -e "$ROOTFS/rootfile" ]]
}

@test "maskedPaths: a masked file reads empty, a masked dir is empty" {
	echo secret >"$ROOTFS/secret-file"
	mkdir "$ROOTFS/secret-dir"
	echo secret >"$ROOTFS/secret-dir/inner"
	update_config '.linux.maskedPaths += ["/secret-file", "/secret-dir", "/does-not-exist"]'
	set_sh 'echo "file=[$(cat /secret-file)]"; echo "dir=[$(ls -A /secret-dir)]"; echo "keys=$(wc -c < /proc/keys)"'
	run_container
	assert_success
	assert_line 'file=[]'
	assert_line 'dir=[]'
	# A default masked path (only masked where the kernel has it).
	if [[ -e /proc/keys ]]; then assert_line 'keys=0'; fi
	# The image itself is untouched.
	assert_equal "$(cat "$ROOTFS/secret-file")" secret
}

@test "readonlyPaths: writes fail" {
	mkdir "$ROOTFS/ro-dir"
	update_config '.linux.readonlyPaths += ["/ro-dir"]'
	set_sh 'touch /ro-dir/f && echo WROTE-DIR; echo 1 > /proc/sys/kernel/shm_rmid_forced && echo WROTE-SYS; touch /ok && echo WROTE-ROOT'
	run_container
	refute_line WROTE-DIR
	refute_line WROTE-SYS
	assert_line WROTE-ROOT
	[[ ! -e "$ROOTFS/ro-dir/f" ]]
}

# snapshot_host: what a container must never change on the host.
snapshot_host() {
	ls -A /etc | md5sum
	awk '{ print $5, $6 }' /proc/self/mountinfo | sort | md5sum
}

@test "a symlink planted in the image never leads a mount to the host's /etc" {
	local before
	before=$(snapshot_host)
	ln -s /etc "$ROOTFS/evil-abs"
	ln -s ../../../../../../../../etc "$ROOTFS/evil-rel"
	local src="$BATS_TEST_TMPDIR/payload"
	echo payload >"$src"
	add_mount "{\"destination\": \"/evil-abs/berth-evil-$$\", \"type\": \"bind\", \"source\": \"$src\", \"options\": [\"bind\"]}"
	add_mount "{\"destination\": \"/evil-rel\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"size=1m\"]}"
	set_sh "echo written > /evil-abs/berth-evil-$$; echo written > /evil-rel/berth-evil-$$-2; sleep 1000"
	berth run -d -b "$BUNDLE" ctr </dev/null >/dev/null 2>&1 || true
	# Whether or not the runtime accepted it, the host is unchanged.
	[[ ! -e "/etc/berth-evil-$$" ]] || fail "host /etc/berth-evil-$$ was created"
	[[ ! -e "/etc/berth-evil-$$-2" ]] || fail "host /etc/berth-evil-$$-2 was created"
	assert_equal "$(snapshot_host)" "$before"
	assert_equal "$(cat "$src")" payload
	berth delete --force ctr >/dev/null 2>&1 || true
	assert_equal "$(snapshot_host)" "$before"
}

@test "nothing of the container shows in the host's mount table" {
	local src="$BATS_TEST_TMPDIR/src"
	mkdir "$src"
	add_mount "{\"destination\": \"/mnt\", \"type\": \"bind\", \"source\": \"$src\", \"options\": [\"rbind\"]}"
	local before
	before=$(wc -l </proc/self/mountinfo)
	berth create -b "$BUNDLE" ctr </dev/null >/dev/null
	refute grep -F "$BUNDLE" /proc/self/mountinfo
	berth start ctr
	wait_for_status ctr running
	refute grep -F "$BUNDLE" /proc/self/mountinfo
	refute grep -F "$BATS_TEST_TMPDIR" /proc/self/mountinfo
	assert_equal "$(wc -l </proc/self/mountinfo)" "$before"
	berth delete --force ctr
	refute grep -F "$BUNDLE" /proc/self/mountinfo
}

@test "a relative bind source is relative to the bundle, not the caller's cwd" {
	mkdir -p "$BUNDLE/data"
	echo from-bundle >"$BUNDLE/data/file"
	add_mount '{"destination": "/data", "type": "bind", "source": "data", "options": ["bind", "ro"]}'
	set_sh 'cat /data/file'
	cd /
	run_container
	assert_success
	assert_output from-bundle
}
