/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_DEV_UART16550_H
#define VMM_DEV_UART16550_H

/*
 * A 16550A UART register model: the eight registers a guest reaches at its
 * base port, a 16-byte receive FIFO fed by the host, and an interrupt line.
 * It knows nothing of partitions or vCPUs: the owner gives it a dev_irq for
 * its interrupt output and a callback for the bytes the guest transmits, and
 * routes the guest's register accesses and the host's input to it.
 *
 * What the model does, and where it departs from the datasheet on purpose:
 *
 * - Transmission is instantaneous. A byte written to THR goes to tx() at
 *   once; THRE and TEMT never drop, and the THRE interrupt (if IER.1 is set)
 *   is pending again right after the write. Enabling IER.1 (a 0 -> 1 change)
 *   while THR is empty raises the THRE interrupt at once, which Linux's 8250
 *   driver probes for at startup (its UART_BUG_TXEN and UART_BUG_THRE
 *   tests). Reading IIR when it reports THRE clears that interrupt, as the
 *   datasheet says.
 *
 * - The wire is perfect: no parity, framing or break errors ever happen, so
 *   the only line status condition is an overrun (LSR.OE). The host side
 *   cannot overrun the receiver: vuart16550_rx_push() takes only what fits and
 *   the caller keeps the rest. Only the guest can overrun it, by transmitting
 *   in loopback mode faster than it reads. The divisor latch and the LCR
 *   framing bits are stored and read back but change nothing.
 *
 * - Character timeout. The receive FIFO interrupts at its trigger level
 *   (1, 4, 8 or 14 bytes); bytes below the trigger are reported by the
 *   character-timeout interrupt (IIR id 0xC) instead of a timer four
 *   character times after the last byte. The timeout "expires" whenever the
 *   FIFO holds 1..trigger-1 bytes at the moment the guest reads LSR or IIR or
 *   the owner calls vuart16550_tick(). As on the chip, only a read of RBR
 *   clears an expired timeout. The guest's own polling thus sees its data at
 *   once; an idle guest (halted, waiting for the interrupt) depends on the
 *   owner's tick, so the owner should tick every few milliseconds while the
 *   FIFO is non-empty (vuart16550_rx_pending() says so) to keep an
 *   interactive shell responsive.
 *
 * - The interrupt line is a level: asserted exactly while some enabled
 *   interrupt is pending and MCR.OUT2 is set. On PCs OUT2 gates the UART's
 *   interrupt output onto the ISA IRQ line, and Linux's 8250 driver sets it
 *   (TIOCM_OUT2) whenever the port has an IRQ, so a guest that never sets
 *   OUT2 polls and never sees an interrupt. Loopback mode does not close the
 *   gate here (the chip forces the OUT2 pin inactive in loopback): the model
 *   follows the MCR bit so loopback interrupt tests still see their
 *   interrupts. The line is driven only when its level changes, and driven
 *   low by init and reset so owner and model agree from the start.
 *
 * - Modem lines: outside loopback the UART is wired to a terminal that is
 *   always present, so CTS, DSR and DCD read asserted and RI not. In
 *   loopback (MCR.4) they follow RTS, DTR, OUT2 and OUT1, with the delta
 *   bits tracking every change; reading MSR clears the deltas. The host's
 *   input is disconnected in loopback: vuart16550_rx_push() accepts nothing
 *   and vuart16550_rx_space() reports 0 until loopback ends.
 *
 * - Register indexes above 7 read 0xff and ignore writes, as an empty bus.
 *   Writes to LSR and MSR (factory test on the chip) are ignored.
 *
 * Locking: none inside. The owner serializes every call on one device (the
 * guest's register accesses, the host's input and the tick). The tx and
 * irq callbacks run inside those calls, under the owner's lock; tx may feed
 * bytes back through vuart16550_rx_push() (a host-side echo) safely.
 *
 * Names carry a "v" (vuart16550_*, VUART_*) because the kernel image also
 * links Plinth's own 16550 driver (drivers/uart/uart16550.c), which owns
 * the uart16550_* symbols.
 */
#include <vmm/dev/dev.h>

#define VUART16550_NR_REGS 8
#define VUART16550_FIFO_SIZE 16

/* Register indexes (offsets from the base port). */
#define VUART_RBR 0 /* read, DLAB=0: receive buffer */
#define VUART_THR 0 /* write, DLAB=0: transmit holding */
#define VUART_DLL 0 /* DLAB=1: divisor latch, low byte */
#define VUART_IER 1 /* DLAB=0: interrupt enable */
#define VUART_DLM 1 /* DLAB=1: divisor latch, high byte */
#define VUART_IIR 2 /* read: interrupt identification */
#define VUART_FCR 2 /* write: FIFO control */
#define VUART_LCR 3
#define VUART_MCR 4
#define VUART_LSR 5
#define VUART_MSR 6
#define VUART_SCR 7

