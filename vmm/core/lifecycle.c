/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Partitions at run time (vmm/include/vmm/lifecycle.h): the slot table,
 * create, start, power-off, reboot, delete and the state notifiers. The
 * boot-time partitions come through here too (vmm/core/partition.c).
 *
 * Every operation runs on CPU 0, where switching is cooperative: the table
 * changes only there, so CPU 0's readers (the console router, the test
 * exit's count, the agent) never see a partition freed under them. The
 * vCPUs elsewhere only move a running partition on to STOPPING and
 * STOPPED, under its lock; what an operation decides from the state it
 * reads under that lock holds, since nothing but an operation leaves
 * READY or STOPPED.
 */
#include <asm/cpu.h>
#include <asm/cpufeatures.h>
#include <asm/lapic.h>
#include <asm/percpu.h>
#include <asm/trap.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/mm.h>
#include <plinth/sched.h>
#include <plinth/smp.h>
#include <plinth/string.h>
#include <plinth/time.h>
#include <vmm/io.h>
#include <vmm/irq.h>
#include <vmm/lifecycle.h>
#include <vmm/partition.h>
#include <vmm/virtio_wiring.h>
#include "partition_internal.h"

/* How long a start or delete waits for a stopped partition's last vCPU thread to be gone. */
#define REAP_TIMEOUT_NS (1000 * NSEC_PER_MSEC)
#define WAIT_POLL_MS 5

static struct partition *slots[CONFIG_MAX_PARTITIONS];
static uint64_t next_id = 1;
/* Per CPU, how many vCPUs are placed there: the least loaded CPUs take unpinned ones. */
static unsigned int cpu_vcpus[MAX_CPUS];
static partition_notifier_fn notifiers[PARTITION_NOTIFIERS_MAX];
/* An operation is under way: only a thread that gave CPU 0 up inside one could see it. */
static bool busy;

enum virt_state { VIRT_UNKNOWN, VIRT_OK, VIRT_NONE };
static enum virt_state virt_state;

static const char *const state_names[] = {
	[PARTITION_READY] = "ready",
	[PARTITION_RUNNING] = "running",
	[PARTITION_STOPPING] = "stopping",
	[PARTITION_STOPPED] = "stopped",
	[PARTITION_DELETED] = "deleted",
};

const char *partition_state_name(enum partition_state state)
{
	return (unsigned int)state < ARRAY_SIZE(state_names) ? state_names[state] : "?";
}

