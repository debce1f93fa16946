// SPDX-License-Identifier: GPL-2.0
/*
 * The virtual local APIC's registers (vmm/include/vmm/dev/lapic.h): the
 * xAPIC page and x2APIC MSRs share one register file indexed by offset >> 4,
 * IA32_APIC_BASE mode transitions, reset and INIT, and the IRR/ISR/TMR
 * priority logic. The timer is in lapic_timer.c, IPIs and the local
 * interrupt pins in lapic_ipi.c.
 */
#include <plinth/errno.h>
#include <plinth/string.h>
#include "lapic_internal.h"

/* Register indices (offset >> 4, also MSR - 0x800). */
enum {
	R_ID = 0x02, R_VERSION = 0x03, R_TPR = 0x08, R_APR = 0x09, R_PPR = 0x0a,
	R_EOI = 0x0b, R_RRD = 0x0c, R_LDR = 0x0d, R_DFR = 0x0e, R_SVR = 0x0f,
	R_ISR = 0x10, R_TMR = 0x18, R_IRR = 0x20, R_ESR = 0x28, R_LVT_CMCI = 0x2f,
	R_ICR_LO = 0x30, R_ICR_HI = 0x31, R_LVT_FIRST = 0x32, R_LVT_LAST = 0x37,
	R_TIMER_INIT = 0x38, R_TIMER_CUR = 0x39, R_TIMER_DCR = 0x3e, R_SELF_IPI = 0x3f,
	R_COUNT = 0x40,
};

/* reg_read/reg_write results besides 0 and -EINVAL (reserved bits set in x2APIC). */
#define ACC_MISSING (-ENOENT) /* no such register in this mode */
#define ACC_DIRECTION (-EPERM) /* read of write-only or write of read-only */

/*
 * SVR: spurious vector, software enable, focus checking disable. Bit 12
 * (EOI broadcast suppression) is reserved because it is not offered.
 */
#define SVR_WRITABLE 0x3ffu
#define DFR_MODEL_MASK 0xf0000000u
#define LDR_XAPIC_MASK 0xff000000u
#define ICR_HI_XAPIC_MASK 0xff000000u
/* ICR low as stored: vector, mode, dest mode, level, trigger, shorthand. */
#define ICR_LO_WRITABLE 0x000ccfffu
/* x2APIC ICR low bits that #GP: 13, 17:16, 31:20 (delivery status, bit 12, is ignored). */
#define ICR_LO_X2_RESERVED 0xfff32000u
#define DCR_WRITABLE 0xbu
#define TIMER_MODE_MASK (3u << LAPIC_LVT_TIMER_SHIFT)

/* Guest-writable bits of each LVT entry (timer bit 18 only with TSC-deadline). */
static uint32_t lvt_writable(const struct lapic *l, enum lapic_lvt which)
{
	switch (which) {
	case LAPIC_LVT_TIMER:
		return 0x000300ffu | (l->cfg.tsc_hz ? 1u << 18 : 0);
	case LAPIC_LVT_LINT0:
	case LAPIC_LVT_LINT1:
		return 0x0001a7ffu; /* + polarity and trigger mode */
	case LAPIC_LVT_ERROR:
		return 0x000100ffu; /* vector and mask only: always fixed */
	default:
		return 0x000107ffu; /* thermal, perf, CMCI: vector, delivery mode, mask */
	}
}

/* Bits an x2APIC write may set without #GP: writable plus the read-only status bits. */
static uint32_t lvt_valid(const struct lapic *l, enum lapic_lvt which)
{
	uint32_t v = lvt_writable(l, which) | LAPIC_LVT_DELIVS;

	if (which == LAPIC_LVT_LINT0 || which == LAPIC_LVT_LINT1)
		v |= LAPIC_LVT_REMOTE_IRR;
	return v;
}

static enum lapic_lvt lvt_of_index(unsigned int idx)
{
	return idx == R_LVT_CMCI ? LAPIC_LVT_CMCI : (enum lapic_lvt)(idx - R_LVT_FIRST);
}

static bool is_lvt_index(unsigned int idx)
{
	return idx == R_LVT_CMCI || (idx >= R_LVT_FIRST && idx <= R_LVT_LAST);
}

