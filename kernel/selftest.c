/* SPDX-License-Identifier: GPL-2.0 */
/*
 * In-kernel self-tests (selftest=1): what can only be checked on the real
 * (or emulated) machine: every CPU hammering the allocators together,
 * cross-CPU calls, the timers against the TSC, the fault paths, and the
 * image store over the real frame allocator and mbedTLS's SHA-256.
 */
#include <asm/cpu.h>
#include <asm/lapic.h>
#include <asm/percpu.h>
#include <asm/timer.h>
#include <asm/trap.h>
#include <plinth/errno.h>
#include <plinth/heap.h>
#include <plinth/image_store.h>
#include <plinth/log.h>
#include <plinth/mm.h>
#include <plinth/selftest.h>
#include <plinth/sha256.h>
#include <plinth/smp.h>
#include <plinth/string.h>
#include <plinth/time.h>
#include <plinth/tls.h>

#define STRESS_ROUNDS 8
#define STRESS_PAGES 64
#define STRESS_HEAP_OBJS 128
#define XCALL_ROUNDS 1000
#define TIMER_TEST_MS 20
#define TIMER_TOLERANCE_PCT 10
#define TIMER_LATE_FACTOR 10 /* a busy emulator host may deliver late, never this late */
#define IMAGE_TEST_BYTES (5 * 1024 + 123) /* a few KiB ending mid-page */
#define IMAGE_TEST_CHUNK 1460 /* as a TCP segment would bring them */

static unsigned int failures;

static void report(const char *name, bool pass, const char *detail)
{
	pr_info("SELFTEST %s: %s%s%s\n", name, pass ? "PASS" : "FAIL", detail[0] ? " - " : "",
		detail);
	if (!pass)
		failures++;
}

/* ---- allocator stress on every CPU at once ---- */

struct stress_state {
	uint32_t errors;
	uint32_t arrived;
	uint32_t participants;
	uint64_t operations;
};

static uint64_t signature(unsigned int cpu, unsigned int i)
{
	return 0x5eed000000000000ULL | ((uint64_t)cpu << 32) | i;
}

/* All CPUs hold their allocations at the same time, so a frame or object handed out twice shows up as a clobbered signature. */
static void rendezvous(struct stress_state *st, uint32_t round_target)
{
	uint64_t deadline = time_ns() + 30 * NSEC_PER_SEC; /* a hang guard, not a speed check */

	__atomic_fetch_add(&st->arrived, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&st->arrived, __ATOMIC_ACQUIRE) < round_target) {
		if (time_ns() > deadline) {
			__atomic_fetch_add(&st->errors, 1, __ATOMIC_RELAXED);
			return;
		}
		cpu_relax();
	}
}

static void alloc_stress_cpu(void *arg)
{
	struct stress_state *st = arg;
	unsigned int cpu = this_cpu_index();
	paddr_t pages[STRESS_PAGES];
	uint64_t *objs[STRESS_HEAP_OBJS];
	uint32_t errors = 0;
	uint64_t ops = 0;

	for (unsigned int round = 0; round < STRESS_ROUNDS; round++) {
		for (unsigned int i = 0; i < STRESS_PAGES; i++) {
			/* Every 16th request is a 2 MiB-aligned run, as EPT will need. */
			size_t n = (i % 16 == 15) ? 512 : 1;
			uint64_t align = n == 512 ? SIZE_2M : PAGE_SIZE;

			if (frame_alloc_pages(&phys_frames, n, align, 0, &pages[i]) < 0) {
				pages[i] = 0;
				errors++;
				continue;
			}
			if (pages[i] & (align - 1))
				errors++;
			*(uint64_t *)phys_to_virt(pages[i]) = signature(cpu, i);
			ops++;
		}
		for (unsigned int i = 0; i < STRESS_HEAP_OBJS; i++) {
			objs[i] = kmalloc(16 + (i * 37) % 3000);
			if (objs[i])
				*objs[i] = signature(cpu, i);
			else
				errors++;
			ops++;
		}
		rendezvous(st, st->participants * (round + 1));
		for (unsigned int i = 0; i < STRESS_PAGES; i++) {
			if (!pages[i])
				continue;
			if (*(uint64_t *)phys_to_virt(pages[i]) != signature(cpu, i))
				errors++;
			frame_free_pages(&phys_frames, pages[i], (i % 16 == 15) ? 512 : 1);
		}
		for (unsigned int i = 0; i < STRESS_HEAP_OBJS; i++) {
			if (objs[i] && *objs[i] != signature(cpu, i))
				errors++;
			kfree(objs[i]);
		}
	}
	__atomic_fetch_add(&st->errors, errors, __ATOMIC_RELAXED);
	__atomic_fetch_add(&st->operations, ops, __ATOMIC_RELAXED);
}

