//! Parts shared by IGMPv3 (RFC 3376) and MLDv2 (RFC 3810): the source list
//! of a version 3 / version 2 query and the multicast group records of a
//! report. Both are read from the borrowed message without allocation.
//!
//! The two protocols lay these parts out alike: a query's extra fields
//! follow its common header (8 octets in IGMP, 24 in MLD), and a report's
//! records follow its 8-octet header. Only the address type and the
//! length of the common header differ, so the views in [`crate::igmp`] and
//! [`crate::mld`] share the code that reads them.

use core::marker::PhantomData;
use core::net::{Ipv4Addr, Ipv6Addr};

use crate::error::{bad_field, truncated, Layer, Result};

mod sealed {
    pub trait Sealed {}
    impl Sealed for core::net::Ipv4Addr {}
    impl Sealed for core::net::Ipv6Addr {}
}

/// An address type that group records carry: [`Ipv4Addr`] for IGMP,
/// [`Ipv6Addr`] for MLD.
pub trait GroupAddress: Copy + sealed::Sealed {
    /// Octets of one address.
    const LEN: usize;
    /// Reads an address from exactly [`GroupAddress::LEN`] octets.
    fn read_octets(b: &[u8]) -> Self;
}

impl GroupAddress for Ipv4Addr {
    const LEN: usize = 4;
    #[inline]
    fn read_octets(b: &[u8]) -> Self {
        Ipv4Addr::new(b[0], b[1], b[2], b[3])
    }
}

impl GroupAddress for Ipv6Addr {
    const LEN: usize = 16;
    #[inline]
    fn read_octets(b: &[u8]) -> Self {
        let mut a = [0u8; 16];
        a.copy_from_slice(&b[..16]);
        Ipv6Addr::from(a)
    }
}

/// A list of source addresses, borrowed from the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Sources<'a, A> {
    bytes: &'a [u8],
    _addr: PhantomData<A>,
}

impl<'a, A: GroupAddress> Sources<'a, A> {
    /// Sources stored in `bytes`; trailing octets short of an address are ignored.
    #[inline]
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        let whole = bytes.len() - bytes.len() % A::LEN;
        Sources {
            bytes: &bytes[..whole],
            _addr: PhantomData,
        }
    }

    /// An empty list.
    #[inline]
    pub const fn empty() -> Self {
        Sources {
            bytes: &[],
            _addr: PhantomData,
        }
    }

    /// The raw octets of the list.
    #[inline]
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }
}

impl<A: GroupAddress> Iterator for Sources<'_, A> {
    type Item = A;

    #[inline]
    fn next(&mut self) -> Option<A> {
        if self.bytes.len() < A::LEN {
            return None;
        }
        let (head, rest) = self.bytes.split_at(A::LEN);
        self.bytes = rest;
        Some(A::read_octets(head))
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.bytes.len() / A::LEN;
        (n, Some(n))
    }
}

impl<A: GroupAddress> ExactSizeIterator for Sources<'_, A> {}

/// The extra fields of an IGMPv3 or MLDv2 query (RFC 3376 §4.1.5-4.1.9,
/// RFC 3810 §5.1.7-5.1.10).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SourceQuery<'a, A> {
    /// S Flag: Suppress Router-Side Processing.
    pub suppress_router_side_processing: bool,
    /// QRV: Querier's Robustness Variable.
    pub qrv: u8,
    /// QQIC: Querier's Query Interval Code.
    pub qqic: u8,
    /// Number of Sources (N).
    pub number_of_sources: u16,
    /// Source Address \[i\], i = 1..N.
    pub sources: Sources<'a, A>,
}

/// Offsets of the extra fields of an IGMPv3 / MLDv2 query from the first of
/// them (RFC 3376 §4.1, RFC 3810 §5.1).
mod query_field {
    use core::ops::Range;

    pub const RESV_S_QRV: usize = 0;
    pub const QQIC: usize = 1;
    pub const NUMBER_OF_SOURCES: Range<usize> = 2..4;
    pub const SOURCES: usize = 4;
}

/// Length of the extra fields of an IGMPv3 / MLDv2 query before its
/// source addresses: Resv/S/QRV, QQIC and Number of Sources.
pub(crate) const QUERY_FIELDS_LEN: usize = query_field::SOURCES;

/// The extra fields of an IGMPv3 / MLDv2 query, which start `at` octets
/// into the message (right after the common header).
///
/// They are optional: a view's `check_len` accepts a message that ends
/// at the common header (an 8-octet IGMPv1/v2 message, a 24-octet MLDv1
/// message, an 8-octet MLDv2 report header), so these accessors read a
/// field past the end of the message as zero instead of indexing there
/// (found by fuzzing; the view contract is that no accessor panics).
#[derive(Clone, Copy, Debug)]
pub(crate) struct QueryFields<'a> {
    message: &'a [u8],
    at: usize,
}

