/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CPUID filtering for VT-x partitions. The guest gets the host's answer
 * minus every feature that Plinth does not virtualize: advertising a feature
 * whose MSRs or instructions then fault (or, worse, reach the real hardware)
 * either crashes the guest or leaks host state across partitions. Leaves are
 * handled as an allow-list: a leaf nobody reviewed reads as zeros.
 */
#include <plinth/errno.h>
#include <plinth/string.h>
#include <plinth/types.h>
#include <vmm/cpuid_policy.h>
#include <vmm/dev/lapic.h>

#define B(n) (1U << (n))

/* Leaf 1 ECX. */
#define L1C_DTES64 B(2)    /* 64-bit debug store: IA32_DS_AREA is denied */
#define L1C_MONITOR B(3)   /* MONITOR/MWAIT would idle the physical CPU */
#define L1C_DS_CPL B(4)    /* CPL-qualified debug store: same as DTES64 */
#define L1C_VMX B(5)       /* no nested virtualization */
#define L1C_SMX B(6)       /* GETSEC/TXT belongs to the platform owner */
#define L1C_EST B(7)       /* SpeedStep: P-state MSRs are host-only */
#define L1C_TM2 B(8)       /* thermal monitor 2: host-only thermal MSRs */
#define L1C_SDBG B(11)     /* silicon debug MSR: host-only */
#define L1C_PDCM B(15)     /* IA32_PERF_CAPABILITIES: no guest PMU */
#define L1C_DCA B(18)      /* direct cache access: platform-wide setting */
#define L1C_X2APIC B(21)
#define L1C_TSC_DEADLINE B(24) /* the guest LAPIC's timer mode, offered with p->tsc_deadline */
#define L1C_OSXSAVE B(27)
#define L1C_HYPERVISOR B(31)

/* Leaf 1 EDX. */
#define L1D_PSN B(18)      /* processor serial number: leaf 3 is hidden */
#define L1D_DS B(21)       /* debug store: IA32_DS_AREA is denied */
#define L1D_ACPI B(22)     /* thermal-control MSRs are host-only */
#define L1D_HTT B(28)
#define L1D_TM B(29)       /* thermal monitor: host-only */
#define L1D_PBE B(31)      /* pending-break enable: host power management */

/* Leaf 7 subleaf 0 EBX: each needs an MSR or mode Plinth does not provide. */
#define L7B_TSC_ADJUST B(1) /* MSR 0x3b, emulated per vCPU (msr_policy.c) */
#define L7B_HIDE (B(2) |   /* SGX: EPC is not partitioned */ \
		  B(4) |   /* HLE: TSX is hidden (TAA, no TSX_CTRL) */ \
		  B(11) |  /* RTM: same */ \
		  B(12) |  /* RDT monitoring: shared cache QoS state */ \
		  B(14) |  /* MPX: IA32_BNDCFGS not emulated */ \
		  B(15) |  /* RDT allocation: shared cache QoS state */ \
		  B(25))   /* Intel PT: trace MSRs are host-only */

/* Leaf 7 subleaf 0 ECX. */
#define L7C_OSPKE B(4)
#define L7C_HIDE (B(4) |   /* OSPKE: recomputed from the guest's CR4 */ \
		  B(5) |   /* WAITPKG: IA32_UMWAIT_CONTROL not emulated */ \
		  B(7) |   /* CET shadow stack: CET MSRs / XSS denied */ \
		  B(13) |  /* TME: memory-encryption MSRs are host-only */ \
		  B(23) |  /* Key Locker: IWKey state is not switched */ \
		  B(24) |  /* bus-lock detect: DEBUGCTL bit not emulated */ \
		  B(29) |  /* ENQCMD: IA32_PASID not emulated */ \
		  B(30) |  /* SGX launch control: SGX hidden */ \
		  B(31))   /* PKS: IA32_PKRS not emulated */

