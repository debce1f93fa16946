/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MSR allow-list and per-vCPU MSR emulation for VT-x guests. The emulated
 * MSRs are the ones a mainstream kernel touches during boot whose real
 * counterparts are either package-scoped, host configuration, or describe
 * features Plinth hides from CPUID; answering them from per-vCPU state keeps
 * each partition's view self-consistent without touching the hardware.
 */
#include <plinth/errno.h>
#include <plinth/string.h>
#include <plinth/types.h>
#include <vmm/msr_policy.h>

#define A_R 1U  /* emulated read allowed */
#define A_W 2U  /* emulated write allowed */
#define A_PT 4U /* passthrough (no exit) for both directions */

struct msr_rule {
	uint32_t first, last;
	uint8_t access;
};

static const struct msr_rule rules[] = {
	{ GMSR_TSC, GMSR_TSC, A_R | A_W },
	{ GMSR_PLATFORM_ID, GMSR_PLATFORM_ID, A_R },
	{ GMSR_SMI_COUNT, GMSR_SMI_COUNT, A_R },
	{ GMSR_FEATURE_CONTROL, GMSR_FEATURE_CONTROL, A_R },
	{ GMSR_TSC_ADJUST, GMSR_TSC_ADJUST, A_R | A_W },
	{ GMSR_SPEC_CTRL, GMSR_SPEC_CTRL, A_R | A_W },
	{ GMSR_PRED_CMD, GMSR_PRED_CMD, A_W },
	{ GMSR_BIOS_SIGN_ID, GMSR_BIOS_SIGN_ID, A_R | A_W },
	{ GMSR_PLATFORM_INFO, GMSR_PLATFORM_INFO, A_R },
	{ GMSR_MTRRCAP, GMSR_MTRRCAP, A_R },
	{ GMSR_SYSENTER_CS, GMSR_SYSENTER_EIP, A_PT },
	{ GMSR_MCG_CAP, GMSR_MCG_CAP, A_R },
	{ GMSR_MCG_STATUS, GMSR_MCG_STATUS, A_R | A_W },
	{ GMSR_MISC_ENABLE, GMSR_MISC_ENABLE, A_R | A_W },
	{ GMSR_DEBUGCTL, GMSR_DEBUGCTL, A_R | A_W },
	{ GMSR_MTRR_PHYSBASE0, GMSR_MTRR_PHYSBASE0 + 2 * GMSR_MTRR_VAR_COUNT - 1,
	  A_R | A_W },
	{ GMSR_MTRR_FIX64K_00000, GMSR_MTRR_FIX64K_00000, A_R | A_W },
	{ GMSR_MTRR_FIX16K_80000, GMSR_MTRR_FIX16K_A0000, A_R | A_W },
	{ GMSR_MTRR_FIX4K_C0000, GMSR_MTRR_FIX4K_C0000 + 7, A_R | A_W },
	{ GMSR_PAT, GMSR_PAT, A_R | A_W },
	{ GMSR_MTRR_DEF_TYPE, GMSR_MTRR_DEF_TYPE, A_R | A_W },
	{ GMSR_EFER, GMSR_EFER, A_R | A_W },
	{ GMSR_STAR, GMSR_SFMASK, A_PT },
	{ GMSR_FS_BASE, GMSR_TSC_AUX, A_PT },
};

#define SPEC_CTRL_VALID 7ULL  /* IBRS, STIBP, SSBD */
#define MCG_STATUS_VALID 7ULL /* RIPV, EIPV, MCIP */
#define MISC_ENABLE_FAST_STRING (1ULL << 0)

#define MTRR_DEF_TYPE_VALID (0xffULL | 1ULL << 10 | 1ULL << 11)
#define MTRR_PHYSBASE_RESERVED 0xf00ULL /* bits 8..11 */
#define MTRR_PHYSMASK_RESERVED 0x7ffULL /* bits 0..10 */

#define PHYS_BITS_MIN 32U
#define PHYS_BITS_MAX 52U

static const struct msr_rule *find_rule(uint32_t msr)
{
	for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
		if (msr >= rules[i].first && msr <= rules[i].last)
			return &rules[i];
	}
	return NULL;
}

void msr_state_init(struct msr_vcpu_state *s)
{
	if (!s)
		return;
	memset(s, 0, sizeof(*s));
	s->pat = GMSR_PAT_RESET;
	s->misc_enable = GMSR_MISC_ENABLE_RESET;
	s->mtrr_def_type = GMSR_MTRR_DEF_TYPE_BOOT;
	s->maxphyaddr = PHYS_BITS_MAX;
}

enum msr_action msr_policy_lookup(uint32_t msr, bool write)
{
	const struct msr_rule *r = find_rule(msr);

	if (!r)
		return MSR_DENY;
	if (r->access & A_PT)
		return MSR_PASSTHROUGH;
	if (r->access & (write ? A_W : A_R))
		return MSR_EMULATE;
	return MSR_DENY;
}

