/* SPDX-License-Identifier: GPL-2.0 */
#include <asm/cpu.h>
#include <plinth/time.h>

static uint64_t tsc_frequency;
static uint64_t tsc_base;
/* ns = ticks * mult >> 32, avoiding a 128-bit division on every read. */
static uint64_t ns_mult;
static struct boot_wall_clock wall;
static uint64_t wall_ns;

void time_init(uint64_t tsc_freq, uint64_t tsc_at_zero)
{
	tsc_base = tsc_at_zero;
	ns_mult = (NSEC_PER_SEC << 32) / tsc_freq;
	__atomic_store_n(&tsc_frequency, tsc_freq, __ATOMIC_RELEASE);
}

uint64_t tsc_hz(void)
{
	return __atomic_load_n(&tsc_frequency, __ATOMIC_ACQUIRE);
}

uint64_t tsc_to_ns(uint64_t ticks)
{
	return (uint64_t)(((unsigned __int128)ticks * ns_mult) >> 32);
}

uint64_t time_ns(void)
{
	uint64_t now;

	if (!tsc_hz())
		return 0;
	now = rdtsc();
	return now > tsc_base ? tsc_to_ns(now - tsc_base) : 0;
}

void time_wall_init(const struct boot_wall_clock *w)
{
	wall = *w;
	wall_ns = w->tsc > tsc_base ? tsc_to_ns(w->tsc - tsc_base) : 0;
}

bool time_wall_clock(struct boot_wall_clock *w, uint64_t *read_ns)
{
	if (!wall.year)
		return false;
	*w = wall;
	*read_ns = wall_ns;
	return true;
}

void udelay(uint64_t us)
{
	uint64_t end = rdtsc() + us * tsc_hz() / 1000000;

	while ((int64_t)(rdtsc() - end) < 0)
		__builtin_ia32_pause();
}
