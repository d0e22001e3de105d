//! tmkit-render (see the stage overview in tmkit-syntax).
#![warn(missing_docs)]

mod compliance;
mod description;
pub mod diagram;
pub mod escape;
pub mod history;
pub mod html;
pub mod json;
pub mod markdown;
pub mod matrix;
pub mod metrics;
#[cfg(feature = "oracles")]
#[doc(hidden)]
pub mod oracles;
mod outline;
pub mod pdf;
pub mod portfolio;
pub mod posture;
pub mod report;
mod sink;
pub mod suggest;
pub mod table;

pub use report::{ReportFormat, ReportOptions};
