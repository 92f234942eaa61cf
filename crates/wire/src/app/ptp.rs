//! PTP messages: version 1 (IEEE 1588-2002, Dante's native clock) and
//! version 2 (IEEE 1588-2008/2019).
//!
//! The same bytes arrive as the payload of UDP 319/320 or of an Ethernet
//! frame with EtherType 0x88F7 (version 2 only); the views take that
//! payload in both cases.
//!
//! Telling the versions apart (the project's domain notes, §4.1, after
//! Wireshark): version 1 when the first 16-bit word (versionPTP) is 1;
//! version 2 when the low nibble of octet 1 (versionPTP) is 2, its high
//! nibble being minorVersionPTP (1 in 1588-2019).
//!
//! Version 2 common header, 34 octets (IEEE 1588-2008 §13.3):
//!
//! | Off | Field |
//! |---|---|
//! | 0 | transportSpecific / majorSdoId (hi 4) · messageType (lo 4) |
//! | 1 | minorVersionPTP (hi 4) · versionPTP (lo 4) |
//! | 2 | messageLength |
//! | 4 | domainNumber |
//! | 5 | minorSdoId / reserved |
//! | 6 | flagField |
//! | 8 | correctionField (ns · 2^16) |
//! | 16 | messageTypeSpecific |
//! | 20 | sourcePortIdentity: clockIdentity (8) + portNumber (2) |
//! | 30 | sequenceId |
//! | 32 | controlField |
//! | 33 | logMessageInterval |
//!
//! Version 1 header, 40 octets (IEEE 1588-2002 §6.2.3), and the Sync /
//! Delay_Req body that carries the grandmaster's data (the best-master
//! data that version 2 moved to Announce): offsets as in the domain
//! notes §4.2 and Wireshark's PTPv1 dissector.

use super::{
    app_view, array, bad_field, be16, be32, check_min_len, length_mismatch, Proto, Result,
};

/// The UDP port of event messages.
pub const EVENT_PORT: u16 = 319;
/// The UDP port of general messages.
pub const GENERAL_PORT: u16 = 320;
/// The EtherType of PTP over Ethernet (IEEE 1588 Annex F).
pub const ETHER_TYPE: u16 = 0x88F7;

/// The PTP version of a message, as told from its first octets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Version {
    /// IEEE 1588-2002.
    V1,
    /// IEEE 1588-2008 (minor version 0) or -2019 (minor version 1).
    V2 {
        /// minorVersionPTP.
        minor: u8,
    },
}

/// The version of the PTP message `bytes`, or `None` when it is neither.
pub fn version(bytes: &[u8]) -> Option<Version> {
    if be16(bytes, 0)? == 1 {
        return Some(Version::V1);
    }
    let b1 = *bytes.get(1)?;
    if b1 & 0x0f == 2 {
        return Some(Version::V2 { minor: b1 >> 4 });
    }
    None
}

/// Version 2 message types (IEEE 1588-2008 Table 19).
pub mod message_type {
    /// Sync (event).
    pub const SYNC: u8 = 0x0;
    /// Delay_Req (event).
    pub const DELAY_REQ: u8 = 0x1;
    /// Pdelay_Req (event).
    pub const PDELAY_REQ: u8 = 0x2;
    /// Pdelay_Resp (event).
    pub const PDELAY_RESP: u8 = 0x3;
    /// Follow_Up (general).
    pub const FOLLOW_UP: u8 = 0x8;
    /// Delay_Resp (general).
    pub const DELAY_RESP: u8 = 0x9;
    /// Pdelay_Resp_Follow_Up (general).
    pub const PDELAY_RESP_FOLLOW_UP: u8 = 0xA;
    /// Announce (general).
    pub const ANNOUNCE: u8 = 0xB;
    /// Signaling (general).
    pub const SIGNALING: u8 = 0xC;
    /// Management (general).
    pub const MANAGEMENT: u8 = 0xD;

