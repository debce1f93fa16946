/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The TLS self-test (selftest=1, from kernel/selftest.c): mbedTLS as the management agent will
 * use it, on a kernel stack, with the kernel heap and the CPU's entropy. Known answers first
 * (SHA-256), then a P-256 key from the hardware-seeded DRBG that must sign, verify, refuse a
 * changed hash and go into a CSR, then a TLS 1.2 handshake with mutual authentication between
 * a client and a server connected in memory, one record each way, and a handshake in which the
 * client trusts the wrong CA and must refuse the server.
 */
#include <asm/percpu.h>
#include <plinth/log.h>
#include <plinth/mm.h>
#include <plinth/sha256.h>
#include <plinth/string.h>
#include <plinth/time.h>
#include <plinth/tls.h>
#include "mbedtls/ctr_drbg.h"
#include "mbedtls/ecdsa.h"
#include "mbedtls/ecp.h"
#include "mbedtls/entropy.h"
#include "mbedtls/pk.h"
#include "mbedtls/sha256.h"
#include "mbedtls/ssl.h"
#include "mbedtls/x509_crt.h"
#include "mbedtls/x509_csr.h"
#include "tls_testcerts.h"

#define PIPE_SIZE (20 * 1024) /* one full record (16 KiB and its overhead) fits */
#define HANDSHAKE_ROUNDS 64   /* a TLS 1.2 handshake takes 4 flights; a stall ends sooner */
#define STACK_PATTERN 0x5afe5afe5afe5afeULL
#define STACK_MARGIN 1024 /* left unpainted below the painting function's frame */
#define SERVER_NAME "plinth-test-server"
#define CLIENT_CN "CN=plinth-agent-test"

/* One direction of the in-memory connection: the writer appends, the reader takes the front. */
struct pipe {
	unsigned char buf[PIPE_SIZE];
	size_t len;
	uint64_t moved; /* bytes ever written, so a stalled handshake is seen */
};

struct endpoint {
	mbedtls_ssl_context ssl;
	mbedtls_ssl_config conf;
	mbedtls_x509_crt ca;
	mbedtls_x509_crt crt;
	mbedtls_pk_context key;
	struct pipe *in, *out;
	int ret;
	bool done;
};

struct tls_test {
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	struct endpoint cli, srv;
	struct pipe c2s, s2c;
	unsigned char scratch[1024];
	uint64_t handshake_ns;
	const char *failed; /* the step that failed, for the report */
	int err;
};

static bool fail(struct tls_test *t, const char *step, int err)
{
	if (!t->failed) {
		t->failed = step;
		t->err = err;
	}
	return false;
}

static int pipe_send(void *ctx, const unsigned char *buf, size_t len)
{
	struct endpoint *e = ctx;
	size_t n = PIPE_SIZE - e->out->len;

	if (!n)
		return MBEDTLS_ERR_SSL_WANT_WRITE;
	if (n > len)
		n = len;
	memcpy(e->out->buf + e->out->len, buf, n);
	e->out->len += n;
	e->out->moved += n;
	return (int)n;
}

static int pipe_recv(void *ctx, unsigned char *buf, size_t len)
{
	struct endpoint *e = ctx;
	size_t n = e->in->len < len ? e->in->len : len;

	if (!n)
		return MBEDTLS_ERR_SSL_WANT_READ;
	memcpy(buf, e->in->buf, n);
	memmove(e->in->buf, e->in->buf + n, e->in->len - n);
	e->in->len -= n;
	return (int)n;
}

static bool sha256_known_answer(struct tls_test *t)
{
	static const unsigned char want[32] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
		0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
		0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
	};
	unsigned char got[32];
	int ret = mbedtls_sha256_ret((const unsigned char *)"abc", 3, got, 0);

	if (ret)
		return fail(t, "sha256", ret);
	if (memcmp(got, want, sizeof(want)))
		return fail(t, "sha256 known answer", 0);
	sha256("abc", 3, got);
	return memcmp(got, want, sizeof(want)) ? fail(t, "plinth/sha256.h known answer", 0) : true;
}

