/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TESTS_LOG_CAPTURE_H
#define TESTS_LOG_CAPTURE_H

/*
 * The kernel's log_write() for host tests (tests/unit/log_capture.c):
 * every line the code under test logs is appended to log_captured (cut
 * off when full) and counted, so a test can check what was said.
 */
extern char log_captured[16384];
extern unsigned int log_lines;

/* Forgets what was logged (each test's set-up). */
void log_capture_clear(void);

#endif