#define VUART_IER_RDI 0x01 /* received data available (and character timeout) */
#define VUART_IER_THRI 0x02 /* transmit holding register empty */
#define VUART_IER_RLSI 0x04 /* receiver line status */
#define VUART_IER_MSI 0x08 /* modem status */
#define VUART_IER_MASK 0x0f

#define VUART_IIR_NO_INT 0x01
#define VUART_IIR_ID_MASK 0x0e
#define VUART_IIR_MSI 0x00
#define VUART_IIR_THRI 0x02
#define VUART_IIR_RDI 0x04
#define VUART_IIR_RLSI 0x06
#define VUART_IIR_TIMEOUT 0x0c
#define VUART_IIR_FIFO_ENABLED 0xc0

#define VUART_FCR_ENABLE 0x01
#define VUART_FCR_CLEAR_RCVR 0x02
#define VUART_FCR_CLEAR_XMIT 0x04
#define VUART_FCR_DMA 0x08
#define VUART_FCR_TRIGGER_MASK 0xc0 /* 00: 1 byte, 01: 4, 10: 8, 11: 14 */

#define VUART_LCR_DLAB 0x80

#define VUART_MCR_DTR 0x01
#define VUART_MCR_RTS 0x02
#define VUART_MCR_OUT1 0x04
#define VUART_MCR_OUT2 0x08
#define VUART_MCR_LOOP 0x10
#define VUART_MCR_MASK 0x1f

#define VUART_LSR_DR 0x01
#define VUART_LSR_OE 0x02
#define VUART_LSR_THRE 0x20
#define VUART_LSR_TEMT 0x40

#define VUART_MSR_DCTS 0x01
#define VUART_MSR_DDSR 0x02
#define VUART_MSR_TERI 0x04
#define VUART_MSR_DDCD 0x08
#define VUART_MSR_DELTA_MASK 0x0f
#define VUART_MSR_CTS 0x10
#define VUART_MSR_DSR 0x20
#define VUART_MSR_RI 0x40
#define VUART_MSR_DCD 0x80

struct vuart16550_config {
	struct dev_irq irq; /* the interrupt output (before the OUT2 gate is applied) */
	void (*tx)(void *ctx, uint8_t byte); /* each byte the guest transmits */
	void *tx_ctx;
};

/* All state; the owner embeds it and touches it only through the calls below. */
struct vuart16550 {
	struct vuart16550_config cfg;
	uint8_t rx_fifo[VUART16550_FIFO_SIZE]; /* a ring: rx_count bytes from rx_head */
	uint8_t rx_head;
	uint8_t rx_count;
	uint8_t rbr; /* the last byte the receiver delivered: what an empty RBR reads */
	uint8_t ier;
	uint8_t fcr; /* ENABLE, DMA and the trigger bits as last programmed; 0 in 16450 mode */
	uint8_t lcr;
	uint8_t mcr;
	uint8_t lsr_err; /* sticky error bits of LSR (only OE happens), cleared by reading LSR */
	uint8_t msr; /* modem inputs in bits 7:4, their deltas in bits 3:0 */
	uint8_t scr;
	uint8_t dll;
	uint8_t dlm;
	bool thre_pending; /* the THRE interrupt's flip-flop */
	bool timeout; /* the character timeout has expired (FIFO mode only) */
	bool irq_level; /* what the line was last driven to */
};

/*
 * Sets the device up in its reset state with cfg's callbacks and drives
 * the line low. -EINVAL without a config or a tx callback: the guest's
 * output must go somewhere. cfg->irq.set_level may be NULL (no line).
 */
int vuart16550_init(struct vuart16550 *u, const struct vuart16550_config *cfg);

/*
 * Master reset (a partition reboot): every register to its reset value,
 * the receive FIFO emptied, the line driven low. Keeps the callbacks.
 */
void vuart16550_reset(struct vuart16550 *u);

/* A guest read of register reg (0..7); other indexes read 0xff. */
uint8_t vuart16550_read(struct vuart16550 *u, unsigned int reg);

/* A guest write of val to register reg (0..7); other indexes are ignored. */
void vuart16550_write(struct vuart16550 *u, unsigned int reg, uint8_t val);

/*
 * Host input for the guest. Takes as many bytes of buf as the receiver has
 * room for (16 with the FIFO on, 1 without, none in loopback) and returns
 * how many; the caller keeps the rest and offers them again later (on its
 * next tick, say: room appears only when the guest reads RBR).
 */
size_t vuart16550_rx_push(struct vuart16550 *u, const uint8_t *buf, size_t len);

/* How many bytes vuart16550_rx_push() would take now. */
size_t vuart16550_rx_space(const struct vuart16550 *u);

/* True while received bytes wait for the guest: the owner should keep ticking. */
bool vuart16550_rx_pending(const struct vuart16550 *u);

/*
 * Lets the character timeout expire for bytes waiting below the FIFO
 * trigger level. The owner calls it periodically (every few milliseconds
 * is plenty for a shell) while vuart16550_rx_pending() is true.
 */
void vuart16550_tick(struct vuart16550 *u);

#endif
