//! Zero-copy decoding of captured frames.
//!
//! `portmatrix-wire` turns the bytes of one captured frame, together with its
//! link type, into a small borrowed [`PacketFacts`] value: VLAN tags,
//! addresses, transport, ports, TCP flags and numbers, the header quoted by
//! an ICMP error, IGMP/MLD membership messages, and the payload slice. It is
//! the input of the flow engine.
//!
//! # Entry points
//!
//! - [`decode`] (lax) is what the analyzer calls once per packet: it never
//!   fails, never panics and never allocates. A malformed layer is recorded
//!   in [`PacketFacts::error`] and every layer decoded before it is kept.
//! - [`decode_with_orig_len`] does the same when the capture's original
//!   length is known: an IP length beyond a frame that was captured whole
//!   is then a malformed packet, not a snapped one.
//! - [`decode_with`] takes [`DecodeOptions`]: whether tunnels and remote
//!   mirrors are removed (the default) or kept as the packet (`--no-decap`).
//! - [`decode_strict`] fails on the first malformed layer.
//! - Per-protocol views ([`ethernet::Packet`], [`igmp::Packet`],
//!   [`mld::Packet`], ...) for code that needs one header only.
//! - Application views in [`app`] (RTP, RTCP, PTP, ...) for content
//!   detectors; [`decode`] does not call them.
//!
//! # Contract of the views
//!
//! Each protocol module has a `Packet<T: AsRef<[u8]>>` view with
//! `new_unchecked`, `new_checked`, `check_len` and `into_inner`. After
//! `check_len` succeeds no accessor panics; accessors are named after the
//! RFC fields; setters live in a separate `AsMut` block; `payload()` borrows
//! from the input. IPv4, IPv6 (with extension headers), TCP, UDP, ICMP,
//! ICMPv6 and ARP are sliced by `etherparse`; link headers, IGMP and MLD are
//! decoded here.
//!
//! # Errors
//!
//! An [`Error`] names the [`Layer`], the [`ErrorKind`] and the byte offset
//! of the offending field from the start of the frame. A packet cut by the
//! capture's snap length is not malformed: it is decoded as far as its
//! bytes go and flagged [`PacketFacts::truncated`].
//!
//! # What this crate does not do
//!
//! It does not verify checksums (captures taken on the sending host carry
//! offloaded, unfilled checksums), reassemble fragments or TCP streams
//! (a fragmented tunnel packet stays the tunnel), decode MACsec, or read
//! capture files.
//!
//! # Tunnels and remote mirrors
//!
//! ERSPAN types I, II and III, GRE (Ethernet, IP or MPLS inside), VXLAN,
//! Geneve, MPLS label stacks (IP or an Ethernet pseudowire inside) and
//! IP-in-IP / 6in4 are removed, up to [`DecodeOptions::max_depth`] layers:
//! the packet's facts are the inner frame's and [`PacketFacts::encap`]
//! names the session (see [`tunnel`]).
#![forbid(unsafe_code)]

pub mod app;
pub mod arp;
mod decap;
mod decode;
pub mod error;
pub mod ethernet;
pub mod facts;
pub mod group;
pub mod icmp;
pub mod igmp;
pub mod ip;
pub mod ipv4;
pub mod ipv6;
pub mod link;
pub mod llc;
pub mod loopback;
pub mod mld;
pub mod sll;
pub mod tcp;
pub mod tunnel;
pub mod udp;
mod view;
pub mod vlan;

pub use arp::ArpFacts;
pub use decode::{decode, decode_strict, decode_with, decode_with_orig_len};
pub use error::{Error, ErrorKind, Layer, Result};
pub use ethernet::ether_type;
pub use facts::{Net, PacketFacts, Transport};
pub use group::{GroupAddress, GroupRecord, GroupRecords, RecordType, SourceQuery, Sources};
pub use icmp::{IcmpFacts, QuotedPacket};
pub use igmp::{IgmpFacts, IgmpMessage, Packet as IgmpPacket};
pub use ip::ip_protocol;
pub use ipv4::Ipv4Facts;
pub use ipv6::{Ipv6Facts, Ipv6Fragment};
pub use link::LinkType;
pub use llc::LlcFacts;
pub use mld::{MldFacts, MldMessage, Packet as MldPacket};
pub use tcp::{TcpFacts, TcpFlags};
pub use tunnel::{DecodeOptions, Direction, Encap, EncapKind};
pub use udp::UdpFacts;
pub use vlan::{VlanStack, VlanTag};
