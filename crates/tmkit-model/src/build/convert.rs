//! The conversion of each kind of raw element to its model element:
//! qualified ids, resolved references and parsed values (E0107, E0302 and,
//! through [`Names::resolve`](super::names::Names::resolve), E02xx).

use super::names::{Kind, Ref};
use super::{Builder, bool_of, invalid_value, text};
use crate::model::*;
use tmkit_syntax::load::DocKind;
use tmkit_syntax::raw::*;
use tmkit_syntax::{Code, Diagnostic};

/// `targets`: an asset or a data flow.
const TARGET: &[Kind] = &[Kind::Asset, Kind::DataFlow];

/// A reference of `role` to one of `expected`; E0201 when it names nothing.
pub(super) fn to<'r>(
    name: &'r Sp<String>,
    expected: &'static [Kind],
    role: &'static str,
) -> Ref<'r> {
    Ref {
        name,
        expected,
        role,
        not_found: Code::UnresolvedReference,
    }
}

/// A reference of `role` to a zone (E0205 when unknown).
fn zone<'r>(name: &'r Sp<String>, role: &'static str) -> Ref<'r> {
    Ref {
        not_found: Code::UnknownZone,
        ..to(name, &[Kind::Zone], role)
    }
}

/// A data-flow endpoint (E0204 when unknown).
fn endpoint<'r>(name: &'r Sp<String>, role: &'static str) -> Ref<'r> {
    Ref {
        not_found: Code::UnknownEndpoint,
        ..to(name, &[Kind::Asset], role)
    }
}

