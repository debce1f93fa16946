#!/bin/bash
# `make test`: host unit tests, then boot tests in QEMU and Bochs.
# Ends with the line "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
logs=build/test-logs
mkdir -p "$logs"
passed=0
failed=0
t0=$(date +%s)

pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() {
	echo "FAIL $1"
	failed=$((failed + 1))
	if [ -n "${2:-}" ] && [ -f "$2" ]; then
		echo "    --- last lines of $2 ---"
		tail -n 25 "$2" | tr -d '\r' | sed 's/^/    /'
	fi
}
# expect NAME LOG REGEX: one check per pattern the serial log must contain.
expect() {
	if grep -qaE "$3" "$2" 2>/dev/null; then pass "$1"; else fail "$1 (no match for /$3/)" "$2"; fi
}
# Plinth's own log lines start with "[   uptime] cpuN LEVEL "; a guest's start with the same
# prefix followed by "[name] ". Verdicts are matched only right after Plinth's prefix, so a
# guest that prints a verdict line cannot pass for Plinth.
PL='^\[ *[0-9]+\.[0-9]{6}\] cpu[0-9]+ [A-Z]+ +'
reject() {
	if grep -qaE "$3" "$2" 2>/dev/null; then fail "$1 (unexpected /$3/)" "$2"; else pass "$1"; fi
}
# reject_after_ready NAME LOG REGEX: as reject, from "Plinth ready" on (the kernel self-tests
# fault on purpose before it).
reject_after_ready() {
	if sed -n '/Plinth ready/,$p' "$2" | grep -qaE "$3"; then
		fail "$1 (unexpected /$3/ after Plinth ready)" "$2"
	else
		pass "$1"
	fi
}

# fold LABEL OUTPUT: prints a sub-suite's check lines and adds its "LABEL: N passed, N failed"
# summary to the totals; a missing summary counts as one failure.
fold() {
	local p f
	echo "$2" | grep -v "^$1: [0-9]* passed"
	read -r p f < <(echo "$2" | sed -n "s/^$1: \([0-9]*\) passed, \([0-9]*\) failed\$/\1 \2/p")
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-1}))
}

echo "== build"
# The controller too: agent-qemu and agent-bochs run beside each other and must not both build it.
if ! make -s all unit-build guests controller >"$logs/build.log" 2>&1; then
	fail "build" "$logs/build.log"
	echo "$passed passed, $failed failed"
	exit 1
fi
pass "build (plinth.efi $(stat -c %s build/plinth.efi) bytes)"

# Debian's stock kernel, whatever version the archive serves today (never committed).
linux_ok=0
if tests/linux/fetch-kernel.sh build/linux >"$logs/fetch-kernel.log" 2>&1; then
	linux_ok=1
	export PLINTH_BZIMAGE=$PWD/build/linux/vmlinuz # test_linux_boot_real parses it
	pass "linux: $(sed -n 's/^package //p' build/linux/VERSION) fetched ($(sed -n 's/^vmlinuz-sha256 //p' build/linux/VERSION | cut -c1-16)...)"
else
	fail "linux: stock kernel fetched with apt-get" "$logs/fetch-kernel.log"
fi

