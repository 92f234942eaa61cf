//! SIP messages (RFC 3261 §7), read in place.
//!
//! A message is a start line (request: `METHOD uri SIP/2.0`; response:
//! `SIP/2.0 code reason`), header fields up to an empty line, and a body
//! whose length Content-Length gives. Header names are case-insensitive
//! and many have a compact one-letter form (§7.3.3, and the extensions'
//! registrations in the IANA "Header Fields" table): both are matched.
//! Over UDP a missing Content-Length means the body runs to the end of
//! the datagram (§18.3); over a stream it is required, and a body shorter
//! than it claims is flagged truncated (the rest is in a later segment).

use super::text::{parse_u64, trim, Lines};
use super::{bad_field, truncated, Error, ErrorKind, Proto, Result};

/// The UDP/TCP port of SIP.
pub const PORT: u16 = 5060;
/// The TLS port of SIP.
pub const TLS_PORT: u16 = 5061;

/// Longest header section read, a bound on the work done per message.
pub const MAX_HEAD_LEN: usize = 64 * 1024;

/// Header names with a compact form: (full, compact).
const COMPACT: [(&str, u8); 20] = [
    ("Accept-Contact", b'a'),
    ("Referred-By", b'b'),
    ("Content-Type", b'c'),
    ("Request-Disposition", b'd'),
    ("Content-Encoding", b'e'),
    ("From", b'f'),
    ("Call-ID", b'i'),
    ("Reject-Contact", b'j'),
    ("Supported", b'k'),
    ("Content-Length", b'l'),
    ("Contact", b'm'),
    ("Identity-Info", b'n'),
    ("Event", b'o'),
    ("Refer-To", b'r'),
    ("Subject", b's'),
    ("To", b't'),
    ("Allow-Events", b'u'),
    ("Via", b'v'),
    ("Session-Expires", b'x'),
    ("Identity", b'y'),
];

/// The compact form of a header name, if it has one.
pub fn compact_form(name: &str) -> Option<u8> {
    COMPACT
        .iter()
        .find(|(full, _)| full.eq_ignore_ascii_case(name))
        .map(|&(_, c)| c)
}

/// True when header `found` (as written in a message) is `name` in full
/// or compact form, ignoring case.
pub fn name_matches(found: &[u8], name: &str) -> bool {
    if found.eq_ignore_ascii_case(name.as_bytes()) {
        return true;
    }
    match (found, compact_form(name)) {
        ([c], Some(compact)) => c.eq_ignore_ascii_case(&compact),
        _ => false,
    }
}

/// The start line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartLine<'a> {
    /// `Method SP Request-URI SP SIP-Version`.
    Request {
        /// Method (INVITE, ACK, BYE, REGISTER, OPTIONS, ...).
        method: &'a [u8],
        /// Request-URI.
        uri: &'a [u8],
        /// SIP-Version.
        version: &'a [u8],
    },
    /// `SIP-Version SP Status-Code SP Reason-Phrase`.
    Response {
        /// SIP-Version.
        version: &'a [u8],
        /// Status-Code, 100-699.
        code: u16,
        /// Reason-Phrase.
        reason: &'a [u8],
    },
}

impl<'a> StartLine<'a> {
    /// Parses a start line; `None` unless it is a SIP/2.0 request or
    /// response line.
    pub fn parse(line: &'a [u8]) -> Option<Self> {
        if let Some(rest) = line.strip_prefix(b"SIP/2.0 ") {
            let code = rest.get(..3)?;
            let code = u16::try_from(parse_u64(code)?).ok()?;
            if !(100..=699).contains(&code) {
                return None;
            }
            if rest.len() > 3 && rest[3] != b' ' {
                return None;
            }
            return Some(StartLine::Response {
                version: &line[..7],
                code,
                reason: rest.get(4..).unwrap_or(&[]),
            });
        }
        let sp = line.iter().position(|&c| c == b' ')?;
        let method = &line[..sp];
        if method.is_empty() || !method.iter().all(|c| c.is_ascii_alphabetic() || *c == b'-') {
            return None;
        }
        let rest = &line[sp + 1..];
        let sp2 = rest.iter().rposition(|&c| c == b' ')?;
        let version = &rest[sp2 + 1..];
        if version != b"SIP/2.0" {
            return None;
        }
        Some(StartLine::Request {
            method,
            uri: &rest[..sp2],
            version,
        })
    }
}

