// SPDX-License-Identifier: GPL-2.0
/*
 * The guest side of tools/bench/virtio (not a test): a static Linux program
 * (gcc -static -O2) put in the benchmark's initramfs. Times with
 * CLOCK_MONOTONIC, which under Bochs runs on emulated time.
 *
 *   virtio-io memcpy MIB               memcpy of 1 MiB blocks, MIB times
 *   virtio-io seqread DEV MIB          O_DIRECT 1 MiB preads from offset 0
 *   virtio-io seqwrite DEV MIB         O_DIRECT 1 MiB pwrites from offset 0, then fdatasync
 *   virtio-io randread DEV COUNT QD    COUNT O_DIRECT 4 KiB reads at random 4 KiB-aligned
 *                                      offsets, QD in flight at all times (Linux AIO)
 *   virtio-io tcprecv PORT             accepts one connection, reads it to its end
 *   virtio-io tcpsend ADDR PORT MIB    sends MIB MiB to ADDR:PORT (retries refused connects
 *                                      for 120 s)
 *
 * Each prints one line "BENCH-IO name MB/s=X [IOPS=Y] bytes=B ns=T" (MB = 10^6 bytes), or
 * "BENCH-IO-FAIL name: why" and exits 1.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MIB (1024 * 1024)
#define BLK 4096
#define QD_MAX 64

static const char *what = "virtio-io";

static void die(const char *fmt, const char *arg)
{
	printf("BENCH-IO-FAIL %s: ", what);
	printf(fmt, arg);
	printf(" (%s)\n", strerror(errno));
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void result(uint64_t bytes, uint64_t ns, uint64_t ops)
{
	double s = ns / 1e9;

	printf("BENCH-IO %s MB/s=%.2f", what, s > 0 ? bytes / s / 1e6 : 0.0);
	if (ops)
		printf(" IOPS=%.0f ops=%llu", s > 0 ? ops / s : 0.0, (unsigned long long)ops);
	printf(" bytes=%llu ns=%llu\n", (unsigned long long)bytes, (unsigned long long)ns);
	fflush(stdout);
}

static void *buffer(size_t len)
{
	void *p;

	if (posix_memalign(&p, BLK, len))
		die("no memory for %s", "a buffer");
	memset(p, 0x5a, len);
	return p;
}

static unsigned long num(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (!*s || *end)
		die("bad number '%s'", s);
	return v;
}

static void bench_memcpy(unsigned long mib)
{
	char *a = buffer(MIB), *b = buffer(MIB);
	uint64_t t0 = now_ns();

	for (unsigned long i = 0; i < mib; i++) {
		memcpy((i & 1) ? a : b, (i & 1) ? b : a, MIB);
		asm volatile("" : : "r"(a), "r"(b) : "memory");
	}
	result((uint64_t)mib * MIB, now_ns() - t0, 0);
}

static void bench_seq(const char *dev, unsigned long mib, int write)
{
	int fd = open(dev, (write ? O_WRONLY : O_RDONLY) | O_DIRECT);
	char *buf = buffer(MIB);
	uint64_t t0;

	if (fd < 0)
		die("open %s", dev);
	t0 = now_ns();
	for (unsigned long i = 0; i < mib; i++) {
		ssize_t n = write ? pwrite(fd, buf, MIB, (off_t)i * MIB) :
				    pread(fd, buf, MIB, (off_t)i * MIB);

		if (n != MIB)
			die("1 MiB transfer on %s", dev);
	}
	if (write && fdatasync(fd))
		die("fdatasync %s", dev);
	result((uint64_t)mib * MIB, now_ns() - t0, 0);
	close(fd);
}

/* A small xorshift: the same offsets every run. */
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void bench_randread(const char *dev, unsigned long count, unsigned long qd)
{
	struct iocb cbs[QD_MAX], *ptrs[QD_MAX];
	struct io_event ev[QD_MAX];
	aio_context_t ctx = 0;
	int fd = open(dev, O_RDONLY | O_DIRECT);
	char *buf = buffer(QD_MAX * BLK);
	unsigned long submitted = 0, done = 0, nfree;
	unsigned int free_slot[QD_MAX];
	uint64_t blocks, t0;
	off_t size;

	if (fd < 0)
		die("open %s", dev);
	size = lseek(fd, 0, SEEK_END);
	if (size < BLK)
		die("%s is smaller than 4 KiB", dev);
	blocks = (uint64_t)size / BLK;
	if (qd < 1 || qd > QD_MAX)
		die("queue depth %s out of 1..64", "QD");
	if (syscall(SYS_io_setup, (long)qd, &ctx))
		die("io_setup(%s)", "QD");
	for (nfree = 0; nfree < qd; nfree++)
		free_slot[nfree] = (unsigned int)nfree;
	t0 = now_ns();
	while (done < count) {
		long n = 0, got;

		/* Refill every free slot at once: one submission, as fio's iodepth_batch would. */
		while (nfree && submitted + (unsigned long)n < count) {
			unsigned int slot = free_slot[--nfree];
			struct iocb *cb = &cbs[slot];

			memset(cb, 0, sizeof(*cb));
			cb->aio_data = slot;
			cb->aio_fildes = (uint32_t)fd;
			cb->aio_lio_opcode = IOCB_CMD_PREAD;
			cb->aio_buf = (uintptr_t)(buf + (size_t)slot * BLK);
			cb->aio_nbytes = BLK;
			cb->aio_offset = (int64_t)((next_rand() % blocks) * BLK);
			ptrs[n++] = cb;
		}
		if (n && syscall(SYS_io_submit, ctx, n, ptrs) != n)
			die("io_submit on %s", dev);
		submitted += (unsigned long)n;
		got = syscall(SYS_io_getevents, ctx, 1L, (long)qd, ev, NULL);
		if (got < 1)
			die("io_getevents on %s", dev);
		for (long i = 0; i < got; i++) {
			if (ev[i].res != BLK || ev[i].data >= qd)
				die("a 4 KiB read on %s came back short", dev);
			free_slot[nfree++] = (unsigned int)ev[i].data;
		}
		done += (unsigned long)got;
	}
	result((uint64_t)count * BLK, now_ns() - t0, count);
	syscall(SYS_io_destroy, ctx);
	close(fd);
}

