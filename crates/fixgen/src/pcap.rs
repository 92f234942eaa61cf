//! Classic pcap files written byte by byte from the format description
//! (24-octet file header, 16-octet record headers, no padding).

use crate::expect::{Delivered, Interface, Ledger};
use crate::link::Frame;

/// Byte order of a capture file or pcapng section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endian {
    Little,
    Big,
}

impl Endian {
    pub fn u16(self, v: u16) -> [u8; 2] {
        match self {
            Endian::Little => v.to_le_bytes(),
            Endian::Big => v.to_be_bytes(),
        }
    }

    pub fn u32(self, v: u32) -> [u8; 4] {
        match self {
            Endian::Little => v.to_le_bytes(),
            Endian::Big => v.to_be_bytes(),
        }
    }

    pub fn u64(self, v: u64) -> [u8; 8] {
        match self {
            Endian::Little => v.to_le_bytes(),
            Endian::Big => v.to_be_bytes(),
        }
    }
}

/// Timestamp resolution of a classic pcap file, chosen by the magic number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolution {
    Micro,
    Nano,
}

/// Magic of a microsecond file (as a native value).
pub const MAGIC_USEC: u32 = 0xA1B2_C3D4;
/// Magic of a nanosecond file.
pub const MAGIC_NSEC: u32 = 0xA1B2_3C4D;
/// Size of the file header.
pub const FILE_HEADER_LEN: usize = 24;
/// Size of a record header.
pub const RECORD_HEADER_LEN: usize = 16;

/// The link-type field with the FCS bits of the pcap draft: bit 26 (P) says
/// an FCS is present, bits 28-31 give its length in 16-bit words.
pub fn linktype_with_fcs(link_type: u16, fcs_octets: u32) -> u32 {
    assert!(fcs_octets % 2 == 0 && fcs_octets / 2 < 16);
    u32::from(link_type) | (1 << 26) | ((fcs_octets / 2) << 28)
}

/// A classic pcap file being written.
#[derive(Debug)]
pub struct PcapWriter {
    endian: Endian,
    resolution: Resolution,
    /// Version below 2.3: caplen and len are stored in swapped order.
    swapped_lengths: bool,
    snaplen: u32,
    buf: Vec<u8>,
    pub ledger: Ledger,
}

impl PcapWriter {
    /// A version 2.4 file.
    pub fn new(endian: Endian, resolution: Resolution, link_type: u16, snaplen: u32) -> Self {
        Self::with_header(
            endian,
            resolution,
            (2, 4),
            snaplen,
            u32::from(link_type),
            link_type,
        )
    }

    /// Any header: `version`, the raw 32-bit link-type field (with FCS bits),
    /// and the link type a reader must report.
    pub fn with_header(
        endian: Endian,
        resolution: Resolution,
        version: (u16, u16),
        snaplen: u32,
        linktype_field: u32,
        link_type: u16,
    ) -> Self {
        let magic = match resolution {
            Resolution::Micro => MAGIC_USEC,
            Resolution::Nano => MAGIC_NSEC,
        };
        let mut buf = Vec::with_capacity(4096);
        buf.extend_from_slice(&endian.u32(magic));
        buf.extend_from_slice(&endian.u16(version.0));
        buf.extend_from_slice(&endian.u16(version.1));
        buf.extend_from_slice(&endian.u32(0)); // reserved1 (thiszone)
        buf.extend_from_slice(&endian.u32(0)); // reserved2 (sigfigs)
        buf.extend_from_slice(&endian.u32(snaplen));
        buf.extend_from_slice(&endian.u32(linktype_field));
        let mut ledger = Ledger::default();
        ledger.interfaces.push(Interface {
            link_type,
            snaplen,
            dropped: None,
        });
        PcapWriter {
            endian,
            resolution,
            swapped_lengths: version.0 == 2 && version.1 < 3,
            snaplen,
            buf,
            ledger,
        }
    }

    /// Byte offset where the next record header starts.
    pub fn offset(&self) -> u64 {
        self.buf.len() as u64
    }

