//! A gzip (RFC 1952) reader that keeps the output decoded before damage.
//!
//! `flate2::read::MultiGzDecoder` drops the bytes it decoded in a `read`
//! call when the same call then meets a corrupt deflate block: the error is
//! returned and the output is lost. With the capture reader's 1 MiB reads
//! that lost up to a buffer of complete packets before the damage, and what
//! was delivered depended on how the input happened to be split into reads
//! (found by fuzzing: the same damaged file read whole and in pieces gave
//! different results). This reader drives `flate2::Decompress` itself, so
//! every byte decoded before the damage is handed out first and the error
//! comes with the next call. It reads concatenated members as one stream,
//! like `zcat` and `MultiGzDecoder`, and checks each member's CRC-32 and
//! length.

use std::io::{self, Read};

use flate2::{Crc, Decompress, FlushDecompress, Status};

/// Compressed bytes read from the input at a time.
const INPUT_LEN: usize = 64 * 1024;

/// The inflater's window (RFC 1951 §2: distances reach back 32 KiB).
const WINDOW: usize = 32 * 1024;

/// Header flags (RFC 1952 §2.3.1).
const FHCRC: u8 = 0x02;
const FEXTRA: u8 = 0x04;
const FNAME: u8 = 0x08;
const FCOMMENT: u8 = 0x10;
const FRESERVED: u8 = 0xe0;

#[derive(Debug)]
enum State {
    /// Before a member header (the first, or after a trailer).
    Header,
    /// Inside a member's deflate data.
    Body,
    /// The deflate data ended; the 8-octet trailer follows.
    Trailer,
    /// Every member was read.
    End,
    /// A fault: returned again by every later call.
    Failed(io::ErrorKind, &'static str),
}

pub(crate) struct Gunzip<R> {
    inner: R,
    buf: Box<[u8]>,
    pos: usize,
    end: usize,
    eof: bool,
    /// Decoded bytes not yet handed out (reads shorter than a window).
    stage: Box<[u8]>,
    stage_pos: usize,
    stage_end: usize,
    state: State,
    inflate: Decompress,
    crc: Crc,
    members: u64,
}

impl<R> std::fmt::Debug for Gunzip<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gunzip")
            .field("state", &self.state)
            .field("members", &self.members)
            .finish_non_exhaustive()
    }
}

impl<R: Read> Gunzip<R> {
    pub(crate) fn new(inner: R) -> Self {
        Gunzip {
            inner,
            buf: vec![0; INPUT_LEN].into_boxed_slice(),
            pos: 0,
            end: 0,
            eof: false,
            stage: vec![0; WINDOW].into_boxed_slice(),
            stage_pos: 0,
            stage_end: 0,
            state: State::Header,
            inflate: Decompress::new(false),
            crc: Crc::new(),
            members: 0,
        }
    }

