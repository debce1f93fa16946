// SPDX-License-Identifier: GPL-2.0
/*
 * The virtual switches and what connects them beyond the partitions
 * (vmm/include/vmm/net_wiring.h): a [switch NAME] section's uplink NIC
 * and Plinth's own interface. Everything is set up in the service's create
 * hook, after the NIC drivers registered their devices (pci_init) and
 * before any service starts: Plinth's stack picks its device, possibly a
 * host port made here, in its start hook, and no frame flows before the
 * partitions start, so the switches' port arrays are complete by then.
 */
#include <asm/cpu.h>
#include <plinth/config.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/mm.h>
#include <plinth/netdev.h>
#include <plinth/sched.h>
#include <plinth/service.h>
#include <plinth/string.h>
#include <plinth/time.h>
#include <vmm/net/host_port.h>
#include <vmm/net/uplink.h>
#include <vmm/net_wiring.h>

/* Enough for a burst of TSO segments (64 KiB is 45 of them) from a few guests. */
#define UPLINK_SLOTS 256
#define HOST_PORT_SLOTS 128
#define UPLINK_BUDGET 64
/* How soon to retry when frames wait on a full NIC ring that may not interrupt. */
#define UPLINK_RETRY_US 200

/* One switch per partition, one per [switch] section, one for [net]: never full. */
#define MAX_SWITCHES (CONFIG_MAX_PARTITIONS + CONFIG_MAX_SWITCHES + 1)

static struct vswitch *switches[MAX_SWITCHES];
static unsigned int switch_count;

struct uplink_thread {
	struct uplink u;
	struct thread *thread;
};

static struct uplink_thread *uplinks[CONFIG_MAX_SWITCHES];
static unsigned int uplink_count;

uint64_t net_switch_clock(void)
{
	return time_ns();
}

struct vswitch *net_switch_get(const char *name)
{
	struct vswitch *sw;

	for (unsigned int i = 0; i < switch_count; i++)
		if (!strcmp(switches[i]->name, name))
			return switches[i];
	if (switch_count == MAX_SWITCHES)
		return NULL;
	sw = kzalloc(sizeof(*sw));
	if (!sw)
		return NULL;
	vswitch_init(sw, name);
	pr_info("switch '%s' created\n", name);
	switches[switch_count++] = sw;
	return sw;
}

int net_switch_check_mac(struct vswitch *sw, const uint8_t mac[ETH_ALEN], char *err,
			 size_t errlen)
{
	const struct vswitch_port *o = vswitch_port_with_mac(sw, mac);

	if (!o)
		return 0;
	snprintf(err, errlen, "MAC %02x:%02x:%02x:%02x:%02x:%02x is already on switch '%s' (%s)",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], sw->name, o->name);
	return -EEXIST;
}

static void uplink_wake(void *ctx)
{
	struct uplink_thread *t = ctx;

	if (t->thread)
		sched_wake(t->thread);
}

static void uplink_thread_fn(void *arg)
{
	struct uplink_thread *t = arg;
	struct uplink *u = &t->u;
	int ret = uplink_open(u);

	if (ret < 0) {
		pr_err("switch '%s': uplink %s cannot be opened (%s); the switch stays internal\n",
		       u->sw->name, u->nic->name, strerror(ret));
		return;
	}
	if (!u->promisc)
		pr_warn("switch '%s': uplink %s has no promiscuous mode: partitions get only "
			"broadcasts from outside\n", u->sw->name, u->nic->name);
	else
		pr_info("switch '%s': uplink %s open, promiscuous\n", u->sw->name, u->nic->name);
	for (;;) {
		if (uplink_service(u, UPLINK_BUDGET)) {
			sched_yield();
			continue;
		}
		sched_block(uplink_tx_pending(u) ? rdtsc() + tsc_hz() / 1000000 * UPLINK_RETRY_US
						 : 0);
	}
}

