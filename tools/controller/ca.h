/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CTL_CA_H
#define CTL_CA_H

/*
 * The controller's PKI (contract: /work/shared/contract.md "PKI"), on
 * OpenSSL 3: an EC P-256 CA, the server certificate with its IP SANs, the
 * client certificates issued on enrolment, and the pin (SHA-256 of the CA
 * certificate's SubjectPublicKeyInfo DER). Functions return 0 or a
 * negative errno and, where they can fail on input, say why in err.
 */
#include <openssl/evp.h>
#include <openssl/x509.h>
#include "util.h"

#define CA_CN "Plinth controller CA"
#define CA_DAYS 3650
#define SERVER_DAYS 825
#define CLIENT_DAYS 365

EVP_PKEY *ca_new_key(void);
/* A self-signed CA: CN CA_CN, basicConstraints CA:TRUE, keyCertSign. */
int ca_make(EVP_PKEY *key, X509 **out);
/* The server certificate for key: serverAuth, SAN IP addresses sans[0..n). */
int ca_make_server(X509 *ca, EVP_PKEY *ca_key, EVP_PKEY *key, const char *const *sans,
		   size_t n, X509 **out, char *err, size_t errlen);
/*
 * Checks a PKCS#10 request (signature, an EC P-256 key, a CN in the host
 * id grammar): 0 with the CN in cn, or -EINVAL with the reason.
 */
int csr_check(X509_REQ *req, char *cn, size_t cnlen, char *err, size_t errlen);
/* A client certificate for a checked request: subject CN = cn, clientAuth, CLIENT_DAYS. */
int ca_sign_csr(X509 *ca, EVP_PKEY *ca_key, X509_REQ *req, const char *cn, X509 **out);

/* SHA-256 of a public key's SubjectPublicKeyInfo DER, in hex: the pin of a CA's key. */
int pubkey_sha256(EVP_PKEY *key, char out[SHA256_HEX_LEN]);
int cert_pin(X509 *cert, char out[SHA256_HEX_LEN]);
/* The subject CN of a certificate: 0, or -ENOENT. */
int cert_cn(X509 *cert, char *cn, size_t len);

/*
 * The agent's trust rule: chain (leaf first) ends in a self-signed CA whose
 * key hashes to pin, and the leaf verifies against it (dates checked).
 * 0, -EPERM for a pin mismatch (err: "... (SHA-256 <got16>..., pinned
 * <want16>...)"), -EINVAL for anything else wrong with the chain.
 */
int chain_check_pin(STACK_OF(X509) *chain, const char *pin, char *err, size_t errlen);

/* PEM files, written 0600. */
int pem_save_key(const char *path, EVP_PKEY *key);
int pem_save_cert(const char *path, X509 *cert);
EVP_PKEY *pem_load_key(const char *path);
X509 *pem_load_cert(const char *path);

#endif
