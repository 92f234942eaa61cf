//! [`CaptureReader`]: one lending reader for pcap, pcapng and gzip.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use portmatrix_wire::LinkType;

use crate::buffer::{ReadBuffer, DEFAULT_CAPACITY};
use crate::endian::{u32_in, Be, ByteOrder, Endian, Le};
use crate::error::{from_io, BlockFault, BodyFault, Error, ErrorKind};
use crate::format::{FileKind, Format, Interface, ReadStats, TsPrecision, TsResolution};
use crate::pcap::{self, LengthOrder, Magic, FILE_HEADER_LEN, RECORD_HEADER_LEN};
use crate::pcapng::{
    self, enhanced_packet, interface_description, interface_statistics, packet, section_header,
    simple_packet,
};
use crate::record::Record;
use crate::source::Source;

/// Largest captured length accepted for one packet: libpcap's
/// `MAXIMUM_SNAPLEN` (256 KiB), which Wireshark uses too.
pub const MAX_CAPLEN: u32 = 262_144;

/// Largest pcapng block accepted: libpcap's initial limit (16 MiB).
pub const MAX_BLOCK_LEN: u32 = 16 * 1024 * 1024;

/// Most interfaces (over all sections) kept track of.
pub const MAX_INTERFACES: u32 = 4096;

/// Where a packet record's bytes are in the buffer, and its metadata.
#[derive(Clone, Copy, Debug)]
struct Meta {
    /// Buffer index of the first data byte.
    at: usize,
    caplen: u32,
    file_offset: u64,
    ts_ns: i64,
    interface: u32,
    link_type: LinkType,
    fcs_len: u8,
    orig_len: u32,
}

/// The outcome of one step of reading.
enum Step {
    Record(Meta),
    Error(Error),
    End,
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    Pcap {
        order: ByteOrder,
        /// Nanoseconds per unit of the fraction field.
        frac_ns: u32,
        lengths: LengthOrder,
        snaplen: u32,
    },
    Pcapng,
}

/// State of the current pcapng section.
#[derive(Debug, Default)]
struct Section {
    order: Option<ByteOrder>,
    /// 0-based number of the current section.
    number: u32,
    /// Section-local interface id -> global index (`None`: not kept).
    map: Vec<Option<u32>>,
    /// Interface descriptions seen in this section (may exceed `map.len()`
    /// once the interface limit is hit).
    described: u32,
    /// The interface limit was reported.
    limit_reported: bool,
}

/// What the framing check of the next pcapng block found.
enum Framing {
    End,
    /// Fewer bytes than a block header at the end of the input.
    Short {
        needed: u64,
        available: u64,
    },
    Fault(BlockFault),
    Block {
        block_type: u32,
        len: u32,
        order: ByteOrder,
    },
}

/// Reads packet records from a pcap or pcapng stream, gzip-compressed or
/// not, without copying them.
///
/// Records are slices of a 1 MiB read buffer and stay valid until the next
/// call to [`next_record`](Self::next_record) (a lending iterator):
///
/// ```no_run
/// # fn main() -> Result<(), portmatrix_capture::Error> {
/// use portmatrix_capture::CaptureReader;
/// let mut reader = CaptureReader::open("trace.pcapng".as_ref())?;
/// while let Some(item) = reader.next_record() {
///     match item {
///         Ok(rec) => println!("{} {} bytes", rec.ts_ns, rec.data.len()),
///         Err(e) => eprintln!("trace.pcapng: {e}"),
///     }
/// }
/// println!("{} ({} records)", reader.format(), reader.stats().records);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct CaptureReader<R: Read> {
    buf: ReadBuffer<Source<R>>,
    kind: Kind,
    format: Format,
    compressed: bool,
    section: Section,
    interfaces: Vec<Interface>,
    stats: ReadStats,
    delivered: u64,
    last_ts_ns: i64,
    pending: Option<Meta>,
    done: bool,
}

