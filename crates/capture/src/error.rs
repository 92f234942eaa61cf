//! Errors with the byte offset and record number where the fault was found.

use std::fmt;
use std::io;

/// A fault found while reading a capture.
///
/// `file_offset` is the byte offset of the record header or block start
/// where the fault was found (in the decompressed stream for gzip input).
/// `record` is the 1-based number the damaged packet record would have had:
/// the packets delivered before it, plus one. It is `None` for faults that
/// are not about a packet (the file header, an interface description).
///
/// A non-fatal error means the reader skipped the bad part (one record, or
/// some bytes up to the next plausible pcapng block) and the next call to
/// [`next_record`](crate::CaptureReader::next_record) continues. After a
/// fatal error, `next_record` returns `None`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// Byte offset of the record header or block start.
    pub file_offset: u64,
    /// 1-based number of the packet record concerned, if any.
    pub record: Option<u64>,
    /// What went wrong.
    pub kind: ErrorKind,
    /// Reading cannot go on after this error.
    pub fatal: bool,
}

/// Shorthand used throughout the crate.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub(crate) fn fatal(file_offset: u64, record: Option<u64>, kind: ErrorKind) -> Self {
        Error {
            file_offset,
            record,
            kind,
            fatal: true,
        }
    }

    pub(crate) fn recoverable(file_offset: u64, record: Option<u64>, kind: ErrorKind) -> Self {
        Error {
            file_offset,
            record,
            kind,
            fatal: false,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let ErrorKind::Open { .. } = self.kind {
            return self.kind.fmt(f);
        }
        if let Some(n) = self.record {
            write!(f, "record {n} ")?;
        }
        write!(
            f,
            "at byte {} ({:#x}): {}",
            self.file_offset, self.file_offset, self.kind
        )
    }
}

impl std::error::Error for Error {}

/// The kinds of fault. Messages are lowercase and name the fault.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input could not be opened.
    Open {
        /// The operating system's classification.
        kind: io::ErrorKind,
        /// The operating system's message.
        message: String,
    },
    /// The input could not be read.
    Io {
        /// The operating system's classification.
        kind: io::ErrorKind,
        /// The operating system's message.
        message: String,
    },
    /// The gzip stream is damaged or ends early.
    Decompress {
        /// The decompressor's message.
        message: String,
    },
    /// The input holds no bytes at all.
    Empty,
    /// The first four bytes are not a pcap or pcapng magic number.
    UnknownMagic {
        /// The bytes as they appear in the file.
        bytes: [u8; 4],
    },
    /// A known magic number of a format this crate does not read.
    UnsupportedFormat {
        /// Which format.
        name: &'static str,
    },
    /// The pcapng section header looks damaged by a text-mode (CR/LF)
    /// transfer.
    TextModeTransfer,
    /// A pcap or pcapng version this crate does not read.
    UnsupportedVersion {
        /// `pcap` or `pcapng`.
        format: &'static str,
        /// Major version.
        major: u16,
        /// Minor version.
        minor: u16,
    },
    /// The input ends inside a header or a record.
    Truncated {
        /// What was being read (`file header`, `record header`, `packet data`, ...).
        what: &'static str,
        /// Bytes it needs.
        needed: u64,
        /// Bytes that were left.
        available: u64,
    },
    /// A packet record's captured length is beyond what any link type uses.
    CaplenTooLarge {
        /// The captured length field.
        caplen: u32,
        /// The largest accepted value.
        max: u32,
    },
    /// A packet record's captured length exceeds the interface's snapshot
    /// length. The record is still delivered, with all its bytes, by the next
    /// call; this is reported once per interface (the rest are counted).
    CaplenOverSnaplen {
        /// The captured length field.
        caplen: u32,
        /// The interface's snapshot length.
        snaplen: u32,
    },
    /// A pcapng block whose framing is broken; the reader scanned forward.
    BlockDamaged {
        /// What is wrong with the block.
        fault: BlockFault,
        /// Bytes passed over while looking for the next plausible block.
        skipped: u64,
        /// Offset of the block reading resumed at, or `None` if no further
        /// block was found.
        resumed_at: Option<u64>,
    },
    /// A well-framed pcapng block whose content is inconsistent; the block
    /// was skipped.
    BadBlock {
        /// Which block (`enhanced packet block`, ...).
        block: &'static str,
        /// What is wrong with it.
        fault: BodyFault,
    },
    /// A packet block names an interface the section does not describe.
    UnknownInterface {
        /// Which block.
        block: &'static str,
        /// The interface id in the block.
        interface_id: u32,
        /// 0-based section number.
        section: u32,
        /// How many interfaces the section describes so far.
        known: u32,
    },
    /// An option of a pcapng block is malformed; the block's other fields
    /// were kept.
    BadOption {
        /// Which block.
        block: &'static str,
        /// Option code.
        code: u16,
        /// What is wrong with it.
        fault: OptionFault,
    },
    /// More interface descriptions in one pcapng section than this reader
    /// keeps track of ([`MAX_INTERFACES`](crate::MAX_INTERFACES)).
    TooManyInterfaces {
        /// The limit.
        max: u32,
    },
    /// More interfaces in the file than this reader keeps
    /// ([`MAX_KEPT_INTERFACES`](crate::MAX_KEPT_INTERFACES)), and this one
    /// is unlike every kept one.
    InterfaceTableFull {
        /// The limit.
        max: u32,
    },
}

