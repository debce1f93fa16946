/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host id the agent enrols and reports as: plinth.cfg's host_id, else
 * one derived from the MAC of the NIC Plinth's own interface uses, which
 * stays the same across reboots (and across reinstalls, unlike a key).
 */
#include <plinth/agent.h>
#include <plinth/log.h>
#include <plinth/string.h>

void agent_host_id(const char *configured, const uint8_t mac[6], char out[MGMT_ID_MAX])
{
	if (configured && configured[0]) {
		strlcpy(out, configured, MGMT_ID_MAX);
		return;
	}
	snprintf(out, MGMT_ID_MAX, "h-%02x%02x%02x%02x%02x%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
}
