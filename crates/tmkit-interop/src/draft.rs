//! The one model that the diagram importers (Threat Dragon, TM-BOM, TMT)
//! build: they fill a [`Draft`] with zones, assets, flows, attackers and
//! threats as they read their source, and [`Draft::finish`] derives the ids,
//! proposes attackers when the source has none, and writes
//! `threatmodel.yaml` with a side table of source places.
//!
//! Ids are derived from the source, stably: the element's own name made an
//! id (`Web Server` -> `web-server`), the first in document order keeping it
//! and the next ones `-2`, `-3`...; so the same file always imports to the
//! same ids and an edit to the source gives a small diff. The source's own
//! id of each element is kept in its `source:` field.

use crate::files::{ImportOutput, ImportWarning, OutputFile, SourcePlace};
use crate::ids::{one_line, shorten};
use crate::yaml_out::{self, MapBuilder, Yaml};
use std::collections::{BTreeMap, HashSet};

/// What every element has: a wanted id (made unique by [`Draft::finish`]),
/// a title, a description, the source's id and its place in the source.
#[derive(Debug, Clone, Default)]
pub(crate) struct Elem {
    /// The id, unique once [`Draft::finish`] ran.
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) description: Option<String>,
    /// The element's id in the source tool.
    pub(crate) source: Option<String>,
    /// 1-based line and column in the source (0 when unknown).
    pub(crate) at: (u32, u32),
}

/// A trust zone.
#[derive(Debug, Clone, Default)]
pub(crate) struct Zone {
    pub(crate) e: Elem,
    pub(crate) trust: f64,
    /// Index of the enclosing zone in [`Draft::zones`].
    pub(crate) within: Option<usize>,
}

/// An asset (a diagram element or a piece of data).
#[derive(Debug, Clone, Default)]
pub(crate) struct Asset {
    pub(crate) e: Elem,
    pub(crate) kind: &'static str,
    /// Index in [`Draft::zones`].
    pub(crate) zone: Option<usize>,
    /// `Some(reason)` when out of scope.
    pub(crate) out_of_scope: Option<String>,
}

/// A data flow between two assets (indexes in [`Draft::assets`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct Flow {
    pub(crate) e: Elem,
    pub(crate) from: usize,
    pub(crate) to: usize,
    pub(crate) protocol: Option<String>,
    pub(crate) bidirectional: bool,
    pub(crate) out_of_scope: Option<String>,
    /// Indexes in [`Draft::assets`] of the data it moves.
    pub(crate) carries: Vec<usize>,
}

/// An attacker.
#[derive(Debug, Clone, Default)]
pub(crate) struct Attacker {
    pub(crate) e: Elem,
    pub(crate) zone: Option<usize>,
}

/// What a threat targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Asset(usize),
    Flow(usize),
}

/// An inline mitigation of a threat.
#[derive(Debug, Clone)]
pub(crate) struct Mitigation {
    pub(crate) title: String,
    pub(crate) description: Option<String>,
    /// `design` or `risk-acceptance`.
    pub(crate) kind: &'static str,
    pub(crate) in_place: bool,
}

/// A shared mitigation (a control several threats name).
#[derive(Debug, Clone, Default)]
pub(crate) struct Control {
    pub(crate) e: Elem,
    /// `design` or `risk-acceptance`.
    pub(crate) kind: &'static str,
    pub(crate) in_place: bool,
}

/// A threat.
#[derive(Debug, Clone, Default)]
pub(crate) struct Threat {
    pub(crate) e: Elem,
    pub(crate) categories: Vec<String>,
    pub(crate) targets: Vec<Target>,
    /// Indexes in [`Draft::attackers`]; `None`: every attacker.
    pub(crate) attackers: Option<Vec<usize>>,
    pub(crate) cvss: Option<String>,
    pub(crate) mitigations: Vec<Mitigation>,
    /// Indexes in [`Draft::controls`].
    pub(crate) controls: Vec<usize>,
}

/// An assumption.
#[derive(Debug, Clone, Default)]
pub(crate) struct Assumption {
    pub(crate) e: Elem,
}

