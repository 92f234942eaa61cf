//! Hosts, frames and TCP connections of a made-up network, shared by the
//! demo capture and the verdict fixtures: every frame is built with
//! `pnet_packet` (through [`crate::packet`] and [`crate::link`]) and kept
//! with its timestamp and interface until the capture is written.

use std::cell::Cell;

use crate::fixtures::mcast_mac;
use crate::link::{self, Frame, Tag};
use crate::packet::{self, flags, Ip4, Net, Seg};

/// A host on the capture.
pub struct Host {
    pub ip: [u8; 4],
    pub mac: [u8; 6],
    pub vlan: Option<u16>,
    pub iface: u32,
    pub ttl: u8,
    next_id: Cell<u16>,
}

impl Host {
    pub fn new(ip: [u8; 4], vlan: Option<u16>, iface: u32, ttl: u8) -> Host {
        Host {
            ip,
            // Locally administered MAC derived from the address.
            mac: [0x02, 0x50, ip[0], ip[1], ip[2], ip[3]],
            vlan,
            iface,
            ttl,
            next_id: Cell::new(u16::from(ip[3]) << 8),
        }
    }

    pub fn ip4(&self, dst: [u8; 4]) -> Ip4 {
        let id = self.next_id.get();
        self.next_id.set(id.wrapping_add(1));
        Ip4::new(self.ip, dst).ttl(self.ttl).id(id)
    }
}

/// Where a frame goes on the wire.
#[derive(Clone, Copy)]
pub enum To<'a> {
    Host(&'a Host),
    /// Through the default gateway to an address beyond it.
    Via(&'a Host, [u8; 4]),
    Broadcast([u8; 4]),
    Group([u8; 4]),
}

impl To<'_> {
    pub fn ip(self) -> [u8; 4] {
        match self {
            To::Host(h) => h.ip,
            To::Via(_, ip) | To::Broadcast(ip) | To::Group(ip) => ip,
        }
    }

    pub fn mac(self) -> [u8; 6] {
        match self {
            To::Host(h) | To::Via(h, _) => h.mac,
            To::Broadcast(_) => [0xFF; 6],
            To::Group(g) => mcast_mac(g),
        }
    }
}

/// One frame and when and where it was captured.
pub struct Event {
    pub ts: i64,
    pub iface: u32,
    pub frame: Frame,
}

/// The frames of a capture, in the order they were made.
#[derive(Default)]
pub struct Capture {
    pub events: Vec<Event>,
}

impl Capture {
    /// Keeps an already framed packet.
    pub fn push(&mut self, ts: i64, iface: u32, frame: Frame) {
        self.events.push(Event { ts, iface, frame });
    }

    /// Frames `net` from `from` (tagged with its VLAN, priority `pcp`).
    pub fn emit(&mut self, ts: i64, from: &Host, to: To<'_>, pcp: u8, net: &Net) {
        let tags: Vec<Tag> = from.vlan.iter().map(|&v| Tag::q(v, pcp)).collect();
        let frame = link::ether(to.mac(), from.mac, &tags, net);
        self.events.push(Event {
            ts,
            iface: from.iface,
            frame,
        });
    }

    pub fn udp(
        &mut self,
        ts: i64,
        from: &Host,
        to: To<'_>,
        ports: (u16, u16),
        dscp: u8,
        data: &[u8],
    ) {
        let h = from.ip4(to.ip()).dscp(dscp);
        let h = if matches!(to, To::Group(_) | To::Broadcast(_)) {
            h.df(false)
        } else {
            h
        };
        let pcp = dscp >> 3;
        self.emit(ts, from, to, pcp, &packet::udp4(&h, ports.0, ports.1, data));
    }
}

/// A TCP connection, tracking sequence numbers on both sides.
pub struct Conn<'a> {
    c: &'a Host,
    s: To<'a>,
    s_host: &'a Host,
    cport: u16,
    sport: u16,
    c_isn: u32,
    s_isn: u32,
    c_sent: u32,
    s_sent: u32,
    c_fin: bool,
    s_fin: bool,
    pub dscp: u8,
}

impl<'a> Conn<'a> {
    pub fn new(c: &'a Host, s: &'a Host, cport: u16, sport: u16, c_isn: u32, s_isn: u32) -> Self {
        Conn {
            c,
            s: To::Host(s),
            s_host: s,
            cport,
            sport,
            c_isn,
            s_isn,
            c_sent: 0,
            s_sent: 0,
            c_fin: false,
            s_fin: false,
            dscp: 16,
        }
    }

