// SPDX-License-Identifier: GPL-2.0
/*
 * LAPIC messages (vmm/include/vmm/dev/lapic.h): the ICR and SELF IPI as the
 * sending side, destination matching for the owner's routing, and the local
 * interrupt sources that are not the timer (LINT0/1, thermal, perf, CMCI).
 */
#include "lapic_internal.h"

#define XAPIC_BROADCAST 0xffu
#define X2APIC_BROADCAST 0xffffffffu
#define DFR_FLAT 0xfu
#define DFR_CLUSTER 0x0u

/* Drop what the SDM calls reserved, invalid or unsupported; the rest goes to the owner. */
static void send(struct lapic *l, const struct lapic_ipi *ipi)
{
	switch (ipi->delivery) {
	case LAPIC_DM_FIXED:
	case LAPIC_DM_LOWEST:
		if (ipi->vector < 16) {
			lapic_error(l, LAPIC_ESR_SEND_ILLEGAL);
			return;
		}
		break;
	case LAPIC_DM_INIT:
		/* INIT level de-assert only existed on Pentium/P6: a no-op since. */
		if (!ipi->asserted)
			return;
		break;
	case LAPIC_DM_SMI:
	case LAPIC_DM_NMI:
	case LAPIC_DM_STARTUP:
		break;
	default:
		return; /* 011b and 111b are reserved in the ICR */
	}
	if (ipi->shorthand == LAPIC_SH_SELF && ipi->delivery != LAPIC_DM_FIXED)
		return;
	if (ipi->shorthand == LAPIC_SH_ALL_INCL && ipi->delivery == LAPIC_DM_LOWEST)
		return;
	if (l->cfg.send_ipi)
		l->cfg.send_ipi(l->cfg.ctx, ipi);
}

void lapic_send_icr(struct lapic *l)
{
	uint32_t lo = l->icr_lo;
	struct lapic_ipi ipi = {
		.dest = lapic_in_x2apic(l) ? l->icr_hi : l->icr_hi >> 24,
		.source_id = lapic_cur_id(l),
		.delivery = (enum lapic_delivery)((lo >> 8) & 7),
		.shorthand = (enum lapic_shorthand)((lo >> LAPIC_ICR_SHORTHAND_SHIFT) & 3),
		.logical = lo & LAPIC_ICR_LOGICAL,
		.vector = (uint8_t)lo,
		.asserted = lo & LAPIC_ICR_ASSERT,
		.level_triggered = lo & LAPIC_ICR_LEVEL,
	};

	send(l, &ipi);
}

/* The SELF IPI register: exactly an ICR write of fixed, edge, shorthand self. */
void lapic_send_self(struct lapic *l, uint8_t vector)
{
	struct lapic_ipi ipi = {
		.source_id = lapic_cur_id(l),
		.delivery = LAPIC_DM_FIXED,
		.shorthand = LAPIC_SH_SELF,
		.vector = vector,
		.asserted = true,
	};

	send(l, &ipi);
}

static bool match_x2apic(const struct lapic *l, const struct lapic_ipi *ipi)
{
	uint32_t ldr;

	if (ipi->dest == X2APIC_BROADCAST)
		return true;
	if (!ipi->logical)
		return ipi->dest == l->cfg.apic_id;
	/* Cluster in 31:16 must be equal, and the member bitmaps must overlap. */
	ldr = lapic_x2apic_ldr(l->cfg.apic_id);
	return (ipi->dest >> 16) == (ldr >> 16) && (ipi->dest & ldr & 0xffff);
}

static bool match_xapic(const struct lapic *l, const struct lapic_ipi *ipi)
{
	uint32_t dest = ipi->dest, id = l->ldr >> 24;

	if (dest == XAPIC_BROADCAST || dest == X2APIC_BROADCAST)
		return true;
	if (dest > 0xff)
		return false; /* an x2APIC-wide destination no xAPIC can have */
	if (!ipi->logical)
		return dest == (l->cfg.apic_id & 0xff);
	switch (l->dfr >> 28) {
	case DFR_FLAT:
		return id & dest;
	case DFR_CLUSTER:
		return (id >> 4) == (dest >> 4) && (id & dest & 0xf);
	default:
		return false; /* an undefined model matches nothing */
	}
}

bool lapic_match_dest(const struct lapic *l, const struct lapic_ipi *ipi, bool self)
{
	if (!lapic_hw_enabled(l))
		return false;
	switch (ipi->shorthand) {
	case LAPIC_SH_SELF:
		return self;
	case LAPIC_SH_ALL_INCL:
		return true;
	case LAPIC_SH_ALL_EXCL:
		return !self;
	case LAPIC_SH_NONE:
		break;
	}
	return lapic_in_x2apic(l) ? match_x2apic(l, ipi) : match_xapic(l, ipi);
}

static bool lint_active(const struct lapic *l, unsigned int pin, bool line)
{
	return (l->lvt[LAPIC_LVT_LINT0 + pin] & LAPIC_LVT_ACTIVE_LOW) ? !line : line;
}

