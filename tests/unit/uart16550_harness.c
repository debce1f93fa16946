/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The operation driver and consistency checks of uart16550_harness.h. The
 * expected interrupt is derived here from the datasheet's priority table,
 * written independently of the model's own pending_id(), and compared with
 * what IIR reads on a copy of the device (reading IIR has side effects the
 * real device must not see).
 */
#include <string.h>
#include "uart16550_harness.h"

static void fake_set_level(void *ctx, bool asserted)
{
	struct uart16550_harness *h = ctx;

	if (h->line_calls && asserted == h->line)
		h->redundant_call = true;
	h->line = asserted;
	h->line_calls++;
}

static void fake_tx(void *ctx, uint8_t byte)
{
	struct uart16550_harness *h = ctx;

	h->tx_count++;
	h->tx_last = byte;
}

const char *harness_init(struct uart16550_harness *h)
{
	struct vuart16550_config cfg = {
		.irq = { .set_level = fake_set_level, .ctx = h },
		.tx = fake_tx,
		.tx_ctx = h,
	};

	memset(h, 0, sizeof(*h));
	if (vuart16550_init(&h->uart, &cfg))
		return "init failed";
	if (h->line_calls != 1 || h->line)
		return "init did not drive the line low";
	return harness_check(h);
}

static bool fifo_mode(const struct vuart16550 *u)
{
	return u->fcr & VUART_FCR_ENABLE;
}

static unsigned int capacity(const struct vuart16550 *u)
{
	return fifo_mode(u) ? VUART16550_FIFO_SIZE : 1;
}

static unsigned int trigger(const struct vuart16550 *u)
{
	switch (u->fcr >> 6) {
	case 0:
		return 1;
	case 1:
		return 4;
	case 2:
		return 8;
	default:
		return 14;
	}
}

/* The highest priority enabled interrupt, by the datasheet's table; timeout as given. */
static uint8_t expected_id(const struct vuart16550 *u, bool timeout)
{
	bool rda = fifo_mode(u) ? u->rx_count >= trigger(u) : u->rx_count > 0;

	if ((u->ier & VUART_IER_RLSI) && (u->lsr_err & VUART_LSR_OE))
		return VUART_IIR_RLSI;
	if ((u->ier & VUART_IER_RDI) && rda)
		return VUART_IIR_RDI;
	if ((u->ier & VUART_IER_RDI) && timeout && u->rx_count)
		return VUART_IIR_TIMEOUT;
	if ((u->ier & VUART_IER_THRI) && u->thre_pending)
		return VUART_IIR_THRI;
	if ((u->ier & VUART_IER_MSI) && (u->msr & 0x0f))
		return VUART_IIR_MSI;
	return VUART_IIR_NO_INT;
}

static uint8_t expected_modem_inputs(const struct vuart16550 *u)
{
	uint8_t m = u->mcr;

	if (!(m & VUART_MCR_LOOP))
		return VUART_MSR_CTS | VUART_MSR_DSR | VUART_MSR_DCD;
	return ((m & VUART_MCR_RTS) ? VUART_MSR_CTS : 0) | ((m & VUART_MCR_DTR) ? VUART_MSR_DSR : 0) |
	       ((m & VUART_MCR_OUT1) ? VUART_MSR_RI : 0) | ((m & VUART_MCR_OUT2) ? VUART_MSR_DCD : 0);
}

