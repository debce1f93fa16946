// SPDX-License-Identifier: GPL-2.0
/*
 * The PC platform devices of a partition (vmm/include/vmm/pc_devices.h):
 * the vmm/dev/ models behind their fixed ports, one lock for all of them,
 * their interrupt lines on the I/O APIC, their timers polled by vCPU 0, and
 * what their reset and power-off registers do to the partition.
 */
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/string.h>
#include <plinth/time.h>
#include <vmm/dev/calendar.h>
#include <vmm/io_bus.h>
#include <vmm/irq.h>
#include <vmm/partition.h>
#include <vmm/pc_devices.h>

/* Guest oddities (unknown i8042 commands, refused sleep states) logged per partition. */
#define REPORT_LIMIT 8
/* What the RTC shows when the firmware had no clock: 2000-01-01 00:00:00. */
#define RTC_FALLBACK_UNIX 946684800

enum pc_dev {
	PC_DEV_PIC,
	PC_DEV_PIT,
	PC_DEV_KBC,
	PC_DEV_RTC,
	PC_DEV_RESET,
	PC_DEV_ELCR,
	PC_DEV_POST,
	PC_DEV_PM,
	PC_DEV_PCI, /* 0xcf8-0xcff, split by pc_cf8_decode() */
};

struct pc_port_desc {
	uint16_t base;
	uint16_t size;
	enum pc_dev dev;
	const char *name;
};

static const struct pc_port_desc pc_ports[] = {
	{ PIC_MASTER_PORT, 2, PC_DEV_PIC, "pic-master" },
	{ PIC_SLAVE_PORT, 2, PC_DEV_PIC, "pic-slave" },
	{ PIT_PORT_COUNTER0, 4, PC_DEV_PIT, "pit" },
	{ PIT_PORT_SYS_CTRL, 1, PC_DEV_PIT, "port-b" },
	{ I8042_DATA_PORT, 1, PC_DEV_KBC, "i8042-data" },
	{ I8042_CMD_PORT, 1, PC_DEV_KBC, "i8042-cmd" },
	{ RTC_PORT_INDEX, 2, PC_DEV_RTC, "rtc" },
	{ RESET_CTL_PORT_A, 1, PC_DEV_RESET, "port-a" },
	{ PC_ELCR_PORT, PC_ELCR_LEN, PC_DEV_ELCR, "elcr" },
	{ PC_POST_PORT, 1, PC_DEV_POST, "post" },
	{ ACPI_PM1A_EVT_PORT, ACPI_PM1A_EVT_LEN, PC_DEV_PM, "pm1a-evt" },
	{ ACPI_PM1A_CNT_PORT, ACPI_PM1A_CNT_LEN, PC_DEV_PM, "pm1a-cnt" },
	{ ACPI_PM_TMR_PORT, ACPI_PM_TMR_LEN, PC_DEV_PM, "pm-tmr" },
	/* Through 0xcff: a byte at 0xcf9 is reset control, decoded per access. */
	{ PCI_CONFIG_ADDRESS_PORT, 8, PC_DEV_PCI, "pci-host" },
};
_Static_assert(ARRAY_SIZE(pc_ports) == PC_PORT_RANGES, "one pc_port_range per port range");

static struct pc_devices *pc_of(struct partition *p)
{
	return &p->pc;
}

static bool may_report(struct pc_devices *pc)
{
	if (pc->reports >= REPORT_LIMIT)
		return false;
	pc->reports++;
	return true;
}

/* Callbacks from the models: they run under pc.lock, inside a port access. */

static void request_reset(struct partition *p, const char *why)
{
	struct pc_devices *pc = pc_of(p);

	if (pc->action == PC_ACTION_NONE) {
		pc->action = PC_ACTION_REBOOT;
		pc->action_why = why;
	}
}

static void kbc_reset(void *ctx)
{
	request_reset(ctx, "the i8042's reset line");
}

static void kbc_unknown(void *ctx, uint8_t cmd)
{
	struct partition *p = ctx;

	if (may_report(pc_of(p)))
		pr_warn("partition '%s': i8042 command %#x is not implemented, ignored\n", p->name,
			cmd);
}

