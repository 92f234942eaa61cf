//! RTCP compound packets (RFC 3550 §6) and the SRTCP trailer (RFC 3711
//! §3.4).
//!
//! Every RTCP packet starts with the same 4 octets:
//!
//! ```text
//! |V=2|P|  count  |      PT       |            length             |
//! ```
//!
//! where `length` is the packet's length in 32-bit words minus one. A
//! compound packet is several of them back to back in one datagram.
//! [`Packets`] walks a compound by these length fields; [`check_compound`]
//! applies the validity checks of RFC 3550 A.2 (version 2 throughout,
//! first packet SR or RR, padding only in the last packet, lengths adding
//! up to the datagram) and [`check_reduced_size`] the relaxed ones of
//! RFC 5506 §3.4.2, where the first packet may be of any type. SR and RR
//! report blocks, SDES items (CNAME) and BYE sources are read by
//! [`Packet`]'s accessors.

use super::{
    app_view, bad_field, be16, be32, check_min_len, length_mismatch, truncated, Proto, Result,
};

/// Length of the common header.
pub const HEADER_LEN: usize = 4;
/// Length of a report block (RFC 3550 §6.4.1).
pub const REPORT_BLOCK_LEN: usize = 24;
/// Octets of an SR before its report blocks (header, SSRC, sender info).
pub const SR_FIXED_LEN: usize = 28;
/// Octets of an RR before its report blocks (header, SSRC).
pub const RR_FIXED_LEN: usize = 8;

/// RTCP packet types (IANA "RTP Control Protocol (RTCP) Packet Types").
pub mod packet_type {
    /// Full INTRA-frame Request (RFC 2032).
    pub const FIR: u8 = 192;
    /// Negative acknowledgement (RFC 2032).
    pub const NACK: u8 = 193;
    /// SMPTE time-code mapping (RFC 5484).
    pub const SMPTETC: u8 = 194;
    /// Extended inter-arrival jitter report (RFC 5450).
    pub const IJ: u8 = 195;
    /// Sender report.
    pub const SR: u8 = 200;
    /// Receiver report.
    pub const RR: u8 = 201;
    /// Source description.
    pub const SDES: u8 = 202;
    /// Goodbye.
    pub const BYE: u8 = 203;
    /// Application-defined.
    pub const APP: u8 = 204;
    /// Generic RTP feedback (RFC 4585).
    pub const RTPFB: u8 = 205;
    /// Payload-specific feedback (RFC 4585).
    pub const PSFB: u8 = 206;
    /// Extended reports (RFC 3611).
    pub const XR: u8 = 207;
    /// AVB RTCP packet (IEEE 1733).
    pub const AVB: u8 = 208;
    /// Receiver summary information (RFC 5760).
    pub const RSI: u8 = 209;
    /// Port mapping (RFC 6284).
    pub const TOKEN: u8 = 210;
    /// IDMS settings (RFC 7272).
    pub const IDMS: u8 = 211;
    /// Reporting group reporting sources (RFC 8861).
    pub const RGRS: u8 = 212;
    /// Splicing notification (RFC 8286).
    pub const SNM: u8 = 213;
}

/// True for a packet type the IANA registry assigns (192-195, 200-213).
#[inline]
pub const fn is_assigned_type(pt: u8) -> bool {
    matches!(pt, 192..=195 | 200..=213)
}

/// SDES item types (RFC 3550 §6.5).
pub mod sdes_item {
    /// End of list.
    pub const END: u8 = 0;
    /// Canonical end-point identifier.
    pub const CNAME: u8 = 1;
    /// User name.
    pub const NAME: u8 = 2;
    /// Electronic mail address.
    pub const EMAIL: u8 = 3;
    /// Phone number.
    pub const PHONE: u8 = 4;
    /// Geographic location.
    pub const LOC: u8 = 5;
    /// Application or tool name.
    pub const TOOL: u8 = 6;
    /// Notice/status.
    pub const NOTE: u8 = 7;
    /// Private extensions.
    pub const PRIV: u8 = 8;
}