int partition_notifier_register(partition_notifier_fn fn)
{
	for (unsigned int i = 0; i < PARTITION_NOTIFIERS_MAX; i++) {
		partition_notifier_fn none = NULL;

		if (__atomic_compare_exchange_n(&notifiers[i], &none, fn, false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			return 0;
	}
	return -ENOSPC;
}

void partition_notifiers_call(const char *name, enum partition_state state, const char *reason)
{
	for (unsigned int i = 0; i < PARTITION_NOTIFIERS_MAX; i++) {
		partition_notifier_fn fn = __atomic_load_n(&notifiers[i], __ATOMIC_ACQUIRE);

		if (fn)
			fn(name, state, reason);
	}
}

void partition_notify(struct partition *p, enum partition_state state, const char *reason)
{
	partition_notifiers_call(p->name, state, reason);
}

struct partition *partition_get(unsigned int i)
{
	return i < CONFIG_MAX_PARTITIONS ? slots[i] : NULL;
}

struct partition *partition_find(const char *name)
{
	for (unsigned int i = 0; name && i < CONFIG_MAX_PARTITIONS; i++)
		if (slots[i] && !strcmp(slots[i]->name, name))
			return slots[i];
	return NULL;
}

static enum partition_state state_of(struct partition *p)
{
	enum partition_state st;

	spin_lock(&p->lock);
	st = p->state;
	spin_unlock(&p->lock);
	return st;
}

int partition_state_of(const char *name, enum partition_state *state)
{
	struct partition *p = partition_find(name);

	if (!p)
		return -ENOENT;
	*state = state_of(p);
	return 0;
}

static void set_err(char *err, size_t errlen, const char *fmt, ...) __printf(3, 4);

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Every operation: on CPU 0, one at a time. */
static int enter(char *err, size_t errlen)
{
	if (this_cpu_index() != SCHED_SERVICE_CPU) {
		set_err(err, errlen, "partition operations run on CPU %u only", SCHED_SERVICE_CPU);
		return -EPERM;
	}
	if (busy) {
		set_err(err, errlen, "another partition operation is under way");
		return -EBUSY;
	}
	busy = true;
	return 0;
}

static void leave(void)
{
	busy = false;
}

static void ack_irq(struct trap_frame *tf)
{
	(void)tf;
	lapic_eoi();
}

static void enable_virt(void *arg)
{
	(void)arg;
	virt->cpu_enable();
}

/* The backend's MSR bitmap follows the policy's pass-through list. */
static int passthrough_msrs(void)
{
	uint32_t msrs[64];
	unsigned int n = msr_policy_passthrough(msrs, ARRAY_SIZE(msrs));

	if (n > ARRAY_SIZE(msrs))
		return -E2BIG;
	return virt->set_passthrough_msrs(msrs, n);
}

/* Once, at the first partition: a machine without partitions never turns VMX on. */
bool partition_virt_usable(void)
{
	if (virt_state != VIRT_UNKNOWN)
		return virt_state == VIRT_OK;
	irq_register(VEC_KICK, ack_irq);
	irq_register(VEC_HOST_TIMER, ack_irq);
	virt_state = virt_select() == 0 && virt->check_support() == 0 && passthrough_msrs() == 0
			     ? VIRT_OK : VIRT_NONE;
	if (virt_state == VIRT_OK)
		smp_call_all(enable_virt, NULL);
	return virt_state == VIRT_OK;
}

/* Picks the vCPUs' CPUs: the configured ones, or the least loaded others. */
static int assign_cpus(struct partition *p, char *err, size_t errlen)
{
	uint64_t mask = p->cfg->cpu_mask;
	unsigned int n = 0, *cpus = p->cpus;

	if (p->vcpu_count > cpus_online - 1) {
		set_err(err, errlen, "%u vCPUs but only %u CPU(s) available to partitions",
			p->vcpu_count, cpus_online - 1);
		return -ENOSPC;
	}
	if (mask) {
		for (unsigned int cpu = 0; cpu < 64 && n < p->vcpu_count; cpu++) {
			if (!(mask & (1ULL << cpu)))
				continue;
			if (cpu == 0 || cpu >= MAX_CPUS || !cpu_table[cpu] || !cpu_table[cpu]->online) {
				set_err(err, errlen, "CPU %u is %s", cpu,
					cpu == 0 ? "reserved for Plinth" : "not online");
				return -EINVAL;
			}
			cpus[n++] = cpu;
		}
		return 0;
	}
	for (; n < p->vcpu_count; n++) {
		unsigned int best = 0;

		for (unsigned int cpu = 1; cpu < MAX_CPUS; cpu++) {
			bool taken = false;

			if (!cpu_table[cpu] || !cpu_table[cpu]->online)
				continue;
			for (unsigned int k = 0; k < n; k++)
				taken |= cpus[k] == cpu;
			if (!taken && (!best || cpu_vcpus[cpu] < cpu_vcpus[best]))
				best = cpu;
		}
		cpus[n] = best;
	}
	return 0;
}

/*
 * A disk image is one store in Plinth's memory: two partitions writing it
 * would corrupt each other's file systems, so it may be shared only by
 * partitions that all have it read-only.
 */
static int disk_shared(struct partition *p, char *err, size_t errlen)
{
	for (unsigned int i = 0; p->disk && i < CONFIG_MAX_PARTITIONS; i++) {
		const struct partition *o = slots[i];

		if (!o || !o->disk || o->disk->phys != p->disk->phys ||
		    (o->cfg->disk_readonly && p->cfg->disk_readonly))
			continue;
		set_err(err, errlen, "disk %s is also partition '%s''s, and %s writes it: only "
			"read-only disks may be shared", p->cfg->disk, o->name,
			o->cfg->disk_readonly ? "this one" : "that one");
		return -EINVAL;
	}
	return 0;
}

static bool valid_name(const char *s)
{
	size_t n = strnlen(s, CONFIG_NAME_MAX);

	if (!n || n == CONFIG_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* What the parser guarantees for plinth.cfg, checked again for a spec from elsewhere. */
static int check_spec(const struct partition_config *spec, const struct partition_images *img,
		      char *err, size_t errlen)
{
	if (!valid_name(spec->name)) {
		set_err(err, errlen, "bad partition name (1-%d of A-Z a-z 0-9 _ -)",
			CONFIG_NAME_MAX - 1);
		return -EINVAL;
	}
	if (!spec->vcpus || spec->vcpus > PARTITION_MAX_VCPUS) {
		set_err(err, errlen, "%u vCPUs (1-%u)", spec->vcpus, PARTITION_MAX_VCPUS);
		return -EINVAL;
	}
	if (!spec->memory || spec->memory % (1 << 20)) {
		set_err(err, errlen, "memory must be a positive number of MiB");
		return -EINVAL;
	}
	if (!img || !img->kernel || !img->kernel->size) {
		set_err(err, errlen, "no kernel image");
		return -EINVAL;
	}
	if ((spec->initrd[0] && !img->initrd) || (spec->disk[0] && !img->disk) ||
	    (spec->disk_readonly && !img->disk)) {
		set_err(err, errlen, "%s names an image it was not given",
			spec->disk_readonly && !img->disk ? "readonly" :
			spec->initrd[0] && !img->initrd ? "initrd" : "disk");
		return -EINVAL;
	}
	return 0;
}

static int free_slot(void)
{
	for (unsigned int i = 0; i < CONFIG_MAX_PARTITIONS; i++)
		if (!slots[i])
			return (int)i;
	return -ENOSPC;
}

/* What creation took; no vCPU exists and no memory is held. */
static void destroy(struct partition *p)
{
	vmm_virtio_destroy(p);
	kfree(p);
}

static int create_locked(const struct partition_config *spec, const struct partition_images *img,
			 char *err, size_t errlen)
{
	struct partition *p;
	int slot, ret;

	ret = check_spec(spec, img, err, errlen);
	if (ret < 0)
		return ret;
	if (partition_find(spec->name)) {
		set_err(err, errlen, "a partition named '%s' exists", spec->name);
		return -EEXIST;
	}
	slot = free_slot();
	if (slot < 0) {
		set_err(err, errlen, "all %u partition slots are taken", CONFIG_MAX_PARTITIONS);
		return -ENOSPC;
	}
	p = kzalloc(sizeof(*p));
	if (!p) {
		set_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	p->spec = *spec;
	p->cfg = &p->spec;
	strlcpy(p->name, spec->name, sizeof(p->name));
	p->image_mod = *img->kernel;
	p->image = &p->image_mod;
	if (img->initrd) {
		p->initrd_mod = *img->initrd;
		p->initrd = &p->initrd_mod;
	}
	if (img->disk) {
		p->disk_mod = *img->disk;
		p->disk = &p->disk_mod;
	}
	p->vcpu_count = spec->vcpus;
	p->mem_size = spec->memory;
	p->time_limit_ns = spec->time_limit_ms * NSEC_PER_MSEC;
	p->state = PARTITION_READY;
	spin_lock_init(&p->lock);
	ret = vmm_devices_init(p);
	if (ret < 0) {
		set_err(err, errlen, "cannot set up its devices");
		ret = -EINVAL;
		goto fail;
	}
	ret = disk_shared(p, err, errlen);
	if (ret < 0)
		goto fail;
	ret = vmm_virtio_create(p, p->disk, err, errlen);
	if (ret < 0)
		goto fail;
	if (!partition_virt_usable()) {
		set_err(err, errlen, "this machine offers no usable hardware virtualization");
		ret = -ENODEV;
		goto fail;
	}
	ret = assign_cpus(p, err, errlen);
	if (ret < 0)
		goto fail;
	/* Taken only at start; refused now if it could not be had now. */
	if (ALIGN_UP(p->mem_size, SIZE_2M) / PAGE_SIZE > frame_alloc_free_count(&phys_frames)) {
		set_err(err, errlen, "not enough memory for %lu MiB (%lu MiB free)",
			spec->memory >> 20, frame_alloc_free_count(&phys_frames) >> 8);
		ret = -ENOSPC;
		goto fail;
	}
	for (unsigned int i = 0; i < p->vcpu_count; i++)
		cpu_vcpus[p->cpus[i]]++;
	p->id = next_id++;
	p->slot = (unsigned int)slot;
	slots[slot] = p;
	pr_info("partition '%s': %lu MiB, %u vCPU(s) on cpu%u%s, image %s (%lu bytes)\n", p->name,
		(uint64_t)ALIGN_UP(p->mem_size, SIZE_2M) >> 20, p->vcpu_count, p->cpus[0],
		p->vcpu_count > 1 ? "..." : "", spec->kernel, p->image->size);
	partition_notify(p, PARTITION_READY, "created");
	return 0;
fail:
	destroy(p);
	return ret;
}

int partition_create(const struct partition_config *spec, const struct partition_images *images,
		     char *err, size_t errlen)
{
	int ret = enter(err, errlen);

	if (ret < 0)
		return ret;
	ret = create_locked(spec, images, err, errlen);
	leave();
	return ret;
}

/*
 * The last run's vCPUs, once their threads are gone (they end right after
 * the partition turns STOPPED). -EBUSY if one still has its CPU.
 */
static int reap(struct partition *p)
{
	uint64_t deadline = time_ns() + REAP_TIMEOUT_NS;

	for (unsigned int i = 0; i < p->vcpu_count; i++) {
		struct vcpu *v = p->vcpus[i];

		if (!v)
			continue;
		while (v->thread && thread_release(v->thread) == -EBUSY) {
			if (time_ns() > deadline)
				return -EBUSY;
			sched_block(rdtsc() + tsc_hz() / 1000);
		}
		spin_lock(&p->irq_lock);
		p->vcpus[i] = NULL;
		spin_unlock(&p->irq_lock);
		kfree(v);
	}
	return 0;
}

/* vCPUs of a start that failed before any ran. */
static void discard_vcpus(struct partition *p)
{
	for (unsigned int i = 0; i < p->vcpu_count; i++) {
		struct vcpu *v = p->vcpus[i];

		if (!v)
			continue;
		thread_discard(v->thread);
		spin_lock(&p->irq_lock);
		p->vcpus[i] = NULL;
		spin_unlock(&p->irq_lock);
		kfree(v);
	}
}

static uint32_t host_max_leaf(uint32_t base)
{
	struct cpuid_regs r;

	cpuid(base, &r);
	return r.eax;
}

static int create_vcpus(struct partition *p, const struct vcpu_regs *bsp, char *err,
			size_t errlen)
{
	cpuid_policy_init(&p->cpuid, host_max_leaf(0), host_max_leaf(0x80000000), tsc_hz(),
			  p->vcpu_count);
	p->cpuid.rdtscp = virt->guest_has_rdtscp();
	for (unsigned int i = 0; i < p->vcpu_count; i++) {
		struct vcpu *v = kzalloc(sizeof(*v));
		struct thread_spec ts = {
			.name = p->name, .fn = vcpu_thread, .arg = v, .cpu = p->cpus[i],
			.switch_in = vcpu_switch_in, .switch_out = vcpu_switch_out,
		};

		/* Created now, started once all are there: a kick may need it before. */
		if (v)
			v->thread = thread_create(&ts);
		if (!v || !v->thread) {
			kfree(v);
			set_err(err, errlen, "cannot create a thread for vCPU %u on cpu%u", i,
				p->cpus[i]);
			return -ENOMEM;
		}
		v->part = p;
		v->index = i;
		v->cpu = p->cpus[i];
		v->timer_vector = 0x30;
		v->boot = *bsp;
		v->state = i == 0 ? VCPU_RUNNING : VCPU_WAIT_SIPI;
		spin_lock(&p->irq_lock);
		p->vcpus[i] = v;
		spin_unlock(&p->irq_lock);
		/* Before any vCPU runs: an IPI may reach this LAPIC before its thread starts. */
		if (vcpu_lapic_create(v) < 0) {
			set_err(err, errlen, "cannot set up the local APIC of vCPU %u", i);
			return -ENOMEM;
		}
		/* CPUID offers the TSC-deadline timer only if the LAPIC was given the TSC rate. */
		if (!v->lapic.cfg.tsc_hz)
			p->cpuid.tsc_deadline = false;
	}
	return 0;
}

/* What one run counts, from zero again. */
static void reset_run(struct partition *p)
{
	p->vcpus_scrubbed = 0;
	p->start_ns = 0;
	p->exit_status = 0;
	p->rebooting = false;
	p->reboot_acks = 0;
	p->reboot_gen = 0;
	p->reboots = 0;
	p->ignored_ports = 0;
	p->stop_reason[0] = '\0';
	/* The test devices power on empty, as on the partition's first start. */
	memset(p->testdev_port, 0, sizeof(p->testdev_port));
	memset(p->testdev_mmio, 0, sizeof(p->testdev_mmio));
	p->testdev_mmio_accesses = 0;
}

static int start_locked(struct partition *p, char *err, size_t errlen)
{
	enum partition_state st = state_of(p);
	struct vcpu_regs bsp;
	int ret;

	if (st != PARTITION_READY && st != PARTITION_STOPPED) {
		set_err(err, errlen, "it is %s", partition_state_name(st));
		return -EBUSY;
	}
	if (reap(p) < 0) {
		set_err(err, errlen, "its last run's vCPU threads have not ended");
		return -EBUSY;
	}
	reset_run(p);
	vmm_devices_reset(p);
	ret = partition_memory_alloc(p, err, errlen);
	if (ret < 0)
		return ret;
	/*
	 * Loaded now so a bad image is refused by name before anything runs;
	 * the memory is zeroed on the partition's CPUs and the image loaded
	 * again before its first entry (partition_vcpu_ready()).
	 */
	memset(&bsp, 0, sizeof(bsp));
	ret = partition_load_image(p, &bsp, err, errlen);
	if (ret == 0)
		ret = create_vcpus(p, &bsp, err, errlen);
	if (ret < 0) {
		discard_vcpus(p);
		partition_memory_release(p, true);
		return ret;
	}
	spin_lock(&p->lock);
	p->state = PARTITION_RUNNING;
	p->vcpus_running = p->vcpu_count;
	spin_unlock(&p->lock);
	p->runs++;
	if (p->runs > 1)
		pr_info("partition '%s' starting again (run %u)\n", p->name, p->runs);
	partition_notify(p, PARTITION_RUNNING, p->runs > 1 ? "started again" : "started");
	for (unsigned int k = 0; k < p->vcpu_count; k++)
		if (thread_start(p->vcpus[k]->thread) < 0)
			pr_err("partition '%s': vCPU %u did not start on cpu%u\n", p->name, k,
			       p->vcpus[k]->cpu);
	return 0;
}

/* An operation on the partition of that name, inside enter()/leave(). */
static int by_name(const char *name, int (*fn)(struct partition *p, char *err, size_t errlen),
		   char *err, size_t errlen)
{
	struct partition *p;
	int ret = enter(err, errlen);

	if (ret < 0)
		return ret;
	p = partition_find(name);
	if (!p) {
		set_err(err, errlen, "no partition '%s'", name ? name : "");
		ret = -ENOENT;
	} else {
		ret = fn(p, err, errlen);
	}
	leave();
	return ret;
}

int partition_start(const char *name, char *err, size_t errlen)
{
	return by_name(name, start_locked, err, errlen);
}

int partition_power_off(const char *name, const char *reason)
{
	struct partition *p;
	enum partition_state st;
	int ret = enter(NULL, 0);

	if (ret < 0)
		return ret;
	p = partition_find(name);
	if (!p) {
		leave();
		return -ENOENT;
	}
	st = state_of(p);
	if (st == PARTITION_RUNNING)
		partition_stop(p, 0, "%s", reason && reason[0] ? reason : "powered off by Plinth");
	leave();
	return st == PARTITION_RUNNING || st == PARTITION_STOPPING ? 0 : -EALREADY;
}

int partition_request_reboot(const char *name)
{
	struct partition *p;
	int ret = enter(NULL, 0);

	if (ret < 0)
		return ret;
	p = partition_find(name);
	if (!p) {
		ret = -ENOENT;
	} else if (state_of(p) != PARTITION_RUNNING) {
		ret = -EALREADY;
	} else {
		/* vCPU 0 does it on its CPU, as for a reset the guest asks for. */
		pr_info("partition '%s': reboot requested\n", p->name);
		vcpu_request(p->vcpus[0], VCPU_REQ_REBOOT);
	}
	leave();
	return ret;
}

int partition_wait_stopped(const char *name, uint64_t timeout_ms)
{
	uint64_t deadline = time_ns() + timeout_ms * NSEC_PER_MSEC;
	enum partition_state st;

	if (this_cpu_index() != SCHED_SERVICE_CPU)
		return -EPERM;
	for (;;) {
		/* Looked up again each time: another thread may have deleted it meanwhile. */
		if (partition_state_of(name, &st) < 0)
			return -ENOENT;
		if (st == PARTITION_STOPPED || st == PARTITION_READY)
			return 0;
		if (time_ns() > deadline)
			return -ETIMEDOUT;
		sched_block(rdtsc() + tsc_hz() / 1000 * WAIT_POLL_MS);
	}
}

static int delete_locked(struct partition *p, char *err, size_t errlen)
{
	enum partition_state st = state_of(p);
	char name[CONFIG_NAME_MAX];

	if (st != PARTITION_READY && st != PARTITION_STOPPED) {
		set_err(err, errlen, "it is %s: stop it first", partition_state_name(st));
		return -EBUSY;
	}
	if (reap(p) < 0) {
		set_err(err, errlen, "its last run's vCPU threads have not ended");
		return -EBUSY;
	}
	slots[p->slot] = NULL;
	for (unsigned int i = 0; i < p->vcpu_count; i++)
		cpu_vcpus[p->cpus[i]]--;
	strlcpy(name, p->name, sizeof(name));
	/* Its memory went when it stopped (scrubbed); a READY one never had any. */
	destroy(p);
	pr_info("partition '%s' deleted\n", name);
	partition_notifiers_call(name, PARTITION_DELETED, "deleted");
	return 0;
}

int partition_delete(const char *name, char *err, size_t errlen)
{
	return by_name(name, delete_locked, err, errlen);
}
