//! pcapng files written byte by byte from the block layouts of the pcapng
//! draft: every block is type, total length, body, total length; the body
//! is padded to 32 bits; options are code, length, value padded to 32 bits,
//! closed by `opt_endofopt`.

use std::net::Ipv6Addr;

use crate::expect::{Delivered, Interface, Ledger};
use crate::link::Frame;
use crate::pcap::Endian;

/// Block types.
pub mod block {
    pub const SHB: u32 = 0x0A0D_0D0A;
    pub const IDB: u32 = 0x0000_0001;
    pub const PB: u32 = 0x0000_0002;
    pub const SPB: u32 = 0x0000_0003;
    pub const NRB: u32 = 0x0000_0004;
    pub const ISB: u32 = 0x0000_0005;
    pub const EPB: u32 = 0x0000_0006;
    pub const CUSTOM_COPY: u32 = 0x0000_0BAD;
}

/// Byte-order magic of a Section Header Block.
pub const BYTE_ORDER_MAGIC: u32 = 0x1A2B_3C4D;

/// One option: code and raw value (padding is added when written).
#[derive(Clone, Debug)]
pub struct Opt {
    pub code: u16,
    pub value: Vec<u8>,
}

impl Opt {
    pub fn new(code: u16, value: &[u8]) -> Opt {
        Opt {
            code,
            value: value.to_vec(),
        }
    }

    /// `opt_comment` (code 1), valid in every block.
    pub fn comment(text: &str) -> Opt {
        Opt::new(1, text.as_bytes())
    }
}

/// Timestamp resolution of an interface (`if_tsresol`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TsResol {
    /// 10^-n seconds.
    Dec(u8),
    /// 2^-n seconds.
    Bin(u8),
}

impl TsResol {
    fn option_byte(self) -> u8 {
        match self {
            TsResol::Dec(n) => n,
            TsResol::Bin(n) => 0x80 | n,
        }
    }

    /// Timestamp units for `ns` nanoseconds; panics unless exact.
    fn units(self, ns: i128) -> u64 {
        let (num, den): (i128, i128) = match self {
            TsResol::Dec(n) => (10i128.pow(u32::from(n)), 1_000_000_000),
            TsResol::Bin(n) => (1i128 << n, 1_000_000_000),
        };
        let scaled = ns * num;
        assert!(
            scaled % den == 0,
            "{ns} ns is not a whole number of {self:?} units"
        );
        u64::try_from(scaled / den).expect("timestamp after the interface's offset")
    }
}

/// Options of an Interface Description Block that the writer understands.
#[derive(Clone, Debug, Default)]
pub struct IdbOptions {
    pub name: Option<String>,
    pub description: Option<String>,
    pub tsresol: Option<TsResol>,
    /// Seconds added to every timestamp of the interface.
    pub tsoffset: Option<i64>,
    pub fcslen: Option<u8>,
}

#[derive(Clone, Debug)]
struct IfState {
    /// Index into the ledger's interfaces.
    global: usize,
    snaplen: u32,
    tsresol: TsResol,
    tsoffset: i64,
}

/// A pcapng file being written.
#[derive(Debug)]
pub struct PcapngWriter {
    endian: Endian,
    buf: Vec<u8>,
    /// Interfaces of the current section, by local id.
    section: Vec<IfState>,
    pub ledger: Ledger,
}

impl PcapngWriter {
    /// An empty file; the first call must be [`PcapngWriter::shb`].
    pub fn new() -> Self {
        PcapngWriter {
            endian: Endian::Little,
            buf: Vec::with_capacity(4096),
            section: Vec::new(),
            ledger: Ledger::default(),
        }
    }

    /// Byte offset where the next block starts.
    pub fn offset(&self) -> u64 {
        self.buf.len() as u64
    }

    pub fn endian(&self) -> Endian {
        self.endian
    }

    /// Starts a new section in byte order `endian`: interface ids restart at 0.
    pub fn shb(&mut self, endian: Endian, options: &[Opt]) {
        self.endian = endian;
        self.section.clear();
        let e = endian;
        let mut body = Vec::new();
        body.extend_from_slice(&e.u32(BYTE_ORDER_MAGIC));
        body.extend_from_slice(&e.u16(1));
        body.extend_from_slice(&e.u16(0));
        body.extend_from_slice(&e.u64(u64::MAX)); // section length unknown
        body.extend_from_slice(&self.options(options));
        self.block(block::SHB, &body);
    }