impl CaptureReader<Box<dyn Read + Send>> {
    /// Opens a capture file, or standard input for `-`.
    ///
    /// # Errors
    /// The file cannot be opened, or its start is not a capture (see
    /// [`new`](CaptureReader::new)).
    pub fn open(path: &Path) -> Result<Self, Error> {
        let src: Box<dyn Read + Send> = if path.as_os_str() == "-" {
            Box::new(io::stdin())
        } else {
            let file = File::open(path).map_err(|e| {
                Error::fatal(
                    0,
                    None,
                    ErrorKind::Open {
                        kind: e.kind(),
                        message: crate::error::lowercase_first(&e.to_string()),
                    },
                )
            })?;
            Box::new(file)
        };
        CaptureReader::new(src)
    }
}

impl<R: Read> CaptureReader<R> {
    /// Sniffs gzip and the capture format from the content of `reader` and
    /// reads the file header (pcap) or first section header (pcapng).
    ///
    /// # Errors
    /// The input is empty, is not pcap or pcapng, is a variant this crate
    /// does not read, or its header is cut short or damaged. These errors
    /// are fatal and have no record number.
    pub fn new(reader: R) -> Result<Self, Error> {
        let src = Source::sniff(reader).map_err(|e| from_io(&e, false, 0, None))?;
        let compressed = src.is_compressed();
        let buf = ReadBuffer::new(src, DEFAULT_CAPACITY, MAX_BLOCK_LEN as usize);
        let placeholder = Format::new(
            FileKind::Pcapng {
                byte_order: ByteOrder::Little,
                mixed_byte_order: false,
            },
            compressed,
        );
        let mut r = CaptureReader {
            buf,
            kind: Kind::Pcapng,
            format: placeholder,
            compressed,
            section: Section::default(),
            interfaces: Vec::new(),
            stats: ReadStats::default(),
            delivered: 0,
            last_ts_ns: 0,
            pending: None,
            done: false,
        };
        let avail = r.ensure(4, 0, None)?;
        if avail == 0 {
            return Err(Error::fatal(0, None, ErrorKind::Empty));
        }
        if avail < 4 {
            return Err(Error::fatal(
                0,
                None,
                ErrorKind::Truncated {
                    what: "magic number",
                    needed: 4,
                    available: avail as u64,
                },
            ));
        }
        let mut magic = [0u8; 4];
        magic.copy_from_slice(r.buf.peek(4));
        match pcap::classify_magic(magic).map_err(|k| Error::fatal(0, None, k))? {
            Magic::Pcap { order, precision } => r.open_pcap(order, precision)?,
            Magic::Pcapng => r.open_pcapng()?,
        }
        Ok(r)
    }

    fn open_pcap(&mut self, order: ByteOrder, precision: TsPrecision) -> Result<(), Error> {
        let avail = self.ensure(FILE_HEADER_LEN, 0, None)?;
        if avail < FILE_HEADER_LEN {
            return Err(Error::fatal(
                0,
                None,
                ErrorKind::Truncated {
                    what: "file header",
                    needed: FILE_HEADER_LEN as u64,
                    available: avail as u64,
                },
            ));
        }
        let head = self.buf.peek(FILE_HEADER_LEN);
        let fh = match order {
            ByteOrder::Little => pcap::header::parse::<Le>(head),
            ByteOrder::Big => pcap::header::parse::<Be>(head),
        }
        .map_err(|k| Error::fatal(0, None, k))?;
        self.buf.consume(FILE_HEADER_LEN);
        let mut ifc = Interface::new(0, 0, 0, 0);
        ifc.link_type = fh.link_type;
        ifc.snaplen = fh.snaplen;
        ifc.fcs_len = fh.fcs_len;
        ifc.tsresol = match precision {
            TsPrecision::Micro => TsResolution::MICROS,
            TsPrecision::Nano => TsResolution::NANOS,
        };
        self.interfaces.push(ifc);
        self.kind = Kind::Pcap {
            order,
            frac_ns: match precision {
                TsPrecision::Micro => 1_000,
                TsPrecision::Nano => 1,
            },
            lengths: fh.lengths,
            snaplen: fh.snaplen,
        };
        self.format = Format::new(
            FileKind::Pcap {
                byte_order: order,
                precision,
                version_major: fh.version_major,
                version_minor: fh.version_minor,
            },
            self.compressed,
        );
        Ok(())
    }

