/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_SERVICE_H
#define PLINTH_SERVICE_H

/*
 * What runs on top of the kernel (the partitions of vmm/, later the
 * management agent) registers itself here instead of being called by name:
 * the kernel sits below those layers and includes none of their headers.
 * Entries sit in their own linker section, in link order.
 */
#include <plinth/boot_info.h>
#include <plinth/config.h>

struct plinth_service {
	const char *name;
	int (*create)(const struct plinth_config *cfg, const struct boot_info *bi);
	void (*start)(void);
	unsigned int (*active)(void); /* still running; a test run waits for 0 */
	/*
	 * Optional: called on the boot CPU, interrupts off, each time it wakes
	 * while it waits for the others (kernel/main.c); returns in how many ns
	 * it wants to be called again, 0 for not until something else wakes it.
	 */
	uint64_t (*poll)(void);
};

#define PLINTH_SERVICE(id)                                                             \
	static const struct plinth_service __service_##id                             \
		__attribute__((used, section(".rodata.services"), aligned(8)))

extern const struct plinth_service __services_start[], __services_end[];

#define for_each_service(s) for (const struct plinth_service *s = __services_start; \
				 s < __services_end; s++)

#endif
