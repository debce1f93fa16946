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
	BOOT_LINUX,
};

struct boot_image_params {
	enum boot_mode mode;
	const void *image;
	size_t image_size;
	uint64_t entry_addr;	/* longmode only; 0 means BOOT_LONGMODE_DEFAULT_ENTRY */
	const char *cmdline;	/* may be NULL; realmode accepts only NULL or "" */
	const void *module;	/* multiboot module / linux initrd; NULL = none */
	size_t module_size;
	const char *module_name; /* may be NULL (passed as "") */
	unsigned int vcpu_count; /* 1..ACPI_BUILD_MAX_VCPUS; longmode boot block, ACPI MADT */
	/* The partition's PCI bus as ACPI describes it (MCFG, \_SB.PCI0); NULL for none. */
	const struct acpi_pci_config *pci;
};

/*
 * Bytes of ACPI tables boot_image_load() builds (on the stack) at
 * GUEST_FIRMWARE_START: enough for ACPI_BUILD_MAX_VCPUS, whose MADT alone
 * takes 2 KiB.
 */
#define BOOT_ACPI_MAX_SIZE 3072

/* Realmode: the image ends here, the reset vector is its last 16 bytes. */
#define BOOT_REALMODE_END 0x100000ULL
#define BOOT_REALMODE_MAX_SIZE 0x10000ULL

/* Flat GDT descriptors: 64-bit code (L, exec/read) and 4 GiB data (r/w). */
#define BOOT_GDT_CODE64 0x00af9b000000ffffULL
#define BOOT_GDT_DATA 0x00cf93000000ffffULL

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
 * module list, the memory map (up to 4 entries: RAM below 640 KiB, the
 * firmware area as reserved, the rest of low RAM from 1 MiB, RAM above the
 * MMIO hole), the strings and a flat 32-bit GDT. It sits at MB_INFO_BASE unless the kernel's own segments cover
 * that; then it moves, page-aligned, right after the image (EBX says where;
 * the offsets inside stay the same). Modules go page-aligned after both.
 */
#define MB_HEADER_MAGIC 0x1badb002u
#define MB_BOOT_MAGIC 0x2badb002u
#define MB_SEARCH_LIMIT 8192
#define MB_INFO_BASE 0x9000ULL
#define MB_INFO_MODS (MB_INFO_BASE + 0x80)
#define MB_INFO_MMAP (MB_INFO_BASE + 0xa0)
#define MB_INFO_CMDLINE (MB_INFO_BASE + 0x100)
#define MB_CMDLINE_MAX 4096	/* including the NUL */
#define MB_INFO_MODNAME (MB_INFO_CMDLINE + MB_CMDLINE_MAX)
#define MB_MODNAME_MAX 256	/* including the NUL */
#define MB_INFO_GDT (MB_INFO_MODNAME + MB_MODNAME_MAX)
#define MB_INFO_END 0xb000ULL	/* exclusive */

/* mbi.flags bits Plinth sets. */
#define MB_INFO_MEMORY (1u << 0)
#define MB_INFO_CMDLINE_VALID (1u << 2)
#define MB_INFO_MODS_VALID (1u << 3)
#define MB_INFO_MMAP_VALID (1u << 6)

/*
 * Linux x86 64-bit boot protocol (Documentation/arch/x86/boot.rst), layout
 * in low RAM; 0 .. 0x6fff is left alone. Everything here is ordinary RAM in
 * the e820 map: Linux copies boot_params and the command line before it
 * reuses the memory and replaces the GDT and page tables early.
 *   0x7000  boot_params ("zero page", 4 KiB)
 *   0x8000  command line, NUL-terminated (at most LINUX_CMDLINE_MAX bytes)
 *   0x9000  GDT: 0x10 = __BOOT_CS (64-bit code), 0x18 = __BOOT_DS, flat
 *   0xa000  identity map up to LINUX_PT_END: PML4, PDPT(s), one PD per GiB,
 *           2 MiB pages over 0 .. max(4 GiB, end of RAM)
 * The protected-mode kernel goes at hdr.pref_address if that is usable,
 * otherwise (relocatable kernels only) at the lowest kernel_alignment-aligned
 * address >= LINUX_RELOC_MIN where init_size bytes fit in low RAM. The
 * initrd goes page-aligned as high as possible in low RAM, below
 * initrd_addr_max and above the kernel's init_size bytes.
 */
#define LINUX_BOOT_PARAMS 0x7000ULL
#define LINUX_CMDLINE 0x8000ULL
#define LINUX_CMDLINE_MAX 4095	/* without the NUL */
#define LINUX_GDT 0x9000ULL
#define LINUX_PT 0xa000ULL
#define LINUX_PT_END 0x9f000ULL	/* exclusive; the legacy EBDA/VGA/ROM area follows */
#define LINUX_KERNEL_MIN 0x100000ULL	/* no kernel below 1 MiB */
/* x86-64's default CONFIG_PHYSICAL_START: a relocatable kernel started
 * below it decompresses itself there anyway, outside what init_size covers. */
#define LINUX_RELOC_MIN 0x1000000ULL
#define LINUX_BOOT_CS 0x10
#define LINUX_BOOT_DS 0x18
#define LINUX_MIN_VERSION 0x020c	/* 2.12: xloadflags */

