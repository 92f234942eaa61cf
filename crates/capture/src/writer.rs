//! [`PcapngWriter`]: a small pcapng writer (SHB, IDB, EPB, ISB).
//!
//! Output is little-endian, one section, nanosecond timestamps
//! (`if_tsresol` = 9 on every interface). It exists so that a live
//! capture can be saved (`portmatrix live --write FILE.pcapng`) and so
//! that tests can build captures; it is not a general pcapng editor.

use std::io::{self, BufWriter, Write};

use portmatrix_wire::LinkType;

use crate::reader::MAX_CAPLEN;
use crate::record::Record;

const SHB: u32 = 0x0a0d_0d0a;
const IDB: u32 = 1;
const ISB: u32 = 5;
const EPB: u32 = 6;
const BYTE_ORDER_MAGIC: u32 = 0x1a2b_3c4d;

const OPT_ENDOFOPT: u16 = 0;
const IF_NAME: u16 = 2;
const IF_TSRESOL: u16 = 9;
const ISB_IFRECV: u16 = 4;
const ISB_IFDROP: u16 = 5;
const ISB_OSDROP: u16 = 7;

/// Longest `if_name` written, in bytes.
const MAX_NAME_LEN: usize = 256;

/// Counters for an Interface Statistics Block; `None` fields are left out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InterfaceCounters {
    /// `isb_ifrecv`: packets received by the interface.
    pub received: Option<u64>,
    /// `isb_ifdrop`: packets dropped by the interface or its driver.
    pub if_drop: Option<u64>,
    /// `isb_osdrop`: packets dropped by the operating system.
    pub os_drop: Option<u64>,
}

/// Writes a pcapng stream: a Section Header Block at creation, then
/// Interface Description, Enhanced Packet and Interface Statistics Blocks.
///
/// ```
/// use portmatrix_capture::{CaptureReader, LinkType, PcapngWriter};
/// let mut w = PcapngWriter::new(Vec::new())?;
/// let eth0 = w.add_interface(LinkType::ETHERNET, 65535, Some("eth0"))?;
/// w.write_packet(eth0, 1_700_000_000_123_456_789, 60, &[0u8; 60])?;
/// let bytes = w.into_inner()?;
///
/// let mut r = CaptureReader::new(&bytes[..]).unwrap();
/// let rec = r.next_record().unwrap().unwrap();
/// assert_eq!(rec.ts_ns, 1_700_000_000_123_456_789);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct PcapngWriter<W: Write> {
    out: BufWriter<W>,
    interfaces: u32,
}

impl<W: Write> PcapngWriter<W> {
    /// Starts a section on `out` (buffered internally).
    ///
    /// # Errors
    /// Writing the Section Header Block failed.
    pub fn new(out: W) -> io::Result<Self> {
        let mut w = PcapngWriter {
            out: BufWriter::with_capacity(1 << 16, out),
            interfaces: 0,
        };
        let mut b = [0u8; 28];
        put32(&mut b, 0, SHB);
        put32(&mut b, 4, 28);
        put32(&mut b, 8, BYTE_ORDER_MAGIC);
        b[12..14].copy_from_slice(&1u16.to_le_bytes()); // major
        b[14..16].copy_from_slice(&0u16.to_le_bytes()); // minor
        b[16..24].copy_from_slice(&u64::MAX.to_le_bytes()); // section length unknown
        put32(&mut b, 24, 28);
        w.out.write_all(&b)?;
        Ok(w)
    }

    /// Describes an interface and returns its id for
    /// [`write_packet`](Self::write_packet). `name` is cut to 256 bytes.
    ///
    /// # Errors
    /// Writing failed.
    pub fn add_interface(
        &mut self,
        link_type: LinkType,
        snaplen: u32,
        name: Option<&str>,
    ) -> io::Result<u32> {
        let name = name.map(|n| {
            let mut cut = n.len().min(MAX_NAME_LEN);
            while !n.is_char_boundary(cut) {
                cut -= 1;
            }
            &n.as_bytes()[..cut]
        });
        let name_opt = name.map_or(0, |n| 4 + pad4(n.len()));
        let len = 20 + name_opt + 8 + 4;
        let mut head = [0u8; 16];
        put32(&mut head, 0, IDB);
        put32(&mut head, 4, len as u32);
        head[8..10].copy_from_slice(&link_type.0.to_le_bytes());
        put32(&mut head, 12, snaplen);
        self.out.write_all(&head)?;
        if let Some(n) = name {
            self.option(IF_NAME, n)?;
        }
        self.option(IF_TSRESOL, &[9])?;
        self.option(OPT_ENDOFOPT, &[])?;
        self.out.write_all(&(len as u32).to_le_bytes())?;
        let id = self.interfaces;
        self.interfaces += 1;
        Ok(id)
    }

