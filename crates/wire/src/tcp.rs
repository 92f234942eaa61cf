//! TCP header (RFC 9293 §3.1), decoded with etherparse's `TcpSlice`.

use etherparse::err::tcp::{HeaderError, HeaderSliceError};
use etherparse::TcpSlice;

use crate::error::{bad_field, truncated, Layer, Result};

mod field {
    use core::ops::Range;

    pub const SOURCE_PORT: Range<usize> = 0..2;
    pub const DESTINATION_PORT: Range<usize> = 2..4;
    pub const SEQUENCE_NUMBER: Range<usize> = 4..8;
    pub const ACKNOWLEDGMENT_NUMBER: Range<usize> = 8..12;
    pub const DATA_OFFSET: usize = 12;
    pub const FLAGS: usize = 13;
    pub const WINDOW: Range<usize> = 14..16;
    pub const CHECKSUM: Range<usize> = 16..18;
    pub const URGENT_POINTER: Range<usize> = 18..20;
}

/// Length of a TCP header without options.
pub const MIN_HEADER_LEN: usize = field::URGENT_POINTER.end;

/// TCP control bits. Bit 8 holds NS (RFC 3540, historic) from the low bit of
/// the data-offset octet; bits 0-7 are the flags octet.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TcpFlags(pub u16);

impl TcpFlags {
    /// No more data from sender.
    pub const FIN: TcpFlags = TcpFlags(0x001);
    /// Synchronize sequence numbers.
    pub const SYN: TcpFlags = TcpFlags(0x002);
    /// Reset the connection.
    pub const RST: TcpFlags = TcpFlags(0x004);
    /// Push function.
    pub const PSH: TcpFlags = TcpFlags(0x008);
    /// Acknowledgment field is significant.
    pub const ACK: TcpFlags = TcpFlags(0x010);
    /// Urgent pointer field is significant.
    pub const URG: TcpFlags = TcpFlags(0x020);
    /// ECN-Echo (RFC 3168).
    pub const ECE: TcpFlags = TcpFlags(0x040);
    /// Congestion Window Reduced (RFC 3168).
    pub const CWR: TcpFlags = TcpFlags(0x080);
    /// ECN nonce sum (RFC 3540, historic).
    pub const NS: TcpFlags = TcpFlags(0x100);

    /// True when every bit of `other` is set.
    #[inline]
    pub const fn contains(self, other: TcpFlags) -> bool {
        self.0 & other.0 == other.0
    }

    /// FIN is set.
    #[inline]
    pub const fn fin(self) -> bool {
        self.contains(Self::FIN)
    }

    /// SYN is set.
    #[inline]
    pub const fn syn(self) -> bool {
        self.contains(Self::SYN)
    }

    /// RST is set.
    #[inline]
    pub const fn rst(self) -> bool {
        self.contains(Self::RST)
    }

    /// PSH is set.
    #[inline]
    pub const fn psh(self) -> bool {
        self.contains(Self::PSH)
    }

    /// ACK is set.
    #[inline]
    pub const fn ack(self) -> bool {
        self.contains(Self::ACK)
    }

    /// URG is set.
    #[inline]
    pub const fn urg(self) -> bool {
        self.contains(Self::URG)
    }

    /// ECE is set.
    #[inline]
    pub const fn ece(self) -> bool {
        self.contains(Self::ECE)
    }

    /// CWR is set.
    #[inline]
    pub const fn cwr(self) -> bool {
        self.contains(Self::CWR)
    }

    /// NS is set.
    #[inline]
    pub const fn ns(self) -> bool {
        self.contains(Self::NS)
    }
}

/// The fixed TCP header fields of one segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TcpFacts {
    /// Source Port.
    pub source_port: u16,
    /// Destination Port.
    pub destination_port: u16,
    /// Sequence Number.
    pub sequence_number: u32,
    /// Acknowledgment Number.
    pub acknowledgment_number: u32,
    /// Data Offset in 32-bit words (5 without options).
    pub data_offset: u8,
    /// Control bits.
    pub flags: TcpFlags,
    /// Window (unscaled).
    pub window: u16,
    /// Checksum (not verified).
    pub checksum: u16,
    /// Urgent Pointer.
    pub urgent_pointer: u16,
}

impl TcpFacts {
    /// Header length in octets, options included.
    #[inline]
    pub const fn header_len(&self) -> usize {
        self.data_offset as usize * 4
    }