static int add_uplink(const struct switch_config *sc)
{
	struct vswitch *sw = net_switch_get(sc->name);
	struct netdev *nic = netdev_find(sc->uplink);
	struct uplink_thread *t;
	struct frame_slot *slots;
	struct thread_spec spec = { .name = "uplink", .fn = uplink_thread_fn,
				    .cpu = SCHED_SERVICE_CPU };
	int ret;

	if (!sw)
		return -ENOMEM;
	if (!nic) {
		pr_err("switch '%s': no network device '%s' for its uplink; the switch stays "
		       "internal\n", sc->name, sc->uplink);
		return -ENODEV;
	}
	if (netdev_claim(nic) < 0) {
		pr_err("switch '%s': uplink %s is taken; the switch stays internal\n", sc->name,
		       sc->uplink);
		return -EBUSY;
	}
	t = kzalloc(sizeof(*t));
	slots = kzalloc(UPLINK_SLOTS * sizeof(*slots));
	if (!t || !slots)
		goto nomem;
	ret = uplink_init(&t->u, sw, nic, slots, UPLINK_SLOTS, net_switch_clock, uplink_wake, t);
	if (ret < 0) {
		pr_err("switch '%s': no free port for uplink %s (%s)\n", sc->name, sc->uplink,
		       strerror(ret));
		kfree(slots);
		kfree(t);
		return ret;
	}
	spec.arg = t;
	t->thread = thread_create(&spec);
	if (!t->thread)
		goto nomem;
	pr_info("switch '%s': uplink %s (%s at %s, MAC %02x:%02x:%02x:%02x:%02x:%02x)\n",
		sc->name, nic->name, nic->driver, nic->bus_id, nic->mac[0], nic->mac[1],
		nic->mac[2], nic->mac[3], nic->mac[4], nic->mac[5]);
	uplinks[uplink_count++] = t;
	return 0;
nomem:
	/* Set-up only: nothing has the port yet, so it may go. */
	if (t && t->u.sw)
		vswitch_remove_port(sw, &t->u.port);
	kfree(slots);
	kfree(t);
	pr_err("switch '%s': out of memory for uplink %s\n", sc->name, sc->uplink);
	return -ENOMEM;
}

static const struct uplink *uplink_of(const struct vswitch *sw)
{
	for (unsigned int i = 0; i < uplink_count; i++)
		if (uplinks[i]->u.sw == sw)
			return &uplinks[i]->u;
	return NULL;
}

/*
 * Plinth's interface on switch name: the uplink NIC's MAC, so the network
 * outside sees the one address it would see without the switch (as vmk0
 * takes its vmnic's), or one derived from the name on a switch without one.
 */
static int add_host_port(const char *name)
{
	struct vswitch *sw = net_switch_get(name);
	const struct uplink *u;
	struct host_port *hp;
	struct frame_slot *slots;
	uint8_t mac[ETH_ALEN];
	char err[96], seed[CONFIG_NAME_MAX + 8];
	int ret;

	if (!sw)
		return -ENOMEM;
	u = uplink_of(sw);
	if (u) {
		memcpy(mac, u->nic->mac, ETH_ALEN);
	} else {
		snprintf(seed, sizeof(seed), "plinth:%s", name);
		net_mac_from_name(seed, mac);
	}
	ret = net_switch_check_mac(sw, mac, err, sizeof(err));
	if (ret < 0) {
		pr_err("switch '%s': no interface for Plinth: %s\n", name, err);
		return ret;
	}
	hp = kzalloc(sizeof(*hp));
	slots = kzalloc(HOST_PORT_SLOTS * sizeof(*slots));
	ret = hp && slots ? host_port_init(hp, sw, "plinth", mac, slots, HOST_PORT_SLOTS,
					   net_switch_clock) : -ENOMEM;
	if (!ret) {
		ret = netdev_register_named(&hp->nd, name);
		if (ret < 0)
			vswitch_remove_port(sw, &hp->port);
	}
	if (ret < 0) {
		pr_err("switch '%s': no interface for Plinth (%s)\n", name, strerror(ret));
		kfree(slots);
		kfree(hp);
		return ret;
	}
	return 0;
}

/*
 * [net] switch = NAME puts Plinth on that switch. With neither nic nor
 * switch, Plinth takes the first switch with an uplink, as an installer's
 * default vSwitch carries the management interface.
 */
static const char *host_switch(const struct plinth_config *cfg)
{
	if (cfg->net.sw[0])
		return cfg->net.sw;
	if (cfg->net.nic[0] || !uplink_count)
		return NULL;
	return uplinks[0]->u.sw->name;
}

static int net_wiring_create(const struct plinth_config *cfg, const struct boot_info *bi)
{
	const char *hs;

	(void)bi;
	for (unsigned int i = 0; i < cfg->switch_count; i++)
		if (cfg->switches[i].uplink[0])
			add_uplink(&cfg->switches[i]);
	hs = host_switch(cfg);
	if (hs)
		add_host_port(hs);
	return 0;
}

static void net_wiring_start(void)
{
	for (unsigned int i = 0; i < uplink_count; i++)
		if (thread_start(uplinks[i]->thread) < 0)
			pr_err("switch '%s': the uplink's thread did not start\n",
			       uplinks[i]->u.sw->name);
}

static unsigned int net_wiring_active(void)
{
	return 0;
}

PLINTH_SERVICE(switches) = {
	.name = "switches",
	.create = net_wiring_create,
	.start = net_wiring_start,
	.active = net_wiring_active,
};
