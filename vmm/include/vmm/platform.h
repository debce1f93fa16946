/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_PLATFORM_H
#define VMM_PLATFORM_H

/*
 * What a partition sees besides its RAM. Shared by Plinth and the test guests.
 *
 * RAM is guest-physical 0 .. min(memory, 3 GiB), and the rest of it, if any,
 * from 4 GiB up (vmm/include/vmm/guest_layout.h): 3 GiB .. 4 GiB is the MMIO
 * hole, never RAM whatever `memory =` says, so every device below lives there.
 * Besides these, every partition has the PC platform's devices at their
 * usual ports (PIT, RTC, ACPI PM, PCI host, i8042, reset control, 8259s:
 * vmm/include/vmm/pc_devices.h).
 */
#define GUEST_MMIO_HOLE_START 0xc0000000ULL  /* 3 GiB: low RAM ends here at the latest */
#define GUEST_MMIO_HOLE_END 0x100000000ULL   /* 4 GiB: RAM above the hole resumes here */
#define GUEST_UART_PORT 0x3f8          /* emulated 16550 (transmit side), lines go to Plinth's log */
#define GUEST_TESTDEV_PORT 0x500       /* 16 scratch bytes of port I/O (test device) */
#define GUEST_TESTDEV_PORT_SIZE 16
#define GUEST_TESTDEV_MMIO 0xfeb00000ULL /* 4 KiB of scratch registers behind MMIO exits */
#define GUEST_TESTDEV_MMIO_SIZE 0x1000
#define GUEST_TIMER_PORT 0x510         /* write u32 microseconds: one interrupt after that delay */
#define GUEST_TIMER_VECTOR_PORT 0x514  /* write u8 vector used by the timer (default 0x30) */
/*
 * The virtual PCI bus (vmm/include/vmm/pci/vpci.h): BARs are placed in the
 * memory window (left out of the e820 map, as firmware leaves PCI space)
 * and the I/O window; configuration space is at 0xcf8/0xcfc and in the
 * ECAM window (bus 0 only), which ACPI describes (MCFG, PNP0C02).
 */
#define GUEST_PCI_MEM_BASE 0xc0000000ULL
#define GUEST_PCI_MEM_SIZE 0x20000000ULL
#define GUEST_PCI_ECAM_BASE 0xe0000000ULL
#define GUEST_PCI_ECAM_SIZE 0x100000ULL /* 1 MiB: bus 0 */
#define GUEST_PCI_IO_BASE 0xc000
#define GUEST_PCI_IO_SIZE 0x4000
/* I/O APIC, 24 pins; the PC devices' ISA IRQs reach it as vmm/include/vmm/pc_wiring.h says. */
#define GUEST_IOAPIC_BASE 0xfec00000ULL
#define GUEST_LAPIC_BASE 0xfee00000ULL  /* each vCPU sees its own local APIC here */

/* CPUID leaves Plinth answers for its guests. */
#define PLINTH_CPUID_SIGNATURE 0x40000000 /* EBX,ECX,EDX = "PlinthPlinth" */
#define PLINTH_CPUID_TSC_KHZ 0x40000010   /* EAX = TSC kHz, EBX = LAPIC timer clock kHz */

#endif
