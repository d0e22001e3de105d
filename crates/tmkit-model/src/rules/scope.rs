//! Scope rules: out-of-scope elements say why, and nothing answers a
//! question about an out-of-scope element or attacker.

use super::DocCx;
use crate::build::names::Kind;
use tmkit_syntax::diagnostic::Diagnostics;
use tmkit_syntax::raw::{Id, Sp};
use tmkit_syntax::{Code, Diagnostic};

/// E0301 / W0302: `in_scope: false` needs a `reason`, and only it has one.
pub(super) fn reasons(cx: &DocCx<'_>, out: &mut Diagnostics) {
    let Some(scope) = &cx.raw.scope else {
        return;
    };
    for a in &scope.assets {
        reason("asset", &a.id, &a.in_scope, &a.reason, out);
    }
    for f in &scope.dataflows {
        reason("data flow", &f.id, &f.in_scope, &f.reason, out);
    }
    for a in &scope.attackers {
        reason("attacker", &a.id, &a.in_scope, &a.reason, out);
    }
}

fn reason(
    what: &str,
    id: &Sp<Id>,
    in_scope: &Option<Sp<bool>>,
    reason: &Option<Sp<String>>,
    out: &mut Diagnostics,
) {
    let excluded = in_scope.as_ref().is_some_and(|b| !b.value);
    let given = reason.as_ref().filter(|r| !r.value.trim().is_empty());
    match (excluded, given) {
        (true, None) => {
            let span = in_scope.as_ref().map_or(id.span, |s| s.span);
            out.push(
                Diagnostic::new(
                    Code::MissingReason,
                    format!("{what} '{}' is out of scope without a reason", id.value.0),
                )
                .at(span, "`in_scope: false` needs a `reason`")
                .help("add `reason:` saying why it is out of scope (the \"what if...?\" answer)"),
            );
        }
        (false, Some(r)) => out.push(
            Diagnostic::new(
                Code::ReasonWhileInScope,
                format!("{what} '{}' is in scope but gives a reason", id.value.0),
            )
            .at(r.span, "reason for being out of scope")
            .general_help(),
        ),
        _ => {}
    }
}

/// W0303: a threat or verdict that names an out-of-scope target or
/// attacker answers no question.
pub(super) fn out_of_scope_references(cx: &DocCx<'_>, out: &mut Diagnostics) {
    const TARGET: &[Kind] = &[Kind::Asset, Kind::DataFlow];
    let mut warn = |at: &Sp<String>, expected: &[Kind], what: String, help: &str| {
        if cx.out_of_scope(&at.value, expected) {
            out.push(
                Diagnostic::new(
                    Code::OutOfScopeTarget,
                    format!("{what}, which is out of scope"),
                )
                .at(at.span, "out of scope")
                .help(help),
            );
        }
    };
    for v in &cx.raw.analysis {
        if let Some(a) = v.attacker.as_ref().filter(|a| a.value.trim() != "*") {
            warn(
                a,
                &[Kind::Attacker],
                format!("analysis verdict names attacker '{}'", a.value),
                "out-of-scope attackers ask no questions; remove the verdict or bring the attacker into scope",
            );
        }
        warn(
            &v.target,
            TARGET,
            format!("analysis verdict targets '{}'", v.target.value),
            "out-of-scope elements ask no questions; remove the verdict or bring the target into scope",
        );
    }
    for t in &cx.raw.threats {
        let id = &t.id.value.0;
        for x in &t.targets {
            warn(
                x,
                TARGET,
                format!("threat '{id}' targets '{}'", x.value),
                "the threat answers no question for it; bring the target into scope or retarget the threat",
            );
        }
        for a in t.attackers.iter().flatten() {
            warn(
                a,
                &[Kind::Attacker],
                format!("threat '{id}' names attacker '{}'", a.value),
                "the threat answers no question for that attacker; bring the attacker into scope or remove it from `attackers`",
            );
        }
    }
}
