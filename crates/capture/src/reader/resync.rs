//! Resynchronisation after a pcapng block whose framing is broken: the
//! scan for the next plausible block.

use std::io::{self, Read};

use crate::endian::{u32_in, Be, ByteOrder, Le};
use crate::error::{from_io, BlockFault, Error, ErrorKind};
use crate::pcapng::{self, section_header};

use super::{CaptureReader, Step, MAX_BLOCK_LEN};

impl<R: Read> CaptureReader<R> {
    /// After a block at `off` whose framing is broken: scan forward for the
    /// next plausible block and report how far it was.
    pub(super) fn resync_after(&mut self, off: u64, fault: BlockFault) -> Step {
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
