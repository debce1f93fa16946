// SPDX-License-Identifier: GPL-2.0
/*
 * L2 learning bridge (see vswitch.h). The MAC table is written by every
 * sender, so it sits behind one lock; the lock covers only the learn and
 * the lookup of one frame, and deliveries run after it is dropped, so a
 * slow receiver never stalls the other senders' learning.
 */
#include <plinth/errno.h>
#include <plinth/string.h>
#include <vmm/net/vswitch.h>

static void stat_add(uint64_t *c, uint64_t v)
{
	__atomic_fetch_add(c, v, __ATOMIC_RELAXED);
}

static void copy_name(char *dst, const char *src)
{
	size_t i = 0;

	for (; src && src[i] && i < VSWITCH_NAME_MAX - 1; i++)
		dst[i] = src[i];
	dst[i] = '\0';
}

void vswitch_init(struct vswitch *sw, const char *name)
{
	memset(sw, 0, sizeof(*sw));
	copy_name(sw->name, name);
	sw->ageing_ns = VSWITCH_AGEING_NS;
	spin_lock_init(&sw->lock);
}

void vswitch_set_ageing(struct vswitch *sw, uint64_t ageing_ns)
{
	spin_lock(&sw->lock);
	sw->ageing_ns = ageing_ns;
	spin_unlock(&sw->lock);
}

int vswitch_add_port(struct vswitch *sw, struct vswitch_port *p, const char *name,
		     const struct vswitch_port_ops *ops)
{
	if (sw->nports >= VSWITCH_MAX_PORTS)
		return -ENOSPC;
	memset(p, 0, sizeof(*p));
	copy_name(p->name, name);
	p->ops = ops;
	p->sw = sw;
	p->index = sw->nports;
	__atomic_store_n(&sw->ports[sw->nports], p, __ATOMIC_RELEASE);
	/* The port is complete before a sender can count it. */
	__atomic_store_n(&sw->nports, sw->nports + 1, __ATOMIC_RELEASE);
	return 0;
}

void vswitch_port_set_mac(struct vswitch_port *p, const uint8_t mac[ETH_ALEN])
{
	memcpy(p->mac, mac, ETH_ALEN);
	p->has_mac = true;
}

struct vswitch_port *vswitch_port_with_mac(struct vswitch *sw, const uint8_t mac[ETH_ALEN])
{
	for (unsigned int i = 0; i < sw->nports; i++)
		if (sw->ports[i]->has_mac && eth_mac_equal(sw->ports[i]->mac, mac))
			return sw->ports[i];
	return NULL;
}

/*
 * Waits until every sender that may still see the old port array is done:
 * new senders count themselves under the other epoch, so the wait ends
 * even while frames keep flowing.
 */
static void quiesce(struct vswitch *sw)
{
	unsigned int old = __atomic_fetch_xor(&sw->epoch, 1, __ATOMIC_SEQ_CST) & 1;

	while (__atomic_load_n(&sw->inflight[old], __ATOMIC_SEQ_CST))
		__builtin_ia32_pause();
}

void vswitch_remove_port(struct vswitch *sw, struct vswitch_port *p)
{
	unsigned int i, n = sw->nports;

	for (i = 0; i < n && sw->ports[i] != p; i++)
		;
	if (i == n)
		return;
	spin_lock(&sw->lock);
	for (; i + 1 < n; i++) {
		__atomic_store_n(&sw->ports[i], sw->ports[i + 1], __ATOMIC_RELEASE);
		sw->ports[i]->index = i;
	}
	__atomic_store_n(&sw->ports[n - 1], NULL, __ATOMIC_RELEASE);
	__atomic_store_n(&sw->nports, n - 1, __ATOMIC_RELEASE);
	/* Learned entries hold port indices, which just moved: forget them all. */
	memset(sw->table, 0, sizeof(sw->table));
	spin_unlock(&sw->lock);
	quiesce(sw);
	p->sw = NULL;
}

/* FNV-1a over the six bytes: guests choose MACs, so mix them all. */
unsigned int vswitch_mac_bucket(const uint8_t mac[ETH_ALEN])
{
	uint32_t h = 2166136261u;

	for (int i = 0; i < ETH_ALEN; i++) {
		h ^= mac[i];
		h *= 16777619u;
	}
	return (h ^ h >> 16) % VSWITCH_MAC_BUCKETS;
}

/*
 * Whether e is still valid at now. A sender's clock may trail the one that
 * stamped e by a little (per-CPU reads): an entry from the "future" is fresh.
 */
static bool fresh(const struct vswitch *sw, const struct vswitch_mac_entry *e, uint64_t now)
{
	return e->used && (now < e->seen_ns || now - e->seen_ns <= sw->ageing_ns);
}

