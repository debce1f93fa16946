/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Plinth's serial console input: what is typed on it goes to the emulated
 * UART (COM1) of the partition that has the console, with the Ctrl-A
 * commands of vmm/include/vmm/console_escape.h moving the console between
 * partitions and Plinth. Which partition has it at boot is the [plinth]
 * key console (default: the first partition), so a user at `make run` and
 * a test typing into the guest land at the guest's console at once.
 *
 * It runs as the poll of a service, called by the service poller thread on
 * CPU 0, which runs no vCPUs (kernel/main.c): Plinth drives no host
 * interrupt line for its UART, so the input is polled, every 10 ms while nothing is
 * typed and every millisecond while input flows or waits for the guest.
 * The 16550's FIFO holds 16 bytes, so a paste faster than that on real
 * hardware can lose bytes; under Bochs the emulated UART takes the next
 * byte only once the FIFO is read, and nothing is lost.
 *
 * What a guest has not taken yet waits here, in a queue per partition (up
 * to ROUTER_PENDING_MAX bytes, the rest is dropped and counted): the
 * guest's UART takes at most 16 bytes at a time (1 without its FIFO), as
 * its receiver has room. Bytes typed for one partition stay its own when
 * the console moves on.
 *
 * Partitions come and go at run time (vmm/include/vmm/lifecycle.h): the
 * focus and the queues follow slots of partition_get(), numbered for the
 * user in slot order, and a queue belongs to the partition it was filled
 * for (by id), so a slot's next tenant never reads its predecessor's input.
 * Only a running partition is handed input; the others' queues wait.
 * The management agent's console streams type into the same queues
 * (vmm/console_router.h).
 */
#include <plinth/config.h>
#include <plinth/console.h>
#include <plinth/log.h>
#include <plinth/service.h>
#include <plinth/string.h>
#include <plinth/time.h>
#include <vmm/console_escape.h>
#include <vmm/lifecycle.h>
#include <vmm/console_router.h>
#include <vmm/partition.h>

#define ROUTER_IDLE_POLL_NS (10 * NSEC_PER_MSEC)
#define ROUTER_BUSY_POLL_NS (1 * NSEC_PER_MSEC)
/* After the last typed byte, poll fast this long: the rest of a line is on its way. */
#define ROUTER_BUSY_HOLD_NS (200 * NSEC_PER_MSEC)
#define ROUTER_PENDING_MAX 256
#define ROUTER_NO_FOCUS -1

/* What was typed for one partition and its UART has not taken yet. */
struct input_queue {
	uint8_t buf[ROUTER_PENDING_MAX];
	size_t len;
	uint64_t dropped; /* bytes that found the queue full, since the last report */
	bool waiting;     /* its UART holds bytes the guest has not read: keep ticking it */
	uint64_t owner;   /* the id of the partition it holds input for */
};

static struct {
	const struct plinth_config *cfg;
	int focus; /* slot for partition_get(), or ROUTER_NO_FOCUS: Plinth only */
	struct console_escape esc;
	struct input_queue queue[CONFIG_MAX_PARTITIONS];
	uint64_t busy_until;
} router;

static unsigned int partition_total(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < CONFIG_MAX_PARTITIONS; i++)
		n += partition_get(i) != NULL;
	return n;
}

/* The slot of the n-th partition (from 0, in slot order), or ROUTER_NO_FOCUS. */
static int nth_slot(unsigned int n)
{
	for (unsigned int i = 0; i < CONFIG_MAX_PARTITIONS; i++)
		if (partition_get(i) && !n--)
			return (int)i;
	return ROUTER_NO_FOCUS;
}

/* Its number for the user: 1 + how many partitions sit in earlier slots. */
static unsigned int number_of(int slot)
{
	unsigned int n = 1;

	for (int i = 0; i < slot; i++)
		n += partition_get((unsigned int)i) != NULL;
	return n;
}

