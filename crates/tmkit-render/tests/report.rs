//! Reports of the examples: a snapshot per format, the JSON report against
//! its schema, determinism, and the self-containment of the HTML.

mod diagram_support;
use diagram_support::example;
use tmkit_analysis::views::{View, ViewKind};
use tmkit_model::Model;
use tmkit_render::diagram::{self, DiagramFormat, DiagramOptions};
use tmkit_render::report::{ReportFormat, ReportOptions, render};

fn reference() -> Model {
    example("reference/threatmodel.yaml")
}

fn composed() -> Model {
    example("composed/threatmodel.yaml")
}

fn report(model: &Model, kind: ViewKind, format: ReportFormat) -> String {
    render(&View::new(model, kind), format, &ReportOptions::new())
}

/// The report with the diagram replaced by a placeholder: diagrams have
/// their own snapshots (tests/diagram.rs), so a layout change does not
/// churn the report snapshots.
fn without_diagram(text: String) -> String {
    let cut = |text: String, start: &str, end: &str| -> String {
        match text.find(start) {
            Some(i) => {
                let body = i + start.len();
                let j = body + text[body..].find(end).expect("diagram end");
                format!("{}[diagram]{}", &text[..body], &text[j..])
            }
            None => text,
        }
    };
    let text = cut(text, "```mermaid\n", "\n```");
    cut(
        text,
        "aria-label=\"Data-flow diagram (scrollable)\">",
        "</div></div>\n</section>",
    )
}

#[test]
fn snapshot_reference_markdown() {
    insta::assert_snapshot!(without_diagram(report(
        &reference(),
        ViewKind::Full,
        ReportFormat::Markdown
    )));
}

#[test]
fn snapshot_reference_html() {
    let html = report(&reference(), ViewKind::Full, ReportFormat::Html);
    // Natural size in a scrolling box, with the zoom tools before it.
    assert!(html.contains(
        "<div class=\"diagram-view\" tabindex=\"0\" aria-label=\"Data-flow diagram (scrollable)\"><svg"
    ));
    insta::assert_snapshot!(without_diagram(html));
}

#[test]
fn snapshot_reference_json() {
    insta::assert_snapshot!(report(&reference(), ViewKind::Full, ReportFormat::Json));
}

#[test]
fn snapshot_reference_other_views_markdown() {
    for kind in [
        ViewKind::Unmitigated,
        ViewKind::Public,
        ViewKind::Checklist,
        ViewKind::Compliance,
    ] {
        insta::assert_snapshot!(
            format!("reference_{kind}_md"),
            without_diagram(report(&reference(), kind, ReportFormat::Markdown))
        );
    }
}

#[test]
fn snapshot_reference_compliance_html_and_json() {
    let html = report(&reference(), ViewKind::Compliance, ReportFormat::Html);
    let start = html.find("<section").expect("a section");
    let end = html.rfind("</section>").expect("a section") + "</section>".len();
    insta::assert_snapshot!("reference_compliance_html", &html[start..end]);
    let json = report(&reference(), ViewKind::Compliance, ReportFormat::Json);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["view"], "compliance");
    insta::assert_snapshot!(
        "reference_compliance_json",
        serde_json::to_string_pretty(&v["compliance"]).unwrap()
    );
}

#[test]
fn every_report_is_byte_identical_on_rerun() {
    for model in [reference(), composed()] {
        for kind in ViewKind::ALL {
            for format in ReportFormat::ALL {
                let a = report(&model, kind, format);
                let b = render(
                    &View::new(&model.clone(), kind),
                    format,
                    &ReportOptions::new(),
                );
                assert_eq!(a, b, "{kind} {format:?}");
                assert!(!a.is_empty());
            }
        }
    }
}

