/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The lifecycle self-test (selftest = 1 and a partition with autostart =
 * no): on real VT-x, without the agent, a thread on CPU 0 takes the first
 * such partition through every step of vmm/include/vmm/lifecycle.h:
 *
 *   start; its guest's output; a second start and a delete refused while
 *   it runs; power-off; STOPPED; start again; reboot; power-off; delete;
 *   create again under the same name from the same spec (a second create
 *   refused with -EEXIST); start; the guest powers off by itself; delete.
 *
 * It checks the notifications for exactly that sequence (from its creation
 * at boot on), and the free
 * frames: equal after the first and second runs (a run returns all it took)
 * and after the first and second deletes (a partition returns all it
 * took). The first run also fills the scheduler's stack cache, which keeps
 * ended threads' stacks for the next ones, so that count is only logged.
 * The guest (tests/guests/lifecycle.c) prints LIFECYCLE_MARK when it is
 * up and powers off after a while on its own.
 */
#include <asm/cpu.h>
#include <plinth/config.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/mm.h>
#include <plinth/sched.h>
#include <plinth/service.h>
#include <plinth/spinlock.h>
#include <plinth/string.h>
#include <plinth/time.h>
#include <vmm/io.h>
#include <vmm/lifecycle.h>

#define LIFECYCLE_MARK "lifecycle guest: up"
#define STEP_TIMEOUT_MS 60000
#define POLL_MS 5
#define EVENTS_MAX 32

static struct {
	const struct partition_config *spec;
	struct boot_module kernel;
	bool running;
	char detail[160];
	/* What the notifier saw for the test's partition. */
	spinlock_t lock;
	enum partition_state events[EVENTS_MAX];
	unsigned int nevents;
	char last_stop[PARTITION_REASON_MAX];
} lt = { .lock = SPINLOCK_INIT };

static void notified(const char *name, enum partition_state state, const char *reason)
{
	if (!lt.spec || strcmp(name, lt.spec->name))
		return;
	spin_lock(&lt.lock);
	if (lt.nevents < EVENTS_MAX)
		lt.events[lt.nevents] = state;
	lt.nevents++;
	if (state == PARTITION_STOPPED)
		strlcpy(lt.last_stop, reason, sizeof(lt.last_stop));
	spin_unlock(&lt.lock);
}

static uint64_t free_frames(void)
{
	return frame_alloc_free_count(&phys_frames);
}

/* Where its console log ends now: the next run's output comes after. */
static uint64_t console_head(const char *name)
{
	struct partition *p = partition_find(name);
	uint64_t off = UINT64_MAX;
	char c;

	/* An offset past the head moves back to it, and nothing is read. */
	if (p)
		partition_console_read(p, &off, &c, 0, NULL);
	return p ? off : 0;
}

/*
 * Until the guest's console shows the mark @count times from @off on (a
 * reboot shows it again).
 */
static int wait_mark(const char *name, uint64_t off, unsigned int count)
{
	uint64_t deadline = time_ns() + STEP_TIMEOUT_MS * NSEC_PER_MSEC;
	size_t mark = strlen(LIFECYCLE_MARK), have = 0;
	unsigned int seen = 0;
	char buf[256];

	while (time_ns() < deadline) {
		struct partition *p = partition_find(name);
		size_t n;

		if (!p)
			return -ENOENT;
		/* A window that keeps the mark's length minus one from the last read. */
		n = partition_console_read(p, &off, buf + have, sizeof(buf) - 1 - have, NULL);
		if (!n) {
			sched_block(rdtsc() + tsc_hz() / 1000 * POLL_MS);
			continue;
		}
		have += n;
		buf[have] = '\0';
		for (char *at = buf; (at = strstr(at, LIFECYCLE_MARK)); at += mark)
			seen++;
		if (seen >= count)
			return 0;
		if (have >= mark) {
			memmove(buf, buf + have - (mark - 1), mark - 1);
			have = mark - 1;
		}
	}
	return -ETIMEDOUT;
}

#define CHECK(cond, ...)                                                          \
	do {                                                                      \
		if (!(cond)) {                                                    \
			snprintf(lt.detail, sizeof(lt.detail), __VA_ARGS__);      \
			return false;                                             \
		}                                                                 \
	} while (0)

