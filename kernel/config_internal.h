/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_CONFIG_INTERNAL_H
#define PLINTH_CONFIG_INTERNAL_H

/*
 * Between the plinth.cfg parser's files: config.c reads lines and sections,
 * config_agent.c the values of [agent]. Not for the rest of the kernel.
 */
#include <plinth/config.h>

enum agent_key {
	AGENT_KEY_CONTROLLER,
	AGENT_KEY_CA_PIN,
	AGENT_KEY_TOKEN,
	AGENT_KEY_HOST_ID,
	AGENT_KEY_COUNT,
};

/* The [agent] key named by n bytes at key, or -ENOENT. */
int config_agent_key_lookup(const char *key, size_t n);
const char *config_agent_key_name(enum agent_key key);
/* Parses value (n bytes, no terminator) into ag: 0, or -EINVAL with a message naming the key. */
int config_agent_set(struct agent_config *ag, enum agent_key key, const char *value, size_t n,
		     char *msg, size_t msg_size);

#endif
