#!/usr/bin/env bats
# `features`: the runtime-spec features document engines read at start
# (containerd enables user-namespaced pods and recursive read-only mounts
# from it). Its shape, and every claim in it put to use: each listed
# namespace, mount option, capability, hook and seccomp name goes into a
# container that must run.

load helpers
load helpers_features

setup() {
	setup_bundle true
	update_config '.root.readonly = false'
	FEATURES="$BATS_TEST_TMPDIR/features.json"
	"$BERTH" features >"$FEATURES" </dev/null
}

teardown() {
	teardown_bundle
	if [[ -n "${HOST_MOUNT:-}" ]]; then
		umount -l "$HOST_MOUNT" 2>/dev/null || true
	fi
}

# feature JQ-FILTER: a value of the document, one line per array element.
feature() { jq -r "$1" "$FEATURES"; }

@test "features: a JSON document with the runtime-spec's keys" {
	jq -e '
		(.ociVersionMin | type) == "string" and (.ociVersionMax | type) == "string"
		and (.hooks | type) == "array" and (.mountOptions | type) == "array"
		and (.linux.namespaces | type) == "array" and (.linux.capabilities | type) == "array"
		and (.linux.cgroup | has("v1") and has("v2") and has("systemd") and has("systemdUser"))
		and .linux.seccomp.enabled == true
		and ([.linux.seccomp | .actions, .operators, .archs | type] | unique) == ["array"]
		and (.linux.apparmor.enabled | type) == "boolean"
		and (.linux.selinux.enabled | type) == "boolean"
		and (.annotations | type) == "object"
		and (.annotations["io.github.seccomp.libseccomp.version"] | test("^[0-9]+\\.[0-9]+\\.[0-9]+$"))' \
		"$FEATURES" >/dev/null || fail "features: $(cat "$FEATURES")"
}