#[test]
fn date_appears_only_when_given() {
    let model = reference();
    for format in ReportFormat::ALL {
        let without = report(&model, ViewKind::Full, format);
        assert!(!without.contains("2031-05-17"));
        let with = render(
            &View::new(&model, ViewKind::Full),
            format,
            &ReportOptions::new().with_date(Some("2031-05-17".into())),
        );
        assert!(with.contains("2031-05-17"), "{format:?}");
    }
}

/// Every bundled example (each directory of `examples/` with a
/// `threatmodel.yaml`), so that a new example is covered without a test edit.
fn every_example() -> Vec<Model> {
    let dir = diagram_support::workspace().join("examples");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("examples/")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("threatmodel.yaml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 2, "{names:?}");
    names
        .iter()
        .map(|n| example(&format!("{n}/threatmodel.yaml")))
        .collect()
}

#[test]
fn json_report_validates_against_its_schema() {
    let schema = tmkit_render::json::schema();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    for model in every_example() {
        for kind in ViewKind::ALL {
            let text = report(&model, kind, ReportFormat::Json);
            let value: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
            let errors: Vec<String> = validator
                .iter_errors(&value)
                .map(|e| e.to_string())
                .collect();
            assert!(errors.is_empty(), "{kind}: {errors:?}");
        }
    }
}

#[test]
fn json_report_carries_derived_values_of_the_reference() {
    let text = report(&reference(), ViewKind::Full, ReportFormat::Json);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["view"], "full");
    assert_eq!(v["root"], "CCC");
    assert_eq!(v["metrics"]["questions"]["total"], 45);
    assert_eq!(v["metrics"]["questions"]["answered"], 6);
    assert_eq!(v["metrics"]["threats"]["unmitigated"], 1);
    // Questions come one entry per target x attacker (5 x 3), listing the
    // open categories and what answers the others: 39 open, 6 answered.
    let groups = v["questions"].as_array().unwrap();
    assert_eq!(groups.len(), 15);
    let count = |key: &str| -> usize {
        groups
            .iter()
            .map(|g| g[key].as_array().unwrap().len())
            .sum()
    };
    assert_eq!((count("open"), count("answered")), (39, 6));
    let installer = groups
        .iter()
        .find(|g| g["target"] == "CCC.dataflow.1" && g["attacker"] == "CCC.installer")
        .unwrap();
    assert_eq!(installer["open"], serde_json::json!([]));
    assert_eq!(installer["answered"][0]["verdict"], "not-applicable");
    let editor = groups
        .iter()
        .find(|g| g["target"] == "CCC.dataflow.1" && g["attacker"] == "CCC.editor")
        .unwrap();
    assert_eq!(editor["open"], serde_json::json!(["confidentiality"]));
    assert_eq!(v["tmkit_report"], 3);
    assert_eq!(v["tmkit_report_minor"], 3);
    let threats = v["models"][0]["threats"].as_array().unwrap();
    let vuln = threats.iter().find(|t| t["qid"] == "CCC.VULN_001").unwrap();
    assert_eq!(vuln["status"], "unmitigated");
    assert_eq!(vuln["score"], 6.5);
    assert_eq!(vuln["severity"], "medium");
    let flood = threats.iter().find(|t| t["qid"] == "CCC.T.flood").unwrap();
    assert_eq!(flood["not_secure_by_default"], true);
    assert_eq!(v["crossings"][0]["direction"], "inbound");
    assert_eq!(v["crossings"][0]["exposed"][0], "integrity");
    // Report order: severity, then score, then status (worst first).
    assert_eq!(v["threats"][0], "CCC.VULN_001");
    assert_eq!(v["threats"][1], "CCC.T.tamper");
}

