// SPDX-License-Identifier: GPL-2.0
/*
 * Certificates for the controller and its agents. Every certificate is
 * built field by field here rather than from a configuration file, so what
 * the contract requires (key type, extensions, validity) is in one place.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ca.h"

EVP_PKEY *ca_new_key(void)
{
	return EVP_EC_gen("P-256");
}

static int set_serial(X509 *x)
{
	unsigned char b[16];
	BIGNUM *bn;
	int ok;

	if (RAND_bytes(b, sizeof(b)) != 1)
		return -EIO;
	b[0] &= 0x7f;	/* positive, as RFC 5280 wants */
	b[0] |= 0x01;	/* and never short: a fixed length is easier to read in logs */
	bn = BN_bin2bn(b, sizeof(b), NULL);
	ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
	BN_free(bn);
	return ok ? 0 : -ENOMEM;
}

static int add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return -EINVAL;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -ENOMEM;
}

/* A certificate for key with subject CN cn, valid from now for days; issuer set by the caller. */
static X509 *new_cert(EVP_PKEY *key, const char *cn, long days)
{
	X509 *x = X509_new();
	X509_NAME *name;

	if (!x)
		return NULL;
	name = X509_get_subject_name(x);
	if (!X509_set_version(x, 2) || set_serial(x) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), -300) ||
	    !X509_gmtime_adj(X509_getm_notAfter(x), days * 86400L) || !X509_set_pubkey(x, key) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1,
					-1, 0)) {
		X509_free(x);
		return NULL;
	}
	return x;
}

int ca_make(EVP_PKEY *key, X509 **out)
{
	X509 *x = new_cert(key, CA_CN, CA_DAYS);

	if (!x)
		return -ENOMEM;
	if (!X509_set_issuer_name(x, X509_get_subject_name(x)) ||
	    add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE") ||
	    add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign") ||
	    add_ext(x, x, NID_subject_key_identifier, "hash") ||
	    !X509_sign(x, key, EVP_sha256())) {
		X509_free(x);
		return -EINVAL;
	}
	*out = x;
	return 0;
}

int ca_make_server(X509 *ca, EVP_PKEY *ca_key, EVP_PKEY *key, const char *const *sans,
		   size_t n, X509 **out, char *err, size_t errlen)
{
	char san[1024] = "";
	size_t used = 0;
	X509 *x;

	for (size_t i = 0; i < n; i++) {
		unsigned char bin[16];

		if (inet_pton(AF_INET, sans[i], bin) != 1 &&
		    inet_pton(AF_INET6, sans[i], bin) != 1) {
			snprintf(err, errlen, "--san %s is not an IP address", sans[i]);
			return -EINVAL;
		}
		used += (size_t)snprintf(san + used, sizeof(san) - used, "%sIP:%s", i ? "," : "",
					 sans[i]);
		if (used >= sizeof(san)) {
			snprintf(err, errlen, "too many SANs");
			return -EINVAL;
		}
	}
	x = new_cert(key, "Plinth controller", SERVER_DAYS);
	if (!x)
		return -ENOMEM;
	if (!X509_set_issuer_name(x, X509_get_subject_name(ca)) ||
	    add_ext(x, ca, NID_basic_constraints, "critical,CA:FALSE") ||
	    add_ext(x, ca, NID_key_usage, "critical,digitalSignature") ||
	    add_ext(x, ca, NID_ext_key_usage, "serverAuth") ||
	    (n && add_ext(x, ca, NID_subject_alt_name, san)) ||
	    add_ext(x, ca, NID_authority_key_identifier, "keyid:always") ||
	    !X509_sign(x, ca_key, EVP_sha256())) {
		snprintf(err, errlen, "cannot build the server certificate");
		X509_free(x);
		return -EINVAL;
	}
	*out = x;
	return 0;
}

static bool is_p256(EVP_PKEY *key)
{
	char group[32];
	size_t len;

	return EVP_PKEY_is_a(key, "EC") &&
	       EVP_PKEY_get_utf8_string_param(key, "group", group, sizeof(group), &len) &&
	       !strcmp(group, "prime256v1");
}

static int name_cn(X509_NAME *name, char *cn, size_t len)
{
	int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
	ASN1_STRING *s;

	if (i < 0)
		return -ENOENT;
	s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
	if (!s || (size_t)ASN1_STRING_length(s) >= len)
		return -ENOENT;
	memcpy(cn, ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s));
	cn[ASN1_STRING_length(s)] = '\0';
	return strlen(cn) == (size_t)ASN1_STRING_length(s) ? 0 : -ENOENT;
}

int cert_cn(X509 *cert, char *cn, size_t len)
{
	return name_cn(X509_get_subject_name(cert), cn, len);
}

