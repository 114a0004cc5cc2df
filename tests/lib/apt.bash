# apt_install_missing: the apt logic of tests/install-deps.sh (build, tests,
# demo; --cgroup2) and tests/e2e/install-deps.sh (the engine lane), which
# source this file.

# apt_install_missing [--no-start] NAME PACKAGE...: installs with apt-get
# those PACKAGEs the machine lacks; quiet and fast (one dpkg-query for all)
# when none is missing. Sets apt_installed to what it installed (empty:
# nothing). NAME starts its messages. Exits 1 when it must install and does
# not run as root.
#
# Quiet and without questions: DEBIAN_FRONTEND=noninteractive, and a
# conffile changed here keeps its local version. The package lists are
# refreshed only when a package cannot be found as they are. --no-start: no
# service the packages ship starts during the install: Debian's postinst
# starts them through invoke-rc.d, and a policy-rc.d that answers 101
# ("action forbidden") stops it. An existing policy-rc.d is left as it is;
# one made here is removed afterwards.
apt_install_missing() {
	local no_start=0 name installed pkg missing=() status=0 policy=/usr/sbin/policy-rc.d
	if [[ "${1:-}" == --no-start ]]; then
		no_start=1
		shift
	fi
	name="$1"
	shift
	apt_installed=()

	# A package dpkg does not know is missing too.
	installed=$(dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null |
		awk '$NF == "installed" && $(NF-1) == "ok" { print $1 }' || true)
	for pkg in "$@"; do
		grep -qx -- "$pkg" <<<"$installed" || missing+=("$pkg")
	done
	((${#missing[@]} > 0)) || return 0

	echo "$name: installing ${missing[*]}"
	if ((EUID != 0)); then
		echo "$name: must run as root to install packages (try: sudo $0)" >&2
		exit 1
	fi
	if ((no_start)) && [[ ! -e "$policy" ]]; then
		printf '#!/bin/sh\n# %s: no service starts during this install\nexit 101\n' "$0" >"$policy"
		chmod 0755 "$policy"
		# shellcheck disable=SC2064 # the path, now
		trap "rm -f '$policy'" EXIT
	else
		no_start=0
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt_get_install "${missing[@]}" || { apt-get update -q && apt_get_install "${missing[@]}"; } || status=$?
	if ((no_start)); then
		rm -f "$policy"
		trap - EXIT
	fi
	((status == 0)) || return "$status"
	# shellcheck disable=SC2034 # the caller's
	apt_installed=("${missing[@]}")
}

apt_get_install() {
	apt-get install -y -q --no-install-recommends \
		-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@"
}
