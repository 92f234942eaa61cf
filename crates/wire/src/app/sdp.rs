//! SDP session descriptions (RFC 8866), read in place.
//!
//! An SDP text is a series of `<type>=<value>` lines: a session-level
//! section, then one media description per `m=` line, each running to the
//! next `m=` line. The views here hand out borrowed slices of the text and
//! small `Copy` structs; nothing is allocated and every walk is bounded by
//! the text's length. Lines may end in CRLF or LF (RFC 8866 §5).
//!
//! What a flow checker needs from SDP: where media will flow (`c=` address
//! with its TTL / address count, `m=` port and port count), in which
//! format (`m=` proto and formats, `a=rtpmap` encoding and clock rate),
//! where its RTCP goes (`a=rtcp`, RFC 3605; `a=rtcp-mux`, RFC 5761) and
//! whether it is encrypted (`RTP/SAVP` proto, `a=crypto`, RFC 4568).

use core::net::IpAddr;

use super::text::{parse_u32, split_once, trim, Lines};
use super::{bad_field, truncated, Error, Proto, Result};

/// One `<type>=<value>` line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Line<'a> {
    /// Offset of the line in the text.
    pub offset: usize,
    /// The type letter.
    pub kind: u8,
    /// Everything after `=` (without the line terminator).
    pub value: &'a [u8],
}

/// A borrowed SDP text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sdp<'a> {
    text: &'a [u8],
}

/// The lines of an SDP text; a line that is not `<letter>=...` yields an
/// error naming its offset (blank lines are skipped).
#[derive(Clone, Debug)]
pub struct SdpLines<'a> {
    lines: Lines<'a>,
}

impl<'a> Iterator for SdpLines<'a> {
    type Item = Result<Line<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let (offset, line) = self.lines.next()?;
            if line.is_empty() {
                continue;
            }
            return Some(parse_line(offset, line));
        }
    }
}

fn parse_line(offset: usize, line: &[u8]) -> Result<Line<'_>> {
    match line {
        [kind, b'=', value @ ..] if kind.is_ascii_alphabetic() => Ok(Line {
            offset,
            kind: *kind,
            value,
        }),
        [kind, ..] if !kind.is_ascii_alphabetic() => {
            Err(bad_field(Proto::Sdp, offset, "type", u32::from(*kind)))
        }
        _ => Err(Error::new(
            Proto::Sdp,
            offset + 1,
            super::ErrorKind::BadField {
                field: "line",
                value: line.len() as u32,
            },
        )),
    }
}

/// Lines that parse, skipping malformed ones.
fn good_lines(text: &[u8], from: usize) -> impl Iterator<Item = Line<'_>> {
    SdpLines {
        lines: Lines::starting_at(text, from),
    }
    .filter_map(core::result::Result::ok)
}

impl<'a> Sdp<'a> {
    /// Wraps a text; nothing is checked (see [`Sdp::check`]).
    pub const fn new(text: &'a [u8]) -> Self {
        Sdp { text }
    }

