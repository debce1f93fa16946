/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What lwIP asks of its platform (kernel/net/port/arch/cc.h): time,
 * randomness, diagnostics and assertions.
 */
#include <asm/cpu.h>
#include <asm/rand.h>
#include <plinth/log.h>
#include <plinth/sched.h>
#include <plinth/string.h>
#include <stdlib.h>
#include <plinth/time.h>
#include <stdarg.h>
#include "lwip/sys.h"

u32_t sys_now(void)
{
	return (u32_t)(time_ns() / NSEC_PER_MSEC);
}

/*
 * DHCP transaction ids and TCP initial sequence numbers: RDRAND where the
 * CPU has it, so sequence numbers cannot be predicted from boot timing.
 */
unsigned int net_lwip_rand(void)
{
	static int has_rdrand = -1;
	static uint64_t state;
	uint64_t v;

	if (has_rdrand < 0) {
		has_rdrand = cpu_has_rdrand();
		state = rdtsc() | 1;
	}
	if (has_rdrand && rdrand64(&v))
		return (unsigned int)(v ^ (v >> 32));
	/* xorshift64 on the TSC, where RDRAND is missing or exhausted. */
	state ^= rdtsc();
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return (unsigned int)(state >> 32);
}

void net_lwip_diag(const char *fmt, ...)
{
	char buf[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	pr_warn("net: lwip: %s%s", buf, buf[0] && buf[strlen(buf) - 1] == '\n' ? "" : "\n");
}

/*
 * lwIP's state is broken from here on: the network thread stops for good,
 * with the reason logged, while partitions and the rest of Plinth go on.
 */
void net_lwip_assert(const char *msg, const char *file, int line)
{
	pr_err("net: lwip: assertion failed at %s:%d: %s; Plinth's network stops\n", file, line, msg);
	for (;;)
		sched_block(0);
}

/* Decimal digits after optional blanks and sign, as C's atoi; no overflow check (netif numbers). */
int atoi(const char *s)
{
	int sign = 1, v = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '-' || *s == '+')
		sign = *s++ == '-' ? -1 : 1;
	while (*s >= '0' && *s <= '9')
		v = v * 10 + (*s++ - '0');
	return sign * v;
}
