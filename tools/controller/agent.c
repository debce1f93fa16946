// SPDX-License-Identifier: GPL-2.0
/*
 * The agent listener: accepts TCP, runs the TLS handshake (the client
 * certificate is requested, not required), then either enrols a host (no
 * certificate) or runs its session (agent_session.c). Each connection has
 * its own thread; their number is bounded so a flood of connections cannot
 * exhaust the controller.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "agent_conn.h"
#include "ca.h"
#include "util.h"

#define HANDSHAKE_MS 10000

static SSL_CTX *server_tls(X509 *ca, X509 *cert, EVP_PKEY *key)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (!ctx)
		return NULL;
	/* The contract's suite: what Plinth's mbedTLS configuration speaks. */
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    !SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION) ||
	    !SSL_CTX_set_cipher_list(ctx, "ECDHE-ECDSA-AES128-GCM-SHA256:"
					  "ECDHE-ECDSA-AES256-GCM-SHA384") ||
	    !SSL_CTX_set1_groups_list(ctx, "P-256:P-384") ||
	    !SSL_CTX_use_certificate(ctx, cert) || !SSL_CTX_add1_chain_cert(ctx, ca) ||
	    !SSL_CTX_use_PrivateKey(ctx, key) || !SSL_CTX_check_private_key(ctx) ||
	    !X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), ca) ||
	    !SSL_CTX_add_client_CA(ctx, ca)) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	/* Requested, not required: a host without a certificate comes to enrol. */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_purpose(ctx, X509_PURPOSE_SSL_CLIENT);
	/* No resumption: each session's client certificate is checked again, revocation too. */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	return ctx;
}

int agent_srv_init(struct agent_srv *a, const char *dir, const char *addr, char *err,
		   size_t errlen)
{
	char path[4096];
	X509 *cert;
	EVP_PKEY *key;
	struct sockaddr_storage ss;
	unsigned int sslen;
	int one = 1;

	a->listen_fd = -1;
	pthread_mutex_init(&a->lock, NULL);
	snprintf(path, sizeof(path), "%s/ca.crt", dir);
	a->ca = pem_load_cert(path);
	snprintf(path, sizeof(path), "%s/ca.key", dir);
	a->ca_key = pem_load_key(path);
	snprintf(path, sizeof(path), "%s/server.crt", dir);
	cert = pem_load_cert(path);
	snprintf(path, sizeof(path), "%s/server.key", dir);
	key = pem_load_key(path);
	if (!a->ca || !a->ca_key || !cert || !key) {
		snprintf(err, errlen, "%s: missing or unreadable ca/server certificate or key "
			 "(run plinth-controller init)", dir);
		X509_free(cert);
		EVP_PKEY_free(key);
		return -ENOENT;
	}
	a->tls = server_tls(a->ca, cert, key);
	X509_free(cert);
	EVP_PKEY_free(key);
	if (!a->tls) {
		snprintf(err, errlen, "TLS set-up failed: %s", mio_tls_error(path, sizeof(path)));
		return -EINVAL;
	}
	if (parse_addr(addr, &ss, &sslen)) {
		snprintf(err, errlen, "--agent-listen %s: not IP:PORT", addr);
		return -EINVAL;
	}
	a->listen_fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (a->listen_fd < 0)
		return -errno;
	setsockopt(a->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(a->listen_fd, (struct sockaddr *)&ss, sslen) || listen(a->listen_fd, 16)) {
		snprintf(err, errlen, "--agent-listen %s: %s", addr, strerror(errno));
		return -errno;
	}
	return 0;
}

void agent_srv_free(struct agent_srv *a)
{
	if (a->listen_fd >= 0)
		close(a->listen_fd);
	SSL_CTX_free(a->tls);
	X509_free(a->ca);
	EVP_PKEY_free(a->ca_key);
	pthread_mutex_destroy(&a->lock);
}

void conn_refuse(struct conn *c, const char *what, uint32_t reason, const char *text)
{
	struct mgmt_goodbye bye = { .reason = reason };

	ctl_log("agent %s: %s refused: %s", c->peer, what, text);
	snprintf(bye.text, sizeof(bye.text), "%s", text);
	mio_send(&c->m, MGMT_GOODBYE, &bye);
}

