//! [`CaptureReader`]: one lending reader for pcap, pcapng and gzip.
//!
//! The reader's state and the steps common to both formats are here; the
//! record walk of each format is in [`pcap`] and [`pcapng`] (block parsing
//! itself is stateless, in `crate::pcap` and `crate::pcapng`), and the
//! search for the next block after damage in [`resync`].

use std::collections::HashMap;
use std::fs::File;
use std::hash::RandomState;
use std::io::{self, Read};
use std::path::Path;

use portmatrix_wire::LinkType;

use crate::buffer::{ReadBuffer, DEFAULT_CAPACITY};
use crate::endian::{Be, ByteOrder, Le};
use crate::error::{from_io, BlockFault, BodyFault, Error, ErrorKind};
use crate::format::{FileKind, Format, Interface, ReadStats, TsPrecision, TsResolution};
use crate::pcap::{LengthOrder, Magic, FILE_HEADER_LEN};
use crate::pcapng::section_header;
use crate::record::Record;
use crate::source::Source;

mod pcap;
mod pcapng;
mod resync;
#[cfg(test)]
mod tests;

/// Largest captured length accepted for one packet: libpcap's
/// `MAXIMUM_SNAPLEN` (256 KiB), which Wireshark uses too.
pub const MAX_CAPLEN: u32 = 262_144;

/// Largest pcapng block accepted: libpcap's initial limit (16 MiB).
pub const MAX_BLOCK_LEN: u32 = 16 * 1024 * 1024;

/// Bytes per `read()` of the read-ahead thread ([`CaptureReader::start_read_ahead`]).
pub const READ_AHEAD_CHUNK: usize = 1 << 20;

/// Most interfaces one pcapng section may describe; packets naming one
/// past it are skipped.
pub const MAX_INTERFACES: u32 = 4096;

/// Most interfaces kept over the whole file (one pcapng interface is at
/// most about 800 bytes with its name and description: 13 MiB). Past it,
/// an interface described exactly as a kept one shares it; packets of any
/// other are skipped.
pub const MAX_KEPT_INTERFACES: u32 = 16_384;

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
    /// An interface limit was reported (once per file).
    interface_limit_reported: bool,
    /// Kept interfaces by the hash of their description, built when
    /// [`MAX_KEPT_INTERFACES`] is reached.
    kept_index: Option<HashMap<u64, u32>>,
    kept_hasher: RandomState,
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
            interface_limit_reported: false,
            kept_index: None,
            kept_hasher: RandomState::new(),
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
        match crate::pcap::classify_magic(magic).map_err(|k| Error::fatal(0, None, k))? {
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
            ByteOrder::Little => crate::pcap::header::parse::<Le>(head),
            ByteOrder::Big => crate::pcap::header::parse::<Be>(head),
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
}
