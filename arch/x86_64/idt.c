/* SPDX-License-Identifier: GPL-2.0 */
#include <asm/percpu.h>
#include <asm/extable.h>
#include <asm/lapic.h>
#include <asm/trap.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/spinlock.h>

struct __packed idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
};

struct __packed idt_ptr {
	uint16_t limit;
	uint64_t base;
};

extern const uint64_t isr_table[256];

static struct idt_gate idt[256] __aligned(16);
static irq_handler_t handlers[256];

struct dyn_vector {
	void (*fn)(void *ctx);
	void *ctx;
	bool used;
};

static struct dyn_vector dyn_vectors[256];
static spinlock_t dyn_lock = SPINLOCK_INIT;

static void set_gate(unsigned int vec, uint8_t ist)
{
	uint64_t addr = isr_table[vec];

	idt[vec].offset_low = addr & 0xffff;
	idt[vec].selector = GDT_KERNEL_CS;
	idt[vec].ist = ist;
	idt[vec].type_attr = 0x8e; /* present, DPL0, 64-bit interrupt gate */
	idt[vec].offset_mid = (addr >> 16) & 0xffff;
	idt[vec].offset_high = addr >> 32;
	idt[vec].reserved = 0;
}

void idt_init(void)
{
	for (unsigned int v = 0; v < 256; v++)
		set_gate(v, 0);
	set_gate(VEC_NMI, IST_NMI);
	set_gate(VEC_DOUBLE_FAULT, IST_DOUBLE_FAULT);
	set_gate(VEC_MACHINE_CHECK, IST_MACHINE_CHECK);
}

void idt_load(void)
{
	struct idt_ptr p = { sizeof(idt) - 1, (uint64_t)idt };

	__asm__ volatile("lidt %0" : : "m"(p));
}

void irq_register(unsigned int vector, irq_handler_t handler)
{
	if (vector < 32 || vector > 255) {
		pr_err("irq: refusing handler for vector %u\n", vector);
		return;
	}
	__atomic_store_n(&handlers[vector], handler, __ATOMIC_RELEASE);
}

static void dyn_dispatch(struct trap_frame *tf)
{
	struct dyn_vector *dv = &dyn_vectors[tf->vector & 0xff];
	void (*fn)(void *ctx) = __atomic_load_n(&dv->fn, __ATOMIC_ACQUIRE);

	if (fn)
		fn(dv->ctx);
	lapic_eoi();
}

int irq_vector_alloc(void (*fn)(void *ctx), void *ctx)
{
	int vector = -ENOSPC;

	if (!fn)
		return -EINVAL;
	spin_lock(&dyn_lock);
	for (unsigned int v = IRQ_VECTOR_FIRST; v <= IRQ_VECTOR_LAST; v++) {
		if (dyn_vectors[v].used || (handlers[v] && handlers[v] != dyn_dispatch))
			continue;
		dyn_vectors[v].used = true;
		dyn_vectors[v].ctx = ctx;
		__atomic_store_n(&dyn_vectors[v].fn, fn, __ATOMIC_RELEASE);
		irq_register(v, dyn_dispatch);
		vector = (int)v;
		break;
	}
	spin_unlock(&dyn_lock);
	return vector;
}

void irq_vector_free(int vector)
{
	if (vector < IRQ_VECTOR_FIRST || vector > IRQ_VECTOR_LAST)
		return;
	spin_lock(&dyn_lock);
	if (dyn_vectors[vector].used) {
		/* Still acknowledged if a late message arrives, just not delivered. */
		__atomic_store_n(&dyn_vectors[vector].fn, NULL, __ATOMIC_RELEASE);
		dyn_vectors[vector].ctx = NULL;
		dyn_vectors[vector].used = false;
	}
	spin_unlock(&dyn_lock);
}

void trap_dispatch(struct trap_frame *tf)
{
	irq_handler_t h;

	if (tf->vector < 32) {
		uint64_t fixup = extable_fixup(tf->rip);

		/* A fault the code expected (asm/extable.h): resume at its fix-up. */
		if (fixup && tf->vector != VEC_NMI && tf->vector != VEC_MACHINE_CHECK) {
			tf->rip = fixup;
			return;
		}
		fatal_exception(tf);
		return;
	}
	h = __atomic_load_n(&handlers[tf->vector], __ATOMIC_ACQUIRE);
	if (h)
		h(tf);
	else if (tf->vector != VEC_SPURIOUS)
		pr_warn("irq: unexpected interrupt on vector %lu\n", tf->vector);
}
