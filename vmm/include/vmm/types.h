/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_TYPES_H
#define VMM_TYPES_H

/*
 * Guest-physical and host-physical addresses are different C types so the
 * compiler refuses to mix them: an EPT bug that hands a guest address to the
 * host (or back) becomes a build error instead of an isolation hole.
 */
#include <plinth/types.h>

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

#endif
