// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio functions of a partition (vmm/include/vmm/virtio_wiring.h):
 * each backend behind the modern PCI transport, on a slot of the
 * partition's virtual PCI bus, with guest memory reached only through the
 * partition's RAM copy routines.
 *
 * Fixed BAR layout of every function (vmm/include/vmm/virtio/virtio_pci.h):
 * BAR 0 I/O, the queue notify ports (the fast path: a port exit needs no
 * instruction decode); BAR 1 the MSI-X table and PBA; BAR 4/5 the common,
 * ISR, device and MMIO-notify registers.
 */
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/mm.h>
#include <plinth/string.h>
#include <vmm/guest_layout.h>
#include <vmm/partition.h>
#include <vmm/net/ether.h>
#include <vmm/net/vswitch.h>
#include <vmm/net_wiring.h>
#include <vmm/virtio/blk.h>
#include <vmm/virtio/net.h>
#include <vmm/virtio_wiring.h>

/* Guest RAM for the rings and buffers: RAM of the layout only, never a device page. */
static int ram_read(void *ctx, gpa_t src, void *dst, size_t len)
{
	return partition_copy_from_guest(ctx, dst, src, len);
}

static int ram_write(void *ctx, gpa_t dst, const void *src, size_t len)
{
	return partition_copy_to_guest(ctx, dst, src, len);
}

static bool ram_in(void *ctx, gpa_t gpa, uint64_t len)
{
	struct partition *p = ctx;

	return guest_layout_is_ram(&p->layout, gpa, len);
}

static void *ram_map(void *ctx, gpa_t gpa, uint64_t len)
{
	return partition_map_ram(ctx, gpa, len);
}

/* The transport's interrupts, through the function's MSI-X or its INTx pin. */
static bool fn_msix_enabled(void *ctx)
{
	struct virtio_fn *fn = ctx;

	return vpci_msix_enabled(&fn->pci);
}

static void fn_msix(void *ctx, uint16_t vector)
{
	struct virtio_fn *fn = ctx;

	vpci_msix_raise(&fn->pci, vector);
}

static void fn_intx(void *ctx, bool level)
{
	struct virtio_fn *fn = ctx;

	vpci_intx_set(&fn->pci, level);
}

static int fn_bar_access(void *opaque, unsigned int bar, uint64_t off, unsigned int size,
			 bool write, uint64_t *value)
{
	struct virtio_fn *fn = opaque;

	return virtio_pci_bar_access(&fn->vp, bar, off, size, write, value);
}

static void fn_cfg_read(void *opaque, unsigned int off, unsigned int size, uint32_t *value)
{
	struct virtio_fn *fn = opaque;

	virtio_pci_cfg_cap_read(&fn->vp, off, size, value);
}

static void fn_cfg_write(void *opaque, unsigned int off, unsigned int size, uint32_t value)
{
	struct virtio_fn *fn = opaque;

	virtio_pci_cfg_cap_write(&fn->vp, off, size, value);
}

