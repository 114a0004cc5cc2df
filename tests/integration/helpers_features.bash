# Extra helpers for the feature tests (namespaces, mounts, devices, process,
# seccomp, hooks, console, init). Load after helpers.bash:
#   load helpers
#   load helpers_features

RECVTTY="${RECVTTY:-$REPO_ROOT/build/tools/recvtty}"
XATTR="${XATTR:-$REPO_ROOT/build/tools/xattr}"

# requires_runtime_feature JQ-PATH VALUE: when testing another runtime
# (BERTH=runc), skips unless its `features` output lists VALUE in the array
# at JQ-PATH (e.g. `.linux.namespaces time`). berth must support them all.
requires_runtime_feature() {
	local path="$1" value="$2"
	is_berth && return 0
	if ! "$BERTH" features 2>/dev/null |
		jq -e --arg v "$value" "$path | index(\$v) != null" >/dev/null; then
		skip "$(basename "$BERTH") lacks $path $value"
	fi
}

# requires_kernel_file PATH: skips when the kernel does not offer PATH.
requires_kernel_file() {
	[[ -e "$1" ]] || skip "kernel lacks $1"
}

# run_container [ID]: `berth run` of $BUNDLE in the bats `run` style, with
# stdin from /dev/null; status/output as bats sets them.
run_container() {
	run berth run -b "$BUNDLE" "${1:-$(unique_id ctr)}" </dev/null
}

# set_args ARGS...: replaces process.args.
set_args() {
	local arg args='[]'
	# One at a time: jq would split on newlines or take "-c" as its option.
	for arg in "$@"; do
		args=$(jq -c --arg a "$arg" '. + [$a]' <<<"$args")
	done
	update_config --argjson a "$args" '.process.args = $a'
}

# set_sh SCRIPT: process.args = sh -c SCRIPT.
set_sh() { set_args sh -c "$1"; }

# ns_inode PATH: the namespace a /proc/.../ns/X link points to, e.g. net:[4026531840].
ns_inode() { readlink "$1"; }

# wait_for_file FILE [TRIES]: polls (0.05 s apart) until FILE exists.
wait_for_file() {
	local file="$1" tries="${2:-100}"
	while ((tries-- > 0)); do
		[[ -e "$file" ]] && return 0
		sleep 0.05
	done
	echo "timed out waiting for $file" >&2
	return 1
}

# wait_for_socket PATH [TRIES]: polls until PATH is a socket.
wait_for_socket() {
	local file="$1" tries="${2:-100}"
	while ((tries-- > 0)); do
		[[ -S "$file" ]] && return 0
		sleep 0.05
	done
	echo "timed out waiting for socket $file" >&2
	return 1
}