    /// An Interface Description Block; returns its id within the section.
    pub fn idb(&mut self, link_type: u16, snaplen: u32, o: &IdbOptions) -> u32 {
        let e = self.endian;
        let mut opts = Vec::new();
        if let Some(n) = &o.name {
            opts.push(Opt::new(2, n.as_bytes()));
        }
        if let Some(d) = &o.description {
            opts.push(Opt::new(3, d.as_bytes()));
        }
        if let Some(r) = o.tsresol {
            opts.push(Opt::new(9, &[r.option_byte()]));
        }
        if let Some(f) = o.fcslen {
            opts.push(Opt::new(13, &[f]));
        }
        if let Some(off) = o.tsoffset {
            opts.push(Opt::new(14, &e.u64(off as u64)));
        }
        let mut body = Vec::new();
        body.extend_from_slice(&e.u16(link_type));
        body.extend_from_slice(&e.u16(0));
        body.extend_from_slice(&e.u32(snaplen));
        body.extend_from_slice(&self.options(&opts));
        self.block(block::IDB, &body);
        self.ledger.interfaces.push(Interface {
            link_type,
            snaplen,
            dropped: None,
        });
        self.section.push(IfState {
            global: self.ledger.interfaces.len() - 1,
            snaplen,
            tsresol: o.tsresol.unwrap_or(TsResol::Dec(6)),
            tsoffset: o.tsoffset.unwrap_or(0),
        });
        (self.section.len() - 1) as u32
    }

    fn iface(&self, id: u32) -> &IfState {
        &self.section[id as usize]
    }

    /// The 64-bit timestamp of `ts_ns` in interface `id`'s units.
    fn ts_units(&self, id: u32, ts_ns: i64) -> u64 {
        let i = self.iface(id);
        let rel = i128::from(ts_ns) - i128::from(i.tsoffset) * 1_000_000_000;
        i.tsresol.units(rel)
    }