/* Frames neither free nor held by the heap's slab caches. */
static uint64_t frames_in_use(void)
{
	struct heap_stats hs;

	kheap_stats(&hs);
	return phys_frames.total_usable - frame_alloc_free_count(&phys_frames) - hs.pages_held;
}

static void test_alloc_stress(void)
{
	static struct stress_state st;
	uint64_t used_before = frames_in_use();
	unsigned int ran;
	char detail[128];

	memset(&st, 0, sizeof(st));
	st.participants = cpus_online;
	ran = smp_call_all(alloc_stress_cpu, &st);
	bool leak = frames_in_use() != used_before;

	snprintf(detail, sizeof(detail), "%u CPUs, %lu allocations, %u errors%s", ran,
		 st.operations, st.errors, leak ? ", frames leaked" : "");
	report("alloc-stress", ran == st.participants && st.errors == 0 && !leak, detail);
}

/* ---- cross-CPU calls ---- */

static void xcall_increment(void *arg)
{
	__atomic_fetch_add((uint64_t *)arg, 1, __ATOMIC_RELAXED);
}

static void test_xcall(void)
{
	uint64_t counter = 0, expected = 0, t0, cycles = 0;
	char detail[128];
	int errors = 0;

	for (unsigned int cpu = 1; cpu < MAX_CPUS; cpu++) {
		if (!cpu_table[cpu] || !cpu_table[cpu]->online)
			continue;
		t0 = rdtsc();
		for (int i = 0; i < XCALL_ROUNDS; i++)
			if (smp_call(cpu, xcall_increment, &counter) < 0)
				errors++;
		cycles += rdtsc() - t0;
		expected += XCALL_ROUNDS;
	}
	snprintf(detail, sizeof(detail), "%lu round trips, %lu ns each", expected,
		 expected ? tsc_to_ns(cycles / expected) : 0);
	report("xcall", errors == 0 && counter == expected && expected > 0, detail);
}

/* ---- LAPIC timer and PM timer against the TSC ---- */

static volatile bool timer_fired;

static void timer_irq(struct trap_frame *tf)
{
	(void)tf;
	timer_fired = true;
	lapic_eoi();
}

static bool within(uint64_t measured, uint64_t expected)
{
	uint64_t tol = expected * TIMER_TOLERANCE_PCT / 100;

	return measured + tol >= expected && measured <= expected + tol;
}

/*
 * Rates are compared over the same window, from samples taken at known
 * instants, so an emulator host that is busy cannot fail the test; the
 * one-shot interrupt is only required to come no earlier than programmed
 * and not absurdly late, since its delivery is what a busy host delays.
 */
static void test_timer(void)
{
	uint64_t window = tsc_hz() * TIMER_TEST_MS / 1000;
	uint64_t ticks = boot_timer.lapic_hz * TIMER_TEST_MS / 1000;
	uint64_t ref0 = 0, ref1 = 0, ref_tsc0 = 0, ref_tsc1 = 0, lapic_tsc0 = 0, lapic_tsc1 = 0;
	uint64_t ref_hz = reference_clock_hz(), lapic_rate, ref_rate = 0, t0, elapsed, deadline;
	uint32_t c0 = 0, c1 = 0;
	char detail[192];
	bool rate_ok, ref_ok, irq_ok;

	/* 1. The LAPIC timer counts at the calibrated rate, measured by the TSC. */
	lapic_timer_start(0xffffffffu, VEC_LAPIC_TIMER, true);
	reference_sample(&ref0, &ref_tsc0);
	lapic_sample(&c0, &lapic_tsc0);
	while (rdtsc() - lapic_tsc0 < window)
		cpu_relax();
	lapic_sample(&c1, &lapic_tsc1);
	reference_sample(&ref1, &ref_tsc1);
	lapic_timer_stop();
	lapic_rate = (uint64_t)(c0 - c1) * tsc_hz() / (lapic_tsc1 - lapic_tsc0);
	rate_ok = within(lapic_rate, boot_timer.lapic_hz);
	/* 2. The ACPI PM timer agrees with the TSC over the same window. */
	if (ref_hz)
		ref_rate = (ref1 - ref0) * tsc_hz() / (ref_tsc1 - ref_tsc0);
	ref_ok = !ref_hz || within(ref_rate, ref_hz);

	/* 3. A one-shot interrupt wakes a halted CPU, not before its time. */
	irq_register(VEC_LAPIC_TIMER, timer_irq);
	timer_fired = false;
	t0 = rdtsc();
	lapic_timer_start((uint32_t)MIN(ticks, 0xffffffffULL), VEC_LAPIC_TIMER, false);
	deadline = t0 + window * TIMER_LATE_FACTOR;
	while (!timer_fired && rdtsc() < deadline)
		cpu_idle_wait();
	elapsed = rdtsc() - t0;
	lapic_timer_stop();
	irq_ok = timer_fired && elapsed + window * TIMER_TOLERANCE_PCT / 100 >= window;

	snprintf(detail, sizeof(detail),
		 "LAPIC %lu kHz (calibrated %lu), PM timer %lu Hz, %u ms one-shot fired after %lu us "
		 "(TSC %lu MHz)", lapic_rate / 1000, boot_timer.lapic_hz / 1000, ref_rate,
		 TIMER_TEST_MS, tsc_to_ns(elapsed) / 1000, tsc_hz() / 1000000);
	report("timer", rate_ok && ref_ok && irq_ok,
	       timer_fired ? detail : "LAPIC timer interrupt never arrived");
}

