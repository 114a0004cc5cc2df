#!/bin/bash
# Installs with apt-get what the end-to-end engine lane (tests/e2e/run.sh)
# needs: containerd + ctr, dockerd + docker, podman, and the tools the lane
# uses. Quiet (one dpkg-query) when everything is there already.
#
# The engines' packages ship init scripts; Debian's postinst would start the
# host's dockerd/containerd through invoke-rc.d. --no-start (a policy-rc.d,
# see tests/lib/apt.bash) keeps them from starting: the lane starts its own
# engines with private state only.
set -euo pipefail

packages=(
	containerd docker.io podman
	busybox-static jq bats bats-support bats-assert
	# script(1) gives `ctr run -t` a pseudo-terminal; pgrep/pkill, ps.
	bsdutils procps util-linux coreutils
)

# shellcheck source=tests/lib/apt.bash
source "$(dirname "$0")/../lib/apt.bash"
apt_install_missing --no-start "e2e install-deps" "${packages[@]}"
((${#apt_installed[@]} > 0)) || exit 0

# Belt and braces: whatever a postinst may have started anyway (there is no
# systemd here, but an init script could have run) is stopped, by pid file.
for pidfile in /var/run/docker.pid /run/docker.pid /run/containerd/containerd.pid; do
	if [[ -s "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
		echo "e2e install-deps: stopping $(cat "$pidfile") started by the install ($pidfile)"
		kill "$(cat "$pidfile")" || true
	fi
done