# Bochs is the slow one: start its runs first and let them go on beside QEMU.
guest_files=()
for g in build/guests/*.bin build/guests/multiboot.elf tests/guests/mb-module.txt; do
	guest_files+=("$g:guests/$(basename "$g")")
done
rm -f "$logs/agent-bochs.out"
(
	tests/boot/bochs.sh bochs-smp tests/boot/selftest.cfg 600 2
	# The run-time partition lifecycle (vmm/core/lifecycle_selftest.c) on a 2 MiB guest.
	tests/boot/bochs.sh bochs-lifecycle tests/boot/lifecycle.cfg 600 2 "${guest_files[@]}"
	tests/boot/bochs.sh bochs-refuse tests/boot/vmx-refuse.cfg 600 2 "${guest_files[@]}"
	tests/boot/bochs.sh bochs-sched tests/boot/sched.cfg 300 3 "${guest_files[@]}"
	# SMAP needs a newer CPU model than the default Haswell.
	BOCHS_MODEL=${BOCHS_PRIV_MODEL:-corei7_skylake_x} \
		tests/boot/bochs.sh bochs-harden-priv tests/boot/harden-priv.cfg 600 3 "${guest_files[@]}"
	# Types on Plinth's console through Bochs's COM1 socket (tests/boot/serial-driver.py).
	BOCHS_SERIAL_SCRIPT=tests/boot/echo.script \
		tests/boot/bochs.sh bochs-echo tests/boot/echo.cfg 300 3 "${guest_files[@]}"
	BOCHS_SERIAL_SCRIPT=tests/boot/echo-raw.script \
		tests/boot/bochs.sh bochs-echo-raw tests/boot/echo-raw.cfg 300 2 "${guest_files[@]}"
	# Debian's kernel to its init and back to power-off (tests/linux/boot.sh; ~2.5 wall minutes).
	[ "$linux_ok" = 1 ] && tests/linux/boot.sh bochs-linux 1200 >"$logs/bochs-linux.boot.log" 2>&1
	# A Linux partition and Plinth on switch lan0, uplinked to an e1000 on slirp (tests/net/).
	[ "$linux_ok" = 1 ] && tests/net/bochs-uplink.sh bochs-uplink 1800 >"$logs/bochs-uplink.boot.log" 2>&1
	# Plinth managed end to end by the real controller: a Linux partition created from uploaded
	# images, booted, typed into, powered off and deleted through plinthctl (~5 wall minutes).
	[ "$linux_ok" = 1 ] && timeout 960 tests/net/agent-bochs.sh 900 >"$logs/agent-bochs.out" 2>&1
) &
bochs_pid=$!
(
	tests/boot/bochs.sh bochs-vmx tests/boot/vmx.cfg 900 4 "${guest_files[@]}"
	# AVX-512 state needs the Skylake-X model.
	BOCHS_MODEL=corei7_skylake_x \
		tests/boot/bochs.sh bochs-harden-cpu tests/boot/harden-cpu.cfg 600 2 "${guest_files[@]}"
	# Two Linux partitions on virtio disks and a switch, beside the hostile virtio guest.
	[ "$linux_ok" = 1 ] && tests/linux/virtio-boot.sh bochs-virtio 3600 >"$logs/bochs-virtio.boot.log" 2>&1
) &
bochs_vmx_pid=$!

echo "== host unit tests"
fold unit "$(tests/unit/run.sh)"

echo "== controller (plinth-controller, plinthctl and a fake agent on loopback)"
fold controller "$(tests/controller/run.sh)"

echo "== web console (the controller's page in headless Chromium, a fake agent on loopback)"
fold browser "$(tests/controller/browser.sh)"

echo "== fuzzers (bounded runs on the corpora in tests/fuzz/corpus)"
fold fuzz "$(tests/fuzz/run.sh)"

echo "== QEMU boot (TCG, 4 CPUs, OVMF)"
tests/boot/qemu.sh qemu-smp tests/boot/selftest.cfg 300
log=$logs/qemu-smp.serial.log
expect "qemu: loader starts" "$log" 'plinth: UEFI stage starting'
expect "qemu: kernel logs with timestamp, CPU and level" "$log" '^\[ *[0-9]+\.[0-9]{6}\] cpu0 INFO  Plinth .* starting'
expect "qemu: ACPI tables parsed" "$log" 'acpi: MADT 4 CPUs'
expect "qemu: 4 of 4 CPUs online" "$log" '4 of 4 CPUs online'
expect "qemu: SVM with NPT reported" "$log" 'cpu: SVM yes.*NPT yes'
for t in alloc-stress xcall timer exception-report stack-guard fatal-park tls images; do
	expect "qemu: SELFTEST $t" "$log" "SELFTEST $t: PASS"
done
expect "qemu: a fatal exception on an AP is reported with its backtrace" "$log" \
	'#0 [0-9a-f]{16} <fault_on_purpose\+0x'
expect "qemu: the faulting AP parks and says so" "$log" 'cpu3 parked after fatal exception'
# mbedTLS inside Plinth (kernel/tls/): a mutual handshake in memory and a refused wrong CA.
expect "qemu: TLS 1.2 handshake with ECDHE-ECDSA and AES-GCM" "$log" \
	'SELFTEST tls: PASS - TLS-ECDHE-ECDSA-WITH-AES-(256-GCM-SHA384|128-GCM-SHA256) mutual handshake'
expect "qemu: the TLS client refuses a server from another CA" "$log" 'SELFTEST tls: PASS .*wrong CA refused'
# The image store (kernel/image/): set up at boot, then an upload through it in SELFTEST images.
expect "qemu: the image store is set up" "$log" 'images: store ready, up to [0-9]+ MiB'
expect "qemu: an image whose bytes do not match its hash is refused" "$log" \
	'SELFTEST images: PASS .*wrong hash refused \(SHA-256 mismatch: expected [0-9a-f]{16}, got'
reject "qemu: no self-test failed" "$log" 'SELFTEST .*: FAIL'
expect "qemu: exception report names the faulting function" "$log" 'RIP [0-9a-f]{16} <probe_ud2\+0x'
expect "qemu: exception report has a backtrace" "$log" '#1 [0-9a-f]{16} <test_exceptions\+0x'
expect "qemu: reaches ready" "$log" 'Plinth ready'
if [ "$(cat build/boot/qemu-smp/exit-status)" = 1 ]; then
	pass "qemu: exit port reports success"
else
	fail "qemu: exit port reports success (QEMU exit $(cat build/boot/qemu-smp/exit-status))" "$log"
fi
qemu_secs=$(cat build/boot/qemu-smp/seconds)

echo "== QEMU: configuration errors reach the firmware console"
STOP_AT='plinth: error' tests/boot/qemu.sh qemu-bad-key tests/boot/bad-key.cfg 120
expect "qemu: bad key reported with file and line" "$logs/qemu-bad-key.serial.log" \
	"plinth: error: \\\\plinth.cfg:4: unknown key 'memroy'"
tests/boot/qemu.sh qemu-missing-file tests/boot/missing-file.cfg 120
log=$logs/qemu-missing-file.serial.log
expect "qemu: missing image named by the loader" "$log" \
	"plinth: warning: '.boot.no-such-vmlinuz' named in .plinth.cfg is missing"
expect "qemu: partition with a missing image refused by name" "$log" \
	"${PL}partition 'web0' refused: .boot.no-such-vmlinuz is not on the boot volume"
expect "qemu: boot goes on without it" "$log" "${PL}test exit: SUCCESS"
STOP_AT='plinth: error' tests/boot/qemu.sh qemu-no-config none 120
expect "qemu: missing plinth.cfg reported" "$logs/qemu-no-config.serial.log" \
	'plinth: error: cannot read configuration .plinth.cfg'

echo "== QEMU: Plinth on the wire (its own PCI, NIC driver and lwIP; user network, restrict=on)"
qlog=$logs/qemu-smp.serial.log
expect "pci: functions listed with their class" "$qlog" "${PL}pci: 00:00.0 8086:1237 class 06.00.00"
expect "pci: summary line" "$qlog" "${PL}pci: [0-9]+ functions on 1 bus \\(port 0xCF8\\), 0 claimed"
expect "net: no NIC, networking off" "$qlog" "${PL}net: no network device; networking off"
# NAME|QEMU DEVICE|DRIVER: the modern-only virtio-net (1af4:1041) and the 82540EM.
for spec in "virtio-net|virtio-net-pci,disable-legacy=on|virtio-net" "e1000|e1000|e1000"; do
	IFS="|" read -r nic dev drv <<<"$spec"
	tests/net/qemu-net.sh "qemu-net-$nic" "$dev"
	log=$logs/qemu-net-$nic.serial.log
	out=build/boot/qemu-net-$nic/echo-client.out
	expect "net $nic: the driver claims the NIC" "$log" "${PL}pci: 00:0[0-9a-f]\\.0 [0-9a-f:]+ class 02.00.00 .*-> $drv"
	expect "net $nic: eth0 registered with its MAC" "$log" "${PL}net: eth0: $drv at 00:0[0-9a-f]\\.0, MAC 52:54:00:12:34:56, link up"
	expect "net $nic: DHCP lease from the emulator" "$log" "${PL}net: eth0: DHCP lease 10\\.0\\.2\\.15/24"
	expect "net $nic: 16 MiB echoed both ways, sha256 equal" "$out" '^echo-client: PASS'
	expect "net $nic: Plinth counted every byte" "$log" "${PL}net: echo: connection from 10\\.0\\.2\\.2:[0-9]+ closed, 16777216 bytes echoed"
	reject "net $nic: no device reset, no lwIP assertion" "$log" "resetting the device|lwip: assertion"
	expect "net $nic: the run ends over TCP port 8" "$log" "${PL}test exit: SUCCESS"
	sed -n 's/^echo-client: \([0-9.]* MB\/s each way\).*/    net '"$nic"': \1/p' "$out"
