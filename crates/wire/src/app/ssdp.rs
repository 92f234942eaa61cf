//! The head of an HTTP/1.x-style message: SSDP (UPnP Device Architecture
//! 2.0 §1, HTTP over UDP 1900) and plain HTTP requests and responses
//! (RFC 9112 §2). Devices name themselves in `SERVER` (SSDP, HTTP
//! responses), `USN`, `User-Agent` and `Host`.

use super::text::{trim, Lines};
use super::{bad_field, Proto, Result};

/// The SSDP port and IPv4 group.
pub const PORT: u16 = 1900;
pub const GROUP_V4: [u8; 4] = [239, 255, 255, 250];

/// A message head: the start line and the header lines up to the first
/// empty line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Head<'a> {
    b: &'a [u8],
    start: &'a [u8],
}

impl<'a> Head<'a> {
    /// Reads the start line: a request (`METHOD target HTTP/1.x`) or a
    /// status line (`HTTP/1.x code reason`).
    ///
    /// # Errors
    /// A start line of neither form.
    pub fn parse(b: &'a [u8]) -> Result<Self> {
        let start = Lines::new(b).next().map(|(_, l)| l).unwrap_or_default();
        let is_status = start.starts_with(b"HTTP/1.");
        let is_request = start.len() > 9
            && start[start.len() - 8..].starts_with(b"HTTP/1.")
            && start.first().is_some_and(u8::is_ascii_uppercase);
        if !is_status && !is_request {
            return Err(bad_field(
                Proto::Http,
                0,
                "start_line",
                u32::from(start.first().copied().unwrap_or(0)),
            ));
        }
        Ok(Head { b, start })
    }

    /// The start line.
    pub fn start_line(&self) -> &'a [u8] {
        self.start
    }

    /// The request method (`NOTIFY`, `M-SEARCH`, `GET`, ...), `None` for
    /// a response.
    pub fn method(&self) -> Option<&'a [u8]> {
        if self.start.starts_with(b"HTTP/") {
            return None;
        }
        self.start.split(|&c| c == b' ').next()
    }

    /// The value of the first header `name` (compared without case), trimmed.
    pub fn header(&self, name: &str) -> Option<&'a [u8]> {
        for (_, line) in Lines::new(self.b).skip(1) {
            if line.is_empty() {
                break;
            }
            let Some(colon) = line.iter().position(|&c| c == b':') else {
                continue;
            };
            if trim(&line[..colon]).eq_ignore_ascii_case(name.as_bytes()) {
                return Some(trim(&line[colon + 1..]));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The NOTIFY example of UPnP Device Architecture 2.0 §1.2.2 (values
    /// filled in).
    #[test]
    fn an_ssdp_notify_gives_its_headers() {
        let m = b"NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nCACHE-CONTROL: max-age = 1800\r\nNT: upnp:rootdevice\r\nNTS: ssdp:alive\r\nSERVER: Linux/5.10 UPnP/2.0 Product/1.0\r\nUSN: uuid:abc::upnp:rootdevice\r\n\r\n";
        let h = Head::parse(m).unwrap();
        assert_eq!(h.method(), Some(&b"NOTIFY"[..]));
        assert_eq!(
            h.header("server"),
            Some(&b"Linux/5.10 UPnP/2.0 Product/1.0"[..])
        );
        assert_eq!(h.header("Usn"), Some(&b"uuid:abc::upnp:rootdevice"[..]));
        assert_eq!(h.header("X"), None);
        assert!(Head::parse(b"\x16\x03\x01").is_err());
        assert!(Head::parse(b"").is_err());
        let r = Head::parse(b"HTTP/1.1 200 OK\r\nServer: nginx\r\n\r\nServer: body").unwrap();
        assert_eq!(r.method(), None);
        assert_eq!(r.header("server"), Some(&b"nginx"[..]));
    }
}
