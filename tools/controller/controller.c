// SPDX-License-Identifier: GPL-2.0
/*
 * plinth-controller: `init` makes a state directory (PKI, database, API
 * tokens); `serve` runs the agent listener and the REST API on it.
 */
#include <errno.h>
#include <getopt.h>
#include <openssl/err.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "agent.h"
#include "api.h"
#include "ca.h"
#include "http.h"
#include "util.h"

#define SAN_MAX 16

static const char *const default_sans[] = { "127.0.0.1", "10.0.2.2", "10.0.2.100" };

static int usage(void)
{
	fprintf(stderr,
		"usage: plinth-controller init --state DIR [--san IP]...\n"
		"       plinth-controller serve --state DIR --agent-listen IP:PORT "
		"--api-listen IP:PORT [--heartbeat-ms N] [--max-upload BYTES]\n");
	return 2;
}

static void path_in(char *out, size_t len, const char *dir, const char *name)
{
	snprintf(out, len, "%s/%s", dir, name);
}

static int make_token(struct store *st, const char *role, char token[65])
{
	char sha[SHA256_HEX_LEN];

	if (random_hex(token, 32))
		return -EIO;
	sha256_hex(token, strlen(token), sha);
	return st->ops->api_token_add(st, sha, role);
}

static int cmd_init(const char *dir, const char *const *extra, size_t nextra)
{
	const char *sans[SAN_MAX + 3];
	char path[4096], err[256], pin[SHA256_HEX_LEN], admin[65], viewer[65];
	EVP_PKEY *ca_key = NULL, *key = NULL;
	X509 *ca = NULL, *cert = NULL;
	struct store *st;
	size_t n = 0;
	int rc = 1;

	for (size_t i = 0; i < 3; i++)
		sans[n++] = default_sans[i];
	for (size_t i = 0; i < nextra; i++)
		sans[n++] = extra[i];
	if (mkdir(dir, 0700) && errno != EEXIST) {
		fprintf(stderr, "plinth-controller: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	path_in(path, sizeof(path), dir, "ca.key");
	if (access(path, F_OK) == 0) {
		fprintf(stderr, "plinth-controller: %s already holds a CA; not replacing it\n",
			dir);
		return 1;
	}
	ca_key = ca_new_key();
	key = ca_new_key();
	if (!ca_key || !key || ca_make(ca_key, &ca) ||
	    ca_make_server(ca, ca_key, key, sans, n, &cert, err, sizeof(err))) {
		fprintf(stderr, "plinth-controller: %s\n", ca ? err : "cannot make the CA");
		goto out;
	}
	path_in(path, sizeof(path), dir, "ca.key");
	rc = pem_save_key(path, ca_key);
	path_in(path, sizeof(path), dir, "ca.crt");
	rc = rc ?: pem_save_cert(path, ca);
	path_in(path, sizeof(path), dir, "server.key");
	rc = rc ?: pem_save_key(path, key);
	path_in(path, sizeof(path), dir, "server.crt");
	rc = rc ?: pem_save_cert(path, cert);
	if (rc) {
		fprintf(stderr, "plinth-controller: cannot write %s: %s\n", path, strerror(-rc));
		rc = 1;
		goto out;
	}
	rc = 1;
	path_in(path, sizeof(path), dir, "controller.db");
	st = store_sqlite_open(path, err, sizeof(err));
	if (!st) {
		fprintf(stderr, "plinth-controller: %s\n", err);
		goto out;
	}
	chmod(path, 0600);
	if (make_token(st, "admin", admin) || make_token(st, "viewer", viewer)) {
		fprintf(stderr, "plinth-controller: cannot store the API tokens\n");
		st->ops->close(st);
		goto out;
	}
	st->ops->close(st);
	cert_pin(ca, pin);
	/* The tokens exist only here: the database keeps their SHA-256. */
	printf("admin-token: %s\nviewer-token: %s\nca-pin: %s\n", admin, viewer, pin);
	rc = 0;
out:
	X509_free(ca);
	X509_free(cert);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(key);
	return rc;
}

static struct agent_srv srv;

static void *signal_thread(void *arg)
{
	sigset_t *set = arg;
	int sig;

	if (sigwait(set, &sig) == 0) {
		ctl_log("%s: shutting down", strsignal(sig));
		atomic_store(&srv.stop, true);
	}
	return NULL;
}

static int cmd_serve(const char *dir, const char *agent_addr, const char *api_addr,
		     unsigned int hb_ms, uint64_t max_upload)
{
	static struct ctl_metrics metrics;
	static struct hub hub;
	struct api api = { .metrics = &metrics, .now = now_unix, .upload_max = max_upload,
			   .kick = hub_kick, .kick_ctx = &hub };
	struct http_srv http = { .api = &api, .hub = &hub };
	char path[4096], err[512], images[4096];
	sigset_t set;
	pthread_t sig;

	/* Every thread inherits the mask: only signal_thread sees SIGTERM and SIGINT. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	path_in(path, sizeof(path), dir, "controller.db");
	if (access(path, F_OK)) {
		fprintf(stderr, "plinth-controller: %s: no database (run plinth-controller init)\n",
			path);
		return 1;
	}
	api.st = store_sqlite_open(path, err, sizeof(err));
	if (!api.st) {
		fprintf(stderr, "plinth-controller: %s\n", err);
		return 1;
	}
	/* Whatever was up when the last run ended is not any more. */
	api.st->ops->hosts_all_down(api.st);
	path_in(images, sizeof(images), dir, "images");
	api.images_dir = images;
	hub_init(&hub);
	srv.st = api.st;
	srv.metrics = &metrics;
	srv.hub = &hub;
	srv.heartbeat_ms = hb_ms;
	if (agent_srv_init(&srv, dir, agent_addr, err, sizeof(err))) {
		fprintf(stderr, "plinth-controller: %s\n", err);
		agent_srv_free(&srv);
		api.st->ops->close(api.st);
		return 1;
	}
	if (http_start(&http, api_addr, err, sizeof(err))) {
		fprintf(stderr, "plinth-controller: %s\n", err);
		agent_srv_free(&srv);
		api.st->ops->close(api.st);
		return 1;
	}
	pthread_create(&sig, NULL, signal_thread, &set);
	ctl_log("agents on %s, API on %s, heartbeat %u ms", agent_addr, api_addr, hb_ms);
	agent_srv_run(&srv);
	http_stop(&http);
	agent_srv_free(&srv);
	hub_free(&hub);
	api.st->ops->close(api.st);
	pthread_join(sig, NULL);
	ctl_log("stopped");
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "state", required_argument, NULL, 's' },
		{ "san", required_argument, NULL, 'n' },
		{ "agent-listen", required_argument, NULL, 'a' },
		{ "api-listen", required_argument, NULL, 'p' },
		{ "heartbeat-ms", required_argument, NULL, 'h' },
		{ "max-upload", required_argument, NULL, 'm' },
		{ 0 },
	};
	const char *dir = NULL, *agent_addr = NULL, *api_addr = NULL, *sans[SAN_MAX];
	unsigned long hb = AGENT_HEARTBEAT_MS;
	unsigned long long max_upload = UPLOAD_MAX_DEFAULT;
	size_t nsans = 0;
	char *end;
	int o;

	if (argc < 2)
		return usage();
	umask(077);
	optind = 2;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 's':
			dir = optarg;
			break;
		case 'n':
			if (nsans == SAN_MAX) {
				fprintf(stderr, "plinth-controller: at most %d --san\n", SAN_MAX);
				return 2;
			}
			sans[nsans++] = optarg;
			break;
		case 'a':
			agent_addr = optarg;
			break;
		case 'p':
			api_addr = optarg;
			break;
		case 'h':
			hb = strtoul(optarg, &end, 10);
			/* WELCOME's range in the codec. */
			if (*end || hb < 100 || hb > 600000) {
				fprintf(stderr,
					"plinth-controller: --heartbeat-ms: 100 to 600000\n");
				return 2;
			}
			break;
		case 'm':
			max_upload = strtoull(optarg, &end, 10);
			if (*end || !max_upload) {
				fprintf(stderr,
					"plinth-controller: --max-upload: a number of bytes\n");
				return 2;
			}
			break;
		default:
			return usage();
		}
	}
	if (!dir || optind != argc)
		return usage();
	if (!strcmp(argv[1], "init"))
		return cmd_init(dir, sans, nsans);
	if (!strcmp(argv[1], "serve") && agent_addr && api_addr)
		return cmd_serve(dir, agent_addr, api_addr, (unsigned int)hb, max_upload);
	return usage();
}
