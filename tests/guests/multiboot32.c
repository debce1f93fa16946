/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Multiboot v1 test kernel (32-bit, paging off), entered from multiboot.S.
 * Checks what Plinth hands a multiboot partition: boot magic, command
 * line, the initrd as module 0 and the memory information, then powers
 * off with status 0 iff no FAIL line was printed.
 *
 * The long-mode guest library is 64-bit only, so this file carries its own
 * tiny runtime: UART lines and a formatter without 64-bit division (no
 * libgcc here).
 *
 * Every pointer in the info structure is checked against the configured
 * RAM before it is followed: touching guest-physical memory that is not
 * RAM would stop the partition instead of reporting a FAIL.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <vmm/platform.h>

#define MB_BOOT_MAGIC 0x2badb002u
#define MBI_MEMORY (1u << 0)
#define MBI_CMDLINE (1u << 2)
#define MBI_MODS (1u << 3)
#define MBI_MMAP (1u << 6)
#define MMAP_RAM 1

#define KIB 1024ull
#define MIB (1024ull * 1024)
/* Must match memory = in the test's plinth.cfg. */
#define RAM_SIZE (8 * MIB)
#define PAGE_SIZE 4096u

#define WANT_CMDLINE "mbtest answer=42"
#define WANT_MODULE "PLINTH-MODULE-OK"
#define WANT_MODNAME "\\guests\\mb-module.txt"
#define STR_MAX 256	/* longest string we are willing to scan */
#define LINE_MAX_LEN 160

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
};

struct mb_module {
	uint32_t mod_start, mod_end;
	uint32_t string;
	uint32_t reserved;
};

/* Entries are packed and variable-sized: size excludes the size field. */
struct mb_mmap_entry {
	uint32_t size;
	uint64_t addr, len;
	uint32_t type;
} __attribute__((packed));

void mb_main(uint32_t magic, uint32_t info);
void mb_poweroff(uint32_t status);	/* multiboot.S */

extern const char __image_end[];	/* multiboot.ld */

static unsigned int failures;

/* ---- output ---- */

static void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

struct line {
	char buf[LINE_MAX_LEN];
	unsigned int len;
};

static void put(struct line *l, char c)
{
	if (l->len < sizeof(l->buf) - 1)	/* room for the newline */
		l->buf[l->len++] = c;
}

static void put_str(struct line *l, const char *s)
{
	while (*s)
		put(l, *s++);
}

/* Shifts only: a 64-bit divide would need libgcc. */
static void put_hex(struct line *l, uint64_t v, int width)
{
	int digits = 1;

	while (digits < 16 && (v >> (4 * digits)))
		digits++;
	for (; width > digits; width--)
		put(l, '0');
	while (digits--)
		put(l, "0123456789abcdef"[(v >> (4 * digits)) & 0xf]);
}

static void put_dec(struct line *l, uint32_t v)
{
	char tmp[10];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		put(l, tmp[--n]);
}

/* %s %u %x %llx %c %%, with a zero-padded width for %x (e.g. %08x). */
static void vfmt(struct line *l, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		int width = 0, longs = 0;

		if (*fmt != '%') {
			put(l, *fmt);
			continue;
		}
		fmt++;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') {
			longs++;
			fmt++;
		}
		switch (*fmt) {
		case 's':
			put_str(l, va_arg(ap, const char *));
			break;
		case 'u':
			put_dec(l, va_arg(ap, uint32_t));
			break;
		case 'x':
			put_hex(l, longs >= 2 ? va_arg(ap, uint64_t) :
				va_arg(ap, uint32_t), width);
			break;
		case 'c':
			put(l, (char)va_arg(ap, int));
			break;
		case '\0':
			return;
		default:
			put(l, *fmt);
			break;
		}
	}
}

static void emit(struct line *l)
{
	l->buf[l->len++] = '\n';
	for (unsigned int i = 0; i < l->len; i++)
		outb(GUEST_UART_PORT, (uint8_t)l->buf[i]);
}

static void pass(const char *name)
{
	struct line l = { .len = 0 };

	put_str(&l, "PASS ");
	put_str(&l, name);
	emit(&l);
}