    /// The name of a version 2 message type.
    pub const fn name(t: u8) -> Option<&'static str> {
        Some(match t {
            SYNC => "Sync",
            DELAY_REQ => "Delay_Req",
            PDELAY_REQ => "Pdelay_Req",
            PDELAY_RESP => "Pdelay_Resp",
            FOLLOW_UP => "Follow_Up",
            DELAY_RESP => "Delay_Resp",
            PDELAY_RESP_FOLLOW_UP => "Pdelay_Resp_Follow_Up",
            ANNOUNCE => "Announce",
            SIGNALING => "Signaling",
            MANAGEMENT => "Management",
            _ => return None,
        })
    }

    /// Event messages (0-3) are timestamped and go to port 319.
    pub const fn is_event(t: u8) -> bool {
        t <= PDELAY_RESP
    }
}

/// Version 2 flagField bits (IEEE 1588-2008 Table 20), as a u16 with
/// octet 6 in the high byte.
pub mod flags {
    /// alternateMasterFlag.
    pub const ALTERNATE_MASTER: u16 = 0x0100;
    /// twoStepFlag.
    pub const TWO_STEP: u16 = 0x0200;
    /// unicastFlag.
    pub const UNICAST: u16 = 0x0400;
    /// leap61.
    pub const LEAP61: u16 = 0x0001;
    /// leap59.
    pub const LEAP59: u16 = 0x0002;
    /// currentUtcOffsetValid.
    pub const UTC_OFFSET_VALID: u16 = 0x0004;
    /// ptpTimescale.
    pub const PTP_TIMESCALE: u16 = 0x0008;
    /// timeTraceable.
    pub const TIME_TRACEABLE: u16 = 0x0010;
    /// frequencyTraceable.
    pub const FREQUENCY_TRACEABLE: u16 = 0x0020;
}

/// A port identity: clock identity and port number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PortIdentity {
    /// clockIdentity (EUI-64, often a MAC with FF:FE inserted).
    pub clock_identity: [u8; 8],
    /// portNumber.
    pub port_number: u16,
}

/// Length of the version 2 common header.
pub const HEADER_LEN: usize = 34;
/// Length of a version 2 Announce message.
pub const ANNOUNCE_LEN: usize = 64;

