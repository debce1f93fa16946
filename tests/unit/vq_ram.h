/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TESTS_VQ_RAM_H
#define TESTS_VQ_RAM_H

/*
 * Fake guest RAM for the virtqueue tests and fuzz target: one contiguous
 * range [base, base + size) in a host buffer, behind virtq_mem_ops that
 * refuse anything outside it the way the partition's accessor does.
 */
#include <vmm/virtio/virtqueue.h>

struct vq_ram {
	uint8_t *mem;
	uint64_t base, size;
	struct virtq_mem_ops ops;
	/* Called before each read, so a test can change RAM under the walker. */
	void (*on_read)(struct vq_ram *r, uint64_t gpa, size_t len);
	void *priv;
};

void vq_ram_init(struct vq_ram *r, uint64_t base, uint64_t size);
void vq_ram_free(struct vq_ram *r);
/* Hands the walker host pointers to RAM (virtq_mem_ops.map), as the partition does. */
void vq_ram_enable_map(struct vq_ram *r);
bool vq_ram_contains(const struct vq_ram *r, uint64_t gpa, uint64_t len);

/* Little-endian stores and loads at a guest-physical address in RAM. */
void vq_ram_put16(struct vq_ram *r, uint64_t gpa, uint16_t v);
void vq_ram_put32(struct vq_ram *r, uint64_t gpa, uint32_t v);
void vq_ram_put64(struct vq_ram *r, uint64_t gpa, uint64_t v);
uint16_t vq_ram_get16(const struct vq_ram *r, uint64_t gpa);
uint32_t vq_ram_get32(const struct vq_ram *r, uint64_t gpa);

#endif
