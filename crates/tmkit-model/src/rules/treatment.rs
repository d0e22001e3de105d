//! Risk-treatment rules (docs/format.md#risk-treatment): each treatment's
//! fields on its own kind, a permanent acceptance explained, a transfer
//! naming its party, and (warnings) an acceptance's owner and expiry.

use super::DocCx;
use tmkit_syntax::decode::truncate;
use tmkit_syntax::diagnostic::Diagnostics;
use tmkit_syntax::raw::{RawMitigation, RawThreatMitigation};
use tmkit_syntax::{Code, Diagnostic, Span};

/// Every mitigation of the document, shared and inline.
fn mitigations<'a>(cx: &'a DocCx<'_>) -> impl Iterator<Item = &'a RawMitigation> {
    let inline = cx.raw.threats.iter().flat_map(|t| {
        t.mitigations.iter().filter_map(|m| match m {
            RawThreatMitigation::Inline(m) => Some(m),
            RawThreatMitigation::Ref(_) => None,
        })
    });
    cx.raw.mitigations.iter().chain(inline)
}

/// How a message names a mitigation: its id, else its title.
fn name(mi: &RawMitigation) -> String {
    match &mi.id {
        Some(id) => format!("mitigation '{}'", id.value.0),
        None => format!("mitigation '{}'", truncate(&mi.title.value)),
    }
}

/// Where a message about the whole mitigation points: its id, else its title.
fn place(mi: &RawMitigation) -> Span {
    mi.id.as_ref().map_or(mi.title.span, |id| id.span)
}

/// E0503: `accepted`, `expires`, `permanent` only on a `risk-acceptance`;
/// `party`, `reference` only on a `transfer`.
pub(super) fn misplaced_fields(cx: &DocCx<'_>, out: &mut Diagnostics) {
    for mi in mitigations(cx) {
        let kind = mi.kind.value.trim();
        let acceptance = [
            ("accepted", mi.accepted.as_ref().map(|d| d.span)),
            ("expires", mi.expires.as_ref().map(|d| d.span)),
            ("permanent", mi.permanent.as_ref().map(|d| d.span)),
        ];
        let transfer = [
            ("party", mi.party.as_ref().map(|d| d.span)),
            ("reference", mi.reference.as_ref().map(|d| d.span)),
        ];
        let groups = [
            ("risk-acceptance", &acceptance[..]),
            ("transfer", &transfer[..]),
        ];
        for (owner_kind, fields) in groups {
            if kind == owner_kind || kind.is_empty() {
                continue;
            }
            for (field, span) in fields {
                let Some(span) = span else { continue };
                out.push(
                    Diagnostic::new(
                        Code::TreatmentFieldMisplaced,
                        format!(
                            "`{field}` is a field of a `{owner_kind}`, but {} is a `{kind}`",
                            name(mi)
                        ),
                    )
                    .at(*span, format!("only on a `{owner_kind}`"))
                    .general_help(),
                );
            }
        }
    }
}

/// E0504 / E0505 / E0506 / W0501 / W0502: a risk acceptance's owner, its
/// expiry (a date after the acceptance, or `permanent` with a rationale).
pub(super) fn acceptances(cx: &DocCx<'_>, out: &mut Diagnostics) {
    for mi in mitigations(cx).filter(|m| m.kind.value.trim() == "risk-acceptance") {
        let permanent = mi.permanent.as_ref().filter(|p| p.value);
        let who = name(mi);
        if mi.owner.as_ref().is_none_or(|o| o.value.trim().is_empty()) {
            out.push(
                Diagnostic::new(
                    Code::AcceptanceWithoutOwner,
                    format!("{who} names no owner"),
                )
                .at(place(mi), "who accepted this risk?")
                .general_help(),
            );
        }
        match (&mi.expires, permanent) {
            (None, None) => out.push(
                Diagnostic::new(
                    Code::AcceptanceWithoutExpiry,
                    format!("{who} has no expiry"),
                )
                .at(place(mi), "accepted until when?")
                .general_help(),
            ),
            (Some(e), Some(p)) => out.push(
                Diagnostic::new(
                    Code::ExpiryConflict,
                    format!("{who} both expires and is permanent"),
                )
                .at(e.span, "an expiry date")
                .also(p.span, "and `permanent: true`")
                .general_help(),
            ),
            (None, Some(p)) => {
                if mi
                    .rationale
                    .as_ref()
                    .is_none_or(|r| r.value.trim().is_empty())
                {
                    out.push(
                        Diagnostic::new(
                            Code::PermanentWithoutRationale,
                            format!("{who} is permanent but gives no rationale"),
                        )
                        .at(p.span, "`rationale` required")
                        .general_help(),
                    );
                }
            }
            (Some(e), None) => {
                if let Some(a) = mi.accepted.as_ref().filter(|a| a.value > e.value) {
                    out.push(
                        Diagnostic::new(
                            Code::ExpiresBeforeAccepted,
                            format!(
                                "{who} expires on {} before it was accepted on {}",
                                e.value, a.value
                            ),
                        )
                        .at(e.span, "expires here")
                        .also(a.span, "accepted here")
                        .general_help(),
                    );
                }
            }
        }
    }
}

/// E0507: a `transfer` names the party that carries the risk.
pub(super) fn transfers(cx: &DocCx<'_>, out: &mut Diagnostics) {
    for mi in mitigations(cx).filter(|m| m.kind.value.trim() == "transfer") {
        if mi.party.as_ref().is_none_or(|p| p.value.trim().is_empty()) {
            out.push(
                Diagnostic::new(
                    Code::TransferWithoutParty,
                    format!("{} transfers the risk to no one", name(mi)),
                )
                .at(mi.kind.span, "`party` missing")
                .general_help(),
            );
        }
    }
}