static void __attribute__((format(printf, 2, 3)))
fail(const char *name, const char *fmt, ...)
{
	struct line l = { .len = 0 };
	va_list ap;

	failures++;
	put_str(&l, "FAIL ");
	put_str(&l, name);
	put_str(&l, ": ");
	va_start(ap, fmt);
	vfmt(&l, fmt, ap);
	va_end(ap);
	emit(&l);
}

static void __attribute__((format(printf, 1, 2))) info(const char *fmt, ...)
{
	struct line l = { .len = 0 };
	va_list ap;

	put_str(&l, "INFO ");
	va_start(ap, fmt);
	vfmt(&l, fmt, ap);
	va_end(ap);
	emit(&l);
}

/* ---- guest-physical memory ---- */

/* [addr, addr + len) is non-empty RAM; address 0 counts as "no pointer". */
static bool in_ram(uint32_t addr, uint32_t len)
{
	return addr != 0 && len <= RAM_SIZE && addr <= RAM_SIZE - len;
}

/* Compares the NUL-terminated string at addr with want, never reading past
 * RAM or STR_MAX bytes. */
static bool str_at_equals(uint32_t addr, const char *want)
{
	const volatile char *s = (const volatile char *)addr;
	uint32_t i;

	if (!in_ram(addr, 1))
		return false;
	for (i = 0; i < STR_MAX && addr + i < RAM_SIZE; i++) {
		if (s[i] != want[i])
			return false;
		if (!want[i])
			return true;
	}
	return false;
}

/* The string at addr for a FAIL detail: "<bad pointer>" if it is not in RAM. */
static const char *str_at(uint32_t addr, char *buf, size_t size)
{
	const volatile char *s = (const volatile char *)addr;
	size_t i;

	if (!in_ram(addr, 1))
		return "<bad pointer>";
	for (i = 0; i + 1 < size && addr + i < RAM_SIZE && s[i]; i++)
		buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}

/* ---- checks ---- */

static void check_cmdline(const struct mb_info *mbi)
{
	char buf[48];

	if (!(mbi->flags & MBI_CMDLINE)) {
		fail("mb-cmdline", "flags 0x%x lack CMDLINE (bit 2)", mbi->flags);
		return;
	}
	if (str_at_equals(mbi->cmdline, WANT_CMDLINE))
		pass("mb-cmdline");
	else
		fail("mb-cmdline", "cmdline at 0x%x is \"%s\", want \"%s\"",
		     mbi->cmdline, str_at(mbi->cmdline, buf, sizeof(buf)),
		     WANT_CMDLINE);
}

static void check_module(const struct mb_info *mbi)
{
	const uint32_t want_len = sizeof(WANT_MODULE) - 1;
	const struct mb_module *m;
	const volatile char *data;
	char buf[48];

	if (!(mbi->flags & MBI_MODS)) {
		fail("mb-module", "flags 0x%x lack MODS (bit 3)", mbi->flags);
		return;
	}
	if (mbi->mods_count != 1) {
		fail("mb-module", "mods_count %u, want 1", mbi->mods_count);
		return;
	}
	if (!in_ram(mbi->mods_addr, sizeof(*m))) {
		fail("mb-module", "mods_addr 0x%x is not in RAM", mbi->mods_addr);
		return;
	}
	m = (const struct mb_module *)mbi->mods_addr;
	info("module 0x%x-0x%x string 0x%x", m->mod_start, m->mod_end, m->string);
	if (m->mod_start % PAGE_SIZE) {
		fail("mb-module", "mod_start 0x%x is not page aligned", m->mod_start);
		return;
	}
	if (m->mod_end < m->mod_start || m->mod_end - m->mod_start < want_len ||
	    !in_ram(m->mod_start, m->mod_end - m->mod_start)) {
		fail("mb-module", "module 0x%x-0x%x is not %u+ bytes of RAM",
		     m->mod_start, m->mod_end, want_len);
		return;
	}
	if (m->mod_start < (uint32_t)__image_end) {
		fail("mb-module", "module at 0x%x overlaps the kernel (ends 0x%x)",
		     m->mod_start, (uint32_t)__image_end);
		return;
	}
	data = (const volatile char *)m->mod_start;
	for (uint32_t i = 0; i < want_len; i++) {
		if (data[i] != WANT_MODULE[i]) {
			fail("mb-module", "byte %u of the module is 0x%x, want '%c'",
			     i, (uint8_t)data[i], WANT_MODULE[i]);
			return;
		}
	}
	if (!str_at_equals(m->string, WANT_MODNAME)) {
		fail("mb-module", "module string at 0x%x is \"%s\", want \"%s\"",
		     m->string, str_at(m->string, buf, sizeof(buf)), WANT_MODNAME);
		return;
	}
	pass("mb-module");
}

