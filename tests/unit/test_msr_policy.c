/* SPDX-License-Identifier: GPL-2.0 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include <plinth/errno.h>
#include <asm/vmx_msr_bitmap.h>
#include <vmm/msr_policy.h>

static uint64_t rd(struct msr_vcpu_state *s, uint32_t msr)
{
	uint64_t v = 0xdeadbeef;

	assert_int_equal(msr_emulate_read(s, msr, &v), 0);
	return v;
}

static void test_init(void **state)
{
	struct msr_vcpu_state s;

	(void)state;
	msr_state_init(&s);
	assert_int_equal(s.pat, 0x0007040600070406ULL);
	assert_int_equal(s.misc_enable, 0x1801);
	assert_int_equal(s.maxphyaddr, 52);
	assert_int_equal(s.efer, 0);
	/* MTRRs on, default write-back: what firmware leaves, so Linux keeps PAT. */
	assert_int_equal(s.mtrr_def_type, 0x806);
	assert_int_equal(s.tsc_offset, 0);
	assert_int_equal(s.tsc_adjust, 0);
	assert_false(s.ibpb_pending);
	msr_state_init(NULL); /* must not crash */
}

static void test_lookup(void **state)
{
	static const uint32_t pt[] = { 0x174, 0x175, 0x176, 0xc0000081,
				       0xc0000082, 0xc0000083, 0xc0000084,
				       0xc0000100, 0xc0000101, 0xc0000102,
				       0xc0000103 };
	static const uint32_t rw[] = { 0x10, 0x3b, 0x48, 0x8b, 0x17a, 0x1a0, 0x1d9,
				       0x200, 0x20f, 0x250, 0x258, 0x259,
				       0x268, 0x26f, 0x277, 0x2ff,
				       0xc0000080 };
	static const uint32_t ro[] = { 0x17, 0x34, 0x3a, 0xce, 0xfe, 0x179 };
	static const uint32_t deny[] = { 0, 0x11, 0x16, 0x18, 0x1a, 0x1b, 0x1c, 0x33, 0x35,
					 0x3c, 0x47, 0x4a,
					 0x79, 0x10a, 0x10b, 0x173, 0x177,
					 0x178, 0x17b, 0x1ff, 0x210, 0x24f,
					 0x251, 0x257, 0x25a, 0x267, 0x270,
					 0x276, 0x278, 0x2fe, 0x300, 0x6df,
					 0x6e0, 0x6e1, 0x800, 0x830, 0xda0, 0x1fff,
					 0x2000, 0xc000007f, 0xc0000085,
					 0xc00000ff, 0xc0000104, 0xc0010114,
					 0x40000000, 0xffffffff };

	(void)state;
	for (size_t i = 0; i < sizeof(pt) / sizeof(pt[0]); i++) {
		assert_int_equal(msr_policy_lookup(pt[i], false),
				 MSR_PASSTHROUGH);
		assert_int_equal(msr_policy_lookup(pt[i], true),
				 MSR_PASSTHROUGH);
	}
	for (size_t i = 0; i < sizeof(rw) / sizeof(rw[0]); i++) {
		assert_int_equal(msr_policy_lookup(rw[i], false), MSR_EMULATE);
		assert_int_equal(msr_policy_lookup(rw[i], true), MSR_EMULATE);
	}
	for (size_t i = 0; i < sizeof(ro) / sizeof(ro[0]); i++) {
		assert_int_equal(msr_policy_lookup(ro[i], false), MSR_EMULATE);
		assert_int_equal(msr_policy_lookup(ro[i], true), MSR_DENY);
	}
	for (size_t i = 0; i < sizeof(deny) / sizeof(deny[0]); i++) {
		assert_int_equal(msr_policy_lookup(deny[i], false), MSR_DENY);
		assert_int_equal(msr_policy_lookup(deny[i], true), MSR_DENY);
	}
	/* PRED_CMD is write-only. */
	assert_int_equal(msr_policy_lookup(0x49, false), MSR_DENY);
	assert_int_equal(msr_policy_lookup(0x49, true), MSR_EMULATE);
	/* VMX capability MSRs: VMX is hidden. */
	for (uint32_t m = 0x480; m <= 0x491; m++) {
		assert_int_equal(msr_policy_lookup(m, false), MSR_DENY);
		assert_int_equal(msr_policy_lookup(m, true), MSR_DENY);
	}
}

