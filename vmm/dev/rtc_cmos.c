// SPDX-License-Identifier: GPL-2.0
/*
 * MC146818 RTC and CMOS RAM (vmm/include/vmm/dev/rtc_cmos.h). The time
 * registers in cmos[] are rewritten from the clock before every read while
 * SET is clear, so cmos[] is only the truth for them while SET holds them.
 */
#include <vmm/dev/calendar.h>
#include <vmm/dev/rtc_cmos.h>
#include <vmm/dev/ticks.h>

#define RTC_INPUT_HZ 32768ULL /* the divider chain's input with DV = 010 */
#define SECS_PER_DAY 86400
#define RTC_A_RESET 0x26 /* 32.768 kHz divider, 1024 Hz rate: what firmware leaves */

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return b > UINT64_MAX - a ? UINT64_MAX : a + b;
}

static uint64_t mul_sat(uint64_t a, uint64_t b)
{
	return a && b > UINT64_MAX / a ? UINT64_MAX : a * b;
}

static bool frozen(const struct rtc_cmos *rtc)
{
	return rtc->cmos[RTC_REG_B] & RTC_B_SET;
}

static bool binary(const struct rtc_cmos *rtc)
{
	return rtc->cmos[RTC_REG_B] & RTC_B_DM_BINARY;
}

static uint64_t since_base(const struct rtc_cmos *rtc, uint64_t now)
{
	return now > rtc->base_ns ? now - rtc->base_ns : 0;
}

/* Whole seconds since base_ns, and the nanoseconds into the current one. */
static int64_t secs_at(const struct rtc_cmos *rtc, uint64_t now, uint64_t *frac)
{
	uint64_t d = since_base(rtc, now);

	if (frac)
		*frac = d % NSEC_PER_SEC;
	return rtc->base_secs + (int64_t)(d / NSEC_PER_SEC);
}

static uint8_t encode(const struct rtc_cmos *rtc, unsigned int v)
{
	v %= 100;
	return binary(rtc) ? (uint8_t)v : (uint8_t)((v / 10) << 4 | v % 10);
}

/* Garbage BCD (a nibble above 9) decodes to some number above 99, which is clamped later. */
static unsigned int decode(const struct rtc_cmos *rtc, uint8_t raw)
{
	return binary(rtc) ? raw : (raw >> 4) * 10u + (raw & 15);
}

static uint8_t encode_hour(const struct rtc_cmos *rtc, unsigned int h)
{
	if (rtc->cmos[RTC_REG_B] & RTC_B_24H)
		return encode(rtc, h);
	/* 12-hour: 12 AM is midnight, 12 PM noon. */
	return encode(rtc, h % 12 ? h % 12 : 12) | (h >= 12 ? RTC_HOURS_PM : 0);
}

static unsigned int decode_hour(const struct rtc_cmos *rtc, uint8_t raw)
{
	if (rtc->cmos[RTC_REG_B] & RTC_B_24H)
		return decode(rtc, raw);
	return decode(rtc, raw & ~RTC_HOURS_PM) % 12 + (raw & RTC_HOURS_PM ? 12 : 0);
}

static void show_time(struct rtc_cmos *rtc, int64_t secs)
{
	struct cal_time t;

	cal_from_unix(secs, &t);
	rtc->cmos[RTC_SECONDS] = encode(rtc, t.sec);
	rtc->cmos[RTC_MINUTES] = encode(rtc, t.min);
	rtc->cmos[RTC_HOURS] = encode_hour(rtc, t.hour);
	rtc->cmos[RTC_DAY_OF_WEEK] = encode(rtc, t.wday + 1u);
	rtc->cmos[RTC_DAY_OF_MONTH] = encode(rtc, t.day);
	rtc->cmos[RTC_MONTH] = encode(rtc, t.month);
	rtc->cmos[RTC_YEAR] = encode(rtc, t.year % 100);
	rtc->cmos[RTC_CENTURY] = encode(rtc, t.year / 100);
}

