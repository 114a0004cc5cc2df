# The TAP counting of the test lanes: tests/check.sh (`make check`),
# tests/e2e/run.sh (`make check-e2e`) and tests/cgroup2/run.sh (`make
# check-cgroup2`) source this file. It counts TAP results into tap_passed,
# tap_failed and tap_skipped, keeps the failures in tap_failures, and
# prints the line CI reads last: "N passed, N failed[, N skipped]".

tap_passed=0 tap_failed=0 tap_skipped=0
tap_failures=()
# tap_run_section's log file (the caller sets it) and more words for its
# section headers ("# --- NAME (limit Ns<tap_section_note>)").
tap_log=/dev/null
tap_section_note=

# tap_count SECTION FILE [STATUS]: adds FILE's TAP results ("ok N ...",
# "ok N ... # skip ...", "not ok N ...") to the totals; a failure is kept
# as "SECTION: <its line>". A section whose STATUS is not 0 without a
# failing test (a crash, a syntax error in a .bats file, a timeout in
# setup) counts as one failure of its own. A CR at a line's end (a serial
# console's) is dropped. With SECTION "-", a line "# --- NAME" names the
# section of the results after it (FILE before the first such line): one
# stream for several files, as the cgroup2 VM writes it.
tap_count() {
	local section="$1" file="$2" status="${3:-0}" line section_failed=0
	[[ "$section" == - ]] && section=$file
	while IFS= read -r line; do
		line="${line%$'\r'}"
		if [[ "$1" == - && "$line" == "# --- "* ]]; then
			section="${line#\# --- }"
		elif [[ "$line" =~ ^not\ ok\ [0-9]+ ]]; then
			tap_failed=$((tap_failed + 1)) section_failed=1
			tap_failures+=("$section: $line")
		elif [[ "$line" =~ ^ok\ [0-9]+.*\ \#\ [Ss][Kk][Ii][Pp] ]]; then
			tap_skipped=$((tap_skipped + 1))
		elif [[ "$line" =~ ^ok\ [0-9]+ ]]; then
			tap_passed=$((tap_passed + 1))
		fi
	done <"$file"
	if ((status != 0 && section_failed == 0)); then
		tap_fail "$section" "exited with status $status without a failing test"
	fi
}

# tap_fail SECTION MESSAGE: one more failure, one no TAP line reports.
tap_fail() {
	tap_failed=$((tap_failed + 1))
	tap_failures+=("$1: $2")
}

# tap_run_section NAME LIMIT COMMAND...: runs COMMAND with stdin from
# /dev/null (CI's stdin may be a pipe that never closes) and at most LIMIT
# seconds, streams its output and appends it to tap_log, and counts its TAP
# as section NAME. A section that overruns is killed and counts as failed,
# so a hung test can never eat CI's whole time budget.
tap_run_section() {
	local name="$1" limit="$2" out status started
	shift 2
	out=$(mktemp)
	started=$SECONDS
	echo "# --- $name (limit ${limit}s$tap_section_note)" | tee -a "$tap_log"
	timeout --kill-after=20 "$limit" "$@" </dev/null 2>&1 | tee "$out" | tee -a "$tap_log"
	status=${PIPESTATUS[0]}
	((status == 124 || status == 137)) && echo "# $name: killed after ${limit}s" | tee -a "$tap_log"
	echo "# $name: $((SECONDS - started))s" | tee -a "$tap_log"
	tap_count "$name" "$out" "$status"
	rm -f "$out"
}

# tap_host_unchanged BEFORE SNAPSHOT NAME [DETAIL]: a TAP stream of one
# test, NAME: ok ("ok 1 NAME DETAIL") when the output of the command
# SNAPSHOT has no line that BEFORE (its output before the tests) lacks:
# what the tests added or changed. A leftover the tests cleaned up is no
# failure; what the last test killed may take a moment to go, so it waits
# up to 10 s. Not ok: BEFORE and the lines added, as TAP comments.
tap_host_unchanged() {
	local before="$1" snapshot="$2" name="$3" detail="${4:+ $4}" added tries=20
	while added=$(comm -13 <(sort <<<"$before") <("$snapshot" | sort)); [[ -n "$added" ]] &&
		((tries-- > 0)); do
		sleep 0.5
	done
	if [[ -z "$added" ]]; then
		echo "ok 1 $name$detail"
	else
		echo "not ok 1 $name"
		echo "# before:"
		sed 's/^/#   /' <<<"$before"
		echo "# added or changed:"
		sed 's/^/#   /' <<<"$added"
		return 1
	fi
}

# tap_report_failures WHERE: "Failed:" and the failures, one a line, then
# WHERE (the logs to read); nothing when nothing failed.
tap_report_failures() {
	((${#tap_failures[@]} > 0)) || return 0
	echo
	echo "Failed:"
	printf '  %s\n' "${tap_failures[@]}"
	echo "$1"
}

# tap_summary: the last line, "N passed, N failed[, N skipped]".
tap_summary() {
	local s="$tap_passed passed, $tap_failed failed"
	((tap_skipped > 0)) && s+=", $tap_skipped skipped"
	echo "$s"
}
