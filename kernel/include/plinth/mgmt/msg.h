/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_MGMT_MSG_H
#define PLINTH_MGMT_MSG_H

/*
 * The control messages of the management protocol (plinth/mgmt/wire.h) as
 * C structures, and one table-driven codec for all of them: each message
 * type has a descriptor listing its fields (TLV tag, shape, where it lives
 * in the structure, whether it is required). Both ends use the same
 * tables, so they cannot disagree on a layout.
 *
 * Decoding checks every field the table knows (shape, bounds, duplicates,
 * required ones present) and skips tags it does not know, so a newer peer
 * may add fields. Strings are bounded by their arrays and hold no control
 * bytes. An error names the message and the field.
 */
#include <plinth/mgmt/wire.h>
#include <plinth/types.h>

#define MGMT_ID_MAX	64	/* host, boot and operation ids */
#define MGMT_NAME_MAX	32	/* partition names (CONFIG_NAME_MAX) */
#define MGMT_SHA_MAX	65	/* a SHA-256 in hex */
#define MGMT_TEXT_MAX	192	/* human-readable reasons */
#define MGMT_CMDLINE_MAX 512
#define MGMT_STATE_MAX	32	/* partitions in one state report (CONFIG_MAX_PARTITIONS) */
#define MGMT_TOKEN_MAX	65	/* an enrolment token */
#define MGMT_DER_MAX	2048	/* a CSR or a certificate, DER */

struct mgmt_hello {
	char host_id[MGMT_ID_MAX];	/* stable: the enrolled identity */
	char boot_id[MGMT_ID_MAX];	/* new at every boot: event numbers restart with it */
	uint32_t proto;			/* MGMT_PROTO_VERSION */
	char version[MGMT_NAME_MAX];	/* Plinth's build */
	uint32_t cpus, cpus_free;	/* CPUs for partitions, and how many are not taken */
	uint64_t memory, memory_free;	/* bytes */
	uint32_t nics;
};

struct mgmt_welcome {
	uint32_t heartbeat_ms;
	uint64_t events_acked;		/* the last event of this boot the controller stored */
};

struct mgmt_heartbeat {
	uint64_t seq;
	uint64_t sent_ns;		/* the sender's clock, echoed back for the round trip */
	uint32_t reply;			/* 1: an answer to the peer's heartbeat seq */
};

enum mgmt_op_kind {
	MGMT_OP_CREATE = 1,
	MGMT_OP_START,
	MGMT_OP_STOP,
	MGMT_OP_REBOOT,
	MGMT_OP_DELETE,
	MGMT_OP_KIND_COUNT
};

struct mgmt_op {
	char op_id[MGMT_ID_MAX];	/* the same id twice runs once: the first result is repeated */
	uint32_t kind;			/* enum mgmt_op_kind */
	char partition[MGMT_NAME_MAX];
	/* CREATE */
	uint64_t memory;
	uint32_t vcpus;
	char kernel_sha[MGMT_SHA_MAX];	/* images uploaded on a stream, by content */
	char initrd_sha[MGMT_SHA_MAX];
	char disk_sha[MGMT_SHA_MAX];
	char cmdline[MGMT_CMDLINE_MAX];
	char net_switch[MGMT_NAME_MAX];
};

struct mgmt_progress {
	char op_id[MGMT_ID_MAX];
	uint64_t done, total;
	char text[MGMT_TEXT_MAX];
};

/* Typed failures the controller maps to its own error kinds. */
enum mgmt_error {
	MGMT_ERR_NONE,
	MGMT_ERR_INVALID,	/* the operation's arguments */
	MGMT_ERR_NOT_FOUND,	/* no such partition or image */
	MGMT_ERR_EXISTS,
	MGMT_ERR_STATE,		/* not in a state that allows it */
	MGMT_ERR_CAPACITY,	/* not enough CPUs or memory */
	MGMT_ERR_NO_VIRT,	/* no hardware virtualization on this host */
	MGMT_ERR_INTERNAL,
	MGMT_ERR_COUNT
};

struct mgmt_result {
	char op_id[MGMT_ID_MAX];
	int32_t status;			/* 0 or a negative errno */
	uint32_t error;			/* enum mgmt_error */
	char text[MGMT_TEXT_MAX];
};