/// One header field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header<'a> {
    /// Offset of the header line in the message.
    pub offset: usize,
    /// The name as written.
    pub name: &'a [u8],
    /// The value, trimmed; folded continuation lines stay inside it.
    pub value: &'a [u8],
}

/// The header fields of a message.
#[derive(Clone, Debug)]
pub struct Headers<'a> {
    head: &'a [u8],
    lines: Lines<'a>,
}

impl<'a> Iterator for Headers<'a> {
    type Item = Header<'a>;

    fn next(&mut self) -> Option<Header<'a>> {
        loop {
            let (offset, line) = self.lines.next()?;
            if line.is_empty() {
                return None;
            }
            let Some(colon) = line.iter().position(|&c| c == b':') else {
                continue;
            };
            let name = trim(&line[..colon]);
            let mut end = offset + line.len();
            // Folded lines (RFC 3261 §7.3.1) start with SP or HT.
            let mut peek = self.lines.clone();
            while let Some((o, l)) = peek.next() {
                if matches!(l.first(), Some(b' ' | b'\t')) {
                    end = o + l.len();
                    self.lines = peek.clone();
                } else {
                    break;
                }
            }
            let value = trim(&self.head[offset + colon + 1..end]);
            return Some(Header {
                offset,
                name,
                value,
            });
        }
    }
}

/// The body as Content-Length bounds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Body<'a> {
    /// The body octets present (at most Content-Length).
    pub bytes: &'a [u8],
    /// Content-Length claims more octets than the buffer holds.
    pub truncated: bool,
    /// Octets after the body (another message on a stream).
    pub trailing: usize,
}

/// A SIP message: start line, headers and body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Message<'a> {
    bytes: &'a [u8],
    start_line: StartLine<'a>,
    /// Offset of the first header line.
    headers_at: usize,
    /// Offset of the body (after the empty line).
    body_at: usize,
}

impl<'a> Message<'a> {
    /// Parses the start line and finds the end of the header section.
    /// Errors: not a SIP start line (offset 0), no empty line ending the
    /// headers within the buffer or [`MAX_HEAD_LEN`] (truncated).
    pub fn parse(bytes: &'a [u8]) -> Result<Self> {
        let mut lines = Lines::new(bytes);
        let Some((_, first)) = lines.next() else {
            return Err(truncated(Proto::Sip, 0, 1, 0));
        };
        let start_line = StartLine::parse(first)
            .ok_or_else(|| bad_field(Proto::Sip, 0, "start_line", first.len() as u32))?;
        let headers_at = lines.position();
        let mut body_at = None;
        for (offset, line) in lines.by_ref() {
            if offset > MAX_HEAD_LEN {
                break;
            }
            if line.is_empty() {
                body_at = Some(offset);
                break;
            }
        }
        let Some(blank) = body_at else {
            return Err(truncated(
                Proto::Sip,
                headers_at,
                bytes.len() + 2 - headers_at,
                bytes.len() - headers_at,
            ));
        };
        // The body starts after the empty line's terminator.
        let body_at = match &bytes[blank..] {
            [b'\r', b'\n', ..] => blank + 2,
            [_, ..] => blank + 1,
            [] => blank,
        };
        Ok(Message {
            bytes,
            start_line,
            headers_at,
            body_at,
        })
    }

