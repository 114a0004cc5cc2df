#!/bin/bash
# Installs with apt-get whatever berth's build, tests and demo need and the
# machine lacks. Quiet (and fast: one dpkg-query) when everything is there.
# With --cgroup2 it also installs what `make check-cgroup2` needs to boot the
# tests in a VM with only cgroup v2 (tests/cgroup2/run.sh).
set -euo pipefail

packages=(
	build-essential gcc make pkg-config
	libseccomp-dev libcap-dev libyajl-dev libselinux1-dev
	bats bats-support bats-assert
	busybox-static musl-tools jq
	# /usr/share/containers/seccomp.json: Docker's/Podman's default profile.
	golang-github-containers-common
	clang-tidy cppcheck iproute2 procps
)
if [[ "${1:-}" == --cgroup2 ]]; then
	packages+=(
		# Debian's kernel (its modules go into the VM's initramfs), the
		# emulator, and what builds the initramfs.
		linux-image-amd64 qemu-system-x86 cpio kmod
		coreutils findutils grep sed mawk diffutils util-linux
	)
fi

# One dpkg-query for all: a package it does not know is missing too.
installed=$(dpkg-query -W -f='${Package} ${Status}\n' "${packages[@]}" 2>/dev/null |
	awk '$NF == "installed" && $(NF-1) == "ok" { print $1 }' || true)
missing=()
for pkg in "${packages[@]}"; do
	grep -qx -- "$pkg" <<<"$installed" || missing+=("$pkg")
done
((${#missing[@]} == 0)) && exit 0

echo "install-deps: installing ${missing[*]}"
if ((EUID != 0)); then
	echo "install-deps: must run as root to install packages (try: sudo $0)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists only when a package cannot be found as they are.
if ! apt-get install -y -q --no-install-recommends "${missing[@]}"; then
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
