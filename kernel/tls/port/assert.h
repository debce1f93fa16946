/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mbedTLS's library/common.h includes <assert.h> (for static assertions, which the compiler
 * itself provides as _Static_assert); the configuration enables no run-time assert().
 */
#ifndef PLINTH_TLS_PORT_ASSERT_H
#define PLINTH_TLS_PORT_ASSERT_H
#endif
