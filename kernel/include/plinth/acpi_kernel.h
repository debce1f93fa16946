/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_ACPI_KERNEL_H
#define PLINTH_ACPI_KERNEL_H

#include <plinth/acpi.h>

/* The machine's tables as parsed at boot; read-only afterwards. */
extern struct acpi_info acpi;

int acpi_init(paddr_t rsdp, bool dump);

#endif
