//! DNS and mDNS messages (RFC 1035 §4, RFC 6762), read in place.
//!
//! Enough to follow DNS-SD (RFC 6763) announcements on a media network:
//! which services a device offers (`_netaudio-arc._udp.local` PTR → SRV
//! target and port, TXT keys; the project's domain notes §5.2) and its
//! addresses (A / AAAA).
//!
//! Names are compressed (RFC 1035 §4.1.4): a label may be replaced by a
//! pointer to an earlier name. [`Name`] follows them lazily; a pointer
//! must point before the label that holds it, which rules out loops, and
//! the walk stops after 255 octets of name or 128 labels. Decoded names
//! are written into a caller's fixed buffer ([`Name::write_to`]); nothing
//! is allocated.

use core::net::{Ipv4Addr, Ipv6Addr};

use super::{array, bad_field, be16, be32, check_min_len, truncated, Proto, Result};

/// The UDP port of DNS.
pub const PORT: u16 = 53;
/// The UDP port of mDNS.
pub const MDNS_PORT: u16 = 5353;
/// Length of the header.
pub const HEADER_LEN: usize = 12;
/// Longest name in presentation form without the final dot (RFC 1035 §2.3.4: 255 octets on the wire).
pub const MAX_NAME_LEN: usize = 253;
/// Most labels followed in one name.
const MAX_LABELS: usize = 128;

/// Record types used here (IANA "Resource Record (RR) TYPEs").
pub mod rtype {
    /// IPv4 address.
    pub const A: u16 = 1;
    /// Name server.
    pub const NS: u16 = 2;
    /// Canonical name.
    pub const CNAME: u16 = 5;
    /// Domain name pointer.
    pub const PTR: u16 = 12;
    /// Text strings.
    pub const TXT: u16 = 16;
    /// IPv6 address.
    pub const AAAA: u16 = 28;
    /// Service location.
    pub const SRV: u16 = 33;
    /// EDNS(0) option pseudo-record.
    pub const OPT: u16 = 41;
    /// Next secure (mDNS negative responses, RFC 6762 §6.1).
    pub const NSEC: u16 = 47;
    /// Any type (query).
    pub const ANY: u16 = 255;
}

/// A read-only view of a DNS message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Message<'a> {
    bytes: &'a [u8],
}

impl<'a> Message<'a> {
    /// Wraps a message after checking that the header is present.
    pub fn new_checked(bytes: &'a [u8]) -> Result<Self> {
        check_min_len(bytes, Proto::Dns, HEADER_LEN)?;
        Ok(Message { bytes })
    }

    /// The message.
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    fn u16_at(&self, at: usize) -> u16 {
        be16(self.bytes, at).unwrap_or(0)
    }

    /// ID (0 in mDNS multicast messages).
    pub fn id(&self) -> u16 {
        self.u16_at(0)
    }

    /// The flags word (QR, Opcode, AA, TC, RD, RA, Z, AD, CD, RCODE).
    pub fn flags(&self) -> u16 {
        self.u16_at(2)
    }

    /// QR: a response.
    pub fn is_response(&self) -> bool {
        self.flags() & 0x8000 != 0
    }

    /// Opcode.
    pub fn opcode(&self) -> u8 {
        ((self.flags() >> 11) & 0xf) as u8
    }

    /// AA: authoritative answer.
    pub fn authoritative(&self) -> bool {
        self.flags() & 0x0400 != 0
    }

    /// TC: truncated.
    pub fn truncated(&self) -> bool {
        self.flags() & 0x0200 != 0
    }

    /// RCODE.
    pub fn rcode(&self) -> u8 {
        (self.flags() & 0xf) as u8
    }

    /// QDCOUNT.
    pub fn question_count(&self) -> u16 {
        self.u16_at(4)
    }

    /// ANCOUNT.
    pub fn answer_count(&self) -> u16 {
        self.u16_at(6)
    }

    /// NSCOUNT.
    pub fn authority_count(&self) -> u16 {
        self.u16_at(8)
    }

    /// ARCOUNT.
    pub fn additional_count(&self) -> u16 {
        self.u16_at(10)
    }