void conn_protocol_error(struct conn *c, const char *why)
{
	struct mgmt_goodbye bye = { .reason = MGMT_BYE_PROTOCOL };

	ctl_log("agent %s: protocol error: %s", c->peer, why);
	atomic_fetch_add(&c->a->metrics->protocol_errors, 1);
	snprintf(bye.text, sizeof(bye.text), "%s", why);
	mio_send(&c->m, MGMT_GOODBYE, &bye);
}

static const char *token_problem(int rc)
{
	switch (rc) {
	case ST_TOKEN_UNKNOWN:
		return "enrolment token unknown";
	case ST_TOKEN_USED:
		return "enrolment token already used";
	case ST_TOKEN_EXPIRED:
		return "enrolment token expired";
	default:
		return "enrolment token cannot be checked";
	}
}

/* ENROL's request checked: the certificate for it, or a refusal. */
static void enrol(struct conn *c, struct mgmt_enrol *e, X509_REQ *req, const char *host)
{
	struct agent_srv *a = c->a;
	char key[SHA256_HEX_LEN], text[MGMT_TEXT_MAX];
	struct mgmt_enrolled *out;
	struct host_rec h;
	unsigned char *der;
	X509 *cert = NULL;
	int rc, n;

	pubkey_sha256(X509_REQ_get0_pubkey(req), key);
	if (e->token[0]) {
		char sha[SHA256_HEX_LEN];

		sha256_hex(e->token, strlen(e->token), sha);
		rc = a->st->ops->enrol_token_use(a->st, sha, host, now_unix());
		if (rc) {
			conn_refuse(c, "enrol", MGMT_BYE_TOKEN, token_problem(rc));
			return;
		}
		if (a->st->ops->host_enrol(a->st, host, key, now_unix())) {
			conn_refuse(c, "enrol", MGMT_BYE_SHUTDOWN, "controller store failed");
			return;
		}
	} else {
		/* No token: only the key this host enrolled with gets its certificate again. */
		rc = a->st->ops->host_get(a->st, host, &h);
		if (!rc && h.revoked) {
			snprintf(text, sizeof(text), "host %s is revoked", host);
			conn_refuse(c, "enrol", MGMT_BYE_REVOKED, text);
			return;
		}
		if (rc || strcmp(h.key_sha256, key)) {
			conn_refuse(c, "enrol", MGMT_BYE_TOKEN, "enrolment token missing");
			return;
		}
	}
	if (ca_sign_csr(a->ca, a->ca_key, req, host, &cert)) {
		conn_refuse(c, "enrol", MGMT_BYE_SHUTDOWN, "cannot sign the certificate");
		return;
	}
	out = calloc(1, sizeof(*out));
	n = i2d_X509(cert, NULL);
	if (out && n > 0 && n <= (int)sizeof(out->cert)) {
		der = out->cert;
		i2d_X509(cert, &der);
		out->cert_len = (uint32_t)n;
		snprintf(out->host_id, sizeof(out->host_id), "%s", host);
		if (!mio_send(&c->m, MGMT_ENROLLED, out))
			ctl_log("host %s enrolled", host);
	}
	free(out);
	X509_free(cert);
}

