#!/bin/bash
# make_systemd_rootfs.sh ROOTFS: a minimal systemd root filesystem made from
# the host's own systemd (Debian's layout: merged /usr, units in
# /lib/systemd/system), busybox for a shell, and a default.target that
# starts one marker service and nothing else, so a boot takes well under a
# second. Used by systemd.bats; exits 2 when the host has no systemd.
set -euo pipefail

rootfs="$1"
systemd="${SYSTEMD:-/lib/systemd/systemd}"
busybox="${BUSYBOX:-/bin/busybox}"
# PID 1, the binary it runs to finish a shutdown, and systemctl
# (systemd-halt.service runs `systemctl --force halt`; the tests ask it
# whether the boot finished).
binaries=("$systemd" /lib/systemd/systemd-shutdown "$(command -v systemctl || echo /bin/systemctl)")

for bin in "${binaries[@]}" "$busybox"; do
	[[ -x "$bin" ]] || { echo "make_systemd_rootfs: $bin is missing" >&2; exit 2; }
done

rm -rf "$rootfs"
mkdir -p "$rootfs"/usr/{bin,sbin,lib,lib64} "$rootfs"/{dev,proc,sys,run,tmp,var,etc/systemd/system,root}
for dir in bin sbin lib lib64; do
	ln -s "usr/$dir" "$rootfs/$dir"
done

# copy_host_file PATH: PATH (symlinks followed) at the same path inside,
# through the rootfs's own /lib -> usr/lib links.
copy_host_file() {
	mkdir -p "$rootfs$(dirname "$1")"
	cp -L "$1" "$rootfs$1"
}

for bin in "${binaries[@]}"; do
	copy_host_file "$bin"
	# ldd's "name => /path (addr)" and "/lib64/ld-linux... (addr)" lines.
	for lib in $(ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
		[[ -e "$rootfs$lib" ]] || copy_host_file "$lib"
	done
done

cp "$busybox" "$rootfs/usr/bin/busybox"
for applet in $("$busybox" --list); do
	[[ -e "$rootfs/usr/bin/$applet" ]] || ln -s busybox "$rootfs/usr/bin/$applet"
done

# The host's units: halt.target, systemd-halt.service and what they
# require are how systemd stops on SIGRTMIN+3.
cp -a /lib/systemd/system "$rootfs/usr/lib/systemd/"

cat >"$rootfs/etc/os-release" <<'EOF'
NAME="berth systemd test"
ID=berth-test
PRETTY_NAME="berth systemd test rootfs"
EOF
: >"$rootfs/etc/machine-id"
printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/:/bin/sh' >"$rootfs/etc/passwd"
printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$rootfs/etc/group"

# default.target: the marker service only, no sysinit.target (whose
# services are not in this rootfs).
cat >"$rootfs/etc/systemd/system/default.target" <<'EOF'
[Unit]
Description=berth test boot
Requires=boot-marker.service
After=boot-marker.service
AllowIsolate=yes
EOF
# A service systemd starts in a cgroup of its own: it proves systemd can
# fork, exec and write its cgroup tree.
cat >"$rootfs/etc/systemd/system/boot-marker.service" <<'EOF'
[Unit]
Description=berth test boot marker
DefaultDependencies=no

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/sh -c 'cat /proc/self/cgroup >/run/boot-marker'
EOF
