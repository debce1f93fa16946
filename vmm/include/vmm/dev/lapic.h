/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_DEV_LAPIC_H
#define VMM_DEV_LAPIC_H

/*
 * A virtual local APIC, one per vCPU, as a stock Linux guest programs it:
 * the xAPIC page, the x2APIC MSRs, IA32_APIC_BASE, the APIC timer (one-shot,
 * periodic, TSC-deadline), the ISR/IRR/TMR priority machinery and IPIs.
 *
 * The model knows nothing of vCPUs, the VMCS or partitions. Its owner gives
 * it a clock, the TSC frequency and a TSC reader, and callbacks: send_ipi
 * (route a message to the destination LAPICs, lapic_match_dest() helps),
 * kick (an interrupt may have become deliverable) and eoi_broadcast (a
 * level-triggered vector was EOIed: tell the I/O APIC). NMI, SMI, INIT and
 * SIPI are not queued here: they reach the owner as send_ipi messages or as
 * lapic_set_lint()/lapic_local_irq() results and it acts on the vCPU itself.
 *
 * Not locked: the owner serialises every call on one LAPIC. Callbacks may
 * be invoked from inside any lapic_* call that changes state (including
 * register writes made by the vCPU itself), so they must not call back into
 * the same LAPIC except lapic_accept() and the read-only accessors.
 *
 * Choices where the SDM leaves room, all as a modern Intel core:
 * - The xAPIC ID is read-only (Nehalem and later); it is the low 8 bits of
 *   the configured x2APIC ID.
 * - IA32_APIC_BASE cannot be relocated: a write whose address is not
 *   0xfee00000 fails (#GP). The BSP bit is read-only.
 * - Clearing IA32_APIC_BASE.EN returns the registers to the power-up state.
 * - ICR writes send at once; the delivery status bit always reads 0. INIT
 *   level de-assert (a Pentium/P6 message) is dropped, as are shorthand/mode
 *   combinations the SDM marks invalid (self with anything but fixed,
 *   all-including-self with lowest priority) and reserved delivery modes.
 * - EOI broadcast suppression is not offered (version bit 24 clear, SVR bit
 *   12 reserved).
 * - Timer mode 11b (reserved) written through MMIO is stored as one-shot;
 *   through the x2APIC MSR it #GPs like every other reserved bit.
 * - Self-targeted IPIs (shorthand self, all-including-self, the SELF IPI
 *   register) also go out through send_ipi: the owner delivers them back
 *   with lapic_accept() like any other.
 * - ESR reports send/receive illegal vector and (xAPIC) illegal register
 *   address; the error interrupt fires for the first error after each ESR
 *   write, which re-arms it.
 */
#include <plinth/types.h>
#include <vmm/dev/dev.h>

#define LAPIC_DEFAULT_BASE 0xfee00000ULL
#define LAPIC_MMIO_SIZE 0x1000

/*
 * The clock feeding the timer's divider. 1 GHz makes one tick a nanosecond;
 * CPUID leaf 0x15/0x16 or the hypervisor leaf can report it to the guest.
 */
#define LAPIC_BUS_HZ 1000000000ULL
/* Highest TSC frequency lapic_init() takes: keeps the ns conversion in 64 bits. */
#define LAPIC_MAX_TSC_HZ 16000000000ULL

#define LAPIC_VERSION 0x14
#define LAPIC_LVT_COUNT 7
#define LAPIC_VERSION_VALUE (LAPIC_VERSION | ((LAPIC_LVT_COUNT - 1) << 16))

/* xAPIC register offsets in the page; the x2APIC MSR is 0x800 + (offset >> 4). */
#define LAPIC_REG_ID 0x020
#define LAPIC_REG_VERSION 0x030
#define LAPIC_REG_TPR 0x080
#define LAPIC_REG_APR 0x090
#define LAPIC_REG_PPR 0x0a0
#define LAPIC_REG_EOI 0x0b0
#define LAPIC_REG_RRD 0x0c0
#define LAPIC_REG_LDR 0x0d0
#define LAPIC_REG_DFR 0x0e0
#define LAPIC_REG_SVR 0x0f0
#define LAPIC_REG_ISR 0x100 /* 8 registers, 0x10 apart */
#define LAPIC_REG_TMR 0x180
#define LAPIC_REG_IRR 0x200
#define LAPIC_REG_ESR 0x280
#define LAPIC_REG_LVT_CMCI 0x2f0
#define LAPIC_REG_ICR_LO 0x300
#define LAPIC_REG_ICR_HI 0x310
#define LAPIC_REG_LVT_TIMER 0x320
#define LAPIC_REG_LVT_THERMAL 0x330
#define LAPIC_REG_LVT_PERF 0x340
#define LAPIC_REG_LVT_LINT0 0x350
#define LAPIC_REG_LVT_LINT1 0x360
#define LAPIC_REG_LVT_ERROR 0x370
#define LAPIC_REG_TIMER_INIT 0x380
#define LAPIC_REG_TIMER_CUR 0x390
#define LAPIC_REG_TIMER_DCR 0x3e0
#define LAPIC_REG_SELF_IPI 0x3f0 /* x2APIC only */

