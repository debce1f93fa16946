#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Writes the seed corpus of fuzz_virtio_blk (see its header for the input
layout): well-formed requests of every type, so mutation starts from chains
the device executes rather than from ring errors.

Usage: tests/fuzz/gen_virtio_blk_corpus.py [outdir]
"""
import os
import struct
import sys

RAM_BASE = 0x1000
QUEUE_SPAN = 0x1000
F_NEXT, F_WRITE, F_INDIRECT = 1, 2, 4
T_IN, T_OUT, T_FLUSH, T_GET_ID, T_DISCARD, T_WZ = 0, 1, 4, 8, 11, 13


class Image:
    def __init__(self, size_log2, flags):
        self.hdr = bytes([size_log2, flags, 0])
        self.size = 1 << size_log2
        self.ram = bytearray()
        self.next_desc = {}
        self.avail = {}
        self.buf = {}

    def put(self, off, data):
        if len(self.ram) < off + len(data):
            self.ram.extend(b"\0" * (off + len(data) - len(self.ram)))
        self.ram[off:off + len(data)] = data

    def alloc(self, q, data):
        """Places data in queue q's spare space after its used ring."""
        at = self.buf.get(q, q * QUEUE_SPAN + 0x900)
        self.buf[q] = (at + len(data) + 15) & ~15
        self.put(at, data)
        return RAM_BASE + at

    def desc(self, table, i, addr, length, flags, nxt):
        self.put(table + 16 * i, struct.pack("<QIHH", addr, length, flags, nxt))

    def chain(self, q, bufs, indirect=False):
        """bufs: (gpa, len, writable); returns nothing, offers the chain."""
        table = q * QUEUE_SPAN
        head = self.next_desc.get(q, 0)
        if indirect:
            ind = self.alloc(q, b"\0" * (16 * len(bufs))) - RAM_BASE
            for i, (a, n, w) in enumerate(bufs):
                more = i + 1 < len(bufs)
                self.desc(ind, i, a, n, (F_WRITE if w else 0) | (F_NEXT if more else 0),
                          i + 1 if more else 0)
            self.desc(table, head, RAM_BASE + ind, 16 * len(bufs), F_INDIRECT, 0)
            self.next_desc[q] = head + 1
        else:
            for i, (a, n, w) in enumerate(bufs):
                more = i + 1 < len(bufs)
                idx = head + i
                self.desc(table, idx, a, n, (F_WRITE if w else 0) | (F_NEXT if more else 0),
                          idx + 1 if more else 0)
            self.next_desc[q] = head + len(bufs)
        k = self.avail.get(q, 0)
        avail = q * QUEUE_SPAN + 0x400
        self.put(avail + 4 + 2 * (k % self.size), struct.pack("<H", head))
        self.avail[q] = k + 1
        self.put(avail + 2, struct.pack("<H", k + 1))

    def req(self, q, typ, sector, data=(), indirect=False):
        hdr = self.alloc(q, struct.pack("<IIQ", typ, 0, sector))
        st = self.alloc(q, b"\xee")
        self.chain(q, [(hdr, 16, False)] + list(data) + [(st, 1, True)], indirect)

    def bytes(self):
        return self.hdr + bytes(self.ram)


def ranges(*rs):
    return b"".join(struct.pack("<QII", s, n, f) for s, n, f in rs)


def seeds():
    im = Image(4, 0)
    d = im.alloc(0, bytes(range(256)) * 2)
    im.req(0, T_OUT, 3, [(d, 512, False)])
    im.req(0, T_IN, 3, [(d, 256, True), (d + 256, 256, True)])
    yield "write_read", im

    im = Image(3, 1)
    im.req(0, T_GET_ID, 0, [(im.alloc(0, b"\0" * 20), 20, True)])
    im.req(0, T_FLUSH, 0)
    im.req(0, 99, 0)
    yield "get_id_flush_event_idx", im

    im = Image(4, 8)
    r = im.alloc(0, ranges((1, 2, 0), (10, 1, 0)))
    im.req(0, T_DISCARD, 0, [(r, 32, False)])
    r = im.alloc(0, ranges((4, 4, 1)))
    im.req(0, T_WZ, 0, [(r, 16, False)])
    yield "discard_write_zeroes", im

    im = Image(3, 2)
    d = im.alloc(0, b"\x55" * 512)
    im.req(0, T_OUT, 0, [(d, 512, False)])
    im.req(0, T_WZ, 0, [(im.alloc(0, ranges((0, 1, 0))), 16, False)])
    yield "readonly_writes", im

    im = Image(3, 4 | 1)
    for q in (0, 1):
        d = im.alloc(q, b"\0" * 1024)
        im.req(q, T_IN, 2 * q, [(d, 1024, True)])
        im.req(q, T_OUT, 8 + q, [(d, 512, False)])
    yield "two_queues", im

    im = Image(3, 0)
    d = im.alloc(0, b"\0" * 1024)
    im.req(0, T_IN, 14, [(d, 1024, True)], indirect=True)
    im.req(0, T_OUT, 15, [(d, 512, False)], indirect=True)
    yield "indirect", im


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "corpus", "fuzz_virtio_blk")
    os.makedirs(out, exist_ok=True)
    for name, im in seeds():
        with open(os.path.join(out, name), "wb") as f:
            f.write(im.bytes())


if __name__ == "__main__":
    main()
