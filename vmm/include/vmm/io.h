/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_IO_H
#define VMM_IO_H

/* Device models reached through port I/O and MMIO exits, and guest memory access. */
#include <vmm/types.h>

struct vcpu;
struct partition;

/* Port I/O: unclaimed ports read as all ones and drop writes, like an empty bus. */
void vmm_port_io(struct vcpu *v, uint16_t port, unsigned int size, bool in, uint32_t *value);
/* MMIO: -ENOENT when no device claims the address (the partition is then stopped). */
int vmm_mmio(struct vcpu *v, gpa_t addr, unsigned int size, bool write, uint64_t *value);
bool vmm_mmio_claimed(gpa_t addr);
/* An EPT violation: decodes the instruction at RIP and completes it against a device. */
int vmm_mmio_exit(struct vcpu *v, gpa_t addr, bool write);
/* INS/OUTS, one element per call or the whole REP count; <0 stops the partition. */
int vmm_string_io(struct vcpu *v, uint16_t port, unsigned int size, bool in, bool rep);
/* A write to the guest's local APIC interrupt command register (INIT/SIPI). */
void vmm_lapic_icr_write(struct vcpu *v, uint64_t icr);

/*
 * Guest-linear to guest-physical through the guest's own page tables (1:1 without
 * paging). Access rights are not checked: callers only need where the bytes are.
 */
int guest_linear_to_phys(struct vcpu *v, uint64_t linear, gpa_t *out);
int guest_read_linear(struct vcpu *v, uint64_t linear, void *dst, size_t len);

/* vmm/hypercall.c */
int vmm_hypercall(struct vcpu *v);

/* The partition's console: bytes from the UART and the console hypercall. */
void partition_console_put(struct partition *p, const char *s, size_t len);

#endif
