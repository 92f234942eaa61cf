//! Multicast Listener Discovery: MLDv1 (RFC 2710 §3) and MLDv2 (RFC 3810 §5),
//! carried in ICMPv6 types 130, 131, 132 and 143.
//!
//! A Multicast Listener Query is MLDv1 when it is 24 octets long and MLDv2
//! when it is 28 or more (RFC 3810 §8.1); other lengths are malformed. The
//! checksum is not verified.

use core::net::Ipv6Addr;

use crate::error::{bad_field, Layer, Result};
use crate::group::{
    query_accessors, GroupAddress, GroupRecords, QueryFields, SourceQuery, QUERY_FIELDS_LEN,
};
use crate::view::{check_min_len, header_view};

mod field {
    use core::ops::Range;

    pub const TYPE: usize = 0;
    pub const CODE: usize = 1;
    pub const CHECKSUM: Range<usize> = 2..4;
    pub const MAX_RESP_CODE: Range<usize> = 4..6;
    pub const MULTICAST_ADDRESS: Range<usize> = 8..24;
    // MLDv2 query: S/QRV, QQIC, Number of Sources, sources (read by
    // crate::group::QueryFields).
    pub const QUERY: usize = MULTICAST_ADDRESS.end;
    // MLDv2 report.
    pub const NUMBER_OF_RECORDS: Range<usize> = 6..8;
    pub const RECORDS: usize = 8;
}

/// Length of an MLDv1 message (and of the common part of an MLDv2 query).
pub const HEADER_LEN: usize = field::MULTICAST_ADDRESS.end;
/// Length of an MLDv2 query without sources.
pub const QUERY_V2_MIN_LEN: usize = field::QUERY + QUERY_FIELDS_LEN;
/// Length of an MLDv2 report header.
pub const REPORT_V2_HEADER_LEN: usize = field::RECORDS;

/// ICMPv6 types that carry MLD.
pub mod mld_type {
    /// Multicast Listener Query (v1 and v2).
    pub const LISTENER_QUERY: u8 = 130;
    /// Version 1 Multicast Listener Report.
    pub const V1_LISTENER_REPORT: u8 = 131;
    /// Version 1 Multicast Listener Done.
    pub const V1_LISTENER_DONE: u8 = 132;
    /// Version 2 Multicast Listener Report.
    pub const V2_LISTENER_REPORT: u8 = 143;

    /// True for the four MLD types.
    #[inline]
    pub const fn is_mld(icmpv6_type: u8) -> bool {
        matches!(
            icmpv6_type,
            LISTENER_QUERY | V1_LISTENER_REPORT | V1_LISTENER_DONE | V2_LISTENER_REPORT
        )
    }
}

header_view! {
    /// A read/write view of an MLD message (starting at the ICMPv6 type).
    pub struct Packet<T>;
}

query_accessors!(Packet<Ipv6Addr>, at: field::QUERY, query: "an MLDv2 query");

impl<T: AsRef<[u8]>> Packet<T> {
    /// Checks the length the message type needs (24 octets for MLDv1 and
    /// queries, 8 for an MLDv2 report header, plus the sources of an MLDv2
    /// query); after this no accessor panics.
    pub fn check_len(&self) -> Result<()> {
        let buffer = self.buffer.as_ref();
        check_min_len(buffer, Layer::Mld, REPORT_V2_HEADER_LEN)?;
        if self.msg_type() == mld_type::V2_LISTENER_REPORT {
            return Ok(());
        }
        check_min_len(buffer, Layer::Mld, HEADER_LEN)?;
        if self.msg_type() == mld_type::LISTENER_QUERY {
            self.query_fields().check_len::<Ipv6Addr>(Layer::Mld)?;
        }
        Ok(())
    }

    /// ICMPv6 Type.
    #[inline]
    pub fn msg_type(&self) -> u8 {
        self.buffer.as_ref()[field::TYPE]
    }

    /// ICMPv6 Code (zero).
    #[inline]
    pub fn code(&self) -> u8 {
        self.buffer.as_ref()[field::CODE]
    }

