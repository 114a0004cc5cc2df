#!/bin/bash
# make bench: berth against runc, crun and a floor (bench/floor.c, only what
# any container start must do), measured on the machine at hand.
#
# Absolute times drift by 30% between runs on a shared VM, so every figure
# is also a ratio to the peers measured in the same run: the runtimes take
# turns round by round (berth, runc, crun, floor, then again) and the ratio
# quoted is the median of the per-round ratios. Prints min, median and max
# per runtime and a markdown table of the medians and ratios with the
# targets (also written to build/bench.md).
#
# Every runtime runs in a private mount namespace whose /sys/fs/cgroup is a
# tmpfs holding only the v1 hierarchies (crun 1.8 refuses the hybrid
# layout), and in a private pid namespace whose PID 1 (build/bench/timeit
# --reaper) collects orphans. berth alone is also checked once on the host's
# layout as it is. Containers are named bench-<tag>-..., each runtime has
# its own --root under a temporary directory, and everything is removed on
# exit.
#
# Environment: BENCH_ROUNDS (lifecycle and seccomp rounds, default 30),
# BENCH_ROUNDS_SHORT (create/start/delete and exec, default 20),
# BENCH_KEEP (set: the temporary directory and its log are kept),
# BENCH_ROUNDS_COLD (lifecycle after an idle pause, 10), BENCH_ROUNDS_RSS
# (5), BENCH_ROUNDS_STRACE (3), BENCH_PAR_ROUNDS (the 100-container test,
# 3), BENCH_PAR_N (100); BERTH (the binary measured, build/berth). About a
# minute on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

ROUNDS=${BENCH_ROUNDS:-30}
ROUNDS_SHORT=${BENCH_ROUNDS_SHORT:-20}
ROUNDS_COLD=${BENCH_ROUNDS_COLD:-10}
ROUNDS_RSS=${BENCH_ROUNDS_RSS:-5}
ROUNDS_STRACE=${BENCH_ROUNDS_STRACE:-3}
PAR_ROUNDS=${BENCH_PAR_ROUNDS:-3}
PAR_N=${BENCH_PAR_N:-100}
PAR_J=4

TIMEIT=$repo/build/bench/timeit
FLOOR=$repo/build/bench/floor
BERTH=${BERTH:-$repo/build/berth}

log() { printf 'bench: %s\n' "$*" >&2; }
die() {
	log "$*"
	exit 1
}

# ---------------------------------------------------------------------------
# Inside the private namespaces (bench/run.sh --inner DIR TAG RUNTIMES).

# /sys/fs/cgroup as a tmpfs holding the v1 hierarchies only (no unified):
# built aside, the host's hierarchies unmounted (hidden under a tmpfs they
# would still be listed in mountinfo), then moved in their place.
private_cgroup_root() {
	local stage=$T/cgroot mp link
	mkdir -p "$stage"
	mount -t tmpfs -o mode=0755,nosuid,nodev,noexec bench-cgroup "$stage"
	while read -r mp; do
		mkdir "$stage/${mp##*/}"
		mount --bind "$mp" "$stage/${mp##*/}"
	done < <(awk '{ for (i = 7; $i != "-"; i++); if ($(i + 1) == "cgroup" && $5 ~ "^/sys/fs/cgroup/") print $5 }' \
		/proc/self/mountinfo)
	# The symlinks of co-mounted controllers (cpu -> cpu,cpuacct...).
	while read -r link; do
		cp -P "$link" "$stage/"
	done < <(find /sys/fs/cgroup -mindepth 1 -maxdepth 1 -type l)
	umount -R /sys/fs/cgroup
	mount --move "$stage" /sys/fs/cgroup
	[[ ! -e /sys/fs/cgroup/unified ]] || die "private /sys/fs/cgroup still has unified"
}

rec() { echo "$1 $2 $3 $4" >>"$T/data"; }

