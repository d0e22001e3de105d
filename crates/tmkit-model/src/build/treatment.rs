//! The risk-treatment fields and evidence of a mitigation, from raw to model,
//! and the places of the fields that later diagnostics point at.

use super::text;
use crate::check::SpanTable;
use crate::model::{Evidence, EvidenceKind, Treatment};
use tmkit_syntax::raw::RawMitigation;

/// The SpanTable key of a mitigation's field: `<qid>#expires`, `<qid>#due`,
/// `<qid>#evidence.<n>` (n from 0). A `#` never appears in a qualified id.
fn field_key(qid: &str, field: &str) -> String {
    format!("{qid}#{field}")
}

impl SpanTable {
    /// Where a field of a mitigation was written: `expires`, `due`, or
    /// `evidence.<n>` (the n-th evidence entry's value, from 0).
    pub fn field(&self, qid: &str, field: &str) -> Option<tmkit_syntax::Span> {
        self.get(&field_key(qid, field))
    }
}

/// The treatment values as written.
pub(super) fn treatment(mi: &RawMitigation) -> Treatment {
    Treatment {
        accepted: mi.accepted.as_ref().map(|d| d.value),
        expires: mi.expires.as_ref().map(|d| d.value),
        permanent: mi.permanent.as_ref().is_some_and(|p| p.value),
        rationale: text(&mi.rationale),
        party: text(&mi.party),
        reference: text(&mi.reference),
        due: mi.due.as_ref().map(|d| d.value),
    }
}

/// The evidence entries (the decoder kept only those naming one kind).
pub(super) fn evidence(mi: &RawMitigation) -> Vec<Evidence> {
    mi.evidence
        .iter()
        .filter_map(|e| {
            let kinds = [
                (EvidenceKind::Test, &e.test),
                (EvidenceKind::File, &e.file),
                (EvidenceKind::Url, &e.url),
                (EvidenceKind::Ticket, &e.ticket),
            ];
            let (kind, target) = kinds
                .into_iter()
                .find_map(|(k, v)| v.as_ref().map(|v| (k, v.value.clone())))?;
            Some(Evidence {
                kind,
                target,
                note: text(&e.note),
                public: e.public.as_ref().is_some_and(|p| p.value),
            })
        })
        .collect()
}

/// Records where `expires`, `due` and each evidence entry were written.
pub(super) fn record_spans(spans: &mut SpanTable, qid: &str, mi: &RawMitigation) {
    let dated = [("expires", &mi.expires), ("due", &mi.due)];
    for (field, d) in dated {
        if let Some(d) = d {
            spans.insert(field_key(qid, field).into(), d.span);
        }
    }
    let entries = mi.evidence.iter().filter_map(|e| {
        [&e.test, &e.file, &e.url, &e.ticket]
            .into_iter()
            .find_map(|v| v.as_ref().map(|v| v.span))
    });
    for (n, span) in entries.enumerate() {
        spans.insert(field_key(qid, &format!("evidence.{n}")).into(), span);
    }
}
