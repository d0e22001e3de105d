//! A ticket body in Jira's two formats. The items' bodies are Markdown made
//! by `items.rs` from a small subset (paragraphs, `- ` lists, `**strong**`,
//! `` `code` ``, backslash escapes and `&amp; &lt; &gt;` from
//! [`escape_md`](tmkit_render::escape::escape_md), the HTML-comment marker).
//! [`parse`] reads that subset back into blocks of plain text, which
//! [`to_adf`] writes as Atlassian Document Format (Jira Cloud, REST v3:
//! every text in a JSON text node, no markup to inject) and [`to_wiki`] as
//! wiki markup (Jira Server / Data Center, REST v2: every text through
//! [`escape_jira_wiki`]).
//!
//! HTML comments survive neither format, so the marker is a visible last
//! line `tmkit:id=QID`; [`find_marker`] finds it again in the text of a
//! description ([`adf_text`] for ADF, the string itself for wiki markup).

use crate::marker;
use serde_json::{Map, Value, json};
use tmkit_render::escape::escape_jira_wiki;

/// A run of text in a paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    /// Plain text.
    Text(String),
    /// Strong text.
    Strong(String),
    /// Inline code.
    Code(String),
}

/// A block of a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A paragraph.
    Para(Vec<Inline>),
    /// A bulleted list: one run list per item.
    List(Vec<Vec<Inline>>),
    /// The marker of an element (its qualified id).
    Marker(String),
}

/// The visible marker's prefix.
pub const MARKER_PREFIX: &str = "tmkit:id=";

/// The blocks of a body in the Markdown subset of `items.rs`.
pub fn parse(md: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut para: Vec<&str> = Vec::new();
    let mut list: Vec<Vec<Inline>> = Vec::new();
    let flush = |blocks: &mut Vec<Block>, para: &mut Vec<&str>, list: &mut Vec<Vec<Inline>>| {
        if !para.is_empty() {
            blocks.push(Block::Para(inline(&para.join(" "))));
            para.clear();
        }
        if !list.is_empty() {
            blocks.push(Block::List(std::mem::take(list)));
        }
    };
    for line in md.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            flush(&mut blocks, &mut para, &mut list);
        } else if let Some(qid) = line
            .starts_with("<!--")
            .then(|| marker::find(line))
            .flatten()
        {
            flush(&mut blocks, &mut para, &mut list);
            blocks.push(Block::Marker(qid));
        } else if let Some(item) = line.strip_prefix("- ") {
            if !para.is_empty() {
                flush(&mut blocks, &mut para, &mut list);
            }
            list.push(inline(item));
        } else {
            if !list.is_empty() {
                flush(&mut blocks, &mut para, &mut list);
            }
            para.push(line);
        }
    }
    flush(&mut blocks, &mut para, &mut list);
    blocks
}

/// The runs of one line: `**` toggles strong, backticks enclose code,
/// `\X` is `X`, and the three entities of `escape_md` are their characters.
fn inline(s: &str) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut strong = false;
    let push = |out: &mut Vec<Inline>, cur: &mut String, strong: bool| {
        if !cur.is_empty() {
            let text = std::mem::take(cur);
            out.push(if strong {
                Inline::Strong(text)
            } else {
                Inline::Text(text)
            });
        }
    };
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if let Some(r) = rest.strip_prefix("**") {
            push(&mut out, &mut cur, strong);
            strong = !strong;
            rest = r;
        } else if let Some(r) = rest.strip_prefix('`') {
            push(&mut out, &mut cur, strong);
            let end = r.find('`').unwrap_or(r.len());
            if end > 0 {
                out.push(Inline::Code(r[..end].to_string()));
            }
            rest = r.get(end + 1..).unwrap_or("");
        } else if let Some(r) = rest.strip_prefix('\\') {
            if let Some(n) = r.chars().next() {
                cur.push(n);
                rest = &r[n.len_utf8()..];
            } else {
                cur.push('\\');
                rest = r;
            }
        } else if let Some((entity, ch)) = [("&amp;", '&'), ("&lt;", '<'), ("&gt;", '>')]
            .into_iter()
            .find(|(e, _)| rest.starts_with(e))
        {
            cur.push(ch);
            rest = &rest[entity.len()..];
        } else {
            cur.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    push(&mut out, &mut cur, strong);
    out
}