#[test]
fn unmitigated_view_lists_only_open_threats_worst_first() {
    let model = composed();
    let view = View::new(&model, ViewKind::Unmitigated);
    let qids: Vec<&str> = view.threats.iter().map(|t| t.qid.as_str()).collect();
    // SQL injection (critical, unmitigated), hash leak (partial), then the
    // accepted ones; nothing mitigated.
    assert_eq!(qids[0], "SHOP.T.sqli");
    assert!(qids.contains(&"SHOP.LOGIN.T.hash-leak"));
    assert!(
        view.threats
            .iter()
            .all(|t| t.status != tmkit_analysis::Status::Mitigated)
    );
    let md = render(&view, ReportFormat::Markdown, &ReportOptions::new());
    assert!(
        md.contains("[https://tracker.example/SHOP-12](https://tracker.example/SHOP-12)"),
        "tickets are links"
    );
    assert!(
        md.contains("Parameterised queries everywhere (design, planned)"),
        "planned mitigations are listed"
    );
    assert!(
        !md.contains("Idempotency keys"),
        "mitigated threats are not listed"
    );
}

#[test]
fn html_is_self_contained_with_a_strict_policy() {
    for model in [reference(), composed()] {
        for kind in ViewKind::ALL {
            let html = report(&model, kind, ReportFormat::Html);
            let csp = tmkit_render::html::content_security_policy();
            assert!(csp.starts_with("default-src 'none'; style-src 'sha256-"));
            assert!(html.contains(&format!("content=\"{}\"", csp.replace('\'', "&#39;"))));
            // No resource from anywhere: no src/href to another document,
            // no external stylesheet or script, no inline style attribute.
            assert!(!html.contains(" src="), "{kind}");
            assert!(!html.contains("<link"), "{kind}");
            assert!(!html.contains(" style="), "{kind}");
            assert!(!html.contains("@import"), "{kind}");
            assert_eq!(html.matches("<script").count(), 1, "{kind}");
            assert_eq!(html.matches("<style").count(), 1, "{kind}");
            for href in html.split("href=\"").skip(1) {
                let h = &href[..href.find('"').unwrap()];
                assert!(
                    h.starts_with('#') || h.starts_with("https://"),
                    "{kind}: link {h}"
                );
            }
            if !matches!(kind, ViewKind::Checklist | ViewKind::Compliance) {
                assert!(html.contains("id=\"threat-table\"") || html.contains("No threat to list"));
            }
        }
    }
}

#[test]
fn every_element_has_an_anchor_in_the_full_html_and_markdown() {
    let model = composed();
    let html = report(&model, ViewKind::Full, ReportFormat::Html);
    let md = report(&model, ViewKind::Full, ReportFormat::Markdown);
    let index = tmkit_render::escape::anchor;
    for tm in &model.models {
        let mut qids: Vec<&str> = vec![tm.qid.as_str()];
        qids.extend(tm.zones.iter().map(|x| x.qid.as_str()));
        qids.extend(tm.assets.iter().map(|x| x.qid.as_str()));
        qids.extend(tm.dataflows.iter().map(|x| x.qid.as_str()));
        qids.extend(tm.attackers.iter().map(|x| x.qid.as_str()));
        qids.extend(tm.assumptions.iter().map(|x| x.qid.as_str()));
        qids.extend(tm.requirements.iter().map(|x| x.qid.as_str()));
        qids.extend(tm.mitigations.iter().map(|x| x.qid.as_str()));
        qids.extend(tm.threats.iter().map(|x| x.qid.as_str()));
        for q in qids {
            let id = format!(" id=\"{}\"", index(q));
            assert_eq!(html.matches(&id).count(), 1, "html anchor of {q}");
            assert_eq!(md.matches(&id).count(), 1, "markdown anchor of {q}");
        }
    }
}

#[test]
fn composed_markdown_has_component_sections_and_mermaid() {
    let md = report(&composed(), ViewKind::Full, ReportFormat::Markdown);
    assert!(md.contains("```mermaid\nflowchart"));
    assert!(md.contains("### <a id=\"SHOP.LOGIN\"></a>Login service (`SHOP.LOGIN`)"));
    assert!(md.contains("### <a id=\"SHOP.PAY\"></a>Payments (`SHOP.PAY`)"));
    assert!(md.contains("## <a id=\"_catalogues\"></a>Imported catalogues"));
    // Grouped by severity, worst group first.
    let crit = md
        .find("<a id=\"_severity-critical\"></a>Critical (1)")
        .unwrap();
    let high = md.find("<a id=\"_severity-high\"></a>High").unwrap();
    assert!(crit < high);
}

