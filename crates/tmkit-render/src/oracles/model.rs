//! Threat models built from arbitrary user strings, through the real loader.
//!
//! A [`Spec`] is a list of user strings and a few shape bytes (how many
//! zones, assets, flows, threats...). [`yaml`] writes the model as YAML text
//! with every string in a free-text field (titles, descriptions, versions,
//! owners, reasons, rationales, protocols, tickets, operators, references)
//! and, when they fit the id syntax, in ids; [`load`] checks it with
//! `tmkit_model::check_files`, so the fuzzers exercise the real path.

use std::fmt::Write as _;
use tmkit_model::Model;

/// Appended to user strings; the diagram oracles require it to stay inside
/// quoted labels. Chosen to appear in no output by itself.
pub const MARK: &str = "Zqx";

/// Hostile fragments for every output language: the seeds of the proptest
/// generator and the libFuzzer dictionary (`fuzz/tmkit.dict`).
pub const HOSTILE: &[&str] = &[
    "!include /etc/passwd",
    "\n!include /etc/passwd\n",
    "%getenv(\"HOME\")",
    "!theme spacelab",
    "$var",
    "%%{init: {\"theme\":\"dark\"}}%%",
    "%%",
    "\"]",
    "\"] --> evil[\"",
    "\"; click n0 \"javascript:alert(1)\"",
    "-->",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "javascript:alert(1)",
    "[x](javascript:alert(1))",
    "![i](https://evil.example/i.png)",
    "\n[r]: https://evil.example\n",
    "<https://evil.example>",
    "a | b",
    "\n```\n",
    "```",
    "~~~",
    "\n    indented\n",
    "\\N",
    "\\G",
    "\\E",
    "\\L",
    "\\",
    "\u{1b}[31m",
    "\u{1b}]8;;http://evil.example\u{7}",
    "\u{9b}",
    "\r",
    "\0",
    "\u{7f}",
    "=HYPERLINK(\"http://evil.example\")",
    "+1",
    "-1",
    "@SUM(1)",
    "\t=1",
    "../../",
    "%2e",
    "\u{202e}",
    "\u{2028}",
    "\u{85}",
    "[[http://evil.example]]",
    "<img:http://evil.example/i.png>",
    "<$sprite>",
    "<U+0021>",
    "#34;",
    "`",
    "\n# heading\n",
    "<!--",
    "&lt;",
    "'",
    "}\n",
    "];",
    "\n@enduml\n",
    "https://t.example/1",
    "mailto:a@example.com",
    "http://evil.example/a b",
    "<style>@import url(http://evil.example)</style>",
    "<svg onload=alert(1)>",
];

/// A model to generate: user strings (used in turn, cyclically) and shape
/// bytes (read in turn, 0 when exhausted).
#[derive(Debug, Clone, Default)]
pub struct Spec {
    /// The user strings.
    pub texts: Vec<String>,
    /// The shape bytes.
    pub shape: Vec<u8>,
}

struct Gen<'a> {
    spec: &'a Spec,
    text: usize,
    byte: usize,
}

impl Gen<'_> {
    fn byte(&mut self) -> u8 {
        let b = self.spec.shape.get(self.byte).copied().unwrap_or(0);
        self.byte += 1;
        b
    }
    fn below(&mut self, n: u8) -> usize {
        usize::from(self.byte() % n)
    }
    fn flag(&mut self) -> bool {
        self.byte() & 1 == 1
    }
    /// The next user string, with the mark, as a YAML scalar.
    fn text(&mut self) -> String {
        let t = self.raw();
        quote(&format!("{t}{MARK}"))
    }
    /// The next user string as it is.
    fn raw(&mut self) -> String {
        let n = self.spec.texts.len();
        let t = if n == 0 {
            ""
        } else {
            &self.spec.texts[self.text % n]
        };
        self.text += 1;
        t.to_string()
    }
    /// `prefix` + index, and a segment from the next user string when it
    /// fits the id syntax.
    fn id(&mut self, prefix: &str, i: usize) -> String {
        let base = format!("{prefix}{i}");
        if !self.flag() {
            return base;
        }
        let seg: String = self
            .raw()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
            .take(24)
            .collect();
        let id = format!("{base}.{seg}");
        if tmkit_syntax::decode::is_valid_id(&id) {
            id
        } else {
            base
        }
    }
}