done
# Plinth's interface as a port on switch lan0, whose uplink is the e1000 (tests/net/net-switch.cfg).
tests/net/qemu-net.sh qemu-net-switch e1000 tests/net/net-switch.cfg
log=$logs/qemu-net-switch.serial.log
out=build/boot/qemu-net-switch/echo-client.out
expect "net switch: the e1000 is lan0's uplink" "$log" "${PL}switch 'lan0': uplink eth0 \\(e1000 at 00:0[0-9a-f]\\.0, MAC 52:54:00:12:34:56\\)"
expect "net switch: the uplink is promiscuous" "$log" "${PL}switch 'lan0': uplink eth0 open, promiscuous"
expect "net switch: Plinth's host port takes the NIC's MAC" "$log" "${PL}net: lan0: vswitch-port, MAC 52:54:00:12:34:56"
expect "net switch: DHCP lease through the switch" "$log" "${PL}net: lan0: DHCP lease 10\\.0\\.2\\.15/24"
expect "net switch: 16 MiB echoed both ways through the switch" "$out" '^echo-client: PASS'
expect "net switch: Plinth counted every byte" "$log" "${PL}net: echo: connection from 10\\.0\\.2\\.2:[0-9]+ closed, 16777216 bytes echoed"
reject_after_ready "net switch: no fault, device reset or lwIP assertion once Plinth runs" "$log" \
	"${PL}EXCEPTION|resetting the device|lwip: assertion"
expect "net switch: the run ends over TCP port 8" "$log" "${PL}test exit: SUCCESS"
sed -n 's/^echo-client: \([0-9.]* MB\/s each way\).*/    net switch: \1/p' "$out"

# A static address, gateway and DNS from [net] instead of DHCP (tests/net/net-static.cfg).
tests/net/qemu-net.sh qemu-net-static virtio-net-pci,disable-legacy=on tests/net/net-static.cfg
log=$logs/qemu-net-static.serial.log
expect "net static: [net] address, gateway and dns applied" "$log" \
	"${PL}net: eth0: static address 10\\.0\\.2\\.15/24 gateway 10\\.0\\.2\\.2 dns 10\\.0\\.2\\.3"
reject "net static: no DHCP asked" "$log" "DHCP lease|no DHCP answer"
expect "net static: 16 MiB echoed both ways" build/boot/qemu-net-static/echo-client.out '^echo-client: PASS'
expect "net static: the run ends over TCP port 8" "$log" "${PL}test exit: SUCCESS"

echo "== QEMU: the management agent and the controller (virtio-net, restrict=on)"
fold agent-qemu "$(tests/net/agent-qemu.sh)"

echo "== Bochs boot (Haswell with VMX, 2 CPUs, OVMF)"
wait $bochs_pid
log=$logs/bochs-smp.serial.log
expect "bochs: 2 of 2 CPUs online" "$log" '2 of 2 CPUs online'
expect "bochs: VMX with EPT" "$log" 'cpu: VMX EPT yes'
expect "bochs: VPID and unrestricted guest" "$log" 'cpu: VMX VPID yes.*unrestricted guest yes'
for t in alloc-stress xcall timer exception-report stack-guard fatal-park tls images; do
	expect "bochs: SELFTEST $t" "$log" "SELFTEST $t: PASS"
done
reject "bochs: no self-test failed" "$log" 'SELFTEST .*: FAIL'
expect "bochs: reaches ready and exits" "$log" "${PL}test exit: SUCCESS"
bochs_secs=$(cat build/boot/bochs-smp/seconds)

echo "== Bochs: a partition created, started, stopped, rebooted, deleted and made again at run time"
log=$logs/bochs-lifecycle.serial.log
expect "lifecycle: autostart = no leaves it created, not started" "$log" \
	"${PL}partition 'life': 2 MiB, 1 vCPU\\(s\\) on cpu1, image .guests.lifecycle.bin"
# Nothing of it runs before the self-test starts it, after "Plinth ready".
if tr -d '\r' <"$log" | sed -n '/Plinth ready/q;p' | grep -qa "partition 'life': vCPU 0 starting"; then
	fail "lifecycle: not started at boot" "$log"
else
	pass "lifecycle: not started at boot"
fi
expect "lifecycle: the operator's power-off stops it" "$log" \
	"${PL}partition 'life' stopped: lifecycle self-test: power-off"
expect "lifecycle: started again after a stop" "$log" "${PL}partition 'life' starting again \\(run 2\\)"
expect "lifecycle: a requested reboot" "$log" "${PL}partition 'life' rebooting \\(reboot 1\\)"
expect "lifecycle: deleted" "$log" "${PL}partition 'life' deleted"
expect "lifecycle: the re-created partition runs to its own end" "$log" \
	"${PL}partition 'life' stopped: powered off by the guest \\(status 0\\)"
expect "lifecycle: every frame back, the notifications in order" "$log" "SELFTEST lifecycle: PASS"
reject "lifecycle: no self-test failed" "$log" 'SELFTEST .*: FAIL'
expect "lifecycle: exits" "$log" "${PL}test exit: SUCCESS"

echo "== Bochs: over-committing partitions are refused by name"
log=$logs/bochs-refuse.serial.log
expect "refuse: more vCPUs than CPUs" "$log" "${PL}partition 'toomany' refused: 4 vCPUs but only 1 CPU\\(s\\) available"
expect "refuse: more memory than the machine has" "$log" "${PL}partition 'huge' refused: not enough memory for 2048 MiB"
expect "refuse: CPU 0 is Plinth's" "$log" "${PL}partition 'plinthcpu' refused: CPU 0 is reserved for Plinth"
expect "refuse: missing image" "$log" "${PL}partition 'missing' refused: .guests.no-such-guest.bin is not on the boot volume"
expect "refuse: an image that is not what its entry mode says" "$log" \
	"${PL}partition 'badimage' refused: multiboot header not found in the first 8192 bytes"
expect "refuse: an exit port on another device's port" "$log" "${PL}partition 'exitclash' refused: cannot set up its devices"
expect "refuse: the clash is named" "$log" "partition 'exitclash': exit_port 0x501 is taken by another device"
expect "refuse: the partition that fits still runs" "$log" "${PL}partition 'fits' stopped: powered off by the guest \\(status 0\\)"

