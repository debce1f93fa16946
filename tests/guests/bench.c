/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Exit round-trip costs, measured with the TSC over N iterations each
 * (cmdline bench_iters=N, default 100000). Output: "BENCH name cycles".
 */
#include "guest.h"

#define DEFAULT_ITERS 100000
#define HC_UNKNOWN 0x7fff

static void report(const char *name, uint64_t t0, uint64_t t1, uint64_t iters)
{
	gprintf("BENCH %s %lu\n", name, (t1 - t0) / iters);
}

void guest_main(const struct boot_block *bb)
{
	const char *arg = cmdline_get("bench_iters");
	uint64_t iters = arg ? parse_u64(arg, 10, NULL) : DEFAULT_ITERS;
	uint64_t t0, t1;

	(void)bb;
	if (!iters)
		iters = DEFAULT_ITERS;
	gprintf("INFO bench: %lu iterations, tsc_khz %u\n", iters, tsc_khz());

	t0 = rdtsc();
	for (uint64_t i = 0; i < iters; i++) {
		uint32_t a = 0, b, c = 0, d;

		asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d) : : "memory");
	}
	t1 = rdtsc();
	report("cpuid", t0, t1, iters);

	t0 = rdtsc();
	for (uint64_t i = 0; i < iters; i++)
		asm volatile("outb %%al, %%dx" : : "a"(0x5a), "d"(GUEST_TESTDEV_PORT) : "memory");
	t1 = rdtsc();
	report("outb", t0, t1, iters);

	t0 = rdtsc();
	for (uint64_t i = 0; i < iters; i++) {
		uint8_t v;

		asm volatile("inb %%dx, %%al" : "=a"(v) : "d"(GUEST_TESTDEV_PORT) : "memory");
	}
	t1 = rdtsc();
	report("inb", t0, t1, iters);

	t0 = rdtsc();
	for (uint64_t i = 0; i < iters; i++)
		asm volatile("movl %%eax, (%%rbx)"
			     : : "a"(0x12345678), "b"(GUEST_TESTDEV_MMIO) : "memory");
	t1 = rdtsc();
	report("mmio-write", t0, t1, iters);

	t0 = rdtsc();
	for (uint64_t i = 0; i < iters; i++) {
		uint64_t r = HC_UNKNOWN;

		asm volatile("vmcall" : "+a"(r) : : "memory");
	}
	t1 = rdtsc();
	report("vmcall", t0, t1, iters);
}
