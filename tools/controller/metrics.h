/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CTL_METRICS_H
#define CTL_METRICS_H

/* Counters the agent listener bumps and GET /metrics reports. */
#include <stdatomic.h>
#include <stdint.h>

struct ctl_metrics {
	atomic_uint_fast64_t agent_connections;	/* accepted TCP connections */
	atomic_uint_fast64_t protocol_errors;	/* connections closed for a protocol error */
	atomic_uint_fast64_t upload_bytes;	/* image bytes sent to agents on upload streams */
};

#endif