    fn captured<'f>(&self, id: u32, frame: &'f Frame) -> &'f [u8] {
        let snap = self.iface(id).snaplen as usize;
        let len = if snap == 0 {
            frame.bytes.len()
        } else {
            frame.bytes.len().min(snap)
        };
        &frame.bytes[..len]
    }

    /// The body of an EPB (without type and lengths).
    pub fn epb_body(&self, id: u32, ts_ns: i64, data: &[u8], orig_len: u32, o: &[Opt]) -> Vec<u8> {
        let e = self.endian;
        let ts = self.ts_units(id, ts_ns);
        let mut body = Vec::new();
        body.extend_from_slice(&e.u32(id));
        body.extend_from_slice(&e.u32((ts >> 32) as u32));
        body.extend_from_slice(&e.u32(ts as u32));
        body.extend_from_slice(&e.u32(data.len() as u32));
        body.extend_from_slice(&e.u32(orig_len));
        body.extend_from_slice(data);
        pad4(&mut body);
        body.extend_from_slice(&self.options(o));
        body
    }

    /// An Enhanced Packet Block on interface `id`, cut to its snaplen.
    pub fn epb(&mut self, id: u32, ts_ns: i64, frame: &Frame) {
        self.epb_with(id, ts_ns, frame, &[]);
    }

    /// An EPB with options (`epb_flags`, comments ...).
    pub fn epb_with(&mut self, id: u32, ts_ns: i64, frame: &Frame, o: &[Opt]) {
        let data = self.captured(id, frame);
        let body = self.epb_body(id, ts_ns, data, frame.bytes.len() as u32, o);
        self.block(block::EPB, &body);
        let global = self.iface(id).global;
        self.ledger
            .delivered
            .push(Delivered::of(frame, Some(ts_ns), data.len(), global));
    }

    /// A Simple Packet Block: always interface 0 of the section, no timestamp,
    /// data cut to that interface's snaplen.
    pub fn spb(&mut self, frame: &Frame) {
        let e = self.endian;
        let data = self.captured(0, frame);
        let mut body = Vec::new();
        body.extend_from_slice(&e.u32(frame.bytes.len() as u32));
        body.extend_from_slice(data);
        pad4(&mut body);
        self.block(block::SPB, &body);
        let global = self.iface(0).global;
        self.ledger
            .delivered
            .push(Delivered::of(frame, None, data.len(), global));
    }

    /// An obsolete Packet Block (16-bit interface id and drops count).
    pub fn pb(&mut self, id: u16, drops: u16, ts_ns: i64, frame: &Frame) {
        let e = self.endian;
        let data = self.captured(u32::from(id), frame);
        let ts = self.ts_units(u32::from(id), ts_ns);
        let mut body = Vec::new();
        body.extend_from_slice(&e.u16(id));
        body.extend_from_slice(&e.u16(drops));
        body.extend_from_slice(&e.u32((ts >> 32) as u32));
        body.extend_from_slice(&e.u32(ts as u32));
        body.extend_from_slice(&e.u32(data.len() as u32));
        body.extend_from_slice(&e.u32(frame.bytes.len() as u32));
        body.extend_from_slice(data);
        pad4(&mut body);
        body.extend_from_slice(&self.options(&[]));
        self.block(block::PB, &body);
        let global = self.iface(u32::from(id)).global;
        self.ledger
            .delivered
            .push(Delivered::of(frame, Some(ts_ns), data.len(), global));
    }

    /// An Interface Statistics Block with start/end times, received and
    /// dropped counts (`isb_ifdrop`).
    pub fn isb(&mut self, id: u32, ts_ns: i64, start_ns: i64, received: u64, dropped: u64) {
        let e = self.endian;
        let ts = self.ts_units(id, ts_ns);
        let start = self.ts_units(id, start_ns);
        let split = |t: u64| {
            let mut v = e.u32((t >> 32) as u32).to_vec();
            v.extend_from_slice(&e.u32(t as u32));
            v
        };
        let opts = [
            Opt::new(2, &split(start)),
            Opt::new(3, &split(ts)),
            Opt::new(4, &e.u64(received)),
            Opt::new(5, &e.u64(dropped)),
        ];
        let mut body = Vec::new();
        body.extend_from_slice(&e.u32(id));
        body.extend_from_slice(&e.u32((ts >> 32) as u32));
        body.extend_from_slice(&e.u32(ts as u32));
        body.extend_from_slice(&self.options(&opts));
        self.block(block::ISB, &body);
        let global = self.iface(id).global;
        self.ledger.interfaces[global].dropped = Some(dropped);
    }

    /// A Name Resolution Block with IPv4 and IPv6 records.
    pub fn nrb(&mut self, v4: &[([u8; 4], &str)], v6: &[(&str, &str)]) {
        let e = self.endian;
        let mut body = Vec::new();
        let mut record = |kind: u16, value: Vec<u8>| {
            body.extend_from_slice(&e.u16(kind));
            body.extend_from_slice(&e.u16(value.len() as u16));
            body.extend_from_slice(&value);
            pad4(&mut body);
        };
        for (addr, name) in v4 {
            let mut v = addr.to_vec();
            v.extend_from_slice(name.as_bytes());
            v.push(0);
            record(1, v);
        }
        for (addr, name) in v6 {
            let a: Ipv6Addr = addr.parse().expect("valid IPv6 literal");
            let mut v = a.octets().to_vec();
            v.extend_from_slice(name.as_bytes());
            v.push(0);
            record(2, v);
        }
        record(0, Vec::new()); // nrb_record_end
        body.extend_from_slice(&self.options(&[]));
        self.block(block::NRB, &body);
    }

    /// A custom block: Private Enterprise Number and opaque data. Counted
    /// as a block the reader skips.
    pub fn custom(&mut self, block_type: u32, pen: u32, data: &[u8]) {
        let mut body = self.endian.u32(pen).to_vec();
        body.extend_from_slice(data);
        pad4(&mut body);
        self.block(block_type, &body);
        self.ledger.unknown_blocks += 1;
    }

    /// A block of a type no reader knows, skipped by its length.
    pub fn unknown(&mut self, block_type: u32, body: &[u8]) {
        let mut body = body.to_vec();
        pad4(&mut body);
        self.block(block_type, &body);
        self.ledger.unknown_blocks += 1;
    }

    /// Writes a well-formed block around `body` (already padded).
    pub fn block(&mut self, block_type: u32, body: &[u8]) {
        assert!(body.len() % 4 == 0, "block body must be padded");
        let total = (12 + body.len()) as u32;
        let e = self.endian;
        self.buf.extend_from_slice(&e.u32(block_type));
        self.buf.extend_from_slice(&e.u32(total));
        self.buf.extend_from_slice(body);
        self.buf.extend_from_slice(&e.u32(total));
    }

    /// Appends bytes with no bookkeeping (damage).
    pub fn raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Encodes an option list, closed by `opt_endofopt`; empty when no options.
    pub fn options(&self, opts: &[Opt]) -> Vec<u8> {
        let e = self.endian;
        let mut out = Vec::new();
        if opts.is_empty() {
            return out;
        }
        for o in opts {
            out.extend_from_slice(&e.u16(o.code));
            out.extend_from_slice(&e.u16(o.value.len() as u16));
            out.extend_from_slice(&o.value);
            pad4(&mut out);
        }
        out.extend_from_slice(&[0, 0, 0, 0]);
        out
    }

    pub fn finish(self) -> (Vec<u8>, Ledger) {
        (self.buf, self.ledger)
    }
}