static void reset_ctl_cb(void *ctx, enum reset_ctl_kind kind)
{
	static const char *const why[] = {
		[RESET_CTL_SOFT] = "port 0xcf9 (soft reset)",
		[RESET_CTL_HARD] = "port 0xcf9 (hard reset)",
		[RESET_CTL_FULL] = "port 0xcf9 (full reset)",
		[RESET_CTL_FAST] = "port 0x92 (INIT_NOW fast reset)",
	};

	request_reset(ctx, (unsigned int)kind < ARRAY_SIZE(why) ? why[kind] : "reset control");
}

static void pm_power_off(void *ctx)
{
	struct pc_devices *pc = pc_of(ctx);

	pc->action = PC_ACTION_POWER_OFF;
}

static void pic_unmasked(void *ctx, unsigned int irq)
{
	struct partition *p = ctx;

	pr_warn("partition '%s': guest unmasked 8259 IRQ %u; the 8259s deliver nothing, "
		"interrupts come through the I/O APIC\n", p->name, irq);
}

/* The earliest device event; under the lock. */
static uint64_t next_event(const struct pc_devices *pc)
{
	uint64_t next = pit_next_event_ns(&pc->pit);

	next = MIN(next, rtc_cmos_next_event_ns(&pc->rtc));
	return MIN(next, acpi_pm_next_event_ns(&pc->pm));
}

/*
 * After anything that may have armed a timer, under the lock. vCPU 0 reads
 * next_ns before every entry and every halt, so it only needs a kick when
 * the event moved earlier than what it may be waiting on.
 */
static uint64_t rearm(struct partition *p)
{
	struct pc_devices *pc = pc_of(p);
	uint64_t next = next_event(pc), old = pc->next_ns;

	__atomic_store_n(&pc->next_ns, next, __ATOMIC_SEQ_CST);
	if (next < old && p->vcpus[0])
		vcpu_kick(p->vcpus[0]);
	return next;
}

uint64_t vmm_pc_devices_update(struct partition *p, uint64_t now_ns)
{
	struct pc_devices *pc = pc_of(p);
	uint64_t next;

	spin_lock(&pc->lock);
	pit_update(&pc->pit, now_ns);
	rtc_cmos_update(&pc->rtc, now_ns);
	acpi_pm_update(&pc->pm, now_ns);
	next = next_event(pc);
	__atomic_store_n(&pc->next_ns, next, __ATOMIC_SEQ_CST);
	spin_unlock(&pc->lock);
	return next;
}

/* Byte-wide devices: an access of size bytes is size byte cycles, as on the ISA bus. */
static uint8_t byte_read(struct pc_devices *pc, enum pc_dev dev, uint16_t port)
{
	switch (dev) {
	case PC_DEV_PIC:
		return pic8259_read(&pc->pic, port);
	case PC_DEV_PIT:
		return pit_read(&pc->pit, port);
	case PC_DEV_KBC:
		return i8042_read(&pc->kbc, port);
	case PC_DEV_RTC:
		return rtc_cmos_read(&pc->rtc, port);
	case PC_DEV_RESET:
		return reset_ctl_read(&pc->rst, port);
	case PC_DEV_ELCR:
		return (uint8_t)(pc->elcr >> (8 * (port - PC_ELCR_PORT)));
	case PC_DEV_POST:
		return pc->post;
	default:
		return 0xff;
	}
}

static void byte_write(struct pc_devices *pc, enum pc_dev dev, uint16_t port, uint8_t v)
{
	switch (dev) {
	case PC_DEV_PIC:
		pic8259_write(&pc->pic, port, v);
		break;
	case PC_DEV_PIT:
		pit_write(&pc->pit, port, v);
		break;
	case PC_DEV_KBC:
		i8042_write(&pc->kbc, port, v);
		break;
	case PC_DEV_RTC:
		rtc_cmos_write(&pc->rtc, port, v);
		break;
	case PC_DEV_RESET:
		reset_ctl_write(&pc->rst, port, v);
		break;
	case PC_DEV_ELCR: {
		unsigned int shift = 8 * (port - PC_ELCR_PORT);
		uint16_t mask = (uint16_t)(0xff << shift) & PC_ELCR_WRITABLE;

		/* Stored for the guest to read back: the I/O APIC's RTEs decide the trigger. */
		pc->elcr = (uint16_t)((pc->elcr & ~mask) | ((v << shift) & mask));
		break;
	}
	case PC_DEV_POST:
		pc->post = v;
		break;
	default:
		break;
	}
}