/* Everything but IA32_APIC_BASE, the ID and the LINT input levels goes back to its reset value. */
static void regs_reset(struct lapic *l)
{
	l->tpr = 0;
	l->ldr = lapic_in_x2apic(l) ? lapic_x2apic_ldr(l->cfg.apic_id) : 0;
	l->dfr = 0xffffffffu;
	l->svr = 0xff;
	l->esr = 0;
	l->esr_pending = 0;
	l->esr_armed = true;
	l->icr_lo = 0;
	l->icr_hi = 0;
	for (unsigned int i = 0; i < LAPIC_LVT_NR; i++)
		l->lvt[i] = LAPIC_LVT_MASKED;
	memset(l->isr, 0, sizeof(l->isr));
	memset(l->tmr, 0, sizeof(l->tmr));
	memset(l->irr, 0, sizeof(l->irr));
	lapic_timer_reset(l);
}

int lapic_init(struct lapic *l, const struct lapic_config *cfg)
{
	if (!cfg->clock.now_ns || cfg->tsc_hz > LAPIC_MAX_TSC_HZ || (cfg->tsc_hz && !cfg->read_tsc))
		return -EINVAL;
	memset(l, 0, sizeof(*l));
	l->cfg = *cfg;
	lapic_reset(l);
	return 0;
}

void lapic_reset(struct lapic *l)
{
	l->apic_base = LAPIC_DEFAULT_BASE | LAPIC_BASE_EN | (l->cfg.bsp ? LAPIC_BASE_BSP : 0);
	regs_reset(l);
}

void lapic_init_signal(struct lapic *l)
{
	regs_reset(l);
}

uint8_t lapic_ppr(const struct lapic *l)
{
	int isrv = vec_highest(l->isr);
	uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;

	return (l->tpr & 0xf0) >= isr_class ? (uint8_t)l->tpr : (uint8_t)isr_class;
}

int lapic_pending_vector(const struct lapic *l)
{
	int v;

	if (!lapic_hw_enabled(l))
		return -1;
	/*
	 * A software-disabled APIC accepts nothing new, but what is already in
	 * IRR stays deliverable (SDM: held for the processor to handle).
	 */
	v = vec_highest(l->irr);
	if (v < 0 || ((uint32_t)v & 0xf0) <= (lapic_ppr(l) & 0xf0u))
		return -1;
	return v;
}

void lapic_kick_if_pending(struct lapic *l)
{
	if (l->cfg.kick && lapic_pending_vector(l) >= 0)
		l->cfg.kick(l->cfg.ctx);
}

bool lapic_accept(struct lapic *l, uint8_t vector, bool level_triggered)
{
	if (!lapic_sw_enabled(l))
		return false;
	if (vector < 16) {
		lapic_error(l, LAPIC_ESR_RECV_ILLEGAL);
		return false;
	}
	vec_set(l->irr, vector);
	if (level_triggered)
		vec_set(l->tmr, vector);
	else
		vec_clear(l->tmr, vector);
	lapic_kick_if_pending(l);
	return true;
}

void lapic_ack(struct lapic *l, uint8_t vector)
{
	if (!vec_test(l->irr, vector))
		return;
	vec_clear(l->irr, vector);
	vec_set(l->isr, vector);
}

/*
 * Errors accumulate until the next ESR write. Only the first one after that
 * write raises the error interrupt (the write re-arms it), which also stops
 * an error LVT with an illegal vector from recursing.
 */
void lapic_error(struct lapic *l, uint32_t bits)
{
	l->esr_pending |= bits;
	if (!l->esr_armed || lvt_masked(l, LAPIC_LVT_ERROR))
		return;
	l->esr_armed = false;
	lapic_accept(l, (uint8_t)(l->lvt[LAPIC_LVT_ERROR] & LAPIC_LVT_VECTOR), false);
}

static void do_eoi(struct lapic *l)
{
	int v = vec_highest(l->isr);

	if (v < 0)
		return; /* an EOI with nothing in service does nothing */
	vec_clear(l->isr, (unsigned int)v);
	if (vec_test(l->tmr, (unsigned int)v)) {
		lapic_lint_eoi(l, (uint8_t)v);
		if (l->cfg.eoi_broadcast)
			l->cfg.eoi_broadcast(l->cfg.ctx, (uint8_t)v);
	}
	lapic_kick_if_pending(l);
}

