/* SPDX-License-Identifier: GPL-2.0 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include <plinth/errno.h>
#include <vmm/cpuid_policy.h>
#include <vmm/dev/lapic.h>

static const struct cpuid_result ones = { ~0U, ~0U, ~0U, ~0U };
static const struct cpuid_result zero = { 0, 0, 0, 0 };

static struct cpuid_policy pol(uint32_t max_basic, uint32_t max_ext,
			       unsigned int vcpus)
{
	struct cpuid_policy p;

	assert_int_equal(cpuid_policy_init(&p, max_basic, max_ext, 2500000000ULL,
					   vcpus), 0);
	return p;
}

static struct cpuid_result run(const struct cpuid_policy *p, uint32_t leaf,
			       uint32_t sub, const struct cpuid_guest_state *gs,
			       const struct cpuid_result *host)
{
	struct cpuid_result out = { 0xdead, 0xbeef, 0xdead, 0xbeef };

	cpuid_policy_apply(p, leaf, sub, gs, host, &out);
	return out;
}

#define assert_regs(r, a, b, c, d)                    \
	do {                                          \
		struct cpuid_result _r = (r);         \
		assert_int_equal(_r.eax, (uint32_t)(a)); \
		assert_int_equal(_r.ebx, (uint32_t)(b)); \
		assert_int_equal(_r.ecx, (uint32_t)(c)); \
		assert_int_equal(_r.edx, (uint32_t)(d)); \
	} while (0)

static void test_init(void **state)
{
	struct cpuid_policy p;

	(void)state;
	assert_int_equal(cpuid_policy_init(&p, 0x20, 0x80000021, 123456, 4), 0);
	assert_int_equal(p.max_basic, 0x1f);
	assert_int_equal(p.max_ext, 0x80000008);
	assert_int_equal(p.tsc_khz, 123);
	assert_int_equal(p.tsc_hz, 123456);
	assert_int_equal(p.vcpu_count, 4);
	/* Plinth's LAPIC model has both; RDTSCP waits for the backend's word. */
	assert_true(p.x2apic);
	assert_true(p.tsc_deadline);
	assert_false(p.rdtscp);

	/* No TSC rate: no 0x15/0x16 and no deadline timer. */
	assert_int_equal(cpuid_policy_init(&p, 0xd, 0x80000004, 0, 1), 0);
	assert_int_equal(p.max_basic, 0xd);
	assert_int_equal(p.max_ext, 0x80000004);
	assert_false(p.tsc_deadline);
	/* With one, the synthesized 0x15/0x16 raise the highest leaf. */
	assert_int_equal(cpuid_policy_init(&p, 0xd, 0x80000004, 3000000000ULL, 1), 0);
	assert_int_equal(p.max_basic, 0x16);
	assert_int_equal(p.host_max_basic, 0xd);

	/* No extended leaves at all on the host. */
	assert_int_equal(cpuid_policy_init(&p, 0xd, 0x10, 0, 1), 0);
	assert_int_equal(p.max_ext, 0x80000000);

	assert_int_equal(cpuid_policy_init(&p, 0xd, 0x80000008, 0, 255), 0);
	assert_int_equal(p.vcpu_count, 255);
}

static void test_init_bad(void **state)
{
	struct cpuid_policy p;

	(void)state;
	assert_int_equal(cpuid_policy_init(NULL, 0x1f, 0x80000008, 1, 1),
			 -EINVAL);
	assert_int_equal(cpuid_policy_init(&p, 0x1f, 0x80000008, 1, 0),
			 -EINVAL);
	assert_int_equal(p.vcpu_count, 1);
	assert_int_equal(cpuid_policy_init(&p, 0x1f, 0x80000008, 1, 256),
			 -EINVAL);
	assert_int_equal(p.vcpu_count, 1);
	assert_int_equal(cpuid_policy_init(&p, 0x1f, 0x80000008,
					   LAPIC_MAX_TSC_HZ + 1, 2), -EINVAL);
	assert_int_equal(p.tsc_khz, 0);
	assert_int_equal(p.tsc_hz, 0);
	assert_false(p.tsc_deadline);
	assert_int_equal(p.vcpu_count, 2);
	assert_int_equal(cpuid_policy_init(&p, 0x1f, 0x80000008, LAPIC_MAX_TSC_HZ,
					   2), 0);
	assert_int_equal(p.tsc_khz, LAPIC_MAX_TSC_HZ / 1000);
}

