//! A plain-text table that fits a terminal width: cells hold one item per
//! line, items longer than their column wrap at commas and spaces (the
//! continuation indented), and only a word longer than the column is cut
//! with `…`; and [`count`], the one way to say a count.

use std::borrow::Cow;
use tmkit_syntax::text::{escape_controls, is_unsafe_char};

/// `count` and `noun`, with the noun in the plural unless the count is one:
/// `count(1, "warning")` is "1 warning", `count(2, "warning")` is "2
/// warnings". Every noun tmkit counts takes a plain `s` (file, threat,
/// target, data flow...). The one way to say a count, in every text output
/// and message.
pub fn count(n: usize, noun: &str) -> String {
    format!("{n} {}", plural(n, noun))
}

/// `noun` in the plural unless `n` is one.
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        noun.to_string()
    } else {
        format!("{noun}s")
    }
}

/// Truncates `s` to at most `width` characters, marking the cut with `…`.
pub(crate) fn truncate(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out: String = s.chars().take(width - 1).collect();
    out.push('…');
    out
}

/// `text` wrapped to `width` columns (see [`wrap`]), one line per `\n`,
/// with a final newline.
pub(crate) fn wrapped(text: &str, width: usize) -> String {
    let mut lines = Vec::new();
    wrap(text, width, &mut lines);
    let mut out = String::new();
    for l in lines {
        out.push_str(&truncate(&l, width));
        out.push('\n');
    }
    out
}

/// Splits `line` into lines of at most `width` characters, breaking after
/// commas and spaces; continuation lines are indented by two spaces.
fn wrap<'a>(line: &'a str, width: usize, out: &mut Vec<Cow<'a, str>>) {
    if line.chars().count() <= width {
        out.push(Cow::Borrowed(line));
        return;
    }
    let mut cur = String::new();
    let mut cur_len = 0;
    for piece in line.split_inclusive([',', ' ']) {
        let n = piece.chars().count();
        if cur_len + n > width && !cur.trim().is_empty() {
            out.push(Cow::Owned(cur.trim_end().to_string()));
            cur = "  ".to_string();
            cur_len = 2;
        }
        cur.push_str(piece);
        cur_len += n;
    }
    if !cur.trim().is_empty() {
        out.push(Cow::Owned(cur.trim_end().to_string()));
    }
}

/// Renders rows of multi-line cells under a header, within `max_width`
/// columns. Columns are shrunk widest-first until the table fits (never
/// below `MIN` characters); long items then wrap (see [`wrap`]).
pub(crate) fn render(header: &[String], rows: &[Vec<Vec<String>>], max_width: usize) -> String {
    // Widths are measured on the text as printed: control characters of the
    // model's text show escaped (`\u{1b}`), so escape before laying out.
    let escaped: Vec<Vec<Vec<String>>>;
    let rows = if rows
        .iter()
        .flatten()
        .flatten()
        .any(|l| l.contains(is_unsafe_char))
    {
        escaped = rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(|c| c.iter().map(|l| escape_controls(l).into_owned()).collect())
                    .collect()
            })
            .collect();
        &escaped
    } else {
        rows
    };
    const MIN: usize = 5;
    const SEP: &str = " | ";
    let ncols = header.len();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(ncols) {
            for line in cell {
                widths[i] = widths[i].max(line.chars().count());
            }
        }
    }
    let budget = max_width.saturating_sub(SEP.len() * ncols.saturating_sub(1));
    while widths.iter().sum::<usize>() > budget {
        let (i, &w) = widths
            .iter()
            .enumerate()
            .max_by_key(|(i, w)| (**w, std::cmp::Reverse(*i)))
            .expect("a table has columns");
        if w <= MIN {
            break;
        }
        widths[i] = w - 1;
    }
    let mut out = String::new();
    let rule: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
    let rule_refs: Vec<&str> = rule.iter().map(String::as_str).collect();
    let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
    write_line(&mut out, &header_refs, &widths, SEP);
    write_line(&mut out, &rule_refs, &widths, SEP);
    let mut cells: Vec<Vec<Cow<str>>> = vec![Vec::new(); ncols];
    for (r, row) in rows.iter().enumerate() {
        // Rows span several lines: a rule between them keeps them apart.
        if r > 0 {
            write_line(&mut out, &rule_refs, &widths, SEP);
        }
        for (i, lines) in cells.iter_mut().enumerate() {
            lines.clear();
            for line in row.get(i).map(Vec::as_slice).unwrap_or_default() {
                wrap(line, widths[i], lines);
            }
        }
        let height = cells.iter().map(Vec::len).max().unwrap_or(0).max(1);
        let mut texts: Vec<&str> = Vec::with_capacity(ncols);
        for l in 0..height {
            texts.clear();
            texts.extend(cells.iter().map(|c| c.get(l).map_or("", |x| x.as_ref())));
            write_line(&mut out, &texts, &widths, SEP);
        }
    }
    out
}

