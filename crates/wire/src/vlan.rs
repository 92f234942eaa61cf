//! IEEE 802.1Q / 802.1ad VLAN tags and the fixed-capacity stack that keeps them.
//!
//! On the wire a tag is a tag protocol identifier (TPID: 0x8100, 0x88A8 or
//! 0x9100) in the EtherType position, followed by the 2-byte tag control
//! information (TCI: PCP 3 bits, DEI 1 bit, VID 12 bits) and the next
//! EtherType. The view below covers TCI and next EtherType; the TPID is the
//! field before it.

use crate::error::{Error, ErrorKind, Layer, Result};
use crate::view::header_view;

mod field {
    use core::ops::Range;

    pub const TCI: Range<usize> = 0..2;
    pub const ETHERTYPE: Range<usize> = 2..4;
    pub const PAYLOAD: usize = ETHERTYPE.end;
}

/// Length of a tag after its TPID: TCI plus the encapsulated EtherType.
pub const HEADER_LEN: usize = field::PAYLOAD;

header_view! {
    /// A read/write view of the TCI and encapsulated EtherType of one tag.
    pub struct Packet<T>;
    /// Checks that the buffer holds the whole tag; after this no accessor panics.
    check_len: Layer::Vlan, HEADER_LEN;
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Tag control information (802.1Q clause 9.6).
    #[inline]
    pub fn tci(&self) -> u16 {
        let b = &self.buffer.as_ref()[field::TCI];
        u16::from_be_bytes([b[0], b[1]])
    }

    /// The EtherType (or 802.3 length) of what the tag encapsulates.
    #[inline]
    pub fn ethertype(&self) -> u16 {
        let b = &self.buffer.as_ref()[field::ETHERTYPE];
        u16::from_be_bytes([b[0], b[1]])
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Packet<&'a T> {
    /// The bytes after the tag.
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        &self.buffer.as_ref()[field::PAYLOAD..]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Sets the tag control information.
    #[inline]
    pub fn set_tci(&mut self, value: u16) {
        self.buffer.as_mut()[field::TCI].copy_from_slice(&value.to_be_bytes());
    }

    /// Sets the encapsulated EtherType.
    #[inline]
    pub fn set_ethertype(&mut self, value: u16) {
        self.buffer.as_mut()[field::ETHERTYPE].copy_from_slice(&value.to_be_bytes());
    }
}

/// One decoded tag: the TPID that introduced it and its TCI.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct VlanTag {
    /// Tag protocol identifier (0x8100, 0x88A8 or 0x9100).
    pub tpid: u16,
    /// Tag control information.
    pub tci: u16,
}

impl VlanTag {
    /// Priority code point (3 bits).
    #[inline]
    pub const fn pcp(&self) -> u8 {
        (self.tci >> 13) as u8
    }

    /// Drop eligible indicator.
    #[inline]
    pub const fn dei(&self) -> bool {
        self.tci & 0x1000 != 0
    }

    /// VLAN identifier (12 bits).
    #[inline]
    pub const fn vid(&self) -> u16 {
        self.tci & 0x0fff
    }
}

/// The tags of one frame, outer first, without allocation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct VlanStack {
    tags: [VlanTag; VlanStack::CAPACITY],
    len: u8,
}

impl VlanStack {
    /// The most tags a frame may carry; one more is an
    /// [`ErrorKind::TooManyVlanTags`] error.
    pub const CAPACITY: usize = 4;

    /// An empty stack.
    #[inline]
    pub const fn new() -> VlanStack {
        VlanStack {
            tags: [VlanTag { tpid: 0, tci: 0 }; VlanStack::CAPACITY],
            len: 0,
        }
    }

    /// Appends an inner tag; `offset` (of the TPID that announced it) is
    /// reported when the stack is full.
    pub fn push(&mut self, tag: VlanTag, offset: usize) -> Result<()> {
        let len = usize::from(self.len);
        if len == Self::CAPACITY {
            return Err(Error::new(
                Layer::Vlan,
                offset,
                ErrorKind::TooManyVlanTags {
                    max: Self::CAPACITY,
                },
            ));
        }
        self.tags[len] = tag;
        self.len += 1;
        Ok(())
    }

    /// Number of tags.
    #[inline]
    pub const fn len(&self) -> usize {
        self.len as usize
    }

    /// True for an untagged frame.
    #[inline]
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The tags, outer first.
    #[inline]
    pub fn tags(&self) -> &[VlanTag] {
        &self.tags[..usize::from(self.len)]
    }

    /// The VLAN ids, outer first.
    #[inline]
    pub fn iter(&self) -> impl ExactSizeIterator<Item = u16> + '_ {
        self.tags().iter().map(VlanTag::vid)
    }

    /// The outermost VLAN id.
    #[inline]
    pub fn outer(&self) -> Option<u16> {
        self.tags().first().map(VlanTag::vid)
    }

    /// The innermost VLAN id (the customer VLAN of a QinQ frame).
    #[inline]
    pub fn inner(&self) -> Option<u16> {
        self.tags().last().map(VlanTag::vid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_splits_tci() {
        // 802.1Q clause 9.6: PCP=5 (101), DEI=1, VID=0x064 (100) -> 1011 0000 0110 0100
        let bytes = [0xb0, 0x64, 0x08, 0x00, 0x45];
        let p = Packet::new_checked(&bytes[..]).unwrap();
        let tag = VlanTag {
            tpid: 0x8100,
            tci: p.tci(),
        };
        assert_eq!(tag.pcp(), 5);
        assert!(tag.dei());
        assert_eq!(tag.vid(), 100);
        assert_eq!(p.ethertype(), 0x0800);
        assert_eq!(p.payload(), &[0x45]);
    }

    #[test]
    fn check_len_rejects_short_tag() {
        let e = Packet::new_checked(&[0x00, 0x64, 0x08][..]).unwrap_err();
        assert_eq!((e.layer, e.offset), (Layer::Vlan, 0));
    }

    #[test]
    fn emit_round_trips() {
        let mut buf = [0u8; 4];
        let mut p = Packet::new_unchecked(&mut buf[..]);
        p.set_tci(0x2fff);
        p.set_ethertype(0x86dd);
        assert_eq!(buf, [0x2f, 0xff, 0x86, 0xdd]);
    }

    #[test]
    fn stack_keeps_order_and_refuses_fifth_tag() {
        let mut s = VlanStack::new();
        for (i, vid) in [10u16, 20, 30, 40].into_iter().enumerate() {
            s.push(
                VlanTag {
                    tpid: 0x8100,
                    tci: vid,
                },
                12 + 4 * i,
            )
            .unwrap();
        }
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![10, 20, 30, 40]);
        assert_eq!((s.outer(), s.inner(), s.len()), (Some(10), Some(40), 4));
        let e = s
            .push(
                VlanTag {
                    tpid: 0x8100,
                    tci: 50,
                },
                28,
            )
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::TooManyVlanTags { max: 4 });
        assert_eq!(e.offset, 28);
        assert_eq!(s.len(), 4);
    }
}