app_view! {
    /// A read-only view of a version 2 PTP message.
    pub struct Packet<T>;
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Checks that the common header is present and that versionPTP is 2.
    /// messageLength is not required to match the buffer (see
    /// [`Packet::check_message_length`]).
    pub fn check_len(&self) -> Result<()> {
        let b = self.buffer.as_ref();
        check_min_len(b, Proto::Ptp, HEADER_LEN)?;
        if b[1] & 0x0f != 2 {
            return Err(bad_field(
                Proto::Ptp,
                1,
                "version_ptp",
                u32::from(b[1] & 0x0f),
            ));
        }
        Ok(())
    }

    /// Checks messageLength against the buffer: at least the header, at
    /// most the buffer (UDP may pad; Ethernet frames are padded to 60).
    pub fn check_message_length(&self) -> Result<()> {
        let len = usize::from(self.message_length());
        let have = self.buffer.as_ref().len();
        if len < HEADER_LEN {
            return Err(bad_field(Proto::Ptp, 2, "message_length", len as u32));
        }
        if len > have {
            return Err(length_mismatch(Proto::Ptp, 2, "message_length", len, have));
        }
        Ok(())
    }

    fn b(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    /// transportSpecific (1588-2008) / majorSdoId (1588-2019).
    #[inline]
    pub fn major_sdo_id(&self) -> u8 {
        self.b()[0] >> 4
    }

    /// messageType ([`message_type`]).
    #[inline]
    pub fn message_type(&self) -> u8 {
        self.b()[0] & 0x0f
    }

    /// versionPTP (2).
    #[inline]
    pub fn version_ptp(&self) -> u8 {
        self.b()[1] & 0x0f
    }

    /// minorVersionPTP (0 for 1588-2008, 1 for 1588-2019).
    #[inline]
    pub fn minor_version_ptp(&self) -> u8 {
        self.b()[1] >> 4
    }

    /// messageLength.
    #[inline]
    pub fn message_length(&self) -> u16 {
        be16(self.b(), 2).unwrap_or(0)
    }

    /// domainNumber.
    #[inline]
    pub fn domain_number(&self) -> u8 {
        self.b()[4]
    }

    /// minorSdoId (1588-2019; reserved before).
    #[inline]
    pub fn minor_sdo_id(&self) -> u8 {
        self.b()[5]
    }

    /// flagField ([`flags`]).
    #[inline]
    pub fn flag_field(&self) -> u16 {
        be16(self.b(), 6).unwrap_or(0)
    }

    /// twoStepFlag.
    #[inline]
    pub fn two_step(&self) -> bool {
        self.flag_field() & flags::TWO_STEP != 0
    }

    /// unicastFlag.
    #[inline]
    pub fn unicast(&self) -> bool {
        self.flag_field() & flags::UNICAST != 0
    }

    /// correctionField, in nanoseconds · 2^16.
    #[inline]
    pub fn correction_field(&self) -> i64 {
        array::<8>(self.b(), 8).map_or(0, i64::from_be_bytes)
    }

    /// messageTypeSpecific.
    #[inline]
    pub fn message_type_specific(&self) -> u32 {
        be32(self.b(), 16).unwrap_or(0)
    }

    /// sourcePortIdentity.
    #[inline]
    pub fn source_port_identity(&self) -> PortIdentity {
        PortIdentity {
            clock_identity: array::<8>(self.b(), 20).unwrap_or_default(),
            port_number: be16(self.b(), 28).unwrap_or(0),
        }
    }

    /// sequenceId.
    #[inline]
    pub fn sequence_id(&self) -> u16 {
        be16(self.b(), 30).unwrap_or(0)
    }

    /// controlField (version 1 compatibility; deprecated in 1588-2019).
    #[inline]
    pub fn control_field(&self) -> u8 {
        self.b()[32]
    }

    /// logMessageInterval (log2 seconds; 0x7F = not applicable).
    #[inline]
    pub fn log_message_interval(&self) -> i8 {
        self.b()[33] as i8
    }

    /// The message body after the common header, bounded by messageLength
    /// when that fits the buffer.
    pub fn body(&self) -> &[u8] {
        let b = self.b();
        let end = usize::from(self.message_length()).clamp(HEADER_LEN, b.len());
        &b[HEADER_LEN..end]
    }

    /// The Announce body, for an Announce message whose 64 octets are present.
    pub fn announce(&self) -> Option<Announce> {
        if self.message_type() != message_type::ANNOUNCE {
            return None;
        }
        Announce::read(self.b())
    }
}

/// The body of a version 2 Announce (IEEE 1588-2008 §13.5): the
/// grandmaster's data the best master clock algorithm compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Announce {
    /// originTimestamp seconds (48 bits).
    pub origin_seconds: u64,
    /// originTimestamp nanoseconds.
    pub origin_nanoseconds: u32,
    /// currentUtcOffset.
    pub current_utc_offset: i16,
    /// grandmasterPriority1.
    pub grandmaster_priority1: u8,
    /// grandmasterClockQuality.clockClass.
    pub clock_class: u8,
    /// grandmasterClockQuality.clockAccuracy.
    pub clock_accuracy: u8,
    /// grandmasterClockQuality.offsetScaledLogVariance.
    pub offset_scaled_log_variance: u16,
    /// grandmasterPriority2.
    pub grandmaster_priority2: u8,
    /// grandmasterIdentity.
    pub grandmaster_identity: [u8; 8],
    /// stepsRemoved.
    pub steps_removed: u16,
    /// timeSource.
    pub time_source: u8,
}

impl Announce {
    fn read(b: &[u8]) -> Option<Announce> {
        let s = array::<6>(b, 34)?;
        Some(Announce {
            origin_seconds: u64::from_be_bytes([0, 0, s[0], s[1], s[2], s[3], s[4], s[5]]),
            origin_nanoseconds: be32(b, 40)?,
            current_utc_offset: be16(b, 44)? as i16,
            grandmaster_priority1: *b.get(47)?,
            clock_class: *b.get(48)?,
            clock_accuracy: *b.get(49)?,
            offset_scaled_log_variance: be16(b, 50)?,
            grandmaster_priority2: *b.get(52)?,
            grandmaster_identity: array::<8>(b, 53)?,
            steps_removed: be16(b, 61)?,
            time_source: *b.get(63)?,
        })
    }
}

