/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Enrolment: on a TLS connection where only the controller authenticates,
 * the agent's first frame is ENROL{token, CSR for its key with CN = host
 * id}; the controller answers ENROLLED{host id, certificate} and closes, or
 * GOODBYE with why not. With the certificate the agent dials again at once,
 * for a session over mutual TLS.
 */
#include <plinth/log.h>
#include <plinth/string.h>
#include <plinth/time.h>
#include "agent_internal.h"

void agent_enrol_begin(void)
{
	static struct mgmt_enrol m;
	int ret;

	memset(&m, 0, sizeof(m));
	strlcpy(m.token, agent.cfg.token, sizeof(m.token));
	ret = agent_key_csr(m.csr, sizeof(m.csr));
	if (ret < 0) {
		agent_lost("cannot write the CSR (mbedTLS -0x%04x)", -ret);
		return;
	}
	m.csr_len = (uint32_t)ret;
	ret = agent_tls_send(&agent.tls, MGMT_ENROL, &m);
	if (ret) {
		agent_lost("ENROL does not fit (%d)", ret);
		return;
	}
	pr_debug("agent: ENROL sent (%s, CSR %u bytes)\n", m.token[0] ? "with a token" : "no token",
		 m.csr_len);
	agent.phase = AGENT_ENROLLING;
}

void agent_enrol_frame(const struct mgmt_frame *f)
{
	static struct mgmt_enrolled m;
	char why[96];

	if (f->type == MGMT_GOODBYE) {
		agent_goodbye(f);
		return;
	}
	if (f->type != MGMT_ENROLLED || agent.phase != AGENT_ENROLLING) {
		agent_protocol_error("unexpected %s frame on an enrolment connection",
				     mgmt_type_name(f->type));
		return;
	}
	if (agent_decode(f, &m))
		return;
	if (strcmp(m.host_id, agent.host_id)) {
		agent_protocol_error("ENROLLED names host %s, not %s", m.host_id, agent.host_id);
		return;
	}
	if (agent_key_take_cert(m.cert, m.cert_len, why, sizeof(why))) {
		agent_protocol_error("ENROLLED: %s", why);
		return;
	}
	pr_info("agent: enrolled as %s\n", agent.host_id);
	pr_debug("agent: certificate (%u bytes) %lu ms after dialling\n", m.cert_len,
		 (agent_now_ns() - agent.dial_ns) / NSEC_PER_MSEC);
	agent_redial_now();
}
