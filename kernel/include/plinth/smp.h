/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_SMP_H
#define PLINTH_SMP_H

#include <plinth/types.h>

typedef void (*xcall_fn)(void *arg);

/* Boot CPU only: creates and installs its per-CPU area, then runs next() on its guarded stack. */
void __noreturn smp_bsp_setup(void (*next)(void *), void *arg);
/* Starts every enabled CPU from the MADT; returns how many are online, boot CPU included. */
unsigned int smp_boot_aps(paddr_t trampoline_page);

/*
 * Runs fn(arg) on CPU `cpu` (in interrupt context there) and waits for it.
 * -ENODEV for an offline CPU, -ETIMEDOUT if it does not answer in time.
 */
int smp_call(unsigned int cpu, xcall_fn fn, void *arg);
int smp_call_async(unsigned int cpu, xcall_fn fn, void *arg);
int smp_call_wait(unsigned int cpu);
/* Runs fn on every online CPU at once, this one included; returns CPUs that ran it. */
unsigned int smp_call_all(xcall_fn fn, void *arg);
void xcall_init(void);
/* Hands fn(arg) to an idle CPU, which runs it with interrupts enabled, outside any handler. */
int smp_run_on(unsigned int cpu, void (*fn)(void *), void *arg);
void __noreturn smp_idle_loop(void);
/* Restarts a CPU that parked itself (INIT-SIPI); -EINVAL if it is online, -EBUSY in VMX operation. */
int smp_restart_cpu(unsigned int index);

#endif