    /// Reads more compressed input once the buffered input is used up.
    fn fill(&mut self) -> io::Result<()> {
        if self.pos < self.end || self.eof {
            return Ok(());
        }
        loop {
            match self.inner.read(&mut self.buf) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => {
                    self.pos = 0;
                    self.end = n;
                    break;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// The next compressed byte, `None` at the end of the input.
    fn byte(&mut self) -> io::Result<Option<u8>> {
        self.fill()?;
        if self.pos == self.end {
            return Ok(None);
        }
        self.pos += 1;
        Ok(Some(self.buf[self.pos - 1]))
    }

    fn fail(&mut self, kind: io::ErrorKind, message: &'static str) -> io::Error {
        self.state = State::Failed(kind, message);
        io::Error::new(kind, message)
    }

    /// A header byte (added to the header CRC); the input must not end here.
    fn header_byte(&mut self, hcrc: &mut Crc) -> io::Result<u8> {
        match self.byte()? {
            Some(b) => {
                hcrc.update(&[b]);
                Ok(b)
            }
            None => Err(self.fail(io::ErrorKind::UnexpectedEof, "gzip header cut short")),
        }
    }

    /// Reads a member header. `Ok(false)`: the input ended cleanly before it.
    fn header(&mut self) -> io::Result<bool> {
        let mut hcrc = Crc::new();
        let first = match self.byte()? {
            Some(b) => b,
            None if self.members > 0 => return Ok(false),
            None => return Err(self.fail(io::ErrorKind::UnexpectedEof, "gzip header cut short")),
        };
        hcrc.update(&[first]);
        let mut fixed = [first, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        for b in &mut fixed[1..] {
            *b = self.header_byte(&mut hcrc)?;
        }
        let flags = fixed[3];
        if fixed[..3] != [0x1f, 0x8b, 8] || flags & FRESERVED != 0 {
            return Err(self.fail(io::ErrorKind::InvalidInput, "invalid gzip header"));
        }
        if flags & FEXTRA != 0 {
            let len =
                u16::from_le_bytes([self.header_byte(&mut hcrc)?, self.header_byte(&mut hcrc)?]);
            for _ in 0..len {
                self.header_byte(&mut hcrc)?;
            }
        }
        for flag in [FNAME, FCOMMENT] {
            if flags & flag != 0 {
                while self.header_byte(&mut hcrc)? != 0 {}
            }
        }
        if flags & FHCRC != 0 {
            let want = hcrc.sum() as u16;
            let got =
                u16::from_le_bytes([self.header_byte(&mut hcrc)?, self.header_byte(&mut hcrc)?]);
            if got != want {
                return Err(self.fail(io::ErrorKind::InvalidInput, "gzip header checksum mismatch"));
            }
        }
        Ok(true)
    }

    /// Reads and checks a member trailer: CRC-32 and length mod 2^32.
    fn trailer(&mut self) -> io::Result<()> {
        let mut t = [0u8; 8];
        for b in &mut t {
            *b = match self.byte()? {
                Some(b) => b,
                None => {
                    return Err(self.fail(io::ErrorKind::UnexpectedEof, "gzip trailer cut short"))
                }
            };
        }
        let crc = u32::from_le_bytes([t[0], t[1], t[2], t[3]]);
        let len = u32::from_le_bytes([t[4], t[5], t[6], t[7]]);
        if crc != self.crc.sum() || len != self.crc.amount() {
            return Err(self.fail(
                io::ErrorKind::InvalidData,
                "gzip member checksum or length mismatch",
            ));
        }
        Ok(())
    }
}

impl<R: Read> Read for Gunzip<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            if self.stage_pos < self.stage_end {
                let n = (self.stage_end - self.stage_pos).min(out.len());
                out[..n].copy_from_slice(&self.stage[self.stage_pos..self.stage_pos + n]);
                self.stage_pos += n;
                return Ok(n);
            }
            match self.state {
                State::End => return Ok(0),
                State::Failed(kind, message) => return Err(io::Error::new(kind, message)),
                State::Header => {
                    if !self.header()? {
                        self.state = State::End;
                        continue;
                    }
                    self.inflate.reset(false);
                    self.crc.reset();
                    self.state = State::Body;
                }
                State::Trailer => {
                    self.trailer()?;
                    self.members += 1;
                    self.state = State::Header;
                }
                State::Body => {
                    self.fill()?;
                    // The inflater decodes into its 32 KiB window and copies
                    // out; a failing step that cannot copy all it decoded
                    // loses the rest. Offer room up to a window boundary
                    // (the window position is total_out mod 32 KiB), or
                    // stage one window's worth when the caller's buffer is
                    // smaller.
                    let ofs = (self.inflate.total_out() % WINDOW as u64) as usize;
                    let first = WINDOW - ofs;
                    let direct = out.len() >= first;
                    let dst = if direct {
                        let room = first + (out.len() - first) / WINDOW * WINDOW;
                        &mut out[..room]
                    } else {
                        &mut self.stage[..first]
                    };
                    let input = &self.buf[self.pos..self.end];
                    let (in0, out0) = (self.inflate.total_in(), self.inflate.total_out());
                    let status = self.inflate.decompress(input, dst, FlushDecompress::None);
                    let consumed = (self.inflate.total_in() - in0) as usize;
                    let produced = (self.inflate.total_out() - out0) as usize;
                    self.crc.update(&dst[..produced]);
                    self.pos += consumed;
                    if !direct {
                        (self.stage_pos, self.stage_end) = (0, produced);
                    }
                    match status {
                        Ok(Status::StreamEnd) => self.state = State::Trailer,
                        Ok(Status::Ok | Status::BufError) if produced == 0 && consumed == 0 => {
                            if self.eof {
                                return Err(self.fail(
                                    io::ErrorKind::UnexpectedEof,
                                    "incomplete deflate stream",
                                ));
                            }
                            if self.pos < self.end {
                                // Input and room for output, yet no progress:
                                // never loop on it.
                                return Err(self
                                    .fail(io::ErrorKind::InvalidInput, "corrupt deflate stream"));
                            }
                        }
                        Ok(_) => {}
                        Err(_) => {
                            // Deliver what was decoded before the damage;
                            // the error comes with the next call.
                            let e =
                                self.fail(io::ErrorKind::InvalidInput, "corrupt deflate stream");
                            if produced == 0 {
                                return Err(e);
                            }
                        }
                    }
                    if produced > 0 && direct {
                        return Ok(produced);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    /// Reads to the end with `chunk`-byte reads; the bytes, then the error.
    fn read_chunks(input: &[u8], chunk: usize) -> (Vec<u8>, Option<io::Error>) {
        let mut g = Gunzip::new(input);
        let mut out = Vec::new();
        let mut buf = vec![0; chunk];
        loop {
            match g.read(&mut buf) {
                Ok(0) => return (out, None),
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(e) => return (out, Some(e)),
            }
        }
    }

    fn sample() -> Vec<u8> {
        (0..200_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect()
    }

    #[test]
    fn reads_members_like_multigzdecoder() {
        let data = sample();
        let mut two = gzip(&data);
        two.extend_from_slice(&gzip(b"tail"));
        let mut want = Vec::new();
        flate2::read::MultiGzDecoder::new(&two[..])
            .read_to_end(&mut want)
            .unwrap();
        for chunk in [1, 7, 4096, 1 << 20] {
            let (got, err) = read_chunks(&two, chunk);
            assert!(err.is_none(), "{err:?}");
            assert!(got == want, "chunk {chunk}");
        }
    }

    #[test]
    fn header_with_every_optional_field() {
        let mut gz = flate2::GzBuilder::new()
            .filename("trace.pcap")
            .comment("x")
            .extra(vec![1, 2, 3])
            .write(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"abc").unwrap();
        let mut bytes = gz.finish().unwrap();
        assert_eq!(read_chunks(&bytes, 64).0, b"abc");
        bytes[3] |= 0x20; // a reserved flag
        let (got, err) = read_chunks(&bytes, 64);
        assert!(got.is_empty());
        assert_eq!(err.unwrap().kind(), io::ErrorKind::InvalidInput);
    }

    #[test]
    fn fuzz_crash_whole_and_piecewise_reads_agree() {
        // Regression (fuzz target capture_reader, minimised): a member whose
        // deflate data turns corrupt after a few octets. MultiGzDecoder lost
        // those octets when it read them in the same call that met the
        // damage, so a whole read and a read in pieces disagreed.
        const CRASH: [u8; 25] = [
            0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x07, 0xfa, 0x1c, 0xc7, 0x7f,
            0xf9, 0x00, 0xd4, 0x81, 0xe8, 0x00, 0x00, 0xd4, 0xd4, 0x81, 0xe8,
        ];
        let (small, e1) = read_chunks(&CRASH, 1);
        let (large, e2) = read_chunks(&CRASH, 1 << 20);
        assert_eq!(small, large);
        assert_eq!(e1.map(|e| e.kind()), e2.map(|e| e.kind()));
    }

    #[test]
    fn corrupt_block_delivers_everything_before_it() {
        // Stored blocks (RFC 1951 §3.2.4) put block boundaries on octets:
        // make the second block's type the reserved 11.
        let data = sample();
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::none());
        enc.write_all(&data).unwrap();
        let mut gz = enc.finish().unwrap();
        assert_eq!(gz[10] & 0x07, 0, "first block: stored, not final");
        let len = usize::from(u16::from_le_bytes([gz[11], gz[12]]));
        gz[15 + len] = 0x06;
        for chunk in [1, 4096, 1 << 20] {
            let (got, err) = read_chunks(&gz, chunk);
            assert_eq!(err.unwrap().kind(), io::ErrorKind::InvalidInput);
            assert!(
                got[..] == data[..len],
                "chunk {chunk}: {} octets",
                got.len()
            );
        }
    }

    #[test]
    fn cut_stream_and_bad_checksum_are_errors() {
        let gz = gzip(b"hello, world");
        let (got, err) = read_chunks(&gz[..gz.len() - 3], 64);
        assert_eq!(got, b"hello, world");
        assert_eq!(err.unwrap().kind(), io::ErrorKind::UnexpectedEof);
        let (_, err) = read_chunks(&gz[..12], 64);
        assert_eq!(err.unwrap().kind(), io::ErrorKind::UnexpectedEof);
        let mut bad = gz.clone();
        let n = bad.len();
        bad[n - 8] ^= 1; // CRC-32
        let (_, err) = read_chunks(&bad, 64);
        assert_eq!(err.unwrap().kind(), io::ErrorKind::InvalidData);
    }
}
