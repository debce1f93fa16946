#!/bin/bash
# boot.sh NAME [TIMEOUT]: the Linux boot test under Bochs. Fetches Debian's kernel and builds the
# initramfs (both into build/linux, never committed), fills today's UTC date into
# tests/boot/linux.cfg, and boots it on 3 Bochs CPUs (Plinth's own + 2 vCPUs) at 100M
# instructions per emulated second, typing on the console with tests/linux/console.script.
# The serial log is build/test-logs/NAME.serial.log; TIMEOUT is wall seconds (default 3600).
set -euo pipefail
cd "$(dirname "$0")/../.."
name=$1 limit=${2:-3600}
tests/linux/fetch-kernel.sh build/linux >/dev/null
tests/linux/mkinitramfs.sh build/linux >/dev/null
mkdir -p build/boot
sed "s/@TODAY@/$(date -u +%Y-%m-%d)/" tests/boot/linux.cfg >"build/boot/$name.cfg"
BOCHS_IPS=100000000 BOCHS_SERIAL_SCRIPT=tests/linux/console.script \
	tests/boot/bochs.sh "$name" "build/boot/$name.cfg" "$limit" 3 \
	build/linux/vmlinuz:linux/vmlinuz build/linux/initramfs.cpio.gz:linux/initramfs.gz \
	build/guests/apic.bin:guests/apic.bin
