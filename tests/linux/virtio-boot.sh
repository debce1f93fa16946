#!/bin/bash
# virtio-boot.sh NAME [TIMEOUT]: the virtio test under Bochs (tests/boot/virtio.cfg). Fetches
# Debian's kernel, builds the virtio initramfs (tests/linux/virtio/mkinitramfs-virtio.sh) and
# fresh disk images (tests/linux/virtio/mkdisk.sh: a and b for the Linux partitions, h for the
# hostile guest), and boots them on 3 Bochs CPUs (Plinth's own, one per Linux partition, the
# hostile guest sharing b's) with 1 GiB at 100M instructions per emulated second. The images'
# payload hashes land in build/boot/NAME/*.img.sha256 for the checks in tests/run.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
name=$1 limit=${2:-3600}
work=build/boot/$name
tests/linux/fetch-kernel.sh build/linux >/dev/null
tests/linux/virtio/mkinitramfs-virtio.sh build/linux >/dev/null
mkdir -p "$work/disks"
for d in a b h; do
	tests/linux/virtio/mkdisk.sh "$work/disks/$d.img" "$d" >/dev/null
done
BOCHS_IPS=100000000 BOCHS_MEGS=1024 \
	tests/boot/bochs.sh "$name" tests/boot/virtio.cfg "$limit" 3 \
	build/linux/vmlinuz:linux/vmlinuz build/linux/initramfs-virtio.cpio.gz:linux/initrd-virtio.gz \
	build/guests/virtio-hostile.bin:guests/virtio-hostile.bin \
	"$work/disks/a.img:disks/a.img" "$work/disks/b.img:disks/b.img" \
	"$work/disks/h.img:disks/h.img"
