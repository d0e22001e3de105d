//! What the diff compares of each element, on one side.

use super::{FieldChange, ScopeDiff, ScopeEntry, Side, ThreatEntry, TrustChange};
use crate::analysis::ThreatInfo;
use crate::status::Status;
use hashbrown::HashMap;
use std::collections::BTreeMap;
use tmkit_model::cvss::Rating;
use tmkit_model::{Mitigation, MitigationKind, Qid, Threat};

/// Named values of an element, in a fixed order.
pub(super) type FieldList = Vec<(String, Option<String>)>;

/// The changes between two field lists: every field of `head` in its
/// order, then the fields only `base` has.
pub(super) fn diff_fields(base: &FieldList, head: &FieldList) -> Vec<FieldChange> {
    let b: HashMap<&str, &Option<String>> = base.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let h: HashMap<&str, &Option<String>> = head.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let change = |field: &str, from: Option<&String>, to: Option<&String>| FieldChange {
        field: field.to_string(),
        from: from.cloned(),
        to: to.cloned(),
    };
    let mut out: Vec<FieldChange> = head
        .iter()
        .filter_map(|(k, to)| {
            let from = b.get(k.as_str()).and_then(|v| v.as_ref());
            (from != to.as_ref()).then(|| change(k, from, to.as_ref()))
        })
        .collect();
    out.extend(
        base.iter()
            .filter(|(k, from)| from.is_some() && !h.contains_key(k.as_str()))
            .map(|(k, from)| change(k, from.as_ref(), None)),
    );
    out
}

/// A threat and its resolved mitigations.
pub(super) struct ThreatFacts<'a> {
    pub info: &'a ThreatInfo,
    pub threat: &'a Threat,
    mitigations: Vec<&'a Mitigation>,
}

impl<'a> ThreatFacts<'a> {
    /// The threats of the analysed models of a side, by qualified id.
    pub fn of(side: Side<'a>) -> BTreeMap<&'a str, ThreatFacts<'a>> {
        let all: HashMap<&str, &Mitigation> = side
            .model
            .models
            .iter()
            .flat_map(|tm| tm.mitigations.iter())
            .map(|m| (m.qid.as_str(), m))
            .collect();
        side.analysis
            .analysed_threats(side.model)
            .map(|info| {
                let threat = &side.model.models[info.model].threats[info.index];
                let mitigations = threat
                    .mitigations
                    .iter()
                    .filter_map(|q| all.get(q.as_str()).copied())
                    .collect();
                let facts = ThreatFacts {
                    info,
                    threat,
                    mitigations,
                };
                (info.qid.as_str(), facts)
            })
            .collect()
    }

    /// Status and severity, for the verdict and the gates.
    pub fn state(&self) -> (Status, Option<Rating>) {
        (self.info.status, self.info.severity)
    }

    pub fn entry(&self) -> ThreatEntry {
        ThreatEntry {
            id: self.info.qid.to_string(),
            title: self.threat.title.clone(),
            status: self.info.status.as_str().to_string(),
            severity: self.info.severity.map(|r| r.as_str().to_string()),
            score: self.info.cvss.as_ref().map(|c| c.score),
            ticket: self.threat.ticket.clone(),
            state: self.state(),
        }
    }

    /// The compared fields (docs/history.md#what-is-compared): title, status,
    /// severity, score, cvss, categories, targets, attackers, assumptions,
    /// ticket, acceptance, then `mitigations.ID` (`in place` / `planned`) for
    /// each mitigation linked on either side.
    pub fn fields(&self) -> FieldList {
        let t = self.threat;
        let join = |v: &[Qid]| Some(v.iter().map(Qid::as_str).collect::<Vec<_>>().join(", "));
        let acceptance: Vec<String> = self
            .mitigations
            .iter()
            .filter(|m| m.kind == MitigationKind::RiskAcceptance && m.in_place)
            .map(|m| m.qid.to_string())
            .collect();
        let mut fields: FieldList = vec![
            ("title".into(), Some(t.title.clone())),
            ("status".into(), Some(self.info.status.as_str().into())),
            (
                "severity".into(),
                Some(self.info.severity.map_or("unscored", |r| r.as_str()).into()),
            ),
            (
                "score".into(),
                self.info.cvss.as_ref().map(|c| format!("{:.1}", c.score)),
            ),
            ("cvss".into(), t.cvss.clone()),
            ("categories".into(), Some(t.categories.join(", "))),
            ("targets".into(), join(&t.targets)),
            (
                "attackers".into(),
                Some(
                    t.attackers
                        .as_deref()
                        .map_or("all".into(), |a| a.join(", ")),
                ),
            ),
            ("assumptions".into(), join(&t.assumptions)),
            ("ticket".into(), t.ticket.clone()),
            (
                "acceptance".into(),
                (!acceptance.is_empty()).then(|| acceptance.join(", ")),
            ),
        ];
        fields.extend(self.mitigations.iter().map(|m| {
            let state = if m.in_place { "in place" } else { "planned" };
            (format!("mitigations.{}", m.qid), Some(state.into()))
        }));
        fields
    }
}

/// The scope of one side: in-scope elements and zone trust levels.
#[derive(Default)]
pub(super) struct ScopeFacts<'a> {
    /// (kind, qid) -> title, in scope only.
    in_scope: BTreeMap<(&'static str, &'a str), &'a str>,
    trust: BTreeMap<&'a str, f64>,
}

impl<'a> ScopeFacts<'a> {
    fn of(side: Side<'a>) -> ScopeFacts<'a> {
        let mut out = ScopeFacts::default();
        for m in side.model.analysed() {
            let tm = &side.model.models[m];
            let mut add = |kind: &'static str, qid: &'a str, title: &'a str, in_scope: bool| {
                if in_scope {
                    out.in_scope.insert((kind, qid), title);
                }
            };
            for z in &tm.zones {
                add("zone", &z.qid, &z.title, true);
            }
            for a in &tm.assets {
                add("asset", &a.qid, &a.title, a.in_scope);
            }
            for f in &tm.dataflows {
                add("dataflow", &f.qid, &f.title, f.in_scope);
            }
            for a in &tm.attackers {
                add("attacker", &a.qid, &a.title, a.in_scope);
            }
            out.trust
                .extend(tm.zones.iter().map(|z| (z.qid.as_str(), z.trust)));
        }
        out
    }

    /// Elements entering and leaving scope, zones whose trust changed.
    pub fn diff(base: Option<Side<'a>>, head: Side<'a>) -> ScopeDiff {
        let b = base.map(ScopeFacts::of).unwrap_or_default();
        let h = ScopeFacts::of(head);
        let entries = |from: &ScopeFacts<'a>, without: &ScopeFacts<'a>| -> Vec<ScopeEntry> {
            from.in_scope
                .iter()
                .filter(|(k, _)| !without.in_scope.contains_key(*k))
                .map(|(&(kind, id), &title)| ScopeEntry {
                    kind: kind.to_string(),
                    id: id.to_string(),
                    title: title.to_string(),
                })
                .collect()
        };
        ScopeDiff {
            entered: entries(&h, &b),
            left: entries(&b, &h),
            trust: h
                .trust
                .iter()
                .filter_map(|(&zone, &to)| {
                    let from = *b.trust.get(zone)?;
                    (from != to).then(|| TrustChange {
                        zone: zone.to_string(),
                        from,
                        to,
                    })
                })
                .collect(),
        }
    }
}
