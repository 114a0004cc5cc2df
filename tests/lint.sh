#!/bin/bash
# Static analysis of berth's C sources: cppcheck, then clang-tidy (rules in
# .clang-tidy at the repository root). Exits non-zero on any finding.
set -uo pipefail
cd "$(dirname "$0")/.."

shopt -s nullglob
sources=(libcontainer/*.c cmd/berth/*.c libinit/*.c bench/*.c)
if ((${#sources[@]} == 0)); then
	echo "lint: no sources"
	exit 0
fi
defines=(-D_GNU_SOURCE -DBERTH_VERSION=\"lint\" -DBERTH_COMMIT=\"lint\" -I. -Ilibcontainer -Ilibinit)
status=0

if command -v cppcheck >/dev/null; then
	# Library headers (yajl, libseccomp...) are not analysed: missing system
	# includes are expected, not findings.
	cppcheck --error-exitcode=1 --enable=warning,portability --inline-suppr \
		--quiet --std=c11 --suppress=missingIncludeSystem \
		"${defines[@]}" -j2 "${sources[@]}" || status=1
else
	echo "lint: cppcheck not installed" >&2
	status=1
fi

tidy=$(command -v clang-tidy || command -v clang-tidy-14 || true)
if [[ -n "$tidy" ]]; then
	# One file per clang-tidy, two at a time. The "N warnings generated"
	# counts (diagnostics from system headers that the checks then drop) are
	# noise; everything else is a finding.
	# shellcheck disable=SC2016
	printf '%s\0' "${sources[@]}" |
		xargs -0 -P2 -I{} bash -c '
			out=$("$@" 2>&1); rc=$?
			out=$(grep -Ev "^[0-9]+ (warning|error)s?( and [0-9]+ (warning|error)s?)? generated\.$" <<<"$out")
			[[ -n "$out" ]] && printf "%s\n" "$out"
			exit $((rc != 0))' clang-tidy "$tidy" --quiet {} -- -std=gnu11 "${defines[@]}" ||
		status=1
else
	echo "lint: clang-tidy not installed" >&2
	status=1
fi
exit "$status"