/// One model being imported.
#[derive(Debug, Default)]
pub(crate) struct Draft {
    /// The source file, as shown in messages.
    pub(crate) file: String,
    /// The source's text (for the places of a failed check).
    pub(crate) text: String,
    /// The model's id (made valid by [`Draft::finish`]).
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) description: Option<String>,
    pub(crate) owner: Option<String>,
    pub(crate) authors: Vec<String>,
    pub(crate) version: Option<String>,
    /// A taxonomy name, or a list of custom categories.
    pub(crate) taxonomy: Option<Yaml>,
    pub(crate) zones: Vec<Zone>,
    pub(crate) assets: Vec<Asset>,
    pub(crate) flows: Vec<Flow>,
    pub(crate) attackers: Vec<Attacker>,
    pub(crate) assumptions: Vec<Assumption>,
    /// Requirements (`scope.requirements`), with their `kind`.
    pub(crate) requirements: Vec<(Elem, &'static str)>,
    pub(crate) threats: Vec<Threat>,
    pub(crate) controls: Vec<Control>,
    pub(crate) warnings: Vec<ImportWarning>,
}

impl Draft {
    /// A draft of a model read from `file`.
    pub(crate) fn new(file: &str, text: &str) -> Draft {
        Draft {
            file: file.to_string(),
            text: text.to_string(),
            ..Draft::default()
        }
    }

    /// A warning at `line` of the source (0: the whole file).
    pub(crate) fn warn(&mut self, line: u32, message: impl Into<String>) {
        self.warnings.push(ImportWarning {
            file: self.file.clone(),
            line: (line > 0).then_some(line),
            message: message.into(),
        });
    }

    /// The asset standing for the missing end of data flows that the source
    /// leaves unconnected (created once, out of scope).
    pub(crate) fn unconnected(&mut self) -> usize {
        if let Some(i) =
            (self.assets.iter()).position(|a| a.e.source.as_deref() == Some(UNCONNECTED))
        {
            return i;
        }
        self.assets.push(Asset {
            e: Elem {
                id: "unconnected".into(),
                title: "Unconnected end (not in the source)".into(),
                description: Some(
                    "Stands for the end of data flows that the source leaves unconnected.".into(),
                ),
                source: Some(UNCONNECTED.into()),
                at: (0, 0),
            },
            kind: "external",
            zone: None,
            out_of_scope: Some(
                "added by the import: the source does not say what is at this end of the flow"
                    .into(),
            ),
        });
        self.assets.len() - 1
    }

    /// Gives every element a unique valid id, proposes attackers when the
    /// source has none, and writes the model.
    pub(crate) fn finish(mut self) -> ImportOutput {
        self.id = crate::ids::sanitise_id(&slug(&self.id, "imported"));
        self.propose_attackers();
        self.unique_ids();
        let mut sources = BTreeMap::new();
        let root = self.id.clone();
        let mut place = |e: &Elem| {
            if e.at.0 > 0 {
                let place = SourcePlace {
                    file: self.file.clone(),
                    line: e.at.0,
                    column: e.at.1.max(1),
                };
                sources.insert(format!("{root}.{}", e.id), place);
            }
        };
        let elems = (self.zones.iter().map(|z| &z.e))
            .chain(self.assets.iter().map(|a| &a.e))
            .chain(self.flows.iter().map(|f| &f.e))
            .chain(self.attackers.iter().map(|a| &a.e))
            .chain(self.assumptions.iter().map(|a| &a.e))
            .chain(self.requirements.iter().map(|(e, _)| e))
            .chain(self.controls.iter().map(|c| &c.e))
            .chain(self.threats.iter().map(|t| &t.e));
        elems.for_each(&mut place);
        let doc = self.document();
        ImportOutput {
            files: vec![OutputFile {
                path: "threatmodel.yaml".into(),
                contents: yaml_out::to_string(&doc),
            }],
            threats: Vec::new(),
            sources,
            inputs: vec![(self.file.clone(), std::mem::take(&mut self.text))],
            warnings: std::mem::take(&mut self.warnings),
        }
    }

