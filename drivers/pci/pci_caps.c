// SPDX-License-Identifier: GPL-2.0
/* The capability list of a function's configuration header. */
#include <pci/pci.h>
#include "pci_regs.h"

/* 0x40..0xff holds at most 48 four-byte-aligned capabilities. */
#define PCI_CAP_MAX_STEPS 48

static bool cap_ptr_ok(unsigned int pos)
{
	return pos >= 0x40 && pos <= 0xfc && !(pos & 3);
}

unsigned int pci_find_cap(const struct pci_dev *d, uint8_t id, unsigned int from)
{
	unsigned int pos;

	if (!(pci_cfg_read16(d, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	if (from) {
		if (!cap_ptr_ok(from))
			return 0;
		pos = pci_cfg_read8(d, from + 1);
	} else {
		pos = pci_cfg_read8(d, d->header_type == 2 ? PCI_CB_CAP_PTR : PCI_CAP_PTR);
	}
	for (unsigned int step = 0; step < PCI_CAP_MAX_STEPS; step++) {
		uint8_t cap_id;

		/* 0 ends the list; anything else outside the capability area is nonsense. */
		if (!cap_ptr_ok(pos))
			return 0;
		cap_id = pci_cfg_read8(d, pos);
		if (cap_id == 0xff)
			return 0;
		if (cap_id == id)
			return pos;
		pos = pci_cfg_read8(d, pos + 1);
	}
	return 0;
}
