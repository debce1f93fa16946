/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_RANK_H
#define PLINTH_RANK_H

/*
 * Ranking of counters for reports ("highest first"): the indices of the
 * largest non-zero values, without sorting the values themselves.
 */
#include <plinth/types.h>

/*
 * Writes to idx[] the indices of the at most max largest non-zero entries
 * of v[0..n), largest first; equal values keep index order. Returns how
 * many were written.
 */
unsigned int rank_desc(const uint64_t *v, unsigned int n, unsigned int *idx, unsigned int max);

#endif
