//! Deterministic synthetic AV traffic, written as pcap or pcapng.

use std::io::{self, Write};

/// Generator settings.
#[derive(Debug, Clone)]
pub struct Options {
    /// Number of concurrent flows the packets are spread over.
    pub flows: u32,
    /// Seed of the pseudo-random generator.
    pub seed: u64,
    /// Write pcapng (one interface) instead of classic pcap.
    pub pcapng: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            flows: 5000,
            seed: 1,
            pcapng: false,
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Rtp,
    Rtcp,
    TcpControl,
    Multicast,
    Ipv6Udp,
}

#[derive(Debug, Clone)]
struct Flow {
    kind: Kind,
    vlan: Option<u16>,
    src: [u8; 4],
    dst: [u8; 4],
    sport: u16,
    dport: u16,
    seq: u32,
    ts: u32,
    tcp_state: u8,
    payload: u16,
}

/// Produces packets one at a time.
#[derive(Debug)]
pub struct Generator {
    opts: Options,
    rng: u64,
    flows: Vec<Flow>,
    ts_ns: u64,
    frame: Vec<u8>,
}

impl Generator {
    pub fn new(opts: Options) -> Self {
        let mut g = Generator {
            rng: opts.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
            flows: Vec::new(),
            ts_ns: 1_700_000_000_000_000_000,
            frame: Vec::with_capacity(2048),
            opts,
        };
        for i in 0..g.opts.flows.max(1) {
            let f = g.make_flow(i);
            g.flows.push(f);
        }
        g
    }

