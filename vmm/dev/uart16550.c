/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 16550A UART register model (vmm/include/vmm/dev/uart16550.h). The whole
 * interrupt logic is one function, pending_id(), that derives the highest
 * priority enabled interrupt from the state; IIR reads it and the line
 * follows it, so the two can never disagree. Every entry point that changes
 * the state ends with update_irq().
 */
#include <plinth/errno.h>
#include <plinth/string.h>
#include <vmm/dev/uart16550.h>

/* What the modem inputs read when a terminal is attached: CTS, DSR, DCD. */
#define TERMINAL_INPUTS (VUART_MSR_CTS | VUART_MSR_DSR | VUART_MSR_DCD)

/*
 * The datasheet leaves the divisor undefined after reset; 1 (115200 baud
 * from the PC's 1.8432 MHz clock) keeps a guest that derives its speed from
 * the latch before programming it (Linux's earlycon without a baud rate)
 * from dividing by zero.
 */
#define RESET_DIVISOR 1

static bool fifo_on(const struct vuart16550 *u)
{
	return u->fcr & VUART_FCR_ENABLE;
}

static bool loopback(const struct vuart16550 *u)
{
	return u->mcr & VUART_MCR_LOOP;
}

/* The receiver holds 16 bytes in FIFO mode, one (the RBR) in 16450 mode. */
static unsigned int rx_capacity(const struct vuart16550 *u)
{
	return fifo_on(u) ? VUART16550_FIFO_SIZE : 1;
}

static unsigned int rx_trigger(const struct vuart16550 *u)
{
	static const uint8_t level[4] = { 1, 4, 8, 14 };

	return level[(u->fcr & VUART_FCR_TRIGGER_MASK) >> 6];
}

/* Received data available: at the trigger level with the FIFO, any byte without. */
static bool rx_data_available(const struct vuart16550 *u)
{
	if (!fifo_on(u))
		return u->rx_count > 0;
	return u->rx_count >= rx_trigger(u);
}

/*
 * The chip's timeout fires four character times after the last byte came
 * in while bytes sit below the trigger level. There is no time here: the
 * timeout expires whenever someone looks (a guest read of LSR or IIR, or
 * the owner's tick) and finds such bytes. Once expired it stays until the
 * guest reads RBR, as on the chip, even if more bytes arrive meanwhile.
 */
static void expire_timeout(struct vuart16550 *u)
{
	if (fifo_on(u) && u->rx_count > 0 && u->rx_count < rx_trigger(u))
		u->timeout = true;
}

/* The IIR interrupt ID: the highest priority interrupt both enabled and pending. */
static uint8_t pending_id(const struct vuart16550 *u)
{
	if ((u->ier & VUART_IER_RLSI) && u->lsr_err)
		return VUART_IIR_RLSI;
	if (u->ier & VUART_IER_RDI) {
		if (rx_data_available(u))
			return VUART_IIR_RDI;
		if (u->timeout && u->rx_count > 0)
			return VUART_IIR_TIMEOUT;
	}
	if ((u->ier & VUART_IER_THRI) && u->thre_pending)
		return VUART_IIR_THRI;
	if ((u->ier & VUART_IER_MSI) && (u->msr & VUART_MSR_DELTA_MASK))
		return VUART_IIR_MSI;
	return VUART_IIR_NO_INT;
}

/* OUT2 gates the interrupt output onto the bus, as the PC's wiring does. */
static void update_irq(struct vuart16550 *u)
{
	bool level = (u->mcr & VUART_MCR_OUT2) && pending_id(u) != VUART_IIR_NO_INT;

	if (level == u->irq_level)
		return;
	/* Recorded first: a callback that looks at the device sees it settled. */
	u->irq_level = level;
	dev_irq_set(&u->cfg.irq, level);
}

static void rx_clear(struct vuart16550 *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
	u->timeout = false;
}

static void rx_enqueue(struct vuart16550 *u, uint8_t byte)
{
	u->rx_fifo[(u->rx_head + u->rx_count) % VUART16550_FIFO_SIZE] = byte;
	u->rx_count++;
}

