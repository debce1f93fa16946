#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""serial-driver.py --port PORT --log FILE (--script FILE | --interactive) [--timeout SECONDS]

The far end of an emulator's serial port for tests that type on Plinth's console: connects to
the emulator's TCP server for COM1 (Bochs: com1: mode=socket-server, which waits for us before
it runs), writes every byte it receives to FILE (the same serial log mode=file would write),
and plays a script against what it receives. Script lines:
  wait REGEX      until REGEX matches output received after the previous wait's match
                  (Python re, multiline; carriage returns are removed before matching)
  send TEXT       send TEXT, with Python escapes: \\r for Enter, \\x01 for Ctrl-A
  sleep SECONDS   pause the script (wall clock)
Blank lines and lines starting with # are ignored. Exits when the emulator closes the
connection: status 0 when the whole script ran, 1 (naming the step it waited at) otherwise,
2 when it could not connect within --timeout seconds.

--interactive joins the serial port to this terminal instead (make run): what the emulator
sends is shown and logged, keys go to it unchanged (Plinth's Ctrl-A escapes included), and
Ctrl-] leaves, as in telnet."""
import argparse
import os
import re
import select
import socket
import sys
import termios
import time
import tty

QUIT_KEY = b"\x1d"  # Ctrl-]


def load_script(path):
    steps = []
    with open(path, encoding="utf-8") as f:
        for num, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            word, _, arg = line.partition(" ")
            if word == "wait":
                steps.append(("wait", re.compile(arg, re.M), num, arg))
            elif word == "send":
                data = arg.encode("latin-1").decode("unicode_escape").encode("latin-1")
                steps.append(("send", data, num, arg))
            elif word == "sleep":
                steps.append(("sleep", float(arg), num, arg))
            else:
                sys.exit(f"serial-driver: {path}:{num}: unknown step '{word}'")
    return steps


def connect(port, timeout):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=5)
        except OSError:
            if time.monotonic() > deadline:
                return None
            time.sleep(0.1)


def bridge(sock, log_path):
    """Copies between the socket and the terminal until either side ends or Ctrl-] is typed."""
    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd) if os.isatty(fd) else None
    if saved:
        tty.setraw(fd)
    try:
        with open(log_path, "wb") as log:
            while True:
                ready, _, _ = select.select([sock, fd], [], [])
                if sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return 0
                    os.write(sys.stdout.fileno(), data)
                    log.write(data)
                    log.flush()
                if fd in ready:
                    keys = os.read(fd, 1024)
                    if not keys or QUIT_KEY in keys:
                        sock.sendall(keys.split(QUIT_KEY)[0])
                        return 0
                    sock.sendall(keys)
    finally:
        if saved:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--log", required=True)
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--script")
    mode.add_argument("--interactive", action="store_true")
    ap.add_argument("--timeout", type=float, default=60)
    args = ap.parse_args()
    steps = [] if args.interactive else load_script(args.script)

    sock = connect(args.port, args.timeout)
    if sock is None:
        print(f"serial-driver: nothing listens on port {args.port}", file=sys.stderr)
        return 2
    if args.interactive:
        return bridge(sock, args.log)
    sock.setblocking(False)
    text = ""   # everything received, \r removed, for the waits
    pos = 0     # where the next wait starts looking
    step = 0
    resume_at = 0.0
    with open(args.log, "wb") as log:
        while True:
            # Run every step that can run now.
            while step < len(steps):
                kind, arg, num, src = steps[step]
                if kind == "wait":
                    m = arg.search(text, pos)
                    if not m:
                        break
                    pos = m.end()
                    print(f"serial-driver: line {num}: saw /{src}/", file=sys.stderr)
                elif kind == "send":
                    sock.setblocking(True)
                    sock.sendall(arg)
                    sock.setblocking(False)
                    print(f"serial-driver: line {num}: sent {src}", file=sys.stderr)
                elif kind == "sleep":
                    if not resume_at:
                        resume_at = time.monotonic() + arg
                    if time.monotonic() < resume_at:
                        break
                    resume_at = 0.0
                step += 1
            wait = 0.05 if resume_at else 1.0
            ready, _, _ = select.select([sock], [], [], wait)
            if not ready:
                continue
            try:
                data = sock.recv(65536)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data = b""
            if not data:
                break
            log.write(data)
            log.flush()
            text += data.decode("latin-1").replace("\r", "")
    if step < len(steps):
        kind, arg, num, src = steps[step]
        print(f"serial-driver: connection closed at line {num}: {kind} {src}", file=sys.stderr)
        return 1
    print("serial-driver: script done", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