app_view! {
    /// A read-only view of one RTCP packet of a compound, bounded by its
    /// length field (see [`Packets`]).
    pub struct Packet<T>;
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Checks that the buffer holds the common header and the octets its
    /// length field claims, and that SR/RR fixed parts fit.
    pub fn check_len(&self) -> Result<()> {
        let b = self.buffer.as_ref();
        check_min_len(b, Proto::Rtcp, HEADER_LEN)?;
        let len = self.packet_len();
        if b.len() < len {
            return Err(length_mismatch(Proto::Rtcp, 2, "length", len, b.len()));
        }
        let fixed = match self.packet_type() {
            packet_type::SR => SR_FIXED_LEN,
            packet_type::RR => RR_FIXED_LEN,
            _ => HEADER_LEN,
        };
        if len < fixed {
            return Err(bad_field(
                Proto::Rtcp,
                2,
                "length",
                u32::from(self.length()),
            ));
        }
        Ok(())
    }

    fn b(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    /// Version (V).
    #[inline]
    pub fn version(&self) -> u8 {
        self.b()[0] >> 6
    }

    /// Padding (P).
    #[inline]
    pub fn padding(&self) -> bool {
        self.b()[0] & 0x20 != 0
    }

    /// The 5-bit count: reception report count (SR/RR), source count
    /// (SDES/BYE), subtype (APP) or feedback message type (RTPFB/PSFB).
    #[inline]
    pub fn count(&self) -> u8 {
        self.b()[0] & 0x1f
    }

    /// Packet type (PT).
    #[inline]
    pub fn packet_type(&self) -> u8 {
        self.b()[1]
    }

    /// The length field: 32-bit words minus one.
    #[inline]
    pub fn length(&self) -> u16 {
        be16(self.b(), 2).unwrap_or(0)
    }

    /// Length of the packet in octets: (length + 1) · 4.
    #[inline]
    pub fn packet_len(&self) -> usize {
        (usize::from(self.length()) + 1) * 4
    }

    /// The packet's octets (header included) as its length field bounds them.
    pub fn packet_bytes(&self) -> &[u8] {
        let b = self.b();
        &b[..self.packet_len().min(b.len())]
    }

    /// The SSRC after the header: sender of an SR/RR, first source of
    /// SDES/BYE, packet sender of RTPFB/PSFB/APP/XR. `None` if absent.
    pub fn ssrc(&self) -> Option<u32> {
        if self.packet_len() < 8 {
            return None;
        }
        be32(self.packet_bytes(), 4)
    }

    /// SR sender info, for an SR.
    pub fn sender_info(&self) -> Option<SenderInfo> {
        if self.packet_type() != packet_type::SR {
            return None;
        }
        let b = self.packet_bytes();
        Some(SenderInfo {
            ntp_timestamp: (u64::from(be32(b, 8)?) << 32) | u64::from(be32(b, 12)?),
            rtp_timestamp: be32(b, 16)?,
            packet_count: be32(b, 20)?,
            octet_count: be32(b, 24)?,
        })
    }

    /// Report blocks of an SR or RR (empty for other types). Yields at
    /// most RC blocks and only those inside the packet.
    pub fn report_blocks(&self) -> ReportBlocks<'_> {
        let start = match self.packet_type() {
            packet_type::SR => SR_FIXED_LEN,
            packet_type::RR => RR_FIXED_LEN,
            _ => {
                return ReportBlocks {
                    bytes: &[],
                    left: 0,
                }
            }
        };
        let b = self.packet_bytes();
        ReportBlocks {
            bytes: b.get(start..).unwrap_or(&[]),
            left: self.count(),
        }
    }

    /// SDES chunks (empty for other types).
    pub fn sdes_chunks(&self) -> SdesChunks<'_> {
        let b = self.packet_bytes();
        let (bytes, left) = if self.packet_type() == packet_type::SDES {
            (b.get(HEADER_LEN..).unwrap_or(&[]), self.count())
        } else {
            (&[][..], 0)
        };
        SdesChunks {
            bytes,
            pos: 0,
            left,
        }
    }

    /// The first CNAME of an SDES packet.
    pub fn cname(&self) -> Option<&[u8]> {
        self.sdes_chunks()
            .flat_map(|c| c.items())
            .find(|i| i.item_type == sdes_item::CNAME)
            .map(|i| i.value)
    }

    /// The sources leaving in a BYE (empty for other types).
    pub fn bye_sources(&self) -> impl Iterator<Item = u32> + '_ {
        let n = if self.packet_type() == packet_type::BYE {
            usize::from(self.count())
        } else {
            0
        };
        let b = self.packet_bytes();
        (0..n).map_while(move |i| be32(b, HEADER_LEN + 4 * i))
    }

    /// The reason for leaving of a BYE, when present and inside the packet.
    pub fn bye_reason(&self) -> Option<&[u8]> {
        if self.packet_type() != packet_type::BYE {
            return None;
        }
        let b = self.packet_bytes();
        let at = HEADER_LEN + 4 * usize::from(self.count());
        let len = usize::from(*b.get(at)?);
        b.get(at + 1..at + 1 + len)
    }
}

