//! Suggestions: for each open question, the library patterns that apply to
//! its target, with the facts that made them apply (docs/library.md).
//!
//! Applicability is decided only on facts the model states: the target's
//! kind and zone, the protocol, zones and direction of the flows that are
//! the target, carry it or reach it, and the zone of the attacker. Nothing
//! here is text: the facts are values, rendered by tmkit-render.

use crate::library::{Applies, CrossingSel, Entry, Library, Position, TargetSel};
use crate::{Analysis, Direction, Target};
use hashbrown::HashMap;
use std::sync::Arc;
use tmkit_model::taxonomy::TargetKind;
use tmkit_model::{DataFlow, Model, Qid};

/// What the written protocol says about encryption.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encryption {
    /// A protocol that encrypts (`HTTPS`, `TLS`, `SSH`...).
    Encrypted,
    /// A clear-text protocol (`HTTP`, `FTP`, `Telnet`...).
    Clear,
    /// A protocol tmkit does not know to encrypt.
    Unknown,
    /// No protocol written.
    Unstated,
}

impl Encryption {
    /// True only when the protocol is known to encrypt.
    pub fn is_encrypted(self) -> bool {
        self == Encryption::Encrypted
    }
}

/// Protocol words that encrypt the channel.
const ENCRYPTED: &[&str] = &[
    "https",
    "tls",
    "ssl",
    "mtls",
    "ssh",
    "sftp",
    "scp",
    "ftps",
    "wss",
    "amqps",
    "mqtts",
    "ldaps",
    "smtps",
    "imaps",
    "pop3s",
    "ipsec",
    "wireguard",
    "vpn",
    "dtls",
    "grpcs",
    "rediss",
    "kafkas",
    "h2",
    "quic",
    "http3",
    "postgresqls",
    "jdbcs",
];
/// Protocol words that authenticate both ends.
const MUTUAL: &[&str] = &[
    "mtls",
    "ssh",
    "sftp",
    "scp",
    "ipsec",
    "wireguard",
    "kerberos",
    "vpn",
];
/// Protocol words that are clear text.
const CLEAR: &[&str] = &[
    "http",
    "ftp",
    "telnet",
    "smtp",
    "ldap",
    "amqp",
    "mqtt",
    "ws",
    "tcp",
    "udp",
    "snmp",
    "syslog",
    "dns",
    "nfs",
    "smb",
    "cifs",
    "tftp",
    "pop3",
    "imap",
    "rlogin",
    "rsh",
    "memcached",
    "redis",
    "modbus",
    "coap",
    "nntp",
    "vnc",
    "rdp",
];

/// The words of a written protocol, lower case (`HTTP/1.1` is `http`, `1`, `1`).
pub fn protocol_words(protocol: &str) -> Vec<String> {
    protocol
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

/// What a protocol says about encryption: any encrypting word wins (`HTTP
/// over TLS`), then any clear-text word; `TLS1.3` counts as `tls`.
pub fn encryption(protocol: Option<&str>) -> Encryption {
    let Some(p) = protocol.filter(|p| !p.trim().is_empty()) else {
        return Encryption::Unstated;
    };
    let words = protocol_words(p);
    let encrypts = |w: &str| {
        ENCRYPTED.contains(&w)
            || (w.starts_with("tls") && w[3..].chars().all(|c| c.is_ascii_digit()))
    };
    if words.iter().any(|w| encrypts(w)) {
        Encryption::Encrypted
    } else if words.iter().any(|w| CLEAR.contains(&w.as_str())) {
        Encryption::Clear
    } else {
        Encryption::Unknown
    }
}

/// True when the protocol authenticates both ends (`mTLS`, `SSH`, `IPsec`...).
pub fn mutually_authenticated(protocol: Option<&str>) -> bool {
    protocol.is_some_and(|p| {
        protocol_words(p)
            .iter()
            .any(|w| MUTUAL.contains(&w.as_str()))
    })
}

/// A zone and its trust level.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneFact {
    /// Qualified id of the zone.
    pub zone: Qid,
    /// Its trust level.
    pub trust: f64,
}

/// How a flow relates to the target of a suggestion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// The flow is the target.
    Is,
    /// The flow carries the target (`carries:`).
    Carries,
    /// The flow reaches the target (`to:`, or an end of a bidirectional flow).
    Reaches,
}