    /// Writes one packet as an Enhanced Packet Block.
    ///
    /// # Errors
    /// `InvalidInput` for an interface that was not added, a timestamp
    /// before 1970, more than 256 KiB of data, or `orig_len` shorter than
    /// the data; otherwise a write error.
    pub fn write_packet(
        &mut self,
        interface: u32,
        ts_ns: i64,
        orig_len: u32,
        data: &[u8],
    ) -> io::Result<()> {
        if interface >= self.interfaces {
            return Err(invalid(format!("interface {interface} was not added")));
        }
        let ts = u64::try_from(ts_ns)
            .map_err(|_| invalid(format!("timestamp {ts_ns} ns is before 1970")))?;
        if data.len() > MAX_CAPLEN as usize {
            return Err(invalid(format!(
                "{} bytes of packet data is more than {MAX_CAPLEN}",
                data.len()
            )));
        }
        let caplen = data.len() as u32;
        if orig_len < caplen {
            return Err(invalid(format!(
                "original length {orig_len} is shorter than the {caplen} captured bytes"
            )));
        }
        let padded = pad4(data.len());
        let len = (32 + padded) as u32;
        let mut head = [0u8; 28];
        put32(&mut head, 0, EPB);
        put32(&mut head, 4, len);
        put32(&mut head, 8, interface);
        put32(&mut head, 12, (ts >> 32) as u32);
        put32(&mut head, 16, ts as u32);
        put32(&mut head, 20, caplen);
        put32(&mut head, 24, orig_len);
        self.out.write_all(&head)?;
        self.out.write_all(data)?;
        let mut tail = [0u8; 7];
        let pad = padded - data.len();
        put32(&mut tail, pad, len);
        self.out.write_all(&tail[..pad + 4])
    }

    /// Writes a record read from a capture on interface `interface` of
    /// this writer.
    ///
    /// # Errors
    /// As [`write_packet`](Self::write_packet).
    pub fn write_record(&mut self, interface: u32, rec: &Record<'_>) -> io::Result<()> {
        self.write_packet(interface, rec.ts_ns, rec.orig_len, rec.data)
    }

    /// Writes an Interface Statistics Block with the given counters.
    ///
    /// # Errors
    /// As [`write_packet`](Self::write_packet) for the interface and
    /// timestamp; otherwise a write error.
    pub fn write_statistics(
        &mut self,
        interface: u32,
        ts_ns: i64,
        counters: InterfaceCounters,
    ) -> io::Result<()> {
        if interface >= self.interfaces {
            return Err(invalid(format!("interface {interface} was not added")));
        }
        let ts = u64::try_from(ts_ns)
            .map_err(|_| invalid(format!("timestamp {ts_ns} ns is before 1970")))?;
        let opts: Vec<(u16, u64)> = [
            (ISB_IFRECV, counters.received),
            (ISB_IFDROP, counters.if_drop),
            (ISB_OSDROP, counters.os_drop),
        ]
        .into_iter()
        .filter_map(|(code, v)| v.map(|v| (code, v)))
        .collect();
        let opt_len = if opts.is_empty() {
            0
        } else {
            opts.len() * 12 + 4
        };
        // Fixed part 20, options, trailing length 4.
        let len = (24 + opt_len) as u32;
        let mut head = [0u8; 20];
        put32(&mut head, 0, ISB);
        put32(&mut head, 4, len);
        put32(&mut head, 8, interface);
        put32(&mut head, 12, (ts >> 32) as u32);
        put32(&mut head, 16, ts as u32);
        self.out.write_all(&head)?;
        for (code, v) in &opts {
            self.option(*code, &v.to_le_bytes())?;
        }
        if !opts.is_empty() {
            self.option(OPT_ENDOFOPT, &[])?;
        }
        self.out.write_all(&len.to_le_bytes())
    }

    /// Flushes buffered blocks to the underlying writer.
    ///
    /// # Errors
    /// The write failed.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// Flushes and returns the underlying writer.
    ///
    /// # Errors
    /// The final write failed.
    pub fn into_inner(self) -> io::Result<W> {
        self.out
            .into_inner()
            .map_err(io::IntoInnerError::into_error)
    }

    fn option(&mut self, code: u16, value: &[u8]) -> io::Result<()> {
        let mut head = [0u8; 4];
        head[..2].copy_from_slice(&code.to_le_bytes());
        head[2..].copy_from_slice(&(value.len() as u16).to_le_bytes());
        self.out.write_all(&head)?;
        self.out.write_all(value)?;
        self.out
            .write_all(&[0u8; 3][..pad4(value.len()) - value.len()])
    }
}

fn put32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

