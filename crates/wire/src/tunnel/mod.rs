//! Tunnels and remote mirrors: the header views of the encapsulations the
//! decoder removes, and the [`Encap`] summary it keeps of them.
//!
//! A packet that arrives through a tunnel (a remote-mirror session such as
//! ERSPAN, GRE or VXLAN from a switch, an MPLS pseudowire, IP-in-IP) is
//! decoded down to the innermost frame, whose facts become the packet's
//! facts: flows are the flows of the mirrored network, not the tunnel.
//! What the outer layers said — which session, which sensor — is kept in
//! [`PacketFacts::encap`](crate::PacketFacts::encap). See `docs/mirror.md`.

use core::net::IpAddr;

pub mod erspan;
pub mod geneve;
pub mod gre;
pub mod mpls;
pub mod vxlan;

/// The kind of an encapsulation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EncapKind {
    /// ERSPAN type I: an Ethernet frame in GRE 0x88BE without sequence number.
    ErspanI,
    /// ERSPAN type II (GRE 0x88BE with an ERSPAN header of version 1).
    ErspanII,
    /// ERSPAN type III (GRE 0x22EB).
    ErspanIII,
    /// An Ethernet frame in GRE (transparent Ethernet bridging, 0x6558).
    GreEthernet,
    /// An IP packet (or MPLS) in GRE.
    GreIp,
    /// VXLAN (RFC 7348).
    Vxlan,
    /// Geneve (RFC 8926).
    Geneve,
    /// An MPLS label stack with IP inside.
    Mpls,
    /// An MPLS label stack with an Ethernet pseudowire inside (RFC 4448).
    MplsPseudowire,
    /// IPv4 or IPv6 directly in IPv4 or IPv6 (IP protocols 4 and 41: IP-in-IP, 6in4).
    IpInIp,
}

impl EncapKind {
    /// The stable lowercase name used in reports and JSON.
    pub const fn name(self) -> &'static str {
        match self {
            EncapKind::ErspanI => "erspan-i",
            EncapKind::ErspanII => "erspan-ii",
            EncapKind::ErspanIII => "erspan-iii",
            EncapKind::GreEthernet => "gre-ethernet",
            EncapKind::GreIp => "gre-ip",
            EncapKind::Vxlan => "vxlan",
            EncapKind::Geneve => "geneve",
            EncapKind::Mpls => "mpls",
            EncapKind::MplsPseudowire => "mpls-pseudowire",
            EncapKind::IpInIp => "ip-in-ip",
        }
    }
}

/// The direction an ERSPAN type III sensor mirrored a frame in (its D bit).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Direction {
    /// Received on the mirrored port.
    Ingress,
    /// Sent on the mirrored port.
    Egress,
}

impl Direction {
    /// `"ingress"` or `"egress"`.
    pub const fn name(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        }
    }
}

/// What the decoder removed in front of the packet's facts: the mirror
/// session (or tunnel) the packet came through.
///
/// The session fields describe the outermost encapsulation that has IP
/// endpoints (the sensor and the collector), or the outermost one when
/// none has (an MPLS stack on Ethernet). `depth` counts every layer removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Encap {
    /// The kind of the session's encapsulation.
    pub kind: EncapKind,
    /// Source address of the outer IP header (the sensor).
    pub outer_src: Option<IpAddr>,
    /// Destination address of the outer IP header (the collector).
    pub outer_dst: Option<IpAddr>,
    /// The session's identifier: the ERSPAN session id, the VXLAN or Geneve
    /// VNI, the GRE key, or the bottom MPLS label.
    pub id: Option<u32>,
    /// The VLAN the ERSPAN header names for the mirrored frame.
    pub vlan: Option<u16>,
    /// The ERSPAN type III direction bit.
    pub direction: Option<Direction>,
    /// Encapsulation layers removed (1 for a single tunnel).
    pub depth: u8,
    /// Offset in the captured frame of the innermost frame: its Ethernet
    /// header, or its IP header when the tunnel carries IP. The mirrored
    /// frame was `orig_len - inner_offset` octets long on its own link.
    pub inner_offset: usize,
    /// One more encapsulation was found beyond
    /// [`DecodeOptions::max_depth`]: the facts are those of that tunnel.
    pub depth_exceeded: bool,
}

/// How [`decode_with`](crate::decode_with) treats encapsulations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DecodeOptions {
    /// Remove tunnels and remote-mirror encapsulations (the default); when
    /// `false` the tunnel itself is the packet (`--no-decap`).
    pub decap: bool,
    /// Encapsulation layers removed at most; the next one is left in place
    /// and flagged [`Encap::depth_exceeded`].
    pub max_depth: u8,
}

impl DecodeOptions {
    /// The default depth limit.
    pub const MAX_DEPTH: u8 = 4;

    /// Decapsulate, up to [`DecodeOptions::MAX_DEPTH`] layers.
    pub const DEFAULT: DecodeOptions = DecodeOptions {
        decap: true,
        max_depth: Self::MAX_DEPTH,
    };

    /// Leave every tunnel in place.
    pub const NO_DECAP: DecodeOptions = DecodeOptions {
        decap: false,
        max_depth: 0,
    };
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions::DEFAULT
    }
}