@test "features: berth's values" {
	requires_berth
	jq -e '
		.ociVersionMin == "1.0.0" and .ociVersionMax == "1.2.0"
		and .linux.cgroup == {"v1": true, "v2": true, "systemd": false, "systemdUser": false, "rdma": true}
		and .linux.intelRdt == {"enabled": false}
		and .linux.mountExtensions == {"idmap": {"enabled": true}}
		and (.linux.seccomp.actions | index("SCMP_ACT_NOTIFY")) != null
		and (.annotations | keys) == ["io.github.seccomp.libseccomp.version", "run.berth.commit", "run.berth.version"]
		and (.mountOptions | index("rro")) != null' \
		"$FEATURES" >/dev/null || fail "features: $(cat "$FEATURES")"
	# The same versions as --version prints.
	raw --version
	assert_equal "$(feature '.annotations["run.berth.version"]')" "$(awk 'NR == 1 { print $3 }' <<<"$output")"
	assert_equal "$(feature '.annotations["run.berth.commit"]')" "$(awk '$1 == "commit:" { print $2 }' <<<"$output")"
	assert_equal "$(feature '.annotations["io.github.seccomp.libseccomp.version"]')" \
		"$(awk '$1 == "libseccomp:" { print $2 }' <<<"$output")"
	# AppArmor and SELinux as berth's label code sees the host.
	local apparmor=false selinux=false
	[[ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" == Y ]] && apparmor=true
	grep -qw selinuxfs /proc/self/mounts && [[ -e /sys/fs/selinux/enforce ]] && selinux=true
	assert_equal "$(feature .linux.apparmor.enabled)" "$apparmor"
	assert_equal "$(feature .linux.selinux.enabled)" "$selinux"
}

@test "features: indented with four spaces as runc prints it, one document, a final newline" {
	assert_equal "$(sed -n 1p "$FEATURES")" '{'
	assert_regex "$(sed -n 2p "$FEATURES")" '^    "ociVersionMin": "[^"]+",$'
	grep -q '^        "prestart",$' "$FEATURES" || fail "hooks not indented by 8: $(cat "$FEATURES")"
	assert_equal "$(tail -c 1 "$FEATURES" | od -An -c | tr -d ' ')" '\n'
	assert_equal "$(jq -s length "$FEATURES")" 1
}

@test "features needs no global flags, takes every one, and is the same either way" {
	local log="$BATS_TEST_TMPDIR/log" plain
	raw features
	assert_success
	assert_equal "$stderr" ''
	plain=$output
	raw --root "$BATS_TEST_TMPDIR/no/such/root" --log "$log" --log-format json --debug features
	assert_success
	assert_equal "$output" "$plain"
	raw --systemd-cgroup --rootless false features
	assert_success
	assert_equal "$output" "$plain"
	# Nothing went wrong, so nothing was logged at error level.
	if [[ -s "$log" ]]; then
		jq -se 'map(select(.level == "error")) == []' "$log" >/dev/null || fail "log: $(cat "$log")"
	fi
}

@test "features works without privileges" {
	requires_berth
	command -v setpriv >/dev/null || skip "no setpriv"
	run --separate-stderr setpriv --reuid 65534 --regid 65534 --clear-groups "$BERTH" features
	assert_success
	assert_equal "$output" "$(cat "$FEATURES")"
}

@test "features --help: usage, exit 0; an argument or unknown flag: exit 1, one line" {
	local form
	for form in "features --help" "features -h" "help features"; do
		# shellcheck disable=SC2086
		raw $form
		[[ "$status" -eq 0 ]] || fail "$form: exit $status: $stderr"
		[[ "$output" == *"$(basename "$BERTH") features"* ]] || fail "$form: no usage: $output"
	done
	berth_capture features extra
	assert_one_error
	if is_berth; then
		assert_equal "$stderr" "berth: features: too many arguments (see berth features --help)"
		refute_output
	fi
	berth_capture features --frob
	assert_one_error frob
}

@test "ociVersionMin and ociVersionMax are accepted as config.json's ociVersion" {
	local version
	for version in $(feature '.ociVersionMin, .ociVersionMax'); do
		update_config --arg v "$version" '.ociVersion = $v'
		run_container
		[[ "$status" -eq 0 ]] || fail "ociVersion $version: exit $status: $output"
	done
}

@test "every listed namespace is made new" {
	local ns link inside
	declare -A proc_name=([network]=net [mount]=mnt)
	for ns in $(feature '.linux.namespaces[]'); do
		link=${proc_name[$ns]:-$ns}
		[[ -e /proc/self/ns/$link ]] || continue # the kernel lacks it
		if [[ "$ns" == user ]]; then
			add_user_namespace
		else
			update_config --arg t "$ns" '.linux.namespaces |= (map(select(.type != $t)) + [{"type": $t}])'
		fi
	done
	set_sh 'for ns in cgroup ipc mnt net pid user uts time; do
		[ -e /proc/self/ns/$ns ] && echo "$ns $(readlink /proc/self/ns/$ns)"
	done; true'
	run_container
	assert_success
	for ns in $(feature '.linux.namespaces[]'); do
		link=${proc_name[$ns]:-$ns}
		[[ -e /proc/self/ns/$link ]] || continue
		inside=$(awk -v n="$link" '$1 == n { print $2 }' <<<"$output")
		[[ -n "$inside" ]] || fail "no $link namespace link inside: $output"
		[[ "$inside" != "$(readlink /proc/self/ns/$link)" ]] || fail "$ns namespace is the host's: $inside"
	done
}

@test "every listed mount option is accepted on a bind mount" {
	local option src="$BATS_TEST_TMPDIR/src" config="$BATS_TEST_TMPDIR/config.json"
	mkdir -p "$src"
	cp "$BUNDLE/config.json" "$config"
	for option in $(feature '.mountOptions[]'); do
		update_config --slurpfile c "$config" --arg s "$src" --arg o "$option" \
			'$c[0] | .mounts += [{"destination": "/mnt", "type": "bind", "source": $s, "options": ["rbind", $o]}]'
		# idmap needs mappings: the container's, from a user namespace.
		[[ "$option" == *idmap ]] && add_user_namespace
		run_container
		# The kernel may refuse idmapped mounts of this filesystem (tmpfs
		# before Linux 6.3): listed, and refused with the reason.
		[[ "$option" == *idmap && "$status" -ne 0 &&
			"$output" == *"does its filesystem support idmapped mounts?"* ]] && continue
		[[ "$status" -eq 0 ]] || fail "mount option \"$option\": exit $status: $output"
	done
}

@test "rro is listed, and makes a bind mount and its submounts read-only" {
	# containerd asks for recursive read-only mounts only when rro is listed.
	requires_berth
	feature '.mountOptions[]' | grep -qx rro || fail "rro not listed"
	local src="$BATS_TEST_TMPDIR/src"
	mkdir -p "$src/sub"
	mount -t tmpfs -o size=1m tmpfs "$src/sub"
	HOST_MOUNT="$src/sub"
	update_config --arg s "$src" \
		'.mounts += [{"destination": "/mnt", "type": "bind", "source": $s, "options": ["rbind", "rro"]}]'
	set_sh 'touch /mnt/top && echo WROTE-TOP; touch /mnt/sub/f && echo WROTE-SUB; true'
	run_container
	assert_success
	refute_line WROTE-TOP
	refute_line WROTE-SUB
}

@test "every listed capability is granted, or refused only as beyond berth's own" {
	local bounding cap caps granted=() missing=()
	bounding=$((16#$(awk '/^CapBnd:/ {print $2}' /proc/self/status)))
	for cap in $(feature '.linux.capabilities[]'); do
		[[ -n "${CAP_NUMBERS[$cap]:-}" ]] || fail "$cap: unknown to this test's table"
		if ((bounding & (1 << CAP_NUMBERS[$cap]))); then granted+=("$cap"); else missing+=("$cap"); fi
	done
	caps=$(printf '%s\n' "${granted[@]}" | jq -R . | jq -sc .)
	update_config --argjson c "$caps" \
		'.process.capabilities = {"bounding": $c, "effective": $c, "permitted": $c}'
	set_sh 'grep ^CapEff: /proc/self/status'
	run_container
	assert_success
	assert_output --regexp "^CapEff:[[:space:]]+$(cap_mask "${granted[@]}")\$"
	# A cap the host withholds from berth is still recognized: the error
	# is about berth's bounding set, not an unknown name.
	for cap in "${missing[@]}"; do
		update_config --arg c "$cap" '.process.capabilities.bounding += [$c]'
		berth_capture run -b "$BUNDLE" "$(unique_id cap)"
		if is_berth; then
			assert_one_error "$cap is not in berth's bounding set"
		fi
		update_config --arg c "$cap" '.process.capabilities.bounding -= [$c]'
	done
}

@test "every listed hook runs" {
	local hook dir="$BATS_TEST_TMPDIR/hooks" log="$BATS_TEST_TMPDIR/hooks/log"
	# The log sits at the same path on the host and, through a bind mount,
	# in the container, where createContainer and startContainer hooks run;
	# /bin/sh is in both too.
	mkdir -p "$dir"
	update_config --arg d "$dir" \
		'.mounts += [{"destination": $d, "type": "bind", "source": $d, "options": ["bind"]}]'
	for hook in $(feature '.hooks[]'); do
		update_config --arg k "$hook" --arg l "$log" \
			'.hooks[$k] += [{"path": "/bin/sh", "args": ["sh", "-c", "echo \($k) >>\($l)"]}]'
	done
	run_container
	assert_success
	run sort "$log"
	assert_output "$(feature '.hooks[]' | sort)"
}

@test "every listed seccomp action, operator and supported flag loads" {
	local profile
	# One rule per action, on syscalls the workload never makes; one rule
	# per operator on syslog's first argument. NOTIFY needs an agent at
	# listenerPath: seccomp_notify.bats.
	profile=$(jq -c '.linux.seccomp | {
		defaultAction: "SCMP_ACT_ALLOW",
		flags: (.supportedFlags // []),
		syscalls: ([.actions - ["SCMP_ACT_NOTIFY"] | to_entries[] | {names: [["acct", "kexec_load", "init_module",
			"delete_module", "swapoff", "swapon", "reboot", "settimeofday", "setdomainname",
			"sethostname"][.key]], action: .value}]
			+ [.operators | to_entries[] | {names: ["syslog"], action: "SCMP_ACT_ERRNO",
			args: [{index: 0, value: (.key + 100), valueTwo: 0, op: .value}]}])
	}' "$FEATURES")
	update_config --argjson s "$profile" '.linux.seccomp = $s'
	run_container
	[[ "$status" -eq 0 ]] || fail "profile $profile: exit $status: $output"
}

@test "every listed seccomp architecture is recognized" {
	# libseccomp puts no architecture of the other byte order into one
	# filter with the native one, so on this host some of the listed names
	# fail when the filter is built; none may be refused as unknown.
	local arch loaded=0
	for arch in $(feature '.linux.seccomp.archs[]'); do
		update_config --arg a "$arch" '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": [$a]}'
		berth_capture run -b "$BUNDLE" "$(unique_id arch)"
		if [[ "$status" -eq 0 ]]; then
			loaded=$((loaded + 1))
		elif is_berth; then
			[[ "$stderr" == *"add architecture"* ]] || fail "$arch: $stderr"
		fi
	done
	((loaded > 0)) || fail "no listed architecture loads"
}