    /// The questions; an error ends the walk.
    pub fn questions(&self) -> Questions<'a> {
        Questions {
            msg: self.bytes,
            pos: HEADER_LEN,
            left: self.question_count(),
            failed: false,
        }
    }

    /// The resource records of the answer, authority and additional
    /// sections, in order; an error ends the walk. The questions are
    /// skipped first (a malformed question yields its error here too).
    pub fn records(&self) -> Records<'a> {
        let mut q = self.questions();
        let mut err = None;
        for item in q.by_ref() {
            if let Err(e) = item {
                err = Some(e);
            }
        }
        Records {
            msg: self.bytes,
            pos: q.pos,
            counts: [
                self.answer_count(),
                self.authority_count(),
                self.additional_count(),
            ],
            section: 0,
            pending_error: err,
            failed: false,
        }
    }

    /// Checks that every question and record parses and that every name
    /// in them, RDATA names included, decodes.
    pub fn check(&self) -> Result<()> {
        for q in self.questions() {
            q?.name.check()?;
        }
        for r in self.records() {
            let r = r?;
            r.name.check()?;
            match r.data()? {
                RData::Ptr(n) | RData::Srv { target: n, .. } => n.check()?,
                _ => {}
            }
        }
        Ok(())
    }
}

/// A name inside a message, decoded on demand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Name<'a> {
    msg: &'a [u8],
    offset: usize,
}

impl<'a> Name<'a> {
    /// Offset of the name's first octet in the message.
    pub const fn offset(&self) -> usize {
        self.offset
    }

    /// The labels, following compression pointers.
    pub fn labels(&self) -> Labels<'a> {
        Labels {
            msg: self.msg,
            pos: self.offset,
            limit: self.offset,
            count: 0,
            total: 0,
            done: false,
        }
    }

    /// Walks the whole name; the first problem as an error.
    pub fn check(&self) -> Result<()> {
        for l in self.labels() {
            l?;
        }
        Ok(())
    }

    /// Writes the name in dotted form (no final dot; `.` for the root)
    /// into `buf` and returns it. Label octets are copied as they are: a
    /// dot inside a label is not escaped.
    pub fn write_to<'b>(&self, buf: &'b mut [u8; MAX_NAME_LEN + 2]) -> Result<&'b [u8]> {
        let mut n = 0;
        for l in self.labels() {
            let l = l?;
            if n > 0 {
                buf[n] = b'.';
                n += 1;
            }
            // labels() bounds the total at 255 wire octets.
            let end = (n + l.len()).min(buf.len());
            buf[n..end].copy_from_slice(&l[..end - n]);
            n = end;
        }
        if n == 0 {
            buf[0] = b'.';
            n = 1;
        }
        Ok(&buf[..n])
    }

    /// True when the name equals `dotted` (ASCII case-insensitive, an
    /// optional final dot ignored), without decoding into a buffer.
    pub fn eq_dotted(&self, dotted: &str) -> bool {
        let d = dotted.strip_suffix('.').unwrap_or(dotted).as_bytes();
        let mut parts = d
            .split(|&c| c == b'.')
            .filter(|p| !d.is_empty() || !p.is_empty());
        for l in self.labels() {
            let Ok(l) = l else { return false };
            match parts.next() {
                Some(p) if p.eq_ignore_ascii_case(l) => {}
                _ => return false,
            }
        }
        parts.next().is_none()
    }

    /// True when the name ends with the labels of `suffix` (e.g. `local`,
    /// `_udp.local`), ASCII case-insensitive.
    pub fn ends_with(&self, suffix: &str) -> bool {
        let s = suffix.strip_suffix('.').unwrap_or(suffix).as_bytes();
        let want = s.split(|&c| c == b'.').count();
        let have = self.labels().count();
        if have < want {
            return false;
        }
        let mut parts = s.split(|&c| c == b'.');
        self.labels()
            .skip(have - want)
            .all(|l| match (l, parts.next()) {
                (Ok(l), Some(p)) => l.eq_ignore_ascii_case(p),
                _ => false,
            })
    }
}

/// Iterator over the labels of a name.
#[derive(Clone, Debug)]
pub struct Labels<'a> {
    msg: &'a [u8],
    pos: usize,
    /// Pointers must point below this offset (the start of the label
    /// sequence being read), so every jump goes strictly backwards.
    limit: usize,
    count: usize,
    total: usize,
    done: bool,
}

