// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the virtio PCI transport: a stream of hostile guest
 * accesses (BARs 0, 4 and others, the PCI_CFG window) mixed with device-side
 * events (queue and config interrupts, failures, fast-path notifies) against
 * a fake device that walks the queue it is notified of in small fake RAM.
 * After every step: no lock is left held, FEATURES_OK stands only for a
 * feature set that was offered and includes VERSION_1, every enabled queue
 * was accepted by vq_init() with a legal size, and the device is notified
 * only of enabled queues after DRIVER_OK and before a failure.
 *
 * Input: a sequence of 12-byte steps: op, a, b, c, then le64 value.
 */
/* Before anything that could define fail(). */
#include <vmm/virtio/virtio_pci.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include "vq_ram.h"

#define NQ		4
#define RAM_BASE	0x10000ULL
#define RAM_SIZE	0x10000ULL
#define CFG_SIZE	24
#define NVEC		3
#define STEP		12
#define MAX_SEG		16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vq_ram ram;
static struct virtio_dev dev;
static struct virtio_queue queues[NQ];
static struct virtio_pci vp;
static uint8_t config[CFG_SIZE];
static bool msix_en;

static void die(const char *what)
{
	fprintf(stderr, "virtio_pci: %s\n", what);
	abort();
}

void log_write(enum log_level level, const char *fmt, ...)
{
	(void)level;
	(void)fmt;
}

static uint64_t f_features(struct virtio_dev *d)
{
	(void)d;
	return 1ull << 0 | 1ull << 9;
}

/* Refuses bit 9 without bit 0, so the veto path runs too. */
static int f_features_ok(struct virtio_dev *d)
{
	return (d->features & (1ull << 9)) && !(d->features & 1) ? -EINVAL : 0;
}

static void f_config_read(struct virtio_dev *d, uint32_t off, void *buf, unsigned int size)
{
	(void)d;
	if (off > CFG_SIZE || size > CFG_SIZE - off)
		die("config read out of bounds");
	memcpy(buf, config + off, size);
}

static void f_config_write(struct virtio_dev *d, uint32_t off, const void *buf,
			   unsigned int size)
{
	(void)d;
	if (off > CFG_SIZE || size > CFG_SIZE - off)
		die("config write out of bounds");
	memcpy(config + off, buf, size);
}

static void f_queue_notify(struct virtio_dev *d, unsigned int q)
{
	struct virtq_seg seg[MAX_SEG];
	struct virtq_chain ch;
	int ret;

	if (q >= NQ || !spin_is_locked(&d->queues[q].lock))
		die("notify without the queue lock");
	if (!d->queues[q].enabled || d->failed ||
	    !(__atomic_load_n(&vp.status, __ATOMIC_RELAXED) & VIRTIO_STATUS_DRIVER_OK))
		die("notify of a queue that may not run");
	ret = vq_pop(&d->queues[q].vq, seg, MAX_SEG, &ch);
	if (ret == 1)
		ret = vq_push(&d->queues[q].vq, ch.head, 0);
	if (ret < 0) {
		virtio_dev_fail(d, vq_reason(&d->queues[q].vq));
		return;
	}
	virtio_queue_used(d, q);
}

static void f_reset(struct virtio_dev *d)
{
	for (unsigned int i = 0; i < NQ; i++)
		if (!spin_is_locked(&d->queues[i].lock))
			die("reset without every queue lock");
}

static const struct virtio_dev_ops ops = {
	.device_id = VIRTIO_ID_NET,
	.features = f_features,
	.features_ok = f_features_ok,
	.config_read = f_config_read,
	.config_write = f_config_write,
	.queue_notify = f_queue_notify,
	.reset = f_reset,
};

static bool i_msix_enabled(void *ctx)
{
	(void)ctx;
	return msix_en;
}

static void i_msix(void *ctx, uint16_t vector)
{
	(void)ctx;
	if (vector >= NVEC)
		die("vector past the MSI-X table");
}

static void i_intx(void *ctx, bool level)
{
	(void)ctx;
	(void)level;
}

