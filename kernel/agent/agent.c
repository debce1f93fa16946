/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The management agent's connection to its controller (plinth/agent.h),
 * on the network thread: dial, TLS handshake, then either enrolment (no
 * certificate for this key yet) or a session; any failure closes the
 * connection and the next attempt waits a jittered, growing back-off
 * (mgmt_backoff, 1 s to 30 s, reset once a session came up). Nothing here
 * blocks: lwIP's callbacks kick a pass over the connection, and a tick
 * times out what does not answer.
 */
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/service.h>
#include <plinth/string.h>
#include <plinth/time.h>
#include <plinth/tls.h>
#include "agent_internal.h"
#include "lwip/timeouts.h"

#define BACKOFF_BASE_MS 1000
#define BACKOFF_MAX_MS 30000
/* TCP, TLS and the first answer (WELCOME, ENROLLED): TLS under emulation takes seconds. */
#define ANSWER_TIMEOUT_MS 30000
/* How often the agent looks at the clock and at the event log while connected. */
#define TICK_MS 250

_Static_assert(CONFIG_TOKEN_MAX <= MGMT_TOKEN_MAX, "an [agent] token must fit ENROL");
_Static_assert(CONFIG_HOST_ID_MAX <= MGMT_ID_MAX, "an [agent] host_id must fit HELLO");

struct agent agent;
static uint8_t frame_buf[MGMT_PAYLOAD_MAX];
static uint8_t read_buf[AGENT_READ_CHUNK];

static void dial(void *arg);
static void tick(void *arg);
static void pump(void *arg);

uint64_t agent_now_ns(void)
{
	return time_ns();
}

void agent_kick(void)
{
	if (agent.kick_pending)
		return;
	agent.kick_pending = true;
	sys_timeout(0, pump, NULL);
}

static void end_connection(bool clean)
{
	agent_tls_close(&agent.tls, clean);
	agent.phase = AGENT_IDLE;
	if (agent.tick_armed) {
		sys_untimeout(tick, NULL);
		agent.tick_armed = false;
	}
}

static void vlost(bool clean, const char *fmt, va_list ap)
{
	char why[160];
	uint32_t delay;

	vsnprintf(why, sizeof(why), fmt, ap);
	end_connection(clean);
	delay = mgmt_backoff_next(&agent.backoff, agent_random());
	pr_warn("agent: connection lost (%s); reconnecting in %u ms\n", why, delay);
	sys_timeout(delay, dial, NULL);
}

void agent_lost(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlost(false, fmt, ap);
	va_end(ap);
}

void agent_lost_clean(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlost(true, fmt, ap);
	va_end(ap);
}

void agent_protocol_error(const char *fmt, ...)
{
	static struct mgmt_goodbye bye;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(bye.text, sizeof(bye.text), fmt, ap);
	va_end(ap);
	pr_err("agent: protocol error: %s\n", bye.text);
	bye.reason = MGMT_BYE_PROTOCOL;
	/* Said once if it fits; the connection ends either way. */
	if (agent.tls.handshake_done && !agent_tls_send(&agent.tls, MGMT_GOODBYE, &bye))
		agent_tls_flush(&agent.tls);
	agent_lost_clean("protocol error");
}

void agent_redial_now(void)
{
	end_connection(true);
	sys_timeout(0, dial, NULL);
}

int agent_decode_sized(const struct mgmt_frame *f, void *msg, size_t size)
{
	char err[128];

	if (mgmt_msg_size(f->type) != size) {
		/* A frame handed to the wrong handler: never decode it over another structure. */
		agent_protocol_error("%s frame where another was expected", mgmt_type_name(f->type));
		return -1;
	}
	if (mgmt_decode(f->type, f->payload, f->len, msg, err, sizeof(err)) == 0)
		return 0;
	agent_protocol_error("%s", err);
	return -1;
}

static const char *tcp_why(err_t err, bool connected)
{
	switch (err) {
	case ERR_RST:
		return connected ? "connection reset by the controller" : "connection refused";
	case ERR_ABRT:
		return connected ? "connection aborted" : "no answer from the controller";
	case ERR_CLSD:
		return "connection closed";
	default:
		return "TCP error";
	}
}