static void test_deny_and_bad_args(void **state)
{
	struct msr_vcpu_state s;
	uint64_t v = 7;

	(void)state;
	msr_state_init(&s);
	assert_int_equal(msr_emulate_read(&s, 0x480, &v), -EPERM);
	assert_int_equal(msr_emulate_write(&s, 0x480, 0), -EPERM);
	assert_int_equal(msr_emulate_read(&s, 0x11, &v), -EPERM);
	assert_int_equal(msr_emulate_write(&s, 0x11, 0), -EPERM);
	assert_int_equal(msr_emulate_read(&s, 0xffffffff, &v), -EPERM);
	assert_int_equal(v, 7);
	/* Passthrough MSRs never exit: emulating them is a caller bug. */
	assert_int_equal(msr_emulate_read(&s, 0xc0000100, &v), -EINVAL);
	assert_int_equal(msr_emulate_write(&s, 0xc0000082, 0), -EINVAL);
	assert_int_equal(msr_emulate_read(NULL, 0x48, &v), -EINVAL);
	assert_int_equal(msr_emulate_read(&s, 0x48, NULL), -EINVAL);
	assert_int_equal(msr_emulate_write(NULL, 0x48, 0), -EINVAL);
	/* The LAPIC's MSRs are not the policy's: the exit handler gives them to it first. */
	assert_int_equal(msr_emulate_read(&s, 0x1b, &v), -EPERM);
	assert_int_equal(msr_emulate_write(&s, 0x6e0, 0), -EPERM);
	assert_int_equal(msr_emulate_read(&s, 0x830, &v), -EPERM);
}

static void test_fixed_values(void **state)
{
	struct msr_vcpu_state s;

	(void)state;
	msr_state_init(&s);
	assert_int_equal(rd(&s, 0x3a), 1);
	assert_int_equal(msr_emulate_write(&s, 0x3a, 1), -EPERM);
	assert_int_equal(msr_emulate_write(&s, 0x3a, 5), -EPERM);
	assert_int_equal(rd(&s, 0xfe), 0x508);
	assert_int_equal(msr_emulate_write(&s, 0xfe, 0x508), -EPERM);
	assert_int_equal(rd(&s, 0xce), 0);
	assert_int_equal(msr_emulate_write(&s, 0xce, 0), -EPERM);
	assert_int_equal(rd(&s, 0x179), 0);
	assert_int_equal(msr_emulate_write(&s, 0x179, 0), -EPERM);
	assert_int_equal(rd(&s, 0x8b), 0);
	assert_int_equal(msr_emulate_write(&s, 0x8b, 0), 0);
	assert_int_equal(msr_emulate_write(&s, 0x8b, 0x12300000000ULL), 0);
	assert_int_equal(rd(&s, 0x8b), 0);
	assert_int_equal(rd(&s, 0x1d9), 0);
	assert_int_equal(msr_emulate_write(&s, 0x1d9, 0), 0);
	/* LBR needs the LBR MSRs Plinth does not virtualise; BTF is the guest's own. */
	assert_int_equal(msr_emulate_write(&s, 0x1d9, 1), -EPERM);
	assert_int_equal(msr_emulate_write(&s, 0x1d9, 2), 0);
	assert_int_equal(rd(&s, 0x1d9), 2);
	assert_int_equal(msr_emulate_write(&s, 0x1d9, 3), -EPERM);
	assert_int_equal(rd(&s, 0x1d9), 2);
}

static void test_mcg_status(void **state)
{
	struct msr_vcpu_state s;

	(void)state;
	msr_state_init(&s);
	assert_int_equal(rd(&s, 0x17a), 0);
	assert_int_equal(msr_emulate_write(&s, 0x17a, 5), 0);
	assert_int_equal(rd(&s, 0x17a), 5);
	assert_int_equal(msr_emulate_write(&s, 0x17a, 8), -EPERM);
	assert_int_equal(rd(&s, 0x17a), 5);
	assert_int_equal(msr_emulate_write(&s, 0x17a, 0), 0);
	assert_int_equal(rd(&s, 0x17a), 0);
}

