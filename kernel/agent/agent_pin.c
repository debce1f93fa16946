/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trusting the controller by a pin: plinth.cfg's ca_pin is the SHA-256 of
 * the controller CA's SubjectPublicKeyInfo. The agent holds no CA
 * certificate; the controller presents [server, CA]. During the handshake
 * mbedTLS asks, for each certificate of the chain, which CAs it trusts to
 * have signed it (MBEDTLS_X509_TRUSTED_CERTIFICATE_CALLBACK): the answer is
 * the chain's own top certificate if it is a self-signed CA whose key hashes
 * to the pin, else none. mbedTLS then verifies the chain against it as
 * usual (signatures, validity dates, CA bits, key usage) with verification
 * REQUIRED, so a failed check is always a failed handshake. Last, the server
 * certificate must name the address dialled as one of its IP SANs (mbedTLS
 * 2.28 matches only DNS names itself).
 */
#include <plinth/bytes.h>
#include <plinth/string.h>
#include "agent_internal.h"
#include "mbedtls/asn1.h"
#include "mbedtls/platform.h"
#include "mbedtls/sha256.h"

#define SAN_IP_TAG (MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_X509_SAN_IP_ADDRESS)

static bool self_signed_ca(const mbedtls_x509_crt *c)
{
	return c->ca_istrue && c->issuer_raw.len == c->subject_raw.len &&
	       !memcmp(c->issuer_raw.p, c->subject_raw.p, c->subject_raw.len);
}

static int trusted_cas(void *ctx, const mbedtls_x509_crt *child, mbedtls_x509_crt **candidates)
{
	struct agent_pin *pin = ctx;
	const mbedtls_x509_crt *top = child;
	mbedtls_x509_crt *copy;
	int ret;

	*candidates = NULL;
	while (top->next && top->next->raw.len)
		top = top->next;
	ret = mbedtls_sha256_ret(top->pk_raw.p, top->pk_raw.len, pin->got, 0);
	if (ret)
		return ret;
	pin->checked = true;
	pin->matched = !memcmp(pin->got, pin->want, sizeof(pin->want));
	if (!pin->matched)
		return 0;
	if (top == child) {
		/* Only the CA itself: no server certificate to verify against it. */
		strlcpy(pin->problem, "the chain is the CA certificate alone",
			sizeof(pin->problem));
		return 0;
	}
	if (!self_signed_ca(top)) {
		strlcpy(pin->problem, "the chain does not end in a self-signed CA certificate",
			sizeof(pin->problem));
		return 0;
	}
	copy = mbedtls_calloc(1, sizeof(*copy));
	if (!copy)
		return MBEDTLS_ERR_X509_ALLOC_FAILED;
	mbedtls_x509_crt_init(copy);
	ret = mbedtls_x509_crt_parse_der(copy, top->raw.p, top->raw.len);
	if (ret) {
		mbedtls_x509_crt_free(copy);
		mbedtls_free(copy);
		return ret;
	}
	*candidates = copy;
	return 0;
}

static bool names_ip(const mbedtls_x509_crt *crt, uint32_t addr)
{
	uint8_t want[4];

	put_be32(want, addr);
	for (const mbedtls_x509_sequence *s = &crt->subject_alt_names; s && s->buf.p; s = s->next)
		if (s->buf.tag == SAN_IP_TAG && s->buf.len == 4 && !memcmp(s->buf.p, want, 4))
			return true;
	return false;
}

/* Called for every certificate of the verified chain, the server's (depth 0) last. */
static int check_server(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
	struct agent_pin *pin = ctx;

	if (depth == 0 && !names_ip(crt, pin->controller)) {
		snprintf(pin->problem, sizeof(pin->problem),
			 "the server certificate does not name %u.%u.%u.%u", pin->controller >> 24,
			 (pin->controller >> 16) & 255, (pin->controller >> 8) & 255,
			 pin->controller & 255);
		*flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;
	}
	return 0;
}

void agent_pin_configure(struct agent_pin *pin, mbedtls_ssl_config *conf)
{
	pin->checked = pin->matched = false;
	pin->problem[0] = '\0';
	mbedtls_ssl_conf_authmode(conf, MBEDTLS_SSL_VERIFY_REQUIRED);
	mbedtls_ssl_conf_ca_cb(conf, trusted_cas, pin);
	mbedtls_ssl_conf_verify(conf, check_server, pin);
}