static void bench_tcprecv(unsigned long port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int one = 1, ls = socket(AF_INET, SOCK_STREAM, 0), s;
	char *buf = buffer(MIB);
	uint64_t bytes = 0, t0 = 0;
	ssize_t n;

	if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(ls, (struct sockaddr *)&a, sizeof(a)) || listen(ls, 1))
		die("listen on port %s", "PORT");
	printf("BENCH-IO-LISTENING %lu\n", port);
	fflush(stdout);
	s = accept(ls, NULL, NULL);
	if (s < 0)
		die("accept on %s", "PORT");
	t0 = now_ns();
	while ((n = read(s, buf, MIB)) > 0)
		bytes += (uint64_t)n;
	if (n < 0)
		die("read from %s", "the connection");
	result(bytes, now_ns() - t0, 0);
	close(s);
	close(ls);
}

static void bench_tcpsend(const char *addr, unsigned long port, unsigned long mib)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	char *buf = buffer(MIB);
	uint64_t t0, give_up = now_ns() + 120000000000ull;
	int s;

	if (inet_pton(AF_INET, addr, &a.sin_addr) != 1)
		die("bad address %s", addr);
	for (;;) {
		s = socket(AF_INET, SOCK_STREAM, 0);
		if (s < 0)
			die("socket for %s", addr);
		if (!connect(s, (struct sockaddr *)&a, sizeof(a)))
			break;
		close(s);
		if (now_ns() > give_up)
			die("connect to %s", addr);
		usleep(200000);
	}
	t0 = now_ns();
	for (unsigned long i = 0; i < mib; i++) {
		size_t off = 0;

		while (off < MIB) {
			ssize_t n = write(s, buf + off, MIB - off);

			if (n <= 0)
				die("write to %s", addr);
			off += (size_t)n;
		}
	}
	/* The peer has it all when it closes its side: wait for that end of stream. */
	shutdown(s, SHUT_WR);
	while (read(s, buf, MIB) > 0)
		;
	result((uint64_t)mib * MIB, now_ns() - t0, 0);
	close(s);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		goto usage;
	what = argv[1];
	if (!strcmp(argv[1], "memcpy") && argc == 3)
		bench_memcpy(num(argv[2]));
	else if (!strcmp(argv[1], "seqread") && argc == 4)
		bench_seq(argv[2], num(argv[3]), 0);
	else if (!strcmp(argv[1], "seqwrite") && argc == 4)
		bench_seq(argv[2], num(argv[3]), 1);
	else if (!strcmp(argv[1], "randread") && argc == 5)
		bench_randread(argv[2], num(argv[3]), num(argv[4]));
	else if (!strcmp(argv[1], "tcprecv") && argc == 3)
		bench_tcprecv(num(argv[2]));
	else if (!strcmp(argv[1], "tcpsend") && argc == 5)
		bench_tcpsend(argv[2], num(argv[3]), num(argv[4]));
	else
		goto usage;
	return 0;
usage:
	fprintf(stderr, "usage: virtio-io memcpy MIB | seqread DEV MIB | seqwrite DEV MIB |\n"
			"       randread DEV COUNT QD | tcprecv PORT | tcpsend ADDR PORT MIB\n");
	return 2;
}