/* Bits at or above the physical address width; a bogus width means 52. */
static uint64_t phys_reserved(const struct msr_vcpu_state *s)
{
	unsigned int bits = s->maxphyaddr;

	if (bits < PHYS_BITS_MIN || bits > PHYS_BITS_MAX)
		bits = PHYS_BITS_MAX;
	return ~((1ULL << bits) - 1);
}

/* UC, WC, WT, WP, WB: the MTRR encodings (UC- exists only in the PAT). */
static bool mtrr_type_ok(uint64_t t)
{
	return t == 0 || t == 1 || t == 4 || t == 5 || t == 6;
}

static bool pat_type_ok(uint64_t t)
{
	return mtrr_type_ok(t) || t == 7;
}

static bool bytes_ok(uint64_t v, bool (*ok)(uint64_t))
{
	for (int i = 0; i < 8; i++) {
		if (!ok((v >> (8 * i)) & 0xff))
			return false;
	}
	return true;
}

/* Index into mtrr_fixed[], or -1. */
static int fixed_index(uint32_t msr)
{
	if (msr == GMSR_MTRR_FIX64K_00000)
		return 0;
	if (msr == GMSR_MTRR_FIX16K_80000 || msr == GMSR_MTRR_FIX16K_A0000)
		return 1 + (int)(msr - GMSR_MTRR_FIX16K_80000);
	if (msr >= GMSR_MTRR_FIX4K_C0000 && msr <= GMSR_MTRR_FIX4K_C0000 + 7)
		return 3 + (int)(msr - GMSR_MTRR_FIX4K_C0000);
	return -1;
}

static bool is_mtrr_var(uint32_t msr)
{
	return msr >= GMSR_MTRR_PHYSBASE0 &&
	       msr < GMSR_MTRR_PHYSBASE0 + 2 * GMSR_MTRR_VAR_COUNT;
}

/* Classify a guest access; 1 means "go on and emulate". */
static int check_access(const struct msr_vcpu_state *s, uint32_t msr,
			bool write, const void *value)
{
	if (!s || !value)
		return -EINVAL;
	switch (msr_policy_lookup(msr, write)) {
	case MSR_EMULATE:
		return 1;
	case MSR_PASSTHROUGH:
		return -EINVAL;
	default:
		return -EPERM;
	}
}

int msr_emulate_read(struct msr_vcpu_state *s, uint32_t msr, uint64_t *value)
{
	int idx;
	int ret = check_access(s, msr, false, value);

	if (ret <= 0)
		return ret;

	if (is_mtrr_var(msr)) {
		*value = s->mtrr_var[msr - GMSR_MTRR_PHYSBASE0];
		return 0;
	}
	idx = fixed_index(msr);
	if (idx >= 0) {
		*value = s->mtrr_fixed[idx];
		return 0;
	}

	switch (msr) {
	case GMSR_TSC:
		*value = s->host_tsc + s->tsc_offset;
		break;
	case GMSR_TSC_ADJUST:
		*value = s->tsc_adjust;
		break;
	case GMSR_PLATFORM_ID:
		/* Bits 52:50 pick a microcode flavour; the guest loads none. */
		*value = 0;
		break;
	case GMSR_SMI_COUNT:
		/* No SMM: a partition never sees a system-management interrupt. */
		*value = 0;
		break;
	case GMSR_FEATURE_CONTROL:
		/* Locked with VMX off: guests stop probing for VMX here. */
		*value = GMSR_FEATURE_CONTROL_VALUE;
		break;
	case GMSR_SPEC_CTRL:
		*value = s->spec_ctrl;
		break;
	case GMSR_BIOS_SIGN_ID:
		/* The host's microcode revision is none of the guest's business. */
		*value = 0;
		break;
	case GMSR_PLATFORM_INFO:
		/* No ratios, no CPUID faulting, no programmable TDP. */
		*value = 0;
		break;
	case GMSR_MTRRCAP:
		*value = GMSR_MTRRCAP_VALUE;
		break;
	case GMSR_MCG_CAP:
		/* No banks: host machine checks are handled by Plinth. */
		*value = 0;
		break;
	case GMSR_MCG_STATUS:
		*value = s->mcg_status;
		break;
	case GMSR_MISC_ENABLE:
		*value = s->misc_enable;
		break;
	case GMSR_DEBUGCTL:
		*value = s->debugctl;
		break;
	case GMSR_PAT:
		*value = s->pat;
		break;
	case GMSR_MTRR_DEF_TYPE:
		*value = s->mtrr_def_type;
		break;
	case GMSR_EFER:
		*value = s->efer;
		break;
	default:
		/* In the table but not handled: refuse rather than guess. */
		return -EPERM;
	}
	return 0;
}

