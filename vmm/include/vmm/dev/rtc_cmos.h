/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_DEV_RTC_CMOS_H
#define VMM_DEV_RTC_CMOS_H

/*
 * Motorola MC146818 real-time clock and its 128 bytes of CMOS RAM at ports
 * 0x70 (index; bit 7, the chipset's NMI mask, is dropped) and 0x71 (data).
 *
 * Time: the wall-clock seconds given at init, plus the dev_clock time
 * elapsed since. A guest that sets the clock (registers 0-9 and the century
 * at 0x32) moves that base, so from then on the clock runs from what it set:
 * writing with register B's SET bit clear takes effect at once and keeps the
 * position within the second; with SET set the registers hold what is
 * written and stop updating, and clearing SET starts the new time with a
 * fresh second. Registers are shown in BCD or binary (B.DM) and in 12 or 24
 * hour format (B.24/12) as they are at the moment of the read. The day of
 * the week (register 6, 1 = Sunday) is worked out from the date; a value
 * written there is shown only while SET holds the registers. Date fields a
 * guest sets out of range are clamped to the nearest valid value
 * (calendar.h).
 *
 * Register A: UIP reads 1 in the 244 us before each second's update (never
 * while SET is set); the divider and rate bits are stored, the divider does
 * not stop the clock; the rate bits give the periodic interrupt (none, 256
 * Hz, 128 Hz, then 8192 Hz down to 2 Hz for RS = 3..15). Register C: read
 * returns and clears the flags (PF, AF, UF and IRQF) and releases IRQ8.
 * Register D reads 0x80 (valid RAM and time). PF is set at the periodic rate
 * whatever PIE says; UF at every update; AF at an update matching the alarm
 * registers 1, 3 and 5 (values 0xc0-0xff match anything), as on the chip.
 *
 * IRQ8 is driven as a level: asserted while IRQF is set, released by reading
 * register C, which the guest's handler always does; the owner's interrupt
 * controller turns that into the edge the ISA line carries. Flags are raised
 * by rtc_cmos_update() and on every port access; the owner arms a host timer
 * for rtc_cmos_next_event_ns() and asks again after each port access and
 * update. Intervals that passed unobserved set a flag once (a flag is a
 * flag), so a long gap costs nothing.
 *
 * Not thread-safe: the owner serialises port accesses and updates.
 */
#include <plinth/types.h>
#include <vmm/dev/dev.h>

#define RTC_PORT_INDEX 0x70
#define RTC_PORT_DATA 0x71
#define RTC_CMOS_SIZE 128

/* Register numbers (CMOS index). */
#define RTC_SECONDS 0x00
#define RTC_SECONDS_ALARM 0x01
#define RTC_MINUTES 0x02
#define RTC_MINUTES_ALARM 0x03
#define RTC_HOURS 0x04
#define RTC_HOURS_ALARM 0x05
#define RTC_DAY_OF_WEEK 0x06
#define RTC_DAY_OF_MONTH 0x07
#define RTC_MONTH 0x08
#define RTC_YEAR 0x09
#define RTC_REG_A 0x0a
#define RTC_REG_B 0x0b
#define RTC_REG_C 0x0c
#define RTC_REG_D 0x0d
#define RTC_CENTURY 0x32

#define RTC_A_UIP 0x80
#define RTC_A_DV_MASK 0x70
#define RTC_A_RS_MASK 0x0f
#define RTC_B_SET 0x80
#define RTC_B_PIE 0x40
#define RTC_B_AIE 0x20
#define RTC_B_UIE 0x10
#define RTC_B_SQWE 0x08
#define RTC_B_DM_BINARY 0x04
#define RTC_B_24H 0x02
#define RTC_B_DSE 0x01 /* daylight saving: stored, never applied */
#define RTC_C_IRQF 0x80
#define RTC_C_PF 0x40
#define RTC_C_AF 0x20
#define RTC_C_UF 0x10
#define RTC_D_VRT 0x80
#define RTC_HOURS_PM 0x80 /* 12-hour format */
#define RTC_ALARM_DONT_CARE 0xc0

#define RTC_UIP_NS 244000ULL /* UIP's lead before an update */

struct rtc_cmos {
	struct dev_clock clock;
	struct dev_irq irq;
	uint8_t cmos[RTC_CMOS_SIZE]; /* time registers as last shown or written */
	uint8_t index;
	int64_t base_secs; /* wall-clock seconds at base_ns */
	uint64_t base_ns;
	uint64_t updates_done; /* whole seconds since base_ns already updated */
	uint64_t periodic_epoch_ns; /* the periodic rate's phase: last rate change */
	uint64_t periods_done;
	bool irq_asserted;
};

/*
 * Reset state: 24-hour BCD, 32.768 kHz divider with the 1024 Hz rate, no
 * interrupts, NVRAM zero; the clock shows unix_secs at the current dev_clock
 * time.
 */
void rtc_cmos_init(struct rtc_cmos *rtc, const struct dev_clock *clock, const struct dev_irq *irq,
		   int64_t unix_secs);

/* One byte at port 0x70 or 0x71; 0x70 is write-only and reads 0xff, as do other ports. */
uint8_t rtc_cmos_read(struct rtc_cmos *rtc, uint16_t port);
void rtc_cmos_write(struct rtc_cmos *rtc, uint16_t port, uint8_t value);

/* For the integrator to fill NVRAM (memory sizes and such) before the guest runs. */
void rtc_cmos_set_nvram(struct rtc_cmos *rtc, uint8_t index, uint8_t value);

/* The wall-clock seconds the RTC holds now (the guest's setting if it made one). */
int64_t rtc_cmos_time(struct rtc_cmos *rtc);

/* When an enabled interrupt is next due; UINT64_MAX while IRQ8 is held or none is enabled. */
uint64_t rtc_cmos_next_event_ns(const struct rtc_cmos *rtc);
/* Raises the flags due by now_ns and asserts IRQ8 if an enabled one is set. */
void rtc_cmos_update(struct rtc_cmos *rtc, uint64_t now_ns);

#endif
