/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Port I/O exits against the test port device (0x500-0x50f, scratch bytes).
 * IN must follow x86 register rules: 8/16-bit loads keep the rest of RAX,
 * a 32-bit load clears bits 63:32.
 */
#include "guest.h"

#define PORT GUEST_TESTDEV_PORT
#define PATTERN 0x1122334455667788ULL

static void expect(const char *name, uint64_t got, uint64_t want)
{
	check(got == want, name, "got 0x%lx want 0x%lx", got, want);
}

static void test_byte(void)
{
	uint64_t rax = PATTERN;

	asm volatile("outb %%al, %%dx" : : "a"(0xa5), "d"(PORT) : "memory");
	asm volatile("inb %%dx, %%al" : "+a"(rax) : "d"(PORT) : "memory");
	expect("portio-byte", rax, (PATTERN & ~0xffULL) | 0xa5);

	bool ok = true;

	for (int i = 0; i < GUEST_TESTDEV_PORT_SIZE; i++)
		outb(PORT + i, (uint8_t)(0x30 + 7 * i));
	for (int i = 0; i < GUEST_TESTDEV_PORT_SIZE && ok; i++) {
		uint8_t v = inb(PORT + i);

		if (v != (uint8_t)(0x30 + 7 * i)) {
			fail("portio-byte-all", "port 0x%x read 0x%x want 0x%x", PORT + i, v,
			     (uint8_t)(0x30 + 7 * i));
			ok = false;
		}
	}
	if (ok)
		pass("portio-byte-all");
}

static void test_word(void)
{
	uint64_t rax = PATTERN;

	asm volatile("outw %%ax, %%dx" : : "a"(0xbeef), "d"(PORT + 2) : "memory");
	asm volatile("inw %%dx, %%ax" : "+a"(rax) : "d"(PORT + 2) : "memory");
	expect("portio-word", rax, (PATTERN & ~0xffffULL) | 0xbeef);
}

static void test_dword(void)
{
	uint64_t rax = PATTERN;

	asm volatile("outl %%eax, %%dx" : : "a"(0xdeadbeef), "d"(PORT + 4) : "memory");
	asm volatile("inl %%dx, %%eax" : "+a"(rax) : "d"(PORT + 4) : "memory");
	expect("portio-dword", rax, 0xdeadbeefULL);

	outl(PORT + 12, 0x8badf00d);
	expect("portio-dword-last", inl(PORT + 12), 0x8badf00d);
}

/* REP OUTSB/INSB: four iterations on one port, so the reads all see the last byte written. */
static void test_string(void)
{
	static const uint8_t src[4] = { 0x11, 0x22, 0x33, 0x44 };
	uint8_t dst[4] = { 0, 0, 0, 0 };
	const uint8_t *rsi = src;
	uint8_t *rdi = dst;
	uint64_t rcx = 4;

	asm volatile("rep outsb" : "+S"(rsi), "+c"(rcx) : "d"(PORT) : "memory");
	if (rcx != 0 || rsi != src + 4) {
		fail("portio-string", "rep outsb left rcx %lu rsi %p (buffer %p)", rcx,
		     (const void *)rsi, (const void *)src);
		return;
	}
	rcx = 4;
	asm volatile("rep insb" : "+D"(rdi), "+c"(rcx) : "d"(PORT) : "memory");
	if (rcx != 0 || rdi != dst + 4) {
		fail("portio-string", "rep insb left rcx %lu rdi %p (buffer %p)", rcx,
		     (void *)rdi, (void *)dst);
		return;
	}
	check(dst[0] == 0x44 && dst[1] == 0x44 && dst[2] == 0x44 && dst[3] == 0x44,
	      "portio-string", "rep insb read %02x %02x %02x %02x, want 44 44 44 44",
	      dst[0], dst[1], dst[2], dst[3]);
}

void guest_main(const struct boot_block *bb)
{
	(void)bb;
	test_byte();
	test_word();
	test_dword();
	test_string();
}
