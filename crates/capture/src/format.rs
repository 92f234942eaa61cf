//! What the reader learned about its input: format, interfaces, counters.

use std::fmt;

use portmatrix_wire::LinkType;

use crate::endian::ByteOrder;

/// Timestamp precision of a classic pcap file, given by its magic number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TsPrecision {
    /// Magic 0xa1b2c3d4: the fraction field counts microseconds.
    Micro,
    /// Magic 0xa1b23c4d: the fraction field counts nanoseconds.
    Nano,
}

/// The container format and its variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// Classic libpcap format.
    Pcap {
        /// Byte order of the whole file.
        byte_order: ByteOrder,
        /// Timestamp precision.
        precision: TsPrecision,
        /// Header `version_major`.
        version_major: u16,
        /// Header `version_minor`.
        version_minor: u16,
    },
    /// pcapng.
    Pcapng {
        /// Byte order of the first section.
        byte_order: ByteOrder,
        /// A later section has the other byte order.
        mixed_byte_order: bool,
    },
}

/// The format of an input, as sniffed from its content.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Format {
    kind: FileKind,
    compressed: bool,
}

impl Format {
    pub(crate) fn new(kind: FileKind, compressed: bool) -> Self {
        Format { kind, compressed }
    }

    pub(crate) fn note_section_order(&mut self, order: ByteOrder) {
        if let FileKind::Pcapng {
            byte_order,
            mixed_byte_order,
        } = &mut self.kind
        {
            if *byte_order != order {
                *mixed_byte_order = true;
            }
        }
    }

    /// The format and its variant.
    pub fn kind(&self) -> FileKind {
        self.kind
    }

    /// `pcap` or `pcapng`.
    pub fn name(&self) -> &'static str {
        match self.kind {
            FileKind::Pcap { .. } => "pcap",
            FileKind::Pcapng { .. } => "pcapng",
        }
    }

    /// The input was gzip-compressed (detected by content, not by name).
    pub fn compressed(&self) -> bool {
        self.compressed
    }

    /// Byte order of the file, or of the first pcapng section.
    pub fn byte_order(&self) -> ByteOrder {
        match self.kind {
            FileKind::Pcap { byte_order, .. } | FileKind::Pcapng { byte_order, .. } => byte_order,
        }
    }

    /// A human description: `pcap (little-endian, µs)`, `pcapng (big-endian)`,
    /// followed by `, gzip-compressed` when it was.
    pub fn description(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            FileKind::Pcap {
                byte_order,
                precision,
                version_major,
                version_minor,
            } => {
                let unit = match precision {
                    TsPrecision::Micro => "µs",
                    TsPrecision::Nano => "ns",
                };
                write!(f, "pcap ({}, {unit}", byte_order.name())?;
                if (version_major, version_minor) != (2, 4) {
                    write!(f, ", version {version_major}.{version_minor}")?;
                }
                f.write_str(")")?;
            }
            FileKind::Pcapng {
                byte_order,
                mixed_byte_order,
            } => {
                write!(f, "pcapng ({}", byte_order.name())?;
                if mixed_byte_order {
                    f.write_str(", with sections of the other byte order")?;
                }
                f.write_str(")")?;
            }
        }
        if self.compressed {
            f.write_str(", gzip-compressed")?;
        }
        Ok(())
    }
}

/// Timestamp resolution of an interface (pcapng `if_tsresol`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TsResolution {
    /// 10^-n seconds per unit.
    Pow10(u8),
    /// 2^-n seconds per unit.
    Pow2(u8),
}

impl TsResolution {
    /// Microseconds, the pcapng default and classic pcap's usual unit.
    pub const MICROS: TsResolution = TsResolution::Pow10(6);
    /// Nanoseconds.
    pub const NANOS: TsResolution = TsResolution::Pow10(9);

