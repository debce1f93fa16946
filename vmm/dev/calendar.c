// SPDX-License-Identifier: GPL-2.0
/*
 * Calendar arithmetic (vmm/include/vmm/dev/calendar.h). Days are counted
 * from 0000-01-01, where every quantity is non-negative, and moved to the
 * Unix epoch at the end.
 */
#include <vmm/dev/calendar.h>

#define SECS_PER_DAY 86400
#define DAYS_PER_400Y 146097
/* Days from 0000-01-01 to 1970-01-01. */
#define DAYS_TO_EPOCH 719528
/* 0000-01-01 00:00:00 and 9999-12-31 23:59:59 in Unix seconds. */
#define SECS_MIN (-(int64_t)DAYS_TO_EPOCH * SECS_PER_DAY)
#define SECS_MAX (253402300799LL)

bool cal_is_leap(uint32_t year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

unsigned int cal_days_in_month(uint32_t year, unsigned int month)
{
	static const uint8_t days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (month < 1 || month > 12)
		return 0;
	if (month == 2 && cal_is_leap(year))
		return 29;
	return days[month - 1];
}

/* Days from 0000-01-01 to January 1st of year: year 0 itself is a leap year. */
static uint64_t days_before_year(uint32_t year)
{
	uint64_t y = year;

	return 365 * y + (y + 3) / 4 - (y + 99) / 100 + (y + 399) / 400;
}

void cal_from_unix(int64_t secs, struct cal_time *t)
{
	uint64_t s, days, sod;
	uint32_t year;
	unsigned int month = 1;

	if (secs < SECS_MIN)
		secs = SECS_MIN;
	if (secs > SECS_MAX)
		secs = SECS_MAX;
	s = (uint64_t)(secs - SECS_MIN);
	days = s / SECS_PER_DAY;
	sod = s % SECS_PER_DAY;
	/* 0000-01-01 was a Saturday. */
	t->wday = (uint8_t)((days + 6) % 7);
	/* An estimate within a year or so of the answer, then corrected. */
	year = (uint32_t)(days * 400 / DAYS_PER_400Y);
	while (year > 0 && days_before_year(year) > days)
		year--;
	while (days_before_year(year + 1) <= days)
		year++;
	days -= days_before_year(year);
	while (days >= cal_days_in_month(year, month)) {
		days -= cal_days_in_month(year, month);
		month++;
	}
	t->year = year;
	t->month = (uint8_t)month;
	t->day = (uint8_t)(days + 1);
	t->hour = (uint8_t)(sod / 3600);
	t->min = (uint8_t)(sod / 60 % 60);
	t->sec = (uint8_t)(sod % 60);
}

int64_t cal_to_unix(const struct cal_time *t)
{
	uint32_t year = MIN(t->year, (uint32_t)CAL_YEAR_MAX);
	unsigned int month = MIN(MAX(t->month, 1), 12);
	unsigned int day = MIN(MAX(t->day, 1), cal_days_in_month(year, month));
	uint64_t days = days_before_year(year);

	for (unsigned int m = 1; m < month; m++)
		days += cal_days_in_month(year, m);
	days += day - 1;
	return ((int64_t)days - DAYS_TO_EPOCH) * SECS_PER_DAY + MIN(t->hour, 23) * 3600 +
	       MIN(t->min, 59) * 60 + MIN(t->sec, 59);
}
