/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CTL_FAKE_AGENT_H
#define CTL_FAKE_AGENT_H

/* The test agent's TLS side (fake-agent-tls.c): what Plinth's agent does with mbedTLS. */
#include <openssl/ssl.h>
#include <stdbool.h>

/* Exit codes, which the scenario script checks. */
#define FA_OK 0
#define FA_FAIL 1		/* usage, local files, an unexpected answer */
#define FA_REFUSED 2		/* the controller said GOODBYE */
#define FA_PIN 3		/* the controller's CA is not the pinned one */
#define FA_TLS 4		/* TCP or TLS failed */

/* The P-256 key in dir/key.pem, made on first use: NULL on failure. */
EVP_PKEY *fa_key(const char *dir);
/* A DER PKCS#10 request for key with CN cn into der (cap bytes): its length, or -1. */
int fa_csr(EVP_PKEY *key, const char *cn, unsigned char *der, int cap);
/* A certificate for key with CN cn from a fresh self-signed CA of our own. */
X509 *fa_forged_cert(EVP_PKEY *key, const char *cn);

/*
 * TCP and TLS 1.2 to server ("IP:PORT"), presenting cert and key if given,
 * then the pin check: FA_OK with *ssl and *fd, or FA_TLS / FA_PIN after
 * printing why.
 */
int fa_connect(const char *server, const char *pin, EVP_PKEY *key, X509 *cert, SSL **ssl,
	       int *fd);
void fa_close(SSL *ssl, int fd);

struct fa_serve_opts {
	const char *server, *pin, *host, *dir, *boot, *op_log;
	bool no_virt, corrupt_upload, bad_stream;
	unsigned int result_delay_ms, run_ms;
};

/* The serve mode (fake-agent-serve.c): sessions until SIGTERM or run_ms. */
int fa_serve(const struct fa_serve_opts *o);

#endif
