//! The one escaping function of the HTML report: every string that reaches
//! the document, as text or as an attribute value, goes through [`Esc`].

use std::fmt;

/// Writes `self.0` so that it can never be markup: `&`, `<`, `>`, `"` and
/// `'` become character references, and control, bidirectional format and
/// line-separator characters ([`portmatrix_rules::is_unsafe_char`]) are
/// shown as visible `\u{XXXX}` text (a numeric reference would put the
/// character itself back into the page, where it reorders the text around
/// it). Tab, CR and LF become a space, as HTML would show them.
/// Safe in text content and in quoted attribute values alike.
pub struct Esc<'a>(pub &'a str);

impl fmt::Display for Esc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        let mut start = 0;
        for (i, c) in s.char_indices() {
            let rep: Option<&str> = match c {
                '&' => Some("&amp;"),
                '<' => Some("&lt;"),
                '>' => Some("&gt;"),
                '"' => Some("&quot;"),
                '\'' => Some("&#39;"),
                '\t' | '\n' | '\r' => Some(" "),
                _ => None,
            };
            let unsafe_char = rep.is_none() && portmatrix_rules::is_unsafe_char(c);
            if rep.is_none() && !unsafe_char {
                continue;
            }
            f.write_str(&s[start..i])?;
            match rep {
                Some(r) => f.write_str(r)?,
                None => write!(f, "\\u{{{:04x}}}", c as u32)?,
            }
            start = i + c.len_utf8();
        }
        f.write_str(&s[start..])
    }
}

/// [`Esc`] into a new string.
pub fn escape(s: &str) -> String {
    Esc(s).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What may follow `&` in escaped text: only the references [`Esc`] writes.
    const REFS: [&str; 5] = ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"];

    fn assert_inert(out: &str) {
        for bad in ['<', '>', '"', '\''] {
            assert!(!out.contains(bad), "{bad:?} in {out:?}");
        }
        for (i, _) in out.match_indices('&') {
            assert!(
                REFS.iter().any(|r| out[i..].starts_with(r)),
                "stray & at {i} in {out:?}"
            );
        }
        assert!(
            !out.chars().any(portmatrix_rules::is_unsafe_char),
            "unsafe character left in {out:?}"
        );
    }

    /// Undoes the escaping (what a browser's parser does with the text).
    fn unescape(s: &str) -> String {
        s.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    }

    #[test]
    fn known_attacks_become_text() {
        assert_eq!(
            escape("<script>alert('x')</script>"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
        );
        assert_eq!(escape("a\" onmouseover=\"x"), "a&quot; onmouseover=&quot;x");
        assert_eq!(escape("&lt;"), "&amp;lt;");
        assert_eq!(escape("evil\u{202e}gpj.exe"), "evil\\u{202e}gpj.exe");
        assert_eq!(escape("nul\0bel\u{7}"), "nul\\u{0000}bel\\u{0007}");
        assert_eq!(escape("c1\u{85}"), "c1\\u{0085}");
        assert_eq!(escape("line\u{2028}sep"), "line\\u{2028}sep");
        assert_eq!(escape("tab\there"), "tab here");
        assert_eq!(escape("Grüße 日本"), "Grüße 日本");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn arbitrary_strings_never_make_markup(s in any::<String>()) {
            assert_inert(&escape(&s));
        }

        #[test]
        fn hostile_alphabet_never_makes_markup(
            s in proptest::collection::vec(
                prop_oneof![
                    Just("<"), Just(">"), Just("&"), Just("\""), Just("'"),
                    Just("<script>"), Just("</td>"), Just("&#x3c;"), Just("\u{202e}"),
                    Just("\u{2066}"), Just("\u{0}"), Just("\u{1b}[31m"), Just("\u{9b}"),
                    Just("\n"), Just("a"), Just("é"), Just("\u{feff}"),
                ],
                0..40,
            ).prop_map(|v| v.concat())
        ) {
            let out = escape(&s);
            assert_inert(&out);
            // The text reads back unchanged, unsafe characters shown as `\\u{...}`.
            let expected: String = s
                .chars()
                .map(|c| match c {
                    '\t' | '\n' | '\r' => " ".to_string(),
                    c if portmatrix_rules::is_unsafe_char(c) => format!("\\u{{{:04x}}}", c as u32),
                    c => c.to_string(),
                })
                .collect();
            prop_assert_eq!(unescape(&out), expected);
        }
    }
}