static void test_leaf0(void **state)
{
	struct cpuid_policy p = pol(0x20, 0x80000008, 1);
	struct cpuid_guest_state gs = { 0 };
	struct cpuid_result host = { 0x20, 0x756e6547, 0x6c65746e, 0x49656e69 };

	(void)state;
	assert_regs(run(&p, 0, 0, &gs, &host), 0x1f, 0x756e6547, 0x6c65746e,
		    0x49656e69);
	p = pol(0x16, 0x80000008, 1);
	host.eax = 0x16;
	assert_int_equal(run(&p, 0, 0, &gs, &host).eax, 0x16);
}

static void test_leaf1_all_ones(void **state)
{
	struct cpuid_policy p = pol(0x1f, 0x80000008, 4);
	struct cpuid_guest_state gs = { .apic_id = 3 };

	(void)state;
	/* Every hidden bit cleared, hypervisor bit set, topology rewritten. */
	p.x2apic = false;
	p.tsc_deadline = false;
	assert_regs(run(&p, 1, 0, &gs, &ones), ~0U, 0x0304ffff, 0xf6db7603,
		    0x5f9bffff);

	gs.cr4_osxsave = true;
	assert_int_equal(run(&p, 1, 0, &gs, &ones).ecx, 0xfedb7603);
	p.x2apic = true;
	assert_int_equal(run(&p, 1, 0, &gs, &ones).ecx, 0xfefb7603);
	p.tsc_deadline = true;
	assert_int_equal(run(&p, 1, 0, &gs, &ones).ecx, 0xfffb7603);
}

static void test_leaf1_zero_host(void **state)
{
	struct cpuid_policy p = pol(0x1f, 0x80000008, 2);
	struct cpuid_guest_state gs = { .apic_id = 1 };

	(void)state;
	/* Bits Plinth sets do not depend on the host having them. */
	assert_regs(run(&p, 1, 0, &gs, &zero), 0, 0x01020000, 0x81200000,
		    1U << 28);
	gs.cr4_osxsave = true;
	assert_int_equal(run(&p, 1, 0, &gs, &zero).ecx, 0x89200000);
	p.x2apic = false;
	p.tsc_deadline = false;
	assert_int_equal(run(&p, 1, 0, &gs, &zero).ecx, 0x88000000);
}

static void test_leaf1_single_vcpu(void **state)
{
	struct cpuid_policy p = pol(0x1f, 0x80000008, 1);
	struct cpuid_guest_state gs = { .apic_id = 0 };

	(void)state;
	assert_regs(run(&p, 1, 0, &gs, &ones), ~0U, 0x0001ffff, 0xf7fb7603,
		    0x4f9bffff);
	/* An APIC ID beyond 8 bits keeps only its low byte in leaf 1. */
	gs.apic_id = 0x1ab;
	assert_int_equal(run(&p, 1, 0, &gs, &ones).ebx >> 24, 0xab);
}

static void test_hidden_leaves(void **state)
{
	static const uint32_t hidden[] = { 3, 5, 6, 8, 9, 0xa, 0xc, 0xe, 0xf,
					   0x10, 0x12, 0x14, 0x17, 0x19, 0x1a,
					   0x1b, 0x1c, 0x1d, 0x1e };
	struct cpuid_policy p = pol(0x1f, 0x80000008, 4);
	struct cpuid_guest_state gs = { .cr4_osxsave = true, .apic_id = 1 };

	(void)state;
	for (size_t i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++) {
		assert_regs(run(&p, hidden[i], 0, &gs, &ones), 0, 0, 0, 0);
		assert_regs(run(&p, hidden[i], 1, &gs, &ones), 0, 0, 0, 0);
	}
}

static void test_passthrough_leaves(void **state)
{
	static const uint32_t pass[] = { 2, 0x18 };
	struct cpuid_policy p = pol(0x1f, 0x80000008, 4);
	struct cpuid_guest_state gs = { 0 };
	struct cpuid_result host = { 0x11, 0x22, 0x33, 0x44 };

	(void)state;
	for (size_t i = 0; i < sizeof(pass) / sizeof(pass[0]); i++)
		assert_regs(run(&p, pass[i], 0, &gs, &host), 0x11, 0x22, 0x33,
			    0x44);
}