    /// The 16-octet record header for `ts_ns` with the given lengths.
    pub fn record_header(&self, ts_ns: i64, caplen: u32, orig_len: u32) -> [u8; 16] {
        let (sec, frac) = split_ts(ts_ns, self.resolution);
        let mut h = [0u8; 16];
        h[0..4].copy_from_slice(&self.endian.u32(sec));
        h[4..8].copy_from_slice(&self.endian.u32(frac));
        let (a, b) = if self.swapped_lengths {
            (orig_len, caplen)
        } else {
            (caplen, orig_len)
        };
        h[8..12].copy_from_slice(&self.endian.u32(a));
        h[12..16].copy_from_slice(&self.endian.u32(b));
        h
    }

    /// Writes `frame` as one record, cut to the snaplen, and notes it as delivered.
    pub fn packet(&mut self, ts_ns: i64, frame: &Frame) {
        let caplen = frame.bytes.len().min(self.snaplen as usize);
        let orig = u32::try_from(frame.bytes.len()).expect("frame fits in u32");
        let h = self.record_header(ts_ns, caplen as u32, orig);
        self.buf.extend_from_slice(&h);
        self.buf.extend_from_slice(&frame.bytes[..caplen]);
        self.ledger
            .delivered
            .push(Delivered::of(frame, Some(ts_ns), caplen, 0));
    }

    /// Writes a record whose data is `frame` in full even when longer than
    /// the snaplen, and notes it as delivered.
    pub fn packet_ignoring_snaplen(&mut self, ts_ns: i64, frame: &Frame) {
        let len = u32::try_from(frame.bytes.len()).expect("frame fits in u32");
        let h = self.record_header(ts_ns, len, len);
        self.buf.extend_from_slice(&h);
        self.buf.extend_from_slice(&frame.bytes);
        self.ledger
            .delivered
            .push(Delivered::of(frame, Some(ts_ns), frame.bytes.len(), 0));
    }

    /// Appends bytes with no bookkeeping (damage).
    pub fn raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    pub fn finish(self) -> (Vec<u8>, Ledger) {
        (self.buf, self.ledger)
    }
}

/// Seconds and fraction of a timestamp; panics unless exact in `res`.
fn split_ts(ts_ns: i64, res: Resolution) -> (u32, u32) {
    let ts = u64::try_from(ts_ns).expect("timestamps after 1970");
    let sec = u32::try_from(ts / 1_000_000_000).expect("timestamp before 2106");
    let ns = (ts % 1_000_000_000) as u32;
    match res {
        Resolution::Nano => (sec, ns),
        Resolution::Micro => {
            assert!(ns % 1000 == 0, "timestamp {ts_ns} not whole microseconds");
            (sec, ns / 1000)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::Known;

    #[test]
    fn header_bytes_follow_the_magic_table() {
        let le = PcapWriter::new(Endian::Little, Resolution::Micro, 1, 65535)
            .finish()
            .0;
        assert_eq!(&le[..4], &[0xD4, 0xC3, 0xB2, 0xA1]);
        let be = PcapWriter::new(Endian::Big, Resolution::Nano, 1, 65535)
            .finish()
            .0;
        assert_eq!(&be[..4], &[0xA1, 0xB2, 0x3C, 0x4D]);
        assert_eq!(&be[4..8], &[0, 2, 0, 4]);
        assert_eq!(&be[16..24], &[0, 0, 0xFF, 0xFF, 0, 0, 0, 1]);
        assert_eq!(le.len(), FILE_HEADER_LEN);
    }

    #[test]
    fn fcs_bits_land_in_the_top_nibble() {
        assert_eq!(linktype_with_fcs(1, 4), 0x2400_0001);
    }

    #[test]
    fn old_versions_swap_lengths_and_snaplen_cuts() {
        let mut w = PcapWriter::with_header(Endian::Little, Resolution::Micro, (2, 2), 64, 1, 1);
        let f = Frame::opaque(vec![7; 100], Known::Absent, Known::Absent, Known::Absent);
        w.packet(1_000_001_000, &f);
        let (b, l) = w.finish();
        assert_eq!(&b[24..28], &1u32.to_le_bytes());
        assert_eq!(&b[28..32], &1u32.to_le_bytes());
        assert_eq!(&b[32..36], &100u32.to_le_bytes());
        assert_eq!(&b[36..40], &64u32.to_le_bytes());
        assert_eq!(b.len(), 24 + 16 + 64);
        assert_eq!(l.delivered[0].caplen, 64);
    }
}