#[test]
fn checklist_is_a_task_list_of_requirements_and_assumptions() {
    let md = report(&composed(), ViewKind::Checklist, ReportFormat::Markdown);
    assert!(md.contains("- [ ] <a id=\"SHOP.req.pci\"></a>`SHOP.req.pci` PCI-DSS merchant level 3 compliance (compliance, PCI-DSS 4.0)"));
    assert!(md.contains("- [ ] <a id=\"SHOP.LOGIN.A.argon\"></a>`SHOP.LOGIN.A.argon` Password hashes use Argon2id with per-user salts. Relied on by `SHOP.LOGIN.T.stuffing`"));
    assert!(md.contains("`ORG.A.tls`"));
    assert!(!md.contains("SQL injection"));
}

#[test]
fn public_json_shows_no_analysis_progress() {
    // On the filtered model, coverage and unanswered crossings would point
    // at where withheld threats were.
    let text = report(&composed(), ViewKind::Public, ReportFormat::Json);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(v["questions"].is_null() && v["other"].is_null());
    assert!(v["metrics"]["questions"].is_null());
    assert!(v["metrics"]["boundary_crossings"]["unanswered"].is_null());
    assert!(v["metrics"]["effort"]["open_questions"].is_null());
    assert!(v["metrics"]["components"][0]["questions"].is_null());
    assert_eq!(v["metrics"]["threats"]["unmitigated"], 0);
    assert!(
        v["crossings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["unanswered"].as_array().unwrap().is_empty())
    );
    assert!(
        v["models"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["owner"].is_null())
    );
}

/// Values following `start` up to `end`, e.g. the ids of `id="…"`.
fn values<'a>(text: &'a str, start: &str, end: char) -> Vec<&'a str> {
    text.split(start)
        .skip(1)
        .filter_map(|rest| rest.find(end).map(|i| &rest[..i]))
        .collect()
}

#[test]
fn ids_are_unique_and_every_internal_link_resolves() {
    for model in [reference(), composed()] {
        for kind in ViewKind::ALL {
            for (format, id_start, link_start, link_end) in [
                (ReportFormat::Html, " id=\"", "href=\"#", '"'),
                (ReportFormat::Markdown, "<a id=\"", "](#", ')'),
            ] {
                let text = report(&model, kind, format);
                let ids = values(&text, id_start, '"');
                let unique: std::collections::BTreeSet<&str> = ids.iter().copied().collect();
                assert_eq!(unique.len(), ids.len(), "{kind} {format:?}: duplicate ids");
                for link in values(&text, link_start, link_end) {
                    assert!(unique.contains(link), "{kind} {format:?}: dangling #{link}");
                }
            }
        }
    }
}

// ------------------------------------------ hostile text in every context

/// A model whose text tries every Markdown and HTML escape of issue 10.
const HOSTILE: &str = r##"tmkit: 1
id: H
title: "Root | with pipe"
description: "See [t][x] and [y] here."
scope:
  requirements:
    - { id: R1, title: "Req | <b>pipe</b>", kind: compliance, ref: "[l](javascript:alert(1))", refs: ["ASVS-4.0.3:V2.1.1"] }
  zones:
    - { id: net, title: Internet, trust: 0 }
  assets:
    - id: api
      title: "# API | pipe"
      kind: service
      zone: net
  attackers:
    - { id: anon, title: "1. Anonymous", zone: net }
mitigations:
  - { id: M.shared, title: "Shared | one", kind: design, in_place: true, requirements: [R1] }