static void test_leaf4(void **state)
{
	struct cpuid_policy p = pol(0x1f, 0x80000008, 4);
	struct cpuid_guest_state gs = { 0 };
	struct cpuid_result l1 = { 0xffffc121, 0x01c0003f, 0x3f, 0 };
	struct cpuid_result l3 = { 0xffffc163, 0x03c0003f, 0x2fff, 6 };

	(void)state;
	/* L1D: shared by this vCPU only; 4 cores per package. */
	assert_regs(run(&p, 4, 0, &gs, &l1), 0x0c000121, 0x01c0003f, 0x3f, 0);
	/* L2 is per core too. */
	assert_regs(run(&p, 4, 2, &gs, &(struct cpuid_result){ 0xffffc143, 0,
							      0, 0 }),
		    0x0c000143, 0, 0, 0);
	/* L3: shared by all 4 vCPUs. */
	assert_regs(run(&p, 4, 3, &gs, &l3), 0x0c00c163, 0x03c0003f, 0x2fff,
		    6);
	/* Type 0 ends the list. */
	assert_regs(run(&p, 4, 4, &gs, &(struct cpuid_result){ 0xffffc000, 1,
							      2, 3 }),
		    0, 0, 0, 0);

	p = pol(0x1f, 0x80000008, 1);
	assert_regs(run(&p, 4, 3, &gs, &l3), 0x00000163, 0x03c0003f, 0x2fff,
		    6);
}

static void test_leaf7(void **state)
{
	struct cpuid_policy p = pol(0x1f, 0x80000008, 4);
	struct cpuid_guest_state gs = { 0 };

	(void)state;
	assert_regs(run(&p, 7, 0, &gs, &ones), 1, 0xfdff27eb, 0x1e7fdf4f,
		    0x8ca255df);
	/* OSPKE follows the guest's CR4.PKE, even on a zero host; TSC_ADJUST is emulated. */
	gs.cr4_pke = true;
	assert_int_equal(run(&p, 7, 0, &gs, &ones).ecx, 0x1e7fdf5f);
	assert_regs(run(&p, 7, 0, &gs, &zero), 0, 2, 0x10, 0);
	/* Sanity on individual named bits. */
	assert_int_equal(run(&p, 7, 0, &gs, &ones).ebx & (1U << 2), 0);
	assert_int_equal(run(&p, 7, 0, &gs, &ones).ebx & (1U << 11), 0);
	assert_int_equal(run(&p, 7, 0, &gs, &ones).ebx & (1U << 25), 0);
	assert_int_equal(run(&p, 7, 0, &gs, &ones).ecx & (1U << 5), 0);
	assert_int_equal(run(&p, 7, 0, &gs, &ones).ecx & (1U << 30), 0);
	assert_int_equal(run(&p, 7, 0, &gs, &ones).edx & (1U << 26), 1U << 26);

	assert_regs(run(&p, 7, 1, &gs, &ones), 0x1c30, 0, 0, 0);
	assert_regs(run(&p, 7, 2, &gs, &ones), 0, 0, 0, 0);
	assert_regs(run(&p, 7, 0xffffffff, &gs, &ones), 0, 0, 0, 0);
}

static void test_topology(void **state)
{
	struct cpuid_policy p = pol(0x1f, 0x80000008, 4);
	struct cpuid_guest_state gs = { .apic_id = 2 };
	uint32_t leaves[] = { 0xb, 0x1f };

	(void)state;
	for (int i = 0; i < 2; i++) {
		uint32_t l = leaves[i];

		assert_regs(run(&p, l, 0, &gs, &ones), 0, 1, 0x100, 2);
		assert_regs(run(&p, l, 1, &gs, &ones), 2, 4, 0x201, 2);
		assert_regs(run(&p, l, 2, &gs, &ones), 0, 0, 2, 2);
		assert_regs(run(&p, l, 0x1234, &gs, &ones), 0, 0, 0x34, 2);
	}

	p = pol(0x1f, 0x80000008, 1);
	gs.apic_id = 0;
	assert_regs(run(&p, 0xb, 1, &gs, &ones), 0, 1, 0x201, 0);
	p = pol(0x1f, 0x80000008, 5);
	gs.apic_id = 4;
	assert_regs(run(&p, 0xb, 1, &gs, &ones), 3, 5, 0x201, 4);
	p = pol(0x1f, 0x80000008, 255);
	gs.apic_id = 0x1ab; /* full 32-bit x2APIC ID in EDX */
	assert_regs(run(&p, 0xb, 1, &gs, &ones), 8, 255, 0x201, 0x1ab);
	/* A host without leaf 0x1f: it reads as zeros. */
	p = pol(0x16, 0x80000008, 2);
	assert_regs(run(&p, 0x1f, 0, &gs, &ones), 0, 0, 0, 0);
	assert_regs(run(&p, 0xb, 0, &gs, &ones), 0, 1, 0x100, 0x1ab);
}