const char *harness_check(const struct uart16550_harness *h)
{
	const struct vuart16550 *u = &h->uart;
	struct vuart16550 copy;
	bool expiring, expect_line;
	uint8_t iir, lsr;

	if (u->rx_count > capacity(u) || u->rx_head >= VUART16550_FIFO_SIZE)
		return "receiver holds more than it can";
	if (u->ier & ~VUART_IER_MASK)
		return "IER has bits above 3";
	if (u->mcr & ~VUART_MCR_MASK)
		return "MCR has bits above 4";
	if (!fifo_mode(u) && u->fcr)
		return "FCR bits kept in 16450 mode";
	if (u->timeout && (!fifo_mode(u) || !u->rx_count))
		return "character timeout without bytes in the FIFO";
	if ((u->msr & 0xf0) != expected_modem_inputs(u))
		return "MSR inputs disagree with MCR and loopback";
	if (vuart16550_rx_space(u) !=
	    ((u->mcr & VUART_MCR_LOOP) ? 0 : capacity(u) - u->rx_count))
		return "rx_space disagrees with the receiver";
	if (vuart16550_rx_pending(u) != (u->rx_count > 0))
		return "rx_pending disagrees with the receiver";

	/* The line: a level, gated by OUT2, driven only on changes. */
	expect_line = (u->mcr & VUART_MCR_OUT2) && expected_id(u, u->timeout) != VUART_IIR_NO_INT;
	if (h->line != expect_line)
		return "line level != (enabled interrupt pending && OUT2)";
	if (u->irq_level != h->line)
		return "device's idea of the line differs from the line";
	if (h->redundant_call)
		return "line driven to the level it already had";

	/* IIR as the guest would read it now, on a copy without a line. */
	copy = *u;
	copy.cfg.irq.set_level = NULL;
	expiring = u->timeout ||
		   (fifo_mode(u) && u->rx_count > 0 && u->rx_count < trigger(u));
	iir = vuart16550_read(&copy, VUART_IIR);
	if ((iir & 0xc0) != (fifo_mode(u) ? 0xc0 : 0) || (iir & 0x30))
		return "IIR bits 7:4 wrong";
	if ((iir & 0x0f) != expected_id(u, expiring))
		return "IIR is not the highest priority enabled interrupt";
	if ((iir & 0x0f) == VUART_IIR_THRI && copy.thre_pending)
		return "reading IIR as THRE did not clear it";
	if ((iir & 0x0f) != VUART_IIR_THRI && copy.thre_pending != u->thre_pending)
		return "reading IIR touched THRE while reporting something else";

	copy = *u;
	copy.cfg.irq.set_level = NULL;
	lsr = vuart16550_read(&copy, VUART_LSR);
	if ((lsr & (VUART_LSR_THRE | VUART_LSR_TEMT)) != (VUART_LSR_THRE | VUART_LSR_TEMT))
		return "transmitter not empty";
	if (!!(lsr & VUART_LSR_DR) != (u->rx_count > 0))
		return "LSR.DR disagrees with the receiver";
	if ((lsr & VUART_LSR_OE) != (u->lsr_err & VUART_LSR_OE) || (lsr & 0x9c))
		return "LSR error bits wrong";
	if (copy.lsr_err)
		return "reading LSR left an error bit set";

	/* The receiver holds exactly the bytes it took. */
	if (h->shadow_len != u->rx_count)
		return "receiver count differs from the bytes it took";
	for (unsigned int i = 0; i < h->shadow_len; i++)
		if (u->rx_fifo[(u->rx_head + i) % VUART16550_FIFO_SIZE] != h->shadow[i])
			return "receiver contents differ from the bytes it took";
	return NULL;
}

static void shadow_append(struct uart16550_harness *h, uint8_t byte)
{
	if (h->shadow_len < HARNESS_SHADOW_SIZE)
		h->shadow[h->shadow_len++] = byte;
}

static const char *do_read(struct uart16550_harness *h, unsigned int reg)
{
	struct vuart16550 *u = &h->uart;
	bool dlab = u->lcr & VUART_LCR_DLAB;
	uint8_t val = vuart16550_read(u, reg);

	if (reg >= VUART16550_NR_REGS)
		return val == 0xff ? NULL : "unknown register did not read 0xff";
	if (reg == VUART_IIR)
		h->iir_seen[val & 0x0f]++;
	if (reg != VUART_RBR || dlab)
		return NULL;
	if (h->shadow_len) {
		h->rbr_last = h->shadow[0];
		memmove(h->shadow, h->shadow + 1, --h->shadow_len);
	}
	return val == h->rbr_last ? NULL : "RBR returned the wrong byte";
}

