//! Showing user text on a terminal: the one escaping function of tmkit's
//! text outputs.
//!
//! A threat model is untrusted input. Printed raw, a title holding
//! `ESC [ 2 J` clears the screen, an OSC 52 sequence writes the clipboard,
//! an OSC 0 sequence retitles the window, a `\r` lets a line overwrite what
//! was printed before it (a failed gate made to look "ok"), and bidi
//! overrides reorder what the reader sees. [`escape_controls`] renders every
//! such character visibly as `\u{HEX}` (its code point in lower-case hex,
//! as Rust writes it): ESC becomes `\u{1b}`, NUL `\u{0}`, U+202E `\u{202e}`.
//! Only the line feed `\n` is kept.

use std::borrow::Cow;

/// True for the characters [`escape_controls`] escapes: every C0 control
/// but `\n` (including tab, `\r` and NUL), DEL, every C1 control
/// (U+0080-U+009F), and the Unicode bidi embeddings, overrides and isolates
/// (U+202A-U+202E, U+2066-U+2069).
pub fn is_unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\n')
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// The text with every unsafe character (see [`is_unsafe_char`]) written as
/// `\u{HEX}`; borrowed unchanged when there is none.
pub fn escape_controls(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The length in bytes of `escape_controls(s)`, without building it: maps
/// a byte offset of the original text to the escaped text
/// (`escaped_len(&s[..offset])`).
pub fn escaped_len(s: &str) -> usize {
    s.chars()
        .map(|c| {
            if is_unsafe_char(c) {
                // `\u{` + hex digits + `}`
                4 + format!("{:x}", c as u32).len()
            } else {
                c.len_utf8()
            }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_escaped() {
        assert_eq!(escape_controls("a\x1b[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(
            escape_controls("\x1b]52;c;aGk=\x07"),
            "\\u{1b}]52;c;aGk=\\u{7}"
        );
        assert_eq!(escape_controls("x\rok"), "x\\u{d}ok");
        assert_eq!(escape_controls("nul\0"), "nul\\u{0}");
        assert_eq!(escape_controls("tab\tdel\x7f"), "tab\\u{9}del\\u{7f}");
        assert_eq!(escape_controls("c1\u{9b}2J"), "c1\\u{9b}2J");
        assert_eq!(
            escape_controls("\u{202e}evil\u{202c}\u{2066}\u{2069}"),
            "\\u{202e}evil\\u{202c}\\u{2066}\\u{2069}"
        );
    }

    #[test]
    fn ordinary_text_is_borrowed_unchanged() {
        for s in ["", "plain", "two\nlines", "héllo wörld ✓", "a\\u{1b}b"] {
            assert!(matches!(escape_controls(s), Cow::Borrowed(_)), "{s:?}");
        }
    }

    #[test]
    fn escaped_len_matches_the_escaped_text() {
        for s in ["", "abc", "a\x1bb", "\0\r\t\u{9b}\u{202e}é\n", "\u{7f}"] {
            assert_eq!(escaped_len(s), escape_controls(s).len(), "{s:?}");
        }
    }
}
