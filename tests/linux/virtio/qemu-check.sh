#!/bin/bash
# qemu-check.sh [MODE [TIMEOUT]]: the guest side of the two-partition virtio test under plain
# QEMU (TCG), without Plinth: the same kernel, initramfs (tests/linux/virtio/mkinitramfs-virtio.sh)
# and disk images (tests/linux/virtio/mkdisk.sh) as the Plinth test, in two QEMU instances with
# a modern-only virtio-blk-pci and virtio-net-pci each, their NICs joined by a QEMU socket
# netdev on 127.0.0.1. Guest a reboots once (QEMU resets it) and powers off; b powers off.
# Then every expected PLINTH-PASS line must be in the logs, no PLINTH-FAIL, the hashes must
# agree across guests and with the host's, and both images must pass e2fsck. MODE:
#   together   both guests start at once (default)
#   a-late     a starts VIRTIO_QEMU_DELAY (default 45) wall seconds after b
#   b-late     b starts that much after a: the waits for the peer must cover it
#   alone-b    b alone with plinth.peerwait=15: it must print FAIL ping-10.0.0.1, write its
#              disk, and power off by itself (the timeout path, which must not hang)
# Logs, with wall seconds since the start on each line, go to build/virtio-qemu/{a,b}.log.
# TIMEOUT is wall seconds per instance (default 900). VIRTIO_QEMU_PORT picks the socket port;
# VIRTIO_QEMU_INTX=1 gives the devices no MSI-X vectors, so the drivers use the PCI INTx line.
set -euo pipefail
cd "$(dirname "$0")/../../.."
mode=${1:-together} limit=${2:-900}
delay=${VIRTIO_QEMU_DELAY:-45}
vec=
[ "${VIRTIO_QEMU_INTX:-0}" = 1 ] && vec=,vectors=0
case "$mode" in
together | a-late | b-late | alone-b) ;;
*) echo "qemu-check: unknown mode '$mode'" >&2; exit 2 ;;
esac
out=build/virtio-qemu
port=${VIRTIO_QEMU_PORT:-$((20000 + RANDOM % 20000))}
t_start=$(date +%s.%N)
tests/linux/fetch-kernel.sh build/linux >/dev/null
tests/linux/virtio/mkinitramfs-virtio.sh build/linux >/dev/null
mkdir -p "$out"
tests/linux/virtio/mkdisk.sh "$out/a.img" a >/dev/null
tests/linux/virtio/mkdisk.sh "$out/b.img" b >/dev/null
echo "qemu-check: images and initramfs ready in $(python3 -c "print(f'{$(date +%s.%N) - $t_start:.1f}')") s"

# stamp: each console line with the wall seconds since t_start, carriage returns dropped.
stamp() {
	python3 -u -c '
import sys, time
t0 = float(sys.argv[1])
for line in sys.stdin.buffer:
    sys.stdout.write("%7.2f %s\n" % (time.time() - t0, line.decode("utf-8", "replace").rstrip("\r\n")))
    sys.stdout.flush()
' "$t_start"
}

# guest ROLE NETDEV MAC [CMDLINE...]: one QEMU instance, its console stamped into $out/ROLE.log.
guest() {
	timeout "$limit" qemu-system-x86_64 -accel tcg -m 256 -smp 1 -nodefaults -no-user-config \
		-display none -serial stdio -monitor none \
		-kernel build/linux/vmlinuz -initrd build/linux/initramfs-virtio.cpio.gz \
		-append "console=ttyS0 plinth.virtio=$1${4:+ $4}" \
		-drive "if=none,id=d,format=raw,file=$out/$1.img" \
		-device "virtio-blk-pci,drive=d,disable-legacy=on$vec" \
		-netdev "socket,id=n,$2" -device "virtio-net-pci,netdev=n,disable-legacy=on,mac=$3$vec" \
		</dev/null 2>&1 | stamp >"$out/$1.log"
}

# listener ROLE NETDEV MAC [CMDLINE]: a guest whose QEMU listens on the socket port, returned
# once the port is open. Polled with ss: a probe connection would be the one QEMU accepts.
listener() {
	guest "$@" &
	for _ in $(seq 100); do
		ss -Hltn "sport = :$port" | grep -q . && return
		sleep 0.1
	done
	echo "qemu-check: QEMU $1 does not listen on 127.0.0.1:$port" >&2
}
rm -f "$out/a.log" "$out/b.log"
case "$mode" in
together)
	listener b "listen=127.0.0.1:$port" 52:54:00:00:00:0b
	guest a "connect=127.0.0.1:$port" 52:54:00:00:00:0a &
	;;
a-late)
	listener b "listen=127.0.0.1:$port" 52:54:00:00:00:0b
	sleep "$delay"
	guest a "connect=127.0.0.1:$port" 52:54:00:00:00:0a &
	;;
