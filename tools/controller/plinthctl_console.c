// SPDX-License-Identifier: GPL-2.0
/*
 * `plinthctl vm console HOST/NAME`: the console WebSocket, with civetweb's
 * client. On a terminal, raw mode, every key goes to the guest and Ctrl-]
 * quits. Otherwise (scripts, tests) each stdin line goes as keystrokes,
 * the output goes to stdout, and --until REGEX / --timeout S end it: exit
 * 0 once the output matched, 1 on a timeout or a close before it did. A
 * console the controller closes (no such partition, ...) exits 1 too.
 */
#include <civetweb.h>
#include <poll.h>
#include <pthread.h>
#include <regex.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include "plinthctl.h"

#define CTRL_RBRACKET 0x1d
#define SEEN_MAX 65536		/* output kept for --until */

struct console {
	pthread_mutex_t lock;
	regex_t re;
	bool has_re;
	atomic_bool matched, closed;
	char seen[SEEN_MAX + 1];
	size_t seen_len;
};

static int on_data(struct mg_connection *conn, int flags, char *data, size_t len, void *arg)
{
	struct console *k = arg;
	int op = flags & 0xf;

	(void)conn;
	if (op == MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE) {
		atomic_store(&k->closed, true);
		return 0;
	}
	if (op != MG_WEBSOCKET_OPCODE_TEXT && op != MG_WEBSOCKET_OPCODE_BINARY &&
	    op != MG_WEBSOCKET_OPCODE_CONTINUATION)
		return 1;
	fwrite(data, 1, len, stdout);
	fflush(stdout);
	if (!k->has_re)
		return 1;
	pthread_mutex_lock(&k->lock);
	if (len > SEEN_MAX) {
		data += len - SEEN_MAX;
		len = SEEN_MAX;
	}
	if (k->seen_len + len > SEEN_MAX) {
		size_t drop = k->seen_len + len - SEEN_MAX;

		memmove(k->seen, k->seen + drop, k->seen_len - drop);
		k->seen_len -= drop;
	}
	for (size_t i = 0; i < len; i++)	/* NULs would end the string regexec sees */
		k->seen[k->seen_len++] = data[i] ? data[i] : ' ';
	k->seen[k->seen_len] = '\0';
	if (!regexec(&k->re, k->seen, 0, NULL, 0))
		atomic_store(&k->matched, true);
	pthread_mutex_unlock(&k->lock);
	return 1;
}

static void on_close(const struct mg_connection *conn, void *arg)
{
	struct console *k = arg;

	(void)conn;
	atomic_store(&k->closed, true);
}

static double since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + (now.tv_nsec - t0->tv_nsec) / 1e9;
}

/* "http://HOST:PORT[/...]" into host and port. */
static int parse_url(const char *url, char *host, size_t len, int *port)
{
	const char *p = url, *colon, *end;

	if (!strncmp(p, "https://", 8)) {
		fprintf(stderr, "plinthctl: vm console: https URLs are not supported\n");
		return -1;
	}
	if (!strncmp(p, "http://", 7))
		p += 7;
	end = p + strcspn(p, "/");
	colon = memchr(p, ':', (size_t)(end - p));
	*port = colon ? atoi(colon + 1) : 80;
	if (!colon)
		colon = end;
	if ((size_t)(colon - p) >= len || colon == p)
		return -1;
	memcpy(host, p, (size_t)(colon - p));
	host[colon - p] = '\0';
	return 0;
}

int cmd_vm_console(struct ctl *c)
{
	static struct console k;
	double timeout = c->timeout ? atof(c->timeout) : 0;
	bool tty = isatty(0) && isatty(1), in_open = true;
	struct termios saved, raw;
	struct mg_connection *conn;
	char host[256], path[1024], err[256];
	struct timespec t0;
	int port, rc = 0;

	if (!strchr(c->pos[2], '/') || parse_url(c->url, host, sizeof(host), &port)) {
		fprintf(stderr, "plinthctl: vm console HOST/NAME (and an http://HOST:PORT URL)\n");
		return 2;
	}
	pthread_mutex_init(&k.lock, NULL);
	if (c->until) {
		if (regcomp(&k.re, c->until, REG_EXTENDED | REG_NOSUB)) {
			fprintf(stderr, "plinthctl: --until %s: not a regular expression\n",
				c->until);
			return 2;
		}
		k.has_re = true;
	}
	/* civetweb's client sends no custom headers: the token goes as ?token=. */
	snprintf(path, sizeof(path), "/v1/partitions/%s/console?token=%s", c->pos[2],
		 c->token ? c->token : "");
	mg_init_library(MG_FEATURES_WEBSOCKET);
	conn = mg_connect_websocket_client(host, port, 0, err, sizeof(err), path, NULL, on_data,
					   on_close, &k);
	if (!conn) {
		fprintf(stderr, "plinthctl: console %s: %s (a bad token, or no such partition "
				"path)\n", c->pos[2], err[0] ? err : "refused");
		rc = 1;
		goto out;
	}
	if (tty) {
		tcgetattr(0, &saved);
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(0, TCSANOW, &raw);
		fprintf(stderr, "[console %s: Ctrl-] quits]\r\n", c->pos[2]);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!atomic_load(&k.closed) && !atomic_load(&k.matched)) {
		struct pollfd pfd = { .fd = 0, .events = POLLIN };
		char buf[4096];

		if (timeout > 0 && since(&t0) > timeout) {
			if (c->until)
				fprintf(stderr, "plinthctl: console: no match for %s within %g s\n",
					c->until, timeout);
			rc = c->until ? 1 : 0;
			break;
		}
		if (!in_open || poll(&pfd, 1, 50) <= 0) {
			if (!in_open)
				usleep(50000);
			continue;
		}
		ssize_t n = read(0, buf, sizeof(buf));

		if (n <= 0 && !tty) {
			in_open = false;	/* EOF: keep watching until --until or --timeout */
			continue;
		}
		if (n <= 0 || (tty && memchr(buf, CTRL_RBRACKET, (size_t)n)))
			break;
		/* A pipe's lines go as they were written; a terminal's keys one read each. */
		mg_websocket_client_write(conn, MG_WEBSOCKET_OPCODE_BINARY, buf, (size_t)n);
	}
	if (tty)
		tcsetattr(0, TCSANOW, &saved);
	if (!rc && atomic_load(&k.closed) && !atomic_load(&k.matched)) {
		fprintf(stderr, "plinthctl: console closed by the controller%s%s\n",
			c->until ? " before a match for " : "", c->until ? c->until : "");
		rc = 1;
	}
	mg_close_connection(conn);
out:
	if (k.has_re)
		regfree(&k.re);
	mg_exit_library();
	return rc;
}
