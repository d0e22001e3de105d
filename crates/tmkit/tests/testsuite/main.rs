//! CLI integration tests of `tmkit`: one binary, one module per feature.
//! Every test runs the real binary through the [`support::Test`] builder.
//! See `crates/tmkit/tests/README.md` for how to add a case.

mod check;
mod cli;
mod component;
mod corpus;
mod diagram;
mod diff;
mod docs;
mod ecosystem;
mod examples;
mod files;
mod format_doc;
mod init;
mod interop;
mod lsp;
mod portfolio;
mod report;
mod schema;
mod serve;
mod suggest;
mod support;
mod sync;
mod sync_gitlab;
mod sync_jira;
mod terminal;
mod trace;
mod treatment;
