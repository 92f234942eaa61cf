//! The server name of a TLS ClientHello (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2,
//! server_name extension RFC 6066 §3): which service a client asks for,
//! readable in clear in TLS 1.2 and 1.3 alike.
//!
//! Only a ClientHello that starts a TCP segment and fits in it is read (the
//! usual case; a hello split over segments is not reassembled).

use super::{bad_field, be16, truncated, Proto, Result};

const HANDSHAKE: u8 = 22;
const CLIENT_HELLO: u8 = 1;
const SERVER_NAME: u16 = 0;

/// The host name of the first `host_name` entry of the server_name
/// extension, `Ok(None)` for a ClientHello without one.
///
/// # Errors
/// Not a TLS handshake record holding a ClientHello, or a length that runs
/// past the data.
pub fn client_hello_sni(b: &[u8]) -> Result<Option<&[u8]>> {
    if b.len() < 9 {
        return Err(truncated(Proto::Tls, 0, 9, b.len()));
    }
    if b[0] != HANDSHAKE {
        return Err(bad_field(Proto::Tls, 0, "content_type", u32::from(b[0])));
    }
    if b[1] != 3 {
        return Err(bad_field(Proto::Tls, 1, "version", u32::from(b[1])));
    }
    if b[5] != CLIENT_HELLO {
        return Err(bad_field(Proto::Tls, 5, "handshake_type", u32::from(b[5])));
    }
    let rec_len = usize::from(be16(b, 3).unwrap_or(0));
    let end = (5 + rec_len).min(b.len());
    let r = &b[..end];
    // Record header 5, handshake header 4, version 2, random 32.
    let mut p = 5 + 4 + 2 + 32;
    let at = |p: usize| r.get(p).copied().map(usize::from);
    let sid = at(p).ok_or(truncated(Proto::Tls, p, 1, 0))?;
    p += 1 + sid;
    let cs = usize::from(be16(r, p).ok_or(truncated(Proto::Tls, p, 2, 0))?);
    p += 2 + cs;
    let comp = at(p).ok_or(truncated(Proto::Tls, p, 1, 0))?;
    p += 1 + comp;
    let Some(ext_len) = be16(r, p) else {
        return Ok(None);
    };
    p += 2;
    let ext_end = (p + usize::from(ext_len)).min(r.len());
    while p + 4 <= ext_end {
        let kind = be16(r, p).unwrap_or(0xffff);
        let len = usize::from(be16(r, p + 2).unwrap_or(0));
        let v = r
            .get(p + 4..p + 4 + len)
            .ok_or(truncated(Proto::Tls, p, len + 4, r.len() - p))?;
        if kind == SERVER_NAME {
            // server_name_list length (2), name_type (1), name length (2).
            if let (Some(0), Some(n)) = (v.get(2), be16(v, 3)) {
                return v.get(5..5 + usize::from(n)).map(Some).ok_or(truncated(
                    Proto::Tls,
                    p + 9,
                    usize::from(n),
                    v.len() - 5,
                ));
            }
            return Ok(None);
        }
        p += 4 + len;
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_handshakes_and_cut_hellos_are_errors_not_panics() {
        assert!(client_hello_sni(b"GET / HTTP/1.1\r\n").is_err());
        let mut h = vec![22, 3, 1, 0, 50, 1, 0, 0, 46, 3, 3];
        h.extend_from_slice(&[0; 32]);
        assert!(client_hello_sni(&h).is_err());
        for n in 0..h.len() {
            let _ = client_hello_sni(&h[..n]);
        }
    }
}
