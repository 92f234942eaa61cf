//! Decode errors that say which layer failed and at which byte of the frame.

use core::fmt;

/// The result type of this crate.
pub type Result<T> = core::result::Result<T, Error>;

/// The first malformed layer of a frame.
///
/// `offset` counts bytes from the start of the frame (not of the layer) and
/// points at the field or section that is wrong: the IHL byte for a bad IPv4
/// header length, the start of a header that does not fit, the length field
/// that disagrees with the bytes present.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Error {
    /// What is wrong.
    pub kind: ErrorKind,
    /// The protocol layer in which it is wrong.
    pub layer: Layer,
    /// Byte offset of the offending field or section from the start of the frame.
    pub offset: usize,
}

impl Error {
    /// An error at `offset` (relative to whatever slice the caller parses).
    #[inline]
    pub const fn new(layer: Layer, offset: usize, kind: ErrorKind) -> Error {
        Error {
            kind,
            layer,
            offset,
        }
    }

    /// Rebases an error found in a sub-slice that starts `n` bytes into the
    /// enclosing slice. Callers add each layer's start exactly once.
    #[inline]
    #[must_use]
    pub const fn add_offset(self, n: usize) -> Error {
        Error {
            kind: self.kind,
            layer: self.layer,
            offset: self.offset + n,
        }
    }

    /// True when the error only says that bytes are missing: in a frame
    /// whose captured length is below its original length this is an effect
    /// of the capture's snap length rather than a malformed packet.
    #[inline]
    pub const fn is_truncation(&self) -> bool {
        matches!(self.kind, ErrorKind::Truncated { .. })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} at frame byte {}",
            self.layer.name(),
            self.kind,
            self.offset
        )
    }
}

impl std::error::Error for Error {}

/// What is wrong with a layer.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// A header or section needs more bytes than are present (in the frame
    /// or within the bound set by an enclosing length field).
    Truncated {
        /// Bytes the header or section needs.
        needed: usize,
        /// Bytes available for it.
        available: usize,
    },
    /// A field holds a value the protocol does not allow.
    BadField {
        /// The field's RFC name in snake case (`ihl`, `data_offset`, ...).
        field: &'static str,
        /// The value found.
        value: u32,
    },
    /// A length field claims more bytes than its enclosing layer provides,
    /// although the enclosing layer is complete.
    LengthMismatch {
        /// The length field's RFC name in snake case.
        field: &'static str,
        /// Bytes the field claims.
        claimed: usize,
        /// Bytes actually available.
        actual: usize,
    },
    /// More stacked 802.1Q / 802.1ad tags than [`crate::VlanStack::CAPACITY`].
    TooManyVlanTags {
        /// The number of tags kept.
        max: usize,
    },
    /// The frame's link type is not one this crate decodes.
    UnsupportedLinkType {
        /// The LINKTYPE value.
        link_type: u16,
    },
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ErrorKind::Truncated { needed, available } => {
                write!(f, "truncated: needs {needed} bytes, {available} available")
            }
            ErrorKind::BadField { field, value } => write!(f, "bad {field} = {value}"),
            ErrorKind::LengthMismatch {
                field,
                claimed,
                actual,
            } => write!(f, "{field} claims {claimed} bytes, {actual} available"),
            ErrorKind::TooManyVlanTags { max } => write!(f, "more than {max} vlan tags"),
            ErrorKind::UnsupportedLinkType { link_type } => {
                write!(f, "unsupported link type {link_type}")
            }
        }
    }
}