    /// Checksum.
    #[inline]
    pub fn checksum(&self) -> u16 {
        let b = &self.buffer.as_ref()[field::CHECKSUM];
        u16::from_be_bytes([b[0], b[1]])
    }

    /// Maximum Response Code (v2) / Maximum Response Delay in ms (v1).
    #[inline]
    pub fn max_resp_code(&self) -> u16 {
        let b = &self.buffer.as_ref()[field::MAX_RESP_CODE];
        u16::from_be_bytes([b[0], b[1]])
    }

    /// Multicast Address (unspecified in a general query, and when the
    /// message ends before it, as an MLDv2 report header does).
    ///
    /// `check_len` accepts an 8-octet MLDv2 report, so this must not index
    /// past its end (found by fuzzing; the view contract is that no
    /// accessor panics).
    #[inline]
    pub fn multicast_address(&self) -> Ipv6Addr {
        match self.buffer.as_ref().get(field::MULTICAST_ADDRESS) {
            Some(b) => Ipv6Addr::read_octets(b),
            None => Ipv6Addr::UNSPECIFIED,
        }
    }

    /// Nr of Mcast Address Records of an MLDv2 report.
    #[inline]
    pub fn number_of_records(&self) -> u16 {
        let b = &self.buffer.as_ref()[field::NUMBER_OF_RECORDS];
        u16::from_be_bytes([b[0], b[1]])
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Packet<&'a T> {
    /// Multicast address records of an MLDv2 report; offsets relative to the message.
    #[inline]
    pub fn records(&self) -> GroupRecords<'a, Ipv6Addr> {
        GroupRecords::in_message(
            self.buffer.as_ref(),
            field::RECORDS,
            self.number_of_records(),
            Layer::Mld,
        )
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Sets the type.
    #[inline]
    pub fn set_msg_type(&mut self, value: u8) {
        self.buffer.as_mut()[field::TYPE] = value;
    }

    /// Sets the checksum field.
    #[inline]
    pub fn set_checksum(&mut self, value: u16) {
        self.buffer.as_mut()[field::CHECKSUM].copy_from_slice(&value.to_be_bytes());
    }

    /// Sets the maximum response code / delay.
    #[inline]
    pub fn set_max_resp_code(&mut self, value: u16) {
        self.buffer.as_mut()[field::MAX_RESP_CODE].copy_from_slice(&value.to_be_bytes());
    }

    /// Sets the multicast address.
    #[inline]
    pub fn set_multicast_address(&mut self, value: Ipv6Addr) {
        self.buffer.as_mut()[field::MULTICAST_ADDRESS].copy_from_slice(&value.octets());
    }

    /// Sets the record count of an MLDv2 report.
    #[inline]
    pub fn set_number_of_records(&mut self, value: u16) {
        self.buffer.as_mut()[field::NUMBER_OF_RECORDS].copy_from_slice(&value.to_be_bytes());
    }
}

/// The kind of an MLD message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MldMessage {
    /// MLDv1 Multicast Listener Query.
    QueryV1,
    /// MLDv2 Multicast Listener Query.
    QueryV2,
    /// MLDv1 Multicast Listener Report.
    ReportV1,
    /// MLDv1 Multicast Listener Done.
    Done,
    /// MLDv2 Multicast Listener Report.
    ReportV2,
}

impl MldMessage {
    /// True for a query of either version.
    #[inline]
    pub const fn is_query(self) -> bool {
        matches!(self, MldMessage::QueryV1 | MldMessage::QueryV2)
    }

    /// The protocol version.
    #[inline]
    pub const fn version(self) -> u8 {
        match self {
            MldMessage::QueryV1 | MldMessage::ReportV1 | MldMessage::Done => 1,
            MldMessage::QueryV2 | MldMessage::ReportV2 => 2,
        }
    }
}

/// One decoded MLD message; source lists and records stay borrowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MldFacts<'a> {
    /// What the message is.
    pub message: MldMessage,
    /// Maximum Response Code / Delay (0 in reports).
    pub max_resp_code: u16,
    /// Checksum (not verified).
    pub checksum: u16,
    /// Multicast Address (unspecified in a general query and in an MLDv2 report).
    pub multicast_address: Ipv6Addr,
    /// The MLDv2 query fields.
    pub query: Option<SourceQuery<'a, Ipv6Addr>>,
    /// The records of an MLDv2 report (empty otherwise), offsets from the
    /// start of the frame.
    pub records: GroupRecords<'a, Ipv6Addr>,
}