/// One fact that made a pattern apply.
#[derive(Debug, Clone, PartialEq)]
pub enum Fact {
    /// The target's kind and zone.
    Target {
        /// Its kind.
        kind: TargetSel,
        /// Its zone (assets only).
        zone: Option<ZoneFact>,
    },
    /// A flow that is, carries or reaches the target, with what matched.
    Flow {
        /// How it relates to the target.
        relation: Relation,
        /// Qualified id of the flow.
        flow: Qid,
        /// Zone of its source.
        from: Option<ZoneFact>,
        /// Zone of its destination.
        to: Option<ZoneFact>,
        /// Which way it crosses.
        direction: Direction,
        /// The protocol as written.
        protocol: Option<String>,
        /// What the protocol says about encryption.
        encryption: Encryption,
        /// True when the protocol authenticates both ends.
        mutual: bool,
    },
    /// Where the attacker acts from.
    Attacker {
        /// Qualified id of the attacker.
        attacker: Qid,
        /// Its zone.
        zone: ZoneFact,
        /// Relative to the target's zone.
        position: Position,
    },
}

/// One suggestion: a pattern for an open question, with why it applies.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion<'a> {
    /// The target of the question.
    pub target: &'a Target,
    /// Qualified id of the attacker.
    pub attacker: &'a str,
    /// The category.
    pub category: &'a str,
    /// The pattern.
    pub entry: &'a Entry,
    /// The facts that matched, target first.
    pub why: Arc<[Fact]>,
    /// Rank among the suggestions of the question: higher first (the number
    /// of conditions the pattern states and the target meets).
    pub rank: u32,
}

/// A pattern that an analysis entry suppresses for a target.
#[derive(Debug, Clone, PartialEq)]
pub struct Suppression<'a> {
    /// The target.
    pub target: &'a str,
    /// The pattern id.
    pub pattern: &'a str,
    /// The attacker it is limited to, if any.
    pub attacker: Option<&'a str>,
    /// The category it is limited to, if any.
    pub category: Option<&'a str>,
    /// Why.
    pub rationale: &'a str,
    /// True when the library has that pattern.
    pub known: bool,
}

/// Which questions to suggest for.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Filter {
    /// Only this target (qualified id, or the id as written in its model).
    pub target: Option<String>,
    /// Only this category (canonical name).
    pub category: Option<String>,
}

impl Filter {
    /// With a target filter.
    pub fn with_target(mut self, target: Option<String>) -> Self {
        self.target = target;
        self
    }

    /// With a category filter.
    pub fn with_category(mut self, category: Option<String>) -> Self {
        self.category = category;
        self
    }
}

/// The suppressions written in the analysed models (`analysis` entries
/// with a `pattern`), in model order.
pub fn suppressions<'a>(model: &'a Model, library: &Library) -> Vec<Suppression<'a>> {
    model
        .analysed()
        .flat_map(|m| model.models[m].analysis.iter())
        .filter_map(|v| {
            let pattern = v.pattern.as_deref()?;
            Some(Suppression {
                target: &v.target,
                pattern,
                attacker: v.attacker.as_deref(),
                category: v.category.as_deref(),
                rationale: &v.rationale,
                known: library.get(pattern).is_some(),
            })
        })
        .collect()
}

/// The flow facts of a model, computed once.
struct Facts<'m> {
    zones: HashMap<&'m str, f64>,
    asset_zone: HashMap<&'m str, Option<&'m str>>,
    /// Flows that carry (kinds carried) or reach (other kinds) each asset.
    by_asset: HashMap<&'m str, Vec<(&'m DataFlow, Relation)>>,
    flows: HashMap<&'m str, &'m DataFlow>,
    attacker_zone: HashMap<&'m str, Option<&'m str>>,
}