static void handle_enrol(struct conn *c)
{
	struct mgmt_enrol *e = NULL;
	char host[64], why[160];
	const unsigned char *p;
	struct mgmt_frame f;
	X509_REQ *req = NULL;
	int r = mio_recv(&c->m, &f, AGENT_FIRST_FRAME_MS);

	if (r == 0) {
		ctl_log("agent %s: no ENROL within %d ms; closing", c->peer, AGENT_FIRST_FRAME_MS);
		return;
	}
	if (r == -EBADMSG || r == -EPROTO) {
		conn_protocol_error(c, c->m.error);
		return;
	}
	if (r < 0) {
		ctl_log("agent %s: connection lost (%s)", c->peer, c->m.error);
		return;
	}
	if (f.type != MGMT_ENROL) {
		snprintf(why, sizeof(why), "%s frame on a connection without a certificate",
			 mgmt_type_name(f.type));
		conn_protocol_error(c, why);
		return;
	}
	e = malloc(sizeof(*e));
	if (!e)
		return;
	if (mio_decode(&c->m, &f, e)) {
		conn_protocol_error(c, c->m.error);
		goto out;
	}
	p = e->csr;
	req = d2i_X509_REQ(NULL, &p, e->csr_len);
	if (!req || p != e->csr + e->csr_len) {
		ERR_clear_error();
		conn_protocol_error(c, "ENROL: field csr is not a DER PKCS#10 request");
		goto out;
	}
	if (csr_check(req, host, sizeof(host), why, sizeof(why))) {
		conn_protocol_error(c, why);
		goto out;
	}
	enrol(c, e, req, host);
out:
	X509_REQ_free(req);
	free(e);
}

static bool handshake(struct conn *c)
{
	uint64_t deadline = now_mono_ns() + (uint64_t)HANDSHAKE_MS * 1000000u;
	char tls[160];

	for (;;) {
		int r = SSL_accept(c->ssl), e;

		if (r == 1)
			return true;
		e = SSL_get_error(c->ssl, r);
		if ((e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) &&
		    now_mono_ns() < deadline && !atomic_load(&c->a->stop))
			continue;
		mio_tls_error(tls, sizeof(tls));
		if (!tls[0])
			snprintf(tls, sizeof(tls), "%s",
				 e == SSL_ERROR_WANT_READ ? "timed out" : "connection closed");
		ctl_log("agent %s: TLS handshake failed: %s", c->peer, tls);
		return false;
	}
}

static void *conn_thread(void *arg)
{
	struct conn *c = arg;
	X509 *peer;

	if (handshake(c)) {
		peer = SSL_get1_peer_certificate(c->ssl);
		if (peer)
			agent_session(c, peer);
		else
			handle_enrol(c);
		X509_free(peer);
		SSL_shutdown(c->ssl);
	}
	mio_free(&c->m);
	SSL_free(c->ssl);
	close(c->fd);
	atomic_fetch_sub(&c->a->conns, 1);
	free(c);
	return NULL;
}

static void accept_one(struct agent_srv *a)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char ip[INET6_ADDRSTRLEN] = "?";
	struct conn *c;
	pthread_t t;
	int fd = accept4(a->listen_fd, (struct sockaddr *)&ss, &len, SOCK_CLOEXEC), port = 0;

	if (fd < 0)
		return;
	atomic_fetch_add(&a->metrics->agent_connections, 1);
	if (ss.ss_family == AF_INET) {
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, ip, sizeof(ip));
		port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	} else if (ss.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, ip, sizeof(ip));
		port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	if (atomic_load(&a->conns) >= AGENT_CONN_MAX) {
		ctl_log("agent %s:%d: refused: %d connections already", ip, port, AGENT_CONN_MAX);
		close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->a = a;
	c->fd = fd;
	snprintf(c->peer, sizeof(c->peer), "%s:%d", ip, port);
	c->ssl = SSL_new(a->tls);
	if (!c->ssl || !SSL_set_fd(c->ssl, fd) || mio_init(&c->m, c->ssl, fd)) {
		SSL_free(c->ssl);
		close(fd);
		free(c);
		return;
	}
	atomic_fetch_add(&a->conns, 1);
	if (pthread_create(&t, NULL, conn_thread, c)) {
		atomic_fetch_sub(&a->conns, 1);
		mio_free(&c->m);
		SSL_free(c->ssl);
		close(fd);
		free(c);
		return;
	}
	pthread_detach(t);
}

void agent_srv_run(struct agent_srv *a)
{
	struct pollfd pfd = { .fd = a->listen_fd, .events = POLLIN };

	while (!atomic_load(&a->stop))
		if (poll(&pfd, 1, 200) > 0)
			accept_one(a);
	/* Sessions see stop within one receive tick and say GOODBYE. */
	while (atomic_load(&a->conns) > 0)
		usleep(20000);
}
