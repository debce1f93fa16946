#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""mkcpio.py OUT.cpio.gz SPEC...: writes a gzipped newc ("070701") cpio archive, the format
the Linux kernel unpacks as its initramfs, without root: device nodes are records in the
archive, not files made with mknod. Every entry is owned by root with mtime 0, so the same
inputs give the same bytes. Each SPEC is one entry:
  dir:PATH:MODE            a directory (MODE in octal)
  file:PATH:MODE:SRC       a regular file with SRC's contents
  link:PATH:TARGET         a symbolic link
  char:PATH:MODE:MAJ:MIN   a character device node
Parent directories must come before what they hold."""
import gzip
import stat
import sys


def record(ino, mode, name, data=b"", nlink=1, rdev=(0, 0)):
    name_b = name.encode() + b"\0"
    fields = (ino, mode, 0, 0, nlink, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_b), 0)
    hdr = b"070701" + b"".join(b"%08x" % f for f in fields)
    out = hdr + name_b
    out += b"\0" * (-len(out) % 4)  # the name ends 4-byte aligned, header included
    out += data + b"\0" * (-len(data) % 4)
    return out


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    archive = bytearray()
    for ino, spec in enumerate(sys.argv[2:], start=1):
        kind, _, rest = spec.partition(":")
        parts = rest.split(":")
        path = parts[0].lstrip("/")
        if not path:
            sys.exit(f"mkcpio: empty path in {spec!r}")
        if kind == "dir" and len(parts) == 2:
            archive += record(ino, stat.S_IFDIR | int(parts[1], 8), path, nlink=2)
        elif kind == "file" and len(parts) == 3:
            with open(parts[2], "rb") as f:
                data = f.read()
            archive += record(ino, stat.S_IFREG | int(parts[1], 8), path, data)
        elif kind == "link" and len(parts) == 2:
            archive += record(ino, stat.S_IFLNK | 0o777, path, parts[1].encode())
        elif kind == "char" and len(parts) == 4:
            archive += record(ino, stat.S_IFCHR | int(parts[1], 8), path,
                              rdev=(int(parts[2]), int(parts[3])))
        else:
            sys.exit(f"mkcpio: bad entry {spec!r}")
    archive += record(0, 0, "TRAILER!!!", nlink=1)
    with open(sys.argv[1], "wb") as f:
        with gzip.GzipFile(fileobj=f, mode="wb", mtime=0, filename="") as gz:
            gz.write(archive)


if __name__ == "__main__":
    main()
