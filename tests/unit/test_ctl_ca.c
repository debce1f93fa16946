// SPDX-License-Identifier: GPL-2.0
/*
 * The controller's PKI (tools/controller/ca.c): the CA and server
 * certificates the contract describes, a CSR made here signed into a
 * client certificate (CN, EKU, issuer, validity), requests that must be
 * refused, and the pin: its definition and the agent's trust rule.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>
#include <string.h>
#include "../../tools/controller/ca.h"

static EVP_PKEY *ca_key, *srv_key;
static X509 *ca, *srv;

static int setup(void **state)
{
	static const char *const sans[] = { "127.0.0.1", "10.0.2.2", "10.0.2.100" };
	char err[128];

	(void)state;
	ca_key = ca_new_key();
	srv_key = ca_new_key();
	assert_non_null(ca_key);
	assert_int_equal(ca_make(ca_key, &ca), 0);
	assert_int_equal(ca_make_server(ca, ca_key, srv_key, sans, 3, &srv, err, sizeof(err)), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	X509_free(ca);
	X509_free(srv);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(srv_key);
	return 0;
}

static X509_REQ *make_csr(EVP_PKEY *key, const char *cn)
{
	X509_REQ *req = X509_REQ_new();

	assert_non_null(req);
	assert_true(X509_REQ_set_pubkey(req, key));
	assert_true(X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(req), "CN", MBSTRING_UTF8,
					       (const unsigned char *)cn, -1, -1, 0));
	assert_true(X509_REQ_sign(req, key, EVP_sha256()));
	return req;
}

static void test_ca_certificate(void **state)
{
	char cn[64];

	(void)state;
	assert_int_equal(cert_cn(ca, cn, sizeof(cn)), 0);
	assert_string_equal(cn, CA_CN);
	assert_int_equal(X509_check_issued(ca, ca), X509_V_OK);
	assert_int_equal(X509_check_ca(ca), 1);
	assert_true(X509_get_key_usage(ca) & KU_KEY_CERT_SIGN);
	assert_int_equal(X509_verify(ca, ca_key), 1);
}

static void test_server_certificate(void **state)
{
	static const char *const bad[] = { "127.0.0.1", "controller.local" };
	char err[128];
	X509 *x = NULL;

	(void)state;
	assert_int_equal(X509_verify(srv, ca_key), 1);
	assert_int_equal(X509_check_purpose(srv, X509_PURPOSE_SSL_SERVER, 0), 1);
	assert_int_equal(X509_check_ca(srv), 0);
	assert_int_equal(X509_check_ip_asc(srv, "127.0.0.1", 0), 1);
	assert_int_equal(X509_check_ip_asc(srv, "10.0.2.2", 0), 1);
	assert_int_equal(X509_check_ip_asc(srv, "10.0.2.100", 0), 1);
	assert_int_not_equal(X509_check_ip_asc(srv, "10.0.2.3", 0), 1);
	/* SANs are IP addresses only: a name is refused and named. */
	assert_int_equal(ca_make_server(ca, ca_key, srv_key, bad, 2, &x, err, sizeof(err)),
			 -EINVAL);
	assert_null(x);
	assert_non_null(strstr(err, "controller.local"));
}

static void test_sign_csr(void **state)
{
	EVP_PKEY *key = ca_new_key();
	X509_REQ *req = make_csr(key, "h-525400123456");
	char cn[64], err[128];
	X509 *x = NULL;
	int days, secs;

	(void)state;
	assert_int_equal(csr_check(req, cn, sizeof(cn), err, sizeof(err)), 0);
	assert_string_equal(cn, "h-525400123456");
	assert_int_equal(ca_sign_csr(ca, ca_key, req, cn, &x), 0);
	assert_int_equal(cert_cn(x, cn, sizeof(cn)), 0);
	assert_string_equal(cn, "h-525400123456");
	assert_int_equal(X509_NAME_cmp(X509_get_issuer_name(x), X509_get_subject_name(ca)), 0);
	assert_int_equal(X509_verify(x, ca_key), 1);
	assert_int_equal(X509_check_issued(ca, x), X509_V_OK);
	assert_true(X509_get_extended_key_usage(x) & XKU_SSL_CLIENT);
	assert_false(X509_get_extended_key_usage(x) & XKU_SSL_SERVER);
	assert_int_equal(X509_check_purpose(x, X509_PURPOSE_SSL_CLIENT, 0), 1);
	assert_int_equal(X509_check_ca(x), 0);
	/* The key certified is the request's. */
	assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(x), key), 1);
	/* One year, give or take the back-dating against clock skew. */
	assert_true(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(x), X509_get0_notAfter(x)));
	assert_true(days >= CLIENT_DAYS && days <= CLIENT_DAYS + 1);
	X509_free(x);
	X509_REQ_free(req);
	EVP_PKEY_free(key);
}