    /// The start line.
    pub const fn start_line(&self) -> StartLine<'a> {
        self.start_line
    }

    /// The method of a request, or of the CSeq of a response.
    pub fn method(&self) -> Option<&'a [u8]> {
        match self.start_line {
            StartLine::Request { method, .. } => Some(method),
            StartLine::Response { .. } => self.cseq().map(|(_, m)| m),
        }
    }

    /// The status code of a response.
    pub fn status_code(&self) -> Option<u16> {
        match self.start_line {
            StartLine::Response { code, .. } => Some(code),
            StartLine::Request { .. } => None,
        }
    }

    /// The header fields.
    pub fn headers(&self) -> Headers<'a> {
        let head = &self.bytes[..self.body_at];
        Headers {
            head,
            lines: Lines::starting_at(head, self.headers_at),
        }
    }

    /// The value of the first header `name` (full or compact form, any case).
    pub fn header(&self, name: &str) -> Option<&'a [u8]> {
        self.headers()
            .find(|h| name_matches(h.name, name))
            .map(|h| h.value)
    }

    /// Content-Length: `None` when absent, an error when not a number.
    pub fn content_length(&self) -> Option<Result<u64>> {
        let h = self
            .headers()
            .find(|h| name_matches(h.name, "Content-Length"))?;
        Some(parse_u64(h.value).ok_or(Error::new(
            Proto::Sip,
            h.offset,
            ErrorKind::BadField {
                field: "content_length",
                value: h.value.len() as u32,
            },
        )))
    }

    /// Content-Type without parameters (e.g. `application/sdp`).
    pub fn content_type(&self) -> Option<&'a [u8]> {
        let v = self.header("Content-Type")?;
        let end = v.iter().position(|&c| c == b';').unwrap_or(v.len());
        Some(trim(&v[..end]))
    }

    /// User-Agent.
    pub fn user_agent(&self) -> Option<&'a [u8]> {
        self.header("User-Agent")
    }

    /// Server.
    pub fn server(&self) -> Option<&'a [u8]> {
        self.header("Server")
    }

    /// Call-ID.
    pub fn call_id(&self) -> Option<&'a [u8]> {
        self.header("Call-ID")
    }

    /// CSeq: sequence number and method.
    pub fn cseq(&self) -> Option<(u32, &'a [u8])> {
        let v = self.header("CSeq")?;
        let sp = v.iter().position(|&c| c == b' ')?;
        let n = u32::try_from(parse_u64(&v[..sp])?).ok()?;
        Some((n, trim(&v[sp + 1..])))
    }

    /// Offset of the body.
    pub const fn body_offset(&self) -> usize {
        self.body_at
    }

    /// The body, bounded by Content-Length (to the end of the buffer when
    /// Content-Length is absent or not a number).
    pub fn body(&self) -> Body<'a> {
        let rest = &self.bytes[self.body_at..];
        match self.content_length() {
            Some(Ok(n)) => {
                let n = usize::try_from(n).unwrap_or(usize::MAX);
                let have = n.min(rest.len());
                Body {
                    bytes: &rest[..have],
                    truncated: n > rest.len(),
                    trailing: rest.len() - have,
                }
            }
            _ => Body {
                bytes: rest,
                truncated: false,
                trailing: 0,
            },
        }
    }

    /// Length of the whole message in the buffer (head and body present).
    pub fn len(&self) -> usize {
        self.body_at + self.body().bytes.len()
    }

    /// True for a message of no octets (never: a start line is required).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// True when `bytes` starts with a SIP request or status line.