fn adf_runs(runs: &[Inline]) -> Vec<Value> {
    runs.iter()
        .filter_map(|r| {
            let (text, mark) = match r {
                Inline::Text(t) => (t, None),
                Inline::Strong(t) => (t, Some("strong")),
                Inline::Code(t) => (t, Some("code")),
            };
            // ADF has no empty text node.
            if text.is_empty() {
                return None;
            }
            Some(match mark {
                None => json!({"type": "text", "text": text}),
                Some(m) => json!({"type": "text", "text": text, "marks": [{"type": m}]}),
            })
        })
        .collect()
}

fn adf_para(runs: &[Inline]) -> Value {
    json!({"type": "paragraph", "content": adf_runs(runs)})
}

/// The blocks as an ADF document (Jira Cloud descriptions and comments).
pub fn to_adf(blocks: &[Block]) -> Value {
    let content: Vec<Value> = blocks
        .iter()
        .map(|b| match b {
            Block::Para(runs) => adf_para(runs),
            Block::List(items) => json!({
                "type": "bulletList",
                "content": items
                    .iter()
                    .map(|runs| json!({"type": "listItem", "content": [adf_para(runs)]}))
                    .collect::<Vec<_>>(),
            }),
            Block::Marker(qid) => adf_para(&[Inline::Text(format!("{MARKER_PREFIX}{qid}"))]),
        })
        .collect();
    json!({"type": "doc", "version": 1, "content": content})
}

/// An ADF document with only what tmkit writes (node types, texts, mark
/// types, content), keys in one order: what Jira sends back compares equal
/// to what tmkit sent, whatever attributes Jira added.
pub fn normalize_adf(v: &Value) -> Value {
    let Some(o) = v.as_object() else {
        return Value::Null;
    };
    let mut out = Map::new();
    for key in ["type", "version", "text"] {
        if let Some(x) = o.get(key) {
            out.insert(key.into(), x.clone());
        }
    }
    if let Some(marks) = o.get("marks").and_then(Value::as_array) {
        let marks: Vec<Value> = marks
            .iter()
            .map(|m| json!({"type": m.get("type").cloned().unwrap_or(Value::Null)}))
            .collect();
        if !marks.is_empty() {
            out.insert("marks".into(), Value::Array(marks));
        }
    }
    if let Some(content) = o.get("content").and_then(Value::as_array) {
        out.insert(
            "content".into(),
            Value::Array(content.iter().map(normalize_adf).collect()),
        );
    }
    Value::Object(out)
}

/// The plain text of an ADF document: one line per paragraph, heading or
/// code block; hard breaks as line breaks.
pub fn adf_text(v: &Value) -> String {
    fn walk(v: &Value, out: &mut String, depth: usize) {
        if depth > 100 {
            return;
        }
        match v.get("type").and_then(Value::as_str) {
            Some("text") => out.push_str(v.get("text").and_then(Value::as_str).unwrap_or("")),
            Some("hardBreak") => out.push('\n'),
            _ => {}
        }
        for c in v
            .get("content")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            walk(c, out, depth + 1);
        }
        if matches!(
            v.get("type").and_then(Value::as_str),
            Some("paragraph" | "heading" | "codeBlock")
        ) {
            out.push('\n');
        }
    }
    let mut out = String::new();
    walk(v, &mut out, 0);
    out
}

/// The blocks as Jira wiki markup (Jira Server / Data Center).
pub fn to_wiki(blocks: &[Block]) -> String {
    fn runs(runs: &[Inline]) -> String {
        let mut s = String::new();
        for r in runs {
            match r {
                Inline::Text(t) => s.push_str(&escape_jira_wiki(t)),
                Inline::Strong(t) if !t.is_empty() => {
                    s.push('*');
                    s.push_str(&escape_jira_wiki(t));
                    s.push('*');
                }
                Inline::Code(t) if !t.is_empty() => {
                    s.push_str("{{");
                    s.push_str(&escape_jira_wiki(t));
                    s.push_str("}}");
                }
                _ => {}
            }
        }
        s
    }
    let parts: Vec<String> = blocks
        .iter()
        .map(|b| match b {
            Block::Para(r) => runs(r),
            Block::List(items) => items
                .iter()
                .map(|r| format!("* {}", runs(r)))
                .collect::<Vec<_>>()
                .join("\n"),
            Block::Marker(qid) => format!("{MARKER_PREFIX}{}", escape_jira_wiki(qid)),
        })
        .collect();
    let mut s = parts.join("\n\n");
    s.push('\n');
    s
}