/*
 * A byte arriving at the receiver from the loopback path. With the FIFO full
 * the datasheet's two overrun rules apply: in FIFO mode the new byte is lost
 * and the FIFO kept; in 16450 mode the new byte overwrites the unread one.
 * Either way LSR.OE tells the guest.
 */
static void rx_receive(struct vuart16550 *u, uint8_t byte)
{
	if (u->rx_count < rx_capacity(u)) {
		rx_enqueue(u, byte);
		return;
	}
	u->lsr_err |= VUART_LSR_OE;
	if (!fifo_on(u))
		u->rx_fifo[u->rx_head] = byte;
}

/* The modem inputs: a terminal's, or in loopback the MCR outputs wired back. */
static uint8_t modem_inputs(const struct vuart16550 *u)
{
	uint8_t in = 0;

	if (!loopback(u))
		return TERMINAL_INPUTS;
	if (u->mcr & VUART_MCR_RTS)
		in |= VUART_MSR_CTS;
	if (u->mcr & VUART_MCR_DTR)
		in |= VUART_MSR_DSR;
	if (u->mcr & VUART_MCR_OUT1)
		in |= VUART_MSR_RI;
	if (u->mcr & VUART_MCR_OUT2)
		in |= VUART_MSR_DCD;
	return in;
}

static void write_mcr(struct vuart16550 *u, uint8_t val)
{
	uint8_t old = modem_inputs(u);
	uint8_t now, changed, delta = 0;

	u->mcr = val & VUART_MCR_MASK;
	now = modem_inputs(u);
	changed = old ^ now;
	if (changed & VUART_MSR_CTS)
		delta |= VUART_MSR_DCTS;
	if (changed & VUART_MSR_DSR)
		delta |= VUART_MSR_DDSR;
	if (changed & VUART_MSR_DCD)
		delta |= VUART_MSR_DDCD;
	/* TERI reports only the trailing edge of RI, the end of a ring. */
	if ((old & VUART_MSR_RI) && !(now & VUART_MSR_RI))
		delta |= VUART_MSR_TERI;
	u->msr = now | (u->msr & VUART_MSR_DELTA_MASK) | delta;
}

/*
 * FCR.0 must be set for the other bits to be programmed, and a change of
 * FCR.0 empties both FIFOs (datasheet). The transmitter never holds a byte,
 * so clearing it has nothing to do.
 */
static void write_fcr(struct vuart16550 *u, uint8_t val)
{
	if ((val ^ u->fcr) & VUART_FCR_ENABLE)
		rx_clear(u);
	if (!(val & VUART_FCR_ENABLE)) {
		u->fcr = 0;
		return;
	}
	if (val & VUART_FCR_CLEAR_RCVR)
		rx_clear(u);
	u->fcr = val & (VUART_FCR_ENABLE | VUART_FCR_DMA | VUART_FCR_TRIGGER_MASK);
}

static void write_ier(struct vuart16550 *u, uint8_t val)
{
	uint8_t old = u->ier;

	u->ier = val & VUART_IER_MASK;
	/*
	 * THR is always empty, so enabling the THRE interrupt raises it at
	 * once. Only on the enabling edge: rewriting IER with THRI already on
	 * must not bring back a THRE interrupt the guest cleared by reading IIR.
	 */
	if (!(old & VUART_IER_THRI) && (u->ier & VUART_IER_THRI))
		u->thre_pending = true;
}

static void write_thr(struct vuart16550 *u, uint8_t val)
{
	/*
	 * The byte leaves at once and THR is empty again: the THRE interrupt is
	 * pending before tx() runs, so a tx() that feeds bytes back through
	 * vuart16550_rx_push() finds the device in its final state.
	 */
	u->thre_pending = true;
	if (loopback(u))
		rx_receive(u, val);
	else
		u->cfg.tx(u->cfg.tx_ctx, val);
}

static uint8_t read_rbr(struct vuart16550 *u)
{
	if (u->rx_count) {
		u->rbr = u->rx_fifo[u->rx_head];
		u->rx_head = (u->rx_head + 1) % VUART16550_FIFO_SIZE;
		u->rx_count--;
	}
	u->timeout = false;
	return u->rbr;
}

