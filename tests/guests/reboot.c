/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HC_REBOOT: the partition restarts from its boot image with RAM zeroed and
 * the image reloaded, while device state survives. Byte 0 of the test port
 * device counts the boots: 0 on the first, 1 after the reboot, 2 once done
 * (a third boot then fails instead of looping).
 */
#include "guest.h"

#define BOOT_STATE_PORT GUEST_TESTDEV_PORT
#define STATE_FIRST 0
#define STATE_REBOOTED 1
#define STATE_DONE 2

#define DATA_INITIAL 0x5eed1234u
#define DATA_DIRTY 0xd1e7d1e7u
#define SCRATCH_PATTERN 0x7265626f6f74ULL	/* "reboot" */

/*
 * In .data, so only reloading the image restores it (crt0 clears .bss on
 * every boot, so a .bss variable would not tell a reload from no reload).
 */
static volatile uint32_t data_marker = DATA_INITIAL;

extern char __bss_end[];

/*
 * RAM no part of the image covers: after the reboot it must read 0 again.
 * 0 if RAM ends too early to have such a spot.
 */
static volatile uint64_t *scratch_slot(const struct boot_block *bb)
{
	uint64_t a = ((uint64_t)(uintptr_t)__bss_end + 2 * 4096) & ~4095ULL;

	if (!bb || bb->magic != BOOT_BLOCK_MAGIC || a + 8 > bb->memory_size)
		return NULL;
	return (volatile uint64_t *)(uintptr_t)a;
}

static __noreturn void first_boot(volatile uint64_t *scratch)
{
	long ret;

	if (data_marker != DATA_INITIAL) {
		fail("first-boot", ".data marker 0x%x, want 0x%x", data_marker,
		     DATA_INITIAL);
		poweroff(1);
	}
	pass("first-boot");
	data_marker = DATA_DIRTY;
	if (scratch)
		*scratch = SCRATCH_PATTERN;
	outb(BOOT_STATE_PORT, STATE_REBOOTED);
	ret = hypercall(HC_REBOOT, 0, 0, 0);
	fail("reboot", "hypercall returned %ld", ret);
	poweroff(1);
}

static void after_reboot(volatile uint64_t *scratch)
{
	uint32_t marker = data_marker;

	/* From here on a further boot is an error, not another round. */
	outb(BOOT_STATE_PORT, STATE_DONE);
	check(marker == DATA_INITIAL, "rebooted",
	      ".data marker 0x%x after reboot, want the image's 0x%x (0x%x = RAM kept)",
	      marker, DATA_INITIAL, DATA_DIRTY);
	if (scratch) {
		uint64_t v = *scratch;

		check(v == 0, "reboot-ram-zeroed",
		      "RAM at %p holds 0x%lx after reboot, want 0", (void *)scratch, v);
	} else {
		gprintf("INFO no RAM beyond the image to check for zeroing\n");
	}
}

void guest_main(const struct boot_block *bb)
{
	volatile uint64_t *scratch = scratch_slot(bb);
	uint8_t state = inb(BOOT_STATE_PORT);

	switch (state) {
	case STATE_FIRST:
		first_boot(scratch);
	case STATE_REBOOTED:
		after_reboot(scratch);
		poweroff(0);
	default:
		fail("rebooted", "test port byte 0 is %u: booted again after the test finished",
		     state);
		poweroff(1);
	}
}