static bool run_and_stop(const char *name, unsigned int run, bool reboot)
{
	uint64_t off = console_head(name);
	char err[160];
	enum partition_state st;
	int ret;

	err[0] = '\0';
	ret = partition_start(name, err, sizeof(err));
	CHECK(ret == 0, "run %u: start: %s (%d)", run, err, ret);
	CHECK(wait_mark(name, off, 1) == 0, "run %u: no guest output", run);
	CHECK(partition_state_of(name, &st) == 0 && st == PARTITION_RUNNING,
	      "run %u: state %s, want running", run, partition_state_name(st));
	ret = partition_start(name, err, sizeof(err));
	CHECK(ret == -EBUSY, "run %u: a start while running gave %d, want -EBUSY", run, ret);
	ret = partition_delete(name, err, sizeof(err));
	CHECK(ret == -EBUSY, "run %u: a delete while running gave %d, want -EBUSY", run, ret);
	if (reboot) {
		CHECK(partition_request_reboot(name) == 0, "run %u: reboot refused", run);
		CHECK(wait_mark(name, off, 2) == 0, "run %u: no guest output after the reboot", run);
	}
	CHECK(partition_power_off(name, "lifecycle self-test: power-off") == 0,
	      "run %u: power-off refused", run);
	CHECK(partition_wait_stopped(name, STEP_TIMEOUT_MS) == 0, "run %u: not stopped", run);
	CHECK(partition_state_of(name, &st) == 0 && st == PARTITION_STOPPED,
	      "run %u: state %s, want stopped", run, partition_state_name(st));
	CHECK(partition_power_off(name, "again") == -EALREADY,
	      "run %u: power-off of a stopped partition not -EALREADY", run);
	return true;
}

/* What the notifier saw, for a failure's report. */
static void log_events(void)
{
	char line[256];
	size_t len = 0;

	line[0] = '\0';
	for (unsigned int i = 0; i < lt.nevents && i < EVENTS_MAX && len < sizeof(line); i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, " %s",
					partition_state_name(lt.events[i]));
	pr_info("lifecycle: notifications:%s\n", line);
}

static const enum partition_state expected[] = {
	/* made at boot (this service's create hook runs before the partitions') */
	PARTITION_READY,
	/* run 1 */
	PARTITION_RUNNING, PARTITION_STOPPING, PARTITION_STOPPED,
	/* run 2, with a reboot */
	PARTITION_RUNNING, PARTITION_RUNNING, PARTITION_STOPPING, PARTITION_STOPPED,
	PARTITION_DELETED, PARTITION_READY,
	/* run 3, to its own end */
	PARTITION_RUNNING, PARTITION_STOPPING, PARTITION_STOPPED, PARTITION_DELETED,
};