static const char *do_write(struct uart16550_harness *h, unsigned int reg, uint8_t val)
{
	struct vuart16550 *u = &h->uart;
	bool dlab = u->lcr & VUART_LCR_DLAB;
	unsigned long tx_before = h->tx_count;
	bool thr = reg == VUART_THR && !dlab;
	bool loop = u->mcr & VUART_MCR_LOOP;
	uint8_t old_fcr = u->fcr;
	uint8_t old_ier = u->ier;
	bool old_thre = u->thre_pending;
	uint8_t old_in = u->msr & 0xf0, old_delta = u->msr & 0x0f;

	if (thr && loop) {
		if (h->shadow_len < capacity(u))
			shadow_append(h, val);
		else if (!fifo_mode(u))
			h->shadow[0] = val; /* 16450 overrun: the new byte wins */
	}
	if (reg == VUART_FCR &&
	    (((val ^ old_fcr) & VUART_FCR_ENABLE) ||
	     ((val & VUART_FCR_ENABLE) && (val & VUART_FCR_CLEAR_RCVR))))
		h->shadow_len = 0;

	vuart16550_write(u, reg, val);

	if (thr && !loop)
		return h->tx_count == tx_before + 1 && h->tx_last == val ? NULL :
									   "THR byte did not reach tx()";
	if (h->tx_count != tx_before)
		return "tx() called for something else than a THR write";
	if (thr && !u->thre_pending)
		return "THR write left no THRE interrupt pending";
	if (reg == VUART_IER && !dlab) {
		bool rising = !(old_ier & VUART_IER_THRI) && (val & VUART_IER_THRI);
		bool kept = (old_ier & VUART_IER_THRI) && (val & VUART_IER_THRI);

		if (rising && !u->thre_pending)
			return "enabling THRI with THR empty raised no interrupt";
		if (kept && u->thre_pending != old_thre)
			return "rewriting IER with THRI on changed the THRE interrupt";
	}
	if (reg == VUART_MCR) {
		uint8_t in = u->msr & 0xf0, changed = old_in ^ in;
		uint8_t delta = ((changed & VUART_MSR_CTS) ? VUART_MSR_DCTS : 0) |
				((changed & VUART_MSR_DSR) ? VUART_MSR_DDSR : 0) |
				((changed & VUART_MSR_DCD) ? VUART_MSR_DDCD : 0) |
				((old_in & ~in & VUART_MSR_RI) ? VUART_MSR_TERI : 0);

		if ((u->msr & 0x0f) != (old_delta | delta))
			return "MSR deltas do not follow the input changes";
	}
	return NULL;
}

static const char *do_push(struct uart16550_harness *h, size_t len)
{
	uint8_t buf[24];
	size_t space = vuart16550_rx_space(&h->uart);
	size_t n, expect = len < space ? len : space;

	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(h->push_seq + i);
	n = vuart16550_rx_push(&h->uart, buf, len);
	if (n != expect)
		return "rx_push took other than what fitted";
	for (size_t i = 0; i < n; i++)
		shadow_append(h, buf[i]);
	/* The caller keeps the rest: the next push starts with the first byte refused. */
	h->push_seq = (uint8_t)(h->push_seq + n);
	return NULL;
}

const char *harness_step(struct uart16550_harness *h, uint8_t op, uint8_t a, uint8_t b)
{
	/* Mostly the eight registers; with bit 7 set, any index. */
	unsigned int reg = (op & 0x80) ? a : a & 7u;
	const char *err = NULL;

	switch (op & 7) {
	case 0:
	case 1:
	case 2:
		err = do_write(h, reg, b);
		break;
	case 3:
	case 4:
		err = do_read(h, reg);
		break;
	case 5:
		err = do_push(h, a % 24u);
		break;
	case 6:
		vuart16550_tick(&h->uart);
		break;
	default:
		if (a == 0 && b < 8) {
			bool redundant = h->redundant_call;

			/* Reset drives the line low even if it is: a resync, not a change. */
			vuart16550_reset(&h->uart);
			h->redundant_call = redundant;
			h->shadow_len = 0;
			h->rbr_last = 0;
			if (h->line)
				return "reset left the line asserted";
		} else {
			err = do_read(h, b & 7u);
		}
		break;
	}
	return err ? err : harness_check(h);
}
