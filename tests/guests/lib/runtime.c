/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Start-up, power off, hypercalls, time and the boot command line for the
 * long-mode test guests.
 */
#include "guest.h"

const struct boot_block *guest_boot_block;

void guest_start(const struct boot_block *bb);

/* Called by crt0 with RDI = boot block; never returns. */
void guest_start(const struct boot_block *bb)
{
	idt_init();
	guest_boot_block = bb;
	if (!bb || bb->magic != BOOT_BLOCK_MAGIC)
		fail("boot-block", "bad magic 0x%x at %p (RDI)", bb ? bb->magic : 0,
		     (const void *)bb);
	guest_main(bb);
	guest_exit();
}

long hypercall(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3)
{
	uint64_t ret = nr;

	asm volatile("vmcall"
		     : "+a"(ret) : "b"(a1), "c"(a2), "d"(a3) : "memory");
	return (long)ret;
}

void poweroff(unsigned int status)
{
	if (status == 0 && guest_failures())
		status = 1;
	hypercall(HC_POWEROFF, status, 0, 0);
	/* Plinth should not return from HC_POWEROFF: say so and stop here. */
	fail("poweroff", "HC_POWEROFF returned");
	for (;;)
		asm volatile("cli\n\thlt" ::: "memory");
}

void guest_exit(void)
{
	poweroff(guest_failures() ? 1 : 0);
}

uint32_t tsc_khz(void)
{
	uint32_t r[4];

	cpuid(PLINTH_CPUID_SIGNATURE, 0, r);
	if (r[0] < PLINTH_CPUID_TSC_KHZ)
		return 0;
	cpuid(PLINTH_CPUID_TSC_KHZ, 0, r);
	return r[0];
}

uint64_t tsc_ticks_us(uint64_t us)
{
	uint64_t khz = tsc_khz();

	if (!khz)
		khz = 1000000;
	return us * khz / 1000;
}

void delay_us(uint64_t us)
{
	uint64_t end = rdtsc() + tsc_ticks_us(us);

	while (rdtsc() < end)
		cpu_relax();
}

bool streq_n(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (a[i] != b[i])
			return false;
		if (!a[i])
			return true;
	}
	return true;
}

const char *cmdline_get(const char *key)
{
	const struct boot_block *bb = guest_boot_block;
	size_t klen = 0;

	if (!bb || bb->magic != BOOT_BLOCK_MAGIC)
		return NULL;
	while (key[klen])
		klen++;
	const char *c = bb->cmdline;
	const char *end = c + BOOT_CMDLINE_MAX - 1;	/* never trust a missing NUL */

	while (c < end && *c) {
		while (c < end && *c == ' ')
			c++;
		if ((size_t)(end - c) > klen && streq_n(c, key, klen) && c[klen] == '=')
			return c + klen + 1;
		while (c < end && *c && *c != ' ')
			c++;
	}
	return NULL;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

uint64_t parse_u64(const char *s, int base, const char **end)
{
	uint64_t v = 0;

	if (base == 0) {
		base = 10;
		if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
			base = 16;
			s += 2;
		}
	} else if (base == 16 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
	}
	while (digit_value(*s) < base)
		v = v * (uint64_t)base + (uint64_t)digit_value(*s++);
	if (end)
		*end = s;
	return v;
}

/* The compiler may emit calls to these even in freestanding code. */
void *memcpy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	if (d < s) {
		while (n--)
			*d++ = *s++;
	} else {
		while (n--)
			d[n] = s[n];
	}
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;

	while (n--)
		*d++ = (uint8_t)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;

	for (size_t i = 0; i < n; i++) {
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	}
	return 0;
}