impl<'a> QueryFields<'a> {
    /// The query fields of `message`, starting `at` octets into it.
    #[inline]
    pub(crate) const fn new(message: &'a [u8], at: usize) -> Self {
        QueryFields { message, at }
    }

    /// The octet `i` past the start of the fields, or 0 past the end of the message.
    #[inline]
    fn octet_or_zero(self, i: usize) -> u8 {
        self.message.get(self.at + i).copied().unwrap_or(0)
    }

    /// S Flag (false when the message is shorter).
    #[inline]
    pub(crate) fn s_flag(self) -> bool {
        self.octet_or_zero(query_field::RESV_S_QRV) & 0x08 != 0
    }

    /// QRV (0 when the message is shorter).
    #[inline]
    pub(crate) fn qrv(self) -> u8 {
        self.octet_or_zero(query_field::RESV_S_QRV) & 0x07
    }

    /// QQIC (0 when the message is shorter).
    #[inline]
    pub(crate) fn qqic(self) -> u8 {
        self.octet_or_zero(query_field::QQIC)
    }

    /// Number of Sources (0 when the message is shorter).
    #[inline]
    pub(crate) fn number_of_sources(self) -> u16 {
        let at = query_field::NUMBER_OF_SOURCES.start;
        u16::from_be_bytes([self.octet_or_zero(at), self.octet_or_zero(at + 1)])
    }

    /// The source addresses the message holds, at most Number of Sources.
    #[inline]
    pub(crate) fn sources<A: GroupAddress>(self) -> Sources<'a, A> {
        let start = self.at + query_field::SOURCES;
        let end = (start + usize::from(self.number_of_sources()) * A::LEN).min(self.message.len());
        Sources::new(self.message.get(start..end).unwrap_or(&[]))
    }

    /// Checks a query message against its length: one that ends at the
    /// common header has no extra fields and passes; a longer one must
    /// hold the extra fields (else its length is a bad field at the type
    /// octet) and every source they count. Errors are of `layer`.
    pub(crate) fn check_len<A: GroupAddress>(self, layer: Layer) -> Result<()> {
        let len = self.message.len();
        if len <= self.at {
            return Ok(());
        }
        let sources = self.at + query_field::SOURCES;
        if len < sources {
            return Err(bad_field(layer, 0, "query length", len as u32));
        }
        let needed = usize::from(self.number_of_sources()) * A::LEN;
        let available = len - sources;
        if available < needed {
            return Err(truncated(layer, sources, needed, available));
        }
        Ok(())
    }

    /// The extra fields of a query message, `None` when it ends before
    /// them. Unless `snapped` (the message was cut by the capture, so its
    /// length does not tell the version), the message is first checked
    /// with [`QueryFields::check_len`].
    pub(crate) fn source_query<A: GroupAddress>(
        self,
        layer: Layer,
        snapped: bool,
    ) -> Result<Option<SourceQuery<'a, A>>> {
        if !snapped {
            self.check_len::<A>(layer)?;
        }
        if self.message.len() < self.at + QUERY_FIELDS_LEN {
            return Ok(None);
        }
        Ok(Some(SourceQuery {
            suppress_router_side_processing: self.s_flag(),
            qrv: self.qrv(),
            qqic: self.qqic(),
            number_of_sources: self.number_of_sources(),
            sources: self.sources(),
        }))
    }
}

/// Declares, on the message view `$view` (a struct with a `buffer: T`
/// field), the public accessors of the query fields that start `at`
/// octets into the message: `s_flag`, `qrv`, `qqic`, `number_of_sources`
/// and, on a borrowed view, `sources` (of address type `$addr`). `query`
/// names the message in their doc comments ("a v3 query").
macro_rules! query_accessors {
    ($view:ident<$addr:ty>, at: $at:expr, query: $query:literal) => {
        impl<T: AsRef<[u8]>> $view<T> {
            #[inline]
            fn query_fields(&self) -> $crate::group::QueryFields<'_> {
                $crate::group::QueryFields::new(self.buffer.as_ref(), $at)
            }

            #[doc = concat!("S Flag of ", $query, " (false when the message is shorter).")]
            #[inline]
            pub fn s_flag(&self) -> bool {
                self.query_fields().s_flag()
            }

            #[doc = concat!("QRV of ", $query, " (0 when the message is shorter).")]
            #[inline]
            pub fn qrv(&self) -> u8 {
                self.query_fields().qrv()
            }

            #[doc = concat!("QQIC of ", $query, " (0 when the message is shorter).")]
            #[inline]
            pub fn qqic(&self) -> u8 {
                self.query_fields().qqic()
            }

            #[doc = concat!("Number of Sources of ", $query, " (0 when the message is shorter).")]
            #[inline]
            pub fn number_of_sources(&self) -> u16 {
                self.query_fields().number_of_sources()
            }
        }

        impl<'a, T: AsRef<[u8]> + ?Sized> $view<&'a T> {
            #[doc = concat!("Source addresses of ", $query, ".")]
            #[inline]
            pub fn sources(&self) -> $crate::group::Sources<'a, $addr> {
                $crate::group::QueryFields::new(self.buffer.as_ref(), $at).sources()
            }
        }
    };
}

