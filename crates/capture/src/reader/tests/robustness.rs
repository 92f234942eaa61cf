//! Cut and damaged inputs never panic, always end, and deliver exactly
//! the records that are complete.

use super::pcap::{PCAP_LE_US, REC1_LE, REC2_LE};
use super::pcapng::{
    EPB_EMPTY_LE, EPB_IF0_LE, EPB_IF1_LE, EPB_IF7_LE, IDB_ETH_LE, IDB_SLL_LE, ISB_LE, NRB_LE,
    PB_IF1_LE, SHB_LE, SPB_LE,
};
use super::*;
use proptest::prelude::*;

/// The pcapng file of the unit tests without its custom and unknown
/// blocks: SHB 0, IDB 28, IDB 48, EPB 108, NRB 144, EPB 160, SPB 200,
/// ISB 220, PB 272, EPB (interface 7) 308, EPB 340, end 372.
fn pcapng_file() -> Vec<u8> {
    [
        &SHB_LE[..],
        &IDB_ETH_LE,
        &IDB_SLL_LE,
        &EPB_IF0_LE,
        &NRB_LE,
        &EPB_IF1_LE,
        &SPB_LE,
        &ISB_LE,
        &PB_IF1_LE,
        &EPB_IF7_LE,
        &EPB_EMPTY_LE,
    ]
    .concat()
}

/// Reads everything; panics if the reader does not end.
fn outcome(bytes: &[u8]) -> Option<(u64, Vec<Error>)> {
    let mut r = CaptureReader::new(bytes).ok()?;
    let mut records = 0u64;
    let mut errors = Vec::new();
    let mut last_offset = None;
    let mut steps = 0usize;
    while let Some(item) = r.next_record() {
        steps += 1;
        assert!(steps <= bytes.len() + 2, "reader does not end");
        match item {
            Ok(rec) => {
                records += 1;
                assert_eq!(rec.index, records);
                assert!(rec.data.len() <= MAX_CAPLEN as usize);
                assert!(last_offset.is_none_or(|o| rec.file_offset > o));
                last_offset = Some(rec.file_offset);
            }
            Err(e) => {
                assert!(e.file_offset <= bytes.len() as u64);
                errors.push(e);
            }
        }
    }
    assert_eq!(r.stats().records, records);
    Some((records, errors))
}

#[test]
fn every_prefix_of_a_pcapng_file() {
    let file = pcapng_file();
    assert_eq!(file.len(), 372);
    // Where the blocks that carry a delivered record end.
    let ends = [144u64, 200, 220, 308, 372];
    for len in 0..=file.len() {
        let Some((records, errors)) = outcome(&file[..len]) else {
            assert!(len < 28, "open failed for a prefix of {len} bytes");
            continue;
        };
        let complete = ends.iter().filter(|&&e| e <= len as u64).count() as u64;
        assert_eq!(records, complete, "prefix of {len} bytes");
        // A cut inside a block is one fatal error at the end.
        let cut = !matches!(
            len,
            28 | 48 | 108 | 144 | 160 | 200 | 220 | 272 | 308 | 340 | 372
        );
        assert_eq!(errors.last().is_some_and(|e| e.fatal), cut, "prefix {len}");
    }
}

#[test]
fn every_prefix_of_a_pcap_file() {
    let file = [&PCAP_LE_US[..], &REC1_LE, &REC2_LE, &REC1_LE].concat();
    let ends = [44u64, 66, 86];
    for len in 24..=file.len() {
        let (records, errors) = outcome(&file[..len]).unwrap();
        let complete = ends.iter().filter(|&&e| e <= len as u64).count() as u64;
        assert_eq!(records, complete, "prefix of {len} bytes");
        let cut = !matches!(len, 24 | 44 | 66 | 86);
        assert_eq!(errors.len(), usize::from(cut), "prefix {len}");
    }
}

/// Everything a reader returns, records copied out, errors as text.
fn transcript<R: Read>(mut r: CaptureReader<R>) -> Vec<String> {
    let mut out = Vec::new();
    while let Some(item) = r.next_record() {
        out.push(match item {
            Ok(rec) => format!(
                "{} @{} if{} ts{} orig{} {:?}",
                rec.index, rec.file_offset, rec.interface_id, rec.ts_ns, rec.orig_len, rec.data
            ),
            Err(e) => format!(
                "error @{} #{:?} fatal {}: {}",
                e.file_offset, e.record, e.fatal, e.kind
            ),
        });
    }
    out.push(format!("{:?} {:?}", r.stats(), r.interfaces()));
    out
}

