//! # tmkit-analysis: derived values of a checked model
//!
//! The third stage of tmkit: from a resolved [`tmkit_model::Model`] it derives
//! everything docs/format.md#derived-values calls *derived values* (computed, never written by hand).
//! One pass, [`Analysis::new`], computes them all in time linear in the size of
//! the model and the number of questions:
//!
//! - [`status`]: threat status (mitigated / accepted / partial / unmitigated) and
//!   the *not secure by default* flag;
//! - severities from the CVSS vectors (scored by [`tmkit_model::cvss`]);
//! - [`question`]: the finite enumeration target x attacker x category, which
//!   threats and verdicts answer each question, and the `other` threats;
//! - [`crossing`]: trust-boundary crossings of data flows and their exposed
//!   categories;
//! - [`metrics`]: coverage and counts per model, rolled up over components
//!   (the one [`Metrics`] type of `tmkit metrics --format json` and of the
//!   JSON report);
//! - [`severity`]: the one score text and the one worst-first order;
//! - [`gate`]: the `--fail-on` policies of `tmkit check`;
//! - [`views`]: the extractions (full, unmitigated, public, checklist);
//! - [`diff`]: the posture diff of two analysed models (`tmkit diff`);
//! - [`history`]: the numbers of one revision (a row of `tmkit history`);
//! - [`library`]: the threat library (built-in and organisation patterns);
//! - [`suggest`]: library patterns for open questions, with why they apply.
//!
//! The one rule of coverage, "a cell answers an attacker", is
//! [`Analysis::answers`]. This crate writes no text format: the `tmkit
//! matrix` and `tmkit metrics` outputs are in `tmkit-render`.
#![warn(missing_docs)]

mod analysis;
pub mod crossing;
pub mod diff;
pub mod gate;
pub mod history;
mod index;
pub mod library;
pub mod metrics;
pub mod question;
pub mod severity;
pub mod status;
pub mod suggest;
pub mod treatment;
pub mod views;

pub use analysis::{Analysis, AttackerRef, ThreatInfo};
pub use crossing::{Crossing, Direction};
pub use metrics::{Metrics, coverage};
pub use question::{Cell, Question, Target, VerdictRef};
pub use severity::{score_text, worst_first};
pub use status::{Status, status_from, status_of};
pub use tmkit_model::cvss::{CvssScore, CvssVersion, Rating};
