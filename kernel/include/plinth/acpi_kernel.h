/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_ACPI_KERNEL_H
#define PLINTH_ACPI_KERNEL_H

#include <plinth/acpi.h>
#include <plinth/boot_info.h>

/* The machine's tables as parsed at boot; read-only afterwards. */
extern struct acpi_info acpi;

int acpi_init(const struct boot_info *bi, bool dump);

#endif
