/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ASM_RESET_H
#define ASM_RESET_H

#include <plinth/types.h>

/*
 * Ends the run. With test_exit the emulators' exit ports are tried first
 * (QEMU isa-debug-exit at 0xf4 exits with (status << 1) | 1, Bochs leaves on
 * "Shutdown" written to 0x8900); then the machine is reset.
 */
void __noreturn machine_exit(unsigned int status, bool test_exit);
void __noreturn machine_reset(void);

#endif