static void test_leaf_d(void **state)
{
	struct cpuid_policy p = pol(0x1f, 0x80000008, 4);
	struct cpuid_guest_state gs = { 0 };
	struct cpuid_result avx = { 0x100, 0x240, 0, 0 };
	struct cpuid_result pt = { 0x80, 0, 1, 0 };

	(void)state;
	assert_regs(run(&p, 0xd, 0, &gs, &ones), 0xfff9ffe7, ~0U, ~0U, 0);
	assert_regs(run(&p, 0xd, 1, &gs, &ones), 0xffffffe7, ~0U, 0, 0);
	assert_regs(run(&p, 0xd, 2, &gs, &avx), 0x100, 0x240, 0, 0);
	/* MPX and AMX state: Plinth has no pairing rules for them, so they are not offered. */
	assert_regs(run(&p, 0xd, 3, &gs, &avx), 0, 0, 0, 0);
	assert_regs(run(&p, 0xd, 4, &gs, &avx), 0, 0, 0, 0);
	assert_regs(run(&p, 0xd, 8, &gs, &pt), 0, 0, 0, 0);
	assert_regs(run(&p, 0xd, 17, &gs, &avx), 0, 0, 0, 0);
	assert_regs(run(&p, 0xd, 18, &gs, &avx), 0, 0, 0, 0);
	struct cpuid_result typical = { 0x2e7, 0x340, 0xa88, 0 };
	assert_regs(run(&p, 0xd, 0, &gs, &typical), 0x2e7, 0x340, 0xa88, 0);
}

/* The TSC rate from 0x15 as Linux 6.1 computes it: unsigned int crystal_khz * EBX / EAX. */
static uint32_t linux_tsc_khz(const struct cpuid_result *r)
{
	uint32_t crystal_khz = r->ecx / 1000;

	/* Plinth keeps the product inside 32 bits, or Linux would wrap it. */
	assert_true((uint64_t)crystal_khz * r->ebx <= UINT32_MAX);
	return crystal_khz * r->ebx / r->eax;
}

/* |a/b - hz/1e9| * b * 1e9, to compare candidate ratios. */
static unsigned __int128 err_of(uint64_t ebx, uint64_t eax, uint64_t hz)
{
	unsigned __int128 x = (unsigned __int128)ebx * LAPIC_BUS_HZ;
	unsigned __int128 y = (unsigned __int128)hz * eax;

	return x > y ? x - y : y - x;
}