    /// The text.
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.text
    }

    /// Wraps a text after [`Sdp::check`].
    pub fn new_checked(text: &'a [u8]) -> Result<Self> {
        let s = Sdp::new(text);
        s.check()?;
        Ok(s)
    }

    /// Checks the outline of RFC 8866 §5: the first line is `v=0`, every
    /// line is `<letter>=<value>`, and every `m=` line has media, port
    /// and proto. Returns the first problem with its offset.
    pub fn check(&self) -> Result<()> {
        let mut first = true;
        for line in self.lines() {
            let line = line?;
            if first {
                if line.kind != b'v' || line.value != b"0" {
                    return Err(bad_field(
                        Proto::Sdp,
                        line.offset,
                        "version",
                        u32::from(line.kind),
                    ));
                }
                first = false;
            }
            if line.kind == b'm' && MediaLine::parse(line.value).is_none() {
                return Err(bad_field(Proto::Sdp, line.offset + 2, "media", 0));
            }
        }
        if first {
            return Err(truncated(Proto::Sdp, 0, 3, self.text.len()));
        }
        Ok(())
    }

    /// Every line, with errors for malformed ones.
    pub fn lines(&self) -> SdpLines<'a> {
        SdpLines {
            lines: Lines::new(self.text),
        }
    }

    /// Offset of the first `m=` line (the end when there is none).
    fn first_media(&self) -> usize {
        good_lines(self.text, 0)
            .find(|l| l.kind == b'm')
            .map_or(self.text.len(), |l| l.offset)
    }

    /// The session-level section (before the first `m=` line).
    pub fn session_section(&self) -> &'a [u8] {
        &self.text[..self.first_media()]
    }

    fn session_value(&self, kind: u8) -> Option<&'a [u8]> {
        good_lines(self.session_section(), 0)
            .find(|l| l.kind == kind)
            .map(|l| l.value)
    }

    /// `v=` value.
    pub fn version(&self) -> Option<u32> {
        self.session_value(b'v').and_then(|v| parse_u32(trim(v)))
    }

    /// `o=` origin.
    pub fn origin(&self) -> Option<Origin<'a>> {
        Origin::parse(self.session_value(b'o')?)
    }

    /// `s=` session name.
    pub fn session_name(&self) -> Option<&'a [u8]> {
        self.session_value(b's')
    }

    /// The session-level `c=` line.
    pub fn connection(&self) -> Option<Connection<'a>> {
        Connection::parse(self.session_value(b'c')?)
    }

    /// Session-level attributes.
    pub fn attributes(&self) -> Attributes<'a> {
        Attributes {
            lines: SdpLines {
                lines: Lines::new(self.session_section()),
            },
        }
    }

    /// The first session-level attribute `name`: `Some(None)` for a
    /// flag attribute, `Some(Some(value))` for a value attribute.
    pub fn attribute(&self, name: &str) -> Option<Option<&'a [u8]>> {
        find_attribute(self.attributes(), name)
    }

    /// The media descriptions, in order.
    pub fn media(&self) -> MediaDescriptions<'a> {
        MediaDescriptions {
            text: self.text,
            pos: self.first_media(),
            session_connection: self.connection(),
        }
    }
}

/// The `o=` line (RFC 8866 §5.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin<'a> {
    /// username.
    pub username: &'a [u8],
    /// sess-id.
    pub session_id: &'a [u8],
    /// sess-version.
    pub session_version: &'a [u8],
    /// nettype (IN).
    pub net_type: &'a [u8],
    /// addrtype (IP4, IP6).
    pub addr_type: &'a [u8],
    /// unicast-address.
    pub address: &'a [u8],
}

impl<'a> Origin<'a> {
    fn parse(v: &'a [u8]) -> Option<Self> {
        let mut f = fields(v);
        Some(Origin {
            username: f.next()?,
            session_id: f.next()?,
            session_version: f.next()?,
            net_type: f.next()?,
            addr_type: f.next()?,
            address: f.next()?,
        })
    }
}

/// Space-separated fields.
fn fields(v: &[u8]) -> impl Iterator<Item = &[u8]> {
    v.split(|&c| c == b' ' || c == b'\t')
        .filter(|f| !f.is_empty())
}

/// A `c=` line (RFC 8866 §5.7): `IN IP4 239.69.1.10/32/2`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Connection<'a> {
    /// nettype (IN).
    pub net_type: &'a [u8],
    /// addrtype (IP4, IP6).
    pub addr_type: &'a [u8],
    /// The address (or FQDN) without the `/ttl` and `/count` suffixes.
    pub address: &'a [u8],
    /// TTL of an IPv4 multicast address.
    pub ttl: Option<u32>,
    /// Number of consecutive multicast addresses.
    pub count: Option<u32>,
}

impl<'a> Connection<'a> {
    fn parse(v: &'a [u8]) -> Option<Self> {
        let mut f = fields(v);
        let net_type = f.next()?;
        let addr_type = f.next()?;
        let full = f.next()?;
        let (address, rest) = split_once(full, b'/');
        let (first, second) = match rest {
            Some(r) => {
                let (a, b) = split_once(r, b'/');
                (Some(parse_u32(a)?), b.map(parse_u32))
            }
            None => (None, None),
        };
        // IPv4 multicast: addr/ttl[/count]; IPv6: addr[/count] (§5.7).
        let (ttl, count) = if addr_type == b"IP6" {
            (None, first)
        } else {
            (first, second.map(|c| c.ok_or(())).transpose().ok()?)
        };
        Some(Connection {
            net_type,
            addr_type,
            address,
            ttl,
            count,
        })
    }