static void test_misc_enable(void **state)
{
	struct msr_vcpu_state s;

	(void)state;
	msr_state_init(&s);
	assert_int_equal(rd(&s, 0x1a0), 0x1801);
	assert_int_equal(msr_emulate_write(&s, 0x1a0, 0x1801), 0);
	assert_int_equal(msr_emulate_write(&s, 0x1a0, 0x1800), 0);
	assert_int_equal(rd(&s, 0x1a0), 0x1800);
	/* LIMIT_CPUID, ENABLE_MONITOR, XD_DISABLE cannot be set. */
	assert_int_equal(msr_emulate_write(&s, 0x1a0, 0x401800), -EPERM);
	assert_int_equal(msr_emulate_write(&s, 0x1a0, 0x41800), -EPERM);
	assert_int_equal(msr_emulate_write(&s, 0x1a0, (1ULL << 34) | 0x1800),
			 -EPERM);
	/* BTS/PEBS unavailable are read-only. */
	assert_int_equal(msr_emulate_write(&s, 0x1a0, 0x1000), -EPERM);
	assert_int_equal(msr_emulate_write(&s, 0x1a0, 0x0801), -EPERM);
	assert_int_equal(rd(&s, 0x1a0), 0x1800);
}

static void test_pat(void **state)
{
	struct msr_vcpu_state s;

	(void)state;
	msr_state_init(&s);
	assert_int_equal(rd(&s, 0x277), 0x0007040600070406ULL);
	/* Every valid type: UC WC WT WP WB UC-. */
	assert_int_equal(msr_emulate_write(&s, 0x277, 0x0706050401000100ULL),
			 0);
	assert_int_equal(rd(&s, 0x277), 0x0706050401000100ULL);
	for (int byte = 0; byte < 8; byte++) {
		uint64_t base = 0x0606060606060606ULL;
		uint64_t mask = ~(0xffULL << (8 * byte));

		assert_int_equal(msr_emulate_write(&s, 0x277, (base & mask) |
						   (2ULL << (8 * byte))), -EPERM);
		assert_int_equal(msr_emulate_write(&s, 0x277, (base & mask) |
						   (3ULL << (8 * byte))), -EPERM);
		assert_int_equal(msr_emulate_write(&s, 0x277, (base & mask) |
						   (8ULL << (8 * byte))), -EPERM);
		assert_int_equal(msr_emulate_write(&s, 0x277, (base & mask) |
						   (0x86ULL << (8 * byte))), -EPERM);
	}
	assert_int_equal(rd(&s, 0x277), 0x0706050401000100ULL);
}

/* IA32_TSC and IA32_TSC_ADJUST move together (SDM Vol. 3B 17.17.3). */
static void test_tsc(void **state)
{
	struct msr_vcpu_state s;

	(void)state;
	msr_state_init(&s);
	s.host_tsc = 1000000;
	assert_int_equal(rd(&s, 0x10), 1000000);
	assert_int_equal(rd(&s, 0x3b), 0);
	/* Writing the TSC: it reads the new value, TSC_ADJUST takes the difference. */
	assert_int_equal(msr_emulate_write(&s, 0x10, 5000), 0);
	assert_int_equal(s.tsc_offset, (uint64_t)(5000 - 1000000));
	assert_int_equal(rd(&s, 0x10), 5000);
	assert_int_equal(rd(&s, 0x3b), (uint64_t)(5000 - 1000000));
	s.host_tsc += 300;
	assert_int_equal(rd(&s, 0x10), 5300);	/* and keeps counting */
	/* Writing TSC_ADJUST back to 0 moves the TSC by as much: host TSC again. */
	assert_int_equal(msr_emulate_write(&s, 0x3b, 0), 0);
	assert_int_equal(s.tsc_offset, 0);
	assert_int_equal(rd(&s, 0x10), 1000300);
	/* TSC_ADJUST + 10: the TSC is 10 ahead of the host's. */
	assert_int_equal(msr_emulate_write(&s, 0x3b, 10), 0);
	assert_int_equal(rd(&s, 0x10), 1000310);
	assert_int_equal(rd(&s, 0x3b), 10);
	/* Negative adjustments and wrapping are plain 64-bit arithmetic. */
	assert_int_equal(msr_emulate_write(&s, 0x3b, (uint64_t)-2000000), 0);
	assert_int_equal(rd(&s, 0x10), (uint64_t)(1000300 - 2000000));
	assert_int_equal(msr_emulate_write(&s, 0x10, UINT64_MAX), 0);
	s.host_tsc += 1;
	assert_int_equal(rd(&s, 0x10), 0);
	/* A reset puts both back: the guest's TSC is the host's. */
	msr_state_init(&s);
	s.host_tsc = 77;
	assert_int_equal(rd(&s, 0x10), 77);
	assert_int_equal(rd(&s, 0x3b), 0);
}