    /// Derives each element's id from the one wanted, in document order:
    /// the first keeps it, the next get `-2`, `-3`...
    fn unique_ids(&mut self) {
        let mut used: HashSet<String> = HashSet::new();
        let mut take = |e: &mut Elem, fallback: &str| {
            let base = slug(&e.id, fallback);
            let mut id = base.clone();
            let mut n = 2;
            while !used.insert(id.to_ascii_lowercase()) {
                id = format!("{base}-{n}");
                n += 1;
            }
            e.id = id;
        };
        self.zones.iter_mut().for_each(|z| take(&mut z.e, "zone"));
        self.assets.iter_mut().for_each(|a| take(&mut a.e, "asset"));
        self.flows.iter_mut().for_each(|f| take(&mut f.e, "flow"));
        (self.attackers.iter_mut()).for_each(|a| take(&mut a.e, "attacker"));
        (self.assumptions.iter_mut()).for_each(|a| take(&mut a.e, "assumption"));
        (self.requirements.iter_mut()).for_each(|(e, _)| take(e, "requirement"));
        (self.controls.iter_mut()).for_each(|c| take(&mut c.e, "control"));
        self.threats
            .iter_mut()
            .for_each(|t| take(&mut t.e, "threat"));
    }

    /// When the source has no attacker, one attacker per zone that external
    /// entities sit in (or one without a zone), marked as proposed, so that
    /// the imported model asks questions from the start.
    fn propose_attackers(&mut self) {
        if !self.attackers.is_empty() || (self.assets.is_empty() && self.flows.is_empty()) {
            return;
        }
        let mut zones: Vec<Option<usize>> = Vec::new();
        for a in &self.assets {
            if a.kind == "external" && a.e.source.as_deref() != Some(UNCONNECTED) {
                if !zones.contains(&a.zone) {
                    zones.push(a.zone);
                }
            }
        }
        if zones.is_empty() {
            zones.push(None);
        }
        for z in &zones {
            let (id, title) = match z {
                Some(z) => {
                    let zone = &self.zones[*z].e;
                    (
                        format!("attacker-{}", zone.id),
                        format!("Attacker in {} (proposed)", zone.title),
                    )
                }
                None => (
                    "attacker".to_string(),
                    "External attacker (proposed)".to_string(),
                ),
            };
            self.attackers.push(Attacker {
                e: Elem {
                    id,
                    title,
                    description: Some(PROPOSED.into()),
                    source: None,
                    at: (0, 0),
                },
                zone: *z,
            });
        }
        let n = zones.len();
        self.warn(
            0,
            format!(
                "the source names no attacker: {n} proposed attacker{} added (one per zone that external entities sit in); review {}",
                if n == 1 { "" } else { "s" },
                if n == 1 { "it" } else { "them" }
            ),
        );
    }

    fn document(&self) -> Yaml {
        let scope = MapBuilder::new()
            .opt_put(
                "abstraction",
                (self.taxonomy.clone()).map(|t| MapBuilder::new().put("taxonomy", t).build()),
            )
            .seq(
                "requirements",
                (self.requirements.iter())
                    .map(|(e, kind)| element(e).str("kind", *kind).build())
                    .collect(),
            )
            .seq("zones", self.zones.iter().map(|z| self.zone(z)).collect())
            .seq(
                "assets",
                self.assets.iter().map(|a| self.asset(a)).collect(),
            )
            .seq(
                "dataflows",
                self.flows.iter().map(|f| self.flow(f)).collect(),
            )
            .seq(
                "attackers",
                self.attackers.iter().map(|a| self.attacker(a)).collect(),
            )
            .seq(
                "assumptions",
                (self.assumptions.iter())
                    .map(|a| element(&a.e).build())
                    .collect(),
            )
            .build();
        MapBuilder::new()
            .put("tmkit", Yaml::Num(1.0))
            .str("id", self.id.clone())
            .str("title", self.title.clone())
            .opt_str("version", self.version.clone())
            .opt_str("owner", self.owner.clone())
            .strs("authors", &self.authors)
            .opt_str("description", self.description.clone())
            .put("scope", scope)
            .seq("mitigations", self.controls.iter().map(control).collect())
            .seq(
                "threats",
                self.threats.iter().map(|t| self.threat(t)).collect(),
            )
            .build()
    }

    fn zone(&self, z: &Zone) -> Yaml {
        element(&z.e)
            .put("trust", Yaml::Num(z.trust))
            .opt_str("within", z.within.map(|w| self.zones[w].e.id.clone()))
            .opt_str("source", z.e.source.clone())
            .build()
    }

    fn asset(&self, a: &Asset) -> Yaml {
        element(&a.e)
            .str("kind", a.kind)
            .opt_str("zone", a.zone.map(|z| self.zones[z].e.id.clone()))
            .scope(a.out_of_scope.is_none(), a.out_of_scope.clone())
            .opt_str("source", a.e.source.clone())
            .build()
    }