/// `s` as a double-quoted YAML scalar (every character outside YAML's
/// printable set escaped, so the loader sees it).
pub fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'.. if c != '\u{feff}' => {
                out.push(c)
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

const ASSET_KINDS: [&str; 9] = [
    "external",
    "service",
    "process",
    "datastore",
    "data",
    "credential",
    "key",
    "certificate",
    "hardware",
];
const CATEGORIES: [&str; 3] = ["confidentiality", "integrity", "availability"];
const MITIGATION_KINDS: [&str; 3] = ["design", "operational", "risk-acceptance"];

/// The model of `spec` as YAML text (`threatmodel.yaml`).
pub fn yaml(spec: &Spec) -> String {
    let mut g = Gen {
        spec,
        text: 0,
        byte: 0,
    };
    let mut y = String::new();
    let root = g.id("M", 0);
    let _ = writeln!(y, "tmkit: 1\nid: {root}\ntitle: {}", g.text());
    for field in ["version", "owner", "description"] {
        if g.flag() {
            let _ = writeln!(y, "{field}: {}", g.text());
        }
    }
    let zones: Vec<String> = (0..1 + g.below(3)).map(|i| g.id("z", i)).collect();
    let assets: Vec<String> = (0..1 + g.below(4)).map(|i| g.id("a", i)).collect();
    let flows: Vec<String> = (0..g.below(4)).map(|i| g.id("f", i)).collect();
    let attackers: Vec<String> = (0..1 + g.below(3)).map(|i| g.id("x", i)).collect();
    y.push_str("scope:\n  requirements:\n");
    for i in 0..g.below(3) {
        let _ = writeln!(
            y,
            "    - {{ id: r{i}, title: {}, kind: business, ref: {} }}",
            g.text(),
            g.text()
        );
    }
    y.push_str("  zones:\n");
    for z in &zones {
        let _ = writeln!(
            y,
            "    - {{ id: {z}, title: {}, trust: {} }}",
            g.text(),
            g.below(6)
        );
    }
    y.push_str("  assets:\n");
    for a in &assets {
        let kind = ASSET_KINDS[g.below(9)];
        let zone = &zones[g.below(zones.len() as u8)];
        let _ = writeln!(
            y,
            "    - id: {a}\n      title: {}\n      kind: {kind}\n      zone: {zone}",
            g.text()
        );
        element_extras(&mut g, &mut y);
    }
    y.push_str("  dataflows:\n");
    for f in &flows {
        let from = &assets[g.below(assets.len() as u8)];
        let to = &assets[g.below(assets.len() as u8)];
        let _ = writeln!(
            y,
            "    - id: {f}\n      title: {}\n      from: {from}\n      to: {to}\n      protocol: {}",
            g.text(),
            g.text()
        );
        element_extras(&mut g, &mut y);
    }
    y.push_str("  attackers:\n");
    for x in &attackers {
        let zone = &zones[g.below(zones.len() as u8)];
        let _ = writeln!(
            y,
            "    - id: {x}\n      title: {}\n      zone: {zone}",
            g.text()
        );
        element_extras(&mut g, &mut y);
    }
    y.push_str("  assumptions:\n");
    for i in 0..g.below(3) {
        let _ = writeln!(y, "    - {{ id: A{i}, title: {} }}", g.text());
    }
    let targets: Vec<&String> = assets.iter().chain(&flows).collect();
    threats(&mut g, &mut y, &targets, &attackers);
    y.push_str("analysis:\n");
    for _ in 0..g.below(3) {
        let t = targets[g.below(targets.len() as u8)];
        let x = &attackers[g.below(attackers.len() as u8)];
        let _ = writeln!(
            y,
            "  - target: {t}\n    attacker: {x}\n    verdict: not-applicable\n    rationale: {}",
            g.text()
        );
    }
    y
}

/// Optional `description`, `confidential` and out-of-scope `reason`.
fn element_extras(g: &mut Gen, y: &mut String) {
    if g.flag() {
        let _ = writeln!(y, "      description: {}", g.text());
    }
    if g.byte().is_multiple_of(4) {
        let _ = writeln!(y, "      in_scope: false\n      reason: {}", g.text());
    }
    if g.byte().is_multiple_of(4) {
        y.push_str("      confidential: true\n");
    }
}

