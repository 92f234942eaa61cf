//! [`ErrorLog`]: the errors of a read in bounded memory.
//!
//! A damaged or hostile file can hold an error every few bytes (4 million
//! packet blocks naming an undescribed interface fit in 128 MB). The reader
//! returns each one and keeps none; whoever collects them for a report
//! keeps them here, where memory does not grow with their number.

use crate::error::Error;

/// Errors of one kind kept in full from the start of a read; the last one
/// of the kind is kept as well (see [`ErrorLog`]).
pub const ERRORS_KEPT_PER_KIND: usize = 8;

/// The errors of a read, counted by kind ([`ErrorKind::name`]) with the
/// byte offsets of the first and the last of each kind; the first
/// [`ERRORS_KEPT_PER_KIND`] errors of each kind and the last one are kept
/// whole. The kinds are a fixed set, so at most
/// `kinds × (ERRORS_KEPT_PER_KIND + 1)` errors are held whatever the input,
/// and a fatal error (always the last of a read) is always kept.
///
/// [`ErrorKind::name`]: crate::ErrorKind::name
#[derive(Clone, Debug, Default)]
pub struct ErrorLog {
    total: u64,
    /// In order of first appearance.
    kinds: Vec<KindLog>,
}

#[derive(Clone, Debug)]
struct KindLog {
    name: &'static str,
    count: u64,
    first_offset: u64,
    last_offset: u64,
    /// The first errors of the kind, with their 0-based position in the log.
    first: Vec<(u64, Error)>,
    /// The latest error once `first` is full.
    last: Option<(u64, Error)>,
}

/// What an [`ErrorLog`] says of one kind of error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KindCount {
    /// [`ErrorKind::name`](crate::ErrorKind::name) of the kind.
    pub kind: &'static str,
    /// Errors of the kind.
    pub count: u64,
    /// Of them, kept whole ([`ErrorLog::kept`]).
    pub kept: u64,
    /// Byte offset of the first error of the kind.
    pub first_offset: u64,
    /// Byte offset of the last error of the kind.
    pub last_offset: u64,
}

impl ErrorLog {
    /// An empty log.
    pub fn new() -> Self {
        ErrorLog::default()
    }

    /// Counts `err`, and keeps a copy if it is among the first of its kind
    /// or (until a later one comes) the last.
    pub fn push(&mut self, err: &Error) {
        let at = self.total;
        self.total += 1;
        let name = err.kind.name();
        let i = match self.kinds.iter().position(|k| k.name == name) {
            Some(i) => i,
            None => {
                self.kinds.push(KindLog {
                    name,
                    count: 0,
                    first_offset: err.file_offset,
                    last_offset: err.file_offset,
                    first: Vec::new(),
                    last: None,
                });
                self.kinds.len() - 1
            }
        };
        let k = &mut self.kinds[i];
        k.count += 1;
        k.last_offset = err.file_offset;
        if k.first.len() < ERRORS_KEPT_PER_KIND {
            k.first.push((at, err.clone()));
        } else {
            k.last = Some((at, err.clone()));
        }
    }

    /// Errors counted.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// No error was counted.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Errors counted but not kept.
    pub fn omitted(&self) -> u64 {
        self.total - self.kinds.iter().map(|k| k.kept()).sum::<u64>()
    }

    /// The count of each kind, in order of first appearance.
    pub fn kinds(&self) -> impl Iterator<Item = KindCount> + '_ {
        self.kinds.iter().map(|k| KindCount {
            kind: k.name,
            count: k.count,
            kept: k.kept(),
            first_offset: k.first_offset,
            last_offset: k.last_offset,
        })
    }

    /// The errors kept, in the order they were pushed.
    pub fn kept(&self) -> Vec<&Error> {
        let mut all: Vec<&(u64, Error)> = self
            .kinds
            .iter()
            .flat_map(|k| k.first.iter().chain(k.last.iter()))
            .collect();
        all.sort_unstable_by_key(|(at, _)| *at);
        all.into_iter().map(|(_, e)| e).collect()
    }
}

impl KindLog {
    fn kept(&self) -> u64 {
        self.first.len() as u64 + u64::from(self.last.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{BodyFault, ErrorKind};

    fn unknown_interface(at: u64) -> Error {
        Error::recoverable(
            at,
            Some(1),
            ErrorKind::UnknownInterface {
                block: "enhanced packet block",
                interface_id: 7,
                section: 0,
                known: 0,
            },
        )
    }

    fn bad_block(at: u64) -> Error {
        Error::recoverable(
            at,
            None,
            ErrorKind::BadBlock {
                block: "interface statistics block",
                fault: BodyFault::TooShort { len: 12, min: 24 },
            },
        )
    }

    #[test]
    fn few_errors_are_all_kept_in_order() {
        let mut log = ErrorLog::new();
        let errs = [unknown_interface(28), bad_block(60), unknown_interface(92)];
        for e in &errs {
            log.push(e);
        }
        assert_eq!(log.total(), 3);
        assert_eq!(log.omitted(), 0);
        assert_eq!(log.kept(), errs.iter().collect::<Vec<_>>());
        let kinds: Vec<KindCount> = log.kinds().collect();
        assert_eq!(
            kinds,
            [
                KindCount {
                    kind: "unknown-interface",
                    count: 2,
                    kept: 2,
                    first_offset: 28,
                    last_offset: 92
                },
                KindCount {
                    kind: "bad-block",
                    count: 1,
                    kept: 1,
                    first_offset: 60,
                    last_offset: 60
                }
            ]
        );
    }

    #[test]
    fn a_flood_keeps_the_first_of_each_kind_and_the_last() {
        let mut log = ErrorLog::new();
        // 100 000 errors of one kind at offsets 0, 32, 64, ..., with one
        // of another kind after the 50 000th and a fatal one at the end.
        for i in 0..100_000u64 {
            log.push(&unknown_interface(i * 32));
            if i == 50_000 {
                log.push(&bad_block(1));
            }
        }
        let fatal = Error::fatal(
            3_200_000,
            None,
            ErrorKind::Truncated {
                what: "block",
                needed: 36,
                available: 4,
            },
        );
        log.push(&fatal);
        assert_eq!(log.total(), 100_002);
        let kept = log.kept();
        assert_eq!(kept.len(), ERRORS_KEPT_PER_KIND + 1 + 1 + 1);
        let offsets: Vec<u64> = kept.iter().map(|e| e.file_offset).collect();
        assert_eq!(
            offsets,
            [0, 32, 64, 96, 128, 160, 192, 224, 1, 99_999 * 32, 3_200_000]
        );
        assert_eq!(log.omitted(), 100_002 - 11);
        let flood = log.kinds().next().unwrap();
        assert_eq!(
            (
                flood.count,
                flood.kept,
                flood.first_offset,
                flood.last_offset
            ),
            (100_000, 9, 0, 99_999 * 32)
        );
        assert_eq!(kept.last(), Some(&&fatal));
    }
}
