//! `--minutes-per-question`: the rate of the effort estimate, the same
//! option on every command that prints metrics (`metrics`, `report`).

use tmkit_analysis::metrics::DEFAULT_MINUTES_PER_QUESTION;

/// The rate of the effort estimate, flattened into `metrics` and `report`.
#[derive(Debug, Clone, clap::Args)]
pub struct EffortArg {
    /// Minutes of work per open question or unanswered boundary crossing,
    /// for the effort estimate of the metrics (1 to 1440).
    #[arg(
        long,
        value_name = "MINUTES",
        default_value_t = DEFAULT_MINUTES_PER_QUESTION,
        value_parser = clap::value_parser!(u32).range(1..=1440)
    )]
    pub minutes_per_question: u32,
}
