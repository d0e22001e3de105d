//! # tmkit-analysis: derived values of a checked model
//!
//! The third stage of tmkit: from a resolved [`tmkit_model::Model`] it derives
//! everything FORMAT.md calls *derived values* (computed, never written by hand).
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
//! - [`metrics`]: coverage and counts per model, rolled up over components;
//! - [`gate`]: the `--fail-on` policies of `tmkit check`;
//! - [`matrix`] and [`summary`]: the `tmkit matrix` and `tmkit metrics` outputs;
//! - [`views`]: the extractions (full, unmitigated, public, checklist).
#![warn(missing_docs)]

mod analysis;
pub mod crossing;
pub mod gate;
mod index;
pub mod matrix;
pub mod metrics;
pub mod question;
pub mod status;
pub mod summary;
mod table;
pub mod views;

pub use analysis::{Analysis, AttackerRef, ThreatInfo};
pub use crossing::{Crossing, Direction};
pub use metrics::Metrics;
pub use question::{Cell, Question, Target, VerdictRef};
pub use status::{Status, status_from, status_of};
pub use tmkit_model::cvss::{CvssScore, CvssVersion, Rating};
