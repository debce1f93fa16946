/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hostile: touches one guest-physical address outside RAM and the devices.
 * Plinth must stop the partition; reaching the end means it did not.
 *   cmdline: probe=ADDR,read|write   (ADDR hex; default: memory_size + 0x1000, read)
 * Suggested targets: memory_size + 0x1000, 0x100000000 (4 GiB), 0xfee01000
 * (past the LAPIC page), 0xfec00000 (IOAPIC), 0x10000000000 (1 TiB).
 * Addresses >= 4 GiB are identity-mapped with a 1 GiB page (2 MiB pages if
 * the CPU lacks them). An address beyond MAXPHYADDR gets #PF(RSVD) from the
 * CPU itself, with no exit: that is reported as PASS contained.
 */
#include "guest.h"

#define SIZE_4G 0x100000000ULL
#define SIZE_1G 0x40000000ULL
#define SIZE_2M 0x200000ULL
#define VA_LIMIT (1ULL << 47)	/* identity map needs a canonical lower-half VA */
#define CPUID_EXT_PDPE1GB (1u << 26)

static uint64_t pdpt[512] __aligned(4096);
static uint64_t pd[512] __aligned(4096);

static bool has_1g_pages(void)
{
	uint32_t r[4];

	cpuid(0x80000000, 0, r);
	if (r[0] < 0x80000001)
		return false;
	cpuid(0x80000001, 0, r);
	return r[3] & CPUID_EXT_PDPE1GB;
}

static unsigned int maxphyaddr(void)
{
	uint32_t r[4];

	cpuid(0x80000000, 0, r);
	if (r[0] < 0x80000008)
		return 36;
	cpuid(0x80000008, 0, r);
	return r[0] & 0xff;
}

/* Identity-maps the page around addr (>= 4 GiB) in our own tables. */
static void map_high(uint64_t addr)
{
	uint64_t *pml4e = pt_entry(addr, 4);

	if (!(*pml4e & PTE_P)) {
		*pml4e = (uintptr_t)pdpt | PTE_P | PTE_W;
	} else if (*pml4e & PTE_PS) {
		fail("probe-map", "PML4 entry for 0x%lx has PS set", addr);
		poweroff(1);
	}
	uint64_t *pdpte = pt_entry(addr, 3);

	if (has_1g_pages()) {
		*pdpte = (addr & ~(SIZE_1G - 1)) | PTE_P | PTE_W | PTE_PS;
	} else {
		*pdpte = (uintptr_t)pd | PTE_P | PTE_W;
		pd[(addr >> 21) & 511] = (addr & ~(SIZE_2M - 1)) | PTE_P | PTE_W | PTE_PS;
	}
	asm volatile("mov %%cr3, %%rax\n\tmov %%rax, %%cr3" ::: "rax", "memory");
}

void guest_main(const struct boot_block *bb)
{
	uint64_t mem = (bb && bb->magic == BOOT_BLOCK_MAGIC) ? bb->memory_size : 0;
	uint64_t addr = mem + 0x1000;
	bool write = false;
	const char *arg = cmdline_get("probe");

	if (arg) {
		const char *end;

		addr = parse_u64(arg, 16, &end);
		if (end == arg || *end != ',') {
			fail("probe-args", "want probe=ADDR,read|write");
			poweroff(1);
		}
		end++;
		if (streq_n(end, "write", 5) && (end[5] == '\0' || end[5] == ' ')) {
			write = true;
		} else if (!(streq_n(end, "read", 4) && (end[4] == '\0' || end[4] == ' '))) {
			fail("probe-args", "want probe=ADDR,read|write");
			poweroff(1);
		}
	}
	if (addr >= VA_LIMIT || (addr & 3)) {
		fail("probe-args", "address 0x%lx must be 4-byte aligned and below 128 TiB", addr);
		poweroff(1);
	}
	gprintf("INFO memory_size 0x%lx maxphyaddr %u\n", mem, maxphyaddr());
	if (addr >= SIZE_4G)
		map_high(addr);

	uint64_t val = 0;

	hostile("%s 0x%lx", write ? "write" : "read", addr);
	trap_reset();
	if (write)
		asm volatile(TRY_BEGIN "movl %%eax, (%%rbx)" TRY_END
			     : : "a"(0x5a5a5a5aULL), "b"(addr) : "r11", "memory");
	else
		asm volatile(TRY_BEGIN "movl (%%rbx), %%eax" TRY_END
			     : "+a"(val) : "b"(addr) : "r11", "memory");

	int v = trap_vector();

	if (v != NO_TRAP) {
		gprintf("INFO access raised vector %d error 0x%lx cr2 0x%lx in the guest\n", v,
			trap_last.error_code, trap_last.cr2);
		pass("contained");
		poweroff(0);
	}
	if (write)
		fail("contained", "write of 0x%lx completed", addr);
	else
		fail("contained", "read of 0x%lx returned 0x%lx", addr, val);
	poweroff(1);
}
