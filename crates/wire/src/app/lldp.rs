//! LLDP data units (IEEE 802.1AB-2016 §8), EtherType 0x88CC: what a device
//! says about itself to its neighbours (system name and description,
//! chassis and port ids, capabilities, management address).
//!
//! ```text
//! | type (7 bits) | length (9 bits) | value (length octets) | ... | 0 0 (End)
//! ```

use super::{bad_field, be16, truncated, Proto, Result};

/// The EtherType of LLDP.
pub const ETHER_TYPE: u16 = 0x88CC;

/// TLV types (IEEE 802.1AB-2016 Table 8-1).
pub mod tlv {
    pub const END: u8 = 0;
    pub const CHASSIS_ID: u8 = 1;
    pub const PORT_ID: u8 = 2;
    pub const TTL: u8 = 3;
    pub const PORT_DESCRIPTION: u8 = 4;
    pub const SYSTEM_NAME: u8 = 5;
    pub const SYSTEM_DESCRIPTION: u8 = 6;
    pub const CAPABILITIES: u8 = 7;
    pub const MANAGEMENT_ADDRESS: u8 = 8;
    pub const ORGANIZATION: u8 = 127;
}

/// One TLV: its type, value and the value's offset in the LLDPDU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tlv<'a> {
    pub kind: u8,
    pub offset: usize,
    pub value: &'a [u8],
}

/// The TLVs of an LLDPDU, up to the End TLV or the end of the buffer; a
/// TLV whose length runs past the buffer ends the walk with an error.
#[derive(Clone, Debug)]
pub struct Tlvs<'a> {
    b: &'a [u8],
    pos: usize,
    done: bool,
}

/// The TLVs of `lldpdu` (the frame's payload after the EtherType).
pub fn tlvs(lldpdu: &[u8]) -> Tlvs<'_> {
    Tlvs {
        b: lldpdu,
        pos: 0,
        done: false,
    }
}

impl<'a> Iterator for Tlvs<'a> {
    type Item = Result<Tlv<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.pos >= self.b.len() {
            return None;
        }
        let Some(h) = be16(self.b, self.pos) else {
            self.done = true;
            return Some(Err(truncated(
                Proto::Lldp,
                self.pos,
                2,
                self.b.len() - self.pos,
            )));
        };
        let kind = (h >> 9) as u8;
        let len = usize::from(h & 0x1ff);
        let start = self.pos + 2;
        if kind == tlv::END {
            self.done = true;
            return None;
        }
        let Some(value) = self.b.get(start..start + len) else {
            self.done = true;
            return Some(Err(truncated(
                Proto::Lldp,
                start,
                len,
                self.b.len() - start,
            )));
        };
        self.pos = start + len;
        Some(Ok(Tlv {
            kind,
            offset: start,
            value,
        }))
    }
}

/// The first TLV of type `kind` among the well-formed leading TLVs.
pub fn find(lldpdu: &[u8], kind: u8) -> Option<&[u8]> {
    tlvs(lldpdu)
        .map_while(|t| t.ok())
        .find(|t| t.kind == kind)
        .map(|t| t.value)
}

/// The system name (TLV 5).
pub fn system_name(lldpdu: &[u8]) -> Option<&[u8]> {
    find(lldpdu, tlv::SYSTEM_NAME)
}

/// The system description (TLV 6).
pub fn system_description(lldpdu: &[u8]) -> Option<&[u8]> {
    find(lldpdu, tlv::SYSTEM_DESCRIPTION)
}

/// The port description (TLV 4).
pub fn port_description(lldpdu: &[u8]) -> Option<&[u8]> {
    find(lldpdu, tlv::PORT_DESCRIPTION)
}

/// The enabled capabilities (TLV 7, second 16-bit field): bit 2 bridge,
/// 3 WLAN access point, 4 router, 5 telephone, 7 station only (§8.5.8).
pub fn capabilities(lldpdu: &[u8]) -> Option<u16> {
    find(lldpdu, tlv::CAPABILITIES).and_then(|v| be16(v, 2))
}

/// The first IPv4 management address (TLV 8 with address subtype 1, IANA
/// address family numbers).
pub fn management_ipv4(lldpdu: &[u8]) -> Option<[u8; 4]> {
    tlvs(lldpdu)
        .map_while(|t| t.ok())
        .filter(|t| t.kind == tlv::MANAGEMENT_ADDRESS)
        .find_map(|t| match t.value {
            [5, 1, a, b, c, d, ..] => Some([*a, *b, *c, *d]),
            _ => None,
        })
}

/// Checks that every TLV up to End fits the buffer.
///
/// # Errors
/// The first TLV cut short, or a first TLV that is not the Chassis ID
/// (§8.2: the first three TLVs are mandatory, in order).
pub fn check(lldpdu: &[u8]) -> Result<()> {
    let mut first = true;
    for t in tlvs(lldpdu) {
        let t = t?;
        if first && t.kind != tlv::CHASSIS_ID {
            return Err(bad_field(Proto::Lldp, 0, "tlv_type", u32::from(t.kind)));
        }
        first = false;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tlvs_stop_at_end_and_report_a_cut_value() {
        // Chassis id (type 1, length 7: subtype 4 MAC), End.
        let b = [0x02, 0x07, 4, 0, 1, 2, 3, 4, 5, 0, 0];
        assert!(check(&b).is_ok());
        assert_eq!(tlvs(&b).count(), 1);
        let cut = &b[..6];
        let e = check(cut).unwrap_err();
        assert!(e.is_truncation());
        assert_eq!(e.offset, 2);
        assert!(check(&[0x0a, 0x00]).is_err());
        assert_eq!(system_name(&[0x0a]), None);
    }
}
