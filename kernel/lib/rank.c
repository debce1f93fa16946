// SPDX-License-Identifier: GPL-2.0
#include <plinth/rank.h>

/*
 * Insertion into a sorted prefix: n is a few dozen exit reasons and this
 * runs once per report, so simplicity beats a heap.
 */
unsigned int rank_desc(const uint64_t *v, unsigned int n, unsigned int *idx, unsigned int max)
{
	unsigned int count = 0;

	for (unsigned int i = 0; i < n; i++) {
		unsigned int pos;

		if (!v[i])
			continue;
		pos = count;
		while (pos > 0 && v[idx[pos - 1]] < v[i])
			pos--;
		if (pos >= max)
			continue;
		for (unsigned int j = (count < max ? count : max - 1); j > pos; j--)
			idx[j] = idx[j - 1];
		idx[pos] = i;
		if (count < max)
			count++;
	}
	return count;
}
