//! Zone rules: `within` forms a tree, and not too deep a one.

use super::ModelCx;
use std::collections::{HashMap, HashSet};
use tmkit_syntax::decode::truncate;
use tmkit_syntax::diagnostic::Diagnostics;
use tmkit_syntax::node::raise_help;
use tmkit_syntax::{Code, Diagnostic, Span};

/// E0206 for each cycle of zones nested `within` each other (across models
/// too), reported once, at the `within` that closes it.
pub(super) fn cycles(cx: &ModelCx<'_>, out: &mut Diagnostics) {
    /// Zones shown in the message before it is shortened.
    const SHOWN: usize = 8;
    let parent: HashMap<&str, (&str, Span)> = cx
        .withins
        .iter()
        .map(|(z, p, s)| (z.as_str(), (p.as_str(), *s)))
        .collect();
    let mut done: HashSet<&str> = HashSet::new();
    let mut found = Vec::new();
    for (start, _, _) in cx.withins {
        let mut path: Vec<&str> = Vec::new();
        let mut cur = start.as_str();
        while !done.contains(cur) {
            if let Some(i) = path.iter().position(|z| *z == cur) {
                found.push((path[i..].to_vec(), parent[path[path.len() - 1]].1));
                break;
            }
            path.push(cur);
            match parent.get(cur) {
                Some((p, _)) => cur = p,
                None => break,
            }
        }
        done.extend(path);
    }
    for (cycle, span) in found {
        let mut names: Vec<&str> = cycle.iter().copied().take(SHOWN).collect();
        if cycle.len() > SHOWN {
            names.push("...");
        }
        names.push(cycle[0]);
        out.push(
            Diagnostic::new(
                Code::ZoneCycle,
                format!("zones nested in a cycle: {}", names.join(" -> ")),
            )
            .at(span, format!("closes the cycle back to '{}'", cycle[0]))
            .note(format!("{} zones in the cycle", cycle.len()))
            .general_help(),
        );
    }
}

/// E0031 for the first zone nested deeper than the limit (`within` chains;
/// a cycle ends a chain). Linear: each zone's depth is computed once.
pub(super) fn depth(cx: &ModelCx<'_>, out: &mut Diagnostics) {
    let max = cx.loaded.limits.max_zone_depth;
    let zones = || cx.model.models.iter().flat_map(|m| m.zones.iter());
    let within: HashMap<&str, Option<&str>> = zones()
        .map(|z| (z.qid.as_str(), z.within.as_deref()))
        .collect();
    let mut depth: HashMap<&str, usize> = HashMap::with_capacity(within.len());
    for z in zones() {
        // Walk up to a zone of known depth, the top, a cycle, or past the limit...
        let mut chain: Vec<&str> = Vec::new();
        let mut on_chain: HashSet<&str> = HashSet::new();
        let mut cur = Some(z.qid.as_str());
        let mut base = 0;
        while let Some(q) = cur {
            if let Some(&d) = depth.get(q) {
                base = d;
                break;
            }
            if chain.len() > max || !on_chain.insert(q) {
                break;
            }
            chain.push(q);
            cur = within.get(q).copied().flatten();
        }
        // ...then number the chain from there, outermost last.
        for (i, q) in chain.iter().rev().enumerate() {
            depth.insert(q, base + i + 1);
        }
        let d = depth.get(z.qid.as_str()).copied().unwrap_or(0);
        if d > max {
            let mut diag = Diagnostic::new(
                Code::ZonesTooDeep,
                format!(
                    "zone '{}' is nested {d} levels deep (`within`), more than the limit of {max}",
                    truncate(&z.qid)
                ),
            );
            if let Some(s) = cx.spans.get(&z.qid) {
                diag = diag.at(s, "nested too deep");
            }
            out.push(diag.help(raise_help(
                "nest zones only as deep as the diagram needs",
                "zone-depth",
            )));
            return;
        }
    }
}
