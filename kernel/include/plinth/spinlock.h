/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_SPINLOCK_H
#define PLINTH_SPINLOCK_H

#include <plinth/types.h>

/*
 * Ticket lock: FIFO fairness matters once vCPU threads contend on shared
 * device state. Builds on the host too, so lock-using modules stay testable.
 */
typedef struct spinlock {
	uint32_t next;
	uint32_t owner;
} spinlock_t;

#define SPINLOCK_INIT { 0, 0 }

static inline void cpu_relax(void)
{
	__builtin_ia32_pause();
}

static inline void spin_lock_init(spinlock_t *lock)
{
	lock->next = 0;
	lock->owner = 0;
}

static inline void spin_lock(spinlock_t *lock)
{
	uint32_t ticket = __atomic_fetch_add(&lock->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&lock->owner, __ATOMIC_ACQUIRE) != ticket)
		cpu_relax();
}

static inline void spin_unlock(spinlock_t *lock)
{
	__atomic_store_n(&lock->owner, lock->owner + 1, __ATOMIC_RELEASE);
}

static inline bool spin_is_locked(spinlock_t *lock)
{
	return __atomic_load_n(&lock->owner, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&lock->next, __ATOMIC_RELAXED);
}

#endif
