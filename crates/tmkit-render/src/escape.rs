//! Escaping and Markdown: the only places user text enters markup.
//!
//! - [`escape_html`] for every user string in HTML text and attributes;
//! - [`escape_md`] for every user string inline in Markdown: text, table
//!   cells, link texts, headings;
//! - [`code_span`] for a user string shown as Markdown inline code;
//! - [`link_dest_md`] for a link destination in Markdown;
//! - [`clean_controls`]: no control character but tab and line breaks
//!   reaches any output (every function above applies it);
//! - [`anchor`] turns a qualified id into an anchor that is safe in an HTML
//!   `id`, a URL fragment and Markdown, and injective (ids never collide);
//! - [`description_html`] and [`description_md`] render a description's
//!   safe Markdown subset (see `description.rs`);
//! - [`link_url`] says whether a ticket may become a link;
//! - [`neutralise`] for every CSV cell (matrix and interop exports);
//! - [`escape_jira_wiki`] for every user string in Jira wiki markup (the
//!   descriptions and comments of Jira Server / Data Center);
//! - [`pdf_text`] for every string drawn in the PDF report.

pub use crate::description::{description_html, description_md};
use std::borrow::Cow;
use std::fmt::Write as _;

/// Escapes text for HTML element content and quoted attribute values:
/// `& < > " '` become entities.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if is_banned_control(c) => out.push(char::REPLACEMENT_CHARACTER),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes text for inline Markdown (GitHub-flavoured), including table
/// cells and link texts: inline Markdown punctuation (`` \ ` * _ [ ] | ~ $ ``)
/// is backslash-escaped, `< > &` become entities (so no raw HTML survives),
/// line breaks and tabs become spaces (a cell stays one row), control
/// characters become U+FFFD, and block syntax at the start (`#`, `-`, `+`,
/// `=`, and `1.` or `1)` before a space) is escaped, so the text stays text
/// even where it starts a line.
pub fn escape_md(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    push_md_text(&mut out, s, &mut MdLine::Start);
    out
}

/// Where Markdown text is written: at a line start (block syntax matters),
/// after digits at a line start (`1.` would start a list), or inline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum MdLine {
    #[default]
    Start,
    Digits,
    Inline,
}

/// The one Markdown text escaper ([`escape_md`], and every text node of a
/// description): appends `s` escaped to `out`, tracking the line position.
pub(crate) fn push_md_text(out: &mut String, s: &str, line: &mut MdLine) {
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let at = *line;
        *line = MdLine::Inline;
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' | '\r' | '\t' | ' ' => {
                out.push(' ');
                if at == MdLine::Start {
                    *line = MdLine::Start;
                }
            }
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '#' | '-' | '+' | '=' if at == MdLine::Start => {
                out.push('\\');
                out.push(c);
            }
            '0'..='9' if at != MdLine::Inline => {
                out.push(c);
                *line = MdLine::Digits;
            }
            '.' | ')'
                if at == MdLine::Digits
                    && chars
                        .peek()
                        .is_none_or(|n| matches!(n, ' ' | '\t' | '\n' | '\r')) =>
            {
                out.push('\\');
                out.push(c);
            }
            c if is_banned_control(c) => out.push(char::REPLACEMENT_CHARACTER),
            _ => out.push(c),
        }
    }
}

/// Control characters that never reach an output: every C0 and C1 control
/// and DEL, except tab and line breaks (which each context handles).
fn is_banned_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// `s` with every banned control character (NUL included) replaced by
/// U+FFFD.
pub fn clean_controls(s: &str) -> Cow<'_, str> {
    if s.chars().any(is_banned_control) {
        Cow::Owned(
            s.chars()
                .map(|c| {
                    if is_banned_control(c) {
                        char::REPLACEMENT_CHARACTER
                    } else {
                        c
                    }
                })
                .collect(),
        )
    } else {
        Cow::Borrowed(s)
    }
}

/// Markdown inline code showing `s`: fenced by one more backtick than its
/// longest backtick run, padded when it starts or ends with a backtick or a
/// space, line breaks folded. A `|` cannot be written in a code span that is
/// right both inside and outside a table cell, and a blank span is not code:
/// such text is written as escaped text ([`escape_md`]) instead.
pub fn code_span(s: &str) -> String {
    let s = clean_controls(s).replace(['\n', '\r'], " ");
    if s.contains('|') || s.trim().is_empty() {
        return escape_md(&s);
    }
    fenced_code(&s)
}

