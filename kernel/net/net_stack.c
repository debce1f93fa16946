/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Plinth's own network interface: lwIP (NO_SYS) on one thread on the
 * service CPU, over one network device (plinth/netdev.h): a NIC Plinth
 * drives, or a virtual switch's host port when [net] names a switch, so one
 * NIC serves Plinth and the guests. The thread polls the device when its
 * interrupt wakes it and runs lwIP's timers; nothing else touches lwIP.
 */
#include <asm/cpu.h>
#include <plinth/agent.h>
#include <plinth/config.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/netdev.h>
#include <plinth/sched.h>
#include <plinth/service.h>
#include <plinth/spinlock.h>
#include <plinth/string.h>
#include <plinth/time.h>
#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/etharp.h"
#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"
#include "net_internal.h"

#define POLL_BUDGET 64
/* How long a full transmit ring may hold a frame up before it is dropped. */
#define TX_RETRY_US 20000
#define DHCP_SLOW_MS 5000

static struct {
	struct net_config cfg;
	bool selftest, test_exit, no_partitions;
	struct netdev *nd;
	struct netif netif;
	struct thread *thread;
	uint8_t tx_frame[NETDEV_FRAME_MAX];
	uint64_t started_ns;
	bool dhcp_slow_logged;
	uint32_t logged_addr;
	/* Frames received during one poll, handed to lwIP once it returns. */
	struct pbuf *rxq[POLL_BUDGET];
	unsigned int rxq_len;
} net;

static void wake(void *ctx)
{
	(void)ctx;
	if (net.thread)
		sched_wake(net.thread);
}

/*
 * Called from inside nd->ops->poll: the frame is only queued. lwIP answers
 * what it gets (ACKs, ARP), and a transmit into a full ring polls the device
 * to reclaim it; doing that from inside the device's own poll would nest
 * the driver in itself, under a ring it may be resetting.
 */
static void rx_frame(void *ctx, const void *frame, size_t len, const struct netdev_rx_meta *meta)
{
	struct pbuf *p;

	(void)ctx;
	(void)meta;
	if (len > 0xffff || net.rxq_len == POLL_BUDGET) {
		net.nd->stats.rx_dropped++;
		return;
	}
	p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
	if (!p) {
		net.nd->stats.rx_dropped++;
		return;
	}
	pbuf_take(p, frame, (u16_t)len);
	net.rxq[net.rxq_len++] = p;
}

/* Polls the device for at most @budget frames, then feeds them to lwIP. */
static unsigned int poll_device(unsigned int budget)
{
	unsigned int got = net.nd->ops->poll(net.nd, budget);

	/* By rxq_len each time: a frame queued meanwhile goes in too. */
	for (unsigned int i = 0; i < net.rxq_len; i++)
		if (net.netif.input(net.rxq[i], &net.netif) != ERR_OK)
			pbuf_free(net.rxq[i]);
	net.rxq_len = 0;
	return got;
}

static err_t link_output(struct netif *netif, struct pbuf *p)
{
	struct netdev *nd = net.nd;
	uint64_t give_up;
	int ret;

	(void)netif;
	if (p->tot_len > sizeof(net.tx_frame)) {
		nd->stats.tx_dropped++;
		return ERR_IF;
	}
	pbuf_copy_partial(p, net.tx_frame, p->tot_len, 0);
	ret = nd->ops->xmit(nd, net.tx_frame, p->tot_len, NULL);
	give_up = time_ns() + TX_RETRY_US * NSEC_PER_USEC;
	/* A full ring drains as the device sends; budget 0 reclaims without receiving. */
	while (ret == -EAGAIN && time_ns() < give_up) {
		nd->ops->poll(nd, 0);
		cpu_relax();
		ret = nd->ops->xmit(nd, net.tx_frame, p->tot_len, NULL);
	}
	if (ret < 0) {
		nd->stats.tx_dropped++;
		return ret == -EAGAIN ? ERR_MEM : ERR_IF;
	}
	return ERR_OK;
}

static err_t netif_setup(struct netif *netif)
{
	netif->name[0] = 'p';
	netif->name[1] = 'l';
	netif->output = etharp_output;
	netif->linkoutput = link_output;
	netif->mtu = net.nd->mtu;
	netif->hwaddr_len = ETH_HWADDR_LEN;
	memcpy(netif->hwaddr, net.nd->mac, ETH_HWADDR_LEN);
	netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
	netif_set_hostname(netif, "plinth");
	return ERR_OK;
}

static unsigned int prefix_len(uint32_t mask)
{
	unsigned int n = 0;

	for (; mask; mask <<= 1)
		n += !!(mask & 0x80000000u);
	return n;
}

#define IP4_ARGS(a) ((a) >> 24) & 0xff, ((a) >> 16) & 0xff, ((a) >> 8) & 0xff, (a) & 0xff

/* Host byte order, as struct net_config keeps addresses. */
static uint32_t host_order(const ip4_addr_t *a)
{
	return lwip_ntohl(ip4_addr_get_u32(a));
}

static void status_changed(struct netif *netif)
{
	uint32_t addr = host_order(netif_ip4_addr(netif));
	uint32_t gw = host_order(netif_ip4_gw(netif));
	uint32_t mask = host_order(netif_ip4_netmask(netif));
	const ip_addr_t *dns = dns_getserver(0);
	uint32_t d = dns ? host_order(ip_2_ip4(dns)) : 0;

	if (!addr || addr == net.logged_addr)
		return;
	net.logged_addr = addr;
	if (dhcp_supplied_address(netif))
		pr_info("net: %s: DHCP lease %u.%u.%u.%u/%u gateway %u.%u.%u.%u dns %u.%u.%u.%u "
			"(%u s)\n", net.nd->name, IP4_ARGS(addr), prefix_len(mask), IP4_ARGS(gw),
			IP4_ARGS(d), (unsigned int)netif_dhcp_data(netif)->offered_t0_lease);
	else
		pr_info("net: %s: static address %u.%u.%u.%u/%u gateway %u.%u.%u.%u dns %u.%u.%u.%u\n",
			net.nd->name, IP4_ARGS(addr), prefix_len(mask), IP4_ARGS(gw), IP4_ARGS(d));
	/* The management agent dials out once there is an address to dial from. */
	agent_net_up(net.nd->mac);
}

