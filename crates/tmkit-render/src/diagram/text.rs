//! Text measurement for the native SVG layout.
//!
//! The SVG uses a monospace font, so the width of a label is its number of
//! columns times a fixed advance. East Asian wide characters take two columns.
//! Measuring this way needs no font files and gives the same result everywhere.

use std::borrow::Cow;
use unicode_width::UnicodeWidthChar;

/// Advance of one column, as a fraction of the font size. Common monospace
/// fonts (DejaVu Sans Mono, Liberation Mono, Menlo, Consolas) use 0.60-0.61 em.
const ADVANCE_EM: f64 = 0.62;

/// Number of monospace columns `s` occupies.
pub(crate) fn columns(s: &str) -> usize {
    s.chars()
        .map(|c| {
            if c.is_control() {
                0
            } else {
                c.width().unwrap_or(1)
            }
        })
        .sum()
}

/// Estimated width in pixels of `s` set at `font_size` pixels.
pub(crate) fn width(s: &str, font_size: f64) -> f64 {
    columns(s) as f64 * font_size * ADVANCE_EM
}

/// Collapses runs of whitespace (newlines included) into single spaces and
/// trims the ends; text already on one line is borrowed, not copied.
pub(crate) fn one_line(s: &str) -> Cow<'_, str> {
    if is_one_line(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    Cow::Owned(out)
}

/// True when [`one_line`] would not change `s`: its only whitespace is
/// single spaces between other characters.
fn is_one_line(s: &str) -> bool {
    let mut after_space = true;
    for c in s.chars() {
        if c == ' ' {
            if after_space {
                return false;
            }
            after_space = true;
        } else if c.is_whitespace() {
            return false;
        } else {
            after_space = false;
        }
    }
    !after_space || s.is_empty()
}

/// Shortens `s` to at most `max` columns, ending with an ellipsis when cut.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    let s = one_line(s);
    if columns(&s) <= max {
        return s.into_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(1);
        if used + w + 1 > max {
            break;
        }
        out.push(c);
        used += w;
    }
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

/// Wraps `s` into at most `max_lines` lines of at most `max_cols` columns,
/// breaking at spaces where possible; the last line ends with an ellipsis when
/// text was left out.
pub(crate) fn wrap(s: &str, max_cols: usize, max_lines: usize) -> Vec<String> {
    let max_cols = max_cols.max(2);
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in one_line(s).split(' ').filter(|w| !w.is_empty()) {
        let mut word = word.to_string();
        loop {
            let sep = usize::from(!cur.is_empty());
            if columns(&cur) + sep + columns(&word) <= max_cols {
                if sep == 1 {
                    cur.push(' ');
                }
                cur.push_str(&word);
                break;
            }
            if !cur.is_empty() {
                lines.push(std::mem::take(&mut cur));
                continue;
            }
            // A word longer than a line: hard-break it.
            let mut head = String::new();
            let mut used = 0;
            let mut rest = String::new();
            for (i, c) in word.char_indices() {
                let w = c.width().unwrap_or(1);
                if used + w > max_cols {
                    rest = word[i..].to_string();
                    break;
                }
                head.push(c);
                used += w;
            }
            lines.push(head);
            if rest.is_empty() {
                break;
            }
            word = rest;
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        let last = lines.pop().unwrap_or_default();
        lines.push(truncate(&format!("{last} …"), max_cols));
        if let Some(l) = lines.last_mut()
            && !l.ends_with('…')
        {
            l.push('…');
        }
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_characters_take_two_columns() {
        assert_eq!(columns("abc"), 3);
        assert_eq!(columns("日本"), 4);
        assert!(width("日本", 10.0) > width("abc", 10.0));
    }

    #[test]
    fn wrap_respects_limits() {
        let lines = wrap("Microservice endpoint 1 for browser login", 16, 3);
        assert!(lines.iter().all(|l| columns(l) <= 16), "{lines:?}");
        assert_eq!(lines.join(" "), "Microservice endpoint 1 for browser login");
        let long = wrap(&"word ".repeat(40), 10, 2);
        assert_eq!(long.len(), 2);
        assert!(long[1].ends_with('…'));
        assert!(long.iter().all(|l| columns(l) <= 10), "{long:?}");
        let hard = wrap("aaaaaaaaaaaaaaaaaaaaaaaaa", 10, 5);
        assert_eq!(hard, vec!["aaaaaaaaaa", "aaaaaaaaaa", "aaaaa"]);
        assert_eq!(wrap("", 10, 2), vec![String::new()]);
    }

    #[test]
    fn truncate_adds_ellipsis() {
        assert_eq!(truncate("short", 10), "short");
        let t = truncate("a fairly long title indeed", 10);
        assert!(columns(&t) <= 10);
        assert!(t.ends_with('…'));
        assert_eq!(truncate("two\nlines", 20), "two lines");
    }

    #[test]
    fn one_line_collapses_whitespace_and_borrows_clean_text() {
        for (input, expected) in [
            ("", ""),
            ("a b", "a b"),
            (" a", "a"),
            ("a ", "a"),
            ("a  b", "a b"),
            ("a\tb", "a b"),
            ("a\n b\u{2003}c\r\n", "a b c"),
            ("   ", ""),
            ("日本 語", "日本 語"),
        ] {
            let got = one_line(input);
            assert_eq!(got, expected, "{input:?}");
            assert_eq!(
                matches!(got, Cow::Borrowed(_)),
                input == expected,
                "borrowed exactly when unchanged: {input:?}"
            );
        }
    }
}