    /// Decodes the `if_tsresol` byte: most significant bit clear = 10^-n,
    /// set = 2^-n. `None` beyond 10^-19 or 2^-63 (libpcap's limits).
    pub fn from_if_tsresol(v: u8) -> Option<Self> {
        let n = v & 0x7f;
        if v & 0x80 == 0 {
            (n <= 19).then_some(TsResolution::Pow10(n))
        } else {
            (n <= 63).then_some(TsResolution::Pow2(n))
        }
    }

    /// Converts a count of units to nanoseconds, saturating at the limits
    /// of `i64` (about ±292 years around 1970).
    #[inline]
    pub fn to_ns(self, units: u64) -> i64 {
        let ns: u128 = match self {
            TsResolution::Pow10(9) => u128::from(units),
            TsResolution::Pow10(6) => u128::from(units) * 1_000,
            TsResolution::Pow10(n) if n < 9 => u128::from(units) * 10u128.pow(u32::from(9 - n)),
            TsResolution::Pow10(n) => u128::from(units) / 10u128.pow(u32::from(n - 9)),
            TsResolution::Pow2(n) => (u128::from(units) * 1_000_000_000) >> n,
        };
        i64::try_from(ns).unwrap_or(i64::MAX)
    }
}

impl fmt::Display for TsResolution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TsResolution::Pow10(6) => f.write_str("µs"),
            TsResolution::Pow10(9) => f.write_str("ns"),
            TsResolution::Pow10(3) => f.write_str("ms"),
            TsResolution::Pow10(n) => write!(f, "10^-{n} s"),
            TsResolution::Pow2(n) => write!(f, "2^-{n} s"),
        }
    }
}

/// One capture interface: the single one of a classic pcap file, or a
/// pcapng Interface Description Block.
///
/// Interfaces of all sections are numbered globally in order of
/// appearance (`index`); `section` and `id_in_section` say where the IDB
/// was. [`Record::interface_id`](crate::Record::interface_id) is the
/// global index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interface {
    /// Global index (position in [`CaptureReader::interfaces`](crate::CaptureReader::interfaces)).
    pub index: u32,
    /// 0-based number of the pcapng section (0 for classic pcap).
    pub section: u32,
    /// Interface id within its section, as EPBs name it.
    pub id_in_section: u32,
    /// Link type of the frames.
    pub link_type: LinkType,
    /// Snapshot length; 0 means no limit.
    pub snaplen: u32,
    /// `if_name`, if given.
    pub name: Option<String>,
    /// `if_description`, if given.
    pub description: Option<String>,
    /// Timestamp resolution.
    pub tsresol: TsResolution,
    /// `if_tsoffset`: seconds added to every timestamp.
    pub ts_offset_s: i64,
    /// Bytes of frame check sequence at the end of each frame, 0 if none.
    pub fcs_len: u8,
    /// Byte offset of the IDB (of the file header for classic pcap).
    pub file_offset: u64,
    /// Packet records delivered from this interface.
    pub packets: u64,
    /// Captured bytes delivered from this interface.
    pub captured_bytes: u64,
    /// Records whose captured length exceeded `snaplen`.
    pub caplen_over_snaplen: u64,
    /// `isb_ifrecv` of the last Interface Statistics Block.
    pub if_recv: Option<u64>,
    /// `isb_ifdrop`: packets the interface or its driver dropped.
    pub if_drop: Option<u64>,
    /// `isb_osdrop`: packets the operating system dropped (buffer full).
    pub os_drop: Option<u64>,
    /// `isb_filteraccept`.
    pub filter_accept: Option<u64>,
    /// `isb_usrdeliv`.
    pub usr_deliv: Option<u64>,
}

impl Interface {
    pub(crate) fn new(index: u32, section: u32, id_in_section: u32, file_offset: u64) -> Self {
        Interface {
            index,
            section,
            id_in_section,
            link_type: LinkType(0),
            snaplen: 0,
            name: None,
            description: None,
            tsresol: TsResolution::MICROS,
            ts_offset_s: 0,
            fcs_len: 0,
            file_offset,
            packets: 0,
            captured_bytes: 0,
            caplen_over_snaplen: 0,
            if_recv: None,
            if_drop: None,
            os_drop: None,
            filter_accept: None,
            usr_deliv: None,
        }
    }