fn threats(g: &mut Gen, y: &mut String, targets: &[&String], attackers: &[String]) {
    y.push_str("mitigations:\n");
    let shared = g.below(3);
    for i in 0..shared {
        mitigation(g, y, "  ", Some(i));
    }
    y.push_str("threats:\n");
    for i in 0..g.below(5) {
        let t = targets[g.below(targets.len() as u8)];
        let x = &attackers[g.below(attackers.len() as u8)];
        let cat = CATEGORIES[g.below(3)];
        let _ = writeln!(
            y,
            "  - id: T{i}\n    title: {}\n    categories: [{cat}]\n    targets: [{t}]\n    attackers: [{x}]",
            g.text()
        );
        if g.flag() {
            let _ = writeln!(y, "    description: {}", g.text());
        }
        if g.flag() {
            y.push_str("    cvss: CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H\n");
        }
        if g.flag() {
            let ticket = if g.flag() { quote(&g.raw()) } else { g.text() };
            let _ = writeln!(y, "    ticket: {ticket}");
        }
        if g.byte().is_multiple_of(4) {
            y.push_str("    confidential: true\n");
        }
        y.push_str("    mitigations:\n");
        if shared > 0 && g.flag() {
            let _ = writeln!(y, "      - M{}", g.below(shared as u8));
        }
        for _ in 0..g.below(3) {
            mitigation(g, y, "      ", None);
        }
    }
}

/// A mitigation (shared with an id, or inline) at `indent`.
fn mitigation(g: &mut Gen, y: &mut String, indent: &str, id: Option<usize>) {
    let kind = MITIGATION_KINDS[g.below(3)];
    let _ = write!(y, "{indent}- ");
    if let Some(i) = id {
        let _ = write!(y, "id: M{i}\n{indent}  ");
    }
    let _ = writeln!(
        y,
        "title: {}\n{indent}  kind: {kind}\n{indent}  in_place: {}",
        g.text(),
        g.flag()
    );
    if kind == "operational" {
        let _ = writeln!(y, "{indent}  operator: {}", g.text());
    }
    if g.flag() {
        let _ = writeln!(y, "{indent}  ticket: {}", quote(&g.raw()));
    }
}

/// Where the model is written: `threatmodel.yaml`, or, when the first
/// shape byte is odd, that file in a directory named by the first user
/// string (what reaches SARIF URIs and diagnostics).
pub fn root_path(spec: &Spec) -> String {
    let dir: String = spec
        .texts
        .first()
        .map(|t| {
            t.chars()
                .filter(|c| !c.is_control() && !matches!(c, '/' | '\\'))
                .collect()
        })
        .unwrap_or_default();
    let odd = spec.shape.first().is_some_and(|b| b & 1 == 1);
    if odd && !dir.trim_matches('.').is_empty() {
        format!("{dir}/threatmodel.yaml")
    } else {
        "threatmodel.yaml".to_string()
    }
}

/// The model of `spec` checked through the real loader, from memory at
/// [`root_path`].
pub fn check(spec: &Spec) -> tmkit_model::Checked {
    let text = yaml(spec);
    let root = root_path(spec);
    tmkit_model::check_files(&[(root.as_str(), text.as_str())], &root)
}

/// The model of `spec`, or None when it does not check (the generator
/// writes valid models; only strings the format rejects make it fail).
pub fn load(spec: &Spec) -> Option<Model> {
    check(spec).model
}

/// The proptest strategy of [`Spec`]: user strings made of hostile
/// fragments ([`HOSTILE`]), plain words and arbitrary text, and any shape.
pub fn strategy() -> impl proptest::strategy::Strategy<Value = Spec> {
    use proptest::prelude::*;
    let piece = prop_oneof![
        3 => prop::sample::select(HOSTILE).prop_map(str::to_string),
        1 => "[a-z ]{0,8}",
        1 => any::<String>().prop_map(|s| s.chars().take(12).collect()),
    ];
    let text = prop::collection::vec(piece, 0..4).prop_map(|p| p.concat());
    (
        prop::collection::vec(text, 1..12),
        prop::collection::vec(any::<u8>(), 0..64),
    )
        .prop_map(|(texts, shape)| Spec { texts, shape })
}
