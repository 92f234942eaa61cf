//! The byte stream under the reader: plain, or gzip detected by content.

use std::io::{self, Read};

use crate::gunzip::Gunzip;

/// The two bytes every gzip member starts with (RFC 1952 §2.3.1).
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// A few bytes read ahead of `inner`, handed out first.
#[derive(Debug)]
pub(crate) struct Prefixed<R> {
    head: [u8; 2],
    head_len: usize,
    head_pos: usize,
    inner: R,
}

impl<R: Read> Read for Prefixed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.head_pos < self.head_len {
            let n = (self.head_len - self.head_pos).min(buf.len());
            buf[..n].copy_from_slice(&self.head[self.head_pos..self.head_pos + n]);
            self.head_pos += n;
            return Ok(n);
        }
        self.inner.read(buf)
    }
}

/// The decompressed (or plain) input.
#[derive(Debug)]
pub(crate) enum Source<R: Read> {
    Plain(Prefixed<R>),
    Gzip(Box<Gunzip<Prefixed<R>>>),
}

impl<R: Read> Source<R> {
    /// Reads the first two bytes of `inner` and wraps it in a gzip decoder
    /// if they are the gzip magic. Several concatenated gzip members are
    /// read as one stream, like `zcat`. (`Gunzip`, not flate2's
    /// `MultiGzDecoder`: that one drops the output decoded just before a
    /// corrupt block, see `gunzip.rs`.)
    pub(crate) fn sniff(mut inner: R) -> io::Result<Self> {
        let mut head = [0u8; 2];
        let mut head_len = 0;
        while head_len < head.len() {
            match inner.read(&mut head[head_len..]) {
                Ok(0) => break,
                Ok(k) => head_len += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        let prefixed = Prefixed {
            head,
            head_len,
            head_pos: 0,
            inner,
        };
        Ok(if head_len == 2 && head == GZIP_MAGIC {
            Source::Gzip(Box::new(Gunzip::new(prefixed)))
        } else {
            Source::Plain(prefixed)
        })
    }

    pub(crate) fn is_compressed(&self) -> bool {
        matches!(self, Source::Gzip(_))
    }
}

impl<R: Read> Read for Source<R> {
    #[inline]
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Source::Plain(r) => r.read(buf),
            Source::Gzip(r) => r.read(buf),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// "abc" compressed with `printf abc | gzip -n` (RFC 1952 member:
    /// magic 1f 8b, CM 8, no flags, mtime 0, XFL 0, OS 3, deflate data,
    /// CRC-32 of "abc" = 0x352441c2, ISIZE 3).
    const ABC_GZ: [u8; 23] = [
        0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x4b, 0x4c, 0x4a, 0x06, 0x00,
        0xc2, 0x41, 0x24, 0x35, 0x03, 0x00, 0x00, 0x00,
    ];

    fn read_all<R: Read>(mut s: Source<R>) -> Vec<u8> {
        let mut out = Vec::new();
        s.read_to_end(&mut out).unwrap();
        out
    }

    #[test]
    fn plain_input_passes_through_including_the_sniffed_bytes() {
        let s = Source::sniff(&b"\xd4\xc3\xb2\xa1rest"[..]).unwrap();
        assert!(!s.is_compressed());
        assert_eq!(read_all(s), b"\xd4\xc3\xb2\xa1rest");
    }

    #[test]
    fn gzip_is_detected_by_content() {
        let s = Source::sniff(&ABC_GZ[..]).unwrap();
        assert!(s.is_compressed());
        assert_eq!(read_all(s), b"abc");
    }

    #[test]
    fn concatenated_members_are_one_stream() {
        let mut two = ABC_GZ.to_vec();
        two.extend_from_slice(&ABC_GZ);
        assert_eq!(read_all(Source::sniff(&two[..]).unwrap()), b"abcabc");
    }

    #[test]
    fn one_byte_input_is_plain() {
        let s = Source::sniff(&[0x1f][..]).unwrap();
        assert!(!s.is_compressed());
        assert_eq!(read_all(s), [0x1f]);
    }
}