/*
 * What Linux 6.1 reads or writes while booting on an Intel CPU with the
 * CPUID Plinth offers, and the answer each gets: emulated (0) or #GP (-EPERM).
 * A #GP is right where CPUID hides the feature the MSR belongs to.
 */
static void test_linux_boot_msrs(void **state)
{
	static const struct { uint32_t msr; int rd, wr; } msrs[] = {
		{ 0x10, 0, 0 },		/* IA32_TSC */
		{ 0x17, 0, -EPERM },	/* PLATFORM_ID: read-only */
		{ 0x34, 0, -EPERM },	/* SMI_COUNT: read-only, no SMIs */
		{ 0x3a, 0, -EPERM },	/* FEATURE_CONTROL: locked */
		{ 0x3b, 0, 0 },		/* TSC_ADJUST (CPUID.7.0:EBX[1]) */
		{ 0x8b, 0, 0 },		/* BIOS_SIGN_ID */
		{ 0xce, 0, -EPERM },	/* PLATFORM_INFO: read-only */
		{ 0xfe, 0, -EPERM },	/* MTRRCAP: read-only */
		{ 0x179, 0, -EPERM },	/* MCG_CAP: read-only, 0 banks */
		{ 0x17a, 0, 0 },	/* MCG_STATUS */
		{ 0x17b, -EPERM, -EPERM }, /* MCG_CTL: MCG_CAP.CTL_P is clear */
		{ 0x400, -EPERM, -EPERM }, /* MC0_CTL: no banks */
		{ 0x280, -EPERM, -EPERM }, /* MC0_CTL2: no CMCI */
		{ 0x1a0, 0, 0 },	/* MISC_ENABLE (same value back) */
		{ 0x1b0, -EPERM, -EPERM }, /* ENERGY_PERF_BIAS: leaf 6 hidden */
		{ 0x19b, -EPERM, -EPERM }, /* THERM_INTERRUPT: ACPI/TM hidden */
		{ 0x19c, -EPERM, -EPERM }, /* THERM_STATUS */
		{ 0x1b1, -EPERM, -EPERM }, /* PACKAGE_THERM_STATUS */
		{ 0x198, -EPERM, -EPERM }, /* PERF_STATUS: EST hidden */
		{ 0x199, -EPERM, -EPERM }, /* PERF_CTL */
		{ 0xe7, -EPERM, -EPERM },  /* MPERF: leaf 6 hidden */
		{ 0xe8, -EPERM, -EPERM },  /* APERF */
		{ 0xc1, -EPERM, -EPERM },  /* PERFCTR0: no PMU (leaf 0xA hidden) */
		{ 0x186, -EPERM, -EPERM }, /* PERFEVTSEL0 */
		{ 0x38d, -EPERM, -EPERM }, /* FIXED_CTR_CTRL */
		{ 0x38f, -EPERM, -EPERM }, /* PERF_GLOBAL_CTRL */
		{ 0x345, -EPERM, -EPERM }, /* PERF_CAPABILITIES: PDCM hidden */
		{ 0x10a, -EPERM, -EPERM }, /* ARCH_CAPABILITIES: CPUID.7.0:EDX[29] hidden */
		{ 0x122, -EPERM, -EPERM }, /* TSX_CTRL: TSX hidden */
		{ 0x140, -EPERM, -EPERM }, /* MISC_FEATURES_ENABLES: probed with rdmsr_safe */
		{ 0x33, -EPERM, -EPERM },  /* TEST_CTRL: no split-lock detection offered */
		{ 0x4e, -EPERM, -EPERM },  /* PPIN_CTL */
		{ 0x1fc, -EPERM, -EPERM }, /* POWER_CTL */
		{ 0x1a2, -EPERM, -EPERM }, /* TEMPERATURE_TARGET */
		{ 0x606, -EPERM, -EPERM }, /* RAPL_POWER_UNIT */
		{ 0x770, -EPERM, -EPERM }, /* PM_ENABLE: HWP hidden */
		{ 0xda0, -EPERM, -EPERM }, /* XSS: XSAVES hidden */
		{ 0x277, 0, 0 },	/* PAT */
		{ 0x2ff, 0, 0 },	/* MTRR_DEF_TYPE */
		{ 0x200, 0, 0 },	/* MTRR_PHYSBASE0 */
		{ 0x250, 0, 0 },	/* MTRR_FIX64K_00000 */
	};
	struct msr_vcpu_state s;

	(void)state;
	for (size_t i = 0; i < sizeof(msrs) / sizeof(msrs[0]); i++) {
		uint64_t v = 0;

		msr_state_init(&s);
		assert_int_equal(msr_emulate_read(&s, msrs[i].msr, &v), msrs[i].rd);
		/* Writing back what was read: the only write Linux makes to most of them. */
		assert_int_equal(msr_emulate_write(&s, msrs[i].msr, v), msrs[i].wr);
	}
	/* The MSRs this test reads as 0 really answer 0. */
	msr_state_init(&s);
	assert_int_equal(rd(&s, 0x17), 0);
	assert_int_equal(rd(&s, 0x34), 0);
	assert_int_equal(rd(&s, 0x179), 0);
}

