#!/bin/bash
# mkinitramfs-virtio.sh KERNELDIR: KERNELDIR/initramfs-virtio.cpio.gz for the two-partition
# virtio test (issue 8): Debian's busybox-static (as tests/linux/mkinitramfs.sh fetches it),
# tests/linux/virtio/init as /init (with uplink.sh and uplink-dhcp.sh for the uplink role), and the kernel modules the guest loads for the virtio PCI
# transport, virtio-blk, virtio-net, ext4 and e1000 (the echo role on an emulated e1000), taken from KERNELDIR/modules (filled by
# tests/linux/fetch-kernel.sh KERNELDIR) with their dependencies in load order
# (tests/linux/virtio/modorder.py) in /lib/modules/ORDER. Compressed modules (.ko.xz, .ko.zst,
# .ko.gz) are decompressed here because busybox insmod loads only plain ELF objects.
# KERNELDIR/INITRAMFS-VIRTIO-VERSION records what went in; rebuilds only when an input changed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kdir=$(cd "$1" && pwd)
out=$kdir/initramfs-virtio.cpio.gz
# The modules the init script needs; modorder.py adds what they depend on.
roots="virtio_pci virtio_blk virtio_net ext4 e1000"
[ -d "$kdir/modules" ] || { echo "mkinitramfs-virtio: no $kdir/modules (run fetch-kernel.sh)" >&2; exit 1; }
pkg=busybox-static
ver=$(apt-cache policy "$pkg" | sed -n 's/^ *Candidate: //p')
[ -n "$ver" ] && [ "$ver" != "(none)" ] || { echo "mkinitramfs-virtio: apt knows no $pkg" >&2; exit 1; }
inputs=$(cat "$here/init" "$here/uplink.sh" "$here/uplink-dhcp.sh" "$here/modorder.py" "$here/mkinitramfs-virtio.sh" "$here/../mkcpio.py" \
	"$kdir/VERSION" | sha256sum | cut -d' ' -f1)
stamp="package $pkg $ver inputs-sha256 $inputs"
if [ -f "$kdir/INITRAMFS-VIRTIO-VERSION" ] && grep -qxF "$stamp" "$kdir/INITRAMFS-VIRTIO-VERSION" &&
	[ -f "$out" ]; then
	exit 0
fi
. "$here/../apt-fetch.sh"
apt_fetch "$pkg" "$ver"
bb=$work/root/bin/busybox
[ -x "$bb" ] || { echo "mkinitramfs-virtio: $deb holds no bin/busybox" >&2; exit 1; }

mods=$work/modules
mkdir -p "$mods"
for f in "$kdir"/modules/*.ko*; do
	b=$(basename "$f")
	case "$b" in
	*.ko) cp "$f" "$mods/$b" ;;
	*.ko.xz) xz -dc "$f" >"$mods/${b%.xz}" ;;
	*.ko.zst) zstd -qdc "$f" >"$mods/${b%.zst}" ;;
	*.ko.gz) gzip -dc "$f" >"$mods/${b%.gz}" ;;
	*) echo "mkinitramfs-virtio: unknown module file $f" >&2; exit 1 ;;
	esac
done
# shellcheck disable=SC2086 # roots is a list of words
python3 "$here/modorder.py" "$mods" $roots >"$work/ORDER"
specs=()
while read -r m; do
	specs+=("file:lib/modules/$m:644:$mods/$m")
done <"$work/ORDER"
python3 "$here/../mkcpio.py" "$out.tmp" \
	dir:bin:755 dir:sbin:755 dir:usr:755 dir:usr/bin:755 dir:usr/sbin:755 \
	dir:dev:755 dir:proc:555 dir:sys:555 dir:tmp:1777 dir:root:700 dir:mnt:755 \
	dir:lib:755 dir:lib/modules:755 \
	char:dev/console:600:5:1 char:dev/ttyS0:660:4:64 char:dev/null:666:1:3 \
	file:bin/busybox:755:"$bb" link:bin/sh:busybox \
	file:lib/modules/ORDER:644:"$work/ORDER" "${specs[@]}" \
	file:init:755:"$here/init" file:uplink.sh:644:"$here/uplink.sh" \
	file:uplink-dhcp.sh:755:"$here/uplink-dhcp.sh"
mv "$out.tmp" "$out"
{
	echo "$stamp"
	echo "deb-sha256 $(sha256sum "$deb" | cut -d' ' -f1)"
	echo "modules $(tr '\n' ' ' <"$work/ORDER")"
	echo "initramfs-sha256 $(sha256sum "$out" | cut -d' ' -f1)"
} >"$kdir/INITRAMFS-VIRTIO-VERSION"
cat "$kdir/INITRAMFS-VIRTIO-VERSION"
