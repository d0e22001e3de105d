//! Invariant oracles for every output language (test support, not API).
//!
//! Each oracle takes a rendered output and returns `Err(what is wrong)` when
//! user text escaped its place: a live link, an active directive, a control
//! character, a label that breaks out, or an output that does not parse in
//! its language. They are shared by the cargo-fuzz targets of `fuzz/` and by
//! the proptest tests that run in `cargo test` (docs/fuzzing.md), and are
//! compiled only with the `oracles` feature.
//!
//! [`model`] turns a list of arbitrary user strings into a threat model
//! (YAML text, loaded through the real loader); [`check`] renders it in
//! every report, diagram and text format and applies the oracles.

pub mod check;
mod data;
mod lexical;
mod markup;
pub mod model;

pub use data::{csv, json, sarif};
pub use lexical::{dot, mermaid, plantuml, terminal};
pub use markup::{html, markdown, svg};

/// The verdict of an oracle: `Err` describes the first violation found.
pub type Verdict = Result<(), String>;

/// An oracle: the verdict on one output.
pub type Oracle = fn(&str) -> Verdict;

/// A short excerpt of `s` around byte `at`, for violation messages.
pub(crate) fn excerpt(s: &str, at: usize) -> String {
    let at = at.min(s.len());
    let start = (0..=at.saturating_sub(60))
        .rev()
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(0);
    let end = ((at + 60).min(s.len())..=s.len())
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(s.len());
    format!("{:?}", &s[start..end])
}

/// Err with `what` and an excerpt of `s` around `at`.
pub(crate) fn fail(what: &str, s: &str, at: usize) -> Verdict {
    Err(format!("{what} at byte {at}: {}", excerpt(s, at)))
}

/// The scheme of a URL as a browser reads it (ASCII whitespace and control
/// characters removed, lower-cased), or None for a relative URL.
pub(crate) fn url_scheme(url: &str) -> Option<String> {
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
        .collect();
    let colon = cleaned.find(':')?;
    let scheme = &cleaned[..colon];
    let mut chars = scheme.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    ok.then(|| scheme.to_ascii_lowercase())
}

/// True for the only links an output may carry: a fragment of the document
/// itself (`#...`), or an http, https or mailto URL.
pub(crate) fn allowed_link(url: &str) -> bool {
    url.starts_with('#')
        || url_scheme(url).is_some_and(|s| matches!(s.as_str(), "http" | "https" | "mailto"))
}
