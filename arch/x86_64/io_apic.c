// SPDX-License-Identifier: GPL-2.0
/* See asm/io_apic.h. */
#include <asm/io.h>
#include <asm/io_apic.h>
#include <asm/percpu.h>
#include <plinth/acpi.h>
#include <plinth/acpi_kernel.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/mm.h>
#include <plinth/sched.h>
#include <plinth/spinlock.h>

#define IOAPIC_REGSEL 0x00
#define IOAPIC_WINDOW 0x10
#define IOAPIC_REG_VER 0x01
#define IOAPIC_REDIR(pin) (0x10 + 2 * (pin))

#define REDIR_ACTIVE_LOW (1u << 13)
#define REDIR_LEVEL (1u << 15)
#define REDIR_MASKED (1u << 16)

struct ioapic {
	volatile uint8_t *mmio;
	uint32_t gsi_base;
	unsigned int pins;
};

static struct ioapic ioapics[ACPI_MAX_IOAPICS];
static unsigned int ioapic_count;
static spinlock_t ioapic_lock = SPINLOCK_INIT;

static uint32_t reg_read(const struct ioapic *io, uint8_t reg)
{
	mmio_write32(io->mmio + IOAPIC_REGSEL, reg);
	return mmio_read32(io->mmio + IOAPIC_WINDOW);
}

static void reg_write(const struct ioapic *io, uint8_t reg, uint32_t v)
{
	mmio_write32(io->mmio + IOAPIC_REGSEL, reg);
	mmio_write32(io->mmio + IOAPIC_WINDOW, v);
}

static void add_ioapic(paddr_t base, uint32_t gsi_base)
{
	struct ioapic *io = &ioapics[ioapic_count];
	uint32_t ver;

	io->mmio = ioremap(base, 0x20);
	if (!io->mmio) {
		pr_err("ioapic: cannot map %lx\n", base);
		return;
	}
	ver = reg_read(io, IOAPIC_REG_VER);
	if (ver == 0xffffffffu) {
		pr_warn("ioapic: nothing answers at %lx\n", base);
		return;
	}
	io->gsi_base = gsi_base;
	io->pins = ((ver >> 16) & 0xff) + 1;
	for (unsigned int pin = 0; pin < io->pins; pin++) {
		reg_write(io, IOAPIC_REDIR(pin) + 1, 0);
		reg_write(io, IOAPIC_REDIR(pin), REDIR_MASKED);
	}
	pr_info("ioapic: %lx GSIs %u-%u\n", base, gsi_base, gsi_base + io->pins - 1);
	ioapic_count++;
}

void io_apic_init(void)
{
	/* Plinth takes no interrupt through the 8259s; a stray one would arrive on vector 8..15. */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	if (!acpi.ioapic_count) {
		add_ioapic(IOAPIC_DEFAULT_BASE, 0);
		return;
	}
	for (unsigned int i = 0; i < acpi.ioapic_count && i < ACPI_MAX_IOAPICS; i++)
		add_ioapic(acpi.ioapics[i].addr, acpi.ioapics[i].gsi_base);
}

uint32_t io_apic_isa_to_gsi(uint8_t irq, uint16_t *flags)
{
	*flags = 0;
	for (unsigned int i = 0; i < acpi.override_count && i < ACPI_MAX_OVERRIDES; i++) {
		if (acpi.overrides[i].bus == 0 && acpi.overrides[i].source_irq == irq) {
			*flags = acpi.overrides[i].flags;
			return acpi.overrides[i].gsi;
		}
	}
	return irq;
}

static struct ioapic *find_pin(uint32_t gsi, unsigned int *pin)
{
	for (unsigned int i = 0; i < ioapic_count; i++) {
		if (gsi >= ioapics[i].gsi_base && gsi - ioapics[i].gsi_base < ioapics[i].pins) {
			*pin = gsi - ioapics[i].gsi_base;
			return &ioapics[i];
		}
	}
	return NULL;
}

int io_apic_route(uint32_t gsi, uint8_t vector, uint32_t apic_id, bool level, bool active_low)
{
	uint32_t low = vector | (level ? REDIR_LEVEL : 0) | (active_low ? REDIR_ACTIVE_LOW : 0);
	unsigned int pin;
	struct ioapic *io = find_pin(gsi, &pin);

	if (!io || apic_id > 0xff)
		return -ENODEV;
	spin_lock(&ioapic_lock);
	/* Masked while the destination changes, so no half-written entry delivers. */
	reg_write(io, IOAPIC_REDIR(pin), REDIR_MASKED);
	reg_write(io, IOAPIC_REDIR(pin) + 1, apic_id << 24);
	reg_write(io, IOAPIC_REDIR(pin), low);
	spin_unlock(&ioapic_lock);
	return 0;
}

void io_apic_mask(uint32_t gsi)
{
	unsigned int pin;
	struct ioapic *io = find_pin(gsi, &pin);

	if (!io)
		return;
	spin_lock(&ioapic_lock);
	reg_write(io, IOAPIC_REDIR(pin), reg_read(io, IOAPIC_REDIR(pin)) | REDIR_MASKED);
	spin_unlock(&ioapic_lock);
}

uint32_t irq_service_apic_id(void)
{
	return cpu_table[SCHED_SERVICE_CPU]->apic_id;
}