/// Length of the version 1 header.
pub const V1_HEADER_LEN: usize = 40;
/// Length of a version 1 Sync or Delay_Req message.
pub const V1_SYNC_LEN: usize = 124;

/// Version 1 control values (IEEE 1588-2002 Table 23).
pub mod v1_control {
    /// Sync.
    pub const SYNC: u8 = 0;
    /// Delay_Req.
    pub const DELAY_REQ: u8 = 1;
    /// Follow_Up.
    pub const FOLLOW_UP: u8 = 2;
    /// Delay_Resp.
    pub const DELAY_RESP: u8 = 3;
    /// Management.
    pub const MANAGEMENT: u8 = 4;
}

app_view! {
    /// A read-only view of a version 1 PTP message.
    pub struct V1Packet<T>;
}

impl<T: AsRef<[u8]>> V1Packet<T> {
    /// Checks that the 40-octet header is present and versionPTP is 1.
    pub fn check_len(&self) -> Result<()> {
        let b = self.buffer.as_ref();
        check_min_len(b, Proto::Ptp, V1_HEADER_LEN)?;
        let v = be16(b, 0).unwrap_or(0);
        if v != 1 {
            return Err(bad_field(Proto::Ptp, 0, "version_ptp", u32::from(v)));
        }
        Ok(())
    }

    fn b(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    /// versionNetwork.
    #[inline]
    pub fn version_network(&self) -> u16 {
        be16(self.b(), 2).unwrap_or(0)
    }

    /// subdomain, without its NUL padding (`_DFLT`, `_ALT1`, ...).
    pub fn subdomain(&self) -> &[u8] {
        let s = &self.b()[4..20];
        let end = s.iter().position(|&c| c == 0).unwrap_or(s.len());
        &s[..end]
    }

    /// messageType (1 event, 2 general).
    #[inline]
    pub fn message_type(&self) -> u8 {
        self.b()[20]
    }

    /// sourceCommunicationTechnology (1 = Ethernet).
    #[inline]
    pub fn source_communication_technology(&self) -> u8 {
        self.b()[21]
    }

    /// sourceUuid (the MAC address for Ethernet).
    #[inline]
    pub fn source_uuid(&self) -> [u8; 6] {
        array::<6>(self.b(), 22).unwrap_or_default()
    }

    /// sourcePortId.
    #[inline]
    pub fn source_port_id(&self) -> u16 {
        be16(self.b(), 28).unwrap_or(0)
    }

    /// sequenceId.
    #[inline]
    pub fn sequence_id(&self) -> u16 {
        be16(self.b(), 30).unwrap_or(0)
    }

    /// control ([`v1_control`]).
    #[inline]
    pub fn control(&self) -> u8 {
        self.b()[32]
    }

    /// flags (PTP_LI_61 0x0001, PTP_LI_59 0x0002, PTP_BOUNDARY_CLOCK
    /// 0x0004, PTP_ASSIST 0x0008, PTP_EXT_SYNC 0x0010, PARENT_STATS 0x0020,
    /// PTP_SYNC_BURST 0x0040).
    #[inline]
    pub fn flags(&self) -> u16 {
        be16(self.b(), 34).unwrap_or(0)
    }

    /// The Sync / Delay_Req body, when the control says so and its 124
    /// octets are present.
    pub fn sync(&self) -> Option<V1Sync> {
        match self.control() {
            v1_control::SYNC | v1_control::DELAY_REQ => V1Sync::read(self.b()),
            _ => None,
        }
    }
}

/// The body of a version 1 Sync or Delay_Req (IEEE 1588-2002 §6.2.4):
/// the sender's grandmaster, its own clock and its parent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct V1Sync {
    /// originTimestamp seconds.
    pub origin_seconds: u32,
    /// originTimestamp nanoseconds (signed in 1588-2002).
    pub origin_nanoseconds: i32,
    /// epochNumber.
    pub epoch_number: u16,
    /// currentUTCOffset.
    pub current_utc_offset: i16,
    /// grandmasterCommunicationTechnology.
    pub grandmaster_communication_technology: u8,
    /// grandmasterClockUuid.
    pub grandmaster_clock_uuid: [u8; 6],
    /// grandmasterPortId.
    pub grandmaster_port_id: u16,
    /// grandmasterSequenceId.
    pub grandmaster_sequence_id: u16,
    /// grandmasterClockStratum.
    pub grandmaster_clock_stratum: u8,
    /// grandmasterClockIdentifier (`ATOM`, `GPS`, `DFLT`, ...).
    pub grandmaster_clock_identifier: [u8; 4],
    /// grandmasterClockVariance.
    pub grandmaster_clock_variance: i16,
    /// grandmasterPreferred.
    pub grandmaster_preferred: bool,
    /// grandmasterIsBoundaryClock.
    pub grandmaster_is_boundary_clock: bool,
    /// syncInterval (log2 seconds).
    pub sync_interval: i8,
    /// localClockVariance.
    pub local_clock_variance: i16,
    /// localStepsRemoved.
    pub local_steps_removed: u16,
    /// localClockStratum.
    pub local_clock_stratum: u8,
    /// localClockIdentifer.
    pub local_clock_identifier: [u8; 4],
    /// parentCommunicationTechnology.
    pub parent_communication_technology: u8,
    /// parentUuid.
    pub parent_uuid: [u8; 6],
    /// parentPortField.
    pub parent_port_field: u16,
    /// estimatedMasterVariance.
    pub estimated_master_variance: i16,
    /// estimatedMasterDrift.
    pub estimated_master_drift: i32,
    /// utcReasonable.
    pub utc_reasonable: bool,
}

