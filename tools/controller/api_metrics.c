// SPDX-License-Identifier: GPL-2.0
/* GET /metrics: the store's hosts, partitions and tasks by state, and the listener's counters. */
#include <stdio.h>
#include <stdlib.h>
#include "api.h"

struct tally {
	FILE *f;
	unsigned long hosts[3];		/* up, down, revoked */
	unsigned long parts[5];		/* by enum mgmt_part_state, 0 unknown */
};

static void count_host(void *ctx, const struct host_rec *h)
{
	struct tally *t = ctx;

	t->hosts[h->revoked ? 2 : h->up ? 0 : 1]++;
}

static void rtt_host(void *ctx, const struct host_rec *h)
{
	struct tally *t = ctx;

	if (h->up && !h->revoked && h->rtt_us >= 0)
		fprintf(t->f, "plinth_agent_rtt_seconds{host=\"%s\"} %.6f\n", h->id,
			(double)h->rtt_us / 1e6);
}

static void count_part(void *ctx, const struct part_rec *p)
{
	struct tally *t = ctx;

	t->parts[p->state < 5 ? p->state : 0]++;
}

char *api_metrics_text(struct api *a)
{
	static const char *const hs[] = { "up", "down", "revoked" };
	static const char *const ts[] = { "queued", "running", "succeeded", "failed" };
	uint64_t tasks[4];
	struct tally t = { 0 };
	char *buf = NULL;
	size_t len = 0;

	t.f = open_memstream(&buf, &len);
	if (!t.f)
		return NULL;
	a->st->ops->host_list(a->st, count_host, &t);
	a->st->ops->part_list(a->st, NULL, count_part, &t);
	fprintf(t.f, "# HELP plinth_hosts Enrolled hosts by state.\n# TYPE plinth_hosts gauge\n");
	for (int i = 0; i < 3; i++)
		fprintf(t.f, "plinth_hosts{state=\"%s\"} %lu\n", hs[i], t.hosts[i]);
	fprintf(t.f, "# HELP plinth_partitions Partitions by state, as last reported.\n"
		     "# TYPE plinth_partitions gauge\n");
	for (uint32_t s = 1; s < 5; s++)
		fprintf(t.f, "plinth_partitions{state=\"%s\"} %lu\n", api_part_state_name(s),
			t.parts[s]);
	fprintf(t.f, "# HELP plinth_agent_rtt_seconds Last heartbeat round trip of each host up.\n"
		     "# TYPE plinth_agent_rtt_seconds gauge\n");
	a->st->ops->host_list(a->st, rtt_host, &t);
	if (!a->st->ops->task_counts(a->st, tasks)) {
		fprintf(t.f, "# HELP plinth_tasks Tasks by state.\n# TYPE plinth_tasks gauge\n");
		for (int i = 0; i < 4; i++)
			fprintf(t.f, "plinth_tasks{state=\"%s\"} %llu\n", ts[i],
				(unsigned long long)tasks[i]);
	}
	fprintf(t.f, "# HELP plinth_upload_bytes_total Image bytes sent to agents on upload "
		     "streams.\n"
		     "# TYPE plinth_upload_bytes_total counter\nplinth_upload_bytes_total %llu\n",
		(unsigned long long)atomic_load(&a->metrics->upload_bytes));
	fprintf(t.f, "# HELP plinth_agent_connections_total Agent connections accepted.\n"
		     "# TYPE plinth_agent_connections_total counter\n"
		     "plinth_agent_connections_total %llu\n",
		(unsigned long long)atomic_load(&a->metrics->agent_connections));
	fprintf(t.f, "# HELP plinth_protocol_errors_total Agent connections closed for a protocol "
		     "error.\n# TYPE plinth_protocol_errors_total counter\n"
		     "plinth_protocol_errors_total %llu\n",
		(unsigned long long)atomic_load(&a->metrics->protocol_errors));
	fclose(t.f);
	return buf;
}
