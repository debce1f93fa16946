// SPDX-License-Identifier: GPL-2.0
/*
 * Intel 8254 PIT (vmm/include/vmm/dev/pit8254.h). Each counter keeps the
 * time it started counting and the ticks it had counted before that (a gate
 * pause in modes 0 and 4); its count and output at any moment follow from
 * the elapsed ticks by arithmetic, never by stepping.
 */
#include <vmm/dev/pit8254.h>
#include <vmm/dev/ticks.h>

/* Control word (port 0x43). */
#define CW_SELECT(v) (((v) >> 6) & 3)
#define CW_ACCESS(v) (((v) >> 4) & 3)
#define CW_MODE(v) (((v) >> 1) & 7)
#define CW_BCD 0x01
#define CW_READ_BACK 3 /* select field value of the read-back command */
#define RB_NO_COUNT 0x20 /* read-back: active low "latch count" */
#define RB_NO_STATUS 0x10 /* read-back: active low "latch status" */
#define ACCESS_LATCH 0
#define ACCESS_LSB 1
#define ACCESS_MSB 2
#define ACCESS_WORD 3
#define STATUS_OUT 0x80
#define STATUS_NULL_COUNT 0x40

static uint32_t modulus(const struct pit_counter *c)
{
	return c->bcd ? 10000 : 65536;
}

static uint16_t to_bcd(uint32_t v)
{
	return (uint16_t)((v / 1000 % 10) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | v % 10);
}

/* Nibbles above 9 are not BCD; the chip's behaviour is undefined, so any value will do. */
static uint32_t from_bcd(uint16_t v)
{
	return ((v >> 12) * 1000 + ((v >> 8) & 15) * 100 + ((v >> 4) & 15) * 10 + (v & 15)) % 10000;
}

static uint64_t elapsed_ticks(const struct pit_counter *c, uint64_t now)
{
	if (!c->counting || now <= c->start_ns)
		return c->ticks_base;
	return c->ticks_base + dev_ns_to_ticks(now - c->start_ns, PIT_HZ);
}

/* A counter counting down from n by one, t ticks later, as the chip shows it (mod 2^16 or 10^4). */
static uint32_t count_down(const struct pit_counter *c, uint64_t t)
{
	uint32_t m = modulus(c);

	return (c->reload % m + m - (uint32_t)(t % m)) % m;
}

static bool is_periodic(const struct pit_counter *c)
{
	return c->mode == 2 || c->mode == 3;
}

/* Modes 1 and 5 count only once a gate edge has triggered them. */
static bool is_gate_triggered(const struct pit_counter *c)
{
	return c->mode == 1 || c->mode == 5;
}

static bool is_started(const struct pit_counter *c)
{
	return is_gate_triggered(c) ? c->triggered : c->loaded;
}

/* The count register (binary, 0 standing for the modulus) and the output at now. */
static void counter_state(const struct pit_counter *c, uint64_t now, uint32_t *count, bool *out)
{
	uint64_t t = elapsed_ticks(c, now);
	uint32_t n = c->reload;

	if (!is_started(c)) {
		/* Only mode 0 drives its output low from the control word on. */
		*count = n % modulus(c);
		*out = c->mode != 0;
		return;
	}
	switch (c->mode) {
	case 0:
	case 1:
		*count = count_down(c, t);
		*out = t >= n;
		break;
	case 2: {
		uint32_t p = (uint32_t)(t % n);

		*count = (n - p) % modulus(c);
		/* Low for the one tick at count 1; a low gate forces it high. */
		*out = !c->gate || p != n - 1;
		break;
	}
	case 3: {
		uint32_t high = (n + 1) / 2;
		uint32_t p = (uint32_t)(t % n);
		uint32_t q = p < high ? p : p - high;

		/* Counts down by two through each half period. */
		*count = ((n & ~1u) - 2 * q) % modulus(c);
		*out = !c->gate || p < high;
		break;
	}
	default: /* 4 and 5: a one-tick low strobe at the terminal count */
		*count = count_down(c, t);
		*out = t != n;
		break;
	}
}