/// Why a pcapng block's framing cannot be trusted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BlockFault {
    /// Total length below the 12-byte minimum.
    LengthTooSmall(u32),
    /// Total length not a multiple of 4.
    LengthNotMultipleOf4(u32),
    /// Total length above the maximum block size.
    LengthTooLarge {
        /// The total length field.
        len: u32,
        /// The maximum.
        max: u32,
    },
    /// The length at the end differs from the one at the start.
    TrailerMismatch {
        /// Length at the start of the block.
        header: u32,
        /// Length at the end of the block.
        trailer: u32,
    },
    /// The input ends inside the block.
    Truncated {
        /// The total length field.
        len: u32,
        /// Bytes that were left.
        available: u64,
    },
    /// A section header block whose byte-order magic is neither
    /// 0x1a2b3c4d nor its byte swap.
    BadByteOrderMagic([u8; 4]),
}

/// Why a well-framed pcapng block's content is rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BodyFault {
    /// The block is shorter than its fixed fields.
    TooShort {
        /// The total length.
        len: u32,
        /// The minimum for this block type.
        min: u32,
    },
    /// The captured length does not fit in the block.
    CaplenBeyondBlock {
        /// The captured length.
        caplen: u32,
        /// Bytes of packet data room in the block.
        room: u32,
    },
    /// The captured length is beyond what any link type uses.
    CaplenTooLarge {
        /// The captured length.
        caplen: u32,
        /// The largest accepted value.
        max: u32,
    },
}

/// Why a pcapng option is rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OptionFault {
    /// The option's value runs past the end of the block.
    Overrun {
        /// The option's length field.
        len: u16,
        /// Bytes left in the options area.
        room: u32,
    },
    /// The option has the wrong length for its code.
    BadLength {
        /// The option's length field.
        len: u16,
        /// The length the code requires.
        expected: u16,
    },
    /// The option appears twice where only one is allowed.
    Duplicate,
    /// `if_tsresol` beyond 10^-19 or 2^-63 seconds (libpcap's limits).
    BadTsresol(u8),
}