impl<'m> Facts<'m> {
    fn new(model: &'m Model) -> Facts<'m> {
        let mut f = Facts {
            zones: HashMap::new(),
            asset_zone: HashMap::new(),
            by_asset: HashMap::new(),
            flows: HashMap::new(),
            attacker_zone: HashMap::new(),
        };
        for tm in &model.models {
            f.zones
                .extend(tm.zones.iter().map(|z| (z.qid.as_str(), z.trust)));
            f.asset_zone.extend(
                tm.assets
                    .iter()
                    .map(|a| (a.qid.as_str(), a.zone.as_deref())),
            );
            f.attacker_zone.extend(
                tm.attackers
                    .iter()
                    .map(|a| (a.qid.as_str(), a.zone.as_deref())),
            );
            for d in &tm.dataflows {
                f.flows.insert(&d.qid, d);
                for c in &d.carries {
                    f.by_asset
                        .entry(c)
                        .or_default()
                        .push((d, Relation::Carries));
                }
                f.by_asset
                    .entry(&d.to)
                    .or_default()
                    .push((d, Relation::Reaches));
                if d.bidirectional {
                    f.by_asset
                        .entry(&d.from)
                        .or_default()
                        .push((d, Relation::Reaches));
                }
            }
        }
        f
    }

    fn zone(&self, zone: Option<&str>) -> Option<ZoneFact> {
        let z = zone?;
        let trust = *self.zones.get(z)?;
        Some(ZoneFact {
            zone: z.into(),
            trust,
        })
    }

    fn zone_of_asset(&self, asset: &str) -> Option<ZoneFact> {
        self.zone(self.asset_zone.get(asset).copied().flatten())
    }

    fn flow_fact(&self, d: &DataFlow, relation: Relation) -> Fact {
        let from = self.zone_of_asset(&d.from);
        let to = self.zone_of_asset(&d.to);
        let direction = match (&from, &to) {
            (Some(a), Some(b)) => Direction::between(a.trust, b.trust, d.bidirectional),
            _ => Direction::None,
        };
        Fact::Flow {
            relation,
            flow: d.qid.clone(),
            from,
            to,
            direction,
            protocol: d.protocol.clone(),
            encryption: encryption(d.protocol.as_deref()),
            mutual: mutually_authenticated(d.protocol.as_deref()),
        }
    }

    /// The trust of the target's own zone (a flow: its more trusted end).
    fn target_trust(&self, target: &Target) -> Option<f64> {
        match target.kind {
            TargetKind::DataFlow => {
                let d = self.flows.get(target.qid.as_str())?;
                let a = self.zone_of_asset(&d.from).map(|z| z.trust);
                let b = self.zone_of_asset(&d.to).map(|z| z.trust);
                a.into_iter().chain(b).reduce(f64::max)
            }
            TargetKind::Asset(_) => self.zone_of_asset(&target.qid).map(|z| z.trust),
        }
    }
}

/// True when a flow fact meets the flow conditions of `applies`.
fn flow_meets(applies: &Applies, fact: &Fact) -> bool {
    let Fact::Flow {
        protocol,
        encryption,
        mutual,
        direction,
        from,
        to,
        ..
    } = fact
    else {
        return false;
    };
    if let Some(list) = &applies.protocols {
        let words = protocol.as_deref().map(protocol_words).unwrap_or_default();
        if !list
            .iter()
            .any(|p| words.iter().any(|w| w.eq_ignore_ascii_case(p)))
        {
            return false;
        }
    }
    if applies
        .encrypted
        .is_some_and(|e| e != encryption.is_encrypted())
    {
        return false;
    }
    if applies.authenticated.is_some_and(|a| a != *mutual) {
        return false;
    }
    let crossing_ok = match applies.crossing {
        None => true,
        Some(CrossingSel::Any) => direction.crosses(),
        Some(CrossingSel::Inbound) => matches!(direction, Direction::Inbound | Direction::Both),
        Some(CrossingSel::Outbound) => matches!(direction, Direction::Outbound | Direction::Both),
    };
    if !crossing_ok {
        return false;
    }
    if let Some(min) = applies.min_trust_delta {
        match (from, to) {
            (Some(a), Some(b)) if (a.trust - b.trust).abs() >= min => {}
            _ => return false,
        }
    }
    true
}

/// A pattern that applies to a target whatever the attacker: its why and rank.
struct Match<'l> {
    entry: &'l Entry,
    why: Arc<[Fact]>,
    rank: u32,
}