/* The time the registers say, as a guest left them. */
static int64_t regs_time(const struct rtc_cmos *rtc)
{
	struct cal_time t = {
		.year = decode(rtc, rtc->cmos[RTC_CENTURY]) * 100 + decode(rtc, rtc->cmos[RTC_YEAR]),
		.month = (uint8_t)decode(rtc, rtc->cmos[RTC_MONTH]),
		.day = (uint8_t)decode(rtc, rtc->cmos[RTC_DAY_OF_MONTH]),
		.hour = (uint8_t)decode_hour(rtc, rtc->cmos[RTC_HOURS]),
		.min = (uint8_t)decode(rtc, rtc->cmos[RTC_MINUTES]),
		.sec = (uint8_t)decode(rtc, rtc->cmos[RTC_SECONDS]),
	};

	return cal_to_unix(&t);
}

static void refresh(struct rtc_cmos *rtc, uint64_t now)
{
	if (!frozen(rtc))
		show_time(rtc, secs_at(rtc, now, NULL));
}

/* An alarm field: -1 for "any", 0xff (never matches) for a value out of range. */
static int alarm_field(const struct rtc_cmos *rtc, uint8_t reg, unsigned int limit)
{
	uint8_t raw = rtc->cmos[reg];
	unsigned int v;

	if ((raw & RTC_ALARM_DONT_CARE) == RTC_ALARM_DONT_CARE)
		return -1;
	v = reg == RTC_HOURS_ALARM ? decode_hour(rtc, raw) : decode(rtc, raw);
	return v < limit ? (int)v : 0xff;
}

/*
 * Seconds from sod (a second of the day) to the next second matching the
 * alarm, 1..86400, or 0 if none ever does. Walks hours then minutes, so at
 * most 25 * 60 steps instead of one per second of the day.
 */
static int64_t alarm_delta(const struct rtc_cmos *rtc, int64_t sod)
{
	int ah = alarm_field(rtc, RTC_HOURS_ALARM, 24);
	int am = alarm_field(rtc, RTC_MINUTES_ALARM, 60);
	int as = alarm_field(rtc, RTC_SECONDS_ALARM, 60);

	if (ah == 0xff || am == 0xff || as == 0xff)
		return 0;
	/* 25 hours: the current one, to the same hour tomorrow. */
	for (int64_t hs = sod / 3600 * 3600; hs <= sod + SECS_PER_DAY; hs += 3600) {
		if (ah >= 0 && ah != (int)(hs / 3600 % 24))
			continue;
		for (int m = 0; m < 60; m++) {
			int64_t ms = hs + m * 60;
			int64_t lo = sod + 1 > ms ? sod + 1 - ms : 0;
			int64_t s;

			if ((am >= 0 && am != m) || lo > 59)
				continue;
			if (as < 0)
				s = lo;
			else if (as >= lo)
				s = as;
			else
				continue;
			if (ms + s - sod <= SECS_PER_DAY)
				return ms + s - sod;
		}
	}
	return 0;
}

static int64_t second_of_day(int64_t secs)
{
	return (secs % SECS_PER_DAY + SECS_PER_DAY) % SECS_PER_DAY;
}

/* Periodic interrupt period in 32.768 kHz ticks; 0 for RS = 0 (off). */
static uint64_t periodic_ticks(const struct rtc_cmos *rtc)
{
	unsigned int rs = rtc->cmos[RTC_REG_A] & RTC_A_RS_MASK;

	if (rs == 0)
		return 0;
	/* RS 1 and 2 repeat the 256 and 128 Hz of RS 8 and 9 (datasheet table). */
	if (rs < 3)
		rs += 7;
	return 1ULL << (rs - 1);
}

static void update_irq(struct rtc_cmos *rtc)
{
	uint8_t c = rtc->cmos[RTC_REG_C];
	uint8_t b = rtc->cmos[RTC_REG_B];

	if (((c & RTC_C_PF) && (b & RTC_B_PIE)) || ((c & RTC_C_AF) && (b & RTC_B_AIE)) ||
	    ((c & RTC_C_UF) && (b & RTC_B_UIE)))
		rtc->cmos[RTC_REG_C] |= RTC_C_IRQF;
	if ((rtc->cmos[RTC_REG_C] & RTC_C_IRQF) && !rtc->irq_asserted) {
		rtc->irq_asserted = true;
		dev_irq_set(&rtc->irq, true);
	}
}

