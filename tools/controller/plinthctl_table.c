// SPDX-License-Identifier: GPL-2.0
/* Aligned tables and the progress bar for plinthctl's human output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "plinthctl.h"

void table_init(struct table *t, unsigned int ncols, const char *const *head)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	for (unsigned int i = 0; i < ncols; i++)
		t->head[i] = head[i];
}

void table_row(struct table *t, const char *const *cells)
{
	if (t->rows == t->cap) {
		unsigned int cap = t->cap ? 2 * t->cap : 16;
		char **n = realloc(t->cells, sizeof(char *) * cap * t->ncols);

		if (!n)
			return;
		t->cells = n;
		t->cap = cap;
	}
	for (unsigned int i = 0; i < t->ncols; i++)
		t->cells[t->rows * t->ncols + i] = strdup(cells[i] ? cells[i] : "");
	t->rows++;
}

/* Appends a cell padded to width to line; the line's end is trimmed when it is printed. */
static void cell(char *line, size_t len, const char *s, int width)
{
	size_t used = strlen(line);

	snprintf(line + used, len - used, "%-*s  ", width, s);
}

static void line_end(char *line)
{
	size_t n = strlen(line);

	while (n && line[n - 1] == ' ')
		line[--n] = '\0';
	puts(line);
	line[0] = '\0';
}

void table_print(struct table *t)
{
	size_t w[TABLE_COLS];
	char line[4096];

	for (unsigned int c = 0; c < t->ncols; c++) {
		w[c] = strlen(t->head[c]);
		for (unsigned int r = 0; r < t->rows; r++) {
			const char *s = t->cells[r * t->ncols + c];
			size_t n = s ? strlen(s) : 0;

			if (n > w[c])
				w[c] = n;
		}
	}
	line[0] = '\0';
	for (unsigned int c = 0; c < t->ncols; c++)
		cell(line, sizeof(line), t->head[c], (int)w[c]);
	line_end(line);
	for (unsigned int r = 0; r < t->rows; r++) {
		for (unsigned int c = 0; c < t->ncols; c++) {
			char *s = t->cells[r * t->ncols + c];

			cell(line, sizeof(line), s ? s : "", (int)w[c]);
			free(s);
		}
		line_end(line);
	}
	free(t->cells);
	t->cells = NULL;
}

const char *fmt_bytes(uint64_t n, char *buf, unsigned int len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	unsigned int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", v, units[u]);
	return buf;
}

const char *fmt_time(int64_t t, char *buf, unsigned int len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!t || !gmtime_r(&tt, &tm)) {
		snprintf(buf, len, "-");
		return buf;
	}
	strftime(buf, len, "%Y-%m-%d %H:%M:%SZ", &tm);
	return buf;
}

void progress_bar(uint64_t done, uint64_t total, const char *state)
{
	char bar[31];
	unsigned int fill = total ? (unsigned int)(done * 30 / total) : 0;

	if (fill > 30)
		fill = 30;
	memset(bar, '#', fill);
	memset(bar + fill, ' ', 30 - fill);
	bar[30] = '\0';
	fprintf(stderr, "\r[%s] %llu/%llu %-10s", bar, (unsigned long long)done,
		(unsigned long long)total, state);
	fflush(stderr);
}
