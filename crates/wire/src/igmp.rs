//! IGMP versions 1, 2 and 3 (RFC 1112 appendix I, RFC 2236 §2, RFC 3376 §4).
//!
//! All versions share the first eight octets: type, max resp code,
//! checksum, group address. A Membership Query's version follows from its
//! length and max resp code (RFC 3376 §7.1): 8 octets with code 0 is v1,
//! 8 octets with a non-zero code is v2, 12 or more is v3; other lengths are
//! malformed. The checksum is not verified.

use core::net::Ipv4Addr;

use crate::error::{Layer, Result};
use crate::group::{query_accessors, GroupRecords, QueryFields, SourceQuery, QUERY_FIELDS_LEN};
use crate::view::{check_min_len, header_view};

mod field {
    use core::ops::Range;

    pub const TYPE: usize = 0;
    pub const MAX_RESP_CODE: usize = 1;
    pub const CHECKSUM: Range<usize> = 2..4;
    pub const GROUP_ADDRESS: Range<usize> = 4..8;
    // Version 3 query: Resv/S/QRV, QQIC, Number of Sources, sources
    // (read by crate::group::QueryFields).
    pub const QUERY: usize = GROUP_ADDRESS.end;
    // Version 3 report.
    pub const NUMBER_OF_GROUP_RECORDS: Range<usize> = 6..8;
    pub const GROUP_RECORDS: usize = 8;
}

/// Length of the common IGMP header (the whole v1/v2 message).
pub const HEADER_LEN: usize = field::GROUP_ADDRESS.end;
/// Length of a version 3 query without sources.
pub const QUERY_V3_MIN_LEN: usize = field::QUERY + QUERY_FIELDS_LEN;

/// IGMP message types (IANA "IGMP Type Numbers").
pub mod igmp_type {
    /// Membership Query (all versions).
    pub const MEMBERSHIP_QUERY: u8 = 0x11;
    /// Version 1 Membership Report.
    pub const V1_MEMBERSHIP_REPORT: u8 = 0x12;
    /// Version 2 Membership Report.
    pub const V2_MEMBERSHIP_REPORT: u8 = 0x16;
    /// Version 2 Leave Group.
    pub const V2_LEAVE_GROUP: u8 = 0x17;
    /// Version 3 Membership Report.
    pub const V3_MEMBERSHIP_REPORT: u8 = 0x22;
}

header_view! {
    /// A read/write view of an IGMP message.
    pub struct Packet<T>;
}

query_accessors!(Packet<Ipv4Addr>, at: field::QUERY, query: "a v3 query");

impl<T: AsRef<[u8]>> Packet<T> {
    /// Checks that the buffer holds the common header and, for a version 3
    /// query, its sources; after this no accessor panics.
    pub fn check_len(&self) -> Result<()> {
        check_min_len(self.buffer.as_ref(), Layer::Igmp, HEADER_LEN)?;
        if self.msg_type() == igmp_type::MEMBERSHIP_QUERY {
            self.query_fields().check_len::<Ipv4Addr>(Layer::Igmp)?;
        }
        Ok(())
    }

    /// Type.
    #[inline]
    pub fn msg_type(&self) -> u8 {
        self.buffer.as_ref()[field::TYPE]
    }

    /// Max Resp Code (v3), Max Response Time in 1/10 s (v2), unused (v1).
    #[inline]
    pub fn max_resp_code(&self) -> u8 {
        self.buffer.as_ref()[field::MAX_RESP_CODE]
    }

    /// Checksum.
    #[inline]
    pub fn checksum(&self) -> u16 {
        let b = &self.buffer.as_ref()[field::CHECKSUM];
        u16::from_be_bytes([b[0], b[1]])
    }

    /// Group Address (0.0.0.0 in a general query; reserved octets in a v3 report).
    #[inline]
    pub fn group_address(&self) -> Ipv4Addr {
        let b = &self.buffer.as_ref()[field::GROUP_ADDRESS];
        Ipv4Addr::new(b[0], b[1], b[2], b[3])
    }