static void test_mtrr_def_type(void **state)
{
	struct msr_vcpu_state s;

	(void)state;
	msr_state_init(&s);
	assert_int_equal(msr_emulate_write(&s, 0x2ff, 0xc06), 0);
	assert_int_equal(rd(&s, 0x2ff), 0xc06);
	assert_int_equal(msr_emulate_write(&s, 0x2ff, 0x800), 0);
	assert_int_equal(msr_emulate_write(&s, 0x2ff, 0x807), -EPERM); /* UC- */
	assert_int_equal(msr_emulate_write(&s, 0x2ff, 0x802), -EPERM);
	assert_int_equal(msr_emulate_write(&s, 0x2ff, 0x800 | (1 << 9)), -EPERM);
	assert_int_equal(msr_emulate_write(&s, 0x2ff, 0x800 | (1 << 12)), -EPERM);
	assert_int_equal(msr_emulate_write(&s, 0x2ff, 0x800 | (1ULL << 63)),
			 -EPERM);
	assert_int_equal(rd(&s, 0x2ff), 0x800);
}

static void test_mtrr_fixed(void **state)
{
	static const uint32_t fixed[] = { 0x250, 0x258, 0x259, 0x268, 0x269,
					  0x26a, 0x26b, 0x26c, 0x26d, 0x26e,
					  0x26f };
	struct msr_vcpu_state s;

	(void)state;
	msr_state_init(&s);
	for (size_t i = 0; i < 11; i++) {
		uint64_t v = 0x0606060606060600ULL | (i % 2 ? 1 : 5);

		assert_int_equal(rd(&s, fixed[i]), 0);
		assert_int_equal(msr_emulate_write(&s, fixed[i], v), 0);
		assert_int_equal(s.mtrr_fixed[i], v);
	}
	for (size_t i = 0; i < 11; i++)
		assert_int_equal(rd(&s, fixed[i]),
				 0x0606060606060600ULL | (i % 2 ? 1 : 5));
	/* Separate storage for each: rewrite one, the others stay. */
	assert_int_equal(msr_emulate_write(&s, 0x259, 0x0404040404040404ULL),
			 0);
	assert_int_equal(rd(&s, 0x259), 0x0404040404040404ULL);
	assert_int_equal(rd(&s, 0x258), 0x0606060606060601ULL);
	assert_int_equal(rd(&s, 0x268), 0x0606060606060601ULL);
	/* UC- and reserved encodings in any byte. */
	assert_int_equal(msr_emulate_write(&s, 0x250, 0x0700000000000000ULL),
			 -EPERM);
	assert_int_equal(msr_emulate_write(&s, 0x26f, 0x0000000000020000ULL),
			 -EPERM);
	assert_int_equal(rd(&s, 0x250), 0x0606060606060605ULL);
	assert_int_equal(rd(&s, 0x26f), 0x0606060606060605ULL);
}

