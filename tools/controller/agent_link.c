// SPDX-License-Identifier: GPL-2.0
/*
 * Operations, uploads and consoles on an agent session (contract2.md).
 *
 * A host's unfinished tasks live in the store; the session loads them
 * once STATE is in and again whenever the hub says one was queued, marks
 * each running and sends its OP with the task id as op id. A CREATE first
 * uploads the images it names, one stream at a time; the agent declines
 * ones it holds. Nothing is forgotten on a disconnect: the next session
 * sends every task still running again, and the agent's op cache answers
 * a repeat with its first RESULT.
 *
 * Upload DATA goes at most one frame per tick, between looks at the
 * control work and the socket, so a long upload never holds up heartbeats,
 * OPs or console bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "agent_link.h"
#include "util.h"

#define JOB_IMAGES 2		/* kernel, initrd */

struct link_job {
	struct task_rec t;
	struct mgmt_op op;
	char images[JOB_IMAGES][MGMT_SHA_MAX];
	unsigned int nimages, next_image;
	bool uploading, sent;
	uint64_t up_done, up_total, progress_ns;
	struct link_job *next;
};

static const char *const error_names[MGMT_ERR_COUNT] = {
	"none", "invalid", "not_found", "exists", "state", "capacity", "no_virt", "internal",
};

static const char *const op_kinds[MGMT_OP_KIND_COUNT] = {
	NULL, "create", "start", "stop", "reboot", "delete",
};

int link_init(struct link *l, struct conn *c, const char *host)
{
	memset(l, 0, sizeof(*l));
	l->c = c;
	l->host = host;
	l->buf = malloc(LINK_DATA_MAX);
	for (int i = 0; i < LINK_STREAMS_MAX; i++)
		l->streams[i].fd = -1;
	return l->buf ? 0 : -ENOMEM;
}

static struct store *ST(struct link *l)
{
	return l->c->a->st;
}

