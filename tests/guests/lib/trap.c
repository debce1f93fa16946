/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IDT covering all 256 vectors. Exceptions a test expects (armed with
 * TRY_BEGIN/TRY_END or trap_expect_skip()) are recorded and resumed;
 * registered handlers take interrupts; anything else is a FAIL and the
 * guest powers off with status 1.
 */
#include "guest.h"

#define IDT_VECTORS 256
#define ISR_STUB_SIZE 16	/* matches .balign in isr.S */
#define GATE_INTERRUPT 0x8e	/* present, DPL 0, 64-bit interrupt gate */
#define VEC_PF 14

struct idt_gate {
	uint16_t off_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t reserved;
} __attribute__((packed));

extern const char isr_stubs[];
void trap_dispatch(struct trap_frame *f);

static struct idt_gate idt[IDT_VECTORS] __aligned(16);
static irq_handler_t handlers[IDT_VECTORS];
static volatile unsigned int skip_len;

struct trap_record trap_last = { .vector = NO_TRAP };
volatile uint64_t trap_fixup_rip;
bool (*trap_user_hook)(struct trap_frame *f);

void idt_load(void)
{
	struct desc_ptr p = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };

	asm volatile("lidt %0" : : "m"(p) : "memory");
}

void idt_init(void)
{
	uint16_t cs;

	/* Gates use whatever code selector we run on: 0x08 in Plinth's GDT. */
	asm volatile("mov %%cs, %0" : "=r"(cs));
	for (int v = 0; v < IDT_VECTORS; v++) {
		uint64_t a = (uint64_t)(uintptr_t)isr_stubs + (uint64_t)v * ISR_STUB_SIZE;

		idt[v].off_lo = (uint16_t)a;
		idt[v].selector = cs;
		idt[v].ist = 0;
		idt[v].type = GATE_INTERRUPT;
		idt[v].off_mid = (uint16_t)(a >> 16);
		idt[v].off_hi = (uint32_t)(a >> 32);
		idt[v].reserved = 0;
	}
	idt_load();
}

void idt_set_dpl(uint8_t vector, unsigned int dpl)
{
	idt[vector].type = (uint8_t)((idt[vector].type & ~0x60) | ((dpl & 3) << 5));
}

void idt_set_ist(uint8_t vector, unsigned int ist)
{
	idt[vector].ist = (uint8_t)(ist & 7);
}

void set_irq_handler(uint8_t vector, irq_handler_t fn)
{
	handlers[vector] = fn;
}

void trap_reset(void)
{
	trap_last.vector = NO_TRAP;
	trap_last.error_code = 0;
	trap_last.rip = 0;
	trap_last.cr2 = 0;
	asm volatile("" ::: "memory");
}

int trap_vector(void)
{
	asm volatile("" ::: "memory");
	return trap_last.vector;
}

void trap_expect_skip(unsigned int len)
{
	trap_reset();
	skip_len = len;
}

void trap_record(const struct trap_frame *f)
{
	uint64_t cr2 = 0;

	if (f->vector == VEC_PF)
		asm volatile("mov %%cr2, %0" : "=r"(cr2));
	trap_last.vector = (int)f->vector;
	trap_last.error_code = f->error_code;
	trap_last.rip = f->rip;
	trap_last.cr2 = cr2;
	trap_last.count++;
}

void trap_dispatch(struct trap_frame *f)
{
	if (handlers[f->vector]) {
		handlers[f->vector](f);
		return;
	}
	/* An exception at CPL>0 while user.c runs a function there: it decides. */
	if (f->vector < 32 && (f->cs & 3) && trap_user_hook && trap_user_hook(f))
		return;
	if (f->vector < 32 && trap_fixup_rip) {
		trap_record(f);
		f->rip = trap_fixup_rip;
		trap_fixup_rip = 0;
		return;
	}
	if (f->vector < 32 && skip_len) {
		trap_record(f);
		f->rip += skip_len;
		skip_len = 0;
		return;
	}
	uint64_t cr2 = 0;

	if (f->vector == VEC_PF)
		asm volatile("mov %%cr2, %0" : "=r"(cr2));
	fail("unexpected-trap", "vector %lu error 0x%lx rip 0x%lx cr2 0x%lx rsp 0x%lx",
	     f->vector, f->error_code, f->rip, cr2, f->rsp);
	poweroff(1);
}