/*
 * plinth/sha256.h as the image store drives it: many updates whose sizes are not a multiple of
 * the 64-byte block, read back in hex. FIPS 180-2's one million 'a's.
 */
static bool sha256_incremental_known_answer(struct tls_test *t)
{
	static const char want[] =
		"cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
	unsigned char digest[SHA256_DIGEST_SIZE];
	char hex[SHA256_HEX_LEN + 1];
	struct sha256_ctx ctx;

	memset(t->scratch, 'a', 1000);
	sha256_init(&ctx);
	for (int i = 0; i < 1000; i++)
		sha256_update(&ctx, t->scratch, 1000);
	sha256_final(&ctx, digest);
	sha256_to_hex(digest, hex);
	return strcmp(hex, want) ? fail(t, "plinth/sha256.h incremental known answer", 0) : true;
}

/* A key as the agent will make its identity: generated here, signed with, put into a CSR. */
static bool ecdsa_key_and_csr(struct tls_test *t)
{
	static const char msg[] = "Plinth management agent";
	unsigned char hash[32], sig[MBEDTLS_ECDSA_MAX_LEN];
	mbedtls_x509write_csr csr;
	mbedtls_pk_context key, reread;
	size_t sig_len;
	bool ok = false;
	int ret;

	mbedtls_pk_init(&key);
	mbedtls_pk_init(&reread);
	mbedtls_x509write_csr_init(&csr);
	ret = mbedtls_pk_setup(&key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
	if (!ret)
		ret = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(key),
					  mbedtls_ctr_drbg_random, &t->drbg);
	if (ret) {
		fail(t, "P-256 key generation", ret);
		goto out;
	}
	ret = mbedtls_sha256_ret((const unsigned char *)msg, sizeof(msg) - 1, hash, 0);
	if (!ret)
		ret = mbedtls_pk_sign(&key, MBEDTLS_MD_SHA256, hash, sizeof(hash), sig, &sig_len,
				      mbedtls_ctr_drbg_random, &t->drbg);
	if (!ret)
		ret = mbedtls_pk_verify(&key, MBEDTLS_MD_SHA256, hash, sizeof(hash), sig, sig_len);
	if (ret) {
		fail(t, "ECDSA sign and verify", ret);
		goto out;
	}
	hash[7] ^= 0x01;
	ret = mbedtls_pk_verify(&key, MBEDTLS_MD_SHA256, hash, sizeof(hash), sig, sig_len);
	if (ret != MBEDTLS_ERR_ECP_VERIFY_FAILED) {
		fail(t, "ECDSA verify of a changed hash", ret ? ret : -1);
		goto out;
	}
	/* The private key survives PEM and back, as the agent will keep it. */
	ret = mbedtls_pk_write_key_pem(&key, t->scratch, sizeof(t->scratch));
	if (!ret)
		ret = mbedtls_pk_parse_key(&reread, t->scratch, strlen((char *)t->scratch) + 1,
					   NULL, 0);
	if (!ret)
		ret = mbedtls_pk_check_pair(&key, &reread);
	if (ret) {
		fail(t, "EC key PEM round trip", ret);
		goto out;
	}
	mbedtls_x509write_csr_set_md_alg(&csr, MBEDTLS_MD_SHA256);
	mbedtls_x509write_csr_set_key(&csr, &key);
	ret = mbedtls_x509write_csr_set_subject_name(&csr, "O=Plinth self-test," CLIENT_CN);
	if (!ret)
		ret = mbedtls_x509write_csr_pem(&csr, t->scratch, sizeof(t->scratch),
						mbedtls_ctr_drbg_random, &t->drbg);
	if (ret) {
		fail(t, "CSR writing", ret);
		goto out;
	}
	if (strncmp((char *)t->scratch, "-----BEGIN CERTIFICATE REQUEST-----\n", 36)) {
		fail(t, "CSR PEM header", 0);
		goto out;
	}
	ok = true;
out:
	mbedtls_x509write_csr_free(&csr);
	mbedtls_pk_free(&reread);
	mbedtls_pk_free(&key);
	return ok;
}

