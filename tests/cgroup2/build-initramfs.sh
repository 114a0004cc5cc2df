#!/bin/bash
# build-initramfs.sh KERNEL_RELEASE OUTPUT TEST...: builds the initramfs of
# the cgroup v2 lane (`make check-cgroup2`, see run.sh), an uncompressed
# newc cpio holding:
#   /init                   tests/cgroup2/init (busybox sh)
#   /berth/build/berth      and build/tools/*, the tests under
#   /berth/tests/integration/ (REPO_ROOT for helpers.bash is /berth)
#   /etc/berth-tests        the .bats files to run, one a line
#   /etc/berth-modules      kernel modules /init loads (modprobe)
#   bash, jq, coreutils, findutils, grep, sed, mawk, diffutils, util-linux,
#   procps, iproute2, kmod, perl: the host's binaries with the shared libraries
#   ldd names and the dynamic loader; busybox (static) for every applet no
#   host binary provides; bats-core, bats-support and bats-assert as Debian
#   packages them; the modules of KERNEL_RELEASE (the linux-image-amd64
#   package's, not necessarily the running kernel's) with their
#   dependencies and a fresh depmod.
# Runs as root on the Debian host that `tests/install-deps.sh --cgroup2`
# prepared; berth must be built (make all build/tools/recvtty).
set -euo pipefail
cd "$(dirname "$0")/../.."

kver="$1" out="$2"
shift 2
stage="${out%/*}/root"
# Modules berth's tests may need and Debian builds as modules (namespaces,
# seccomp, cgroup2, tmpfs, devpts, the 8250 serial ports are built in):
# loop for /dev/loop-control (device tests), null_blk for a block device
# (/dev/nullb0) and bfq for its io.bfq.weight (blockIO tests).
modules=(${CGROUP2_MODULES:-overlay loop null_blk bfq})

rm -rf "$stage"
mkdir -p "$stage"/{usr/bin,usr/sbin,usr/lib,usr/lib64,etc,proc,sys,dev,tmp,run,root,berth/build/tools,berth/tests}
# Debian 12's merged /usr.
for d in bin sbin lib lib64; do ln -s "usr/$d" "$stage/$d"; done
chmod 1777 "$stage/tmp"

declare -A copied=()
# copy_file PATH: PATH (symlinks followed) at the same path in the stage.
copy_file() {
	local f="$1"
	[[ -n "${copied[$f]:-}" ]] && return 0
	copied[$f]=1
	mkdir -p "$stage$(dirname "$f")"
	cp -L --preserve=mode "$f" "$stage$f"
}
# copy_libs PATH: the shared libraries (and loader) PATH needs, if any.
copy_libs() {
	local lib
	# Scripts and static binaries: ldd says "not a dynamic executable".
	for lib in $(ldd "$1" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
		copy_file "$lib"
	done
}
# copy_binary PATH: PATH (absolute) and its shared libraries.
copy_binary() {
	[[ -f "$1" && -x "$1" ]] || return 0
	copy_file "$1"
	copy_libs "$1"
}

# Host tools bats and the tests use (the GNU ones, as on the host).
for pkg in bash jq coreutils findutils grep sed mawk diffutils util-linux procps iproute2 kmod gzip perl-base; do
	dpkg -L "$pkg" 2>/dev/null | grep -E '^/(usr/)?s?bin/' | while read -r f; do
		if [[ -f "$f" && ! -L "$f" ]]; then echo "$f"; fi
	done
done | sort -u >"${out%/*}/binaries"
while read -r f; do copy_binary "$f"; done <"${out%/*}/binaries"
# Symlinks the alternatives system makes on the host; /bin/sh is busybox's
# ash (a POSIX sh, as dash is on the host).
ln -sf mawk "$stage/usr/bin/awk"
for tool in modprobe insmod lsmod depmod rmmod modinfo; do
	[[ -e "$stage/usr/sbin/$tool" ]] || ln -sf ../bin/kmod "$stage/usr/sbin/$tool"
done

# busybox: the tests' container rootfs ($BUSYBOX=/bin/busybox) and every
# applet the host tools above do not provide (switch_root, ip...).
cp /bin/busybox "$stage/usr/bin/busybox"
for applet in $(/bin/busybox --list-full); do
	[[ -e "$stage/$applet" || -L "$stage/$applet" ]] && continue
	# --list-full names bin/, sbin/, usr/bin/, usr/sbin/: all merged here.
	case "$applet" in
	sbin/* | usr/sbin/*) [[ -e "$stage/usr/sbin/${applet##*/}" ]] || ln -s ../bin/busybox "$stage/usr/sbin/${applet##*/}" ;;
	*) [[ -e "$stage/usr/bin/${applet##*/}" ]] || ln -s busybox "$stage/usr/bin/${applet##*/}" ;;
	esac
done

# bats-core (bash scripts) and its helper libraries.
for f in /usr/bin/bats; do copy_file "$f"; done
cp -a /usr/lib/bats-core "$stage/usr/lib/"
mkdir -p "$stage/usr/libexec" && cp -a /usr/libexec/bats-core "$stage/usr/libexec/"
cp -a /usr/lib/bats "$stage/usr/lib/"

# berth, its libraries, the tools and the tests.
install -m 0755 build/berth "$stage/berth/build/berth"
copy_libs build/berth
for tool in build/tools/*; do
	[[ -f "$tool" && -x "$tool" ]] || continue
	install -m 0755 "$tool" "$stage/berth/build/tools/"
	copy_libs "$tool"
done
cp -a tests/integration "$stage/berth/tests/"
printf '%s\n' "$@" >"$stage/etc/berth-tests"

# Kernel modules and their dependencies (modules.dep of the package).
moddir="/lib/modules/$kver"
: >"$stage/etc/berth-modules"
for mod in "${modules[@]}"; do
	paths=$(modprobe -S "$kver" --show-depends "$mod" 2>/dev/null | awk '$1 == "insmod" { print $2 }') || true
	if [[ -z "$paths" ]]; then
		echo "build-initramfs: module $mod: not in $moddir (built in?), skipped" >&2
		continue
	fi
	for f in $paths; do copy_file "$f"; done
	echo "$mod" >>"$stage/etc/berth-modules"
done
for f in modules.order modules.builtin modules.builtin.modinfo; do
	[[ -e "$moddir/$f" ]] && copy_file "$moddir/$f"
done
depmod -b "$stage" "$kver"

# The system files the tests expect on a host.
cat >"$stage/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/bash
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOF
cat >"$stage/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
echo berth-vm >"$stage/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 berth-vm\n::1 localhost\n' >"$stage/etc/hosts"
echo 'hosts: files' >"$stage/etc/nsswitch.conf"
: >"$stage/etc/fstab"
ln -s ../proc/self/mounts "$stage/etc/mtab"

install -m 0755 tests/cgroup2/init "$stage/init"

(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) >"$out.tmp"
mv "$out.tmp" "$out"
echo "build-initramfs: $out: $(du -h "$out" | cut -f1), $(wc -l <"${out%/*}/binaries") host binaries, kernel $kver, modules: ${modules[*]}"