pub(crate) use query_accessors;

/// Record Type of a group record (RFC 3376 §4.2.12, RFC 3810 §5.2.12).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordType(pub u8);

impl RecordType {
    /// Current-state record: INCLUDE mode for the listed sources.
    pub const MODE_IS_INCLUDE: RecordType = RecordType(1);
    /// Current-state record: EXCLUDE mode for the listed sources.
    pub const MODE_IS_EXCLUDE: RecordType = RecordType(2);
    /// Filter-mode-change record: changed to INCLUDE.
    pub const CHANGE_TO_INCLUDE_MODE: RecordType = RecordType(3);
    /// Filter-mode-change record: changed to EXCLUDE.
    pub const CHANGE_TO_EXCLUDE_MODE: RecordType = RecordType(4);
    /// Source-list-change record: new sources allowed.
    pub const ALLOW_NEW_SOURCES: RecordType = RecordType(5);
    /// Source-list-change record: old sources blocked.
    pub const BLOCK_OLD_SOURCES: RecordType = RecordType(6);

    /// The RFC name (`MODE_IS_INCLUDE`, ...), or `None` for an unassigned value.
    pub const fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            1 => "MODE_IS_INCLUDE",
            2 => "MODE_IS_EXCLUDE",
            3 => "CHANGE_TO_INCLUDE_MODE",
            4 => "CHANGE_TO_EXCLUDE_MODE",
            5 => "ALLOW_NEW_SOURCES",
            6 => "BLOCK_OLD_SOURCES",
            _ => return None,
        })
    }
}

/// One Multicast (Address) Record of an IGMPv3 or MLDv2 report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GroupRecord<'a, A> {
    /// Record Type.
    pub record_type: RecordType,
    /// Aux Data Len in 32-bit words.
    pub aux_data_len: u8,
    /// Number of Sources (N).
    pub number_of_sources: u16,
    /// Multicast Address: the group.
    pub multicast_address: A,
    /// Source Address \[i\], i = 1..N.
    pub sources: Sources<'a, A>,
    /// Offset of the record from the start of the frame.
    pub offset: usize,
}

impl<A> GroupRecord<'_, A> {
    /// A leave: change to INCLUDE mode with no sources.
    #[inline]
    pub fn is_leave(&self) -> bool {
        self.record_type == RecordType::CHANGE_TO_INCLUDE_MODE && self.number_of_sources == 0
    }

    /// An any-source join or membership: EXCLUDE mode (current state or
    /// change) with no excluded sources.
    #[inline]
    pub fn is_join_any_source(&self) -> bool {
        matches!(
            self.record_type,
            RecordType::MODE_IS_EXCLUDE | RecordType::CHANGE_TO_EXCLUDE_MODE
        ) && self.number_of_sources == 0
    }
}

/// Length of a record header: type, aux data len, number of sources.
const RECORD_FIXED_LEN: usize = 4;

/// The group records of a report, read lazily from the borrowed message.
///
/// Iteration yields one `Result` per record and stops after the first
/// error (a record that does not fit in the message).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GroupRecords<'a, A> {
    bytes: &'a [u8],
    remaining: u16,
    offset: usize,
    layer: Layer,
    _addr: PhantomData<A>,
}

impl<'a, A: GroupAddress> GroupRecords<'a, A> {
    /// `count` records starting at `bytes`, which starts `offset` bytes into
    /// the frame.
    #[inline]
    pub(crate) fn new(bytes: &'a [u8], count: u16, offset: usize, layer: Layer) -> Self {
        GroupRecords {
            bytes,
            remaining: count,
            offset,
            layer,
            _addr: PhantomData,
        }
    }

    /// The `count` records that start `at` octets into `message` (none
    /// when it is shorter); offsets are relative to the message.
    #[inline]
    pub(crate) fn in_message(message: &'a [u8], at: usize, count: u16, layer: Layer) -> Self {
        Self::new(message.get(at..).unwrap_or(&[]), count, at, layer)
    }

    /// No records.
    #[inline]
    pub(crate) const fn empty(layer: Layer) -> Self {
        GroupRecords {
            bytes: &[],
            remaining: 0,
            offset: 0,
            layer,
            _addr: PhantomData,
        }
    }