/// A source that hands out at most `chunk` bytes per `read()`, with an
/// `Interrupted` error before every other read.
struct Uneven {
    data: Vec<u8>,
    at: usize,
    chunk: usize,
    interrupt: bool,
}

impl Read for Uneven {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.interrupt = !self.interrupt;
        if self.interrupt {
            return Err(io::Error::from(io::ErrorKind::Interrupted));
        }
        let n = self.chunk.min(buf.len()).min(self.data.len() - self.at);
        buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// The same input read plainly and with read-ahead in chunks of
/// `chunk_len` bytes from a source giving `piece` bytes a call.
fn plain_and_ahead(
    file: &[u8],
    chunk_len: usize,
    piece: usize,
) -> Option<(Vec<String>, Vec<String>)> {
    let plain = CaptureReader::new(file).ok()?;
    let src = Uneven {
        data: file.to_vec(),
        at: 0,
        chunk: piece,
        interrupt: false,
    };
    let mut ahead = CaptureReader::new(src).expect("opens as the plain read did");
    ahead
        .start_read_ahead_with(chunk_len)
        .expect("thread starts");
    Some((transcript(plain), transcript(ahead)))
}

#[test]
fn read_ahead_gives_what_a_plain_read_gives_at_every_chunk_size() {
    let pcapng = pcapng_file();
    let pcap = [&PCAP_LE_US[..], &REC1_LE, &REC2_LE, &REC1_LE].concat();
    for file in [&pcapng, &pcap] {
        for chunk_len in (64..=400).step_by(7) {
            for piece in [1, 5, 64, 4096] {
                let (plain, ahead) = plain_and_ahead(file, chunk_len, piece).unwrap();
                assert_eq!(plain, ahead, "chunk {chunk_len}, piece {piece}");
            }
        }
    }
}

#[test]
fn read_ahead_reports_a_read_error_at_its_offset() {
    /// Gives `good` bytes, then fails.
    struct Failing(Vec<u8>, usize);
    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.1 >= self.0.len() {
                return Err(io::Error::other("device gone"));
            }
            let n = buf.len().min(self.0.len() - self.1).min(50);
            buf[..n].copy_from_slice(&self.0[self.1..self.1 + n]);
            self.1 += n;
            Ok(n)
        }
    }
    // Cut inside the SPB (block 200..220): the records of the EPBs at 108
    // and 160 are delivered, then one fatal error at the cut.
    let file = pcapng_file()[..210].to_vec();
    let mut r = CaptureReader::new(Failing(file, 0)).unwrap();
    r.start_read_ahead_with(64).unwrap();
    let mut records = 0;
    let mut errors = Vec::new();
    while let Some(item) = r.next_record() {
        match item {
            Ok(_) => records += 1,
            Err(e) => errors.push(e),
        }
    }
    assert_eq!(records, 2);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].fatal);
    assert_eq!(errors[0].file_offset, 200);
    assert!(
        errors[0].to_string().contains("device gone"),
        "{}",
        errors[0]
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn damaged_input_reads_the_same_with_read_ahead(
        pcapng in any::<bool>(),
        flips in proptest::collection::vec((0usize..372, any::<u8>()), 0..6),
        cut in 0usize..=372,
        chunk_len in 64usize..300,
        piece in 1usize..200,
    ) {
        let mut file = if pcapng {
            pcapng_file()
        } else {
            [&PCAP_LE_US[..], &REC1_LE, &REC2_LE, &REC1_LE].concat()
        };
        for (at, v) in flips {
            if at < file.len() {
                file[at] = v;
            }
        }
        file.truncate(cut);
        if let Some((plain, ahead)) = plain_and_ahead(&file, chunk_len, piece) {
            prop_assert_eq!(plain, ahead);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn damaged_pcapng_never_panics(
        flips in proptest::collection::vec((0usize..372, any::<u8>()), 1..8),
        cut in 0usize..=372,
    ) {
        let mut file = pcapng_file();
        for (at, v) in flips {
            file[at] = v;
        }
        file.truncate(cut.max(28));
        outcome(&file);
    }

    #[test]
    fn damaged_pcap_never_panics(
        flips in proptest::collection::vec((0usize..86, any::<u8>()), 1..6),
        cut in 24usize..=86,
    ) {
        let mut file = [&PCAP_LE_US[..], &REC1_LE, &REC2_LE, &REC1_LE].concat();
        for (at, v) in flips {
            file[at] = v;
        }
        file.truncate(cut);
        outcome(&file);
    }

    #[test]
    fn random_bytes_after_a_section_header_never_panic(
        tail in proptest::collection::vec(any::<u8>(), 0..600),
    ) {
        let file = [&SHB_LE[..], &IDB_ETH_LE, &tail].concat();
        outcome(&file);
    }
}
