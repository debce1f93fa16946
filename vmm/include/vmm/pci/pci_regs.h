/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_PCI_PCI_REGS_H
#define VMM_PCI_PCI_REGS_H

/*
 * PCI configuration space layout (PCI Local Bus 3.0, PCI Express Base 4.0
 * 7.5, 7.7.2): register offsets of a type 0 header, command and status bits,
 * BAR encoding, capability IDs, and the MSI-X capability and table layout.
 * Names follow Linux's pci_regs.h so a reader can cross-check them. Only what
 * Plinth's virtual PCI bus and host bridge use is here, each value once.
 */

/* Configuration mechanism #1 (I/O ports) and ECAM (memory-mapped). */
#define PCI_CONFIG_ADDRESS_PORT	0xcf8
#define PCI_CONFIG_DATA_PORT	0xcfc
#define PCI_CONFIG_ENABLE	(1u << 31)
#define PCI_ECAM_BUS_SHIFT	20
#define PCI_ECAM_DEV_SHIFT	15
#define PCI_ECAM_FN_SHIFT	12
#define PCI_ECAM_BUS_SIZE	(1u << PCI_ECAM_BUS_SHIFT)	/* 1 MiB of config per bus */

#define PCI_CFG_SPACE_SIZE	256
#define PCI_CFG_SPACE_EXP_SIZE	4096
#define PCI_SLOTS		32
#define PCI_FUNCTIONS		8

/* Type 0 header. */
#define PCI_VENDOR_ID		0x00
#define PCI_DEVICE_ID		0x02
#define PCI_COMMAND		0x04
#define PCI_STATUS		0x06
#define PCI_REVISION_ID		0x08
#define PCI_CLASS_PROG		0x09	/* class code: 24 bits from here */
#define PCI_CACHE_LINE_SIZE	0x0c
#define PCI_LATENCY_TIMER	0x0d
#define PCI_HEADER_TYPE		0x0e
#define PCI_BIST		0x0f
#define PCI_BASE_ADDRESS_0	0x10
#define PCI_NUM_BARS		6
#define PCI_SUBSYSTEM_VENDOR_ID	0x2c
#define PCI_SUBSYSTEM_ID	0x2e
#define PCI_ROM_ADDRESS		0x30
#define PCI_CAPABILITY_LIST	0x34
#define PCI_INTERRUPT_LINE	0x3c
#define PCI_INTERRUPT_PIN	0x3d
#define PCI_STD_HEADER_SIZE	0x40	/* capabilities start here */

#define PCI_HEADER_TYPE_NORMAL	0x00
#define PCI_INTERRUPT_PIN_INTA	1
#define PCI_INTERRUPT_LINE_NONE	0xff

/* Command register. */
#define PCI_COMMAND_IO		0x0001
#define PCI_COMMAND_MEMORY	0x0002
#define PCI_COMMAND_MASTER	0x0004
#define PCI_COMMAND_PARITY	0x0040
#define PCI_COMMAND_SERR	0x0100
#define PCI_COMMAND_INTX_DISABLE 0x0400

/* Status register. */
#define PCI_STATUS_INTERRUPT	0x0008
#define PCI_STATUS_CAP_LIST	0x0010
#define PCI_STATUS_FAST_BACK	0x0080
#define PCI_STATUS_DEVSEL_MEDIUM 0x0200

/* Base address registers. */
#define PCI_BASE_ADDRESS_SPACE_IO	0x01
#define PCI_BASE_ADDRESS_MEM_TYPE_32	0x00
#define PCI_BASE_ADDRESS_MEM_TYPE_64	0x04
#define PCI_BASE_ADDRESS_MEM_PREFETCH	0x08
#define PCI_BASE_ADDRESS_IO_MASK	(~0x03u)
#define PCI_BASE_ADDRESS_MEM_MASK	(~0x0fu)

/* Capability list. */
#define PCI_CAP_LIST_ID		0
#define PCI_CAP_LIST_NEXT	1
#define PCI_CAP_ID_VNDR		0x09	/* vendor specific (virtio's capabilities) */
#define PCI_CAP_ID_MSIX		0x11

/* MSI-X capability (PCI 3.0 6.8.2). */
#define PCI_MSIX_FLAGS		2	/* message control, 16 bits */
#define PCI_MSIX_FLAGS_QSIZE	0x07ff	/* table size - 1 */
#define PCI_MSIX_FLAGS_MASKALL	0x4000
#define PCI_MSIX_FLAGS_ENABLE	0x8000
#define PCI_MSIX_TABLE		4	/* table offset | BIR */
#define PCI_MSIX_PBA		8	/* PBA offset | BIR */
#define PCI_MSIX_BIR		0x7
#define PCI_MSIX_CAP_SIZE	12
#define PCI_MSIX_MAX_VECTORS	2048

/* MSI-X table entry. */
#define PCI_MSIX_ENTRY_SIZE		16
#define PCI_MSIX_ENTRY_LOWER_ADDR	0
#define PCI_MSIX_ENTRY_UPPER_ADDR	4
#define PCI_MSIX_ENTRY_DATA		8
#define PCI_MSIX_ENTRY_VECTOR_CTRL	12
#define PCI_MSIX_ENTRY_CTRL_MASKBIT	0x1

#endif
