/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CTL_UTIL_H
#define CTL_UTIL_H

/*
 * Small helpers the controller, plinthctl's peers and the tests share:
 * log lines, hashes in hex, random tokens, clocks. No plinth/ headers
 * here: hosted code sees only the C library's.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHA256_HEX_LEN 65	/* 64 digits and a NUL */

/* "controller: ..." on stderr, one line, flushed (the scenario tests grep for it). */
void ctl_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Lowercase hex SHA-256 of n bytes into out (SHA256_HEX_LEN). */
void sha256_hex(const void *p, size_t n, char out[SHA256_HEX_LEN]);

/* nbytes random bytes as lowercase hex into out (2 * nbytes + 1): 0, or -EIO. */
int random_hex(char *out, size_t nbytes);

int64_t now_unix(void);
uint64_t now_mono_ns(void);

/* [a-z0-9-]{1,63}: the contract's host id grammar. */
bool host_id_valid(const char *s);
/* [a-z0-9-]{1,31}: a partition's name (contract2). */
bool part_name_valid(const char *s);
/* 64 lowercase hex digits. */
bool sha256_hex_valid(const char *s);

/* "IP:PORT" or "[IPv6]:PORT" into a sockaddr for bind/connect: 0, or -EINVAL. */
struct sockaddr_storage;
int parse_addr(const char *s, struct sockaddr_storage *ss, unsigned int *len);

#endif
