/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device models every partition gets (vmm/include/vmm/platform.h):
 * the console UART, the test port/MMIO/timer devices, the interrupt
 * controllers of vmm/core/irq.c (a local APIC per vCPU, one I/O APIC) and
 * the PC platform devices of vmm/core/pc_devices.c, placed on the
 * partition's I/O bus when it is set up. Ports nobody claims behave like an
 * empty bus; the real hardware behind them is never touched.
 */
#include <asm/cpu.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/string.h>
#include <plinth/time.h>
#include <vmm/console_line.h>
#include <vmm/dev/uart16550.h>
#include <vmm/io.h>
#include <vmm/virtio_wiring.h>
#include <vmm/io_bus.h>
#include <vmm/irq.h>
#include <vmm/partition.h>
#include <vmm/pc_devices.h>
#include <vmm/platform.h>

/* Runs under p->lock, like the old in-place assembly did. */
static void console_emit(void *ctx, const char *line, size_t len)
{
	struct partition *p = ctx;

	(void)len;
	pr_info("[%s] %s\n", p->name, line);
}

void partition_console_put(struct partition *p, const char *s, size_t len)
{
	spin_lock(&p->lock);
	byte_ring_write(&p->console_log, s, len);
	if (__atomic_load_n(&p->console_raw, __ATOMIC_RELAXED))
		log_guest_raw(s, len);
	else
		console_line_feed(&p->console, s, len, console_emit, p);
	spin_unlock(&p->lock);
}

size_t partition_console_read(struct partition *p, uint64_t *off, void *buf, size_t len,
			      uint64_t *lost)
{
	size_t n;

	spin_lock(&p->lock);
	n = byte_ring_read(&p->console_log, off, buf, len, lost);
	spin_unlock(&p->lock);
	return n;
}

/*
 * The device callbacks below get the partition as opaque; the timer keeps
 * its state per vCPU and uses v instead.
 */

/*
 * Runs under uart_lock; partition_console_put takes p->lock inside it (that
 * order only). The UART's interrupt line likewise takes irq_lock inside
 * uart_lock (vmm/include/vmm/irq.h).
 */
static void uart_tx(void *ctx, uint8_t byte)
{
	char c = (char)byte;

	partition_console_put(ctx, &c, 1);
}

static int uart_access(struct vcpu *v, void *opaque, uint64_t reg, unsigned int size, bool write,
		       uint64_t *value)
{
	struct partition *p = opaque;

	(void)v;
	(void)size;
	spin_lock(&p->uart_lock);
	if (write)
		vuart16550_write(&p->uart, (unsigned int)reg, (uint8_t)*value);
	else
		*value = vuart16550_read(&p->uart, (unsigned int)reg);
	spin_unlock(&p->uart_lock);
	return 0;
}

static int testdev_port_access(struct vcpu *v, void *opaque, uint64_t off, unsigned int size,
			       bool write, uint64_t *value)
{
	struct partition *p = opaque;
	uint8_t *regs = p->testdev_port;

	(void)v;
	/* Claimed by its first port (see vmm_port_io), so it may run past the end. */
	if (off + size > TESTDEV_PORT_BYTES) {
		if (!write)
			*value = 0xffffffff;
		return 0;
	}
	if (!write) {
		*value = 0;
		memcpy(value, regs + off, size);
	} else {
		memcpy(regs + off, value, size);
	}
	return 0;
}

/*
 * The test timer: a 32-bit write of microseconds at 0x510 arms one interrupt,
 * a byte at 0x514 picks its vector. The ports in between hold nothing.
 */
static int timer_access(struct vcpu *v, void *opaque, uint64_t off, unsigned int size, bool write,
			uint64_t *value)
{
	(void)opaque;
	(void)size;
	if (!write)
		*value = 0;
	else if (off == 0)
		v->timer_deadline = rdtsc() + (uint64_t)(uint32_t)*value * tsc_hz() / 1000000;
	else if (off == GUEST_TIMER_VECTOR_PORT - GUEST_TIMER_PORT)
		v->timer_vector = (uint8_t)*value;
	return 0;
}

static void unclaimed_port(struct vcpu *v, uint16_t port, bool in, uint32_t *value)
{
	static const unsigned int report_limit = 8;

	if (in)
		*value = 0xffffffff;
	if (v->part->ignored_ports++ < report_limit)
		pr_warn("partition '%s': %s port %#x has no device, %s\n", v->part->name,
			in ? "read of" : "write to", port, in ? "reads as all ones" : "ignored");
}

void vmm_port_io(struct vcpu *v, uint16_t port, unsigned int size, bool in, uint32_t *value)
{
	uint64_t off, val = *value;
	const struct io_range *r;

	/*
	 * A port device is chosen by the first port of the access alone and is
	 * handed the whole width: the timer's one-port register takes a 32-bit
	 * OUT, and a wide access running off the test port device's last byte
	 * reads as all ones without counting as an unclaimed port.
	 */
	r = io_bus_find(&v->part->bus, IO_SPACE_PORT, port, 1, &off);
	if (!r) {
		unclaimed_port(v, port, in, value);
		return;
	}
	r->ops->access(v, r->opaque, off, size, !in, &val);
	if (in)
		*value = (uint32_t)val;
}