echo "== Bochs: partitions sharing a CPU (3 CPUs: five partitions and a vCPU of a sixth on CPU 2)"
log=$logs/bochs-sched.serial.log
# ran_ms NAME VCPU: the CPU time Plinth reports for that vCPU when it left (empty if none).
ran_ms() { tr -d '\r' <"$log" | sed -nE "s/.*partition '$1': vCPU $2 ran ([0-9]+) ms of.*/\1/p" | head -1; }
# within NAME VALUE LO HI: one check that LO <= VALUE <= HI.
within() {
	if [ -n "$2" ] && [ "$2" -ge "$3" ] && [ "$2" -le "$4" ]; then pass "$1 ($2)"; else fail "$1 (${2:-none}, want $3..$4)" "$log"; fi
}
for g in hlt-a hlt-b pair; do
	expect "sched: $g finishes its checks while sharing CPU 2" "$log" \
		"${PL}partition '$g' stopped: powered off by the guest \\(status 0\\)"
	reject "sched: $g reports no failure" "$log" "\\[$g\\] FAIL"
done
expect "sched: a start-up IPI from CPU 1 wakes the AP blocked on CPU 2" "$log" '\[pair\] PASS ap-started'
for g in spin-a spin-b; do
	expect "sched: spinner $g is stopped at its own limit" "$log" \
		"${PL}partition '$g' stopped: time limit of 2000 ms reached"
	# Alone it would have had all of its 2000 ms; sharing, each gets part and both get some.
	within "sched: $g had a share of CPU 2, not all of it" "$(ran_ms $g 0)" 200 1500
done
expect "sched: the halted guest is stopped at its limit" "$log" \
	"${PL}partition 'sleeper' stopped: time limit of 2000 ms reached"
within "sched: the halted vCPU took almost no CPU time (ms of its 2000)" "$(ran_ms sleeper 0)" 0 150
reject "sched: Plinth itself never faulted" "$log" "${PL}EXCEPTION"
expect "sched: every partition stopped and Plinth exited normally" "$log" "${PL}test exit: SUCCESS"

echo "== Bochs: privilege hardening (3 CPUs, Skylake-X for SMEP/SMAP; hostile guests on CPU 2)"
log=$logs/bochs-harden-priv.serial.log
for g in user neighbour-exceptions neighbour-portio neighbour-mmio; do
	expect "priv: guest $g passes and powers off cleanly" "$log" \
		"${PL}partition '$g' stopped: powered off by the guest \\(status 0\\)"
	reject "priv: guest $g reports no failure" "$log" "\\[$g\\] FAIL"
done
for t in cpl3-runs cpl3-vmcall-console-eperm cpl3-vmcall-poweroff-eperm cpl3-vmcall-reboot-eperm \
	cpl3-vmcall-unknown-eperm cpl0-vmcall-still-served cpl3-io-iopl0-gp cpl3-outsb-user-page \
	cpl3-insb-user-page cpl3-lodsb-supervisor-native cpl3-outsb-supervisor-pf \
	cpl3-outsb-supervisor-regs cpl3-stosb-supervisor-native cpl3-insb-supervisor-pf \
	cpl3-insb-supervisor-regs cpl3-lodsb-boundary-native cpl3-outsb-boundary-pf \
	cpl3-outsb-boundary-regs cpl3-insb-user-readonly-wp0-pf cpl0-stosb-readonly-wp1-native \
	cpl0-insb-readonly-wp1-pf cpl0-insb-readonly-wp1-regs cpl0-insb-readonly-wp0-ok smap-enabled \
	cpl0-lodsb-user-smap-native cpl0-outsb-user-smap-pf cpl0-outsb-user-smap-regs \
	cpl0-insb-user-smap-pf cpl0-outsb-user-stac-ok cpl0-insb-user-stac-ok \
	cpl0-movsb-to-readonly-native cpl0-movsb-mmio-to-readonly-pf cpl0-movsb-mmio-to-readonly-regs \
	cpl0-movsb-mmio-to-readonly-wp0-ok cpl0-movsb-mmio-to-user-smap-pf \
	cpl0-movsb-user-to-mmio-smap-pf cpl0-movsb-mmio-to-user-stac-ok \
	cpl0-movsb-user-to-mmio-stac-ok cpl3-movsb-from-supervisor-native \
	cpl3-movsb-mmio-to-supervisor-pf cpl3-movsb-mmio-to-supervisor-regs \
	cpl3-movsb-supervisor-to-mmio-pf cpl3-movsb-mmio-to-user-ok df-outsb-down df-insb-down \
	df-insw-down df-stosb-boundary-native df-insb-boundary-pf df-insb-boundary-regs \
	addr32-insb-edi addr32-insb-like-native addr32-insb-upper-bits-cleared addr32-outsb-wrap \
	fs-override-outsb gs-override-outsb ds-base-ignored-outsb es-base-ignored-insb \
	smep-native-fetch-pf nx-native-fetch-pf; do
	expect "priv: user $t" "$log" "\\[user\\] PASS $t([^a-z0-9-]|\$)"
done
reject "priv: a CPL3 power-off hypercall does not stop the partition" "$log" \
	"${PL}partition 'user' stopped: powered off by the guest \\(status 99\\)"
reject "priv: a CPL3 reboot hypercall does not reboot the partition" "$log" "${PL}partition 'user' rebooting"
reject "priv: a CPL3 console hypercall prints nothing" "$log" 'cpl3 console write went through'
expect "priv: a hardware task switch stops its partition" "$log" \
	"${PL}partition 'taskswitch' stopped: task switch"
reject "priv: the task switch never completes in the guest" "$log" '\[taskswitch\] FAIL'
expect "priv: an endless #AC delivery loop is stopped at the time limit" "$log" \
	"${PL}partition 'acdb-ac' stopped: time limit of 800 ms reached"
expect "priv: an endless #DB delivery loop is stopped at the time limit" "$log" \
	"${PL}partition 'acdb-db' stopped: time limit of 800 ms reached"
# The guests print "INFO ac:"/"INFO db:" if the CPU ever got past the delivery: then nothing looped.
reject "priv: the #AC and #DB deliveries really looped" "$log" '\[acdb-(ac|db)\] (INFO (ac|db):|FAIL)'
reject "priv: Plinth itself never faulted" "$log" "${PL}EXCEPTION"
expect "priv: every partition stopped and Plinth exited normally" "$log" "${PL}test exit: SUCCESS"

echo "== Bochs: Plinth's console input typed into two partitions"
log=$logs/bochs-echo.serial.log
expect "console: the serial driver ran its whole script" build/boot/bochs-echo/serial-driver-status '^0$'
expect "console: console = echo2 gives the second partition the console at boot" "$log" \
	"${PL}console: input goes to partition 2 'echo2' \\(Ctrl-A h: help\\)"