threats:
  - id: T1
    title: "Injection | pipe\0nul"
    categories: [integrity]
    targets: [api]
    requirements: [R1]
    refs: [CWE-79, T1059.001]
    ticket: "VULN|42"
    description: "Raw <script>alert(1)</script> <img src=x onerror=alert(1)> ![](https://evil.example/pixel.png) [a](javascript:alert(1)) [b](data:text/html,x) [c](VBScript:x) [ok](https://ok.example/) nul\0here \e[31m"
    mitigations:
      - M.shared
      - { title: "Fix | it", kind: design, in_place: false, ticket: "https://t.example/a|b(c)" }
  - id: T2
    title: Last threat
    categories: [availability]
    targets: [api]
    description: "[x]: javascript:alert(1)\n[y]: https://evil.example/y\n\nDefines x.\n\n   ```\nunclosed fence"
"##;

fn hostile() -> Model {
    let checked = tmkit_model::check_files(&[("threatmodel.yaml", HOSTILE)], "threatmodel.yaml");
    checked
        .model
        .unwrap_or_else(|| panic!("hostile model does not check: {:?}", checked.diagnostics))
}

/// The Markdown report as GitHub reads it (CommonMark + GFM).
fn gfm(md: &str) -> Vec<pulldown_cmark::Event<'_>> {
    use pulldown_cmark::{Options, Parser};
    Parser::new_ext(
        md,
        Options::ENABLE_TABLES
            | Options::ENABLE_STRIKETHROUGH
            | Options::ENABLE_TASKLISTS
            | Options::ENABLE_GFM,
    )
    .collect()
}

/// The rows of every table, as the text of their cells.
fn table_rows(events: &[pulldown_cmark::Event]) -> Vec<Vec<String>> {
    use pulldown_cmark::{Event, Tag, TagEnd};
    let (mut rows, mut in_cell): (Vec<Vec<String>>, bool) = (Vec::new(), false);
    for e in events {
        match e {
            Event::Start(Tag::TableHead | Tag::TableRow) => rows.push(Vec::new()),
            Event::Start(Tag::TableCell) => {
                in_cell = true;
                if let Some(r) = rows.last_mut() {
                    r.push(String::new());
                }
            }
            Event::End(TagEnd::TableCell) => in_cell = false,
            Event::Text(s) | Event::Code(s) if in_cell => {
                if let Some(c) = rows.last_mut().and_then(|r| r.last_mut()) {
                    c.push_str(s);
                }
            }
            _ => {}
        }
    }
    rows
}

fn no_control_character(out: &str) {
    let bad: Vec<char> = out
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\t'))
        .collect();
    assert!(bad.is_empty(), "control characters in the output: {bad:?}");
}

