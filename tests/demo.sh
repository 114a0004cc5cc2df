#!/bin/bash
# `make demo`: builds a bundle from Debian's busybox-static under
# build/demo and runs one container that shows it is isolated: its own
# hostname, berth-init as PID 1 with the workload beside it, root inside.
set -euo pipefail
cd "$(dirname "$0")/.."

berth=build/berth
bundle=build/demo
busybox=/bin/busybox

if ((EUID != 0)); then
	echo "demo: run as root (containers need namespaces, mounts and cgroups): sudo make demo" >&2
	exit 1
fi
if [[ "$(ldd "$busybox" 2>&1 || true)" != *"not a dynamic"* ]]; then
	echo "demo: $busybox is not static; install busybox-static" >&2
	exit 1
fi

# The rootfs: busybox and its applet links, a passwd for `id`.
rm -rf "$bundle"
mkdir -p "$bundle/rootfs"/{bin,dev,proc,sys,etc,tmp,root}
cp "$busybox" "$bundle/rootfs/bin/busybox"
for applet in $("$busybox" --list); do
	[[ "$applet" == busybox ]] || ln -sf busybox "$bundle/rootfs/bin/$applet"
done
echo 'root:x:0:0:root:/root:/bin/sh' >"$bundle/rootfs/etc/passwd"
echo 'root:x:0:' >"$bundle/rootfs/etc/group"

# The config: berth's default spec, no terminal, a hostname of its own.
(cd "$bundle" && "$OLDPWD/$berth" spec)
jq '.process.terminal = false
  | .hostname = "berth-demo"
  | .process.args = ["sh", "-c",
      "echo \"hostname: $(hostname)\"; echo \"user: $(id)\"; echo \"pid namespace: $(readlink /proc/self/ns/pid)\"; ps -o pid,user,comm; echo \"exiting with status 0\""]' \
	"$bundle/config.json" >"$bundle/config.json.new"
echo "host: hostname $(hostname), pid namespace $(readlink /proc/self/ns/pid)"
mv "$bundle/config.json.new" "$bundle/config.json"

id="demo-$$"
echo "+ berth run --bundle $bundle $id"
root=$(mktemp -d /tmp/berth-demo-root.XXXXXX)
trap 'rm -rf "$root"' EXIT
"$berth" --root "$root" run --bundle "$bundle" "$id" </dev/null
echo "+ exit status $?; the container is gone: $("$berth" --root "$root" list -q | wc -l) left"