impl Default for PcapngWriter {
    fn default() -> Self {
        Self::new()
    }
}

/// Pads with zero octets to a multiple of 4.
pub fn pad4(v: &mut Vec<u8>) {
    while v.len() % 4 != 0 {
        v.push(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::Known;

    fn frame(len: usize) -> Frame {
        Frame::opaque(vec![0xEE; len], Known::Absent, Known::Absent, Known::Absent)
    }

    #[test]
    fn shb_layout_big_endian() {
        let mut w = PcapngWriter::new();
        w.shb(Endian::Big, &[]);
        let (b, _) = w.finish();
        assert_eq!(&b[..4], &[0x0A, 0x0D, 0x0D, 0x0A]);
        assert_eq!(&b[4..8], &28u32.to_be_bytes());
        assert_eq!(&b[8..12], &[0x1A, 0x2B, 0x3C, 0x4D]);
        assert_eq!(&b[12..16], &[0, 1, 0, 0]);
        assert_eq!(&b[16..24], &[0xFF; 8]);
        assert_eq!(&b[24..28], &28u32.to_be_bytes());
    }

    #[test]
    fn epb_pads_data_and_repeats_length() {
        let mut w = PcapngWriter::new();
        w.shb(Endian::Little, &[]);
        w.idb(1, 0, &IdbOptions::default());
        let start = w.offset() as usize;
        w.epb(0, 1_000_000_000, &frame(61));
        let (b, l) = w.finish();
        let total = u32::from_le_bytes(b[start + 4..start + 8].try_into().unwrap()) as usize;
        assert_eq!(total, 12 + 20 + 64);
        assert_eq!(
            &b[start + total - 4..start + total],
            &(total as u32).to_le_bytes()
        );
        // 1 s at the default microsecond resolution = 1_000_000 units:
        // high word 0, low word 1_000_000.
        assert_eq!(&b[start + 12..start + 16], &0u32.to_le_bytes());
        assert_eq!(&b[start + 16..start + 20], &1_000_000u32.to_le_bytes());
        assert_eq!(l.delivered[0].caplen, 61);
    }

    #[test]
    fn binary_resolution_and_offset_convert_exactly() {
        let mut w = PcapngWriter::new();
        w.shb(Endian::Little, &[]);
        let o = IdbOptions {
            tsresol: Some(TsResol::Bin(10)),
            tsoffset: Some(100),
            ..IdbOptions::default()
        };
        w.idb(1, 0, &o);
        // 100 s offset + 1.5 s = 1536 units of 2^-10 s.
        assert_eq!(w.ts_units(0, 101_500_000_000), 1536);
    }

    #[test]
    fn spb_keeps_snaplen_bytes_only() {
        let mut w = PcapngWriter::new();
        w.shb(Endian::Little, &[]);
        w.idb(1, 64, &IdbOptions::default());
        w.spb(&frame(100));
        let (b, l) = w.finish();
        assert_eq!(b.len(), 28 + 20 + 12 + 4 + 64);
        assert_eq!(l.delivered[0].caplen, 64);
        assert_eq!(l.delivered[0].ts_ns, None);
    }
}
