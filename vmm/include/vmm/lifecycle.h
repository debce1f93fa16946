/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_LIFECYCLE_H
#define VMM_LIFECYCLE_H

/*
 * Partitions at run time (vmm/core/lifecycle.c): created, started, stopped,
 * rebooted and deleted on request, by the management agent on its
 * controller's orders and by the boot-time set-up from plinth.cfg, which
 * goes the same way (create, then start unless `autostart = no`).
 *
 *   create -> READY --start--> RUNNING --stop--> STOPPING --> STOPPED
 *                                 ^   (or the guest, a fault, its limit)  |
 *                                 +----------------start------------------+
 *   READY or STOPPED --delete--> gone (DELETED is only ever notified)
 *
 * What each step holds and frees:
 *   create  its slot, its CPUs (counted for placement), its devices, its
 *           virtio functions and its port on its switch; no guest memory.
 *   start   guest memory and EPT, the vCPUs and their threads; the image
 *           is loaded (a bad one fails the start, the partition stays).
 *   stop    the vCPUs leave; each scrubs its share of the memory on its
 *           CPU and the last releases memory and EPT (as a guest power-off
 *           does). The vCPU structures go at the next start or delete.
 *   delete  CPUs, devices, switch port, console log, slot; the name is free.
 * Switches themselves stay, like the boot's (vmm/include/vmm/net_wiring.h).
 *
 * Every call here is for a thread on SCHED_SERVICE_CPU (CPU 0), where the
 * console router, the exit reports' readers and the agent run; elsewhere it
 * returns -EPERM. Switching there is cooperative, so a call never races
 * another one or a reader of partition_get(); vCPUs on the other CPUs take
 * part only through the state, under the partition's lock. Errors are
 * negative errno with a sentence in err (errlen bytes, may be 0).
 */
#include <plinth/boot_info.h>
#include <plinth/config.h>
#include <plinth/types.h>
#include <vmm/partition.h>

/* The images of a partition: kernel required, initrd and disk NULL when absent. */
struct partition_images {
	const struct boot_module *kernel, *initrd, *disk;
};

/*
 * A new partition in state READY, from spec (copied) and images (the
 * structures copied; the memory they describe must stay until delete).
 * -EEXIST the name is taken; -ENOSPC no slot, more vCPUs than CPUs, or not
 * as much free memory as it needs now (memory is taken only at start);
 * -ENODEV no usable hardware virtualization; -EINVAL a bad spec (a CPU
 * that is Plinth's or offline, a bad name, a disk another writes, an exit
 * port on a device); -ENOMEM Plinth's own allocations.
 */
int partition_create(const struct partition_config *spec, const struct partition_images *images,
		     char *err, size_t errlen);
/*
 * READY or STOPPED to RUNNING: memory, image, vCPU threads. -ENOENT no such
 * partition; -EBUSY it is running or stopping; -ENOSPC not enough memory;
 * the image loader's error (e.g. -ENOEXEC) for a bad image.
 */
int partition_start(const char *name, char *err, size_t errlen);
/*
 * Operator power-off: asks every vCPU to leave (status 0, reason logged and
 * notified) and returns; partition_wait_stopped() waits for STOPPED.
 * -EALREADY when it is not running (already stopping counts as done: 0).
 */
int partition_power_off(const char *name, const char *reason);
/* Until STOPPED (or READY), at most timeout_ms: 0, -ETIMEDOUT or -ENOENT. */
int partition_wait_stopped(const char *name, uint64_t timeout_ms);
/*
 * Resets a running partition in place (partition_reboot() on its vCPU 0:
 * memory zeroed, devices reset, image reloaded). -EALREADY when not running.
 */
int partition_request_reboot(const char *name);
/*
 * Removes a READY or STOPPED partition and every resource it holds. -EBUSY
 * while it runs or stops.
 */
int partition_delete(const char *name, char *err, size_t errlen);
/* Its current state, or -ENOENT. */
int partition_state_of(const char *name, enum partition_state *state);
/* The partition of that name, or NULL; good as partition_get()'s pointers are. */
struct partition *partition_find(const char *name);
const char *partition_state_name(enum partition_state state);
/*
 * Whether partitions can run here: the first call picks the vendor backend,
 * checks it and turns it on on every CPU (CPU 0 only, like the rest).
 */
bool partition_virt_usable(void);

/*
 * Called on every transition: created (READY), RUNNING (started, and again
 * after each reboot), STOPPING, STOPPED, DELETED, with the partition's name
 * and a reason ("created", "started", the stop reason, ...). Both strings
 * are valid only during the call. Context: any CPU, a vCPU's among them
 * (STOPPING from the exit that stopped it, with interrupts off; STOPPED
 * from the last vCPU to leave; RUNNING after a reboot from vCPU 0), no
 * partition lock held: a callback must not block, sleep or wait for
 * another CPU; it copies what it needs (under its own spinlock, interrupts
 * off) and wakes its thread with sched_wake().
 */
typedef void (*partition_notifier_fn)(const char *name, enum partition_state state,
				      const char *reason);
#define PARTITION_NOTIFIERS_MAX 4
/* -ENOSPC when PARTITION_NOTIFIERS_MAX are registered; there is no unregister. */
int partition_notifier_register(partition_notifier_fn fn);

#endif