/* Leaf 7 subleaf 0 EDX. Speculation controls (26, 27, 31) stay visible. */
#define L7D_HIDE (B(5) |   /* user interrupts: UINTR MSRs not emulated */ \
		  B(9) |   /* SRBDS_CTRL: MCU_OPT_CTRL is host-only */ \
		  B(11) |  /* RTM_ALWAYS_ABORT: TSX hidden */ \
		  B(13) |  /* TSX_FORCE_ABORT MSR: host-only */ \
		  B(15) |  /* hybrid: a vCPU has no stable core type */ \
		  B(16) |  /* TSXLDTRK: TSX hidden */ \
		  B(18) |  /* PCONFIG: platform key programming */ \
		  B(19) |  /* architectural LBR: LBR MSRs denied */ \
		  B(20) |  /* CET IBT: CET MSRs denied */ \
		  B(22) |  /* AMX-BF16: AMX needs XFD, not emulated */ \
		  B(24) |  /* AMX-TILE */ \
		  B(25) |  /* AMX-INT8 */ \
		  B(28) |  /* L1D_FLUSH: IA32_FLUSH_CMD not emulated */ \
		  B(29) |  /* ARCH_CAPABILITIES MSR not emulated */ \
		  B(30))   /* CORE_CAPABILITIES MSR not emulated */

/*
 * Leaf 7 subleaf 1 EAX: allow-list of pure instruction-set / performance
 * hints (AVX-VNNI, AVX512-BF16, fast zero-length MOVSB, fast short STOSB and
 * CMPSB); the rest of the subleaf names MSR-backed features (LAM, FRED,
 * HRESET, ...) that a guest must not be promised.
 */
#define L7S1A_KEEP (B(4) | B(5) | B(10) | B(11) | B(12))

/* Leaf 0xD. */
#define XCR0_AMX (B(17) | B(18)) /* tile state: AMX is hidden */
#define XCR0_MPX (B(3) | B(4))   /* bound registers: MPX is hidden in leaf 7 */
#define XD1A_XSAVES B(3)         /* XSAVES/XRSTORS need IA32_XSS: denied */
#define XD1A_XFD B(4)            /* extended feature disable MSRs: denied */
#define XD_SUPERVISOR B(0)       /* subleaf ECX: component lives in IA32_XSS */

/* Leaf 4 EAX fields. */
#define L4A_TYPE_MASK 0x1fU
#define L4A_LEVEL_SHIFT 5
#define L4A_SHARING_SHIFT 14
#define L4A_SHARING_MASK (0xfffU << L4A_SHARING_SHIFT)
#define L4A_CORES_SHIFT 26
#define L4A_CORES_MASK (0x3fU << L4A_CORES_SHIFT)

/* Leaf 0xB / 0x1F ECX[15:8] level types. */
#define TOPO_SMT 1U
#define TOPO_CORE 2U

#define HV_BASE 0x40000000U
#define HV_END 0x4fffffffU
#define EXT_BASE 0x80000000U
#define EXT_FEATURES 0x80000001U
#define EXT_ECX_SVM B(2)
#define EXT_EDX_RDTSCP B(27)
#define EXT_POWER 0x80000007U
#define EXT_POWER_EDX_INVARIANT_TSC B(8)

/* Leaves 0x15 and 0x16: the TSC and the LAPIC timer's clock, both Plinth's. */
#define LEAF_TSC_CRYSTAL 0x15U
#define LEAF_FREQ 0x16U
#define HZ_PER_MHZ 1000000ULL
/* Linux: crystal_khz * EBX in unsigned int (arch/x86/kernel/tsc.c, native_calibrate_tsc). */
#define CPUID_TSC_RATIO_MAX_EBX (UINT32_MAX / (LAPIC_BUS_HZ / 1000))

/* The LAPIC's limit on the TSC rate also keeps leaf 0x40000010's kHz in 32 bits. */
_Static_assert(LAPIC_MAX_TSC_HZ / 1000 <= UINT32_MAX, "TSC kHz does not fit leaf 0x40000010");