/// The patterns that apply to `target` (before attacker and category).
fn matches<'l>(facts: &Facts, target: &Target, by_kind: &[&'l Entry]) -> Vec<Match<'l>> {
    let sel = TargetSel::of(target.kind);
    let target_fact = Fact::Target {
        kind: sel,
        zone: match target.kind {
            TargetKind::Asset(_) => facts.zone_of_asset(&target.qid),
            TargetKind::DataFlow => None,
        },
    };
    let flows: Vec<Fact> = match target.kind {
        TargetKind::DataFlow => (facts.flows.get(target.qid.as_str()))
            .map(|d| vec![facts.flow_fact(d, Relation::Is)])
            .unwrap_or_default(),
        TargetKind::Asset(_) => {
            let wanted = if sel.is_carried() {
                Relation::Carries
            } else {
                Relation::Reaches
            };
            let list = facts.by_asset.get(target.qid.as_str());
            let mut v: Vec<Fact> = (list.map(Vec::as_slice).unwrap_or_default().iter())
                .filter(|(_, r)| *r == wanted)
                .map(|(d, r)| facts.flow_fact(d, *r))
                .collect();
            v.sort_by(|a, b| flow_order(a).total_cmp(&flow_order(b)));
            v
        }
    };
    let mut out = Vec::new();
    for &entry in by_kind {
        let applies = &entry.pattern.applies;
        let mut why = vec![target_fact.clone()];
        let mut rank = 1;
        if applies.needs_flow() {
            match flows.iter().find(|f| flow_meets(applies, f)) {
                Some(f) => why.push(f.clone()),
                None => continue,
            }
            rank += [
                applies.protocols.is_some(),
                applies.encrypted.is_some(),
                applies.authenticated.is_some(),
                applies.crossing.is_some(),
                applies.min_trust_delta.is_some(),
            ]
            .iter()
            .filter(|b| **b)
            .count() as u32;
        }
        if applies.attacker.is_some() {
            rank += 1;
        }
        out.push(Match {
            entry,
            why: why.into(),
            rank,
        });
    }
    out
}

/// Flows reaching an asset are tried least trusted source first, so the why
/// names the most exposed one; ties keep declaration order (stable sort).
fn flow_order(f: &Fact) -> f64 {
    match f {
        Fact::Flow { from: Some(z), .. } => z.trust,
        _ => f64::INFINITY,
    }
}

/// Every suggestion for the open questions of the analysed models that
/// `filter` keeps, question order (target, attacker, category), then
/// ranked within a question (higher rank first, then pattern id).
/// Patterns suppressed for a target (an `analysis` entry with `pattern`)
/// are left out.
pub fn suggest<'a>(
    model: &'a Model,
    analysis: &'a Analysis,
    library: &'a Library,
    filter: &Filter,
) -> Vec<Suggestion<'a>> {
    let mut out = Vec::new();
    walk(
        model,
        analysis,
        library,
        filter,
        &mut out,
        true,
        &mut |_| {},
    );
    out
}

/// The matcher over every open question that `filter` keeps: each
/// question's suggestions are pushed onto `out`, ranked, and `found_for`
/// is told the target of every question that has at least one. With `keep`
/// false they are dropped once counted, so that memory stays that of one
/// question's suggestions whatever the size of the model.
fn walk<'a>(
    model: &'a Model,
    analysis: &'a Analysis,
    library: &'a Library,
    filter: &Filter,
    out: &mut Vec<Suggestion<'a>>,
    keep: bool,
    found_for: &mut dyn FnMut(&'a Target),
) {
    let facts = Facts::new(model);
    let mut by_kind: HashMap<TargetSel, Vec<&Entry>> = HashMap::new();
    for e in library.patterns.values() {
        for &t in &e.pattern.applies.targets {
            by_kind.entry(t).or_default().push(e);
        }
    }
    let supp = suppressions(model, library);
    let mut supp_by_target: HashMap<&str, Vec<&Suppression>> = HashMap::new();
    for s in &supp {
        supp_by_target.entry(s.target).or_default().push(s);
    }
    for target in &analysis.targets {
        if let Some(t) = &filter.target {
            if *t != target.qid && *t != target.id {
                continue;
            }
        }
        let kind_entries = by_kind.get(&TargetSel::of(target.kind));
        let Some(kind_entries) = kind_entries.filter(|v| !v.is_empty()) else {
            continue;
        };
        let mut found: Option<Vec<Match>> = None;
        let trust = facts.target_trust(target);
        let suppressed = supp_by_target.get(target.qid.as_str());
        for attacker in analysis.attackers_of(target.model) {
            let position = attacker_position(&facts, &attacker.qid, trust);
            for cell in &target.cells {
                if filter
                    .category
                    .as_deref()
                    .is_some_and(|c| c != &*cell.category)
                {
                    continue;
                }
                if analysis.answers(target, cell, &attacker.qid) {
                    continue;
                }
                let ms = found.get_or_insert_with(|| matches(&facts, target, kind_entries));
                let start = out.len();
                let question = Question {
                    target,
                    attacker: &attacker.qid,
                    category: &cell.category,
                    position: position.as_ref(),
                    suppressed: suppressed.map(Vec::as_slice).unwrap_or_default(),
                };
                question.suggestions(ms, keep, out);
                if out.len() == start {
                    continue;
                }
                found_for(target);
                if keep {
                    out[start..].sort_by(|a, b| {
                        (b.rank.cmp(&a.rank))
                            .then_with(|| a.entry.pattern.id.cmp(&b.entry.pattern.id))
                    });
                } else {
                    out.clear();
                }
            }
        }
    }
}

