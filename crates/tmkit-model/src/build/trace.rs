//! Requirements and compliance, traced: the `requirements:` of threats and
//! mitigations (resolved like every reference, E02xx), the standards a
//! requirement cites (E0601) and the weaknesses a threat is an instance of
//! (E0602).

use super::Builder;
use super::convert::to;
use super::names::Kind;
use crate::model::Qid;
use crate::refs::{StandardRef, WEAKNESS_FORMS, WeaknessRef};
use tmkit_syntax::decode::truncate;
use tmkit_syntax::raw::Sp;
use tmkit_syntax::{Code, Diagnostic};

impl Builder<'_> {
    /// The requirements named in `requirements:`, written in model `m`.
    pub(super) fn requirement_refs(&mut self, m: usize, names: &[Sp<String>]) -> Vec<Qid> {
        let mut out: Vec<Qid> = Vec::with_capacity(names.len());
        for n in names {
            if let Some(q) = self.resolve(m, to(n, &[Kind::Requirement], "requirements")) {
                if !out.contains(&q) {
                    out.push(q);
                }
            }
        }
        out
    }

    /// Each written value parsed, or its diagnostic reported.
    fn parsed<T>(
        &mut self,
        written: &[Sp<String>],
        parse: impl Fn(&Sp<String>) -> Result<T, Diagnostic>,
    ) -> Vec<T> {
        let mut out = Vec::with_capacity(written.len());
        for w in written {
            match parse(w) {
                Ok(v) => out.push(v),
                Err(d) => self.push(d),
            }
        }
        out
    }

    /// A requirement's `refs:`, each `STANDARD:CLAUSE` (E0601 otherwise).
    pub(super) fn standard_refs(&mut self, written: &[Sp<String>]) -> Vec<StandardRef> {
        self.parsed(written, |w| {
            StandardRef::parse(&w.value).map_err(|why| {
                Diagnostic::new(
                    Code::InvalidStandardRef,
                    format!(
                        "invalid reference to a standard '{}': {why}",
                        truncate(&w.value)
                    ),
                )
                .at(w.span, "not `STANDARD:CLAUSE`")
                .help("write the standard with its version, a colon, then the clause: `ASVS-4.0.3:V2.1.1`, `ISO27001-2022:A.8.24`, `NIST-800-53:AC-2`, `PCI-DSS-4.0:8.3.1`")
            })
        })
    }

    /// A threat's `refs:`, each a CWE, CAPEC or ATT&CK id (E0602 otherwise).
    pub(super) fn weakness_refs(&mut self, written: &[Sp<String>]) -> Vec<WeaknessRef> {
        self.parsed(written, |w| {
            WeaknessRef::parse(&w.value).ok_or_else(|| {
                let help = match WeaknessRef::suggest(&w.value) {
                    Some(s) => format!("did you mean '{s}'? A reference is {WEAKNESS_FORMS}"),
                    None => format!("a weakness reference is {WEAKNESS_FORMS}"),
                };
                Diagnostic::new(
                    Code::InvalidWeaknessRef,
                    format!("invalid weakness reference '{}'", truncate(&w.value)),
                )
                .at(w.span, "not a CWE, CAPEC or ATT&CK id")
                .help(help)
            })
        })
    }
}
