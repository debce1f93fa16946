// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "dev_fixture.h"

uint64_t fake_now;

static uint64_t read_fake_now(void *ctx)
{
	(void)ctx;
	return fake_now;
}

const struct dev_clock fake_clock = { .now_ns = read_fake_now };

static void set_level(void *ctx, bool asserted)
{
	struct fake_line *l = ctx;

	if (l->strict)
		assert_true(asserted != l->level);
	if (asserted && !l->level)
		l->rises++;
	l->level = asserted;
}

void fake_line_init(struct fake_line *l, bool strict)
{
	*l = (struct fake_line){ .irq = { .set_level = set_level, .ctx = l }, .strict = strict };
}