static void test_mtrr_var(void **state)
{
	struct msr_vcpu_state s;

	(void)state;
	msr_state_init(&s);
	for (uint32_t m = 0x200; m <= 0x20f; m++)
		assert_int_equal(rd(&s, m), 0);
	assert_int_equal(msr_emulate_write(&s, 0x200, 0x80000006), 0);
	assert_int_equal(msr_emulate_write(&s, 0x201, 0xfffff80000800ULL), 0);
	assert_int_equal(msr_emulate_write(&s, 0x20e, 0xc0000000), 0);
	assert_int_equal(msr_emulate_write(&s, 0x20f, 0xfffffc0000800ULL), 0);
	assert_int_equal(rd(&s, 0x200), 0x80000006);
	assert_int_equal(rd(&s, 0x201), 0xfffff80000800ULL);
	assert_int_equal(rd(&s, 0x20e), 0xc0000000);
	assert_int_equal(rd(&s, 0x20f), 0xfffffc0000800ULL);
	assert_int_equal(rd(&s, 0x202), 0);

	/* PHYSBASE: invalid type, reserved 11:8, above MAXPHYADDR. */
	assert_int_equal(msr_emulate_write(&s, 0x200, 0x80000002), -EPERM);
	assert_int_equal(msr_emulate_write(&s, 0x200, 0x80000007), -EPERM);
	assert_int_equal(msr_emulate_write(&s, 0x200, 0x80000106), -EPERM);
	assert_int_equal(msr_emulate_write(&s, 0x200, 0x80000806), -EPERM);
	assert_int_equal(msr_emulate_write(&s, 0x200, 1ULL << 52), -EPERM);
	/* PHYSMASK: reserved 10:0, above MAXPHYADDR. */
	assert_int_equal(msr_emulate_write(&s, 0x201, 0xfffff80000801ULL),
			 -EPERM);
	assert_int_equal(msr_emulate_write(&s, 0x201, 0xfffff80000c00ULL),
			 -EPERM);
	assert_int_equal(msr_emulate_write(&s, 0x201, 1ULL << 52), -EPERM);
	assert_int_equal(rd(&s, 0x200), 0x80000006);
	assert_int_equal(rd(&s, 0x201), 0xfffff80000800ULL);

	s.maxphyaddr = 39;
	assert_int_equal(msr_emulate_write(&s, 0x203, 0xfffff80000800ULL),
			 -EPERM);
	assert_int_equal(msr_emulate_write(&s, 0x203, 0x7f80000800ULL), 0);
	assert_int_equal(msr_emulate_write(&s, 0x202, 1ULL << 39), -EPERM);
	assert_int_equal(msr_emulate_write(&s, 0x202, (1ULL << 38) | 6), 0);
	/* A nonsense width falls back to 52 instead of rejecting everything. */
	s.maxphyaddr = 0;
	assert_int_equal(msr_emulate_write(&s, 0x203, 0xfffff80000800ULL), 0);
	s.maxphyaddr = 64;
	assert_int_equal(msr_emulate_write(&s, 0x203, 1ULL << 52), -EPERM);
}