    fn flow(&self, f: &Flow) -> Yaml {
        element(&f.e)
            .str("from", self.assets[f.from].e.id.clone())
            .str("to", self.assets[f.to].e.id.clone())
            .opt_str("protocol", f.protocol.clone())
            .strs(
                "carries",
                &f.carries
                    .iter()
                    .map(|a| self.assets[*a].e.id.clone())
                    .collect::<Vec<_>>(),
            )
            .flag("bidirectional", f.bidirectional)
            .scope(f.out_of_scope.is_none(), f.out_of_scope.clone())
            .opt_str("source", f.e.source.clone())
            .build()
    }

    fn attacker(&self, a: &Attacker) -> Yaml {
        element(&a.e)
            .opt_str("zone", a.zone.map(|z| self.zones[z].e.id.clone()))
            .build()
    }

    fn threat(&self, t: &Threat) -> Yaml {
        let targets: Vec<String> = (t.targets.iter())
            .map(|x| match *x {
                Target::Asset(a) => self.assets[a].e.id.clone(),
                Target::Flow(f) => self.flows[f].e.id.clone(),
            })
            .collect();
        let attackers = (t.attackers.as_ref()).map(|list| {
            Yaml::Seq(
                (list.iter())
                    .map(|a| Yaml::Str(self.attackers[*a].e.id.clone()))
                    .collect(),
            )
        });
        let categories = if t.categories.is_empty() {
            vec!["other".to_string()]
        } else {
            t.categories.clone()
        };
        let shared = t
            .controls
            .iter()
            .map(|c| Yaml::Str(self.controls[*c].e.id.clone()));
        let mitigations = (t.mitigations.iter())
            .map(|m| {
                MapBuilder::new()
                    .str("title", m.title.clone())
                    .opt_str("description", m.description.clone())
                    .str("kind", m.kind)
                    .put("in_place", Yaml::Bool(m.in_place))
                    .build()
            })
            .collect::<Vec<_>>();
        element(&t.e)
            .strs("categories", &categories)
            .strs("targets", &targets)
            .opt_put("attackers", attackers)
            .opt_str("cvss", t.cvss.clone())
            .opt_str("source", t.e.source.clone())
            .seq("mitigations", shared.chain(mitigations).collect())
            .build()
    }
}

fn control(c: &Control) -> Yaml {
    element(&c.e)
        .str("kind", c.kind)
        .put("in_place", Yaml::Bool(c.in_place))
        .build()
}

/// A threat's state in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    Open,
    Mitigated,
    NotApplicable,
}

/// The mitigations that give a threat its state in the source: an in-place
/// design mitigation when mitigated, an in-place risk acceptance when not
/// applicable, a planned one when open with a mitigation `text`.
pub(crate) fn state_mitigations(state: State, text: Option<String>) -> Vec<Mitigation> {
    let described = |in_place: bool, none: &str| Mitigation {
        title: (text.as_deref()).map_or_else(|| none.to_string(), |m| shorten(&one_line(m), 100)),
        description: (text.clone())
            .filter(|m| one_line(m).chars().count() > 100 || m.contains('\n')),
        kind: "design",
        in_place,
    };
    match state {
        State::Mitigated => vec![described(
            true,
            "Mitigated in the source threat model (no mitigation described)",
        )],
        State::NotApplicable => vec![Mitigation {
            title: "Not applicable according to the source threat model".into(),
            description: text.clone(),
            kind: "risk-acceptance",
            in_place: true,
        }],
        State::Open => text
            .as_ref()
            .map(|_| described(false, ""))
            .into_iter()
            .collect(),
    }
}

/// A diagram's boundary boxes (zone index, rectangle) and its "outside" zone.
pub(crate) struct Boxes {
    boxes: Vec<(usize, [f64; 4])>,
    outside: Option<usize>,
}

impl Boxes {
    /// The zone of an element drawn in `rect`: the smallest box holding its
    /// centre, else the outside zone.
    pub(crate) fn zone_at(&self, r: [f64; 4]) -> Option<usize> {
        let (x, y) = centre(r);
        smallest_holding(&self.boxes, x, y, None).or(self.outside)
    }
}

