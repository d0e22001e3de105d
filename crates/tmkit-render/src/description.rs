//! Descriptions: the one pipeline from a user's Markdown description to the
//! Markdown and the HTML reports (docs/format.md, "Descriptions: the
//! Markdown subset").
//!
//! The description is parsed once by pulldown-cmark; [`safe_events`] keeps
//! only the safe subset (paragraphs, emphasis, strong, strikethrough, inline
//! code, code blocks, lists, line breaks, `http`/`https`/`mailto` links) and
//! turns everything else into text or drops its markup. From that one
//! filtered stream, [`description_md`] re-serialises Markdown (every text
//! node escaped, nothing left open) and [`description_html`] writes HTML
//! that ammonia then sanitises as a second wall.

#[cfg(test)]
use crate::escape::link_url;
use crate::escape::{MdLine, clean_controls, fenced_code, md_dest, push_md_text, safe_url};
use pulldown_cmark::{CodeBlockKind, CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};

/// The safe subset of a description, as a balanced event stream.
///
/// Raw HTML becomes text; images become their alt text; links to anything
/// but `http`, `https` or `mailto` become their text; headings become bold
/// paragraphs; block quotes and rules are dropped (their content stays);
/// table rows become paragraphs with cells separated by ` | `. Reference
/// definitions only serve links of the same description (a report writes
/// every link inline). Empty inline containers are removed. `markdown` must
/// be free of control characters ([`clean_controls`]).
fn safe_events(markdown: &str) -> Vec<Event<'_>> {
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    );
    let mut out: Vec<Event> = Vec::new();
    // For each open source tag, the ends of the tags emitted for it.
    let mut open: Vec<Vec<TagEnd>> = Vec::new();
    // How many kept links, emphases, strongs and strikethroughs are open:
    // one of a kind inside another is dropped (nothing nests in a link; a
    // delimiter run next to the same one would change how it reads).
    let mut depth = [0usize; 4];
    for event in parser {
        match event {
            Event::Start(tag) => {
                if matches!(tag, Tag::TableCell)
                    && !matches!(out.last(), Some(Event::Start(Tag::Paragraph)))
                {
                    out.push(Event::Text(" | ".into()));
                }
                let mut tags = safe_tags(tag);
                tags.retain(|t| nested(&t.to_end()).is_none_or(|k| depth[k] == 0));
                let ends: Vec<TagEnd> = tags.iter().map(|t| t.to_end()).collect();
                for k in ends.iter().filter_map(nested) {
                    depth[k] += 1;
                }
                out.extend(tags.into_iter().map(Event::Start));
                open.push(ends);
            }
            Event::End(_) => {
                for end in open.pop().unwrap_or_default().into_iter().rev() {
                    if let Some(k) = nested(&end) {
                        depth[k] -= 1;
                    }
                    push_end(&mut out, end);
                }
            }
            Event::Text(s) | Event::Html(s) | Event::InlineHtml(s) => {
                out.push(Event::Text(s));
            }
            Event::Code(s) => out.push(Event::Code(s)),
            Event::SoftBreak => out.push(Event::SoftBreak),
            Event::HardBreak => out.push(Event::HardBreak),
            // Rules, and extensions that are not enabled: nothing to show.
            _ => {}
        }
    }
    out
}

