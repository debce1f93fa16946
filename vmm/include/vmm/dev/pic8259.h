/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_DEV_PIC8259_H
#define VMM_DEV_PIC8259_H

/*
 * The legacy 8259A pair (master 0x20/0x21, slave 0xa0/0xa1, cascaded on
 * IRQ2) of a partition: present and fully programmable, so a guest's probe
 * and its initialisation (ICW1-ICW4, the IMR) behave as on a PC, but it
 * never delivers an interrupt: IRR and ISR (OCW3 reads) are always empty and
 * EOIs have nothing to end. Interrupt routing
 * is the I/O APIC's; a guest that unmasks a PIC line is told once through
 * the unmasked callback, so the owner can log that the guest expects a PIC.
 */
#include <plinth/types.h>

#define PIC_MASTER_PORT 0x20
#define PIC_SLAVE_PORT 0xa0

struct pic8259_chip {
	uint8_t imr;
	/*
	 * 0: ready; 2..4: the ICW expected next. ICW2-ICW4 (vector base,
	 * cascade wiring, mode) only matter to delivery, so they are consumed
	 * and not kept.
	 */
	uint8_t init_step;
	bool want_icw4;
};

struct pic8259 {
	struct pic8259_chip chip[2]; /* master, slave */
	void (*unmasked)(void *ctx, unsigned int irq);
	void *ctx;
	bool reported;
};

void pic8259_init(struct pic8259 *pic, void (*unmasked)(void *ctx, unsigned int irq), void *ctx);
/* port is 0x20, 0x21, 0xa0 or 0xa1; other ports read 0xff and are ignored. */
uint8_t pic8259_read(struct pic8259 *pic, uint16_t port);
void pic8259_write(struct pic8259 *pic, uint16_t port, uint8_t value);

#endif