    pub fn c_next(&self) -> u32 {
        self.c_isn
            .wrapping_add(1 + self.c_sent + u32::from(self.c_fin))
    }

    pub fn s_next(&self) -> u32 {
        self.s_isn
            .wrapping_add(1 + self.s_sent + u32::from(self.s_fin))
    }

    /// A client segment with `flags` at the client's next sequence number,
    /// acknowledging everything the server sent.
    fn c_seg<'d>(&self, flags: u8) -> Seg<'d> {
        Seg::new(self.cport, self.sport, self.c_next(), self.s_next(), flags)
    }

    /// A server segment with `flags` at the server's next sequence number,
    /// acknowledging everything the client sent, window 509 (scaled).
    fn s_seg<'d>(&self, flags: u8) -> Seg<'d> {
        Seg::new(self.sport, self.cport, self.s_next(), self.c_next(), flags).window(509)
    }

    pub fn send_c(&self, cap: &mut Capture, ts: i64, seg: &Seg<'_>) {
        let h = self.c.ip4(self.s.ip()).dscp(self.dscp);
        cap.emit(ts, self.c, self.s, 0, &packet::tcp4(&h, seg));
    }

    pub fn send_s(&self, cap: &mut Capture, ts: i64, seg: &Seg<'_>) {
        let h = self.s_host.ip4(self.c.ip).dscp(self.dscp);
        cap.emit(ts, self.s_host, To::Host(self.c), 0, &packet::tcp4(&h, seg));
    }

    pub fn syn(&self, cap: &mut Capture, ts: i64) {
        let seg = Seg::new(self.cport, self.sport, self.c_isn, 0, flags::SYN);
        self.send_c(cap, ts, &seg);
    }

    pub fn syn_ack(&self, cap: &mut Capture, ts: i64) {
        let seg = Seg::new(
            self.sport,
            self.cport,
            self.s_isn,
            self.c_isn.wrapping_add(1),
            flags::SYN | flags::ACK,
        )
        .window(65160);
        self.send_s(cap, ts, &seg);
    }

    pub fn rst_ack(&self, cap: &mut Capture, ts: i64) {
        let seg = Seg::new(
            self.sport,
            self.cport,
            0,
            self.c_isn.wrapping_add(1),
            flags::RST | flags::ACK,
        )
        .window(0);
        self.send_s(cap, ts, &seg);
    }

    pub fn c_ack(&self, cap: &mut Capture, ts: i64) {
        let seg = self.c_seg(flags::ACK);
        self.send_c(cap, ts, &seg);
    }

    pub fn s_ack(&self, cap: &mut Capture, ts: i64) {
        let seg = self.s_seg(flags::ACK);
        self.send_s(cap, ts, &seg);
    }

    pub fn c_data(&mut self, cap: &mut Capture, ts: i64, data: &[u8]) {
        let seg = self.c_seg(flags::PSH | flags::ACK).data(data);
        self.send_c(cap, ts, &seg);
        self.c_sent += data.len() as u32;
    }

    pub fn s_data(&mut self, cap: &mut Capture, ts: i64, data: &[u8]) {
        let seg = self.s_seg(flags::PSH | flags::ACK).data(data);
        self.send_s(cap, ts, &seg);
        self.s_sent += data.len() as u32;
    }

    pub fn c_fin(&mut self, cap: &mut Capture, ts: i64) {
        let seg = self.c_seg(flags::FIN | flags::ACK);
        self.send_c(cap, ts, &seg);
        self.c_fin = true;
    }

    pub fn s_fin(&mut self, cap: &mut Capture, ts: i64) {
        let seg = self.s_seg(flags::FIN | flags::ACK);
        self.send_s(cap, ts, &seg);
        self.s_fin = true;
    }

    /// Handshake: SYN at `ts`, SYN-ACK 400 µs and ACK 900 µs later.
    pub fn open(&self, cap: &mut Capture, ts: i64) {
        self.syn(cap, ts);
        self.syn_ack(cap, ts + 400_000);
        self.c_ack(cap, ts + 900_000);
    }

    /// Client FIN at `ts`, server FIN 600 µs and client ACK 1100 µs later.
    pub fn close(&mut self, cap: &mut Capture, ts: i64) {
        self.c_fin(cap, ts);
        self.s_fin(cap, ts + 600_000);
        self.c_ack(cap, ts + 1_100_000);
    }
}
