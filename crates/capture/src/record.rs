//! One captured packet, borrowed from the reader's buffer.

use portmatrix_wire::LinkType;

/// A packet record: metadata plus the captured bytes, borrowed from the
/// reader's buffer until the next call to `next_record`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record<'a> {
    /// 1-based number of this packet record among those delivered.
    pub index: u64,
    /// Byte offset of the record header or block start (in the decompressed
    /// stream for gzip input; 0 for live capture).
    pub file_offset: u64,
    /// Nanoseconds since the Unix epoch (tsresol and tsoffset applied).
    pub ts_ns: i64,
    /// Global interface index ([`CaptureReader::interfaces`](crate::CaptureReader::interfaces));
    /// 0 for classic pcap.
    pub interface_id: u32,
    /// Link type of `data`.
    pub link_type: LinkType,
    /// Bytes of frame check sequence at the end of the original frame, 0 if none.
    pub fcs_len: u8,
    /// Length of the frame on the wire.
    pub orig_len: u32,
    /// The captured bytes; `data.len()` is the captured length.
    pub data: &'a [u8],
}

impl<'a> Record<'a> {
    /// The captured bytes without the frame check sequence.
    ///
    /// The FCS is the last `fcs_len` bytes of the original frame. When the
    /// capture kept some or all of them, they are cut off; when the frame
    /// was truncated before the FCS, `data` is returned whole.
    #[inline]
    pub fn frame(&self) -> &'a [u8] {
        if self.fcs_len == 0 {
            return self.data;
        }
        let wire = (self.orig_len as usize).max(self.data.len());
        let end = wire.saturating_sub(usize::from(self.fcs_len));
        &self.data[..end.min(self.data.len())]
    }

    /// The capture kept fewer bytes than the frame had on the wire.
    #[inline]
    pub fn is_truncated(&self) -> bool {
        (self.data.len() as u64) < u64::from(self.orig_len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(data: &[u8], orig_len: u32, fcs_len: u8) -> Record<'_> {
        Record {
            index: 1,
            file_offset: 0,
            ts_ns: 0,
            interface_id: 0,
            link_type: LinkType::ETHERNET,
            fcs_len,
            orig_len,
            data,
        }
    }

    #[test]
    fn frame_without_fcs_is_data() {
        let d = [1u8; 64];
        assert_eq!(rec(&d, 64, 0).frame().len(), 64);
    }

    #[test]
    fn fully_captured_fcs_is_removed() {
        let d = [1u8; 64];
        assert_eq!(rec(&d, 64, 4).frame().len(), 60);
    }

    #[test]
    fn partly_captured_fcs_is_removed_too() {
        // 64-byte frame on the wire, 62 captured: bytes 60 and 61 are FCS.
        let d = [1u8; 62];
        assert_eq!(rec(&d, 64, 4).frame().len(), 60);
    }

    #[test]
    fn frame_cut_before_the_fcs_is_kept_whole() {
        let d = [1u8; 40];
        let r = rec(&d, 64, 4);
        assert_eq!(r.frame().len(), 40);
        assert!(r.is_truncated());
    }

    #[test]
    fn fcs_longer_than_frame_leaves_nothing() {
        let d = [1u8; 2];
        assert!(rec(&d, 2, 4).frame().is_empty());
    }
}