    /// Number of Group Records of a v3 report.
    #[inline]
    pub fn number_of_group_records(&self) -> u16 {
        let b = &self.buffer.as_ref()[field::NUMBER_OF_GROUP_RECORDS];
        u16::from_be_bytes([b[0], b[1]])
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Packet<&'a T> {
    /// Group records of a v3 report; offsets are relative to the message.
    #[inline]
    pub fn group_records(&self) -> GroupRecords<'a, Ipv4Addr> {
        GroupRecords::in_message(
            self.buffer.as_ref(),
            field::GROUP_RECORDS,
            self.number_of_group_records(),
            Layer::Igmp,
        )
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Sets the type.
    #[inline]
    pub fn set_msg_type(&mut self, value: u8) {
        self.buffer.as_mut()[field::TYPE] = value;
    }

    /// Sets the max resp code.
    #[inline]
    pub fn set_max_resp_code(&mut self, value: u8) {
        self.buffer.as_mut()[field::MAX_RESP_CODE] = value;
    }

    /// Sets the checksum field.
    #[inline]
    pub fn set_checksum(&mut self, value: u16) {
        self.buffer.as_mut()[field::CHECKSUM].copy_from_slice(&value.to_be_bytes());
    }

    /// Sets the group address.
    #[inline]
    pub fn set_group_address(&mut self, value: Ipv4Addr) {
        self.buffer.as_mut()[field::GROUP_ADDRESS].copy_from_slice(&value.octets());
    }

    /// Sets the number of group records of a v3 report (clears the reserved octets).
    #[inline]
    pub fn set_number_of_group_records(&mut self, value: u16) {
        let b = self.buffer.as_mut();
        b[field::GROUP_ADDRESS.start..field::NUMBER_OF_GROUP_RECORDS.start].fill(0);
        b[field::NUMBER_OF_GROUP_RECORDS].copy_from_slice(&value.to_be_bytes());
    }
}

/// The kind of an IGMP message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IgmpMessage {
    /// Version 1 Membership Query.
    QueryV1,
    /// Version 2 Membership Query.
    QueryV2,
    /// Version 3 Membership Query.
    QueryV3,
    /// Version 1 Membership Report.
    ReportV1,
    /// Version 2 Membership Report.
    ReportV2,
    /// Version 2 Leave Group.
    LeaveGroup,
    /// Version 3 Membership Report.
    ReportV3,
    /// Any other type (DVMRP, mtrace, multicast router discovery, ...).
    Other(u8),
}

impl IgmpMessage {
    /// True for a query of any version.
    #[inline]
    pub const fn is_query(self) -> bool {
        matches!(
            self,
            IgmpMessage::QueryV1 | IgmpMessage::QueryV2 | IgmpMessage::QueryV3
        )
    }

    /// The protocol version the message belongs to, when known.
    #[inline]
    pub const fn version(self) -> Option<u8> {
        match self {
            IgmpMessage::QueryV1 | IgmpMessage::ReportV1 => Some(1),
            IgmpMessage::QueryV2 | IgmpMessage::ReportV2 | IgmpMessage::LeaveGroup => Some(2),
            IgmpMessage::QueryV3 | IgmpMessage::ReportV3 => Some(3),
            IgmpMessage::Other(_) => None,
        }
    }
}

/// One decoded IGMP message; source lists and group records stay borrowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IgmpFacts<'a> {
    /// What the message is.
    pub message: IgmpMessage,
    /// Type octet as found.
    pub igmp_type: u8,
    /// Max Resp Code (v3) / Max Response Time (v2).
    pub max_resp_code: u8,
    /// Checksum (not verified).
    pub checksum: u16,
    /// Group Address: the group joined, left or queried (0.0.0.0 in a
    /// general query and in a v3 report, whose groups are in the records).
    pub group_address: Ipv4Addr,
    /// The v3 query fields.
    pub query: Option<SourceQuery<'a, Ipv4Addr>>,
    /// The group records of a v3 report (empty otherwise), offsets from
    /// the start of the frame.
    pub records: GroupRecords<'a, Ipv4Addr>,
}

impl IgmpFacts<'_> {
    pub(crate) fn add_offset(&mut self, n: usize) {
        self.records.add_offset(n);
    }
}

