/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Partitions: created at boot from plinth.cfg, each with its own zeroed
 * memory behind its own EPT, its vCPUs pinned to CPUs Plinth does not use
 * itself (CPU 0 stays Plinth's). A partition that cannot be created is
 * refused with a message naming it; the others still start. Every vCPU is
 * a kernel thread on its CPU (plinth/sched.h): vCPUs of partitions that
 * share a CPU take turns there in time slices, and halted ones take no time.
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
#include <plinth/service.h>
#include <plinth/smp.h>
#include <plinth/string.h>
#include <plinth/time.h>
#include <vmm/agent_wiring.h>
#include <vmm/boot_image.h>
#include <vmm/io.h>
#include <vmm/irq.h>
#include <vmm/guest_ram.h>
#include <vmm/partition.h>
#include <vmm/acpi_pci.h>
#include <vmm/virtio_wiring.h>

#define MAX_PARTITIONS CONFIG_MAX_PARTITIONS

static struct partition *partitions[MAX_PARTITIONS];
static unsigned int partition_count;
static unsigned int refused_count;
/* Per CPU, how many vCPUs are pinned there: the least loaded CPUs take unpinned ones. */
static unsigned int cpu_vcpus[MAX_CPUS];

static int ept_alloc_table(void *ctx, paddr_t *pa)
{
	(void)ctx;
	return page_alloc(pa);
}

static void ept_free_table(void *ctx, paddr_t pa)
{
	(void)ctx;
	page_free(pa);
}

static void *ept_virt(void *ctx, paddr_t pa)
{
	(void)ctx;
	return phys_to_virt(pa);
}

static const struct pt_ops ept_ops = {
	.alloc_table = ept_alloc_table,
	.free_table = ept_free_table,
	.phys_to_virt = ept_virt,
};

static void *frame_virt(paddr_t pa)
{
	return phys_to_virt(pa);
}

static int copy_ram(struct partition *p, gpa_t at, uint8_t *buf, size_t len, bool to_guest)
{
	const struct guest_ram r = {
		.layout = &p->layout,
		.chunks = p->chunks,
		.chunk_count = p->chunk_count,
		.frame_virt = frame_virt,
	};

	return guest_ram_copy(&r, at, buf, len, to_guest);
}

void *partition_map_ram(struct partition *p, gpa_t at, uint64_t len)
{
	const struct guest_ram r = {
		.layout = &p->layout,
		.chunks = p->chunks,
		.chunk_count = p->chunk_count,
		.frame_virt = frame_virt,
	};

	return guest_ram_map(&r, at, len);
}

int partition_copy_from_guest(struct partition *p, void *dst, gpa_t src, size_t len)
{
	return copy_ram(p, src, dst, len, false);
}

int partition_copy_to_guest(struct partition *p, gpa_t dst, const void *src, size_t len)
{
	/* The cast only feeds memcpy's source side when copying to the guest. */
	return copy_ram(p, dst, (uint8_t *)(uintptr_t)src, len, true);
}

static int guest_write(void *ctx, gpa_t dst, const void *src, size_t len)
{
	return partition_copy_to_guest(ctx, dst, src, len);
}

static const struct boot_module *find_module(const struct boot_info *bi, const char *name)
{
	for (uint32_t i = 0; i < bi->module_count; i++)
		if (!strcmp(bi->modules[i].name, name))
			return &bi->modules[i];
	return NULL;
}

/*
 * Zeroing runs on the partition's own CPUs, in pieces that take a few
 * milliseconds each, giving the CPU up between them when another thread
 * waits there: scrubbing a large partition never stalls its neighbours.
 */
#define SCRUB_PIECE (256 * 1024)

static void scrub_chunk(paddr_t chunk)
{
	for (uint64_t off = 0; off < SIZE_2M; off += SCRUB_PIECE) {
		memset((uint8_t *)phys_to_virt(chunk) + off, 0, SCRUB_PIECE);
		if (sched_should_yield())
			sched_yield();
	}
}

/* Every @of-th chunk from @index on: vCPU @index's share of the partition's RAM. */
static void scrub_share(struct partition *p, unsigned int index, unsigned int of)
{
	for (uint64_t i = index; i < p->chunk_count; i += of)
		scrub_chunk(p->chunks[i]);
}

/*
 * The frames go back zeroed: by the vCPUs on their CPUs (scrub_share()), or
 * here with @scrub when set-up failed before any vCPU ran.
 */
static void free_memory(struct partition *p, bool scrub)
{
	for (uint64_t i = 0; i < p->chunk_count; i++) {
		if (scrub)
			memset(phys_to_virt(p->chunks[i]), 0, SIZE_2M);
		frame_free_pages(&phys_frames, p->chunks[i], SIZE_2M / PAGE_SIZE);
	}
	p->chunk_count = 0;
}

/* One aligned run: lets the EPT use 1 GiB pages, which saves TLB reach. */
static int alloc_contiguous(struct partition *p, uint64_t chunks)
{
	uint64_t bytes = chunks * SIZE_2M;
	paddr_t base;

	if (frame_alloc_pages(&phys_frames, bytes / PAGE_SIZE, bytes >= SIZE_1G ? SIZE_1G : SIZE_2M,
			      0, &base) < 0)
		return -ENOMEM;
	for (uint64_t i = 0; i < chunks; i++)
		p->chunks[i] = base + i * SIZE_2M;
	p->chunk_count = chunks;
	return 0; /* zeroed by the vCPUs before the partition runs: partition_vcpu_ready() */
}

/* Fragmented memory: 2 MiB runs wherever they are. */
static int alloc_chunks(struct partition *p, uint64_t chunks)
{
	int ret;

	for (uint64_t i = 0; i < chunks; i++) {
		ret = frame_alloc_pages(&phys_frames, SIZE_2M / PAGE_SIZE, SIZE_2M, 0, &p->chunks[i]);
		if (ret < 0)
			return ret;
		p->chunk_count++;
	}
	return 0;
}

/*
 * Backed guest memory r (one region or adjacent ones) onto its part of the
 * backing, in runs of host-contiguous chunks so the EPT gets large pages
 * wherever the allocation allowed them. r may start inside a chunk.
 */
static int map_ram_region(struct partition *p, const struct guest_region *r)
{
	uint64_t base, done = 0;
	int ret = guest_layout_backing_offset(&p->layout, r->start, &base);

	while (!ret && done < r->size) {
		uint64_t i = (base + done) / SIZE_2M, in = (base + done) % SIZE_2M, n = 1, len;

		while (done + n * SIZE_2M - in < r->size &&
		       p->chunks[i + n] == p->chunks[i] + n * SIZE_2M)
			n++;
		len = MIN(n * SIZE_2M - in, r->size - done);
		ret = ept_map_ram(&p->ept, gpa(r->start.v + done), hpa(p->chunks[i] + in), len);
		done += len;
	}
	return ret;
}

static int allocate_memory(struct partition *p)
{
	uint64_t chunks = ALIGN_UP(p->mem_size, SIZE_2M) / SIZE_2M;
	const struct guest_region *r;
	struct guest_region run = { 0 };
	int ret;

	ret = guest_layout_build(&p->layout, chunks * SIZE_2M);
	if (ret < 0)
		return ret;
	/* Refuse at once rather than scrub gigabytes only to give them back. */
	if (chunks * (SIZE_2M / PAGE_SIZE) > frame_alloc_free_count(&phys_frames))
		return -ENOMEM;
	p->chunks = kzalloc(chunks * sizeof(paddr_t));
	if (!p->chunks)
		return -ENOMEM;
	ret = ept_init(&p->ept, &ept_ops, cpu_virt.ept_1g ? SIZE_1G : SIZE_2M);
	if (ret < 0)
		return ret;
	ret = alloc_contiguous(p, chunks);
	if (ret == -ENOMEM && p->chunk_count == 0)
		ret = alloc_chunks(p, chunks);
	/*
	 * RAM and the firmware area, both read-write (the OS writes the FACS),
	 * adjacent ones as one run so low memory keeps its large pages; the
	 * hole stays unmapped, so every access there exits as MMIO.
	 */
	guest_layout_for_each(&p->layout, r) {
		if (!guest_region_backed(r))
			continue;
		if (run.size && run.start.v + run.size == r->start.v) {
			run.size += r->size;
			continue;
		}
		if (run.size && !ret)
			ret = map_ram_region(p, &run);
		run = *r;
	}
	if (run.size && !ret)
		ret = map_ram_region(p, &run);
	if (ret == 0)
		p->mem_size = chunks * SIZE_2M;
	return ret;
}

static enum boot_mode boot_mode_of(enum partition_entry e)
{
	switch (e) {
	case ENTRY_REALMODE:
		return BOOT_REALMODE;
	case ENTRY_MULTIBOOT:
		return BOOT_MULTIBOOT;
	case ENTRY_LINUX:
		return BOOT_LINUX;
	default:
		return BOOT_LONGMODE;
	}
}

static int load_image(struct partition *p, struct vcpu_regs *bsp, char *err, size_t errlen)
{
	struct guest_mem_ops mem = { .write = guest_write, .ctx = p, .layout = &p->layout };
	struct acpi_pci_config pci;
	struct boot_image_params bp = {
		.pci = &pci,
		.mode = boot_mode_of(p->cfg->entry),
		.image = phys_to_virt(p->image->phys),
		.image_size = p->image->size,
		.entry_addr = p->cfg->entry_addr,
		.cmdline = p->cfg->cmdline[0] ? p->cfg->cmdline : NULL,
		.vcpu_count = p->vcpu_count,
	};

	vmm_pci_acpi_config(p, &pci);
	/* Multiboot module 0, or the Linux initrd. */
	if (p->initrd) {
		bp.module = phys_to_virt(p->initrd->phys);
		bp.module_size = p->initrd->size;
		bp.module_name = p->initrd->name;
	}
	return boot_image_load(&mem, &bp, bsp, err, errlen);
}

/* Picks the vCPUs' CPUs: the configured ones, or the least loaded others. */
static int assign_cpus(struct partition *p, unsigned int *cpus, char *err, size_t errlen)
{
	uint64_t mask = p->cfg->cpu_mask;
	unsigned int n = 0;

	if (p->vcpu_count > cpus_online - 1) {
		snprintf(err, errlen, "%u vCPUs but only %u CPU(s) available to partitions",
			 p->vcpu_count, cpus_online - 1);
		return -EINVAL;
	}
	if (mask) {
		for (unsigned int cpu = 0; cpu < 64 && n < p->vcpu_count; cpu++) {
			if (!(mask & (1ULL << cpu)))
				continue;
			if (cpu == 0 || cpu >= MAX_CPUS || !cpu_table[cpu] || !cpu_table[cpu]->online) {
				snprintf(err, errlen, "CPU %u is %s", cpu,
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

static uint32_t host_max_leaf(uint32_t base)
{
	struct cpuid_regs r;

	cpuid(base, &r);
	return r.eax;
}

static void destroy(struct partition *p)
{
	for (unsigned int i = 0; i < p->vcpu_count; i++) {
		if (p->vcpus[i])
			thread_discard(p->vcpus[i]->thread);
		kfree(p->vcpus[i]);
	}
	free_memory(p, true);
	ept_destroy(&p->ept);
	vmm_virtio_destroy(p);
	kfree(p->chunks);
	kfree(p);
}

/*
 * A disk image is one store in Plinth's memory: two partitions writing it
 * would corrupt each other's file systems, so it may be shared only by
 * partitions that all have it read-only.
 */
static int disk_shared(struct partition *p, char *err, size_t errlen)
{
	for (unsigned int i = 0; p->disk && i < partition_count; i++) {
		const struct partition *o = partitions[i];

		if (o->disk != p->disk || (o->cfg->disk_readonly && p->cfg->disk_readonly))
			continue;
		snprintf(err, errlen, "disk %s is also partition '%s''s, and %s writes it: only "
			 "read-only disks may be shared", p->cfg->disk, o->name,
			 o->cfg->disk_readonly ? "this one" : "that one");
		return -EBUSY;
	}
	return 0;
}

static int create_one(const struct partition_config *cfg, const struct boot_info *bi,
		      bool virt_ok, char *err, size_t errlen)
{
	unsigned int cpus[PARTITION_MAX_VCPUS];
	struct partition *p = kzalloc(sizeof(*p));
	struct vcpu_regs bsp;
	int ret;

	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	strlcpy(p->name, cfg->name, sizeof(p->name));
	p->cfg = cfg;
	p->vcpu_count = cfg->vcpus;
	p->mem_size = cfg->memory;
	p->time_limit_ns = cfg->time_limit_ms * NSEC_PER_MSEC;
	spin_lock_init(&p->lock);
	ret = vmm_devices_init(p);
	if (ret < 0) {
		snprintf(err, errlen, "cannot set up its devices");
		goto fail;
	}
	p->image = find_module(bi, cfg->kernel);
	p->initrd = cfg->initrd[0] ? find_module(bi, cfg->initrd) : NULL;
	p->disk = cfg->disk[0] ? find_module(bi, cfg->disk) : NULL;
	if (!p->image || (cfg->initrd[0] && !p->initrd) || (cfg->disk[0] && !p->disk)) {
		snprintf(err, errlen, "%s is not on the boot volume",
			 !p->image ? cfg->kernel : cfg->initrd[0] && !p->initrd ? cfg->initrd :
			 cfg->disk);
		ret = -ENOENT;
		goto fail;
	}
	ret = disk_shared(p, err, errlen);
	if (ret < 0)
		goto fail;
	ret = vmm_virtio_create(p, p->disk, err, errlen);
	if (ret < 0)
		goto fail;
	if (!virt_ok) {
		snprintf(err, errlen, "this machine offers no usable hardware virtualization");
		ret = -ENODEV;
		goto fail;
	}
	ret = assign_cpus(p, cpus, err, errlen);
	if (ret < 0)
		goto fail;
	ret = allocate_memory(p);
	if (ret == -EINVAL) {
		snprintf(err, errlen, "%lu MiB of memory do not fit the guest-physical address space",
			 cfg->memory >> 20);
		goto fail;
	}
	if (ret < 0) {
		snprintf(err, errlen, "not enough memory for %lu MiB (%lu MiB free)",
			 cfg->memory >> 20, frame_alloc_free_count(&phys_frames) >> 8);
		goto fail;
	}
	/*
	 * Loaded now so a bad image is refused by name before anything runs;
	 * the memory is zeroed on the partition's CPUs and the image loaded
	 * again before its first entry (partition_vcpu_ready()).
	 */
	memset(&bsp, 0, sizeof(bsp));
	ret = load_image(p, &bsp, err, errlen);
	if (ret < 0)
		goto fail;
	cpuid_policy_init(&p->cpuid, host_max_leaf(0), host_max_leaf(0x80000000), tsc_hz(),
			  p->vcpu_count);
	p->cpuid.rdtscp = virt->guest_has_rdtscp();
	for (unsigned int i = 0; i < p->vcpu_count; i++) {
		struct vcpu *v = kzalloc(sizeof(*v));

		struct thread_spec ts = {
			.name = p->name, .fn = vcpu_thread, .arg = v, .cpu = cpus[i],
			.switch_in = vcpu_switch_in, .switch_out = vcpu_switch_out,
		};

		/* Created now, started by partitions_start(): a kick may need it before. */
		if (v)
			v->thread = thread_create(&ts);
		if (!v || !v->thread) {
			kfree(v);
			snprintf(err, errlen, "cannot create a thread for vCPU %u on cpu%u", i, cpus[i]);
			ret = -ENOMEM;
			goto fail;
		}
		v->part = p;
		v->index = i;
		v->cpu = cpus[i];
		v->timer_vector = 0x30;
		v->boot = bsp;
		v->state = i == 0 ? VCPU_RUNNING : VCPU_WAIT_SIPI;
		p->vcpus[i] = v;
		/* Before any vCPU runs: an IPI may reach this LAPIC before its thread starts. */
		ret = vcpu_lapic_create(v);
		if (ret < 0) {
			snprintf(err, errlen, "cannot set up the local APIC of vCPU %u", i);
			goto fail;
		}
		/* CPUID offers the TSC-deadline timer only if the LAPIC was given the TSC rate. */
		if (!v->lapic.cfg.tsc_hz)
			p->cpuid.tsc_deadline = false;
	}
	for (unsigned int i = 0; i < p->vcpu_count; i++)
		cpu_vcpus[cpus[i]]++;
	partitions[partition_count++] = p;
	pr_info("partition '%s': %lu MiB, %u vCPU(s) on cpu%u%s, image %s (%lu bytes)\n", p->name,
		p->mem_size >> 20, p->vcpu_count, cpus[0], p->vcpu_count > 1 ? "..." : "",
		cfg->kernel, p->image->size);
	return 0;
fail:
	destroy(p);
	return ret;
}

static void enable_virt(void *arg)
{
	(void)arg;
	virt->cpu_enable();
}

/*
 * Loads the image into the zeroed memory again and gives every vCPU its
 * boot registers; a failure stops the partition (reason after @what).
 */
static int reload_image(struct partition *p, const char *what)
{
	struct vcpu_regs bsp;
	char err[160];

	memset(&bsp, 0, sizeof(bsp));
	if (load_image(p, &bsp, err, sizeof(err)) < 0) {
		partition_stop(p, -ENOEXEC, "%s%s", what, err);
		return -ENOEXEC;
	}
	for (unsigned int i = 0; i < p->vcpu_count; i++)
		p->vcpus[i]->boot = bsp;
	return 0;
}

int partition_reboot(struct partition *p)
{
	struct vcpu *v0 = p->vcpus[0];
	uint64_t deadline = time_ns() + NSEC_PER_SEC;

	/*
	 * The acknowledgement count is only ever reset at the end of a reboot, so
	 * an AP that asked first and has already acknowledged is not lost.
	 */
	__atomic_store_n(&p->rebooting, true, __ATOMIC_RELEASE);
	for (unsigned int i = 1; i < p->vcpu_count; i++)
		vcpu_request(p->vcpus[i], VCPU_REQ_REBOOT);
	while (__atomic_load_n(&p->reboot_acks, __ATOMIC_ACQUIRE) < p->vcpu_count - 1) {
		if (time_ns() > deadline) {
			partition_stop(p, -ETIMEDOUT, "reboot: the other vCPUs did not stop");
			return -ETIMEDOUT;
		}
		/* Some of them may share this CPU: let them run to acknowledge. */
		sched_yield();
	}
	p->reboots++;
	pr_info("partition '%s' rebooting (reboot %u)\n", p->name, p->reboots);
	/* The others are parked; on their CPUs other partitions go on meanwhile. */
	scrub_share(p, 0, 1);
	vmm_devices_reset(p);
	if (reload_image(p, "reboot: ") < 0)
		return -ENOEXEC;
	vcpu_reset(v0);
	virt->load_state(&v0->arch, &v0->boot);
	virt->irq_window(&v0->arch, false);
	__atomic_store_n(&p->reboot_acks, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&p->rebooting, false, __ATOMIC_RELEASE);
	__atomic_fetch_add(&p->reboot_gen, 1, __ATOMIC_ACQ_REL);
	for (unsigned int i = 1; i < p->vcpu_count; i++)
		vcpu_kick(p->vcpus[i]);
	return 0;
}

static void ack_irq(struct trap_frame *tf)
{
	(void)tf;
	lapic_eoi();
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

int partitions_create(const struct plinth_config *cfg, const struct boot_info *bi)
{
	bool virt_ok;
	char err[160];

	agent_wiring_init();
	if (!cfg->partition_count)
		return 0;
	irq_register(VEC_KICK, ack_irq);
	irq_register(VEC_HOST_TIMER, ack_irq);
	virt_ok = virt_select() == 0 && virt->check_support() == 0 && passthrough_msrs() == 0;
	if (virt_ok)
		smp_call_all(enable_virt, NULL);
	for (unsigned int i = 0; i < cfg->partition_count; i++) {
		const struct partition_config *pc = &cfg->partitions[i];

		err[0] = '\0';
		if (create_one(pc, bi, virt_ok, err, sizeof(err)) < 0) {
			pr_err("partition '%s' refused: %s\n", pc->name, err);
			refused_count++;
		}
	}
	return 0;
}

void partitions_start(void)
{
	for (unsigned int i = 0; i < partition_count; i++) {
		partitions[i]->state = PARTITION_RUNNING;
		partitions[i]->vcpus_running = partitions[i]->vcpu_count;
		agent_wiring_event(partitions[i], PARTITION_RUNNING, "started from plinth.cfg");
	}
	for (unsigned int i = 0; i < partition_count; i++)
		for (unsigned int k = 0; k < partitions[i]->vcpu_count; k++)
			if (thread_start(partitions[i]->vcpus[k]->thread) < 0)
				pr_err("partition '%s': vCPU %u did not start on cpu%u\n",
				       partitions[i]->name, k, partitions[i]->vcpus[k]->cpu);
}

struct partition *partition_get(unsigned int i)
{
	return i < partition_count ? partitions[i] : NULL;
}

unsigned int partitions_active(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < partition_count; i++)
		n += __atomic_load_n(&partitions[i]->state, __ATOMIC_ACQUIRE) != PARTITION_STOPPED;
	return n;
}

PLINTH_SERVICE(partitions) = {
	.name = "partitions",
	.create = partitions_create,
	.start = partitions_start,
	.active = partitions_active,
};

void partition_stop(struct partition *p, int64_t status, const char *fmt, ...)
{
	struct vcpu *cur = this_cpu()->current_vcpu;
	char reason[192];
	va_list ap;
	bool first;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);

	spin_lock(&p->lock);
	first = p->state == PARTITION_RUNNING;
	if (first) {
		p->state = PARTITION_STOPPING;
		p->exit_status = status;
	}
	spin_unlock(&p->lock);
	if (!first)
		return;
	if (status == 0)
		pr_info("partition '%s' stopped: %s\n", p->name, reason);
	else
		pr_err("partition '%s' stopped: %s\n", p->name, reason);
	agent_wiring_event(p, PARTITION_STOPPING, "%s", reason);
	if (status != 0 && cur && cur->part == p)
		virt->dump(&cur->arch);
	for (unsigned int i = 0; i < p->vcpu_count; i++)
		vcpu_request(p->vcpus[i], VCPU_REQ_STOP);
}

int partition_vcpu_ready(struct vcpu *v)
{
	struct partition *p = v->part;

	scrub_share(p, v->index, p->vcpu_count);
	__atomic_fetch_add(&p->vcpus_scrubbed, 1, __ATOMIC_ACQ_REL);
	if (v->index)
		return 0;
	/* The others zero their shares on their own CPUs meanwhile. */
	while (__atomic_load_n(&p->vcpus_scrubbed, __ATOMIC_ACQUIRE) < p->vcpu_count) {
		if (__atomic_load_n(&p->state, __ATOMIC_ACQUIRE) != PARTITION_RUNNING)
			return -EAGAIN; /* stopped before it ran */
		sched_yield();
		cpu_relax();
	}
	return reload_image(p, "");
}

void partition_vcpu_exited(struct vcpu *v)
{
	struct partition *p = v->part;

	/* Each vCPU zeroes its share on its own CPU, all of them at once; the last frees. */
	scrub_share(p, v->index, p->vcpu_count);
	if (__atomic_sub_fetch(&p->vcpus_running, 1, __ATOMIC_ACQ_REL))
		return;
	vmm_exit_report(p);
	/*
	 * Every device reset before the memory goes: a frame another partition
	 * sends to this one's NIC must find no queue to write into.
	 */
	vmm_virtio_reset(p);
	vmm_virtio_report(p);
	free_memory(p, false);
	ept_destroy(&p->ept);
	pr_info("partition '%s' is down (status %ld, %lu ms), its memory scrubbed and released\n",
		p->name, p->exit_status, p->start_ns ? (time_ns() - p->start_ns) / NSEC_PER_MSEC : 0);
	__atomic_store_n(&p->state, PARTITION_STOPPED, __ATOMIC_RELEASE);
	agent_wiring_event(p, PARTITION_STOPPED, "down (status %ld)", p->exit_status);
	if (cpu_table[0])
		lapic_send_ipi(cpu_table[0]->apic_id, VEC_KICK);
}