static void pci_access(struct partition *p, uint16_t port, unsigned int size, bool write,
		       uint64_t *value)
{
	struct pc_devices *pc = pc_of(p);

	switch (pc_cf8_decode(port, size)) {
	case PC_CF8_PCI:
		if (write)
			pci_host_write(&pc->pci, port, size, (uint32_t)*value);
		else
			*value = pci_host_read(&pc->pci, port, size);
		break;
	case PC_CF8_RESET:
		if (write)
			reset_ctl_write(&pc->rst, port, (uint8_t)*value);
		else
			*value = reset_ctl_read(&pc->rst, port);
		break;
	default:
		/* Bytes and words at 0xcf8-0xcfb go to no device on a PC chipset. */
		if (!write)
			*value = 0xffffffff;
		break;
	}
}

static void pm_access(struct partition *p, uint16_t port, unsigned int size, bool write,
		      uint64_t *value)
{
	struct pc_devices *pc = pc_of(p);

	if (!write) {
		*value = acpi_pm_read(&pc->pm, port, size);
		return;
	}
	if (acpi_pm_write(&pc->pm, port, size, (uint32_t)*value) == -ENOTSUP && may_report(pc))
		pr_warn("partition '%s': sleep state SLP_TYP %u refused: only S5 (power off) "
			"exists\n", p->name,
			(unsigned int)((pc->pm.cnt & ACPI_PM1_SLP_TYP_MASK) >> ACPI_PM1_SLP_TYP_SHIFT));
}

/* Asks vCPU 0 to reboot the partition, as a vCPU that hit EXIT_REBOOT would (vcpu.c). */
static void request_reboot(struct vcpu *v)
{
	struct partition *p = v->part;

	/* An AP parks in the reboot (join_reboot) only once vCPU 0 is told one is on. */
	if (v->index)
		__atomic_store_n(&p->rebooting, true, __ATOMIC_RELEASE);
	vcpu_request(p->vcpus[0], VCPU_REQ_REBOOT);
	if (v->index)
		vcpu_request(v, VCPU_REQ_REBOOT);
}

static int pc_port_access(struct vcpu *v, void *opaque, uint64_t off, unsigned int size,
			  bool write, uint64_t *value)
{
	const struct pc_port_range *r = opaque;
	const struct pc_port_desc *d = r->desc;
	struct partition *p = r->p;
	struct pc_devices *pc = pc_of(p);
	uint16_t port = (uint16_t)(d->base + off);
	enum pc_action action;
	const char *why;
	uint64_t in = 0;

	spin_lock(&pc->lock);
	if (d->dev == PC_DEV_PCI) {
		pci_access(p, port, size, write, value);
	} else if (d->dev == PC_DEV_PM) {
		pm_access(p, port, size, write, value);
	} else {
		for (unsigned int i = 0; i < size; i++) {
			bool mine = off + i < d->size;

			if (write && mine)
				byte_write(pc, d->dev, (uint16_t)(port + i), (uint8_t)(*value >> (8 * i)));
			else if (!write)
				in |= (uint64_t)(mine ? byte_read(pc, d->dev, (uint16_t)(port + i)) : 0xff)
				      << (8 * i);
		}
		if (!write)
			*value = in;
	}
	if (d->dev == PC_DEV_PIT || d->dev == PC_DEV_RTC || d->dev == PC_DEV_PM)
		rearm(p);
	action = pc->action;
	why = pc->action_why;
	pc->action = PC_ACTION_NONE;
	spin_unlock(&pc->lock);

	if (action == PC_ACTION_POWER_OFF) {
		partition_stop(p, 0, "guest powered off (ACPI S5)");
	} else if (action == PC_ACTION_REBOOT) {
		pr_info("partition '%s': guest reset through %s\n", p->name, why);
		request_reboot(v);
	}
	return 0;
}

static const struct io_dev_ops pc_port_ops = { .access = pc_port_access };

struct dev_irq vmm_pc_irq(struct partition *p, enum pc_irq_source src)
{
	return vmm_irq_line(&pc_of(p)->lines[src], p, pc_irq_routes[src].gsi);
}

