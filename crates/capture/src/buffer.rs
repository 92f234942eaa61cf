//! The read buffer that records borrow from.
//!
//! One large `Vec<u8>` is filled with `read()` calls as big as its free
//! space. Records are slices of it; nothing is copied per packet. When the
//! unread tail is shorter than the next record, the tail is moved to the
//! front (it is at most one record long) and the rest is refilled. The
//! buffer grows only when a single record or block is longer than the
//! buffer, and never beyond the limit given at construction.
//!
//! With read-ahead ([`ReadBuffer::start_read_ahead`]) a second thread makes
//! the `read()` calls (and, for gzip, the decompression) into chunks of its
//! own, while this thread walks the records of the previous chunk. A chunk
//! arrives with free room in front of its data, so the unread tail of the
//! current buffer (the start of a record cut by the chunk boundary) is
//! copied in front of it and the chunk becomes the buffer: no byte of the
//! input is copied again, and records stay contiguous slices.

use std::io::{self, Read};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};

/// Initial size of the buffer: large enough that `read()` calls are few,
/// small enough to stay in the L2/L3 cache of a small machine.
pub(crate) const DEFAULT_CAPACITY: usize = 1 << 20;

#[derive(Debug)]
pub(crate) struct ReadBuffer<S> {
    feed: Feed<S>,
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
            feed: Feed::Direct(src),
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
        let src = match &mut self.feed {
            Feed::Direct(src) => src,
            Feed::Ahead(_) => return self.fill_ahead(n),
            Feed::Gone => {
                self.eof = true;
                return Ok(self.available());
            }
        };
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
            match src.read(&mut self.data[self.end..]) {
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

    /// Asks the CPU to bring the next unread bytes (the next record's header
    /// and the start of its frame) into the cache while the caller works on
    /// the current record: with read-ahead they were written by the kernel
    /// on another core, and the first touch of each record header was the
    /// reader's largest single cost (docs/performance.md).
    #[inline]
    pub(crate) fn prefetch_next(&self) {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            for ahead in [0usize, 64] {
                if let Some(byte) = self.data[..self.end].get(self.start + ahead) {
                    let p: *const i8 = (byte as *const u8).cast();
                    // SAFETY: `_mm_prefetch` needs SSE, which is part of the
                    // x86_64 baseline (every x86_64 CPU has it); a prefetch is
                    // a hint that reads nothing and never faults, and `p`
                    // points into `self.data` anyway. Measured: 20-25 % less
                    // cpu for `check` on the 1.1 GB benchmark capture.
                    #[allow(unsafe_code)]
                    unsafe {
                        _mm_prefetch::<_MM_HINT_T0>(p);
                    }
                }
            }
        }
    }

    /// Marks `n` available bytes as read.
    #[inline]
    pub(crate) fn consume(&mut self, n: usize) {
        debug_assert!(n <= self.available());
        self.start += n.min(self.available());
    }

    /// Hands the source to a thread that reads chunks of `chunk_len` bytes
    /// ahead (at most [`CHUNKS_IN_FLIGHT`] of them). Bytes already in the
    /// buffer are kept; the stream goes on where it stopped. Does nothing
    /// when read-ahead is already on or the input has ended.
    ///
    /// # Errors
    /// The thread could not be started (the source is then kept).
    pub(crate) fn start_read_ahead(&mut self, chunk_len: usize) -> io::Result<()>
    where
        S: Read + Send + 'static,
    {
        if self.eof || !matches!(self.feed, Feed::Direct(_)) {
            return Ok(());
        }
        let chunk_len = chunk_len.max(64);
        // Room in front of each chunk for the tail of the previous one: a
        // record cut by the boundary is usually much shorter than this.
        let gap = chunk_len / 4;
        let (full_tx, full_rx) = mpsc::sync_channel(CHUNKS_IN_FLIGHT);
        let (empty_tx, empty_rx) = mpsc::channel();
        // The thread is started first and given the source after: if it
        // cannot be started, the source stays here and nothing changes.
        let (src_tx, src_rx) = mpsc::channel::<S>();
        std::thread::Builder::new()
            .name("capture-read-ahead".into())
            .spawn(move || {
                if let Ok(src) = src_rx.recv() {
                    read_ahead(src, gap, chunk_len, &full_tx, &empty_rx);
                }
            })?;
        let Feed::Direct(src) = std::mem::replace(&mut self.feed, Feed::Gone) else {
            return Ok(());
        };
        if let Err(mpsc::SendError(src)) = src_tx.send(src) {
            // The thread is gone already: keep reading here.
            self.feed = Feed::Direct(src);
            return Ok(());
        }
        self.feed = Feed::Ahead(Ahead {
            full: full_rx,
            empty: empty_tx,
            gap,
        });
        Ok(())
    }