#define LAPIC_MSR_APIC_BASE 0x1bU
#define LAPIC_MSR_TSC_DEADLINE 0x6e0U
#define LAPIC_MSR_X2APIC_FIRST 0x800U
#define LAPIC_MSR_X2APIC_LAST 0x8ffU
#define LAPIC_MSR_ICR 0x830U
#define LAPIC_MSR_SELF_IPI 0x83fU
#define LAPIC_MSR(reg) (LAPIC_MSR_X2APIC_FIRST + ((reg) >> 4))

/* IA32_APIC_BASE */
#define LAPIC_BASE_BSP (1ULL << 8)
#define LAPIC_BASE_EXTD (1ULL << 10)
#define LAPIC_BASE_EN (1ULL << 11)

#define LAPIC_SVR_ENABLE (1u << 8)

/* LVT entry bits */
#define LAPIC_LVT_VECTOR 0xffu
#define LAPIC_LVT_DM_SHIFT 8
#define LAPIC_LVT_DELIVS (1u << 12)
#define LAPIC_LVT_ACTIVE_LOW (1u << 13)
#define LAPIC_LVT_REMOTE_IRR (1u << 14)
#define LAPIC_LVT_LEVEL (1u << 15)
#define LAPIC_LVT_MASKED (1u << 16)
#define LAPIC_LVT_TIMER_SHIFT 17
#define LAPIC_TIMER_ONESHOT 0u
#define LAPIC_TIMER_PERIODIC 1u
#define LAPIC_TIMER_TSC_DEADLINE 2u

/* ICR low bits */
#define LAPIC_ICR_LOGICAL (1u << 11)
#define LAPIC_ICR_DELIVS (1u << 12)
#define LAPIC_ICR_ASSERT (1u << 14)
#define LAPIC_ICR_LEVEL (1u << 15)
#define LAPIC_ICR_SHORTHAND_SHIFT 18

/* ESR bits this model reports */
#define LAPIC_ESR_SEND_ILLEGAL (1u << 5)
#define LAPIC_ESR_RECV_ILLEGAL (1u << 6)
#define LAPIC_ESR_ILLEGAL_REG (1u << 7)

enum lapic_lvt {
	LAPIC_LVT_TIMER,
	LAPIC_LVT_THERMAL,
	LAPIC_LVT_PERF,
	LAPIC_LVT_LINT0,
	LAPIC_LVT_LINT1,
	LAPIC_LVT_ERROR,
	LAPIC_LVT_CMCI,
	LAPIC_LVT_NR,
};

/* Delivery modes as encoded in ICR and LVT bits 10:8. */
enum lapic_delivery {
	LAPIC_DM_FIXED = 0,
	LAPIC_DM_LOWEST = 1,
	LAPIC_DM_SMI = 2,
	LAPIC_DM_NMI = 4,
	LAPIC_DM_INIT = 5,
	LAPIC_DM_STARTUP = 6,
	LAPIC_DM_EXTINT = 7, /* LVT only */
};

enum lapic_shorthand {
	LAPIC_SH_NONE = 0,
	LAPIC_SH_SELF = 1,
	LAPIC_SH_ALL_INCL = 2,
	LAPIC_SH_ALL_EXCL = 3,
};

/*
 * One interrupt message from a LAPIC (ICR or SELF IPI) for the owner to
 * route. dest is the ICR destination: 8 bits from an xAPIC, 32 from an
 * x2APIC; the owner calls lapic_match_dest() on every candidate LAPIC,
 * passing self = true for the sender, and delivers fixed/lowest-priority
 * vectors with lapic_accept().
 */
struct lapic_ipi {
	uint32_t dest;
	uint32_t source_id; /* the sender's APIC ID in its current mode */
	enum lapic_delivery delivery;
	enum lapic_shorthand shorthand;
	bool logical;
	uint8_t vector;
	bool asserted;        /* ICR level bit: only INIT uses 0 (and is dropped) */
	bool level_triggered; /* ICR trigger mode */
};

/* What a local interrupt source asks the owner to do (fixed ones are queued here). */
enum lapic_local_action {
	LAPIC_LOCAL_NONE,
	LAPIC_LOCAL_NMI,
	LAPIC_LOCAL_SMI,
	LAPIC_LOCAL_INIT,
	LAPIC_LOCAL_EXTINT, /* take the vector from the 8259 (LINT0 virtual wire) */
};

struct lapic_config {
	uint32_t apic_id; /* x2APIC ID (the vCPU index); the xAPIC ID is its low byte */
	bool bsp;
	bool x2apic;      /* x2APIC mode may be enabled (CPUID.1:ECX[21] offered) */
	struct dev_clock clock;
	uint64_t tsc_hz;  /* 0: TSC-deadline mode not offered (LVT bit 18 reserved, MSR #GP) */
	uint64_t (*read_tsc)(void *ctx);
	void (*send_ipi)(void *ctx, const struct lapic_ipi *ipi);
	void (*kick)(void *ctx);
	void (*eoi_broadcast)(void *ctx, uint8_t vector);
	void *ctx; /* passed to the four callbacks above */
};