pub fn is_sip(bytes: &[u8]) -> bool {
    let end = bytes
        .iter()
        .take(1024)
        .position(|&c| c == b'\r' || c == b'\n')
        .unwrap_or(bytes.len().min(1024));
    StartLine::parse(&bytes[..end]).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 3261 §24.2 F1 (Alice's INVITE to Bob), with its SDP body.
    const INVITE: &[u8] = b"INVITE sip:bob@biloxi.example.com SIP/2.0\r\n\
Via: SIP/2.0/TCP client.atlanta.example.com:5060;branch=z9hG4bK74bf9\r\n\
Max-Forwards: 70\r\n\
From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl\r\n\
To: Bob <sip:bob@biloxi.example.com>\r\n\
Call-ID: 3848276298220188511@atlanta.example.com\r\n\
CSeq: 1 INVITE\r\n\
Contact: <sip:alice@client.atlanta.example.com;transport=tcp>\r\n\
Content-Type: application/sdp\r\n\
Content-Length: 151\r\n\
\r\n\
v=0\r\n\
o=alice 2890844526 2890844526 IN IP4 client.atlanta.example.com\r\n\
s=-\r\n\
c=IN IP4 192.0.2.101\r\n\
t=0 0\r\n\
m=audio 49172 RTP/AVP 0\r\n\
a=rtpmap:0 PCMU/8000\r\n";

    #[test]
    fn rfc_3261_invite() {
        let m = Message::parse(INVITE).unwrap();
        assert_eq!(
            m.start_line(),
            StartLine::Request {
                method: b"INVITE",
                uri: b"sip:bob@biloxi.example.com",
                version: b"SIP/2.0"
            }
        );
        assert_eq!(m.content_length().unwrap().unwrap(), 151);
        assert_eq!(m.content_type(), Some(&b"application/sdp"[..]));
        assert_eq!(
            m.call_id(),
            Some(&b"3848276298220188511@atlanta.example.com"[..])
        );
        assert_eq!(m.cseq(), Some((1, &b"INVITE"[..])));
        assert_eq!(m.header("max-forwards"), Some(&b"70"[..]));
        let b = m.body();
        assert_eq!((b.bytes.len(), b.truncated, b.trailing), (151, false, 0));
        assert!(b.bytes.starts_with(b"v=0\r\n") && b.bytes.ends_with(b"PCMU/8000\r\n"));
        assert_eq!(m.len(), INVITE.len());
        assert_eq!(m.headers().count(), 9);
        assert!(is_sip(INVITE));
    }

    #[test]
    fn response_compact_forms_and_folding() {
        let r = b"SIP/2.0 180 Ringing\r\n\
v: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds8\r\n\
i: a84b4c76e66710\r\n\
CSeq: 314159 INVITE\r\n\
Server: Acme\r\n  SIP Phone 1.0\r\n\
c: text/plain;charset=utf-8\r\n\
l: 4\r\n\r\nabcdEXTRA";
        let m = Message::parse(r).unwrap();
        assert_eq!(m.status_code(), Some(180));
        assert_eq!(m.method(), Some(&b"INVITE"[..]));
        assert_eq!(m.call_id(), Some(&b"a84b4c76e66710"[..]));
        assert_eq!(
            m.header("VIA"),
            Some(&b"SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds8"[..])
        );
        assert_eq!(m.server(), Some(&b"Acme\r\n  SIP Phone 1.0"[..]));
        assert_eq!(m.content_type(), Some(&b"text/plain"[..]));
        let b = m.body();
        assert_eq!((b.bytes, b.truncated, b.trailing), (&b"abcd"[..], false, 5));
    }

    #[test]
    fn truncated_body_and_head() {
        let r = b"SIP/2.0 200 OK\r\nContent-Length: 100\r\n\r\nv=0\r\n";
        let b = Message::parse(r).unwrap().body();
        assert_eq!((b.bytes.len(), b.truncated), (5, true));
        let e = Message::parse(b"SIP/2.0 200 OK\r\nVia: x\r\n").unwrap_err();
        assert!(e.is_truncation());
        assert_eq!(e.offset, 16);
        let e = Message::parse(b"HTTP/1.1 200 OK\r\n\r\n").unwrap_err();
        assert_eq!(e.offset, 0);
        assert!(!e.is_truncation());
        let m = Message::parse(b"OPTIONS sip:x SIP/2.0\nl: zz\n\n").unwrap();
        assert!(m.content_length().unwrap().is_err());
        assert_eq!(m.body().bytes, b"");
        assert!(StartLine::parse(b"SIP/2.0 99 Nope").is_none());
        assert!(StartLine::parse(b"SIP/2.0 2000").is_none());
        assert!(StartLine::parse(b"INVITE sip:x SIP/3.0").is_none());
    }

    #[test]
    fn compact_names() {
        assert!(name_matches(b"l", "Content-Length"));
        assert!(name_matches(b"CONTENT-length", "Content-Length"));
        assert!(name_matches(b"I", "call-id"));
        assert!(!name_matches(b"l", "Call-ID"));
        assert_eq!(compact_form("User-Agent"), None);
    }
}