/// One open question (target, attacker, category) and what decides its
/// suggestions beyond the target's matches.
struct Question<'a, 's> {
    target: &'a Target,
    attacker: &'a Qid,
    category: &'a Arc<str>,
    /// The attacker's position relative to the target, with its fact.
    position: Option<&'s (Fact, Position)>,
    /// The suppressions written for the target.
    suppressed: &'s [&'s Suppression<'a>],
}

impl<'a> Question<'a, '_> {
    /// Pushes onto `out` the suggestions of the target's matches `ms` that
    /// answer this question: the pattern's category, its attacker position
    /// (whose fact joins the why), not suppressed. With `keep` false, stops
    /// at the first (only whether there is one counts).
    fn suggestions(&self, ms: &[Match<'a>], keep: bool, out: &mut Vec<Suggestion<'a>>) {
        for m in ms {
            let p = &m.entry.pattern;
            if !p.categories.answers(self.category) {
                continue;
            }
            let mut why = m.why.clone();
            if let Some(wanted) = p.applies.attacker {
                match self.position {
                    Some((fact, pos)) if *pos == wanted => {
                        let mut v = why.to_vec();
                        v.push(fact.clone());
                        why = v.into();
                    }
                    _ => continue,
                }
            }
            let is_suppressed = self.suppressed.iter().any(|s| {
                s.pattern == p.id
                    && s.attacker.is_none_or(|a| a == self.attacker)
                    && s.category.is_none_or(|c| c == &**self.category)
            });
            if is_suppressed {
                continue;
            }
            out.push(Suggestion {
                target: self.target,
                attacker: self.attacker,
                category: self.category,
                entry: m.entry,
                why,
                rank: m.rank,
            });
            if !keep {
                // Counting: one suggestion answers "has any".
                break;
            }
        }
    }
}

/// The attacker's zone relative to the target's, as a fact; None when
/// either has no zone (a condition on the position then does not hold).
fn attacker_position(
    facts: &Facts,
    attacker: &str,
    target_trust: Option<f64>,
) -> Option<(Fact, Position)> {
    let zone = facts.zone(facts.attacker_zone.get(attacker).copied().flatten())?;
    let trust = target_trust?;
    let position = if zone.trust < trust {
        Position::Outside
    } else {
        Position::Inside
    };
    let fact = Fact::Attacker {
        attacker: attacker.into(),
        zone,
        position,
    };
    Some((fact, position))
}

/// How many open questions of each analysed model's own targets have at
/// least one suggestion, by the model's qualified id (for
/// [`crate::Metrics::set_suggested`]).
pub fn questions_with_suggestions(
    model: &Model,
    analysis: &Analysis,
    library: &Library,
) -> std::collections::BTreeMap<String, usize> {
    let mut per_model = vec![0usize; model.models.len()];
    let mut buffer = Vec::new();
    walk(
        model,
        analysis,
        library,
        &Filter::default(),
        &mut buffer,
        false,
        &mut |t| per_model[t.model] += 1,
    );
    (analysis.analysed().iter())
        .map(|&m| (model.models[m].qid.to_string(), per_model[m]))
        .collect()
}
