/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hostile: pokes the ports of real PC hardware (UART control, PICs, PCI
 * config, the reset registers short of a reset, sleep states other than
 * S5, emulator exit ports). The partition's own device models answer them
 * or the accesses are dropped (reads give all-ones); the machine must not
 * reset, Plinth must not exit and this partition must not reboot (the
 * resets themselves are tests/guests/reboot.c's). "PASS survived" at the
 * end means we are still running, in our first boot.
 */
#include "guest.h"

#define PCI_ADDR 0xcf8
#define PCI_DATA 0xcfc
#define KBC_STATUS_POWER_ON 0x10 /* keyboard not inhibited, nothing buffered */
#define BOOT_STATE_PORT GUEST_TESTDEV_PORT

static void out8(uint16_t port, uint8_t v, const char *what)
{
	hostile("outb 0x%02x -> 0x%x (%s)", v, port, what);
	outb(port, v);
}

static void test_reads(void)
{
	uint8_t b;
	uint32_t d;

	hostile("inb 0x21 (PIC mask)");
	b = inb(0x21);
	check(b == 0xff, "ports-read-pic", "inb 0x21 = 0x%02x, want 0xff (present, masked)", b);
	hostile("inb 0x64 (keyboard controller status)");
	b = inb(0x64);
	check(b == KBC_STATUS_POWER_ON, "ports-read-kbc", "inb 0x64 = 0x%02x, want 0x%02x", b,
	      KBC_STATUS_POWER_ON);
	hostile("outl 0x80000000 -> 0xcf8, inl 0xcfc (host bridge vendor/device)");
	outl(PCI_ADDR, 0x80000000);
	d = inl(PCI_DATA);
	check(d == 0x12378086, "ports-read-pci", "PCI 00:00.0 id 0x%08x, want 0x12378086", d);
	outl(PCI_ADDR, 0x80000800);
	d = inl(PCI_DATA);
	check(d == 0xffffffff, "ports-read-pci-empty", "PCI 00:01.0 id 0x%08x, want 0xffffffff",
	      d);
	/* A byte at 0xcf9 is reset control, not CONFIG_ADDRESS: it must not move the address. */
	outl(PCI_ADDR, 0x80000000);
	outb(0xcf9, 0x00);
	d = inl(PCI_ADDR);
	check(d == 0x80000000, "ports-cf9-not-pci", "CONFIG_ADDRESS 0x%08x after outb 0xcf9", d);
}

static void poke_uart(void)
{
	out8(GUEST_UART_PORT + 1, 0x0f, "UART IER: all interrupts");
	out8(GUEST_UART_PORT + 2, 0xc7, "UART FCR: FIFO reset");
	out8(GUEST_UART_PORT + 5, 0x00, "UART LSR");
	out8(GUEST_UART_PORT + 6, 0x00, "UART MSR");
	out8(GUEST_UART_PORT + 7, 0x5a, "UART SCR");
	/*
	 * DLAB and loopback would silence a real UART: set both, then restore
	 * 8N1 without printing in between so the log stays readable either way.
	 */
	hostile("outb 0x80 -> 0x3fb (UART LCR: DLAB), outb 0x1f -> 0x3fc (UART MCR: loopback), "
		"then restore both");
	outb(GUEST_UART_PORT + 3, 0x80);
	outb(GUEST_UART_PORT + 4, 0x1f);
	outb(GUEST_UART_PORT + 3, 0x03);
	outb(GUEST_UART_PORT + 4, 0x03);
	gprintf("INFO UART still prints after its control registers were written\n");
}

static void poke_pic(void)
{
	/* Full re-initialisation of both PICs, then mask everything. */
	out8(0x20, 0x11, "PIC1 ICW1");
	out8(0x21, 0x20, "PIC1 ICW2");
	out8(0x21, 0x04, "PIC1 ICW3");
	out8(0x21, 0x01, "PIC1 ICW4");
	out8(0xa0, 0x11, "PIC2 ICW1");
	out8(0xa1, 0x28, "PIC2 ICW2");
	out8(0xa1, 0x02, "PIC2 ICW3");
	out8(0xa1, 0x01, "PIC2 ICW4");
	out8(0x21, 0xff, "PIC1 mask all");
	out8(0xa1, 0xff, "PIC2 mask all");
	check(inb(0x21) == 0xff && inb(0xa1) == 0xff, "ports-pic-masked",
	      "PIC masks 0x%02x/0x%02x after re-initialisation", inb(0x21), inb(0xa1));
}

static void poke_pci(void)
{
	/* Command register of 00:00.0 and 00:01.0 to 0: no I/O, memory or bus mastering. */
	hostile("PCI config write 0 -> 00:00.0 command");
	outl(PCI_ADDR, 0x80000004);
	outl(PCI_DATA, 0);
	hostile("PCI config write 0 -> 00:01.0 command");
	outl(PCI_ADDR, 0x80000804);
	outl(PCI_DATA, 0);
}

/* Writes next to the reset registers that are not resets: the partition must not reboot. */
static void poke_reset_and_exit(void)
{
	static const char shutdown[] = "Shutdown";

	out8(0xcf9, 0x02, "reset control: SYS_RST without RST_CPU");
	out8(0xcf9, 0x0a, "reset control: FULL_RST|SYS_RST without RST_CPU");
	hostile("outw 0x0606 -> 0xcf9 (a word at 0xcf9 is no reset control access)");
	outw(0xcf9, 0x0606);
	hostile("outb 0x06 -> 0xcf8, 0xcfa (bytes there reach no device)");
	outb(0xcf8, 0x06);
	outb(0xcfa, 0x06);
	out8(0x92, 0x02, "system control port A: A20 only");
	out8(0x64, 0xd1, "keyboard controller: write output port");
	out8(0x60, 0x03, "keyboard controller: output port with the reset line high");
	out8(0xf4, 0x00, "QEMU isa-debug-exit");
	out8(0xf4, 0x01, "QEMU isa-debug-exit");
	hostile("outb \"Shutdown\" -> 0x8900 (Bochs shutdown port)");
	for (int i = 0; shutdown[i]; i++)
		outb(0x8900, (uint8_t)shutdown[i]);
	/* SLP_EN with SLP_TYP 0: no sleep state this platform has (its S5 is SLP_TYP 5). */
	hostile("outw 0x2000 -> 0x604 (PM1a_CNT: SLP_EN, SLP_TYP 0)");
	outw(0x604, 0x2000);
	hostile("outw 0x2000 -> 0xb004 (Bochs/old QEMU ACPI: S5)");
	outw(0xb004, 0x2000);
}

void guest_main(const struct boot_block *bb)
{
	(void)bb;
	/* A reset that slipped through would start us again: the test port byte remembers. */
	if (inb(BOOT_STATE_PORT)) {
		fail("contained", "booted again: a port write reset the partition");
		poweroff(1);
	}
	outb(BOOT_STATE_PORT, 1);
	test_reads();
	poke_uart();
	poke_pic();
	poke_pci();
	poke_reset_and_exit();
	pass("survived");
	poweroff(0);
}