expect "console: Ctrl-A h prints the help line" "$log" "${PL}console: Ctrl-A n: next partition.*partitions: 1 echo1 2 echo2"
expect "console: Ctrl-A 0 gives the console to Plinth" "$log" "${PL}console: input goes to Plinth only"
expect "console: Ctrl-A 1 selects partition 1" "$log" "${PL}console: input goes to partition 1 'echo1'"
expect "console: a line typed for partition 1 reaches it" "$log" '\[echo1\] GOT first[[:space:]]*$'
expect "console: Ctrl-A n moves on, Ctrl-A Ctrl-A is a literal Ctrl-A" "$log" '\[echo2\] GOT sec\?ond[[:space:]]*$'
reject "console: what was typed while Plinth had the console reached no partition" "$log" 'GOT dropped'
for g in echo1 echo2; do
	expect "console: $g powers off cleanly" "$log" \
		"${PL}partition '$g' stopped: powered off by the guest \\(status 0\\)"
done
expect "console: Plinth exited normally" "$log" "${PL}test exit: SUCCESS"

echo "== Bochs: console_raw shows the partition that has the console unprefixed"
log=$logs/bochs-echo-raw.serial.log
expect "console-raw: the serial driver ran its whole script" build/boot/bochs-echo-raw/serial-driver-status '^0$'
expect "console-raw: the guest's lines reach the console as it wrote them" "$log" '^GOT raw-line[[:space:]]*$'
reject "console-raw: ... and not as prefixed log lines" "$log" '\[echo\] (ASK|GOT)'
expect "console-raw: Plinth's own lines still start with their prefix" "$log" \
	"${PL}partition 'echo' stopped: powered off by the guest \\(status 0\\)"
expect "console-raw: Plinth exited normally" "$log" "${PL}test exit: SUCCESS"

echo "== Bochs: VT-x partitions (4 CPUs: good guests on CPU 1, hostile ones on CPU 2)"
wait $bochs_vmx_pid
log=$logs/bochs-vmx.serial.log
for g in smp smp-kick modeswitch multiboot leakw leakr nmi cpuid msr portio mmio hlt-timer apic exceptions pcdev; do
	expect "vmx: guest $g passes and powers off cleanly" "$log" \
		"${PL}partition '$g' stopped: powered off by the guest \\(status 0\\)"
	reject "vmx: guest $g reports no failure" "$log" "\\[$g\\] FAIL"
done
expect "vmx: a stopped partition reports its VM exits by reason, highest first" "$log" \
	"${PL}partition 'cpuid' VM exits [0-9]+: I/O instruction [0-9]+, CPUID [0-9]+, VMCALL 1"
expect "vmx: smp guest started its AP with INIT/SIPI" "$log" '\[smp\] PASS ap-started'
expect "vmx: NMIs reach a running vCPU on another CPU" "$log" '\[smp-kick\] PASS kick-nmis-delivered'
expect "vmx: a kicked vCPU keeps running (host takes the kick between entries)" "$log" \
	'\[smp-kick\] PASS kick-ap-runs'
expect "vmx: a 0xcf9 reset from the AP reboots the partition" "$log" \
	"${PL}partition 'smp': guest reset through port 0xcf9 \\(hard reset\\)"
expect "vmx: the AP starts again after the reboot it caused" "$log" '\[smp\] PASS ap-reset-rebooted'
expect "vmx: the time limit counts from the partition's first vCPU, not from boot" "$log" \
	"${PL}partition 'late' stopped: powered off by the guest \\(status 0\\)"
reject "vmx: the late partition's guest reports no failure" "$log" '\[late\] FAIL'
expect "vmx: a partition holding the CPU stops at its own limit" "$log" \
	"${PL}partition 'hold' stopped: time limit of 400 ms reached"
expect "vmx: all 64 bits of the power-off status count" "$log" \
	"${PL}partition 'status64' stopped: powered off by the guest \\(status 4294967296\\)"
expect "vmx: a 64-bit status is reported as a failure" "$log" \
	"cpu[0-9]+ ERROR +partition 'status64' stopped"
expect "vmx: the oracle reads Plinth's verdict, not the guest's forgery" "$log" \
	"${PL}partition 'forger' stopped: powered off by the guest \\(status 7\\)"
reject "vmx: a verdict printed by a guest is not taken for Plinth's" "$log" \
	"${PL}partition 'forger' stopped: powered off by the guest \\(status 0\\)"
expect "vmx: a write to the exit port ends the partition with that status" "$log" \
	"${PL}partition 'exitport' stopped: exit port 0xf4 written \\(status 0\\)"
expect "vmx: a nonzero exit-port status is a failure" "$log" \
	"cpu[0-9]+ ERROR +partition 'exitport-fail' stopped: exit port 0xf5 written \\(status 3\\)"
expect "vmx: multiboot kernel got its command line" "$log" '\[multiboot\] PASS mb-cmdline'
expect "vmx: multiboot kernel got its module" "$log" '\[multiboot\] PASS mb-module'
expect "vmx: reboot hypercall restarts the partition" "$log" "${PL}partition 'reboot' rebooting \\(reboot 1\\)"
expect "vmx: a 0xcf9 hard reset reboots only its partition" "$log" \
	"${PL}partition 'reboot': guest reset through port 0xcf9 \\(hard reset\\)"
expect "vmx: a port 0x92 INIT_NOW reboots the partition" "$log" \
	"${PL}partition 'reboot': guest reset through port 0x92 \\(INIT_NOW fast reset\\)"
expect "vmx: an i8042 reset pulse reboots the partition" "$log" \
	"${PL}partition 'reboot': guest reset through the i8042's reset line"
expect "vmx: a triple fault with on_crash = restart reboots the partition" "$log" \
	"${PL}partition 'reboot': triple fault on vCPU 0, restarting \\(on_crash = restart\\)"
expect "vmx: the partition went through all five reboots" "$log" "${PL}partition 'reboot' rebooting \\(reboot 5\\)"
for how in hypercall cf9 port92 i8042 triple-fault; do
	expect "vmx: memory is fresh after the $how reboot" "$log" "\\[reboot\\] PASS rebooted-$how[[:space:]]*\$"
done
expect "vmx: ACPI S5 powers the partition off cleanly" "$log" \
	"${PL}partition 'reboot' stopped: guest powered off \\(ACPI S5\\)"
reject "vmx: guest reboot reports no failure" "$log" '\[reboot\] FAIL'
expect "vmx: the PIT's IRQ 0 arrives at I/O APIC pin 2 while halted" "$log" '\[pcdev\] PASS pit-irq0-pin2'
expect "vmx: the RTC shows the firmware's date" "$log" '\[pcdev\] PASS rtc-date'
expect "vmx: COM1's THRE interrupt arrives at I/O APIC pin 4" "$log" '\[pcdev\] PASS com1-thre-irq-pin4'
expect "vmx: NMI sent through the xAPIC reaches the guest" "$log" '\[nmi\] PASS nmi-delivered'
expect "vmx: a second NMI waits for IRET (NMI window)" "$log" '\[nmi\] PASS nmi-after-iret'
for item in x87 xmm ymm mxcsr dr cr2 msrs; do
	expect "vmx: no $item state leaks to the next partition on the CPU" "$log" "\\[leakr\\] PASS no-leak-$item"