impl<'a> Iterator for Labels<'a> {
    type Item = Result<&'a [u8]>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let r = self.step();
        if !matches!(r, Some(Ok(_))) {
            self.done = true;
        }
        r
    }
}

impl<'a> Labels<'a> {
    fn step(&mut self) -> Option<Result<&'a [u8]>> {
        loop {
            let Some(&len) = self.msg.get(self.pos) else {
                return Some(Err(truncated(Proto::Dns, self.pos, 1, 0)));
            };
            match len >> 6 {
                0 => {
                    if len == 0 {
                        return None;
                    }
                    let start = self.pos + 1;
                    let Some(label) = self.msg.get(start..start + usize::from(len)) else {
                        let have = self.msg.len().saturating_sub(start);
                        return Some(Err(truncated(Proto::Dns, self.pos, usize::from(len), have)));
                    };
                    self.count += 1;
                    self.total += 1 + label.len();
                    if self.total > 255 || self.count > MAX_LABELS {
                        return Some(Err(bad_field(
                            Proto::Dns,
                            self.pos,
                            "name_length",
                            self.total as u32,
                        )));
                    }
                    self.pos = start + label.len();
                    return Some(Ok(label));
                }
                3 => {
                    let Some(ptr) = be16(self.msg, self.pos) else {
                        return Some(Err(truncated(Proto::Dns, self.pos, 2, 1)));
                    };
                    let target = usize::from(ptr & 0x3fff);
                    if target >= self.limit.min(self.pos) {
                        return Some(Err(bad_field(
                            Proto::Dns,
                            self.pos,
                            "pointer",
                            u32::from(ptr & 0x3fff),
                        )));
                    }
                    self.pos = target;
                    self.limit = target;
                }
                _ => {
                    return Some(Err(bad_field(
                        Proto::Dns,
                        self.pos,
                        "label_type",
                        u32::from(len),
                    )));
                }
            }
        }
    }
}

/// Offset just past the name at `at` in its original place (a pointer
/// ends it after 2 octets).
fn skip_name(msg: &[u8], mut at: usize) -> Result<usize> {
    for _ in 0..=MAX_LABELS {
        let Some(&len) = msg.get(at) else {
            return Err(truncated(Proto::Dns, at, 1, 0));
        };
        match len >> 6 {
            0 if len == 0 => return Ok(at + 1),
            0 => {
                at += 1 + usize::from(len);
                if at > msg.len() {
                    return Err(truncated(
                        Proto::Dns,
                        at - 1 - usize::from(len),
                        usize::from(len),
                        msg.len().saturating_sub(at - usize::from(len)),
                    ));
                }
            }
            3 => {
                if at + 2 > msg.len() {
                    return Err(truncated(Proto::Dns, at, 2, 1));
                }
                return Ok(at + 2);
            }
            _ => return Err(bad_field(Proto::Dns, at, "label_type", u32::from(len))),
        }
    }
    Err(bad_field(Proto::Dns, at, "name_length", MAX_LABELS as u32))
}

/// One question.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Question<'a> {
    /// QNAME.
    pub name: Name<'a>,
    /// QTYPE.
    pub qtype: u16,
    /// QCLASS without the mDNS unicast-response bit.
    pub qclass: u16,
    /// mDNS: the top bit of QCLASS asks for a unicast response (RFC 6762 §5.4).
    pub unicast_response: bool,
}

/// Iterator over the questions.
#[derive(Clone, Debug)]
pub struct Questions<'a> {
    msg: &'a [u8],
    pos: usize,
    left: u16,
    failed: bool,
}

impl<'a> Iterator for Questions<'a> {
    type Item = Result<Question<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 || self.failed {
            return None;
        }
        let r = (|| {
            let at = self.pos;
            let end = skip_name(self.msg, at)?;
            let (Some(qtype), Some(qclass)) = (be16(self.msg, end), be16(self.msg, end + 2)) else {
                return Err(truncated(
                    Proto::Dns,
                    end,
                    4,
                    self.msg.len().saturating_sub(end),
                ));
            };
            self.pos = end + 4;
            Ok(Question {
                name: Name {
                    msg: self.msg,
                    offset: at,
                },
                qtype,
                qclass: qclass & 0x7fff,
                unicast_response: qclass & 0x8000 != 0,
            })
        })();
        self.left -= 1;
        self.failed = r.is_err();
        Some(r)
    }
}

