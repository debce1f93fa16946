/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_SELFTEST_H
#define PLINTH_SELFTEST_H

/* Runs every in-kernel self-test; returns how many failed. Each prints "SELFTEST name: PASS|FAIL". */
unsigned int selftest_run_all(void);

#endif
