/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_DEV_CALENDAR_H
#define VMM_DEV_CALENDAR_H

/*
 * Proleptic Gregorian calendar against seconds since the Unix epoch (UTC,
 * no leap seconds), for the CMOS RTC. Years 0 to 9999: what a century
 * register and a two-digit year can say.
 */
#include <plinth/types.h>

#define CAL_YEAR_MAX 9999

struct cal_time {
	uint32_t year;
	uint8_t month; /* 1..12 */
	uint8_t day; /* 1..31 */
	uint8_t hour; /* 0..23 */
	uint8_t min;
	uint8_t sec;
	uint8_t wday; /* 0 = Sunday .. 6 */
};

bool cal_is_leap(uint32_t year);
/* 28..31; 0 for a month outside 1..12. */
unsigned int cal_days_in_month(uint32_t year, unsigned int month);
/* secs before year 0 or after 9999 are clamped to those years' ends. */
void cal_from_unix(int64_t secs, struct cal_time *t);
/*
 * Fields out of range are clamped first (year to 0..9999, month to 1..12,
 * day to the month's length, hour to 23, minutes and seconds to 59), so a
 * guest's garbage gives some valid date instead of undefined arithmetic.
 * wday is ignored: it follows from the date.
 */
int64_t cal_to_unix(const struct cal_time *t);

#endif
