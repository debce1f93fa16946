/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_DEV_PIT8254_H
#define VMM_DEV_PIT8254_H

/*
 * Intel 8254 programmable interval timer with the PC's wiring: counter 0's
 * output drives IRQ0, counter 1 (once DRAM refresh) counts with nothing
 * attached, counter 2's gate is bit 0 of port 0x61 and its output is read
 * back at bit 5 of the same port. Counters 0 and 1 have their gates tied
 * high.
 *
 * Time is the dev_clock's, scaled to the 1.193182 MHz input clock. A counter
 * is not stepped tick by tick: it remembers when it started counting and
 * every read works its count and output out from the clock, so a guest that
 * is descheduled for an hour costs nothing when it comes back.
 *
 * Modes 0 (interrupt on terminal count), 2 (rate generator), 3 (square
 * wave) and 4 (software-triggered strobe) behave as the datasheet says.
 * Modes 1 and 5 are triggered by a rising gate edge, which only counter 2
 * can see (port 0x61 bit 0); on counters 0 and 1 they wait forever with the
 * output high, as real counters with a tied gate do. BCD counting (control
 * word bit 0) is implemented: counts run modulo 10000 and are read and
 * written as four BCD digits. Where this model is simpler than the chip:
 * a count is loaded at the moment it is written rather than on the next
 * input clock edge; a new count written to a running mode 2 or 3 counter
 * restarts the period at once instead of waiting for the current one to
 * end; in mode 3 with an odd count the readable count steps through the
 * even values below it.
 *
 * IRQ0: the model reports each rising edge of counter 0's output as one
 * pulse on its dev_irq, set_level(true) then set_level(false), because the
 * i8259 and the IOAPIC take IRQ0 edge-triggered; the owner's interrupt
 * controller model latches the edge. For a one-shot mode the pulse is given
 * at the terminal count (for mode 4 that is one input clock, 838 ns, before
 * the strobe ends). Edges are only delivered by pit_update() (and by port
 * writes that reprogram counter 0, which first deliver an edge already due):
 * the owner arms a host timer for pit_next_event_ns() and calls pit_update()
 * when it fires. Periods that went by unobserved are coalesced into one
 * pulse, as a slow interrupt controller would see a train of edges it could
 * not keep up with, so a long gap costs one pulse, not one per period.
 *
 * Not thread-safe: the owner serialises port accesses and updates.
 */
#include <plinth/types.h>
#include <vmm/dev/dev.h>

#define PIT_HZ 1193182ULL
#define PIT_PORT_COUNTER0 0x40
#define PIT_PORT_COUNTER1 0x41
#define PIT_PORT_COUNTER2 0x42
#define PIT_PORT_CONTROL 0x43
#define PIT_PORT_SYS_CTRL 0x61 /* "port B": counter 2 gate and output */
#define PIT_NR_COUNTERS 3

/* Port 0x61 bits. */
#define PIT_SYS_GATE2 0x01
#define PIT_SYS_SPEAKER 0x02 /* stored, no sound */
#define PIT_SYS_WRITABLE 0x0f /* gate, speaker, parity and I/O check enables */
#define PIT_SYS_REFRESH 0x10 /* toggles every 15.085 us, for delay loops */
#define PIT_SYS_OUT2 0x20

#define PIT_REFRESH_HALF_NS 15085ULL

struct pit_counter {
	uint32_t reload; /* count in effect: 1..65536, or 1..10000 in BCD */
	uint8_t mode; /* 0..5 */
	uint8_t access; /* control word bits 5:4: 1 LSB, 2 MSB, 3 LSB then MSB */
	bool bcd;
	bool loaded; /* a whole count was written since the control word */
	bool gate;
	bool triggered; /* modes 1 and 5: a rising gate edge came after the count */
	bool counting; /* the clock advances elapsed ticks */
	uint64_t start_ns; /* when counting last (re)started */
	uint64_t ticks_base; /* ticks counted before start_ns (a gate pause in modes 0/4) */
	uint64_t edges_done; /* rising output edges already reported (counter 0) */
	bool write_msb; /* flip-flop: the next count byte written is the MSB */
	uint8_t write_lsb;
	bool read_msb; /* flip-flop: the next count byte read is the MSB */
	bool null_count;
	bool count_latched;
	uint16_t latched; /* as the guest reads it: binary or BCD */
	bool status_latched;
	uint8_t status;
};

struct pit {
	struct dev_clock clock;
	struct dev_irq irq0;
	struct pit_counter c[PIT_NR_COUNTERS];
	uint8_t sys_ctrl; /* port 0x61 bits the guest wrote (PIT_SYS_WRITABLE) */
};

/* Power-on state: no counter programmed, gates 0 and 1 high, gate 2 low. */
void pit_init(struct pit *pit, const struct dev_clock *clock, const struct dev_irq *irq0);

/* One byte at port 0x40-0x43 or 0x61; other ports read 0xff and ignore writes. */
uint8_t pit_read(struct pit *pit, uint16_t port);
void pit_write(struct pit *pit, uint16_t port, uint8_t value);

/*
 * When counter 0's next rising edge is due, in dev_clock ns: a time already
 * past if an edge is waiting for pit_update(), UINT64_MAX if none will come
 * (not programmed, or a one-shot already fired). To be asked again after
 * every pit_write() and pit_update().
 */
uint64_t pit_next_event_ns(const struct pit *pit);
/*
 * Delivers counter 0's output edges due by now_ns as at most one IRQ0 pulse
 * and returns how many edges that pulse stands for (0: no pulse).
 */
uint64_t pit_update(struct pit *pit, uint64_t now_ns);

#endif