/* Transport, BARs, MSI-X (one vector per queue plus config), capabilities, slot. */
static int fn_attach(struct partition *p, struct virtio_fn *fn, struct virtio_dev *dev,
		     unsigned int slot)
{
	const struct virtio_pci_irq irq = {
		.msix_enabled = fn_msix_enabled,
		.msix = fn_msix,
		.intx = fn_intx,
		.nvec = (uint16_t)(dev->num_queues + 1),
		.ctx = fn,
	};
	const struct vpci_cap_hooks hooks = { .read = fn_cfg_read, .write = fn_cfg_write,
					      .opaque = fn };
	struct virtio_pci_cap_body caps[VIRTIO_PCI_NUM_CAPS];
	struct virtio_pci_ids ids;
	unsigned int ncaps;
	int ret;

	fn->p = p;
	fn->dev = dev;
	dev->mem = &p->virtq_mem;
	if (irq.nvec > VPCI_MSIX_MAX_VECTORS)
		return -E2BIG;
	ret = virtio_pci_init(&fn->vp, dev, &irq);
	if (ret < 0)
		return ret;
	virtio_pci_get_ids(&fn->vp, &ids);
	vpci_dev_init(&fn->pci,
		      &(struct vpci_id){ .vendor = ids.vendor, .device = ids.device,
					 .subsys_vendor = ids.subsys_vendor, .subsys = ids.subsys,
					 .revision = ids.revision, .class_code = ids.class_code },
		      fn_bar_access, fn, true);
	ret = vpci_dev_set_bar(&fn->pci, VIRTIO_PCI_BAR_NOTIFY_IO, VPCI_BAR_IO,
			       virtio_pci_io_bar_size(&fn->vp), false);
	if (!ret)
		ret = vpci_dev_set_bar(&fn->pci, VIRTIO_PCI_BAR_MSIX, VPCI_BAR_MEM32,
				       VIRTIO_PCI_MSIX_BAR_SIZE, false);
	if (!ret)
		ret = vpci_dev_set_bar(&fn->pci, VIRTIO_PCI_BAR_REGS, VPCI_BAR_MEM64,
				       VIRTIO_PCI_REGS_BAR_SIZE, false);
	if (ret < 0)
		return ret;
	ret = vpci_dev_add_msix(&fn->pci, irq.nvec, VIRTIO_PCI_BAR_MSIX, VIRTIO_PCI_MSIX_TABLE_OFF,
				VIRTIO_PCI_MSIX_PBA_OFF);
	if (ret < 0)
		return ret;
	ncaps = virtio_pci_caps(&fn->vp, caps);
	for (unsigned int i = 0; i < ncaps; i++) {
		uint8_t body[2 + sizeof(caps[i].data)] = { 0 };

		memcpy(body + 2, caps[i].data, caps[i].len);
		if (i == VIRTIO_PCI_CAP_IDX_PCI_CFG)
			ret = vpci_dev_add_cap_hooked(&fn->pci, PCI_CAP_ID_VNDR, body,
						      2u + caps[i].len, &hooks);
		else
			ret = vpci_dev_add_cap(&fn->pci, PCI_CAP_ID_VNDR, body, 2u + caps[i].len);
		if (ret < 0)
			return ret;
	}
	return vpci_bus_add(&p->pc.pci.bus, &fn->pci, slot);
}

static int create_blk(struct partition *p, const struct boot_module *disk, char *err,
		      size_t errlen)
{
	const struct partition_config *cfg = p->cfg;
	struct virtio_blk_params bp = {
		.name = p->blk_name,
		.data = phys_to_virt(disk->phys),
		.size = disk->size,
		.readonly = cfg->disk_readonly,
		.serial = p->name,
		/* One queue per vCPU (blk-mq maps them), as many as MSI-X vectors allow. */
		.num_queues = MIN(p->vcpu_count, VPCI_MSIX_MAX_VECTORS - 1),
	};
	const char *why = NULL;
	int ret;

	snprintf(p->blk_name, sizeof(p->blk_name), "%s: virtio-blk", p->name);
	p->blk = kzalloc(sizeof(*p->blk));
	p->fn_blk = kzalloc(sizeof(*p->fn_blk));
	if (!p->blk || !p->fn_blk) {
		snprintf(err, errlen, "out of memory for its disk");
		return -ENOMEM;
	}
	ret = virtio_blk_init(p->blk, &bp, &why);
	if (ret < 0) {
		snprintf(err, errlen, "disk %s: %s", cfg->disk, why ? why : strerror(ret));
		return ret;
	}
	ret = fn_attach(p, p->fn_blk, &p->blk->dev, VIRTIO_SLOT_BLK);
	if (ret < 0) {
		snprintf(err, errlen, "cannot put disk %s on its PCI bus: %s", cfg->disk,
			 strerror(ret));
		return ret;
	}
	pr_info("partition '%s': disk %s (%lu MiB%s) on virtio-blk 00:%02x.0, %u queue(s)\n",
		p->name, cfg->disk, disk->size >> 20, cfg->disk_readonly ? ", read-only" : "",
		VIRTIO_SLOT_BLK, bp.num_queues);
	return 0;
}