void rtc_cmos_update(struct rtc_cmos *rtc, uint64_t now_ns)
{
	uint64_t period = periodic_ticks(rtc);

	if (!frozen(rtc)) {
		uint64_t e = since_base(rtc, now_ns) / NSEC_PER_SEC;

		if (e > rtc->updates_done) {
			int64_t from = rtc->base_secs + (int64_t)rtc->updates_done;
			int64_t delta = alarm_delta(rtc, second_of_day(from));

			rtc->cmos[RTC_REG_C] |= RTC_C_UF;
			if (delta && (uint64_t)delta <= e - rtc->updates_done)
				rtc->cmos[RTC_REG_C] |= RTC_C_AF;
			rtc->updates_done = e;
		}
	}
	if (period && now_ns > rtc->periodic_epoch_ns) {
		uint64_t n = dev_ns_to_ticks(now_ns - rtc->periodic_epoch_ns, RTC_INPUT_HZ) / period;

		if (n > rtc->periods_done) {
			rtc->cmos[RTC_REG_C] |= RTC_C_PF;
			rtc->periods_done = n;
		}
	}
	update_irq(rtc);
}

uint64_t rtc_cmos_next_event_ns(const struct rtc_cmos *rtc)
{
	uint8_t b = rtc->cmos[RTC_REG_B];
	uint64_t period = periodic_ticks(rtc);
	uint64_t next = UINT64_MAX;

	if (rtc->irq_asserted)
		return UINT64_MAX;
	if ((b & RTC_B_PIE) && period) {
		uint64_t ticks = mul_sat(rtc->periods_done + 1, period);

		next = add_sat(rtc->periodic_epoch_ns, dev_ticks_to_ns(ticks, RTC_INPUT_HZ));
	}
	if (frozen(rtc))
		return next;
	if (b & RTC_B_UIE)
		next = MIN(next, add_sat(rtc->base_ns, mul_sat(rtc->updates_done + 1, NSEC_PER_SEC)));
	if (b & RTC_B_AIE) {
		int64_t from = rtc->base_secs + (int64_t)rtc->updates_done;
		int64_t delta = alarm_delta(rtc, second_of_day(from));

		if (delta)
			next = MIN(next, add_sat(rtc->base_ns, mul_sat(rtc->updates_done + (uint64_t)delta,
								       NSEC_PER_SEC)));
	}
	return next;
}

void rtc_cmos_init(struct rtc_cmos *rtc, const struct dev_clock *clock, const struct dev_irq *irq,
		   int64_t unix_secs)
{
	uint64_t now = dev_clock_ns(clock);

	*rtc = (struct rtc_cmos){ .clock = *clock };
	if (irq)
		rtc->irq = *irq;
	rtc->cmos[RTC_REG_A] = RTC_A_RESET;
	rtc->cmos[RTC_REG_B] = RTC_B_24H;
	rtc->cmos[RTC_REG_D] = RTC_D_VRT;
	rtc->base_secs = unix_secs;
	rtc->base_ns = now;
	rtc->periodic_epoch_ns = now;
	show_time(rtc, unix_secs);
}

static bool is_time_reg(uint8_t i)
{
	return i <= RTC_YEAR || i == RTC_CENTURY;
}

static bool is_alarm_reg(uint8_t i)
{
	return i == RTC_SECONDS_ALARM || i == RTC_MINUTES_ALARM || i == RTC_HOURS_ALARM;
}