static void test_bad_csrs_refused(void **state)
{
	EVP_PKEY *key = ca_new_key(), *p384 = EVP_EC_gen("P-384");
	X509_REQ *req;
	char cn[64], err[128];

	(void)state;
	req = make_csr(key, "Not_A_Host");
	assert_int_equal(csr_check(req, cn, sizeof(cn), err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "CN"));
	X509_REQ_free(req);
	req = make_csr(p384, "h-1");
	assert_int_equal(csr_check(req, cn, sizeof(cn), err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "P-256"));
	X509_REQ_free(req);
	/* Signed by another key than the one it asks a certificate for. */
	req = make_csr(key, "h-1");
	assert_true(X509_REQ_set_pubkey(req, ca_key));
	assert_int_equal(csr_check(req, cn, sizeof(cn), err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "signature"));
	X509_REQ_free(req);
	EVP_PKEY_free(key);
	EVP_PKEY_free(p384);
}

static void test_pin(void **state)
{
	unsigned char *der = NULL, md[32];
	char pin[SHA256_HEX_LEN], want[SHA256_HEX_LEN], err[192];
	unsigned int mdlen;
	int n;

	(void)state;
	/* The contract's definition: SHA-256 of the CA certificate's SubjectPublicKeyInfo DER. */
	n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(ca), &der);
	assert_true(n > 0);
	assert_true(EVP_Digest(der, (size_t)n, md, &mdlen, EVP_sha256(), NULL));
	OPENSSL_free(der);
	for (int i = 0; i < 32; i++)
		snprintf(want + 2 * i, 3, "%02x", md[i]);
	assert_int_equal(cert_pin(ca, pin), 0);
	assert_string_equal(pin, want);
	assert_int_equal(pubkey_sha256(ca_key, pin), 0);
	assert_string_equal(pin, want);

	STACK_OF(X509) *chain = sk_X509_new_null();

	sk_X509_push(chain, srv);
	sk_X509_push(chain, ca);
	assert_int_equal(chain_check_pin(chain, want, err, sizeof(err)), 0);
	/* Another pin: refused, and the message shows both hashes' first 16 digits. */
	assert_int_equal(chain_check_pin(chain, "00112233445566778899aabbccddeeff"
					 "00112233445566778899aabbccddeeff", err, sizeof(err)),
			 -EPERM);
	assert_non_null(strstr(err, "does not match the pin"));
	assert_non_null(strstr(err, "pinned 0011223344556677..."));
	assert_memory_equal(strstr(err, "SHA-256 ") + 8, want, 16);
	sk_X509_free(chain);
}

static void test_chain_must_verify(void **state)
{
	EVP_PKEY *k2 = ca_new_key(), *sk2 = ca_new_key();
	static const char *const sans[] = { "127.0.0.1" };
	char pin[SHA256_HEX_LEN], err[192];
	X509 *ca2 = NULL, *srv2 = NULL;
	STACK_OF(X509) *chain = sk_X509_new_null();

	(void)state;
	assert_int_equal(ca_make(k2, &ca2), 0);
	assert_int_equal(ca_make_server(ca2, k2, sk2, sans, 1, &srv2, err, sizeof(err)), 0);
	/* The pinned CA, but a server certificate from another CA in front of it. */
	sk_X509_push(chain, srv2);
	sk_X509_push(chain, ca);
	assert_int_equal(cert_pin(ca, pin), 0);
	assert_int_equal(chain_check_pin(chain, pin, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "does not verify"));
	/* A chain that does not end in a self-signed certificate. */
	sk_X509_pop(chain);
	sk_X509_pop(chain);
	sk_X509_push(chain, srv);
	assert_int_equal(chain_check_pin(chain, pin, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "self-signed"));
	sk_X509_free(chain);
	X509_free(ca2);
	X509_free(srv2);
	EVP_PKEY_free(k2);
	EVP_PKEY_free(sk2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ca_certificate),
		cmocka_unit_test(test_server_certificate),
		cmocka_unit_test(test_sign_csr),
		cmocka_unit_test(test_bad_csrs_refused),
		cmocka_unit_test(test_pin),
		cmocka_unit_test(test_chain_must_verify),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