fn pad4(n: usize) -> usize {
    (n + 3) & !3
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CaptureReader;

    /// The bytes a writer produces for one interface "lo" and one 5-byte
    /// packet at 1.000000002 s, written out by hand from the pcapng spec.
    #[rustfmt::skip]
    const EXPECTED: [u8; 28 + 40 + 40] = [
        // SHB: type, len 28, byte-order magic, 1.0, section length -1, len
        0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1c, 0, 0, 0,
        // IDB: type 1, len 40, link type 1, reserved, snaplen 262144
        1, 0, 0, 0, 0x28, 0, 0, 0, 1, 0, 0, 0, 0x00, 0x00, 0x04, 0x00,
        // if_name "lo" + 2 pad; if_tsresol 9 + 3 pad; opt_endofopt; len
        2, 0, 2, 0, b'l', b'o', 0, 0, 9, 0, 1, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0x28, 0, 0, 0,
        // EPB: type 6, len 40, interface 0, ts high 0, ts low 1_000_000_002,
        // caplen 5, orig_len 64, "hello" + 3 pad, len
        6, 0, 0, 0, 0x28, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0xca, 0x9a, 0x3b,
        5, 0, 0, 0, 0x40, 0, 0, 0, b'h', b'e', b'l', b'l', b'o', 0, 0, 0, 0x28, 0, 0, 0,
    ];

    #[test]
    fn bytes_match_the_spec_layout() {
        let mut w = PcapngWriter::new(Vec::new()).unwrap();
        let id = w
            .add_interface(LinkType::ETHERNET, 262_144, Some("lo"))
            .unwrap();
        w.write_packet(id, 1_000_000_002, 64, b"hello").unwrap();
        assert_eq!(w.into_inner().unwrap(), EXPECTED);
    }

    #[test]
    fn round_trip_through_the_reader() {
        let mut w = PcapngWriter::new(Vec::new()).unwrap();
        let a = w
            .add_interface(LinkType::ETHERNET, 65535, Some("eth0"))
            .unwrap();
        let b = w.add_interface(LinkType::LINUX_SLL, 0, None).unwrap();
        let frames: Vec<(u32, i64, Vec<u8>)> = (0..50u8)
            .map(|i| {
                let ifc = if i % 3 == 0 { b } else { a };
                let data = vec![i; usize::from(i)];
                (ifc, 1_600_000_000_000_000_000 + i64::from(i) * 1_001, data)
            })
            .collect();
        for (ifc, ts, data) in &frames {
            w.write_packet(*ifc, *ts, data.len() as u32 + 4, data)
                .unwrap();
        }
        w.write_statistics(
            a,
            1_600_000_001_000_000_000,
            InterfaceCounters {
                received: Some(34),
                if_drop: Some(2),
                os_drop: Some(1),
            },
        )
        .unwrap();
        let bytes = w.into_inner().unwrap();

        let mut r = CaptureReader::new(&bytes[..]).unwrap();
        let mut n = 0;
        while let Some(item) = r.next_record() {
            let rec = item.unwrap();
            let (ifc, ts, data) = &frames[n];
            assert_eq!(rec.interface_id, *ifc);
            assert_eq!(rec.ts_ns, *ts);
            assert_eq!(rec.data, &data[..]);
            assert_eq!(rec.orig_len, data.len() as u32 + 4);
            n += 1;
        }
        assert_eq!(n, frames.len());
        let ifs = r.interfaces();
        assert_eq!(ifs.len(), 2);
        assert_eq!(ifs[0].name.as_deref(), Some("eth0"));
        assert_eq!(ifs[0].link_type, LinkType::ETHERNET);
        assert_eq!(ifs[1].link_type, LinkType::LINUX_SLL);
        assert_eq!((ifs[0].packets, ifs[1].packets), (33, 17));
        assert_eq!(ifs[0].if_drop, Some(2));
        assert_eq!(ifs[0].os_drop, Some(1));
        assert_eq!(ifs[0].if_recv, Some(34));
        assert_eq!(r.stats().blocks.isb, 1);
        assert_eq!(r.stats().errors, 0);
    }

    #[test]
    fn refuses_bad_input_without_writing() {
        let mut w = PcapngWriter::new(Vec::new()).unwrap();
        let e = w.write_packet(0, 0, 0, &[]).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        let id = w.add_interface(LinkType::RAW, 0, None).unwrap();
        assert!(w.write_packet(id, -1, 0, &[]).is_err());
        assert!(w.write_packet(id, 0, 1, &[0, 0]).is_err());
        assert!(w
            .write_packet(id, 0, u32::MAX, &vec![0; MAX_CAPLEN as usize + 1])
            .is_err());
        // Only the SHB and the IDB (20 + 8 + 4 = 32 bytes) were written.
        assert_eq!(w.into_inner().unwrap().len(), 28 + 32);
    }
}