    /// The address as an IP address, when it is a literal.
    pub fn ip(&self) -> Option<IpAddr> {
        core::str::from_utf8(self.address).ok()?.parse().ok()
    }
}

/// One attribute line `a=name[:value]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attribute<'a> {
    /// Offset of the line.
    pub offset: usize,
    /// The name.
    pub name: &'a [u8],
    /// The value after `:`, `None` for a flag attribute.
    pub value: Option<&'a [u8]>,
}

/// The attribute lines of a section.
#[derive(Clone, Debug)]
pub struct Attributes<'a> {
    lines: SdpLines<'a>,
}

impl<'a> Iterator for Attributes<'a> {
    type Item = Attribute<'a>;

    fn next(&mut self) -> Option<Attribute<'a>> {
        loop {
            let Ok(line) = self.lines.next()? else {
                continue;
            };
            if line.kind != b'a' {
                continue;
            }
            let (name, value) = split_once(line.value, b':');
            return Some(Attribute {
                offset: line.offset,
                name,
                value,
            });
        }
    }
}

fn find_attribute<'a>(mut attrs: Attributes<'a>, name: &str) -> Option<Option<&'a [u8]>> {
    attrs
        .find(|a| a.name.eq_ignore_ascii_case(name.as_bytes()))
        .map(|a| a.value)
}

/// The `m=` line's fields (RFC 8866 §5.14).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MediaLine<'a> {
    /// media: audio, video, text, application, message.
    pub media: &'a [u8],
    /// The transport port.
    pub port: u16,
    /// The number of ports after `/` (RTP: pairs of ports).
    pub port_count: Option<u32>,
    /// proto: RTP/AVP, RTP/SAVP, RTP/SAVPF, UDP/TLS/RTP/SAVPF, udp, TCP/BFCP, ...
    pub proto: &'a [u8],
    /// The raw format list (payload types for RTP).
    pub formats: &'a [u8],
}

impl<'a> MediaLine<'a> {
    fn parse(v: &'a [u8]) -> Option<Self> {
        let v = trim(v);
        let mut f = fields(v);
        let media = f.next()?;
        let (port, count) = split_once(f.next()?, b'/');
        let port = u16::try_from(parse_u32(port)?).ok()?;
        let port_count = match count {
            Some(c) => Some(parse_u32(c)?),
            None => None,
        };
        let proto = f.next()?;
        // The formats are the rest of the line after proto.
        let after = proto.as_ptr() as usize - v.as_ptr() as usize + proto.len();
        let formats = trim(&v[after..]);
        Some(MediaLine {
            media,
            port,
            port_count,
            proto,
            formats,
        })
    }

    /// The formats, one by one.
    pub fn formats(&self) -> impl Iterator<Item = &'a [u8]> {
        fields(self.formats)
    }

    /// The formats that are RTP payload types (0-127).
    pub fn payload_types(&self) -> impl Iterator<Item = u8> + 'a {
        fields(self.formats).filter_map(|f| u8::try_from(parse_u32(f)?).ok().filter(|&p| p < 128))
    }

    /// True for an RTP profile (`RTP/...` or `.../RTP/...`).
    pub fn is_rtp(&self) -> bool {
        self.proto.split(|&c| c == b'/').any(|p| p == b"RTP")
    }

    /// True for a secure RTP profile (SAVP, SAVPF; RFC 3711, RFC 5124).
    pub fn is_srtp(&self) -> bool {
        self.proto
            .split(|&c| c == b'/')
            .any(|p| p == b"SAVP" || p == b"SAVPF")
    }
}

/// An `a=rtpmap` attribute (RFC 8866 §6.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RtpMap<'a> {
    /// Payload type.
    pub payload_type: u8,
    /// Encoding name.
    pub encoding: &'a [u8],
    /// Clock rate in Hz.
    pub clock_rate: u32,
    /// Encoding parameters (audio channels).
    pub channels: Option<u32>,
}