int csr_check(X509_REQ *req, char *cn, size_t cnlen, char *err, size_t errlen)
{
	EVP_PKEY *key = X509_REQ_get0_pubkey(req);

	if (!key || !is_p256(key)) {
		snprintf(err, errlen, "CSR key is not EC P-256");
		return -EINVAL;
	}
	if (X509_REQ_verify(req, key) != 1) {
		ERR_clear_error();
		snprintf(err, errlen, "CSR signature does not verify");
		return -EINVAL;
	}
	if (name_cn(X509_REQ_get_subject_name(req), cn, cnlen) || !host_id_valid(cn)) {
		snprintf(err, errlen, "CSR subject CN is not a host id ([a-z0-9-]{1,63})");
		return -EINVAL;
	}
	return 0;
}

int ca_sign_csr(X509 *ca, EVP_PKEY *ca_key, X509_REQ *req, const char *cn, X509 **out)
{
	X509 *x = new_cert(X509_REQ_get0_pubkey(req), cn, CLIENT_DAYS);

	if (!x)
		return -ENOMEM;
	if (!X509_set_issuer_name(x, X509_get_subject_name(ca)) ||
	    add_ext(x, ca, NID_basic_constraints, "critical,CA:FALSE") ||
	    add_ext(x, ca, NID_key_usage, "critical,digitalSignature") ||
	    add_ext(x, ca, NID_ext_key_usage, "clientAuth") ||
	    add_ext(x, ca, NID_authority_key_identifier, "keyid:always") ||
	    !X509_sign(x, ca_key, EVP_sha256())) {
		X509_free(x);
		return -EINVAL;
	}
	*out = x;
	return 0;
}

int pubkey_sha256(EVP_PKEY *key, char out[SHA256_HEX_LEN])
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(key, &der);

	if (n <= 0)
		return -EINVAL;
	sha256_hex(der, (size_t)n, out);
	OPENSSL_free(der);
	return 0;
}

int cert_pin(X509 *cert, char out[SHA256_HEX_LEN])
{
	EVP_PKEY *key = X509_get0_pubkey(cert);

	return key ? pubkey_sha256(key, out) : -EINVAL;
}

int chain_check_pin(STACK_OF(X509) *chain, const char *pin, char *err, size_t errlen)
{
	char got[SHA256_HEX_LEN];
	X509 *leaf, *ca;
	X509_STORE *store;
	X509_STORE_CTX *ctx;
	int n = chain ? sk_X509_num(chain) : 0, ok;

	if (n < 1) {
		snprintf(err, errlen, "the server sent no certificate");
		return -EINVAL;
	}
	leaf = sk_X509_value(chain, 0);
	ca = sk_X509_value(chain, n - 1);
	if (X509_check_issued(ca, ca) != X509_V_OK) {
		snprintf(err, errlen, "the server's chain does not end in a self-signed CA");
		return -EINVAL;
	}
	if (cert_pin(ca, got))
		return -EINVAL;
	if (strcmp(got, pin)) {
		snprintf(err, errlen, "controller CA key does not match the pin (SHA-256 %.16s..., "
			 "pinned %.16s...)", got, pin);
		return -EPERM;
	}
	store = X509_STORE_new();
	ctx = X509_STORE_CTX_new();
	ok = store && ctx && X509_STORE_add_cert(store, ca) &&
	     X509_STORE_CTX_init(ctx, store, leaf, chain) && X509_verify_cert(ctx) == 1;
	if (!ok)
		snprintf(err, errlen, "the server certificate does not verify against the pinned "
			 "CA: %s", ctx ? X509_verify_cert_error_string(
						 X509_STORE_CTX_get_error(ctx)) : "no memory");
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	ERR_clear_error();
	return ok ? 0 : -EINVAL;
}

static FILE *open_private(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0)
		return NULL;
	fchmod(fd, 0600);
	return fdopen(fd, "w");
}

int pem_save_key(const char *path, EVP_PKEY *key)
{
	FILE *f = open_private(path);
	int ok;

	if (!f)
		return -errno;
	ok = PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
	return fclose(f) == 0 && ok ? 0 : -EIO;
}

int pem_save_cert(const char *path, X509 *cert)
{
	FILE *f = open_private(path);
	int ok;

	if (!f)
		return -errno;
	ok = PEM_write_X509(f, cert);
	return fclose(f) == 0 && ok ? 0 : -EIO;
}

EVP_PKEY *pem_load_key(const char *path)
{
	FILE *f = fopen(path, "r");
	EVP_PKEY *k;

	if (!f)
		return NULL;
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	return k;
}

X509 *pem_load_cert(const char *path)
{
	FILE *f = fopen(path, "r");
	X509 *x;

	if (!f)
		return NULL;
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	return x;
}