int cpuid_policy_init(struct cpuid_policy *p, uint32_t host_max_basic,
		      uint32_t host_max_ext, uint64_t tsc_hz,
		      unsigned int vcpus)
{
	int ret = 0;

	if (!p)
		return -EINVAL;

	memset(p, 0, sizeof(*p));
	/* Leaves above what the host has would only echo host garbage. */
	p->host_max_basic = MIN(host_max_basic, CPUID_POLICY_MAX_BASIC);
	p->max_basic = p->host_max_basic;
	/*
	 * A host without extended leaves still answers 0x80000000 itself;
	 * clamping to the base keeps every extended leaf above it at zero.
	 */
	if (host_max_ext < EXT_BASE)
		p->max_ext = EXT_BASE;
	else
		p->max_ext = MIN(host_max_ext, CPUID_POLICY_MAX_EXT);

	p->vcpu_count = 1;
	if (vcpus == 0 || vcpus > CPUID_POLICY_MAX_VCPUS)
		ret = -EINVAL;
	else
		p->vcpu_count = vcpus;

	if (tsc_hz > LAPIC_MAX_TSC_HZ) {
		ret = -EINVAL;
	} else {
		p->tsc_hz = tsc_hz;
		p->tsc_khz = tsc_hz / 1000;
	}
	/*
	 * 0x15 and 0x16 are Plinth's answers, not the host's, so they are
	 * offered whatever the host's highest leaf; the ones in between that
	 * the host lacks read as zeros.
	 */
	if (p->tsc_hz)
		p->max_basic = MAX(p->max_basic, LEAF_FREQ);

	/* The LAPIC model has both (vmm/dev/lapic.c); the deadline mode needs a TSC rate. */
	p->x2apic = true;
	p->tsc_deadline = p->tsc_hz != 0;
	return ret;
}