b-late)
	listener a "listen=127.0.0.1:$port" 52:54:00:00:00:0a
	sleep "$delay"
	guest b "connect=127.0.0.1:$port" 52:54:00:00:00:0b &
	;;
alone-b)
	listener b "listen=127.0.0.1:$port" 52:54:00:00:00:0b plinth.peerwait=15
	;;
esac
wait

fails=0
bad() { echo "qemu-check: FAIL $*"; fails=$((fails + 1)); }
# want ROLE REGEX: a line of ROLE's log matches REGEX (after the time stamp).
want() { grep -qE "^ *[0-9.]+ $2\$" "$out/$1.log" || bad "$1: no line matching '$2'"; }
# result: the guests' steps with the wall time of each line, the verdict and the exit status.
result() {
	echo "qemu-check: timings (wall s since start / guest uptime s):"
	for r in a b; do
		[ -f "$out/$r.log" ] || continue
		sed -n "s/^ *\([0-9.]*\) .*PLINTH-\(STEP\|VIRTIO-START\|VIRTIO-DONE\)\(.*\)/  $r \1 \2\3/p" "$out/$r.log"
	done
	if [ "$fails" = 0 ]; then
		echo "qemu-check: $mode PASS (logs in $out/)"
		exit 0
	fi
	echo "qemu-check: $mode: $fails failure(s) (logs in $out/)"
	exit 1
}

if [ "$mode" = alone-b ]; then
	want b 'PLINTH-PASS payload-sha256'
	want b 'PLINTH-PASS write-readback-b'
	want b 'PLINTH-FAIL ping-10\.0\.0\.1: no answer within 15 s'
	want b 'PLINTH-VIRTIO-DONE role=b boot=1 pass=[0-9]+ fail=1'
	n=$(grep -c 'PLINTH-FAIL' "$out/b.log" || true)
	[ "$n" = 1 ] || bad "b: $n FAIL lines, want only the ping's"
	e2fsck -fn "$out/b.img" >"$out/b.fsck" 2>&1 || bad "b: e2fsck -fn $out/b.img: see $out/b.fsck"
	result
fi

nmod=$(sed -n 's/^modules //p' build/linux/INITRAMFS-VIRTIO-VERSION | wc -w)
common="modules-loaded-$nmod|virtio-blk-found-vda-pci-1af4:1042|virtio-net-found-eth0-pci-1af4:1041|mount-ext4-rw|payload-sha256"
IFS='|' read -ra names <<<"$common"
for r in a b; do
	for n in "${names[@]}"; do want "$r" "PLINTH-PASS $n"; done
	want "$r" "PLINTH-PASS write-readback-$r"
done
want a 'PLINTH-PASS net-up-eth0-10\.0\.0\.1'
want b 'PLINTH-PASS net-up-eth0-10\.0\.0\.2'
want a 'PLINTH-PASS ping-10\.0\.0\.2-after-[0-9]+s'
want b 'PLINTH-PASS ping-10\.0\.0\.1-after-[0-9]+s'
want a 'PLINTH-PASS tcp-send-8MiB-in-[0-9]+s'
want b 'PLINTH-PASS tcp-recv-8MiB-sha256'
want a 'PLINTH-PASS reboot-persist'
want a 'PLINTH-VIRTIO-DONE role=a boot=1 pass=[0-9]+ fail=0'
want a 'PLINTH-VIRTIO-DONE role=a boot=2 pass=[0-9]+ fail=0'
want b 'PLINTH-VIRTIO-DONE role=b boot=1 pass=[0-9]+ fail=0'
for r in a b; do
	if grep -q 'PLINTH-FAIL' "$out/$r.log"; then bad "$r: $(grep 'PLINTH-FAIL' "$out/$r.log" | head -n3)"; fi
	host=$(sed -n 's/^payload-sha256 //p' "$out/$r.img.sha256")
	for g in $(sed -n 's/.*PLINTH-PAYLOAD-SHA256 \([0-9a-f]*\).*/\1/p' "$out/$r.log"); do
		[ "$g" = "$host" ] || bad "$r: guest read payload hash $g, host wrote $host"
	done
	e2fsck -fn "$out/$r.img" >"$out/$r.fsck" 2>&1 || bad "$r: e2fsck -fn $out/$r.img: see $out/$r.fsck"
done
send=$(sed -n 's/.*PLINTH-NET-SEND-SHA256 \([0-9a-f]* [0-9]*\).*/\1/p' "$out/a.log")
recv=$(sed -n 's/.*PLINTH-NET-RECV-SHA256 \([0-9a-f]* [0-9]*\).*/\1/p' "$out/b.log")
[ -n "$send" ] && [ "$send" = "$recv" ] || bad "a sent '$send', b received '$recv'"
# The marker a's first boot left on its disk, as the host reads it.
debugfs -R 'cat /written-by-a' "$out/a.img" 2>/dev/null | grep -qx 'boot 1' ||
	bad "a.img: /written-by-a does not say 'boot 1'"
result