    /// Records not yet read (the count the message claims, before iteration).
    #[inline]
    pub fn remaining(&self) -> u16 {
        self.remaining
    }

    /// Moves every offset `n` bytes further into the frame.
    #[inline]
    pub(crate) fn add_offset(&mut self, n: usize) {
        self.offset += n;
    }

    /// Walks every record once and returns the first error.
    pub fn validate(&self) -> Result<()> {
        for r in *self {
            r?;
        }
        Ok(())
    }
}

impl<'a, A: GroupAddress> Iterator for GroupRecords<'a, A> {
    type Item = Result<GroupRecord<'a, A>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.remaining == 0 {
            return None;
        }
        let b = self.bytes;
        let fixed = RECORD_FIXED_LEN + A::LEN;
        if b.len() < fixed {
            self.remaining = 0;
            return Some(Err(truncated(self.layer, self.offset, fixed, b.len())));
        }
        let aux_data_len = b[1];
        let number_of_sources = u16::from_be_bytes([b[2], b[3]]);
        let sources_len = usize::from(number_of_sources) * A::LEN;
        let needed = fixed + sources_len + usize::from(aux_data_len) * 4;
        if b.len() < needed {
            self.remaining = 0;
            return Some(Err(truncated(self.layer, self.offset, needed, b.len())));
        }
        let record = GroupRecord {
            record_type: RecordType(b[0]),
            aux_data_len,
            number_of_sources,
            multicast_address: A::read_octets(&b[RECORD_FIXED_LEN..fixed]),
            sources: Sources::new(&b[fixed..fixed + sources_len]),
            offset: self.offset,
        };
        self.bytes = &b[needed..];
        self.offset += needed;
        self.remaining -= 1;
        Some(Ok(record))
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(usize::from(self.remaining)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    // RFC 3376 §4.2.4 group record layout, two records, by hand.
    const RECORDS: [u8; 24] = [
        4, 0, 0, 0, 239, 69, 1, 10, // CHANGE_TO_EXCLUDE, no sources: join
        1, 1, 0, 2, 232, 1, 1, 1, // MODE_IS_INCLUDE, aux 1 word, 2 sources
        10, 0, 0, 1, 10, 0, 0, 2, // sources
    ];

    #[test]
    fn records_iterate_borrowed_fields_and_offsets() {
        let mut buf = RECORDS.to_vec();
        buf.extend_from_slice(&[0xaa, 0xbb, 0xcc, 0xdd]); // aux data
        let recs: GroupRecords<'_, Ipv4Addr> = GroupRecords::new(&buf, 2, 100, Layer::Igmp);
        let all: Vec<_> = recs.map(|r| r.unwrap()).collect();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].record_type, RecordType::CHANGE_TO_EXCLUDE_MODE);
        assert_eq!(all[0].multicast_address, Ipv4Addr::new(239, 69, 1, 10));
        assert!(all[0].is_join_any_source() && !all[0].is_leave());
        assert_eq!(all[0].offset, 100);
        assert_eq!(all[1].record_type.name(), Some("MODE_IS_INCLUDE"));
        assert_eq!((all[1].aux_data_len, all[1].number_of_sources), (1, 2));
        assert_eq!(
            all[1].sources.collect::<Vec<_>>(),
            vec![Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(10, 0, 0, 2)]
        );
        assert_eq!(all[1].offset, 108);
        assert!(recs.validate().is_ok());
    }

    #[test]
    fn records_stop_at_first_overrun_with_its_offset() {
        // Second record claims aux data that is not there.
        let recs: GroupRecords<'_, Ipv4Addr> = GroupRecords::new(&RECORDS, 2, 40, Layer::Igmp);
        let out: Vec<_> = recs.collect();
        assert_eq!(out.len(), 2);
        assert!(out[0].is_ok());
        let e = out[1].unwrap_err();
        assert_eq!((e.layer, e.offset), (Layer::Igmp, 48));
        assert_eq!(
            e.kind,
            ErrorKind::Truncated {
                needed: 20,
                available: 16
            }
        );
        assert_eq!(recs.validate().unwrap_err(), e);
    }

    #[test]
    fn records_claimed_beyond_message_are_an_error() {
        let recs: GroupRecords<'_, Ipv6Addr> = GroupRecords::new(&[], 1, 8, Layer::Mld);
        let e = recs.validate().unwrap_err();
        assert_eq!((e.layer, e.offset), (Layer::Mld, 8));
    }

    #[test]
    fn sources_ignore_partial_address() {
        let s: Sources<'_, Ipv4Addr> = Sources::new(&[1, 2, 3, 4, 5, 6]);
        assert_eq!(s.len(), 1);
        assert_eq!(s.collect::<Vec<_>>(), vec![Ipv4Addr::new(1, 2, 3, 4)]);
    }
}
