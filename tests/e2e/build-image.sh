#!/bin/bash
# Builds the lane's image from Debian's busybox-static, once, under
# build/e2e/image/ (rebuilt only when busybox or this script changed):
#   rootfs/       busybox and its applet links, /etc/passwd and /etc/group
#                 with root and user (1000:1000), /tmp, /root, /home/user
#   rootfs.tar    that tree as a plain tar: `docker import`, `podman import`
#   oci.tar       an OCI image layout (oci-layout, index.json, blobs: config,
#                 manifest, one tar+gzip layer) for `ctr images import`
# Tars are reproducible (sorted, mtime 0, numeric root owner, gzip -n), so
# the digests only change when the content does.
set -euo pipefail
cd "$(dirname "$0")/../.."

out=build/e2e/image
busybox=/bin/busybox
# The image reference containerd knows the OCI tarball by.
ref=docker.io/library/e2e-busybox:latest

if [[ "$(ldd "$busybox" 2>&1 || true)" != *"not a dynamic"* ]]; then
	echo "build-image: $busybox is missing or not static; install busybox-static" >&2
	exit 1
fi

stamp=$(cat "$busybox" "$0" | sha256sum | cut -d" " -f1)
if [[ -f "$out/stamp" && "$(cat "$out/stamp")" == "$stamp" && -f "$out/oci.tar" && -f "$out/rootfs.tar" ]]; then
	exit 0
fi

rm -rf "$out"
mkdir -p "$out/rootfs"/{bin,dev,proc,sys,etc,root,home/user,tmp,var/tmp}
r=$out/rootfs
cp "$busybox" "$r/bin/busybox"
for applet in $("$busybox" --list); do
	[[ "$applet" == busybox ]] || ln -s busybox "$r/bin/$applet"
done
chmod 1777 "$r/tmp" "$r/var/tmp"
chmod 0700 "$r/root"
chown 1000:1000 "$r/home/user"
cat >"$r/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
user:x:1000:1000:user:/home/user:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat >"$r/etc/group" <<'GROUP'
root:x:0:
user:x:1000:
nogroup:x:65534:
GROUP
touch "$r/etc/hostname" "$r/etc/hosts" "$r/etc/resolv.conf"

tar_tree() { # tar_tree DIR OUT: a reproducible tar of DIR's content
	tar --sort=name --mtime=@0 --numeric-owner --owner=0 --group=0 \
		--format=posix --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
		-C "$1" -cf "$2" .
}
# Ownership is kept as is (user's home is 1000:1000): tar without --owner.
tar --sort=name --mtime=@0 --numeric-owner --format=posix \
	--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
	-C "$r" -cf "$out/rootfs.tar" .

# The OCI layout.
oci=$out/oci
blobs=$oci/blobs/sha256
mkdir -p "$blobs"
sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { stat -c %s "$1"; }
add_blob() { # add_blob FILE: moves FILE into blobs/, prints its digest
	local d
	d=$(sha "$1")
	mv "$1" "$blobs/$d"
	echo "$d"
}

diff_id=$(sha "$out/rootfs.tar")
gzip -n -c "$out/rootfs.tar" >"$oci/layer.tar.gz"
layer_size=$(size "$oci/layer.tar.gz")
layer=$(add_blob "$oci/layer.tar.gz")

arch=$(dpkg --print-architecture)
case "$arch" in
amd64 | arm64 | s390x | ppc64le | riscv64 | 386) ;;
armhf | armel) arch=arm ;;
i386) arch=386 ;;
esac

cat >"$oci/config.json" <<JSON
{"created":"1970-01-01T00:00:00Z","architecture":"$arch","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["/bin/sh"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]},"history":[{"created":"1970-01-01T00:00:00Z","created_by":"tests/e2e/build-image.sh: busybox-static"}]}
JSON
config_size=$(size "$oci/config.json")
config=$(add_blob "$oci/config.json")

cat >"$oci/manifest.json" <<JSON
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:$config","size":$config_size},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:$layer","size":$layer_size}]}
JSON
manifest_size=$(size "$oci/manifest.json")
manifest=$(add_blob "$oci/manifest.json")

echo '{"imageLayoutVersion":"1.0.0"}' >"$oci/oci-layout"
cat >"$oci/index.json" <<JSON
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:$manifest","size":$manifest_size,"platform":{"architecture":"$arch","os":"linux"},"annotations":{"io.containerd.image.name":"$ref","org.opencontainers.image.ref.name":"latest"}}]}
JSON
tar_tree "$oci" "$out/oci.tar"
rm -rf "$oci"

echo "$stamp" >"$out/stamp"
echo "build-image: $out (layer sha256:$layer, manifest sha256:$manifest)"
