//! `tmkit history` as CSV and as a self-contained HTML page with inline SVG
//! charts (coverage over time; open threats by severity, stacked).
//! Every cell goes through [`neutralise`], every HTML text through
//! [`escape_html`].

use crate::escape::{escape_html, neutralise};
use std::fmt::Write as _;
use tmkit_analysis::history::{History, HistoryRow, Snapshot};
use tmkit_analysis::metrics::SeverityCounts;

/// The CSV columns, in order.
pub const COLUMNS: [&str; 19] = [
    "commit",
    "date",
    "author",
    "coverage",
    "open_questions",
    "threats",
    "mitigated",
    "accepted",
    "partial",
    "unmitigated",
    "critical",
    "high",
    "medium",
    "low",
    "none",
    "unscored",
    "open_critical_high",
    "untracked_unmitigated",
    "crossings_unanswered",
];

fn severities(s: &SeverityCounts) -> [usize; 6] {
    [s.critical, s.high, s.medium, s.low, s.none, s.unscored]
}

/// The numbers of a row as cells (empty when the model is invalid there).
fn numbers(m: Option<&Snapshot>) -> Vec<String> {
    let Some(m) = m else {
        return vec![String::new(); COLUMNS.len() - 3];
    };
    let t = &m.threats;
    let mut cells = vec![
        m.coverage.map_or_else(String::new, |c| c.to_string()),
        m.open_questions.to_string(),
        t.total.to_string(),
        t.mitigated.to_string(),
        t.accepted.to_string(),
        t.partial.to_string(),
        t.unmitigated.to_string(),
    ];
    cells.extend(severities(&m.by_severity).map(|n| n.to_string()));
    cells.push((m.open_by_severity.critical + m.open_by_severity.high).to_string());
    cells.push(m.untracked_unmitigated.to_string());
    cells.push(m.crossings_unanswered.to_string());
    cells
}