/// Appends one line of cells, each cut and padded to its width, without
/// trailing spaces.
fn write_line(out: &mut String, cells: &[&str], widths: &[usize], sep: &str) {
    let start = out.len();
    for (i, (text, &w)) in cells.iter().zip(widths).enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        let n = text.chars().count();
        if n <= w {
            out.push_str(text);
            out.extend(std::iter::repeat_n(' ', w - n));
        } else if w > 0 {
            out.extend(text.chars().take(w - 1));
            out.push('…');
        }
    }
    let trimmed = out[start..].trim_end().len();
    out.truncate(start + trimmed);
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_measured_as_printed() {
        let header = vec!["a".to_string(), "b".to_string()];
        let rows = vec![
            vec![vec!["x\u{1b}[2J".to_string()], vec!["1".to_string()]],
            vec![vec!["plain".to_string()], vec!["2".to_string()]],
        ];
        let out = render(&header, &rows, 100);
        assert!(out.contains("x\\u{1b}[2J | 1"), "{out}");
        // The separator stands in the same column on every line.
        let cols: Vec<usize> = out
            .lines()
            .filter(|l| l.contains(" | "))
            .map(|l| l.find(" | ").unwrap())
            .collect();
        assert!(cols.windows(2).all(|w| w[0] == w[1]), "{out}");
    }

    #[test]
    fn one_is_singular_and_everything_else_plural() {
        assert_eq!(count(0, "threat"), "0 threats");
        assert_eq!(count(1, "threat"), "1 threat");
        assert_eq!(count(2, "data flow"), "2 data flows");
        assert_eq!(plural(1, "file"), "file");
        assert_eq!(plural(11, "file"), "files");
    }

    #[test]
    fn truncates_with_an_ellipsis() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
        assert_eq!(truncate("abc", 0), "");
    }

    #[test]
    fn wide_tables_shrink_to_fit() {
        let header = vec!["target".to_string(), "a".to_string(), "b".to_string()];
        let long = "x".repeat(80);
        let rows = vec![vec![
            vec!["t1".to_string()],
            vec![long.clone(), "short".to_string()],
            vec![long],
        ]];
        let text = render(&header, &rows, 60);
        for l in text.lines() {
            assert!(l.chars().count() <= 60, "{l:?}");
        }
        assert!(text.contains('…'));
        assert!(text.contains("short"));
        assert_eq!(text.lines().count(), 4);
        let two = render(&header, &[rows[0].clone(), rows[0].clone()], 60);
        assert_eq!(two.lines().count(), 7);
    }

    #[test]
    fn long_items_wrap_at_commas() {
        let mut lines = Vec::new();
        wrap("#1 U anon,bot,insider", 10, &mut lines);
        assert_eq!(lines, ["#1 U anon,", "  bot,", "  insider"]);
        lines.clear();
        wrap("short", 10, &mut lines);
        assert_eq!(lines, ["short"]);
    }
}