static void test_spec_ctrl(void **state)
{
	struct msr_vcpu_state s;
	uint64_t v;

	(void)state;
	msr_state_init(&s);
	assert_int_equal(rd(&s, 0x48), 0);
	assert_int_equal(msr_emulate_write(&s, 0x48, 7), 0);
	assert_int_equal(rd(&s, 0x48), 7);
	assert_int_equal(msr_emulate_write(&s, 0x48, 8), -EPERM);
	assert_int_equal(msr_emulate_write(&s, 0x48, 1ULL << 63), -EPERM);
	assert_int_equal(s.spec_ctrl, 7);

	assert_int_equal(msr_emulate_read(&s, 0x49, &v), -EPERM);
	assert_int_equal(msr_emulate_write(&s, 0x49, 0), 0);
	assert_false(s.ibpb_pending);
	assert_int_equal(msr_emulate_write(&s, 0x49, 2), -EPERM);
	assert_false(s.ibpb_pending);
	assert_int_equal(msr_emulate_write(&s, 0x49, 1), 0);
	assert_true(s.ibpb_pending);
}

static void test_efer(void **state)
{
	struct msr_vcpu_state s;

	(void)state;
	msr_state_init(&s);
	assert_int_equal(rd(&s, 0xc0000080), 0);
	assert_int_equal(msr_emulate_write(&s, 0xc0000080, 0xd01), 0);
	assert_int_equal(rd(&s, 0xc0000080), 0xd01 & ~0x400);
	/* LMA is not writable: a written LMA is dropped. */
	assert_int_equal(msr_emulate_write(&s, 0xc0000080, 0x500), 0);
	assert_int_equal(rd(&s, 0xc0000080), 0x100);
	/* Reserved bits. */
	assert_int_equal(msr_emulate_write(&s, 0xc0000080, 0x2), -EPERM);
	assert_int_equal(msr_emulate_write(&s, 0xc0000080, 0x200), -EPERM);
	assert_int_equal(msr_emulate_write(&s, 0xc0000080, 0x1000), -EPERM);
	assert_int_equal(msr_emulate_write(&s, 0xc0000080, 1ULL << 63), -EPERM);

	/* Long mode active: LME is frozen, LMA sticks. */
	s.efer = 0x500;
	s.cr0_pg = true;
	assert_int_equal(msr_emulate_write(&s, 0xc0000080, 0x901), 0);
	assert_int_equal(rd(&s, 0xc0000080), 0xd01);
	assert_int_equal(msr_emulate_write(&s, 0xc0000080, 0x801), -EPERM);
	/* Same, with a stale cr0_pg: LMA alone implies paging. */
	s.cr0_pg = false;
	assert_int_equal(msr_emulate_write(&s, 0xc0000080, 0x801), -EPERM);
	assert_int_equal(rd(&s, 0xc0000080), 0xd01);
	/* 32-bit paging: LME cannot be set. */
	s.efer = 0;
	s.cr0_pg = true;
	assert_int_equal(msr_emulate_write(&s, 0xc0000080, 0x100), -EPERM);
	assert_int_equal(msr_emulate_write(&s, 0xc0000080, 0x801), 0);
	assert_int_equal(rd(&s, 0xc0000080), 0x801);
}

/* Every readable emulated MSR reads, and writing back what it read works. */
static void test_round_trip(void **state)
{
	static const uint32_t bases[] = { 0, 0xc0000000 };
	struct msr_vcpu_state s;
	uint64_t v;

	(void)state;
	msr_state_init(&s);
	for (int b = 0; b < 2; b++) {
		for (uint32_t m = bases[b]; m < bases[b] + 0x2000; m++) {
			bool r = msr_policy_lookup(m, false) == MSR_EMULATE;
			bool w = msr_policy_lookup(m, true) == MSR_EMULATE;

			v = 0;
			if (r)
				assert_int_equal(msr_emulate_read(&s, m, &v), 0);
			else
				assert_int_not_equal(msr_emulate_read(&s, m, &v),
						     0);
			if (w)
				assert_int_equal(msr_emulate_write(&s, m, v), 0);
			else
				assert_int_not_equal(msr_emulate_write(&s, m, v),
						     0);
		}
	}
}

static bool bit(const uint8_t *bm, unsigned int off, unsigned int idx)
{
	return bm[off + idx / 8] & (1U << (idx % 8));
}