/// The sender information block of an SR (RFC 3550 §6.4.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SenderInfo {
    /// NTP timestamp, 32.32 fixed point seconds since 1900.
    pub ntp_timestamp: u64,
    /// The same instant in RTP timestamp units.
    pub rtp_timestamp: u32,
    /// Sender's packet count.
    pub packet_count: u32,
    /// Sender's octet count.
    pub octet_count: u32,
}

/// One reception report block (RFC 3550 §6.4.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReportBlock {
    /// SSRC of the source this block reports on.
    pub ssrc: u32,
    /// Fraction lost since the last report, in 1/256.
    pub fraction_lost: u8,
    /// Cumulative number of packets lost (24-bit signed: duplicates can
    /// make it negative).
    pub cumulative_lost: i32,
    /// Extended highest sequence number received.
    pub extended_highest_sequence: u32,
    /// Interarrival jitter, in timestamp units.
    pub jitter: u32,
    /// Last SR timestamp (middle 32 bits of its NTP timestamp).
    pub last_sr: u32,
    /// Delay since last SR, in 1/65536 s.
    pub delay_since_last_sr: u32,
}

impl ReportBlock {
    fn read(b: &[u8]) -> Option<ReportBlock> {
        let lost = be32(b, 4)?;
        // Sign-extend the low 24 bits.
        let cumulative_lost = ((lost << 8) as i32) >> 8;
        Some(ReportBlock {
            ssrc: be32(b, 0)?,
            fraction_lost: (lost >> 24) as u8,
            cumulative_lost,
            extended_highest_sequence: be32(b, 8)?,
            jitter: be32(b, 12)?,
            last_sr: be32(b, 16)?,
            delay_since_last_sr: be32(b, 20)?,
        })
    }
}

/// Iterator over the report blocks of an SR or RR.
#[derive(Clone, Debug)]
pub struct ReportBlocks<'a> {
    bytes: &'a [u8],
    left: u8,
}

impl Iterator for ReportBlocks<'_> {
    type Item = ReportBlock;

    fn next(&mut self) -> Option<ReportBlock> {
        if self.left == 0 {
            return None;
        }
        let block = ReportBlock::read(self.bytes)?;
        self.bytes = &self.bytes[REPORT_BLOCK_LEN..];
        self.left -= 1;
        Some(block)
    }
}

/// One SDES chunk: a source and its items.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SdesChunk<'a> {
    /// SSRC or CSRC the items describe.
    pub ssrc: u32,
    items: &'a [u8],
}

impl<'a> SdesChunk<'a> {
    /// The chunk's items up to the END item.
    pub fn items(&self) -> SdesItems<'a> {
        SdesItems { bytes: self.items }
    }
}

/// One SDES item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SdesItem<'a> {
    /// Item type ([`sdes_item`]).
    pub item_type: u8,
    /// Item text (UTF-8 by RFC 3550, not checked here).
    pub value: &'a [u8],
}

/// Iterator over SDES items; stops at END or at an item that does not fit.
#[derive(Clone, Debug)]
pub struct SdesItems<'a> {
    bytes: &'a [u8],
}

impl<'a> Iterator for SdesItems<'a> {
    type Item = SdesItem<'a>;

    fn next(&mut self) -> Option<SdesItem<'a>> {
        let (&t, rest) = self.bytes.split_first()?;
        if t == sdes_item::END {
            self.bytes = &[];
            return None;
        }
        let (&len, rest) = rest.split_first()?;
        let Some(value) = rest.get(..usize::from(len)) else {
            self.bytes = &[];
            return None;
        };
        self.bytes = &rest[usize::from(len)..];
        Some(SdesItem {
            item_type: t,
            value,
        })
    }
}