static void svr_write(struct lapic *l, uint32_t value)
{
	l->svr = value & SVR_WRITABLE;
	if (l->svr & LAPIC_SVR_ENABLE) {
		lapic_kick_if_pending(l);
		return;
	}
	/* A timer that ran out while enabled fires before its LVT gets masked. */
	lapic_timer_update(l, lapic_now(l));
	for (unsigned int i = 0; i < LAPIC_LVT_NR; i++)
		l->lvt[i] |= LAPIC_LVT_MASKED;
}

static void lvt_write(struct lapic *l, enum lapic_lvt which, uint32_t value)
{
	uint32_t v = value & lvt_writable(l, which);

	/* Software-disabled: the mask bits stay set whatever is written. */
	if (!lapic_sw_enabled(l))
		v |= LAPIC_LVT_MASKED;
	switch (which) {
	case LAPIC_LVT_TIMER:
		if ((v & TIMER_MODE_MASK) == TIMER_MODE_MASK)
			v &= ~TIMER_MODE_MASK; /* reserved mode 11b: one-shot */
		lapic_timer_write_lvt(l, v);
		return;
	case LAPIC_LVT_LINT0:
	case LAPIC_LVT_LINT1:
		/* Remote IRR is read-only, and only meaningful for level-triggered entries. */
		if (v & LAPIC_LVT_LEVEL)
			v |= l->lvt[which] & LAPIC_LVT_REMOTE_IRR;
		l->lvt[which] = v;
		if (which == LAPIC_LVT_LINT0)
			lapic_lint_level_check(l);
		return;
	default:
		l->lvt[which] = v;
		return;
	}
}

static int reg_read(struct lapic *l, unsigned int idx, bool x2, uint64_t *out)
{
	if (idx >= R_ISR && idx < R_ISR + 8) {
		*out = l->isr[idx - R_ISR];
		return 0;
	}
	if (idx >= R_TMR && idx < R_TMR + 8) {
		*out = l->tmr[idx - R_TMR];
		return 0;
	}
	if (idx >= R_IRR && idx < R_IRR + 8) {
		*out = l->irr[idx - R_IRR];
		return 0;
	}
	if (is_lvt_index(idx)) {
		*out = l->lvt[lvt_of_index(idx)];
		return 0;
	}
	switch (idx) {
	case R_ID:
		*out = x2 ? l->cfg.apic_id : (l->cfg.apic_id & 0xff) << 24;
		return 0;
	case R_VERSION:
		*out = LAPIC_VERSION_VALUE;
		return 0;
	case R_TPR:
		*out = l->tpr;
		return 0;
	case R_APR: /* arbitration is not modelled: reads 0 */
	case R_RRD: /* remote read is a Pentium-era feature */
		if (x2)
			return ACC_MISSING;
		*out = 0;
		return 0;
	case R_PPR:
		*out = lapic_ppr(l);
		return 0;
	case R_EOI:
		if (x2)
			return ACC_DIRECTION;
		*out = 0;
		return 0;
	case R_LDR:
		*out = l->ldr;
		return 0;
	case R_DFR:
		if (x2)
			return ACC_MISSING;
		*out = l->dfr;
		return 0;
	case R_SVR:
		*out = l->svr;
		return 0;
	case R_ESR:
		*out = l->esr;
		return 0;
	case R_ICR_LO:
		*out = x2 ? (uint64_t)l->icr_hi << 32 | l->icr_lo : l->icr_lo;
		return 0;
	case R_ICR_HI:
		if (x2)
			return ACC_MISSING;
		*out = l->icr_hi;
		return 0;
	case R_TIMER_INIT:
		*out = l->timer_initial;
		return 0;
	case R_TIMER_CUR:
		*out = lapic_timer_read_count(l);
		return 0;
	case R_TIMER_DCR:
		*out = l->timer_dcr;
		return 0;
	case R_SELF_IPI:
		return x2 ? ACC_DIRECTION : ACC_MISSING;
	}
	return ACC_MISSING;
}