static void check(void)
{
	uint8_t st = __atomic_load_n(&vp.status, __ATOMIC_RELAXED);

	if (spin_is_locked(&vp.lock) || spin_is_locked(&vp.cfg_lock))
		die("transport lock left held");
	if ((st & VIRTIO_STATUS_FEATURES_OK) &&
	    ((dev.features & ~vp.offered) || !virtio_has_feature(&dev, VIRTIO_F_VERSION_1)))
		die("FEATURES_OK with a bad feature set");
	for (unsigned int q = 0; q < NQ; q++) {
		const struct virtio_queue *vq = &queues[q];
		unsigned int n = vq->vq.cfg.size;

		if (spin_is_locked(&queues[q].lock))
			die("queue lock left held");
		if (n == 0 || n > vq->max_size || (n & (n - 1)))
			die("illegal queue size");
		if (vq->enabled && !vq->vq.ready)
			die("enabled queue vq_init() refused");
		if (vq->enabled && (!vq_ram_contains(&ram, vq->vq.cfg.desc.v,
						     virtq_desc_area_size(n)) ||
				    !vq_ram_contains(&ram, vq->vq.cfg.used.v,
						     virtq_used_area_size(n))))
			die("enabled queue outside RAM");
		if (vq->msix_vector != VIRTIO_MSI_NO_VECTOR && vq->msix_vector >= NVEC)
			die("stored vector past the table");
	}
}

static void regs(unsigned int off, unsigned int size, bool write, uint64_t *v)
{
	virtio_pci_bar_access(&vp, VIRTIO_PCI_BAR_REGS, off, size, write, v);
}

static void step(const uint8_t *s)
{
	uint64_t v;
	uint32_t w;
	unsigned int size = 1u << (s[2] & 3);
	unsigned int q = s[3] % (NQ + 1);

	memcpy(&v, s + 4, 8);
	switch (s[0] % 10) {
	case 0: /* anywhere in BAR 4 */
		regs(s[1] | (unsigned int)(s[2] >> 2) << 8, size, s[3] & 1, &v);
		break;
	case 1: /* the common config, any alignment */
		regs(s[1] % 0x40u, size, s[3] & 1, &v);
		break;
	case 2: /* the ISR and what follows it */
		regs(VIRTIO_PCI_ISR_OFF + s[1] % 8u, size, s[3] & 1, &v);
		break;
	case 3: /* the common config, well-formed */
		regs((s[1] % VIRTIO_PCI_COMMON_SIZE) & ~(size - 1), size, s[3] & 1, &v);
		break;
	case 4: /* other BARs, BAR 0 notifies */
		virtio_pci_bar_access(&vp, s[1] % 6, s[3], size, true, &v);
		break;
	case 5: /* a queue whose areas lie in RAM (or near it) */
		regs(VIRTIO_PCI_COMMON_Q_SELECT, 2, true, &(uint64_t){ q });
		regs(VIRTIO_PCI_COMMON_Q_SIZE, 2, true, &(uint64_t){ 1u << (s[1] & 7) });
		for (unsigned int i = 0; i < 3; i++)
			regs(VIRTIO_PCI_COMMON_Q_DESC + 8 * i, 8, true,
			     &(uint64_t){ RAM_BASE - 0x100 + 16 * 17 * (uint64_t)s[4 + i] });
		break;
	case 6:
		if (s[1] & 1)
			virtio_pci_cfg_cap_write(&vp, s[3] % 24, size, (uint32_t)v);
		else
			virtio_pci_cfg_cap_read(&vp, s[3] % 24, size, &w);
		break;
	case 7:
		virtio_queue_lock(&dev, q % NQ);
		if (s[1] & 1)
			dev.transport->queue_irq(&dev, q % NQ);
		else
			virtio_dev_fail(&dev, "fuzz");
		virtio_queue_unlock(&dev, q % NQ);
		break;
	case 8:
		dev.transport->config_irq(&dev);
		msix_en = s[1] & 1;
		break;
	case 9:
		virtio_pci_notify(&vp, q);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct virtio_pci_irq irq = { .msix_enabled = i_msix_enabled, .msix = i_msix,
				      .intx = i_intx, .nvec = NVEC };

	if (!ram.mem)
		vq_ram_init(&ram, RAM_BASE, RAM_SIZE);
	memset(ram.mem, 0, RAM_SIZE);
	memset(queues, 0, sizeof(queues));
	for (unsigned int q = 0; q < NQ; q++)
		queues[q].max_size = 64;
	dev = (struct virtio_dev){ .ops = &ops, .name = "fuzz", .config_size = CFG_SIZE,
				   .num_queues = NQ, .queues = queues, .mem = &ram.ops };
	msix_en = false;
	if (virtio_pci_init(&vp, &dev, &irq))
		die("init refused a good device");
	for (; size >= STEP; data += STEP, size -= STEP) {
		step(data);
		check();
	}
	return 0;
}
