/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_BOOT_IMAGE_H
#define VMM_BOOT_IMAGE_H

/*
 * Partition boot-image loaders: put an image into guest RAM and produce the
 * BSP's initial register state for one of the entry modes described in
 * tests/guests/GUEST_ABI.md. Guest memory is reached only through
 * guest_mem_ops, so the loaders run unchanged in host unit tests.
 *
 * Every input (image bytes, sizes, addresses, strings) is untrusted: a bad
 * one yields a negative errno and a one-line reason in err, never a write
 * outside the RAM regions of the partition's guest_layout.
 */
#include <plinth/types.h>
#include <asm/vcpu_regs.h>
#include <vmm/guest_layout.h>

struct guest_mem_ops {
	/* Copy len bytes into guest-physical memory; -EFAULT if outside RAM. */
	int (*write)(void *ctx, gpa_t dst, const void *src, size_t len);
	void *ctx;
	const struct guest_layout *layout; /* where guest RAM is */
};

enum boot_mode {
	BOOT_REALMODE,
	BOOT_LONGMODE,
	BOOT_MULTIBOOT,
};

struct boot_image_params {
	enum boot_mode mode;
	const void *image;
	size_t image_size;
	uint64_t entry_addr;	/* longmode only; 0 means BOOT_LONGMODE_DEFAULT_ENTRY */
	const char *cmdline;	/* may be NULL; realmode accepts only NULL or "" */
	const void *module;	/* multiboot only; NULL = no module */
	size_t module_size;
	const char *module_name; /* may be NULL (passed as "") */
	unsigned int vcpu_count; /* >= 1; reported in the longmode boot block */
};

/* Realmode: the image ends here, the reset vector is its last 16 bytes. */
#define BOOT_REALMODE_END 0x100000ULL
#define BOOT_REALMODE_MAX_SIZE 0x10000ULL

/* Longmode layout (GUEST_ABI.md). */
#define BOOT_LONGMODE_DEFAULT_ENTRY 0x100000ULL
#define BOOT_LM_GDT 0x800ULL
#define BOOT_LM_PML4 0x1000ULL
#define BOOT_LM_PDPT 0x2000ULL
#define BOOT_LM_PD 0x3000ULL	/* four PDs, 0x3000-0x6fff */
#define BOOT_LM_BLOCK 0x7000ULL
#define BOOT_LM_IMAGE_MIN 0x8000ULL	/* lowest allowed entry_addr */
#define BOOT_BLOCK_MAGIC 0x544e4c50u	/* "PLNT" */
#define BOOT_BLOCK_CMDLINE_SIZE 512

struct boot_block {
	uint32_t magic;
	uint32_t vcpu_count;
	uint64_t memory_size;
	char cmdline[BOOT_BLOCK_CMDLINE_SIZE];
} __packed;

/*
 * Multiboot v1 layout. The info area holds, in this order, the mbi, the
 * module list, the memory map (up to 3 entries: below 640 KiB, the rest of
 * low RAM from 1 MiB, RAM above the MMIO hole), a flat 32-bit GDT and the
 * strings; image
 * segments may not overlap it. Modules go page-aligned after the image.
 */
#define MB_HEADER_MAGIC 0x1badb002u
#define MB_BOOT_MAGIC 0x2badb002u
#define MB_SEARCH_LIMIT 8192
#define MB_INFO_BASE 0x9000ULL
#define MB_INFO_MODS (MB_INFO_BASE + 0x80)
#define MB_INFO_MMAP (MB_INFO_BASE + 0xa0)
#define MB_INFO_GDT (MB_INFO_BASE + 0xe8)
#define MB_INFO_CMDLINE (MB_INFO_BASE + 0x100)
#define MB_CMDLINE_MAX 4096	/* including the NUL */
#define MB_INFO_MODNAME (MB_INFO_CMDLINE + MB_CMDLINE_MAX)
#define MB_MODNAME_MAX 256	/* including the NUL */
#define MB_INFO_END 0xb000ULL	/* exclusive */

/* mbi.flags bits Plinth sets. */
#define MB_INFO_MEMORY (1u << 0)
#define MB_INFO_CMDLINE_VALID (1u << 2)
#define MB_INFO_MODS_VALID (1u << 3)
#define MB_INFO_MMAP_VALID (1u << 6)

/*
 * Loads p->image for p->mode and fills *bsp. Returns 0, or a negative errno
 * with a NUL-terminated reason in err (if errlen > 0; err may be NULL when
 * errlen is 0):
 *   -EINVAL  bad parameters (NULL pointers, vcpu_count 0, unknown mode,
 *            empty image, entry_addr below 0x8000, a module outside
 *            multiboot mode, a cmdline in realmode, strings too long)
 *   -E2BIG   realmode image larger than 64 KiB
 *   -ENOSPC  the image, a segment or the module does not fit in guest RAM or
 *            collides with memory the loader reserves
 *   -ENOEXEC malformed multiboot image (header, checksum, ELF, entry point)
 *   -ENOTSUP multiboot header requires features Plinth does not offer
 *   or the error returned by mem->write.
 * On error guest memory may be partly written; *bsp is then unspecified.
 */
int boot_image_load(const struct guest_mem_ops *mem,
		    const struct boot_image_params *p, struct vcpu_regs *bsp,
		    char *err, size_t errlen);

/* Architectural state after INIT (SDM "IA-32 Processor States Following
 * Power-up, Reset, or INIT"), with EDX left 0. */
void vcpu_regs_reset(struct vcpu_regs *r);

/* INIT state, then what a Startup IPI with this vector loads. */
void vcpu_regs_sipi(struct vcpu_regs *r, uint8_t vector);

/* ---- internal to vmm/boot_image.c and vmm/multiboot.c ---- */

int multiboot_load(const struct guest_mem_ops *mem,
		   const struct boot_image_params *p, struct vcpu_regs *bsp,
		   char *err, size_t errlen);

/* snprintf into err (if errlen > 0) and return ret. */
int boot_fail(char *err, size_t errlen, int ret, const char *fmt, ...)
	__printf(4, 5);

/* "64 MiB", "12 KiB", "70000 bytes": the largest exact unit. */
void boot_fmt_size(char *buf, size_t len, uint64_t bytes);

/* mem->write, plus a check against mem->layout of its own so a loader bug
 * cannot reach beyond RAM (into the MMIO hole, say) even if the callback
 * would allow it. */
int boot_write(const struct guest_mem_ops *mem, uint64_t dst, const void *src,
	       size_t len, char *err, size_t errlen);
int boot_zero(const struct guest_mem_ops *mem, uint64_t dst, uint64_t len,
	      char *err, size_t errlen);

#endif
