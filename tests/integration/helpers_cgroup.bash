# Helpers for the cgroup resource tests (resources.bats, update.bats). Load
# after helpers.bash. They find a controller's files where the host has
# them: in its v1 hierarchy, else in the unified (v2) one, the same choice
# berth makes.

# cg_v1_mount CONTROLLER: mountpoint of the v1 hierarchy with CONTROLLER, or "".
cg_v1_mount() {
	awk -v c="$1" '{
		for (i = 1; i <= NF; i++) if ($i == "-") break
		if ($(i + 1) != "cgroup") next
		n = split($(i + 3), opt, ",")
		for (k = 1; k <= n; k++) if (opt[k] == c) { print $5; exit }
	}' /proc/self/mountinfo
}

# cg_v2_mount: mountpoint of the unified hierarchy, or "".
cg_v2_mount() {
	awk '{ for (i = 1; i <= NF; i++) if ($i == "-") break; if ($(i + 1) == "cgroup2") { print $5; exit } }' \
		/proc/self/mountinfo
}

# cg_is_v1 CONTROLLER: the controller is driven through v1 files here.
cg_is_v1() { [[ -n "$(cg_v1_mount "$1")" ]]; }

# cg_v2_has CONTROLLER: the unified hierarchy offers CONTROLLER (v2 name).
cg_v2_has() {
	local m
	m=$(cg_v2_mount)
	[[ -n "$m" ]] && grep -qw -- "$1" "$m/cgroup.controllers"
}

# requires_controller V1NAME V2NAME: skips unless one of them is usable.
requires_controller() {
	cg_is_v1 "$1" || cg_v2_has "$2" || skip "no $1/$2 controller on this host"
}

# cg_file V1CONTROLLER V1FILE V2FILE: the container's file ($CG_PATH).
cg_file() {
	local m
	m=$(cg_v1_mount "$1")
	if [[ -n "$m" ]]; then
		echo "$m$CG_PATH/$2"
	else
		echo "$(cg_v2_mount)$CG_PATH/$3"
	fi
}

# cg_read V1CONTROLLER V1FILE V2FILE: its content.
cg_read() { cat "$(cg_file "$@")"; }

# setup_cgroup_bundle: a bundle whose container $ID lives at cgroup
# $CG_PATH, spelled out so that runc (BERTH=runc) uses the same path.
setup_cgroup_bundle() {
	setup_bundle
	ID=$(unique_id res)
	CG_PATH="/$ID"
	update_config --arg p "$CG_PATH" '.linux.cgroupsPath = $p'
}

# block_device: "major:minor" of a real (non-partition) block device.
block_device() {
	local dev
	for dev in /sys/block/*; do
		[[ -e "$dev/dev" && ! "$dev" =~ /(loop|ram|zram) ]] || continue
		cat "$dev/dev"
		return 0
	done
	return 1
}
