#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Writes the seed corpus of fuzz_vswitch (see the input format there)."""
import os
import struct
import sys

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "fuzz_vswitch")
SEND, POST, CLOCK, RESET, POKE, WIRE = range(6)
MAC = [bytes([2, 0, 0, 0, 0, i + 1]) for i in range(3)]


def op(kind, port, own_src=False, to_peer=False):
    for v in range(256):
        if (v % 3 == port and v // 3 % 6 == kind and bool(v & 0x40) == own_src
                and bool(v & 0x80) == to_peer):
            return bytes([v])
    raise ValueError((kind, port, own_src, to_peer))


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s


def hdr(flags=0, gso=0, hdr_len=0, gso_size=0, start=0, off=0):
    return struct.pack("<BBHHHHH", flags, gso, hdr_len, gso_size, start, off, 0)


def tcp(dst, src, payload, v6=False):
    """An Ethernet/IP/TCP frame with a partial checksum, and its TCP offset."""
    th_len = 20
    if v6:
        l4 = 14 + 40
        ip = struct.pack("!IHBB", 6 << 28, th_len + len(payload), 6, 64)
        ip += bytes(range(0x20, 0x30)) + bytes(range(0xa0, 0xb0))
        pseudo = csum(ip[8:40]) + th_len + len(payload) + 6
        eth = dst + src + b"\x86\xdd"
    else:
        l4 = 14 + 20
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + th_len + len(payload), 1, 0x4000,
                         64, 6, 0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
        ip = ip[:10] + struct.pack("!H", ~csum(ip) & 0xffff) + ip[12:]
        pseudo = csum(ip[12:20]) + th_len + len(payload) + 6
        eth = dst + src + b"\x08\x00"
    while pseudo >> 16:
        pseudo = (pseudo & 0xffff) + (pseudo >> 16)
    th = struct.pack("!HHIIBBHHH", 40000, 80, 1, 2, 5 << 4, 0x19, 65535, pseudo, 0)
    return eth + ip + th + payload, l4


def send(port, h, frame, nseg=2, **kw):
    return op(SEND, port, **kw) + bytes([nseg - 1]) + struct.pack("<H", len(frame)) + h + frame


def post(port, count, size, nseg=1):
    return op(POST, port) + bytes([count - 1]) + struct.pack("<H", size) + bytes([nseg - 1])


def wire(room, budget, frame=b""):
    return op(WIRE, 0) + bytes([room, budget]) + struct.pack("<H", len(frame)) + frame


def plain(dst, src, n):
    return dst + src + b"\x88\xb5" + bytes((i * 7) & 0xff for i in range(n - 14))


def main():
    os.makedirs(OUT, exist_ok=True)
    seeds = {}
    # Plain frames: learning, unicast, broadcast, no buffers, ageing.
    s = bytes([0, 0x40, 0])
    s += post(1, 4, 1600) + post(2, 4, 1600, 2)
    s += send(0, hdr(), plain(MAC[1], MAC[0], 200))
    s += send(1, hdr(), plain(MAC[0], MAC[1], 100))
    s += post(0, 2, 400)
    s += send(1, hdr(), plain(MAC[0], MAC[1], 100))
    s += send(2, hdr(), plain(b"\xff" * 6, MAC[2], 60), 1)
    s += op(CLOCK, 0) + b"\xff" + op(CLOCK, 0) + b"\xff"
    s += send(0, hdr(), plain(MAC[1], MAC[0], 1514), 3)
    seeds["plain"] = s
    # Checksum offload to a GUEST_CSUM receiver and to one without.
    f, l4 = tcp(b"\xff" * 6, MAC[0], bytes(range(200)))
    s = bytes([0x01, 0x02, 0x00]) + post(1, 2, 2000) + post(2, 2, 2000)
    s += send(0, hdr(1, 0, 0, 0, l4, 16), f)
    seeds["csum"] = s
    # TSO: passed through (MRG_RXBUF), cut in software, IPv6, bad header.
    for name, v6, fb in (("tso4", False, [0x05, 0x52, 0x00]), ("tso6", True, [0x09, 0x00, 0x62])):
        f, l4 = tcp(MAC[1], MAC[0], bytes((i * 3) & 0xff for i in range(3000)), v6)
        s = bytes(fb) + post(1, 8, 1600) + post(2, 8, 1600, 3)
        s += send(0, hdr(1, 4 if v6 else 1, l4 + 20, 1000, l4, 16), f, 3)
        s += send(0, hdr(1, 4 if v6 else 1, l4 + 20, 1000, l4, 16), f, 1, to_peer=True)
        s += send(0, hdr(1, 1, l4 + 20, 0, l4, 16), f)
        seeds[name] = s
    # Faults: a scribbled TX ring, then a reset.
    s = bytes([0x40, 0x40, 0x40]) + post(1, 2, 1600)
    s += op(POKE, 0) + struct.pack("<HH", 0x4002, 9)
    s += send(0, hdr(), plain(MAC[1], MAC[0], 60))
    s += op(RESET, 0) + send(0, hdr(), plain(MAC[1], MAC[0], 60))
    seeds["fault"] = s
    # A receive buffer turned device-readable: the receiver fails, the sender does not.
    s = bytes([0x00, 0x40, 0x00]) + post(1, 2, 1600)
    s += op(POKE, 1, own_src=True) + struct.pack("<HH", 12, 0)
    s += send(0, hdr(), plain(MAC[1], MAC[0], 60))
    s += send(0, hdr(), plain(MAC[1], MAC[0], 60))
    s += op(RESET, 1) + post(1, 2, 1600) + send(0, hdr(), plain(MAC[1], MAC[0], 60))
    seeds["rxfault"] = s
    # The uplink: a TSO frame to a MAC beyond the NIC (cut to the wire), a partial checksum
    # left to a NIC that offloads it (0x80), a NIC ring with little room, frames from the wire.
    far = bytes([0x52, 0x55, 10, 0, 2, 2])
    f, l4 = tcp(far, MAC[0], bytes((i * 5) & 0xff for i in range(4000)))
    s = bytes([0x85, 0x00, 0x00]) + post(1, 4, 1600)
    s += send(0, hdr(1, 1, l4 + 20, 1448, l4, 16), f, 2)
    s += wire(1, 2) + wire(7, 7)
    g, l4 = tcp(far, MAC[0], bytes(range(100)))
    s += send(0, hdr(1, 0, 0, 0, l4, 16), g)
    s += wire(7, 7, plain(MAC[1], far, 300)) + wire(7, 7, plain(b"\xff" * 6, far, 60))
    s += wire(7, 7, plain(MAC[1], b"\x01" * 6, 60)) + wire(3, 1, b"\x02" * 9)
    seeds["uplink"] = s
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as fh:
            fh.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