/* One write path for both modes: reserved bits #GP (-EINVAL) in x2APIC and are dropped in xAPIC. */
static int reg_write(struct lapic *l, unsigned int idx, bool x2, uint64_t value)
{
	uint32_t v = (uint32_t)value;

	/* Bits 63:32 are reserved in every x2APIC register but the ICR. */
	if (x2 && idx != R_ICR_LO && (value >> 32))
		return -EINVAL;
	if (is_lvt_index(idx)) {
		enum lapic_lvt which = lvt_of_index(idx);

		if (x2 && ((v & ~lvt_valid(l, which)) ||
			   (which == LAPIC_LVT_TIMER && (v & TIMER_MODE_MASK) == TIMER_MODE_MASK)))
			return -EINVAL;
		lvt_write(l, which, v);
		return 0;
	}
	if (idx >= R_ISR && idx < R_IRR + 8)
		return ACC_DIRECTION;
	switch (idx) {
	case R_ID:
	case R_VERSION:
	case R_PPR:
	case R_TIMER_CUR:
		return ACC_DIRECTION;
	case R_APR:
	case R_RRD:
		return x2 ? ACC_MISSING : ACC_DIRECTION;
	case R_TPR:
		if (x2 && (v & ~0xffu))
			return -EINVAL;
		l->tpr = v & 0xff;
		lapic_kick_if_pending(l);
		return 0;
	case R_EOI:
		if (x2 && v)
			return -EINVAL;
		do_eoi(l);
		return 0;
	case R_LDR:
		if (x2)
			return ACC_DIRECTION; /* derived from the x2APIC ID */
		l->ldr = v & LDR_XAPIC_MASK;
		return 0;
	case R_DFR:
		if (x2)
			return ACC_MISSING;
		l->dfr = (v & DFR_MODEL_MASK) | ~DFR_MODEL_MASK;
		return 0;
	case R_SVR:
		if (x2 && (v & ~SVR_WRITABLE))
			return -EINVAL;
		svr_write(l, v);
		return 0;
	case R_ESR:
		/* Any write (only 0 in x2APIC) latches the errors seen since the last one. */
		if (x2 && v)
			return -EINVAL;
		l->esr = l->esr_pending;
		l->esr_pending = 0;
		l->esr_armed = true;
		return 0;
	case R_ICR_LO:
		if (x2) {
			if (v & ICR_LO_X2_RESERVED)
				return -EINVAL;
			l->icr_hi = (uint32_t)(value >> 32);
		}
		l->icr_lo = v & ICR_LO_WRITABLE;
		lapic_send_icr(l);
		return 0;
	case R_ICR_HI:
		if (x2)
			return ACC_MISSING;
		l->icr_hi = v & ICR_HI_XAPIC_MASK;
		return 0;
	case R_TIMER_INIT:
		lapic_timer_write_initial(l, v);
		return 0;
	case R_TIMER_DCR:
		if (x2 && (v & ~DCR_WRITABLE))
			return -EINVAL;
		lapic_timer_write_dcr(l, v & DCR_WRITABLE);
		return 0;
	case R_SELF_IPI:
		if (!x2)
			return ACC_MISSING;
		if (v & ~0xffu)
			return -EINVAL;
		lapic_send_self(l, (uint8_t)v);
		return 0;
	}
	return ACC_MISSING;
}

static int mmio_check(const struct lapic *l, uint64_t off, unsigned int size)
{
	if (size != 4 || (off & 3) || off >= LAPIC_MMIO_SIZE)
		return -EINVAL;
	if (!lapic_hw_enabled(l) || lapic_in_x2apic(l))
		return -ENODEV;
	return 0;
}

int lapic_mmio_read(struct lapic *l, uint64_t off, unsigned int size, uint32_t *value)
{
	uint64_t v = 0;
	int rc = mmio_check(l, off, size);

	if (rc)
		return rc;
	/* Bytes 4-15 of a register are undefined on hardware: read as 0 here. */
	if (!(off & 0xf) && reg_read(l, (unsigned int)(off >> 4), false, &v) == ACC_MISSING)
		lapic_error(l, LAPIC_ESR_ILLEGAL_REG);
	*value = (uint32_t)v;
	return 0;
}

