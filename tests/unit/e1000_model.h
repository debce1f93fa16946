/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TESTS_E1000_MODEL_H
#define TESTS_E1000_MODEL_H

/*
 * A fake 82540EM behind tests/unit/pci_fake.h's BAR 0 callbacks, enough
 * for drivers/net/e1000.c: register file, read-to-clear ICR, IMS/IMC,
 * global reset, EERD, legacy RX/TX rings in host memory (bus address ==
 * host pointer). TX descriptors are consumed when TDT is written; RX frames
 * are put on the wire by the test. The test raises the interrupt itself
 * (pci_fake_fire) and may poke registers and descriptors to play a broken
 * device.
 */
#include <net/e1000_regs.h>
#include "pci_fake.h"

#define E1000_MODEL_TX_LOG 8

struct e1000_model {
	struct pci_fake pf;
	uint32_t regs[E1000_MMIO_MIN / 4];
	uint16_t eeprom[64];
	uint8_t mac[6];
	bool mac_in_ral;	/* a reset loads RAL0/RAH0 from the EEPROM, as QEMU's does */
	bool link_up;
	bool gone;		/* every read returns all-ones, writes are lost */
	bool tx_hold;		/* TDT writes do not consume descriptors */
	unsigned int reset_reads;	/* CTRL reads before RST clears; UINT32_MAX: never */
	unsigned int reset_left;
	unsigned int resets;
	/* Transmitted frames, the last E1000_MODEL_TX_LOG of them. */
	unsigned int tx_count;
	uint8_t tx_frame[E1000_MODEL_TX_LOG][2048];
	uint16_t tx_len[E1000_MODEL_TX_LOG];
	uint8_t tx_cmd[E1000_MODEL_TX_LOG];
};

/* A powered-on device with this MAC in its EEPROM and the link up. */
void e1000_model_init(struct e1000_model *m, const uint8_t mac[6]);
/* Register value, bypassing side effects. */
uint32_t e1000_model_reg(const struct e1000_model *m, unsigned int off);
void e1000_model_set_reg(struct e1000_model *m, unsigned int off, uint32_t v);
/*
 * Receives one frame into the descriptor at RDH (status DD | EOP unless
 * @status says otherwise): false when RX is off or no descriptor is free.
 */
bool e1000_model_rx(struct e1000_model *m, const void *frame, size_t len);
bool e1000_model_rx_desc(struct e1000_model *m, const void *frame, size_t len, uint8_t status,
			 uint8_t errors);
/* Descriptors (bus addresses as pointers) the driver programmed. */
struct e1000_rx_desc *e1000_model_rx_ring(const struct e1000_model *m);
struct e1000_tx_desc *e1000_model_tx_ring(const struct e1000_model *m);
/* Consumes TX descriptors from TDH up to TDT. */
void e1000_model_tx_run(struct e1000_model *m);
void e1000_model_set_link(struct e1000_model *m, bool up);
/* ICR & IMS: the line is asserted. */
bool e1000_model_irq(const struct e1000_model *m);

#endif
