/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_VIRTIO_PCI_REGS_H
#define PLINTH_VIRTIO_PCI_REGS_H

/*
 * Architectural constants of virtio 1.x over PCI (2.1, 4.1, 6): feature
 * bits of the transport, device status, device IDs, PCI identity, the common
 * configuration registers and the vendor capabilities. Shared by the device
 * side (vmm/virtio/virtio_pci*.c) and Plinth's drivers (drivers/virtio/).
 */
#include <plinth/types.h>

/* Feature bits of the transport and ring layer (virtio 1.x, 6). */
#define VIRTIO_F_VERSION_1	32	/* a modern device: required, no legacy interface */

/* Device status bits (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE	0x01
#define VIRTIO_STATUS_DRIVER		0x02
#define VIRTIO_STATUS_DRIVER_OK		0x04
#define VIRTIO_STATUS_FEATURES_OK	0x08
#define VIRTIO_STATUS_NEEDS_RESET	0x40
#define VIRTIO_STATUS_FAILED		0x80

/* Device IDs (5). */
#define VIRTIO_ID_NET	1
#define VIRTIO_ID_BLOCK	2

/* No MSI-X vector assigned (4.1.4.3). */
#define VIRTIO_MSI_NO_VECTOR	0xffff

/* PCI identity of a modern (non-transitional) virtio device (4.1.2). */
#define VIRTIO_PCI_VENDOR_ID		0x1af4
#define VIRTIO_PCI_DEVICE_ID_BASE	0x1040	/* + the virtio device ID */
#define VIRTIO_PCI_REVISION		1	/* >= 1: no legacy interface */
#define VIRTIO_PCI_SUBSYS_VENDOR_ID	0x1af4
/* Subsystem ID >= 0x40 marks a modern device (4.1.2.1); name the type too. */
#define VIRTIO_PCI_SUBSYS_ID_BASE	0x1040
/* Class codes (base, sub, prog-if) as QEMU gives its virtio devices. */
#define VIRTIO_PCI_CLASS_NET		0x020000	/* Ethernet controller */
#define VIRTIO_PCI_CLASS_BLOCK		0x010000	/* SCSI storage controller */
#define VIRTIO_PCI_CLASS_OTHER		0xff0000	/* unassigned class */

/* Common configuration registers (4.1.4.3). */
#define VIRTIO_PCI_COMMON_DFSELECT	0x00	/* le32 device_feature_select */
#define VIRTIO_PCI_COMMON_DF		0x04	/* le32 device_feature, RO */
#define VIRTIO_PCI_COMMON_GFSELECT	0x08	/* le32 driver_feature_select */
#define VIRTIO_PCI_COMMON_GF		0x0c	/* le32 driver_feature */
#define VIRTIO_PCI_COMMON_MSIX		0x10	/* le16 config_msix_vector */
#define VIRTIO_PCI_COMMON_NUMQ		0x12	/* le16 num_queues, RO */
#define VIRTIO_PCI_COMMON_STATUS	0x14	/* u8 device_status */
#define VIRTIO_PCI_COMMON_CFGGEN	0x15	/* u8 config_generation, RO */
#define VIRTIO_PCI_COMMON_Q_SELECT	0x16	/* le16 queue_select */
#define VIRTIO_PCI_COMMON_Q_SIZE	0x18	/* le16 queue_size */
#define VIRTIO_PCI_COMMON_Q_MSIX	0x1a	/* le16 queue_msix_vector */
#define VIRTIO_PCI_COMMON_Q_ENABLE	0x1c	/* le16 queue_enable */
#define VIRTIO_PCI_COMMON_Q_NOFF	0x1e	/* le16 queue_notify_off, RO */
#define VIRTIO_PCI_COMMON_Q_DESC	0x20	/* le64 queue_desc */
#define VIRTIO_PCI_COMMON_Q_AVAIL	0x28	/* le64 queue_driver */
#define VIRTIO_PCI_COMMON_Q_USED	0x30	/* le64 queue_device */
#define VIRTIO_PCI_COMMON_Q_NDATA	0x38	/* le16 queue_notify_data (not offered) */
#define VIRTIO_PCI_COMMON_Q_RESET	0x3a	/* le16 queue_reset (not offered) */

/* ISR bits (4.1.4.5). */
#define VIRTIO_PCI_ISR_QUEUE		0x01
#define VIRTIO_PCI_ISR_CONFIG		0x02

/* Vendor capabilities (4.1.4). */
#define VIRTIO_PCI_CAP_VNDR		0x09
#define VIRTIO_PCI_CAP_COMMON_CFG	1
#define VIRTIO_PCI_CAP_NOTIFY_CFG	2
#define VIRTIO_PCI_CAP_ISR_CFG		3
#define VIRTIO_PCI_CAP_DEVICE_CFG	4
#define VIRTIO_PCI_CAP_PCI_CFG		5
#define VIRTIO_PCI_CAP_LEN		16	/* struct virtio_pci_cap */
#define VIRTIO_PCI_NOTIFY_CAP_LEN	20	/* + le32 notify_off_multiplier */
#define VIRTIO_PCI_CFG_CAP_LEN		20	/* + u8 pci_cfg_data[4] */
/* Byte offsets inside a capability, counted from cap_vndr. */
#define VIRTIO_PCI_CAP_OFF_BAR		4
#define VIRTIO_PCI_CAP_OFF_OFFSET	8
#define VIRTIO_PCI_CAP_OFF_LENGTH	12
#define VIRTIO_PCI_CAP_OFF_DATA		16	/* pci_cfg_data, PCI_CFG only */

#endif