# rt_cmd RT: the runtime's command line (array RT_CMD).
rt_cmd() {
	case "$1" in
	berth) RT_CMD=("$BERTH" --root "$T/root-berth") ;;
	runc) RT_CMD=(/usr/sbin/runc --root "$T/root-runc") ;;
	crun) RT_CMD=("$(command -v crun)" --root "$T/root-crun") ;;
	*) die "no runtime $1" ;;
	esac
}

MEASURE_STDIN=/dev/null
# measure METRIC ROUND RT CMD [ARG...] [::: CMD...]: the wall and cpu time
# (microseconds) of the commands, as METRIC.wall and METRIC.cpu; their stdin
# is $MEASURE_STDIN.
measure() {
	local metric=$1 round=$2 rt=$3 wall cpu
	shift 3
	: >"$T/t"
	if ! "$TIMEIT" -o "$T/t" "$@" <"$MEASURE_STDIN" >>"$T/log" 2>&1; then
		log "$metric round $round: $rt failed (last lines of the log:)"
		tail -n 5 "$T/log" >&2
		echo "$rt $metric" >>"$T/failures"
		return 1
	fi
	read -r wall cpu _ <"$T/t"
	rec "$metric.wall" "$round" "$rt" "$wall"
	rec "$metric.cpu" "$round" "$rt" "$cpu"
}

# wait_stopped RT ID: until the container's status is "stopped".
wait_stopped() {
	local i status
	for ((i = 0; i < 500; i++)); do
		status=$("${RT_CMD[@]}" state "$2" 2>/dev/null | jq -r .status) || true
		[[ "$status" == stopped ]] && return 0
		sleep 0.01
	done
	log "$1: $2 did not stop"
	return 1
}

# delete_ours: every container of this run still known to a runtime.
delete_ours() {
	local rt id
	for rt in "${runtimes[@]}"; do
		rt_cmd "$rt"
		[[ -d "$T/root-$rt" ]] || continue
		while read -r id; do
			if [[ "$id" == "bench-$tag-"* ]]; then
				"${RT_CMD[@]}" delete -f "$id" >>"$T/log" 2>&1 || true
			fi
		done < <("${RT_CMD[@]}" list -q 2>/dev/null || true)
	done
}