impl ErrorKind {
    /// A short stable name of the kind of fault (`unknown-interface`,
    /// `bad-option`, ...), by which [`ErrorLog`](crate::ErrorLog) counts
    /// errors and reports name them.
    pub fn name(&self) -> &'static str {
        match self {
            ErrorKind::Open { .. } => "open",
            ErrorKind::Io { .. } => "io",
            ErrorKind::Decompress { .. } => "decompress",
            ErrorKind::Empty => "empty",
            ErrorKind::UnknownMagic { .. } => "unknown-magic",
            ErrorKind::UnsupportedFormat { .. } => "unsupported-format",
            ErrorKind::TextModeTransfer => "text-mode-transfer",
            ErrorKind::UnsupportedVersion { .. } => "unsupported-version",
            ErrorKind::Truncated { .. } => "truncated",
            ErrorKind::CaplenTooLarge { .. } => "caplen-too-large",
            ErrorKind::CaplenOverSnaplen { .. } => "caplen-over-snaplen",
            ErrorKind::BlockDamaged { .. } => "damaged-block",
            ErrorKind::BadBlock { .. } => "bad-block",
            ErrorKind::UnknownInterface { .. } => "unknown-interface",
            ErrorKind::BadOption { .. } => "bad-option",
            ErrorKind::TooManyInterfaces { .. } => "too-many-interfaces",
            ErrorKind::InterfaceTableFull { .. } => "interface-table-full",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Open { message, .. } => write!(f, "cannot open: {message}"),
            ErrorKind::Io { message, .. } => write!(f, "read failed: {message}"),
            ErrorKind::Decompress { message } => write!(f, "gzip stream damaged: {message}"),
            ErrorKind::Empty => f.write_str("empty input, not a capture file"),
            ErrorKind::UnknownMagic { bytes } => write!(
                f,
                "not a pcap or pcapng file (first bytes {:02x} {:02x} {:02x} {:02x})",
                bytes[0], bytes[1], bytes[2], bytes[3]
            ),
            ErrorKind::UnsupportedFormat { name } => write!(f, "{name} files are not supported"),
            ErrorKind::TextModeTransfer => f.write_str(
                "pcapng section header damaged by a text-mode (CR/LF) transfer; transfer the file in binary mode",
            ),
            ErrorKind::UnsupportedVersion {
                format,
                major,
                minor,
            } => write!(f, "unsupported {format} version {major}.{minor}"),
            ErrorKind::Truncated {
                what,
                needed,
                available,
            } => write!(
                f,
                "truncated {what}: needs {needed} bytes, only {available} left (capture cut short)"
            ),
            ErrorKind::CaplenTooLarge { caplen, max } => write!(
                f,
                "captured length {caplen} is larger than the maximum of {max}; the rest of the file cannot be trusted"
            ),
            ErrorKind::CaplenOverSnaplen { caplen, snaplen } => write!(
                f,
                "captured length {caplen} is larger than the snapshot length {snaplen} (packet kept; later ones only counted)"
            ),
            ErrorKind::BlockDamaged {
                fault,
                skipped,
                resumed_at,
            } => {
                write!(f, "damaged block: {fault}")?;
                match resumed_at {
                    Some(at) => write!(
                        f,
                        "; skipped {skipped} bytes to the next block at byte {at} ({at:#x})"
                    ),
                    None if *skipped > 0 => {
                        write!(f, "; no further block found in the last {skipped} bytes")
                    }
                    None => Ok(()),
                }
            }
            ErrorKind::BadBlock { block, fault } => write!(f, "{block} skipped: {fault}"),
            ErrorKind::UnknownInterface {
                block,
                interface_id,
                section,
                known,
            } => write!(
                f,
                "{block} skipped: interface {interface_id} is not described in section {section} ({known} interfaces)"
            ),
            ErrorKind::BadOption { block, code, fault } => {
                write!(f, "{block}: option {} ({code}) {fault}", option_name(block, *code))
            }
            ErrorKind::TooManyInterfaces { max } => write!(
                f,
                "more than {max} interface descriptions in one section; packets of the extra interfaces are skipped (reported once per file)"
            ),
            ErrorKind::InterfaceTableFull { max } => write!(
                f,
                "more than {max} interfaces in the file; packets of later interfaces unlike every kept one are skipped (reported once per file)"
            ),
        }
    }
}

impl fmt::Display for BlockFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BlockFault::LengthTooSmall(len) => {
                write!(f, "block length {len} is less than the minimum of 12")
            }
            BlockFault::LengthNotMultipleOf4(len) => {
                write!(f, "block length {len} is not a multiple of 4")
            }
            BlockFault::LengthTooLarge { len, max } => {
                write!(f, "block length {len} is larger than the maximum of {max}")
            }
            BlockFault::TrailerMismatch { header, trailer } => write!(
                f,
                "block length {header} at the start and {trailer} at the end do not match"
            ),
            BlockFault::Truncated { len, available } => write!(
                f,
                "block length {len} but only {available} bytes left (capture cut short)"
            ),
            BlockFault::BadByteOrderMagic(b) => write!(
                f,
                "section header byte-order magic {:02x} {:02x} {:02x} {:02x} is not 1a2b3c4d in either byte order",
                b[0], b[1], b[2], b[3]
            ),
        }
    }
}

impl fmt::Display for BodyFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BodyFault::TooShort { len, min } => {
                write!(f, "block length {len} is less than its minimum of {min}")
            }
            BodyFault::CaplenBeyondBlock { caplen, room } => write!(
                f,
                "captured length {caplen} does not fit in the {room} bytes of packet data in the block"
            ),
            BodyFault::CaplenTooLarge { caplen, max } => write!(
                f,
                "captured length {caplen} is larger than the maximum of {max}"
            ),
        }
    }
}

