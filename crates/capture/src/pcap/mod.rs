//! Classic pcap: the 24-byte file header and the 16-byte record header.
//!
//! Layouts from the pcap file format draft (draft-ietf-opsawg-pcap) and
//! libpcap's `sf-pcap.c`.

pub(crate) mod header;
pub(crate) mod record;

pub(crate) use header::{classify_magic, LengthOrder, Magic, FILE_HEADER_LEN};
pub(crate) use record::RECORD_HEADER_LEN;