static void endpoint_init(struct endpoint *e, struct pipe *in, struct pipe *out)
{
	mbedtls_ssl_init(&e->ssl);
	mbedtls_ssl_config_init(&e->conf);
	mbedtls_x509_crt_init(&e->ca);
	mbedtls_x509_crt_init(&e->crt);
	mbedtls_pk_init(&e->key);
	e->in = in;
	e->out = out;
	e->ret = MBEDTLS_ERR_SSL_WANT_READ;
	e->done = false;
}

static int endpoint_setup(struct tls_test *t, struct endpoint *e, int role, const char *ca,
			  size_t ca_size, const char *crt, size_t crt_size, const char *key,
			  size_t key_size)
{
	static const int suites[] = { MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
				      MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, 0 };
	int ret = mbedtls_x509_crt_parse(&e->ca, (const unsigned char *)ca, ca_size);
	if (!ret)
		ret = mbedtls_x509_crt_parse(&e->crt, (const unsigned char *)crt, crt_size);
	if (!ret)
		ret = mbedtls_pk_parse_key(&e->key, (const unsigned char *)key, key_size, NULL, 0);
	if (!ret)
		ret = mbedtls_ssl_config_defaults(&e->conf, role, MBEDTLS_SSL_TRANSPORT_STREAM,
						  MBEDTLS_SSL_PRESET_DEFAULT);
	if (ret)
		return ret;
	mbedtls_ssl_conf_authmode(&e->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
	mbedtls_ssl_conf_ca_chain(&e->conf, &e->ca, NULL);
	mbedtls_ssl_conf_rng(&e->conf, mbedtls_ctr_drbg_random, &t->drbg);
	mbedtls_ssl_conf_ciphersuites(&e->conf, suites);
	mbedtls_ssl_conf_min_version(&e->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
				     MBEDTLS_SSL_MINOR_VERSION_3);
	ret = mbedtls_ssl_conf_own_cert(&e->conf, &e->crt, &e->key);
	if (!ret)
		ret = mbedtls_ssl_setup(&e->ssl, &e->conf);
	if (!ret && role == MBEDTLS_SSL_IS_CLIENT)
		ret = mbedtls_ssl_set_hostname(&e->ssl, SERVER_NAME);
	mbedtls_ssl_set_bio(&e->ssl, e, pipe_send, pipe_recv, NULL);
	return ret;
}

static void endpoint_free(struct endpoint *e)
{
	mbedtls_ssl_free(&e->ssl);
	mbedtls_ssl_config_free(&e->conf);
	mbedtls_pk_free(&e->key);
	mbedtls_x509_crt_free(&e->crt);
	mbedtls_x509_crt_free(&e->ca);
}

/* Done, or failed with something other than waiting for the peer. */
static bool finished(const struct endpoint *e)
{
	return e->done ||
	       (e->ret != MBEDTLS_ERR_SSL_WANT_READ && e->ret != MBEDTLS_ERR_SSL_WANT_WRITE);
}

static void handshake_step(struct endpoint *e)
{
	if (finished(e))
		return;
	e->ret = mbedtls_ssl_handshake(&e->ssl);
	e->done = e->ret == 0;
}

/* Both sides take turns until each has finished or failed, or no byte moves in a round. */
static int handshake_pair(struct tls_test *t, const char *client_ca, size_t client_ca_size)
{
	uint64_t start;
	int ret;

	t->c2s.len = t->s2c.len = 0;
	endpoint_init(&t->cli, &t->s2c, &t->c2s);
	endpoint_init(&t->srv, &t->c2s, &t->s2c);
	ret = endpoint_setup(t, &t->cli, MBEDTLS_SSL_IS_CLIENT, client_ca, client_ca_size,
			     tls_test_cli_crt, strlen(tls_test_cli_crt) + 1, tls_test_cli_key,
			     strlen(tls_test_cli_key) + 1);
	if (!ret)
		ret = endpoint_setup(t, &t->srv, MBEDTLS_SSL_IS_SERVER, tls_test_ca_crt,
				     strlen(tls_test_ca_crt) + 1, tls_test_srv_crt,
				     strlen(tls_test_srv_crt) + 1, tls_test_srv_key,
				     strlen(tls_test_srv_key) + 1);
	if (ret)
		return ret;
	start = time_ns();
	for (int round = 0; round < HANDSHAKE_ROUNDS; round++) {
		uint64_t before = t->c2s.moved + t->s2c.moved;

		handshake_step(&t->cli);
		handshake_step(&t->srv);
		if (finished(&t->cli) && finished(&t->srv))
			break;
		if (t->c2s.moved + t->s2c.moved == before)
			break;
	}
	t->handshake_ns = time_ns() - start;
	return 0;
}

static bool peer_subject_has(struct tls_test *t, const struct endpoint *e, const char *cn)
{
	const mbedtls_x509_crt *peer = mbedtls_ssl_get_peer_cert(&e->ssl);
	char *dn = (char *)t->scratch;

	if (!peer || mbedtls_x509_dn_gets(dn, sizeof(t->scratch), &peer->subject) < 0)
		return false;
	return strstr(dn, cn) != NULL;
}

static bool record_across(struct tls_test *t, struct endpoint *from, struct endpoint *to,
			  const char *msg)
{
	size_t len = strlen(msg);
	int ret = mbedtls_ssl_write(&from->ssl, (const unsigned char *)msg, len);

	if (ret != (int)len)
		return fail(t, "application record write", ret);
	ret = mbedtls_ssl_read(&to->ssl, t->scratch, sizeof(t->scratch));
	if (ret != (int)len || memcmp(t->scratch, msg, len))
		return fail(t, "application record read", ret);
	return true;
}

static bool mutual_handshake(struct tls_test *t, char *suite, size_t suite_len)
{
	int ret = handshake_pair(t, tls_test_ca_crt, strlen(tls_test_ca_crt) + 1);
	bool ok = false;

	if (ret) {
		fail(t, "TLS set-up", ret);
		goto out;
	}
	if (!t->cli.done || !t->srv.done) {
		fail(t, t->cli.done ? "server handshake" : "client handshake",
		     t->cli.done ? t->srv.ret : t->cli.ret);
		goto out;
	}
	if (!peer_subject_has(t, &t->cli, "CN=" SERVER_NAME)) {
		fail(t, "server certificate subject", 0);
		goto out;
	}
	if (!peer_subject_has(t, &t->srv, CLIENT_CN)) {
		fail(t, "client certificate subject", 0);
		goto out;
	}
	strlcpy(suite, mbedtls_ssl_get_ciphersuite(&t->cli.ssl), suite_len);
	ok = record_across(t, &t->cli, &t->srv, "agent hello over mutual TLS") &&
	     record_across(t, &t->srv, &t->cli, "server hello back");
out:
	endpoint_free(&t->cli);
	endpoint_free(&t->srv);
	return ok;
}

/* The client trusts only an unrelated CA: it must refuse the server's certificate as untrusted. */
static bool wrong_ca_refused(struct tls_test *t)
{
	int ret = handshake_pair(t, tls_test_other_ca_crt, strlen(tls_test_other_ca_crt) + 1);
	uint32_t flags = mbedtls_ssl_get_verify_result(&t->cli.ssl);
	bool ok = false;

	if (ret)
		fail(t, "TLS set-up (wrong CA)", ret);
	else if (t->cli.ret != MBEDTLS_ERR_X509_CERT_VERIFY_FAILED)
		fail(t, "client with the wrong CA did not fail verification",
		     t->cli.ret ? t->cli.ret : -1);
	else if (!(flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED))
		fail(t, "wrong CA: verify flags lack NOT_TRUSTED", (int)flags);
	else if (t->srv.done)
		fail(t, "server finished a handshake the client refused", 0);
	else
		ok = true;
	endpoint_free(&t->cli);
	endpoint_free(&t->srv);
	return ok;
}

/*
 * The deepest this test reaches into its 16 KiB kernel stack, as the management agent's thread
 * will: the unused part is painted first and the lowest word no longer painted is found after.
 */
static __attribute__((noinline)) uint64_t *stack_paint(void)
{
	uint64_t top = this_cpu()->stack_top, here = (uint64_t)__builtin_frame_address(0);
	uint64_t *bottom = (uint64_t *)(top - KERNEL_STACK_SIZE);

	if (here > top || here < top - KERNEL_STACK_SIZE + STACK_MARGIN)
		return NULL;
	for (uint64_t *p = bottom; (uint64_t)p < here - STACK_MARGIN; p++)
		*p = STACK_PATTERN;
	return bottom;
}

static uint64_t stack_used(const uint64_t *bottom)
{
	const uint64_t *p = bottom;

	while (*p == STACK_PATTERN)
		p++;
	return this_cpu()->stack_top - (uint64_t)p;
}

bool tls_selftest(char *detail, size_t len)
{
	static const char pers[] = "plinth tls selftest";
	uint64_t live_before, handshake_ms = 0, *stack_bottom = stack_paint();
	char stack[32] = "stack not measured";
	struct tls_test *t;
	char suite[64] = "";
	bool ok;
	int ret;

	if (tls_platform_init() < 0) {
		snprintf(detail, len, "no entropy source: the CPU has neither RDSEED nor RDRAND");
		return false;
	}
	live_before = tls_allocations_live();
	t = kzalloc(sizeof(*t));
	if (!t) {
		snprintf(detail, len, "no memory for the test");
		return false;
	}
	mbedtls_entropy_init(&t->entropy);
	mbedtls_ctr_drbg_init(&t->drbg);
	ret = mbedtls_ctr_drbg_seed(&t->drbg, mbedtls_entropy_func, &t->entropy,
				    (const unsigned char *)pers, sizeof(pers) - 1);
	ok = ret ? fail(t, "CTR_DRBG seeding from the hardware", ret) : true;
	ok = ok && sha256_known_answer(t) && sha256_incremental_known_answer(t) &&
	     ecdsa_key_and_csr(t) && mutual_handshake(t, suite, sizeof(suite));
	handshake_ms = t->handshake_ns / NSEC_PER_MSEC;
	ok = ok && wrong_ca_refused(t);
	mbedtls_ctr_drbg_free(&t->drbg);
	mbedtls_entropy_free(&t->entropy);
	if (ok && tls_allocations_live() != live_before)
		fail(t, "mbedTLS allocations leaked", (int)(tls_allocations_live() - live_before));
	ok = !t->failed;
	if (stack_bottom)
		snprintf(stack, sizeof(stack), "stack %lu bytes", stack_used(stack_bottom));
	if (!ok)
		snprintf(detail, len, "%s failed (mbedTLS -0x%04x), entropy %s", t->failed,
			 t->err < 0 ? -t->err : t->err, tls_entropy_source());
	else
		snprintf(detail, len,
			 "%s mutual handshake %lu ms, records both ways, wrong CA refused; "
			 "SHA-256, P-256 sign/verify/CSR; %s; %s",
			 suite, handshake_ms, tls_entropy_source(), stack);
	kfree(t);
	return ok;
}
