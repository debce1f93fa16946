// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "lapic_fixture.h"

struct lapic fx;
uint64_t fx_ns;
struct lapic_ipi fx_ipis[FX_MAX_IPIS];
unsigned int fx_nipis;
uint8_t fx_eois[FX_MAX_EOIS];
unsigned int fx_neois;
unsigned int fx_kicks;
bool fx_loopback;

static uint64_t now_ns(void *ctx)
{
	(void)ctx;
	return fx_ns;
}

uint64_t fx_tsc(void)
{
	return fx_ns * (FX_TSC_HZ / 1000000000ULL);
}

static uint64_t read_tsc(void *ctx)
{
	(void)ctx;
	return fx_tsc();
}

static void send_ipi(void *ctx, const struct lapic_ipi *ipi)
{
	(void)ctx;
	if (fx_nipis < FX_MAX_IPIS)
		fx_ipis[fx_nipis++] = *ipi;
	if (fx_loopback && ipi->delivery == LAPIC_DM_FIXED && lapic_match_dest(&fx, ipi, true))
		lapic_accept(&fx, ipi->vector, ipi->level_triggered);
}

static void kick(void *ctx)
{
	(void)ctx;
	fx_kicks++;
}

static void eoi_broadcast(void *ctx, uint8_t vector)
{
	(void)ctx;
	if (fx_neois < FX_MAX_EOIS)
		fx_eois[fx_neois++] = vector;
}

struct lapic_config fx_config(void)
{
	struct lapic_config cfg = {
		.apic_id = FX_APIC_ID,
		.bsp = true,
		.x2apic = true,
		.clock = { .now_ns = now_ns },
		.tsc_hz = FX_TSC_HZ,
		.read_tsc = read_tsc,
		.send_ipi = send_ipi,
		.kick = kick,
		.eoi_broadcast = eoi_broadcast,
	};

	return cfg;
}

int fx_setup(void **state)
{
	struct lapic_config cfg = fx_config();

	(void)state;
	fx_ns = 1000000000ULL;
	fx_nipis = 0;
	fx_neois = 0;
	fx_kicks = 0;
	fx_loopback = false;
	memset(fx_ipis, 0, sizeof(fx_ipis));
	assert_int_equal(lapic_init(&fx, &cfg), 0);
	return 0;
}

uint32_t fx_rd(uint32_t off)
{
	uint32_t v = 0xdeadbeef;

	assert_int_equal(lapic_mmio_read(&fx, off, 4, &v), 0);
	return v;
}

void fx_wr(uint32_t off, uint32_t value)
{
	assert_int_equal(lapic_mmio_write(&fx, off, 4, value), 0);
}

uint64_t fx_msr_rd(uint32_t msr)
{
	uint64_t v = 0xdeadbeef;

	assert_int_equal(lapic_msr_read(&fx, msr, &v), 0);
	return v;
}

void fx_msr_wr(uint32_t msr, uint64_t value)
{
	assert_int_equal(lapic_msr_write(&fx, msr, value), 0);
}

void fx_sw_enable(void)
{
	if (lapic_in_x2apic(&fx))
		fx_msr_wr(LAPIC_MSR(LAPIC_REG_SVR), 0x1ff);
	else
		fx_wr(LAPIC_REG_SVR, 0x1ff);
}

void fx_to_x2apic(void)
{
	fx_msr_wr(LAPIC_MSR_APIC_BASE, fx.apic_base | LAPIC_BASE_EXTD);
	assert_true(lapic_in_x2apic(&fx));
}

static bool window_bit(uint32_t reg, unsigned int vector)
{
	uint32_t off = reg + (vector / 32) * 0x10;
	uint32_t v = lapic_in_x2apic(&fx) ? (uint32_t)fx_msr_rd(LAPIC_MSR(off)) : fx_rd(off);

	return v & (1u << (vector % 32));
}

bool fx_irr(unsigned int vector)
{
	return window_bit(LAPIC_REG_IRR, vector);
}

bool fx_isr(unsigned int vector)
{
	return window_bit(LAPIC_REG_ISR, vector);
}

bool fx_tmr(unsigned int vector)
{
	return window_bit(LAPIC_REG_TMR, vector);
}