static uint64_t gcd64(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* |p/q - n/d| times q * d, so candidates compare without division. */
static unsigned __int128 ratio_error(uint64_t p, uint64_t q, uint64_t n, uint64_t d)
{
	unsigned __int128 x = (unsigned __int128)p * d, y = (unsigned __int128)n * q;

	return x > y ? x - y : y - x;
}

/*
 * The fraction p/q closest to n/d with q <= max_q: the last continued-
 * fraction convergent that fits, or the best semiconvergent after it if
 * that is closer; exactly n/d when its reduced form fits. n, d, max_q >= 1.
 */
static void best_ratio(uint64_t n, uint64_t d, uint64_t max_q, uint64_t *p, uint64_t *q)
{
	uint64_t p0 = 0, q0 = 1, p1 = 1, q1 = 0, x = n, y = d, a, t, k, sp, sq;

	while (y) {
		a = x / y;
		if (q0 + a * q1 > max_q)
			break;
		t = p0 + a * p1;
		p0 = p1;
		p1 = t;
		t = q0 + a * q1;
		q0 = q1;
		q1 = t;
		t = x - a * y;
		x = y;
		y = t;
	}
	*p = p1;
	*q = q1;
	if (!y)
		return;
	k = (max_q - q0) / q1;
	sp = p0 + k * p1;
	sq = q0 + k * q1;
	if (ratio_error(sp, sq, n, d) * q1 < ratio_error(p1, q1, n, d) * sq) {
		*p = sp;
		*q = sq;
	}
}

/*
 * TSC = crystal * EBX / EAX with the crystal (ECX) the LAPIC timer's clock:
 * Linux then takes its TSC rate and its LAPIC timer period from here
 * without calibrating either. Linux multiplies crystal kHz by EBX in 32
 * bits, so EBX stays at most UINT32_MAX / (crystal in kHz); within that
 * the ratio is the reduced fraction, exact, when it fits, else the closest
 * one (a TSC calibrated to the hertz rarely has a small ratio to 1 GHz; the
 * error is then below Linux's own kHz rounding). A ratio no fraction fits
 * is not enumerated (EBX 0).
 */
static void leaf_tsc_crystal(const struct cpuid_policy *p, struct cpuid_result *r)
{
	uint64_t g, num = 0, den = 0;

	memset(r, 0, sizeof(*r));
	if (!p->tsc_hz)
		return;
	g = gcd64(p->tsc_hz, LAPIC_BUS_HZ);
	best_ratio(LAPIC_BUS_HZ / g, p->tsc_hz / g, CPUID_TSC_RATIO_MAX_EBX, &den, &num);
	if (!num || !den || den > UINT32_MAX)
		return;
	r->eax = (uint32_t)den;
	r->ebx = (uint32_t)num;
	r->ecx = (uint32_t)LAPIC_BUS_HZ;
}

/* Base = maximum frequency (the TSC's, never scaled), bus = the LAPIC clock, in MHz. */
static void leaf_freq(const struct cpuid_policy *p, struct cpuid_result *r)
{
	memset(r, 0, sizeof(*r));
	if (!p->tsc_hz)
		return;
	r->eax = (uint32_t)(p->tsc_hz / HZ_PER_MHZ);
	r->ebx = r->eax;
	r->ecx = (uint32_t)(LAPIC_BUS_HZ / HZ_PER_MHZ);
}

/* Smallest n with (1 << n) >= v: the APIC-ID bits needed for v vCPUs. */
static uint32_t order_base_2(uint32_t v)
{
	uint32_t n = 0;

	while (n < 32 && (1ULL << n) < v)
		n++;
	return n;
}

/* Four signature characters as CPUID returns them (little-endian). */
static uint32_t sig4(const char *s)
{
	return (uint32_t)(uint8_t)s[0] | (uint32_t)(uint8_t)s[1] << 8 |
	       (uint32_t)(uint8_t)s[2] << 16 | (uint32_t)(uint8_t)s[3] << 24;
}

static void leaf1(const struct cpuid_policy *p,
		  const struct cpuid_guest_state *gs, struct cpuid_result *r)
{
	r->ecx &= ~(L1C_DTES64 | L1C_MONITOR | L1C_DS_CPL | L1C_VMX | L1C_SMX |
		    L1C_EST | L1C_TM2 | L1C_SDBG | L1C_PDCM | L1C_DCA |
		    L1C_X2APIC | L1C_OSXSAVE | L1C_TSC_DEADLINE);
	/* x2APIC and the TSC-deadline timer are the emulated LAPIC's, not the host's. */
	if (p->x2apic)
		r->ecx |= L1C_X2APIC;
	if (p->tsc_deadline)
		r->ecx |= L1C_TSC_DEADLINE;
	/*
	 * Hardware derives OSXSAVE from CR4 of whoever runs CPUID: here that
	 * was the host, so it must be recomputed from the guest's CR4.
	 */
	if (gs->cr4_osxsave)
		r->ecx |= L1C_OSXSAVE;
	/* Lets guests detect they are virtualized and look at 0x40000000. */
	r->ecx |= L1C_HYPERVISOR;

	/*
	 * Topology is the partition's, not the host's: initial APIC ID and
	 * the number of logical processors in the (virtual) package.
	 */
	r->ebx = (r->ebx & 0xffffU) | (gs->apic_id & 0xffU) << 24 |
		 (p->vcpu_count & 0xffU) << 16;

	r->edx &= ~(L1D_PSN | L1D_DS | L1D_ACPI | L1D_TM | L1D_PBE | L1D_HTT);
	/* HTT means "EBX[23:16] is valid and > 1", i.e. more than one vCPU. */
	if (p->vcpu_count > 1)
		r->edx |= L1D_HTT;
}

/*
 * Deterministic cache parameters: keep the host's cache geometry but make the
 * sharing counts match the virtual topology (one thread per core, all vCPUs
 * in one package), or the guest's scheduler builds phantom siblings.
 */
static void leaf4(const struct cpuid_policy *p, struct cpuid_result *r)
{
	uint32_t level = (r->eax >> L4A_LEVEL_SHIFT) & 7U;
	uint32_t sharing = 0;
	uint32_t cores = MIN(p->vcpu_count - 1, 0x3fU);

	if ((r->eax & L4A_TYPE_MASK) == 0) {
		/* Type 0 terminates the list; keep it all-zero so it stays so. */
		memset(r, 0, sizeof(*r));
		return;
	}
	/* L1 and L2 are per core; the last level is shared by the package. */
	if (level >= 3)
		sharing = p->vcpu_count - 1;
	r->eax &= ~(L4A_SHARING_MASK | L4A_CORES_MASK);
	r->eax |= (sharing << L4A_SHARING_SHIFT) & L4A_SHARING_MASK;
	r->eax |= cores << L4A_CORES_SHIFT;
}

static void leaf7(uint32_t subleaf, const struct cpuid_guest_state *gs,
		  struct cpuid_result *r)
{
	switch (subleaf) {
	case 0:
		/* Only subleaf 1 has been reviewed. */
		r->eax = MIN(r->eax, 1U);
		r->ebx &= ~L7B_HIDE;
		/* Emulated, so offered whether or not the host has it. */
		r->ebx |= L7B_TSC_ADJUST;
		r->ecx &= ~L7C_HIDE;
		/* Like OSXSAVE, OSPKE follows the CR4 of the CPUID caller. */
		if (gs->cr4_pke)
			r->ecx |= L7C_OSPKE;
		r->edx &= ~L7D_HIDE;
		break;
	case 1:
		r->eax &= L7S1A_KEEP;
		r->ebx = 0;
		r->ecx = 0;
		r->edx = 0;
		break;
	default:
		memset(r, 0, sizeof(*r));
		break;
	}
}

/*
 * Extended topology (0xB and 0x1F): one thread per core, all vCPUs as cores
 * of one package, x2APIC ID = the vCPU's APIC ID. Synthesized rather than
 * filtered because the host's topology says nothing about the partition.
 */
static void topology(const struct cpuid_policy *p, uint32_t subleaf,
		     const struct cpuid_guest_state *gs,
		     struct cpuid_result *r)
{
	r->edx = gs->apic_id;
	switch (subleaf) {
	case 0:
		/* SMT level: no bits of the ID select a thread. */
		r->eax = 0;
		r->ebx = 1;
		r->ecx = TOPO_SMT << 8;
		break;
	case 1:
		/* Core level: shifting these bits out yields the package ID. */
		r->eax = order_base_2(p->vcpu_count);
		r->ebx = p->vcpu_count;
		r->ecx = TOPO_CORE << 8 | 1U;
		break;
	default:
		/* Invalid level: only ECX[7:0] echoes the subleaf, EDX the ID. */
		r->eax = 0;
		r->ebx = 0;
		r->ecx = subleaf & 0xffU;
		break;
	}
}

/*
 * XSAVE enumeration is passed through because the guest's XCR0 is validated
 * against it at XSETBV; only components whose enabling MSRs Plinth denies are
 * removed, so a guest never tries to use them.
 */
static void leaf_d(uint32_t subleaf, struct cpuid_result *r)
{
	switch (subleaf) {
	case 0:
		/* No user state component above bit 31 has rules Plinth knows. */
		r->eax &= ~(XCR0_AMX | XCR0_MPX);
		r->edx = 0;
		break;
	case 1:
		r->eax &= ~(XD1A_XSAVES | XD1A_XFD);
		/* Supported IA32_XSS bits: none, the MSR is not emulated. */
		r->ecx = 0;
		r->edx = 0;
		break;
	case 3:
	case 4:
	case 17:
	case 18:
		memset(r, 0, sizeof(*r));
		break;
	default:
		/* Supervisor components only exist through IA32_XSS. */
		if (r->ecx & XD_SUPERVISOR)
			memset(r, 0, sizeof(*r));
		break;
	}
}

static void basic_leaf(const struct cpuid_policy *p, uint32_t leaf,
		       uint32_t subleaf, const struct cpuid_guest_state *gs,
		       struct cpuid_result *r)
{
	switch (leaf) {
	case 0:
		/* Vendor string stays the host's: guests key errata on it. */
		r->eax = p->max_basic;
		break;
	case 1:
		leaf1(p, gs, r);
		break;
	case 2:    /* legacy cache/TLB descriptors: harmless geometry */
	case 0x18: /* TLB geometry: informational */
		break;
	case LEAF_TSC_CRYSTAL:
		leaf_tsc_crystal(p, r);
		break;
	case LEAF_FREQ:
		leaf_freq(p, r);
		break;
	case 4:
		leaf4(p, r);
		break;
	case 7:
		leaf7(subleaf, gs, r);
		break;
	case 0xb:
	case 0x1f:
		topology(p, subleaf, gs, r);
		break;
	case 0xd:
		leaf_d(subleaf, r);
		break;
	default:
		/*
		 * Everything else is hidden, among them 3 (serial number),
		 * 5 (MONITOR/MWAIT), 6 (thermal/power), 9 (DCA), 0xA (PMU),
		 * 0xF/0x10 (RDT), 0x12 (SGX), 0x14 (PT), 0x19 (Key Locker),
		 * 0x1A (hybrid), 0x1B (PCONFIG), 0x1C (LBR), 0x1D/0x1E (AMX):
		 * all describe hardware a partition must not program.
		 */
		memset(r, 0, sizeof(*r));
		break;
	}
}

static void hypervisor_leaf(const struct cpuid_policy *p, uint32_t leaf,
			    struct cpuid_result *r)
{
	memset(r, 0, sizeof(*r));
	if (leaf == HV_BASE) {
		r->eax = CPUID_POLICY_MAX_HV;
		r->ebx = sig4("Plin");
		r->ecx = sig4("thPl");
		r->edx = sig4("inth");
	} else if (leaf == CPUID_POLICY_MAX_HV) {
		/* Saves the guest a TSC calibration against a slow timer. */
		r->eax = (uint32_t)p->tsc_khz;
		/* The LAPIC timer's clock, in kHz, as this leaf's convention has it. */
		r->ebx = (uint32_t)(LAPIC_BUS_HZ / 1000);
	}
}

static void ext_leaf(uint32_t leaf, const struct cpuid_policy *p,
		     struct cpuid_result *r)
{
	if (leaf == EXT_BASE) {
		r->eax = p->max_ext;
	} else if (leaf == EXT_FEATURES) {
		r->ecx &= ~EXT_ECX_SVM; /* no nested virtualization */
		/* Without the backend's RDTSCP control the instruction would #UD. */
		if (!p->rdtscp)
			r->edx &= ~EXT_EDX_RDTSCP;
	} else if (leaf == EXT_POWER) {
		/*
		 * Only the invariant TSC: the guest's TSC is the host's plus an
		 * offset, never scaled or stopped, so it is invariant exactly
		 * when the host's is. The rest is host power management.
		 */
		r->edx &= EXT_POWER_EDX_INVARIANT_TSC;
		r->eax = 0;
		r->ebx = 0;
		r->ecx = 0;
	}
	/* 0x80000002..6, 8: brand string, cache/TLB, address sizes. */
}

void cpuid_policy_apply(const struct cpuid_policy *p, uint32_t leaf,
			uint32_t subleaf, const struct cpuid_guest_state *gs,
			const struct cpuid_result *host,
			struct cpuid_result *out)
{
	struct cpuid_result r;

	if (!out)
		return;
	if (!p || !gs || !host || p->vcpu_count == 0) {
		memset(out, 0, sizeof(*out));
		return;
	}
	r = *host;

	/*
	 * Real Intel CPUs answer an out-of-range leaf with the highest basic
	 * leaf; zeros are simpler, cannot leak a hidden leaf, and are what
	 * every guest already treats as "nothing here".
	 */
	if (leaf < HV_BASE) {
		if (leaf > p->max_basic ||
		    (leaf > p->host_max_basic && leaf != LEAF_TSC_CRYSTAL && leaf != LEAF_FREQ))
			memset(&r, 0, sizeof(r));
		else
			basic_leaf(p, leaf, subleaf, gs, &r);
	} else if (leaf <= HV_END) {
		hypervisor_leaf(p, leaf, &r);
	} else if (leaf >= EXT_BASE && leaf <= p->max_ext) {
		ext_leaf(leaf, p, &r);
	} else {
		memset(&r, 0, sizeof(r));
	}
	*out = r;
}