inner() {
	local rt r id pid rss calls runtimes_all
	T=$1 tag=$2
	read -r -a runtimes <<<"$3"
	runtimes_all=("${runtimes[@]}" floor)
	trap delete_ours EXIT
	private_cgroup_root

	# One run each first (and the caches warm): a runtime that cannot run
	# the bundle here is left out (n/a) rather than failing the bench.
	local ok=()
	for rt in "${runtimes[@]}"; do
		rt_cmd "$rt"
		id=bench-$tag-warm-$rt
		if "${RT_CMD[@]}" run --bundle "$T/b-true" "$id" </dev/null >>"$T/log" 2>&1 &&
			"${RT_CMD[@]}" delete -f "$id" >>"$T/log" 2>&1; then
			ok+=("$rt")
		else
			"${RT_CMD[@]}" delete -f "$id" >>"$T/log" 2>&1 || true
			[[ "$rt" != berth ]] || die "berth cannot run the bundle: $(tail -n 3 "$T/log")"
			log "$rt cannot run the bundle here: left out ($(tail -n 1 "$T/log"))"
		fi
	done
	runtimes=("${ok[@]}")
	runtimes_all=("${runtimes[@]}" floor)
	echo "${runtimes[*]}" >"$T/runtimes"
	"$FLOOR" "$T/rootfs" || die "the floor cannot run"

	log "1. lifecycle (run + delete), $ROUNDS rounds"
	for ((r = 1; r <= ROUNDS; r++)); do
		for rt in "${runtimes_all[@]}"; do
			if [[ "$rt" == floor ]]; then
				measure life "$r" floor "$FLOOR" "$T/rootfs" || true
				continue
			fi
			rt_cmd "$rt"
			id=bench-$tag-life-$rt-$r
			measure life "$r" "$rt" "${RT_CMD[@]}" run --bundle "$T/b-true" "$id" \
				::: "${RT_CMD[@]}" delete -f "$id" || "${RT_CMD[@]}" delete -f "$id" >>"$T/log" 2>&1 || true
		done
	done

	# Back to back, a v1 cgroup migration is cheap; after a pause the
	# first one waits for an RCU grace period (cgroup_threadgroup_rwsem),
	# ~10-20 ms here, floor included. Both regimes matter: measured apart.
	log "1b. lifecycle after 0.2 s idle, $ROUNDS_COLD rounds"
	for ((r = 1; r <= ROUNDS_COLD; r++)); do
		for rt in "${runtimes_all[@]}"; do
			sleep 0.2
			if [[ "$rt" == floor ]]; then
				measure cold "$r" floor "$FLOOR" "$T/rootfs" || true
				continue
			fi
			rt_cmd "$rt"
			id=bench-$tag-cold-$rt-$r
			measure cold "$r" "$rt" "${RT_CMD[@]}" run --bundle "$T/b-true" "$id" \
				::: "${RT_CMD[@]}" delete -f "$id" || "${RT_CMD[@]}" delete -f "$id" >>"$T/log" 2>&1 || true
		done
	done

	log "2. create, start, delete, $ROUNDS_SHORT rounds (and the created container's PID 1)"
	for ((r = 1; r <= ROUNDS_SHORT; r++)); do
		for rt in "${runtimes[@]}"; do
			rt_cmd "$rt"
			id=bench-$tag-csd-$rt-$r
			if measure create "$r" "$rt" "${RT_CMD[@]}" create --bundle "$T/b-true" "$id"; then
				pid=$("${RT_CMD[@]}" state "$id" | jq -r .pid)
				rss=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
				[[ "$rss" =~ ^[0-9]+$ ]] && rec pid1rss "$r" "$rt" "$rss"
				measure start "$r" "$rt" "${RT_CMD[@]}" start "$id" && wait_stopped "$rt" "$id" &&
					measure delete "$r" "$rt" "${RT_CMD[@]}" delete "$id" && continue
			fi
			"${RT_CMD[@]}" delete -f "$id" >>"$T/log" 2>&1 || true
		done
	done

	log "3. exec of /bin/true into a running container, $ROUNDS_SHORT rounds"
	for rt in "${runtimes[@]}"; do
		rt_cmd "$rt"
		"${RT_CMD[@]}" run -d --bundle "$T/b-sleep" "bench-$tag-exec-$rt" </dev/null >>"$T/log" 2>&1 ||
			die "$rt: cannot start the container to exec into"
	done
	for ((r = 1; r <= ROUNDS_SHORT; r++)); do
		for rt in "${runtimes[@]}"; do
			rt_cmd "$rt"
			measure exec "$r" "$rt" "${RT_CMD[@]}" exec "bench-$tag-exec-$rt" /bin/true || true
		done
	done
	for rt in "${runtimes[@]}"; do
		rt_cmd "$rt"
		"${RT_CMD[@]}" delete -f "bench-$tag-exec-$rt" >>"$T/log" 2>&1
	done

	log "4. peak RSS of run (/usr/bin/time), $ROUNDS_RSS rounds"
	for ((r = 1; r <= ROUNDS_RSS; r++)); do
		for rt in "${runtimes_all[@]}"; do
			: >"$T/rss"
			if [[ "$rt" == floor ]]; then
				/usr/bin/time -f %M -o "$T/rss" "$FLOOR" "$T/rootfs" || true
			else
				rt_cmd "$rt"
				id=bench-$tag-rss-$rt-$r
				/usr/bin/time -f %M -o "$T/rss" "${RT_CMD[@]}" run --bundle "$T/b-true" "$id" </dev/null >>"$T/log" 2>&1 || true
				"${RT_CMD[@]}" delete -f "$id" >>"$T/log" 2>&1 || true
			fi
			rss=$(tail -n 1 "$T/rss" || true)
			[[ "$rss" =~ ^[0-9]+$ ]] && rec rss "$r" "$rt" "$rss"
		done
	done

	log "5. $PAR_N containers, $PAR_J at a time, run and deleted, $PAR_ROUNDS rounds"
	seq "$PAR_N" >"$T/seq"
	MEASURE_STDIN=$T/seq
	for ((r = 1; r <= PAR_ROUNDS; r++)); do
		for rt in "${runtimes_all[@]}"; do
			if [[ "$rt" == floor ]]; then
				measure par "$r" floor -- xargs -P "$PAR_J" -I{} "$TIMEIT" -o /dev/null "$FLOOR" "$T/rootfs" || true
				continue
			fi
			rt_cmd "$rt"
			id=bench-$tag-par$r-$rt-{}
			measure par "$r" "$rt" -- xargs -P "$PAR_J" -I{} "$TIMEIT" -o /dev/null \
				"${RT_CMD[@]}" run --bundle "$T/b-true" "$id" ::: "${RT_CMD[@]}" delete -f "$id" || delete_ours
		done
	done
	MEASURE_STDIN=/dev/null

	log "6. syscalls of one run (strace -f -c), $ROUNDS_STRACE rounds"
	for ((r = 1; r <= ROUNDS_STRACE; r++)); do
		for rt in "${runtimes_all[@]}"; do
			: >"$T/strace"
			if [[ "$rt" == floor ]]; then
				strace -f -c -o "$T/strace" "$FLOOR" "$T/rootfs" >>"$T/log" 2>&1 || true
			else
				rt_cmd "$rt"
				id=bench-$tag-strace-$rt-$r
				strace -f -c -o "$T/strace" "${RT_CMD[@]}" run --bundle "$T/b-true" "$id" </dev/null >>"$T/log" 2>&1 || true
				"${RT_CMD[@]}" delete -f "$id" >>"$T/log" 2>&1 || true
			fi
			calls=$(awk '$NF == "total" { print $4 }' "$T/strace" || true)
			[[ "$calls" =~ ^[0-9]+$ ]] && rec syscalls "$r" "$rt" "$calls"
			# The busiest calls of berth's last run, for the report.
			[[ "$rt" != berth ]] || cp "$T/strace" "$T/strace-berth"
		done
	done

	log "7. lifecycle with a Docker-like seccomp profile, $ROUNDS rounds"
	for ((r = 1; r <= ROUNDS; r++)); do
		for rt in "${runtimes[@]}"; do
			rt_cmd "$rt"
			id=bench-$tag-sec-$rt-$r
			measure sec "$r" "$rt" "${RT_CMD[@]}" run --bundle "$T/b-sec" "$id" \
				::: "${RT_CMD[@]}" delete -f "$id" || "${RT_CMD[@]}" delete -f "$id" >>"$T/log" 2>&1 || true
		done
	done
}

