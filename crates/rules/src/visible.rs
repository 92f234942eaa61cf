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

fn replace(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    let bad = |c: char| is_unsafe_char(c) && !(keep_newlines && c == '\n');
    if !s.chars().any(bad) {
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
    fn sanitize_lines_keeps_line_feeds_only() {
        assert_eq!(sanitize_lines("a\nb\r\n\u{1b}c"), "a\nb\u{fffd}\n\u{fffd}c");
    }
}