#[test]
fn markdown_report_keeps_hostile_text_as_text() {
    use pulldown_cmark::{Event, Tag};
    let model = hostile();
    for kind in ViewKind::ALL {
        let md = report(&model, kind, ReportFormat::Markdown);
        no_control_character(&md);
        let events = gfm(&md);
        for e in &events {
            match e {
                Event::Html(h) | Event::InlineHtml(h) => {
                    let h = h.trim_end();
                    let anchor = h
                        .strip_prefix("<a id=\"")
                        .and_then(|r| r.strip_suffix("\">"))
                        .is_some_and(|id| {
                            id.bytes()
                                .all(|b| b.is_ascii_alphanumeric() || b"._-%".contains(&b))
                        });
                    assert!(
                        anchor || h == "</a>" || h.starts_with("<!-- Generated by tmkit"),
                        "{kind:?}: raw HTML from user text: {h:?}"
                    );
                }
                Event::Start(Tag::Image { dest_url, .. }) => {
                    panic!("{kind:?}: image {dest_url}")
                }
                Event::Start(Tag::Link { dest_url, .. }) => assert!(
                    dest_url.starts_with('#')
                        || dest_url.starts_with("https://")
                        || dest_url.starts_with("http://"),
                    "{kind:?}: link to {dest_url}"
                ),
                Event::Start(Tag::CodeBlock(_)) => {}
                _ => {}
            }
        }
        let links: Vec<String> = events
            .iter()
            .filter_map(|e| match e {
                Event::Start(Tag::Link { dest_url, .. }) if !dest_url.starts_with('#') => {
                    Some(dest_url.to_string())
                }
                _ => None,
            })
            .collect();
        assert!(
            !links.iter().any(|l| l.contains("evil")),
            "{kind:?}: a definition in one description made a link elsewhere: {links:?}"
        );
        if kind == ViewKind::Compliance {
            // The requirement's `|` and tags stay text in its cell; its
            // free-text reference makes no link.
            let rows = table_rows(&events);
            assert!(
                rows.iter()
                    .any(|r| r.len() == 7 && r[1] == "Req | <b>pipe</b>"),
                "{rows:?}"
            );
            assert!(links.is_empty(), "{links:?}");
            continue;
        }
        if matches!(kind, ViewKind::Checklist | ViewKind::Public) {
            continue;
        }
        // The fence left open in the last threat's description swallows
        // nothing: the next section's heading still follows.
        let headings: Vec<String> = events
            .split(|e| matches!(e, Event::Start(Tag::Heading { .. })))
            .skip(1)
            .map(|h| {
                h.iter()
                    .take_while(|e| !matches!(e, Event::End(_)))
                    .filter_map(|e| match e {
                        Event::Text(s) | Event::Code(s) => Some(s.to_string()),
                        _ => None,
                    })
                    .collect()
            })
            .collect();
        let next = if kind == ViewKind::Full {
            "Security controls"
        } else {
            ""
        };
        assert!(
            headings.last().is_some_and(|h| h.contains(next))
                && headings
                    .iter()
                    .any(|h| h.contains("T1") && h.contains("Injection | pipe\u{fffd}nul")),
            "{kind:?}: a heading is gone: {headings:?}"
        );
        // `|` in a ticket and a title stays in its cell.
        let rows = table_rows(&events);
        assert!(
            rows.iter().any(|r| r == &["Ticket", "VULN|42"]),
            "{kind:?}: {rows:?}"
        );
        assert!(
            rows.iter()
                .any(|r| r.len() == 6 && r[1] == "Injection | pipe\u{fffd}nul"),
            "{kind:?}: {rows:?}"
        );
        assert!(
            links.contains(&"https://ok.example/".to_string()),
            "{links:?}"
        );
        assert!(
            links.contains(&"https://t.example/a%7Cb%28c%29".to_string()),
            "{kind:?}: {links:?}"
        );
    }
}

#[test]
fn html_report_keeps_hostile_text_as_text() {
    let model = hostile();
    for kind in ViewKind::ALL {
        let html = report(&model, kind, ReportFormat::Html);
        no_control_character(&html);
        let lower = html.to_ascii_lowercase();
        for tag in lower.split('<').skip(1) {
            let tag = tag.split('>').next().unwrap_or("");
            let name = tag.split_whitespace().next().unwrap_or("");
            assert!(!matches!(name, "img" | "iframe"), "{kind:?}: <{tag}>");
            for attr in tag.split_whitespace().skip(1) {
                assert!(!attr.starts_with("on"), "{kind:?}: handler in <{tag}>");
                for bad in ["javascript:", "data:", "vbscript:", "https://evil"] {
                    assert!(
                        !attr.starts_with(&format!("href=\"{bad}"))
                            && !attr.starts_with(&format!("src=\"{bad}")),
                        "{kind:?}: <{tag}>"
                    );
                }
            }
        }
        assert_eq!(
            lower.matches("<script").count(),
            1,
            "{kind:?}: only the report's own script"
        );
    }
    let html = report(&model, ViewKind::Full, ReportFormat::Html);
    assert!(
        html.contains("Raw &lt;script&gt;alert(1)&lt;/script&gt;"),
        "raw HTML shown as text"
    );
    assert!(html.contains("href=\"https://ok.example/\""));
    // Weakness references link to MITRE, built from their numbers.
    assert!(html.contains(
        "<a href=\"https://cwe.mitre.org/data/definitions/79.html\" rel=\"noopener noreferrer nofollow\">CWE-79</a>"
    ));
    assert!(html.contains("href=\"https://attack.mitre.org/techniques/T1059/001/\""));
    let md = report(&model, ViewKind::Full, ReportFormat::Markdown);
    assert!(md.contains("CWE-79, T1059.001") && !md.contains("mitre.org"));
    let html = report(&model, ViewKind::Compliance, ReportFormat::Html);
    assert!(html.contains("Req | &lt;b&gt;pipe&lt;/b&gt;"), "{html}");
    assert!(html.contains("[l](javascript:alert(1))") && !html.contains("href=\"javascript"));
}