impl<'a> RtpMap<'a> {
    /// Parses the value of an `a=rtpmap:` line.
    pub fn parse(v: &'a [u8]) -> Option<Self> {
        let v = trim(v);
        let sp = v.iter().position(|&c| c == b' ')?;
        let payload_type = u8::try_from(parse_u32(&v[..sp])?).ok()?;
        let (encoding, rest) = split_once(trim(&v[sp + 1..]), b'/');
        let (rate, channels) = split_once(rest?, b'/');
        Some(RtpMap {
            payload_type,
            encoding,
            clock_rate: parse_u32(trim(rate))?,
            channels: match channels {
                Some(c) => Some(parse_u32(trim(c))?),
                None => None,
            },
        })
    }
}

/// An `a=rtcp` attribute (RFC 3605): the RTCP port, optionally with its
/// own address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RtcpAttr<'a> {
    /// The RTCP port.
    pub port: u16,
    /// The address, when given (`IN IP4 addr`).
    pub connection: Option<Connection<'a>>,
}

/// One media description: its `m=` line and the lines up to the next one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Media<'a> {
    /// Offset of the `m=` line in the text.
    pub offset: usize,
    /// The parsed `m=` line (`None` when malformed).
    pub line: Option<MediaLine<'a>>,
    /// The section's text, from its `m=` line to the next.
    pub section: &'a [u8],
    session_connection: Option<Connection<'a>>,
}

impl<'a> Media<'a> {
    fn value(&self, kind: u8) -> Option<&'a [u8]> {
        good_lines(self.section, 0)
            .skip(1)
            .find(|l| l.kind == kind)
            .map(|l| l.value)
    }

    /// The media-level `c=` line.
    pub fn own_connection(&self) -> Option<Connection<'a>> {
        Connection::parse(self.value(b'c')?)
    }

    /// The connection in force: media-level `c=`, else session-level.
    pub fn connection(&self) -> Option<Connection<'a>> {
        self.own_connection().or(self.session_connection)
    }

    /// The section's attributes.
    pub fn attributes(&self) -> Attributes<'a> {
        Attributes {
            lines: SdpLines {
                lines: Lines::new(self.section),
            },
        }
    }

    /// The first attribute `name` (see [`Sdp::attribute`]).
    pub fn attribute(&self, name: &str) -> Option<Option<&'a [u8]>> {
        find_attribute(self.attributes(), name)
    }

    /// The `a=rtpmap` lines.
    pub fn rtpmaps(&self) -> impl Iterator<Item = RtpMap<'a>> {
        self.attributes()
            .filter(|a| a.name.eq_ignore_ascii_case(b"rtpmap"))
            .filter_map(|a| RtpMap::parse(a.value?))
    }

    /// The `a=rtpmap` of payload type `pt`.
    pub fn rtpmap(&self, pt: u8) -> Option<RtpMap<'a>> {
        self.rtpmaps().find(|m| m.payload_type == pt)
    }

    /// The clock rate of payload type `pt`: its `a=rtpmap`, else the
    /// static table of RFC 3551.
    pub fn clock_rate(&self, pt: u8) -> Option<u32> {
        self.rtpmap(pt)
            .map(|m| m.clock_rate)
            .or_else(|| super::rtp::static_clock_rate(pt))
    }

    /// The `a=rtcp` attribute.
    pub fn rtcp(&self) -> Option<RtcpAttr<'a>> {
        let v = trim(self.attribute("rtcp")??);
        let sp = v.iter().position(|&c| c == b' ').unwrap_or(v.len());
        let port = u16::try_from(parse_u32(&v[..sp])?).ok()?;
        let connection = v.get(sp + 1..).and_then(Connection::parse);
        Some(RtcpAttr { port, connection })
    }

    /// `a=rtcp-mux` is present (RFC 5761).
    pub fn rtcp_mux(&self) -> bool {
        self.attribute("rtcp-mux").is_some()
    }

    /// An `a=crypto` attribute is present (SDES keying, RFC 4568).
    pub fn has_crypto(&self) -> bool {
        self.attribute("crypto").is_some()
    }

    /// The RTCP port: `a=rtcp`, else the RTP port with `a=rtcp-mux`, else
    /// the RTP port + 1 (RFC 3550 §11). `None` for non-RTP media or port 0.
    pub fn rtcp_port(&self) -> Option<u16> {
        let line = self.line?;
        if !line.is_rtp() || line.port == 0 {
            return None;
        }
        if let Some(r) = self.rtcp() {
            return Some(r.port);
        }
        if self.rtcp_mux() {
            return Some(line.port);
        }
        line.port.checked_add(1)
    }
}