static void test_tsc_leaves(void **state)
{
	static const uint64_t rates[] = { 4000000, 100000000, 100000100, 2500000000ULL,
					  2893453000ULL, 2893453117ULL, 3000000001ULL, 999999999,
					  4294967311ULL, 1, LAPIC_MAX_TSC_HZ };
	const uint32_t max_ebx = UINT32_MAX / (LAPIC_BUS_HZ / 1000);
	struct cpuid_guest_state gs = { 0 };
	struct cpuid_policy p;

	(void)state;
	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		uint64_t hz = rates[i];
		struct cpuid_result r;

		assert_int_equal(cpuid_policy_init(&p, 0x1f, 0x80000008, hz, 2), 0);
		r = run(&p, 0x15, 0, &gs, &ones);
		/* The crystal is the LAPIC timer's clock: Linux's lapic_timer_period follows. */
		assert_int_equal(r.ecx, LAPIC_BUS_HZ);
		assert_int_equal(r.edx, 0);
		assert_true(r.eax != 0 && r.ebx != 0 && r.ebx <= max_ebx);
		/* Reduced, and no fraction Linux can take is closer to the TSC rate. */
		for (uint32_t d = 2; d <= 10; d++)
			assert_false(r.eax % d == 0 && r.ebx % d == 0);
		for (uint64_t b = 1; b <= max_ebx; b++) {
			uint64_t a = (b * LAPIC_BUS_HZ + hz / 2) / hz;

			for (uint64_t c = a ? a - 1 : 0; c <= a + 1; c++) {
				if (!c || c > UINT32_MAX)
					continue;
				assert_false(err_of(b, c, hz) * r.eax <
					     err_of(r.ebx, r.eax, hz) * c);
			}
		}
		/* Whenever the reduced ratio fits, it is exact. */
		if (hz % 1000000 == 0 || hz == LAPIC_MAX_TSC_HZ)
			assert_int_equal((uint64_t)r.ebx * LAPIC_BUS_HZ, hz * r.eax);
		/* Linux's kHz is within 1 ppm (plus its own rounding) of the real rate. */
		assert_true(linux_tsc_khz(&r) + hz / 1000000000 + 1 >= hz / 1000 &&
			    linux_tsc_khz(&r) <= hz / 1000 + hz / 1000000000 + 1);

		r = run(&p, 0x16, 0, &gs, &ones);
		assert_regs(r, hz / 1000000, hz / 1000000, LAPIC_BUS_HZ / 1000000, 0);
	}
	/* Bochs at its default 4M instructions a second: 1/250 of the LAPIC clock. */
	assert_int_equal(cpuid_policy_init(&p, 0x1f, 0x80000008, 4000000, 1), 0);
	assert_regs(run(&p, 0x15, 0, &gs, &zero), 250, 1, 1000000000, 0);
	/* Bochs at 1e8 as Plinth calibrates it: 100 Hz high, 1/10 is the closest Linux can use. */
	assert_int_equal(cpuid_policy_init(&p, 0x1f, 0x80000008, 100000100, 1), 0);
	assert_regs(run(&p, 0x15, 0, &gs, &zero), 10, 1, 1000000000, 0);
	assert_int_equal(linux_tsc_khz(&(struct cpuid_result){ 10, 1, 1000000000, 0 }), 100000);
}