static uint8_t read_data(struct rtc_cmos *rtc, uint64_t now)
{
	uint8_t i = rtc->index;
	uint8_t v;
	uint64_t frac;

	rtc_cmos_update(rtc, now);
	if (is_time_reg(i) && !is_alarm_reg(i)) {
		refresh(rtc, now);
		return rtc->cmos[i];
	}
	switch (i) {
	case RTC_REG_A:
		secs_at(rtc, now, &frac);
		v = rtc->cmos[RTC_REG_A];
		if (!frozen(rtc) && frac >= NSEC_PER_SEC - RTC_UIP_NS)
			v |= RTC_A_UIP;
		return v;
	case RTC_REG_C:
		v = rtc->cmos[RTC_REG_C];
		rtc->cmos[RTC_REG_C] = 0;
		if (rtc->irq_asserted) {
			rtc->irq_asserted = false;
			dev_irq_set(&rtc->irq, false);
		}
		return v;
	case RTC_REG_D:
		return RTC_D_VRT;
	default:
		return rtc->cmos[i];
	}
}

static void write_reg_b(struct rtc_cmos *rtc, uint8_t v, uint64_t now)
{
	uint8_t old = rtc->cmos[RTC_REG_B];

	if (!(old & RTC_B_SET) && (v & RTC_B_SET)) {
		/* Freeze what the guest would read now; SET clears UIE (datasheet). */
		refresh(rtc, now);
		v &= ~RTC_B_UIE;
	}
	rtc->cmos[RTC_REG_B] = v;
	if ((old & RTC_B_SET) && !(v & RTC_B_SET)) {
		/* The new time starts a fresh second now. */
		rtc->base_secs = regs_time(rtc);
		rtc->base_ns = now;
		rtc->updates_done = 0;
	}
	/* Enabling an interrupt whose flag is already up raises IRQF. */
	update_irq(rtc);
}

static void write_data(struct rtc_cmos *rtc, uint8_t v, uint64_t now)
{
	uint8_t i = rtc->index;

	rtc_cmos_update(rtc, now);
	if (is_time_reg(i) && !is_alarm_reg(i)) {
		uint64_t frac;

		if (frozen(rtc)) {
			rtc->cmos[i] = v;
			return;
		}
		/* Set at once, keeping the position within the second. */
		secs_at(rtc, now, &frac);
		refresh(rtc, now);
		rtc->cmos[i] = v;
		rtc->base_secs = regs_time(rtc);
		rtc->base_ns = now - frac;
		rtc->updates_done = 0;
		return;
	}
	switch (i) {
	case RTC_REG_A:
		/* UIP is read-only. A new rate starts its phase now. */
		if ((rtc->cmos[RTC_REG_A] ^ v) & (RTC_A_RS_MASK | RTC_A_DV_MASK)) {
			rtc->periodic_epoch_ns = now;
			rtc->periods_done = 0;
		}
		rtc->cmos[RTC_REG_A] = v & ~RTC_A_UIP;
		break;
	case RTC_REG_B:
		write_reg_b(rtc, v, now);
		break;
	case RTC_REG_C:
	case RTC_REG_D:
		break; /* read-only */
	default:
		rtc->cmos[i] = v;
		break;
	}
}

uint8_t rtc_cmos_read(struct rtc_cmos *rtc, uint16_t port)
{
	if (port != RTC_PORT_DATA)
		return 0xff;
	return read_data(rtc, dev_clock_ns(&rtc->clock));
}

void rtc_cmos_write(struct rtc_cmos *rtc, uint16_t port, uint8_t value)
{
	if (port == RTC_PORT_INDEX)
		rtc->index = value & (RTC_CMOS_SIZE - 1); /* bit 7 is the NMI mask */
	else if (port == RTC_PORT_DATA)
		write_data(rtc, value, dev_clock_ns(&rtc->clock));
}

void rtc_cmos_set_nvram(struct rtc_cmos *rtc, uint8_t index, uint8_t value)
{
	index &= RTC_CMOS_SIZE - 1;
	if (!is_time_reg(index) && index != RTC_REG_A && index != RTC_REG_B && index != RTC_REG_C &&
	    index != RTC_REG_D)
		rtc->cmos[index] = value;
}

int64_t rtc_cmos_time(struct rtc_cmos *rtc)
{
	if (frozen(rtc))
		return regs_time(rtc);
	return secs_at(rtc, dev_clock_ns(&rtc->clock), NULL);
}
