#!/usr/bin/env python3
"""Host side of tests/net/qemu-net.sh and tests/net/bochs-uplink.sh (python3 stdlib only).

echo HOST PORT [BYTES]: sends BYTES (default 16 MiB) of random data to an echo
server while reading the echo concurrently; compares length and sha256 both
ways and prints the throughput. Exit status 0 when the echo matches.

exit HOST PORT: connects to Plinth's test-exit port (kernel/net/net_echo.c), which ends
a test run that has no partitions.

sink PORT PORTFILE: listens on 127.0.0.1:PORT (0: any free port, written to PORTFILE),
takes one connection and reads it to its end; prints the bytes, the time from the first
byte to the last and the throughput (tools/bench/uplink: a guest's upload).
"""
import hashlib
import os
import socket
import sys
import threading
import time

CHUNK = 64 * 1024


def connect(host, port, deadline):
    # Slirp's port forward accepts even when the guest does not listen (and
    # then closes at once): qemu-net.sh waits for Plinth's listening line first.
    while True:
        try:
            return socket.create_connection((host, port), timeout=10)
        except OSError as e:
            if time.monotonic() > deadline:
                raise SystemExit(f"echo-client: cannot connect to {host}:{port}: {e}")
            time.sleep(0.5)


def echo(host, port, total):
    s = connect(host, port, time.monotonic() + 30)
    s.settimeout(60)
    data = os.urandom(total)
    sent_hash = hashlib.sha256(data).hexdigest()
    result = {}

    def reader():
        h = hashlib.sha256()
        n = 0
        try:
            while True:
                b = s.recv(CHUNK)
                if not b:
                    break
                h.update(b)
                n += len(b)
        except OSError as e:
            result["error"] = str(e)
        result["n"] = n
        result["hash"] = h.hexdigest()
        result["end"] = time.monotonic()

    t = threading.Thread(target=reader)
    start = time.monotonic()
    t.start()
    view = memoryview(data)
    try:
        for off in range(0, total, CHUNK):
            s.sendall(view[off:off + CHUNK])
        sent_end = time.monotonic()
        s.shutdown(socket.SHUT_WR)
    except OSError as e:
        print(f"echo-client: send failed: {e}")
        s.close()
        t.join()
        return 1
    t.join()
    s.close()
    secs = max(result["end"] - start, 1e-6)
    mb = total / 1e6
    print(f"echo-client: sent {total} bytes in {sent_end - start:.2f} s, sha256 {sent_hash}")
    print(f"echo-client: received {result['n']} bytes in {secs:.2f} s, sha256 {result['hash']}")
    print(f"echo-client: {mb / secs:.2f} MB/s each way ({2 * mb / secs:.2f} MB/s total)")
    if "error" in result:
        print(f"echo-client: receive failed: {result['error']}")
        return 1
    if result["n"] != total or result["hash"] != sent_hash:
        print("echo-client: FAIL: the echo differs from what was sent")
        return 1
    print("echo-client: PASS")
    return 0


def request_exit(host, port):
    # Plinth ends the run on the connection itself (kernel/net/net_echo.c) and resets it.
    s = connect(host, port, time.monotonic() + 10)
    s.settimeout(10)
    try:
        s.recv(1)
    except OSError:
        pass
    s.close()
    return 0


def sink(port, portfile):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(1)
    with open(portfile + ".tmp", "w") as f:
        f.write(f"{srv.getsockname()[1]}\n")
    os.rename(portfile + ".tmp", portfile)
    srv.settimeout(1800)
    c, peer = srv.accept()
    c.settimeout(120)
    n, first = 0, None
    try:
        while True:
            b = c.recv(CHUNK)
            if not b:
                break
            if first is None:
                first = time.monotonic()
            n += len(b)
    except OSError as e:
        print(f"sink: receive failed after {n} bytes: {e}")
        return 1
    end = time.monotonic()
    c.close()
    secs = max(end - (first or end), 1e-6)
    print(f"sink: {n} bytes from {peer[0]} in {secs:.2f} s, {n / 1e6 / secs:.2f} MB/s")
    return 0


def main(argv):
    if len(argv) >= 3 and argv[0] == "echo":
        total = int(argv[3]) if len(argv) > 3 else 16 << 20
        return echo(argv[1], int(argv[2]), total)
    if len(argv) == 3 and argv[0] == "sink":
        return sink(int(argv[1]), argv[2])
    if len(argv) == 3 and argv[0] == "exit":
        return request_exit(argv[1], int(argv[2]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