/// Iterator over the chunks of an SDES packet.
#[derive(Clone, Debug)]
pub struct SdesChunks<'a> {
    bytes: &'a [u8],
    pos: usize,
    left: u8,
}

impl<'a> Iterator for SdesChunks<'a> {
    type Item = SdesChunk<'a>;

    fn next(&mut self) -> Option<SdesChunk<'a>> {
        if self.left == 0 {
            return None;
        }
        let ssrc = be32(self.bytes, self.pos)?;
        let start = self.pos + 4;
        // Items run to the first END octet in item-type position; the
        // chunk then pads to the next 32-bit boundary (RFC 3550 §6.5).
        let mut at = start;
        loop {
            match self.bytes.get(at) {
                None => break,
                Some(&sdes_item::END) => break,
                Some(_) => {
                    let Some(&len) = self.bytes.get(at + 1) else {
                        at = self.bytes.len();
                        break;
                    };
                    at += 2 + usize::from(len);
                }
            }
        }
        let end = at.min(self.bytes.len());
        let items = &self.bytes[start..end];
        // Skip the END octet and pad to a multiple of 4 from the chunk start.
        let next = (at + 1).next_multiple_of(4);
        self.pos = next.min(self.bytes.len());
        self.left -= 1;
        Some(SdesChunk { ssrc, items })
    }
}

/// Walks a compound packet by the packets' length fields.
///
/// Yields each packet's offset and view, or one error when a header or
/// a length field does not fit the datagram, then stops.
#[derive(Clone, Debug)]
pub struct Packets<'a> {
    bytes: &'a [u8],
    pos: usize,
    failed: bool,
}

impl<'a> Packets<'a> {
    /// Packets of the compound `bytes`.
    pub const fn new(bytes: &'a [u8]) -> Self {
        Packets {
            bytes,
            pos: 0,
            failed: false,
        }
    }

    /// Offset of the next packet.
    pub const fn position(&self) -> usize {
        self.pos
    }
}

impl<'a> Iterator for Packets<'a> {
    type Item = Result<(usize, Packet<&'a [u8]>)>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let rest = self.bytes.get(self.pos..)?;
        if rest.is_empty() {
            return None;
        }
        let at = self.pos;
        match Packet::new_checked(rest) {
            Ok(p) => {
                let len = p.packet_len();
                self.pos += len;
                Some(Ok((at, Packet::new_unchecked(&rest[..len]))))
            }
            Err(e) => {
                self.failed = true;
                Some(Err(e.add_offset(at)))
            }
        }
    }
}

/// The validity checks of RFC 3550 A.2 on a compound packet: every
/// packet of version 2, the first an SR or RR without padding, padding
/// only in the last packet, and lengths adding up to the datagram.
/// Returns the number of packets.
pub fn check_compound(bytes: &[u8]) -> Result<usize> {
    check(bytes, true)
}

/// The checks of RFC 5506 §3.4.2 (reduced-size RTCP): as
/// [`check_compound`] but the first packet may be of any type.
pub fn check_reduced_size(bytes: &[u8]) -> Result<usize> {
    check(bytes, false)
}

fn check(bytes: &[u8], first_sr_rr: bool) -> Result<usize> {
    if bytes.is_empty() {
        return Err(truncated(Proto::Rtcp, 0, HEADER_LEN, 0));
    }
    let mut n = 0;
    let mut padded_at = None;
    for item in Packets::new(bytes) {
        let (at, p) = item?;
        if let Some(pad) = padded_at {
            // A padded packet that is not the last one.
            return Err(bad_field(Proto::Rtcp, pad, "padding", 1));
        }
        if p.version() != 2 {
            return Err(bad_field(
                Proto::Rtcp,
                at,
                "version",
                u32::from(p.version()),
            ));
        }
        if n == 0 && first_sr_rr {
            let pt = p.packet_type();
            if pt != packet_type::SR && pt != packet_type::RR {
                return Err(bad_field(Proto::Rtcp, 1, "packet_type", u32::from(pt)));
            }
            if p.padding() {
                return Err(bad_field(Proto::Rtcp, 0, "padding", 1));
            }
        }
        if p.padding() {
            padded_at = Some(at);
        }
        n += 1;
    }
    Ok(n)
}

