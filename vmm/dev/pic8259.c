// SPDX-License-Identifier: GPL-2.0
/*
 * The partition's 8259A pair (vmm/include/vmm/dev/pic8259.h): the command
 * and data ports as the datasheet defines them, without interrupt delivery.
 */
#include <plinth/string.h>
#include <vmm/dev/pic8259.h>

#define ICW1_INIT 0x10
#define ICW1_ICW4 0x01

static void chip_reset(struct pic8259_chip *c)
{
	memset(c, 0, sizeof(*c));
	c->imr = 0xff; /* everything masked until the guest says otherwise */
}

void pic8259_init(struct pic8259 *pic, void (*unmasked)(void *ctx, unsigned int irq), void *ctx)
{
	memset(pic, 0, sizeof(*pic));
	chip_reset(&pic->chip[0]);
	chip_reset(&pic->chip[1]);
	pic->unmasked = unmasked;
	pic->ctx = ctx;
}

static struct pic8259_chip *chip_of(struct pic8259 *pic, uint16_t port, bool *data)
{
	*data = port & 1;
	if ((port & ~1) == PIC_MASTER_PORT)
		return &pic->chip[0];
	if ((port & ~1) == PIC_SLAVE_PORT)
		return &pic->chip[1];
	return NULL;
}

uint8_t pic8259_read(struct pic8259 *pic, uint16_t port)
{
	bool data;
	struct pic8259_chip *c = chip_of(pic, port, &data);

	if (!c)
		return 0xff;
	/* Port 0 reads IRR or ISR, as OCW3 chose: both are always empty. */
	return data ? c->imr : 0;
}

static void write_command(struct pic8259_chip *c, uint8_t v)
{
	if (v & ICW1_INIT) {
		chip_reset(c);
		c->imr = 0; /* ICW1 clears the IMR, as the datasheet says */
		c->want_icw4 = v & ICW1_ICW4;
		c->init_step = 2;
	}
	/* OCW2 (EOIs, priorities) and OCW3 (read selection) have nothing to act on. */
}

static void write_data(struct pic8259 *pic, struct pic8259_chip *c, uint8_t v)
{
	uint8_t was = c->imr;

	switch (c->init_step) {
	case 2: /* ICW2; cascaded (SNGL clear) on a PC, so ICW3 follows */
		c->init_step = 3;
		return;
	case 3:
		c->init_step = c->want_icw4 ? 4 : 0;
		return;
	case 4:
		c->init_step = 0;
		return;
	}
	c->imr = v;
	/* The cascade line alone is not a guest expecting PIC interrupts. */
	uint8_t opened = was & ~v & (c == &pic->chip[0] ? 0xfb : 0xff);

	if (opened && !pic->reported && pic->unmasked) {
		unsigned int irq = (unsigned int)__builtin_ctz(opened) + (c == &pic->chip[0] ? 0 : 8);

		pic->reported = true;
		pic->unmasked(pic->ctx, irq);
	}
}

void pic8259_write(struct pic8259 *pic, uint16_t port, uint8_t value)
{
	bool data;
	struct pic8259_chip *c = chip_of(pic, port, &data);

	if (!c)
		return;
	if (data)
		write_data(pic, c, value);
	else
		write_command(c, value);
}
