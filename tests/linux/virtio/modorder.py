#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""modorder.py MODDIR MODULE...: prints, one a line, the .ko files of MODDIR that loading
MODULE... needs, each after everything it depends on: the order busybox insmod (which resolves
nothing itself) must load them in. What a module needs is what its own .modinfo section says:
"depends=" (the modules whose symbols it uses; depmod builds modules.dep from the same
symbols) and "softdep=pre:" (modules the kernel would ask modprobe for at run time, such as the
crc32c hash ext4 and jbd2 look up by the alias "crypto-crc32c"), so the fetched kernel's
modules.dep is not needed. Soft dependencies resolve by module name or by an "alias=" of a
module in MODDIR. A hard dependency missing from MODDIR is an error; a soft one that no module
in MODDIR provides is reported on stderr and skipped (it may be built into the kernel, which
this script cannot see). MODDIR must hold uncompressed .ko files."""
import os
import struct
import sys


def modinfo(path):
    """The NUL-separated key=value strings of the ELF64 .modinfo section of the module at
    path, as a list of (key, value)."""
    with open(path, "rb") as f:
        elf = f.read()
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        sys.exit(f"modorder: {path} is not a little-endian ELF64 object (compressed?)")
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3A)
    if shoff == 0 or shentsize < 64 or shoff + shnum * shentsize > len(elf) or shstrndx >= shnum:
        sys.exit(f"modorder: {path} has a bad section header table")

    def section(i):
        name, _, _, _, off, size = struct.unpack_from("<IIQQQQ", elf, shoff + i * shentsize)
        if off + size > len(elf):
            sys.exit(f"modorder: {path}: section {i} lies outside the file")
        return name, elf[off:off + size]

    _, strtab = section(shstrndx)
    for i in range(shnum):
        name_off, data = section(i)
        end = strtab.find(b"\0", name_off)
        if strtab[name_off:end] == b".modinfo":
            pairs = []
            for s in data.split(b"\0"):
                key, eq, value = s.decode("utf-8", "replace").partition("=")
                if eq:
                    pairs.append((key, value))
            return pairs
    sys.exit(f"modorder: {path} has no .modinfo section")


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    moddir = sys.argv[1]
    mods = {}  # module name -> (file name, hard deps, soft pre deps)
    alias = {}  # alias or name -> module name
    for fn in sorted(os.listdir(moddir)):
        if not fn.endswith(".ko"):
            continue
        info = modinfo(os.path.join(moddir, fn))
        name = next((v for k, v in info if k == "name"), fn[:-3]).replace("-", "_")
        hard = [d.replace("-", "_") for k, v in info if k == "depends" for d in v.split(",") if d]
        soft = []
        for k, v in info:
            if k != "softdep":
                continue
            # "pre: a b post: c": only the pre list must be loaded first.
            words, cur = v.split(), None
            for w in words:
                if w.endswith(":"):
                    cur = w[:-1]
                elif cur == "pre":
                    soft.append(w)
        mods[name] = (fn, hard, soft)
        alias[name] = name
        for k, v in info:
            if k == "alias":
                alias.setdefault(v, name)

    order, state = [], {}

    def visit(name, chain):
        if state.get(name) == "done":
            return
        if state.get(name) == "open":
            sys.exit(f"modorder: dependency cycle: {' -> '.join(chain + [name])}")
        if name not in mods:
            sys.exit(f"modorder: {chain[-1] if chain else 'command line'} needs {name}, "
                     f"which is not in {moddir}")
        state[name] = "open"
        fn, hard, soft = mods[name]
        for s in soft:
            target = alias.get(s) or alias.get(s.replace("-", "_"))
            if target is None:
                print(f"modorder: {name}'s soft dependency {s} is in no module of {moddir}; "
                      "skipped (built in or not needed)", file=sys.stderr)
            elif target != name:
                visit(target, chain + [name])
        for d in hard:
            visit(d, chain + [name])
        state[name] = "done"
        order.append(fn)

    for m in sys.argv[2:]:
        visit(m.replace("-", "_"), [])
    print("\n".join(order))


if __name__ == "__main__":
    main()
