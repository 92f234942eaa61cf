//! The read buffer that records borrow from.
//!
//! One large `Vec<u8>` is filled with `read()` calls as big as its free
//! space. Records are slices of it; nothing is copied per packet. When the
//! unread tail is shorter than the next record, the tail is moved to the
//! front (it is at most one record long) and the rest is refilled. The
//! buffer grows only when a single record or block is longer than the
//! buffer, and never beyond the limit given at construction.

use std::io::{self, Read};

/// Initial size of the buffer: large enough that `read()` calls are few,
/// small enough to stay in the L2/L3 cache of a small machine.
pub(crate) const DEFAULT_CAPACITY: usize = 1 << 20;

#[derive(Debug)]
pub(crate) struct ReadBuffer<S> {
    src: S,
    data: Vec<u8>,
    /// Index of the first unread byte in `data`.
    start: usize,
    /// Index one past the last valid byte in `data`.
    end: usize,
    /// Stream offset of `data[0]`.
    base: u64,
    eof: bool,
    /// The buffer never grows beyond this.
    max_len: usize,
}

impl<S: Read> ReadBuffer<S> {
    pub(crate) fn new(src: S, capacity: usize, max_len: usize) -> Self {
        let capacity = capacity.min(max_len).max(64);
        ReadBuffer {
            src,
            data: vec![0; capacity],
            start: 0,
            end: 0,
            base: 0,
            eof: false,
            max_len: max_len.max(capacity),
        }
    }

    /// Stream offset of the first unread byte.
    #[inline]
    pub(crate) fn pos(&self) -> u64 {
        self.base + self.start as u64
    }

    /// Unread bytes in the buffer.
    #[inline]
    pub(crate) fn available(&self) -> usize {
        self.end - self.start
    }

    /// Index in the buffer of the first unread byte (for [`slice`](Self::slice)).
    #[inline]
    pub(crate) fn index(&self) -> usize {
        self.start
    }

    /// Makes at least `n` unread bytes available, reading more if needed.
    /// Returns the number of unread bytes, which is less than `n` only at
    /// the end of the input. `n` is capped at the buffer's maximum size.
    ///
    /// May move the unread bytes: slices taken before are invalid after
    /// this call (the borrow checker enforces it).
    #[inline]
    pub(crate) fn ensure(&mut self, n: usize) -> io::Result<usize> {
        if self.end - self.start >= n {
            return Ok(self.end - self.start);
        }
        self.fill(n.min(self.max_len))
    }

    #[cold]
    fn fill(&mut self, n: usize) -> io::Result<usize> {
        if self.eof {
            return Ok(self.available());
        }
        if self.start + n > self.data.len() {
            // Move the short tail to the front.
            self.data.copy_within(self.start..self.end, 0);
            self.base += self.start as u64;
            self.end -= self.start;
            self.start = 0;
        }
        while self.end - self.start < n {
            if self.end == self.data.len() {
                // Grow only as data arrives, so that a damaged length
                // field in a short input does not allocate its claim.
                let grown = (self.data.len() * 2).min(self.max_len);
                self.data.resize(grown, 0);
            }
            match self.src.read(&mut self.data[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(k) => self.end += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(self.available())
    }

    /// The next `n` unread bytes; the caller has made them available.
    #[inline]
    pub(crate) fn peek(&self, n: usize) -> &[u8] {
        &self.data[self.start..self.start + n]
    }

    /// `len` bytes at buffer index `at`, taken before the last `consume`.
    #[inline]
    pub(crate) fn slice(&self, at: usize, len: usize) -> &[u8] {
        &self.data[at..at + len]
    }

    /// Marks `n` available bytes as read.
    #[inline]
    pub(crate) fn consume(&mut self, n: usize) {
        debug_assert!(n <= self.available());
        self.start += n.min(self.available());
    }

    /// Current size of the buffer (for tests of the growth bound).
    #[cfg(test)]
    pub(crate) fn capacity(&self) -> usize {
        self.data.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out at most `chunk` bytes per call.
    struct Trickle<'a> {
        data: &'a [u8],
        chunk: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.chunk.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    fn bytes(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i % 251) as u8).collect()
    }

    #[test]
    fn ensure_collects_short_reads() {
        let src = bytes(100);
        let mut b = ReadBuffer::new(
            Trickle {
                data: &src,
                chunk: 3,
            },
            64,
            64,
        );
        // Reads stop once enough is there: four reads of 3 bytes.
        assert_eq!(b.ensure(10).unwrap(), 12);
        assert_eq!(b.peek(10), &src[..10]);
    }

    #[test]
    fn compaction_keeps_offsets_and_bytes() {
        let src = bytes(1000);
        let mut b = ReadBuffer::new(&src[..], 64, 64);
        let mut pos = 0u64;
        // Walk in steps of 7 bytes, checking each step against the source.
        while b.ensure(7).unwrap() >= 7 {
            assert_eq!(b.pos(), pos);
            assert_eq!(b.peek(7), &src[pos as usize..pos as usize + 7]);
            b.consume(7);
            pos += 7;
        }
        assert_eq!(pos, 994);
        assert_eq!(b.available(), 6);
        assert_eq!(b.capacity(), 64);
    }

    #[test]
    fn grows_only_to_the_limit() {
        let src = bytes(5000);
        let mut b = ReadBuffer::new(&src[..], 64, 1024);
        // Doubling from 64 as data arrives: 128, 256, 512.
        assert_eq!(b.ensure(300).unwrap(), 512);
        assert_eq!(b.capacity(), 512);
        // A request beyond the limit is capped at the limit.
        assert_eq!(b.ensure(4000).unwrap(), 1024);
        assert_eq!(b.capacity(), 1024);
        assert_eq!(b.peek(1024), &src[..1024]);
    }

    #[test]
    fn a_large_claim_on_a_short_input_does_not_allocate_it() {
        let src = bytes(100);
        let mut b = ReadBuffer::new(&src[..], 64, 16 << 20);
        assert_eq!(b.ensure(8 << 20).unwrap(), 100);
        assert_eq!(b.capacity(), 128);
    }

    #[test]
    fn end_of_input_returns_what_is_left() {
        let src = bytes(10);
        let mut b = ReadBuffer::new(&src[..], 64, 64);
        assert_eq!(b.ensure(16).unwrap(), 10);
        b.consume(10);
        assert_eq!(b.ensure(1).unwrap(), 0);
        assert_eq!(b.pos(), 10);
    }
}
