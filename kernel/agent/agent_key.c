/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host's identity: a P-256 key made at boot from the CPU's entropy
 * (RDSEED/RDRAND through the kernel's mbedTLS glue, kernel/tls/tls_port.c),
 * the CSR that asks the controller to certify it, and the certificate it
 * sends back.
 */
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/string.h>
#include <plinth/tls.h>
#include "agent_internal.h"
#include "mbedtls/ecp.h"
#include "mbedtls/oid.h"
#include "mbedtls/x509_csr.h"

int agent_key_init(void)
{
	static const char pers[] = "plinth agent";
	int ret = tls_platform_init();

	if (ret < 0)
		return ret;
	mbedtls_entropy_init(&agent.entropy);
	mbedtls_ctr_drbg_init(&agent.drbg);
	mbedtls_pk_init(&agent.key);
	mbedtls_x509_crt_init(&agent.cert);
	ret = mbedtls_ctr_drbg_seed(&agent.drbg, mbedtls_entropy_func, &agent.entropy,
				    (const unsigned char *)pers, sizeof(pers) - 1);
	if (ret)
		return ret;
	/*
	 * The key lives only in memory for now: Plinth has no storage of its own
	 * yet, so every boot makes a new key and enrols it (with the token, or
	 * refused without one). Kept across reconnects within the boot.
	 */
	ret = mbedtls_pk_setup(&agent.key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
	if (!ret)
		ret = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(agent.key),
					  mbedtls_ctr_drbg_random, &agent.drbg);
	agent.have_key = !ret;
	return ret;
}

uint32_t agent_random(void)
{
	uint32_t v = 0;

	/* A DRBG that fails (never reseeded) still gives a usable jitter: 0. */
	if (mbedtls_ctr_drbg_random(&agent.drbg, (unsigned char *)&v, sizeof(v)))
		v = 0;
	return v;
}

int agent_key_csr(uint8_t *buf, size_t cap)
{
	mbedtls_x509write_csr csr;
	char subject[8 + MGMT_ID_MAX];
	int ret;

	mbedtls_x509write_csr_init(&csr);
	mbedtls_x509write_csr_set_md_alg(&csr, MBEDTLS_MD_SHA256);
	mbedtls_x509write_csr_set_key(&csr, &agent.key);
	/* Host ids are [a-z0-9-]: nothing in them needs escaping in a DN. */
	snprintf(subject, sizeof(subject), "CN=%s", agent.host_id);
	ret = mbedtls_x509write_csr_set_subject_name(&csr, subject);
	/* mbedTLS writes DER at the end of the buffer. */
	if (!ret)
		ret = mbedtls_x509write_csr_der(&csr, buf, cap, mbedtls_ctr_drbg_random,
						&agent.drbg);
	mbedtls_x509write_csr_free(&csr);
	if (ret > 0)
		memmove(buf, buf + cap - (size_t)ret, (size_t)ret);
	return ret;
}

/* Whether the subject's common name is the host id (other attributes may come with it). */
static bool subject_is_host(const mbedtls_x509_crt *crt)
{
	size_t n = strlen(agent.host_id);

	for (const mbedtls_x509_name *a = &crt->subject; a; a = a->next)
		if (!MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &a->oid))
			return a->val.len == n && !memcmp(a->val.p, agent.host_id, n);
	return false;
}

int agent_key_take_cert(const uint8_t *der, size_t len, char *why, size_t why_size)
{
	mbedtls_x509_crt crt;
	int ret;

	mbedtls_x509_crt_init(&crt);
	ret = mbedtls_x509_crt_parse_der(&crt, der, len);
	if (ret) {
		snprintf(why, why_size, "the certificate does not parse (-0x%04x)", -ret);
		goto bad;
	}
	if (mbedtls_pk_check_pair(&crt.pk, &agent.key)) {
		snprintf(why, why_size, "the certificate is not for this host's key");
		goto bad;
	}
	if (!subject_is_host(&crt)) {
		snprintf(why, why_size, "the certificate's subject is not CN=%s", agent.host_id);
		goto bad;
	}
	mbedtls_x509_crt_free(&agent.cert);
	agent.cert = crt;
	agent.have_cert = true;
	return 0;
bad:
	mbedtls_x509_crt_free(&crt);
	return -EINVAL;
}
