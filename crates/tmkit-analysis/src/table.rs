//! A plain-text table that fits a terminal width: cells wrap onto several
//! lines (one item per line) and over-long lines are cut with `…`.

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

fn pad(s: &str, width: usize) -> String {
    let n = s.chars().count();
    let mut out = s.to_string();
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(n)));
    out
}

/// Renders rows of multi-line cells under a header, within `max_width`
/// columns. Columns are shrunk widest-first until the table fits (never
/// below `MIN` characters); cells are then cut with `…`.
pub(crate) fn render(header: &[String], rows: &[Vec<Vec<String>>], max_width: usize) -> String {
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
    let line = |cells: Vec<String>, out: &mut String| {
        let text = cells.join(SEP);
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(
        header
            .iter()
            .zip(&widths)
            .map(|(h, &w)| pad(&truncate(h, w), w))
            .collect(),
        &mut out,
    );
    let rule: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
    line(rule.clone(), &mut out);
    for (r, row) in rows.iter().enumerate() {
        // Rows span several lines: a rule between them keeps them apart.
        if r > 0 {
            line(rule.clone(), &mut out);
        }
        let height = row.iter().map(Vec::len).max().unwrap_or(0).max(1);
        for l in 0..height {
            line(
                (0..ncols)
                    .map(|i| {
                        let text = row.get(i).and_then(|c| c.get(l)).map_or("", String::as_str);
                        pad(&truncate(text, widths[i]), widths[i])
                    })
                    .collect(),
                &mut out,
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