/* ---- exception reporting and stack guard pages ---- */

/* Returns true when the access faulted; the fault handler resumes at label 1. */
static __attribute__((noinline)) bool probe_read(uint64_t addr)
{
	int faulted;

	/* A frame of its own, so the backtrace shows who probed. */
	__asm__ volatile("" : : "r"(__builtin_frame_address(0)));
	__asm__ volatile("lea 1f(%%rip), %%rax\n\t"
			 "mov %%rax, %%gs:%c[off]\n\t"
			 "mov (%[addr]), %%rax\n\t"
			 "xor %[f], %[f]\n\t"
			 "jmp 2f\n"
			 "1: mov $1, %[f]\n"
			 "2: movq $0, %%gs:%c[off]\n\t"
			 : [f] "=&r"(faulted)
			 : [addr] "r"(addr), [off] "i"(offsetof(struct percpu, fault_fixup_rip))
			 : "rax", "memory");
	return faulted;
}

static __attribute__((noinline)) bool probe_ud2(void)
{
	int faulted;

	__asm__ volatile("" : : "r"(__builtin_frame_address(0)));
	__asm__ volatile("lea 1f(%%rip), %%rax\n\t"
			 "mov %%rax, %%gs:%c[off]\n\t"
			 "ud2\n\t"
			 "xor %[f], %[f]\n\t"
			 "jmp 2f\n"
			 "1: mov $1, %[f]\n"
			 "2: movq $0, %%gs:%c[off]\n\t"
			 : [f] "=&r"(faulted)
			 : [off] "i"(offsetof(struct percpu, fault_fixup_rip))
			 : "rax", "memory");
	return faulted;
}

static __attribute__((noinline)) void test_exceptions(void)
{
	struct percpu *pc = this_cpu();
	/* The page just below this CPU's stack is its guard page. */
	uint64_t guard = pc->stack_top - KERNEL_STACK_SIZE - 8;
	char detail[128];
	bool ok;

	ok = probe_ud2() && pc->fault_seen_vector == 6;
	report("exception-report", ok, ok ? "#UD reported with registers and backtrace" : "");

	ok = probe_read(guard) && pc->fault_seen_vector == VEC_PAGE_FAULT &&
	     pc->fault_seen_cr2 == guard;
	snprintf(detail, sizeof(detail), "read at %lx %s", guard,
		 ok ? "faulted as it must" : "did not fault");
	report("stack-guard", ok, detail);
}

/* ---- a fatal exception parks only its CPU, which INIT-SIPI brings back ---- */

static __attribute__((noinline)) void fault_on_purpose(void *arg)
{
	(void)arg;
	__asm__ volatile("ud2");
}

static bool wait_offline(struct percpu *pc)
{
	uint64_t deadline = time_ns() + NSEC_PER_SEC;

	while (__atomic_load_n(&pc->online, __ATOMIC_ACQUIRE)) {
		if (time_ns() > deadline)
			return false;
		cpu_relax();
	}
	return true;
}

static void test_fatal_park(void)
{
	unsigned int victim = 0, online_before = cpus_online;
	uint64_t counter = 0;
	char detail[128];
	bool parked, restarted, answers;

	for (unsigned int cpu = 1; cpu < MAX_CPUS; cpu++)
		if (cpu_table[cpu] && cpu_table[cpu]->online)
			victim = cpu;
	if (!victim) {
		report("fatal-park", true, "skipped: no second CPU");
		return;
	}
	smp_call_async(victim, fault_on_purpose, NULL);
	parked = wait_offline(cpu_table[victim]) && cpus_online == online_before - 1;
	restarted = parked && smp_restart_cpu(victim) == 0;
	answers = restarted && smp_call(victim, xcall_increment, &counter) == 0 && counter == 1;
	snprintf(detail, sizeof(detail), "cpu%u %s, %s, %s", victim,
		 parked ? "parked after its #UD" : "did not park",
		 restarted ? "restarted by INIT-SIPI" : "not restarted",
		 answers ? "answers calls again" : "does not answer");
	report("fatal-park", parked && restarted && answers && cpus_online == online_before, detail);
}

