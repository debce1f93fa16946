/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device models every partition gets (vmm/include/vmm/platform.h):
 * the console UART, the test port/MMIO/timer devices and a minimal xAPIC
 * (identity, EOI and the ICR for INIT/SIPI). Ports nobody claims behave like
 * an empty bus; the real hardware behind them is never touched.
 */
#include <asm/cpu.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/string.h>
#include <plinth/time.h>
#include <vmm/io.h>
#include <vmm/partition.h>
#include <vmm/platform.h>

#define UART_LSR 5
#define UART_LSR_IDLE 0x60 /* transmitter empty: writes never wait */
#define LAPIC_ID 0x20
#define LAPIC_VERSION 0x30
#define LAPIC_EOI 0xb0
#define LAPIC_SVR 0xf0
#define LAPIC_ICR_LOW 0x300
#define LAPIC_ICR_HIGH 0x310
#define ICR_DELIVERY(icr) (((icr) >> 8) & 7)
#define ICR_NMI 4
#define ICR_STARTUP 6
#define ICR_DEST_FIELD 0
#define ICR_SELF 1
#define ICR_ALL 2

void partition_console_put(struct partition *p, const char *s, size_t len)
{
	spin_lock(&p->lock);
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		bool flush = c == '\n' || p->console_len == sizeof(p->console) - 1;

		if (c != '\n' && c != '\r')
			p->console[p->console_len++] = (c >= 0x20 && c < 0x7f) ? c : '?';
		if (flush && p->console_len) {
			p->console[p->console_len] = '\0';
			pr_info("[%s] %s\n", p->name, p->console);
			p->console_len = 0;
		}
	}
	spin_unlock(&p->lock);
}

static void uart_io(struct vcpu *v, uint16_t port, bool in, uint32_t *value)
{
	unsigned int reg = port - GUEST_UART_PORT;

	if (in) {
		*value = reg == UART_LSR ? UART_LSR_IDLE : 0;
		return;
	}
	if (reg == 0) {
		char c = (char)*value;

		partition_console_put(v->part, &c, 1);
	}
}

static void testdev_port_io(struct vcpu *v, uint16_t port, unsigned int size, bool in,
			    uint32_t *value)
{
	unsigned int off = port - GUEST_TESTDEV_PORT;
	uint8_t *regs = v->part->testdev_port;

	if (off + size > TESTDEV_PORT_BYTES) {
		if (in)
			*value = 0xffffffff;
		return;
	}
	if (in) {
		*value = 0;
		memcpy(value, regs + off, size);
	} else {
		memcpy(regs + off, value, size);
	}
}

static void timer_io(struct vcpu *v, uint16_t port, bool in, uint32_t *value)
{
	if (in) {
		*value = 0;
		return;
	}
	if (port == GUEST_TIMER_PORT)
		v->timer_deadline = rdtsc() + (uint64_t)*value * tsc_hz() / 1000000;
	else
		v->timer_vector = (uint8_t)*value;
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
	if (port >= GUEST_UART_PORT && port < GUEST_UART_PORT + 8)
		uart_io(v, port, in, value);
	else if (port >= GUEST_TESTDEV_PORT && port < GUEST_TESTDEV_PORT + GUEST_TESTDEV_PORT_SIZE)
		testdev_port_io(v, port, size, in, value);
	else if (port == GUEST_TIMER_PORT || port == GUEST_TIMER_VECTOR_PORT)
		timer_io(v, port, in, value);
	else
		unclaimed_port(v, port, in, value);
}

static int testdev_mmio(struct vcpu *v, uint64_t off, unsigned int size, bool write,
			uint64_t *value)
{
	struct partition *p = v->part;

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

static void send_nmi(struct vcpu *t)
{
	/* Like the pin: NMIs arriving while one is latched merge into it. */
	vcpu_request(t, VCPU_REQ_NMI);
}

static void send_sipi(struct vcpu *t, uint8_t vector)
{
	if (t->state == VCPU_WAIT_SIPI &&
	    !(__atomic_load_n(&t->requests, __ATOMIC_ACQUIRE) & VCPU_REQ_SIPI)) {
		t->sipi_vector = vector;
		vcpu_request(t, VCPU_REQ_SIPI);
	}
}

void vmm_lapic_icr_write(struct vcpu *v, uint64_t icr)
{
	struct partition *p = v->part;
	unsigned int shorthand = (icr >> 18) & 3, mode = ICR_DELIVERY(icr);
	uint32_t dest = (uint32_t)(icr >> 32);

	for (unsigned int i = 0; i < p->vcpu_count; i++) {
		struct vcpu *t = p->vcpus[i];
		bool hit = shorthand == ICR_DEST_FIELD ? i == dest :
			   shorthand == ICR_SELF ? t == v :
			   shorthand == ICR_ALL ? true : t != v;

		if (!hit)
			continue;
		if (mode == ICR_NMI)
			send_nmi(t);
		else if (mode == ICR_STARTUP && t != v)
			send_sipi(t, (uint8_t)icr);
		/*
		 * INIT needs no action: a vCPU that never started already waits for
		 * its SIPI, and re-initialising a running one is not modelled yet;
		 * fixed-vector IPIs between vCPUs are not modelled yet either.
		 */
	}
}

static int lapic_mmio(struct vcpu *v, uint64_t off, unsigned int size, bool write,
		      uint64_t *value)
{
	uint32_t *reg = &v->lapic[(off >> 4) & 63];

	if (size != 4 || (off & 15))
		return -ENOENT;
	if (!write) {
		if (off == LAPIC_ID)
			*value = (uint64_t)v->index << 24;
		else if (off == LAPIC_VERSION)
			*value = 0x50014;
		else
			*value = *reg;
		return 0;
	}
	if (off == LAPIC_EOI || off == LAPIC_ID || off == LAPIC_VERSION)
		return 0;
	*reg = (uint32_t)*value;
	if (off == LAPIC_ICR_LOW)
		vmm_lapic_icr_write(v, ((uint64_t)(v->lapic[LAPIC_ICR_HIGH >> 4] >> 24) << 32) |
					       (uint32_t)*value);
	return 0;
}

int vmm_mmio(struct vcpu *v, gpa_t addr, unsigned int size, bool write, uint64_t *value)
{
	if (addr.v >= GUEST_TESTDEV_MMIO && addr.v < GUEST_TESTDEV_MMIO + GUEST_TESTDEV_MMIO_SIZE)
		return testdev_mmio(v, addr.v - GUEST_TESTDEV_MMIO, size, write, value);
	if (addr.v >= GUEST_LAPIC_BASE && addr.v < GUEST_LAPIC_BASE + PAGE_SIZE)
		return lapic_mmio(v, addr.v - GUEST_LAPIC_BASE, size, write, value);
	return -ENOENT;
}

bool vmm_mmio_claimed(struct partition *p, gpa_t addr)
{
	(void)p;
	return (addr.v >= GUEST_TESTDEV_MMIO &&
		addr.v < GUEST_TESTDEV_MMIO + GUEST_TESTDEV_MMIO_SIZE) ||
	       (addr.v >= GUEST_LAPIC_BASE && addr.v < GUEST_LAPIC_BASE + PAGE_SIZE);
}
