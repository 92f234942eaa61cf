//! Zero-copy views of application headers carried in UDP or TCP payloads:
//! RTP and RTCP (RFC 3550), PTP (IEEE 1588-2002 and -2008), SAP (RFC 2974),
//! SDP (RFC 8866), SIP (RFC 3261), DNS / mDNS (RFC 1035, RFC 6762) and STUN
//! (RFC 5389).
//!
//! These views are not called by [`crate::decode`]: a content detector
//! picks one for a payload it suspects (by port, by a first-byte test or
//! because signalling announced the flow) and asks it questions. Like the
//! header views of the lower layers they never allocate and never panic on
//! any input: binary views check their length before an accessor reads
//! (the `new_checked` / `check_len` contract of the crate documentation),
//! variable parts (RTCP compounds, DNS names, SDP and SIP lines) are walked
//! by iterators whose every step is bounds-checked and whose loops are
//! bounded by the input length.
//!
//! Errors are [`Error`] values naming the [`Proto`], the [`ErrorKind`] and
//! the byte offset from the start of the application payload given to the
//! view (not of the frame: add the frame's `payload_offset` to report it
//! against the frame).

use core::fmt;

pub use crate::error::ErrorKind;

pub mod cdp;
pub mod dhcp;
pub mod dns;
pub mod lldp;
pub mod ssdp;
pub mod tls;

pub mod ptp;
pub mod rtcp;
pub mod rtp;
pub mod sap;
pub mod sdp;
pub mod sip;
pub mod stun;
mod text;

/// The application protocol an [`Error`] belongs to.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Proto {
    /// RTP data packet (RFC 3550 §5).
    Rtp,
    /// RTCP compound packet (RFC 3550 §6) and its SRTCP trailer (RFC 3711).
    Rtcp,
    /// PTP message, version 1 or 2 (IEEE 1588).
    Ptp,
    /// SAP announcement (RFC 2974).
    Sap,
    /// SDP session description (RFC 8866).
    Sdp,
    /// SIP message (RFC 3261).
    Sip,
    /// DNS or mDNS message (RFC 1035, RFC 6762).
    Dns,
    /// STUN message (RFC 5389).
    Stun,
    /// LLDP data unit (IEEE 802.1AB).
    Lldp,
    /// CDP message.
    Cdp,
    /// DHCP message (RFC 2131).
    Dhcp,
    /// TLS record (RFC 8446).
    Tls,
    /// HTTP/1.x or SSDP message head.
    Http,
}

impl Proto {
    /// The stable lowercase name used in reports.
    pub const fn name(self) -> &'static str {
        match self {
            Proto::Rtp => "rtp",
            Proto::Rtcp => "rtcp",
            Proto::Ptp => "ptp",
            Proto::Sap => "sap",
            Proto::Sdp => "sdp",
            Proto::Sip => "sip",
            Proto::Dns => "dns",
            Proto::Stun => "stun",
            Proto::Lldp => "lldp",
            Proto::Cdp => "cdp",
            Proto::Dhcp => "dhcp",
            Proto::Tls => "tls",
            Proto::Http => "http",
        }
    }
}

impl fmt::Display for Proto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A malformed application message: what, in which protocol, and where.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Error {
    /// What is wrong.
    pub kind: ErrorKind,
    /// The protocol whose view found it.
    pub proto: Proto,
    /// Byte offset of the offending field from the start of the payload
    /// handed to the view.
    pub offset: usize,
}

impl Error {
    /// An error at `offset`.
    #[inline]
    pub const fn new(proto: Proto, offset: usize, kind: ErrorKind) -> Error {
        Error {
            kind,
            proto,
            offset,
        }
    }

    /// Rebases an error found in a sub-slice that starts `n` bytes into
    /// the enclosing slice.
    #[inline]
    #[must_use]
    pub const fn add_offset(self, n: usize) -> Error {
        Error {
            kind: self.kind,
            proto: self.proto,
            offset: self.offset + n,
        }
    }

