//! Capture file reading (pcap, pcapng, gzip) and live capture.
//!
//! `portmatrix-capture` turns a capture into a stream of packet records:
//! timestamp, interface, link type, lengths, file offset and the captured
//! bytes. It never decodes a frame; that is `portmatrix-wire`'s job.
//!
//! - [`CaptureReader`] reads classic pcap (all four magic variants),
//!   pcapng (several sections and interfaces, both byte orders) and either
//!   of them gzip-compressed, from a file, standard input or any
//!   [`Read`](std::io::Read). Format and compression are sniffed from the
//!   content, not the name. Records are borrowed from a 1 MiB read buffer
//!   (nothing is copied or allocated per packet): call
//!   [`next_record`](CaptureReader::next_record) in a loop.
//! - Damage never panics and never makes the reader allocate without
//!   bound: every complete packet before it is delivered, then an
//!   [`Error`] names the byte offset and record number. In pcapng the
//!   reader resynchronises on the next plausible block and goes on.
//! - [`ErrorLog`] keeps the errors of a read for a report in bounded
//!   memory: counted by kind, the first few of each kind and the last kept.
//! - [`PcapngWriter`] writes little-endian pcapng (nanosecond timestamps).
//! - `live` (crate feature `live`, needs libpcap) captures from a network
//!   interface through the `pcap` crate.
//!
//! What it refuses to do: guess at formats it does not know (Kuznetzov
//! and Navtel pcap variants are named and refused), read packet records
//! above 256 KiB or pcapng blocks above 16 MiB, or hand out a record whose
//! bytes are not all in the file.

mod buffer;
mod endian;
mod error;
mod error_log;
mod format;
mod gunzip;
mod pcap;
mod pcapng;
mod reader;
mod record;
mod source;
mod writer;

#[cfg(feature = "live")]
pub mod live;

pub use endian::ByteOrder;
pub use error::{BlockFault, BodyFault, Error, ErrorKind, OptionFault, Result};
pub use error_log::{ErrorLog, KindCount, ERRORS_KEPT_PER_KIND};
pub use format::{
    BlockCounts, BlockTypeCount, FileKind, Format, Interface, ReadStats, TsPrecision, TsResolution,
};
pub use portmatrix_wire::LinkType;
pub use reader::{
    CaptureReader, MAX_BLOCK_LEN, MAX_CAPLEN, MAX_INTERFACES, MAX_KEPT_INTERFACES, READ_AHEAD_CHUNK,
};
pub use record::Record;
pub use writer::{InterfaceCounters, PcapngWriter};
