//! The portfolio: many models, one static site (`tmkit portfolio`).
//!
//! Each input is a model (a folder holding `threatmodel.yaml`, or a model
//! file) or the JSON report of one (`tmkit report --format json`, so that
//! each repository's CI publishes its JSON and one job aggregates them
//! without the sources). [`read_input`] turns either into a [`Site`] entry:
//! a model is checked, rendered to its JSON report in memory and read back
//! exactly as a report file is ([`tmkit_render::portfolio::read_report`]),
//! so both give the same row; its page is its HTML report. A report file
//! gets a summary page instead (a JSON report does not hold what the HTML
//! report prints, such as the descriptions' source order and the diagram).
//!
//! [`write_site`] writes `index.html` and `models/<slug>.html` into a
//! directory, with the guarantees of [`crate::output`]: created if missing,
//! never written through a symbolic link, only regular files replaced, each
//! atomically, never over an input.

use crate::output::{create_output_dir, write_atomic};
use std::io;
use std::path::{Path, PathBuf};
use tmkit_analysis::views::{View, ViewKind};
use tmkit_model::Checked;
use tmkit_render::ReportOptions;
use tmkit_render::portfolio::{self as site, PageKind, ReadError, SiteEntry, Summary};
use tmkit_syntax::fs::{FileSystem, RealFs};
use tmkit_syntax::node::Limits;

/// How model inputs are rendered.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PortfolioOptions {
    /// The extraction rendered from model inputs (report files keep theirs).
    pub view: ViewKind,
    /// The date printed on the index and on the reports rendered from models.
    pub date: Option<String>,
    /// The limits of loading a model, and the largest report file read
    /// (`total-bytes`: a report holds every file of its model).
    pub limits: Limits,
}

impl PortfolioOptions {
    /// The full view, no date, the default limits.
    pub fn new() -> Self {
        PortfolioOptions {
            view: ViewKind::Full,
            date: None,
            limits: Limits::default(),
        }
    }
}

impl Default for PortfolioOptions {
    fn default() -> Self {
        Self::new()
    }
}

/// One model of the site.
#[derive(Debug)]
pub struct Input {
    /// The path given.
    pub path: PathBuf,
    /// Its row.
    pub summary: Summary,
    /// Its HTML report, for a model input; None for a report file (its page
    /// is a summary).
    pub report_html: Option<String>,
    /// The files it was read from (a model's files, or the report file).
    pub sources: Vec<PathBuf>,
}

/// Why an input cannot be part of the site.
#[derive(Debug)]
pub enum InputError {
    /// The model does not check: its diagnostics.
    Model(Box<Checked>),
    /// The report file cannot be read or is not a report this tmkit reads.
    Report(String),
}

/// Reads one input: a JSON report (a `.json` file with a `tmkit_report`
/// key), else a model.
pub fn read_input(path: &Path, options: &PortfolioOptions) -> Result<Input, InputError> {
    let is_json = path
        .extension()
        .is_some_and(|x| x.eq_ignore_ascii_case("json"));
    if is_json && !path.is_dir() {
        let bytes = RealFs
            .read(path, options.limits.max_total_bytes)
            .map_err(|e| InputError::Report(read_error(&e, options.limits.max_total_bytes)))?;
        match site::read_report(&bytes) {
            Ok(summary) => {
                return Ok(Input {
                    path: path.to_path_buf(),
                    summary,
                    report_html: None,
                    sources: vec![path.to_path_buf()],
                });
            }
            // A JSON model file: loaded as a model below.
            Err(ReadError::NotAReport) => {}
            Err(e) => return Err(InputError::Report(e.to_string())),
        }
    }
    read_model(path, options)
}

fn read_error(e: &io::Error, limit: u64) -> String {
    match e.kind() {
        io::ErrorKind::FileTooLarge => format!(
            "cannot read it: larger than {limit} bytes (raise it with `--limit total-bytes=N`)"
        ),
        _ => format!("cannot read it: {e}"),
    }
}