/*
 * LMA is owned by the CPU (set by CR0.PG with LME), so a written LMA is
 * ignored; LME cannot change while paging is on. LMA set implies paging, so
 * it backs up a stale cr0_pg.
 */
static int write_efer(struct msr_vcpu_state *s, uint64_t v)
{
	bool paging = s->cr0_pg || (s->efer & EFER_LMA);
	uint64_t nv;

	if (v & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE))
		return -EPERM;
	nv = (v & ~EFER_LMA) | (s->efer & EFER_LMA);
	if (paging && ((nv ^ s->efer) & EFER_LME))
		return -EPERM;
	s->efer = nv;
	return 0;
}

/*
 * Guest MTRRs have no effect on memory types under EPT (the EPT entries
 * decide), but guests read back what they wrote and some refuse to boot on
 * inconsistent values, so they are stored after the architectural checks.
 */
static int write_mtrr_var(struct msr_vcpu_state *s, uint32_t msr, uint64_t v)
{
	unsigned int i = msr - GMSR_MTRR_PHYSBASE0;

	if (i % 2 == 0) {
		if ((v & MTRR_PHYSBASE_RESERVED) || (v & phys_reserved(s)) ||
		    !mtrr_type_ok(v & 0xff))
			return -EPERM;
	} else {
		if ((v & MTRR_PHYSMASK_RESERVED) || (v & phys_reserved(s)))
			return -EPERM;
	}
	s->mtrr_var[i] = v;
	return 0;
}

int msr_emulate_write(struct msr_vcpu_state *s, uint32_t msr, uint64_t value)
{
	uint64_t delta;
	int idx;
	int ret = check_access(s, msr, true, &value);

	if (ret <= 0)
		return ret;

	if (is_mtrr_var(msr))
		return write_mtrr_var(s, msr, value);
	idx = fixed_index(msr);
	if (idx >= 0) {
		if (!bytes_ok(value, mtrr_type_ok))
			return -EPERM;
		s->mtrr_fixed[idx] = value;
		return 0;
	}

	switch (msr) {
	case GMSR_TSC:
		/* SDM 17.17.3: the TSC moves to value and TSC_ADJUST by as much. */
		delta = value - (s->host_tsc + s->tsc_offset);
		s->tsc_offset += delta;
		s->tsc_adjust += delta;
		return 0;
	case GMSR_TSC_ADJUST:
		/* And the other way round: the TSC moves by the change in TSC_ADJUST. */
		delta = value - s->tsc_adjust;
		s->tsc_adjust = value;
		s->tsc_offset += delta;
		return 0;
	case GMSR_SPEC_CTRL:
		if (value & ~SPEC_CTRL_VALID)
			return -EPERM;
		s->spec_ctrl = value;
		return 0;
	case GMSR_PRED_CMD:
		if (value & ~PRED_CMD_IBPB)
			return -EPERM;
		/* A barrier is an action, not state: the caller performs it. */
		if (value & PRED_CMD_IBPB)
			s->ibpb_pending = true;
		return 0;
	case GMSR_BIOS_SIGN_ID:
		/* Kernels write 0 before CPUID(1) to latch the revision. */
		return 0;
	case GMSR_MCG_STATUS:
		if (value & ~MCG_STATUS_VALID)
			return -EPERM;
		s->mcg_status = value;
		return 0;
	case GMSR_MISC_ENABLE:
		/*
		 * Only fast strings may be toggled; the other bits describe
		 * host configuration or hidden features and must be written
		 * back unchanged.
		 */
		if ((value ^ s->misc_enable) & ~MISC_ENABLE_FAST_STRING)
			return -EPERM;
		s->misc_enable = value;
		return 0;
	case GMSR_DEBUGCTL:
		/*
		 * BTF (single-step on branches) is the guest's own, loaded with its
		 * other debug state on entry. LBR and BTS would need the record MSRs
		 * and a debug store, which are not offered.
		 */
		if (value & ~GMSR_DEBUGCTL_BTF)
			return -EPERM;
		s->debugctl = value;
		return 0;
	case GMSR_PAT:
		if (!bytes_ok(value, pat_type_ok))
			return -EPERM;
		s->pat = value;
		return 0;
	case GMSR_MTRR_DEF_TYPE:
		if ((value & ~MTRR_DEF_TYPE_VALID) || !mtrr_type_ok(value & 0xff))
			return -EPERM;
		s->mtrr_def_type = value;
		return 0;
	case GMSR_EFER:
		return write_efer(s, value);
	default:
		return -EPERM;
	}
}

unsigned int msr_policy_passthrough(uint32_t *out, unsigned int max)
{
	unsigned int n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
		if (!(rules[i].access & A_PT))
			continue;
		for (uint32_t m = rules[i].first; m <= rules[i].last; m++) {
			if (out && n < max)
				out[n] = m;
			n++;
		}
	}
	return n;
}