static void stream_free(struct link *l, struct link_stream *s)
{
	if (s->fd >= 0)
		close(s->fd);
	if (s->con) {
		struct hub *h = l->c->a->hub;

		pthread_mutex_lock(&h->lock);
		hub_console_stream_ended(h, s->con, NULL);
		pthread_mutex_unlock(&h->lock);
	}
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

void link_free(struct link *l)
{
	for (int i = 0; i < LINK_STREAMS_MAX; i++)
		if (l->streams[i].ch)
			stream_free(l, &l->streams[i]);
	while (l->jobs) {
		struct link_job *n = l->jobs->next;

		free(l->jobs);
		l->jobs = n;
	}
	free(l->buf);
	l->buf = NULL;
}

static void job_remove(struct link *l, struct link_job *j)
{
	for (struct link_job **pp = &l->jobs; *pp; pp = &(*pp)->next) {
		if (*pp == j) {
			*pp = j->next;
			free(j);
			return;
		}
	}
}

/* Ends a task: succeeded with kind NULL, else failed with the error's kind and message. */
static void task_finish(struct link *l, struct task_rec *t, const char *kind, const char *msg)
{
	t->state = kind ? TASK_FAILED : TASK_SUCCEEDED;
	snprintf(t->error_kind, sizeof(t->error_kind), "%s", kind ? kind : "");
	snprintf(t->error, sizeof(t->error), "%s", kind ? msg : "");
	t->finished_at = now_unix();
	if (!kind && t->total && t->done < t->total)
		t->done = t->total;
	ST(l)->ops->task_update(ST(l), t);
	if (kind)
		ctl_log("host %s: task %lld (%s %s) failed: %s: %s", l->host, (long long)t->id,
			t->kind, t->partition, kind, msg);
	else
		ctl_log("host %s: task %lld (%s %s) succeeded", l->host, (long long)t->id,
			t->kind, t->partition);
}

/* The job's task ended (kind NULL: succeeded); the job is freed. */
static void job_fail(struct link *l, struct link_job *j, const char *kind, const char *msg)
{
	task_finish(l, &j->t, kind, msg);
	for (int i = 0; i < LINK_STREAMS_MAX; i++)
		if (l->streams[i].job == j)
			l->streams[i].job = NULL;
	job_remove(l, j);
}

/* The task's op JSON into j->op: 0, or -EINVAL. */
static int job_decode(struct link_job *j)
{
	json_t *o = json_loads(j->t.op, 0, NULL);
	const char *kind = json_string_value(json_object_get(o, "kind"));
	int rc = -EINVAL;

	snprintf(j->op.op_id, sizeof(j->op.op_id), "%lld", (long long)j->t.id);
	snprintf(j->op.partition, sizeof(j->op.partition), "%s", j->t.partition);
	for (uint32_t k = 1; kind && k < MGMT_OP_KIND_COUNT; k++)
		if (!strcmp(kind, op_kinds[k])) {
			j->op.kind = k;
			rc = 0;
		}
	if (!rc && j->op.kind == MGMT_OP_CREATE) {
		const char *v;

		j->op.memory = (uint64_t)json_integer_value(json_object_get(o, "memory"));
		j->op.vcpus = (uint32_t)json_integer_value(json_object_get(o, "vcpus"));
		v = json_string_value(json_object_get(o, "kernel"));
		snprintf(j->op.kernel_sha, sizeof(j->op.kernel_sha), "%s", v ? v : "");
		v = json_string_value(json_object_get(o, "initrd"));
		snprintf(j->op.initrd_sha, sizeof(j->op.initrd_sha), "%s", v ? v : "");
		v = json_string_value(json_object_get(o, "cmdline"));
		snprintf(j->op.cmdline, sizeof(j->op.cmdline), "%s", v ? v : "");
		v = json_string_value(json_object_get(o, "switch"));
		snprintf(j->op.net_switch, sizeof(j->op.net_switch), "%s", v ? v : "");
		if (j->op.kernel_sha[0])
			memcpy(j->images[j->nimages++], j->op.kernel_sha, MGMT_SHA_MAX);
		if (j->op.initrd_sha[0])
			memcpy(j->images[j->nimages++], j->op.initrd_sha, MGMT_SHA_MAX);
	}
	json_decref(o);
	return rc;
}

static struct link_job *job_find(struct link *l, int64_t id)
{
	for (struct link_job *j = l->jobs; j; j = j->next)
		if (j->t.id == id)
			return j;
	return NULL;
}

/* The store's callback runs under its lock: only copied here, looked at in jobs_load(). */
static void pending_task(void *ctx, const struct task_rec *t)
{
	struct link_job **fresh = ctx, *j = calloc(1, sizeof(*j));

	if (!j)
		return;
	j->t = *t;
	j->next = *fresh;
	*fresh = j;
}

/* The host's unfinished tasks this session has no job for yet become jobs, oldest last. */
static void jobs_load(struct link *l)
{
	struct link_job *fresh = NULL, *j, **tail;

	ST(l)->ops->task_pending(ST(l), l->host, pending_task, &fresh);
	while ((j = fresh)) {
		fresh = j->next;
		j->next = NULL;
		if (job_find(l, j->t.id)) {
			free(j);
			continue;
		}
		if (job_decode(j)) {
			task_finish(l, &j->t, "internal", "the task's operation cannot be decoded");
			free(j);
			continue;
		}
		for (unsigned int i = 0; i < j->nimages; i++) {
			struct image_rec img;

			if (!ST(l)->ops->image_get(ST(l), j->images[i], &img))
				j->up_total += img.size;
		}
		if (j->t.state == TASK_QUEUED) {
			j->t.state = TASK_RUNNING;
			if (j->up_total) {
				j->t.done = 0;
				j->t.total = j->up_total;
			}
			ST(l)->ops->task_update(ST(l), &j->t);
		}
		/* fresh is newest first: each goes in front of the ones loaded after it. */
		for (tail = &l->jobs; *tail && (*tail)->t.id < j->t.id; tail = &(*tail)->next)
			;
		j->next = *tail;
		*tail = j;
	}
}

static struct link_stream *stream_new(struct link *l, uint32_t kind)
{
	for (int i = 0; i < LINK_STREAMS_MAX; i++) {
		struct link_stream *s = &l->streams[i];

		if (s->ch)
			continue;
		if (l->last_ch == UINT16_MAX)
			return NULL;	/* 65535 streams used: the next connection has fresh ones */
		memset(s, 0, sizeof(*s));
		s->fd = -1;
		s->ch = ++l->last_ch;
		s->kind = kind;
		return s;
	}
	return NULL;
}

static struct link_stream *stream_find(struct link *l, uint16_t ch)
{
	for (int i = 0; i < LINK_STREAMS_MAX; i++)
		if (l->streams[i].ch == ch)
			return &l->streams[i];
	return NULL;
}

static bool uploading(struct link *l)
{
	for (int i = 0; i < LINK_STREAMS_MAX; i++)
		if (l->streams[i].ch && l->streams[i].kind == MGMT_STREAM_UPLOAD)
			return true;
	return false;
}

/* The next image of j onto an upload stream: 0, 1 when none is free yet, <0 to end. */
static int upload_start(struct link *l, struct link_job *j)
{
	struct mgmt_chan_open req = { .kind = MGMT_STREAM_UPLOAD };
	const char *sha = j->images[j->next_image];
	struct link_stream *s;
	struct image_rec img;
	char msg[MGMT_TEXT_MAX];
	int fd;

	if (ST(l)->ops->image_get(ST(l), sha, &img) || (fd = open(img.path, O_RDONLY |
								   O_CLOEXEC)) < 0) {
		snprintf(msg, sizeof(msg), "image %.16s... is not in the controller's store", sha);
		job_fail(l, j, "not_found", msg);
		return 0;
	}
	s = stream_new(l, MGMT_STREAM_UPLOAD);
	if (!s) {
		close(fd);
		return 1;
	}
	s->job = j;
	s->fd = fd;
	s->size = img.size;
	memcpy(s->sha, sha, MGMT_SHA_MAX);
	memcpy(req.sha256, sha, MGMT_SHA_MAX);
	req.size = img.size;
	j->uploading = true;
	return mio_send_chan(&l->c->m, MGMT_CHAN_OPEN, s->ch, &req);
}

static int op_send(struct link *l, struct link_job *j)
{
	j->sent = true;
	ctl_log("host %s: task %lld: sending %s %s", l->host, (long long)j->t.id, j->t.kind,
		j->t.partition);
	return mio_send(&l->c->m, MGMT_OP, &j->op);
}

static void job_progress(struct link *l, struct link_job *j, bool now)
{
	uint64_t t = now_mono_ns();

	if (!now && t - j->progress_ns < LINK_PROGRESS_NS)
		return;
	j->progress_ns = t;
	j->t.done = j->up_done;
	j->t.total = j->up_total;
	ST(l)->ops->task_update(ST(l), &j->t);
}

/* One DATA frame of the upload stream that may send: 0, or <0 to end. */
static int upload_data(struct link *l)
{
	for (int i = 0; i < LINK_STREAMS_MAX; i++) {
		struct link_stream *s = &l->streams[i];
		struct mgmt_chan_close done = { .status = 0 };
		uint32_t n = mgmt_credit_avail(&s->out);
		ssize_t r;

		if (!s->ch || s->kind != MGMT_STREAM_UPLOAD || !s->sending || s->closing)
			continue;
		if (s->sent == s->size) {
			s->closing = true;
			return mio_send_chan(&l->c->m, MGMT_CHAN_CLOSE, s->ch, &done);
		}
		if (!n)
			continue;
		if (n > LINK_DATA_MAX)
			n = LINK_DATA_MAX;
		if (n > s->size - s->sent)
			n = (uint32_t)(s->size - s->sent);
		r = pread(s->fd, l->buf, n, (off_t)s->sent);
		if (r <= 0) {
			snprintf(l->c->m.error, sizeof(l->c->m.error), "reading image %.16s...: %s",
				 s->sha, r ? strerror(errno) : "file shorter than its record");
			return -EIO;
		}
		mgmt_credit_spend(&s->out, (uint32_t)r);
		if (mio_send_data(&l->c->m, s->ch, l->buf, (size_t)r))
			return -EIO;
		s->sent += (uint64_t)r;
		atomic_fetch_add(&l->c->a->metrics->upload_bytes, (uint64_t)r);
		if (s->job) {
			s->job->up_done += (uint64_t)r;
			job_progress(l, s->job, false);
		}
		return 0;
	}
	return 0;
}

/* Opens, feeds and closes the host's console streams as their viewers come and go. */
static int consoles_tick(struct link *l)
{
	struct hub *h = l->c->a->hub;
	int rc = 0;

	pthread_mutex_lock(&h->lock);
	for (struct hub_console *c = h->consoles; c && !rc; c = c->next) {
		struct link_stream *s = c->channel ? stream_find(l, c->channel) : NULL;

		if (strcmp(c->host, l->host))
			continue;
		if (!c->channel && c->nviewers && !c->closed) {
			struct mgmt_chan_open req = { .kind = MGMT_STREAM_CONSOLE,
						      .credit = LINK_CONSOLE_WINDOW };

			s = stream_new(l, MGMT_STREAM_CONSOLE);
			if (!s)
				continue;
			s->con = c;
			c->channel = s->ch;
			mgmt_credit_grant(&s->in, LINK_CONSOLE_WINDOW);
			snprintf(req.partition, sizeof(req.partition), "%s", c->part);
			rc = mio_send_chan(&l->c->m, MGMT_CHAN_OPEN, s->ch, &req);
			continue;
		}
		/* Another session of this host (one racing its replacement) owns it. */
		if (!s || s->con != c || s->closing)
			continue;
		if (!c->nviewers) {
			struct mgmt_chan_close bye = { .status = 0, .text = "no viewers" };

			s->closing = true;
			rc = mio_send_chan(&l->c->m, MGMT_CHAN_CLOSE, s->ch, &bye);
		} else if (c->nkeys && mgmt_credit_avail(&s->out)) {
			size_t n = c->nkeys;

			if (n > mgmt_credit_avail(&s->out))
				n = mgmt_credit_avail(&s->out);
			if (n > LINK_DATA_MAX)
				n = LINK_DATA_MAX;
			mgmt_credit_spend(&s->out, (uint32_t)n);
			rc = mio_send_data(&l->c->m, s->ch, c->keys, n);
			memmove(c->keys, c->keys + n, c->nkeys - n);
			c->nkeys -= n;
		}
	}
	pthread_mutex_unlock(&h->lock);
	return rc;
}

int link_tick(struct link *l)
{
	uint64_t gen;
	int rc;

	if (!l->ready)
		return 0;
	gen = hub_generation(l->c->a->hub, l->host);
	if (!l->loaded || gen != l->gen) {
		l->loaded = true;
		l->gen = gen;
		jobs_load(l);
	}
	for (struct link_job *j = l->jobs, *next; j; j = next) {
		next = j->next;
		if (j->sent || j->uploading)
			continue;
		if (j->next_image < j->nimages) {
			if (uploading(l))
				continue;
			rc = upload_start(l, j);
			if (rc < 0)
				return rc;
		} else if ((rc = op_send(l, j))) {
			return rc;
		}
	}
	rc = upload_data(l);
	return rc ? rc : consoles_tick(l);
}

int link_wait_ms(const struct link *l)
{
	for (int i = 0; i < LINK_STREAMS_MAX; i++) {
		const struct link_stream *s = &l->streams[i];

		if (s->ch && s->kind == MGMT_STREAM_UPLOAD && s->sending && !s->closing &&
		    (mgmt_credit_avail(&s->out) || s->sent == s->size))
			return 0;
	}
	/* Often enough that a queued task or a keystroke goes out promptly. */
	return 20;
}

static int proto(struct link *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int proto(struct link *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(l->c->m.error, sizeof(l->c->m.error), fmt, ap);
	va_end(ap);
	return -EPROTO;
}

static int on_result(struct link *l, const struct mgmt_frame *f)
{
	struct mgmt_result r;
	struct link_job *j;
	struct task_rec t;
	char *end;
	long long id;

	if (mio_decode(&l->c->m, f, &r))
		return -EBADMSG;
	id = strtoll(r.op_id, &end, 10);
	j = *end ? NULL : job_find(l, id);
	if (j) {
		if (!r.status)
			job_fail(l, j, NULL, "");
		else
			job_fail(l, j, error_names[r.error < MGMT_ERR_COUNT && r.error ? r.error :
						   MGMT_ERR_INTERNAL], r.text);
		return 0;
	}
	if (*end || ST(l)->ops->task_get(ST(l), id, &t) || t.state != TASK_RUNNING ||
		   strcmp(t.host, l->host)) {
		/* A repeat of a result already stored, or an id we never sent: nothing to do. */
		ctl_log("host %s: RESULT for op %s, which is not running here; ignored", l->host,
			r.op_id);
		return 0;
	}
	if (!r.status)
		task_finish(l, &t, NULL, "");
	else
		task_finish(l, &t, error_names[r.error < MGMT_ERR_COUNT && r.error ? r.error :
					       MGMT_ERR_INTERNAL], r.text);
	return 0;
}

static int on_progress(struct link *l, const struct mgmt_frame *f)
{
	struct mgmt_progress p;
	struct link_job *j;
	char *end;
	long long id;

	if (mio_decode(&l->c->m, f, &p))
		return -EBADMSG;
	id = strtoll(p.op_id, &end, 10);
	j = *end ? NULL : job_find(l, id);
	if (!j)
		return 0;
	j->t.done = p.done;
	j->t.total = p.total;
	ST(l)->ops->task_update(ST(l), &j->t);
	return 0;
}

static int upload_closed(struct link *l, struct link_stream *s, const struct mgmt_chan_close *c)
{
	struct link_job *j = s->job;
	char msg[MGMT_TEXT_MAX + 32];
	bool ok = c->status == -EEXIST || (c->status == 0 && s->closing);

	if (c->status == 0 && !s->closing) {
		stream_free(l, s);
		return proto(l, "CHAN_CLOSE of success on upload channel before its data was sent");
	}
	if (j && ok) {
		if (c->status == -EEXIST)
			j->up_done += s->size - s->sent;
		j->next_image++;
		j->uploading = false;
		job_progress(l, j, true);
	} else if (j) {
		snprintf(msg, sizeof(msg), "image %.16s...: %s", s->sha,
			 c->text[0] ? c->text : "upload refused");
		job_fail(l, j, "upload_failed", msg);
	}
	stream_free(l, s);
	return 0;
}

static int on_stream(struct link *l, const struct mgmt_frame *f)
{
	struct link_stream *s = stream_find(l, f->channel);
	struct mgmt_chan_credit cr;
	struct mgmt_chan_close cl;
	struct hub *h = l->c->a->hub;

	if (f->type == MGMT_CHAN_OPEN)
		return proto(l, "CHAN_OPEN from the agent on channel %u (the controller opens "
				"streams)", f->channel);
	if (!s)
		return proto(l, "%s on channel %u, which is not open", mgmt_type_name(f->type),
			     f->channel);
	switch (f->type) {
	case MGMT_CHAN_CREDIT:
		if (mio_decode(&l->c->m, f, &cr))
			return -EBADMSG;
		if (mgmt_credit_grant(&s->out, cr.bytes))
			return proto(l, "CHAN_CREDIT on channel %u exceeds %u bytes outstanding",
				     f->channel, MGMT_CREDIT_MAX);
		s->sending = true;
		return 0;
	case MGMT_CHAN_CLOSE:
		if (mio_decode(&l->c->m, f, &cl))
			return -EBADMSG;
		if (s->kind == MGMT_STREAM_UPLOAD)
			return upload_closed(l, s, &cl);
		if (!s->closing) {
			char why[MGMT_TEXT_MAX + 16];

			snprintf(why, sizeof(why), "%s",
				 cl.text[0] ? cl.text : "ended by the host");
			pthread_mutex_lock(&h->lock);
			hub_console_stream_ended(h, s->con, why);
			pthread_mutex_unlock(&h->lock);
			s->con = NULL;
		}
		stream_free(l, s);
		return 0;
	case MGMT_DATA:
		if (s->kind != MGMT_STREAM_CONSOLE)
			return proto(l, "DATA from the agent on upload channel %u", f->channel);
		if (mgmt_credit_spend(&s->in, f->len))
			return proto(l, "DATA of %u bytes on channel %u past its credit (%u left)",
				     f->len, f->channel, mgmt_credit_avail(&s->in));
		if (!s->closing) {
			uint32_t more;

			pthread_mutex_lock(&h->lock);
			hub_console_output(s->con, f->payload, f->len);
			pthread_mutex_unlock(&h->lock);
			more = mgmt_credit_topup(&s->in, LINK_CONSOLE_WINDOW);
			if (more) {
				cr.bytes = more;
				mgmt_credit_grant(&s->in, more);
				return mio_send_chan(&l->c->m, MGMT_CHAN_CREDIT, s->ch, &cr);
			}
		}
		return 0;
	default:
		return 1;
	}
}

int link_frame(struct link *l, const struct mgmt_frame *f)
{
	if (f->channel != MGMT_CHANNEL_CONTROL)
		return on_stream(l, f);
	if (f->type == MGMT_RESULT)
		return on_result(l, f);
	if (f->type == MGMT_PROGRESS)
		return on_progress(l, f);
	return 1;
}