/* Rising output edges since the counter (re)started; the strobe modes count their terminal count. */
static uint64_t edges(const struct pit_counter *c, uint64_t now)
{
	uint64_t t;

	if (!is_started(c))
		return 0;
	t = elapsed_ticks(c, now);
	if (is_periodic(c))
		return t / c->reload;
	return t >= c->reload ? 1 : 0;
}

static uint16_t shown_count(const struct pit_counter *c, uint64_t now)
{
	uint32_t count;
	bool out;

	counter_state(c, now, &count, &out);
	return c->bcd ? to_bcd(count) : (uint16_t)count;
}

static void counter_reset(struct pit_counter *c)
{
	c->loaded = false;
	c->triggered = false;
	c->counting = false;
	c->ticks_base = 0;
	c->edges_done = 0;
	c->write_msb = false;
	c->read_msb = false;
	c->count_latched = false;
	c->status_latched = false;
}

void pit_init(struct pit *pit, const struct dev_clock *clock, const struct dev_irq *irq0)
{
	*pit = (struct pit){ .clock = *clock };
	if (irq0)
		pit->irq0 = *irq0;
	for (unsigned int i = 0; i < PIT_NR_COUNTERS; i++) {
		struct pit_counter *c = &pit->c[i];

		counter_reset(c);
		c->reload = 65536;
		c->access = ACCESS_WORD;
		/* Counter 2's gate is port 0x61 bit 0, which resets to 0. */
		c->gate = i != 2;
	}
}

static void latch_count(struct pit_counter *c, uint64_t now)
{
	if (c->count_latched)
		return; /* a second latch before the first is read is ignored */
	c->latched = shown_count(c, now);
	c->count_latched = true;
}

static void latch_status(struct pit_counter *c, uint64_t now)
{
	uint32_t count;
	bool out;

	if (c->status_latched)
		return;
	counter_state(c, now, &count, &out);
	c->status = (out ? STATUS_OUT : 0) | (c->null_count ? STATUS_NULL_COUNT : 0) |
		    c->access << 4 | c->mode << 1 | (c->bcd ? CW_BCD : 0);
	c->status_latched = true;
}

static void write_control(struct pit *pit, uint8_t v, uint64_t now)
{
	unsigned int sel = CW_SELECT(v);
	struct pit_counter *c;

	if (sel == CW_READ_BACK) {
		for (unsigned int i = 0; i < PIT_NR_COUNTERS; i++) {
			if (!(v & (2u << i)))
				continue;
			/* Status first: a read after latching both returns it before the count. */
			if (!(v & RB_NO_STATUS))
				latch_status(&pit->c[i], now);
			if (!(v & RB_NO_COUNT))
				latch_count(&pit->c[i], now);
		}
		return;
	}
	c = &pit->c[sel];
	if (CW_ACCESS(v) == ACCESS_LATCH) {
		latch_count(c, now);
		return;
	}
	counter_reset(c);
	c->access = CW_ACCESS(v);
	/* Modes 6 and 7 are the chip's aliases of 2 and 3. */
	c->mode = CW_MODE(v) > 5 ? CW_MODE(v) - 4 : CW_MODE(v);
	c->bcd = v & CW_BCD;
	c->null_count = true;
}

static void load_count(struct pit_counter *c, uint16_t raw, uint64_t now)
{
	uint32_t n = c->bcd ? from_bcd(raw) : raw;

	c->reload = n ? n : modulus(c);
	c->loaded = true;
	c->null_count = false;
	c->ticks_base = 0;
	c->edges_done = 0;
	c->start_ns = now;
	if (is_gate_triggered(c)) {
		/* Waits for the next rising gate edge. */
		c->triggered = false;
		c->counting = false;
	} else {
		c->counting = c->gate;
	}
}

static void write_count(struct pit_counter *c, uint8_t v, uint64_t now)
{
	switch (c->access) {
	case ACCESS_LSB:
		load_count(c, v, now);
		break;
	case ACCESS_MSB:
		load_count(c, (uint16_t)(v << 8), now);
		break;
	default:
		if (!c->write_msb) {
			c->write_lsb = v;
			c->write_msb = true;
			/* In mode 0 the first byte already stops the count (datasheet). */
			if (c->mode == 0 && c->loaded) {
				c->loaded = false;
				c->counting = false;
			}
			break;
		}
		c->write_msb = false;
		load_count(c, (uint16_t)(c->write_lsb | v << 8), now);
		break;
	}
}