/* boot_params / setup header offsets and values the loader uses. */
#define LINUX_HDR_START 0x1f1	/* setup_sects: the header starts here */
#define LINUX_HDR_BOOT_FLAG 0x1fe
#define LINUX_HDR_JUMP 0x200
#define LINUX_HDR_MAGIC 0x202
#define LINUX_HDR_VERSION 0x206
#define LINUX_HDR_TYPE_OF_LOADER 0x210
#define LINUX_HDR_LOADFLAGS 0x211
#define LINUX_HDR_RAMDISK_IMAGE 0x218
#define LINUX_HDR_RAMDISK_SIZE 0x21c
#define LINUX_HDR_HEAP_END_PTR 0x224
#define LINUX_HDR_EXT_LOADER_VER 0x226
#define LINUX_HDR_EXT_LOADER_TYPE 0x227
#define LINUX_HDR_CMD_LINE_PTR 0x228
#define LINUX_HDR_INITRD_ADDR_MAX 0x22c
#define LINUX_HDR_KERNEL_ALIGNMENT 0x230
#define LINUX_HDR_RELOCATABLE 0x234
#define LINUX_HDR_XLOADFLAGS 0x236
#define LINUX_HDR_CMDLINE_SIZE 0x238
#define LINUX_HDR_SETUP_DATA 0x250
#define LINUX_HDR_PREF_ADDRESS 0x258
#define LINUX_HDR_INIT_SIZE 0x260
#define LINUX_HDR_MIN_END 0x264	/* init_size is the last field read */
#define LINUX_BP_ACPI_RSDP_ADDR 0x070	/* u64, read whatever the protocol version */
#define LINUX_BP_EXT_RAMDISK_IMAGE 0x0c0
#define LINUX_BP_EXT_RAMDISK_SIZE 0x0c4
#define LINUX_BP_EXT_CMD_LINE_PTR 0x0c8
#define LINUX_BP_E820_ENTRIES 0x1e8
#define LINUX_BP_E820_TABLE 0x2d0
#define LINUX_E820_MAX 128
#define LINUX_E820_ENTRY 20	/* u64 addr, u64 size, u32 type */
#define LINUX_E820_RAM 1
#define LINUX_E820_RESERVED 2
#define LINUX_BOOT_FLAG 0xaa55
#define LINUX_HDRS_MAGIC 0x53726448u	/* "HdrS" */
#define LINUX_LOADED_HIGH 0x01
#define LINUX_XLF_KERNEL_64 0x01
#define LINUX_LOADER_UNDEFINED 0xff
#define LINUX_ENTRY64_OFFSET 0x200

/*
 * Loads p->image for p->mode and fills *bsp. First, in every mode, the ACPI
 * tables for p->vcpu_count vCPUs go to the firmware area (GUEST_FIRMWARE_START,
 * RSDP first), unless the partition's memory does not reach it; a Linux
 * kernel also gets the RSDP's address in boot_params.acpi_rsdp_addr. Returns 0, or a negative errno
 * with a NUL-terminated reason in err (if errlen > 0; err may be NULL when
 * errlen is 0):
 *   -EINVAL  bad parameters (NULL pointers, vcpu_count 0 or above 255, unknown mode,
 *            empty image, entry_addr below 0x8000, a module outside
 *            multiboot and linux mode, a cmdline in realmode, strings too
 *            long, a linux cmdline longer than the kernel's cmdline_size)
 *   -E2BIG   realmode image larger than 64 KiB
 *   -ENOSPC  the image, a segment or the module does not fit in guest RAM or
 *            collides with memory the loader reserves; for linux: init_size,
 *            the initrd or the identity map does not fit
 *   -ENOEXEC malformed multiboot image (header, checksum, ELF, entry point)
 *            or linux bzImage (truncated, boot_flag, HdrS magic, protocol
 *            older than 2.12, no 64-bit entry, setup_sects, init_size)
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

/* ---- internal to vmm/boot/boot_image.c, vmm/boot/multiboot.c, vmm/boot/linux_boot.c ---- */

int multiboot_load(const struct guest_mem_ops *mem,
		   const struct boot_image_params *p, struct vcpu_regs *bsp,
		   char *err, size_t errlen);
/* rsdp: the ACPI RSDP's guest address for boot_params.acpi_rsdp_addr, 0 for none. */
int linux_load(const struct guest_mem_ops *mem,
	       const struct boot_image_params *p, uint64_t rsdp, struct vcpu_regs *bsp,
	       char *err, size_t errlen);

/*
 * Identity map of 0 .. map_end (rounded up to 1 GiB) with 2 MiB pages, built
 * at base: the PML4 page, then one PDPT page per 512 GiB, then one PD page
 * per GiB, every page written in full. boot_identity_map_pages() says how
 * many 4 KiB pages that takes.
 */
uint64_t boot_identity_map_pages(uint64_t map_end);
int boot_write_identity_map(const struct guest_mem_ops *mem, uint64_t base,
			    uint64_t map_end, char *err, size_t errlen);

/* Flat 64-bit state with paging on (CR3 = cr3, CS/data selectors from the
 * GDT at gdt, limit gdt_limit), RIP = rip, RFLAGS = 0x2, all GPRs 0. */
void boot_regs_longmode(struct vcpu_regs *r, uint64_t rip, uint64_t cr3,
			uint16_t cs, uint16_t ds, uint64_t gdt,
			uint16_t gdt_limit);

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
/* boot_write for Plinth's own firmware data: anywhere backed, the firmware area included. */
int boot_write_firmware(const struct guest_mem_ops *mem, uint64_t dst, const void *src,
			size_t len, char *err, size_t errlen);

#endif
