//! # tmkit-model: the validated model
//!
//! Second stage of tmkit: turns the raw documents of [`tmkit_syntax`] into a
//! span-free [`Model`] (qualified ids, resolved references) plus a side table
//! of source spans, checking every rule of docs/format.md on the way: the
//! check rules live in `rules/`, one file per family, listed in one table.
#![warn(missing_docs)]

mod build;
pub mod check;
pub mod cvss;
pub mod model;
mod qid;
pub mod refs;
mod rules;
pub mod taxonomy;
mod treatment;

pub use check::{Checked, SpanTable, check_files, check_loaded, check_path, check_str, check_with};
pub use model::*;
pub use tmkit_syntax::date;
pub use tmkit_syntax::{Code, Diagnostic, Diagnostics, Severity};