/// The tags a source tag becomes in the safe subset (none: its content
/// stays, its markup goes).
fn safe_tags(tag: Tag<'_>) -> Vec<Tag<'_>> {
    match tag {
        Tag::Paragraph | Tag::HtmlBlock | Tag::TableHead | Tag::TableRow => vec![Tag::Paragraph],
        Tag::Heading { .. } => vec![Tag::Paragraph, Tag::Strong],
        Tag::CodeBlock(kind) => {
            let lang = match kind {
                CodeBlockKind::Fenced(info) => info
                    .split_whitespace()
                    .next()
                    .filter(|l| {
                        l.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"+-_.#".contains(&b))
                    })
                    .unwrap_or("")
                    .to_string(),
                CodeBlockKind::Indented => String::new(),
            };
            vec![Tag::CodeBlock(CodeBlockKind::Fenced(lang.into()))]
        }
        Tag::List(start) => vec![Tag::List(start)],
        Tag::Item => vec![Tag::Item],
        Tag::Emphasis => vec![Tag::Emphasis],
        Tag::Strong => vec![Tag::Strong],
        Tag::Strikethrough => vec![Tag::Strikethrough],
        Tag::Link { dest_url, .. } => match safe_url(&dest_url) {
            Some(url) => vec![Tag::Link {
                link_type: LinkType::Inline,
                dest_url: url.into(),
                title: CowStr::Borrowed(""),
                id: CowStr::Borrowed(""),
            }],
            None => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// The inline containers that are not nested in one of their kind.
fn nested(end: &TagEnd) -> Option<usize> {
    match end {
        TagEnd::Link => Some(0),
        TagEnd::Emphasis => Some(1),
        TagEnd::Strong => Some(2),
        TagEnd::Strikethrough => Some(3),
        _ => None,
    }
}

/// Pushes an end tag, or removes its start when the container is empty.
fn push_end(out: &mut Vec<Event>, end: TagEnd) {
    let empty_inline = matches!(
        end,
        TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link
    );
    if empty_inline && matches!(out.last(), Some(Event::Start(t)) if t.to_end() == end) {
        out.pop();
    } else {
        out.push(Event::End(end));
    }
}

/// Renders a Markdown description to HTML that is safe to inline: the safe
/// subset written by pulldown-cmark, then sanitised by ammonia (only the
/// subset's elements, only `http`/`https`/`mailto` links, no image).
pub fn description_html(markdown: &str) -> String {
    let mut html = String::new();
    let markdown = clean_controls(markdown);
    pulldown_cmark::html::push_html(&mut html, safe_events(&markdown).into_iter());
    ammonia::Builder::default()
        .tags(
            [
                "a", "p", "br", "em", "strong", "del", "code", "pre", "ul", "ol", "li",
            ]
            .into_iter()
            .collect(),
        )
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&html)
        .to_string()
}

/// Re-serialises a Markdown description for a Markdown report from the safe
/// subset: every text node escaped, links written inline with a checked
/// destination, code fenced longer than any backtick run inside, and every
/// construct closed, so nothing in it reaches the rest of the report.
///
/// The result is read back as a host would (CommonMark + GFM): when a
/// delimiter would not read as the formatting it stands for (CommonMark's
/// flanking rules depend on the neighbouring characters, which filtering
/// may change), the description is written without emphasis, strong and
/// strikethrough, so the reader always sees exactly the subset's text and
/// links.
pub fn description_md(markdown: &str) -> String {
    let markdown = clean_controls(markdown);
    let events = safe_events(&markdown);
    let md = write_md(&events, false);
    if shape(&events, true) == shape(&Parser::new_ext(&md, READER).collect::<Vec<_>>(), true) {
        return md;
    }
    write_md(&events, true)
}

/// A block of a description as plain text (for the PDF report).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PlainBlock {
    /// A paragraph (or a list item's text, `depth` lists deep, with its
    /// marker), whitespace collapsed.
    Text {
        depth: usize,
        marker: Option<String>,
        text: String,
    },
    /// A code block, its lines as written.
    Code(String),
}

/// A description's safe subset as plain blocks: paragraphs, list items
/// with their markers, code blocks; a link's destination follows its text
/// in angle brackets (a PDF reader shows no link otherwise).
pub(crate) fn description_plain(markdown: &str) -> Vec<PlainBlock> {
    let markdown = clean_controls(markdown);
    let mut out = Vec::new();
    let mut text = String::new();
    let mut lists: Vec<Option<u64>> = Vec::new();
    let mut marker: Option<String> = None;
    let mut links: Vec<String> = Vec::new();
    let mut code: Option<String> = None;
    let flush =
        |out: &mut Vec<PlainBlock>, text: &mut String, depth, marker: &mut Option<String>| {
            let t = text.split_whitespace().collect::<Vec<_>>().join(" ");
            if !t.is_empty() || marker.is_some() {
                out.push(PlainBlock::Text {
                    depth,
                    marker: marker.take(),
                    text: t,
                });
            }
            text.clear();
        };
    for event in safe_events(&markdown) {
        if let Some(c) = &mut code {
            match event {
                Event::Text(s) => c.push_str(&s),
                Event::End(_) => {
                    out.push(PlainBlock::Code(c.trim_end_matches('\n').to_string()));
                    code = None;
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(Tag::CodeBlock(_)) => {
                flush(&mut out, &mut text, lists.len(), &mut marker);
                code = Some(String::new());
            }
            Event::Start(Tag::Item) => {
                flush(&mut out, &mut text, lists.len(), &mut marker);
                marker = Some(match lists.last_mut() {
                    Some(Some(n)) => {
                        *n += 1;
                        format!("{}.", *n - 1)
                    }
                    _ => "\u{2022}".to_string(),
                });
            }
            Event::Start(Tag::List(start)) => {
                flush(&mut out, &mut text, lists.len(), &mut marker);
                lists.push(start);
            }
            Event::End(TagEnd::List(_)) => {
                flush(&mut out, &mut text, lists.len(), &mut marker);
                lists.pop();
            }
            Event::End(TagEnd::Paragraph | TagEnd::Item) => {
                flush(&mut out, &mut text, lists.len(), &mut marker)
            }
            Event::Start(Tag::Link { dest_url, .. }) => links.push(dest_url.to_string()),
            Event::End(TagEnd::Link) => {
                if let Some(dest) = links.pop() {
                    text.push_str(&format!(" <{dest}>"));
                }
            }
            Event::Text(s) | Event::Code(s) => text.push_str(&s),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    flush(&mut out, &mut text, lists.len(), &mut marker);
    out
}

/// The options a host reading the Markdown report has (GitHub-flavoured).
pub(crate) const READER: Options = Options::ENABLE_TABLES
    .union(Options::ENABLE_STRIKETHROUGH)
    .union(Options::ENABLE_TASKLISTS)
    .union(Options::ENABLE_GFM);

fn write_md(events: &[Event], plain: bool) -> String {
    let mut w = MdWriter {
        plain,
        ..MdWriter::default()
    };
    for event in events {
        w.event(event.clone());
    }
    w.out
}

/// What a reader gets from events: blocks, links and (with `formatting`)
/// emphasis as tokens, text in between with whitespace collapsed.
fn shape(events: &[Event], formatting: bool) -> Vec<String> {
    let mut out = vec![String::new()];
    let token = |out: &mut Vec<String>, t: String| {
        out.push(t);
        out.push(String::new());
    };
    for e in events {
        match e {
            Event::Text(s) | Event::Code(s) => {
                out.last_mut().unwrap_or(&mut String::new()).push_str(s)
            }
            Event::SoftBreak | Event::HardBreak => {
                out.last_mut().unwrap_or(&mut String::new()).push(' ')
            }
            Event::Start(Tag::Link { dest_url, .. }) => token(&mut out, format!("link {dest_url}")),
            // Tight and loose lists read the same.
            Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph) => {
                token(&mut out, String::new())
            }
            Event::Start(Tag::Emphasis | Tag::Strong | Tag::Strikethrough)
            | Event::End(TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough)
                if !formatting => {}
            Event::Start(t) => token(&mut out, format!("{:?}", t.to_end())),
            Event::End(t) => token(&mut out, format!("/{t:?}")),
            e => token(&mut out, format!("{e:?}")),
        }
    }
    out.iter()
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|s| !s.is_empty())
        .collect()
}

/// Writes the safe subset as Markdown.
#[derive(Default)]
struct MdWriter {
    /// Without emphasis, strong and strikethrough.
    plain: bool,
    out: String,
    /// Indentation of the open list items.
    prefix: String,
    indents: Vec<usize>,
    /// Per open list, its next number (None: bullets) and its marker style.
    lists: Vec<(Option<u64>, bool)>,
    /// Lists written so far: alternate markers keep adjacent lists apart.
    list_count: usize,
    /// The next item is its list's first (it goes where the list starts).
    first_item: bool,
    /// Right after an item's marker: its first block goes on that line.
    fresh_item: bool,
    line: MdLine,
    /// Whitespace not yet written (dropped at a line start or end).
    pending_ws: String,
    /// Opening delimiters not yet written (dropped if nothing follows).
    pending_open: Vec<&'static str>,
    /// The last character written is a text `!`.
    bang: bool,
    links: Vec<String>,
    code: Option<(String, String)>,
}

impl MdWriter {
    fn event(&mut self, event: Event) {
        if let Some((_, text)) = &mut self.code {
            match event {
                Event::Text(s) => text.push_str(&s),
                Event::End(_) => self.code_block(),
                _ => {}
            }
            return;
        }
        match event {
            Event::Start(Tag::Paragraph) => self.start_block(),
            Event::End(TagEnd::Paragraph) => self.end_inline(),
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(lang))) => {
                self.start_block();
                self.code = Some((lang.to_string(), String::new()));
            }
            Event::Start(Tag::List(start)) => {
                self.start_block();
                self.list_count += 1;
                self.first_item = true;
                self.lists.push((start, self.list_count.is_multiple_of(2)));
            }
            Event::End(TagEnd::List(_)) => {
                self.lists.pop();
            }
            Event::Start(Tag::Item) => self.start_item(),
            Event::End(TagEnd::Item) => {
                self.end_inline();
                let n = self.indents.pop().unwrap_or(0);
                self.prefix.truncate(self.prefix.len() - n);
                self.fresh_item = false;
            }
            Event::Start(Tag::Emphasis | Tag::Strong | Tag::Strikethrough)
            | Event::End(TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough)
                if self.plain => {}
            Event::Start(Tag::Emphasis) => self.pending_open.push("*"),
            Event::Start(Tag::Strong) => self.pending_open.push("**"),
            Event::Start(Tag::Strikethrough) => self.pending_open.push("~~"),
            Event::Start(Tag::Link { dest_url, .. }) => {
                self.links.push(md_dest(&dest_url));
                self.pending_open.push("[");
            }
            Event::End(TagEnd::Emphasis) => self.close("*"),
            Event::End(TagEnd::Strong) => self.close("**"),
            Event::End(TagEnd::Strikethrough) => self.close("~~"),
            Event::End(TagEnd::Link) => {
                let dest = self.links.pop().unwrap_or_default();
                self.close(&format!("]({dest})"));
            }
            Event::Text(s) => self.text(&s),
            Event::Code(s) => {
                self.flush_pending();
                self.out.push_str(&fenced_code(&s.replace('\n', " ")));
                self.line = MdLine::Inline;
            }
            Event::SoftBreak => self.newline(),
            Event::HardBreak => {
                self.flush_pending();
                self.out.push('\\');
                self.newline();
            }
            _ => {}
        }
    }

    /// Separates a block from the previous one by a blank line (the first
    /// block of a list item goes on the item's line).
    fn start_block(&mut self) {
        self.end_inline();
        if std::mem::take(&mut self.fresh_item) || self.out.is_empty() {
            return;
        }
        self.out.push('\n');
        self.newline();
    }

    fn start_item(&mut self) {
        self.end_inline();
        if !std::mem::take(&mut self.first_item) {
            self.newline();
        }
        let Some((next, alt)) = self.lists.last_mut() else {
            return;
        };
        let marker = match next {
            Some(n) => {
                let m = format!("{n}{} ", if *alt { ')' } else { '.' });
                *n += 1;
                m
            }
            None => if *alt { "+ " } else { "- " }.to_string(),
        };
        self.out.push_str(&marker);
        self.indents.push(marker.len());
        self.prefix.push_str(&" ".repeat(marker.len()));
        self.fresh_item = true;
        self.line = MdLine::Start;
    }

    fn newline(&mut self) {
        self.pending_ws.clear();
        self.out.push('\n');
        self.out.push_str(&self.prefix);
        self.line = MdLine::Start;
    }

    fn text(&mut self, s: &str) {
        for (i, part) in s.split('\n').enumerate() {
            if i > 0 {
                self.newline();
            }
            for c in part.chars() {
                if c == ' ' || c == '\t' {
                    self.pending_ws.push(c);
                } else {
                    self.flush_pending();
                    let mut buf = [0u8; 4];
                    push_md_text(&mut self.out, c.encode_utf8(&mut buf), &mut self.line);
                    self.bang = c == '!';
                }
            }
        }
    }

    /// Writes the pending whitespace (not at a line start) and delimiters
    /// before content.
    fn flush_pending(&mut self) {
        let ws = std::mem::take(&mut self.pending_ws);
        if self.line != MdLine::Start && !ws.is_empty() {
            self.out.push_str(&ws);
            self.line = MdLine::Inline;
        }
        if !self.pending_open.is_empty() {
            // `!` right before a link's `[` would make it an image.
            if self.bang && ws.is_empty() && self.pending_open[0] == "[" {
                self.out.pop();
                self.out.push_str("\\!");
            }
            self.out.push_str(&self.pending_open.concat());
            self.pending_open.clear();
            self.line = MdLine::Inline;
        }
        self.fresh_item = false;
        self.bang = false;
    }

    fn close(&mut self, delimiter: &str) {
        // An opening still pending means an empty (or blank) container.
        if self.pending_open.pop().is_none() {
            self.out.push_str(delimiter);
        }
    }

    fn end_inline(&mut self) {
        self.pending_ws.clear();
        self.pending_open.clear();
    }

    fn code_block(&mut self) {
        let Some((lang, text)) = self.code.take() else {
            return;
        };
        let fence = "`".repeat(longest_run(&text, '`').max(2) + 1);
        self.out.push_str(&fence);
        self.out.push_str(&lang);
        for line in text.strip_suffix('\n').unwrap_or(&text).split('\n') {
            self.out.push('\n');
            self.out.push_str(&self.prefix);
            self.out.push_str(line);
        }
        if text.is_empty() {
            self.out
                .truncate(self.out.trim_end_matches([' ', '\n']).len());
        }
        self.out.push('\n');
        self.out.push_str(&self.prefix);
        self.out.push_str(&fence);
        self.line = MdLine::Inline;
    }
}

/// The longest run of `c` in `s`.
pub(crate) fn longest_run(s: &str, c: char) -> usize {
    s.split(|x| x != c)
        .map(|r| r.chars().count())
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A CommonMark + GFM reading of Markdown, as a host would render it.
    fn gfm(md: &str) -> Vec<Event<'_>> {
        Parser::new_ext(
            md,
            Options::ENABLE_TABLES
                | Options::ENABLE_STRIKETHROUGH
                | Options::ENABLE_TASKLISTS
                | Options::ENABLE_GFM
                | Options::ENABLE_FOOTNOTES,
        )
        .collect()
    }

    /// Visible text (whitespace collapsed) and link targets of HTML, read
    /// tag by tag: what a reader sees and can click.
    fn visible(html: &str) -> (String, Vec<String>) {
        let (mut text, mut links) = (String::new(), Vec::new());
        for (i, part) in html.split('<').enumerate() {
            let (tag, t) = if i == 0 {
                ("", part)
            } else {
                part.split_once('>').unwrap_or((part, ""))
            };
            if let Some(href) = tag.strip_prefix("a href=\"") {
                links.push(unescape(href.split('"').next().unwrap_or("")));
            }
            // Block boundaries separate words, as a browser shows them.
            let name = tag.trim_start_matches('/').split([' ', '/']).next();
            if matches!(name, Some("p" | "li" | "ul" | "ol" | "pre" | "br")) {
                text.push(' ');
            }
            text.push_str(&unescape(t));
        }
        (text.split_whitespace().collect::<Vec<_>>().join(" "), links)
    }

    fn unescape(s: &str) -> String {
        s.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&nbsp;", "\u{a0}")
            .replace("&amp;", "&")
    }

    /// The Markdown output read by a GFM renderer: no raw HTML, no image, no
    /// link but http(s)/mailto; and the same text and links as the HTML.
    fn assert_equivalent(src: &str) {
        let md = description_md(src);
        for e in gfm(&md) {
            assert!(
                !matches!(
                    e,
                    Event::Html(_)
                        | Event::InlineHtml(_)
                        | Event::Start(Tag::Image { .. })
                        | Event::Start(Tag::HtmlBlock)
                        | Event::Start(Tag::Table(_))
                        | Event::Start(Tag::Heading { .. })
                        | Event::FootnoteReference(_)
                        | Event::TaskListMarker(_)
                ),
                "{src:?} -> {md:?}: {e:?}"
            );
            if let Event::Start(Tag::Link { dest_url, .. }) = &e {
                assert!(link_url(dest_url).is_some(), "{src:?} -> {md:?}: {e:?}");
            }
        }
        let mut from_md = String::new();
        pulldown_cmark::html::push_html(&mut from_md, gfm(&md).into_iter());
        let html = description_html(src);
        assert_eq!(visible(&from_md), visible(&html), "{src:?} -> {md:?}");
    }

    #[test]
    fn reference_definitions_do_not_leave_their_description() {
        // A definition in one description must not make `[t][x]` in another
        // a live link, in the same report.
        let a = description_md("[x]: javascript:alert(1)\n\nSee [t][x].");
        let b = description_md("Elsewhere [t][x] and [y].");
        let report = format!("{a}\n\n{b}\n\n[y]: https://evil.example/\n");
        let links: Vec<_> = gfm(&report)
            .into_iter()
            .filter_map(|e| match e {
                Event::Start(Tag::Link { dest_url, .. }) => Some(dest_url.to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(links, Vec::<String>::new(), "{report}");
        assert!(!report.contains("]: javascript"), "{report}");
        // A definition with an allowed URL serves its own description, inline.
        assert_eq!(
            description_md("[d][k]\n\n[k]: https://ok.example/a(b)"),
            "[d](https://ok.example/a%28b%29)"
        );
    }

    #[test]
    fn an_unclosed_or_indented_fence_swallows_nothing() {
        for src in [
            "a\n\n   ```rust\nfn x",
            "- item\n\n  ~~~\n  code",
            "    ```\n",
        ] {
            let md = description_md(src);
            let after = format!("{md}\n\n# Next section\n");
            let heading = gfm(&after)
                .into_iter()
                .any(|e| matches!(e, Event::Start(Tag::Heading { .. })));
            assert!(heading, "{src:?} -> {md:?}");
            assert_equivalent(src);
        }
        assert_eq!(
            description_md("a\n```rust\nfn x"),
            "a\n\n```rust\nfn x\n```"
        );
        assert_eq!(description_md("x ``a`b`` y"), "x ``a`b`` y");
        assert_eq!(description_md("```\n``` ``\n````"), "````\n``` ``\n````");
    }

    #[test]
    fn raw_html_images_and_script_links_become_text() {
        let src = "Hi <script>alert(1)</script> <img src=x onerror=alert(1)>\n\n<div onclick=x>block</div>\n\n[a](javascript:alert(1)) [b](https://ok.example/) [c](data:text/html,x) [d](VBScript:x) ![pixel](https://t.example/p.png) [![alt](https://t.example/q.png)](https://ok.example/2)";
        let html = description_html(src);
        assert!(!html.contains("<script") && !html.contains("<img") && !html.contains("<div"));
        assert!(html.contains("&lt;script&gt;") && html.contains("&lt;div onclick=x&gt;"));
        for bad in ["javascript:", "data:", "VBScript", "t.example"] {
            assert!(!html.contains(&format!("href=\"{bad}")), "{html}");
        }
        assert!(html.contains("href=\"https://ok.example/\""), "{html}");
        assert!(
            html.contains(">pixel<") || html.contains(" pixel "),
            "{html}"
        );
        let md = description_md(src);
        assert!(
            !md.contains("<script") && !md.contains("](javascript"),
            "{md}"
        );
        assert_equivalent(src);
    }

    #[test]
    fn block_syntax_is_reduced_to_the_subset() {
        let src = "# Title\n\n> quoted\n\n| a | b |\n|---|---|\n| 1 | x\\|y |\n\n---\n\n1. one\n2. two\n   - nested\n\n* * *\n\nText with #hash and 1. not a list\nline two\n-dash\n=== not setext";
        let md = description_md(src);
        assert_equivalent(src);
        let events = gfm(&md);
        let lists = events
            .iter()
            .filter(|e| matches!(e, Event::Start(Tag::List(_))))
            .count();
        assert_eq!(lists, 2, "{md}");
        assert!(!events.iter().any(|e| matches!(e, Event::Rule)), "{md}");
        assert!(md.contains("**Title**"), "{md}");
    }

    #[test]
    fn control_characters_never_pass() {
        let src = "a\u{0}b\u{1b}[31m `c\u{0}` \u{7f}\u{85}\n```\nd\u{0}\n```";
        for out in [description_md(src), description_html(src)] {
            assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{out:?}");
            assert!(out.contains('\u{fffd}'), "{out:?}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        #[test]
        fn markdown_and_html_show_the_same_safe_content(s in "(\\PC|<|>|&|`|```|~~|\\[|\\]|\\(|\\)|\n|\n\n|   |!|\\*|\\*\\*|_|-|#|\\+|=|~|>|1\\.|\\||\\\\|script|<img src=x>|https://a.b/c|javascript:|\\[x\\]: |\u{0}){0,40}") {
            assert_equivalent(&s);
        }
    }
}