    fn open_pcapng(&mut self) -> Result<(), Error> {
        let framing = self
            .frame()
            .map_err(|e| from_io(&e, self.compressed, 0, None))?;
        let (len, order) = match framing {
            Framing::Block { len, order, .. } => (len, order),
            Framing::End => return Err(Error::fatal(0, None, ErrorKind::Empty)),
            Framing::Short { available, .. } => {
                return Err(Error::fatal(
                    0,
                    None,
                    ErrorKind::Truncated {
                        what: "section header block",
                        needed: u64::from(section_header::MIN_LEN),
                        available,
                    },
                ))
            }
            Framing::Fault(fault) => {
                return Err(Error::fatal(
                    0,
                    None,
                    ErrorKind::BlockDamaged {
                        fault,
                        skipped: 0,
                        resumed_at: None,
                    },
                ))
            }
        };
        self.format = Format::new(
            FileKind::Pcapng {
                byte_order: order,
                mixed_byte_order: false,
            },
            self.compressed,
        );
        if len < section_header::MIN_LEN {
            return Err(Error::fatal(
                0,
                None,
                ErrorKind::BadBlock {
                    block: "section header block",
                    fault: BodyFault::TooShort {
                        len,
                        min: section_header::MIN_LEN,
                    },
                },
            ));
        }
        let step = match order {
            ByteOrder::Little => self.on_shb::<Le>(0, len as usize),
            ByteOrder::Big => self.on_shb::<Be>(0, len as usize),
        };
        self.buf.consume(len as usize);
        match step {
            Some(Step::Error(e)) => Err(e),
            _ => Ok(()),
        }
    }