/// The section a record belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Section {
    /// Answer.
    Answer,
    /// Authority.
    Authority,
    /// Additional.
    Additional,
}

/// One resource record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record<'a> {
    /// The section.
    pub section: Section,
    /// NAME.
    pub name: Name<'a>,
    /// TYPE.
    pub rtype: u16,
    /// CLASS without the mDNS cache-flush bit.
    pub class: u16,
    /// mDNS: the top bit of CLASS (RFC 6762 §10.2).
    pub cache_flush: bool,
    /// TTL.
    pub ttl: u32,
    /// Offset of RDATA in the message.
    pub rdata_offset: usize,
    /// RDATA.
    pub rdata: &'a [u8],
    msg: &'a [u8],
}

/// Decoded RDATA of the types used here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RData<'a> {
    /// A.
    A(Ipv4Addr),
    /// AAAA.
    Aaaa(Ipv6Addr),
    /// PTR (and CNAME, NS): a name.
    Ptr(Name<'a>),
    /// SRV (RFC 2782).
    Srv {
        /// Priority.
        priority: u16,
        /// Weight.
        weight: u16,
        /// Port.
        port: u16,
        /// Target host.
        target: Name<'a>,
    },
    /// TXT character-strings.
    Txt(TxtStrings<'a>),
    /// Any other type, undecoded.
    Other,
}

impl<'a> Record<'a> {
    /// Decodes RDATA for A, AAAA, PTR/CNAME/NS, SRV and TXT.
    pub fn data(&self) -> Result<RData<'a>> {
        let bad_len = || {
            bad_field(
                Proto::Dns,
                self.rdata_offset - 2,
                "rdlength",
                self.rdata.len() as u32,
            )
        };
        let name_at = |at: usize| -> Result<Name<'a>> {
            let end = skip_name(self.msg, at)?;
            if end > self.rdata_offset + self.rdata.len() {
                return Err(bad_len());
            }
            Ok(Name {
                msg: self.msg,
                offset: at,
            })
        };
        Ok(match self.rtype {
            rtype::A => RData::A(Ipv4Addr::from(
                <[u8; 4]>::try_from(self.rdata).map_err(|_| bad_len())?,
            )),
            rtype::AAAA => RData::Aaaa(Ipv6Addr::from(
                <[u8; 16]>::try_from(self.rdata).map_err(|_| bad_len())?,
            )),
            rtype::PTR | rtype::CNAME | rtype::NS => RData::Ptr(name_at(self.rdata_offset)?),
            rtype::SRV => {
                if self.rdata.len() < 7 {
                    return Err(bad_len());
                }
                RData::Srv {
                    priority: be16(self.rdata, 0).unwrap_or(0),
                    weight: be16(self.rdata, 2).unwrap_or(0),
                    port: be16(self.rdata, 4).unwrap_or(0),
                    target: name_at(self.rdata_offset + 6)?,
                }
            }
            rtype::TXT => RData::Txt(TxtStrings { bytes: self.rdata }),
            _ => RData::Other,
        })
    }
}