/* Seconds since 1970 the firmware's clock shows now; its fields go through the RTC's calendar. */
static int64_t wall_clock_now(void)
{
	struct boot_wall_clock w;
	struct cal_time t;
	uint64_t read_ns;

	if (!time_wall_clock(&w, &read_ns))
		return RTC_FALLBACK_UNIX;
	t = (struct cal_time){ .year = w.year, .month = w.month, .day = w.day, .hour = w.hour,
			       .min = w.minute, .sec = w.second };
	return cal_to_unix(&t) + (int64_t)((time_ns() - read_ns) / NSEC_PER_SEC);
}

/* Every model at power-on; the RTC shows unix_secs. Under the lock, or before any vCPU runs. */
static void models_init(struct partition *p, int64_t unix_secs)
{
	struct pc_devices *pc = pc_of(p);
	struct dev_irq pit_irq = vmm_pc_irq(p, PC_IRQ_PIT), rtc_irq = vmm_pc_irq(p, PC_IRQ_RTC);
	struct dev_irq sci = vmm_pc_irq(p, PC_IRQ_SCI);
	struct acpi_pm_config pm = {
		.evt_port = ACPI_PM1A_EVT_PORT,
		.cnt_port = ACPI_PM1A_CNT_PORT,
		.tmr_port = ACPI_PM_TMR_PORT,
		.power_off = pm_power_off,
		.ctx = p,
	};
	struct i8042_config kbc = {
		.kbd_irq = vmm_pc_irq(p, PC_IRQ_KBD),
		.aux_irq = vmm_pc_irq(p, PC_IRQ_AUX),
		.reset = kbc_reset,
		.unknown = kbc_unknown,
		.ctx = p,
	};
	struct reset_ctl_config rst = { .reset = reset_ctl_cb, .ctx = p };

	pit_init(&pc->pit, &vmm_device_clock, &pit_irq);
	rtc_cmos_init(&pc->rtc, &vmm_device_clock, &rtc_irq, unix_secs);
	acpi_pm_init(&pc->pm, &pm, &vmm_device_clock, &sci);
	i8042_init(&pc->kbc, &kbc);
	reset_ctl_init(&pc->rst, &rst);
	pic8259_init(&pc->pic, pic_unmasked, p);
	pc->elcr = pc_elcr_power_on();
	pc->post = 0;
	pc->action = PC_ACTION_NONE;
	/* Lines a model held when it was reset are released with it. */
	for (unsigned int i = 0; i < PC_IRQ_COUNT; i++)
		if (i != PC_IRQ_COM1)
			vmm_irq_set_gsi(p, pc_irq_routes[i].gsi, false);
	__atomic_store_n(&pc->next_ns, next_event(pc), __ATOMIC_SEQ_CST);
}

int vmm_pc_devices_init(struct partition *p)
{
	struct pc_devices *pc = pc_of(p);
	int ret;

	spin_lock_init(&pc->lock);
	models_init(p, wall_clock_now());
	for (unsigned int i = 0; i < PC_PORT_RANGES; i++) {
		const struct pc_port_desc *d = &pc_ports[i];

		pc->ranges[i] = (struct pc_port_range){ .p = p, .desc = d };
		ret = io_bus_register(&p->bus, IO_SPACE_PORT, d->base, d->size, &pc_port_ops,
				      &pc->ranges[i], d->name);
		if (ret < 0) {
			pr_err("partition '%s': cannot place device %s: %s\n", p->name, d->name,
			       strerror(ret));
			return ret;
		}
	}
	return 0;
}

void vmm_pc_devices_reset(struct partition *p)
{
	struct pc_devices *pc = pc_of(p);
	uint8_t nvram[RTC_CMOS_SIZE];
	int64_t secs;

	spin_lock(&pc->lock);
	/* The RTC and its NVRAM are battery backed: a reset keeps the time and the bytes. */
	secs = rtc_cmos_time(&pc->rtc);
	memcpy(nvram, pc->rtc.cmos, sizeof(nvram));
	models_init(p, secs);
	for (unsigned int i = 0; i < RTC_CMOS_SIZE; i++)
		rtc_cmos_set_nvram(&pc->rtc, (uint8_t)i, nvram[i]);
	spin_unlock(&pc->lock);
}