/// The smallest box (zone index) other than `except` whose rectangle holds
/// all of `r`.
fn smallest_around(boxes: &[(usize, [f64; 4])], r: [f64; 4], except: usize) -> Option<usize> {
    let holds = |o: &[f64; 4]| {
        o[0] <= r[0] && o[1] <= r[1] && o[0] + o[2] >= r[0] + r[2] && o[1] + o[3] >= r[1] + r[3]
    };
    (boxes.iter())
        .filter(|(z, o)| *z != except && holds(o))
        .min_by(|a, b| (a.1[2] * a.1[3]).total_cmp(&(b.1[2] * b.1[3])))
        .map(|(z, _)| *z)
}

fn centre(r: [f64; 4]) -> (f64, f64) {
    (r[0] + r[2] / 2.0, r[1] + r[3] / 2.0)
}

/// The smallest box (zone index) holding the point, other than `except`.
fn smallest_holding(
    boxes: &[(usize, [f64; 4])],
    x: f64,
    y: f64,
    except: Option<usize>,
) -> Option<usize> {
    boxes
        .iter()
        .filter(|(z, r)| {
            Some(*z) != except && x >= r[0] && x <= r[0] + r[2] && y >= r[1] && y <= r[1] + r[3]
        })
        .min_by(|a, b| (a.1[2] * a.1[3]).total_cmp(&(b.1[2] * b.1[3])))
        .map(|(z, _)| *z)
}

impl Draft {
    /// Nests the zones drawn as `boxes` by their coordinates (each in the
    /// smallest other box holding all of it; trust is the nesting depth,
    /// the outermost 1), and adds a zone of trust 0 for the outside of
    /// `diagram` when one of the elements `drawn` is in no box.
    pub(crate) fn nest_boxes(
        &mut self,
        boxes: Vec<(usize, [f64; 4])>,
        drawn: &[[f64; 4]],
        diagram: &str,
    ) -> Boxes {
        for (z, r) in &boxes {
            let mut parent = smallest_around(&boxes, *r, *z);
            // Equal rectangles would hold each other: the first one wins.
            let mut at = parent;
            for _ in 0..boxes.len() {
                match at {
                    Some(p) if p == *z => {
                        parent = None;
                        break;
                    }
                    Some(p) => at = self.zones[p].within,
                    None => break,
                }
            }
            self.zones[*z].within = parent;
        }
        for (z, _) in &boxes {
            let mut depth = 1.0;
            let mut at = self.zones[*z].within;
            while let Some(p) = at.filter(|_| depth < 64.0) {
                depth += 1.0;
                at = self.zones[p].within;
            }
            self.zones[*z].trust = depth;
        }
        let any_outside = drawn.iter().any(|r| {
            let (x, y) = centre(*r);
            smallest_holding(&boxes, x, y, None).is_none()
        });
        let outside = (!boxes.is_empty() && any_outside).then(|| {
            self.zones.push(Zone {
                e: Elem {
                    id: format!("outside {diagram}"),
                    title: format!("Outside the trust boundaries of {diagram}"),
                    description: Some("Added by the import: where the elements outside every boundary box of the diagram are.".into()),
                    ..Elem::default()
                },
                trust: 0.0,
                within: None,
            });
            self.zones.len() - 1
        });
        Boxes { boxes, outside }
    }
}

/// The `source` of the placeholder asset at unconnected flow ends.
const UNCONNECTED: &str = "(unconnected)";

/// The description of a proposed attacker.
const PROPOSED: &str = "Proposed by `tmkit import`: the source names no attacker, so one is \
proposed for each zone that external entities sit in. Review it: rename it, describe its \
capabilities, or replace it with the attackers you mean.";

fn element(e: &Elem) -> MapBuilder {
    MapBuilder::element(e.id.clone(), e.title.clone(), e.description.clone())
}

/// `text` as an id: lower-case ASCII letters and digits, other runs of
/// characters one `-`, at most 48 characters, starting with a letter
/// (`fallback` when nothing is left, or its prefix before a digit).
pub(crate) fn slug(text: &str, fallback: &str) -> String {
    let mut s = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            s.push(c.to_ascii_lowercase());
        } else if !s.is_empty() && !s.ends_with('-') {
            s.push('-');
        }
        if s.len() >= 48 {
            break;
        }
    }
    let s = s.trim_end_matches('-');
    if s.is_empty() {
        fallback.to_string()
    } else if s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        s.to_string()
    } else {
        format!("{fallback}-{s}")
    }
}