static void handshake_failed(int ret)
{
	const struct agent_pin *pin = &agent.pin;
	char text[96], flags[160];

	if (pin->checked && !pin->matched) {
		pr_err("agent: controller CA key does not match the pin (SHA-256 "
		       "%02x%02x%02x%02x%02x%02x%02x%02x..., pinned "
		       "%02x%02x%02x%02x%02x%02x%02x%02x...); refusing it\n",
		       pin->got[0], pin->got[1], pin->got[2], pin->got[3], pin->got[4], pin->got[5],
		       pin->got[6], pin->got[7], pin->want[0], pin->want[1], pin->want[2],
		       pin->want[3], pin->want[4], pin->want[5], pin->want[6], pin->want[7]);
		agent_lost("the controller is not the pinned one");
		return;
	}
	if (pin->problem[0])
		pr_err("agent: refusing the controller: %s\n", pin->problem);
	else if (ret == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED &&
		 mbedtls_x509_crt_verify_info(flags, sizeof(flags), "",
					      mbedtls_ssl_get_verify_result(&agent.tls.ssl)) > 0) {
		/* One line: mbedTLS ends each reason with a newline. */
		for (char *c = flags; *c; c++)
			if (*c == '\n')
				*c = c[1] ? ';' : '\0';
		pr_err("agent: the controller's certificate does not verify: %s\n", flags);
	}
	agent_tls_strerror(ret, text, sizeof(text));
	if (agent.tls.tcp_error != ERR_OK)
		agent_lost("TLS handshake: %s", tcp_why(agent.tls.tcp_error, true));
	else
		agent_lost("TLS handshake failed: %s", text);
}

static void handshake_done(void)
{
	agent.handshake_ns = agent_now_ns() - agent.dial_ns;
	agent.last_rx_ns = agent_now_ns();
	pr_info("agent: TLS with %s up in %lu ms (%s%s)\n", agent.controller,
		agent.handshake_ns / NSEC_PER_MSEC, mbedtls_ssl_get_ciphersuite(&agent.tls.ssl),
		agent.enrol ? ", no client certificate" : ", mutual");
	if (agent.enrol)
		agent_enrol_begin();
	else
		agent_session_begin();
}

static void handle_frame(const struct mgmt_frame *f)
{
	char err[96];

	agent.last_rx_ns = agent_now_ns();
	if (mgmt_frame_check(f, err, sizeof(err))) {
		agent_protocol_error("%s", err);
		return;
	}
	if (agent.enrol)
		agent_enrol_frame(f);
	else
		agent_session_frame(f);
}

/* Frames out of the bytes TLS gave: stops when the connection ended on one. */
static void feed(const uint8_t *p, size_t n)
{
	struct mgmt_frame f;
	bool done;

	while (n && agent.phase != AGENT_IDLE) {
		long used = mgmt_rx_feed(&agent.rx, p, n, &f, &done);

		if (used < 0) {
			agent_protocol_error("%s", agent.rx.error);
			return;
		}
		p += used;
		n -= (size_t)used;
		if (done)
			handle_frame(&f);
	}
}

/* One pass: handshake, read what came, write what is queued. */
static void pump(void *arg)
{
	struct agent_tls *t = &agent.tls;
	char text[96];
	int ret;

	(void)arg;
	agent.kick_pending = false;
	if (agent.phase == AGENT_IDLE)
		return;
	if (!t->handshake_done) {
		if (!t->connected && t->tcp_error != ERR_OK) {
			agent_lost("%s", tcp_why(t->tcp_error, false));
			return;
		}
		ret = agent_tls_handshake(t);
		if (ret == -EAGAIN && t->tcp_error == ERR_OK)
			return;
		if (ret) {
			handshake_failed(ret);
			return;
		}
		handshake_done();
	}
	while (agent.phase != AGENT_IDLE) {
		ret = agent_tls_read(t, read_buf, sizeof(read_buf));
		if (ret == -EAGAIN)
			break;
		if (ret == 0) {
			agent_lost("the controller closed the connection");
			return;
		}
		if (ret < 0) {
			agent_tls_strerror(ret, text, sizeof(text));
			if (t->tcp_error != ERR_OK)
				agent_lost("%s", tcp_why(t->tcp_error, true));
			else
				agent_lost("TLS: %s", text);
			return;
		}
		feed(read_buf, (size_t)ret);
	}
	if (agent.phase == AGENT_IDLE)
		return;
	ret = agent_tls_flush(t);
	if (ret) {
		agent_tls_strerror(ret, text, sizeof(text));
		agent_lost("TLS write: %s", text);
	}
}

static void tick(void *arg)
{
	uint64_t now = agent_now_ns();

	(void)arg;
	agent.tick_armed = false;
	if (agent.phase == AGENT_IDLE)
		return;
	if (agent.phase != AGENT_SESSION &&
	    now - agent.dial_ns > (uint64_t)ANSWER_TIMEOUT_MS * NSEC_PER_MSEC) {
		agent_lost("no answer within %u s", ANSWER_TIMEOUT_MS / 1000);
		return;
	}
	if (agent.phase == AGENT_SESSION)
		agent_session_tick(now);
	if (agent.phase == AGENT_IDLE)
		return;
	pump(NULL);
	if (agent.phase == AGENT_IDLE)
		return;
	sys_timeout(TICK_MS, tick, NULL);
	agent.tick_armed = true;
}