/* The next occupied slot after @slot, wrapping; ROUTER_NO_FOCUS when there is none. */
static int next_slot(int slot)
{
	for (int k = 1; k <= CONFIG_MAX_PARTITIONS; k++) {
		int i = (slot + k + CONFIG_MAX_PARTITIONS) % CONFIG_MAX_PARTITIONS;

		if (partition_get((unsigned int)i))
			return i;
	}
	return ROUTER_NO_FOCUS;
}

static void focus_on(int index)
{
	struct partition *old = router.focus == ROUTER_NO_FOCUS ? NULL :
				partition_get((unsigned int)router.focus);

	/* Raw output follows the focus; a line left open by the old one starts afresh. */
	if (old)
		__atomic_store_n(&old->console_raw, false, __ATOMIC_RELAXED);
	if (index != ROUTER_NO_FOCUS && !partition_get((unsigned int)index))
		index = ROUTER_NO_FOCUS;
	router.focus = index;
	if (index != ROUTER_NO_FOCUS && router.cfg->console_raw)
		__atomic_store_n(&partition_get((unsigned int)index)->console_raw, true,
				 __ATOMIC_RELAXED);
	if (index == ROUTER_NO_FOCUS)
		pr_info("console: input goes to Plinth only (Ctrl-A h: help)\n");
	else
		pr_info("console: input goes to partition %u '%s' (Ctrl-A h: help)\n",
			number_of(index), partition_get((unsigned int)index)->name);
}

static void help(void)
{
	char list[160];
	size_t len = 0;

	list[0] = '\0';
	for (unsigned int n = 0; n < 9 && nth_slot(n) != ROUTER_NO_FOCUS && len < sizeof(list); n++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, " %u %s", n + 1,
					partition_get((unsigned int)nth_slot(n))->name);
	pr_info("console: %s; partitions:%s\n", console_escape_help, len ? list : " none");
}

/* Every partition exists once the services start: where input goes at boot. */
static void console_start(void)
{
	const char *want = router.cfg ? router.cfg->console : "";
	int index = ROUTER_NO_FOCUS;

	console_escape_init(&router.esc);
	if (!partition_total())
		return;
	if (!want[0]) {
		index = nth_slot(0);
	} else if (strcmp(want, CONFIG_CONSOLE_PLINTH)) {
		struct partition *p = partition_find(want);

		if (p)
			index = (int)p->slot;
		if (index == ROUTER_NO_FOCUS)
			pr_warn("console: partition '%s' does not run\n", want);
	}
	focus_on(index);
}

/* A queue filled for a partition that has gone starts empty for the slot's new one. */
static void own(struct input_queue *q, const struct partition *p)
{
	if (q->owner == p->id)
		return;
	q->len = 0;
	q->dropped = 0;
	q->waiting = false;
	q->owner = p->id;
}

static void queue(uint8_t c)
{
	struct input_queue *q;

	if (router.focus == ROUTER_NO_FOCUS || router.focus >= CONFIG_MAX_PARTITIONS ||
	    !partition_get((unsigned int)router.focus))
		return;
	q = &router.queue[router.focus];
	own(q, partition_get((unsigned int)router.focus));
	if (q->len == ROUTER_PENDING_MAX) {
		q->dropped++;
		return;
	}
	q->buf[q->len++] = c;
}

static void command(const struct console_cmd *cmd)
{
	unsigned int total = partition_total();

	switch (cmd->action) {
	case CONSOLE_NONE:
		break;
	case CONSOLE_INPUT:
		queue(cmd->byte);
		break;
	case CONSOLE_NEXT:
		focus_on(next_slot(router.focus));
		break;
	case CONSOLE_PLINTH:
		focus_on(ROUTER_NO_FOCUS);
		break;
	case CONSOLE_SELECT:
		if (cmd->index <= total)
			focus_on(cmd->index ? nth_slot(cmd->index - 1) : ROUTER_NO_FOCUS);
		else
			pr_info("console: there is no partition %u (%u running)\n", cmd->index,
				total);
		break;
	case CONSOLE_HELP:
		help();
		break;
	case CONSOLE_UNKNOWN:
		pr_info("console: Ctrl-A %#x is no command (Ctrl-A h: help)\n", cmd->byte);
		break;
	}
}