static void test_hypervisor_leaves(void **state)
{
	struct cpuid_policy p = pol(0x1f, 0x80000008, 4);
	struct cpuid_guest_state gs = { 0 };
	struct cpuid_result r = run(&p, 0x40000000, 0, &gs, &ones);
	char sig[12];

	(void)state;
	assert_regs(r, 0x40000010, 0x6e696c50, 0x6c506874, 0x68746e69);
	memcpy(sig, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	assert_memory_equal(sig, "PlinthPlinth", 12);

	/* TSC and LAPIC timer clock in kHz. */
	assert_regs(run(&p, 0x40000010, 0, &gs, &ones), 2500000, 1000000, 0, 0);
	assert_regs(run(&p, 0x40000001, 0, &gs, &ones), 0, 0, 0, 0);
	assert_regs(run(&p, 0x4000000f, 0, &gs, &ones), 0, 0, 0, 0);
	assert_regs(run(&p, 0x40000011, 0, &gs, &ones), 0, 0, 0, 0);
	assert_regs(run(&p, 0x40000100, 0, &gs, &ones), 0, 0, 0, 0);
	assert_regs(run(&p, 0x4fffffff, 0, &gs, &ones), 0, 0, 0, 0);
}

static void test_ext_leaves(void **state)
{
	struct cpuid_policy p = pol(0x1f, 0x80000021, 4);
	struct cpuid_guest_state gs = { 0 };
	struct cpuid_result host = { 0x80000021, 1, 2, 3 };

	(void)state;
	assert_regs(run(&p, 0x80000000, 0, &gs, &host), 0x80000008, 1, 2, 3);
	/* No RDTSCP until the backend allows it. */
	assert_regs(run(&p, 0x80000001, 0, &gs, &ones), ~0U, ~0U, 0xfffffffb,
		    ~(1U << 27));
	p.rdtscp = true;
	assert_regs(run(&p, 0x80000001, 0, &gs, &ones), ~0U, ~0U, 0xfffffffb,
		    ~0U);
	assert_int_equal(run(&p, 0x80000001, 0, &gs, &zero).edx, 0);
	for (uint32_t l = 0x80000002; l <= 0x80000008; l++)
		if (l != 0x80000007)
			assert_regs(run(&p, l, 0, &gs, &ones), ~0U, ~0U, ~0U, ~0U);
	/* Invariant TSC, exactly when the host's TSC is. */
	assert_regs(run(&p, 0x80000007, 0, &gs, &ones), 0, 0, 0, 1U << 8);
	assert_regs(run(&p, 0x80000007, 0, &gs, &zero), 0, 0, 0, 0);
	assert_regs(run(&p, 0x80000009, 0, &gs, &ones), 0, 0, 0, 0);
	assert_regs(run(&p, 0x80000021, 0, &gs, &ones), 0, 0, 0, 0);

	p = pol(0x1f, 0x80000004, 4);
	assert_int_equal(run(&p, 0x80000000, 0, &gs, &ones).eax, 0x80000004);
	assert_regs(run(&p, 0x80000004, 0, &gs, &ones), ~0U, ~0U, ~0U, ~0U);
	assert_regs(run(&p, 0x80000005, 0, &gs, &ones), 0, 0, 0, 0);
}

static void test_out_of_range(void **state)
{
	static const uint32_t leaves[] = { 0x20, 0x21, 0x1000, 0x20000000,
					   0x3fffffff, 0x50000000, 0x7fffffff,
					   0x8fffffff, 0xc0000000, 0xffffffff };
	struct cpuid_policy p = pol(0x1f, 0x80000008, 4);
	struct cpuid_guest_state gs = { .cr4_osxsave = true };

	(void)state;
	for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++)
		assert_regs(run(&p, leaves[i], 0, &gs, &ones), 0, 0, 0, 0);

	/*
	 * Host with max basic 0xd: the leaves it lacks read as zeros, but 0x15
	 * and 0x16 are Plinth's and stay; without a TSC rate they go too.
	 */
	p = pol(0xd, 0x80000008, 4);
	assert_int_equal(run(&p, 0, 0, &gs, &ones).eax, 0x16);
	assert_regs(run(&p, 0xd, 0, &gs, &ones), 0xfff9ffe7, ~0U, ~0U, 0);
	assert_regs(run(&p, 0xe, 0, &gs, &ones), 0, 0, 0, 0);
	assert_regs(run(&p, 0x14, 0, &gs, &ones), 0, 0, 0, 0);
	assert_regs(run(&p, 0x15, 0, &gs, &ones), 2, 5, 1000000000, 0);
	assert_regs(run(&p, 0x16, 0, &gs, &ones), 2500, 2500, 1000, 0);
	assert_regs(run(&p, 0x17, 0, &gs, &ones), 0, 0, 0, 0);
	assert_int_equal(cpuid_policy_init(&p, 0xd, 0x80000008, 0, 4), 0);
	assert_int_equal(run(&p, 0, 0, &gs, &ones).eax, 0xd);
	assert_regs(run(&p, 0x15, 0, &gs, &ones), 0, 0, 0, 0);
	assert_regs(run(&p, 0x16, 0, &gs, &ones), 0, 0, 0, 0);
}

static void test_bad_args(void **state)
{
	struct cpuid_policy p = pol(0x1f, 0x80000008, 4);
	struct cpuid_policy broken = p;
	struct cpuid_guest_state gs = { 0 };
	struct cpuid_result r = ones;

	(void)state;
	cpuid_policy_apply(&p, 1, 0, &gs, &ones, NULL); /* must not crash */
	assert_regs(run(NULL, 1, 0, &gs, &ones), 0, 0, 0, 0);
	assert_regs(run(&p, 1, 0, NULL, &ones), 0, 0, 0, 0);
	assert_regs(run(&p, 1, 0, &gs, NULL), 0, 0, 0, 0);
	broken.vcpu_count = 0;
	assert_regs(run(&broken, 4, 0, &gs, &ones), 0, 0, 0, 0);

	/* In-place filtering. */
	cpuid_policy_apply(&p, 0x80000001, 0, &gs, &r, &r);
	assert_regs(r, ~0U, ~0U, 0xfffffffb, ~(1U << 27));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_init_bad),
		cmocka_unit_test(test_leaf0),
		cmocka_unit_test(test_leaf1_all_ones),
		cmocka_unit_test(test_leaf1_zero_host),
		cmocka_unit_test(test_leaf1_single_vcpu),
		cmocka_unit_test(test_hidden_leaves),
		cmocka_unit_test(test_passthrough_leaves),
		cmocka_unit_test(test_leaf4),
		cmocka_unit_test(test_leaf7),
		cmocka_unit_test(test_topology),
		cmocka_unit_test(test_leaf_d),
		cmocka_unit_test(test_tsc_leaves),
		cmocka_unit_test(test_hypervisor_leaves),
		cmocka_unit_test(test_ext_leaves),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_bad_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