    /// The next packet record, an error, or `None` at the end.
    ///
    /// The record borrows the reader's buffer until the next call. After a
    /// non-fatal error, call again: reading continues after the damage.
    /// After a fatal error (or the end), this returns `None`.
    pub fn next_record(&mut self) -> Option<Result<Record<'_>, Error>> {
        let meta = match self.pending.take() {
            Some(m) => m,
            None => {
                if self.done {
                    return None;
                }
                let step = match self.kind {
                    Kind::Pcap {
                        order: ByteOrder::Little,
                        frac_ns,
                        lengths,
                        snaplen,
                    } => self.step_pcap::<Le>(frac_ns, lengths, snaplen),
                    Kind::Pcap {
                        order: ByteOrder::Big,
                        frac_ns,
                        lengths,
                        snaplen,
                    } => self.step_pcap::<Be>(frac_ns, lengths, snaplen),
                    Kind::Pcapng => self.step_pcapng(),
                };
                match step {
                    Step::Record(m) => m,
                    Step::Error(e) => {
                        self.stats.errors += 1;
                        if e.fatal {
                            self.done = true;
                            self.pending = None;
                        }
                        return Some(Err(e));
                    }
                    Step::End => {
                        self.done = true;
                        return None;
                    }
                }
            }
        };
        Some(Ok(self.deliver(meta)))
    }

    /// The input's format, as sniffed from its content.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The interfaces described so far (all of them once `next_record`
    /// returned `None`), indexed by [`Record::interface_id`].
    pub fn interfaces(&self) -> &[Interface] {
        &self.interfaces
    }

    /// Counters of the read so far.
    pub fn stats(&self) -> &ReadStats {
        &self.stats
    }

    /// Bytes of the (decompressed) input consumed so far.
    pub fn position(&self) -> u64 {
        self.buf.pos()
    }

    #[inline]
    fn deliver(&mut self, m: Meta) -> Record<'_> {
        self.delivered += 1;
        self.last_ts_ns = m.ts_ns;
        let s = &mut self.stats;
        s.records += 1;
        s.captured_bytes += u64::from(m.caplen);
        s.original_bytes += u64::from(m.orig_len);
        if m.caplen == 0 {
            s.zero_length_records += 1;
        }
        if let Some(i) = self.interfaces.get_mut(m.interface as usize) {
            i.packets += 1;
            i.captured_bytes += u64::from(m.caplen);
        }
        Record {
            index: self.delivered,
            file_offset: m.file_offset,
            ts_ns: m.ts_ns,
            interface_id: m.interface,
            link_type: m.link_type,
            fcs_len: m.fcs_len,
            orig_len: m.orig_len,
            data: self.buf.slice(m.at, m.caplen as usize),
        }
    }

    /// `buf.ensure` with I/O errors turned into fatal errors at `offset`.
    fn ensure(&mut self, n: usize, offset: u64, record: Option<u64>) -> Result<usize, Error> {
        self.buf
            .ensure(n)
            .map_err(|e| from_io(&e, self.compressed, offset, record))
    }

    fn next_number(&self) -> Option<u64> {
        Some(self.delivered + 1)
    }

    /// Passes the record on, first reporting (once per interface) a
    /// captured length above the snapshot length.
    fn deliver_or_warn(&mut self, meta: Meta, snaplen: u32) -> Step {
        if snaplen != 0 && meta.caplen > snaplen {
            self.stats.caplen_over_snaplen += 1;
            if let Some(i) = self.interfaces.get_mut(meta.interface as usize) {
                i.caplen_over_snaplen += 1;
                if i.caplen_over_snaplen == 1 {
                    self.pending = Some(meta);
                    return Step::Error(Error::recoverable(
                        meta.file_offset,
                        self.next_number(),
                        ErrorKind::CaplenOverSnaplen {
                            caplen: meta.caplen,
                            snaplen,
                        },
                    ));
                }
            }
        }
        Step::Record(meta)
    }

    // ---- classic pcap ----------------------------------------------------

    #[inline]
    fn step_pcap<E: Endian>(&mut self, frac_ns: u32, lengths: LengthOrder, snaplen: u32) -> Step {
        let off = self.buf.pos();
        let record = self.next_number();
        let avail = match self.ensure(RECORD_HEADER_LEN, off, record) {
            Ok(a) => a,
            Err(e) => return Step::Error(e),
        };
        if avail == 0 {
            return Step::End;
        }
        if avail < RECORD_HEADER_LEN {
            return self.cut_short(off, "record header", RECORD_HEADER_LEN, avail, avail);
        }
        let h = pcap::record::parse::<E>(self.buf.peek(RECORD_HEADER_LEN), lengths);
        if h.caplen > MAX_CAPLEN {
            return Step::Error(Error::fatal(
                off,
                record,
                ErrorKind::CaplenTooLarge {
                    caplen: h.caplen,
                    max: MAX_CAPLEN,
                },
            ));
        }
        let need = RECORD_HEADER_LEN + h.caplen as usize;
        let avail = match self.ensure(need, off, record) {
            Ok(a) => a,
            Err(e) => return Step::Error(e),
        };
        if avail < need {
            let data_left = avail - RECORD_HEADER_LEN;
            return self.cut_short(off, "packet data", h.caplen as usize, data_left, avail);
        }
        let at = self.buf.index() + RECORD_HEADER_LEN;
        self.buf.consume(need);
        let ts_ns = i64::from(h.ts_sec) * 1_000_000_000 + i64::from(h.ts_frac) * i64::from(frac_ns);
        let ifc = &self.interfaces[0];
        let meta = Meta {
            at,
            caplen: h.caplen,
            file_offset: off,
            ts_ns,
            interface: 0,
            link_type: ifc.link_type,
            fcs_len: ifc.fcs_len,
            orig_len: h.orig_len,
        };
        self.deliver_or_warn(meta, snaplen)
    }

    /// The input ends inside `what` of the record at `off`: `needed` bytes
    /// of it were due, `available` were there; `tail` bytes are left over.
    fn cut_short(
        &mut self,
        off: u64,
        what: &'static str,
        needed: usize,
        available: usize,
        tail: usize,
    ) -> Step {
        self.buf.consume(tail);
        self.stats.skipped_bytes += tail as u64;
        Step::Error(Error::fatal(
            off,
            self.next_number(),
            ErrorKind::Truncated {
                what,
                needed: needed as u64,
                available: available as u64,
            },
        ))
    }

    // ---- pcapng ----------------------------------------------------------

    fn step_pcapng(&mut self) -> Step {
        loop {
            let off = self.buf.pos();
            let framing = match self.frame() {
                Ok(f) => f,
                Err(e) => {
                    return Step::Error(from_io(&e, self.compressed, off, self.next_number()))
                }
            };
            match framing {
                Framing::End => return Step::End,
                Framing::Short { needed, available } => {
                    let (needed, available) = (needed as usize, available as usize);
                    return self.cut_short(off, "block header", needed, available, available);
                }
                Framing::Fault(fault) => return self.resync_after(off, fault),
                Framing::Block {
                    block_type,
                    len,
                    order,
                } => {
                    let step = match order {
                        ByteOrder::Little => self.block::<Le>(off, block_type, len as usize),
                        ByteOrder::Big => self.block::<Be>(off, block_type, len as usize),
                    };
                    self.buf.consume(len as usize);
                    if let Some(step) = step {
                        return step;
                    }
                }
            }
        }
    }

    /// Checks the framing of the block at the read position and makes the
    /// whole block available in the buffer.
    fn frame(&mut self) -> io::Result<Framing> {
        let avail = self.buf.ensure(8)?;
        if avail == 0 {
            return Ok(Framing::End);
        }
        if avail < 8 {
            return Ok(Framing::Short {
                needed: 8,
                available: avail as u64,
            });
        }
        let is_shb = self.buf.peek(4) == pcapng::SHB.to_be_bytes();
        let order = if is_shb {
            let avail = self.buf.ensure(12)?;
            if avail < 12 {
                return Ok(Framing::Short {
                    needed: 12,
                    available: avail as u64,
                });
            }
            let mut bom = [0u8; 4];
            bom.copy_from_slice(&self.buf.peek(12)[section_header::MAGIC_RANGE]);
            match section_header::byte_order(bom) {
                Some(o) => o,
                None => return Ok(Framing::Fault(BlockFault::BadByteOrderMagic(bom))),
            }
        } else {
            self.section.order.unwrap_or(ByteOrder::Little)
        };
        let head = self.buf.peek(8);
        let len = u32_in(order, head, 4);
        let block_type = if is_shb {
            pcapng::SHB
        } else {
            u32_in(order, head, 0)
        };
        if len < pcapng::MIN_BLOCK_LEN {
            return Ok(Framing::Fault(BlockFault::LengthTooSmall(len)));
        }
        if len % 4 != 0 {
            return Ok(Framing::Fault(BlockFault::LengthNotMultipleOf4(len)));
        }
        if len > MAX_BLOCK_LEN {
            return Ok(Framing::Fault(BlockFault::LengthTooLarge {
                len,
                max: MAX_BLOCK_LEN,
            }));
        }
        let n = len as usize;
        let avail = self.buf.ensure(n)?;
        if avail < n {
            return Ok(Framing::Fault(BlockFault::Truncated {
                len,
                available: avail as u64,
            }));
        }
        let trailer = u32_in(order, self.buf.peek(n), n - 4);
        if trailer != len {
            return Ok(Framing::Fault(BlockFault::TrailerMismatch {
                header: len,
                trailer,
            }));
        }
        Ok(Framing::Block {
            block_type,
            len,
            order,
        })
    }

    /// Handles one framing-checked block of `n` bytes at the read position;
    /// the caller consumes it afterwards.
    fn block<E: Endian>(&mut self, off: u64, block_type: u32, n: usize) -> Option<Step> {
        let at = self.buf.index();
        match block_type {
            pcapng::EPB => self.on_epb::<E>(off, at, n),
            pcapng::SPB => self.on_spb::<E>(off, at, n),
            pcapng::IDB => self.on_idb::<E>(off, at, n),
            pcapng::SHB => self.on_shb::<E>(off, n),
            pcapng::ISB => self.on_isb::<E>(off, at, n),
            pcapng::PB => self.on_pb::<E>(off, at, n),
            pcapng::NRB => {
                self.stats.blocks.nrb += 1;
                None
            }
            pcapng::DSB => {
                self.stats.blocks.dsb += 1;
                None
            }
            pcapng::CUSTOM | pcapng::CUSTOM_NO_COPY => {
                self.stats.blocks.custom += 1;
                self.stats.unknown_blocks += 1;
                None
            }
            other => {
                self.stats.count_unknown(other);
                None
            }
        }
    }

    /// A well-framed block with bad content: skipped, reading goes on.
    fn bad_block(
        &mut self,
        off: u64,
        block: &'static str,
        fault: BodyFault,
        n: usize,
        is_packet: bool,
    ) -> Step {
        self.stats.skipped_bytes += n as u64;
        let record = if is_packet {
            self.stats.skipped_records += 1;
            self.next_number()
        } else {
            None
        };
        Step::Error(Error::recoverable(
            off,
            record,
            ErrorKind::BadBlock { block, fault },
        ))
    }

    /// Maps a section-local interface id to the global index. On failure
    /// the block is skipped: with an error for an interface that was never
    /// described, silently (counted) for one beyond the interface limit,
    /// which was reported once at its description.
    fn resolve(
        &mut self,
        id: u32,
        block: &'static str,
        off: u64,
        n: usize,
        is_packet: bool,
    ) -> Result<u32, Option<Step>> {
        let known = match self.section.map.get(id as usize) {
            Some(Some(g)) => return Ok(*g),
            Some(None) => true,
            None => id < self.section.described,
        };
        self.stats.skipped_bytes += n as u64;
        let record = if is_packet {
            self.stats.skipped_records += 1;
            self.next_number()
        } else {
            None
        };
        if known {
            return Err(None);
        }
        Err(Some(Step::Error(Error::recoverable(
            off,
            record,
            ErrorKind::UnknownInterface {
                block,
                interface_id: id,
                section: self.section.number,
                known: self.section.described,
            },
        ))))
    }

    fn packet_limits(
        &mut self,
        off: u64,
        block: &'static str,
        caplen: u32,
        n: usize,
    ) -> Option<Step> {
        (caplen > MAX_CAPLEN).then(|| {
            self.bad_block(
                off,
                block,
                BodyFault::CaplenTooLarge {
                    caplen,
                    max: MAX_CAPLEN,
                },
                n,
                true,
            )
        })
    }

    fn on_epb<E: Endian>(&mut self, off: u64, at: usize, n: usize) -> Option<Step> {
        const NAME: &str = "enhanced packet block";
        self.stats.blocks.epb += 1;
        let p = match enhanced_packet::parse::<E>(self.buf.slice(at, n)) {
            Ok(p) => p,
            Err(fault) => return Some(self.bad_block(off, NAME, fault, n, true)),
        };
        self.stats.bad_options += u64::from(p.bad_options);
        let g = match self.resolve(p.interface_id, NAME, off, n, true) {
            Ok(g) => g,
            Err(step) => return step,
        };
        if let Some(step) = self.packet_limits(off, NAME, p.caplen, n) {
            return Some(step);
        }
        let ifc = &self.interfaces[g as usize];
        let meta = Meta {
            at: at + enhanced_packet::DATA_OFFSET,
            caplen: p.caplen,
            file_offset: off,
            ts_ns: ifc.ts_ns(p.ts),
            interface: g,
            link_type: ifc.link_type,
            fcs_len: p.fcs_len.unwrap_or(ifc.fcs_len),
            orig_len: p.orig_len,
        };
        let snaplen = ifc.snaplen;
        Some(self.deliver_or_warn(meta, snaplen))
    }

    fn on_pb<E: Endian>(&mut self, off: u64, at: usize, n: usize) -> Option<Step> {
        const NAME: &str = "packet block";
        self.stats.blocks.pb += 1;
        let p = match packet::parse::<E>(self.buf.slice(at, n)) {
            Ok(p) => p,
            Err(fault) => return Some(self.bad_block(off, NAME, fault, n, true)),
        };
        let g = match self.resolve(u32::from(p.interface_id), NAME, off, n, true) {
            Ok(g) => g,
            Err(step) => return step,
        };
        if let Some(step) = self.packet_limits(off, NAME, p.caplen, n) {
            return Some(step);
        }
        let ifc = &self.interfaces[g as usize];
        let meta = Meta {
            at: at + packet::DATA_OFFSET,
            caplen: p.caplen,
            file_offset: off,
            ts_ns: ifc.ts_ns(p.ts),
            interface: g,
            link_type: ifc.link_type,
            fcs_len: ifc.fcs_len,
            orig_len: p.orig_len,
        };
        let snaplen = ifc.snaplen;
        Some(self.deliver_or_warn(meta, snaplen))
    }

    fn on_spb<E: Endian>(&mut self, off: u64, at: usize, n: usize) -> Option<Step> {
        const NAME: &str = "simple packet block";
        self.stats.blocks.spb += 1;
        let g = match self.resolve(0, NAME, off, n, true) {
            Ok(g) => g,
            Err(step) => return step,
        };
        let snaplen = self.interfaces[g as usize].snaplen;
        let (caplen, orig_len) = match simple_packet::parse::<E>(self.buf.slice(at, n), snaplen) {
            Ok(v) => v,
            Err(fault) => return Some(self.bad_block(off, NAME, fault, n, true)),
        };
        if let Some(step) = self.packet_limits(off, NAME, caplen, n) {
            return Some(step);
        }
        let ifc = &self.interfaces[g as usize];
        // An SPB has no timestamp; it gets the previous record's, so that
        // durations stay meaningful.
        Some(Step::Record(Meta {
            at: at + simple_packet::DATA_OFFSET,
            caplen,
            file_offset: off,
            ts_ns: self.last_ts_ns,
            interface: g,
            link_type: ifc.link_type,
            fcs_len: ifc.fcs_len,
            orig_len,
        }))
    }

    fn on_shb<E: Endian>(&mut self, off: u64, n: usize) -> Option<Step> {
        const NAME: &str = "section header block";
        if n < section_header::MIN_LEN as usize {
            let fault = BodyFault::TooShort {
                len: n as u32,
                min: section_header::MIN_LEN,
            };
            return Some(self.bad_block(off, NAME, fault, n, false));
        }
        if let Err(kind) = section_header::parse::<E>(self.buf.peek(n)) {
            return Some(Step::Error(Error::fatal(off, None, kind)));
        }
        if self.section.order.is_some() {
            self.section.number += 1;
        }
        self.section.order = Some(E::ORDER);
        self.section.map.clear();
        self.section.described = 0;
        self.section.limit_reported = false;
        self.format.note_section_order(E::ORDER);
        self.stats.sections += 1;
        self.stats.blocks.shb += 1;
        None
    }

    fn on_idb<E: Endian>(&mut self, off: u64, at: usize, n: usize) -> Option<Step> {
        const NAME: &str = "interface description block";
        self.stats.blocks.idb += 1;
        let id = self.section.described;
        self.section.described = self.section.described.saturating_add(1);
        let parsed = interface_description::parse::<E>(self.buf.slice(at, n));
        let d = match parsed {
            Ok(d) => d,
            Err(fault) => {
                if self.section.map.len() < MAX_INTERFACES as usize {
                    self.section.map.push(None);
                }
                return Some(self.bad_block(off, NAME, fault, n, false));
            }
        };
        if self.interfaces.len() >= MAX_INTERFACES as usize {
            if self.section.map.len() < MAX_INTERFACES as usize {
                self.section.map.push(None);
            }
            if !self.section.limit_reported {
                self.section.limit_reported = true;
                return Some(Step::Error(Error::recoverable(
                    off,
                    None,
                    ErrorKind::TooManyInterfaces {
                        max: MAX_INTERFACES,
                    },
                )));
            }
            return None;
        }
        let g = self.interfaces.len() as u32;
        let mut ifc = Interface::new(g, self.section.number, id, off);
        ifc.link_type = d.link_type;
        ifc.snaplen = d.snaplen;
        ifc.name = d.name;
        ifc.description = d.description;
        ifc.tsresol = d.tsresol;
        ifc.ts_offset_s = d.ts_offset_s;
        ifc.fcs_len = d.fcs_len;
        self.interfaces.push(ifc);
        self.section.map.push(Some(g));
        self.stats.bad_options += u64::from(d.bad_options);
        d.first_bad_option.map(|(code, fault)| {
            Step::Error(Error::recoverable(
                off,
                None,
                ErrorKind::BadOption {
                    block: NAME,
                    code,
                    fault,
                },
            ))
        })
    }

    fn on_isb<E: Endian>(&mut self, off: u64, at: usize, n: usize) -> Option<Step> {
        const NAME: &str = "interface statistics block";
        self.stats.blocks.isb += 1;
        let s = match interface_statistics::parse::<E>(self.buf.slice(at, n)) {
            Ok(s) => s,
            Err(fault) => return Some(self.bad_block(off, NAME, fault, n, false)),
        };
        let g = match self.resolve(s.interface_id, NAME, off, n, false) {
            Ok(g) => g,
            Err(step) => return step,
        };
        let ifc = &mut self.interfaces[g as usize];
        // Counters are cumulative: the last block wins.
        for (slot, v) in [
            (&mut ifc.if_recv, s.if_recv),
            (&mut ifc.if_drop, s.if_drop),
            (&mut ifc.os_drop, s.os_drop),
            (&mut ifc.filter_accept, s.filter_accept),
            (&mut ifc.usr_deliv, s.usr_deliv),
        ] {
            if v.is_some() {
                *slot = v;
            }
        }
        self.stats.bad_options += u64::from(s.bad_options);
        s.first_bad_option.map(|(code, fault)| {
            Step::Error(Error::recoverable(
                off,
                None,
                ErrorKind::BadOption {
                    block: NAME,
                    code,
                    fault,
                },
            ))
        })
    }

    // ---- resynchronisation -----------------------------------------------

    /// After a block at `off` whose framing is broken: scan forward for the
    /// next plausible block and report how far it was.
    fn resync_after(&mut self, off: u64, fault: BlockFault) -> Step {
        let record = self.next_number();
        match self.scan_from(off) {
            Err(e) => Step::Error(from_io(&e, self.compressed, off, record)),
            Ok(Some(found)) => {
                let skipped = found - off;
                self.stats.skipped_bytes += skipped;
                Step::Error(Error::recoverable(
                    off,
                    record,
                    ErrorKind::BlockDamaged {
                        fault,
                        skipped,
                        resumed_at: Some(found),
                    },
                ))
            }
            Ok(None) => {
                let skipped = self.buf.pos() - off;
                self.stats.skipped_bytes += skipped;
                let kind = match fault {
                    // The common case of a capture that was killed rather
                    // than stopped: say it plainly.
                    BlockFault::Truncated { len, available } => ErrorKind::Truncated {
                        what: "block",
                        needed: u64::from(len),
                        available,
                    },
                    fault => ErrorKind::BlockDamaged {
                        fault,
                        skipped,
                        resumed_at: None,
                    },
                };
                Step::Error(Error::fatal(off, record, kind))
            }
        }
    }

    /// Moves the read position forward from the damaged block at `off` to
    /// the next plausible block: a known type, lengths that agree at both
    /// ends, and fixed fields that make sense for the section. Returns its
    /// offset, or `None` (everything consumed) at the end of the input.
    fn scan_from(&mut self, off: u64) -> io::Result<Option<u64>> {
        debug_assert_eq!(self.buf.pos(), off);
        self.buf.consume(1);
        loop {
            let avail = self.buf.ensure(12)?;
            if avail < 12 {
                self.buf.consume(avail);
                return Ok(None);
            }
            if let Some((block_type, len, order)) = self.candidate() {
                let n = len as usize;
                if self.buf.ensure(n)? >= n {
                    let block = self.buf.peek(n);
                    let known = self.section.described;
                    let plausible = u32_in(order, block, n - 4) == len
                        && match order {
                            ByteOrder::Little => {
                                pcapng::plausible_body::<Le>(block_type, block, known)
                            }
                            ByteOrder::Big => {
                                pcapng::plausible_body::<Be>(block_type, block, known)
                            }
                        };
                    if plausible {
                        return Ok(Some(self.buf.pos()));
                    }
                }
            }
            self.buf.consume(1);
        }
    }

    /// Type, length and byte order of a block that could start at the read
    /// position (12 bytes are available), judged from its header only.
    fn candidate(&self) -> Option<(u32, u32, ByteOrder)> {
        let head = self.buf.peek(12);
        let (block_type, order) = if head[..4] == pcapng::SHB.to_be_bytes() {
            let mut bom = [0u8; 4];
            bom.copy_from_slice(&head[section_header::MAGIC_RANGE]);
            (pcapng::SHB, section_header::byte_order(bom)?)
        } else {
            let order = self.section.order?;
            (u32_in(order, head, 0), order)
        };
        let len = u32_in(order, head, 4);
        let min = pcapng::min_len(block_type)?;
        (len >= min && len % 4 == 0 && len <= MAX_BLOCK_LEN).then_some((block_type, len, order))
    }
}