impl Builder<'_> {
    /// The element's qualified id: the one the name table interned (shared
    /// by every reference to it), else (a duplicate, not registered) built.
    fn qid(&self, m: usize, id: &Sp<Id>) -> Qid {
        self.names
            .declared_qid(m, &id.value.0)
            .unwrap_or_else(|| format!("{}.{}", self.names.models[m], id.value.0).into())
    }

    /// The model of document `m`.
    pub(super) fn model(&mut self, m: usize, raw: &RawDocument) -> ThreatModel {
        let ld = &self.loaded.docs[m];
        let empty = RawScope::default();
        let scope = raw.scope.as_ref().unwrap_or(&empty);
        let abstraction = scope.abstraction.as_ref();
        // In this order: past the hundredth unresolved reference, messages
        // offer no suggestion, so the order decides which ones do.
        let requirements = self.requirements(m, scope);
        let zones = self.zones(m, scope);
        let assets = self.assets(m, scope);
        let dataflows = self.dataflows(m, scope);
        let attackers = self.attackers(m, scope);
        let assumptions = self.assumptions(m, scope);
        let analysis = self.analysis(m, raw);
        let mut mitigations = self.mitigations(m, raw);
        let threats = self.threats(m, raw, &mut mitigations);
        ThreatModel {
            kind: match ld.kind {
                DocKind::Root => ModelKind::Root,
                DocKind::Component => ModelKind::Component,
                DocKind::Import => ModelKind::Catalogue,
            },
            id: raw.id.value.0.clone(),
            qid: self.names.models[m].clone(),
            parent: ld.parent.filter(|_| ld.kind == DocKind::Component),
            children: ld.children.clone(),
            imports: ld.imports.clone(),
            libraries: raw.libraries.iter().map(|l| l.value.clone()).collect(),
            path: self.loaded.files.get(ld.file).relative.clone(),
            title: raw.title.value.clone(),
            version: text(&raw.version),
            owner: text(&raw.owner),
            authors: raw.authors.iter().map(|a| a.value.clone()).collect(),
            description: text(&raw.description),
            confidential: bool_of(&raw.confidential, false),
            abstraction: Abstraction {
                level: abstraction.and_then(|a| text(&a.level)),
                taxonomy: self.taxonomies[m].clone(),
                notes: abstraction.and_then(|a| text(&a.notes)),
            },
            requirements,
            zones,
            assets,
            dataflows,
            attackers,
            assumptions,
            analysis,
            mitigations,
            threats,
            sync: SyncTarget {
                github: raw
                    .sync
                    .as_ref()
                    .and_then(|s| s.github.as_ref())
                    .map(|g| (g.repo.value.clone(), text(&g.api_url))),
                gitlab: raw
                    .sync
                    .as_ref()
                    .and_then(|s| s.gitlab.as_ref())
                    .map(|g| (g.project.value.clone(), text(&g.api_url))),
                jira: raw.sync.as_ref().and_then(|s| s.jira.as_ref()).map(|j| {
                    (
                        j.project.value.clone(),
                        text(&j.url),
                        j.api.as_ref().map(|a| a.value),
                    )
                }),
            },
        }
    }

    fn requirements(&mut self, m: usize, scope: &RawScope) -> Vec<Requirement> {
        let mut convert = |r: &RawRequirement| Requirement {
            id: r.id.value.0.clone(),
            qid: self.qid(m, &r.id),
            title: r.title.value.clone(),
            description: text(&r.description),
            kind: text(&r.kind),
            reference: text(&r.reference),
            refs: self.standard_refs(&r.refs),
            confidential: bool_of(&r.confidential, false),
        };
        scope.requirements.iter().map(&mut convert).collect()
    }

    fn zones(&mut self, m: usize, scope: &RawScope) -> Vec<Zone> {
        let mut zones = Vec::with_capacity(scope.zones.len());
        for z in &scope.zones {
            let qid = self.qid(m, &z.id);
            let within = z.within.as_ref().and_then(|w| {
                let outer = self.resolve(m, zone(w, "within"))?;
                self.withins.push((qid.clone(), outer.clone(), w.span));
                Some(outer)
            });
            zones.push(Zone {
                id: z.id.value.0.clone(),
                qid,
                title: z.title.value.clone(),
                description: text(&z.description),
                trust: z.trust.value,
                within,
                source: text(&z.source),
                confidential: bool_of(&z.confidential, false),
            });
        }
        zones
    }

    fn asset_kind(&mut self, k: &Option<Sp<String>>) -> AssetKind {
        let Some(k) = k else {
            return AssetKind::Other;
        };
        AssetKind::parse(k.value.trim()).unwrap_or_else(|| {
            let names: Vec<&str> = AssetKind::ALL.iter().map(|k| k.as_str()).collect();
            let list = format!("asset kinds: {}", names.join(", "));
            let d = invalid_value(
                "asset kind",
                &k.value,
                k.span,
                "not an asset kind",
                &names,
                list,
            );
            self.push(d);
            AssetKind::Other
        })
    }

    fn assets(&mut self, m: usize, scope: &RawScope) -> Vec<Asset> {
        let mut assets = Vec::with_capacity(scope.assets.len());
        for a in &scope.assets {
            let kind = self.asset_kind(&a.kind);
            let zone = a
                .zone
                .as_ref()
                .and_then(|z| self.resolve(m, zone(z, "zone")));
            assets.push(Asset {
                id: a.id.value.0.clone(),
                qid: self.qid(m, &a.id),
                title: a.title.value.clone(),
                description: text(&a.description),
                kind,
                zone,
                in_scope: bool_of(&a.in_scope, true),
                reason: text(&a.reason),
                source: text(&a.source),
                confidential: bool_of(&a.confidential, false),
            });
        }
        assets
    }

    fn dataflows(&mut self, m: usize, scope: &RawScope) -> Vec<DataFlow> {
        let mut flows = Vec::with_capacity(scope.dataflows.len());
        for f in &scope.dataflows {
            let from = self.resolve(m, endpoint(&f.from, "from"));
            let to_ = self.resolve(m, endpoint(&f.to, "to"));
            let carries = f
                .carries
                .iter()
                .filter_map(|c| self.resolve(m, to(c, &[Kind::Asset], "carries")))
                .collect();
            flows.push(DataFlow {
                id: f.id.value.0.clone(),
                qid: self.qid(m, &f.id),
                title: f.title.value.clone(),
                description: text(&f.description),
                from: from.unwrap_or_default(),
                to: to_.unwrap_or_default(),
                protocol: text(&f.protocol),
                carries,
                bidirectional: bool_of(&f.bidirectional, false),
                in_scope: bool_of(&f.in_scope, true),
                reason: text(&f.reason),
                source: text(&f.source),
                confidential: bool_of(&f.confidential, false),
            });
        }
        flows
    }

    fn attackers(&mut self, m: usize, scope: &RawScope) -> Vec<Attacker> {
        let mut attackers = Vec::with_capacity(scope.attackers.len());
        for a in &scope.attackers {
            let zone = a
                .zone
                .as_ref()
                .and_then(|z| self.resolve(m, zone(z, "zone")));
            attackers.push(Attacker {
                id: a.id.value.0.clone(),
                qid: self.qid(m, &a.id),
                title: a.title.value.clone(),
                description: text(&a.description),
                zone,
                in_scope: bool_of(&a.in_scope, true),
                reason: text(&a.reason),
                confidential: bool_of(&a.confidential, false),
            });
        }
        attackers
    }

    fn assumptions(&self, m: usize, scope: &RawScope) -> Vec<Assumption> {
        let convert = |a: &RawAssumption| Assumption {
            id: a.id.value.0.clone(),
            qid: self.qid(m, &a.id),
            title: a.title.value.clone(),
            description: text(&a.description),
            confidential: bool_of(&a.confidential, false),
        };
        scope.assumptions.iter().map(convert).collect()
    }

    fn verdict_kind(&mut self, v: &Sp<String>) -> Option<VerdictKind> {
        const ALL: [VerdictKind; 2] = [VerdictKind::NoThreat, VerdictKind::NotApplicable];
        let written = v.value.trim();
        if written.is_empty() {
            return None;
        }
        let found = ALL.into_iter().find(|k| k.as_str() == written);
        if found.is_none() {
            let names = ALL.map(VerdictKind::as_str);
            let list = "a verdict is `no-threat` or `not-applicable`".to_string();
            let d = invalid_value("verdict", written, v.span, "not a verdict", &names, list);
            self.push(d);
        }
        found
    }

    fn analysis(&mut self, m: usize, raw: &RawDocument) -> Vec<Verdict> {
        let mut analysis = Vec::new();
        for v in &raw.analysis {
            let target = self.resolve(m, to(&v.target, TARGET, "target"));
            let attacker = match &v.attacker {
                Some(a) if a.value.trim() != "*" => self
                    .resolve(m, to(a, &[Kind::Attacker], "attacker"))
                    .map(Some),
                _ => Some(None),
            };
            let category = match &v.category {
                Some(c) if c.value.trim() != "*" => self.category(m, c).map(Some),
                _ => Some(None),
            };
            let verdict = self.verdict_kind(&v.verdict);
            if let (Some(p), Some(VerdictKind::NoThreat)) = (&v.pattern, verdict) {
                self.push(
                    Diagnostic::new(
                        Code::SuppressionVerdict,
                        format!("the suppression of pattern `{}` says `no-threat`", p.value),
                    )
                    .at(v.verdict.span, "a suppression is `not-applicable`")
                    .help("write `verdict: not-applicable`, or remove `pattern:` to answer the questions"),
                );
                continue;
            }
            if let (Some(target), Some(attacker), Some(category), Some(verdict)) =
                (target, attacker, category, verdict)
            {
                analysis.push(Verdict {
                    target,
                    attacker,
                    category,
                    verdict,
                    rationale: v.rationale.value.clone(),
                    pattern: text(&v.pattern),
                    confidential: bool_of(&v.confidential, false),
                });
            }
        }
        analysis
    }

    fn mitigations(&mut self, m: usize, raw: &RawDocument) -> Vec<Mitigation> {
        raw.mitigations
            .iter()
            .filter_map(|mi| {
                let qid = mi.id.as_ref().map(|id| self.qid(m, id)).unwrap_or_default();
                self.mitigation(m, mi, qid, true)
            })
            .collect()
    }

    fn mitigation_kind(&mut self, k: &Sp<String>) -> Option<MitigationKind> {
        const ALL: [MitigationKind; 5] = [
            MitigationKind::Design,
            MitigationKind::Operational,
            MitigationKind::RiskAcceptance,
            MitigationKind::Transfer,
            MitigationKind::Avoid,
        ];
        let written = k.value.trim();
        if written.is_empty() {
            return None;
        }
        let found = ALL.into_iter().find(|x| x.as_str() == written);
        if found.is_none() {
            let names = ALL.map(MitigationKind::as_str);
            let list =
                "a mitigation kind is `design`, `operational`, `risk-acceptance`, `transfer` or `avoid`".to_string();
            let label = "not a mitigation kind";
            self.push(invalid_value(
                "mitigation kind",
                written,
                k.span,
                label,
                &names,
                list,
            ));
        }
        found
    }

    fn mitigation(
        &mut self,
        m: usize,
        mi: &RawMitigation,
        qid: Qid,
        shared: bool,
    ) -> Option<Mitigation> {
        let kind = self.mitigation_kind(&mi.kind)?;
        super::treatment::record_spans(&mut self.spans, &qid, mi);
        let requirements = self.requirement_refs(m, &mi.requirements);
        Some(Mitigation {
            id: mi
                .id
                .as_ref()
                .map(|i| i.value.0.clone())
                .unwrap_or_default(),
            qid,
            title: mi.title.value.clone(),
            description: text(&mi.description),
            kind,
            in_place: mi.in_place.value,
            operator: text(&mi.operator),
            owner: text(&mi.owner),
            ticket: text(&mi.ticket),
            treatment: super::treatment::treatment(mi),
            evidence: super::treatment::evidence(mi),
            evidence_withheld: 0,
            requirements,
            shared,
            confidential: bool_of(&mi.confidential, false),
        })
    }

    fn threats(
        &mut self,
        m: usize,
        raw: &RawDocument,
        mitigations: &mut Vec<Mitigation>,
    ) -> Vec<Threat> {
        let mut threats = Vec::with_capacity(raw.threats.len());
        for t in &raw.threats {
            let categories = t
                .categories
                .iter()
                .filter_map(|c| self.category(m, c))
                .collect();
            let targets = t
                .targets
                .iter()
                .filter_map(|x| self.resolve(m, to(x, TARGET, "targets")))
                .collect();
            let attackers = t.attackers.as_ref().map(|list| {
                list.iter()
                    .filter_map(|a| self.resolve(m, to(a, &[Kind::Attacker], "attackers")))
                    .collect()
            });
            let assumptions = t
                .assumptions
                .iter()
                .filter_map(|a| self.resolve(m, to(a, &[Kind::Assumption], "assumptions")))
                .collect();
            let cvss = t.cvss.as_ref().and_then(|v| {
                crate::cvss::score(&v.value).ok()?;
                Some(v.value.trim().to_string())
            });
            let qid = self.qid(m, &t.id);
            let requirements = self.requirement_refs(m, &t.requirements);
            let refs = self.weakness_refs(&t.refs);
            threats.push(Threat {
                mitigations: self.threat_mitigations(m, t, &qid, mitigations),
                id: t.id.value.0.clone(),
                qid,
                title: t.title.value.clone(),
                description: text(&t.description),
                categories,
                targets,
                attackers,
                assumptions,
                cvss,
                ticket: text(&t.ticket),
                requirements,
                refs,
                source: text(&t.source),
                confidential: bool_of(&t.confidential, false),
            });
        }
        threats
    }

    /// The qualified ids of a threat's mitigations; its inline ones are
    /// added to `mitigations` (`<threat qid>/m<n>` when they have no id).
    fn threat_mitigations(
        &mut self,
        m: usize,
        t: &RawThreat,
        tq: &str,
        mitigations: &mut Vec<Mitigation>,
    ) -> Vec<Qid> {
        let mut refs = Vec::new();
        let mut inline_n = 0;
        for mi in &t.mitigations {
            let im = match mi {
                RawThreatMitigation::Ref(name) => {
                    refs.extend(self.resolve(m, to(name, &[Kind::Mitigation], "mitigations")));
                    continue;
                }
                RawThreatMitigation::Inline(im) => im,
            };
            inline_n += 1;
            let qid = match &im.id {
                Some(id) => self.qid(m, id),
                None => format!("{tq}/m{inline_n}").into(),
            };
            if im.id.is_none() {
                self.spans.insert(qid.as_str().into(), im.title.span);
            }
            if let Some(mut mit) = self.mitigation(m, im, qid.clone(), false) {
                if im.id.is_none() {
                    mit.id = format!("{}/m{inline_n}", t.id.value.0);
                }
                refs.push(qid);
                mitigations.push(mit);
            }
        }
        refs
    }
}
