/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What mbedTLS asks of its platform (kernel/tls/port/mbedtls_config.h): memory from the kernel
 * heap, entropy from the CPU's RDSEED (RDRAND where RDSEED is missing), and the date from the
 * firmware's wall clock, which certificate validity checks need.
 */
#include <asm/cpu.h>
#include <asm/rand.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/mm.h>
#include <plinth/string.h>
#include <plinth/time.h>
#include <plinth/tls.h>
#include <plinth/spinlock.h>
#include "mbedtls/cipher.h"
#include "mbedtls/ecp.h"
#include "mbedtls/entropy.h"
#include "mbedtls/entropy_poll.h"
#include "mbedtls/platform.h"
#include "mbedtls/platform_util.h"
#include "mbedtls/ssl_ciphersuites.h"


enum entropy_insn { ENTROPY_UNKNOWN, ENTROPY_NONE, ENTROPY_RDRAND, ENTROPY_RDSEED };

static enum entropy_insn entropy_insn;
static uint64_t live_allocs;
static bool platform_ready;
static spinlock_t platform_lock = SPINLOCK_INIT;

static void *tls_calloc(size_t n, size_t size)
{
	size_t total;
	void *p;

	if (size && n > SIZE_MAX / size)
		return NULL;
	/* mbedTLS may ask for zero bytes: the kernel heap answers NULL, mbedTLS wants a pointer. */
	total = n * size;
	p = kzalloc(total ? total : 1);
	if (p)
		__atomic_fetch_add(&live_allocs, 1, __ATOMIC_RELAXED);
	return p;
}

static void tls_free(void *p)
{
	if (!p)
		return;
	__atomic_fetch_sub(&live_allocs, 1, __ATOMIC_RELAXED);
	kfree(p);
}

uint64_t tls_allocations_live(void)
{
	return __atomic_load_n(&live_allocs, __ATOMIC_RELAXED);
}

static enum entropy_insn probe_entropy(void)
{
	if (cpu_has_rdseed())
		return ENTROPY_RDSEED;
	return cpu_has_rdrand() ? ENTROPY_RDRAND : ENTROPY_NONE;
}

/*
 * mbedTLS fills a few global lists on first use, unlocked (MBEDTLS_THREADING_C is off); they are
 * filled here, once and under a lock, so threads on several CPUs only ever read them.
 */
int tls_platform_init(void)
{
	if (!__atomic_load_n(&platform_ready, __ATOMIC_ACQUIRE)) {
		spin_lock(&platform_lock);
		if (!platform_ready) {
			entropy_insn = probe_entropy();
			mbedtls_platform_set_calloc_free(tls_calloc, tls_free);
			(void)mbedtls_cipher_list();
			(void)mbedtls_ecp_grp_id_list();
			(void)mbedtls_ssl_list_ciphersuites();
			__atomic_store_n(&platform_ready, true, __ATOMIC_RELEASE);
		}
		spin_unlock(&platform_lock);
	}
	return entropy_insn == ENTROPY_NONE ? -ENODEV : 0;
}

const char *tls_entropy_source(void)
{
	switch (entropy_insn) {
	case ENTROPY_RDSEED:
		return "RDSEED";
	case ENTROPY_RDRAND:
		return "RDRAND";
	default:
		return "none";
	}
}

/*
 * mbedTLS's strong entropy source (MBEDTLS_ENTROPY_HARDWARE_ALT). A CPU whose RDSEED stays
 * exhausted fails the poll rather than quietly handing out less entropy than it claims.
 */
int mbedtls_hardware_poll(void *data, unsigned char *output, size_t len, size_t *olen)
{
	size_t done = 0;
	uint64_t v;

	(void)data;
	while (done < len) {
		bool ok = entropy_insn == ENTROPY_RDSEED ? rdseed64(&v) :
			  entropy_insn == ENTROPY_RDRAND ? rdrand64(&v) : false;
		size_t n = len - done < sizeof(v) ? len - done : sizeof(v);

		if (!ok) {
			mbedtls_platform_zeroize(&v, sizeof(v));
			*olen = 0;
			return MBEDTLS_ERR_ENTROPY_SOURCE_FAILED;
		}
		memcpy(output + done, &v, n);
		done += n;
	}
	mbedtls_platform_zeroize(&v, sizeof(v));
	*olen = done;
	return 0;
}

/* Days from 1970-01-01 to a civil date (proleptic Gregorian; Howard Hinnant's algorithm). */
static long long days_from_civil(long long y, unsigned int m, unsigned int d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	unsigned int yoe = (unsigned int)(y - era * 400);
	unsigned int doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (long long)doe - 719468;
}

/*
 * Seconds since 1970 (UTC, as the firmware's clock is taken to be), advanced by the monotonic
 * clock since it was read. Without a firmware clock this is 0 (1970): every certificate is then
 * "not yet valid", so verification fails closed instead of trusting an unknown date.
 */
long long plinth_tls_time(long long *t)
{
	struct boot_wall_clock w;
	uint64_t read_ns;
	long long now = 0;

	if (time_wall_clock(&w, &read_ns))
		now = days_from_civil(w.year, w.month, w.day) * 86400 + w.hour * 3600 +
		      w.minute * 60 + w.second + (long long)((time_ns() - read_ns) / NSEC_PER_SEC);
	if (t)
		*t = now;
	return now;
}

/* MBEDTLS_PLATFORM_GMTIME_R_ALT: the inverse of days_from_civil, for X.509's validity checks. */
struct tm *mbedtls_platform_gmtime_r(const mbedtls_time_t *tt, struct tm *tm_buf)
{
	long long days = *tt / 86400, secs = *tt % 86400;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	long long z = days + 719468;
	long long era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned int doe = (unsigned int)(z - era * 146097);
	unsigned int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned int mp = (5 * doy + 2) / 153;
	unsigned int m = mp < 10 ? mp + 3 : mp - 9;
	long long y = (long long)yoe + era * 400 + (m <= 2);

	/* mbedTLS reads only the date and the time of day (x509_get_current_time). */
	memset(tm_buf, 0, sizeof(*tm_buf));
	tm_buf->tm_year = (int)(y - 1900);
	tm_buf->tm_mon = (int)m - 1;
	tm_buf->tm_mday = (int)(doy - (153 * mp + 2) / 5 + 1);
	tm_buf->tm_hour = (int)(secs / 3600);
	tm_buf->tm_min = (int)(secs / 60 % 60);
	tm_buf->tm_sec = (int)(secs % 60);
	return tm_buf;
}
