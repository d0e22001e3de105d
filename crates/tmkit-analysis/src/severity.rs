//! Severity as every output shows it: the one score text and the one
//! worst-first order of threats.

use crate::status::Status;
use std::cmp::Reverse;
use tmkit_model::cvss::Rating;

/// Position of a severity from worst to unscored: critical 0, high 1,
/// medium 2, low 3, none 4, unscored 5 (the order of `by_severity` and of
/// every report).
pub fn severity_rank(s: Option<Rating>) -> u8 {
    match s {
        Some(Rating::Critical) => 0,
        Some(Rating::High) => 1,
        Some(Rating::Medium) => 2,
        Some(Rating::Low) => 3,
        Some(Rating::None) => 4,
        None => 5,
    }
}

/// The score of a threat as text, the same everywhere: `9.0 critical`
/// (score with one decimal, then the rating), or `unscored`.
pub fn score_text(score: Option<f64>, severity: Option<Rating>) -> String {
    match (score, severity) {
        (Some(score), Some(rating)) => format!("{score:.1} {}", rating.as_str()),
        _ => "unscored".to_string(),
    }
}

/// The sort key of the one report order of threats, worst first: by
/// severity (critical first, unscored last), then score (higher first),
/// then status (unmitigated, partial, accepted, mitigated). Sort stably with
/// it so that ties keep the model order.
pub fn worst_first(severity: Option<Rating>, score: Option<f64>, status: Status) -> impl Ord {
    // Scores have one decimal: compare tenths, exactly.
    let tenths = score.map_or(-1, |s| (s * 10.0).round() as i64);
    (severity_rank(severity), Reverse(tenths), Reverse(status))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_text_has_one_style() {
        assert_eq!(
            score_text(Some(9.0), Some(Rating::Critical)),
            "9.0 critical"
        );
        assert_eq!(score_text(Some(6.5), Some(Rating::Medium)), "6.5 medium");
        assert_eq!(score_text(None, None), "unscored");
    }

    #[test]
    fn worst_first_orders_severity_then_score_then_status() {
        let mut v = [
            (None, None, Status::Unmitigated),
            (Some(Rating::Medium), Some(5.0), Status::Unmitigated),
            (Some(Rating::Medium), Some(6.5), Status::Mitigated),
            (Some(Rating::Medium), Some(6.5), Status::Partial),
            (Some(Rating::Critical), Some(9.0), Status::Mitigated),
        ];
        v.sort_by_key(|&(r, s, st)| worst_first(r, s, st));
        assert_eq!(
            v.map(|(_, s, st)| (s, st)),
            [
                (Some(9.0), Status::Mitigated),
                (Some(6.5), Status::Partial),
                (Some(6.5), Status::Mitigated),
                (Some(5.0), Status::Unmitigated),
                (None, Status::Unmitigated),
            ]
        );
    }
}
