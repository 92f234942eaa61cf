#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets from the repository's fixtures.

Run from anywhere: `python3 fuzz/seed-corpus.py`. It adds files to
fuzz/corpus/<target>/ (named after their source, or by content hash for the
extracted frames) and never deletes anything, so it can be re-run on top of a
corpus the fuzzer has grown. The committed corpora are these seeds plus what
the fuzzer found, minimised with `cargo fuzz cmin`.

- capture_reader, analysis: every capture under fixtures/ (pcap, pcapng,
  malformed, gzip, the demo room and the blocked-firewall capture).
- frame_decode: every packet of those captures as one input each: two bytes
  selecting the link type (the index into portmatrix_fuzz::wire::SUPPORTED,
  little-endian), then the frame.
- rules_loader: rules/*.toml and fixtures/rules/**/*.toml; a file above
  64 KiB (the 400 KiB Avaya file) is cut after its first 20 rules, so that
  the fuzzer's length limit stays at a size it can mutate quickly.
- site_loader: fixtures/site/**/*.toml and fixtures/demo/site.toml.
- capture_reader, analysis, also: error-heavy pcapng files written here from
  the format description (`error_floods`): hundreds of packet blocks naming
  an undescribed interface, of statistics blocks with a bad option, of
  packet blocks with an absurd captured length; a `cat` of single-interface
  captures; a section with more interfaces than the per-section limit.
  `python3 fuzz/seed-corpus.py --floods` writes only these.