/* Counts type-1 entries; false (with a FAIL printed) if the map is malformed. */
static bool count_ram_entries(const struct mb_info *mbi, unsigned int *ram)
{
	uint32_t off = 0;

	*ram = 0;
	if (!in_ram(mbi->mmap_addr, mbi->mmap_length)) {
		fail("mb-memory", "mmap 0x%x + 0x%x is not in RAM",
		     mbi->mmap_addr, mbi->mmap_length);
		return false;
	}
	while (off < mbi->mmap_length) {
		const struct mb_mmap_entry *e =
			(const struct mb_mmap_entry *)(mbi->mmap_addr + off);
		uint32_t left = mbi->mmap_length - off;

		if (left < sizeof(*e) || e->size < sizeof(*e) - 4 ||
		    e->size > left - 4) {
			fail("mb-memory", "mmap entry at offset %u: size %u, %u bytes left",
			     off, left >= 4 ? e->size : 0, left);
			return false;
		}
		info("mmap 0x%llx +0x%llx type %u", e->addr, e->len, e->type);
		if (e->type == MMAP_RAM) {
			/* Usable RAM past the configured size would stop us on use. */
			if (e->addr > RAM_SIZE || e->len > RAM_SIZE - e->addr) {
				fail("mb-memory", "mmap RAM 0x%llx +0x%llx exceeds %u KiB of RAM",
				     e->addr, e->len, (uint32_t)(RAM_SIZE / KIB));
				return false;
			}
			(*ram)++;
		}
		off += e->size + 4;
	}
	return true;
}

static void check_memory(const struct mb_info *mbi)
{
	const uint32_t want = MBI_MEMORY | MBI_MMAP;
	uint64_t total, diff;
	unsigned int ram;

	if ((mbi->flags & want) != want) {
		fail("mb-memory", "flags 0x%x lack MEMORY (bit 0) or MMAP (bit 6)",
		     mbi->flags);
		return;
	}
	info("mem_lower %u KiB mem_upper %u KiB", mbi->mem_lower, mbi->mem_upper);
	total = (uint64_t)mbi->mem_upper * KIB + MIB;
	diff = total > RAM_SIZE ? total - RAM_SIZE : RAM_SIZE - total;
	if (diff > MIB) {
		fail("mb-memory", "mem_upper %u KiB: RAM 0x%llx, want 0x%llx +- 1 MiB",
		     mbi->mem_upper, total, RAM_SIZE);
		return;
	}
	if (!count_ram_entries(mbi, &ram))
		return;
	if (ram < 2) {
		fail("mb-memory", "mmap has %u entries of type 1, want >= 2", ram);
		return;
	}
	pass("mb-memory");
}

void mb_main(uint32_t magic, uint32_t info_addr)
{
	const struct mb_info *mbi = (const struct mb_info *)info_addr;

	if (magic == MB_BOOT_MAGIC)
		pass("mb-magic");
	else
		fail("mb-magic", "EAX 0x%08x, want 0x%08x", magic, MB_BOOT_MAGIC);

	if (!in_ram(info_addr, sizeof(*mbi))) {
		fail("mb-info", "EBX 0x%x is not a multiboot info address in RAM",
		     info_addr);
	} else {
		info("mbi at 0x%x flags 0x%x", info_addr, mbi->flags);
		check_cmdline(mbi);
		check_module(mbi);
		check_memory(mbi);
	}

	mb_poweroff(failures ? 1 : 0);
	fail("mb-poweroff", "HC_POWEROFF returned");
	for (;;)
		asm volatile("cli\n\thlt" ::: "memory");
}

/* The compiler may emit calls to these even in freestanding code. */
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);

void *memcpy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;

	while (n--)
		*d++ = (uint8_t)c;
	return dst;
}
