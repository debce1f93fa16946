/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CTL_PLINTHCTL_H
#define CTL_PLINTHCTL_H

/* plinthctl's output helpers (plinthctl_table.c). */
#include <stdbool.h>
#include <stdint.h>

#define TABLE_COLS 8

struct table {
	unsigned int ncols, rows, cap;
	const char *head[TABLE_COLS];
	char **cells;			/* rows * ncols strings, malloc'd */
};

void table_init(struct table *t, unsigned int ncols, const char *const *head);
/* Appends a row of ncols printf-formatted cells given as strings. */
void table_row(struct table *t, const char *const *cells);
/* Prints the table with each column as wide as its widest cell; frees it. */
void table_print(struct table *t);

/* "1.5 GiB" and the like, into buf. */
const char *fmt_bytes(uint64_t n, char *buf, unsigned int len);
/* A unix time as "2026-12-04 19:04:34Z", or "-" for 0. */
const char *fmt_time(int64_t t, char *buf, unsigned int len);
/* One progress bar frame on the terminal: "\r[#####     ] done/total state". */
void progress_bar(uint64_t done, uint64_t total, const char *state);

#endif