int lapic_mmio_write(struct lapic *l, uint64_t off, unsigned int size, uint32_t value)
{
	int rc = mmio_check(l, off, size);

	if (rc)
		return rc;
	/* Writes to read-only registers are dropped silently, as the hardware does. */
	if (!(off & 0xf) && reg_write(l, (unsigned int)(off >> 4), false, value) == ACC_MISSING)
		lapic_error(l, LAPIC_ESR_ILLEGAL_REG);
	return 0;
}

/*
 * IA32_APIC_BASE: EN/EXTD select disabled (0/0), xAPIC (1/0) or x2APIC
 * (1/1); 0/1 is invalid. Allowed moves: disabled <-> xAPIC, xAPIC -> x2APIC,
 * x2APIC -> disabled. x2APIC -> xAPIC and disabled -> x2APIC #GP (SDM
 * "x2APIC State Transitions").
 */
static int apic_base_write(struct lapic *l, uint64_t value)
{
	const uint64_t mode_bits = LAPIC_BASE_EN | LAPIC_BASE_EXTD;
	uint64_t cur = l->apic_base & mode_bits;
	uint64_t new = value & mode_bits;

	/* Relocation is refused: the page stays at the architectural address. */
	if ((value & ~0xfffULL) != LAPIC_DEFAULT_BASE)
		return -EINVAL;
	if (value & 0xfffULL & ~(mode_bits | LAPIC_BASE_BSP))
		return -EINVAL;
	if (new == LAPIC_BASE_EXTD || ((new & LAPIC_BASE_EXTD) && !l->cfg.x2apic))
		return -EINVAL;
	if (new == cur)
		return 0; /* the BSP bit is read-only: nothing else can change */
	if (cur == mode_bits && new == LAPIC_BASE_EN)
		return -EINVAL;
	if (cur == 0 && new == mode_bits)
		return -EINVAL;
	l->apic_base = (l->apic_base & ~mode_bits) | new;
	if (new == 0) {
		regs_reset(l); /* SDM: state may be lost; it is, deterministically */
	} else if (new == mode_bits) {
		/* Entering x2APIC mode: the LDR is derived from the x2APIC ID from now on. */
		l->ldr = lapic_x2apic_ldr(l->cfg.apic_id);
	}
	return 0;
}

int lapic_msr_read(struct lapic *l, uint32_t msr, uint64_t *value)
{
	if (msr == LAPIC_MSR_APIC_BASE) {
		*value = l->apic_base;
		return 0;
	}
	if (msr == LAPIC_MSR_TSC_DEADLINE) {
		if (!l->cfg.tsc_hz)
			return -EINVAL;
		*value = lapic_tsc_deadline_read(l);
		return 0;
	}
	if (msr < LAPIC_MSR_X2APIC_FIRST || msr > LAPIC_MSR_X2APIC_LAST)
		return -ENOENT;
	if (!lapic_in_x2apic(l) || msr - LAPIC_MSR_X2APIC_FIRST >= R_COUNT)
		return -EINVAL;
	*value = 0;
	return reg_read(l, msr - LAPIC_MSR_X2APIC_FIRST, true, value) ? -EINVAL : 0;
}

int lapic_msr_write(struct lapic *l, uint32_t msr, uint64_t value)
{
	if (msr == LAPIC_MSR_APIC_BASE)
		return apic_base_write(l, value);
	if (msr == LAPIC_MSR_TSC_DEADLINE) {
		if (!l->cfg.tsc_hz)
			return -EINVAL;
		lapic_tsc_deadline_write(l, value);
		return 0;
	}
	if (msr < LAPIC_MSR_X2APIC_FIRST || msr > LAPIC_MSR_X2APIC_LAST)
		return -ENOENT;
	if (!lapic_in_x2apic(l) || msr - LAPIC_MSR_X2APIC_FIRST >= R_COUNT)
		return -EINVAL;
	return reg_write(l, msr - LAPIC_MSR_X2APIC_FIRST, true, value) ? -EINVAL : 0;
}