/// `s` (no line break, no control character) as Markdown inline code, right
/// outside table cells: fenced by one more backtick than its longest
/// backtick run, padded when it starts or ends with a backtick or a space.
pub(crate) fn fenced_code(s: &str) -> String {
    let fence = "`".repeat(crate::description::longest_run(s, '`') + 1);
    let pad = if s.trim().is_empty() {
        ""
    } else if s.starts_with(['`', ' ']) || s.ends_with(['`', ' ']) {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// The URL a link may point to ([`link_url`] accepts it), with `( ) < > | \\`
/// and spaces percent-encoded: the same URL, safe in any destination (a `|`
/// would split a Markdown table cell, a `)` would end a link).
pub fn safe_url(url: &str) -> Option<String> {
    let url = link_url(url)?;
    let mut out = String::with_capacity(url.len() + 8);
    for c in url.chars() {
        match c {
            '(' | ')' | '<' | '>' | '|' | '\\' | ' ' => {
                let _ = write!(out, "%{:02X}", c as u32);
            }
            _ => out.push(c),
        }
    }
    Some(out)
}

/// A Markdown link destination for `url` ([`safe_url`], with `&`
/// backslash-escaped so no entity is decoded in it).
pub fn link_dest_md(url: &str) -> Option<String> {
    safe_url(url).map(|u| md_dest(&u))
}

/// A [`safe_url`] result as a Markdown link destination.
pub(crate) fn md_dest(safe_url: &str) -> String {
    safe_url.replace('&', "\\&")
}

/// The anchor of a qualified id: `[A-Za-z0-9._-]` kept, every other byte
/// percent-encoded (`/` of inline mitigations included), so the result is
/// safe unescaped in an `id` attribute, a `#fragment` and Markdown, and two
/// different qids never share an anchor.
pub fn anchor(qid: &str) -> String {
    let mut out = String::with_capacity(qid.len() + 4);
    for b in qid.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    if out.is_empty() || !out.as_bytes()[0].is_ascii_alphabetic() {
        out.insert_str(0, "x-");
    }
    out
}

/// The URL to link a ticket (or description link) to: printable ASCII
/// only (no `< > " ' \` \\`), parsed as an absolute URL (by the `url` crate, as ammonia does)
/// whose scheme is `http`, `https` or `mailto`; None otherwise (shown as
/// text).
pub fn link_url(s: &str) -> Option<&str> {
    let t = s.trim();
    let printable =
        t.bytes().all(|b| b.is_ascii_graphic()) && !t.contains(['<', '>', '"', '\'', '`', '\\']);
    let parsed = printable.then(|| url::Url::parse(t).ok()).flatten()?;
    matches!(parsed.scheme(), "http" | "https" | "mailto").then_some(t)
}

/// Makes a CSV cell safe for a spreadsheet and a terminal: every CSV writer
/// of tmkit goes through this one function. Control characters but `\n`
/// (NUL, ESC, tab, CR...) and bidi overrides are written as `\u{HEX}`
/// ([`escape_controls`](tmkit_syntax::text::escape_controls)), so a cell can
/// no longer start with a tab or CR; a cell that a spreadsheet would then
/// evaluate as a formula (`=`, `+`, `-`, `@` at the start) gets a leading `'`.
pub fn neutralise(cell: &str) -> String {
    let cell = tmkit_syntax::text::escape_controls(cell);
    if cell.starts_with(['=', '+', '-', '@']) {
        format!("'{cell}")
    } else {
        cell.into_owned()
    }
}

/// The text of a PDF string as it is drawn: line breaks and tabs become
/// spaces, every other control character (bidirectional and other format
/// characters included) and every character the font has no glyph for
/// (`covered` says which it has) becomes U+FFFD, the replacement glyph.
/// So what a reader selects or searches is what is shown.
pub fn pdf_text(s: &str, covered: impl Fn(char) -> bool) -> String {
    s.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => ' ',
            c if c.is_control() || is_format_char(c) || !covered(c) => char::REPLACEMENT_CHARACTER,
            c => c,
        })
        .collect()
}

