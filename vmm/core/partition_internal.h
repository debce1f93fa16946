/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_CORE_PARTITION_INTERNAL_H
#define VMM_CORE_PARTITION_INTERNAL_H

/*
 * Between vmm/core/partition.c (memory, image, stop) and
 * vmm/core/lifecycle.c (create, start, delete, notifiers); nobody else.
 */
#include <vmm/lifecycle.h>
#include <vmm/partition.h>

/*
 * Guest memory and EPT for p->cfg->memory; the frames are zeroed by the
 * vCPUs before the first entry (partition_vcpu_ready()). -ENOSPC or -EINVAL
 * with err set; on error nothing is left allocated.
 */
int partition_memory_alloc(struct partition *p, char *err, size_t errlen);
/* Frees memory, EPT and chunk list; @scrub zeroes the frames here first. */
void partition_memory_release(struct partition *p, bool scrub);
/* Loads the image into its memory and fills *bsp with vCPU 0's boot registers. */
int partition_load_image(struct partition *p, struct vcpu_regs *bsp, char *err, size_t errlen);

/* Tells every notifier (vmm/include/vmm/lifecycle.h) about p's new state. */
void partition_notify(struct partition *p, enum partition_state state, const char *reason);
/* The same with copies, for a caller after which p may be gone. */
void partition_notifiers_call(const char *name, enum partition_state state, const char *reason);

#endif
