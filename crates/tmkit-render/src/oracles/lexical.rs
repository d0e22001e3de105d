//! Line-based languages checked lexically: Graphviz DOT, Mermaid, PlantUML
//! and terminal text. (The dedicated tests also run the real `dot`.)
//!
//! The generator of [`super::model`] ends user strings with
//! [`super::model::MARK`]; where the language has quoted labels, the mark
//! must never be outside them: that is a label breaking out.

use super::model::MARK;
use super::{Verdict, fail};

/// The byte ranges of `line` outside double-quoted strings, with `\` escaping
/// the next character inside them when `backslash` is set; Err when a quote
/// is not closed.
fn outside_quotes(line: &str, backslash: bool) -> Result<Vec<(usize, usize)>, usize> {
    let mut parts = Vec::new();
    let mut start = Some(0);
    let mut open = 0;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match start {
            Some(s) if c == '"' => {
                parts.push((s, i));
                start = None;
                open = i;
            }
            None if escaped => escaped = false,
            None if backslash && c == '\\' => escaped = true,
            None if c == '"' => start = Some(i + 1),
            _ => {}
        }
    }
    match start {
        Some(s) => {
            parts.push((s, line.len()));
            Ok(parts)
        }
        None => Err(open),
    }
}

/// Err when the mark occurs in `line` outside quoted strings.
fn mark_outside(out: &str, offset: usize, line: &str, backslash: bool) -> Verdict {
    let parts = match outside_quotes(line, backslash) {
        Ok(p) => p,
        Err(at) => return fail("unclosed quoted string", out, offset + at),
    };
    for (s, e) in parts {
        if let Some(i) = line[s..e].find(MARK) {
            return fail("user text outside a quoted label", out, offset + s + i);
        }
    }
    Ok(())
}

/// Lines with their byte offsets.
fn lines(out: &str) -> impl Iterator<Item = (usize, &str)> {
    out.split('\n').scan(0, |pos, l| {
        let at = *pos;
        *pos += l.len() + 1;
        Some((at, l))
    })
}

/// Graphviz DOT: a `digraph`, every quoted string closed on its line, no
/// `\N \G \E \L \T \H` escape (they expand to graph, node and edge names), no
/// HTML-like label, user text only inside quoted strings, braces balanced.
pub fn dot(out: &str) -> Verdict {
    if !out.starts_with("digraph ") {
        return fail("not a digraph", out, 0);
    }
    let mut depth: i64 = 0;
    for (offset, line) in lines(out) {
        mark_outside(out, offset, line, true)?;
        let mut escaped = false;
        let mut quoted = false;
        for (i, c) in line.char_indices() {
            if escaped {
                if matches!(c, 'N' | 'G' | 'E' | 'L' | 'T' | 'H') {
                    return fail(&format!("DOT escape \\{c}"), out, offset + i - 1);
                }
                escaped = false;
            } else if quoted {
                match c {
                    '\\' => escaped = true,
                    '"' => quoted = false,
                    _ => {}
                }
            } else {
                match c {
                    '"' => quoted = true,
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    '<' => return fail("HTML-like label", out, offset + i),
                    _ => {}
                }
            }
        }
    }
    if depth != 0 {
        return fail(&format!("unbalanced braces ({depth})"), out, out.len());
    }
    Ok(())
}

