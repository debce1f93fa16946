/* SPDX-License-Identifier: GPL-2.0 */
#include <asm/cpu.h>
#include <asm/io.h>
#include <asm/reset.h>
#include <plinth/acpi_kernel.h>
#include <plinth/log.h>
#include <plinth/mm.h>
#include <plinth/time.h>

#define QEMU_DEBUG_EXIT_PORT 0xf4
#define BOCHS_SHUTDOWN_PORT 0x8900

static void acpi_reset(void)
{
	const struct acpi_gas *r = &acpi.reset.reg;

	if (!acpi.reset.supported)
		return;
	if (r->space_id == ACPI_GAS_IO) {
		outb((uint16_t)r->address, acpi.reset.value);
	} else if (r->space_id == ACPI_GAS_MEMORY) {
		volatile uint8_t *p = ioremap(r->address, 1);

		if (p)
			*p = acpi.reset.value;
	}
	udelay(50000);
}

void machine_reset(void)
{
	irq_disable();
	acpi_reset();
	outb(0xcf9, 0x02); /* PCI reset control: hard reset */
	outb(0xcf9, 0x06);
	udelay(50000);
	outb(0x64, 0xfe); /* keyboard controller pulse */
	udelay(50000);
	/* Last resort: a triple fault through an empty IDT. */
	struct __packed { uint16_t limit; uint64_t base; } empty = { 0, 0 };

	__asm__ volatile("lidt %0; int3" : : "m"(empty));
	for (;;)
		cpu_halt();
}

void machine_exit(unsigned int status, bool test_exit)
{
	if (test_exit) {
		static const char bochs_cmd[] = "Shutdown";

		outb(QEMU_DEBUG_EXIT_PORT, (uint8_t)status);
		for (const char *c = bochs_cmd; *c; c++)
			outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*c);
		udelay(100000);
	}
	pr_info("resetting the machine\n");
	machine_reset();
}
