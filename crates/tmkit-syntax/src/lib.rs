//! # tmkit-syntax: from files to spanned documents
//!
//! The first stage of tmkit. It reads files through a [`fs::FileSystem`]
//! (the real disk, or memory in tests), registers them in [`span::Files`],
//! parses YAML/JSON into a spanned [`node::Node`] tree within hard limits, and
//! follows `components` and `imports` with a worklist that detects cycles and
//! paths escaping the root directory ([`load`]). The [`raw`] types describe the
//! format (they generate the JSON Schema); [`decode`] turns nodes into them,
//! reporting every problem as a [`diagnostic::Diagnostic`].
#![warn(missing_docs)]

pub mod date;
pub mod decode;
pub mod diagnostic;
pub mod edit;
pub mod fs;
pub mod load;
pub mod node;
pub mod raw;
pub mod span;
pub mod text;
mod tree;

pub use diagnostic::{Code, Diagnostic, Diagnostics, Label, Severity};
pub use span::{FileId, Files, SourceFile, Span};