/// Checks the model, renders its view to JSON and HTML, and reads the JSON back.
fn read_model(path: &Path, options: &PortfolioOptions) -> Result<Input, InputError> {
    let mut checked = crate::load(&RealFs, path, &options.limits);
    let Some(model) = checked.model.take() else {
        return Err(InputError::Model(Box::new(checked)));
    };
    let sources = checked.files.iter().map(|(_, f)| f.path.clone()).collect();
    let view = View::without_matrix(model, options.view).dated_on(options.date.as_deref());
    let report_options = ReportOptions::new().with_date(options.date.clone());
    let json = tmkit_render::json::render(&view, &report_options);
    let summary = site::read_report(json.as_bytes())
        .map_err(|e| InputError::Report(format!("its own JSON report does not read back: {e}")))?;
    Ok(Input {
        path: path.to_path_buf(),
        summary,
        report_html: Some(tmkit_render::html::render(&view, &report_options)),
        sources,
    })
}

/// The inputs in the order of the index (by model id, then title, then
/// the order given), each with the name of its page.
pub fn arrange(mut inputs: Vec<Input>) -> Vec<(Input, String)> {
    // A stable sort keeps the order given among equal ids and titles.
    inputs
        .sort_by(|a, b| (&a.summary.id, &a.summary.title).cmp(&(&b.summary.id, &b.summary.title)));
    let mut taken = std::collections::HashSet::new();
    inputs
        .into_iter()
        .map(|input| {
            let base = slug(&input.summary.id);
            let mut name = base.clone();
            let mut n = 1;
            while !taken.insert(name.clone()) {
                n += 1;
                name = format!("{base}-{n}");
            }
            (input, format!("models/{name}.html"))
        })
        .collect()
}

/// A file name from a model id: lower-case ASCII letters, digits, `-` and
/// `_` (anything else becomes `-`), at most 64 characters.
fn slug(id: &str) -> String {
    let mut s = String::new();
    for c in id.chars() {
        let c = match c {
            'a'..='z' | '0'..='9' | '_' => c,
            'A'..='Z' => c.to_ascii_lowercase(),
            _ => '-',
        };
        if c != '-' || !(s.is_empty() || s.ends_with('-')) {
            s.push(c);
        }
        if s.len() >= 64 {
            break;
        }
    }
    let s = s.trim_end_matches('-');
    if s.is_empty() {
        "model".to_string()
    } else {
        s.to_string()
    }
}

/// Writes the site into `dir` (see the module): every model's page, then
/// `index.html`. Returns the files written.
pub fn write_site(
    dir: &Path,
    entries: &[(Input, String)],
    date: Option<&str>,
) -> io::Result<Vec<PathBuf>> {
    create_output_dir(dir)?;
    create_output_dir(&dir.join("models"))?;
    let inputs: Vec<PathBuf> = entries
        .iter()
        .flat_map(|(i, _)| &i.sources)
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .collect();
    let targets = entries
        .iter()
        .map(|(_, href)| href.as_str())
        .chain(["index.html"]);
    for target in targets.map(|rel| dir.join(rel)) {
        if std::fs::canonicalize(&target).is_ok_and(|t| inputs.contains(&t)) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("refusing to write over the input {}", target.display()),
            ));
        }
    }
    let mut written = Vec::new();
    let mut write = |rel: &str, text: &str| -> io::Result<()> {
        let target = dir.join(rel);
        write_atomic(&target, |w| w.write_all(text.as_bytes())).map_err(|e| {
            io::Error::new(e.kind(), format!("cannot write {}: {e}", target.display()))
        })?;
        written.push(target);
        Ok(())
    };
    for (input, href) in entries {
        match &input.report_html {
            Some(html) => write(href, html)?,
            None => write(href, &site::summary_html(&input.summary))?,
        }
    }
    let index: Vec<SiteEntry> = entries
        .iter()
        .map(|(input, href)| SiteEntry {
            summary: &input.summary,
            href,
            kind: if input.report_html.is_some() {
                PageKind::Report
            } else {
                PageKind::Summary
            },
        })
        .collect();
    write("index.html", &site::index_html(&index, date))?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_safe_file_names() {
        assert_eq!(slug("Payments"), "payments");
        assert_eq!(slug("../../etc/passwd"), "etc-passwd");
        assert_eq!(slug("a..b"), "a-b");
        assert_eq!(slug("<script>"), "script");
        assert_eq!(slug("..."), "model");
        assert_eq!(slug(&"x".repeat(200)).len(), 64);
    }
}
