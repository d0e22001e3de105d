//! Escaping and Markdown: the only places user text enters markup.
//!
//! - [`escape_html`] for every user string in HTML text and attributes;
//! - [`escape_md`] for every user string inline in Markdown;
//! - [`anchor`] turns a qualified id into an anchor that is safe in an HTML
//!   `id`, a URL fragment and Markdown, and injective (ids never collide);
//! - [`description_html`] renders a Markdown description to sanitised HTML;
//! - [`description_md`] passes a Markdown description through with raw HTML
//!   neutralised;
//! - [`link_url`] says whether a ticket may become a link.

use pulldown_cmark::{Event, Options, Parser};
use std::collections::HashSet;
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
            _ => out.push(c),
        }
    }
    out
}

/// Escapes text for inline Markdown (GitHub-flavoured), including inside
/// table cells: inline Markdown punctuation (`` \ ` * _ [ ] | ~ $ ``) is
/// backslash-escaped, `< > &` become entities (so no raw HTML survives),
/// line breaks become spaces. Block syntax (`#`, `-`, `1.`) only matters at
/// the start of a line, where reports never put a user string.
pub fn escape_md(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' | '\r' | '\t' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '$' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
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

/// Renders a Markdown description to HTML that is safe to inline: raw HTML
/// in the source is shown as text, the output is sanitised by ammonia (no
/// script, no event handler, no `javascript:` URL), and images are dropped
/// (the report makes no network request).
pub fn description_html(markdown: &str) -> String {
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    )
    .map(|e| match e {
        Event::Html(s) | Event::InlineHtml(s) => Event::Text(s),
        e => e,
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, parser);
    let tags: HashSet<&str> = [
        "a",
        "p",
        "br",
        "em",
        "strong",
        "del",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    ]
    .into_iter()
    .collect();
    ammonia::Builder::default()
        .tags(tags)
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&html)
        .to_string()
}

/// A Markdown description for a Markdown report: the text as written, with
/// raw HTML neutralised (its `<` becomes `&lt;`, so GitHub and every other
/// renderer show it as text) and links to anything but http(s)/mailto
/// reduced to their text.
pub fn description_md(markdown: &str) -> String {
    let mut cuts: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    );
    for (event, range) in parser.into_offset_iter() {
        match event {
            Event::Html(_) | Event::InlineHtml(_) => {
                let src = &markdown[range.clone()];
                cuts.push((range, src.replace('&', "&amp;").replace('<', "&lt;")));
            }
            Event::Start(pulldown_cmark::Tag::Link { dest_url, .. })
            | Event::Start(pulldown_cmark::Tag::Image { dest_url, .. })
                if link_url(&dest_url).is_none() =>
            {
                let src = &markdown[range.clone()];
                cuts.push((range, escape_md(src)));
            }
            _ => {}
        }
    }
    // Apply non-overlapping cuts from the end (an outer link wins over the
    // raw HTML inside it).
    cuts.sort_by(|a, b| a.0.start.cmp(&b.0.start).then(b.0.end.cmp(&a.0.end)));
    let mut kept: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    for c in cuts {
        if kept.last().is_some_and(|k| c.0.start < k.0.end) {
            continue;
        }
        kept.push(c);
    }
    let mut out = markdown.to_string();
    for (range, text) in kept.into_iter().rev() {
        out.replace_range(range, &text);
    }
    let mut out = out.trim_end().to_string();
    // A fence left open would swallow the rest of the report: close it.
    let mut open: Option<String> = None;
    for line in out.lines() {
        let t = line.trim_start();
        let fence: String = t.chars().take_while(|c| *c == '`' || *c == '~').collect();
        if fence.len() >= 3
            && fence
                .chars()
                .all(|c| c == fence.chars().next().unwrap_or('`'))
        {
            match &open {
                None => open = Some(fence),
                Some(o) if fence.starts_with(o.as_str()) && t.trim_end() == fence => open = None,
                _ => {}
            }
        }
    }
    if let Some(fence) = open {
        out.push('\n');
        out.push_str(&fence);
    }
    out
}

/// The URL to link a ticket (or description link) to, when it is an
/// `http(s)://` or `mailto:` URL without spaces; None otherwise (shown as text).
pub fn link_url(s: &str) -> Option<&str> {
    let t = s.trim();
    let lower = t.to_ascii_lowercase();
    let ok = (lower.starts_with("https://")
        || lower.starts_with("http://")
        || lower.starts_with("mailto:"))
        && !t.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | '\'' | '`')
        });
    ok.then_some(t)
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
    fn anchors_are_safe_and_injective() {
        assert_eq!(anchor("CCC.T.x/m1"), "CCC.T.x%2Fm1");
        assert_eq!(anchor("a\"><svg"), "a%22%3E%3Csvg");
        assert_ne!(anchor("a%2F"), anchor("a/"));
        assert_eq!(anchor("1x"), "x-1x");
    }

    #[test]
    fn description_html_shows_raw_html_as_text_and_drops_dangerous_links() {
        let h = description_html(
            "Hi <script>alert(1)</script> <img src=x onerror=alert(1)>\n\n[a](javascript:alert(1)) [b](https://ok.example/) ![i](https://t.example/p.png)",
        );
        assert!(!h.contains("<script"), "{h}");
        assert!(!h.contains("<img"), "{h}");
        assert!(h.contains("&lt;script&gt;"), "{h}");
        assert!(!h.contains("javascript:"), "{h}");
        assert!(h.contains("href=\"https://ok.example/\""), "{h}");
    }

    #[test]
    fn description_md_neutralises_raw_html_and_script_links() {
        let m = description_md(
            "**bold** <img src=x onerror=alert(1)> [a](javascript:alert(1))\n\n<div>x</div>",
        );
        assert!(m.starts_with("**bold** &lt;img"), "{m}");
        assert!(
            !m.contains("<div") && !m.contains(" [a](javascript") && m.contains("\\[a\\]"),
            "{m}"
        );
    }

    #[test]
    fn description_md_closes_an_open_fence() {
        assert_eq!(description_md("a\n```rust\nfn x"), "a\n```rust\nfn x\n```");
        assert_eq!(description_md("```\nx\n```"), "```\nx\n```");
        assert_eq!(description_md("~~~~\nx"), "~~~~\nx\n~~~~");
    }

    proptest::proptest! {
        #[test]
        fn descriptions_never_panic_nor_yield_markup(s in "(\\PC|<|>|&|`|\\[|\\]|\\(|\\)|\n|!|\\*|_|~| |script|img|onerror=|javascript:|href=){0,60}") {
            let html = description_html(&s);
            let lower = html.to_ascii_lowercase();
            proptest::prop_assert!(!lower.contains("<script") && !lower.contains("<img"));
            for tag in lower.split('<').skip(1) {
                let tag = tag.split('>').next().unwrap_or("");
                proptest::prop_assert!(!tag.split_whitespace().skip(1).any(|a| a.starts_with("on")), "{}", html);
                if let Some(href) = tag.split("href=\"").nth(1) {
                    proptest::prop_assert!(!href.trim_start().starts_with("javascript:"), "{}", html);
                }
            }
            let md = description_md(&s);
            // Re-read as Markdown, the passed-through description holds no raw HTML.
            let raw = Parser::new(&md).any(|e| matches!(e, Event::Html(_) | Event::InlineHtml(_)));
            proptest::prop_assert!(!raw, "{:?} -> {:?}", s, md);
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
}