/// Iterator over the records of the three sections.
#[derive(Clone, Debug)]
pub struct Records<'a> {
    msg: &'a [u8],
    pos: usize,
    counts: [u16; 3],
    section: usize,
    pending_error: Option<super::Error>,
    failed: bool,
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<Record<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        if let Some(e) = self.pending_error.take() {
            self.failed = true;
            return Some(Err(e));
        }
        while self.section < 3 && self.counts[self.section] == 0 {
            self.section += 1;
        }
        if self.section == 3 {
            return None;
        }
        self.counts[self.section] -= 1;
        let section = [Section::Answer, Section::Authority, Section::Additional][self.section];
        let r = (|| {
            let at = self.pos;
            let end = skip_name(self.msg, at)?;
            let fixed = array::<10>(self.msg, end).ok_or_else(|| {
                truncated(Proto::Dns, end, 10, self.msg.len().saturating_sub(end))
            })?;
            let rtype = u16::from_be_bytes([fixed[0], fixed[1]]);
            let class = u16::from_be_bytes([fixed[2], fixed[3]]);
            let ttl = be32(&fixed, 4).unwrap_or(0);
            let rdlength = usize::from(u16::from_be_bytes([fixed[8], fixed[9]]));
            let rdata_offset = end + 10;
            let rdata = self
                .msg
                .get(rdata_offset..rdata_offset + rdlength)
                .ok_or_else(|| {
                    truncated(
                        Proto::Dns,
                        rdata_offset,
                        rdlength,
                        self.msg.len() - rdata_offset,
                    )
                })?;
            self.pos = rdata_offset + rdlength;
            Ok(Record {
                section,
                name: Name {
                    msg: self.msg,
                    offset: at,
                },
                rtype,
                class: class & 0x7fff,
                cache_flush: class & 0x8000 != 0,
                ttl,
                rdata_offset,
                rdata,
                msg: self.msg,
            })
        })();
        self.failed = r.is_err();
        Some(r)
    }
}

/// The character-strings of a TXT record; a string running past the
/// RDATA ends the walk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TxtStrings<'a> {
    bytes: &'a [u8],
}

impl<'a> TxtStrings<'a> {
    /// DNS-SD `key=value` pairs (RFC 6763 §6.3): `(key, None)` for a
    /// boolean attribute without `=`. Empty strings are skipped.
    pub fn key_values(self) -> impl Iterator<Item = (&'a [u8], Option<&'a [u8]>)> {
        self.filter(|s| !s.is_empty())
            .map(|s| match s.iter().position(|&c| c == b'=') {
                Some(i) => (&s[..i], Some(&s[i + 1..])),
                None => (s, None),
            })
    }

    /// The value of `key` (ASCII case-insensitive, RFC 6763 §6.4).
    pub fn get(self, key: &str) -> Option<Option<&'a [u8]>> {
        self.key_values()
            .find(|(k, _)| k.eq_ignore_ascii_case(key.as_bytes()))
            .map(|(_, v)| v)
    }
}