if [[ "${1:-}" == --inner ]]; then
	inner "$2" "$3" "$4"
	exit 0
fi

# ---------------------------------------------------------------------------
# Outside: installs, builds, the bundle, then the namespaces, then the table.

((EUID == 0)) || die "must run as root (containers, cgroups, mounts)"
started=$SECONDS

# shellcheck source=tests/lib/apt.bash
source "$repo/tests/lib/apt.bash"
apt_install_missing bench runc strace time busybox-static jq util-linux golang-github-containers-common
have_crun=1
apt_install_missing bench crun || have_crun=0
command -v crun >/dev/null || have_crun=0
((have_crun)) || log "crun is not installed: its columns are n/a"

"${MAKE:-make}" --no-print-directory -s -C "$repo" all
mkdir -p "$repo/build/bench"
for prog in timeit floor; do
	if [[ ! -x "$repo/build/bench/$prog" || "$repo/bench/$prog.c" -nt "$repo/build/bench/$prog" ]]; then
		"${CC:-cc}" -std=gnu11 -Wall -Wextra -Werror -Wshadow -O2 -o "$repo/build/bench/$prog" "$repo/bench/$prog.c"
	fi
done

T=$(mktemp -d /tmp/berth-bench.XXXXXX)
tag=$(printf '%04x' $((RANDOM)))
marker=$T/marker
touch "$marker"
cleanup() {
	local d
	# Cgroups of this run a runtime left behind (none, if delete works).
	while read -r d; do
		log "left behind: $d (removed)"
		rmdir "$d" 2>/dev/null || true
	done < <(find /sys/fs/cgroup -mindepth 2 -depth -type d -name "*bench-$tag-*" 2>/dev/null)
	if [[ -n "${BENCH_KEEP:-}" ]]; then
		log "kept $T"
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT

# A copy of berth (berth-init is inside): a rebuild in the tree during the
# run does not change what is measured.
cp "$BERTH" "$T/berth"
export BERTH=$T/berth

# The bundle: busybox, /bin/true as its applet, `berth spec` config without
# seccomp and terminal; b-sleep for exec, b-sec with the seccomp profile,
# all on the same read-only rootfs. ociVersion 1.0.2: crun 1.8 refuses
# berth's 1.2.0 ("unknown version specified").
rootfs=$T/rootfs
mkdir -p "$rootfs"/{bin,proc,sys,dev,tmp,etc}
cp /bin/busybox "$rootfs/bin/busybox"
for applet in true sleep sh; do
	ln -s busybox "$rootfs/bin/$applet"
done
(cd "$T" && "$BERTH" spec)
jq --arg root "$rootfs" '.ociVersion = "1.0.2" | .process.terminal = false | .process.args = ["/bin/true"] |
	.root.path = $root | del(.linux.seccomp)' "$T/config.json" >"$T/true.json"
rm "$T/config.json"

# Docker's default profile (the one Podman ships): its allow rules without
# argument filters or capability conditions, those for x86 included; the
# default is errno EPERM. Runtimes skip names this libseccomp lacks.
profile=/usr/share/containers/seccomp.json
[[ -r "$profile" ]] || die "no $profile (golang-github-containers-common)"
jq '{ defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 1,
	architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
	syscalls: [{ names: [.syscalls[] | select(.action == "SCMP_ACT_ALLOW" and (.args // [] | length) == 0 and
		((.includes // {}) == {} or (.includes | keys == ["arches"] and any(.arches[]; . == "amd64"))) and
		(.excludes // {} | length) == 0) | .names[]] | unique,
		action: "SCMP_ACT_ALLOW" }] }' "$profile" >"$T/seccomp.json"
nsyscalls=$(jq '.syscalls[0].names | length' "$T/seccomp.json")
for b in true sleep sec; do
	mkdir -p "$T/b-$b"
done
cp "$T/true.json" "$T/b-true/config.json"
jq '.process.args = ["/bin/sleep", "3600"]' "$T/true.json" >"$T/b-sleep/config.json"
jq --slurpfile sc "$T/seccomp.json" '.linux.seccomp = $sc[0]' "$T/true.json" >"$T/b-sec/config.json"

# berth on the host's own cgroup layout (hybrid here), once.
if ! "$BERTH" --root "$T/root-host" run --bundle "$T/b-true" "bench-$tag-host" </dev/null >>"$T/log" 2>&1 ||
	! "$BERTH" --root "$T/root-host" delete -f "bench-$tag-host" >>"$T/log" 2>&1; then
	tail -n 5 "$T/log" >&2
	die "berth cannot run the bundle on this host's cgroup layout"
fi

runtimes=(berth runc)
((have_crun)) && runtimes+=(crun)
log "runtimes: ${runtimes[*]} and the floor; seccomp profile: $nsyscalls syscalls allowed; temp dir $T"
unshare --mount --pid --fork --mount-proc --propagation private \
	"$TIMEIT" --reaper "$repo/bench/run.sh" --inner "$T" "$tag" "${runtimes[*]}"
read -r -a runtimes <"$T/runtimes"

# Static figures: binary size (KiB) and shared libraries loaded.
declare -A bin=([berth]="$BERTH" [runc]=/usr/sbin/runc [floor]="$FLOOR")
((have_crun)) && bin[crun]=$(command -v crun)
for rt in "${!bin[@]}"; do
	f=$(readlink -f "${bin[$rt]}")
	rec size 1 "$rt" $(($(stat -c %s "$f") / 1024))
	rec libs 1 "$rt" "$(ldd "$f" 2>/dev/null | grep -cv -e linux-vdso -e 'not a dynamic' || true)"
done

# ---------------------------------------------------------------------------
# The tables. data: "METRIC ROUND RUNTIME VALUE" lines.
elapsed=$((SECONDS - started))
metrics='life.wall|lifecycle: run + delete, wall (ms)|1000|1|crun<=0.5 floor<=1.6
life.cpu|lifecycle: run + delete, cpu (ms)|1000|1|crun<=0.4
cold.wall|lifecycle after 0.2 s idle, wall (ms)|1000|1|
cold.cpu|lifecycle after 0.2 s idle, cpu (ms)|1000|1|
create.wall|create, wall (ms)|1000|1|
start.wall|start, wall (ms)|1000|1|
delete.wall|delete, wall (ms)|1000|1|
exec.wall|exec /bin/true, wall (ms)|1000|1|crun<=0.5
exec.cpu|exec /bin/true, cpu (ms)|1000|1|
sec.wall|lifecycle with seccomp profile, wall (ms)|1000|1|crun<=0.5
sec.cpu|lifecycle with seccomp profile, cpu (ms)|1000|1|
rss|peak RSS of run (KiB)|1|0|crun<=0.6
pid1rss|created container PID 1 VmRSS (KiB)|1|0|abs<200
syscalls|syscalls per run (strace -f -c)|1|0|crun<=0.3
par.wall|100 containers 4 at a time, wall (s)|1000000|2|
size|binary size (KiB)|1|0|
libs|shared libraries loaded|1|0|'
{
	echo "## make bench: berth $(git -C "$repo" describe --always --dirty 2>/dev/null || echo '?') on $(uname -r), $(nproc) cpus, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	echo "Medians; ratios are medians of per-round ratios (runtimes interleaved each round). runc $(/usr/sbin/runc --version | awk 'NR == 1 { print $3 }'), crun $( ((have_crun)) && crun --version | awk 'NR == 1 { print $3 }' || echo n/a), $ROUNDS lifecycle rounds, seccomp profile of $nsyscalls syscalls, total time ${elapsed}s."
	echo
	BENCH_METRICS=$metrics awk -f "$repo/bench/report.awk" "$T/data"
	echo
	echo "The lifecycle runs back to back: a v1 cgroup migration right after another is cheap. After a pause the first one waits for an RCU grace period (cgroup_threadgroup_rwsem), which the row \"after 0.2 s idle\" shows, floor included."
	if [[ -s "$T/strace-berth" ]]; then
		echo
		echo "berth's busiest syscalls in one run (strace -f -c, calls): $(awk '$NF != "total" && $4 ~ /^[0-9]+$/ { print $4, $NF }' "$T/strace-berth" |
			sort -rn | head -n 12 | paste -sd, - | sed 's/,/, /g')."
	fi
	if [[ -s "$T/failures" ]]; then
		echo
		echo "Failed measurements (left out of the figures): $(sort "$T/failures" | uniq -c | awk '{ print $2 " " $3 " x" $1 }' | paste -sd, - | sed 's/,/, /g'). Their errors:"
		echo
		grep -E '^(berth|runc|crun|floor|timeit|time=)' "$T/log" | sort | uniq -c | sort -rn | head -n 5 | sed 's/^ */    /'
	fi
} >"$repo/build/bench.md"
cat "$repo/build/bench.md"
if [[ -s "$T/failures" ]]; then
	log "failed measurements: $(sort "$T/failures" | uniq -c | paste -sd, -)"
	# A failing berth fails the bench; a peer's failure only costs its figures.
	! grep -q '^berth ' "$T/failures" || exit 1
fi
log "done in $((SECONDS - started))s: build/bench.md"
