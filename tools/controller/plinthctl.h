/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CTL_PLINTHCTL_H
#define CTL_PLINTHCTL_H

/* plinthctl's pieces: the API calls (plinthctl.c), images and partitions (plinthctl_vm.c), the
 * console (plinthctl_console.c) and the output helpers (plinthctl_table.c). */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct ctl {
	const char *url, *token, *idem;
	bool json, no_wait;
	/* per-command options */
	const char *ttl, *host, *after, *timeout;
	const char *name, *vcpus, *memory, *kernel, *initrd, *cmdline, *sw, *until;
	const char *pos[4];
	int npos;
};

/*
 * Calls the API: the parsed JSON answer (NULL after printing why), with
 * *raw the body text when wanted. HTTP errors print the server's error.
 */
json_t *call(struct ctl *c, const char *method, const char *path, const char *body,
	     char **raw);
/* The same, printing the raw JSON with --json: *human tells whether to print it as text. */
json_t *get(struct ctl *c, const char *method, const char *path, const char *body,
	    bool *human);
/* A string member, "" when absent; an integer member as text, "-" when absent. */
const char *s(json_t *o, const char *k);
const char *num(json_t *o, const char *k, char *buf, size_t len);

/* Waits for task id to finish: 0 succeeded, 1 failed ("error: kind: message"), 3 timed out. */
int task_wait(struct ctl *c, long long id);
int cmd_image(struct ctl *c, const char *sub);
int cmd_vm_create(struct ctl *c);
/* vm start|stop|reboot|delete HOST/NAME */
int cmd_vm_op(struct ctl *c, const char *op);
int cmd_vm_console(struct ctl *c);

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