static bool lifecycle_test(void)
{
	const char *name = lt.spec->name;
	struct partition_images img = { .kernel = &lt.kernel };
	uint64_t f0, f1, f2, f3, f4, f5, f6, off;
	char err[160];
	int ret;

	f0 = free_frames();
	if (!run_and_stop(name, 1, false))
		return false;
	f1 = free_frames();
	if (!run_and_stop(name, 2, true))
		return false;
	f2 = free_frames();
	CHECK(f2 == f1, "free frames %lu after run 1, %lu after run 2", f1, f2);
	err[0] = '\0';
	ret = partition_delete(name, err, sizeof(err));
	CHECK(ret == 0, "delete: %s (%d)", err, ret);
	CHECK(!partition_find(name), "still there after delete");
	f3 = free_frames();
	ret = partition_create(lt.spec, &img, err, sizeof(err));
	CHECK(ret == 0, "create again: %s (%d)", err, ret);
	ret = partition_create(lt.spec, &img, err, sizeof(err));
	CHECK(ret == -EEXIST, "a second create under the name gave %d, want -EEXIST", ret);
	f4 = free_frames();
	off = console_head(name);
	ret = partition_start(name, err, sizeof(err));
	CHECK(ret == 0, "run 3: start: %s (%d)", err, ret);
	CHECK(wait_mark(name, off, 1) == 0, "run 3: no guest output");
	CHECK(partition_wait_stopped(name, STEP_TIMEOUT_MS) == 0, "run 3: did not finish");
	f5 = free_frames();
	CHECK(!strcmp(lt.last_stop, "powered off by the guest (status 0)"),
	      "run 3 ended '%s', want the guest's own power-off", lt.last_stop);
	ret = partition_delete(name, err, sizeof(err));
	CHECK(ret == 0, "last delete: %s (%d)", err, ret);
	f6 = free_frames();
	pr_info("lifecycle: free frames %lu at the start, %lu after run 1, %lu after run 2, "
		"%lu after delete, %lu after create, %lu after run 3, %lu after the last delete\n",
		f0, f1, f2, f3, f4, f5, f6);
	CHECK(f6 == f3, "free frames %lu after the first delete, %lu after the second", f3, f6);
	spin_lock(&lt.lock);
	ret = lt.nevents == ARRAY_SIZE(expected) &&
	      !memcmp(lt.events, expected, sizeof(expected));
	spin_unlock(&lt.lock);
	if (!ret)
		log_events();
	CHECK(ret, "%u notifications, not the %u expected", lt.nevents,
	      (unsigned int)ARRAY_SIZE(expected));
	snprintf(lt.detail, sizeof(lt.detail), "3 runs, a reboot, 2 deletes; %lu free frames "
		 "after each delete, %lu after each of the first two runs", f3, f1);
	return true;
}

static void lifecycle_thread(void *arg)
{
	bool ok;

	(void)arg;
	ok = lifecycle_test();
	pr_info("SELFTEST lifecycle: %s - %s\n", ok ? "PASS" : "FAIL", lt.detail);
	__atomic_store_n(&lt.running, false, __ATOMIC_RELEASE);
}

static const struct boot_module *module(const struct boot_info *bi, const char *name)
{
	for (uint32_t i = 0; i < bi->module_count; i++)
		if (!strcmp(bi->modules[i].name, name))
			return &bi->modules[i];
	return NULL;
}

/* Before the partitions' create hook: it sees every notification of the test. */
static int lifecycle_test_create(const struct plinth_config *cfg, const struct boot_info *bi)
{
	const struct boot_module *k;

	if (!cfg->selftest)
		return 0;
	for (unsigned int i = 0; i < cfg->partition_count && !lt.spec; i++) {
		const struct partition_config *pc = &cfg->partitions[i];

		if (pc->autostart)
			continue;
		k = module(bi, pc->kernel);
		if (!k || pc->initrd[0] || pc->disk[0]) {
			pr_warn("SELFTEST lifecycle: partition '%s' is not a test guest: skipped\n",
				pc->name);
			return 0;
		}
		lt.spec = pc;
		lt.kernel = *k;
	}
	if (lt.spec && partition_notifier_register(notified) < 0)
		lt.spec = NULL;
	return 0;
}

static void lifecycle_test_start(void)
{
	const struct thread_spec spec = {
		.name = "lifecycle-test", .fn = lifecycle_thread, .cpu = SCHED_SERVICE_CPU,
	};
	struct thread *t;

	if (!lt.spec)
		return;
	if (!partition_find(lt.spec->name)) {
		pr_info("SELFTEST lifecycle: FAIL - partition '%s' was not created at boot\n",
			lt.spec->name);
		return;
	}
	t = thread_create(&spec);
	__atomic_store_n(&lt.running, true, __ATOMIC_RELEASE);
	if (!t || thread_start(t) < 0) {
		pr_info("SELFTEST lifecycle: FAIL - no thread for the test\n");
		__atomic_store_n(&lt.running, false, __ATOMIC_RELEASE);
	}
}

/* A test run waits for it. */
static unsigned int lifecycle_test_active(void)
{
	return __atomic_load_n(&lt.running, __ATOMIC_ACQUIRE);
}

PLINTH_SERVICE(lifecycle_test) = {
	.name = "lifecycle-test",
	.create = lifecycle_test_create,
	.start = lifecycle_test_start,
	.active = lifecycle_test_active,
};
