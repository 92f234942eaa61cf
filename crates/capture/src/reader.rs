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

/// Bytes per `read()` of the read-ahead thread ([`CaptureReader::start_read_ahead`]).
pub const READ_AHEAD_CHUNK: usize = 1 << 20;

/// Most interfaces (over all sections) kept track of.
pub const MAX_INTERFACES: u32 = 4096;

/// What an enhanced or obsolete packet block says of its packet.
struct BlockPacket {
    interface_id: u32,
    /// Timestamp in the interface's units.
    ts: u64,
    caplen: u32,
    orig_len: u32,
    /// FCS length from the block's options, overriding the interface's.
    fcs_len: Option<u8>,
    /// Buffer index of the packet data.
    at: usize,
}

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

impl<R: Read> std::fmt::Debug for CaptureReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaptureReader")
            .field("format", &self.format)
            .field("position", &self.buf.pos())
            .field("interfaces", &self.interfaces.len())
            .field("stats", &self.stats)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
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
        Self::with_buffer(reader, DEFAULT_CAPACITY)
    }

    /// [`new`](Self::new) with a read buffer of `capacity` bytes to start
    /// with (it still grows for a longer block, up to [`MAX_BLOCK_LEN`]).
    fn with_buffer(reader: R, capacity: usize) -> Result<Self, Error> {
        let src = Source::sniff(reader).map_err(|e| from_io(&e, false, 0, None))?;
        let compressed = src.is_compressed();
        let buf = ReadBuffer::new(src, capacity, MAX_BLOCK_LEN as usize);
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

    /// Reads the rest of the input on a second thread, [`READ_AHEAD_CHUNK`]
    /// bytes at a time, while this one walks the records: the `read()`
    /// system calls (the kernel's copy out of the page cache) and gzip
    /// decompression then run beside the record walk instead of in turn
    /// with it. Records, errors and offsets are exactly those of a plain
    /// read (tested); memory grows by at most six chunks.
    ///
    /// # Errors
    /// The thread could not be started; the reader then goes on reading on
    /// this thread.
    pub fn start_read_ahead(&mut self) -> io::Result<()>
    where
        R: Send + 'static,
    {
        self.start_read_ahead_with(READ_AHEAD_CHUNK)
    }

    /// [`start_read_ahead`](Self::start_read_ahead) with chunks of
    /// `chunk_len` bytes (at least 64), for tests that make records cross
    /// chunk boundaries.
    ///
    /// # Errors
    /// As [`start_read_ahead`](Self::start_read_ahead).
    #[doc(hidden)]
    pub fn start_read_ahead_with(&mut self, chunk_len: usize) -> io::Result<()>
    where
        R: Send + 'static,
    {
        if self.done {
            return Ok(());
        }
        self.buf.start_read_ahead(chunk_len)
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
    #[inline]
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
        self.buf.prefetch_next();
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
                    self.buf.prefetch_next();
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
        let packet = BlockPacket {
            interface_id: p.interface_id,
            ts: p.ts,
            caplen: p.caplen,
            orig_len: p.orig_len,
            fcs_len: p.fcs_len,
            at: at + enhanced_packet::DATA_OFFSET,
        };
        self.timestamped_packet(NAME, off, n, packet)
    }

    fn on_pb<E: Endian>(&mut self, off: u64, at: usize, n: usize) -> Option<Step> {
        const NAME: &str = "packet block";
        self.stats.blocks.pb += 1;
        let p = match packet::parse::<E>(self.buf.slice(at, n)) {
            Ok(p) => p,
            Err(fault) => return Some(self.bad_block(off, NAME, fault, n, true)),
        };
        let packet = BlockPacket {
            interface_id: u32::from(p.interface_id),
            ts: p.ts,
            caplen: p.caplen,
            orig_len: p.orig_len,
            fcs_len: None,
            at: at + packet::DATA_OFFSET,
        };
        self.timestamped_packet(NAME, off, n, packet)
    }

    /// The record of an enhanced or obsolete packet block `name` of `n`
    /// bytes at file offset `off`, once its body is parsed: the interface
    /// is resolved, the lengths checked, and the record delivered.
    fn timestamped_packet(
        &mut self,
        name: &'static str,
        off: u64,
        n: usize,
        p: BlockPacket,
    ) -> Option<Step> {
        let g = match self.resolve(p.interface_id, name, off, n, true) {
            Ok(g) => g,
            Err(step) => return step,
        };
        if let Some(step) = self.packet_limits(off, name, p.caplen, n) {
            return Some(step);
        }
        let ifc = &self.interfaces[g as usize];
        let meta = Meta {
            at: p.at,
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

#[cfg(test)]
mod tests {
    //! Every input here is written out byte by byte from the format
    //! descriptions (pcap: draft-ietf-opsawg-pcap; pcapng:
    //! draft-ietf-opsawg-pcapng), and every expected offset is the sum of
    //! the block and record lengths given in the comments.

    use super::*;
    use crate::error::OptionFault;
    use crate::format::{BlockCounts, BlockTypeCount};
    use std::io::Write;

    /// A delivered record, copied out of the reader for comparison.
    #[derive(Debug, PartialEq)]
    struct Got {
        index: u64,
        file_offset: u64,
        ts_ns: i64,
        interface_id: u32,
        link_type: LinkType,
        fcs_len: u8,
        orig_len: u32,
        data: Vec<u8>,
        frame_len: usize,
    }

    fn read_all<R: Read>(r: &mut CaptureReader<R>) -> Vec<std::result::Result<Got, Error>> {
        let mut out = Vec::new();
        while let Some(item) = r.next_record() {
            out.push(item.map(|rec| Got {
                index: rec.index,
                file_offset: rec.file_offset,
                ts_ns: rec.ts_ns,
                interface_id: rec.interface_id,
                link_type: rec.link_type,
                fcs_len: rec.fcs_len,
                orig_len: rec.orig_len,
                data: rec.data.to_vec(),
                frame_len: rec.frame().len(),
            }));
            assert!(out.len() < 10_000, "reader does not end");
        }
        // After the end (or a fatal error) it stays at the end.
        assert!(r.next_record().is_none());
        out
    }

    fn open(bytes: &[u8]) -> CaptureReader<&[u8]> {
        CaptureReader::new(bytes).unwrap()
    }

    fn ok(item: &std::result::Result<Got, Error>) -> &Got {
        item.as_ref().unwrap()
    }

    fn err(item: &std::result::Result<Got, Error>) -> &Error {
        item.as_ref().unwrap_err()
    }

    // ---- classic pcap ----------------------------------------------------

    /// File headers: version 2.4, snaplen 65535, LINKTYPE_ETHERNET.
    pub(super) const PCAP_LE_US: [u8; 24] = [
        0xd4, 0xc3, 0xb2, 0xa1, 0x02, 0x00, 0x04, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0x00,
        0x00, 0x01, 0x00, 0x00, 0x00,
    ];
    const PCAP_BE_US: [u8; 24] = [
        0xa1, 0xb2, 0xc3, 0xd4, 0x00, 0x02, 0x00, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0xff,
        0xff, 0x00, 0x00, 0x00, 0x01,
    ];
    const PCAP_LE_NS: [u8; 24] = [
        0x4d, 0x3c, 0xb2, 0xa1, 0x02, 0x00, 0x04, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0x00,
        0x00, 0x01, 0x00, 0x00, 0x00,
    ];
    const PCAP_BE_NS: [u8; 24] = [
        0xa1, 0xb2, 0x3c, 0x4d, 0x00, 0x02, 0x00, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0xff,
        0xff, 0x00, 0x00, 0x00, 0x01,
    ];

    /// ts 1600000000 s + 500000 (0x7a120) units, caplen 4, len 60: 20 bytes.
    pub(super) const REC1_LE: [u8; 20] = [
        0x00, 0x10, 0x5e, 0x5f, 0x20, 0xa1, 0x07, 0x00, 0x04, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x00,
        0x00, 0xde, 0xad, 0xbe, 0xef,
    ];
    const REC1_BE: [u8; 20] = [
        0x5f, 0x5e, 0x10, 0x00, 0x00, 0x07, 0xa1, 0x20, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
        0x3c, 0xde, 0xad, 0xbe, 0xef,
    ];
    /// ts 1600000001 s + 0, caplen 6, len 6: 22 bytes.
    pub(super) const REC2_LE: [u8; 22] = [
        0x01, 0x10, 0x5e, 0x5f, 0, 0, 0, 0, 0x06, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 1, 2,
        3, 4, 5, 6,
    ];
    const REC2_BE: [u8; 22] = [
        0x5f, 0x5e, 0x10, 0x01, 0, 0, 0, 0, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x06, 1, 2,
        3, 4, 5, 6,
    ];
    /// Record 1 at 24, record 2 at 24 + 20 = 44, end at 44 + 22 = 66.
    const AT1: u64 = 24;
    const AT2: u64 = 44;

    #[test]
    fn all_four_pcap_variants() {
        /// File header, record 1, record 2, description, fraction in ns.
        type Case<'a> = (&'a [u8], &'a [u8], &'a [u8], &'a str, i64);
        let cases: [Case<'_>; 4] = [
            (
                &PCAP_LE_US,
                &REC1_LE,
                &REC2_LE,
                "pcap (little-endian, µs)",
                500_000_000,
            ),
            (
                &PCAP_BE_US,
                &REC1_BE,
                &REC2_BE,
                "pcap (big-endian, µs)",
                500_000_000,
            ),
            (
                &PCAP_LE_NS,
                &REC1_LE,
                &REC2_LE,
                "pcap (little-endian, ns)",
                500_000,
            ),
            (
                &PCAP_BE_NS,
                &REC1_BE,
                &REC2_BE,
                "pcap (big-endian, ns)",
                500_000,
            ),
        ];
        for (head, r1, r2, description, frac_ns) in cases {
            let file = [head, r1, r2].concat();
            let mut r = open(&file);
            assert_eq!(r.format().description(), description);
            let got = read_all(&mut r);
            assert_eq!(got.len(), 2, "{description}");
            assert_eq!(
                ok(&got[0]),
                &Got {
                    index: 1,
                    file_offset: AT1,
                    ts_ns: 1_600_000_000_000_000_000 + frac_ns,
                    interface_id: 0,
                    link_type: LinkType::ETHERNET,
                    fcs_len: 0,
                    orig_len: 60,
                    data: vec![0xde, 0xad, 0xbe, 0xef],
                    frame_len: 4,
                },
                "{description}"
            );
            let second = ok(&got[1]);
            assert_eq!(second.file_offset, AT2);
            assert_eq!(second.index, 2);
            assert_eq!(second.ts_ns, 1_600_000_001_000_000_000);
            assert_eq!(second.data, [1, 2, 3, 4, 5, 6]);
            let s = r.stats();
            assert_eq!((s.records, s.captured_bytes, s.original_bytes), (2, 10, 66));
            assert_eq!((s.errors, s.sections), (0, 0));
            assert_eq!(r.interfaces().len(), 1);
            assert_eq!(r.interfaces()[0].snaplen, 65535);
            assert_eq!(r.interfaces()[0].packets, 2);
            assert_eq!(r.position(), 66);
        }
    }

    #[test]
    fn header_only_file_has_no_records_and_no_error() {
        let mut r = open(&PCAP_LE_US);
        assert!(read_all(&mut r).is_empty());
        assert_eq!(r.stats().errors, 0);
    }

    #[test]
    fn pcap_fcs_bits_give_the_fcs_length() {
        // Link-type field 0x24000001: 2 words (4 bytes) of FCS, bit 26 set.
        let mut head = PCAP_LE_US;
        head[20..24].copy_from_slice(&[0x01, 0x00, 0x00, 0x24]);
        // caplen 8, len 8: four bytes of frame, four of FCS.
        let rec = [
            0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 8, 0, 0, 0, 1, 2, 3, 4, 9, 9, 9, 9,
        ];
        let file = [&head[..], &rec].concat();
        let got = read_all(&mut open(&file));
        let g = ok(&got[0]);
        assert_eq!((g.fcs_len, g.frame_len, g.data.len()), (4, 4, 8));
    }

    #[test]
    fn version_2_2_lengths_are_swapped_back() {
        let mut head = PCAP_LE_US;
        head[6] = 2; // version 2.2
                     // Stored as len 60 then caplen 4 (the old order).
        let rec = [0, 0, 0, 0, 0, 0, 0, 0, 60, 0, 0, 0, 4, 0, 0, 0, 1, 2, 3, 4];
        let file = [&head[..], &rec].concat();
        let mut r = open(&file);
        assert_eq!(
            r.format().description(),
            "pcap (little-endian, µs, version 2.2)"
        );
        let got = read_all(&mut r);
        assert_eq!((ok(&got[0]).data.len(), ok(&got[0]).orig_len), (4, 60));
    }

    #[test]
    fn truncated_record_header_ends_with_a_fatal_error() {
        let file = [&PCAP_LE_US[..], &REC1_LE, &REC2_LE[..7]].concat();
        let mut r = open(&file);
        let got = read_all(&mut r);
        assert_eq!(got.len(), 2);
        assert_eq!(ok(&got[0]).file_offset, AT1);
        let e = err(&got[1]);
        assert_eq!(
            e,
            &Error {
                file_offset: AT2,
                record: Some(2),
                kind: ErrorKind::Truncated {
                    what: "record header",
                    needed: 16,
                    available: 7
                },
                fatal: true
            }
        );
        assert_eq!(
            e.to_string(),
            "record 2 at byte 44 (0x2c): truncated record header: needs 16 bytes, only 7 left (capture cut short)"
        );
        assert_eq!(r.stats().skipped_bytes, 7);
        assert_eq!(r.stats().errors, 1);
    }

    #[test]
    fn truncated_packet_data_ends_with_a_fatal_error() {
        // Record 2 header (16 bytes) and 3 of its 6 data bytes.
        let file = [&PCAP_BE_US[..], &REC1_BE, &REC2_BE[..19]].concat();
        let got = read_all(&mut open(&file));
        assert_eq!(got.len(), 2);
        assert_eq!(
            err(&got[1]),
            &Error {
                file_offset: AT2,
                record: Some(2),
                kind: ErrorKind::Truncated {
                    what: "packet data",
                    needed: 6,
                    available: 3
                },
                fatal: true
            }
        );
    }

    #[test]
    fn caplen_above_256_kib_is_fatal() {
        let mut rec2 = REC2_LE;
        // caplen 262145 = 0x00040001.
        rec2[8..12].copy_from_slice(&[0x01, 0x00, 0x04, 0x00]);
        let file = [&PCAP_LE_US[..], &REC1_LE, &rec2, &REC1_LE].concat();
        let got = read_all(&mut open(&file));
        assert_eq!(got.len(), 2);
        let e = err(&got[1]);
        assert!(e.fatal);
        assert_eq!((e.file_offset, e.record), (AT2, Some(2)));
        assert_eq!(
            e.kind,
            ErrorKind::CaplenTooLarge {
                caplen: 262_145,
                max: 262_144
            }
        );
    }

    #[test]
    fn caplen_256_kib_exactly_is_read() {
        let mut head = PCAP_LE_US;
        head[16..20].copy_from_slice(&262_144u32.to_le_bytes());
        let mut rec = vec![0u8; 16 + 262_144];
        rec[8..12].copy_from_slice(&262_144u32.to_le_bytes());
        rec[12..16].copy_from_slice(&262_144u32.to_le_bytes());
        rec[16 + 262_143] = 0xaa;
        let file = [&head[..], &rec].concat();
        let got = read_all(&mut open(&file));
        assert_eq!(got.len(), 1);
        assert_eq!(ok(&got[0]).data.len(), 262_144);
        assert_eq!(ok(&got[0]).data[262_143], 0xaa);
    }

    #[test]
    fn caplen_above_snaplen_is_kept_and_reported_once() {
        let mut head = PCAP_LE_US;
        head[16..20].copy_from_slice(&4u32.to_le_bytes()); // snaplen 4
                                                           // Record 1 (caplen 4) fits; record 2 at 44 and record 3 at 66 have caplen 6.
        let file = [&head[..], &REC1_LE, &REC2_LE, &REC2_LE].concat();
        let mut r = open(&file);
        let got = read_all(&mut r);
        assert_eq!(got.len(), 4);
        assert_eq!(ok(&got[0]).index, 1);
        let e = err(&got[1]);
        assert!(!e.fatal);
        assert_eq!((e.file_offset, e.record), (AT2, Some(2)));
        assert_eq!(
            e.kind,
            ErrorKind::CaplenOverSnaplen {
                caplen: 6,
                snaplen: 4
            }
        );
        // The record itself follows, whole.
        assert_eq!(ok(&got[2]).index, 2);
        assert_eq!(ok(&got[2]).data, [1, 2, 3, 4, 5, 6]);
        assert_eq!(ok(&got[3]).file_offset, 66);
        assert_eq!(r.stats().caplen_over_snaplen, 2);
        assert_eq!(r.interfaces()[0].caplen_over_snaplen, 2);
    }

    #[test]
    fn zero_length_record_is_delivered_and_counted() {
        let rec0 = [0u8; 16]; // ts 0, caplen 0, len 0
        let file = [&PCAP_LE_US[..], &rec0, &REC1_LE].concat();
        let mut r = open(&file);
        let got = read_all(&mut r);
        assert_eq!(got.len(), 2);
        assert!(ok(&got[0]).data.is_empty());
        assert_eq!(ok(&got[1]).file_offset, 24 + 16);
        assert_eq!(r.stats().zero_length_records, 1);
    }

    #[test]
    fn unreadable_starts_are_refused_at_open() {
        let e = CaptureReader::new(&[][..]).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Empty);
        let e = CaptureReader::new(&PCAP_LE_US[..10]).unwrap_err();
        assert_eq!(
            e.kind,
            ErrorKind::Truncated {
                what: "file header",
                needed: 24,
                available: 10
            }
        );
        let e = CaptureReader::new(&b"GIF89a"[..]).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::UnknownMagic { .. }));
        assert!(e.fatal);
        assert_eq!(e.record, None);
        let e = CaptureReader::new(&[0xd4, 0xc3][..]).unwrap_err();
        assert!(matches!(
            e.kind,
            ErrorKind::Truncated {
                what: "magic number",
                ..
            }
        ));
    }

    #[test]
    fn small_buffers_and_short_reads_give_the_same_records() {
        /// Hands out at most 5 bytes per read.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = buf.len().min(5).min(self.0.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut file = PCAP_LE_US.to_vec();
        for _ in 0..100 {
            file.extend_from_slice(&REC1_LE);
            file.extend_from_slice(&REC2_LE);
        }
        let want = read_all(&mut open(&file));
        let mut small = CaptureReader::with_buffer(Trickle(&file), 64).unwrap();
        let got = read_all(&mut small);
        assert_eq!(got.len(), 200);
        assert_eq!(got, want);
        assert_eq!(ok(&got[199]).file_offset, 24 + 99 * 42 + 20);
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn gzip_is_read_and_offsets_are_in_the_decompressed_stream() {
        let file = [&PCAP_LE_NS[..], &REC1_LE, &REC2_LE].concat();
        let gz = gzip(&file);
        let mut r = open(&gz);
        assert!(r.format().compressed());
        assert_eq!(
            r.format().description(),
            "pcap (little-endian, ns), gzip-compressed"
        );
        let got = read_all(&mut r);
        assert_eq!(got, read_all(&mut open(&file)));
        assert_eq!(ok(&got[1]).file_offset, AT2);
    }

    #[test]
    fn cut_gzip_delivers_what_it_holds_then_a_fatal_error() {
        let mut file = PCAP_LE_US.to_vec();
        for _ in 0..2000 {
            file.extend_from_slice(&REC2_LE);
        }
        let gz = gzip(&file);
        let cut = &gz[..gz.len() - 20];
        let got = read_all(&mut open(cut));
        let (last, records) = got.split_last().unwrap();
        assert!(records.iter().all(|g| g.is_ok()));
        assert!(records.len() > 1000 && records.len() < 2000);
        let e = err(last);
        assert!(e.fatal);
        assert_eq!(e.record, Some(records.len() as u64 + 1));
        assert_eq!(e.file_offset, 24 + 22 * records.len() as u64);
        assert!(matches!(e.kind, ErrorKind::Decompress { .. }), "{e}");
    }

    // ---- pcapng ----------------------------------------------------------

    /// SHB, little-endian, version 1.0, section length -1: 28 bytes.
    pub(super) const SHB_LE: [u8; 28] = [
        0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1c, 0, 0, 0,
    ];
    /// SHB, big-endian: 28 bytes.
    const SHB_BE: [u8; 28] = [
        0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0x1c, 0x1a, 0x2b, 0x3c, 0x4d, 0, 1, 0, 0, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0x1c,
    ];
    /// IDB: Ethernet, snaplen 262144, no options (µs): 20 bytes.
    pub(super) const IDB_ETH_LE: [u8; 20] = [
        1, 0, 0, 0, 0x14, 0, 0, 0, 1, 0, 0, 0, 0x00, 0x00, 0x04, 0x00, 0x14, 0, 0, 0,
    ];
    /// IDB: Linux SLL, snaplen 0; if_tsresol 0x8a (2^-10 s), if_tsoffset
    /// 100 s, if_name "eth1", if_fcslen 4, opt_endofopt:
    /// 20 + 8 + 12 + 8 + 8 + 4 = 60 bytes.
    #[rustfmt::skip]
    pub(super) const IDB_SLL_LE: [u8; 60] = [
        1, 0, 0, 0, 0x3c, 0, 0, 0, 0x71, 0, 0, 0, 0, 0, 0, 0,
        9, 0, 1, 0, 0x8a, 0, 0, 0,
        14, 0, 8, 0, 100, 0, 0, 0, 0, 0, 0, 0,
        2, 0, 4, 0, b'e', b't', b'h', b'1',
        13, 0, 1, 0, 4, 0, 0, 0,
        0, 0, 0, 0,
        0x3c, 0, 0, 0,
    ];
    /// EPB: interface 0, ts (0x60000 << 32 | 1) units, caplen 4, len 60,
    /// "abcd": 32 + 4 = 36 bytes.
    #[rustfmt::skip]
    pub(super) const EPB_IF0_LE: [u8; 36] = [
        6, 0, 0, 0, 0x24, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x06, 0x00, 0x01, 0, 0, 0,
        4, 0, 0, 0, 0x3c, 0, 0, 0, b'a', b'b', b'c', b'd', 0x24, 0, 0, 0,
    ];
    /// EPB: interface 1, ts 3072 units, caplen 5, len 64, "hello" + 3 pad:
    /// 32 + 8 = 40 bytes.
    #[rustfmt::skip]
    pub(super) const EPB_IF1_LE: [u8; 40] = [
        6, 0, 0, 0, 0x28, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x0c, 0, 0,
        5, 0, 0, 0, 0x40, 0, 0, 0, b'h', b'e', b'l', b'l', b'o', 0, 0, 0, 0x28, 0, 0, 0,
    ];
    /// NRB with only nrb_record_end: 16 bytes.
    pub(super) const NRB_LE: [u8; 16] = [4, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0];
    /// Custom block 0x00000BAD, PEN 32473: 16 bytes.
    const CUSTOM_LE: [u8; 16] = [
        0xad, 0x0b, 0, 0, 0x10, 0, 0, 0, 0xd9, 0x7e, 0, 0, 0x10, 0, 0, 0,
    ];
    /// A block of type 0x101, which no specification defines: 12 bytes.
    const UNKNOWN_LE: [u8; 12] = [0x01, 0x01, 0, 0, 0x0c, 0, 0, 0, 0x0c, 0, 0, 0];
    /// SPB: original length 3, data 1 2 3 + 1 pad: 16 + 4 = 20 bytes.
    pub(super) const SPB_LE: [u8; 20] = [
        3, 0, 0, 0, 0x14, 0, 0, 0, 3, 0, 0, 0, 1, 2, 3, 0, 0x14, 0, 0, 0,
    ];
    /// ISB: interface 0, ts 0, isb_ifdrop 5, isb_osdrop 2, opt_endofopt:
    /// 24 + 12 + 12 + 4 = 52 bytes.
    #[rustfmt::skip]
    pub(super) const ISB_LE: [u8; 52] = [
        5, 0, 0, 0, 0x34, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        5, 0, 8, 0, 5, 0, 0, 0, 0, 0, 0, 0,
        7, 0, 8, 0, 2, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0x34, 0, 0, 0,
    ];
    /// Obsolete PB: interface 1, drops 0, ts 1024 units, caplen 2, len 2,
    /// "zz" + 2 pad: 32 + 4 = 36 bytes.
    #[rustfmt::skip]
    pub(super) const PB_IF1_LE: [u8; 36] = [
        2, 0, 0, 0, 0x24, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x04, 0, 0,
        2, 0, 0, 0, 2, 0, 0, 0, b'z', b'z', 0, 0, 0x24, 0, 0, 0,
    ];
    /// EPB naming interface 7, which no IDB describes, caplen 0: 32 bytes.
    #[rustfmt::skip]
    pub(super) const EPB_IF7_LE: [u8; 32] = [
        6, 0, 0, 0, 0x20, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 0, 0,
    ];
    /// EPB on interface 0, ts 0, caplen 0: 32 bytes.
    #[rustfmt::skip]
    pub(super) const EPB_EMPTY_LE: [u8; 32] = [
        6, 0, 0, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 0, 0,
    ];

    #[test]
    fn pcapng_with_every_block_kind_little_endian() {
        // Offsets: SHB 0, IDB 28, IDB 48, EPB 108, NRB 144, EPB 160,
        // custom 200, unknown 216, SPB 228, ISB 248, PB 300, EPB(if 7) 336,
        // EPB(empty) 368, end 400.
        let file = [
            &SHB_LE[..],
            &IDB_ETH_LE,
            &IDB_SLL_LE,
            &EPB_IF0_LE,
            &NRB_LE,
            &EPB_IF1_LE,
            &CUSTOM_LE,
            &UNKNOWN_LE,
            &SPB_LE,
            &ISB_LE,
            &PB_IF1_LE,
            &EPB_IF7_LE,
            &EPB_EMPTY_LE,
        ]
        .concat();
        assert_eq!(file.len(), 400);
        let mut r = open(&file);
        assert_eq!(r.format().description(), "pcapng (little-endian)");
        let got = read_all(&mut r);
        assert_eq!(got.len(), 6);
        // Interface 0 counts microseconds: (0x60000 << 32 | 1) µs.
        assert_eq!(
            ok(&got[0]),
            &Got {
                index: 1,
                file_offset: 108,
                ts_ns: 1_688_849_860_263_937_000,
                interface_id: 0,
                link_type: LinkType::ETHERNET,
                fcs_len: 0,
                orig_len: 60,
                data: b"abcd".to_vec(),
                frame_len: 4,
            }
        );
        // Interface 1: 3072 units of 2^-10 s = 3 s, plus 100 s offset. Its
        // frame was cut before the FCS (5 of 64 bytes), so frame == data.
        assert_eq!(
            ok(&got[1]),
            &Got {
                index: 2,
                file_offset: 160,
                ts_ns: 103_000_000_000,
                interface_id: 1,
                link_type: LinkType::LINUX_SLL,
                fcs_len: 4,
                orig_len: 64,
                data: b"hello".to_vec(),
                frame_len: 5,
            }
        );
        // SPB: interface 0, the previous record's timestamp.
        let spb = ok(&got[2]);
        assert_eq!((spb.file_offset, spb.interface_id), (228, 0));
        assert_eq!((spb.ts_ns, spb.orig_len), (103_000_000_000, 3));
        assert_eq!(spb.data, [1, 2, 3]);
        // PB: interface 1, 1024 units = 1 s, + 100 s.
        let pb = ok(&got[3]);
        assert_eq!((pb.file_offset, pb.interface_id, pb.index), (300, 1, 4));
        assert_eq!((pb.ts_ns, &pb.data[..]), (101_000_000_000, &b"zz"[..]));
        // EPB naming interface 7: reported, skipped, reading goes on.
        let e = err(&got[4]);
        assert_eq!(
            e,
            &Error {
                file_offset: 336,
                record: Some(5),
                kind: ErrorKind::UnknownInterface {
                    block: "enhanced packet block",
                    interface_id: 7,
                    section: 0,
                    known: 2
                },
                fatal: false
            }
        );
        let last = ok(&got[5]);
        assert_eq!((last.index, last.file_offset, last.data.len()), (5, 368, 0));

        let s = r.stats();
        assert_eq!(
            s.blocks,
            BlockCounts {
                shb: 1,
                idb: 2,
                epb: 4,
                spb: 1,
                pb: 1,
                isb: 1,
                nrb: 1,
                dsb: 0,
                custom: 1,
                other: 1
            }
        );
        assert_eq!(s.unknown_blocks, 2);
        assert_eq!(
            s.unknown_block_types,
            vec![BlockTypeCount {
                block_type: 0x101,
                count: 1
            }]
        );
        assert_eq!((s.records, s.zero_length_records, s.sections), (5, 1, 1));
        assert_eq!((s.errors, s.skipped_records, s.skipped_bytes), (1, 1, 32));
        assert_eq!(s.captured_bytes, 4 + 5 + 3 + 2);
        let ifs = r.interfaces();
        assert_eq!(ifs.len(), 2);
        assert_eq!(
            (ifs[0].packets, ifs[0].if_drop, ifs[0].os_drop),
            (3, Some(5), Some(2))
        );
        assert_eq!(ifs[0].if_recv, None);
        assert_eq!(ifs[1].name.as_deref(), Some("eth1"));
        assert_eq!(ifs[1].tsresol, TsResolution::Pow2(10));
        assert_eq!(
            (ifs[1].ts_offset_s, ifs[1].fcs_len, ifs[1].packets),
            (100, 4, 2)
        );
        assert_eq!(
            (ifs[1].file_offset, ifs[1].index, ifs[1].id_in_section),
            (48, 1, 1)
        );
    }

    /// IDB, big-endian: LINKTYPE_RAW, snaplen 65535, if_tsresol 9,
    /// opt_endofopt: 20 + 8 + 4 = 32 bytes.
    #[rustfmt::skip]
    const IDB_RAW_NS_BE: [u8; 32] = [
        0, 0, 0, 1, 0, 0, 0, 0x20, 0, 101, 0, 0, 0, 0, 0xff, 0xff,
        0, 9, 0, 1, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20,
    ];
    /// EPB, big-endian: interface 0, ts 1_600_000_000_000_000_000 units
    /// (high 0x16345785, low 0xd8a00000), caplen 4, len 4: 36 bytes.
    #[rustfmt::skip]
    const EPB_IF0_BE: [u8; 36] = [
        0, 0, 0, 6, 0, 0, 0, 0x24, 0, 0, 0, 0, 0x16, 0x34, 0x57, 0x85, 0xd8, 0xa0, 0, 0,
        0, 0, 0, 4, 0, 0, 0, 4, 0x45, 0, 0, 20, 0, 0, 0, 0x24,
    ];

    #[test]
    fn pcapng_big_endian() {
        let file = [&SHB_BE[..], &IDB_RAW_NS_BE, &EPB_IF0_BE].concat();
        let mut r = open(&file);
        assert_eq!(r.format().description(), "pcapng (big-endian)");
        let got = read_all(&mut r);
        assert_eq!(got.len(), 1);
        let g = ok(&got[0]);
        assert_eq!((g.file_offset, g.ts_ns), (60, 1_600_000_000_000_000_000));
        assert_eq!(
            (g.link_type, &g.data[..]),
            (LinkType::RAW, &[0x45, 0, 0, 20][..])
        );
        assert_eq!(r.interfaces()[0].tsresol, TsResolution::NANOS);
    }

    #[test]
    fn a_new_section_resets_interface_numbering() {
        // Section 0 (LE): SHB 0, IDB 28, EPB 48. Section 1 (BE): SHB 84,
        // IDB 112, EPB 144 (interface 0 of section 1 = global 1), end 180.
        let file = [
            &SHB_LE[..],
            &IDB_ETH_LE,
            &EPB_IF0_LE,
            &SHB_BE,
            &IDB_RAW_NS_BE,
            &EPB_IF0_BE,
        ]
        .concat();
        let mut r = open(&file);
        let got = read_all(&mut r);
        assert_eq!(got.len(), 2);
        assert_eq!(ok(&got[0]).interface_id, 0);
        let second = ok(&got[1]);
        assert_eq!((second.file_offset, second.interface_id), (144, 1));
        assert_eq!(second.link_type, LinkType::RAW);
        assert_eq!(r.stats().sections, 2);
        let ifs = r.interfaces();
        assert_eq!(
            (ifs[1].section, ifs[1].id_in_section, ifs[1].index),
            (1, 0, 1)
        );
        assert_eq!(
            r.format().description(),
            "pcapng (little-endian, with sections of the other byte order)"
        );
    }

    #[test]
    fn epb_flags_fcs_length_overrides_the_interface() {
        // EPB on interface 0 with caplen 8 (4 data + 4 FCS), epb_flags 0x80
        // (bits 5-8 = 4), opt_endofopt: 32 + 8 + 8 + 4 = 52 bytes.
        #[rustfmt::skip]
        let epb = [
            6, 0, 0, 0, 0x34, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            8, 0, 0, 0, 8, 0, 0, 0, 1, 2, 3, 4, 9, 9, 9, 9,
            2, 0, 4, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x34, 0, 0, 0,
        ];
        let file = [&SHB_LE[..], &IDB_ETH_LE, &epb].concat();
        let got = read_all(&mut open(&file));
        let g = ok(&got[0]);
        assert_eq!((g.fcs_len, g.frame_len), (4, 4));
    }

    /// SHB, IDB, then EPB 1 at 48 (36 bytes); the damage starts at 84.
    fn damaged(middle: &[u8]) -> Vec<u8> {
        [&SHB_LE[..], &IDB_ETH_LE, &EPB_IF0_LE, middle, &EPB_IF0_LE].concat()
    }

    fn expect_resync(middle: &[u8], fault: BlockFault) {
        let file = damaged(middle);
        let mut r = open(&file);
        let got = read_all(&mut r);
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!(ok(&got[0]).file_offset, 48);
        let skipped = middle.len() as u64;
        let resumed = 84 + skipped;
        assert_eq!(
            err(&got[1]),
            &Error {
                file_offset: 84,
                record: Some(2),
                kind: ErrorKind::BlockDamaged {
                    fault,
                    skipped,
                    resumed_at: Some(resumed)
                },
                fatal: false
            }
        );
        let next = ok(&got[2]);
        assert_eq!((next.index, next.file_offset), (2, resumed));
        assert_eq!(r.stats().skipped_bytes, skipped);
    }

    #[test]
    fn block_length_below_12_resynchronises() {
        expect_resync(
            &[6, 0, 0, 0, 8, 0, 0, 0, 0xff, 0xff, 0xff, 0xff],
            BlockFault::LengthTooSmall(8),
        );
    }

    #[test]
    fn block_length_not_multiple_of_4_resynchronises() {
        expect_resync(
            &[6, 0, 0, 0, 14, 0, 0, 0, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee],
            BlockFault::LengthNotMultipleOf4(14),
        );
    }

    #[test]
    fn block_length_above_16_mib_resynchronises() {
        // 0x01000004 = 16 MiB + 4.
        expect_resync(
            &[6, 0, 0, 0, 0x04, 0, 0, 0x01, 0, 0, 0, 0],
            BlockFault::LengthTooLarge {
                len: 0x0100_0004,
                max: MAX_BLOCK_LEN,
            },
        );
    }

    #[test]
    fn trailer_mismatch_skips_the_whole_block() {
        let mut bad = EPB_IF0_LE;
        bad[32] = 0x28; // trailer says 40, header 36
        expect_resync(
            &bad,
            BlockFault::TrailerMismatch {
                header: 36,
                trailer: 40,
            },
        );
    }

    #[test]
    fn zero_bytes_between_blocks_are_skipped() {
        expect_resync(&[0; 10], BlockFault::LengthTooSmall(0));
    }

    #[test]
    fn bad_byte_order_magic_in_a_later_section_resynchronises() {
        let mut shb = SHB_LE;
        shb[8..12].copy_from_slice(&[1, 2, 3, 4]);
        expect_resync(&shb, BlockFault::BadByteOrderMagic([1, 2, 3, 4]));
    }

    #[test]
    fn truncated_last_block_is_fatal_after_the_complete_ones() {
        let file = [&SHB_LE[..], &IDB_ETH_LE, &EPB_IF0_LE, &EPB_IF0_LE[..20]].concat();
        let mut r = open(&file);
        let got = read_all(&mut r);
        assert_eq!(got.len(), 2);
        assert_eq!(
            err(&got[1]),
            &Error {
                file_offset: 84,
                record: Some(2),
                kind: ErrorKind::Truncated {
                    what: "block",
                    needed: 36,
                    available: 20
                },
                fatal: true
            }
        );
        assert_eq!(r.stats().skipped_bytes, 20);
    }

    #[test]
    fn partial_block_header_at_the_end_is_fatal() {
        let file = [&SHB_LE[..], &IDB_ETH_LE, &EPB_IF0_LE, &EPB_IF0_LE[..5]].concat();
        let got = read_all(&mut open(&file));
        assert_eq!(got.len(), 2);
        assert_eq!(
            err(&got[1]).kind,
            ErrorKind::Truncated {
                what: "block header",
                needed: 8,
                available: 5
            }
        );
    }

    #[test]
    fn damage_with_nothing_after_it_is_fatal() {
        let file = [
            &SHB_LE[..],
            &IDB_ETH_LE,
            &[6, 0, 0, 0, 18, 0, 0, 0, 0, 0, 0, 0, 0],
        ]
        .concat();
        let got = read_all(&mut open(&file));
        assert_eq!(got.len(), 1);
        let e = err(&got[0]);
        assert!(e.fatal);
        assert_eq!(
            e.kind,
            ErrorKind::BlockDamaged {
                fault: BlockFault::LengthNotMultipleOf4(18),
                skipped: 13,
                resumed_at: None
            }
        );
    }

    #[test]
    fn caplen_beyond_its_block_skips_that_block() {
        let mut bad = EPB_IF0_LE;
        bad[20] = 100; // caplen 100 in a block with room for 4
        let file = damaged(&bad);
        let mut r = open(&file);
        let got = read_all(&mut r);
        assert_eq!(got.len(), 3);
        assert_eq!(
            err(&got[1]),
            &Error {
                file_offset: 84,
                record: Some(2),
                kind: ErrorKind::BadBlock {
                    block: "enhanced packet block",
                    fault: BodyFault::CaplenBeyondBlock {
                        caplen: 100,
                        room: 4
                    }
                },
                fatal: false
            }
        );
        assert_eq!(ok(&got[2]).file_offset, 120);
        assert_eq!(r.stats().skipped_records, 1);
    }

    #[test]
    fn bad_idb_option_is_reported_and_the_interface_kept() {
        // IDB with if_tsresol of length 2: 20 + 8 + 4 = 32 bytes.
        #[rustfmt::skip]
        let idb = [
            1, 0, 0, 0, 0x20, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
            9, 0, 2, 0, 9, 9, 0, 0, 0, 0, 0, 0, 0x20, 0, 0, 0,
        ];
        let file = [&SHB_LE[..], &idb, &EPB_IF0_LE].concat();
        let mut r = open(&file);
        let got = read_all(&mut r);
        assert_eq!(got.len(), 2);
        let e = err(&got[0]);
        assert_eq!((e.file_offset, e.record, e.fatal), (28, None, false));
        assert_eq!(
            e.kind,
            ErrorKind::BadOption {
                block: "interface description block",
                code: 9,
                fault: OptionFault::BadLength {
                    len: 2,
                    expected: 1
                }
            }
        );
        assert_eq!(ok(&got[1]).ts_ns, 1_688_849_860_263_937_000);
        assert_eq!(r.stats().bad_options, 1);
    }

    #[test]
    fn pcapng_start_damage_is_refused_at_open() {
        let e = CaptureReader::new(&SHB_LE[..10]).unwrap_err();
        assert_eq!(
            e.kind,
            ErrorKind::Truncated {
                what: "section header block",
                needed: 28,
                available: 10
            }
        );
        let mut shb = SHB_LE;
        shb[8..12].copy_from_slice(&[0, 0, 0, 0]);
        let e = CaptureReader::new(&shb[..]).unwrap_err();
        assert_eq!(
            e.kind,
            ErrorKind::BlockDamaged {
                fault: BlockFault::BadByteOrderMagic([0, 0, 0, 0]),
                skipped: 0,
                resumed_at: None
            }
        );
        let mut shb = SHB_LE;
        shb[12] = 2; // version 2.0
        let e = CaptureReader::new(&shb[..]).unwrap_err();
        assert_eq!(
            e.kind,
            ErrorKind::UnsupportedVersion {
                format: "pcapng",
                major: 2,
                minor: 0
            }
        );
    }

    #[test]
    fn gzip_pcapng_is_read() {
        let file = [&SHB_BE[..], &IDB_RAW_NS_BE, &EPB_IF0_BE].concat();
        let gz = gzip(&file);
        let mut r = open(&gz);
        assert_eq!(
            r.format().description(),
            "pcapng (big-endian), gzip-compressed"
        );
        assert_eq!(ok(&read_all(&mut r)[0]).file_offset, 60);
    }

    #[test]
    fn statistics_for_an_undescribed_interface_are_reported() {
        // ISB_LE names interface 0, but this section describes none; the
        // SPB after it (interface 0 implied) is skipped too.
        let file = [&SHB_LE[..], &ISB_LE, &SPB_LE].concat();
        let mut r = open(&file);
        let got = read_all(&mut r);
        assert_eq!(got.len(), 2);
        let e = err(&got[0]);
        assert_eq!((e.file_offset, e.record, e.fatal), (28, None, false));
        assert!(matches!(
            e.kind,
            ErrorKind::UnknownInterface {
                block: "interface statistics block",
                interface_id: 0,
                known: 0,
                ..
            }
        ));
        let e = err(&got[1]);
        assert_eq!((e.file_offset, e.record), (80, Some(1)));
        assert_eq!(r.stats().skipped_records, 1);
    }

    #[test]
    fn interfaces_beyond_the_limit_are_reported_once() {
        let mut file = SHB_LE.to_vec();
        for _ in 0..MAX_INTERFACES + 2 {
            file.extend_from_slice(&IDB_ETH_LE);
        }
        // An EPB on interface 4097 (beyond the limit), then one on 0.
        let mut beyond = EPB_IF0_LE;
        beyond[8..12].copy_from_slice(&(MAX_INTERFACES + 1).to_le_bytes());
        file.extend_from_slice(&beyond);
        file.extend_from_slice(&EPB_IF0_LE);
        let mut r = open(&file);
        let got = read_all(&mut r);
        assert_eq!(got.len(), 2);
        let e = err(&got[0]);
        assert_eq!(e.file_offset, 28 + 20 * u64::from(MAX_INTERFACES));
        assert_eq!(e.kind, ErrorKind::TooManyInterfaces { max: 4096 });
        assert_eq!(ok(&got[1]).interface_id, 0);
        assert_eq!(r.interfaces().len(), MAX_INTERFACES as usize);
        assert_eq!(r.stats().skipped_records, 1);
        assert_eq!(r.stats().blocks.idb, u64::from(MAX_INTERFACES) + 2);
    }

    #[test]
    fn open_names_a_missing_file() {
        let e = CaptureReader::open(Path::new("no/such/capture.pcap")).unwrap_err();
        assert!(matches!(
            e.kind,
            ErrorKind::Open {
                kind: io::ErrorKind::NotFound,
                ..
            }
        ));
        assert!(e.to_string().starts_with("cannot open: no such file"));
    }
}

#[cfg(test)]
mod robustness {
    //! Cut and damaged inputs never panic, always end, and deliver exactly
    //! the records that are complete.

    use super::tests::{
        EPB_EMPTY_LE, EPB_IF0_LE, EPB_IF1_LE, EPB_IF7_LE, IDB_ETH_LE, IDB_SLL_LE, ISB_LE, NRB_LE,
        PB_IF1_LE, PCAP_LE_US, REC1_LE, REC2_LE, SHB_LE, SPB_LE,
    };
    use super::*;
    use proptest::prelude::*;

    /// The pcapng file of the unit tests without its custom and unknown
    /// blocks: SHB 0, IDB 28, IDB 48, EPB 108, NRB 144, EPB 160, SPB 200,
    /// ISB 220, PB 272, EPB (interface 7) 308, EPB 340, end 372.
    fn pcapng_file() -> Vec<u8> {
        [
            &SHB_LE[..],
            &IDB_ETH_LE,
            &IDB_SLL_LE,
            &EPB_IF0_LE,
            &NRB_LE,
            &EPB_IF1_LE,
            &SPB_LE,
            &ISB_LE,
            &PB_IF1_LE,
            &EPB_IF7_LE,
            &EPB_EMPTY_LE,
        ]
        .concat()
    }

    /// Reads everything; panics if the reader does not end.
    fn outcome(bytes: &[u8]) -> Option<(u64, Vec<Error>)> {
        let mut r = CaptureReader::new(bytes).ok()?;
        let mut records = 0u64;
        let mut errors = Vec::new();
        let mut last_offset = None;
        let mut steps = 0usize;
        while let Some(item) = r.next_record() {
            steps += 1;
            assert!(steps <= bytes.len() + 2, "reader does not end");
            match item {
                Ok(rec) => {
                    records += 1;
                    assert_eq!(rec.index, records);
                    assert!(rec.data.len() <= MAX_CAPLEN as usize);
                    assert!(last_offset.is_none_or(|o| rec.file_offset > o));
                    last_offset = Some(rec.file_offset);
                }
                Err(e) => {
                    assert!(e.file_offset <= bytes.len() as u64);
                    errors.push(e);
                }
            }
        }
        assert_eq!(r.stats().records, records);
        Some((records, errors))
    }

    #[test]
    fn every_prefix_of_a_pcapng_file() {
        let file = pcapng_file();
        assert_eq!(file.len(), 372);
        // Where the blocks that carry a delivered record end.
        let ends = [144u64, 200, 220, 308, 372];
        for len in 0..=file.len() {
            let Some((records, errors)) = outcome(&file[..len]) else {
                assert!(len < 28, "open failed for a prefix of {len} bytes");
                continue;
            };
            let complete = ends.iter().filter(|&&e| e <= len as u64).count() as u64;
            assert_eq!(records, complete, "prefix of {len} bytes");
            // A cut inside a block is one fatal error at the end.
            let cut = !matches!(
                len,
                28 | 48 | 108 | 144 | 160 | 200 | 220 | 272 | 308 | 340 | 372
            );
            assert_eq!(errors.last().is_some_and(|e| e.fatal), cut, "prefix {len}");
        }
    }

    #[test]
    fn every_prefix_of_a_pcap_file() {
        let file = [&PCAP_LE_US[..], &REC1_LE, &REC2_LE, &REC1_LE].concat();
        let ends = [44u64, 66, 86];
        for len in 24..=file.len() {
            let (records, errors) = outcome(&file[..len]).unwrap();
            let complete = ends.iter().filter(|&&e| e <= len as u64).count() as u64;
            assert_eq!(records, complete, "prefix of {len} bytes");
            let cut = !matches!(len, 24 | 44 | 66 | 86);
            assert_eq!(errors.len(), usize::from(cut), "prefix {len}");
        }
    }

    /// Everything a reader returns, records copied out, errors as text.
    fn transcript<R: Read>(mut r: CaptureReader<R>) -> Vec<String> {
        let mut out = Vec::new();
        while let Some(item) = r.next_record() {
            out.push(match item {
                Ok(rec) => format!(
                    "{} @{} if{} ts{} orig{} {:?}",
                    rec.index, rec.file_offset, rec.interface_id, rec.ts_ns, rec.orig_len, rec.data
                ),
                Err(e) => format!(
                    "error @{} #{:?} fatal {}: {}",
                    e.file_offset, e.record, e.fatal, e.kind
                ),
            });
        }
        out.push(format!("{:?} {:?}", r.stats(), r.interfaces()));
        out
    }

    /// A source that hands out at most `chunk` bytes per `read()`, with an
    /// `Interrupted` error before every other read.
    struct Uneven {
        data: Vec<u8>,
        at: usize,
        chunk: usize,
        interrupt: bool,
    }

    impl Read for Uneven {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.interrupt = !self.interrupt;
            if self.interrupt {
                return Err(io::Error::from(io::ErrorKind::Interrupted));
            }
            let n = self.chunk.min(buf.len()).min(self.data.len() - self.at);
            buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    /// The same input read plainly and with read-ahead in chunks of
    /// `chunk_len` bytes from a source giving `piece` bytes a call.
    fn plain_and_ahead(
        file: &[u8],
        chunk_len: usize,
        piece: usize,
    ) -> Option<(Vec<String>, Vec<String>)> {
        let plain = CaptureReader::new(file).ok()?;
        let src = Uneven {
            data: file.to_vec(),
            at: 0,
            chunk: piece,
            interrupt: false,
        };
        let mut ahead = CaptureReader::new(src).expect("opens as the plain read did");
        ahead
            .start_read_ahead_with(chunk_len)
            .expect("thread starts");
        Some((transcript(plain), transcript(ahead)))
    }

    #[test]
    fn read_ahead_gives_what_a_plain_read_gives_at_every_chunk_size() {
        let pcapng = pcapng_file();
        let pcap = [&PCAP_LE_US[..], &REC1_LE, &REC2_LE, &REC1_LE].concat();
        for file in [&pcapng, &pcap] {
            for chunk_len in (64..=400).step_by(7) {
                for piece in [1, 5, 64, 4096] {
                    let (plain, ahead) = plain_and_ahead(file, chunk_len, piece).unwrap();
                    assert_eq!(plain, ahead, "chunk {chunk_len}, piece {piece}");
                }
            }
        }
    }

    #[test]
    fn read_ahead_reports_a_read_error_at_its_offset() {
        /// Gives `good` bytes, then fails.
        struct Failing(Vec<u8>, usize);
        impl Read for Failing {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if self.1 >= self.0.len() {
                    return Err(io::Error::other("device gone"));
                }
                let n = buf.len().min(self.0.len() - self.1).min(50);
                buf[..n].copy_from_slice(&self.0[self.1..self.1 + n]);
                self.1 += n;
                Ok(n)
            }
        }
        // Cut inside the SPB (block 200..220): the records of the EPBs at 108
        // and 160 are delivered, then one fatal error at the cut.
        let file = pcapng_file()[..210].to_vec();
        let mut r = CaptureReader::new(Failing(file, 0)).unwrap();
        r.start_read_ahead_with(64).unwrap();
        let mut records = 0;
        let mut errors = Vec::new();
        while let Some(item) = r.next_record() {
            match item {
                Ok(_) => records += 1,
                Err(e) => errors.push(e),
            }
        }
        assert_eq!(records, 2);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].fatal);
        assert_eq!(errors[0].file_offset, 200);
        assert!(
            errors[0].to_string().contains("device gone"),
            "{}",
            errors[0]
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        #[test]
        fn damaged_input_reads_the_same_with_read_ahead(
            pcapng in any::<bool>(),
            flips in proptest::collection::vec((0usize..372, any::<u8>()), 0..6),
            cut in 0usize..=372,
            chunk_len in 64usize..300,
            piece in 1usize..200,
        ) {
            let mut file = if pcapng {
                pcapng_file()
            } else {
                [&PCAP_LE_US[..], &REC1_LE, &REC2_LE, &REC1_LE].concat()
            };
            for (at, v) in flips {
                if at < file.len() {
                    file[at] = v;
                }
            }
            file.truncate(cut);
            if let Some((plain, ahead)) = plain_and_ahead(&file, chunk_len, piece) {
                prop_assert_eq!(plain, ahead);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn damaged_pcapng_never_panics(
            flips in proptest::collection::vec((0usize..372, any::<u8>()), 1..8),
            cut in 0usize..=372,
        ) {
            let mut file = pcapng_file();
            for (at, v) in flips {
                file[at] = v;
            }
            file.truncate(cut.max(28));
            outcome(&file);
        }

        #[test]
        fn damaged_pcap_never_panics(
            flips in proptest::collection::vec((0usize..86, any::<u8>()), 1..6),
            cut in 24usize..=86,
        ) {
            let mut file = [&PCAP_LE_US[..], &REC1_LE, &REC2_LE, &REC1_LE].concat();
            for (at, v) in flips {
                file[at] = v;
            }
            file.truncate(cut);
            outcome(&file);
        }

        #[test]
        fn random_bytes_after_a_section_header_never_panic(
            tail in proptest::collection::vec(any::<u8>(), 0..600),
        ) {
            let file = [&SHB_LE[..], &IDB_ETH_LE, &tail].concat();
            outcome(&file);
        }
    }
}
