// SPDX-License-Identifier: GPL-2.0
/*
 * Configuration mechanism #1 and the host bridge's configuration header
 * (vmm/include/vmm/dev/pci_host.h).
 */
#include <plinth/string.h>
#include <vmm/dev/pci_host.h>

#define CFG_VENDOR 0x00
#define CFG_COMMAND 0x04
#define CFG_REVISION 0x08
#define CFG_CACHE_LINE 0x0c
#define CFG_LATENCY 0x0d

#define CMD_WRITABLE 0x0147 /* I/O, memory, bus master, parity, SERR: stored, no effect */
#define STATUS_FAST_B2B 0x0080
#define STATUS_DEVSEL_MEDIUM 0x0200

void pci_host_init(struct pci_host *h)
{
	memset(h, 0, sizeof(*h));
	h->command = 0x0006; /* memory and bus master on, as firmware leaves a host bridge */
}

/* Is CONFIG_ADDRESS aimed at the host bridge (00:00.0)? Writes *reg with the dword offset. */
static bool targets_bridge(const struct pci_host *h, unsigned int *reg)
{
	uint32_t a = h->address;

	*reg = a & 0xfc;
	/* Bits 30:24 are reserved; bus, device and function must all be 0. */
	return (a & PCI_CONFIG_ENABLE) && !(a & 0x7fffff00);
}

static uint32_t bridge_dword(const struct pci_host *h, unsigned int reg)
{
	switch (reg) {
	case CFG_VENDOR:
		return PCI_HOST_VENDOR | (uint32_t)PCI_HOST_DEVICE << 16;
	case CFG_COMMAND:
		return h->command | (uint32_t)(STATUS_FAST_B2B | STATUS_DEVSEL_MEDIUM) << 16;
	case CFG_REVISION:
		return 0x02 | (uint32_t)PCI_CLASS_HOST_BRIDGE << 8;
	case CFG_CACHE_LINE:
		/* Header type 0, single function; no BIST. */
		return (uint32_t)h->latency << 8;
	}
	return 0; /* BARs, capabilities and the rest: none */
}

static bool data_access_ok(uint16_t port, unsigned int size)
{
	unsigned int off = port - PCI_CONFIG_DATA_PORT;

	return (size == 1 || size == 2 || size == 4) && off < 4 && off % size == 0;
}

uint32_t pci_host_read(struct pci_host *h, uint16_t port, unsigned int size)
{
	unsigned int reg, off = port - PCI_CONFIG_DATA_PORT;
	uint32_t mask = size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;

	if (port == PCI_CONFIG_ADDRESS_PORT && size == 4)
		return h->address;
	if (port < PCI_CONFIG_DATA_PORT || !data_access_ok(port, size))
		return 0xffffffffu & mask;
	if (!targets_bridge(h, &reg))
		return mask; /* no device: all ones, as the bus returns for a master abort */
	return (bridge_dword(h, reg) >> (off * 8)) & mask;
}

void pci_host_write(struct pci_host *h, uint16_t port, unsigned int size, uint32_t value)
{
	unsigned int reg, off = port - PCI_CONFIG_DATA_PORT;

	if (port == PCI_CONFIG_ADDRESS_PORT && size == 4) {
		/* Bits 1:0 read back as 0: configuration addresses are dword aligned. */
		h->address = value & ~3u;
		return;
	}
	if (port < PCI_CONFIG_DATA_PORT || !data_access_ok(port, size) || !targets_bridge(h, &reg))
		return;
	for (unsigned int i = 0; i < size; i++) {
		unsigned int byte = reg + off + i;
		uint8_t b = (uint8_t)(value >> (i * 8));

		if (byte == CFG_COMMAND)
			h->command = (uint16_t)((h->command & 0xff00) | (b & (CMD_WRITABLE & 0xff)));
		else if (byte == CFG_COMMAND + 1)
			h->command = (uint16_t)((h->command & 0x00ff) | ((b << 8) & (CMD_WRITABLE & 0xff00)));
		else if (byte == CFG_LATENCY)
			h->latency = b;
		/* Status bits are write-one-to-clear and none is ever set; the rest is read-only. */
	}
}