enum mgmt_part_state {
	MGMT_PART_CREATED = 1,
	MGMT_PART_RUNNING,
	MGMT_PART_STOPPING,
	MGMT_PART_STOPPED,
	MGMT_PART_DELETED,		/* only in events: it is gone */
	MGMT_PART_STATE_COUNT
};

struct mgmt_event {
	uint64_t seq;			/* from 1 at every boot, no gaps */
	char partition[MGMT_NAME_MAX];
	uint32_t state;			/* enum mgmt_part_state it moved to */
	char text[MGMT_TEXT_MAX];
};

struct mgmt_event_ack {
	uint64_t seq;			/* every event up to seq is stored */
};

struct mgmt_part {
	char name[MGMT_NAME_MAX];
	uint32_t state;
	uint32_t vcpus;
	uint64_t memory;
	uint32_t from_config;		/* 1: created at boot from plinth.cfg */
};

struct mgmt_state {
	uint64_t events_next;		/* the seq the next event will get */
	uint32_t count;
	struct mgmt_part parts[MGMT_STATE_MAX];
};

enum mgmt_stream_kind {
	MGMT_STREAM_CONSOLE = 1,	/* a partition's console, both ways */
	MGMT_STREAM_UPLOAD,		/* an image into Plinth's memory */
	MGMT_STREAM_KIND_COUNT
};

struct mgmt_chan_open {
	uint32_t kind;			/* enum mgmt_stream_kind */
	char partition[MGMT_NAME_MAX];	/* CONSOLE */
	char sha256[MGMT_SHA_MAX];	/* UPLOAD: what the bytes must hash to */
	uint64_t size;			/* UPLOAD */
	uint32_t credit;		/* bytes the opener may receive before granting more */
};

struct mgmt_chan_credit {
	uint32_t bytes;
};

struct mgmt_chan_close {
	int32_t status;
	char text[MGMT_TEXT_MAX];
};

/* Why a peer closes; the controller's refusals name their kind so the agent can log it. */
enum mgmt_refusal {
	MGMT_BYE_NONE,
	MGMT_BYE_TOKEN,		/* enrolment token unknown, used or expired */
	MGMT_BYE_REVOKED,	/* the host was revoked */
	MGMT_BYE_PROTOCOL,	/* a malformed or unexpected frame */
	MGMT_BYE_IDENTITY,	/* HELLO's host id is not the certificate's */
	MGMT_BYE_SHUTDOWN,	/* the controller or agent is going away */
	MGMT_BYE_COUNT
};

struct mgmt_goodbye {
	uint32_t reason;		/* enum mgmt_refusal */
	char text[MGMT_TEXT_MAX];
};

/*
 * Enrolment, on a TLS connection where only the controller authenticates
 * (the agent has pinned its CA key): the agent sends a CSR for the key it
 * made, with the one-time token from plinth.cfg, and gets back a
 * certificate whose subject CN is its host id. A host that enrolled before
 * and kept its key sends its CSR without a token and gets its certificate
 * again, unless revoked: the certificate is public, and the mutual TLS
 * handshake that follows proves the key.
 */
struct mgmt_enrol {
	char token[MGMT_TOKEN_MAX];
	uint32_t csr_len;
	uint8_t csr[MGMT_DER_MAX];	/* PKCS#10, DER; its CN is the host id asked for */
};

struct mgmt_enrolled {
	char host_id[MGMT_ID_MAX];
	uint32_t cert_len;
	uint8_t cert[MGMT_DER_MAX];	/* X.509, DER, issued by the pinned CA */
};

/* Every type but MGMT_DATA has a descriptor. */
struct mgmt_msg_desc;
const struct mgmt_msg_desc *mgmt_msg_desc(enum mgmt_type type);
/* The size of the structure a message of that type decodes into (0: none). */
size_t mgmt_msg_size(enum mgmt_type type);

/*
 * The payload of the message of that type from the structure msg, into
 * buf: its length, or -EMSGSIZE when it does not fit (or past
 * MGMT_PAYLOAD_MAX), -EINVAL for a type without a descriptor.
 */
long mgmt_encode(enum mgmt_type type, const void *msg, uint8_t *buf, size_t cap);

/*
 * The structure msg (zeroed first; of the type's structure) from a payload.
 * 0, or -EBADMSG with the reason in err ("OP: field op_id missing").
 */
int mgmt_decode(enum mgmt_type type, const uint8_t *p, size_t len, void *msg, char *err,
		size_t errlen);

#endif