/// The qualified id of the marker in `text` (plain text of ADF, or wiki
/// markup): the last line that is exactly `tmkit:id=QID` (backslash escapes
/// of wiki markup read as the character). The last one: the marker ends
/// every body, after any text of the user.
pub fn find_marker(text: &str) -> Option<String> {
    text.lines().rev().find_map(|line| {
        let rest = line.trim().strip_prefix(MARKER_PREFIX)?;
        let mut qid = String::new();
        let mut chars = rest.chars();
        while let Some(c) = chars.next() {
            let c = if c == '\\' { chars.next()? } else { c };
            if !(c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '/')) {
                return None;
            }
            qid.push(c);
        }
        (!qid.is_empty()).then_some(qid)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "**Threat** SHOP.T\\_1: Evil &lt;b&gt; \\*x\\* &amp; \\[y\\](z)\n\n\\# h1. desc {code}\n\n- Status: unmitigated\n- Score: 7.5 high (`CVSS:3.1/AV:N`)\n\n**Mitigations**\n\n- [ ] SHOP.T\\_1/m1: Rate (design)\n\n<!-- tmkit:id=SHOP.T_1 -->\n";

    #[test]
    fn the_markdown_subset_is_read_back_as_plain_text() {
        let b = parse(BODY);
        assert_eq!(
            b[0],
            Block::Para(vec![
                Inline::Strong("Threat".into()),
                Inline::Text(" SHOP.T_1: Evil <b> *x* & [y](z)".into())
            ])
        );
        assert_eq!(
            b[1],
            Block::Para(vec![Inline::Text("# h1. desc {code}".into())])
        );
        assert_eq!(
            b[2],
            Block::List(vec![
                vec![Inline::Text("Status: unmitigated".into())],
                vec![
                    Inline::Text("Score: 7.5 high (".into()),
                    Inline::Code("CVSS:3.1/AV:N".into()),
                    Inline::Text(")".into())
                ]
            ])
        );
        assert_eq!(
            b[3],
            Block::Para(vec![Inline::Strong("Mitigations".into())])
        );
        assert_eq!(b.last(), Some(&Block::Marker("SHOP.T_1".into())));
        assert_eq!(b.len(), 6);
    }

    #[test]
    fn adf_keeps_user_text_in_text_nodes_and_the_marker_is_found() {
        let adf = to_adf(&parse(BODY));
        assert_eq!(adf["type"], "doc");
        assert_eq!(
            adf["content"][0]["content"][0]["marks"][0]["type"],
            "strong"
        );
        assert_eq!(
            adf["content"][0]["content"][1]["text"],
            " SHOP.T_1: Evil <b> *x* & [y](z)"
        );
        assert_eq!(adf["content"][2]["type"], "bulletList");
        assert_eq!(normalize_adf(&adf), adf);
        let text = adf_text(&adf);
        assert!(text.ends_with("tmkit:id=SHOP.T_1\n"), "{text}");
        assert_eq!(find_marker(&text).as_deref(), Some("SHOP.T_1"));
        // Attributes Jira adds do not make a difference.
        let mut with_attrs = adf.clone();
        with_attrs["content"][0]["attrs"] = json!({"localId": "abc"});
        assert_eq!(normalize_adf(&with_attrs), adf);
    }

    #[test]
    fn wiki_markup_escapes_user_text_and_the_marker_is_found() {
        let w = to_wiki(&parse(BODY));
        assert!(
            w.starts_with("*Threat* SHOP\\.T\\_1\\: Evil <b> \\*x\\* &amp; \\[y\\]\\(z\\)\n\n\\# h1\\. desc \\{code\\}\n\n* Status\\: unmitigated\n* Score\\: 7\\.5 high \\({{CVSS\\:3\\.1/AV\\:N}}\\)"),
            "{w}"
        );
        assert!(w.ends_with("\n\ntmkit:id=SHOP\\.T\\_1\n"), "{w}");
        assert_eq!(find_marker(&w).as_deref(), Some("SHOP.T_1"));
    }

    #[test]
    fn a_marker_written_by_a_user_is_not_ours() {
        // In wiki markup, the user's text is escaped: `tmkit\:id\=X`.
        let w = to_wiki(&[
            Block::Para(vec![Inline::Text("tmkit:id=OTHER".into())]),
            Block::Marker("A".into()),
        ]);
        assert_eq!(find_marker(&w).as_deref(), Some("A"));
        assert_eq!(find_marker("tmkit\\:id\\=OTHER"), None);
        // In ADF the last marker line wins: the user's text comes before it.
        let adf = to_adf(&[
            Block::Para(vec![Inline::Text("tmkit:id=OTHER".into())]),
            Block::Marker("A".into()),
        ]);
        assert_eq!(find_marker(&adf_text(&adf)).as_deref(), Some("A"));
        assert_eq!(find_marker("tmkit:id=a b"), None);
        assert_eq!(find_marker("tmkit:id="), None);
        assert_eq!(find_marker("no marker"), None);
    }
}
