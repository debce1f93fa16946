#!/bin/bash
# mkinitramfs.sh OUTDIR: OUTDIR/initramfs.cpio.gz for the Linux boot test (tests/boot/linux.cfg):
# Debian's busybox-static, whatever version the archive serves today, downloaded with apt-get
# (never committed), and tests/linux/init as /init. /dev/console and /dev/ttyS0 are device
# nodes inside the archive (tests/linux/mkcpio.py), so neither root nor mknod is needed.
# OUTDIR/BUSYBOX-VERSION records the package version and the sha256 of the .deb, the busybox
# binary and the archive. Rebuilds only when the version, the init script or mkcpio.py changed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$1
mkdir -p "$out"
out=$(cd "$out" && pwd)
pkg=busybox-static
ver=$(apt-cache policy "$pkg" | sed -n 's/^ *Candidate: //p')
[ -n "$ver" ] && [ "$ver" != "(none)" ] || { echo "mkinitramfs: apt knows no $pkg" >&2; exit 1; }
stamp="package $pkg $ver init-sha256 $(cat "$here/init" "$here/mkcpio.py" | sha256sum | cut -d' ' -f1)"
if [ -f "$out/BUSYBOX-VERSION" ] && grep -qxF "$stamp" "$out/BUSYBOX-VERSION" &&
	[ -f "$out/initramfs.cpio.gz" ]; then
	exit 0
fi
. "$(dirname "$0")/apt-fetch.sh"
apt_fetch "$pkg" "$ver"
bb=$work/root/bin/busybox
[ -x "$bb" ] || { echo "mkinitramfs: $deb holds no bin/busybox" >&2; exit 1; }
# /init links the applets it needs itself (busybox --install -s); sh must exist for its #!.
python3 "$here/mkcpio.py" "$out/initramfs.cpio.gz.tmp" \
	dir:bin:755 dir:sbin:755 dir:usr:755 dir:usr/bin:755 dir:usr/sbin:755 \
	dir:dev:755 dir:proc:555 dir:sys:555 dir:tmp:1777 dir:root:700 \
	char:dev/console:600:5:1 char:dev/ttyS0:660:4:64 char:dev/null:666:1:3 \
	file:bin/busybox:755:"$bb" link:bin/sh:busybox \
	file:init:755:"$here/init"
mv "$out/initramfs.cpio.gz.tmp" "$out/initramfs.cpio.gz"
{
	echo "$stamp"
	echo "deb-sha256 $(sha256sum "$deb" | cut -d' ' -f1)"
	echo "busybox-sha256 $(sha256sum "$bb" | cut -d' ' -f1)"
	echo "initramfs-sha256 $(sha256sum "$out/initramfs.cpio.gz" | cut -d' ' -f1)"
} >"$out/BUSYBOX-VERSION"
cat "$out/BUSYBOX-VERSION"
