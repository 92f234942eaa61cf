//! In-memory inputs of the criterion targets, built from [`crate::synth`].
//!
//! [`capture`] writes a whole synthetic capture into a `Vec` (for the record
//! walk); [`Frames`] keeps the frames of one back to back (for decoding),
//! and can be filtered or rewritten to make variants such as QinQ.

use std::io::Cursor;

use portmatrix_capture::CaptureReader;

use crate::synth::{Generator, Options};

/// 802.1Q customer tag (C-tag) TPID.
const TPID_C_TAG: u16 = 0x8100;
/// 802.1ad service tag (S-tag) TPID.
const TPID_S_TAG: u16 = 0x88A8;
/// Legacy QinQ outer tag TPID.
const TPID_QINQ_LEGACY: u16 = 0x9100;

/// A synthetic capture of `packets` packets (pcap or pcapng as `opts` says).
pub fn capture(opts: Options, packets: usize) -> Vec<u8> {
    let mut gen = Generator::new(opts);
    let mut out = Vec::with_capacity(packets * 600);
    gen.write_header(&mut out)
        .expect("writing to a Vec cannot fail");
    for _ in 0..packets {
        gen.write_packet(&mut out)
            .expect("writing to a Vec cannot fail");
    }
    out
}

/// Frames stored back to back in one buffer, like a reader's buffer holds them.
#[derive(Debug, Clone, Default)]
pub struct Frames {
    bytes: Vec<u8>,
    /// End offset of each frame in `bytes`.
    ends: Vec<usize>,
}

impl Frames {
    /// The frames of `packets` synthetic packets, read back from the
    /// capture [`capture`] writes.
    pub fn synthetic(opts: Options, packets: usize) -> Frames {
        let data = capture(opts, packets);
        let mut reader = CaptureReader::new(Cursor::new(&data[..]))
            .expect("the generator writes valid captures");
        let mut frames = Frames::default();
        while let Some(item) = reader.next_record() {
            let rec = item.expect("the generator writes valid records");
            frames.push(rec.frame());
        }
        frames
    }

    /// Appends one frame.
    pub fn push(&mut self, frame: &[u8]) {
        self.bytes.extend_from_slice(frame);
        self.ends.push(self.bytes.len());
    }

    /// Number of frames.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// No frames at all.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Bytes of all frames together.
    pub fn total_len(&self) -> usize {
        self.bytes.len()
    }

    /// The frames, in order.
    pub fn iter(&self) -> impl Iterator<Item = &[u8]> + '_ {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(&self.ends).map(|(s, &e)| &self.bytes[s..e])
    }

    /// The frames for which `keep` is true.
    pub fn filter(&self, mut keep: impl FnMut(&[u8]) -> bool) -> Frames {
        let mut out = Frames::default();
        for f in self.iter().filter(|f| keep(f)) {
            out.push(f);
        }
        out
    }

    /// The first frames, as many as fit in `max_len` bytes together.
    pub fn prefix(&self, max_len: usize) -> Frames {
        let n = self.ends.partition_point(|&end| end <= max_len);
        Frames {
            bytes: self.bytes[..self.ends[..n].last().copied().unwrap_or(0)].to_vec(),
            ends: self.ends[..n].to_vec(),
        }
    }

    /// Every frame rewritten by `rewrite`, which appends the new frame to
    /// the buffer it is given.
    pub fn map(&self, mut rewrite: impl FnMut(&[u8], &mut Vec<u8>)) -> Frames {
        let mut out = Frames::default();
        let mut scratch = Vec::with_capacity(2048);
        for f in self.iter() {
            scratch.clear();
            rewrite(f, &mut scratch);
            out.push(&scratch);
        }
        out
    }
}

/// The EtherType after any VLAN tags of an Ethernet II frame, and the
/// number of tags; `None` when the frame is too short.
pub fn inner_ether_type(frame: &[u8]) -> Option<(u16, usize)> {
    let mut at = 12;
    let mut tags = 0;
    loop {
        let et = u16::from_be_bytes([*frame.get(at)?, *frame.get(at + 1)?]);
        if matches!(et, TPID_C_TAG | TPID_S_TAG | TPID_QINQ_LEGACY) {
            at += 4;
            tags += 1;
        } else {
            return Some((et, tags));
        }
    }
}

/// Appends `frame` to `out` with an 802.1ad service tag (VLAN `s_vid`)
/// in front of its tags; an untagged frame also gets an 802.1Q customer
/// tag (VLAN `c_vid`), so the result always carries two tags (QinQ).
pub fn push_qinq(frame: &[u8], s_vid: u16, c_vid: u16, out: &mut Vec<u8>) {
    let (head, rest) = frame.split_at(12.min(frame.len()));
    out.extend_from_slice(head);
    out.extend_from_slice(&TPID_S_TAG.to_be_bytes());
    out.extend_from_slice(&(s_vid & 0x0fff).to_be_bytes());
    let tagged = rest.len() >= 2 && u16::from_be_bytes([rest[0], rest[1]]) == TPID_C_TAG;
    if !tagged {
        out.extend_from_slice(&TPID_C_TAG.to_be_bytes());
        out.extend_from_slice(&(c_vid & 0x0fff).to_be_bytes());
    }
    out.extend_from_slice(rest);
}

#[cfg(test)]
mod tests {
    use portmatrix_wire::{decode, LinkType, Net};

    use super::*;

    #[test]
    fn capture_reads_back_with_every_packet() {
        for pcapng in [false, true] {
            let data = capture(
                Options {
                    pcapng,
                    ..Options::default()
                },
                500,
            );
            let mut reader = CaptureReader::new(Cursor::new(&data[..])).unwrap();
            let mut n = 0;
            while let Some(item) = reader.next_record() {
                item.unwrap();
                n += 1;
            }
            assert_eq!(n, 500, "pcapng: {pcapng}");
        }
    }

    #[test]
    fn frames_keep_order_and_bytes() {
        let frames = Frames::synthetic(Options::default(), 300);
        assert_eq!(frames.len(), 300);
        assert_eq!(
            frames.iter().map(<[u8]>::len).sum::<usize>(),
            frames.total_len()
        );
        let v6 = frames.filter(|f| inner_ether_type(f).map(|(et, _)| et) == Some(0x86DD));
        assert!(!v6.is_empty() && v6.len() < frames.len());
        let head = frames.prefix(10_000);
        assert!(head.total_len() <= 10_000 && head.total_len() > 10_000 - 1600);
        assert!(frames.iter().zip(head.iter()).all(|(a, b)| a == b));
        assert!(frames.prefix(0).is_empty());
    }

    #[test]
    fn qinq_frames_decode_with_two_tags_and_the_same_transport() {
        let frames = Frames::synthetic(Options::default(), 300);
        let qinq = frames.map(|f, out| push_qinq(f, 200, 10, out));
        assert_eq!(qinq.len(), frames.len());
        for (plain, tagged) in frames.iter().zip(qinq.iter()) {
            let a = decode(LinkType::ETHERNET, plain);
            let b = decode(LinkType::ETHERNET, tagged);
            assert!(b.error.is_none(), "{:?}", b.error);
            assert_eq!(b.vlans.tags().len(), 2);
            assert_eq!(b.vlans.tags()[0].tpid, TPID_S_TAG);
            assert_eq!(b.vlans.tags()[0].vid(), 200);
            assert_eq!(a.ports(), b.ports());
            assert_eq!(a.payload, b.payload);
            assert!(!matches!(b.net, Net::None));
        }
    }
}
