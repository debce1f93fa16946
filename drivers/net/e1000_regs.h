/* SPDX-License-Identifier: GPL-2.0 */
#ifndef DRIVERS_NET_E1000_REGS_H
#define DRIVERS_NET_E1000_REGS_H

/*
 * Intel 8254x (82540EM) registers and descriptors, as far as Plinth's
 * driver uses them (PCI/PCI-X Family of Gigabit Ethernet Controllers
 * Software Developer's Manual, sections 3 and 13). Shared with the host
 * test's device model (tests/unit/e1000_model.c).
 */
#include <plinth/types.h>

#define E1000_VENDOR_INTEL 0x8086
#define E1000_DEV_82540EM 0x100e
#define E1000_DEV_82545EM 0x100f	/* same register model (QEMU's e1000-82545em) */
#define E1000_MMIO_MIN (128u * 1024)

#define E1000_CTRL 0x0000
#define E1000_STATUS 0x0008
#define E1000_EERD 0x0014
#define E1000_ICR 0x00c0
#define E1000_IMS 0x00d0
#define E1000_IMC 0x00d8
#define E1000_RCTL 0x0100
#define E1000_TCTL 0x0400
#define E1000_TIPG 0x0410
#define E1000_RDBAL 0x2800
#define E1000_RDBAH 0x2804
#define E1000_RDLEN 0x2808
#define E1000_RDH 0x2810
#define E1000_RDT 0x2818
#define E1000_TDBAL 0x3800
#define E1000_TDBAH 0x3804
#define E1000_TDLEN 0x3808
#define E1000_TDH 0x3810
#define E1000_TDT 0x3818
#define E1000_MTA 0x5200
#define E1000_MTA_WORDS 128
#define E1000_RAL0 0x5400
#define E1000_RAH0 0x5404

#define E1000_CTRL_FD (1u << 0)
#define E1000_CTRL_ASDE (1u << 5)
#define E1000_CTRL_SLU (1u << 6)
#define E1000_CTRL_RST (1u << 26)
#define E1000_CTRL_PHY_RST (1u << 31)

#define E1000_STATUS_LU (1u << 1)

/* 82540EM layout: address in bits 15:8, data in 31:16. */
#define E1000_EERD_START (1u << 0)
#define E1000_EERD_DONE (1u << 4)
#define E1000_EERD_ADDR_SHIFT 8
#define E1000_EERD_DATA_SHIFT 16

/* ICR / IMS / IMC cause bits. */
#define E1000_ICR_TXDW (1u << 0)
#define E1000_ICR_LSC (1u << 2)
#define E1000_ICR_RXDMT0 (1u << 4)
#define E1000_ICR_RXO (1u << 6)
#define E1000_ICR_RXT0 (1u << 7)
/*
 * Every cause an 8254x defines (TXDW..SRPD, 0x1f6df) and INT_ASSERTED,
 * which QEMU adds for some device IDs; any other bit is nonsense.
 */
#define E1000_ICR_KNOWN (0x0001f6dfu | 1u << 31)

#define E1000_RCTL_EN (1u << 1)
#define E1000_RCTL_UPE (1u << 3)
#define E1000_RCTL_MPE (1u << 4)
#define E1000_RCTL_BAM (1u << 15)
#define E1000_RCTL_BSIZE_2048 (0u << 16)
#define E1000_RCTL_SECRC (1u << 26)

#define E1000_TCTL_EN (1u << 1)
#define E1000_TCTL_PSP (1u << 3)
#define E1000_TCTL_CT_SHIFT 4
#define E1000_TCTL_COLD_SHIFT 12
/* Copper values from the manual's initialisation section. */
#define E1000_TIPG_VALUE (10u | 8u << 10 | 6u << 20)

#define E1000_RAH_AV (1u << 31)

/* Legacy receive descriptor. */
struct e1000_rx_desc {
	uint64_t addr;
	uint16_t length;
	uint16_t csum;
	uint8_t status;
	uint8_t errors;
	uint16_t special;
} __attribute__((packed));

#define E1000_RXD_STAT_DD (1u << 0)
#define E1000_RXD_STAT_EOP (1u << 1)
/* CE, SE, SEQ, CXE, RXE: the frame itself is bad (checksum errors are not, nothing offloaded). */
#define E1000_RXD_ERR_FRAME 0x97u

/* Legacy transmit descriptor. */
struct e1000_tx_desc {
	uint64_t addr;
	uint16_t length;
	uint8_t cso;
	uint8_t cmd;
	uint8_t status;
	uint8_t css;
	uint16_t special;
} __attribute__((packed));

#define E1000_TXD_CMD_EOP (1u << 0)
#define E1000_TXD_CMD_IFCS (1u << 1)
#define E1000_TXD_CMD_RS (1u << 3)
#define E1000_TXD_STAT_DD (1u << 0)

#endif
