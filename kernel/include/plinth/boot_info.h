/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_BOOT_INFO_H
#define PLINTH_BOOT_INFO_H

/*
 * The one structure the UEFI stage hands to the kernel. Versioned so a
 * loader and kernel from different builds refuse each other clearly instead
 * of misreading fields. All addresses are host-physical.
 */

#include <plinth/types.h>

#define BOOT_INFO_MAGIC 0x4f464e4948544e50ULL /* "PNTHINFO" */
#define BOOT_INFO_VERSION 2

#define BOOT_MAX_MEM_RANGES 1024
#define BOOT_MAX_MODULES 128 /* three files for each of 32 partitions, and room */
#define BOOT_NAME_MAX 128

enum boot_mem_type {
	BOOT_MEM_USABLE = 1,       /* free RAM, boot-services memory included */
	BOOT_MEM_RESERVED,         /* firmware reserved, runtime services */
	BOOT_MEM_ACPI_RECLAIM,     /* ACPI tables: keep until parsed, we keep always */
	BOOT_MEM_ACPI_NVS,
	BOOT_MEM_MMIO,
	BOOT_MEM_UNUSABLE,         /* reported bad by firmware */
	BOOT_MEM_PLINTH_KERNEL,    /* the kernel image as loaded */
	BOOT_MEM_PLINTH_BOOT,      /* boot info, early page tables, trampoline, symbols */
	BOOT_MEM_PLINTH_MODULE,    /* files named by plinth.cfg */
};

struct boot_mem_range {
	uint64_t base;
	uint64_t length;
	uint32_t type;
	uint32_t reserved;
};

struct boot_module {
	char name[BOOT_NAME_MAX]; /* the path as written in plinth.cfg */
	uint64_t phys;
	uint64_t size;
};

/*
 * The firmware's wall clock (UEFI GetTime) as read just before boot services
 * ended: the date and time its RTC showed, in whatever zone the firmware
 * keeps it (a PC's CMOS clock usually holds local time), without conversion.
 */
struct boot_wall_clock {
	uint16_t year; /* 0: the firmware gave no time */
	uint8_t month; /* 1..12 */
	uint8_t day;   /* 1..31 */
	uint8_t hour;
	uint8_t minute;
	uint8_t second;
	uint8_t reserved;
	uint64_t tsc; /* the TSC when it was read */
};

struct boot_info {
	uint64_t magic;
	uint32_t version;
	uint32_t size; /* sizeof(struct boot_info) as the loader saw it */

	uint64_t rsdp_phys; /* 0 when the firmware had no ACPI table */
	uint64_t config_phys; /* plinth.cfg text, not NUL-terminated */
	uint64_t config_size;
	char config_path[BOOT_NAME_MAX];

	uint64_t kernel_phys; /* where the kernel's first PT_LOAD landed */
	uint64_t kernel_virt; /* the address that physical page is linked at */
	uint64_t kernel_size;
	uint64_t kernel_elf_phys; /* the whole ELF file, kept for its symbols */
	uint64_t kernel_elf_size;
	uint64_t trampoline_phys; /* one page below 1 MiB for starting APs */

	uint64_t tsc_loader_start; /* for boot-time measurement */
	uint64_t tsc_exit_boot_services;
	struct boot_wall_clock wall_clock;

	uint32_t mem_count;
	uint32_t module_count;
	struct boot_mem_range mem[BOOT_MAX_MEM_RANGES];
	struct boot_module modules[BOOT_MAX_MODULES];
};

#endif