/// The protocol layer an [`Error`] belongs to.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layer {
    /// The link header: Ethernet / 802.3 / LLC, Linux SLL and SLL2, BSD
    /// NULL and LOOP, or the version nibble of a raw-IP frame.
    Link,
    /// An 802.1Q / 802.1ad tag.
    Vlan,
    /// ARP (RFC 826).
    Arp,
    /// IPv4 header and options (RFC 791).
    Ipv4,
    /// IPv6 header and extension headers (RFC 8200).
    Ipv6,
    /// TCP (RFC 9293).
    Tcp,
    /// UDP (RFC 768).
    Udp,
    /// ICMP for IPv4 (RFC 792), including the quoted datagram.
    Icmp,
    /// ICMPv6 (RFC 4443), including the quoted packet.
    Icmpv6,
    /// IGMP (RFC 1112, RFC 2236, RFC 3376).
    Igmp,
    /// MLD (RFC 2710, RFC 3810).
    Mld,
    /// GRE (RFC 2784, RFC 2890).
    Gre,
    /// The ERSPAN type II or III header inside GRE.
    Erspan,
    /// VXLAN (RFC 7348).
    Vxlan,
    /// Geneve (RFC 8926).
    Geneve,
    /// An MPLS label stack entry or pseudowire control word (RFC 3032, RFC 4385).
    Mpls,
}

impl Layer {
    /// The stable lowercase name used in reports and JSON keys.
    pub const fn name(self) -> &'static str {
        match self {
            Layer::Link => "link",
            Layer::Vlan => "vlan",
            Layer::Arp => "arp",
            Layer::Ipv4 => "ipv4",
            Layer::Ipv6 => "ipv6",
            Layer::Tcp => "tcp",
            Layer::Udp => "udp",
            Layer::Icmp => "icmp",
            Layer::Icmpv6 => "icmpv6",
            Layer::Igmp => "igmp",
            Layer::Mld => "mld",
            Layer::Gre => "gre",
            Layer::Erspan => "erspan",
            Layer::Vxlan => "vxlan",
            Layer::Geneve => "geneve",
            Layer::Mpls => "mpls",
        }
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Shorthand for a [`ErrorKind::Truncated`] error.
#[inline]
pub(crate) const fn truncated(
    layer: Layer,
    offset: usize,
    needed: usize,
    available: usize,
) -> Error {
    Error::new(layer, offset, ErrorKind::Truncated { needed, available })
}

/// Shorthand for a [`ErrorKind::BadField`] error.
#[inline]
pub(crate) const fn bad_field(
    layer: Layer,
    offset: usize,
    field: &'static str,
    value: u32,
) -> Error {
    Error::new(layer, offset, ErrorKind::BadField { field, value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_layer_kind_and_offset() {
        let e = bad_field(Layer::Ipv4, 0, "ihl", 4).add_offset(14);
        assert_eq!(e.to_string(), "ipv4: bad ihl = 4 at frame byte 14");
        let e = truncated(Layer::Tcp, 34, 20, 6);
        assert_eq!(
            e.to_string(),
            "tcp: truncated: needs 20 bytes, 6 available at frame byte 34"
        );
        assert!(e.is_truncation());
    }

    #[test]
    fn add_offset_accumulates() {
        let e = truncated(Layer::Udp, 2, 8, 3).add_offset(20).add_offset(14);
        assert_eq!(e.offset, 36);
    }

    #[test]
    fn layer_names_are_stable() {
        let all = [
            (Layer::Link, "link"),
            (Layer::Vlan, "vlan"),
            (Layer::Arp, "arp"),
            (Layer::Ipv4, "ipv4"),
            (Layer::Ipv6, "ipv6"),
            (Layer::Tcp, "tcp"),
            (Layer::Udp, "udp"),
            (Layer::Icmp, "icmp"),
            (Layer::Icmpv6, "icmpv6"),
            (Layer::Igmp, "igmp"),
            (Layer::Mld, "mld"),
            (Layer::Gre, "gre"),
            (Layer::Erspan, "erspan"),
            (Layer::Vxlan, "vxlan"),
            (Layer::Geneve, "geneve"),
            (Layer::Mpls, "mpls"),
        ];
        for (l, n) in all {
            assert_eq!(l.name(), n);
        }
    }
}