/* The backend's bitmap built from the policy's pass-through list. */
static void build_policy_bitmap(uint8_t *bm)
{
	uint32_t msrs[64];
	unsigned int n = msr_policy_passthrough(msrs, ARRAY_SIZE(msrs));

	assert_true(n <= ARRAY_SIZE(msrs));
	assert_int_equal(msr_policy_passthrough(NULL, 0), n);
	vmx_msr_bitmap_build(bm, msrs, n);
}

static void test_bitmap_positions(void **state)
{
	static uint8_t bm[4096];
	size_t clear = 0;

	(void)state;
	memset(bm, 0, sizeof(bm));
	build_policy_bitmap(bm);

	/* SYSENTER_CS/ESP/EIP = 0x174..0x176: byte 0x2e, bits 4..6. */
	assert_int_equal(bm[0x02e], 0x8f);
	assert_int_equal(bm[0x82e], 0x8f);
	/* EFER (0xc0000080) exits, STAR..SFMASK (0x81..0x84) do not. */
	assert_int_equal(bm[0x410], 0xe1);
	assert_int_equal(bm[0xc10], 0xe1);
	/* FS_BASE, GS_BASE, KERNEL_GS_BASE, TSC_AUX (0x100..0x103). */
	assert_int_equal(bm[0x420], 0xf0);
	assert_int_equal(bm[0xc20], 0xf0);
	/* Emulated and denied MSRs exit, both directions (0x1b, 0x6e0: for the LAPIC). */
	assert_int_equal(bm[0x003], 0xff);       /* APIC_BASE 0x1b */
	assert_int_equal(bm[0x803], 0xff);
	assert_int_equal(bm[0x0dc], 0xff);       /* TSC_DEADLINE 0x6e0 */
	assert_int_equal(bm[0x8dc], 0xff);
	assert_int_equal(bm[0x090], 0xff);       /* VMX_BASIC 0x480 */
	assert_int_equal(bm[0x3ff], 0xff);       /* 0x1ff8..0x1fff */
	assert_int_equal(bm[0x7ff], 0xff);
	assert_true(bit(bm, 0x000, 0x174) == false);
	assert_true(bit(bm, 0x800, 0x176) == false);
	assert_true(bit(bm, 0x000, 0x177));
	assert_true(bit(bm, 0x400, 0x80));
	assert_true(bit(bm, 0xc00, 0x80));
	assert_true(bit(bm, 0x400, 0x104));

	for (size_t i = 0; i < sizeof(bm); i++) {
		for (int b = 0; b < 8; b++)
			clear += !(bm[i] & (1U << b));
	}
	/* 11 passthrough MSRs, read and write bit each. */
	assert_int_equal(clear, 22);

	vmx_msr_bitmap_build(NULL, NULL, 0); /* must not crash */
}

/* The bitmap and the lookup agree on every MSR the bitmap can describe. */
static void test_bitmap_matches_lookup(void **state)
{
	static uint8_t bm[4096];

	(void)state;
	build_policy_bitmap(bm);
	for (uint32_t i = 0; i < 0x2000; i++) {
		bool lo = msr_policy_lookup(i, false) == MSR_PASSTHROUGH;
		bool hi = msr_policy_lookup(0xc0000000 + i, false) ==
			  MSR_PASSTHROUGH;

		assert_int_equal(bit(bm, 0x000, i), !lo);
		assert_int_equal(bit(bm, 0x800, i), !lo);
		assert_int_equal(bit(bm, 0x400, i), !hi);
		assert_int_equal(bit(bm, 0xc00, i), !hi);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_deny_and_bad_args),
		cmocka_unit_test(test_fixed_values),
		cmocka_unit_test(test_mcg_status),
		cmocka_unit_test(test_misc_enable),
		cmocka_unit_test(test_pat),
		cmocka_unit_test(test_tsc),
		cmocka_unit_test(test_linux_boot_msrs),
		cmocka_unit_test(test_mtrr_def_type),
		cmocka_unit_test(test_mtrr_fixed),
		cmocka_unit_test(test_mtrr_var),
		cmocka_unit_test(test_spec_ctrl),
		cmocka_unit_test(test_efer),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_bitmap_positions),
		cmocka_unit_test(test_bitmap_matches_lookup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
