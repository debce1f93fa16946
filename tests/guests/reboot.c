/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every way a PC guest restarts itself, each once, then ACPI S5: the
 * partition restarts from its boot image with RAM zeroed and the image
 * reloaded, while the test port device's state survives. Byte 0 of the test
 * port device counts the boots; each boot checks that memory is fresh, then
 * takes the next way out:
 *
 *   boot 0  HC_REBOOT hypercall
 *   boot 1  0xcf9 hard reset (Linux's reboot=pci writes 0x02, then 0x06)
 *   boot 2  port 0x92 INIT_NOW (fast reset)
 *   boot 3  i8042 command 0xfe (pulse the reset line)
 *   boot 4  triple fault (the partition's on_crash = restart)
 *   boot 5  PM1a_CNT SLP_EN with SLP_TYP 5: power off
 *
 * A boot beyond the last fails instead of looping.
 */
#include "guest.h"

#define BOOT_STATE_PORT GUEST_TESTDEV_PORT

#define CF9_PORT 0xcf9
#define CF9_SYS_RST 0x02
#define CF9_RST_CPU 0x04
#define PORT_A 0x92
#define PORT_A_INIT_NOW 0x01
#define KBC_CMD 0x64
#define KBC_PULSE_RESET 0xfe
#define PM1A_CNT 0x604 /* ACPI_PM1A_CNT_PORT */
#define PM1_SLP_EN 0x2000
#define PM1_SLP_TYP_S5 (5u << 10)

#define DATA_INITIAL 0x5eed1234u
#define DATA_DIRTY 0xd1e7d1e7u
#define SCRATCH_PATTERN 0x7265626f6f74ULL	/* "reboot" */

enum boot { BOOT_HYPERCALL, BOOT_CF9, BOOT_PORT_A, BOOT_I8042, BOOT_TRIPLE_FAULT, BOOT_LAST };

static const char *const how[] = {
	[BOOT_HYPERCALL] = "hypercall",
	[BOOT_CF9] = "cf9",
	[BOOT_PORT_A] = "port92",
	[BOOT_I8042] = "i8042",
	[BOOT_TRIPLE_FAULT] = "triple-fault",
};

/*
 * In .data, so only reloading the image restores it (crt0 clears .bss on
 * every boot, so a .bss variable would not tell a reload from no reload).
 */
static volatile uint32_t data_marker = DATA_INITIAL;

extern char __bss_end[];

/*
 * RAM no part of the image covers: after each reboot it must read 0 again.
 * 0 if RAM ends too early to have such a spot.
 */
static volatile uint64_t *scratch_slot(const struct boot_block *bb)
{
	uint64_t a = ((uint64_t)(uintptr_t)__bss_end + 2 * 4096) & ~4095ULL;

	if (!bb || bb->magic != BOOT_BLOCK_MAGIC || a + 8 > bb->memory_size)
		return NULL;
	return (volatile uint64_t *)(uintptr_t)a;
}

static void format(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfmt(buf, size, fmt, ap);
	va_end(ap);
}

/* After boot n-1's reset: the image is reloaded and the rest of RAM is zero. */
static bool memory_fresh(unsigned int n, volatile uint64_t *scratch)
{
	char name[40];
	bool ok;

	format(name, sizeof(name), "rebooted-%s", how[n - 1]);
	ok = check(data_marker == DATA_INITIAL, name,
		   ".data marker 0x%x after the reboot, want the image's 0x%x (0x%x = RAM kept)",
		   data_marker, DATA_INITIAL, DATA_DIRTY);
	if (scratch)
		ok &= check(*scratch == 0, "reboot-ram-zeroed",
			    "RAM at %p holds 0x%lx after the %s reboot, want 0", (void *)scratch,
			    *scratch, how[n - 1]);
	return ok;
}

static __noreturn void triple_fault(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) empty = { 0, 0 };

	asm volatile("lidt %0\n\tint3" : : "m"(empty) : "memory");
	fail("reboot", "still running after the triple fault");
	poweroff(1);
}

static __noreturn void leave(unsigned int n)
{
	switch (n) {
	case BOOT_HYPERCALL:
		fail("reboot", "hypercall returned %ld", hypercall(HC_REBOOT, 0, 0, 0));
		break;
	case BOOT_CF9:
		outb(CF9_PORT, CF9_SYS_RST);
		outb(CF9_PORT, CF9_SYS_RST | CF9_RST_CPU);
		break;
	case BOOT_PORT_A:
		outb(PORT_A, inb(PORT_A) | PORT_A_INIT_NOW);
		break;
	case BOOT_I8042:
		outb(KBC_CMD, KBC_PULSE_RESET);
		break;
	case BOOT_TRIPLE_FAULT:
		triple_fault();
	default:
		outw(PM1A_CNT, PM1_SLP_TYP_S5 | PM1_SLP_EN);
		fail("poweroff", "still running after ACPI S5");
		poweroff(1);
	}
	/* A reset takes effect at the end of the instruction that asked for it. */
	fail("reboot", "still running after the %s reset", how[n]);
	poweroff(1);
}

void guest_main(const struct boot_block *bb)
{
	volatile uint64_t *scratch = scratch_slot(bb);
	unsigned int n = inb(BOOT_STATE_PORT);

	if (n > BOOT_LAST) {
		fail("rebooted", "test port byte 0 is %u: booted again after the test finished", n);
		poweroff(1);
	}
	if (n == 0) {
		if (!check(data_marker == DATA_INITIAL, "first-boot", ".data marker 0x%x, want 0x%x",
			   data_marker, DATA_INITIAL))
			poweroff(1);
	} else if (!memory_fresh(n, scratch)) {
		poweroff(1);
	}
	/* From here on a further boot is the next round (or an error after the last). */
	outb(BOOT_STATE_PORT, (uint8_t)(n + 1));
	data_marker = DATA_DIRTY;
	if (scratch)
		*scratch = SCRATCH_PATTERN;
	if (n == BOOT_LAST)
		pass("all-reboots");
	leave(n);
}