static int create_net(struct partition *p, char *err, size_t errlen)
{
	const struct partition_config *cfg = p->cfg;
	struct vswitch *sw = net_switch_get(cfg->net_switch);
	uint8_t mac[ETH_ALEN];
	int ret;

	if (!sw) {
		snprintf(err, errlen, "cannot create switch '%s': out of memory", cfg->net_switch);
		return -ENOMEM;
	}
	if (cfg->has_mac)
		memcpy(mac, cfg->mac, ETH_ALEN);
	else
		net_mac_from_name(p->name, mac);
	ret = net_switch_check_mac(sw, mac, err, errlen);
	if (ret < 0)
		return ret;
	snprintf(p->net_name, sizeof(p->net_name), "%s: virtio-net", p->name);
	p->net = kzalloc(sizeof(*p->net));
	p->fn_net = kzalloc(sizeof(*p->fn_net));
	if (!p->net || !p->fn_net) {
		snprintf(err, errlen, "out of memory for its NIC");
		return -ENOMEM;
	}
	ret = virtio_net_init(p->net, p->name, mac, sw, &p->virtq_mem, net_switch_clock);
	if (ret < 0) {
		snprintf(err, errlen, "switch '%s' has no free port (%u)", sw->name, sw->nports);
		return ret;
	}
	/* The device's log name, not the port's (which is the partition's name). */
	p->net->dev.name = p->net_name;
	ret = fn_attach(p, p->fn_net, &p->net->dev, VIRTIO_SLOT_NET);
	if (ret < 0) {
		snprintf(err, errlen, "cannot put its NIC on its PCI bus: %s", strerror(ret));
		return ret;
	}
	pr_info("partition '%s': NIC %02x:%02x:%02x:%02x:%02x:%02x on switch '%s' "
		"(virtio-net 00:%02x.0)\n",
		p->name, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], sw->name,
		VIRTIO_SLOT_NET);
	return 0;
}

int vmm_virtio_create(struct partition *p, const struct boot_module *disk, char *err,
		      size_t errlen)
{
	int ret = 0;

	p->virtq_mem = (struct virtq_mem_ops){
		.read = ram_read, .write = ram_write, .in_ram = ram_in, .map = ram_map, .ctx = p,
	};
	if (disk)
		ret = create_blk(p, disk, err, errlen);
	if (!ret && p->cfg->net_switch[0])
		ret = create_net(p, err, errlen);
	return ret;
}

static struct virtio_fn *fns(struct partition *p, unsigned int i)
{
	return i == 0 ? p->fn_blk : i == 1 ? p->fn_net : NULL;
}

#define FN_COUNT 2

void vmm_virtio_reset(struct partition *p)
{
	for (unsigned int i = 0; i < FN_COUNT; i++)
		if (fns(p, i))
			virtio_pci_reset(&fns(p, i)->vp);
	vpci_bus_reset(&p->pc.pci.bus);
}

static void report_net(struct partition *p)
{
	const struct virtio_net_stats *s = &p->net->stats;
	const struct vswitch_port_stats *ps = &p->net->port.stats;

	pr_info("partition '%s': NIC: tx %lu packets (%lu KiB, %lu bad), rx %lu packets (%lu KiB), "
		"%lu dropped, %lu without a buffer; switch port: %lu in, %lu out, %lu filtered, "
		"%lu malformed\n",
		p->name, s->tx_packets, s->tx_bytes >> 10, s->tx_errors, s->rx_packets,
		s->rx_bytes >> 10, s->rx_dropped, s->rx_no_buffer, ps->rx_packets, ps->tx_packets,
		ps->drop_filtered, ps->drop_malformed);
}

void vmm_virtio_report(struct partition *p)
{
	struct virtio_blk_stats s;

	if (p->net)
		report_net(p);
	if (!p->blk)
		return;
	virtio_blk_stats(p->blk, &s);
	pr_info("partition '%s': disk: %lu reads (%lu KiB), %lu writes (%lu KiB), %lu flushes, "
		"%lu discards, %lu write-zeroes, %lu I/O errors, %lu unsupported\n",
		p->name, s.reads, s.bytes_read >> 10, s.writes, s.bytes_written >> 10, s.flushes,
		s.discards, s.write_zeroes, s.ioerr, s.unsupp);
}

void vmm_virtio_destroy(struct partition *p)
{
	/*
	 * A partition refused at creation, or deleted: no vCPU of its runs, and
	 * the port leaves the switch only once no sender can still reach it.
	 */
	if (p->net && p->net->port.sw)
		vswitch_remove_port(p->net->port.sw, &p->net->port);
	kfree(p->fn_net);
	kfree(p->net);
	p->fn_net = NULL;
	p->net = NULL;
	kfree(p->fn_blk);
	kfree(p->blk);
	p->fn_blk = NULL;
	p->blk = NULL;
}