done
expect "vmx: probe above RAM stopped and reported" "$log" \
	"${PL}partition 'probe-above-ram' stopped: read of guest-physical 900000 outside its memory"
expect "vmx: probe at 4 GiB stopped and reported" "$log" \
	"${PL}partition 'probe-4g' stopped: write of guest-physical 100000000 outside its memory"
expect "vmx: probe at 512 GiB stopped and reported" "$log" \
	"${PL}partition 'probe-512g' stopped: read of guest-physical 8000000000 outside its memory"
expect "vmx: a page walk onto a device page is not emulated" "$log" \
	"${PL}partition 'dev-walk' stopped: device address feb00000 reached by the guest's page walk"
expect "vmx: event delivery through an IDT on a device is not emulated" "$log" \
	"${PL}partition 'dev-idt' stopped: device address feb00030 reached by event delivery"
expect "vmx: a descriptor load from a GDT on a device is not emulated" "$log" \
	"${PL}partition 'dev-gdt' stopped: cannot emulate the instruction at RIP [0-9a-f]+ touching device address feb00010"
expect "vmx: triple fault stops only its partition" "$log" "${PL}partition 'triplefault' stopped: triple fault"
expect "vmx: endless loop is preempted and stopped at its limit" "$log" \
	"${PL}partition 'spin' stopped: time limit of 1500 ms reached"
expect "vmx: VMX instructions raise #UD in the guest" "$log" \
	"${PL}partition 'vmx' stopped: powered off by the guest \\(status 0\\)"
reject "vmx: VMX guest reports no failure" "$log" '\[vmx\] FAIL'
expect "vmx: real UART/PIC/PCI/reset ports are contained" "$log" '\[ports\] PASS survived'
expect "vmx: contained port accesses are logged" "$log" "${PL}partition 'ports': write to port 0x"
reject "vmx: writes beside the reset registers do not reboot the partition" "$log" \
	"${PL}partition 'ports'( rebooting|: guest reset)"
expect "vmx: a sleep state other than S5 is refused and logged" "$log" \
	"${PL}partition 'ports': sleep state SLP_TYP 0 refused"
reject "vmx: no hostile guest escaped" "$log" '\] FAIL contained'
reject "vmx: Plinth itself never faulted" "$log" "${PL}EXCEPTION"
expect "vmx: every partition stopped and Plinth exited normally" "$log" "${PL}test exit: SUCCESS"

echo "== Bochs: guest-chosen CPU state (Skylake-X with AVX-512, 2 CPUs)"
log=$logs/bochs-harden-cpu.serial.log
for g in xsetbv crs debugregs; do
	expect "harden-cpu: guest $g passes and powers off cleanly" "$log" \
		"${PL}partition '$g' stopped: powered off by the guest \\(status 0\\)"
	reject "harden-cpu: guest $g reports no failure" "$log" "\\[$g\\] FAIL"
done
expect "harden-cpu: XSETBV with CR4.OSXSAVE clear is #UD" "$log" '\[xsetbv\] PASS xsetbv-no-osxsave-ud[[:space:]]*$'
expect "harden-cpu: XCR0 without x87 is #GP" "$log" '\[xsetbv\] PASS xsetbv-x87-clear-zero-gp[[:space:]]*$'
expect "harden-cpu: AVX without SSE is #GP" "$log" '\[xsetbv\] PASS xsetbv-avx-without-sse-gp[[:space:]]*$'
expect "harden-cpu: partial AVX-512 state is #GP" "$log" '\[xsetbv\] PASS xsetbv-avx512-partial-gp[[:space:]]*$'
expect "harden-cpu: MPX/AMX and every component CPUID does not offer are #GP" "$log" \
	'\[xsetbv\] PASS xsetbv-unoffered-bits-gp[[:space:]]*$'
expect "harden-cpu: XSETBV with ECX != 0 is #GP" "$log" '\[xsetbv\] PASS xsetbv-ecx1-gp[[:space:]]*$'
expect "harden-cpu: a legal AVX-512 XCR0 is loaded and usable" "$log" '\[xsetbv\] PASS xsetbv-avx512-usable[[:space:]]*$'
expect "harden-cpu: ZMM/opmask state survives exits" "$log" '\[xsetbv\] PASS xsetbv-avx512-survives-exits[[:space:]]*$'
expect "harden-cpu: CR0.NW without CD is #GP after the exit" "$log" '\[crs\] PASS crs-cr0-nw-without-cd-gp-exit[[:space:]]*$'
expect "harden-cpu: clearing CR0.PG in long mode is #GP after the exit" "$log" \
	'\[crs\] PASS crs-cr0-pg-clear-long-mode-gp-exit[[:space:]]*$'
expect "harden-cpu: CR0 bits 63:32 are #GP after the exit" "$log" '\[crs\] PASS crs-cr0-bit63-gp-exit[[:space:]]*$'
expect "harden-cpu: CR0.CD|NW read back as written" "$log" '\[crs\] PASS crs-cr0-cd-nw-exit[[:space:]]*$'
expect "harden-cpu: CR4.VMXE is #GP" "$log" '\[crs\] PASS crs-cr4-vmxe-gp[[:space:]]*$'
expect "harden-cpu: CR4 bits CPUID does not offer are #GP" "$log" '\[crs\] PASS crs-cr4-reserved-gp[[:space:]]*$'
expect "harden-cpu: CR4.PCIDE with CR3[11:0] != 0 is #GP" "$log" '\[crs\] PASS crs-cr4-pcide-cr3-low-gp[[:space:]]*$'
expect "harden-cpu: CR8 bits 63:4 are #GP" "$log" '\[crs\] PASS crs-cr8-high-bits-gp[[:space:]]*$'
expect "harden-cpu: CR8 holds back interrupts of its priority class" "$log" \
	'\[crs\] PASS crs-cr8-tpr-masks-interrupt[[:space:]]*$'