/// Iterator over the media descriptions of an SDP text.
#[derive(Clone, Debug)]
pub struct MediaDescriptions<'a> {
    text: &'a [u8],
    pos: usize,
    session_connection: Option<Connection<'a>>,
}

impl<'a> Iterator for MediaDescriptions<'a> {
    type Item = Media<'a>;

    fn next(&mut self) -> Option<Media<'a>> {
        let mut lines = good_lines(self.text, self.pos);
        let m = lines.find(|l| l.kind == b'm')?;
        let end = lines
            .find(|l| l.kind == b'm')
            .map_or(self.text.len(), |l| l.offset);
        self.pos = end;
        Some(Media {
            offset: m.offset,
            line: MediaLine::parse(m.value),
            section: &self.text[m.offset..end],
            session_connection: self.session_connection,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::net::Ipv4Addr;

    // RFC 8866 §5 example.
    const RFC_8866: &[u8] = b"v=0\r\n\
o=jdoe 3724394400 3724394405 IN IP4 198.51.100.1\r\n\
s=Call to John Smith\r\n\
i=SDP Offer #1\r\n\
u=http://www.jdoe.example.com/home.html\r\n\
e=Jane Doe <jane@jdoe.example.com>\r\n\
p=+1 617 555-6011\r\n\
c=IN IP4 198.51.100.1\r\n\
t=0 0\r\n\
m=audio 49170 RTP/AVP 0\r\n\
m=audio 49180 RTP/AVP 0\r\n\
m=video 51372 RTP/AVP 99\r\n\
c=IN IP6 2001:db8::2\r\n\
a=rtpmap:99 h263-1998/90000\r\n";

    #[test]
    fn rfc_8866_example() {
        let s = Sdp::new_checked(RFC_8866).unwrap();
        assert_eq!(s.version(), Some(0));
        let o = s.origin().unwrap();
        assert_eq!(
            (o.username, o.session_id),
            (&b"jdoe"[..], &b"3724394400"[..])
        );
        assert_eq!(o.address, b"198.51.100.1");
        assert_eq!(s.session_name(), Some(&b"Call to John Smith"[..]));
        let c = s.connection().unwrap();
        assert_eq!(c.ip(), Some(IpAddr::V4(Ipv4Addr::new(198, 51, 100, 1))));
        let m: Vec<_> = s.media().collect();
        assert_eq!(m.len(), 3);
        let ports: Vec<_> = m.iter().map(|x| x.line.unwrap().port).collect();
        assert_eq!(ports, vec![49170, 49180, 51372]);
        assert_eq!(m[0].connection(), Some(c));
        assert_eq!(m[0].own_connection(), None);
        assert_eq!(
            m[2].connection().unwrap().ip(),
            Some("2001:db8::2".parse().unwrap())
        );
        let map = m[2].rtpmap(99).unwrap();
        assert_eq!(
            (map.encoding, map.clock_rate, map.channels),
            (&b"h263-1998"[..], 90000, None)
        );
        assert_eq!(m[0].clock_rate(0), Some(8000));
        assert_eq!(m[0].rtcp_port(), Some(49171));
        assert_eq!(
            m[1].line.unwrap().payload_types().collect::<Vec<_>>(),
            vec![0]
        );
    }

    // An AES67 stream description as the project's domain notes §5.3
    // describe them (RFC 7273 clock lines).
    const AES67: &[u8] = b"v=0\n\
o=- 1311738121 1311738121 IN IP4 192.168.1.11\n\
s=Stage box 1\n\
c=IN IP4 239.69.1.10/32\n\
t=0 0\n\
a=clock-domain:PTPv2 0\n\
m=audio 5004 RTP/AVP 96\n\
a=rtpmap:96 L24/48000/8\n\
a=ptime:1\n\
a=ts-refclk:ptp=IEEE1588-2008:00-1D-C1-FF-FE-12-34-56:0\n\
a=mediaclk:direct=0\n";

    #[test]
    fn aes67_description() {
        let s = Sdp::new_checked(AES67).unwrap();
        let c = s.connection().unwrap();
        assert_eq!(
            (c.address, c.ttl, c.count),
            (&b"239.69.1.10"[..], Some(32), None)
        );
        assert_eq!(s.attribute("clock-domain"), Some(Some(&b"PTPv2 0"[..])));
        let m = s.media().next().unwrap();
        let map = m.rtpmap(96).unwrap();
        assert_eq!(
            (map.encoding, map.clock_rate, map.channels),
            (&b"L24"[..], 48000, Some(8))
        );
        assert_eq!(m.attribute("ptime"), Some(Some(&b"1"[..])));
        assert!(m.attribute("ts-refclk").is_some());
        assert_eq!(m.connection(), Some(c));
        assert!(!m.line.unwrap().is_srtp());
    }

    #[test]
    fn rtcp_mux_rtcp_port_and_crypto() {
        let t = b"v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nt=0 0\r\n\
m=audio 40000 RTP/SAVP 0 8 101\r\nc=IN IP4 10.0.0.2\r\na=rtcp:40009 IN IP4 10.0.0.3\r\n\
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:xyz\r\n\
m=video 40002/2 UDP/TLS/RTP/SAVPF 96\r\na=rtcp-mux\r\n\
m=application 5000 TCP/BFCP *\r\n";
        let s = Sdp::new_checked(t).unwrap();
        assert_eq!(s.connection(), None);
        let m: Vec<_> = s.media().collect();
        let a = m[0].rtcp().unwrap();
        assert_eq!(a.port, 40009);
        assert_eq!(a.connection.unwrap().address, b"10.0.0.3");
        assert!(m[0].has_crypto() && m[0].line.unwrap().is_srtp());
        assert_eq!(m[0].rtcp_port(), Some(40009));
        assert_eq!(
            m[0].line.unwrap().payload_types().collect::<Vec<_>>(),
            vec![0, 8, 101]
        );
        let v = m[1].line.unwrap();
        assert_eq!((v.port, v.port_count), (40002, Some(2)));
        assert!(v.is_rtp() && v.is_srtp() && m[1].rtcp_mux());
        assert_eq!(m[1].rtcp_port(), Some(40002));
        assert_eq!(m[1].connection(), None);
        assert_eq!(m[2].rtcp_port(), None);
        assert_eq!(m[2].line.unwrap().formats, b"*");
    }

    #[test]
    fn connection_forms() {
        let c = Connection::parse(b"IN IP4 233.252.0.1/127/3").unwrap();
        assert_eq!((c.ttl, c.count), (Some(127), Some(3)));
        let c = Connection::parse(b"IN IP6 ff15::101/3").unwrap();
        assert_eq!((c.ttl, c.count), (None, Some(3)));
        assert!(Connection::parse(b"IN IP4 1.2.3.4/x").is_none());
        assert!(Connection::parse(b"IN IP4").is_none());
    }

    #[test]
    fn check_reports_offsets() {
        let e = Sdp::new(b"v=1\r\n").check().unwrap_err();
        assert_eq!(e.offset, 0);
        let e = Sdp::new(b"v=0\r\ns=x\r\n:bad\r\n").check().unwrap_err();
        assert_eq!(e.offset, 10);
        let e = Sdp::new(b"v=0\nm=audio x RTP/AVP 0\n").check().unwrap_err();
        assert_eq!(e.offset, 6);
        assert!(Sdp::new(b"").check().unwrap_err().is_truncation());
        // Malformed lines are skipped by the lenient readers.
        let s = Sdp::new(b"v=0\nzz\nc=IN IP4 1.2.3.4\nm=audio 1 RTP/AVP 0\n");
        assert_eq!(s.media().count(), 1);
        assert!(s.connection().is_some());
    }
}
