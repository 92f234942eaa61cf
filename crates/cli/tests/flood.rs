//! Flow floods through the binary: a capture holding far more flows than
//! `--max-flows` allows — random UDP 5-tuples (one packet each), a SYN scan
//! of every port of one host, a UDP sweep of every port of another — with
//! two real conversations of the demo room woven through it (a Telnet
//! session from the control PC to the ClearOne Converge Pro on TCP 23, and
//! a DNS query with its answer).
//!
//! With `--max-flows 10000` the peak resident memory of the process stays
//! bounded (measured with `/usr/bin/time -f %M` when present, else by
//! sampling `VmHWM` in `/proc/<pid>/status`): under 200 MiB, under 8 KiB
//! per flow of the cap above a run on the real conversations alone, and
//! well below a run that keeps every flow. Evictions are reported; every
//! flow is still reported once; and the two real conversations get the
//! verdicts they get without the flood.
//!
//! The default variant has 100 537 flows, 10× the cap (20 000 random
//! 5-tuples, the 65 535-port SYN scan, a 15 000-port UDP sweep, the two
//! real flows); it runs the binary three times (the room alone, the flood
//! capped, the flood uncapped) and takes about half a minute in a debug
//! build. `flood_of_a_million_flows` (ignored) has 1 000 000 random 5-tuples
//! and a full 65 535-port sweep; run it with
//! `cargo test --release -p portmatrix --test main flood -- --ignored --nocapture`
//! (keeping every flow then takes about 1.2 GiB).

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::de::{Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

use crate::util::fixtures_dir;

// ---- writing the capture ---------------------------------------------------

/// A little-endian, nanosecond pcap file written record by record
/// (magic A1B23C4D, version 2.4, snaplen 262144, Ethernet).
pub struct PcapWriter<W: std::io::Write> {
    out: W,
}

impl<W: std::io::Write> PcapWriter<W> {
    pub fn new(mut out: W) -> std::io::Result<Self> {
        let mut h = Vec::with_capacity(24);
        h.extend_from_slice(&0xa1b2_3c4d_u32.to_le_bytes());
        h.extend_from_slice(&2u16.to_le_bytes());
        h.extend_from_slice(&4u16.to_le_bytes());
        h.extend_from_slice(&[0; 8]);
        h.extend_from_slice(&262_144u32.to_le_bytes());
        h.extend_from_slice(&1u32.to_le_bytes());
        out.write_all(&h)?;
        Ok(PcapWriter { out })
    }

    pub fn packet(&mut self, ts_ns: u64, frame: &[u8]) -> std::io::Result<()> {
        let mut h = [0u8; 16];
        h[0..4].copy_from_slice(&((ts_ns / 1_000_000_000) as u32).to_le_bytes());
        h[4..8].copy_from_slice(&((ts_ns % 1_000_000_000) as u32).to_le_bytes());
        h[8..12].copy_from_slice(&(frame.len() as u32).to_le_bytes());
        h[12..16].copy_from_slice(&(frame.len() as u32).to_le_bytes());
        self.out.write_all(&h)?;
        self.out.write_all(frame)
    }

    pub fn finish(mut self) -> std::io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// A transport header (RFC 793, RFC 768) with payload.
pub enum L4<'a> {
    Tcp {
        sport: u16,
        dport: u16,
        seq: u32,
        ack: u32,
        flags: u8,
        payload: &'a [u8],
    },
    Udp {
        sport: u16,
        dport: u16,
        payload: &'a [u8],
    },
}

pub const SYN: u8 = 0x02;
pub const FIN: u8 = 0x01;
pub const PSH: u8 = 0x08;
pub const ACK: u8 = 0x10;

fn ones_complement(data: &[u8]) -> u16 {
    let mut sum: u32 = data
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// An Ethernet II frame (optionally 802.1Q-tagged) with an IPv4 packet
/// (RFC 791, header checksum filled in) from `src` to `dst`.
pub fn ipv4_frame(vlan: Option<u16>, src: [u8; 4], dst: [u8; 4], l4: &L4<'_>) -> Vec<u8> {
    let (proto, t) = match *l4 {
        L4::Tcp {
            sport,
            dport,
            seq,
            ack,
            flags,
            payload,
        } => {
            let mut t = Vec::with_capacity(20 + payload.len());
            t.extend_from_slice(&sport.to_be_bytes());
            t.extend_from_slice(&dport.to_be_bytes());
            t.extend_from_slice(&seq.to_be_bytes());
            t.extend_from_slice(&ack.to_be_bytes());
            t.extend_from_slice(&[0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
            t.extend_from_slice(payload);
            (6u8, t)
        }
        L4::Udp {
            sport,
            dport,
            payload,
        } => {
            let mut t = Vec::with_capacity(8 + payload.len());
            t.extend_from_slice(&sport.to_be_bytes());
            t.extend_from_slice(&dport.to_be_bytes());
            t.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
            t.extend_from_slice(&[0, 0]);
            t.extend_from_slice(payload);
            (17u8, t)
        }
    };
    let mut f = Vec::with_capacity(18 + 20 + t.len());
    f.extend_from_slice(&[0x02, 0, dst[0], dst[1], dst[2], dst[3]]);
    f.extend_from_slice(&[0x02, 0, src[0], src[1], src[2], src[3]]);
    if let Some(v) = vlan {
        f.extend_from_slice(&0x8100u16.to_be_bytes());
        f.extend_from_slice(&v.to_be_bytes());
    }
    f.extend_from_slice(&0x0800u16.to_be_bytes());
    let ip_at = f.len();
    f.extend_from_slice(&[0x45, 0]);
    f.extend_from_slice(&((20 + t.len()) as u16).to_be_bytes());
    f.extend_from_slice(&[0, 1, 0x40, 0, 64, proto, 0, 0]);
    f.extend_from_slice(&src);
    f.extend_from_slice(&dst);
    let c = ones_complement(&f[ip_at..ip_at + 20]);
    f[ip_at + 10..ip_at + 12].copy_from_slice(&c.to_be_bytes());
    f.extend_from_slice(&t);
    f
}

/// xorshift64: random but repeatable floods.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

const CONTROL_PC: [u8; 4] = [10, 10, 20, 51];
const CLEARONE: [u8; 4] = [10, 10, 20, 20];
const CONTROL_PROCESSOR: [u8; 4] = [10, 10, 20, 10];
const RESOLVER: [u8; 4] = [10, 10, 20, 2];
const SCANNER: [u8; 4] = [192, 0, 2, 66];
const SCANNED: [u8; 4] = [198, 51, 100, 7];
const SWEPT: [u8; 4] = [198, 51, 100, 8];

/// The room's real packets, in groups sent together: the Telnet session
/// (handshake, `rounds` segments alternating between the two sides, FINs)
/// and, in its middle, a DNS query and its answer.
fn room_packets(rounds: usize) -> Vec<Vec<Vec<u8>>> {
    let telnet = |from_pc: bool, seq: u32, ack: u32, flags: u8, payload: &[u8]| {
        let (src, dst, sport, dport) = if from_pc {
            (CONTROL_PC, CLEARONE, 50523, 23)
        } else {
            (CLEARONE, CONTROL_PC, 23, 50523)
        };
        let l4 = L4::Tcp {
            sport,
            dport,
            seq,
            ack,
            flags,
            payload,
        };
        ipv4_frame(Some(20), src, dst, &l4)
    };
    let (a, b) = (0x1000_0000u32, 0x2000_0000u32);
    let mut v = vec![
        vec![telnet(true, a, 0, SYN, b"")],
        vec![telnet(false, b, a + 1, SYN | ACK, b"")],
        vec![telnet(true, a + 1, b + 1, ACK, b"")],
    ];
    let (mut sa, mut sb) = (a + 1, b + 1);
    let cmd = b"#STATUS\r\n";
    let reply = b"#STATUS OK ch1 on ch2 on\r\n";
    for i in 0..rounds {
        if i % 2 == 0 {
            v.push(vec![telnet(true, sa, sb, PSH | ACK, cmd)]);
            sa += cmd.len() as u32;
        } else {
            v.push(vec![telnet(false, sb, sa, PSH | ACK, reply)]);
            sb += reply.len() as u32;
        }
        if i == rounds / 2 {
            let q = L4::Udp {
                sport: 41000,
                dport: 53,
                payload: b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x04time\x04room\x07example\x00\x00\x01\x00\x01",
            };
            let r = L4::Udp {
                sport: 53,
                dport: 41000,
                payload: b"\x12\x34\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00\x04time\x04room\x07example\x00\x00\x01\x00\x01\xc0\x0c\x00\x01\x00\x01\x00\x00\x0e\x10\x00\x04\x0a\x0a\x14\x01",
            };
            v.push(vec![
                ipv4_frame(Some(20), CONTROL_PROCESSOR, RESOLVER, &q),
                ipv4_frame(Some(20), RESOLVER, CONTROL_PROCESSOR, &r),
            ]);
        }
    }
    v.push(vec![telnet(true, sa, sb, FIN | ACK, b"")]);
    v.push(vec![telnet(false, sb, sa + 1, ACK, b"")]);
    v.push(vec![telnet(false, sb, sa + 1, FIN | ACK, b"")]);
    v.push(vec![telnet(true, sa + 1, sb + 1, ACK, b"")]);
    v
}

/// Writes the flood to `path`: `random` UDP 5-tuples (sources among 4 096
/// hosts of 10.128.0.0/20, destinations anywhere in 172.16.0.0/12, both
/// ports ephemeral; see `memory_under_the_cap_does_not_grow_with_distinct_sources`
/// for sources without limit), a SYN
/// scan of ports 1-65535 of one host, a UDP sweep of ports 1-`sweep` of
/// another, 1 µs apart; one group of room packets every 2 000 flood packets.
/// Returns the number of distinct flows.
fn write_flood(path: &Path, random: usize, sweep: usize) -> u64 {
    let file = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path).unwrap());
    let mut w = PcapWriter::new(file).unwrap();
    let total = random + 65_535 + sweep;
    let rooms = room_packets(total / 2_000);
    let every = total / (rooms.len() + 1);
    let mut rooms = rooms.into_iter();
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut tuples = HashSet::with_capacity(random);
    let mut ts = 1_700_000_000_000_000_000u64;
    let payload = [0x55u8; 18];
    for i in 0..total {
        if i % every == 0 {
            for f in rooms.next().into_iter().flatten() {
                w.packet(ts, &f).unwrap();
                ts += 1_000;
            }
        }
        let frame = if i < random {
            let r = rng.next();
            let s = 0x0a80_0000 | (r as u32 & 0x0000_0fff);
            let d = 0xac10_0000 | ((r >> 23) as u32 & 0x000f_ffff);
            let sport = 1024 + ((r >> 43) % 60_000) as u16;
            let dport = 1024 + (rng.next() % 60_000) as u16;
            tuples.insert((s, d, sport, dport));
            let l4 = L4::Udp {
                sport,
                dport,
                payload: &payload,
            };
            ipv4_frame(None, s.to_be_bytes(), d.to_be_bytes(), &l4)
        } else if i < random + 65_535 {
            let port = (i - random + 1) as u16;
            let l4 = L4::Tcp {
                sport: 40000,
                dport: port,
                seq: 0x5ca0_0000 + u32::from(port),
                ack: 0,
                flags: SYN,
                payload: b"",
            };
            ipv4_frame(None, SCANNER, SCANNED, &l4)
        } else {
            let port = (i - random - 65_535 + 1) as u16;
            let l4 = L4::Udp {
                sport: 40001,
                dport: port,
                payload: b"",
            };
            ipv4_frame(None, SCANNER, SWEPT, &l4)
        };
        w.packet(ts, &frame).unwrap();
        ts += 1_000;
    }
    for f in rooms.flatten() {
        w.packet(ts, &f).unwrap();
        ts += 1_000;
    }
    w.finish().unwrap();
    tuples.len() as u64 + 65_535 + sweep as u64 + 2
}

/// The room's packets alone, 3 ms apart.
fn write_quiet(path: &Path, rounds: usize) {
    let file = std::fs::File::create(path).unwrap();
    let mut w = PcapWriter::new(file).unwrap();
    let mut ts = 1_700_000_000_000_000_000u64;
    for f in room_packets(rounds).into_iter().flatten() {
        w.packet(ts, &f).unwrap();
        ts += 3_000_000;
    }
    w.finish().unwrap();
}

// ---- reading the report as it streams --------------------------------------

/// The flows array, read one flow at a time: counted, evicted ones counted,
/// and only the room's flows (10.10.0.0/16) kept.
#[derive(Default, Debug)]
struct Flows {
    count: u64,
    evicted: u64,
    ids: u64,
    room: Vec<Value>,
}

impl<'de> Deserialize<'de> for Flows {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Flows;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of flows")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Flows, A::Error> {
                let mut out = Flows::default();
                while let Some(v) = seq.next_element::<Value>()? {
                    out.count += 1;
                    if v["id"].as_u64().is_some() {
                        out.ids += 1;
                    }
                    let findings = v["findings"].as_array().map(Vec::as_slice);
                    if findings
                        .unwrap_or_default()
                        .iter()
                        .any(|f| f["kind"] == "evicted")
                    {
                        out.evicted += 1;
                    }
                    if v["src_ip"]
                        .as_str()
                        .is_some_and(|s| s.starts_with("10.10."))
                    {
                        out.room.push(v);
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_seq(V)
    }
}

#[derive(Deserialize, Debug)]
struct Summary {
    flows: u64,
    evictions: u64,
    verdicts: BTreeMap<String, u64>,
}

#[derive(Deserialize, Debug)]
struct Input {
    flows: Flows,
    packets: u64,
    errors: Vec<Value>,
    summary: Summary,
}

#[derive(Deserialize, Debug)]
struct Doc {
    inputs: Vec<Input>,
}

/// One run of `portmatrix check --format json`, its report read as it is
/// written, and the peak resident set of the process in KiB.
struct Run {
    code: Option<i32>,
    doc: Doc,
    peak_kib: u64,
    secs: f64,
}

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_portmatrix"))
}

fn run_check(binary: &Path, capture: &Path, max_flows: u64, site: &Path) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let time_out = dir.path().join("time.txt");
    let use_time = Path::new("/usr/bin/time").is_file();
    let mut cmd = if use_time {
        let mut c = Command::new("/usr/bin/time");
        c.arg("-f").arg("%M").arg("-o").arg(&time_out).arg(binary);
        c
    } else {
        Command::new(binary)
    };
    cmd.args(["check", "--format", "json", "--max-flows"])
        .arg(max_flows.to_string())
        .arg("--site")
        .arg(site)
        .arg(capture)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = cmd.spawn().expect("start portmatrix");
    let pid = child.id();
    // Without /usr/bin/time: sample the high-water mark until the process ends.
    let sampler = (!use_time).then(|| {
        std::thread::spawn(move || {
            let mut peak = 0u64;
            let status = format!("/proc/{pid}/status");
            while let Ok(text) = std::fs::read_to_string(&status) {
                if let Some(kib) = text
                    .lines()
                    .find_map(|l| l.strip_prefix("VmHWM:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                {
                    peak = peak.max(kib);
                }
                std::thread::sleep(Duration::from_millis(2));
            }
            peak
        })
    });
    let stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let doc: Result<Doc, _> = serde_json::from_reader(BufReader::with_capacity(1 << 20, stdout));
    let status = child.wait().unwrap();
    let secs = started.elapsed().as_secs_f64();
    let stderr = err_reader.join().unwrap();
    let doc = doc.unwrap_or_else(|e| panic!("the report is not the expected JSON: {e}; {stderr}"));
    let peak_kib = if use_time {
        std::fs::read_to_string(&time_out)
            .unwrap()
            .lines()
            .last()
            .and_then(|l| l.trim().parse().ok())
            .expect("/usr/bin/time wrote the peak RSS")
    } else {
        sampler.unwrap().join().unwrap()
    };
    Run {
        code: status.code(),
        doc,
        peak_kib,
        secs,
    }
}

/// What must not change in a room flow: everything but its id (the flood
/// shifts record numbers), its timestamps (the flood spaces packets out),
/// and an `evicted` finding (a finished exchange such as the DNS query and
/// answer may be ended by the cap once idle, with nothing lost).
fn essentials(f: &Value) -> Value {
    let mut v = f.clone();
    let m = v.as_object_mut().unwrap();
    for k in ["id", "first_ts", "last_ts", "first_ts_ns", "last_ts_ns"] {
        m.remove(k);
    }
    if let Some(Value::Array(x)) = m.get_mut("findings") {
        x.retain(|x| x["kind"] != "evicted");
    }
    v
}

fn by_port(mut flows: Vec<Value>) -> Vec<Value> {
    flows.sort_by_key(|f| f["dst_port"].as_u64());
    flows.iter().map(essentials).collect()
}

fn flood(random: usize, sweep: usize, binary: &Path) {
    const CAP: u64 = 10_000;
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("flood.pcap");
    let quiet = dir.path().join("quiet.pcap");
    let site = fixtures_dir().join("demo/site.toml");
    let t = Instant::now();
    let distinct = write_flood(&capture, random, sweep);
    let rounds = (random + 65_535 + sweep) / 2_000;
    write_quiet(&quiet, rounds);
    let size_mb = std::fs::metadata(&capture).unwrap().len() as f64 / 1e6;
    eprintln!(
        "flood: {distinct} flows, {size_mb:.0} MB written in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let base = run_check(binary, &quiet, CAP, &site);
    let base_input = &base.doc.inputs[0];
    assert_eq!(
        base_input.flows.room.len(),
        2,
        "{:?}",
        base_input.flows.room
    );
    assert_eq!(base_input.summary.evictions, 0);

    let capped = run_check(binary, &capture, CAP, &site);
    let uncapped = run_check(binary, &capture, 100_000_000, &site);
    eprintln!(
        "flood: peak RSS {} MiB with --max-flows {CAP} ({:.1} s), {} MiB keeping every flow \
         ({:.1} s), {} MiB for the room alone",
        capped.peak_kib / 1024,
        capped.secs,
        uncapped.peak_kib / 1024,
        uncapped.secs,
        base.peak_kib / 1024
    );
    for (name, run) in [("capped", &capped), ("uncapped", &uncapped)] {
        assert!(
            matches!(run.code, Some(0..=3)),
            "{name}: exit {:?}",
            run.code
        );
        let input = &run.doc.inputs[0];
        assert!(input.errors.is_empty(), "{name}: {:?}", input.errors);
        // Every flow reported once, in the array and in the summary.
        assert_eq!(input.summary.flows, distinct, "{name}: summary.flows");
        assert_eq!(input.flows.count, distinct, "{name}: flows in the array");
        assert_eq!(input.flows.ids, distinct, "{name}: flows with an id");
        let by_verdict: u64 = input.summary.verdicts.values().sum();
        assert_eq!(by_verdict, distinct, "{name}: verdict counts");
        assert!(input.packets >= distinct, "{name}: packets");
        // The room's conversations as without the flood.
        assert_eq!(
            by_port(input.flows.room.clone()),
            by_port(base_input.flows.room.clone()),
            "{name}: the room's flows"
        );
    }
    let c = &capped.doc.inputs[0];
    assert!(c.summary.evictions > 0, "no evictions");
    assert!(
        c.summary.evictions >= distinct - CAP,
        "{} evictions for {distinct} flows",
        c.summary.evictions
    );
    assert_eq!(c.flows.evicted, c.summary.evictions);
    assert_eq!(uncapped.doc.inputs[0].summary.evictions, 0);
    // The Telnet session, active all along, is never evicted.
    let telnet = c.flows.room.iter().find(|f| f["dst_port"] == 23).unwrap();
    assert_eq!(telnet["verdict"], "documented", "{telnet}");
    assert!(
        !telnet["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["kind"] == "evicted"),
        "{telnet}"
    );
    // Memory: bounded by the cap, far below keeping every flow. Measured
    // when this was written: a slot of the cap costs about 2 KiB at the peak
    // (the live flow, the evicted flows waiting to be written, allocator
    // churn), a flow kept to the end about 1 KiB.
    assert!(
        capped.peak_kib < 200 * 1024,
        "peak RSS {} KiB with a cap of {CAP}",
        capped.peak_kib
    );
    assert!(
        capped.peak_kib < base.peak_kib + CAP * 8,
        "peak RSS {} KiB: more than 8 KiB per flow of the cap above the {} KiB of the room alone",
        capped.peak_kib,
        base.peak_kib
    );
    let grew_capped = capped.peak_kib.saturating_sub(base.peak_kib);
    let grew_all = uncapped.peak_kib.saturating_sub(base.peak_kib);
    assert!(
        grew_capped * 4 < grew_all * 3,
        "the cap saves little: +{grew_capped} KiB capped, +{grew_all} KiB keeping every flow"
    );
    if distinct > 100 * CAP {
        assert!(
            capped.peak_kib * 5 < uncapped.peak_kib,
            "{} KiB capped, {} KiB keeping every flow",
            capped.peak_kib,
            uncapped.peak_kib
        );
    }
}

#[test]
fn a_flood_beyond_the_flow_cap_keeps_memory_bounded_and_every_flow() {
    flood(20_000, 15_000, &binary());
}

/// One million random flows (plus the scan and a full sweep). Ignored
/// because it takes minutes in a debug build; see the module comment.
#[test]
#[ignore = "1M flows: minutes in a debug build; run with --release -- --ignored"]
fn flood_of_a_million_flows() {
    flood(1_000_000, 65_535, &binary());
}

/// Under the cap, memory must not grow with the number of distinct hosts
/// either: 100 000 and 400 000 one-packet flows from as many random sources
/// (a spoofed-source flood) must peak within 4 MiB of each other. Today the
/// classifier keeps every host that ever sent a packet (to say whether an
/// unanswered SYN's responder "answers other flows"), about 40 bytes each:
/// +12 MiB here, +400 MB for ten million spoofed sources.
#[test]
fn memory_under_the_cap_does_not_grow_with_distinct_sources() {
    let dir = tempfile::tempdir().unwrap();
    let site = fixtures_dir().join("demo/site.toml");
    let mut peaks = Vec::new();
    for n in [100_000u32, 400_000] {
        let path = dir.path().join(format!("spoofed-{n}.pcap"));
        let file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        let mut w = PcapWriter::new(file).unwrap();
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for i in 0..n {
            let src = (0x0a80_0000 | (rng.next() as u32 & 0x007f_ffff)).to_be_bytes();
            let l4 = L4::Udp {
                sport: 40000,
                dport: 1024 + (i % 60_000) as u16,
                payload: b"x",
            };
            let frame = ipv4_frame(None, src, [172, 16, 0, 1], &l4);
            w.packet(1_700_000_000_000_000_000 + u64::from(i) * 1_000, &frame)
                .unwrap();
        }
        w.finish().unwrap();
        let run = run_check(&binary(), &path, 10_000, &site);
        eprintln!("spoofed sources: {n} flows, peak RSS {} KiB", run.peak_kib);
        peaks.push(run.peak_kib);
    }
    assert!(
        peaks[1] < peaks[0] + 4 * 1024,
        "peak RSS {} KiB for 100 000 sources, {} KiB for 400 000",
        peaks[0],
        peaks[1]
    );
}
