/* SPDX-License-Identifier: GPL-2.0 */
#ifndef DRIVERS_PCI_REGS_H
#define DRIVERS_PCI_REGS_H

/* Configuration-space registers drivers/pci uses (PCI Local Bus 3.0, PCIe 4.0). */
#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_COMMAND_IO 0x0001
#define PCI_COMMAND_MEMORY 0x0002
#define PCI_COMMAND_MASTER 0x0004
#define PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS 0x06
#define PCI_STATUS_CAP_LIST 0x0010
#define PCI_CLASS_REVISION 0x08
#define PCI_HEADER_TYPE 0x0e
#define PCI_HEADER_MULTI 0x80
#define PCI_BAR0 0x10
#define PCI_BAR_IO 0x1
#define PCI_BAR_MEM_TYPE 0x6
#define PCI_BAR_MEM_64 0x4
#define PCI_BAR_PREFETCH 0x8
#define PCI_SECONDARY_BUS 0x19
#define PCI_SUBSYS_VENDOR 0x2c
#define PCI_SUBSYS_ID 0x2e
#define PCI_CAP_PTR 0x34
#define PCI_CB_CAP_PTR 0x14
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN 0x3d

/* MSI-X capability */
#define PCI_MSIX_CTRL 0x02
#define PCI_MSIX_CTRL_SIZE 0x07ff
#define PCI_MSIX_CTRL_MASKALL 0x4000
#define PCI_MSIX_CTRL_ENABLE 0x8000
#define PCI_MSIX_TABLE 0x04
#define PCI_MSIX_BIR 0x7
#define PCI_MSIX_ENTRY_SIZE 16
#define PCI_MSIX_ENTRY_ADDR_LO 0x0
#define PCI_MSIX_ENTRY_ADDR_HI 0x4
#define PCI_MSIX_ENTRY_DATA 0x8
#define PCI_MSIX_ENTRY_CTRL 0xc
#define PCI_MSIX_ENTRY_MASKED 0x1

/* MSI capability */
#define PCI_MSI_CTRL 0x02
#define PCI_MSI_CTRL_ENABLE 0x0001
#define PCI_MSI_CTRL_MME 0x0070
#define PCI_MSI_CTRL_64 0x0080
#define PCI_MSI_CTRL_MASKBIT 0x0100
#define PCI_MSI_ADDR_LO 0x04
#define PCI_MSI_ADDR_HI 0x08
#define PCI_MSI_DATA_32 0x08
#define PCI_MSI_DATA_64 0x0c
#define PCI_MSI_MASK_32 0x0c
#define PCI_MSI_MASK_64 0x10

/* Message address towards a local APIC: fixed destination, physical mode. */
#define MSI_ADDR_BASE 0xfee00000u
#define MSI_ADDR_DEST_SHIFT 12

#endif