/// Invisible format characters (Unicode category Cf) that reorder or hide
/// text: bidirectional controls, zero-width characters, the BOM.
fn is_format_char(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

/// Escapes text for Jira wiki markup (Jira Server / Data Center issue
/// descriptions and comments): every character that is markup somewhere
/// (`* _ ? - + ^ ~ { } [ ] | ! # ( ) : ; = .` and backtick) is
/// backslash-escaped, the backslash itself becomes the entity `&#92;` (so
/// it cannot escape what follows), `&` becomes `&amp;` (no entity of the
/// user survives), line breaks and tabs become spaces (the text stays in
/// its paragraph or list item), and control characters become U+FFFD.
/// Escaping `.` and `:` as well keeps `h1.`, `bq.` and emoticons such as
/// `:)` and `(y)` text wherever the string starts.
pub fn escape_jira_wiki(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("&#92;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' | '\t' => out.push(' '),
            '*' | '_' | '?' | '-' | '+' | '^' | '~' | '{' | '}' | '[' | ']' | '|' | '!' | '#'
            | '(' | ')' | ':' | ';' | '=' | '.' | '`' => {
                out.push('\\');
                out.push(c);
            }
            c if is_banned_control(c) => out.push(char::REPLACEMENT_CHARACTER),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_every_special_character() {
        assert_eq!(
            escape_html(r#"<a href="x" onclick='y'>&amp;</a>"#),
            "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;"
        );
        assert_eq!(escape_html("plain é"), "plain é");
    }

    #[test]
    fn markdown_escape_leaves_no_markup() {
        let e = escape_md("<script>|*x*|[l](javascript:1)\n# h");
        assert!(!e.contains('<') && !e.contains('\n'));
        assert_eq!(e.matches('|').count(), e.matches("\\|").count());
        assert!(e.contains("\\[l\\](javascript:1)"));
    }

    #[test]
    fn markdown_escape_never_starts_block_syntax_nor_keeps_controls() {
        assert_eq!(escape_md("# h"), "\\# h");
        assert_eq!(escape_md("  - item"), "  \\- item");
        assert_eq!(escape_md("1. one"), "1\\. one");
        assert_eq!(escape_md("1.0"), "1.0");
        assert_eq!(escape_md("=== x"), "\\=== x");
        assert_eq!(
            escape_md("a\0b\u{1b}c\u{7f}"),
            "a\u{fffd}b\u{fffd}c\u{fffd}"
        );
        assert_eq!(escape_html("a\0b"), "a\u{fffd}b");
    }

    #[test]
    fn code_spans_and_link_destinations_hold_their_text() {
        assert_eq!(code_span("a`b"), "``a`b``");
        assert_eq!(code_span("`x"), "`` `x ``");
        assert_eq!(code_span("a|b"), "a\\|b");
        assert_eq!(code_span("a\nb\0"), "`a b\u{fffd}`");
        assert_eq!(
            link_dest_md("https://t.example/a|b(c) d").as_deref(),
            None,
            "spaces are not URLs"
        );
        assert_eq!(
            link_dest_md("https://t.example/a|b(c)?x=1&y=<2>").as_deref(),
            None,
            "angle brackets are refused"
        );
        assert_eq!(
            link_dest_md("https://t.example/a|b(c)?x=1&y=2").as_deref(),
            Some("https://t.example/a%7Cb%28c%29?x=1\\&y=2")
        );
        for bad in [
            "javascript:alert(1)",
            "data:text/html,x",
            "VBScript:x",
            "https://",
            "/rel",
        ] {
            assert_eq!(link_dest_md(bad), None, "{bad}");
        }
    }

    #[test]
    fn anchors_are_safe_and_injective() {
        assert_eq!(anchor("CCC.T.x/m1"), "CCC.T.x%2Fm1");
        assert_eq!(anchor("a\"><svg"), "a%22%3E%3Csvg");
        assert_ne!(anchor("a%2F"), anchor("a/"));
        assert_eq!(anchor("1x"), "x-1x");
    }

    proptest::proptest! {
        #[test]
        fn escapes_never_yield_markup(s in "(\\PC|<|>|&|`|\\[|\\]|\\(|\\)|\n|!|\\*|_|~| |script|img|onerror=|javascript:|href=){0,60}") {
            let e = escape_md(&s);
            proptest::prop_assert!(!e.contains('<') && !e.contains('\n'));
            let h = escape_html(&s);
            proptest::prop_assert!(!h.contains('<') && !h.contains('"'));
            let a = anchor(&s);
            proptest::prop_assert!(a.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-%".contains(&b)));
        }
    }

    #[test]
    fn only_web_urls_become_links() {
        assert_eq!(
            link_url(" https://t.example/X-1 "),
            Some("https://t.example/X-1")
        );
        assert_eq!(link_url("javascript:alert(1)"), None);
        assert_eq!(link_url("VULN_001"), None);
        assert_eq!(link_url("https://x\" onmouseover=1"), None);
    }

    #[test]
    fn jira_wiki_text_stays_text() {
        assert_eq!(escape_jira_wiki("plain words 42"), "plain words 42");
        assert_eq!(
            escape_jira_wiki("*bold* _em_ {code} [link|http://x] !img.png!"),
            "\\*bold\\* \\_em\\_ \\{code\\} \\[link\\|http\\://x\\] \\!img\\.png\\!"
        );
        // Block syntax at the start of a line, a break that would start one.
        assert_eq!(escape_jira_wiki("h1. Title"), "h1\\. Title");
        assert_eq!(
            escape_jira_wiki("a\n# item\r\n----"),
            "a \\# item  \\-\\-\\-\\-"
        );
        // A backslash cannot escape our own markup; entities stay text.
        assert_eq!(escape_jira_wiki("x\\*"), "x&#92;\\*");
        assert_eq!(escape_jira_wiki("&lt;"), "&amp;lt\\;");
        assert_eq!(
            escape_jira_wiki("(y) :) a\u{0}b"),
            "\\(y\\) \\:\\) a\u{fffd}b"
        );
        // Every character that has a meaning is escaped (never bare).
        let hostile = "{noformat}{html}<script>|| ^sup^ ~sub~ ??cite?? +ins+ -del- ;)";
        let e = escape_jira_wiki(hostile);
        let mut chars = e.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\\' {
                chars.next();
                continue;
            }
            assert!(!"{}|^~?+-*_[]!#():;=.`".contains(c), "bare {c} in {e}");
        }
    }
}
