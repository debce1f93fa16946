#!/usr/bin/env python3
# tcp-relay.py HOST PORT: copies stdin to a TCP connection to HOST:PORT and the connection back
# to stdout, until both directions have ended. QEMU's user network runs it for each connection
# a guest makes to a guestfwd address (guestfwd=tcp:10.0.2.100:7443-cmd:...), which is how a
# test gives Plinth a controller on this machine with restrict=on (nothing leaves it).
# QEMU connects stderr to the guest's connection too, so complaints go to the file named by
# $TCP_RELAY_LOG, or nowhere: a word on stderr would reach the guest as stream bytes.
import os
import select
import socket
import sys


def complain(text):
    path = os.environ.get("TCP_RELAY_LOG")
    if path:
        with open(path, "a") as f:
            f.write(f"tcp-relay: {text}\n")


def main():
    if len(sys.argv) != 3:
        complain("usage: tcp-relay.py HOST PORT")
        return 2
    try:
        sock = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
    except OSError as e:
        # The guest sees its connection closed, as if the controller were down.
        complain(f"{sys.argv[1]}:{sys.argv[2]}: {e}")
        return 1
    sock.settimeout(None)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    stdin, stdout = sys.stdin.fileno(), sys.stdout.fileno()
    up_open = down_open = True
    while up_open or down_open:
        want = ([stdin] if up_open else []) + ([sock] if down_open else [])
        ready, _, _ = select.select(want, [], [])
        if stdin in ready:
            data = os.read(stdin, 65536)
            if data:
                sock.sendall(data)
            else:
                # The guest closed its side: pass the FIN on, keep reading the answer.
                up_open = False
                try:
                    sock.shutdown(socket.SHUT_WR)
                except OSError:
                    down_open = False
        if sock in ready:
            try:
                data = sock.recv(65536)
            except OSError:
                data = b""
            if data:
                view = memoryview(data)
                while view:
                    view = view[os.write(stdout, view):]
            else:
                # The controller closed: the guest sees the end of the stream, and what it
                # still sends has nowhere to go.
                down_open = up_open = False
    return 0


if __name__ == "__main__":
    sys.exit(main())
