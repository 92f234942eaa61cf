//! Cisco Discovery Protocol, version 1 and 2 (LLC/SNAP, OUI 00-00-0C,
//! protocol id 0x2000): a 4-octet header (version, TTL, checksum) and TLVs
//! of type (16), length (16, including the 4-octet TLV header) and value.
//! Cisco phones and switches, and many AV endpoints, announce their device
//! id, platform and software version this way.

use super::{bad_field, be16, truncated, Proto, Result};

/// The SNAP organisation and protocol id of CDP.
pub const SNAP_OUI: [u8; 3] = [0x00, 0x00, 0x0c];
pub const SNAP_PROTOCOL_ID: u16 = 0x2000;

/// TLV types.
pub mod tlv {
    pub const DEVICE_ID: u16 = 0x0001;
    pub const ADDRESSES: u16 = 0x0002;
    pub const PORT_ID: u16 = 0x0003;
    pub const CAPABILITIES: u16 = 0x0004;
    pub const SOFTWARE_VERSION: u16 = 0x0005;
    pub const PLATFORM: u16 = 0x0006;
}

/// One TLV.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tlv<'a> {
    pub kind: u16,
    pub offset: usize,
    pub value: &'a [u8],
}

/// The TLVs after the header; a TLV shorter than its header or running
/// past the buffer ends the walk with an error.
#[derive(Clone, Debug)]
pub struct Tlvs<'a> {
    b: &'a [u8],
    pos: usize,
    done: bool,
}

/// Checks the header (4 octets, version 1 or 2) and returns the TLVs.
///
/// # Errors
/// A header cut short or an unknown version.
pub fn tlvs(cdp: &[u8]) -> Result<Tlvs<'_>> {
    if cdp.len() < 4 {
        return Err(truncated(Proto::Cdp, 0, 4, cdp.len()));
    }
    if !matches!(cdp[0], 1 | 2) {
        return Err(bad_field(Proto::Cdp, 0, "version", u32::from(cdp[0])));
    }
    Ok(Tlvs {
        b: cdp,
        pos: 4,
        done: false,
    })
}

impl<'a> Iterator for Tlvs<'a> {
    type Item = Result<Tlv<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.pos >= self.b.len() {
            return None;
        }
        let (Some(kind), Some(len)) = (be16(self.b, self.pos), be16(self.b, self.pos + 2)) else {
            self.done = true;
            return Some(Err(truncated(
                Proto::Cdp,
                self.pos,
                4,
                self.b.len() - self.pos,
            )));
        };
        let len = usize::from(len);
        if len < 4 {
            self.done = true;
            return Some(Err(bad_field(
                Proto::Cdp,
                self.pos + 2,
                "tlv_length",
                len as u32,
            )));
        }
        let Some(value) = self.b.get(self.pos + 4..self.pos + len) else {
            self.done = true;
            return Some(Err(truncated(
                Proto::Cdp,
                self.pos,
                len,
                self.b.len() - self.pos,
            )));
        };
        let offset = self.pos + 4;
        self.pos += len;
        Some(Ok(Tlv {
            kind,
            offset,
            value,
        }))
    }
}

/// The first TLV of type `kind` among the well-formed leading TLVs.
pub fn find(cdp: &[u8], kind: u16) -> Option<&[u8]> {
    tlvs(cdp)
        .ok()?
        .map_while(|t| t.ok())
        .find(|t| t.kind == kind)
        .map(|t| t.value)
}

/// The first IPv4 address of the Addresses TLV (count (32), then per
/// address: protocol type 1 (NLPID), length 1, protocol 0xCC, address
/// length 4, the address).
pub fn first_ipv4(cdp: &[u8]) -> Option<[u8; 4]> {
    match find(cdp, tlv::ADDRESSES)? {
        [_, _, _, _, 1, 1, 0xcc, 0, 4, a, b, c, d, ..] => Some([*a, *b, *c, *d]),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tlvs_need_a_known_version_and_whole_values() {
        // Version 2, TTL 180, checksum, Device ID "S1".
        let b = [2, 180, 0, 0, 0, 1, 0, 6, b'S', b'1'];
        assert_eq!(find(&b, tlv::DEVICE_ID), Some(&b"S1"[..]));
        assert!(tlvs(&[3, 180, 0, 0]).is_err());
        assert!(tlvs(&b[..3]).is_err());
        let cut: Vec<_> = tlvs(&b[..9]).unwrap().collect();
        assert!(cut[0].is_err());
        let zero = [2, 180, 0, 0, 0, 1, 0, 0];
        assert!(tlvs(&zero).unwrap().next().unwrap().is_err());
    }
}
