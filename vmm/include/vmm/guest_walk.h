/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_GUEST_WALK_H
#define VMM_GUEST_WALK_H

/*
 * Translating a guest-linear address through the guest's own page tables
 * (Intel SDM Vol. 3A ch. 4) with the access rights the CPU would check, so
 * that an emulated access faults where the real one would. Kept apart from
 * the vCPU so the walk can be tested on the host against page tables built
 * in a plain byte array.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The state of the accessing context that steers paging and its checks. */
struct guest_paging {
	/*
	 * Used: CR0.PG, CR0.WP; CR3 (table address; PCID and flag bits are
	 * ignored); CR4.PSE, PAE, LA57, SMEP, SMAP; EFER.LMA, EFER.NXE.
	 */
	uint64_t cr0, cr3, cr4, efer;
	/* RFLAGS.AC: lets an explicit supervisor access reach user pages under SMAP. */
	bool ac;
	/*
	 * The guest's MAXPHYADDR (CPUID.80000008H:EAX[7:0] as the guest sees
	 * it): entry bits from it up to 51 are reserved. 0 means 52; other
	 * values are clamped to 32..52. 32-bit paging uses at most 40.
	 */
	uint8_t maxphyaddr;
	/*
	 * PAE paging only: the four PDPTE registers the CPU actually uses
	 * (loaded at MOV CR3, kept in the VMCS guest PDPTE fields with EPT), or
	 * NULL to read the PDPT from guest memory at CR3 instead, which is
	 * wrong if the guest changed it since loading CR3.
	 */
	const uint64_t *pdpte;
};

/* The access being emulated: an OR of these; 0 is a supervisor data read. */
#define GUEST_ACCESS_WRITE	(1u << 0)	/* a data write */
#define GUEST_ACCESS_USER	(1u << 1)	/* made at CPL 3 */
#define GUEST_ACCESS_FETCH	(1u << 2)	/* an instruction fetch; WRITE and IMPLICIT are ignored */
/*
 * An implicit supervisor-mode access to a system structure (GDT, LDT, IDT,
 * TSS) at any CPL: a supervisor access even if USER is also set, and under
 * SMAP refused on user pages whatever RFLAGS.AC says.
 */
#define GUEST_ACCESS_IMPLICIT	(1u << 3)

/* The architectural #PF error code bits (SDM 4.7) put in *pf_error. */
#define GUEST_PF_P		(1u << 0)	/* 1: protection or reserved bit; 0: not present */
#define GUEST_PF_W		(1u << 1)	/* the access was a write */
#define GUEST_PF_U		(1u << 2)	/* the access was a user-mode access */
#define GUEST_PF_RSVD		(1u << 3)	/* a reserved bit was set in an entry (P is set too) */
#define GUEST_PF_I		(1u << 4)	/* a fetch, with CR4.SMEP or with PAE/4-level and EFER.NXE */

/* Reads len bytes of guest-physical memory at gpa: 0, or negative outside guest RAM. */
typedef int (*guest_read_fn)(void *ctx, uint64_t gpa, void *buf, size_t len);

/*
 * Translates linear for an access described by the GUEST_ACCESS_* bits in
 * access. Paging off (CR0.PG=0): the linear address truncated to 32 bits,
 * nothing checked. Otherwise 4-level (EFER.LMA), PAE (CR4.PAE) or 32-bit
 * paging (4 MiB pages with CR4.PSE, PSE-36 high bits; 1 GiB pages are taken
 * to be supported).
 *
 * Checked, as SDM 4.6.1 lists them: U/S (a user access needs U/S=1 at every
 * level), R/W (a user write needs R/W=1 at every level; a supervisor write
 * only with CR0.WP=1), SMAP (a supervisor data access to a user-mode
 * address, implicit or with RFLAGS.AC=0), SMEP (a supervisor fetch from a
 * user-mode address), XD with EFER.NXE (PAE and 4-level), and reserved bits
 * (SDM tables 4-4 to 4-20: above MAXPHYADDR, XD without EFER.NXE, PS in a
 * PML4E, the low bits of a large page, PAE PDPTE bits 2:1, 8:5 and 63:M,
 * bits 62:M of other PAE entries, 32-bit 4 MiB PDE bits 21:(M-19)).
 *
 * Returns:
 *  0        *gpa_out set; *pf_error untouched.
 *  -EFAULT  the guest must take #PF with CR2 = linear and error code
 *           *pf_error (GUEST_PF_*); *gpa_out untouched.
 *  -EIO     a paging-structure entry lies outside guest RAM (read failed):
 *           no #PF exists for this; the partition should be stopped.
 *  -EINVAL  not canonical in long mode, checked before any read: the CPU
 *           raises #GP(0) (#SS(0) for a stack access), not #PF.
 *  -ENOTSUP 5-level paging (CR4.LA57), which is not walked.
 * pf_error may be NULL.
 *
 * Not done: protection keys (CR4.PKE/PKS: PK error bit 5 is never set and
 * bits 62:59 are ignored), shadow-stack accesses (CET, SS bit 6), linear-
 * address masking (LAM), HLAT and SGX. Accessed and dirty bits are neither
 * set nor required: the CPU already walked for the access that exited, but
 * not for the memory side of an emulated MOVS/INS/OUTS, so those pages can
 * end up written without D set. Setting them needs an atomic update of the
 * guest's entry against other vCPUs, which a read callback cannot give.
 */
int guest_walk(const struct guest_paging *pg, uint64_t linear, unsigned int access,
	       guest_read_fn read, void *ctx, uint64_t *gpa_out, uint32_t *pf_error);

#endif