    /// True when the error only says that bytes are missing.
    #[inline]
    pub const fn is_truncation(&self) -> bool {
        matches!(self.kind, ErrorKind::Truncated { .. })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} at payload byte {}",
            self.proto.name(),
            self.kind,
            self.offset
        )
    }
}

impl std::error::Error for Error {}

/// The result type of the application views.
pub type Result<T> = core::result::Result<T, Error>;

#[inline]
pub(crate) const fn truncated(
    proto: Proto,
    offset: usize,
    needed: usize,
    available: usize,
) -> Error {
    Error::new(proto, offset, ErrorKind::Truncated { needed, available })
}

#[inline]
pub(crate) const fn bad_field(
    proto: Proto,
    offset: usize,
    field: &'static str,
    value: u32,
) -> Error {
    Error::new(proto, offset, ErrorKind::BadField { field, value })
}

#[inline]
pub(crate) const fn length_mismatch(
    proto: Proto,
    offset: usize,
    field: &'static str,
    claimed: usize,
    actual: usize,
) -> Error {
    Error::new(
        proto,
        offset,
        ErrorKind::LengthMismatch {
            field,
            claimed,
            actual,
        },
    )
}

/// `Ok` when `buffer` holds at least `needed` octets.
#[inline]
pub(crate) fn check_min_len(buffer: &[u8], proto: Proto, needed: usize) -> Result<()> {
    if buffer.len() < needed {
        return Err(truncated(proto, 0, needed, buffer.len()));
    }
    Ok(())
}

/// Big-endian u16 at `at`, `None` past the end.
#[inline]
pub(crate) fn be16(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(u16::from_be_bytes([s[0], s[1]]))
}

/// Big-endian u32 at `at`, `None` past the end.
#[inline]
pub(crate) fn be32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

/// `N` octets at `at`, `None` past the end.
#[inline]
pub(crate) fn array<const N: usize>(b: &[u8], at: usize) -> Option<[u8; N]> {
    let s = b.get(at..at.checked_add(N)?)?;
    let mut a = [0u8; N];
    a.copy_from_slice(s);
    Some(a)
}

/// Declares an application view `pub struct Name<T: AsRef<[u8]>>` with
/// `new_unchecked`, `new_checked`, `into_inner` and `as_bytes`, like
/// `crate::view::header_view!` but with the application [`Result`]. The
/// module writes `check_len` itself.
macro_rules! app_view {
    (
        $(#[$attr:meta])*
        pub struct $name:ident<T>;
    ) => {
        $(#[$attr])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $name<T: AsRef<[u8]>> {
            buffer: T,
        }

        impl<T: AsRef<[u8]>> $name<T> {
            /// Wraps a buffer without checking it; accessors may then panic.
            #[inline]
            pub const fn new_unchecked(buffer: T) -> $name<T> {
                $name { buffer }
            }

            #[doc = concat!(
                "Wraps a buffer after [`",
                stringify!($name),
                "::check_len`](Self::check_len); no accessor panics afterwards."
            )]
            pub fn new_checked(buffer: T) -> $crate::app::Result<$name<T>> {
                let packet = Self::new_unchecked(buffer);
                packet.check_len()?;
                Ok(packet)
            }

            /// Returns the underlying buffer.
            #[inline]
            pub fn into_inner(self) -> T {
                self.buffer
            }

            /// The whole buffer.
            #[inline]
            pub fn as_bytes(&self) -> &[u8] {
                self.buffer.as_ref()
            }
        }
    };
}

pub(crate) use app_view;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_return_none_past_the_end() {
        let b = [1, 2, 3, 4, 5];
        assert_eq!(be16(&b, 3), Some(0x0405));
        assert_eq!(be16(&b, 4), None);
        assert_eq!(be32(&b, 1), Some(0x0203_0405));
        assert_eq!(be32(&b, usize::MAX), None);
        assert_eq!(array::<2>(&b, 4), None);
        let e = truncated(Proto::Rtcp, 4, 8, 2).add_offset(10);
        assert_eq!(
            e.to_string(),
            "rtcp: truncated: needs 8 bytes, 2 available at payload byte 14"
        );
    }
}