/* ---- mbedTLS: known answers and an in-memory mutual TLS handshake (kernel/tls/) ---- */

static void test_tls(void)
{
	char detail[256];
	bool ok = tls_selftest(detail, sizeof(detail));

	report("tls", ok, detail);
}

/* ---- the image store: uploads through the kernel's own store (kernel/image/) ---- */

static int image_test_upload(const char *hex, const uint8_t *data, size_t len, char *err,
			     size_t errlen)
{
	struct image_upload up;
	int ret = image_upload_begin(&kernel_images, hex, len, &up, err, errlen);

	for (size_t off = 0; ret == 0 && off < len; off += IMAGE_TEST_CHUNK)
		ret = image_upload_write(&up, data + off, MIN(IMAGE_TEST_CHUNK, len - off));
	if (ret == 0)
		return image_upload_commit(&up, err, errlen);
	image_upload_abort(&up);
	return ret;
}

static void test_images(void)
{
	static uint8_t data[IMAGE_TEST_BYTES];
	char hex[SHA256_HEX_LEN + 1], wrong[SHA256_HEX_LEN + 1];
	char err[IMAGE_REASON_MAX] = "", refusal[IMAGE_REASON_MAX] = "", detail[256];
	uint64_t used_before = frames_in_use();
	struct image_store_stats before, after;
	uint8_t digest[SHA256_DIGEST_SIZE];
	const char *failed = NULL;
	struct image *img = NULL;

	image_store_get_stats(&kernel_images, &before);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 131 + i / 256);
	sha256(data, sizeof(data), digest);
	sha256_to_hex(digest, hex);
	memcpy(wrong, hex, sizeof(wrong));
	wrong[0] = wrong[0] == '0' ? '1' : '0';

	if (image_test_upload(hex, data, sizeof(data), err, sizeof(err)) < 0)
		failed = "upload";
	if (!failed) {
		img = image_get(&kernel_images, hex);
		if (!img || img->module.size != sizeof(data) || strcmp(img->module.name, hex) ||
		    memcmp(phys_to_virt(img->module.phys), data, sizeof(data)))
			failed = "the published image is not what was uploaded";
	}
	if (!failed && image_test_upload(hex, data, sizeof(data), err, sizeof(err)) != -EEXIST)
		failed = "a second upload was not told the image is present";
	if (!failed && image_delete(&kernel_images, hex) != -EBUSY)
		failed = "a referenced image was deleted";
	image_put(img);
	if (!failed && image_delete(&kernel_images, hex) < 0)
		failed = "delete";
	if (!failed && image_test_upload(wrong, data, sizeof(data), refusal, sizeof(refusal)) !=
			       -EBADMSG)
		failed = "bytes that do not match their hash were accepted";
	if (!failed && image_get(&kernel_images, wrong))
		failed = "a refused image can be got";

	image_store_get_stats(&kernel_images, &after);
	if (!failed && (after.images != before.images || after.bytes_held != before.bytes_held ||
			after.bytes_reserved != before.bytes_reserved ||
			after.uploads_done != before.uploads_done + 1 ||
			after.uploads_deduped != before.uploads_deduped + 1 ||
			after.uploads_refused != before.uploads_refused + 1))
		failed = "the store's counters are off";
	if (!failed && frames_in_use() != used_before)
		failed = "frames leaked";
	if (failed)
		snprintf(detail, sizeof(detail), "%s (last reason: %s)", failed, err);
	else
		snprintf(detail, sizeof(detail),
			 "%u bytes in %u writes verified and published, present on re-upload, kept "
			 "while referenced, then deleted; wrong hash refused (%s); frames returned",
			 IMAGE_TEST_BYTES,
			 (IMAGE_TEST_BYTES + IMAGE_TEST_CHUNK - 1) / IMAGE_TEST_CHUNK, refusal);
	report("images", !failed, detail);
}

unsigned int selftest_run_all(void)
{
	failures = 0;
	pr_info("selftest: running on %u CPUs\n", cpus_online);
	test_alloc_stress();
	test_xcall();
	test_timer();
	test_exceptions();
	test_fatal_park();
	test_tls();
	test_images();
	pr_info("selftest: %u failed\n", failures);
	return failures;
}