    /// Reads the fixed 20-byte header; the caller guarantees the length.
    fn from_fixed_header(b: &[u8]) -> TcpFacts {
        let be16 = |r: core::ops::Range<usize>| u16::from_be_bytes([b[r.start], b[r.start + 1]]);
        let be32 = |r: core::ops::Range<usize>| {
            u32::from_be_bytes([b[r.start], b[r.start + 1], b[r.start + 2], b[r.start + 3]])
        };
        TcpFacts {
            source_port: be16(field::SOURCE_PORT),
            destination_port: be16(field::DESTINATION_PORT),
            sequence_number: be32(field::SEQUENCE_NUMBER),
            acknowledgment_number: be32(field::ACKNOWLEDGMENT_NUMBER),
            data_offset: b[field::DATA_OFFSET] >> 4,
            flags: TcpFlags(
                (u16::from(b[field::DATA_OFFSET] & 0x01) << 8) | u16::from(b[field::FLAGS]),
            ),
            window: be16(field::WINDOW),
            checksum: be16(field::CHECKSUM),
            urgent_pointer: be16(field::URGENT_POINTER),
        }
    }
}

/// Decodes a TCP header at the start of `bytes`: the facts, the header
/// length and the data after it. Error offsets are relative to `bytes`.
#[inline]
pub(crate) fn parse(bytes: &[u8]) -> Result<(TcpFacts, &[u8])> {
    match TcpSlice::from_slice(bytes) {
        Ok(t) => {
            let facts = TcpFacts {
                source_port: t.source_port(),
                destination_port: t.destination_port(),
                sequence_number: t.sequence_number(),
                acknowledgment_number: t.acknowledgment_number(),
                data_offset: t.data_offset(),
                flags: TcpFlags(
                    u16::from(t.fin())
                        | u16::from(t.syn()) << 1
                        | u16::from(t.rst()) << 2
                        | u16::from(t.psh()) << 3
                        | u16::from(t.ack()) << 4
                        | u16::from(t.urg()) << 5
                        | u16::from(t.ece()) << 6
                        | u16::from(t.cwr()) << 7
                        | u16::from(t.ns()) << 8,
                ),
                window: t.window_size(),
                checksum: t.checksum(),
                urgent_pointer: t.urgent_pointer(),
            };
            Ok((facts, t.payload()))
        }
        Err(HeaderSliceError::Content(HeaderError::DataOffsetTooSmall { data_offset })) => {
            Err(bad_field(
                Layer::Tcp,
                field::DATA_OFFSET,
                "data_offset",
                data_offset.into(),
            ))
        }
        Err(HeaderSliceError::Len(l)) => Err(truncated(Layer::Tcp, 0, l.required_len, l.len)),
    }
}

/// The fixed header of a segment whose options were cut by the capture's
/// snap length (at least [`MIN_HEADER_LEN`] bytes present, data offset ≥ 5).
pub(crate) fn parse_fixed(bytes: &[u8]) -> Option<TcpFacts> {
    if bytes.len() < MIN_HEADER_LEN {
        return None;
    }
    let f = TcpFacts::from_fixed_header(bytes);
    (f.data_offset >= 5).then_some(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    // RFC 9293 §3.1, by hand: a SYN with an MSS option (data offset 6).
    const SYN: [u8; 26] = [
        0xc3, 0x50, 0x13, 0xc4, // ports 50000 -> 5060
        0x00, 0x00, 0x10, 0x00, // seq 4096
        0x00, 0x00, 0x00, 0x00, // ack 0
        0x61, 0x02, 0xfa, 0xf0, // data offset 6, NS, SYN, window 64240
        0x12, 0x34, 0x00, 0x00, // checksum, urgent pointer
        0x02, 0x04, 0x05, 0xb4, // MSS 1460
        0xaa, 0xbb, // payload
    ];

    #[test]
    fn parse_reads_every_field() {
        let (f, payload) = parse(&SYN).unwrap();
        assert_eq!((f.source_port, f.destination_port), (50000, 5060));
        assert_eq!((f.sequence_number, f.acknowledgment_number), (4096, 0));
        assert_eq!((f.data_offset, f.header_len()), (6, 24));
        assert!(f.flags.syn() && f.flags.ns() && !f.flags.ack() && !f.flags.fin());
        assert_eq!(f.flags, TcpFlags(0x102));
        assert_eq!((f.window, f.checksum, f.urgent_pointer), (64240, 0x1234, 0));
        assert_eq!(payload, &[0xaa, 0xbb]);
        assert_eq!(parse_fixed(&SYN), Some(f));
    }

    #[test]
    fn parse_rejects_data_offset_below_five() {
        let mut b = SYN;
        b[12] = 0x40;
        let e = parse(&b).unwrap_err();
        assert_eq!(
            e.kind,
            ErrorKind::BadField {
                field: "data_offset",
                value: 4
            }
        );
        assert_eq!((e.layer, e.offset), (Layer::Tcp, 12));
        assert_eq!(parse_fixed(&b), None);
    }

    #[test]
    fn parse_reports_cut_options() {
        let e = parse(&SYN[..22]).unwrap_err();
        assert_eq!(
            e.kind,
            ErrorKind::Truncated {
                needed: 24,
                available: 22
            }
        );
        assert_eq!(parse_fixed(&SYN[..22]).unwrap().sequence_number, 4096);
        assert_eq!(parse_fixed(&SYN[..19]), None);
    }
}
