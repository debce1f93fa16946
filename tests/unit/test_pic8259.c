/* SPDX-License-Identifier: GPL-2.0 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <vmm/dev/pic8259.h>

static struct pic8259 pic;
static int reports;
static unsigned int reported_irq;

static void unmasked(void *ctx, unsigned int irq)
{
	(void)ctx;
	reports++;
	reported_irq = irq;
}

static int setup(void **state)
{
	(void)state;
	pic8259_init(&pic, unmasked, NULL);
	reports = 0;
	return 0;
}

/* What Linux's init_8259A() writes. */
static void linux_init(void)
{
	pic8259_write(&pic, 0x21, 0xff);
	pic8259_write(&pic, 0xa1, 0xff);
	pic8259_write(&pic, 0x20, 0x11); /* ICW1: edge, cascade, ICW4 */
	pic8259_write(&pic, 0x21, 0x30); /* ICW2: vectors 0x30-0x37 */
	pic8259_write(&pic, 0x21, 0x04); /* ICW3: slave on IRQ2 */
	pic8259_write(&pic, 0x21, 0x01); /* ICW4: 8086 mode */
	pic8259_write(&pic, 0xa0, 0x11);
	pic8259_write(&pic, 0xa1, 0x38);
	pic8259_write(&pic, 0xa1, 0x02);
	pic8259_write(&pic, 0xa1, 0x01);
	pic8259_write(&pic, 0x21, 0xfb); /* cached masks: only the cascade open */
	pic8259_write(&pic, 0xa1, 0xff);
}

static void test_power_on_masked(void **state)
{
	(void)state;
	assert_int_equal(pic8259_read(&pic, 0x21), 0xff);
	assert_int_equal(pic8259_read(&pic, 0xa1), 0xff);
	assert_int_equal(pic8259_read(&pic, 0x20), 0);
}

/* Linux's probe: write a mask, read it back; a missing PIC reads 0xff. */
static void test_probe_sees_a_pic(void **state)
{
	(void)state;
	pic8259_write(&pic, 0x21, 0xa5);
	assert_int_equal(pic8259_read(&pic, 0x21), 0xa5);
	pic8259_write(&pic, 0xa1, 0x5a);
	assert_int_equal(pic8259_read(&pic, 0xa1), 0x5a);
}

/* The ICWs are consumed, not taken for masks; only the final OCW1 sets the IMR. */
static void test_init_sequence(void **state)
{
	(void)state;
	linux_init();
	assert_int_equal(pic8259_read(&pic, 0x21), 0xfb);
	assert_int_equal(pic8259_read(&pic, 0xa1), 0xff);
	assert_int_equal(reports, 0);
	/* Without ICW4 the mask comes right after ICW3. */
	pic8259_write(&pic, 0x20, 0x10);
	assert_int_equal(pic8259_read(&pic, 0x21), 0);
	pic8259_write(&pic, 0x21, 0x08);
	pic8259_write(&pic, 0x21, 0x04);
	pic8259_write(&pic, 0x21, 0xee);
	assert_int_equal(pic8259_read(&pic, 0x21), 0xee);
}

static void test_ocw_reads_empty(void **state)
{
	(void)state;
	linux_init();
	pic8259_write(&pic, 0x20, 0x0b); /* OCW3: read ISR */
	assert_int_equal(pic8259_read(&pic, 0x20), 0);
	pic8259_write(&pic, 0x20, 0x0a); /* OCW3: read IRR */
	assert_int_equal(pic8259_read(&pic, 0x20), 0);
	pic8259_write(&pic, 0x20, 0x20); /* non-specific EOI */
	assert_int_equal(pic8259_read(&pic, 0x21), 0xfb);
}

/* A guest that opens a PIC line expects PIC interrupts: said once. */
static void test_unmask_reported_once(void **state)
{
	(void)state;
	linux_init();
	pic8259_write(&pic, 0xa1, 0xef); /* IRQ12 */
	assert_int_equal(reports, 1);
	assert_int_equal(reported_irq, 12);
	pic8259_write(&pic, 0x21, 0xfa);
	assert_int_equal(reports, 1);
}

static void test_other_ports(void **state)
{
	(void)state;
	assert_int_equal(pic8259_read(&pic, 0x22), 0xff);
	pic8259_write(&pic, 0x22, 0);
	pic8259_write(&pic, 0x1f, 0);
	assert_int_equal(pic8259_read(&pic, 0x21), 0xff);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_power_on_masked, setup),
		cmocka_unit_test_setup(test_probe_sees_a_pic, setup),
		cmocka_unit_test_setup(test_init_sequence, setup),
		cmocka_unit_test_setup(test_ocw_reads_empty, setup),
		cmocka_unit_test_setup(test_unmask_reported_once, setup),
		cmocka_unit_test_setup(test_other_ports, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