impl<'a> Iterator for TxtStrings<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let (&len, rest) = self.bytes.split_first()?;
        let Some(s) = rest.get(..usize::from(len)) else {
            self.bytes = &[];
            return None;
        };
        self.bytes = &rest[usize::from(len)..];
        Some(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An mDNS response laid out by hand (RFC 1035 §4.1, RFC 6763 §4):
    /// PTR _netaudio-arc._udp.local → dev._netaudio-arc._udp.local, then
    /// SRV dev... → dev.local:4440 and a TXT, names compressed.
    fn mdns() -> Vec<u8> {
        let mut m = vec![0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 2];
        let service = m.len();
        m.extend_from_slice(b"\x0d_netaudio-arc\x04_udp\x05local\x00");
        let local = service + 1 + 13 + 1 + 4;
        m.extend_from_slice(&[0, 12, 0, 1, 0, 0, 0x11, 0x94, 0, 6]);
        let dev = m.len();
        m.extend_from_slice(&[3, b'd', b'e', b'v', 0xc0, service as u8]);
        m.extend_from_slice(&[0xc0, dev as u8, 0, 33, 0x80, 1, 0, 0, 0, 120, 0, 12]);
        m.extend_from_slice(&[
            0,
            0,
            0,
            0,
            0x11,
            0x58,
            3,
            b'd',
            b'e',
            b'v',
            0xc0,
            local as u8,
        ]);
        let txt = b"\x09arcp=4440\x05mf=xy\x03foo";
        m.extend_from_slice(&[
            0xc0,
            dev as u8,
            0,
            16,
            0x80,
            1,
            0,
            0,
            0,
            120,
            0,
            txt.len() as u8,
        ]);
        m.extend_from_slice(txt);
        m
    }

    #[test]
    fn dns_sd_response() {
        let b = mdns();
        let m = Message::new_checked(&b[..]).unwrap();
        m.check().unwrap();
        assert!(m.is_response() && m.authoritative());
        assert_eq!(
            (m.question_count(), m.answer_count(), m.additional_count()),
            (0, 1, 2)
        );
        let recs: Vec<_> = m.records().map(|r| r.unwrap()).collect();
        assert_eq!(recs.len(), 3);
        let mut buf = [0u8; MAX_NAME_LEN + 2];
        assert_eq!(
            recs[0].name.write_to(&mut buf).unwrap(),
            b"_netaudio-arc._udp.local"
        );
        assert!(recs[0].name.eq_dotted("_NETAUDIO-ARC._udp.local."));
        assert!(recs[0].name.ends_with("_udp.local"));
        assert!(!recs[0].name.ends_with("_tcp.local"));
        assert_eq!((recs[0].section, recs[0].ttl), (Section::Answer, 4500));
        let RData::Ptr(target) = recs[0].data().unwrap() else {
            panic!("not a PTR")
        };
        assert_eq!(
            target.write_to(&mut buf).unwrap(),
            b"dev._netaudio-arc._udp.local"
        );
        assert_eq!(recs[1].section, Section::Additional);
        assert!(recs[1].cache_flush);
        assert_eq!(recs[1].class, 1);
        let RData::Srv { port, target, .. } = recs[1].data().unwrap() else {
            panic!("not an SRV")
        };
        assert_eq!(port, 4440);
        assert_eq!(target.write_to(&mut buf).unwrap(), b"dev.local");
        let RData::Txt(t) = recs[2].data().unwrap() else {
            panic!("not a TXT")
        };
        assert_eq!(t.get("ARCP"), Some(Some(&b"4440"[..])));
        assert_eq!(t.get("foo"), Some(None));
        assert_eq!(t.key_values().count(), 3);
        // Every cut of the message fails cleanly.
        for i in 0..b.len() {
            let Ok(m) = Message::new_checked(&b[..i]) else {
                continue;
            };
            assert!(m.check().is_err(), "cut at {i}");
        }
    }

    #[test]
    fn pointer_loops_and_forward_pointers_are_rejected() {
        let mut m = vec![0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
        m.extend_from_slice(&[0xc0, 12, 0, 1, 0, 1]); // points at itself
        let q = Message::new_checked(&m[..])
            .unwrap()
            .questions()
            .next()
            .unwrap()
            .unwrap();
        let e = q.name.check().unwrap_err();
        assert_eq!(
            e.kind,
            crate::ErrorKind::BadField {
                field: "pointer",
                value: 12
            }
        );
        // a -> b -> a through two names
        let mut m = vec![0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0];
        m.extend_from_slice(&[1, b'x', 0xc0, 20, 0, 1, 0, 1]); // at 12, points forward to 20
        m.extend_from_slice(&[1, b'y', 0xc0, 12, 0, 1, 0, 1]); // at 20, points back to 12
        let msg = Message::new_checked(&m[..]).unwrap();
        assert!(msg.check().is_err());
        let qs: Vec<_> = msg.questions().collect();
        assert!(qs[0].as_ref().unwrap().name.check().is_err());
        let mut buf = [0u8; MAX_NAME_LEN + 2];
        // The second name: y, then back to 12: x, then forward to 20: rejected.
        assert!(qs[1].as_ref().unwrap().name.write_to(&mut buf).is_err());
    }

    #[test]
    fn long_names_and_bad_labels() {
        let mut m = vec![0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
        for _ in 0..5 {
            m.push(63);
            m.extend_from_slice(&[b'a'; 63]);
        }
        m.extend_from_slice(&[0, 0, 1, 0, 1]);
        let q = Message::new_checked(&m[..])
            .unwrap()
            .questions()
            .next()
            .unwrap()
            .unwrap();
        assert!(q.name.check().is_err());
        let m = [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 1, 0, 1];
        assert!(Message::new_checked(&m[..]).unwrap().check().is_err());
        let root = [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1];
        let msg = Message::new_checked(&root[..]).unwrap();
        let q = msg.questions().next().unwrap().unwrap();
        let mut buf = [0u8; MAX_NAME_LEN + 2];
        assert_eq!(q.name.write_to(&mut buf).unwrap(), b".");
        assert!(q.name.eq_dotted(".") && q.name.eq_dotted(""));
        assert!(Message::new_checked(&root[..11]).is_err());
    }
}