static void ip4_from_host(ip4_addr_t *a, uint32_t host)
{
	ip4_addr_set_u32(a, lwip_htonl(host));
}

static void bring_up(void)
{
	ip4_addr_t addr, mask, gw;
	ip_addr_t dns;

	ip4_addr_set_zero(&addr);
	ip4_addr_set_zero(&mask);
	ip4_addr_set_zero(&gw);
	if (!net.cfg.dhcp) {
		ip4_from_host(&addr, net.cfg.address);
		ip4_from_host(&mask, net.cfg.netmask);
		ip4_from_host(&gw, net.cfg.gateway);
	}
	if (!net.cfg.dhcp && net.cfg.dns) {
		ip_addr_set_ip4_u32(&dns, lwip_htonl(net.cfg.dns));
		dns_setserver(0, &dns);
	}
	netif_add(&net.netif, &addr, &mask, &gw, NULL, netif_setup, ethernet_input);
	netif_set_status_callback(&net.netif, status_changed);
	netif_set_default(&net.netif);
	netif_set_up(&net.netif);
	if (net.nd->link_up)
		netif_set_link_up(&net.netif);
	if (net.cfg.dhcp)
		dhcp_start(&net.netif);
	else
		status_changed(&net.netif);
}

static void follow_link(void)
{
	bool up = net.nd->link_up;

	if (up != !!netif_is_link_up(&net.netif)) {
		if (up)
			netif_set_link_up(&net.netif);
		else
			netif_set_link_down(&net.netif);
	}
	if (net.cfg.dhcp && !dhcp_supplied_address(&net.netif) && !net.dhcp_slow_logged &&
	    time_ns() - net.started_ns > DHCP_SLOW_MS * NSEC_PER_MSEC) {
		net.dhcp_slow_logged = true;
		pr_warn("net: %s: no DHCP answer yet (link %s)\n", net.nd->name, up ? "up" : "down");
	}
}

static void net_thread(void *arg)
{
	struct netdev *nd = net.nd;
	int ret;

	(void)arg;
	lwip_init();
	nd->rx = rx_frame;
	nd->notify = wake;
	ret = nd->ops->open(nd);
	if (ret < 0) {
		pr_err("net: %s: cannot be opened (%s); networking off\n", nd->name, strerror(ret));
		return;
	}
	net.started_ns = time_ns();
	bring_up();
	if (net.selftest)
		net_echo_start();
	for (;;) {
		unsigned int got = poll_device(POLL_BUDGET);
		u32_t sleep_ms;

		follow_link();
		sys_check_timeouts();
		if (got == POLL_BUDGET) {
			/* More may be waiting: let CPU 0's other threads in, then go on. */
			sched_yield();
			continue;
		}
		sleep_ms = sys_timeouts_sleeptime();
		sched_block(sleep_ms == SYS_TIMEOUTS_SLEEPTIME_INFINITE ? 0 :
			    rdtsc() + (uint64_t)sleep_ms * tsc_hz() / 1000 + 1);
	}
}

/* The device [net] names, or the first one nobody else took. */
static struct netdev *pick_device(void)
{
	const char *want = net.cfg.sw[0] ? net.cfg.sw : net.cfg.nic;
	struct netdev *nd;

	if (want[0]) {
		nd = netdev_find(want);
		if (!nd)
			pr_err(net.cfg.sw[0] ? "net: switch '%s' has no host port; networking off\n" :
					       "net: no network device '%s'; networking off\n",
			       want);
		else if (netdev_claim(nd) < 0) {
			pr_err("net: %s is taken (a switch's uplink?); networking off\n", want);
			nd = NULL;
		}
		return nd;
	}
	for (nd = netdev_first(); nd; nd = nd->next)
		if (netdev_claim(nd) == 0)
			return nd;
	pr_info("net: no network device; networking off\n");
	return NULL;
}

static int net_create(const struct plinth_config *cfg, const struct boot_info *bi)
{
	(void)bi;
	net.cfg = cfg->net;
	if (!cfg->net.present)
		net.cfg.dhcp = true;
	net.selftest = cfg->selftest;
	net.test_exit = cfg->test_exit;
	net.no_partitions = !cfg->partition_count;
	return 0;
}

static void net_start(void)
{
	const struct thread_spec spec = {
		.name = "net",
		.fn = net_thread,
		.cpu = SCHED_SERVICE_CPU,
	};

	net.nd = pick_device();
	if (!net.nd)
		return;
	net.thread = thread_create(&spec);
	if (!net.thread || thread_start(net.thread) < 0) {
		pr_err("net: cannot start the network thread; networking off\n");
		net.thread = NULL;
	}
}

/*
 * A test run ends when its partitions have stopped. One with no partitions,
 * only the network under test, ends when the test asks over TCP port 8.
 */
static unsigned int net_active(void)
{
	return net.thread && net.selftest && net.test_exit && net.no_partitions &&
	       !net_test_exit_requested();
}

PLINTH_SERVICE(net) = {
	.name = "net",
	.create = net_create,
	.start = net_start,
	.active = net_active,
};