#[test]
fn report_metrics_are_the_metrics_command_json() {
    // One Metrics type: the report's `metrics` block is, byte for byte, the
    // object `tmkit metrics --format json` prints.
    use tmkit_render::metrics::{MetricsFormat, MetricsOptions};
    for model in [reference(), composed()] {
        let text = report(&model, ViewKind::Full, ReportFormat::Json);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let analysis = tmkit_analysis::Analysis::new(&model);
        let options = MetricsOptions::new(MetricsFormat::Json);
        let metrics = tmkit_render::metrics::render(&analysis, &model, &options);
        let metrics: serde_json::Value = serde_json::from_str(&metrics).unwrap();
        assert_eq!(v["metrics"], metrics);
        assert!(metrics["questions"]["total"].as_u64().unwrap() > 0);
    }
}

/// A writer that records the size of each write it is given.
#[derive(Default)]
struct Chunks(Vec<usize>);

impl std::io::Write for Chunks {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.push(buf.len());
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn every_report_is_written_as_it_is_produced() {
    let (model, _) = diagram_support::load_str(&diagram_support::generated(300, 400));
    let view = View::new(&model, ViewKind::Full);
    let options = ReportOptions::new();
    for format in ReportFormat::ALL {
        let mut chunks = Chunks::default();
        tmkit_render::report::write(&view, format, &options, &mut chunks).unwrap();
        let total: usize = chunks.0.iter().sum();
        let text = render(&view, format, &options);
        // The same bytes as the rendered text, never held whole: no write
        // carries more than one buffer (64 KiB) past the one block printed
        // whole, the diagram.
        assert_eq!(total, text.len(), "{format:?}");
        let diagram = match format {
            ReportFormat::Markdown => DiagramFormat::Mermaid,
            ReportFormat::Html => DiagramFormat::Svg,
            _ => DiagramFormat::Dot,
        };
        let diagram = match format {
            ReportFormat::Json => 0,
            _ => diagram::render(&model, &view.analysis, diagram, &DiagramOptions::new()).len(),
        };
        let largest = chunks.0.iter().copied().max().unwrap_or(0);
        assert!(total > 300_000 + diagram, "{format:?}: {total}");
        assert!(
            largest < diagram + 80 * 1024,
            "{format:?}: largest write {largest} of {total} bytes"
        );
    }
}

#[test]
fn reports_of_a_view_without_matrix_are_the_same() {
    // `tmkit report` builds its view without the matrix tables, which the
    // Markdown and HTML reports compute one at a time as they write them
    // and the JSON report never uses: every report must be the same as
    // from a whole view.
    for model in every_example() {
        for kind in ViewKind::ALL {
            let whole = View::new(&model, kind);
            let lean = View::without_matrix(model.clone(), kind);
            assert!(lean.matrix.is_empty());
            assert_eq!(whole.matrix.is_empty(), !whole.sections.analysis);
            assert_eq!(lean.matrix_tables().count(), whole.matrix.len());
            let options = ReportOptions::new();
            for format in ReportFormat::ALL {
                assert_eq!(
                    render(&lean, format, &options),
                    render(&whole, format, &options),
                    "{kind} {format:?}"
                );
            }
        }
    }
}