"""

import hashlib
import os
import shutil
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")

# Must match portmatrix_fuzz::wire::SUPPORTED.
SUPPORTED = [0, 1, 101, 108, 113, 228, 229, 276]

CAPTURE_DIRS = ["fixtures/pcap", "fixtures/pcapng", "fixtures/malformed"]
CAPTURE_FILES = ["fixtures/demo/room.pcapng", "fixtures/blocked/firewall.pcap"]
MAX_RULES_IN_CUT = 20
MAX_WHOLE_RULE_FILE = 64 * 1024


def rel(path):
    return os.path.relpath(path, ROOT)


def files_under(d, suffixes=None):
    out = []
    for base, _, names in os.walk(os.path.join(ROOT, d)):
        for n in sorted(names):
            if suffixes is None or n.endswith(suffixes):
                out.append(os.path.join(base, n))
    return sorted(out)


def seed_name(path):
    return rel(path).replace(os.sep, "__")


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def captures():
    out = []
    for d in CAPTURE_DIRS:
        out += [p for p in files_under(d) if not p.endswith(".md")]
    out += [os.path.join(ROOT, f) for f in CAPTURE_FILES]
    return out


def pcap_frames(b):
    """(link type, frame) of a classic pcap file; stops at damage."""
    if len(b) < 24:
        return
    magic = b[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return
    link = struct.unpack(e + "I", b[20:24])[0] & 0xFFFF
    off = 24
    while off + 16 <= len(b):
        caplen = struct.unpack(e + "I", b[off + 8 : off + 12])[0]
        if off + 16 + caplen > len(b):
            return
        yield link, b[off + 16 : off + 16 + caplen]
        off += 16 + caplen


def pcapng_frames(b):
    """(link type, frame) of the EPBs of a pcapng file; stops at damage."""
    off = 0
    e = "<"
    links = []
    while off + 12 <= len(b):
        if b[off : off + 4] == b"\x0a\x0d\x0d\x0a":
            e = "<" if b[off + 8 : off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            links = []
        btype, blen = struct.unpack(e + "II", b[off : off + 8])
        if blen < 12 or off + blen > len(b):
            return
        body = b[off + 8 : off + blen - 4]
        if btype == 1 and len(body) >= 2:
            links.append(struct.unpack(e + "H", body[:2])[0])
        elif btype == 6 and len(body) >= 20:
            iface, _, _, caplen = struct.unpack(e + "IIII", body[:16])
            if iface < len(links) and 20 + caplen <= len(body):
                yield links[iface], body[20 : 20 + caplen]
        off += blen


def le(*words):
    return struct.pack("<%dI" % len(words), *words)


# Blocks of the pcapng description (draft-ietf-opsawg-pcapng), little-endian.
SHB = le(0x0A0D0D0A, 28, 0x1A2B3C4D, 1) + struct.pack("<q", -1) + le(28)
IDB = le(1, 20, 1, 262144, 20)  # Ethernet, snaplen 262144
EPB_IF0 = le(6, 36, 0, 0, 0, 4, 60) + b"abcd" + le(36)
EPB_IF7 = le(6, 32, 7, 0, 0, 0, 0) + le(32)  # no IDB describes interface 7
EPB_ABSURD = le(6, 32, 0, 0, 0, 0xFFFFFFF0, 0xFFFFFFF0) + le(32)
# ISB for interface 0 whose isb_ifdrop (code 5, 8 bytes) has length 4.
ISB_BAD = le(5, 36, 0, 0, 0) + struct.pack("<HH", 5, 4) + le(7, 0, 36)


def error_floods():
    """(name, bytes) of the error-heavy seeds."""
    return [
        ("flood__unknown-interface.pcapng", SHB + EPB_IF7 * 300 + EPB_IF0),
        ("flood__isb-bad-option.pcapng", SHB + IDB + ISB_BAD * 300 + EPB_IF0),
        ("flood__epb-absurd-caplen.pcapng", SHB + IDB + EPB_ABSURD * 300 + EPB_IF0),
        ("flood__mixed.pcapng", SHB + IDB + (ISB_BAD + EPB_ABSURD + EPB_IF7 + EPB_IF0) * 100),
        ("flood__cat-of-sections.pcapng", (SHB + IDB + EPB_IF0) * 40),
        (
            "flood__section-over-interface-limit.pcapng",
            SHB + IDB * 4098 + le(6, 36, 4097, 0, 0, 4, 60) + b"abcd" + le(36) + EPB_IF0,
        ),
    ]


def main():
    n = {}
    if "--floods" in sys.argv[1:]:
        for name, data in error_floods():
            for t in ("capture_reader", "analysis"):
                put(t, name, data)
                print(f"{t}: {name} ({len(data)} bytes)")
        return 0

    def count(t):
        n[t] = n.get(t, 0) + 1

    for path in captures():
        with open(path, "rb") as f:
            data = f.read()
        for t in ("capture_reader", "analysis"):
            put(t, seed_name(path), data)
            count(t)
        frames = pcapng_frames(data) if path.endswith(".pcapng") else pcap_frames(data)
        for link, frame in frames:
            if link not in SUPPORTED:
                continue
            seed = struct.pack("<H", SUPPORTED.index(link)) + frame
            put("frame_decode", hashlib.sha1(seed).hexdigest(), seed)
            count("frame_decode")

    for path in files_under("rules", (".toml",)) + files_under("fixtures/rules", (".toml",)):
        with open(path, "rb") as f:
            data = f.read()
        marker = b"\n[[rule]]"
        if len(data) > MAX_WHOLE_RULE_FILE:
            cut = 0
            for _ in range(MAX_RULES_IN_CUT + 1):
                cut = data.index(marker, cut + 1)
            data = data[: cut + 1]
            put("rules_loader", seed_name(path) + ".head", data)
        else:
            put("rules_loader", seed_name(path), data)
        count("rules_loader")

    sites = files_under("fixtures/site", (".toml",)) + [
        os.path.join(ROOT, "fixtures/demo/site.toml")
    ]
    for path in sites:
        with open(path, "rb") as f:
            put("site_loader", seed_name(path), f.read())
        count("site_loader")

    for name, data in error_floods():
        for t in ("capture_reader", "analysis"):
            put(t, name, data)
            count(t)

    for t in sorted(n):
        print(f"{t}: {n[t]} seeds written to {rel(os.path.join(CORPUS, t))}")


if __name__ == "__main__":
    sys.exit(main())
