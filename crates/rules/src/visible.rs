//! The one sanitiser for text that leaves the program: terminal output,
//! standard error, CSV.
//!
//! Rule files, site inventories, capture files and file names come from
//! elsewhere; their text must not drive the terminal (escape sequences,
//! BEL, carriage returns that overwrite a line, line feeds that forge a
//! line) nor reorder what is shown (the bidirectional format characters
//! of "Trojan Source", CVE-2021-42574). Each such character is shown as
//! U+FFFD; everything else, including non-Latin letters, is kept.

use std::borrow::Cow;

/// Whether `c` is replaced on the way out: a control character (C0 with
/// tab, CR and LF, DEL, C1), a bidirectional format character (U+061C,
/// U+200E, U+200F, U+202A-U+202E, U+2066-U+2069), or a line or paragraph
/// separator (U+2028, U+2029).
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// Whether `s` may hold an unsafe character, without decoding it (a
/// diagnostic can quote a 10 MB name). Every unsafe character is a C0 byte,
/// DEL, or a UTF-8 sequence led by 0xC2 (C1), 0xD8 (U+061C) or 0xE2
/// (U+2000-U+2FFF). Printable ASCII, the common case, is passed over eight
/// bytes at a time.
fn may_hold_unsafe(s: &str) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let bytes = s.as_bytes();
    let mut chunks = bytes.chunks_exact(8);
    let printable_ascii = chunks.all(|c| {
        let mut word = [0u8; 8];
        word.copy_from_slice(c);
        let x = u64::from_le_bytes(word);
        // A byte below 0x20, a byte equal to 0x7f, a byte with the high bit
        // ("Bit Twiddling Hacks": determine if a word has a byte less than n).
        let below_space = x.wrapping_sub(ONES * 0x20) & !x & HIGH;
        let y = x ^ (ONES * 0x7f);
        let del = y.wrapping_sub(ONES) & !y & HIGH;
        (x & HIGH) | below_space | del == 0
    });
    if printable_ascii
        && chunks
            .remainder()
            .iter()
            .all(|&b| (0x20..0x7f).contains(&b))
    {
        return false;
    }
    bytes
        .iter()
        .any(|&b| b < 0x20 || b == 0x7f || b == 0xc2 || b == 0xd8 || b == 0xe2)
}

fn replace(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    let bad = |c: char| is_unsafe_char(c) && !(keep_newlines && c == '\n');
    if !may_hold_unsafe(s) || !s.chars().any(bad) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| if bad(c) { '\u{fffd}' } else { c })
            .collect(),
    )
}

/// `s` with every [unsafe character](is_unsafe_char) replaced by U+FFFD:
/// one line of text, safe for a terminal or a CSV field.
pub fn sanitize(s: &str) -> String {
    replace(s, false).into_owned()
}

/// As [`sanitize`], keeping line feeds: for text of several lines built by
/// this program (a table, a rule's description) from strings of elsewhere.
pub fn sanitize_lines(s: &str) -> String {
    replace(s, true).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_become_replacement_characters() {
        assert_eq!(sanitize("eth0\x1b[2Jx"), "eth0\u{fffd}[2Jx");
        assert_eq!(
            sanitize("a\u{7}b\rc\nd\te"),
            "a\u{fffd}b\u{fffd}c\u{fffd}d\u{fffd}e"
        );
        assert_eq!(sanitize("\u{7f}\u{9b}31m"), "\u{fffd}\u{fffd}31m");
        // "Trojan Source" reordering: RLO ... PDF, isolates, marks.
        assert_eq!(
            sanitize("dsp\u{202e}exe.txt\u{202c}"),
            "dsp\u{fffd}exe.txt\u{fffd}"
        );
        for c in [
            '\u{061c}', '\u{200e}', '\u{200f}', '\u{202a}', '\u{2066}', '\u{2069}', '\u{2028}',
            '\u{2029}',
        ] {
            assert_eq!(
                sanitize(&format!("x{c}y")),
                "x\u{fffd}y",
                "U+{:04X}",
                c as u32
            );
        }
    }

    #[test]
    fn other_text_is_kept() {
        let s = "Boardroom 4.12 — dsр (Cyrillic), Ελληνικά, 日本, ZWJ 👩\u{200d}💻";
        assert_eq!(sanitize(s), s);
    }

    #[test]
    fn the_byte_scan_sees_every_unsafe_character() {
        for c in (0..=0x10_ffff).filter_map(char::from_u32) {
            if is_unsafe_char(c) {
                // At every place of an eight-byte word, and in the tail.
                for pad in 0..12 {
                    let text = format!("{}{c}{}", "a".repeat(pad), "b".repeat(11 - pad));
                    assert!(may_hold_unsafe(&text), "U+{:04X} at {pad}", u32::from(c));
                }
            }
        }
        assert!(!may_hold_unsafe(&"k".repeat(1001)));
        assert!(!may_hold_unsafe(" ~ printable ASCII only ~ "));
    }

    #[test]
    fn sanitize_lines_keeps_line_feeds_only() {
        assert_eq!(sanitize_lines("a\nb\r\n\u{1b}c"), "a\nb\u{fffd}\n\u{fffd}c");
    }
}
