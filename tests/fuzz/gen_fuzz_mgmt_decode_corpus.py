#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Writes the seed corpus of fuzz_mgmt_decode: management protocol streams as an agent and a
controller send them (plinth/mgmt/wire.h, tlv.h, msg.h), behind the chunk-size byte."""
import os
import struct
import sys

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "fuzz_mgmt_decode")
(HELLO, WELCOME, HEARTBEAT, OP, PROGRESS, RESULT, EVENT, EVENT_ACK, STATE, CHAN_OPEN,
 CHAN_CREDIT, CHAN_CLOSE, DATA, GOODBYE, ENROL, ENROLLED) = range(1, 17)


def num(tag, v):
    for w, fmt in ((1, "B"), (2, "H"), (4, "I"), (8, "Q")):
        if v < 1 << (8 * w):
            return struct.pack("!BH" + fmt, tag, w, v)
    raise ValueError(v)


def s(tag, text):
    b = text.encode()
    return struct.pack("!BH", tag, len(b)) + b


def nest(tag, body):
    return struct.pack("!BH", tag, len(body)) + body


def frame(ftype, payload, channel=0):
    return struct.pack("!IBBH", len(payload), ftype, 0, channel) + payload


def main():
    os.makedirs(OUT, exist_ok=True)
    hello = (s(1, "host-7f3a") + s(2, "boot-1") + num(3, 1) + s(4, "plinth") + num(5, 3) +
             num(6, 2) + num(7, 24 << 30) + num(8, 20 << 30) + num(9, 1))
    op = (s(1, "op-1") + num(2, 1) + s(3, "web") + num(4, 256 << 20) + num(5, 2) +
          s(6, "a" * 64) + s(7, "b" * 64) + s(9, "console=ttyS0") + s(10, "lan0"))
    part = s(1, "web") + num(2, 2) + num(3, 2) + num(4, 256 << 20) + num(5, 1)
    seeds = {
        "hello": bytes([0]) + frame(HELLO, hello) + frame(WELCOME, num(1, 5000) + num(2, 0)),
        "op": bytes([3]) + frame(OP, op) + frame(PROGRESS, s(1, "op-1") + num(2, 5) + num(3, 9))
        + frame(RESULT, s(1, "op-1") + num(2, 0xffffffe4) + num(3, 5) + s(4, "no room")),
        "state": bytes([63]) + frame(STATE, num(1, 7) + nest(2, part) + nest(2, part))
        + frame(EVENT, num(1, 6) + s(2, "web") + num(3, 4) + s(4, "stopped"))
        + frame(EVENT_ACK, num(1, 6)),
        "stream": bytes([9]) + frame(CHAN_OPEN, num(1, 2) + s(3, "c" * 64) + num(4, 4096)
                                     + num(5, 65536), 5)
        + frame(DATA, bytes(range(256)) * 4, 5) + frame(CHAN_CREDIT, num(1, 4096), 5)
        + frame(CHAN_CLOSE, num(1, 0), 5) + frame(HEARTBEAT, num(1, 1) + num(2, 12345))
        + frame(GOODBYE, s(1, "bye")),
        "enrol": bytes([17]) + frame(ENROL, s(1, "tok-1") + nest(2, bytes(range(256)) * 2))
        + frame(ENROLLED, s(1, "h-0011") + nest(2, b"\x30\x82\x01\x00" + bytes(252)))
        + frame(GOODBYE, num(2, 1) + s(1, "token already used")),
    }
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as fh:
            fh.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