expect "harden-cpu: DEBUGCTL.LBR is #GP" "$log" '\[debugregs\] PASS debugregs-debugctl-lbr-gp[[:space:]]*$'
expect "harden-cpu: DEBUGCTL.BTF is accepted" "$log" '\[debugregs\] PASS debugregs-debugctl-btf[[:space:]]*$'
for r in dr0-3 dr6 dr7 debugctl; do
	expect "harden-cpu: $r survives exits unchanged" "$log" "\\[debugregs\\] PASS debugregs-$r-preserved[[:space:]]*\$"
done
expect "harden-cpu: an execute breakpoint raises #DB with DR6.B0" "$log" '\[debugregs\] PASS debugregs-exec-bp[[:space:]]*$'
expect "harden-cpu: a write breakpoint raises #DB with DR6.B1" "$log" '\[debugregs\] PASS debugregs-data-bp[[:space:]]*$'
expect "harden-cpu: a single-step over an exiting instruction traps right after it" "$log" \
	'\[debugregs\] PASS debugregs-single-step-cpuid[[:space:]]*$'
reject "harden-cpu: Plinth itself never faulted" "$log" "${PL}EXCEPTION"
expect "harden-cpu: every partition stopped and Plinth exited normally" "$log" "${PL}test exit: SUCCESS"

if [ "$linux_ok" = 1 ]; then
	echo "== Bochs: Debian's kernel boots to its init on 2 vCPUs (tests/linux/init)"
	log=$logs/bochs-linux.serial.log
	expect "linux-boot: built the initramfs from Debian's busybox-static" build/linux/BUSYBOX-VERSION \
		'^initramfs-sha256 '
	expect "linux-boot: the partition starts with 2 vCPUs" "$log" \
		"${PL}partition 'linux': 256 MiB, 2 vCPU\\(s\\)"
	expect "linux-boot: the kernel finds the ACPI tables Plinth built" "$log" \
		'\[linux\] \[ *[0-9.]+\] ACPI: RSDP 0x00000000000E0000 '
	expect "linux-boot: the kernel takes the TSC frequency from CPUID" "$log" \
		'\[linux\] \[ *[0-9.]+\] tsc: Detected [0-9.]+ MHz processor'
	reject "linux-boot: ... and does not calibrate it" "$log" '\[linux\] .*tsc: (Fast TSC calibration|Unable to calibrate)'
	expect "linux-boot: both vCPUs come up" "$log" '\[linux\] \[ *[0-9.]+\] smp: Brought up 1 node, 2 CPUs'
	expect "linux-boot: the kernel runs /init" "$log" '\[linux\] PLINTH-LINUX-START '
	for t in nproc-2 memory- rtc-date- clocksource-tsc tsc-stable busy-all-cpus console-input; do
		expect "linux-boot: init check $t" "$log" "\\[linux\\] PLINTH-PASS $t"
	done
	expect "linux-boot: a line typed on Plinth's console reaches the guest's shell" "$log" \
		'\[linux\] PLINTH-GOT hello from the serial console[[:space:]]*$'
	reject "linux-boot: no init check failed" "$log" '\[linux\] PLINTH-FAIL'
	expect "linux-boot: init finishes" "$log" '\[linux\] PLINTH-LINUX-DONE pass=[0-9]+ fail=0[[:space:]]*$'
	# The power-off text of the ACPI PM device (vmm/core/pc_devices.c, PC platform devices).
	expect "linux-boot: poweroff -f ends the partition through ACPI S5" "$log" \
		"${PL}partition 'linux' stopped: guest powered off \\(ACPI S5\\)"
	expect "linux-boot: Plinth reports the boot's VM exits" "$log" "${PL}partition 'linux' VM exits [0-9]+: "
	expect "linux-boot: a test guest time-sharing CPU 1 with Linux's vCPU 0 passes its checks" "$log" \
		"${PL}partition 'apic' stopped: powered off by the guest \\(status 0\\)"
	reject "linux-boot: ... and reports no failure" "$log" '\[apic\] FAIL'
	expect "linux-boot: ... while Linux's vCPU 0 shared the CPU with it" "$log" \
		"${PL}partition 'apic': vCPU 0 ran [0-9]+ ms of [0-9]+ on cpu1"
	reject "linux-boot: Plinth itself never faulted" "$log" "${PL}EXCEPTION"
	expect "linux-boot: Plinth exits normally" "$log" "${PL}test exit: SUCCESS"
fi

if [ "$linux_ok" = 1 ]; then
	echo "== Bochs: switch lan0 uplinked to the e1000 on slirp, a Linux partition and Plinth on it"
	log=$logs/bochs-uplink.serial.log
	work=build/boot/bochs-uplink
	expect "uplink: Plinth's e1000 driver takes Bochs's NIC" "$log" \
		"${PL}net: eth0: e1000 at 00:0[0-9a-f]\\.0, MAC 52:54:00:12:34:56, link up"
	expect "uplink: eth0 is lan0's uplink, promiscuous" "$log" "${PL}switch 'lan0': uplink eth0 open, promiscuous"
	expect "uplink: Plinth's own interface gets its lease through the switch" "$log" \
		"${PL}net: lan0: DHCP lease 10\\.0\\.2\\.15/24 gateway 10\\.0\\.2\\.2"
	expect "uplink: the host's 1 MiB comes back from Plinth's echo" "$work/echo.log" '^echo-client: PASS'
	expect "uplink: Plinth counted every byte" "$log" \
		"${PL}net: echo: connection from 10\\.0\\.2\\.2:[0-9]+ closed, 1048576 bytes echoed"
	expect "uplink: the partition's virtio-net is a port on lan0" "$log" \
		"${PL}partition 'web': NIC 52:54:00:00:00:77 on switch 'lan0'"
	expect "uplink: the guest gets its own lease from the emulator" "$log" \
		'\[web\] PLINTH-DHCP ip=10\.0\.2\.(1[6-9]|[2-9][0-9]) router=10\.0\.2\.2'
	want=$(cat "$work/download.sha256" 2>/dev/null)
	expect "uplink: the guest downloads 4 MiB from the host's loopback, sha256 equal" "$log" \
		"\\[web\\] PLINTH-DOWNLOAD-SHA256 ${want:-none} 4194304"
	reject "uplink: no guest check failed" "$log" '\[web\] PLINTH-FAIL'
	expect "uplink: the partition powers off" "$log" "${PL}partition 'web' stopped: guest powered off \\(ACPI S5\\)"
	reject_after_ready "uplink: no fault, device reset or lwIP assertion once Plinth runs" "$log" \
		"${PL}EXCEPTION|resetting the device|lwip: assertion"
	expect "uplink: Plinth exits normally" "$log" "${PL}test exit: SUCCESS"
	sed -n 's/^echo-client: \([0-9.]* MB\/s each way\).*/    uplink echo: \1/p' "$work/echo.log"
