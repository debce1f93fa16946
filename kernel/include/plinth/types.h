/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_TYPES_H
#define PLINTH_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A host-physical address, as the kernel's own allocators hand them out. */
typedef uint64_t paddr_t;

/*
 * Guest-physical and host-physical addresses as the hypervisor layers pass
 * them: different C types, so the compiler refuses to mix them and an EPT
 * bug that hands a guest address to the host (or back) becomes a build error
 * instead of an isolation hole.
 */
typedef struct {
	uint64_t v;
} gpa_t;

typedef struct {
	uint64_t v;
} hpa_t;

static inline gpa_t gpa(uint64_t v)
{
	return (gpa_t){ v };
}

static inline hpa_t hpa(uint64_t v)
{
	return (hpa_t){ v };
}

#define PAGE_SHIFT 12
#define PAGE_SIZE (1ULL << PAGE_SHIFT)
#define SIZE_2M (1ULL << 21)
#define SIZE_1G (1ULL << 30)
#define KIB(x) ((uint64_t)(x) << 10)
#define MIB(x) ((uint64_t)(x) << 20)
#define GIB(x) ((uint64_t)(x) << 30)

#define ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
/* The struct of type that holds member at ptr. */
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#define __packed __attribute__((packed))
#define __aligned(x) __attribute__((aligned(x)))
#define __noreturn __attribute__((noreturn))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define __unused __attribute__((unused))

#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

#endif
