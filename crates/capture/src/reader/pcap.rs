//! The record walk of classic pcap (draft-ietf-opsawg-pcap): a file header,
//! then records of a 16-byte header and the captured bytes.

use std::io::Read;

use crate::endian::Endian;
use crate::error::{Error, ErrorKind};
use crate::pcap::{self, LengthOrder, RECORD_HEADER_LEN};

use super::{CaptureReader, Meta, Step, MAX_CAPLEN};

impl<R: Read> CaptureReader<R> {
    #[inline]
    pub(super) fn step_pcap<E: Endian>(
        &mut self,
        frac_ns: u32,
        lengths: LengthOrder,
        snaplen: u32,
    ) -> Step {
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
    pub(super) fn cut_short(
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
}