    fn next(&mut self) -> u64 {
        // xorshift64*
        let mut x = self.rng;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn make_flow(&mut self, i: u32) -> Flow {
        let r = self.next();
        let kind = match r % 20 {
            0..=10 => Kind::Rtp,
            11..=12 => Kind::Rtcp,
            13..=16 => Kind::TcpControl,
            17..=18 => Kind::Multicast,
            _ => Kind::Ipv6Udp,
        };
        let vlan = if r & 0x100 != 0 {
            Some(100 + (i % 8) as u16)
        } else {
            None
        };
        let host = |n: u64| [10, 10, (n >> 8) as u8, n as u8];
        let (sport, dport, payload) = match kind {
            Kind::Rtp => {
                let p = 16384 + 2 * ((r >> 16) % 300) as u16;
                (p, p, if r & 0x200 != 0 { 172 } else { 1200 })
            }
            Kind::Rtcp => {
                let p = 16385 + 2 * ((r >> 16) % 300) as u16;
                (p, p, 84)
            }
            Kind::TcpControl => (
                32768 + (i % 28000) as u16,
                [22, 443, 23, 4503, 5060][(r >> 20) as usize % 5],
                300,
            ),
            Kind::Multicast => (4321, 4321, 300),
            Kind::Ipv6Udp => (49152 + (i % 16000) as u16, 5004, 400),
        };
        let dst = match kind {
            Kind::Multicast => [239, 255, (r >> 32) as u8, (r >> 40) as u8],
            _ => host(r >> 24),
        };
        Flow {
            kind,
            vlan,
            src: host(r >> 40),
            dst,
            sport,
            dport,
            seq: r as u32,
            ts: (r >> 32) as u32,
            tcp_state: 0,
            payload,
        }
    }

    /// Bytes of the file header written by [`Generator::write_header`].
    pub fn header_len(&self) -> usize {
        if self.opts.pcapng {
            28 + 20
        } else {
            24
        }
    }

    /// Writes the file header (pcap) or the SHB and IDB (pcapng).
    pub fn write_header<W: Write>(&self, w: &mut W) -> io::Result<()> {
        if self.opts.pcapng {
            // Section Header Block: type, length, byte-order magic, version 1.0, section length -1.
            w.write_all(&0x0A0D_0D0Au32.to_le_bytes())?;
            w.write_all(&28u32.to_le_bytes())?;
            w.write_all(&0x1A2B_3C4Du32.to_le_bytes())?;
            w.write_all(&1u16.to_le_bytes())?;
            w.write_all(&0u16.to_le_bytes())?;
            w.write_all(&(-1i64).to_le_bytes())?;
            w.write_all(&28u32.to_le_bytes())?;
            // Interface Description Block: Ethernet, snaplen 65535, no options (µs).
            w.write_all(&1u32.to_le_bytes())?;
            w.write_all(&20u32.to_le_bytes())?;
            w.write_all(&1u16.to_le_bytes())?;
            w.write_all(&0u16.to_le_bytes())?;
            w.write_all(&65535u32.to_le_bytes())?;
            w.write_all(&20u32.to_le_bytes())
        } else {
            w.write_all(&0xA1B2_C3D4u32.to_le_bytes())?;
            w.write_all(&2u16.to_le_bytes())?;
            w.write_all(&4u16.to_le_bytes())?;
            w.write_all(&0u32.to_le_bytes())?;
            w.write_all(&0u32.to_le_bytes())?;
            w.write_all(&65535u32.to_le_bytes())?;
            w.write_all(&1u32.to_le_bytes())
        }
    }

    /// Writes one packet record; returns the bytes written.
    pub fn write_packet<W: Write>(&mut self, w: &mut W) -> io::Result<usize> {
        let idx = (self.next() % self.flows.len() as u64) as usize;
        self.ts_ns += 1000 + self.next() % 20_000;
        let mut flow = self.flows[idx].clone();
        self.build_frame(&mut flow);
        self.flows[idx] = flow;
        let len = self.frame.len();
        let ts_us = self.ts_ns / 1000;
        if self.opts.pcapng {
            let padded = (len + 3) & !3;
            let total = 32 + padded;
            w.write_all(&6u32.to_le_bytes())?;
            w.write_all(&(total as u32).to_le_bytes())?;
            w.write_all(&0u32.to_le_bytes())?;
            w.write_all(&((ts_us >> 32) as u32).to_le_bytes())?;
            w.write_all(&(ts_us as u32).to_le_bytes())?;
            w.write_all(&(len as u32).to_le_bytes())?;
            w.write_all(&(len as u32).to_le_bytes())?;
            w.write_all(&self.frame)?;
            w.write_all(&[0u8; 3][..padded - len])?;
            w.write_all(&(total as u32).to_le_bytes())?;
            Ok(total)
        } else {
            w.write_all(&((ts_us / 1_000_000) as u32).to_le_bytes())?;
            w.write_all(&((ts_us % 1_000_000) as u32).to_le_bytes())?;
            w.write_all(&(len as u32).to_le_bytes())?;
            w.write_all(&(len as u32).to_le_bytes())?;
            w.write_all(&self.frame)?;
            Ok(16 + len)
        }
    }

    fn build_frame(&mut self, f: &mut Flow) {
        let frame = &mut self.frame;
        frame.clear();
        let reverse = matches!(f.kind, Kind::TcpControl) && f.tcp_state % 2 == 1;
        let (src, dst, sport, dport) = if reverse {
            (f.dst, f.src, f.dport, f.sport)
        } else {
            (f.src, f.dst, f.sport, f.dport)
        };
        // Ethernet header.
        let dst_mac = if matches!(f.kind, Kind::Multicast) {
            [0x01, 0x00, 0x5e, dst[1] & 0x7f, dst[2], dst[3]]
        } else {
            [0x02, 0, dst[0], dst[1], dst[2], dst[3]]
        };
        frame.extend_from_slice(&dst_mac);
        frame.extend_from_slice(&[0x02, 1, src[0], src[1], src[2], src[3]]);
        if let Some(v) = f.vlan {
            frame.extend_from_slice(&0x8100u16.to_be_bytes());
            frame.extend_from_slice(&v.to_be_bytes());
        }
        let (l4_len, proto) = match f.kind {
            Kind::TcpControl => {
                let data = if f.tcp_state >= 3 {
                    f.payload as usize
                } else {
                    0
                };
                (20 + data, 6u8)
            }
            _ => (8 + f.payload as usize, 17u8),
        };
        if matches!(f.kind, Kind::Ipv6Udp) {
            frame.extend_from_slice(&0x86DDu16.to_be_bytes());
            frame.extend_from_slice(&[0x60, 0, 0, 0]);
            frame.extend_from_slice(&(l4_len as u16).to_be_bytes());
            frame.extend_from_slice(&[17, 64]);
            let mut s6 = [0u8; 16];
            s6[0] = 0xfd;
            s6[12..].copy_from_slice(&src);
            let mut d6 = [0u8; 16];
            d6[0] = 0xfd;
            d6[12..].copy_from_slice(&dst);
            frame.extend_from_slice(&s6);
            frame.extend_from_slice(&d6);
        } else {
            frame.extend_from_slice(&0x0800u16.to_be_bytes());
            let total = (20 + l4_len) as u16;
            let start = frame.len();
            frame.extend_from_slice(&[0x45, 0xb8]);
            frame.extend_from_slice(&total.to_be_bytes());
            frame.extend_from_slice(&(f.seq as u16).to_be_bytes());
            frame.extend_from_slice(&[0x40, 0, 64, proto, 0, 0]);
            frame.extend_from_slice(&src);
            frame.extend_from_slice(&dst);
            let sum = ip_checksum(&frame[start..start + 20]);
            frame[start + 10..start + 12].copy_from_slice(&sum.to_be_bytes());
        }
        match f.kind {
            Kind::TcpControl => {
                let flags: u8 = match f.tcp_state {
                    0 => 0x02,
                    1 => 0x12,
                    2 => 0x10,
                    _ => 0x18,
                };
                frame.extend_from_slice(&sport.to_be_bytes());
                frame.extend_from_slice(&dport.to_be_bytes());
                frame.extend_from_slice(&f.seq.to_be_bytes());
                frame.extend_from_slice(&f.seq.wrapping_add(7).to_be_bytes());
                frame.extend_from_slice(&[0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
                if f.tcp_state >= 3 {
                    frame.resize(frame.len() + f.payload as usize, 0x41);
                }
                f.tcp_state = if f.tcp_state >= 8 { 3 } else { f.tcp_state + 1 };
                f.seq = f.seq.wrapping_add(u32::from(f.payload));
            }
            _ => {
                frame.extend_from_slice(&sport.to_be_bytes());
                frame.extend_from_slice(&dport.to_be_bytes());
                frame.extend_from_slice(&(l4_len as u16).to_be_bytes());
                frame.extend_from_slice(&[0, 0]);
                let body_start = frame.len();
                frame.resize(body_start + f.payload as usize, 0);
                let body = &mut frame[body_start..];
                match f.kind {
                    Kind::Rtp | Kind::Multicast | Kind::Ipv6Udp => {
                        // RTP fixed header (RFC 3550 §5.1): V=2, PT 96, seq, timestamp, SSRC.
                        body[0] = 0x80;
                        body[1] = 96;
                        body[2..4].copy_from_slice(&(f.seq as u16).to_be_bytes());
                        body[4..8].copy_from_slice(&f.ts.to_be_bytes());
                        body[8..12].copy_from_slice(
                            &f.src
                                .iter()
                                .fold(0u32, |a, b| a << 8 | u32::from(*b))
                                .to_be_bytes(),
                        );
                        f.seq = f.seq.wrapping_add(1);
                        f.ts = f.ts.wrapping_add(48);
                    }
                    Kind::Rtcp => {
                        // RTCP RR (PT 201), length in 32-bit words minus one.
                        body[0] = 0x81;
                        body[1] = 201;
                        let words = (f.payload / 4 - 1).to_be_bytes();
                        body[2..4].copy_from_slice(&words);
                    }
                    Kind::TcpControl => {}
                }
            }
        }
    }
}

fn ip_checksum(header: &[u8]) -> u16 {
    let mut sum: u32 = 0;
    for pair in header.chunks(2) {
        sum += u32::from(u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)]));
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}