static uint8_t read_count(struct pit_counter *c, uint64_t now)
{
	uint16_t v;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	v = c->count_latched ? c->latched : shown_count(c, now);
	switch (c->access) {
	case ACCESS_LSB:
		c->count_latched = false;
		return (uint8_t)v;
	case ACCESS_MSB:
		c->count_latched = false;
		return (uint8_t)(v >> 8);
	default:
		if (!c->read_msb) {
			c->read_msb = true;
			return (uint8_t)v;
		}
		c->read_msb = false;
		c->count_latched = false;
		return (uint8_t)(v >> 8);
	}
}

static void set_gate(struct pit_counter *c, bool gate, uint64_t now)
{
	if (gate == c->gate)
		return;
	c->gate = gate;
	if (!c->loaded)
		return;
	if (gate) {
		c->start_ns = now;
		/* Modes 0 and 4 resume where they paused; the others start over. */
		if (c->mode != 0 && c->mode != 4) {
			c->ticks_base = 0;
			c->edges_done = 0;
		}
		if (is_gate_triggered(c))
			c->triggered = true;
		c->counting = true;
	} else if (!is_gate_triggered(c)) {
		/* Modes 0, 2, 3 and 4 stop; modes 1 and 5 ignore the gate's level. */
		c->ticks_base = elapsed_ticks(c, now);
		c->counting = false;
	}
}

uint8_t pit_read(struct pit *pit, uint16_t port)
{
	uint64_t now = dev_clock_ns(&pit->clock);
	uint32_t count;
	bool out;

	switch (port) {
	case PIT_PORT_COUNTER0:
	case PIT_PORT_COUNTER1:
	case PIT_PORT_COUNTER2:
		return read_count(&pit->c[port - PIT_PORT_COUNTER0], now);
	case PIT_PORT_SYS_CTRL:
		counter_state(&pit->c[2], now, &count, &out);
		return pit->sys_ctrl | (out ? PIT_SYS_OUT2 : 0) |
		       ((now / PIT_REFRESH_HALF_NS) & 1 ? PIT_SYS_REFRESH : 0);
	default:
		/* The control register is write-only. */
		return 0xff;
	}
}

void pit_write(struct pit *pit, uint16_t port, uint8_t value)
{
	uint64_t now = dev_clock_ns(&pit->clock);

	/* An edge that is already due belongs to the old programming: deliver it first. */
	if (port == PIT_PORT_COUNTER0 || port == PIT_PORT_CONTROL)
		pit_update(pit, now);
	switch (port) {
	case PIT_PORT_COUNTER0:
	case PIT_PORT_COUNTER1:
	case PIT_PORT_COUNTER2:
		write_count(&pit->c[port - PIT_PORT_COUNTER0], value, now);
		break;
	case PIT_PORT_CONTROL:
		write_control(pit, value, now);
		break;
	case PIT_PORT_SYS_CTRL:
		pit->sys_ctrl = value & PIT_SYS_WRITABLE;
		set_gate(&pit->c[2], value & PIT_SYS_GATE2, now);
		break;
	default:
		break;
	}
}

uint64_t pit_next_event_ns(const struct pit *pit)
{
	const struct pit_counter *c = &pit->c[0];
	uint64_t tick, ns;

	if (!c->counting || !is_started(c))
		return UINT64_MAX;
	if (is_periodic(c))
		tick = (c->edges_done + 1) * c->reload;
	else if (c->edges_done)
		return UINT64_MAX;
	else
		tick = c->reload;
	if (tick <= c->ticks_base)
		return c->start_ns;
	ns = dev_ticks_to_ns(tick - c->ticks_base, PIT_HZ);
	return ns > UINT64_MAX - c->start_ns ? UINT64_MAX : c->start_ns + ns;
}

uint64_t pit_update(struct pit *pit, uint64_t now_ns)
{
	struct pit_counter *c = &pit->c[0];
	uint64_t e = edges(c, now_ns);
	uint64_t n;

	if (e <= c->edges_done)
		return 0;
	n = e - c->edges_done;
	c->edges_done = e;
	dev_irq_set(&pit->irq0, true);
	dev_irq_set(&pit->irq0, false);
	return n;
}
