//! Application payloads carried by the fixtures, encoded from their
//! specifications: DNS/mDNS (RFC 1035/6762), NTP (RFC 5905), SNMP (BER,
//! RFC 3416), SIP/SDP (RFC 3261/4566), RTP/RTCP (RFC 3550), PTP v1/v2
//! (IEEE 1588-2002/2008), SAP (RFC 2974), TPKT/Q.931 (RFC 1006, H.225.0).

/// A DNS name in wire form (length-prefixed labels, root terminator).
pub fn dns_name(name: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for label in name.trim_end_matches('.').split('.') {
        out.push(label.len() as u8);
        out.extend_from_slice(label.as_bytes());
    }
    out.push(0);
    out
}

/// A DNS query (recursion desired) for `name`, type `qtype`, class IN.
pub fn dns_query(id: u16, name: &str, qtype: u16) -> Vec<u8> {
    let mut m = Vec::new();
    m.extend_from_slice(&id.to_be_bytes());
    m.extend_from_slice(&[0x01, 0x00]); // RD
    m.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, 0]); // QD 1
    m.extend_from_slice(&dns_name(name));
    m.extend_from_slice(&qtype.to_be_bytes());
    m.extend_from_slice(&[0, 1]);
    m
}

/// The answer to [`dns_query`] for an A record, TTL 300, name compressed
/// as a pointer to the question (offset 12).
pub fn dns_a_response(id: u16, name: &str, addr: [u8; 4]) -> Vec<u8> {
    let mut m = Vec::new();
    m.extend_from_slice(&id.to_be_bytes());
    m.extend_from_slice(&[0x81, 0x80]); // QR RD RA
    m.extend_from_slice(&[0, 1, 0, 1, 0, 0, 0, 0]); // QD 1, AN 1
    m.extend_from_slice(&dns_name(name));
    m.extend_from_slice(&[0, 1, 0, 1]);
    m.extend_from_slice(&[0xC0, 0x0C, 0, 1, 0, 1]);
    m.extend_from_slice(&300u32.to_be_bytes());
    m.extend_from_slice(&[0, 4]);
    m.extend_from_slice(&addr);
    m
}