    /// Converts a raw timestamp of this interface to ns since the epoch.
    #[inline]
    pub(crate) fn ts_ns(&self, units: u64) -> i64 {
        self.tsresol
            .to_ns(units)
            .saturating_add(self.ts_offset_s.saturating_mul(1_000_000_000))
    }
}

/// Counts of pcapng blocks by kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BlockCounts {
    /// Section Header Blocks.
    pub shb: u64,
    /// Interface Description Blocks.
    pub idb: u64,
    /// Enhanced Packet Blocks.
    pub epb: u64,
    /// Simple Packet Blocks.
    pub spb: u64,
    /// Obsolete Packet Blocks.
    pub pb: u64,
    /// Interface Statistics Blocks.
    pub isb: u64,
    /// Name Resolution Blocks (skipped).
    pub nrb: u64,
    /// Decryption Secrets Blocks (skipped).
    pub dsb: u64,
    /// Custom Blocks, copyable or not (skipped).
    pub custom: u64,
    /// Blocks of any other type (skipped); per type in
    /// [`ReadStats::unknown_block_types`].
    pub other: u64,
}

/// How many blocks of one unrecognised type were skipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockTypeCount {
    /// The block type value.
    pub block_type: u32,
    /// Blocks of that type.
    pub count: u64,
}

/// Counters of a whole read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadStats {
    /// Packet records delivered.
    pub records: u64,
    /// Sum of captured lengths of the delivered records.
    pub captured_bytes: u64,
    /// Sum of original lengths of the delivered records.
    pub original_bytes: u64,
    /// Delivered records with no captured bytes.
    pub zero_length_records: u64,
    /// Records whose captured length exceeded the snapshot length.
    pub caplen_over_snaplen: u64,
    /// pcapng sections (0 for classic pcap).
    pub sections: u64,
    /// pcapng blocks by kind.
    pub blocks: BlockCounts,
    /// Unknown and custom blocks skipped (sum of `blocks.custom` and
    /// `blocks.other`).
    pub unknown_blocks: u64,
    /// Skipped blocks per unrecognised type, in order of first appearance
    /// (at most 32 types are listed; the rest are only in `blocks.other`).
    pub unknown_block_types: Vec<BlockTypeCount>,
    /// Malformed options that were ignored (the blocks were kept).
    pub bad_options: u64,
    /// Damaged packet records or blocks that were skipped.
    pub skipped_records: u64,
    /// Bytes passed over because of damage (resynchronisation, skipped
    /// records, a cut-off tail).
    pub skipped_bytes: u64,
    /// Errors returned, fatal or not.
    pub errors: u64,
    /// pcapng interfaces described after
    /// [`MAX_KEPT_INTERFACES`](crate::MAX_KEPT_INTERFACES) were kept that
    /// share an identical kept interface (their packets count on it).
    pub shared_interfaces: u64,
}

impl ReadStats {
    /// Most distinct unknown block types listed individually.
    pub(crate) const MAX_LISTED_TYPES: usize = 32;