impl MldFacts<'_> {
    pub(crate) fn add_offset(&mut self, n: usize) {
        self.records.add_offset(n);
    }
}

/// Decodes an MLD message (the whole ICMPv6 message, bounded by the IPv6
/// length). `snapped` says the packet was cut by the capture. Error offsets
/// are relative to `bytes`; records are not walked here.
pub(crate) fn parse(bytes: &[u8], snapped: bool) -> Result<MldFacts<'_>> {
    let p = Packet::new_unchecked(bytes);
    check_min_len(bytes, Layer::Mld, REPORT_V2_HEADER_LEN)?;
    let t = p.msg_type();
    if t == mld_type::V2_LISTENER_REPORT {
        return Ok(MldFacts {
            message: MldMessage::ReportV2,
            max_resp_code: 0,
            checksum: p.checksum(),
            multicast_address: Ipv6Addr::UNSPECIFIED,
            query: None,
            records: p.records(),
        });
    }
    check_min_len(bytes, Layer::Mld, HEADER_LEN)?;
    let mut query = None;
    let message = match t {
        mld_type::LISTENER_QUERY => {
            query = QueryFields::new(bytes, field::QUERY).source_query(Layer::Mld, snapped)?;
            if query.is_some() {
                MldMessage::QueryV2
            } else {
                MldMessage::QueryV1
            }
        }
        mld_type::V1_LISTENER_REPORT => MldMessage::ReportV1,
        mld_type::V1_LISTENER_DONE => MldMessage::Done,
        other => return Err(bad_field(Layer::Mld, field::TYPE, "type", other.into())),
    };
    Ok(MldFacts {
        message,
        max_resp_code: p.max_resp_code(),
        checksum: p.checksum(),
        multicast_address: p.multicast_address(),
        query,
        records: GroupRecords::empty(Layer::Mld),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::RecordType;
    use crate::ErrorKind;

    fn addr(s: &str) -> Ipv6Addr {
        s.parse().unwrap()
    }

    // RFC 2710 §3: type, code, checksum, max response delay, reserved, multicast address.
    fn v1(t: u8, delay: u16, group: Ipv6Addr) -> Vec<u8> {
        let mut b = vec![t, 0, 0x12, 0x34];
        b.extend_from_slice(&delay.to_be_bytes());
        b.extend_from_slice(&[0, 0]);
        b.extend_from_slice(&group.octets());
        b
    }

    #[test]
    fn accessors_do_not_panic_on_short_accepted_messages() {
        // Same class as the IGMP fuzz finding: check_len accepts an 8-octet
        // MLDv2 report header and a 24-octet MLDv1 message; the multicast
        // address (octets 8..24) and the MLDv2 query fields (24..28) were
        // indexed past their end.
        let report = [143, 0, 0x12, 0x34, 0, 0, 0, 0];
        let p = Packet::new_checked(&report[..]).unwrap();
        assert_eq!(p.multicast_address(), Ipv6Addr::UNSPECIFIED);
        assert!(!p.s_flag());
        assert_eq!((p.qrv(), p.qqic(), p.number_of_sources()), (0, 0, 0));
        assert_eq!(p.sources().count(), 0);
        let q = v1(130, 1000, addr("ff02::1"));
        let p = Packet::new_checked(&q[..]).unwrap();
        assert_eq!(p.multicast_address(), addr("ff02::1"));
        assert_eq!((p.qrv(), p.number_of_sources()), (0, 0));
    }

    #[test]
    fn parse_mldv1_messages() {
        let q = v1(130, 10000, Ipv6Addr::UNSPECIFIED);
        let f = parse(&q, false).unwrap();
        assert_eq!(f.message, MldMessage::QueryV1);
        assert_eq!((f.max_resp_code, f.checksum), (10000, 0x1234));
        assert!(f.query.is_none());
        let r = v1(131, 0, addr("ff15::efc0:1"));
        let f = parse(&r, false).unwrap();
        assert_eq!(f.message, MldMessage::ReportV1);
        assert_eq!(f.multicast_address, addr("ff15::efc0:1"));
        let d = v1(132, 0, addr("ff15::efc0:1"));
        let f = parse(&d, false).unwrap();
        assert_eq!((f.message, f.message.version()), (MldMessage::Done, 1));
    }

    #[test]
    fn parse_mldv2_query_with_source() {
        let mut b = v1(130, 1000, addr("ff3e::8000:1"));
        b.extend_from_slice(&[0x0a, 125, 0, 1]); // S=1 QRV=2 QQIC=125 N=1
        b.extend_from_slice(&addr("2001:db8::1").octets());
        let f = parse(&b, false).unwrap();
        assert_eq!(f.message, MldMessage::QueryV2);
        let q = f.query.unwrap();
        assert!(q.suppress_router_side_processing);
        assert_eq!((q.qrv, q.qqic, q.number_of_sources), (2, 125, 1));
        assert_eq!(q.sources.collect::<Vec<_>>(), vec![addr("2001:db8::1")]);
    }

    #[test]
    fn parse_rejects_query_of_26_octets_and_missing_sources() {
        let mut b = v1(130, 1000, Ipv6Addr::UNSPECIFIED);
        b.extend_from_slice(&[0, 0]);
        let e = parse(&b, false).unwrap_err();
        assert_eq!(
            e.kind,
            ErrorKind::BadField {
                field: "query length",
                value: 26
            }
        );
        b.extend_from_slice(&[0, 2]); // N = 2, no sources
        let e = parse(&b, false).unwrap_err();
        assert_eq!((e.layer, e.offset), (Layer::Mld, 28));
        assert_eq!(
            e.kind,
            ErrorKind::Truncated {
                needed: 32,
                available: 0
            }
        );
    }

    #[test]
    fn parse_mldv2_report_records() {
        // RFC 3810 §5.2: type 143, reserved, checksum, reserved, M = 1, one record.
        let mut b = vec![143, 0, 0xab, 0xcd, 0, 0, 0, 1];
        b.extend_from_slice(&[4, 0, 0, 0]); // CHANGE_TO_EXCLUDE, no sources
        b.extend_from_slice(&addr("ff02::1:3").octets());
        let f = parse(&b, false).unwrap();
        assert_eq!(f.message, MldMessage::ReportV2);
        assert_eq!(f.multicast_address, Ipv6Addr::UNSPECIFIED);
        let r: Vec<_> = f.records.map(|r| r.unwrap()).collect();
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].record_type, RecordType::CHANGE_TO_EXCLUDE_MODE);
        assert_eq!(r[0].multicast_address, addr("ff02::1:3"));
        assert_eq!(r[0].offset, 8);
    }

    #[test]
    fn parse_reports_short_v1_message() {
        let b = v1(131, 0, addr("ff02::1:3"));
        let e = parse(&b[..20], false).unwrap_err();
        assert_eq!((e.layer, e.offset), (Layer::Mld, 0));
        assert_eq!(
            e.kind,
            ErrorKind::Truncated {
                needed: 24,
                available: 20
            }
        );
    }

    #[test]
    fn emit_round_trips_through_parse() {
        let mut buf = [0u8; 24];
        let mut p = Packet::new_unchecked(&mut buf[..]);
        p.set_msg_type(mld_type::V1_LISTENER_REPORT);
        p.set_checksum(0x0102);
        p.set_max_resp_code(0);
        p.set_multicast_address(addr("ff05::2"));
        let f = parse(&buf, false).unwrap();
        assert_eq!(f.message, MldMessage::ReportV1);
        assert_eq!(f.multicast_address, addr("ff05::2"));
        let mut buf = [0u8; 8];
        let mut p = Packet::new_unchecked(&mut buf[..]);
        p.set_msg_type(mld_type::V2_LISTENER_REPORT);
        p.set_number_of_records(3);
        assert_eq!(
            Packet::new_checked(&buf[..]).unwrap().number_of_records(),
            3
        );
    }
}