    /// `fill` with read-ahead: takes chunks until `n` bytes are available.
    fn fill_ahead(&mut self, n: usize) -> io::Result<usize> {
        while self.available() < n {
            let Feed::Ahead(ahead) = &self.feed else {
                break;
            };
            let chunk = match ahead.full.recv() {
                Ok(Ok(chunk)) => chunk,
                Ok(Err(e)) => {
                    // The thread has stopped after an error: report it once.
                    self.feed = Feed::Gone;
                    return Err(e);
                }
                Err(mpsc::RecvError) => {
                    self.feed = Feed::Gone;
                    self.eof = true;
                    break;
                }
            };
            let gap = ahead.gap;
            let tail = self.available();
            let pos = self.pos();
            let spare = if tail <= gap && pos >= (gap - tail) as u64 && chunk.buf.len() >= gap {
                // The tail goes in front of the chunk's data, and the chunk
                // becomes the buffer.
                let mut buf = chunk.buf;
                buf[gap - tail..gap].copy_from_slice(&self.data[self.start..self.end]);
                self.start = gap - tail;
                self.end = gap + chunk.len;
                self.base = pos - self.start as u64;
                std::mem::replace(&mut self.data, buf)
            } else {
                // A long tail (a record longer than the gap), or the first
                // chunk: append the chunk's bytes to the buffer.
                self.data.copy_within(self.start..self.end, 0);
                self.base += self.start as u64;
                self.end -= self.start;
                self.start = 0;
                if self.data.len() < self.end + chunk.len {
                    self.data.resize(self.end + chunk.len, 0);
                }
                self.data[self.end..self.end + chunk.len]
                    .copy_from_slice(&chunk.buf[gap..gap + chunk.len]);
                self.end += chunk.len;
                chunk.buf
            };
            if spare.len() > gap {
                // The thread may have stopped; the buffer is then dropped.
                let _ = ahead.empty.send(spare);
            }
        }
        Ok(self.available())
    }

    /// Current size of the buffer (for tests of the growth bound).
    #[cfg(test)]
    pub(crate) fn capacity(&self) -> usize {
        self.data.len()
    }
}

/// Chunks read ahead and not yet taken.
pub(crate) const CHUNKS_IN_FLIGHT: usize = 4;

/// Where the bytes come from.
#[derive(Debug)]
enum Feed<S> {
    /// `read()` on this thread.
    Direct(S),
    /// Chunks from the read-ahead thread.
    Ahead(Ahead),
    /// The read-ahead thread has stopped after an error.
    Gone,
}

/// This side of the read-ahead thread.
#[derive(Debug)]
struct Ahead {
    full: Receiver<io::Result<Chunk>>,
    /// Buffers handed back for reuse.
    empty: Sender<Vec<u8>>,
    gap: usize,
}

/// Bytes read ahead: `buf[gap..gap + len]`.
#[derive(Debug)]
struct Chunk {
    buf: Vec<u8>,
    len: usize,
}

/// The read-ahead thread: one `read()` per chunk (a pipe or a live stream
/// is passed on as it comes), until the end of the input, an error (sent,
/// then the thread stops), or the reader is dropped.
fn read_ahead<S: Read>(
    mut src: S,
    gap: usize,
    chunk_len: usize,
    full: &SyncSender<io::Result<Chunk>>,
    empty: &Receiver<Vec<u8>>,
) {
    loop {
        let mut buf = empty
            .try_recv()
            .unwrap_or_else(|_| vec![0; gap + chunk_len]);
        let len = loop {
            match src.read(&mut buf[gap..]) {
                Ok(k) => break Ok(k),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => break Err(e),
            }
        };
        match len {
            Ok(0) => return,
            Ok(len) => {
                if full.send(Ok(Chunk { buf, len })).is_err() {
                    return;
                }
            }
            Err(e) => {
                let _ = full.send(Err(e));
                return;
            }
        }
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
