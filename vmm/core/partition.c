/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A partition's memory, image and stop: its own zeroed memory behind its
 * own EPT, its vCPUs pinned to CPUs Plinth does not use itself (CPU 0
 * stays Plinth's). Every vCPU is a kernel thread on its CPU (plinth/sched.h):
 * vCPUs of partitions that share a CPU take turns there in time slices, and
 * halted ones take no time. Creating, starting and deleting partitions is
 * vmm/core/lifecycle.c's; the boot-time ones from plinth.cfg are created
 * here, through it: a partition that cannot be made is refused with a
 * message naming it, and the others still start.
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
#include <vmm/lifecycle.h>
#include <vmm/partition.h>
#include <vmm/acpi_pci.h>
#include <vmm/virtio_wiring.h>
#include "partition_internal.h"

static const struct plinth_config *boot_cfg;

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
void partition_memory_release(struct partition *p, bool scrub)
{
	for (uint64_t i = 0; i < p->chunk_count; i++) {
		if (scrub)
			memset(phys_to_virt(p->chunks[i]), 0, SIZE_2M);
		frame_free_pages(&phys_frames, p->chunks[i], SIZE_2M / PAGE_SIZE);
	}
	p->chunk_count = 0;
	ept_destroy(&p->ept);
	kfree(p->chunks);
	p->chunks = NULL;
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

int partition_memory_alloc(struct partition *p, char *err, size_t errlen)
{
	int ret = allocate_memory(p);

	if (ret == -EINVAL)
		snprintf(err, errlen, "%lu MiB of memory do not fit the guest-physical address space",
			 p->cfg->memory >> 20);
	else if (ret < 0)
		snprintf(err, errlen, "not enough memory for %lu MiB (%lu MiB free)",
			 p->cfg->memory >> 20, frame_alloc_free_count(&phys_frames) >> 8);
	if (ret < 0) {
		/* Nothing ran in it: zeroed here, on CPU 0. */
		partition_memory_release(p, true);
		return ret == -EINVAL ? ret : -ENOSPC;
	}
	return 0;
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

int partition_load_image(struct partition *p, struct vcpu_regs *bsp, char *err, size_t errlen)
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

/*
 * Loads the image into the zeroed memory again and gives every vCPU its
 * boot registers; a failure stops the partition (reason after @what).
 */
static int reload_image(struct partition *p, const char *what)
{
	struct vcpu_regs bsp;
	char err[160];

	memset(&bsp, 0, sizeof(bsp));
	if (partition_load_image(p, &bsp, err, sizeof(err)) < 0) {
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
	char why[32];

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
	snprintf(why, sizeof(why), "reboot %u", p->reboots);
	partition_notify(p, PARTITION_RUNNING, why);
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

void partition_stop(struct partition *p, int64_t status, const char *fmt, ...)
{
	struct vcpu *cur = this_cpu()->current_vcpu;
	char reason[PARTITION_REASON_MAX];
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
		strlcpy(p->stop_reason, reason, sizeof(p->stop_reason));
	}
	spin_unlock(&p->lock);
	if (!first)
		return;
	partition_notify(p, PARTITION_STOPPING, reason);
	if (status == 0)
		pr_info("partition '%s' stopped: %s\n", p->name, reason);
	else
		pr_err("partition '%s' stopped: %s\n", p->name, reason);
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
	char name[CONFIG_NAME_MAX], reason[PARTITION_REASON_MAX];

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
	partition_memory_release(p, false);
	pr_info("partition '%s' is down (status %ld, %lu ms), its memory scrubbed and released\n",
		p->name, p->exit_status, p->start_ns ? (time_ns() - p->start_ns) / NSEC_PER_MSEC : 0);
	/* Copied first: once it is STOPPED, CPU 0 may delete the partition. */
	strlcpy(name, p->name, sizeof(name));
	spin_lock(&p->lock);
	strlcpy(reason, p->stop_reason, sizeof(reason));
	spin_unlock(&p->lock);
	__atomic_store_n(&p->state, PARTITION_STOPPED, __ATOMIC_RELEASE);
	partition_notifiers_call(name, PARTITION_STOPPED, reason);
	if (cpu_table[0])
		lapic_send_ipi(cpu_table[0]->apic_id, VEC_KICK);
}

/* The boot-time partitions, from plinth.cfg: one way to make a partition. */
int partitions_create(const struct plinth_config *cfg, const struct boot_info *bi)
{
	char err[160];

	boot_cfg = cfg;
	agent_wiring_init();
	for (unsigned int i = 0; i < cfg->partition_count; i++) {
		const struct partition_config *pc = &cfg->partitions[i];
		struct partition_images img = {
			.kernel = find_module(bi, pc->kernel),
			.initrd = pc->initrd[0] ? find_module(bi, pc->initrd) : NULL,
			.disk = pc->disk[0] ? find_module(bi, pc->disk) : NULL,
		};

		err[0] = '\0';
		if (!img.kernel || (pc->initrd[0] && !img.initrd) || (pc->disk[0] && !img.disk)) {
			pr_err("partition '%s' refused: %s is not on the boot volume\n", pc->name,
			       !img.kernel ? pc->kernel : pc->initrd[0] && !img.initrd ? pc->initrd :
			       pc->disk);
			continue;
		}
		if (partition_create(pc, &img, err, sizeof(err)) < 0)
			pr_err("partition '%s' refused: %s\n", pc->name, err);
		else
			partition_find(pc->name)->from_config = true;
	}
	return 0;
}

/* Those with autostart (the default); one whose start fails is refused and deleted. */
void partitions_start(void)
{
	char err[160];

	for (unsigned int i = 0; boot_cfg && i < boot_cfg->partition_count; i++) {
		const struct partition_config *pc = &boot_cfg->partitions[i];

		if (!pc->autostart || !partition_find(pc->name))
			continue;
		err[0] = '\0';
		if (partition_start(pc->name, err, sizeof(err)) < 0) {
			pr_err("partition '%s' refused: %s\n", pc->name, err);
			partition_delete(pc->name, NULL, 0);
		}
	}
}

/* Running or stopping: a test run waits for them; READY and STOPPED ones keep nothing going. */
unsigned int partitions_active(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < CONFIG_MAX_PARTITIONS; i++) {
		struct partition *p = partition_get(i);
		enum partition_state st;

		if (!p)
			continue;
		st = __atomic_load_n(&p->state, __ATOMIC_ACQUIRE);
		n += st == PARTITION_RUNNING || st == PARTITION_STOPPING;
	}
	return n;
}

PLINTH_SERVICE(partitions) = {
	.name = "partitions",
	.create = partitions_create,
	.start = partitions_start,
	.active = partitions_active,
};