/// RFC 4180 quoting of one (neutralised) cell.
fn csv_cell(s: &str) -> String {
    let s = neutralise(s);
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// `tmkit history --format csv`: a header, then one line per row.
pub fn csv(h: &History) -> String {
    let mut out = COLUMNS.join(",");
    out.push('\n');
    for r in &h.rows {
        let mut cells = vec![csv_cell(&r.commit), csv_cell(&r.date), csv_cell(&r.author)];
        cells.extend(numbers(r.metrics.as_ref()));
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

const W: f64 = 720.0;
const H: f64 = 180.0;
const PAD: f64 = 30.0;
const COLOURS: [(&str, &str); 6] = [
    ("critical", "#7b1fa2"),
    ("high", "#c62828"),
    ("medium", "#ef6c00"),
    ("low", "#f9a825"),
    ("none", "#9e9e9e"),
    ("unscored", "#607d8b"),
];

fn x_of(i: usize, n: usize) -> f64 {
    let step = (W - 2.0 * PAD) / n.max(1) as f64;
    PAD + step * (i as f64 + 0.5)
}

fn row_title(r: &HistoryRow) -> String {
    escape_html(&format!("{} {} {}", short(&r.commit), r.date, r.author))
}

fn short(commit: &str) -> &str {
    commit.get(..7).unwrap_or(commit)
}

/// Coverage over time: a line with a dot per row (rows without numbers skipped).
fn coverage_svg(rows: &[HistoryRow]) -> String {
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"Coverage over time\">\
         <line x1=\"{PAD}\" y1=\"{y0}\" x2=\"{x1}\" y2=\"{y0}\" stroke=\"#999\"/>\
         <text x=\"2\" y=\"{PAD}\" font-size=\"10\">100%</text><text x=\"2\" y=\"{y0}\" font-size=\"10\">0%</text>",
        y0 = H - PAD,
        x1 = W - PAD
    );
    let y = |c: f64| H - PAD - c * (H - 2.0 * PAD);
    let points: Vec<(f64, f64, &HistoryRow)> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, r)| Some((x_of(i, rows.len()), y(r.metrics.as_ref()?.coverage?), r)))
        .collect();
    let line: Vec<String> = points
        .iter()
        .map(|(x, y, _)| format!("{x:.1},{y:.1}"))
        .collect();
    let _ = write!(
        svg,
        "<polyline fill=\"none\" stroke=\"#1565c0\" stroke-width=\"2\" points=\"{}\"/>",
        line.join(" ")
    );
    for (x, yy, r) in points {
        let cov = r.metrics.as_ref().and_then(|m| m.coverage).unwrap_or(0.0) * 100.0;
        let _ = write!(
            svg,
            "<circle cx=\"{x:.1}\" cy=\"{yy:.1}\" r=\"3\" fill=\"#1565c0\"><title>{}: {cov:.1}%</title></circle>",
            row_title(r)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Open threats by severity, one stacked bar per row.
fn threats_svg(rows: &[HistoryRow]) -> String {
    let max = rows
        .iter()
        .filter_map(|r| r.metrics.as_ref())
        .map(|m| severities(&m.open_by_severity).iter().sum::<usize>())
        .max()
        .unwrap_or(0)
        .max(1);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"Open threats by severity\">\
         <line x1=\"{PAD}\" y1=\"{y0}\" x2=\"{x1}\" y2=\"{y0}\" stroke=\"#999\"/>\
         <text x=\"2\" y=\"{PAD}\" font-size=\"10\">{max}</text>",
        y0 = H - PAD,
        x1 = W - PAD
    );
    let unit = (H - 2.0 * PAD) / max as f64;
    let width = ((W - 2.0 * PAD) / rows.len().max(1) as f64 * 0.7).max(1.0);
    for (i, r) in rows.iter().enumerate() {
        let Some(m) = &r.metrics else { continue };
        let mut top = H - PAD;
        let x = x_of(i, rows.len()) - width / 2.0;
        for ((name, colour), n) in COLOURS.iter().zip(severities(&m.open_by_severity)) {
            if n == 0 {
                continue;
            }
            let h = n as f64 * unit;
            top -= h;
            let _ = write!(
                svg,
                "<rect x=\"{x:.1}\" y=\"{top:.1}\" width=\"{width:.1}\" height=\"{h:.1}\" fill=\"{colour}\"><title>{}: {n} {name}</title></rect>",
                row_title(r)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// `tmkit history --format html`: one self-contained page (no script, no
/// external resource): the two charts, a legend and the table.
pub fn html(h: &History) -> String {
    let title = escape_html(&format!("History of {}", h.path));
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>body{{font-family:sans-serif;margin:2em;max-width:60em}}\
         svg{{width:100%;height:auto;border:1px solid #ddd}}table{{border-collapse:collapse;font-size:90%}}\
         td,th{{border:1px solid #ccc;padding:2px 6px;text-align:right}}td.t{{text-align:left}}\
         .k{{display:inline-block;width:1em;height:1em;margin:0 .3em 0 1em}}</style></head><body>\n\
         <h1>{title}</h1>\n<h2>Coverage over time</h2>\n{}\n<h2>Open threats by severity</h2>\n{}\n<p>",
        coverage_svg(&h.rows),
        threats_svg(&h.rows)
    );
    for (name, colour) in COLOURS {
        let _ = write!(
            out,
            "<span class=\"k\" style=\"background:{colour}\"></span>{name}"
        );
    }
    out.push_str("</p>\n<h2>Commits</h2>\n<table><thead><tr>");
    for c in COLUMNS {
        let _ = write!(out, "<th>{}</th>", escape_html(c));
    }
    out.push_str("</tr></thead><tbody>\n");
    for r in &h.rows {
        let _ = write!(
            out,
            "<tr><td class=\"t\"><code>{}</code></td><td class=\"t\">{}</td><td class=\"t\">{}</td>",
            escape_html(short(&r.commit)),
            escape_html(&r.date),
            escape_html(&r.author)
        );
        for n in numbers(r.metrics.as_ref()) {
            let _ = write!(out, "<td>{}</td>", escape_html(&n));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n</body></html>\n");
    out
}