    pub(crate) fn count_unknown(&mut self, block_type: u32) {
        self.blocks.other += 1;
        self.unknown_blocks += 1;
        if let Some(c) = self
            .unknown_block_types
            .iter_mut()
            .find(|c| c.block_type == block_type)
        {
            c.count += 1;
        } else if self.unknown_block_types.len() < Self::MAX_LISTED_TYPES {
            self.unknown_block_types.push(BlockTypeCount {
                block_type,
                count: 1,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_name_order_unit_and_compression() {
        let f = Format::new(
            FileKind::Pcap {
                byte_order: ByteOrder::Little,
                precision: TsPrecision::Micro,
                version_major: 2,
                version_minor: 4,
            },
            false,
        );
        assert_eq!(f.description(), "pcap (little-endian, µs)");
        assert_eq!(f.name(), "pcap");
        let f = Format::new(
            FileKind::Pcap {
                byte_order: ByteOrder::Big,
                precision: TsPrecision::Nano,
                version_major: 2,
                version_minor: 2,
            },
            true,
        );
        assert_eq!(
            f.description(),
            "pcap (big-endian, ns, version 2.2), gzip-compressed"
        );
        let mut f = Format::new(
            FileKind::Pcapng {
                byte_order: ByteOrder::Big,
                mixed_byte_order: false,
            },
            false,
        );
        assert_eq!(f.description(), "pcapng (big-endian)");
        f.note_section_order(ByteOrder::Big);
        assert_eq!(f.description(), "pcapng (big-endian)");
        f.note_section_order(ByteOrder::Little);
        assert_eq!(
            f.description(),
            "pcapng (big-endian, with sections of the other byte order)"
        );
    }

    #[test]
    fn if_tsresol_decoding_follows_the_msb_rule() {
        // pcapng spec: MSB 0 -> 10^-n, MSB 1 -> 2^-n; absent = 6.
        assert_eq!(
            TsResolution::from_if_tsresol(6),
            Some(TsResolution::Pow10(6))
        );
        assert_eq!(
            TsResolution::from_if_tsresol(9),
            Some(TsResolution::Pow10(9))
        );
        assert_eq!(
            TsResolution::from_if_tsresol(0x8a),
            Some(TsResolution::Pow2(10))
        );
        assert_eq!(
            TsResolution::from_if_tsresol(19),
            Some(TsResolution::Pow10(19))
        );
        assert_eq!(TsResolution::from_if_tsresol(20), None);
        assert_eq!(
            TsResolution::from_if_tsresol(0x80 | 63),
            Some(TsResolution::Pow2(63))
        );
        assert_eq!(TsResolution::from_if_tsresol(0x80 | 64), None);
    }

    #[test]
    fn unit_conversion_to_nanoseconds() {
        // 1.5 s in each unit.
        assert_eq!(TsResolution::Pow10(6).to_ns(1_500_000), 1_500_000_000);
        assert_eq!(TsResolution::Pow10(9).to_ns(1_500_000_000), 1_500_000_000);
        assert_eq!(TsResolution::Pow10(3).to_ns(1_500), 1_500_000_000);
        assert_eq!(TsResolution::Pow10(0).to_ns(2), 2_000_000_000);
        assert_eq!(
            TsResolution::Pow10(12).to_ns(1_500_000_000_000),
            1_500_000_000
        );
        // 2^-10 s units: 1536 units = 1.5 s.
        assert_eq!(TsResolution::Pow2(10).to_ns(1536), 1_500_000_000);
        // 2^-32 s: 2^31 units = 0.5 s.
        assert_eq!(TsResolution::Pow2(32).to_ns(1 << 31), 500_000_000);
        // Saturates instead of wrapping.
        assert_eq!(TsResolution::Pow10(0).to_ns(u64::MAX), i64::MAX);
    }

    #[test]
    fn interface_applies_the_offset_in_seconds() {
        let mut i = Interface::new(0, 0, 0, 0);
        i.tsresol = TsResolution::Pow10(3);
        i.ts_offset_s = -10;
        assert_eq!(i.ts_ns(12_345), 2_345_000_000);
    }

    #[test]
    fn unknown_types_are_listed_up_to_the_limit() {
        let mut s = ReadStats::default();
        for t in 0..40u32 {
            s.count_unknown(0x100 + t);
        }
        s.count_unknown(0x100);
        assert_eq!(s.blocks.other, 41);
        assert_eq!(s.unknown_blocks, 41);
        assert_eq!(s.unknown_block_types.len(), ReadStats::MAX_LISTED_TYPES);
        assert_eq!(
            s.unknown_block_types[0],
            BlockTypeCount {
                block_type: 0x100,
                count: 2
            }
        );
    }
}
