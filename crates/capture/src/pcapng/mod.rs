//! pcapng blocks, one file per block type.
//!
//! Every block is `type(4) total_length(4) body total_length(4)`, with the
//! total length a multiple of 4 and repeated at the end; all fields use the
//! byte order of the section (pcapng specification, draft-ietf-opsawg-pcapng
//! §3.1). The parsers here take a whole, framing-checked block and return
//! plain integers and offsets; the reader owns the state.

pub(crate) mod enhanced_packet;
pub(crate) mod interface_description;
pub(crate) mod interface_statistics;
pub(crate) mod options;
pub(crate) mod packet;
pub(crate) mod section_header;
pub(crate) mod simple_packet;

use crate::endian::Endian;

/// Section Header Block; the value reads the same in both byte orders.
pub(crate) const SHB: u32 = 0x0a0d_0d0a;
/// Interface Description Block.
pub(crate) const IDB: u32 = 0x0000_0001;
/// Packet Block (obsolete).
pub(crate) const PB: u32 = 0x0000_0002;
/// Simple Packet Block.
pub(crate) const SPB: u32 = 0x0000_0003;
/// Name Resolution Block.
pub(crate) const NRB: u32 = 0x0000_0004;
/// Interface Statistics Block.
pub(crate) const ISB: u32 = 0x0000_0005;
/// Enhanced Packet Block.
pub(crate) const EPB: u32 = 0x0000_0006;
/// systemd Journal Export Block.
pub(crate) const SJE: u32 = 0x0000_0009;
/// Decryption Secrets Block.
pub(crate) const DSB: u32 = 0x0000_000a;
/// Custom Block that rewriters may copy.
pub(crate) const CUSTOM: u32 = 0x0000_0bad;
/// Custom Block that rewriters must not copy.
pub(crate) const CUSTOM_NO_COPY: u32 = 0x4000_0bad;

/// Type, length and trailer: the smallest possible block.
pub(crate) const MIN_BLOCK_LEN: u32 = 12;

/// Smallest total length of a block of a type this crate knows, or `None`
/// for a type it does not know (used to judge candidates when
/// resynchronising).
pub(crate) fn min_len(block_type: u32) -> Option<u32> {
    Some(match block_type {
        SHB => section_header::MIN_LEN,
        IDB => interface_description::MIN_LEN,
        PB => packet::MIN_LEN,
        SPB => simple_packet::MIN_LEN,
        NRB => MIN_BLOCK_LEN,
        ISB => interface_statistics::MIN_LEN,
        EPB => enhanced_packet::MIN_LEN,
        SJE => MIN_BLOCK_LEN,
        DSB => 20,
        CUSTOM | CUSTOM_NO_COPY => 16,
        _ => return None,
    })
}

/// Rounds up to the 32-bit boundary that block contents are padded to.
#[inline]
pub(crate) fn pad4(n: usize) -> usize {
    (n + 3) & !3
}

/// Whether `block` (framing already checked) looks like a real block of
/// the current section: its fixed fields fit, and a packet block names an
/// interface the section has. Used to judge resynchronisation candidates,
/// so that a stray `01 00 00 00` in packet data is not taken for a block.
pub(crate) fn plausible_body<E: Endian>(block_type: u32, block: &[u8], interfaces: u32) -> bool {
    match block_type {
        EPB => enhanced_packet::parse::<E>(block).is_ok_and(|p| p.interface_id < interfaces),
        PB => packet::parse::<E>(block).is_ok_and(|p| u32::from(p.interface_id) < interfaces),
        SPB => interfaces > 0,
        ISB => interface_statistics::interface_id::<E>(block).is_some_and(|id| id < interfaces),
        IDB => interface_description::parse::<E>(block).is_ok(),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_to_four() {
        assert_eq!(pad4(0), 0);
        assert_eq!(pad4(1), 4);
        assert_eq!(pad4(4), 4);
        assert_eq!(pad4(61), 64);
    }

    #[test]
    fn known_types_have_minimum_lengths_from_the_spec() {
        // SHB: 12 framing + magic 4 + versions 4 + section length 8.
        assert_eq!(min_len(SHB), Some(28));
        // IDB: 12 + link type 2 + reserved 2 + snaplen 4.
        assert_eq!(min_len(IDB), Some(20));
        // EPB: 12 + interface 4 + timestamp 8 + caplen 4 + len 4.
        assert_eq!(min_len(EPB), Some(32));
        // SPB: 12 + original length 4.
        assert_eq!(min_len(SPB), Some(16));
        // ISB: 12 + interface 4 + timestamp 8.
        assert_eq!(min_len(ISB), Some(24));
        assert_eq!(min_len(0x0000_0bac), None);
    }
}
