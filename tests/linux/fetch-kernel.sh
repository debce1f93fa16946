#!/bin/bash
# fetch-kernel.sh OUTDIR: Debian's stock kernel, whatever version the archive serves for
# linux-image-amd64 today, downloaded with apt-get (never committed) and unpacked into OUTDIR:
# OUTDIR/vmlinuz, OUTDIR/modules/ (the .ko files the tests load), OUTDIR/VERSION with the
# package name, version and sha256 of the .deb and of vmlinuz. Reuses OUTDIR when it already
# holds the version the archive serves.
set -euo pipefail
out=$1
mkdir -p "$out"
out=$(cd "$out" && pwd)
pkg=$(apt-cache depends linux-image-amd64 | sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n1)
[ -n "$pkg" ] || { echo "fetch-kernel: linux-image-amd64 names no kernel package" >&2; exit 1; }
ver=$(apt-cache policy "$pkg" | sed -n 's/^ *Candidate: //p')
# Only what the guests need; the full module tree is ~300 MiB unpacked.
mods="virtio virtio_ring virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk
	virtio_net net_failover failover crc16 mbcache jbd2 ext4 crc32c_generic libcrc32c e1000"
mods=$(echo $mods) # one line, single spaces
if [ -f "$out/VERSION" ] && grep -qx "package $pkg $ver" "$out/VERSION" &&
	grep -qxF "modules $mods" "$out/VERSION" && [ -f "$out/vmlinuz" ]; then
	exit 0
fi
. "$(dirname "$0")/apt-fetch.sh"
apt_fetch "$pkg" "$ver"
cp "$work"/root/boot/vmlinuz-* "$out/vmlinuz"
rm -rf "$out/modules"
mkdir -p "$out/modules"
for m in $mods; do
	f=$(find "$work/root/lib/modules" -name "$m.ko*" | head -n1)
	[ -n "$f" ] && cp "$f" "$out/modules/"
done
{
	echo "package $pkg $ver"
	echo "modules $mods"
	echo "deb-sha256 $(sha256sum "$deb" | cut -d' ' -f1)"
	echo "vmlinuz-sha256 $(sha256sum "$out/vmlinuz" | cut -d' ' -f1)"
} >"$out/VERSION"
cat "$out/VERSION"