impl fmt::Display for OptionFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OptionFault::Overrun { len, room } => write!(
                f,
                "length {len} runs past the end of the block ({room} bytes left); later options ignored"
            ),
            OptionFault::BadLength { len, expected } => {
                write!(f, "has length {len}, expected {expected}; ignored")
            }
            OptionFault::Duplicate => f.write_str("appears more than once; the first one is used"),
            OptionFault::BadTsresol(v) => write!(
                f,
                "value {v:#04x} is finer than 10^-19 or 2^-63 s; timestamps of this interface are read as microseconds"
            ),
        }
    }
}

/// The name of the option `code` in a block, for messages.
fn option_name(block: &str, code: u16) -> &'static str {
    match (block, code) {
        (_, 0) => "opt_endofopt",
        (_, 1) => "opt_comment",
        ("interface description block", 2) => "if_name",
        ("interface description block", 3) => "if_description",
        ("interface description block", 9) => "if_tsresol",
        ("interface description block", 13) => "if_fcslen",
        ("interface description block", 14) => "if_tsoffset",
        ("enhanced packet block", 2) => "epb_flags",
        ("interface statistics block", 4) => "isb_ifrecv",
        ("interface statistics block", 5) => "isb_ifdrop",
        ("interface statistics block", 6) => "isb_filteraccept",
        ("interface statistics block", 7) => "isb_osdrop",
        ("interface statistics block", 8) => "isb_usrdeliv",
        _ => "option",
    }
}

/// Converts an I/O error of the underlying stream into a fatal error.
pub(crate) fn from_io(
    e: &io::Error,
    compressed: bool,
    file_offset: u64,
    record: Option<u64>,
) -> Error {
    let message = lowercase_first(&e.to_string());
    let kind = if compressed
        && matches!(
            e.kind(),
            io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof
        ) {
        ErrorKind::Decompress { message }
    } else {
        ErrorKind::Io {
            kind: e.kind(),
            message,
        }
    };
    Error::fatal(file_offset, record, kind)
}

/// Operating-system messages start with a capital; ours do not.
pub(crate) fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_record_offset_in_decimal_and_hex() {
        let e = Error::fatal(
            176,
            Some(3),
            ErrorKind::Truncated {
                what: "packet data",
                needed: 60,
                available: 20,
            },
        );
        assert_eq!(
            e.to_string(),
            "record 3 at byte 176 (0xb0): truncated packet data: needs 60 bytes, only 20 left (capture cut short)"
        );
    }

    #[test]
    fn display_without_record_starts_with_the_offset() {
        let e = Error::fatal(
            0,
            None,
            ErrorKind::UnknownMagic {
                bytes: [0x47, 0x49, 0x46, 0x38],
            },
        );
        assert_eq!(
            e.to_string(),
            "at byte 0 (0x0): not a pcap or pcapng file (first bytes 47 49 46 38)"
        );
    }

    #[test]
    fn block_damage_message_says_how_far_it_skipped() {
        let kind = ErrorKind::BlockDamaged {
            fault: BlockFault::LengthNotMultipleOf4(30),
            skipped: 40,
            resumed_at: Some(128),
        };
        assert_eq!(
            kind.to_string(),
            "damaged block: block length 30 is not a multiple of 4; skipped 40 bytes to the next block at byte 128 (0x80)"
        );
    }

    #[test]
    fn open_errors_are_just_the_message() {
        let e = Error::fatal(
            0,
            None,
            ErrorKind::Open {
                kind: io::ErrorKind::NotFound,
                message: "no such file or directory (os error 2)".into(),
            },
        );
        assert_eq!(
            e.to_string(),
            "cannot open: no such file or directory (os error 2)"
        );
    }

    #[test]
    fn option_messages_name_the_option() {
        let kind = ErrorKind::BadOption {
            block: "interface description block",
            code: 9,
            fault: OptionFault::BadLength {
                len: 2,
                expected: 1,
            },
        };
        assert_eq!(
            kind.to_string(),
            "interface description block: option if_tsresol (9) has length 2, expected 1; ignored"
        );
    }

    #[test]
    fn io_errors_of_gzip_input_are_decompression_errors() {
        let e = io::Error::new(io::ErrorKind::InvalidInput, "Corrupt deflate stream");
        let err = from_io(&e, true, 10, Some(1));
        assert!(err.fatal);
        assert_eq!(
            err.kind,
            ErrorKind::Decompress {
                message: "corrupt deflate stream".into()
            }
        );
        let err = from_io(&e, false, 10, None);
        assert!(matches!(
            err.kind,
            ErrorKind::Io {
                kind: io::ErrorKind::InvalidInput,
                ..
            }
        ));
    }
}
