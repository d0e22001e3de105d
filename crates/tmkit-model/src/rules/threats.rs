//! Threat rules: targets and CVSS.

use super::DocCx;
use crate::cvss;
use tmkit_syntax::decode::truncate;
use tmkit_syntax::diagnostic::Diagnostics;
use tmkit_syntax::{Code, Diagnostic};

/// W0301: a threat with no targets answers no question.
pub(super) fn without_targets(cx: &DocCx<'_>, out: &mut Diagnostics) {
    for t in cx.raw.threats.iter().filter(|t| t.targets.is_empty()) {
        out.push(
            Diagnostic::new(
                Code::ThreatWithoutTargets,
                format!("threat '{}' has no targets", t.id.value.0),
            )
            .at(t.id.span, "answers no question")
            .general_help(),
        );
    }
}

/// E0304 / E0305 / W0304: the CVSS vector is valid, and a written score
/// agrees with it (or, without a vector, cannot be checked).
pub(super) fn cvss(cx: &DocCx<'_>, out: &mut Diagnostics) {
    for t in &cx.raw.threats {
        let id = &t.id.value.0;
        let Some(v) = &t.cvss else {
            if let Some(s) = &t.score {
                out.push(
                    Diagnostic::new(
                        Code::ScoreWithoutVector,
                        format!("threat '{id}' has a score but no CVSS vector"),
                    )
                    .at(s.span, "cannot be checked")
                    .general_help(),
                );
            }
            continue;
        };
        match cvss::score(&v.value) {
            Ok(s) => {
                let Some(written) = t.score.as_ref() else {
                    continue;
                };
                if cvss::scores_agree(written.value, s.score) {
                    continue;
                }
                out.push(
                    Diagnostic::new(
                        Code::ScoreMismatch,
                        format!("score {} of threat '{id}' disagrees with its CVSS vector, which scores {:.1}", written.value, s.score),
                    )
                    .at(written.span, format!("the vector gives {:.1}", s.score))
                    .also(v.span, "vector")
                    .help(format!("write `score: {:.1}`, or remove `score` (tmkit computes it)", s.score)),
                );
            }
            Err(e) => out.push(
                Diagnostic::new(
                    Code::InvalidCvss,
                    format!("invalid CVSS vector '{}': {}", truncate(&v.value), e.message),
                )
                .at(v.span, "invalid vector")
                .help("write a CVSS 3.0, 3.1 or 4.0 base vector such as CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"),
            ),
        }
    }
}