static uint8_t read_iir(struct vuart16550 *u)
{
	uint8_t id;

	expire_timeout(u);
	id = pending_id(u);
	/* Reading IIR is how the guest acknowledges a THRE interrupt. */
	if (id == VUART_IIR_THRI)
		u->thre_pending = false;
	return id | (fifo_on(u) ? VUART_IIR_FIFO_ENABLED : 0);
}

static uint8_t read_lsr(struct vuart16550 *u)
{
	uint8_t val = VUART_LSR_THRE | VUART_LSR_TEMT | u->lsr_err;

	if (u->rx_count)
		val |= VUART_LSR_DR;
	u->lsr_err = 0;
	expire_timeout(u);
	return val;
}

static uint8_t read_msr(struct vuart16550 *u)
{
	uint8_t val = u->msr;

	u->msr &= ~VUART_MSR_DELTA_MASK;
	return val;
}

uint8_t vuart16550_read(struct vuart16550 *u, unsigned int reg)
{
	bool dlab = u->lcr & VUART_LCR_DLAB;
	uint8_t val;

	switch (reg) {
	case VUART_RBR:
		val = dlab ? u->dll : read_rbr(u);
		break;
	case VUART_IER:
		val = dlab ? u->dlm : u->ier;
		break;
	case VUART_IIR:
		val = read_iir(u);
		break;
	case VUART_LCR:
		val = u->lcr;
		break;
	case VUART_MCR:
		val = u->mcr;
		break;
	case VUART_LSR:
		val = read_lsr(u);
		break;
	case VUART_MSR:
		val = read_msr(u);
		break;
	case VUART_SCR:
		val = u->scr;
		break;
	default:
		/* Not one of ours: what an empty bus reads. */
		return 0xff;
	}
	update_irq(u);
	return val;
}

void vuart16550_write(struct vuart16550 *u, unsigned int reg, uint8_t val)
{
	bool dlab = u->lcr & VUART_LCR_DLAB;

	switch (reg) {
	case VUART_THR:
		if (dlab)
			u->dll = val;
		else
			write_thr(u, val);
		break;
	case VUART_IER:
		if (dlab)
			u->dlm = val;
		else
			write_ier(u, val);
		break;
	case VUART_FCR:
		write_fcr(u, val);
		break;
	case VUART_LCR:
		u->lcr = val;
		break;
	case VUART_MCR:
		write_mcr(u, val);
		break;
	case VUART_SCR:
		u->scr = val;
		break;
	default:
		/* LSR and MSR writes are the chip's factory test; the rest is not ours. */
		return;
	}
	update_irq(u);
}

size_t vuart16550_rx_space(const struct vuart16550 *u)
{
	/* In loopback the receiver listens to the transmitter, not the host. */
	if (loopback(u))
		return 0;
	return rx_capacity(u) - u->rx_count;
}

size_t vuart16550_rx_push(struct vuart16550 *u, const uint8_t *buf, size_t len)
{
	size_t n = vuart16550_rx_space(u);

	if (!buf)
		return 0;
	n = MIN(n, len);
	for (size_t i = 0; i < n; i++)
		rx_enqueue(u, buf[i]);
	if (n)
		update_irq(u);
	return n;
}

bool vuart16550_rx_pending(const struct vuart16550 *u)
{
	return u->rx_count > 0;
}

void vuart16550_tick(struct vuart16550 *u)
{
	expire_timeout(u);
	update_irq(u);
}

void vuart16550_reset(struct vuart16550 *u)
{
	rx_clear(u);
	u->rbr = 0;
	u->ier = 0;
	u->fcr = 0;
	u->lcr = 0;
	u->mcr = 0;
	u->lsr_err = 0;
	u->msr = TERMINAL_INPUTS;
	u->scr = 0;
	u->dll = RESET_DIVISOR & 0xff;
	u->dlm = RESET_DIVISOR >> 8;
	u->thre_pending = false;
	u->irq_level = false;
	dev_irq_set(&u->cfg.irq, false);
}

int vuart16550_init(struct vuart16550 *u, const struct vuart16550_config *cfg)
{
	if (!u || !cfg || !cfg->tx)
		return -EINVAL;
	memset(u, 0, sizeof(*u));
	u->cfg = *cfg;
	vuart16550_reset(u);
	return 0;
}
