// SPDX-License-Identifier: GPL-2.0
/* See e1000_model.h. */
#include <stdint.h>
#include <string.h>
#include "e1000_model.h"

#define R(m, off) ((m)->regs[(off) / 4])

uint32_t e1000_model_reg(const struct e1000_model *m, unsigned int off)
{
	return m->regs[off / 4];
}

void e1000_model_set_reg(struct e1000_model *m, unsigned int off, uint32_t v)
{
	m->regs[off / 4] = v;
}

static void raise(struct e1000_model *m, uint32_t cause)
{
	R(m, E1000_ICR) |= cause;
}

static void reset(struct e1000_model *m)
{
	memset(m->regs, 0, sizeof(m->regs));
	m->resets++;
	m->reset_left = m->reset_reads;
	R(m, E1000_CTRL) = m->reset_left ? E1000_CTRL_RST : 0;
	if (m->mac_in_ral) {
		R(m, E1000_RAL0) = m->mac[0] | m->mac[1] << 8 | m->mac[2] << 16 |
				   (uint32_t)m->mac[3] << 24;
		R(m, E1000_RAH0) = m->mac[4] | m->mac[5] << 8 | E1000_RAH_AV;
	}
}

static uint32_t status(const struct e1000_model *m)
{
	return (m->link_up ? E1000_STATUS_LU : 0) | E1000_CTRL_FD;
}

static uint64_t bar_read(void *ctx, uint64_t off, unsigned int size)
{
	struct e1000_model *m = ctx;
	uint32_t v;

	if (m->gone || size != 4 || off % 4 || off >= E1000_MMIO_MIN)
		return ~0ull >> (64 - 8 * size);
	switch (off) {
	case E1000_ICR:
		v = R(m, E1000_ICR);
		R(m, E1000_ICR) = 0;
		return v;
	case E1000_STATUS:
		return status(m);
	case E1000_CTRL:
		if (m->reset_left && m->reset_left != UINT32_MAX && !--m->reset_left)
			R(m, E1000_CTRL) &= ~E1000_CTRL_RST;
		return R(m, E1000_CTRL);
	default:
		return R(m, off);
	}
}

static void eerd(struct e1000_model *m, uint32_t v)
{
	unsigned int addr = (v >> E1000_EERD_ADDR_SHIFT) & 0xff;

	if (!(v & E1000_EERD_START))
		return;
	R(m, E1000_EERD) = (addr << E1000_EERD_ADDR_SHIFT) | E1000_EERD_DONE |
			   (uint32_t)(addr < 64 ? m->eeprom[addr] : 0xffff) << E1000_EERD_DATA_SHIFT;
}

static void bar_write(void *ctx, uint64_t off, unsigned int size, uint64_t v)
{
	struct e1000_model *m = ctx;

	if (m->gone || size != 4 || off % 4 || off >= E1000_MMIO_MIN)
		return;
	switch (off) {
	case E1000_CTRL:
		if (v & E1000_CTRL_RST)
			reset(m);
		else
			R(m, E1000_CTRL) = v;
		break;
	case E1000_ICR:
		R(m, E1000_ICR) &= ~(uint32_t)v;
		break;
	case E1000_IMS:
		R(m, E1000_IMS) |= v;
		break;
	case E1000_IMC:
		R(m, E1000_IMS) &= ~(uint32_t)v;
		break;
	case E1000_EERD:
		eerd(m, v);
		break;
	case E1000_TDT:
		R(m, E1000_TDT) = v;
		if (!m->tx_hold)
			e1000_model_tx_run(m);
		break;
	default:
		R(m, off) = v;
		break;
	}
}

static const struct pci_fake_bar_ops ops = { .read = bar_read, .write = bar_write };

void e1000_model_init(struct e1000_model *m, const uint8_t mac[6])
{
	memset(m, 0, sizeof(*m));
	pci_fake_init(&m->pf, E1000_VENDOR_INTEL, E1000_DEV_82540EM);
	m->pf.bar_size[0] = E1000_MMIO_MIN;
	m->pf.bar_ops[0] = &ops;
	m->pf.bar_ctx[0] = m;
	m->pf.has_intx = true;
	memcpy(m->mac, mac, 6);
	for (unsigned int i = 0; i < 3; i++)
		m->eeprom[i] = mac[2 * i] | mac[2 * i + 1] << 8;
	m->mac_in_ral = true;
	m->link_up = true;
	reset(m);
	m->resets = 0;
}

struct e1000_rx_desc *e1000_model_rx_ring(const struct e1000_model *m)
{
	return (void *)(uintptr_t)((uint64_t)R(m, E1000_RDBAH) << 32 | R(m, E1000_RDBAL));
}

struct e1000_tx_desc *e1000_model_tx_ring(const struct e1000_model *m)
{
	return (void *)(uintptr_t)((uint64_t)R(m, E1000_TDBAH) << 32 | R(m, E1000_TDBAL));
}

bool e1000_model_rx_desc(struct e1000_model *m, const void *frame, size_t len, uint8_t st,
			 uint8_t errors)
{
	unsigned int n = R(m, E1000_RDLEN) / 16, head = R(m, E1000_RDH);
	struct e1000_rx_desc *d;

	if (!(R(m, E1000_RCTL) & E1000_RCTL_EN) || !n || head == R(m, E1000_RDT) || head >= n ||
	    len > 2048)
		return false;
	d = &e1000_model_rx_ring(m)[head];
	memcpy((void *)(uintptr_t)d->addr, frame, len);
	d->length = len;
	d->errors = errors;
	d->status = st;
	R(m, E1000_RDH) = (head + 1) % n;
	raise(m, E1000_ICR_RXT0);
	return true;
}

bool e1000_model_rx(struct e1000_model *m, const void *frame, size_t len)
{
	return e1000_model_rx_desc(m, frame, len, E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP, 0);
}

void e1000_model_tx_run(struct e1000_model *m)
{
	unsigned int n = R(m, E1000_TDLEN) / 16;

	if (!(R(m, E1000_TCTL) & E1000_TCTL_EN) || !n)
		return;
	while (R(m, E1000_TDH) != R(m, E1000_TDT) && R(m, E1000_TDH) < n) {
		struct e1000_tx_desc *d = &e1000_model_tx_ring(m)[R(m, E1000_TDH)];
		unsigned int slot = m->tx_count++ % E1000_MODEL_TX_LOG;
		size_t len = d->length < 2048 ? d->length : 2048;

		memcpy(m->tx_frame[slot], (void *)(uintptr_t)d->addr, len);
		m->tx_len[slot] = len;
		m->tx_cmd[slot] = d->cmd;
		if (d->cmd & E1000_TXD_CMD_RS)
			d->status |= E1000_TXD_STAT_DD;
		R(m, E1000_TDH) = (R(m, E1000_TDH) + 1) % n;
	}
	raise(m, E1000_ICR_TXDW);
}

void e1000_model_set_link(struct e1000_model *m, bool up)
{
	m->link_up = up;
	raise(m, E1000_ICR_LSC);
}

bool e1000_model_irq(const struct e1000_model *m)
{
	return R(m, E1000_ICR) & R(m, E1000_IMS);
}
