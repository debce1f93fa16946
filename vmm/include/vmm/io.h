/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_IO_H
#define VMM_IO_H

/* Device models reached through port I/O and MMIO exits, and guest memory access. */
#include <asm/virt.h>
#include <plinth/types.h>

struct vcpu;
struct partition;

/* Places the platform's device models on a new partition's I/O bus; 0 or <0. */
int vmm_devices_init(struct partition *p);
/*
 * Power-on state of every device but the test devices (whose state a
 * reboot keeps), for partition_reboot(): UART, PC platform, I/O APIC.
 */
void vmm_devices_reset(struct partition *p);
/* Port I/O: unclaimed ports read as all ones and drop writes, like an empty bus. */
void vmm_port_io(struct vcpu *v, uint16_t port, unsigned int size, bool in, uint32_t *value);
/* MMIO: -ENOENT when no device claims the address (the partition is then stopped). */
int vmm_mmio(struct vcpu *v, gpa_t addr, unsigned int size, bool write, uint64_t *value);
bool vmm_mmio_claimed(struct partition *p, gpa_t addr);
/*
 * An access to guest-physical memory that is not RAM: decodes the instruction
 * at RIP and completes it against a device. -ENOENT when no device is there;
 * otherwise 0, with the partition stopped (and the reason logged) if the
 * access cannot be emulated faithfully.
 */
int vmm_mmio_exit(struct vcpu *v, const struct virt_exit *e);
/* INS/OUTS: 0 done, 1 re-execute (REP left or #PF injected), <0 partition stopped. */
int vmm_string_io(struct vcpu *v, const struct virt_exit *e);

/* vmm/core/hypercall.c */
int vmm_hypercall(struct vcpu *v);

/* The partition's console: bytes from the UART and the console hypercall. */
void partition_console_put(struct partition *p, const char *s, size_t len);
/*
 * Reads the partition's console output by absolute offset (plinth/byte_ring.h):
 * up to len bytes from *off, which advances; *lost counts bytes overwritten
 * before they were read. For a reader streaming it (the management agent).
 */
size_t partition_console_read(struct partition *p, uint64_t *off, void *buf, size_t len,
			      uint64_t *lost);

#endif