/// Mermaid: a flowchart; no `%%{` (directive, e.g. `%%{init}%%`) anywhere;
/// `%%` only as the start of a comment line; outside comments, quotes
/// closed on their line, user text only inside them, no HTML in labels but
/// `<br/>`, no `click` statement.
pub fn mermaid(out: &str) -> Verdict {
    if !out.trim_start().starts_with("flowchart ") {
        return fail("not a flowchart", out, 0);
    }
    if let Some(i) = out.find("%%{") {
        return fail("Mermaid directive", out, i);
    }
    for (offset, line) in lines(out) {
        let body = line.trim_start();
        let indent = line.len() - body.len();
        if let Some(comment) = body.strip_prefix("%%") {
            if let Some(i) = comment.find("%%") {
                return fail("%% inside a comment", out, offset + indent + 2 + i);
            }
            continue;
        }
        if let Some(i) = line.find("%%") {
            return fail("%% outside a comment line", out, offset + i);
        }
        mark_outside(out, offset, line, false)?;
        let outside = outside_quotes(line, false).unwrap_or_default();
        for (s, e) in outside {
            let click = line[s..e]
                .split(';')
                .any(|st| st.trim_start().starts_with("click "));
            if click {
                return fail("click statement", out, offset + s);
            }
        }
        for (i, _) in line.match_indices('<') {
            if !line[i..].starts_with("<br/>") {
                return fail("HTML in a Mermaid label", out, offset + i);
            }
        }
    }
    Ok(())
}

/// PlantUML: `@startuml` ... `@enduml` with no other `@` line; no
/// preprocessor construct (a line starting with `!`, `%name(`, `$name`);
/// no Creole link `[[`, no `<` but `<<stereotype>>`, `<U+XXXX>` and arrow
/// heads; quotes closed on their line.
pub fn plantuml(out: &str) -> Verdict {
    let body = out.trim_end();
    if !body.starts_with("@startuml\n") || !body.ends_with("\n@enduml") {
        return fail("not @startuml ... @enduml", out, 0);
    }
    for (offset, line) in lines(out) {
        let t = line.trim_start();
        let indent = offset + line.len() - t.len();
        if t.starts_with('!') {
            return fail("preprocessor directive", out, indent);
        }
        if t.starts_with('@') && t != "@startuml" && t != "@enduml" {
            return fail("@ line", out, indent);
        }
        if let Err(at) = outside_quotes(line, false) {
            return fail("unclosed quoted string", out, offset + at);
        }
        if let Some(i) = line.find("[[") {
            return fail("Creole link", out, offset + i);
        }
        let b = line.as_bytes();
        for (i, &c) in b.iter().enumerate() {
            let ident = |j: usize| {
                b.get(j)
                    .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
            };
            if c == b'$' && ident(i + 1) {
                return fail("preprocessor variable", out, offset + i);
            }
            if c == b'%' && ident(i + 1) {
                let name_end = (i + 1..b.len())
                    .find(|&j| !(b[j].is_ascii_alphanumeric() || b[j] == b'_'))
                    .unwrap_or(b.len());
                if line[name_end..].starts_with('(') {
                    return fail("preprocessor function", out, offset + i);
                }
            }
            if c == b'<' && !own_angle(&line[i..]) && !(i > 0 && b[i - 1] == b'<') {
                return fail("markup tag", out, offset + i);
            }
        }
    }
    Ok(())
}

/// `<` as PlantUML output writes it: a stereotype `<<name>>`, a code point
/// `<U+XXXX>`, or an arrow head `<-`.
fn own_angle(s: &str) -> bool {
    let stereotype = s
        .strip_prefix("<<")
        .and_then(|r| r.split_once(">>"))
        .is_some_and(|(n, _)| {
            !n.is_empty()
                && n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        });
    let code = s
        .strip_prefix("<U+")
        .and_then(|r| r.split_once('>'))
        .is_some_and(|(h, _)| {
            (4..=6).contains(&h.len()) && h.chars().all(|c| c.is_ascii_hexdigit())
        });
    stereotype || code || s.starts_with("<-") || s.starts_with("<.")
}

/// Terminal text: no control character but newline and tab (no ESC, CSI,
/// OSC, carriage return, NUL, DEL or C1 control).
pub fn terminal(out: &str) -> Verdict {
    match out
        .char_indices()
        .find(|&(_, c)| c.is_control() && c != '\n' && c != '\t')
    {
        Some((i, c)) => fail(&format!("control character U+{:04X}", c as u32), out, i),
        None => Ok(()),
    }
}
