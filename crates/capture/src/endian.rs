//! Byte order as a type parameter.
//!
//! Every multi-byte field of a capture file is in the byte order of the file
//! (classic pcap) or of the section (pcapng). The parsers are generic over
//! [`Endian`], so the byte order is chosen once per record or block instead
//! of in every getter.

/// Byte order of a pcap file or a pcapng section.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ByteOrder {
    /// Least significant byte first.
    Little,
    /// Most significant byte first.
    Big,
}

impl ByteOrder {
    /// `little-endian` or `big-endian`.
    pub fn name(self) -> &'static str {
        match self {
            ByteOrder::Little => "little-endian",
            ByteOrder::Big => "big-endian",
        }
    }
}

/// Reads fixed-size integers in one byte order.
pub(crate) trait Endian {
    const ORDER: ByteOrder;
    fn from2(b: [u8; 2]) -> u16;
    fn from4(b: [u8; 4]) -> u32;
    fn from8(b: [u8; 8]) -> u64;

    /// The `u16` at `at`. The caller has checked that `b` holds it.
    #[inline]
    fn u16(b: &[u8], at: usize) -> u16 {
        Self::from2(array(b, at))
    }
    /// The `u32` at `at`. The caller has checked that `b` holds it.
    #[inline]
    fn u32(b: &[u8], at: usize) -> u32 {
        Self::from4(array(b, at))
    }
    /// The `u64` at `at`. The caller has checked that `b` holds it.
    #[inline]
    fn u64(b: &[u8], at: usize) -> u64 {
        Self::from8(array(b, at))
    }
}

/// Little-endian.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Le;
/// Big-endian.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Be;

impl Endian for Le {
    const ORDER: ByteOrder = ByteOrder::Little;
    #[inline]
    fn from2(b: [u8; 2]) -> u16 {
        u16::from_le_bytes(b)
    }
    #[inline]
    fn from4(b: [u8; 4]) -> u32 {
        u32::from_le_bytes(b)
    }
    #[inline]
    fn from8(b: [u8; 8]) -> u64 {
        u64::from_le_bytes(b)
    }
}

impl Endian for Be {
    const ORDER: ByteOrder = ByteOrder::Big;
    #[inline]
    fn from2(b: [u8; 2]) -> u16 {
        u16::from_be_bytes(b)
    }
    #[inline]
    fn from4(b: [u8; 4]) -> u32 {
        u32::from_be_bytes(b)
    }
    #[inline]
    fn from8(b: [u8; 8]) -> u64 {
        u64::from_be_bytes(b)
    }
}

/// `N` bytes of `b` starting at `at`; the caller guarantees they exist.
#[inline]
fn array<const N: usize>(b: &[u8], at: usize) -> [u8; N] {
    let mut a = [0u8; N];
    a.copy_from_slice(&b[at..at + N]);
    a
}

/// Reads a `u32` in a byte order known only at run time.
#[inline]
pub(crate) fn u32_in(order: ByteOrder, b: &[u8], at: usize) -> u32 {
    match order {
        ByteOrder::Little => Le::u32(b, at),
        ByteOrder::Big => Be::u32(b, at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_width_in_both_orders() {
        let b = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09];
        assert_eq!(Le::u16(&b, 1), 0x0302);
        assert_eq!(Be::u16(&b, 1), 0x0203);
        assert_eq!(Le::u32(&b, 0), 0x0403_0201);
        assert_eq!(Be::u32(&b, 0), 0x0102_0304);
        assert_eq!(Le::u64(&b, 1), 0x0908_0706_0504_0302);
        assert_eq!(Be::u64(&b, 1), 0x0203_0405_0607_0809);
        assert_eq!(u32_in(ByteOrder::Big, &b, 4), 0x0506_0708);
    }
}
