//! proptest generators of frame specifications; `build` turns one into
//! bytes with pnet (see `util`).

use std::net::{Ipv4Addr, Ipv6Addr};

use proptest::collection::vec;
use proptest::prelude::*;

use crate::util::*;

#[derive(Clone, Debug)]
pub enum NetSpec {
    V4(V4),
    V6(V6),
}

#[derive(Clone, Debug)]
pub enum TransportSpec {
    Tcp(Tcp),
    Udp { src_port: u16, dst_port: u16 },
}

#[derive(Clone, Debug)]
pub struct FrameSpec {
    pub dst_mac: [u8; 6],
    pub src_mac: [u8; 6],
    /// (tpid, pcp, dei, vid), outer first.
    pub tags: Vec<(u16, u8, u8, u16)>,
    pub net: NetSpec,
    pub transport: TransportSpec,
    pub payload: Vec<u8>,
}

impl FrameSpec {
    pub fn ip_protocol(&self) -> u8 {
        match self.transport {
            TransportSpec::Tcp(_) => 6,
            TransportSpec::Udp { .. } => 17,
        }
    }

    pub fn ports(&self) -> (u16, u16) {
        match &self.transport {
            TransportSpec::Tcp(t) => (t.src_port, t.dst_port),
            TransportSpec::Udp { src_port, dst_port } => (*src_port, *dst_port),
        }
    }

    /// Offset of the IP header in the frame.
    pub fn net_offset(&self) -> usize {
        14 + 4 * self.tags.len()
    }

    /// Length of IP header plus options / extension headers.
    pub fn ip_headers_len(&self) -> usize {
        match &self.net {
            NetSpec::V4(h) => h.header_len(),
            NetSpec::V6(h) => 40 + h.exts_len(),
        }
    }

    pub fn transport_header_len(&self) -> usize {
        match &self.transport {
            TransportSpec::Tcp(t) => 20 + t.options_len,
            TransportSpec::Udp { .. } => 8,
        }
    }

    pub fn transport_offset(&self) -> usize {
        self.net_offset() + self.ip_headers_len()
    }

    pub fn payload_offset(&self) -> usize {
        self.transport_offset() + self.transport_header_len()
    }

    pub fn build(&self) -> Vec<u8> {
        let l4 = match &self.transport {
            TransportSpec::Tcp(t) => tcp(t, &self.payload),
            TransportSpec::Udp { src_port, dst_port } => udp(*src_port, *dst_port, &self.payload),
        };
        let (ether_type, ip) = match &self.net {
            NetSpec::V4(h) => {
                let mut h = h.clone();
                h.protocol = self.ip_protocol();
                (0x0800, ipv4(&h, &l4))
            }
            NetSpec::V6(h) => {
                let mut h = h.clone();
                h.protocol = self.ip_protocol();
                (0x86dd, ipv6(&h, &l4))
            }
        };
        tagged(self.dst_mac, self.src_mac, &self.tags, ether_type, &ip)
    }
}

fn tag() -> impl Strategy<Value = (u16, u8, u8, u16)> {
    (
        prop_oneof![Just(0x8100u16), Just(0x88a8), Just(0x9100)],
        0u8..8,
        0u8..2,
        0u16..4096,
    )
}

fn v4() -> impl Strategy<Value = V4> {
    (
        (
            any::<[u8; 4]>(),
            any::<[u8; 4]>(),
            any::<u8>(),
            any::<u16>(),
        ),
        (0u8..64, 0u8..4, any::<bool>(), any::<bool>()),
        (0usize..=2, 0usize..=9),
    )
        .prop_map(
            |((src, dst, ttl, id), (dscp, ecn, df, mf), (ra, nops))| V4 {
                src: Ipv4Addr::from(src),
                dst: Ipv4Addr::from(dst),
                protocol: 0,
                ttl,
                id,
                dscp,
                ecn,
                df,
                // MF with offset 0: a first fragment, which still carries the ports.
                mf,
                frag_offset: 0,
                router_alerts: ra,
                nops,
                total_length: None,
            },
        )
}

fn v6() -> impl Strategy<Value = V6> {
    (
        (
            any::<[u8; 16]>(),
            any::<[u8; 16]>(),
            any::<u8>(),
            any::<u8>(),
        ),
        0u32..(1 << 20),
        (
            proptest::option::of(0u8..3),
            proptest::option::of(0u8..3),
            proptest::option::of((any::<bool>(), any::<u32>())),
        ),
    )
        .prop_map(
            |((src, dst, hop_limit, tc), flow_label, (hbh, dst_opts, frag))| {
                let mut exts = Vec::new();
                if let Some(n) = hbh {
                    exts.push(Ext::HopByHop { hdr_ext_len: n });
                }
                if let Some(n) = dst_opts {
                    exts.push(Ext::DestOpts { hdr_ext_len: n });
                }
                if let Some((more, id)) = frag {
                    exts.push(Ext::Fragment {
                        offset: 0,
                        more,
                        id,
                    });
                }
                V6 {
                    src: Ipv6Addr::from(src),
                    dst: Ipv6Addr::from(dst),
                    protocol: 0,
                    hop_limit,
                    traffic_class: tc,
                    flow_label,
                    exts,
                    payload_length: None,
                }
            },
        )
}

fn tcp_spec() -> impl Strategy<Value = Tcp> {
    (
        (any::<u16>(), any::<u16>(), any::<u32>(), any::<u32>()),
        (
            any::<u8>(),
            any::<bool>(),
            any::<u16>(),
            any::<u16>(),
            any::<bool>(),
        ),
    )
        .prop_map(|((sp, dp, seq, ack), (flags, ns, window, urgent, opts))| {
            let mut t = Tcp::new(sp, dp, flags);
            t.seq = seq;
            t.ack = ack;
            t.ns = ns;
            t.window = window;
            t.urgent = urgent;
            if opts {
                t = t.with_syn_options();
            }
            t
        })
}

fn transport() -> impl Strategy<Value = TransportSpec> {
    prop_oneof![
        tcp_spec().prop_map(TransportSpec::Tcp),
        (any::<u16>(), any::<u16>())
            .prop_map(|(src_port, dst_port)| TransportSpec::Udp { src_port, dst_port }),
    ]
}

pub fn frame_spec() -> impl Strategy<Value = FrameSpec> {
    (
        any::<[u8; 6]>(),
        any::<[u8; 6]>(),
        vec(tag(), 0..=4),
        prop_oneof![v4().prop_map(NetSpec::V4), v6().prop_map(NetSpec::V6)],
        transport(),
        vec(any::<u8>(), 0..120),
    )
        .prop_map(
            |(dst_mac, src_mac, tags, net, transport, payload)| FrameSpec {
                dst_mac,
                src_mac,
                tags,
                net,
                transport,
                payload,
            },
        )
}
