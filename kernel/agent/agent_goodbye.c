/* SPDX-License-Identifier: GPL-2.0 */
/* A GOODBYE from the controller, in either kind of connection: why, logged, then a back-off. */
#include <plinth/log.h>
#include "agent_internal.h"

static const char *const reason_names[MGMT_BYE_COUNT] = {
	[MGMT_BYE_NONE] = "no reason",
	[MGMT_BYE_TOKEN] = "enrolment token",
	[MGMT_BYE_REVOKED] = "revoked",
	[MGMT_BYE_PROTOCOL] = "protocol error",
	[MGMT_BYE_IDENTITY] = "identity",
	[MGMT_BYE_SHUTDOWN] = "shutdown",
};

void agent_goodbye(const struct mgmt_frame *f)
{
	static struct mgmt_goodbye bye;
	const char *reason;

	if (agent_decode(f, &bye))
		return;
	reason = bye.reason < MGMT_BYE_COUNT ? reason_names[bye.reason] : "?";
	/* The refusals of an enrolment, and a revoked host, are the operator's to fix. */
	if (bye.reason == MGMT_BYE_TOKEN || bye.reason == MGMT_BYE_REVOKED || agent.enrol)
		pr_err("agent: refused by the controller: %s\n", bye.text[0] ? bye.text : reason);
	else
		pr_warn("agent: the controller ended the session (%s): %s\n", reason,
			bye.text[0] ? bye.text : "no text");
	agent_lost_clean("goodbye from the controller: %s", reason);
}
