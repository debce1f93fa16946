/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 16550A UART model, register by register: reset values, DLAB, the FIFO
 * and its trigger levels, the character timeout, overruns, IIR priorities
 * and how each interrupt is cleared, the THRE interrupt on an IER write,
 * loopback, MSR deltas, the OUT2-gated line and host input backpressure.
 * The line is a fake dev_irq that records every level it is driven to.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <plinth/errno.h>
#include <vmm/dev/uart16550.h>

#define MAX_LEVELS 64

struct fixture {
	struct vuart16550 u;
	unsigned int nlevels; /* drives of the line so far */
	bool last_level;
	bool levels[MAX_LEVELS]; /* the first MAX_LEVELS of them */
	size_t ntx;
	uint8_t tx[256];
};

static void record_level(void *ctx, bool asserted)
{
	struct fixture *f = ctx;

	if (f->nlevels < MAX_LEVELS)
		f->levels[f->nlevels] = asserted;
	f->nlevels++;
	f->last_level = asserted;
}

static void record_tx(void *ctx, uint8_t byte)
{
	struct fixture *f = ctx;

	assert_true(f->ntx < sizeof(f->tx));
	f->tx[f->ntx++] = byte;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct vuart16550_config cfg = {
		.irq = { .set_level = record_level, .ctx = f },
		.tx = record_tx,
		.tx_ctx = f,
	};

	assert_non_null(f);
	assert_int_equal(vuart16550_init(&f->u, &cfg), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static uint8_t rd(struct fixture *f, unsigned int reg)
{
	return vuart16550_read(&f->u, reg);
}

static void wr(struct fixture *f, unsigned int reg, uint8_t val)
{
	vuart16550_write(&f->u, reg, val);
}

static bool line(const struct fixture *f)
{
	return f->nlevels && f->last_level;
}

static void push_str(struct fixture *f, const char *s, size_t expect)
{
	assert_int_equal(vuart16550_rx_push(&f->u, (const uint8_t *)s, strlen(s)), expect);
}

/* FIFO on with the given FCR trigger bits, OUT2 set so interrupts reach the line. */
static void fifo_irq_setup(struct fixture *f, uint8_t trigger_bits, uint8_t ier)
{
	wr(f, VUART_FCR, VUART_FCR_ENABLE | trigger_bits);
	wr(f, VUART_MCR, VUART_MCR_OUT2 | VUART_MCR_DTR | VUART_MCR_RTS);
	wr(f, VUART_IER, ier);
}

static void test_init_rejects_bad_config(void **state)
{
	struct vuart16550 u;
	struct vuart16550_config cfg = { 0 };

	(void)state;
	assert_int_equal(vuart16550_init(&u, NULL), -EINVAL);
	assert_int_equal(vuart16550_init(NULL, &cfg), -EINVAL);
	assert_int_equal(vuart16550_init(&u, &cfg), -EINVAL);
}

static void test_reset_values(void **state)
{
	struct fixture *f = *state;

	/* init drives the line low once, so owner and model agree. */
	assert_int_equal(f->nlevels, 1);
	assert_false(f->levels[0]);
	assert_int_equal(rd(f, VUART_IER), 0);
	assert_int_equal(rd(f, VUART_IIR), VUART_IIR_NO_INT);
	assert_int_equal(rd(f, VUART_LCR), 0);
	assert_int_equal(rd(f, VUART_MCR), 0);
	assert_int_equal(rd(f, VUART_LSR), VUART_LSR_THRE | VUART_LSR_TEMT);
	assert_int_equal(rd(f, VUART_MSR), VUART_MSR_CTS | VUART_MSR_DSR | VUART_MSR_DCD);
	assert_int_equal(rd(f, VUART_SCR), 0);
	wr(f, VUART_LCR, VUART_LCR_DLAB);
	/* Divisor 1, never 0: a guest dividing by it must not fault. */
	assert_int_equal(rd(f, VUART_DLL), 1);
	assert_int_equal(rd(f, VUART_DLM), 0);
	assert_int_equal(f->nlevels, 1);
}

static void test_reset_after_use(void **state)
{
	struct fixture *f = *state;

	fifo_irq_setup(f, 0, VUART_IER_THRI);
	wr(f, VUART_SCR, 0x5a);
	push_str(f, "abc", 3);
	assert_true(line(f));
	vuart16550_reset(&f->u);
	assert_false(line(f));
	assert_int_equal(rd(f, VUART_IIR), VUART_IIR_NO_INT);
	assert_int_equal(rd(f, VUART_LSR), VUART_LSR_THRE | VUART_LSR_TEMT);
	assert_int_equal(rd(f, VUART_SCR), 0);
	assert_int_equal(rd(f, VUART_MCR), 0);
	assert_false(vuart16550_rx_pending(&f->u));
	/* The callbacks survive a reset. */
	wr(f, VUART_THR, 'z');
	assert_int_equal(f->ntx, 1);
}

static void test_thr_transmits_at_once(void **state)
{
	struct fixture *f = *state;

	for (unsigned int i = 0; i < 200; i++) {
		wr(f, VUART_THR, (uint8_t)i);
		assert_int_equal(rd(f, VUART_LSR), VUART_LSR_THRE | VUART_LSR_TEMT);
	}
	assert_int_equal(f->ntx, 200);
	for (unsigned int i = 0; i < 200; i++)
		assert_int_equal(f->tx[i], (uint8_t)i);
	/* Nothing enabled: no interrupt, the line was never touched again. */
	assert_int_equal(rd(f, VUART_IIR), VUART_IIR_NO_INT);
	assert_int_equal(f->nlevels, 1);
}

static void test_plain_registers_read_back(void **state)
{
	struct fixture *f = *state;

	for (unsigned int v = 0; v < 256; v++) {
		wr(f, VUART_SCR, (uint8_t)v);
		assert_int_equal(rd(f, VUART_SCR), v);
		/* LCR keeps all eight bits; DLAB off again before IER. */
		wr(f, VUART_LCR, (uint8_t)v);
		assert_int_equal(rd(f, VUART_LCR), v);
		wr(f, VUART_LCR, 0x03);
		/* The 16550A has IER bits 0-3 and MCR bits 0-4 only. */
		wr(f, VUART_IER, (uint8_t)v);
		assert_int_equal(rd(f, VUART_IER), v & 0x0f);
		wr(f, VUART_MCR, (uint8_t)v);
		assert_int_equal(rd(f, VUART_MCR), v & 0x1f);
	}
}

static void test_dlab_switches_registers(void **state)
{
	struct fixture *f = *state;

	wr(f, VUART_IER, 0x05);
	wr(f, VUART_LCR, VUART_LCR_DLAB | 0x03);
	wr(f, VUART_DLL, 0x0c);
	wr(f, VUART_DLM, 0x34);
	/* Divisor writes are not transmitted and leave IER alone. */
	assert_int_equal(f->ntx, 0);
	assert_int_equal(rd(f, VUART_DLL), 0x0c);
	assert_int_equal(rd(f, VUART_DLM), 0x34);
	/* DLAB does not reach registers 2..7. */
	assert_int_equal(rd(f, VUART_IIR), VUART_IIR_NO_INT);
	wr(f, VUART_SCR, 0x77);
	assert_int_equal(rd(f, VUART_SCR), 0x77);
	/* Received data stays in the FIFO while DLAB hides RBR. */
	push_str(f, "q", 1);
	assert_int_equal(rd(f, VUART_DLL), 0x0c);
	assert_true(rd(f, VUART_LSR) & VUART_LSR_DR);

	wr(f, VUART_LCR, 0x03);
	assert_int_equal(rd(f, VUART_IER), 0x05);
	assert_int_equal(rd(f, VUART_RBR), 'q');
	wr(f, VUART_THR, 'x');
	assert_int_equal(f->ntx, 1);
	wr(f, VUART_LCR, VUART_LCR_DLAB);
	assert_int_equal(rd(f, VUART_DLL), 0x0c);
	assert_int_equal(rd(f, VUART_DLM), 0x34);
}

static void test_holding_register_without_fifo(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(vuart16550_rx_space(&f->u), 1);
	push_str(f, "abc", 1);
	assert_int_equal(vuart16550_rx_space(&f->u), 0);
	push_str(f, "bc", 0);
	assert_int_equal(rd(f, VUART_LSR), VUART_LSR_DR | VUART_LSR_THRE | VUART_LSR_TEMT);
	assert_int_equal(rd(f, VUART_RBR), 'a');
	assert_int_equal(rd(f, VUART_LSR) & VUART_LSR_DR, 0);
	/* An empty RBR still holds the last byte. */
	assert_int_equal(rd(f, VUART_RBR), 'a');
	push_str(f, "bc", 1);
	assert_int_equal(rd(f, VUART_RBR), 'b');
}

static void test_fifo_fill_and_drain(void **state)
{
	struct fixture *f = *state;
	char in[21] = "0123456789abcdefghij";

	wr(f, VUART_FCR, VUART_FCR_ENABLE);
	assert_int_equal(rd(f, VUART_IIR), VUART_IIR_FIFO_ENABLED | VUART_IIR_NO_INT);
	assert_int_equal(vuart16550_rx_space(&f->u), VUART16550_FIFO_SIZE);
	push_str(f, in, VUART16550_FIFO_SIZE);
	assert_int_equal(vuart16550_rx_space(&f->u), 0);
	/* Full, but the host cannot overrun it: no OE. */
	assert_int_equal(rd(f, VUART_LSR) & VUART_LSR_OE, 0);
	for (unsigned int i = 0; i < 10; i++) {
		assert_true(rd(f, VUART_LSR) & VUART_LSR_DR);
		assert_int_equal(rd(f, VUART_RBR), in[i]);
	}
	/* The ring wraps: the refused tail goes in behind what is left. */
	push_str(f, in + 16, 4);
	for (unsigned int i = 10; i < 20; i++)
		assert_int_equal(rd(f, VUART_RBR), in[i]);
	assert_int_equal(rd(f, VUART_LSR) & VUART_LSR_DR, 0);
	assert_false(vuart16550_rx_pending(&f->u));
}

static void test_fcr_resets_and_mode_changes(void **state)
{
	struct fixture *f = *state;

	wr(f, VUART_FCR, VUART_FCR_ENABLE);
	push_str(f, "hello", 5);
	/* Reset of the RX FIFO empties it; the TX reset has nothing to drop. */
	wr(f, VUART_FCR, VUART_FCR_ENABLE | VUART_FCR_CLEAR_XMIT);
	assert_true(vuart16550_rx_pending(&f->u));
	wr(f, VUART_FCR, VUART_FCR_ENABLE | VUART_FCR_CLEAR_RCVR);
	assert_false(vuart16550_rx_pending(&f->u));
	assert_int_equal(rd(f, VUART_LSR) & VUART_LSR_DR, 0);

	/* Leaving FIFO mode empties the FIFO and drops the other bits. */
	push_str(f, "hello", 5);
	wr(f, VUART_FCR, 0xc0);
	assert_false(vuart16550_rx_pending(&f->u));
	assert_int_equal(rd(f, VUART_IIR), VUART_IIR_NO_INT);
	assert_int_equal(vuart16550_rx_space(&f->u), 1);
	/* So does entering it. */
	push_str(f, "h", 1);
	wr(f, VUART_FCR, VUART_FCR_ENABLE);
	assert_false(vuart16550_rx_pending(&f->u));
	/* Rewriting FCR with FIFO on and no reset keeps the data. */
	push_str(f, "hi", 2);
	wr(f, VUART_FCR, VUART_FCR_ENABLE | 0x40);
	assert_int_equal(rd(f, VUART_RBR), 'h');
	assert_int_equal(rd(f, VUART_RBR), 'i');
}

static void test_trigger_levels(void **state)
{
	static const struct {
		uint8_t bits;
		unsigned int level;
	} trig[] = { { 0x00, 1 }, { 0x40, 4 }, { 0x80, 8 }, { 0xc0, 14 } };
	struct fixture *f = *state;
	uint8_t buf[VUART16550_FIFO_SIZE];

	memset(buf, 'x', sizeof(buf));
	for (unsigned int t = 0; t < 4; t++) {
		fifo_irq_setup(f, trig[t].bits | VUART_FCR_CLEAR_RCVR, VUART_IER_RDI);
		/* Below the trigger no interrupt, as long as nobody looks (no timeout). */
		assert_int_equal(vuart16550_rx_push(&f->u, buf, trig[t].level - 1),
				 trig[t].level - 1);
		assert_false(line(f));
		assert_int_equal(vuart16550_rx_push(&f->u, buf, 1), 1);
		assert_true(line(f));
		assert_int_equal(rd(f, VUART_IIR), VUART_IIR_FIFO_ENABLED | VUART_IIR_RDI);
		/* One byte read drops the FIFO below the trigger: the RDA interrupt ends. */
		rd(f, VUART_RBR);
		assert_false(line(f));
		while (rd(f, VUART_LSR) & VUART_LSR_DR)
			rd(f, VUART_RBR);
		assert_false(line(f));
		assert_int_equal(rd(f, VUART_IIR), VUART_IIR_FIFO_ENABLED | VUART_IIR_NO_INT);
	}
}

static void test_char_timeout_on_tick(void **state)
{
	struct fixture *f = *state;

	fifo_irq_setup(f, 0x80, VUART_IER_RDI); /* trigger 8 */
	vuart16550_tick(&f->u); /* empty FIFO: nothing expires */
	assert_false(line(f));
	push_str(f, "abc", 3);
	assert_false(line(f));
	assert_true(vuart16550_rx_pending(&f->u));
	vuart16550_tick(&f->u);
	assert_true(line(f));
	/* A new byte does not restart an expired timeout. */
	push_str(f, "d", 1);
	assert_int_equal(rd(f, VUART_IIR), VUART_IIR_FIFO_ENABLED | VUART_IIR_TIMEOUT);
	/* Reading RBR clears it until the next look. */
	assert_int_equal(rd(f, VUART_RBR), 'a');
	assert_false(line(f));
	vuart16550_tick(&f->u);
	assert_true(line(f));
	assert_int_equal(rd(f, VUART_RBR), 'b');
	assert_int_equal(rd(f, VUART_RBR), 'c');
	assert_int_equal(rd(f, VUART_RBR), 'd');
	vuart16550_tick(&f->u);
	assert_false(line(f));
	assert_false(vuart16550_rx_pending(&f->u));
}

static void test_char_timeout_on_guest_look(void **state)
{
	struct fixture *f = *state;

	fifo_irq_setup(f, 0x40, VUART_IER_RDI); /* trigger 4 */
	push_str(f, "ab", 2);
	assert_false(line(f));
	/* A poll of LSR expires it... */
	assert_true(rd(f, VUART_LSR) & VUART_LSR_DR);
	assert_true(line(f));
	rd(f, VUART_RBR);
	assert_false(line(f));
	/* ...and so does a read of IIR, which then reports it. */
	assert_int_equal(rd(f, VUART_IIR), VUART_IIR_FIFO_ENABLED | VUART_IIR_TIMEOUT);
	assert_true(line(f));
	rd(f, VUART_RBR);
	assert_int_equal(rd(f, VUART_IIR), VUART_IIR_FIFO_ENABLED | VUART_IIR_NO_INT);
	assert_false(line(f));
}

static void test_no_timeout_without_fifo(void **state)
{
	struct fixture *f = *state;

	/* In 16450 mode every byte is "data available" at once. */
	wr(f, VUART_MCR, VUART_MCR_OUT2);
	wr(f, VUART_IER, VUART_IER_RDI);
	push_str(f, "a", 1);
	assert_true(line(f));
	vuart16550_tick(&f->u);
	assert_int_equal(rd(f, VUART_IIR), VUART_IIR_RDI);
	rd(f, VUART_RBR);
	assert_false(line(f));
}

static void test_overrun_fifo_loopback(void **state)
{
	struct fixture *f = *state;

	wr(f, VUART_FCR, VUART_FCR_ENABLE | 0xc0);
	wr(f, VUART_MCR, VUART_MCR_LOOP | VUART_MCR_OUT2);
	wr(f, VUART_IER, VUART_IER_RLSI);
	for (unsigned int i = 0; i < VUART16550_FIFO_SIZE; i++)
		wr(f, VUART_THR, (uint8_t)('A' + i));
	assert_false(line(f));
	/* The 17th byte finds the FIFO full: lost, and OE says so. */
	wr(f, VUART_THR, '!');
	assert_true(line(f));
	assert_int_equal(rd(f, VUART_IIR), VUART_IIR_FIFO_ENABLED | VUART_IIR_RLSI);
	assert_int_equal(rd(f, VUART_LSR),
			 VUART_LSR_DR | VUART_LSR_OE | VUART_LSR_THRE | VUART_LSR_TEMT);
	/* Reading LSR clears OE and the line status interrupt. */
	assert_false(line(f));
	assert_int_equal(rd(f, VUART_LSR) & VUART_LSR_OE, 0);
	for (unsigned int i = 0; i < VUART16550_FIFO_SIZE; i++)
		assert_int_equal(rd(f, VUART_RBR), 'A' + i);
	assert_int_equal(rd(f, VUART_LSR) & VUART_LSR_DR, 0);
	assert_int_equal(f->ntx, 0);
}

static void test_overrun_holding_register(void **state)
{
	struct fixture *f = *state;

	wr(f, VUART_MCR, VUART_MCR_LOOP);
	wr(f, VUART_THR, '1');
	assert_int_equal(rd(f, VUART_LSR) & VUART_LSR_OE, 0);
	/* Without a FIFO the new byte overwrites the unread one. */
	wr(f, VUART_THR, '2');
	assert_true(rd(f, VUART_LSR) & VUART_LSR_OE);
	assert_int_equal(rd(f, VUART_RBR), '2');
	assert_int_equal(rd(f, VUART_LSR) & (VUART_LSR_OE | VUART_LSR_DR), 0);
}

static void test_iir_priorities_and_clearing(void **state)
{
	struct fixture *f = *state;

	/* Every source at once: overrun, data at the trigger, THRE, modem deltas. */
	wr(f, VUART_FCR, VUART_FCR_ENABLE);
	wr(f, VUART_MCR, VUART_MCR_LOOP | VUART_MCR_OUT2);
	for (unsigned int i = 0; i <= VUART16550_FIFO_SIZE; i++)
		wr(f, VUART_THR, (uint8_t)i);
	wr(f, VUART_IER, VUART_IER_MASK);
	assert_true(line(f));

	assert_int_equal(rd(f, VUART_IIR), 0xc0 | VUART_IIR_RLSI);
	/* Reading IIR reporting something else leaves THRE pending. */
	assert_int_equal(rd(f, VUART_IIR), 0xc0 | VUART_IIR_RLSI);
	rd(f, VUART_LSR);
	assert_int_equal(rd(f, VUART_IIR), 0xc0 | VUART_IIR_RDI);
	while (rd(f, VUART_LSR) & VUART_LSR_DR)
		rd(f, VUART_RBR);
	assert_int_equal(rd(f, VUART_IIR), 0xc0 | VUART_IIR_THRI);
	/* That read was the THRE acknowledge. */
	assert_int_equal(rd(f, VUART_IIR), 0xc0 | VUART_IIR_MSI);
	assert_true(line(f));
	assert_int_equal(rd(f, VUART_MSR) & VUART_MSR_DELTA_MASK,
			 VUART_MSR_DCTS | VUART_MSR_DDSR);
	assert_int_equal(rd(f, VUART_IIR), 0xc0 | VUART_IIR_NO_INT);
	assert_false(line(f));

	/* The character timeout ranks with RDA: above THRE. */
	wr(f, VUART_FCR, VUART_FCR_ENABLE | 0x40); /* trigger 4 */
	wr(f, VUART_THR, 'x');
	assert_int_equal(rd(f, VUART_IIR), 0xc0 | VUART_IIR_TIMEOUT);
	rd(f, VUART_RBR);
	assert_int_equal(rd(f, VUART_IIR), 0xc0 | VUART_IIR_THRI);
	assert_int_equal(rd(f, VUART_IIR), 0xc0 | VUART_IIR_NO_INT);
}

static void test_thre_interrupt_on_ier_write(void **state)
{
	struct fixture *f = *state;

	wr(f, VUART_MCR, VUART_MCR_OUT2);
	/* Enabling THRI with THR empty raises it at once (Linux's TXEN test). */
	wr(f, VUART_IER, VUART_IER_THRI);
	assert_true(line(f));
	assert_int_equal(rd(f, VUART_IIR), VUART_IIR_THRI);
	assert_false(line(f));
	assert_int_equal(rd(f, VUART_IIR), VUART_IIR_NO_INT);
	/* Rewriting IER with THRI already on does not bring it back... */
	wr(f, VUART_IER, VUART_IER_THRI | VUART_IER_RDI);
	assert_int_equal(rd(f, VUART_IIR), VUART_IIR_NO_INT);
	/* ...turning it off and on again does (Linux's THRE test reads IIR twice). */
	wr(f, VUART_IER, 0);
	wr(f, VUART_IER, VUART_IER_THRI);
	assert_int_equal(rd(f, VUART_IIR), VUART_IIR_THRI);
	/* A THR write empties at once and raises it again. */
	wr(f, VUART_THR, 'a');
	assert_true(line(f));
	assert_int_equal(rd(f, VUART_IIR), VUART_IIR_THRI);
	assert_false(line(f));
	/* Disabling THRI with the interrupt pending drops the line. */
	wr(f, VUART_THR, 'b');
	assert_true(line(f));
	wr(f, VUART_IER, 0);
	assert_false(line(f));
	assert_int_equal(f->ntx, 2);
}

static void test_loopback(void **state)
{
	struct fixture *f = *state;

	wr(f, VUART_FCR, VUART_FCR_ENABLE);
	/* Linux's autoconfig check: LOOP | RTS | OUT2 reads back as CTS | DCD. */
	wr(f, VUART_MCR, VUART_MCR_LOOP | VUART_MCR_RTS | VUART_MCR_OUT2);
	assert_int_equal(rd(f, VUART_MSR) & 0xf0, VUART_MSR_CTS | VUART_MSR_DCD);
	for (unsigned int m = 0; m < 16; m++) {
		uint8_t msr;

		wr(f, VUART_MCR, VUART_MCR_LOOP | m);
		msr = rd(f, VUART_MSR);
		assert_int_equal(!!(msr & VUART_MSR_CTS), !!(m & VUART_MCR_RTS));
		assert_int_equal(!!(msr & VUART_MSR_DSR), !!(m & VUART_MCR_DTR));
		assert_int_equal(!!(msr & VUART_MSR_RI), !!(m & VUART_MCR_OUT1));
		assert_int_equal(!!(msr & VUART_MSR_DCD), !!(m & VUART_MCR_OUT2));
	}
	/* What the guest sends comes back to it, not to the host. */
	wr(f, VUART_THR, 'L');
	assert_int_equal(f->ntx, 0);
	assert_int_equal(rd(f, VUART_RBR), 'L');
	/* The host's input is disconnected: it keeps its bytes. */
	assert_int_equal(vuart16550_rx_space(&f->u), 0);
	push_str(f, "host", 0);
	/* Out of loopback: the terminal's lines again, host input accepted. */
	wr(f, VUART_MCR, VUART_MCR_DTR);
	assert_int_equal(rd(f, VUART_MSR) & 0xf0,
			 VUART_MSR_CTS | VUART_MSR_DSR | VUART_MSR_DCD);
	push_str(f, "host", 4);
	wr(f, VUART_THR, 'T');
	assert_int_equal(f->ntx, 1);
	assert_int_equal(f->tx[0], 'T');
}

static void test_loopback_keeps_host_bytes(void **state)
{
	struct fixture *f = *state;

	wr(f, VUART_FCR, VUART_FCR_ENABLE);
	push_str(f, "ab", 2);
	wr(f, VUART_MCR, VUART_MCR_LOOP);
	wr(f, VUART_THR, 'c');
	wr(f, VUART_MCR, 0);
	assert_int_equal(rd(f, VUART_RBR), 'a');
	assert_int_equal(rd(f, VUART_RBR), 'b');
	assert_int_equal(rd(f, VUART_RBR), 'c');
}

static void test_msr_deltas(void **state)
{
	struct fixture *f = *state;

	/* A terminal that is always there: no deltas, reads are stable. */
	assert_int_equal(rd(f, VUART_MSR), 0xb0);
	assert_int_equal(rd(f, VUART_MSR), 0xb0);
	/* Entering loopback with every output off drops CTS, DSR and DCD. */
	wr(f, VUART_MCR, VUART_MCR_LOOP);
	assert_int_equal(rd(f, VUART_MSR), VUART_MSR_DCTS | VUART_MSR_DDSR | VUART_MSR_DDCD);
	assert_int_equal(rd(f, VUART_MSR), 0);
	/* RI's leading edge sets no delta; its trailing edge sets TERI. */
	wr(f, VUART_MCR, VUART_MCR_LOOP | VUART_MCR_OUT1);
	assert_int_equal(rd(f, VUART_MSR), VUART_MSR_RI);
	wr(f, VUART_MCR, VUART_MCR_LOOP);
	assert_int_equal(rd(f, VUART_MSR), VUART_MSR_TERI);
	/* Deltas accumulate until read. */
	wr(f, VUART_MCR, VUART_MCR_LOOP | VUART_MCR_RTS);
	wr(f, VUART_MCR, VUART_MCR_LOOP | VUART_MCR_RTS | VUART_MCR_DTR);
	assert_int_equal(rd(f, VUART_MSR),
			 VUART_MSR_CTS | VUART_MSR_DSR | VUART_MSR_DCTS | VUART_MSR_DDSR);
	/* The modem status interrupt, and reading MSR as its acknowledge. */
	wr(f, VUART_IER, VUART_IER_MSI);
	wr(f, VUART_MCR, VUART_MCR_LOOP | VUART_MCR_OUT2);
	assert_true(line(f));
	assert_int_equal(rd(f, VUART_IIR), VUART_IIR_MSI);
	rd(f, VUART_MSR);
	assert_false(line(f));
	assert_int_equal(rd(f, VUART_IIR), VUART_IIR_NO_INT);
}

static void test_out2_gates_line(void **state)
{
	struct fixture *f = *state;

	wr(f, VUART_IER, VUART_IER_THRI);
	/* Pending in IIR, but without OUT2 the line stays low. */
	assert_false(line(f));
	wr(f, VUART_MCR, VUART_MCR_OUT2);
	assert_true(line(f));
	wr(f, VUART_MCR, VUART_MCR_DTR);
	assert_false(line(f));
	assert_int_equal(rd(f, VUART_IIR), VUART_IIR_THRI);
	/* Exactly: init low, high, low; no redundant drives. */
	assert_int_equal(f->nlevels, 3);
	assert_false(f->levels[0]);
	assert_true(f->levels[1]);
	assert_false(f->levels[2]);
}

static void test_line_transitions_rx(void **state)
{
	struct fixture *f = *state;

	wr(f, VUART_MCR, VUART_MCR_OUT2);
	wr(f, VUART_IER, VUART_IER_RDI);
	push_str(f, "a", 1);
	/* Polling LSR or IIR while it stays pending changes nothing. */
	rd(f, VUART_LSR);
	rd(f, VUART_IIR);
	rd(f, VUART_IIR);
	rd(f, VUART_RBR);
	push_str(f, "b", 1);
	push_str(f, "c", 0);
	rd(f, VUART_RBR);
	assert_int_equal(f->nlevels, 5);
	for (unsigned int i = 0; i < 5; i++)
		assert_int_equal(f->levels[i], i & 1);
}

static void test_rx_push_backpressure(void **state)
{
	struct fixture *f = *state;
	uint8_t in[300], out[300];
	size_t sent = 0, got = 0;

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 7 + 3);
	wr(f, VUART_FCR, VUART_FCR_ENABLE);
	/* The host offers everything left; the guest reads a few bytes each round. */
	while (got < sizeof(in)) {
		size_t space = vuart16550_rx_space(&f->u);
		size_t n = vuart16550_rx_push(&f->u, in + sent, sizeof(in) - sent);

		assert_int_equal(n, MIN(space, sizeof(in) - sent));
		sent += n;
		for (unsigned int k = 0; k < 5 && (rd(f, VUART_LSR) & VUART_LSR_DR); k++)
			out[got++] = rd(f, VUART_RBR);
	}
	assert_int_equal(sent, sizeof(in));
	assert_memory_equal(in, out, sizeof(in));
	assert_int_equal(vuart16550_rx_push(&f->u, NULL, 5), 0);
	assert_int_equal(vuart16550_rx_push(&f->u, in, 0), 0);
	assert_false(vuart16550_rx_pending(&f->u));
}

static void test_unknown_registers(void **state)
{
	struct fixture *f = *state;
	static const unsigned int regs[] = { 8, 9, 255, 256, 0x3f8, UINT_MAX };
	struct vuart16550 before;

	fifo_irq_setup(f, 0x40, VUART_IER_MASK);
	push_str(f, "abc", 3);
	memcpy(&before, &f->u, sizeof(before));
	for (unsigned int i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		assert_int_equal(rd(f, regs[i]), 0xff);
		wr(f, regs[i], 0x00);
		wr(f, regs[i], 0xff);
	}
	/* LSR and MSR writes (factory test) are ignored too. */
	wr(f, VUART_LSR, 0xff);
	wr(f, VUART_MSR, 0xff);
	assert_memory_equal(&before, &f->u, sizeof(before));
	assert_int_equal(f->ntx, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_rejects_bad_config),
		cmocka_unit_test_setup_teardown(test_reset_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_after_use, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thr_transmits_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plain_registers_read_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dlab_switches_registers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_holding_register_without_fifo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fifo_fill_and_drain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fcr_resets_and_mode_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trigger_levels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_char_timeout_on_tick, setup, teardown),
		cmocka_unit_test_setup_teardown(test_char_timeout_on_guest_look, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_timeout_without_fifo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overrun_fifo_loopback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overrun_holding_register, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iir_priorities_and_clearing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thre_interrupt_on_ier_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loopback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loopback_keeps_host_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_msr_deltas, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out2_gates_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_line_transitions_rx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rx_push_backpressure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_registers, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