static int testdev_mmio_access(struct vcpu *v, void *opaque, uint64_t off, unsigned int size,
			       bool write, uint64_t *value)
{
	struct partition *p = opaque;

	(void)v;
	/* The bus only passes whole accesses; this guards the arrays if the sizes ever differ. */
	if (off + size > TESTDEV_MMIO_BYTES)
		return -ENOENT;
	__atomic_fetch_add(&p->testdev_mmio_accesses, 1, __ATOMIC_RELAXED);
	if (off >= TESTDEV_MMIO_BYTES - 8) {
		/* The access counter is read-only. */
		if (!write)
			*value = p->testdev_mmio_accesses;
		return 0;
	}
	if (write) {
		memcpy(p->testdev_mmio + off, value, size);
	} else {
		*value = 0;
		memcpy(value, p->testdev_mmio + off, size);
	}
	return 0;
}

int vmm_mmio(struct vcpu *v, gpa_t addr, unsigned int size, bool write, uint64_t *value)
{
	const struct io_range *r;
	uint64_t off;

	r = io_bus_find(&v->part->bus, IO_SPACE_MMIO, addr.v, size, &off);
	if (!r)
		return -ENOENT;
	return r->ops->access(v, r->opaque, off, size, write, value);
}

bool vmm_mmio_claimed(struct partition *p, gpa_t addr)
{
	return io_bus_find(&p->bus, IO_SPACE_MMIO, addr.v, 1, NULL);
}

static const struct io_dev_ops uart_ops = { .access = uart_access };
static const struct io_dev_ops testdev_port_ops = { .access = testdev_port_access };
static const struct io_dev_ops timer_ops = { .access = timer_access };
static const struct io_dev_ops testdev_mmio_ops = { .access = testdev_mmio_access };

static const struct {
	enum io_space space;
	uint64_t base, size;
	const struct io_dev_ops *ops;
	const char *name;
} platform_devices[] = {
	{ IO_SPACE_PORT, GUEST_UART_PORT, 8, &uart_ops, "uart" },
	{ IO_SPACE_PORT, GUEST_TESTDEV_PORT, GUEST_TESTDEV_PORT_SIZE,
	  &testdev_port_ops, "testdev-port" },
	{ IO_SPACE_PORT, GUEST_TIMER_PORT, GUEST_TIMER_VECTOR_PORT - GUEST_TIMER_PORT + 1, &timer_ops,
	  "timer" },
	{ IO_SPACE_MMIO, GUEST_TESTDEV_MMIO, GUEST_TESTDEV_MMIO_SIZE,
	  &testdev_mmio_ops, "testdev-mmio" },
	{ IO_SPACE_MMIO, GUEST_LAPIC_BASE, LAPIC_MMIO_SIZE, &vmm_lapic_ops, "lapic" },
	{ IO_SPACE_MMIO, GUEST_IOAPIC_BASE, IOAPIC_MMIO_SIZE, &vmm_ioapic_ops, "ioapic" },
};

/*
 * The exit port (exit_port in plinth.cfg), in the style of QEMU's
 * isa-debug-exit: a test kernel ends its partition with the value it writes
 * as the status, instead of halting until its time limit.
 */
static int exit_port_access(struct vcpu *v, void *opaque, uint64_t off, unsigned int size,
			    bool write, uint64_t *value)
{
	struct partition *p = opaque;
	uint64_t status = *value & (size >= 4 ? 0xffffffffULL : (1ULL << (size * 8)) - 1);

	(void)v;
	(void)off;
	if (!write) {
		*value = ~0ULL;
		return 0;
	}
	partition_stop(p, (int64_t)status, "exit port %#lx written (status %lu)", p->cfg->exit_port,
		       status);
	return 0;
}

static const struct io_dev_ops exit_port_ops = { .access = exit_port_access };

int vmm_devices_init(struct partition *p)
{
	struct vuart16550_config uart = { .tx = uart_tx, .tx_ctx = p };
	int ret;

	console_line_init(&p->console);
	ret = byte_ring_init(&p->console_log, p->console_log_buf, sizeof(p->console_log_buf));
	if (ret < 0)
		return ret;
	spin_lock_init(&p->uart_lock);
	/* First: every device's interrupt line ends at the I/O APIC. */
	ret = vmm_irq_init(p);
	if (ret < 0)
		return ret;
	/* COM1 on ISA IRQ 4; a guest that leaves MCR.OUT2 clear polls, as the test guests do. */
	uart.irq = vmm_pc_irq(p, PC_IRQ_COM1);
	ret = vuart16550_init(&p->uart, &uart);
	if (ret < 0)
		return ret;
	io_bus_init(&p->bus);
	for (size_t i = 0; i < ARRAY_SIZE(platform_devices); i++) {
		ret = io_bus_register(&p->bus, platform_devices[i].space, platform_devices[i].base,
				      platform_devices[i].size, platform_devices[i].ops, p,
				      platform_devices[i].name);
		if (ret < 0) {
			pr_err("partition '%s': cannot place device %s: %s\n", p->name,
			       platform_devices[i].name, strerror(ret));
			return ret;
		}
	}
	/* After the test devices, which the exit-cost benchmark reaches, so they are found first. */
	ret = vmm_pci_init(p);
	if (ret < 0)
		return ret;
	ret = vmm_pc_devices_init(p);
	if (ret < 0)
		return ret;
	if (p->cfg->exit_port) {
		ret = io_bus_register(&p->bus, IO_SPACE_PORT, p->cfg->exit_port, 1, &exit_port_ops, p,
				      "exit-port");
		if (ret < 0) {
			pr_err("partition '%s': exit_port %#lx is taken by another device\n", p->name,
			       p->cfg->exit_port);
			return ret;
		}
	}
	return 0;
}

void vmm_devices_reset(struct partition *p)
{
	spin_lock(&p->uart_lock);
	vuart16550_reset(&p->uart);
	spin_unlock(&p->uart_lock);
	vmm_pc_devices_reset(p);
	vmm_virtio_reset(p);
	vmm_irq_reset(p);
}
