//! DHCP messages (RFC 2131 §2, options RFC 2132): the fixed BOOTP part, the
//! magic cookie and the options, of which a device's host name (12), vendor
//! class (60) and user class (77, RFC 3004) say what it is.

use super::{array, bad_field, be32, truncated, Proto, Result};

/// The server and client ports.
pub const SERVER_PORT: u16 = 67;
pub const CLIENT_PORT: u16 = 68;
/// The magic cookie 99.130.83.99 (RFC 2131 §3).
pub const MAGIC_COOKIE: u32 = 0x6382_5363;
/// Offset of the options (after the cookie).
pub const OPTIONS_OFFSET: usize = 240;

/// Option codes.
pub mod option {
    pub const PAD: u8 = 0;
    pub const HOST_NAME: u8 = 12;
    pub const MESSAGE_TYPE: u8 = 53;
    pub const VENDOR_CLASS: u8 = 60;
    pub const USER_CLASS: u8 = 77;
    pub const END: u8 = 255;
}

/// A checked DHCP message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Message<'a> {
    b: &'a [u8],
}

impl<'a> Message<'a> {
    /// Checks the fixed part and the magic cookie.
    ///
    /// # Errors
    /// Fewer than 240 octets, an `op` other than 1 or 2, or no cookie.
    pub fn parse(b: &'a [u8]) -> Result<Self> {
        if b.len() < OPTIONS_OFFSET {
            return Err(truncated(Proto::Dhcp, 0, OPTIONS_OFFSET, b.len()));
        }
        if !matches!(b[0], 1 | 2) {
            return Err(bad_field(Proto::Dhcp, 0, "op", u32::from(b[0])));
        }
        let cookie = be32(b, 236).unwrap_or(0);
        if cookie != MAGIC_COOKIE {
            return Err(bad_field(Proto::Dhcp, 236, "magic_cookie", cookie));
        }
        Ok(Message { b })
    }

    /// 1 = BOOTREQUEST (from a client), 2 = BOOTREPLY.
    pub fn op(&self) -> u8 {
        self.b[0]
    }

    /// The client hardware address when it is a 6-octet Ethernet address.
    pub fn client_mac(&self) -> Option<[u8; 6]> {
        (self.b[1] == 1 && self.b[2] == 6)
            .then(|| array::<6>(self.b, 28))
            .flatten()
    }

    /// `yiaddr`: the address a server gives the client.
    pub fn your_ip(&self) -> [u8; 4] {
        array::<4>(self.b, 16).unwrap_or_default()
    }

    /// The options in order (PAD skipped), up to END or the first option
    /// cut short (then an error).
    pub fn options(&self) -> Options<'a> {
        Options {
            b: self.b,
            pos: OPTIONS_OFFSET,
            done: false,
        }
    }

    /// The value of the first option `code`.
    pub fn option(&self, code: u8) -> Option<&'a [u8]> {
        self.options()
            .map_while(|o| o.ok())
            .find(|o| o.0 == code)
            .map(|o| o.1)
    }

    /// The DHCP message type (option 53): 1 DISCOVER ... 8 INFORM.
    pub fn message_type(&self) -> Option<u8> {
        self.option(option::MESSAGE_TYPE)
            .and_then(|v| v.first().copied())
    }
}

/// The options of a message: `(code, value)`.
#[derive(Clone, Debug)]
pub struct Options<'a> {
    b: &'a [u8],
    pos: usize,
    done: bool,
}

impl<'a> Iterator for Options<'a> {
    type Item = Result<(u8, &'a [u8])>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done {
                return None;
            }
            let code = *self.b.get(self.pos)?;
            match code {
                option::PAD => self.pos += 1,
                option::END => {
                    self.done = true;
                    return None;
                }
                _ => {
                    let at = self.pos;
                    let Some(&len) = self.b.get(at + 1) else {
                        self.done = true;
                        return Some(Err(truncated(Proto::Dhcp, at, 2, 1)));
                    };
                    let end = at + 2 + usize::from(len);
                    let Some(value) = self.b.get(at + 2..end) else {
                        self.done = true;
                        return Some(Err(truncated(
                            Proto::Dhcp,
                            at,
                            usize::from(len) + 2,
                            self.b.len() - at,
                        )));
                    };
                    self.pos = end;
                    return Some(Ok((code, value)));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_needs_the_fixed_part_and_the_cookie() {
        let mut b = vec![0u8; 240];
        assert!(Message::parse(&b).is_err());
        b[0] = 1;
        assert_eq!(Message::parse(&b).unwrap_err().offset, 236);
        b[236..240].copy_from_slice(&MAGIC_COOKIE.to_be_bytes());
        b.extend_from_slice(&[0, 12, 3, b'a', b'b', b'c', 60, 9, b'x']);
        let m = Message::parse(&b).unwrap();
        assert_eq!(m.option(option::HOST_NAME), Some(&b"abc"[..]));
        let all: Vec<_> = m.options().collect();
        assert!(all[1].is_err());
        assert!(Message::parse(&b[..239]).is_err());
    }
}