struct lapic {
	struct lapic_config cfg;
	uint64_t apic_base;
	uint32_t tpr;
	uint32_t ldr;
	uint32_t dfr;
	uint32_t svr;
	uint32_t esr;         /* as the guest reads it: latched by the last ESR write */
	uint32_t esr_pending; /* errors since the last ESR write */
	bool esr_armed;       /* the next error raises the LVT error interrupt */
	uint32_t icr_lo;
	uint32_t icr_hi;
	uint32_t lvt[LAPIC_LVT_NR];
	uint32_t isr[8];
	uint32_t tmr[8];
	uint32_t irr[8];
	bool lint_line[2]; /* LINT0/1 input level as last driven */
	/* Timer: the counter held base_count at base_ns and runs down from there. */
	uint32_t timer_initial;
	uint32_t timer_dcr;
	bool timer_armed;
	uint64_t timer_base_ns;
	uint32_t timer_base_count;
	uint64_t tsc_deadline;
};

/* -EINVAL for a configuration the model cannot run (no clock, TSC too fast). */
int lapic_init(struct lapic *l, const struct lapic_config *cfg);
/* Power-up/hardware reset: xAPIC mode, enabled, registers in the SDM reset state. */
void lapic_reset(struct lapic *l);
/* An INIT: the reset state, but IA32_APIC_BASE (and so x2APIC mode) and the ID are kept. */
void lapic_init_signal(struct lapic *l);

/*
 * The xAPIC page, offset from the base. Only 32-bit aligned 32-bit accesses
 * are valid (-EINVAL otherwise, nothing done); reserved offsets read 0.
 * -ENODEV while the APIC is disabled or in x2APIC mode (the page is gone).
 */
int lapic_mmio_read(struct lapic *l, uint64_t off, unsigned int size, uint32_t *value);
int lapic_mmio_write(struct lapic *l, uint64_t off, unsigned int size, uint32_t value);

/*
 * IA32_APIC_BASE, IA32_TSC_DEADLINE and the x2APIC range 0x800-0x8ff.
 * -EINVAL: the access raises #GP. -ENOENT: not a LAPIC MSR.
 */
int lapic_msr_read(struct lapic *l, uint32_t msr, uint64_t *value);
int lapic_msr_write(struct lapic *l, uint32_t msr, uint64_t value);

/*
 * A fixed or lowest-priority interrupt arrives: set IRR (TMR per trigger).
 * Dropped (false) while disabled or software-disabled, and for vectors 0-15
 * (receive illegal vector error).
 */
bool lapic_accept(struct lapic *l, uint8_t vector, bool level_triggered);
/* The highest IRR vector whose priority class beats PPR, or -1. */
int lapic_pending_vector(const struct lapic *l);
/* The owner injected vector (from lapic_pending_vector()): IRR -> ISR. */
void lapic_ack(struct lapic *l, uint8_t vector);
uint8_t lapic_ppr(const struct lapic *l);

/*
 * Timer: the absolute dev_clock time of the next expiry worth waking for
 * (UINT64_MAX for none; may be in the past), and the call that fires every
 * expired timer into IRR. Query the deadline again after every lapic call.
 */
uint64_t lapic_next_deadline_ns(const struct lapic *l);
void lapic_timer_update(struct lapic *l, uint64_t now_ns);

/*
 * Does the message target this LAPIC? self: this LAPIC sent it. The dest is
 * read in this LAPIC's mode: 0xff is the xAPIC broadcast, 0xffffffff the
 * x2APIC one (an owner routing 8-bit I/O APIC messages to x2APIC-mode
 * LAPICs widens 0xff itself). A disabled LAPIC matches nothing; a
 * software-disabled one still matches (it must see INIT and SIPI).
 */
bool lapic_match_dest(const struct lapic *l, const struct lapic_ipi *ipi, bool self);

/*
 * LINT0/LINT1 (pin 0/1) driven to an electrical level. With the APIC
 * disabled the pins are the legacy INTR and NMI inputs.
 */
enum lapic_local_action lapic_set_lint(struct lapic *l, unsigned int pin, bool level);
/* An edge from the thermal, performance-counter or CMCI source. */
enum lapic_local_action lapic_local_irq(struct lapic *l, enum lapic_lvt which);

static inline bool lapic_hw_enabled(const struct lapic *l)
{
	return l->apic_base & LAPIC_BASE_EN;
}

static inline bool lapic_in_x2apic(const struct lapic *l)
{
	return (l->apic_base & (LAPIC_BASE_EN | LAPIC_BASE_EXTD)) ==
	       (LAPIC_BASE_EN | LAPIC_BASE_EXTD);
}

static inline bool lapic_sw_enabled(const struct lapic *l)
{
	return lapic_hw_enabled(l) && (l->svr & LAPIC_SVR_ENABLE);
}

/* The APIC ID in the current mode. */
static inline uint32_t lapic_cur_id(const struct lapic *l)
{
	return lapic_in_x2apic(l) ? l->cfg.apic_id : (l->cfg.apic_id & 0xff);
}

#endif