/* Hands the partition's UART what it has room for; true while bytes wait for its guest. */
static bool deliver(struct partition *p, struct input_queue *q)
{
	size_t n;

	enum partition_state st = __atomic_load_n(&p->state, __ATOMIC_ACQUIRE);

	own(q, p);
	if (st == PARTITION_READY)
		return false; /* kept for its first start */
	if (st != PARTITION_RUNNING) {
		q->len = 0;
		q->waiting = false;
		return false;
	}
	spin_lock(&p->uart_lock);
	n = vuart16550_rx_push(&p->uart, q->buf, q->len);
	/* The character timeout for bytes below the FIFO's trigger level, for an idle guest. */
	if (vuart16550_rx_pending(&p->uart))
		vuart16550_tick(&p->uart);
	q->waiting = vuart16550_rx_pending(&p->uart);
	spin_unlock(&p->uart_lock);
	memmove(q->buf, q->buf + n, q->len - n);
	q->len -= n;
	if (q->dropped) {
		pr_warn("console: partition '%s' reads its console too slowly: %lu typed bytes "
			"dropped\n", p->name, q->dropped);
		q->dropped = 0;
	}
	return q->waiting || q->len;
}

/* Every partition keeps what was typed for it, also after the console has moved on. */
static bool deliver_all(void)
{
	bool busy = false;
	struct partition *p;

	for (unsigned int i = 0; i < CONFIG_MAX_PARTITIONS; i++) {
		struct input_queue *q = &router.queue[i];

		p = partition_get(i);
		if (p && (q->len || q->waiting || q->dropped))
			busy |= deliver(p, q);
	}
	return busy;
}

size_t console_router_input(struct partition *p, const void *buf, size_t len)
{
	struct input_queue *q;
	size_t n;

	if (p->slot >= CONFIG_MAX_PARTITIONS || partition_get(p->slot) != p)
		return 0;
	q = &router.queue[p->slot];
	own(q, p);
	/* Unlike the serial console's bytes, these are not dropped: the agent holds the rest. */
	n = MIN(len, ROUTER_PENDING_MAX - q->len);
	memcpy(q->buf + q->len, buf, n);
	q->len += n;
	router.busy_until = time_ns() + ROUTER_BUSY_HOLD_NS;
	return n;
}

static uint64_t console_poll(void)
{
	uint8_t in[64];
	uint64_t now = time_ns();
	size_t n;

	/*
	 * No partition yet: the serial input waits, but the poll goes on, since
	 * one may be created at run time and typed into (console_router_input)
	 * with nothing else to wake this poller.
	 */
	if (!partition_total())
		return ROUTER_IDLE_POLL_NS;
	while ((n = console_input_read(in, sizeof(in))) > 0) {
		for (size_t i = 0; i < n; i++) {
			struct console_cmd cmd = console_escape_feed(&router.esc, in[i]);

			command(&cmd);
		}
		router.busy_until = now + ROUTER_BUSY_HOLD_NS;
	}
	if (deliver_all() || now < router.busy_until)
		return ROUTER_BUSY_POLL_NS;
	return ROUTER_IDLE_POLL_NS;
}

static int console_create(const struct plinth_config *cfg, const struct boot_info *bi)
{
	(void)bi;
	router.cfg = cfg;
	router.focus = ROUTER_NO_FOCUS;
	return 0;
}

/* The console never keeps a test run going. */
static unsigned int console_active(void)
{
	return 0;
}

PLINTH_SERVICE(console) = {
	.name = "console",
	.create = console_create,
	.start = console_start,
	.active = console_active,
	.poll = console_poll,
};