/* The edge-sensitive delivery modes other than fixed, as the owner must act on them. */
static enum lapic_local_action edge_action(unsigned int dm)
{
	switch (dm) {
	case LAPIC_DM_NMI:
		return LAPIC_LOCAL_NMI;
	case LAPIC_DM_SMI:
		return LAPIC_LOCAL_SMI;
	case LAPIC_DM_INIT:
		return LAPIC_LOCAL_INIT;
	default:
		return LAPIC_LOCAL_NONE;
	}
}

static bool lint0_level_fixed(const struct lapic *l)
{
	uint32_t e = l->lvt[LAPIC_LVT_LINT0];

	return !(e & LAPIC_LVT_MASKED) && (e & LAPIC_LVT_LEVEL) &&
	       ((e >> LAPIC_LVT_DM_SHIFT) & 7) == LAPIC_DM_FIXED;
}

/*
 * A level-triggered fixed LINT0 that is active and not awaiting its EOI
 * (remote IRR clear) queues its vector. Only LINT0: the SDM does not
 * support level-sensitive LINT1, which is always treated as edge.
 */
void lapic_lint_level_check(struct lapic *l)
{
	uint32_t *e = &l->lvt[LAPIC_LVT_LINT0];

	if (!lapic_hw_enabled(l) || !lint0_level_fixed(l) || (*e & LAPIC_LVT_REMOTE_IRR) ||
	    !lint_active(l, 0, l->lint_line[0]))
		return;
	if (lapic_accept(l, (uint8_t)(*e & LAPIC_LVT_VECTOR), true))
		*e |= LAPIC_LVT_REMOTE_IRR;
}

void lapic_lint_eoi(struct lapic *l, uint8_t vector)
{
	uint32_t *e = &l->lvt[LAPIC_LVT_LINT0];

	if (!(*e & LAPIC_LVT_REMOTE_IRR) || (*e & LAPIC_LVT_VECTOR) != vector)
		return;
	*e &= ~LAPIC_LVT_REMOTE_IRR;
	lapic_lint_level_check(l); /* still asserted: deliver again */
}

enum lapic_local_action lapic_set_lint(struct lapic *l, unsigned int pin, bool level)
{
	bool was, now;
	uint32_t e;
	unsigned int dm;

	if (pin > 1)
		return LAPIC_LOCAL_NONE;
	was = l->lint_line[pin];
	l->lint_line[pin] = level;
	if (!lapic_hw_enabled(l)) {
		/* No APIC: LINT0 is the INTR input, LINT1 the NMI input. */
		if (pin == 0)
			return level ? LAPIC_LOCAL_EXTINT : LAPIC_LOCAL_NONE;
		return level && !was ? LAPIC_LOCAL_NMI : LAPIC_LOCAL_NONE;
	}
	e = l->lvt[LAPIC_LVT_LINT0 + pin];
	if (e & LAPIC_LVT_MASKED)
		return LAPIC_LOCAL_NONE;
	now = lint_active(l, pin, level);
	dm = (e >> LAPIC_LVT_DM_SHIFT) & 7;
	if (dm == LAPIC_DM_EXTINT)
		return now ? LAPIC_LOCAL_EXTINT : LAPIC_LOCAL_NONE; /* always level-sensitive */
	if (dm == LAPIC_DM_FIXED && pin == 0 && (e & LAPIC_LVT_LEVEL)) {
		lapic_lint_level_check(l);
		return LAPIC_LOCAL_NONE;
	}
	if (!now || lint_active(l, pin, was))
		return LAPIC_LOCAL_NONE; /* edge-sensitive: only an inactive-to-active change counts */
	if (dm == LAPIC_DM_FIXED) {
		lapic_accept(l, (uint8_t)(e & LAPIC_LVT_VECTOR), false);
		return LAPIC_LOCAL_NONE;
	}
	return edge_action(dm);
}

enum lapic_local_action lapic_local_irq(struct lapic *l, enum lapic_lvt which)
{
	enum lapic_local_action act = LAPIC_LOCAL_NONE;
	uint32_t e;
	unsigned int dm;

	if (which != LAPIC_LVT_THERMAL && which != LAPIC_LVT_PERF && which != LAPIC_LVT_CMCI)
		return LAPIC_LOCAL_NONE;
	e = l->lvt[which];
	if (!lapic_hw_enabled(l) || (e & LAPIC_LVT_MASKED))
		return LAPIC_LOCAL_NONE;
	dm = (e >> LAPIC_LVT_DM_SHIFT) & 7;
	if (dm == LAPIC_DM_FIXED)
		lapic_accept(l, (uint8_t)(e & LAPIC_LVT_VECTOR), false);
	else if (dm == LAPIC_DM_NMI || dm == LAPIC_DM_SMI)
		act = edge_action(dm);
	else
		return LAPIC_LOCAL_NONE; /* INIT and ExtINT are reserved for these sources */
	/* A PMI masks its own entry; the guest's handler unmasks it again. */
	if (which == LAPIC_LVT_PERF)
		l->lvt[which] |= LAPIC_LVT_MASKED;
	return act;
}
