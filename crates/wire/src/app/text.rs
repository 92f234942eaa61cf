//! Helpers for the text protocols (SDP, SIP): line splitting and number
//! parsing over bytes, without allocation.

/// Splits text into lines ending in LF or CRLF (a lone CR also ends a
/// line: RFC 8866 §5 asks parsers to accept LF alone, and SIP stacks
/// accept either). Yields `(offset, line)` without the terminator.
#[derive(Clone, Debug)]
pub(crate) struct Lines<'a> {
    text: &'a [u8],
    pos: usize,
}

impl<'a> Lines<'a> {
    pub(crate) const fn new(text: &'a [u8]) -> Self {
        Lines { text, pos: 0 }
    }

    /// Lines from offset `pos` on.
    pub(crate) const fn starting_at(text: &'a [u8], pos: usize) -> Self {
        Lines { text, pos }
    }

    /// Offset of the next line (the end once all are read).
    pub(crate) const fn position(&self) -> usize {
        self.pos
    }
}

impl<'a> Iterator for Lines<'a> {
    type Item = (usize, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.text.get(self.pos..)?;
        if rest.is_empty() {
            return None;
        }
        let start = self.pos;
        match rest.iter().position(|&c| c == b'\n' || c == b'\r') {
            Some(i) => {
                let mut next = i + 1;
                if rest[i] == b'\r' && rest.get(i + 1) == Some(&b'\n') {
                    next += 1;
                }
                self.pos += next;
                Some((start, &rest[..i]))
            }
            None => {
                self.pos = self.text.len();
                Some((start, rest))
            }
        }
    }
}

/// ASCII-trimmed slice (spaces and tabs).
#[inline]
pub(crate) fn trim(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

/// Parses an unsigned decimal without sign or spaces; `None` on anything
/// else or on overflow.
#[inline]
pub(crate) fn parse_u32(s: &[u8]) -> Option<u32> {
    if s.is_empty() || s.len() > 10 {
        return None;
    }
    let mut v: u32 = 0;
    for &c in s {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u32::from(c - b'0'))?;
    }
    Some(v)
}

/// Same as [`parse_u32`] for a u64 (SIP Content-Length, SDP session ids).
#[inline]
pub(crate) fn parse_u64(s: &[u8]) -> Option<u64> {
    if s.is_empty() || s.len() > 20 {
        return None;
    }
    let mut v: u64 = 0;
    for &c in s {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    Some(v)
}

/// Splits at the first `sep`: `(before, Some(after))`, or `(s, None)`.
#[inline]
pub(crate) fn split_once(s: &[u8], sep: u8) -> (&[u8], Option<&[u8]>) {
    match s.iter().position(|&c| c == sep) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_accept_crlf_lf_and_cr() {
        let t = b"a=1\r\nb=2\nc=3\rd";
        let v: Vec<_> = Lines::new(t).collect();
        assert_eq!(
            v,
            vec![
                (0, &b"a=1"[..]),
                (5, &b"b=2"[..]),
                (9, &b"c=3"[..]),
                (13, &b"d"[..])
            ]
        );
        assert_eq!(Lines::new(b"").count(), 0);
        assert_eq!(Lines::new(b"\r\n\r\n").count(), 2);
    }

    #[test]
    fn numbers_reject_signs_spaces_and_overflow() {
        assert_eq!(parse_u32(b"4294967295"), Some(u32::MAX));
        assert_eq!(parse_u32(b"4294967296"), None);
        assert_eq!(parse_u32(b"+1"), None);
        assert_eq!(parse_u32(b" 1"), None);
        assert_eq!(parse_u32(b""), None);
        assert_eq!(parse_u64(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_u64(b"18446744073709551616"), None);
        assert_eq!(trim(b" \tx y\t "), b"x y");
        assert_eq!(split_once(b"a/b/c", b'/'), (&b"a"[..], Some(&b"b/c"[..])));
    }
}