static int tls_config(void)
{
	mbedtls_ssl_config *conf = &agent.tls.conf;
	int ret;

	mbedtls_ssl_config_init(conf);
	ret = mbedtls_ssl_config_defaults(conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
					  MBEDTLS_SSL_PRESET_DEFAULT);
	if (ret)
		return ret;
	mbedtls_ssl_conf_rng(conf, mbedtls_ctr_drbg_random, &agent.drbg);
	mbedtls_ssl_conf_min_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3,
				     MBEDTLS_SSL_MINOR_VERSION_3);
	agent_pin_configure(&agent.pin, conf);
	/* Enrolment is the one connection without a client certificate (the contract's kind 1). */
	if (!agent.enrol)
		ret = mbedtls_ssl_conf_own_cert(conf, &agent.cert, &agent.key);
	return ret;
}

static void dial(void *arg)
{
	char text[96];
	int ret;

	(void)arg;
	if (agent.phase != AGENT_IDLE)
		return;
	agent.enrol = !agent.have_cert;
	agent.phase = AGENT_HANDSHAKE;
	agent.dial_ns = agent_now_ns();
	mgmt_rx_init(&agent.rx, frame_buf);
	/* The contract's line, exactly; the kind of connection shows in the TLS line that follows. */
	pr_info("agent: connecting to %s as %s\n", agent.controller, agent.host_id);
	/* A leak check across reconnects: the count is the same at every dial. */
	pr_debug("agent: %lu mbedTLS allocations live\n", tls_allocations_live());
	ret = tls_config();
	if (!ret)
		ret = agent_tls_open(&agent.tls, agent.cfg.controller, agent.cfg.port);
	if (ret) {
		agent_tls_strerror(ret, text, sizeof(text));
		agent_lost("cannot connect: %s", ret == -ENOMEM ? "out of memory" :
				   ret == -ENETDOWN ? "no route" : text);
		return;
	}
	sys_timeout(TICK_MS, tick, NULL);
	agent.tick_armed = true;
}

/* The rest of the start, from lwIP's timer list rather than inside its netif callback. */
static void start(void *arg)
{
	uint64_t begin = agent_now_ns();
	uint8_t id[16];
	int ret;

	(void)arg;
	ret = agent_key_init();
	if (ret) {
		pr_err("agent: no key: %s; the agent is off\n",
		       ret == -ENODEV ? "the CPU has no RDSEED or RDRAND" : "mbedTLS error");
		return;
	}
	pr_info("agent: P-256 key made in %lu ms (entropy %s)\n",
		(agent_now_ns() - begin) / NSEC_PER_MSEC, tls_entropy_source());
	for (unsigned int i = 0; i < sizeof(id); i += 4) {
		uint32_t r = agent_random();

		memcpy(id + i, &r, 4);
	}
	for (unsigned int i = 0; i < sizeof(id); i++)
		snprintf(agent.boot_id + 2 * i, sizeof(agent.boot_id) - 2 * i, "%02x", id[i]);
	mgmt_backoff_init(&agent.backoff, BACKOFF_BASE_MS, BACKOFF_MAX_MS);
	dial(NULL);
}

void agent_net_up(const uint8_t mac[6])
{
	if (!agent.enabled || agent.started)
		return;
	agent.started = true;
	agent_host_id(agent.cfg.host_id, mac, agent.host_id);
	sys_timeout(0, start, NULL);
}

static int agent_create(const struct plinth_config *cfg, const struct boot_info *bi)
{
	(void)bi;
	agent.cfg = cfg->agent;
	memcpy(agent.pin.want, cfg->agent.ca_pin, sizeof(agent.pin.want));
	agent.pin.controller = cfg->agent.controller;
	snprintf(agent.controller, sizeof(agent.controller), "%u.%u.%u.%u:%u",
		 cfg->agent.controller >> 24, (cfg->agent.controller >> 16) & 255,
		 (cfg->agent.controller >> 8) & 255, cfg->agent.controller & 255, cfg->agent.port);
	agent.enabled = cfg->agent.present;
	return 0;
}

static void agent_start(void)
{
	if (!agent.enabled)
		return;
	pr_info("agent: controller %s; dialling once the network has an address%s\n",
		agent.controller,
		agent.cfg.token[0] ? "" : " (no token: only a key the controller knows can enrol)");
}

/* The agent never holds a test run open: it keeps dialling for as long as Plinth runs. */
static unsigned int agent_active(void)
{
	return 0;
}

PLINTH_SERVICE(agent) = {
	.name = "agent",
	.create = agent_create,
	.start = agent_start,
	.active = agent_active,
};