/// The trailer SRTCP appends to a compound (RFC 3711 §3.4): the E flag
/// and 31-bit SRTCP index, an optional MKI, then the authentication tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SrtcpTrailer {
    /// E: the compound after its first 8 octets is encrypted.
    pub encrypted: bool,
    /// SRTCP index.
    pub index: u32,
    /// Length of the (possibly encrypted) compound before the trailer.
    pub compound_len: usize,
}

/// Tests whether `bytes` ends in an SRTCP trailer with an MKI of
/// `mki_len` and an authentication tag of `tag_len` octets (10 for
/// HMAC-SHA1-80, 4 for HMAC-SHA1-32).
///
/// The compound before the trailer must be a multiple of 4 octets and
/// start with a version 2 header of an assigned RTCP type (SR or RR by
/// RFC 3550; any type under reduced-size RTCP, RFC 5506) whose length
/// fits: the first 8 octets are never encrypted. When E is clear the
/// whole compound must also pass [`check_reduced_size`]; when E is set
/// only the first header can be checked. A plain RTCP compound usually
/// fails this (its length sum leaves no room for a trailer), which is how
/// a detector tells them apart.
pub fn srtcp_trailer(bytes: &[u8], mki_len: usize, tag_len: usize) -> Result<SrtcpTrailer> {
    let trailer = 4usize.saturating_add(mki_len).saturating_add(tag_len);
    let Some(compound_len) = bytes.len().checked_sub(trailer) else {
        return Err(truncated(Proto::Rtcp, 0, trailer + 8, bytes.len()));
    };
    if compound_len < 8 {
        return Err(truncated(Proto::Rtcp, 0, trailer + 8, bytes.len()));
    }
    if compound_len % 4 != 0 {
        return Err(bad_field(
            Proto::Rtcp,
            0,
            "srtcp_compound_len",
            compound_len as u32,
        ));
    }
    let word = be32(bytes, compound_len).unwrap_or(0);
    let encrypted = word & 0x8000_0000 != 0;
    let compound = &bytes[..compound_len];
    let first = Packet::new_unchecked(compound);
    if first.version() != 2 {
        return Err(bad_field(
            Proto::Rtcp,
            0,
            "version",
            u32::from(first.version()),
        ));
    }
    let pt = first.packet_type();
    if !is_assigned_type(pt) {
        return Err(bad_field(Proto::Rtcp, 1, "packet_type", u32::from(pt)));
    }
    if first.packet_len() > compound_len {
        return Err(length_mismatch(
            Proto::Rtcp,
            2,
            "length",
            first.packet_len(),
            compound_len,
        ));
    }
    if !encrypted {
        check_reduced_size(compound)?;
    }
    Ok(SrtcpTrailer {
        encrypted,
        index: word & 0x7fff_ffff,
        compound_len,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::ErrorKind;

    /// SR with one report block + SDES CNAME "a@b" + BYE, laid out by hand
    /// from the RFC 3550 §6.4.1, §6.5 and §6.6 figures.
    fn compound() -> Vec<u8> {
        let mut v = vec![
            0x81, 200, 0, 12, // SR, RC=1, length 12 → 52 octets
            0, 0, 0, 1, // sender SSRC
            0xe0, 0, 0, 0, 0x80, 0, 0, 0, // NTP
            0, 0, 0x1f, 0x40, // RTP ts 8000
            0, 0, 0, 50, // packets
            0, 0, 0x1f, 0x40, // octets
            0, 0, 0, 2, // block SSRC
            0x40, 0xff, 0xff, 0xfe, // fraction 64, cumulative -2
            0, 1, 0, 10, // ext highest seq
            0, 0, 0, 33, // jitter
            0, 0, 0, 7, // LSR
            0, 0, 0, 9, // DLSR
        ];
        v.extend_from_slice(&[
            0x81, 202, 0, 3, // SDES, SC=1, 16 octets
            0, 0, 0, 1, // SSRC
            1, 3, b'a', b'@', // CNAME len 3
            b'b', 0, 0, 0, // END + pad
        ]);
        v.extend_from_slice(&[
            0x81, 203, 0, 2, // BYE, SC=1
            0, 0, 0, 1, 3, b'b', b'y', b'e',
        ]);
        v
    }

    #[test]
    fn walks_sr_sdes_bye() {
        let c = compound();
        assert_eq!(check_compound(&c), Ok(3));
        let ps: Vec<_> = Packets::new(&c).map(|x| x.unwrap()).collect();
        assert_eq!(
            ps.iter()
                .map(|(at, p)| (*at, p.packet_type()))
                .collect::<Vec<_>>(),
            vec![(0, 200), (52, 202), (68, 203)]
        );
        let sr = &ps[0].1;
        assert_eq!(sr.ssrc(), Some(1));
        let si = sr.sender_info().unwrap();
        assert_eq!(
            (si.rtp_timestamp, si.packet_count, si.octet_count),
            (8000, 50, 8000)
        );
        assert_eq!(si.ntp_timestamp, 0xe000_0000_8000_0000);
        let rb: Vec<_> = sr.report_blocks().collect();
        assert_eq!(rb.len(), 1);
        assert_eq!(
            (rb[0].ssrc, rb[0].fraction_lost, rb[0].cumulative_lost),
            (2, 64, -2)
        );
        assert_eq!(
            (rb[0].extended_highest_sequence, rb[0].jitter),
            (0x1000a, 33)
        );
        assert_eq!((rb[0].last_sr, rb[0].delay_since_last_sr), (7, 9));
        assert_eq!(ps[1].1.cname(), Some(&b"a@b"[..]));
        assert_eq!(ps[2].1.bye_sources().collect::<Vec<_>>(), vec![1]);
        assert_eq!(ps[2].1.bye_reason(), Some(&b"bye"[..]));
    }

    #[test]
    fn rfc_3550_vs_5506_first_packet() {
        let c = compound();
        let sdes_first = &c[52..];
        let e = check_compound(sdes_first).unwrap_err();
        assert_eq!(
            e.kind,
            ErrorKind::BadField {
                field: "packet_type",
                value: 202
            }
        );
        assert_eq!(check_reduced_size(sdes_first), Ok(2));
    }

    #[test]
    fn length_sum_must_match() {
        let mut c = compound();
        c.push(0);
        let e = check_compound(&c).unwrap_err();
        assert_eq!(e.offset, 80);
        assert!(e.is_truncation());
        let mut c = compound();
        c[55] = 4; // SDES claims 20 octets, crosses into BYE: BYE parse breaks
        assert!(check_compound(&c).is_err());
        let mut c = compound();
        c[52] = 0xa1; // padding in a middle packet
        let e = check_compound(&c).unwrap_err();
        assert_eq!(
            e.kind,
            ErrorKind::BadField {
                field: "padding",
                value: 1
            }
        );
        let mut c = compound();
        c[68] = 0x41; // version 1
        assert_eq!(check_compound(&c).unwrap_err().offset, 68);
    }

    #[test]
    fn srtcp_trailer_after_compound() {
        let mut c = compound();
        let n = c.len();
        c.extend_from_slice(&[0x80, 0, 0, 5]); // E=1, index 5
        c.extend_from_slice(&[0xaa; 10]); // HMAC-SHA1-80 tag
        let t = srtcp_trailer(&c, 0, 10).unwrap();
        assert_eq!((t.encrypted, t.index, t.compound_len), (true, 5, n));
        // Plain RTCP: the 14 octets taken as a trailer cut the BYE, and
        // the remainder is not a multiple of 4.
        assert!(srtcp_trailer(&compound(), 0, 10).is_err());
        // E clear: the compound itself is checked.
        c[n] = 0;
        assert_eq!(srtcp_trailer(&c, 0, 10).unwrap().index, 5);
        assert!(check_compound(&c).is_err());
    }

    #[test]
    fn short_packets_do_not_panic() {
        for i in 0..compound().len() {
            let c = compound();
            let _ = check_compound(&c[..i]);
            for p in Packets::new(&c[..i]).flatten() {
                let _ = (p.1.cname(), p.1.report_blocks().count(), p.1.bye_reason());
            }
        }
        // An SR whose length says 1 word cannot hold its sender info.
        let e = check_compound(&[0x80, 200, 0, 1, 0, 0, 0, 0]).unwrap_err();
        assert_eq!(
            e.kind,
            ErrorKind::BadField {
                field: "length",
                value: 1
            }
        );
    }
}
