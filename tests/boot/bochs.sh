#!/bin/bash
# bochs.sh NAME CFG TIMEOUT CPUS [FILE:DEST ...]: boots Plinth under Bochs (VMX with EPT) + OVMF
# from a FAT disk image; serial log in build/test-logs/NAME.serial.log. BOCHS_MODEL picks the CPU
# (default corei7_haswell_4770; corei7_skylake_x adds AVX-512); BOCHS_IPS sets instructions per
# emulated second (default 4000000: a Linux boot wants 100000000, or its timer ticks crowd out work);
# BOCHS_MEGS the emulated RAM in MiB (default 512).
# BOCHS_SERIAL_SCRIPT=FILE types on Plinth's console: COM1 becomes a TCP server on a free local
# port (Bochs waits for the client before it runs) and tests/boot/serial-driver.py plays FILE
# against the output while writing the same serial log; its own report lands in
# build/boot/NAME/serial-driver.log and its exit status in build/boot/NAME/serial-driver-status.
# BOCHS_SERIAL_INTERACTIVE=1 joins this terminal to COM1 instead (make run; Ctrl-] leaves).
# BOCHS_EXTRA: more bochsrc lines (e.g. an e1000 on slirp), relative paths in them from the
# run's directory build/boot/NAME.
set -u
cd "$(dirname "$0")/../.."
name=$1 cfg=$2 limit=$3 cpus=${4:-2}
shift 4
work=$PWD/build/boot/$name
log=$PWD/build/test-logs/$name.serial.log
mkdir -p build/test-logs
tests/boot/esp.sh "$work/esp" "$cfg" "$@"
rm -f "$log" "$work/esp.img" "$work/esp.img.lock"
# 130 cylinders x 16 heads x 63 sectors: a geometry Bochs derives from the size.
dd if=/dev/zero of="$work/esp.img" bs=516096 count=130 status=none
mformat -i "$work/esp.img" -t 130 -h 16 -s 63 ::
mcopy -s -i "$work/esp.img" "$work"/esp/* ::/
com1="com1: enabled=1, mode=file, dev=$log"
interactive=${BOCHS_SERIAL_INTERACTIVE:-0}
if [ -n "${BOCHS_SERIAL_SCRIPT:-}" ] || [ "$interactive" = 1 ]; then
	# A port free right now; nothing else on this machine binds ports at random in between.
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	com1="com1: enabled=1, mode=socket-server, dev=127.0.0.1:$port"
fi
if [ -n "${BOCHS_SERIAL_SCRIPT:-}" ]; then
	python3 tests/boot/serial-driver.py --port "$port" --log "$log" --script "$BOCHS_SERIAL_SCRIPT" \
		--timeout 120 2>"$work/serial-driver.log" &
	driver_pid=$!
fi
cat >"$work/bochsrc" <<RC
romimage: file=/usr/share/ovmf/OVMF.fd, address=0xffe00000
vgaromimage: file=/usr/share/vgabios/vgabios.bin
megs: ${BOCHS_MEGS:-512}
cpu: model=${BOCHS_MODEL:-corei7_haswell_4770}, count=$cpus, ips=${BOCHS_IPS:-4000000}
pci: enabled=1, chipset=i440fx
clock: sync=none, time0=local
ata0-master: type=disk, path=$work/esp.img, mode=flat
$com1
display_library: term
log: $work/bochs.log
panic: action=fatal
error: action=report
info: action=ignore
debug: action=ignore
${BOCHS_EXTRA:-}
RC
echo c >"$work/cont"
start=$(date +%s.%N)
if [ "$interactive" = 1 ]; then
	# make run: Bochs in the background, this terminal joined to COM1 until Ctrl-] or power-off.
	(cd "$work" && exec timeout "$limit" script -qc "bochs -q -f bochsrc -rc cont" /dev/null \
		</dev/null >"$work/bochs.out" 2>&1) &
	bochs_pid=$!
	python3 tests/boot/serial-driver.py --port "$port" --log "$log" --interactive --timeout 120
	# Bochs may be blocked on its socket and ignore TERM: KILL whatever is left after 5 s.
	for sig in TERM TERM TERM TERM TERM KILL; do
		left=0
		for p in $(pgrep -x bochs-bin) $(pgrep -x bochs); do
			[ "$(readlink "/proc/$p/cwd")" = "$work" ] && kill -"$sig" "$p" 2>/dev/null && left=1
		done
		[ "$left" = 0 ] && break
		sleep 1
	done
	wait "$bochs_pid"
	exit 0
fi
(cd "$work" && timeout --foreground "$limit" script -qc "bochs -q -f bochsrc -rc cont" /dev/null \
	</dev/null >"$work/bochs.out" 2>&1)
rc=$?
if [ -n "${driver_pid:-}" ]; then
	# Bochs has gone, so the connection is closed: the driver ends at once (else it never connected).
	wait "$driver_pid"
	printf '%s\n' "$?" >"$work/serial-driver-status"
fi
end=$(date +%s.%N)
printf '%s\n' "$rc" >"$work/exit-status"
awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f\n", e - s }' >"$work/seconds"
rm -f "$work/esp.img.lock"
exit 0
