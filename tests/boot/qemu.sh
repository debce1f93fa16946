#!/bin/bash
# qemu.sh NAME CFG TIMEOUT [FILE:DEST ...]: boots Plinth under QEMU/TCG + OVMF
# (4 CPUs, 512 MiB); the serial log lands in build/test-logs/NAME.serial.log.
# Returns when the guest leaves through isa-debug-exit, at the timeout, or as
# soon as the log matches $STOP_AT (for runs that end in the firmware).
set -u
cd "$(dirname "$0")/../.."
name=$1 cfg=$2 limit=$3
shift 3
work=build/boot/$name
log=build/test-logs/$name.serial.log
mkdir -p build/test-logs
tests/boot/esp.sh "$work/esp" "$cfg" "$@"
cp /usr/share/ovmf/OVMF.fd "$work/OVMF.fd"
start=$(date +%s.%N)
rm -f "$log"
timeout --foreground "$limit" qemu-system-x86_64 -accel tcg -cpu max -smp 4 -m 512 -machine pc \
	-bios "$work/OVMF.fd" -drive "format=raw,file=fat:rw:$work/esp" \
	-device isa-debug-exit,iobase=0xf4,iosize=4 -serial "file:$log" \
	-display none -vga none -net none -no-reboot </dev/null >"$work/qemu.out" 2>&1 &
pid=$!
if [ -n "${STOP_AT:-}" ]; then
	while kill -0 "$pid" 2>/dev/null; do
		if grep -qaE "$STOP_AT" "$log" 2>/dev/null; then
			sleep 0.5
			kill "$pid" 2>/dev/null
			break
		fi
		sleep 0.3
	done
fi
wait "$pid"
rc=$?
end=$(date +%s.%N)
printf '%s\n' "$rc" >"$work/exit-status"
awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f\n", e - s }' >"$work/seconds"
exit 0