fi

if [ "$linux_ok" = 1 ]; then
	echo "== Bochs: the controller manages Plinth end to end (e1000 on slirp, tests/net/agent-bochs.sh)"
	out=$logs/agent-bochs.out
	ap= af=
	read -r ap af < <(sed -n 's/^agent-bochs: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$out" 2>/dev/null)
	if [ -n "${ap:-}" ]; then
		grep -v '^agent-bochs: [0-9]* passed' "$out"
		passed=$((passed + ap))
		failed=$((failed + af))
	else
		fail "agent-bochs: no summary line in $out (missing, or cut short by its 960 s timeout)" "$out"
	fi
fi

if [ "$linux_ok" = 1 ]; then
	echo "== Bochs: virtio disks and a virtual switch for two Linux partitions, and a hostile guest"
	log=$logs/bochs-virtio.serial.log
	for p in a b; do
		expect "virtio: partition $p gets its disk on virtio-blk" "$log" \
			"${PL}partition '$p': disk .disks.$p.img \\(8 MiB\\) on virtio-blk 00:01.0"
		expect "virtio: partition $p gets a NIC on switch lan0" "$log" \
			"${PL}partition '$p': NIC [0-9a-f:]{17} on switch 'lan0'"
		expect "virtio: $p's kernel uses the ECAM window ACPI describes" "$log" \
			"\\[$p\\] \\[ *[0-9.]+\\] PCI: MMCONFIG for domain 0000 \\[bus 00-00\\] at \\[mem 0xe0000000-0xe00fffff\\]"
		expect "virtio: $p's kernel finds the root bridge in the DSDT" "$log" \
			"\\[$p\\] \\[ *[0-9.]+\\] PCI host bridge to bus 0000:00"
		reject "virtio: $p's kernel reports no ACPI error" "$log" "\\[$p\\] .*ACPI (Error|BIOS Error)"
		for t in modules-loaded virtio-blk-found-vda-pci-1af4:1042 virtio-net-found-eth0-pci-1af4:1041 \
			mount-ext4-rw payload-sha256 write-readback-$p net-up-eth0 ping-10.0.0; do
			expect "virtio: $p: $t" "$log" "\\[$p\\] PLINTH-PASS $t"
		done
		expect "virtio: $p's queues interrupt through MSI-X" "$log" "\\[$p\\] PLINTH-IRQ [0-9]+: [1-9][0-9]* PCI-MSI[^ ]* [0-9]+-edge virtio[0-9]-(req|input)"
		want=$(sed -n 's/^payload-sha256 //p' "build/boot/bochs-virtio/disks/$p.img.sha256")
		expect "virtio: $p reads the payload mke2fs -d put on its image" "$log" \
			"\\[$p\\] PLINTH-PAYLOAD-SHA256 ${want:-none}"
		reject "virtio: $p: no check failed" "$log" "\\[$p\\] PLINTH-FAIL"
		reject "virtio: $p's devices never needed a reset" "$log" "${PL}virtio: $p: "
	done
	expect "virtio: a sends 8 MiB over TCP through the switch" "$log" '\[a\] PLINTH-PASS tcp-send-8MiB'
	expect "virtio: b receives them" "$log" '\[b\] PLINTH-PASS tcp-recv-8MiB-sha256'
	sent=$(grep -aoE '\[a\] PLINTH-NET-SEND-SHA256 [0-9a-f]{64} 8388608' "$log" | awk '{print $3}' | head -1)
	got=$(grep -aoE '\[b\] PLINTH-NET-RECV-SHA256 [0-9a-f]{64} 8388608' "$log" | awk '{print $3}' | head -1)
	if [ -n "$sent" ] && [ "$sent" = "$got" ]; then
		pass "virtio: the 8 MiB arrive intact (sha256 ${sent:0:16}... on both sides)"
	else
		fail "virtio: the 8 MiB arrive intact (sent ${sent:-none}, received ${got:-none})" "$log"
	fi
	expect "virtio: a reboots" "$log" "${PL}partition 'a' reboot"
	expect "virtio: after the reboot a finds the file it wrote" "$log" '\[a\] PLINTH-PASS reboot-persist'
	expect "virtio: a powers off after its second boot" "$log" \
		'\[a\] PLINTH-VIRTIO-DONE role=a boot=2 pass=[0-9]+ fail=0'
	expect "virtio: b powers off after its checks" "$log" '\[b\] PLINTH-VIRTIO-DONE role=b boot=1 pass=[0-9]+ fail=0'
	for p in a b; do
		expect "virtio: partition $p stops through ACPI S5" "$log" \
			"${PL}partition '$p' stopped: guest powered off \\(ACPI S5\\)"
	done
	expect "virtio: Plinth reports the NICs' traffic" "$log" \
		"${PL}partition 'b': NIC: tx [0-9]+ packets .*rx [1-9][0-9]* packets \\([0-9]{4,} KiB\\)"
	expect "virtio: the hostile guest's every case gets the expected answer" "$log" \
		'\[hostile\] virtio-hostile: all cases passed'
	reject "virtio: ... and none fails" "$log" '\[hostile\] FAIL'
	for c in desc-outside-ram desc-loop indirect-len-not-16n indirect-len-zero indirect-loop \
		readable-after-writable len-past-ram-end len-wraps-2.64 avail-idx-jump ring-outside-ram \
		config-abuse; do
		for d in blk0 net0; do
			expect "virtio: hostile $d case $c" "$log" "\\[hostile\\] virtio-hostile: $d case [0-9] $c: ok"
		done
	done
	expect "virtio: hostile: a write to the read-only disk fails with IOERR" "$log" \
		'\[hostile\] virtio-hostile: blk0 case 9 write-readonly: ok'
	n=$(grep -acE "${PL}virtio: hostile: virtio-(blk|net): device needs reset: " "$log")
	if [ "$n" = 20 ]; then
		pass "virtio: each of the 20 broken rings is logged once (NEEDS_RESET)"
	else
		fail "virtio: each of the 20 broken rings is logged once (NEEDS_RESET) ($n lines)" "$log"
	fi
	expect "virtio: the hostile guest ends cleanly" "$log" \
		"${PL}partition 'hostile' stopped: powered off by the guest \\(status 0\\)"
	reject "virtio: Plinth itself never faulted" "$log" "${PL}EXCEPTION"
	expect "virtio: Plinth exits normally" "$log" "${PL}test exit: SUCCESS"
fi

echo "boot times: QEMU ${qemu_secs}s, Bochs ${bochs_secs}s (wall clock, firmware included); total $(( $(date +%s) - t0 ))s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