/// An mDNS query (id 0, QU bit clear) for a PTR record.
pub fn mdns_ptr_query(name: &str) -> Vec<u8> {
    let mut m = vec![0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    m.extend_from_slice(&dns_name(name));
    m.extend_from_slice(&[0, 12, 0, 1]);
    m
}

/// An mDNS response announcing `instance` under `service` with an SRV
/// record pointing to `host` on `port` and an A record.
pub fn mdns_announce(
    service: &str,
    instance: &str,
    host: &str,
    port: u16,
    addr: [u8; 4],
) -> Vec<u8> {
    let mut m = vec![0, 0, 0x84, 0x00, 0, 0, 0, 3, 0, 0, 0, 0]; // AA, AN 3
    let full = format!("{instance}.{service}");
    // PTR service -> instance
    m.extend_from_slice(&dns_name(service));
    m.extend_from_slice(&[0, 12, 0, 1]);
    m.extend_from_slice(&4500u32.to_be_bytes());
    let target = dns_name(&full);
    m.extend_from_slice(&(target.len() as u16).to_be_bytes());
    m.extend_from_slice(&target);
    // SRV instance -> host:port (cache-flush bit set)
    m.extend_from_slice(&dns_name(&full));
    m.extend_from_slice(&[0, 33, 0x80, 1]);
    m.extend_from_slice(&120u32.to_be_bytes());
    let host_name = dns_name(host);
    m.extend_from_slice(&((6 + host_name.len()) as u16).to_be_bytes());
    m.extend_from_slice(&[0, 0, 0, 0]);
    m.extend_from_slice(&port.to_be_bytes());
    m.extend_from_slice(&host_name);
    // A host -> addr
    m.extend_from_slice(&host_name);
    m.extend_from_slice(&[0, 1, 0x80, 1]);
    m.extend_from_slice(&120u32.to_be_bytes());
    m.extend_from_slice(&[0, 4]);
    m.extend_from_slice(&addr);
    m
}

/// A 48-octet NTP v4 packet; mode 3 client or 4 server, transmit timestamp
/// in seconds since 1900.
pub fn ntp(mode: u8, stratum: u8, transmit_unix_s: u32) -> Vec<u8> {
    let mut m = vec![0u8; 48];
    m[0] = (4 << 3) | mode; // LI 0, VN 4
    m[1] = stratum;
    m[2] = 6; // poll 64 s
    m[3] = 0xEC; // precision 2^-20
    if mode == 4 {
        m[12..16].copy_from_slice(b"GPS\0");
    }
    let ntp_s = transmit_unix_s.wrapping_add(2_208_988_800);
    m[40..44].copy_from_slice(&ntp_s.to_be_bytes());
    m
}

fn ber_len(n: usize) -> Vec<u8> {
    if n < 128 {
        vec![n as u8]
    } else {
        vec![0x81, n as u8]
    }
}

fn ber(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut v = vec![tag];
    v.extend_from_slice(&ber_len(content.len()));
    v.extend_from_slice(content);
    v
}

fn ber_int(v: u32) -> Vec<u8> {
    let bytes = v.to_be_bytes();
    let mut start = 0;
    while start < 3 && bytes[start] == 0 && bytes[start + 1] & 0x80 == 0 {
        start += 1;
    }
    ber(0x02, &bytes[start..])
}

fn ber_oid(arcs: &[u32]) -> Vec<u8> {
    let mut c = vec![(arcs[0] * 40 + arcs[1]) as u8];
    for &a in &arcs[2..] {
        let mut tmp = vec![(a & 0x7F) as u8];
        let mut x = a >> 7;
        while x > 0 {
            tmp.push(((x & 0x7F) as u8) | 0x80);
            x >>= 7;
        }
        tmp.reverse();
        c.extend_from_slice(&tmp);
    }
    ber(0x06, &c)
}

/// An SNMPv2c message: `pdu_tag` 0xA0 GetRequest, 0xA2 Response, 0xA7
/// SNMPv2-Trap; one variable binding per `(oid, value)` (value already BER).
pub fn snmp_v2c(pdu_tag: u8, request_id: u32, bindings: &[(&[u32], Vec<u8>)]) -> Vec<u8> {
    let mut vbl = Vec::new();
    for (oid, value) in bindings {
        let mut vb = ber_oid(oid);
        vb.extend_from_slice(value);
        vbl.extend_from_slice(&ber(0x30, &vb));
    }
    let mut pdu = ber_int(request_id);
    pdu.extend_from_slice(&ber_int(0)); // error-status
    pdu.extend_from_slice(&ber_int(0)); // error-index
    pdu.extend_from_slice(&ber(0x30, &vbl));
    let mut msg = ber_int(1); // version 2c
    msg.extend_from_slice(&ber(0x04, b"public"));
    msg.extend_from_slice(&ber(pdu_tag, &pdu));
    ber(0x30, &msg)
}

/// An SNMPv2-Trap (RFC 3416 §4.2.6) announcing linkUp: sysUpTime.0 =
/// `uptime` (hundredths of a second), snmpTrapOID.0 = linkUp.
pub fn snmp_link_up_trap(request_id: u32, uptime: u32) -> Vec<u8> {
    let sys_uptime: &[u32] = &[1, 3, 6, 1, 2, 1, 1, 3, 0];
    let snmp_trap_oid: &[u32] = &[1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0];
    let link_up: &[u32] = &[1, 3, 6, 1, 6, 3, 1, 1, 5, 4];
    snmp_v2c(
        0xA7,
        request_id,
        &[
            (sys_uptime, ber_timeticks(uptime)),
            (snmp_trap_oid, ber_oid_value(link_up)),
        ],
    )
}

/// BER NULL (the value of a GetRequest binding).
pub fn ber_null() -> Vec<u8> {
    vec![0x05, 0x00]
}

/// BER OCTET STRING.
pub fn ber_string(s: &str) -> Vec<u8> {
    ber(0x04, s.as_bytes())
}

/// BER TimeTicks.
pub fn ber_timeticks(t: u32) -> Vec<u8> {
    let mut v = ber_int(t);
    v[0] = 0x43;
    v
}

/// BER OBJECT IDENTIFIER as a value.
pub fn ber_oid_value(arcs: &[u32]) -> Vec<u8> {
    ber_oid(arcs)
}

/// An RTP packet (V=2, no padding/extension/CSRC) with `payload`.
pub fn rtp(pt: u8, marker: bool, seq: u16, ts: u32, ssrc: u32, payload: &[u8]) -> Vec<u8> {
    let mut m = vec![0x80, (u8::from(marker) << 7) | (pt & 0x7F)];
    m.extend_from_slice(&seq.to_be_bytes());
    m.extend_from_slice(&ts.to_be_bytes());
    m.extend_from_slice(&ssrc.to_be_bytes());
    m.extend_from_slice(payload);
    m
}

/// A compound RTCP packet: Sender Report (no report blocks) + SDES CNAME.
pub fn rtcp_sr_sdes(
    ssrc: u32,
    ntp_s: u32,
    rtp_ts: u32,
    packets: u32,
    octets: u32,
    cname: &str,
) -> Vec<u8> {
    let mut m = vec![0x80, 200, 0, 6];
    m.extend_from_slice(&ssrc.to_be_bytes());
    m.extend_from_slice(&ntp_s.to_be_bytes());
    m.extend_from_slice(&0u32.to_be_bytes());
    m.extend_from_slice(&rtp_ts.to_be_bytes());
    m.extend_from_slice(&packets.to_be_bytes());
    m.extend_from_slice(&octets.to_be_bytes());
    sdes_cname(&mut m, ssrc, cname);
    m
}

/// A compound RTCP packet: Receiver Report with one report block + SDES CNAME.
pub fn rtcp_rr_sdes(
    ssrc: u32,
    about: u32,
    lost: u32,
    highest_seq: u32,
    jitter: u32,
    cname: &str,
) -> Vec<u8> {
    let mut m = vec![0x81, 201, 0, 7];
    m.extend_from_slice(&ssrc.to_be_bytes());
    m.extend_from_slice(&about.to_be_bytes());
    let fraction = 0u32;
    m.extend_from_slice(&((fraction << 24) | (lost & 0x00FF_FFFF)).to_be_bytes());
    m.extend_from_slice(&highest_seq.to_be_bytes());
    m.extend_from_slice(&jitter.to_be_bytes());
    m.extend_from_slice(&0u32.to_be_bytes()); // LSR
    m.extend_from_slice(&0u32.to_be_bytes()); // DLSR
    sdes_cname(&mut m, ssrc, cname);
    m
}

/// Appends an SDES packet: one chunk for `ssrc` holding a CNAME item and
/// END, padded to 32 bits.
fn sdes_cname(m: &mut Vec<u8>, ssrc: u32, cname: &str) {
    let mut chunk = ssrc.to_be_bytes().to_vec();
    chunk.push(1);
    chunk.push(cname.len() as u8);
    chunk.extend_from_slice(cname.as_bytes());
    chunk.push(0);
    while chunk.len() % 4 != 0 {
        chunk.push(0);
    }
    let words = (4 + chunk.len()) / 4 - 1;
    m.extend_from_slice(&[0x81, 202]);
    m.extend_from_slice(&(words as u16).to_be_bytes());
    m.extend_from_slice(&chunk);
}

/// PTPv1 message control values.
pub mod ptp1 {
    pub const SYNC: u8 = 0;
    pub const DELAY_REQ: u8 = 1;
    pub const FOLLOW_UP: u8 = 2;
    pub const DELAY_RESP: u8 = 3;
}

/// A PTPv1 (IEEE 1588-2002) message in subdomain `_DFLT` from the clock
/// with MAC `uuid`: Sync / Delay_Req are 124 octets, Follow_Up 52,
/// Delay_Resp 60. Sync carries syncInterval (log2 s) at offset 83 and the
/// grandmaster UUID at offset 54.
pub fn ptp_v1(control: u8, uuid: [u8; 6], seq: u16, sync_interval: i8, gm: [u8; 6]) -> Vec<u8> {
    let len = match control {
        ptp1::SYNC | ptp1::DELAY_REQ => 124,
        ptp1::FOLLOW_UP => 52,
        _ => 60,
    };
    let mut m = vec![0u8; len];
    m[0..2].copy_from_slice(&1u16.to_be_bytes()); // versionPTP
    m[2..4].copy_from_slice(&1u16.to_be_bytes()); // versionNetwork
    m[4..9].copy_from_slice(b"_DFLT");
    m[20] = if matches!(control, ptp1::SYNC | ptp1::DELAY_REQ) {
        1
    } else {
        2
    };
    m[21] = 1; // Ethernet
    m[22..28].copy_from_slice(&uuid);
    m[28..30].copy_from_slice(&1u16.to_be_bytes());
    m[30..32].copy_from_slice(&seq.to_be_bytes());
    m[32] = control;
    if control == ptp1::SYNC {
        m[34..36].copy_from_slice(&0x0008u16.to_be_bytes()); // PTP_ASSIST
        m[53] = 1; // grandmasterCommunicationTechnology
        m[54..60].copy_from_slice(&gm);
        m[60..62].copy_from_slice(&1u16.to_be_bytes());
        m[83] = sync_interval as u8;
    }
    m
}

/// PTPv2 message types.
pub mod ptp2 {
    pub const SYNC: u8 = 0x0;
    pub const DELAY_REQ: u8 = 0x1;
    pub const PDELAY_REQ: u8 = 0x2;
    pub const FOLLOW_UP: u8 = 0x8;
    pub const DELAY_RESP: u8 = 0x9;
    pub const ANNOUNCE: u8 = 0xB;
}

/// The PTPv2 clockIdentity of a port with MAC `mac`: the EUI-64 made by
/// inserting FF FE in the middle of the EUI-48.
pub fn ptp_clock_id(mac: [u8; 6]) -> [u8; 8] {
    let m = mac;
    [m[0], m[1], m[2], 0xFF, 0xFE, m[3], m[4], m[5]]
}

/// A PTPv2 (IEEE 1588-2008) message in `domain` from `clock` (EUI-64).
pub fn ptp_v2(kind: u8, domain: u8, clock: [u8; 8], seq: u16, log_interval: i8) -> Vec<u8> {
    let len = match kind {
        ptp2::ANNOUNCE => 64,
        ptp2::DELAY_RESP | ptp2::PDELAY_REQ => 54,
        _ => 44,
    };
    let mut m = vec![0u8; len];
    m[0] = kind & 0x0F;
    m[1] = 0x02;
    m[2..4].copy_from_slice(&(len as u16).to_be_bytes());
    m[4] = domain;
    if kind == ptp2::SYNC {
        m[6] = 0x02; // twoStepFlag
    }
    m[20..28].copy_from_slice(&clock);
    m[28..30].copy_from_slice(&1u16.to_be_bytes());
    m[30..32].copy_from_slice(&seq.to_be_bytes());
    m[32] = match kind {
        ptp2::SYNC => 0,
        ptp2::DELAY_REQ => 1,
        ptp2::FOLLOW_UP => 2,
        ptp2::DELAY_RESP => 3,
        _ => 5,
    };
    m[33] = log_interval as u8;
    if kind == ptp2::ANNOUNCE {
        m[47] = 128; // grandmasterPriority1
        m[48] = 248; // clockClass
        m[49] = 0xFE; // clockAccuracy unknown
        m[50..52].copy_from_slice(&0xFFFFu16.to_be_bytes());
        m[52] = 128; // grandmasterPriority2
        m[53..61].copy_from_slice(&clock);
        m[63] = 0xA0; // timeSource internal oscillator
    }
    m
}

/// A SAP announcement (RFC 2974) of an SDP body from `origin`.
pub fn sap_announce(msg_id: u16, origin: [u8; 4], sdp: &str) -> Vec<u8> {
    let mut m = vec![0x20, 0x00];
    m.extend_from_slice(&msg_id.to_be_bytes());
    m.extend_from_slice(&origin);
    m.extend_from_slice(b"application/sdp\0");
    m.extend_from_slice(sdp.as_bytes());
    m
}

/// A TPKT (RFC 1006) frame around a Q.931 message of `msg_type` with call
/// reference `call_ref` (2 octets), followed by `ies` (information elements).
pub fn tpkt_q931(call_ref: u16, from_destination: bool, msg_type: u8, ies: &[u8]) -> Vec<u8> {
    let mut q = vec![0x08, 0x02];
    let cr = if from_destination {
        call_ref | 0x8000
    } else {
        call_ref
    };
    q.extend_from_slice(&cr.to_be_bytes());
    q.push(msg_type);
    q.extend_from_slice(ies);
    let mut m = vec![0x03, 0x00];
    m.extend_from_slice(&((4 + q.len()) as u16).to_be_bytes());
    m.extend_from_slice(&q);
    m
}

/// Q.931 message types used by H.225.0 call signalling.
pub mod q931 {
    pub const ALERTING: u8 = 0x01;
    pub const CALL_PROCEEDING: u8 = 0x02;
    pub const SETUP: u8 = 0x05;
    pub const CONNECT: u8 = 0x07;
    pub const RELEASE_COMPLETE: u8 = 0x5A;
}

/// A Q.931 Bearer Capability IE (unrestricted digital) and a User-User IE
/// holding `uuie` with protocol discriminator 5 (X.208/X.209, H.225.0).
pub fn q931_ies(uuie: &[u8]) -> Vec<u8> {
    let mut v = vec![0x04, 0x03, 0x88, 0x93, 0xA5];
    v.push(0x7E);
    v.extend_from_slice(&((uuie.len() + 1) as u16).to_be_bytes());
    v.push(0x05);
    v.extend_from_slice(uuie);
    v
}

/// A bit writer for ASN.1 aligned PER (X.691), enough for the H.225.0
/// messages below.
#[derive(Default)]
struct Per {
    out: Vec<u8>,
    bits: usize,
}

impl Per {
    fn bit(&mut self, b: bool) {
        if self.bits % 8 == 0 {
            self.out.push(0);
        }
        if b {
            let last = self.out.len() - 1;
            self.out[last] |= 0x80 >> (self.bits % 8);
        }
        self.bits += 1;
    }

    /// `n` low bits of `v`, most significant first.
    fn bits(&mut self, v: u32, n: u32) {
        for i in (0..n).rev() {
            self.bit(v >> i & 1 == 1);
        }
    }

    fn align(&mut self) {
        self.bits = self.out.len() * 8;
    }

    fn octets(&mut self, o: &[u8]) {
        self.align();
        self.out.extend_from_slice(o);
        self.bits = self.out.len() * 8;
    }

    /// RequestSeqNum, INTEGER (1..65535): two aligned octets holding v - 1.
    fn seq_num(&mut self, v: u16) {
        self.octets(&(v - 1).to_be_bytes());
    }

    /// protocolIdentifier 0.0.8.2250.0.4 (H.225.0 version 4).
    fn protocol_identifier(&mut self) {
        self.octets(&[0x06, 0x00, 0x08, 0x91, 0x4A, 0x00, 0x04]);
    }

    /// TransportAddress, alternative ipAddress: extension bit, 3-bit index
    /// 0, then ip (4 aligned octets) and port (INTEGER 0..65535, 2 octets).
    fn transport(&mut self, addr: [u8; 4], port: u16) {
        self.bits(0, 4);
        self.octets(&addr);
        self.octets(&port.to_be_bytes());
    }

    /// SEQUENCE OF with an unconstrained length: an aligned count octet.
    fn count(&mut self, n: u8) {
        self.octets(&[n]);
    }

    /// EndpointType with only `terminal` present: extension bit, six
    /// presence bits (terminal last), TerminalInfo (extension and
    /// nonStandardData bits), then mc and undefinedNode.
    fn endpoint_type_terminal(&mut self) {
        self.bit(false);
        self.bits(0b000001, 6);
        self.bits(0, 2);
        self.bit(false);
        self.bit(false);
    }

    /// AliasAddress dialledDigits: IA5String (SIZE (1..128)) FROM
    /// "0123456789#*,", 4 bits per character as the index in the sorted
    /// alphabet `#*,0123456789`.
    fn dialled_digits(&mut self, digits: &str) {
        self.bit(false);
        self.bit(false);
        self.bits(digits.len() as u32 - 1, 7);
        self.align();
        const ALPHABET: &str = "#*,0123456789";
        for c in digits.chars() {
            let idx = ALPHABET.find(c).expect("dialled digit");
            self.bits(idx as u32, 4);
        }
        self.align();
    }

    /// A BMPString (SIZE (1..128)): 7-bit length - 1, then UCS-2 octets.
    fn bmp_string(&mut self, s: &str) {
        self.bits(s.len() as u32 - 1, 7);
        self.align();
        for c in s.encode_utf16() {
            self.octets(&c.to_be_bytes());
        }
    }

    /// VendorIdentifier with no productId/versionId: extension bit, two
    /// presence bits, H221NonStandard (extension bit, country code,
    /// extension, manufacturer code).
    fn vendor(&mut self, country: u8, manufacturer: u16) {
        self.bits(0, 3);
        self.bit(false);
        self.octets(&[country, 0]);
        self.octets(&manufacturer.to_be_bytes());
    }

    fn finish(self) -> Vec<u8> {
        self.out
    }
}

/// An H.225.0 RAS registrationRequest (RasMessage alternative 3) in
/// aligned PER: call signalling and RAS addresses of `endpoint`, terminal
/// type, one dialledDigits alias, vendor; no extension additions.
pub fn h225_rrq(seq: u16, endpoint: [u8; 4], alias: &str) -> Vec<u8> {
    let mut p = Per::default();
    p.bit(false); // RasMessage extension bit
    p.bits(3, 5); // registrationRequest
    p.bit(false); // RegistrationRequest extension bit
    p.bits(0b010, 3); // nonStandardData, terminalAlias, gatekeeperIdentifier
    p.seq_num(seq);
    p.protocol_identifier();
    p.bit(false); // discoveryComplete
    p.count(1);
    p.transport(endpoint, 1720);
    p.count(1);
    p.transport(endpoint, 1719);
    p.endpoint_type_terminal();
    p.count(1);
    p.dialled_digits(alias);
    p.vendor(0xB5, 0x4156);
    p.finish()
}

/// An H.225.0 RAS gatekeeperRequest (RasMessage alternative 0) in aligned
/// PER: no optional fields, the RAS address of `endpoint`, terminal type.
pub fn h225_grq(seq: u16, endpoint: [u8; 4]) -> Vec<u8> {
    let mut p = Per::default();
    p.bit(false); // RasMessage extension bit
    p.bits(0, 5); // gatekeeperRequest
    p.bit(false); // GatekeeperRequest extension bit
    p.bits(0b0000, 4); // nonStandardData, gatekeeperIdentifier, callServices, endpointAlias
    p.seq_num(seq);
    p.protocol_identifier();
    p.transport(endpoint, 1719);
    p.endpoint_type_terminal();
    p.finish()
}

/// An H.225.0 RAS registrationConfirm (alternative 4): the gatekeeper's
/// call signalling address and the assigned endpointIdentifier.
pub fn h225_rcf(seq: u16, gatekeeper: [u8; 4], endpoint_id: &str) -> Vec<u8> {
    let mut p = Per::default();
    p.bit(false);
    p.bits(4, 5); // registrationConfirm
    p.bit(false);
    p.bits(0b000, 3); // nonStandardData, terminalAlias, gatekeeperIdentifier
    p.seq_num(seq);
    p.protocol_identifier();
    p.count(1);
    p.transport(gatekeeper, 1720);
    p.bmp_string(endpoint_id);
    p.finish()
}

/// Message bodies of H323-UU-PDU (H.225.0), by CHOICE index.
pub mod uuie {
    pub const SETUP: u8 = 0;
    pub const CALL_PROCEEDING: u8 = 1;
    pub const CONNECT: u8 = 2;
    pub const ALERTING: u8 = 3;
    pub const RELEASE_COMPLETE: u8 = 5;
}

/// An H323-UserInformation (aligned PER) carrying the `kind` message body
/// for conference `conference_id`: Setup with a terminal sourceInfo, create
/// goal and point-to-point call type; CallProceeding/Alerting with a
/// terminal destinationInfo; Connect with destinationInfo and the
/// conference id; ReleaseComplete with no reason.
pub fn h225_uuie(kind: u8, conference_id: [u8; 16]) -> Vec<u8> {
    let mut p = Per::default();
    p.bit(false); // H323-UserInformation extension bit
    p.bit(false); // user-data absent
    p.bit(false); // H323-UU-PDU extension bit
    p.bit(false); // nonStandardData absent
    p.bit(false); // h323-message-body extension bit
    p.bits(u32::from(kind), 3);
    match kind {
        uuie::SETUP => {
            p.bit(false);
            p.bits(0, 7); // seven optional fields absent
            p.protocol_identifier();
            p.endpoint_type_terminal();
            p.bit(false); // activeMC
            p.octets(&conference_id);
            p.bits(0, 3); // conferenceGoal: create
            p.bits(0, 3); // callType: pointToPoint
        }
        uuie::CALL_PROCEEDING | uuie::ALERTING => {
            p.bit(false);
            p.bit(false); // h245Address absent
            p.protocol_identifier();
            p.endpoint_type_terminal();
        }
        uuie::CONNECT => {
            p.bit(false);
            p.bit(false); // h245Address absent
            p.protocol_identifier();
            p.endpoint_type_terminal();
            p.octets(&conference_id);
        }
        _ => {
            p.bit(false);
            p.bit(false); // reason absent
            p.protocol_identifier();
        }
    }
    p.finish()
}

/// A SIP message: start line, headers, and a body (Content-Length set).
pub fn sip(start: &str, headers: &[(&str, String)], body: &str) -> Vec<u8> {
    let mut s = String::new();
    s.push_str(start);
    s.push_str("\r\n");
    for (k, v) in headers {
        s.push_str(k);
        s.push_str(": ");
        s.push_str(v);
        s.push_str("\r\n");
    }
    if !body.is_empty() {
        s.push_str("Content-Type: application/sdp\r\n");
    }
    s.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    s.push_str(body);
    s.into_bytes()
}

/// An SDP offer/answer with an audio and a video stream.
pub fn sdp_av(session_id: u64, user: &str, addr: &str, audio_port: u16, video_port: u16) -> String {
    format!(
        "v=0\r\n\
         o={user} {session_id} {session_id} IN IP4 {addr}\r\n\
         s=-\r\n\
         c=IN IP4 {addr}\r\n\
         t=0 0\r\n\
         m=audio {audio_port} RTP/AVP 0 8 101\r\n\
         a=rtpmap:0 PCMU/8000\r\n\
         a=rtpmap:8 PCMA/8000\r\n\
         a=rtpmap:101 telephone-event/8000\r\n\
         a=fmtp:101 0-15\r\n\
         a=ptime:20\r\n\
         a=sendrecv\r\n\
         m=video {video_port} RTP/AVP 97\r\n\
         a=rtpmap:97 H264/90000\r\n\
         a=fmtp:97 profile-level-id=42e01f;packetization-mode=1\r\n\
         a=sendrecv\r\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_name_is_length_prefixed() {
        assert_eq!(dns_name("av.example."), b"\x02av\x07example\x00");
    }

    #[test]
    fn ber_integer_is_minimal() {
        assert_eq!(ber_int(0), vec![2, 1, 0]);
        assert_eq!(ber_int(128), vec![2, 2, 0, 128]);
        assert_eq!(ber_int(0x1234), vec![2, 2, 0x12, 0x34]);
    }

    #[test]
    fn oid_encodes_sys_descr() {
        assert_eq!(
            ber_oid(&[1, 3, 6, 1, 2, 1, 1, 1, 0]),
            vec![6, 8, 0x2B, 6, 1, 2, 1, 1, 1, 0]
        );
    }

    #[test]
    fn rtcp_lengths_are_words_minus_one() {
        let m = rtcp_sr_sdes(1, 2, 3, 4, 5, "a@b");
        assert_eq!(u16::from_be_bytes([m[2], m[3]]), 6);
        let sdes = &m[28..];
        let words = u16::from_be_bytes([sdes[2], sdes[3]]) as usize;
        assert_eq!((words + 1) * 4, sdes.len());
    }

    #[test]
    fn ptp_v1_sizes_follow_1588_2002() {
        assert_eq!(ptp_v1(ptp1::SYNC, [1; 6], 0, 0, [1; 6]).len(), 124);
        assert_eq!(ptp_v1(ptp1::FOLLOW_UP, [1; 6], 0, 0, [1; 6]).len(), 52);
        assert_eq!(ptp_v1(ptp1::DELAY_RESP, [1; 6], 0, 0, [1; 6]).len(), 60);
    }

    #[test]
    fn rrq_starts_with_choice_and_sequence_preamble() {
        let m = h225_rrq(1, [10, 0, 0, 1], "3001");
        // 0 00011 0 0 | 1 0 (padding): terminalAlias present.
        assert_eq!(&m[..2], &[0x0C, 0x80]);
        assert_eq!(&m[2..4], &[0, 0]);
        assert_eq!(m[4], 0x06, "octet 4 is the OID length detectors look for");
        // dialled digits "3001" -> indices 6 3 3 4.
        let digits = m.windows(2).position(|w| w == [0x63, 0x34]);
        assert!(digits.is_some());
    }

    #[test]
    fn per_writer_aligns_octets() {
        let mut p = Per::default();
        p.bits(0b101, 3);
        p.octets(&[0xFF]);
        p.bit(true);
        assert_eq!(p.finish(), vec![0xA0, 0xFF, 0x80]);
    }

    #[test]
    fn tpkt_length_includes_header() {
        let m = tpkt_q931(1, false, q931::SETUP, &[]);
        assert_eq!(u16::from_be_bytes([m[2], m[3]]) as usize, m.len());
    }
}