# wait_for_pid_exit PID [TRIES]: polls until PID is gone.
wait_for_pid_exit() {
	local pid="$1" tries="${2:-100}"
	while ((tries-- > 0)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.05
	done
	return 1
}

# start_recvtty SOCKET ARGS...: starts recvtty in the background on SOCKET
# (stderr to $BATS_TEST_TMPDIR/recvtty.err) and waits until it listens.
# Sets RECVTTY_PID.
start_recvtty() {
	local sock="$1"
	shift
	[[ -x "$RECVTTY" ]] || skip "$RECVTTY not built (make build/tools/recvtty)"
	"$RECVTTY" "$sock" "$@" 2>"$BATS_TEST_TMPDIR/recvtty.err" </dev/null 3>&- &
	RECVTTY_PID=$!
	wait_for_socket "$sock"
}

# stop_recvtty: kills a recvtty this test started, if it still runs.
stop_recvtty() {
	if [[ -n "${RECVTTY_PID:-}" ]]; then
		kill "$RECVTTY_PID" 2>/dev/null || true
		wait "$RECVTTY_PID" 2>/dev/null || true
		RECVTTY_PID=
	fi
}

# Capability numbers (linux/capability.h), for computing /proc masks.
declare -gA CAP_NUMBERS=(
	[CAP_CHOWN]=0 [CAP_DAC_OVERRIDE]=1 [CAP_DAC_READ_SEARCH]=2 [CAP_FOWNER]=3
	[CAP_FSETID]=4 [CAP_KILL]=5 [CAP_SETGID]=6 [CAP_SETUID]=7 [CAP_SETPCAP]=8
	[CAP_LINUX_IMMUTABLE]=9 [CAP_NET_BIND_SERVICE]=10 [CAP_NET_BROADCAST]=11
	[CAP_NET_ADMIN]=12 [CAP_NET_RAW]=13 [CAP_IPC_LOCK]=14 [CAP_IPC_OWNER]=15
	[CAP_SYS_MODULE]=16 [CAP_SYS_RAWIO]=17 [CAP_SYS_CHROOT]=18
	[CAP_SYS_PTRACE]=19 [CAP_SYS_PACCT]=20 [CAP_SYS_ADMIN]=21 [CAP_SYS_BOOT]=22
	[CAP_SYS_NICE]=23 [CAP_SYS_RESOURCE]=24 [CAP_SYS_TIME]=25
	[CAP_SYS_TTY_CONFIG]=26 [CAP_MKNOD]=27 [CAP_LEASE]=28 [CAP_AUDIT_WRITE]=29
	[CAP_AUDIT_CONTROL]=30 [CAP_SETFCAP]=31 [CAP_MAC_OVERRIDE]=32
	[CAP_MAC_ADMIN]=33 [CAP_SYSLOG]=34 [CAP_WAKE_ALARM]=35
	[CAP_BLOCK_SUSPEND]=36 [CAP_AUDIT_READ]=37 [CAP_PERFMON]=38 [CAP_BPF]=39
	[CAP_CHECKPOINT_RESTORE]=40
)

# cap_mask NAME...: the 16-hex-digit mask /proc/PID/status shows for NAMEs.
cap_mask() {
	local mask=0 name
	for name in "$@"; do
		mask=$((mask | (1 << CAP_NUMBERS[$name])))
	done
	printf '%016x\n' "$mask"
}

# host_cap_last: the highest capability number the kernel knows.
host_cap_last() { cat /proc/sys/kernel/cap_last_cap; }

# all_cap_names: every capability the kernel knows, as config names.
all_cap_names() {
	local name last
	last=$(host_cap_last)
	for name in "${!CAP_NUMBERS[@]}"; do
		((CAP_NUMBERS[$name] <= last)) && echo "$name"
	done | sort
}

# requires_full_bounding_set: skips (with the reason) when this host's
# bounding set lacks a capability, e.g. CAP_SYS_RESOURCE on this machine.
requires_full_bounding_set() {
	local bnd missing=() name
	bnd=$((16#$(awk '/^CapBnd:/ {print $2}' /proc/self/status)))
	for name in $(all_cap_names); do
		((bnd & (1 << CAP_NUMBERS[$name]))) || missing+=("$name")
	done
	if ((${#missing[@]} > 0)); then
		skip "host capability bounding set lacks ${missing[*]}"
	fi
}

# status_field FIELD TEXT: the value of FIELD in /proc/PID/status TEXT.
status_field() {
	awk -v f="$1:" '$1 == f { $1 = ""; sub(/^[ \t]+/, ""); print }' <<<"$2"
}

# mountinfo_line MOUNTPOINT TEXT: the last mountinfo line for MOUNTPOINT.
mountinfo_line() {
	awk -v m="$1" '$5 == m { line = $0 } END { print line }' <<<"$2"
}

# mountinfo_opts MOUNTPOINT TEXT: per-mount options (field 6) of MOUNTPOINT.
mountinfo_opts() {
	awk -v m="$1" '$5 == m { o = $6 } END { print o }' <<<"$2"
}

# mountinfo_fstype MOUNTPOINT TEXT: the filesystem type of MOUNTPOINT.
mountinfo_fstype() {
	awk -v m="$1" '$5 == m { for (i = 7; $i != "-"; i++); t = $(i + 1) } END { print t }' <<<"$2"
}

# mountinfo_super_opts MOUNTPOINT TEXT: super-block options of MOUNTPOINT.
mountinfo_super_opts() {
	awk -v m="$1" '$5 == m { for (i = 7; $i != "-"; i++); s = $(i + 3) } END { print s }' <<<"$2"
}

# mountinfo_optional MOUNTPOINT TEXT: optional fields (shared:N master:N
# unbindable ...) of MOUNTPOINT, space separated; empty for a private mount.
mountinfo_optional() {
	awk -v m="$1" '$5 == m { o = ""; for (i = 7; $i != "-"; i++) o = o " " $i; r = o } END { sub(/^ /, "", r); print r }' <<<"$2"
}

# has_opt OPT LIST: whether the comma-separated LIST contains OPT.
has_opt() { [[ ",$2," == *",$1,"* ]]; }

# requires_runc_version MIN WHAT: when testing runc (BERTH=runc), skips if
# its version is older than MIN, the first to support WHAT. berth must
# support everything.
requires_runc_version() {
	local min="$1" what="$2" have
	is_berth && return 0
	have=$("$BERTH" --version | awk 'NR == 1 { print $3 }')
	have="${have%%[+-]*}"
	if [[ "$(printf '%s\n%s\n' "$min" "$have" | sort -V | head -n 1)" != "$min" ]]; then
		skip "$(basename "$BERTH") $have lacks $what (needs $min)"
	fi
}

# Mapped root (uid 100000 on the host) must be able to walk to the bundle.
make_bundle_reachable() {
	local dir="$BUNDLE"
	while [[ "$dir" != / ]]; do
		chmod a+x "$dir"
		dir=$(dirname "$dir")
	done
}

# add_user_namespace: a user namespace mapping the container's root to
# uid/gid 100000, without the cgroup mount a mapped root may not make.
add_user_namespace() {
	make_bundle_reachable
	update_config '
		.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .mounts |= map(select(.destination != "/sys/fs/cgroup"))'
}

# Docker's default seccomp profile, as containers-common ships it.
DOCKER_PROFILE="${DOCKER_PROFILE:-/usr/share/containers/seccomp.json}"

# docker_profile_to_oci CAPS-JSON: Docker's profile format (archMap,
# includes/excludes by caps and arches) as an OCI linux.seccomp for amd64.
docker_profile_to_oci() {
	jq -c --argjson caps "$1" '
		def cap_ok: (.includes.caps // []) - $caps == [];
		def arch_ok: (.includes.arches // []) as $a | ($a == [] or ($a | index("amd64") != null));
		def excluded: ((.excludes.caps // []) as $e | ($e != [] and ($e - $caps) != $e))
			or ((.excludes.arches // []) | index("amd64") != null);
		{
			defaultAction,
			defaultErrnoRet,
			architectures: ([.archMap[] | select(.architecture == "SCMP_ARCH_X86_64")
				| .architecture, .subArchitectures[]]),
			syscalls: [.syscalls[] | select(cap_ok and arch_ok and (excluded | not))
				| {names, action} + (if .args then {args} else {} end)
				+ (if .errnoRet then {errnoRet} else {} end)]
		}' "$DOCKER_PROFILE"
}
