// SPDX-License-Identifier: GPL-2.0
/*
 * Static files of the web console. Names are checked against a strict
 * grammar (no dot-led segment, so no "..", at most two segments) instead
 * of resolving paths, and only known file types are sent, each with a
 * Content-Security-Policy that keeps the page to its own origin: it needs
 * nothing from the internet, and a script injected into it could neither
 * load code from elsewhere nor send the pasted token anywhere else.
 */
#include <civetweb.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "web.h"

#define WEB_FILE_MAX (4 << 20)	/* xterm.js is ~0.5 MiB; anything far larger is not ours */
#define WEB_SEGMENTS_MAX 2	/* "app.js", "vendor/xterm.js" */

static char web_dir[PATH_MAX + 8];	/* the executable's directory and "/web" */
static pthread_once_t web_once = PTHREAD_ONCE_INIT;

static void web_dir_init(void)
{
	const char *env = getenv("PLINTH_WEB_DIR");
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (env && env[0]) {
		snprintf(web_dir, sizeof(web_dir), "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0) {
		snprintf(web_dir, sizeof(web_dir), "web");
		return;
	}
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	snprintf(web_dir, sizeof(web_dir), "%s/web", exe);
}

static bool name_char(char c, bool first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    c == '-' || c == '_')
		return true;
	return c == '.' && !first;
}

/* Whether name is one to a few segments of [A-Za-z0-9_-][A-Za-z0-9._-]*. */
static bool name_valid(const char *name)
{
	int segments = 1;
	bool first = true;

	if (!name[0])
		return false;
	for (const char *p = name; *p; p++) {
		if (*p == '/') {
			if (first || ++segments > WEB_SEGMENTS_MAX)
				return false;
			first = true;
			continue;
		}
		if (!name_char(*p, first))
			return false;
		first = false;
	}
	return !first;
}

static const char *mime_type(const char *name)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
	};
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t e = strlen(types[i].ext);

		if (n > e && !strcmp(name + n - e, types[i].ext))
			return types[i].type;
	}
	return NULL;
}

static int send_text(struct mg_connection *conn, int status, const char *reason,
		     const char *text)
{
	mg_printf(conn, "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
			"Content-Length: %zu\r\nCache-Control: no-store\r\n"
			"Connection: close\r\n\r\n%s",
		  status, reason, strlen(text), text);
	return status;
}

/* Reads path whole: the bytes (malloc'd) and their count, or NULL. */
static char *slurp(const char *path, size_t *len)
{
	struct stat sb;
	char *buf;
	FILE *f;

	if (stat(path, &sb) || !S_ISREG(sb.st_mode) || sb.st_size > WEB_FILE_MAX)
		return NULL;
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	buf = malloc((size_t)sb.st_size + 1);
	*len = buf ? fread(buf, 1, (size_t)sb.st_size, f) : 0;
	fclose(f);
	if (buf && *len != (size_t)sb.st_size) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int send_file(struct mg_connection *conn, const char *name, bool head)
{
	const char *type = mime_type(name);
	char path[PATH_MAX + 64], msg[PATH_MAX + 192];
	size_t len = 0;
	char *body;
	int n;

	pthread_once(&web_once, web_dir_init);
	n = snprintf(path, sizeof(path), "%s/%s", web_dir, name);
	body = type && n > 0 && (size_t)n < sizeof(path) ? slurp(path, &len) : NULL;
	if (!body) {
		snprintf(msg, sizeof(msg), "%s: not found (the web console's files are installed "
			 "in %s by make controller and tools/fetch-web.sh)\n", name, web_dir);
		return send_text(conn, 404, "Not Found", msg);
	}
	/*
	 * 'unsafe-inline' styles only: xterm.js sizes its rows with inline
	 * style attributes. Scripts and connections stay same-origin ('self'
	 * covers ws:// to this host in CSP 3).
	 */
	mg_printf(conn, "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			"Cache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\n"
			"Content-Security-Policy: default-src 'self'; style-src 'self' "
			"'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'\r\n"
			"Referrer-Policy: no-referrer\r\nConnection: close\r\n\r\n",
		  type, len);
	if (!head && len)
		mg_write(conn, body, len);
	free(body);
	return 200;
}

int web_serve(struct mg_connection *conn, const char *method, const char *uri)
{
	bool head = !strcmp(method, "HEAD");

	if (strcmp(uri, "/") && strcmp(uri, "/ui") && strncmp(uri, "/ui/", 4))
		return 0;
	if (strcmp(method, "GET") && !head)
		return send_text(conn, 405, "Method Not Allowed", "the web console is read-only\n");
	if (!strcmp(uri, "/") || !strcmp(uri, "/ui")) {
		mg_send_http_redirect(conn, "/ui/", 302);
		return 302;
	}
	uri += 4;
	if (!uri[0])
		return send_file(conn, "index.html", head);
	if (!name_valid(uri))
		return send_text(conn, 404, "Not Found", "no such file\n");
	return send_file(conn, uri, head);
}
