/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The registry of Plinth's network devices. Devices register at boot, from
 * the PCI probe on the boot CPU or from a service's create hook, and are
 * never removed, so readers walk the list without a lock.
 */
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/netdev.h>
#include <plinth/spinlock.h>
#include <plinth/string.h>

static struct netdev *netdevs;
static unsigned int eth_count;
static spinlock_t netdev_lock = SPINLOCK_INIT;

struct netdev *netdev_first(void)
{
	return __atomic_load_n(&netdevs, __ATOMIC_ACQUIRE);
}

struct netdev *netdev_find(const char *name)
{
	for (struct netdev *nd = netdev_first(); nd; nd = nd->next)
		if (!strcmp(nd->name, name))
			return nd;
	return NULL;
}

static int add(struct netdev *nd)
{
	struct netdev **pp = &netdevs;

	if (netdev_find(nd->name))
		return -EEXIST;
	while (*pp)
		pp = &(*pp)->next;
	nd->next = NULL;
	__atomic_store_n(pp, nd, __ATOMIC_RELEASE);
	return 0;
}

static void log_added(const struct netdev *nd)
{
	const uint8_t *m = nd->mac;

	pr_info("net: %s: %s%s%s, MAC %02x:%02x:%02x:%02x:%02x:%02x, link %s%s%s\n", nd->name,
		nd->driver, nd->bus_id[0] ? " at " : "", nd->bus_id, m[0], m[1], m[2], m[3],
		m[4], m[5], nd->link_up ? "up" : "down",
		nd->features & NETDEV_F_TX_CSUM ? ", tx checksum offload" : "",
		nd->features & NETDEV_F_RX_CSUM ? ", rx checksum offload" : "");
}

int netdev_register_named(struct netdev *nd, const char *name)
{
	int ret;

	if (!nd || !nd->ops || !name || !name[0] || strlen(name) >= NETDEV_NAME_MAX)
		return -EINVAL;
	spin_lock(&netdev_lock);
	strlcpy(nd->name, name, sizeof(nd->name));
	if (!nd->mtu)
		nd->mtu = NETDEV_MTU;
	ret = add(nd);
	spin_unlock(&netdev_lock);
	if (!ret)
		log_added(nd);
	return ret;
}

int netdev_register(struct netdev *nd)
{
	char name[NETDEV_NAME_MAX];
	unsigned int n;

	spin_lock(&netdev_lock);
	n = eth_count++;
	spin_unlock(&netdev_lock);
	snprintf(name, sizeof(name), "eth%u", n);
	return netdev_register_named(nd, name);
}

int netdev_claim(struct netdev *nd)
{
	bool expected = false;

	if (!__atomic_compare_exchange_n(&nd->claimed, &expected, true, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return -EBUSY;
	return 0;
}

void netdev_set_link(struct netdev *nd, bool up)
{
	if (nd->link_up == up)
		return;
	nd->link_up = up;
	pr_info("net: %s: link %s\n", nd->name, up ? "up" : "down");
}
