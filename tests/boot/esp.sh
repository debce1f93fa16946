#!/bin/bash
# esp.sh DIR CFG [FILE:DEST ...]: lays out an ESP tree with Plinth as the default boot entry.
# ESP_BARE=1 leaves Plinth out (CFG none): OVMF then runs the shell and its startup.nsh, which is
# how the benchmarks boot a kernel bare for comparison.
set -eu
dir=$1 cfg=$2
shift 2
rm -rf "$dir"
mkdir -p "$dir/EFI/BOOT"
[ "${ESP_BARE:-0}" = 1 ] || cp build/plinth.efi "$dir/EFI/BOOT/BOOTX64.EFI"
[ "$cfg" = none ] || cp "$cfg" "$dir/plinth.cfg"
for spec in "$@"; do
	mkdir -p "$dir/$(dirname "${spec#*:}")"
	cp "${spec%%:*}" "$dir/${spec#*:}"
done