impl V1Sync {
    fn read(b: &[u8]) -> Option<V1Sync> {
        if b.len() < V1_SYNC_LEN {
            return None;
        }
        let i16_at = |at| be16(b, at).map(|v| v as i16);
        Some(V1Sync {
            origin_seconds: be32(b, 40)?,
            origin_nanoseconds: be32(b, 44)? as i32,
            epoch_number: be16(b, 48)?,
            current_utc_offset: i16_at(50)?,
            grandmaster_communication_technology: b[53],
            grandmaster_clock_uuid: array::<6>(b, 54)?,
            grandmaster_port_id: be16(b, 60)?,
            grandmaster_sequence_id: be16(b, 62)?,
            grandmaster_clock_stratum: b[67],
            grandmaster_clock_identifier: array::<4>(b, 68)?,
            grandmaster_clock_variance: i16_at(74)?,
            grandmaster_preferred: b[77] != 0,
            grandmaster_is_boundary_clock: b[79] != 0,
            sync_interval: b[83] as i8,
            local_clock_variance: i16_at(86)?,
            local_steps_removed: be16(b, 90)?,
            local_clock_stratum: b[95],
            local_clock_identifier: array::<4>(b, 96)?,
            parent_communication_technology: b[101],
            parent_uuid: array::<6>(b, 102)?,
            parent_port_field: be16(b, 110)?,
            estimated_master_variance: i16_at(114)?,
            estimated_master_drift: be32(b, 116)? as i32,
            utc_reasonable: b[123] != 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An Announce laid out by hand from IEEE 1588-2008 §13.3 and §13.5.
    fn announce() -> [u8; 64] {
        let mut b = [0u8; 64];
        b[0] = 0x0b; // Announce
        b[1] = 0x12; // minor 1, version 2
        b[2..4].copy_from_slice(&64u16.to_be_bytes());
        b[4] = 127; // ST 2059-2 domain
        b[6..8].copy_from_slice(&(flags::UNICAST | flags::PTP_TIMESCALE).to_be_bytes());
        b[8..16].copy_from_slice(&(-5i64 << 16).to_be_bytes());
        b[20..28].copy_from_slice(&[0, 0x1d, 0xc1, 0xff, 0xfe, 1, 2, 3]);
        b[28..30].copy_from_slice(&1u16.to_be_bytes());
        b[30..32].copy_from_slice(&0x4242u16.to_be_bytes());
        b[32] = 5;
        b[33] = 0xfe; // -2
        b[34..40].copy_from_slice(&[0, 0, 0x65, 0, 0, 1]);
        b[44..46].copy_from_slice(&37i16.to_be_bytes());
        b[47] = 128;
        b[48] = 6;
        b[49] = 0x21;
        b[50..52].copy_from_slice(&0x4e5du16.to_be_bytes());
        b[52] = 127;
        b[53..61].copy_from_slice(&[0xaa, 0xbb, 0xcc, 0xff, 0xfe, 0xdd, 0xee, 0x01]);
        b[61..63].copy_from_slice(&2u16.to_be_bytes());
        b[63] = 0x20; // GPS
        b
    }

    #[test]
    fn v2_header_and_announce() {
        let b = announce();
        assert_eq!(version(&b), Some(Version::V2 { minor: 1 }));
        let p = Packet::new_checked(&b[..]).unwrap();
        p.check_message_length().unwrap();
        assert_eq!(
            (p.message_type(), p.version_ptp(), p.minor_version_ptp()),
            (0xb, 2, 1)
        );
        assert_eq!(
            (p.domain_number(), p.unicast(), p.two_step()),
            (127, true, false)
        );
        assert_eq!(p.correction_field() >> 16, -5);
        let id = p.source_port_identity();
        assert_eq!(id.clock_identity, [0, 0x1d, 0xc1, 0xff, 0xfe, 1, 2, 3]);
        assert_eq!(id.port_number, 1);
        assert_eq!(
            (p.sequence_id(), p.control_field(), p.log_message_interval()),
            (0x4242, 5, -2)
        );
        assert_eq!(p.body().len(), 30);
        let a = p.announce().unwrap();
        assert_eq!(a.origin_seconds, 0x6500_0001);
        assert_eq!(a.current_utc_offset, 37);
        assert_eq!(
            (a.grandmaster_priority1, a.grandmaster_priority2),
            (128, 127)
        );
        assert_eq!((a.clock_class, a.clock_accuracy), (6, 0x21));
        assert_eq!(a.offset_scaled_log_variance, 0x4e5d);
        assert_eq!(a.grandmaster_identity[7], 0x01);
        assert_eq!((a.steps_removed, a.time_source), (2, 0x20));
        assert_eq!(message_type::name(p.message_type()), Some("Announce"));
        assert!(!message_type::is_event(p.message_type()));
        // Cut short: the header view still works, the Announce does not.
        let p = Packet::new_checked(&b[..40]).unwrap();
        assert_eq!(p.announce(), None);
        assert!(p.check_message_length().is_err());
    }

    #[test]
    fn v1_told_from_v2() {
        let mut b = [0u8; 124];
        b[0..2].copy_from_slice(&1u16.to_be_bytes());
        b[2..4].copy_from_slice(&1u16.to_be_bytes());
        b[4..9].copy_from_slice(b"_DFLT");
        b[20] = 1;
        b[21] = 1;
        b[22..28].copy_from_slice(&[0, 0x1d, 0xc1, 9, 8, 7]);
        b[32] = v1_control::SYNC;
        b[54..60].copy_from_slice(&[0, 0x1d, 0xc1, 1, 1, 1]);
        b[67] = 3;
        b[68..72].copy_from_slice(b"DFLT");
        b[83] = 0xfd; // syncInterval -3
        assert_eq!(version(&b), Some(Version::V1));
        assert!(Packet::new_checked(&b[..]).is_err());
        let p = V1Packet::new_checked(&b[..]).unwrap();
        assert_eq!(p.subdomain(), b"_DFLT");
        assert_eq!(p.source_uuid(), [0, 0x1d, 0xc1, 9, 8, 7]);
        let s = p.sync().unwrap();
        assert_eq!(s.grandmaster_clock_uuid, [0, 0x1d, 0xc1, 1, 1, 1]);
        assert_eq!((s.grandmaster_clock_stratum, s.sync_interval), (3, -3));
        assert_eq!(&s.grandmaster_clock_identifier, b"DFLT");
        assert!(V1Packet::new_checked(&b[..100]).unwrap().sync().is_none());
        assert_eq!(version(&[0, 3]), None);
        assert_eq!(version(&[0]), None);
    }
}
