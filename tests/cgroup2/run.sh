#!/bin/bash
# `make check-cgroup2`: berth's bats tests on a host with ONLY cgroup v2.
#
# This CI host is hybrid (cgroup v1 + cgroup2 on /sys/fs/cgroup/unified), so
# the lane boots Debian's own kernel (package linux-image-amd64, whatever
# version it installed, not the running kernel) under qemu (software
# emulation, no KVM needed) with an initramfs that mounts nothing but
# cgroup2 on /sys/fs/cgroup and runs the test files listed in
# tests/cgroup2/tests.list (names that do not exist yet are skipped).
#
#   make check-cgroup2        installs what is missing (install-deps.sh
#                             --cgroup2), builds berth and runs this script
#   tests/cgroup2/run.sh      the same, with berth already built
#
# Environment: CGROUP2_TESTS="run.bats state.bats" instead of tests.list;
# CGROUP2_TIMEOUT (s, default 900) for the VM; CGROUP2_KERNEL (a release
# like 6.1.0-56-amd64) instead of linux-image-amd64's; CGROUP2_MODULES
# (default "overlay loop null_blk bfq"); CGROUP2_SMP (2), CGROUP2_MEM (MiB, 2048);
# CGROUP2_ACCEL (default tcg,thread=multi; kvm where /dev/kvm works);
# CGROUP2_CPU (qemu64); CGROUP2_JOBS (test files run at once in the VM,
# default one per CPU); CGROUP2_APPEND (more kernel parameters; NAME=VALUE
# ones, e.g. BATS_TEST_TIMEOUT=300 or FILE_TIMEOUT=900, are /init's env).
#
# Output: the console streams by; build/cgroup2/tap.log holds the TAP as
# the VM wrote it (ttyS1), build/cgroup2/console.log the console (ttyS0).
# The last line is "N passed, N failed[, N skipped]"; exits 1 if a test
# failed or the VM did not finish.
set -uo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=tests/lib/tap.bash
source tests/lib/tap.bash
started=$SECONDS
dir=build/cgroup2
mkdir -p "$dir"

die() {
	echo "check-cgroup2: $*" >&2
	tap_fail check-cgroup2 "$*"
	tap_summary
	exit 1
}

[[ -x build/berth ]] || die "build/berth missing: run make check-cgroup2 (or make all build/tools/recvtty)"

# The kernel linux-image-amd64 depends on: "linux-image-6.1.0-56-amd64 (= ...)".
kver="${CGROUP2_KERNEL:-}"
if [[ -z "$kver" ]]; then
	kver=$(dpkg-query -W -f='${Depends}' linux-image-amd64 2>/dev/null |
		sed -n 's/^linux-image-\([^ ,]*\).*/\1/p')
fi
kernel="/boot/vmlinuz-$kver"
[[ -n "$kver" && -r "$kernel" && -d "/lib/modules/$kver" ]] ||
	die "no kernel \"$kver\" in /boot and /lib/modules (tests/install-deps.sh --cgroup2 installs linux-image-amd64)"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing (tests/install-deps.sh --cgroup2)"

# The test files: tests.list (or $CGROUP2_TESTS), those that exist.
if [[ -n "${CGROUP2_TESTS:-}" ]]; then
	wanted=($CGROUP2_TESTS)
else
	mapfile -t wanted < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' tests/cgroup2/tests.list)
fi
tests=()
for name in "${wanted[@]}"; do
	name="${name#tests/integration/}"
	if [[ -f "tests/integration/$name" ]]; then
		tests+=("$name")
	else
		echo "# check-cgroup2: tests/integration/$name does not exist (yet), skipped"
	fi
done
((${#tests[@]} > 0)) || die "no test file of the list exists"

t=$SECONDS
tests/cgroup2/build-initramfs.sh "$kver" "$dir/initramfs" "${tests[@]}" ||
	die "building the initramfs failed"
echo "# check-cgroup2: initramfs built in $((SECONDS - t))s"

# Boot. ttyS0 (console) -> console.log, streamed here; ttyS1 -> tap.log.
limit="${CGROUP2_TIMEOUT:-900}"
: >"$dir/console.log"
: >"$dir/tap.log"
# Software emulation by default: this host's /dev/kvm exists but does not
# run guests (nested virtualisation); CGROUP2_ACCEL=kvm where it works.
accel="${CGROUP2_ACCEL:-tcg,thread=multi}"
# mitigations=off and qemu64 (no AVX for glibc to pick, which TCG emulates
# slowly): a third faster under TCG than -cpu max. Unknown name=value
# parameters reach /init as environment variables.
append="console=ttyS0 quiet panic=-1 mitigations=off"
[[ -n "${CGROUP2_JOBS:-}" ]] && append+=" JOBS=$CGROUP2_JOBS"
[[ -n "${CGROUP2_APPEND:-}" ]] && append+=" $CGROUP2_APPEND"
echo "# check-cgroup2: booting $kernel (accel $accel), at most ${limit}s, tests: ${tests[*]}"
t=$SECONDS
timeout --kill-after=10 "$limit" qemu-system-x86_64 \
	-machine q35 -accel "$accel" -cpu "${CGROUP2_CPU:-qemu64}" -smp "${CGROUP2_SMP:-2}" -m "${CGROUP2_MEM:-2048}" \
	-display none -monitor none -no-reboot -nodefaults -no-user-config \
	-serial "file:$dir/console.log" -serial "file:$dir/tap.log" \
	-kernel "$kernel" -initrd "$dir/initramfs" \
	-append "$append" </dev/null &
qemu=$!
tail -n +1 -F --pid="$qemu" "$dir/console.log" 2>/dev/null | sed -u 's/\r$//' &
tailer=$!
wait "$qemu"
status=$?
# tail sees qemu gone within a second and exits; tr then flushes.
wait "$tailer" 2>/dev/null
vm_time=$((SECONDS - t))

# Count the TAP lines; "# --- FILE" lines name the test file of those after.
tap_count - "$dir/tap.log"
if ! grep -q '^# berth-cgroup2: done' "$dir/tap.log"; then
	if ((status == 124 || status == 137)); then
		tap_fail vm "did not finish within ${limit}s (qemu killed)"
	else
		tap_fail vm "did not finish (qemu status $status; see $dir/console.log)"
	fi
fi

echo
echo "# check-cgroup2: VM ${vm_time}s ($(sed -n 's/^# berth-cgroup2: \(booted in .*\)/\1/p' "$dir/tap.log" | tr -d '\r')), whole lane $((SECONDS - started))s"
grep -E '^# [^ ]+\.bats: [0-9]+s' "$dir/tap.log" | tr -d '\r'
tap_report_failures "(TAP: $dir/tap.log, console: $dir/console.log)"
tap_summary
((tap_failed == 0))
