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

# shellcheck source=tests/lib/apt.bash
source "$(dirname "$0")/lib/apt.bash"
apt_install_missing install-deps "${packages[@]}"