static struct vswitch_mac_entry *bucket_of(struct vswitch *sw, const uint8_t *mac)
{
	return &sw->table[vswitch_mac_bucket(mac) * VSWITCH_MAC_WAYS];
}

/* Under sw->lock. */
static struct vswitch_mac_entry *find(struct vswitch *sw, const uint8_t *mac, uint64_t now)
{
	struct vswitch_mac_entry *b = bucket_of(sw, mac);

	for (int i = 0; i < VSWITCH_MAC_WAYS; i++)
		if (fresh(sw, &b[i], now) && eth_mac_equal(b[i].mac, mac))
			return &b[i];
	return NULL;
}

/* Under sw->lock: mac is behind port at now (a moved MAC just moves). */
static void learn(struct vswitch *sw, const uint8_t *mac, unsigned int port, uint64_t now)
{
	struct vswitch_mac_entry *b = bucket_of(sw, mac), *e = find(sw, mac, now), *victim;

	if (!e) {
		victim = &b[0];
		for (int i = 0; i < VSWITCH_MAC_WAYS; i++) {
			if (!fresh(sw, &b[i], now)) {
				victim = &b[i];
				break;
			}
			if (b[i].seen_ns < victim->seen_ns)
				victim = &b[i];
		}
		e = victim;
		memcpy(e->mac, mac, ETH_ALEN);
		e->used = true;
	}
	e->port = (uint8_t)port;
	e->seen_ns = now;
}

int vswitch_lookup(struct vswitch *sw, const uint8_t mac[ETH_ALEN], uint64_t now_ns)
{
	struct vswitch_mac_entry *e;
	int port;

	spin_lock(&sw->lock);
	e = find(sw, mac, now_ns);
	port = e ? e->port : -ENOENT;
	spin_unlock(&sw->lock);
	return port;
}

static bool deliver(struct vswitch_port *p, const struct net_frame *f)
{
	int err = p->ops->deliver(p, f);

	if (!err) {
		stat_add(&p->stats.tx_packets, 1);
		stat_add(&p->stats.tx_bytes, f->len);
		return true;
	}
	stat_add(err == -ENOBUFS ? &p->stats.drop_no_buffer : &p->stats.drop_filtered, 1);
	return false;
}

static int forward(struct vswitch *sw, struct vswitch_port *ingress, const struct net_frame *f,
		   uint64_t now_ns)
{
	const uint8_t *dst, *src;
	struct vswitch_mac_entry *e;
	struct vswitch_port *p;
	int out = -1, delivered = 0;
	unsigned int n;

	if (f->len < ETH_HLEN || f->len > NET_FRAME_MAX || eth_is_multicast(f->data + ETH_ALEN)) {
		stat_add(&ingress->stats.drop_malformed, 1);
		return -EINVAL;
	}
	stat_add(&ingress->stats.rx_packets, 1);
	stat_add(&ingress->stats.rx_bytes, f->len);
	dst = f->data;
	src = f->data + ETH_ALEN;

	spin_lock(&sw->lock);
	learn(sw, src, ingress->index, now_ns);
	if (!eth_is_multicast(dst)) {
		e = find(sw, dst, now_ns);
		if (e)
			out = e->port;
	}
	spin_unlock(&sw->lock);

	/*
	 * The array may be shifting under a port's removal: ports are compared
	 * by address, never by index, so a frame never goes back to its ingress.
	 */
	n = __atomic_load_n(&sw->nports, __ATOMIC_ACQUIRE);
	p = out >= 0 && (unsigned int)out < n ? __atomic_load_n(&sw->ports[out], __ATOMIC_ACQUIRE)
					       : NULL;
	if (p == ingress) {
		/* Both ends behind one port: the segment already carried it. */
		stat_add(&ingress->stats.drop_filtered, 1);
		return 0;
	}
	if (p)
		return deliver(p, f) ? 1 : 0;
	for (unsigned int i = 0; i < n; i++) {
		p = __atomic_load_n(&sw->ports[i], __ATOMIC_ACQUIRE);
		if (p && p != ingress && deliver(p, f))
			delivered++;
	}
	return delivered;
}

int vswitch_forward(struct vswitch *sw, struct vswitch_port *ingress, const struct net_frame *f,
		    uint64_t now_ns)
{
	/* Counted before the ports are read: vswitch_remove_port() waits for it (quiesce()). */
	unsigned int e = __atomic_load_n(&sw->epoch, __ATOMIC_SEQ_CST) & 1;
	int ret;

	__atomic_fetch_add(&sw->inflight[e], 1, __ATOMIC_SEQ_CST);
	ret = forward(sw, ingress, f, now_ns);
	__atomic_fetch_sub(&sw->inflight[e], 1, __ATOMIC_RELEASE);
	return ret;
}