/// Decodes the IGMP message `bytes` (bounded by the IP length). `snapped`
/// says the IP packet was cut by the capture, so its length does not tell
/// the query version. Error offsets are relative to `bytes`; records are
/// not walked here (see [`GroupRecords::validate`]).
pub(crate) fn parse(bytes: &[u8], snapped: bool) -> Result<IgmpFacts<'_>> {
    let p = Packet::new_unchecked(bytes);
    check_min_len(bytes, Layer::Igmp, HEADER_LEN)?;
    let t = p.msg_type();
    let mut query = None;
    let mut records = GroupRecords::empty(Layer::Igmp);
    let message = match t {
        igmp_type::MEMBERSHIP_QUERY => {
            query = QueryFields::new(bytes, field::QUERY).source_query(Layer::Igmp, snapped)?;
            if query.is_some() {
                IgmpMessage::QueryV3
            } else if p.max_resp_code() == 0 {
                IgmpMessage::QueryV1
            } else {
                IgmpMessage::QueryV2
            }
        }
        igmp_type::V1_MEMBERSHIP_REPORT => IgmpMessage::ReportV1,
        igmp_type::V2_MEMBERSHIP_REPORT => IgmpMessage::ReportV2,
        igmp_type::V2_LEAVE_GROUP => IgmpMessage::LeaveGroup,
        igmp_type::V3_MEMBERSHIP_REPORT => {
            records = p.group_records();
            IgmpMessage::ReportV3
        }
        other => IgmpMessage::Other(other),
    };
    let group_address = if message == IgmpMessage::ReportV3 {
        Ipv4Addr::UNSPECIFIED
    } else {
        p.group_address()
    };
    Ok(IgmpFacts {
        message,
        igmp_type: t,
        max_resp_code: p.max_resp_code(),
        checksum: p.checksum(),
        group_address,
        query,
        records,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::RecordType;
    use crate::ErrorKind;

    #[test]
    fn v3_query_accessors_do_not_panic_on_8_octet_message() {
        // Fuzz finding (frame_decode): an 8-octet message passes check_len;
        // s_flag, qrv, qqic, number_of_sources and sources indexed octets 8..12.
        let b = [0x3d, 0x4e, 0x5f, 0x81, 0xf1, 0xeb, 0x00, 0x5d];
        let p = Packet::new_checked(&b[..]).unwrap();
        assert!(!p.s_flag());
        assert_eq!((p.qrv(), p.qqic(), p.number_of_sources()), (0, 0, 0));
        assert_eq!(p.sources().count(), 0);
        let v2 = [0x11, 0x64, 0xee, 0x9b, 0, 0, 0, 0];
        let p = Packet::new_checked(&v2[..]).unwrap();
        assert_eq!(p.number_of_sources(), 0);
    }

    #[test]
    fn parse_v1_and_v2_queries_by_max_resp_code() {
        // RFC 2236 §2: type 0x11, max resp 100 (10 s), checksum, group 0.0.0.0.
        let v2 = [0x11, 0x64, 0xee, 0x9b, 0, 0, 0, 0];
        let f = parse(&v2, false).unwrap();
        assert_eq!(f.message, IgmpMessage::QueryV2);
        assert_eq!((f.max_resp_code, f.checksum), (100, 0xee9b));
        assert_eq!(f.group_address, Ipv4Addr::UNSPECIFIED);
        assert!(f.query.is_none() && f.message.is_query());
        let v1 = [0x11, 0x00, 0xee, 0xff, 0, 0, 0, 0];
        assert_eq!(parse(&v1, false).unwrap().message, IgmpMessage::QueryV1);
    }

    #[test]
    fn parse_v2_report_and_leave() {
        let join = [0x16, 0, 0xfa, 0x04, 239, 255, 255, 250];
        let f = parse(&join, false).unwrap();
        assert_eq!(f.message, IgmpMessage::ReportV2);
        assert_eq!(f.group_address, Ipv4Addr::new(239, 255, 255, 250));
        let leave = [0x17, 0, 0xf9, 0x04, 239, 255, 255, 250];
        assert_eq!(
            parse(&leave, false).unwrap().message,
            IgmpMessage::LeaveGroup
        );
        let v1 = [0x12, 0, 0, 0, 224, 0, 1, 129];
        let f = parse(&v1, false).unwrap();
        assert_eq!(
            (f.message, f.message.version()),
            (IgmpMessage::ReportV1, Some(1))
        );
    }

    #[test]
    fn parse_v3_query_with_sources() {
        // RFC 3376 §4.1: group-and-source-specific query, S=1, QRV=2, QQIC=125, 2 sources.
        let q = [
            0x11, 0x0a, 0x12, 0x34, 232, 1, 2, 3, 0x0a, 125, 0x00, 0x02, 10, 0, 0, 1, 10, 0, 0, 2,
        ];
        let f = parse(&q, false).unwrap();
        assert_eq!(f.message, IgmpMessage::QueryV3);
        assert_eq!(f.group_address, Ipv4Addr::new(232, 1, 2, 3));
        let sq = f.query.unwrap();
        assert!(sq.suppress_router_side_processing);
        assert_eq!((sq.qrv, sq.qqic, sq.number_of_sources), (2, 125, 2));
        assert_eq!(
            sq.sources.collect::<Vec<_>>(),
            vec![Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(10, 0, 0, 2)]
        );
    }

    #[test]
    fn parse_rejects_v3_query_with_missing_sources() {
        let q = [
            0x11, 0x0a, 0, 0, 0, 0, 0, 0, 0x02, 125, 0x00, 0x03, 10, 0, 0, 1,
        ];
        let e = parse(&q, false).unwrap_err();
        assert_eq!((e.layer, e.offset), (Layer::Igmp, 12));
        assert_eq!(
            e.kind,
            ErrorKind::Truncated {
                needed: 12,
                available: 4
            }
        );
        // Cut by the capture: keep what is there.
        let f = parse(&q, true).unwrap();
        assert_eq!(f.query.unwrap().sources.len(), 1);
    }

    #[test]
    fn parse_rejects_query_of_ten_octets() {
        let q = [0x11, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0];
        let e = parse(&q, false).unwrap_err();
        assert_eq!(
            e.kind,
            ErrorKind::BadField {
                field: "query length",
                value: 10
            }
        );
        assert_eq!(e.offset, 0);
    }

    #[test]
    fn parse_v3_report_records() {
        // RFC 3376 §4.2: type 0x22, reserved, checksum, reserved, 2 records.
        let r = [
            0x22, 0, 0x12, 0x34, 0, 0, 0, 2, //
            4, 0, 0, 0, 239, 69, 1, 10, // TO_EX {} = join
            3, 0, 0, 0, 239, 69, 1, 11, // TO_IN {} = leave
        ];
        let f = parse(&r, false).unwrap();
        assert_eq!(f.message, IgmpMessage::ReportV3);
        assert_eq!(f.records.remaining(), 2);
        let recs: Vec<_> = f.records.map(|x| x.unwrap()).collect();
        assert_eq!(recs[0].record_type, RecordType::CHANGE_TO_EXCLUDE_MODE);
        assert!(recs[0].is_join_any_source());
        assert_eq!(recs[1].multicast_address, Ipv4Addr::new(239, 69, 1, 11));
        assert!(recs[1].is_leave());
        assert_eq!((recs[0].offset, recs[1].offset), (8, 16));
    }

    #[test]
    fn parse_reports_short_message() {
        let e = parse(&[0x16, 0, 0, 0, 239], false).unwrap_err();
        assert_eq!((e.layer, e.offset), (Layer::Igmp, 0));
    }

    #[test]
    fn emit_round_trips_through_parse() {
        let mut buf = [0u8; 16];
        let mut p = Packet::new_unchecked(&mut buf[..]);
        p.set_msg_type(igmp_type::V3_MEMBERSHIP_REPORT);
        p.set_checksum(0xbeef);
        p.set_number_of_group_records(1);
        buf[8..16].copy_from_slice(&[2, 0, 0, 0, 239, 1, 1, 1]);
        let f = parse(&buf, false).unwrap();
        assert_eq!(f.checksum, 0xbeef);
        let r = f.records.into_iter().next().unwrap().unwrap();
        assert_eq!(r.record_type, RecordType::MODE_IS_EXCLUDE);
        let mut buf = [0u8; 8];
        let mut p = Packet::new_unchecked(&mut buf[..]);
        p.set_msg_type(igmp_type::V2_MEMBERSHIP_REPORT);
        p.set_max_resp_code(0);
        p.set_group_address(Ipv4Addr::new(239, 1, 2, 3));
        assert_eq!(buf, [0x16, 0, 0, 0, 239, 1, 2, 3]);
    }
}
