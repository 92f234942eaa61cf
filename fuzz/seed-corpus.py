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
- app_media, app_ptp, app_sip, app_dns, app_sdp: the UDP payloads of the
  Ethernet/IPv4 frames of those captures, routed by port (319/320 PTP, also
  EtherType 0x88F7 payloads; 5060 SIP, and its SDP body to app_sdp; 53/5353
  DNS; 9875 SAP to app_sdp; any other port at or above 1024 to app_media),
  at most MAX_APP_SEEDS distinct payloads per target, plus a few messages
  from the RFCs' examples (RTCP compound, RFC 5769 STUN request, RFC 8866
  SDP, RFC 3261 INVITE) and the PTPv1 Sync of crates/wire/tests/tshark.
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
MAX_APP_SEEDS = 40

# Messages laid out from the RFCs' figures and examples.
RFC_SEEDS = {
    "app_media": {
        # RFC 3550 §6.4.1/§6.5/§6.6: SR (one block) + SDES CNAME + BYE.
        "rtcp-sr-sdes-bye": bytes.fromhex(
            "81c8000c00000001e00000008000000000001f400000003200001f40"
            "0000000240fffffe0001000a000000210000000700000009"
            "81ca0003000000010103614062000000"
            "81cb00020000000103627965"
        ),
        # RFC 5769 §2.1 sample request.
        "stun-rfc5769": bytes.fromhex(
            "000100582112a442b7e7a701bc34d686fa87dfae802200105354554e2074657374"
            "20636c69656e74002400046e0001ff80290008932ff9b151263b36000600096576"
            "746a3a68367659202020000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571"
            "a280280004e57a3bcf"
        ),
        # RFC 3550 §5.1: CC=1, X=1 (RFC 8285 one-byte form), P=1.
        "rtp-ext-csrc-pad": bytes.fromhex(
            "b1e000010000000200000003" "00000009" "bede000110ff0000" "0707070002"
        ),
    },
    "app_sdp": {
        "rfc8866": b"v=0\r\no=jdoe 3724394400 3724394405 IN IP4 198.51.100.1\r\n"
        b"s=Call to John Smith\r\nc=IN IP4 198.51.100.1\r\nt=0 0\r\n"
        b"m=audio 49170 RTP/AVP 0\r\nm=video 51372 RTP/AVP 99\r\n"
        b"c=IN IP6 2001:db8::2\r\na=rtpmap:99 h263-1998/90000\r\n",
        "sap-aes67": b"\x20\x00\xbe\xef\xc0\xa8\x01\x0bapplication/sdp\x00v=0\r\n"
        b"o=- 1 1 IN IP4 192.168.1.11\r\ns=x\r\nc=IN IP4 239.69.1.10/32\r\nt=0 0\r\n"
        b"m=audio 5004 RTP/AVP 96\r\na=rtpmap:96 L24/48000/8\r\na=rtcp-mux\r\n",
    },
    "app_sip": {
        "rfc3261-invite": b"INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
        b"Via: SIP/2.0/TCP client.atlanta.example.com:5060;branch=z9hG4bK74bf9\r\n"
        b"Max-Forwards: 70\r\nCall-ID: 3848276298220188511@atlanta.example.com\r\n"
        b"CSeq: 1 INVITE\r\nContent-Type: application/sdp\r\nl: 24\r\n\r\n"
        b"v=0\r\nm=audio 1 RTP/AVP 0\r\n",
    },
}
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
def app_payloads(frame):
    """(target, payload) of an Ethernet frame's UDP/IPv4 or PTP payload."""
    if len(frame) < 14:
        return
    off = 12
    et = struct.unpack(">H", frame[off : off + 2])[0]
    while et in (0x8100, 0x88A8) and len(frame) >= off + 6:
        off += 4
        et = struct.unpack(">H", frame[off : off + 2])[0]
    off += 2
    if et == 0x88F7:
        yield "app_ptp", frame[off:]
        return
    if et != 0x0800 or len(frame) < off + 20 or frame[off + 9] != 17:
        return
    u = off + (frame[off] & 0xF) * 4
    if len(frame) < u + 8:
        return
    sport, dport, ulen = struct.unpack(">HHH", frame[u : u + 6])
    payload = frame[u + 8 : u + max(ulen, 8)]
    ports = (sport, dport)
    if 319 in ports or 320 in ports:
        yield "app_ptp", payload
    elif 5060 in ports:
        yield "app_sip", payload
        blank = payload.find(b"\r\n\r\n")
        if blank >= 0:
            yield "app_sdp", payload[blank + 4 :]
    elif 53 in ports or 5353 in ports:
        yield "app_dns", payload
    elif 9875 in ports:
        yield "app_sdp", payload
    elif min(ports) >= 1024:
        yield "app_media", payload


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
    app = {}

    def app_seed(target, payload):
        seen = app.setdefault(target, set())
        if payload and len(seen) < MAX_APP_SEEDS and payload not in seen:
            seen.add(payload)
            put(target, hashlib.sha1(payload).hexdigest(), payload)
            count(target)

    for path in captures():
        with open(path, "rb") as f:
            data = f.read()
        frames = pcapng_frames(data) if path.endswith(".pcapng") else pcap_frames(data)
        for link, frame in frames:
            if link != 1:
                continue
            for target, payload in app_payloads(frame):
                app_seed(target, payload)
    for target, seeds in RFC_SEEDS.items():
        for name, data in seeds.items():
            put(target, name, data)
            count(target)
    with open(os.path.join(ROOT, "crates/wire/tests/tshark/ptpv1-sync.hex")) as f:
        words = [w for line in f if not line.startswith("#") for w in line.split()]
    put("app_ptp", "ptpv1-sync", bytes(int(w, 16) for w in words))
    count("app_ptp")

    for t in sorted(n):
        print(f"{t}: {n[t]} seeds written to {rel(os.path.join(CORPUS, t))}")


if __name__ == "__main__":
    sys.exit(main())
