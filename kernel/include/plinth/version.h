/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_VERSION_H
#define PLINTH_VERSION_H

/* Plinth's release, in the boot banner and in the agent's HELLO. */
#define PLINTH_VERSION "0.1"

#endif