/// Paragraphs joined by a blank line, or `None` when there is none.
pub(crate) fn paragraphs(parts: impl IntoIterator<Item = Option<String>>) -> Option<String> {
    let v: Vec<String> = parts.into_iter().flatten().collect();
    (!v.is_empty()).then(|| v.join("\n\n"))
}

impl Draft {
    /// Sets the trust of the zones from `first` on to their nesting depth
    /// (the outermost 1), cutting a chain of `within` that loops.
    pub(crate) fn trust_by_depth(&mut self, first: usize) {
        for z in first..self.zones.len() {
            let (mut depth, mut at) = (1.0, self.zones[z].within);
            while let Some(p) = at {
                if p == z || depth > 64.0 {
                    self.zones[z].within = None;
                    depth = 1.0;
                    break;
                }
                depth += 1.0;
                at = self.zones[p].within;
            }
            self.zones[z].trust = depth;
        }
    }

    /// Adds the zone of a drawn boundary (`Trust boundary <n>` when it has
    /// no name) and returns its index.
    pub(crate) fn boundary_zone(&mut self, mut e: Elem) -> usize {
        if e.title.trim().is_empty() || e.title.starts_with("Unnamed ") {
            e.title = format!("Trust boundary {}", self.zones.len() + 1);
            e.id = e.title.clone();
        }
        self.zones.push(Zone {
            e,
            ..Zone::default()
        });
        self.zones.len() - 1
    }

    /// When there are zones, puts the assets (other than data) that have
    /// none in an added zone `title` of trust 0.
    pub(crate) fn outside_zone(&mut self, title: &str) {
        let homeless = |a: &Asset| a.kind != "data" && a.zone.is_none();
        if self.zones.is_empty() || !self.assets.iter().any(homeless) {
            return;
        }
        self.zones.push(Zone {
            e: Elem {
                id: "outside".into(),
                title: title.into(),
                description: Some("Added by the import: where the elements outside every boundary of the source are.".into()),
                ..Elem::default()
            },
            trust: 0.0,
            within: None,
        });
        let z = self.zones.len() - 1;
        for a in self.assets.iter_mut().filter(|a| homeless(a)) {
            a.zone = Some(z);
        }
    }
}

/// A description followed by what the source tool says of the element:
/// `In TOOL: fact, fact.` (the facts that are there).
pub(crate) fn with_facts(
    description: Option<String>,
    tool: &str,
    facts: impl IntoIterator<Item = Option<String>>,
) -> String {
    let facts: Vec<String> = facts.into_iter().flatten().collect();
    let line = (!facts.is_empty()).then(|| format!("In {tool}: {}.", facts.join("; ")));
    paragraphs([description, line]).unwrap_or_default()
}

/// A text made one line, or `None` when blank.
pub(crate) fn non_blank(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_ids() {
        assert_eq!(slug("Web Server", "x"), "web-server");
        assert_eq!(slug("  DB (primary)!", "x"), "db-primary");
        assert_eq!(slug("1st", "asset"), "asset-1st");
        assert_eq!(slug("日本", "asset"), "asset");
        assert_eq!(slug("", "zone"), "zone");
        for s in ["a", "-", "9-9", "x.y", "é", "__"] {
            let id = slug(s, "t");
            assert!(tmkit_syntax::decode::is_valid_id(&id), "{s:?} -> {id:?}");
        }
    }

    #[test]
    fn ids_are_unique_in_document_order_and_attackers_proposed() {
        let mut d = Draft::new("f.json", "");
        d.id = "M".into();
        d.title = "M".into();
        for name in ["Web", "web", "Web"] {
            d.assets.push(Asset {
                e: Elem {
                    id: name.into(),
                    title: name.into(),
                    ..Elem::default()
                },
                kind: "external",
                ..Asset::default()
            });
        }
        let out = d.finish();
        let text = &out.files[0].contents;
        for id in ["id: web\n", "id: web-2\n", "id: web-3\n", "id: attacker\n"] {
            assert!(text.contains(id), "{id} in {text}");
        }
        assert!(text.contains("(proposed)"), "{text}");
        assert!(
            out.warnings[0].message.contains("proposed"),
            "{:?}",
            out.warnings
        );
        assert!(!out.check().has_errors());
    }
}
