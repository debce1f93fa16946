// SPDX-License-Identifier: GPL-2.0
/*
 * TLS for the test agent: OpenSSL as a client with the contract's suite
 * and no CA store at all; the server is trusted only through the pin,
 * as Plinth's agent does it.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "../agent.h"
#include "../ca.h"
#include "../mio.h"
#include "fake-agent.h"

EVP_PKEY *fa_key(const char *dir)
{
	char path[4096];
	EVP_PKEY *k;

	snprintf(path, sizeof(path), "%s/key.pem", dir);
	k = pem_load_key(path);
	if (k)
		return k;
	k = ca_new_key();
	if (k && pem_save_key(path, k)) {
		EVP_PKEY_free(k);
		return NULL;
	}
	return k;
}

int fa_csr(EVP_PKEY *key, const char *cn, unsigned char *der, int cap)
{
	X509_REQ *req = X509_REQ_new();
	unsigned char *p = der;
	int n = -1;

	if (req && X509_REQ_set_pubkey(req, key) &&
	    X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(req), "CN", MBSTRING_UTF8,
				       (const unsigned char *)cn, -1, -1, 0) &&
	    X509_REQ_sign(req, key, EVP_sha256())) {
		n = i2d_X509_REQ(req, NULL);
		if (n > cap)
			n = -1;
		else
			i2d_X509_REQ(req, &p);
	}
	X509_REQ_free(req);
	return n;
}

X509 *fa_forged_cert(EVP_PKEY *key, const char *cn)
{
	EVP_PKEY *ca_key = ca_new_key();
	unsigned char der[2048];
	const unsigned char *p = der;
	X509 *ca = NULL, *cert = NULL;
	X509_REQ *req = NULL;
	int n = fa_csr(key, cn, der, sizeof(der));

	/* Same names as the real CA: only the key differs, which is what must be caught. */
	if (ca_key && n > 0 && !ca_make(ca_key, &ca) && (req = d2i_X509_REQ(NULL, &p, n)))
		ca_sign_csr(ca, ca_key, req, cn, &cert);
	X509_REQ_free(req);
	X509_free(ca);
	EVP_PKEY_free(ca_key);
	return cert;
}

static SSL_CTX *client_tls(EVP_PKEY *key, X509 *cert)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (!ctx)
		return NULL;
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    !SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION) ||
	    !SSL_CTX_set_cipher_list(ctx, "ECDHE-ECDSA-AES128-GCM-SHA256") ||
	    !SSL_CTX_set1_groups_list(ctx, "P-256") ||
	    (cert && (!SSL_CTX_use_certificate(ctx, cert) || !SSL_CTX_use_PrivateKey(ctx, key)))) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	/* Verified by the pin after the handshake (chain_check_pin), not by a CA store. */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	return ctx;
}

int fa_connect(const char *server, const char *pin, EVP_PKEY *key, X509 *cert, SSL **ssl,
	       int *fd)
{
	struct sockaddr_storage ss;
	unsigned int len;
	char err[256];
	SSL_CTX *ctx;
	int s, rc;

	if (parse_addr(server, &ss, &len)) {
		fprintf(stderr, "fake-agent: --server %s: not IP:PORT\n", server);
		return FA_FAIL;
	}
	s = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&ss, len)) {
		fprintf(stderr, "fake-agent: connecting to %s: %s\n", server, strerror(errno));
		if (s >= 0)
			close(s);
		return FA_TLS;
	}
	ctx = client_tls(key, cert);
	*ssl = ctx ? SSL_new(ctx) : NULL;
	SSL_CTX_free(ctx);	/* the SSL holds its own reference */
	if (!*ssl || !SSL_set_fd(*ssl, s)) {
		fprintf(stderr, "fake-agent: TLS set-up failed\n");
		SSL_free(*ssl);
		*ssl = NULL;
		close(s);
		return FA_FAIL;
	}
	if (SSL_connect(*ssl) != 1) {
		fprintf(stderr, "fake-agent: TLS handshake failed: %s\n",
			mio_tls_error(err, sizeof(err))[0] ? err : "connection closed");
		fa_close(*ssl, s);
		*ssl = NULL;
		return FA_TLS;
	}
	rc = chain_check_pin(SSL_get_peer_cert_chain(*ssl), pin, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "fake-agent: %s; refusing it\n", err);
		fa_close(*ssl, s);
		*ssl = NULL;
		return rc == -EPERM ? FA_PIN : FA_TLS;
	}
	*fd = s;
	return FA_OK;
}

void fa_close(SSL *ssl, int fd)
{
	if (ssl) {
		SSL_shutdown(ssl);
		SSL_free(ssl);
	}
	close(fd);
}
