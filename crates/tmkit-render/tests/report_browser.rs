//! Browser test: the HTML reports open in headless Chromium (Debian's
//! `chromium`, installed by `.ci/run`) and render: the threat table is
//! there, the script ran (it fills the threat count), the page is not blank,
//! and the console is silent (a blocked resource or script, a CSP violation
//! or a script error would all print there). A model with script-injection
//! payloads in every text field is rendered in every view; no payload may
//! run. Without Chromium the test prints `SKIPPED: ...` and passes, or fails
//! under `TMKIT_REQUIRE_TOOLS=1` (see `tmkit_testtools`).

mod diagram_support;
use diagram_support::example;
use std::path::Path;
use std::process::Command;
use tmkit_analysis::views::{View, ViewKind};
use tmkit_model::Model;
use tmkit_render::report::{ReportFormat, ReportOptions, render};

/// Payloads that set a marker attribute or the title if they ever run.
const PAYLOAD: &str = r#"<script>document.title='PWNED'</script><img src=x onerror="document.body.setAttribute('data-pwned','img')">"><svg onload="document.body.setAttribute('data-pwned','svg')"></svg>'><iframe src="javascript:parent.document.body.setAttribute('data-pwned','iframe')"></iframe><a href="javascript:document.body.setAttribute('data-pwned','a')">x</a>"#;
const MD_PAYLOAD: &str = "[click](javascript:document.body.setAttribute('data-pwned','md')) <javascript:alert(1)> ![i](javascript:alert(1))";
const URL_PAYLOAD: &str = "javascript:document.body.setAttribute('data-pwned','ticket')";

fn q(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn xss_model() -> Model {
    let p = q(PAYLOAD);
    let d = q(&format!("{PAYLOAD}\n\n{MD_PAYLOAD}"));
    let u = q(URL_PAYLOAD);
    let yaml = format!(
        r#"tmkit: 1
id: XSS
title: {p}
version: {p}
owner: {p}
authors: [{p}]
description: {d}
scope:
  abstraction:
    level: {p}
    taxonomy: STRIDE
    notes: {p}
  requirements:
    - {{ id: r1, title: {p}, description: {d}, kind: {p}, ref: {p} }}
  zones:
    - {{ id: z0, title: {p}, description: {d}, trust: 0 }}
    - {{ id: z1, title: {p}, trust: 2 }}
  assets:
    - {{ id: a0, title: {p}, description: {d}, kind: external, zone: z0 }}
    - {{ id: a1, title: {p}, kind: service, zone: z1 }}
    - {{ id: a2, title: {p}, kind: data, zone: z1, in_scope: false, reason: {p} }}
  dataflows:
    - {{ id: f1, title: {p}, description: {d}, from: a0, to: a1, protocol: {p}, carries: [a2] }}
    - {{ id: f2, title: {p}, from: a1, to: a0, in_scope: false, reason: {p} }}
  attackers:
    - {{ id: x1, title: {p}, description: {d}, zone: z0 }}
    - {{ id: x2, title: {p}, in_scope: false, reason: {p} }}
  assumptions:
    - {{ id: as1, title: {p}, description: {d} }}
analysis:
  - {{ target: a1, category: repudiation, verdict: no-threat, rationale: {p} }}
mitigations:
  - {{ id: m1, title: {p}, description: {d}, kind: operational, operator: {p}, ticket: {u}, in_place: true }}
threats:
  - id: t1
    title: {p}
    description: {d}
    categories: [tampering]
    targets: [f1]
    attackers: [x1]
    assumptions: [as1]
    cvss: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H
    ticket: {u}
    mitigations:
      - m1
      - {{ title: {p}, description: {d}, kind: design, in_place: false, ticket: {u} }}
  - id: t2
    title: {p}
    description: {d}
    categories: [spoofing]
    targets: [a1]
    mitigations: [m1]
  - id: t3
    title: {p}
    categories: [other]
    targets: [a1]
    mitigations:
      - {{ title: {p}, kind: risk-acceptance, in_place: true, operator: {p} }}
"#
    );
    let checked = tmkit_model::check_str(&yaml);
    checked
        .model
        .unwrap_or_else(|| panic!("xss model does not check: {:#?}", checked.diagnostics))
}

struct Page {
    dom: String,
    console: Vec<String>,
}

fn open(chromium: &Path, file: &Path, profile: &Path, extra: &[&str]) -> Page {
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--no-first-run",
            "--no-default-browser-check",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", file.display()))
        .output()
        .expect("chromium runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    Page {
        dom: String::from_utf8_lossy(&out.stdout).into_owned(),
        console: stderr
            .lines()
            .filter(|l| l.contains(":CONSOLE"))
            .map(str::to_string)
            .collect(),
    }
}

/// Start tags of the serialised DOM (text content is serialised with `<`
/// escaped, so only real elements start with `<letter`).
fn tags(dom: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = dom;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        if rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
            let end = rest.find('>').unwrap_or(rest.len());
            out.push(&rest[..end]);
        }
    }
    out
}

fn check_page(name: &str, page: &Page, has_threats: bool) {
    assert!(
        page.console.is_empty(),
        "{name}: console messages: {:#?}",
        page.console
    );
    assert!(
        page.dom.contains("<main>"),
        "{name}: no DOM dumped: {}",
        page.dom
    );
    assert!(!page.dom.contains("data-pwned=\""), "{name}: a payload ran");
    assert!(!page.dom.contains("<title>PWNED"), "{name}: a payload ran");
    for tag in tags(&page.dom) {
        let name_end = tag.find([' ', '/', '\n']).unwrap_or(tag.len());
        let tag_name = &tag[..name_end];
        assert!(
            !matches!(
                tag_name,
                "img" | "iframe" | "object" | "embed" | "link" | "base" | "form"
            ),
            "{name}: unexpected element <{tag}>"
        );
        let lower = tag.to_ascii_lowercase();
        assert!(
            !lower.contains("javascript:"),
            "{name}: javascript URL in <{tag}>"
        );
        for attr in lower.split_whitespace().skip(1) {
            assert!(
                !(attr.starts_with("on") && attr.contains('=')),
                "{name}: event handler in <{tag}>"
            );
        }
    }
    assert_eq!(
        page.dom.matches("<script").count(),
        1,
        "{name}: only the report's own script"
    );
    if has_threats {
        assert!(
            page.dom.contains("id=\"threat-table\""),
            "{name}: no threat table"
        );
        // The script ran (CSP hash accepted): it filled in the count.
        let count = page
            .dom
            .split("id=\"threat-count\">")
            .nth(1)
            .map(|s| &s[..s.find('<').unwrap_or(0)])
            .unwrap_or_default();
        assert!(
            count.ends_with(" threats") && count.contains(" of "),
            "{name}: the script did not run (count {count:?})"
        );
    }
}

#[test]
fn html_reports_render_in_chromium_and_no_payload_runs() {
    let Some(chromium) = tmkit_testtools::require(
        &tmkit_testtools::CHROMIUM,
        "html_reports_render_in_chromium_and_no_payload_runs",
    ) else {
        return;
    };
    let chromium = chromium.as_path();
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile");
    let models = [
        ("reference", example("reference/threatmodel.yaml")),
        ("composed", example("composed/threatmodel.yaml")),
        ("xss", xss_model()),
    ];
    for (name, model) in &models {
        for kind in ViewKind::ALL {
            let view = View::new(model, kind);
            let html = render(&view, ReportFormat::Html, &ReportOptions::new());
            let file = dir.path().join(format!("{name}-{kind}.html"));
            std::fs::write(&file, &html).unwrap();
            let page = open(chromium, &file, &profile, &["--dump-dom"]);
            let has_threats = kind != ViewKind::Checklist && !view.threats.is_empty();
            check_page(&format!("{name} {kind}"), &page, has_threats);
        }
    }
    // The page is not blank: a screenshot of a laid-out report is a large,
    // varied image (a blank page compresses to a few kilobytes).
    let file = dir.path().join("composed-full.html");
    let png = dir.path().join("shot.png");
    let page = open(
        chromium,
        &file,
        &profile,
        &[
            "--hide-scrollbars",
            "--window-size=1280,1600",
            &format!("--screenshot={}", png.display()),
        ],
    );
    assert!(page.console.is_empty(), "{:#?}", page.console);
    let size = std::fs::metadata(&png).map(|m| m.len()).unwrap_or(0);
    assert!(size > 40_000, "screenshot of {size} bytes: blank page?");
}

/// Measures the diagram of a report in the browser: the smallest text as
/// drawn (font size times the SVG's scale on screen), then zooms in with the
/// button, measures again, and resets with the `0` key.
const DIAGRAM_CHECK: &str = r#"
function smallest() {
  let min = Infinity, n = 0;
  document.querySelectorAll('.diagram-view svg text, .diagram-view svg tspan').forEach(t => {
    if (!t.textContent.trim()) return;
    const fs = parseFloat(getComputedStyle(t).fontSize);
    const m = t.getScreenCTM();
    const px = fs * Math.hypot(m.a, m.b);
    n++;
    if (px < min) min = px;
  });
  return [min, n];
}
const view = document.querySelector('.diagram-view');
const svg = view.querySelector('svg');
const tools = document.querySelector('.diagram-tools');
const [before, texts] = smallest();
const w0 = svg.getAttribute('width');
document.querySelector('[data-zoom="in"]').click();
const [zoomed] = smallest();
const w1 = svg.getAttribute('width');
const label = tools.querySelector('.diagram-scale').textContent;
view.dispatchEvent(new KeyboardEvent('keydown', { key: '0', bubbles: true }));
const w2 = svg.getAttribute('width');
document.body.setAttribute('data-result', JSON.stringify({
  before, texts, zoomed, w0, w1, w2, label, toolsShown: !tools.hidden,
  viewWidth: view.clientWidth, focusable: view.tabIndex === 0,
}));
"#;

fn w0_of(r: &serde_json::Value) -> f64 {
    r["w0"].as_str().and_then(|w| w.parse().ok()).expect("w0")
}

/// The diagram of the HTML report is readable at a 1280 px wide window
/// (no text under 11 px; it is not scaled down to fit) and zooms.
#[test]
fn html_report_diagram_is_readable_and_zooms() {
    let Some(chromium) = tmkit_testtools::require(
        &tmkit_testtools::CHROMIUM,
        "html_report_diagram_is_readable_and_zooms",
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile");
    // The generated model draws wider than the page: shrunk to fit, its
    // text would fall far below 11 px.
    let (wide, _) = diagram_support::load_str(&diagram_support::generated(60, 90));
    let models = [
        ("reference", example("reference/threatmodel.yaml")),
        ("composed", example("composed/threatmodel.yaml")),
        ("generated", wide),
    ];
    for (name, model) in models {
        let view = View::new(&model, ViewKind::Full);
        let html = render(&view, ReportFormat::Html, &ReportOptions::new());
        // The report itself runs with its CSP (checked above); this copy
        // drops it so that the measuring script may run after the report's.
        let start = html
            .find("<meta http-equiv=\"Content-Security-Policy\"")
            .expect("a CSP");
        let end = start + html[start..].find('>').expect("end of meta") + 1;
        let mut page = format!("{}{}", &html[..start], &html[end..]);
        let at = page.rfind("</body>").expect("a body");
        page.insert_str(at, &format!("<script>{DIAGRAM_CHECK}</script>"));
        let file = dir.path().join(format!("{name}-diagram.html"));
        std::fs::write(&file, &page).unwrap();
        let out = open(
            &chromium,
            &file,
            &profile,
            &["--window-size=1280,900", "--dump-dom"],
        );
        assert!(out.console.is_empty(), "{name}: {:#?}", out.console);
        let raw = out
            .dom
            .split("data-result=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or_else(|| panic!("{name}: the check did not run: {}", out.dom))
            .replace("&quot;", "\"");
        let r: serde_json::Value = serde_json::from_str(&raw).expect("JSON result");
        let num = |k: &str| r[k].as_f64().unwrap_or_else(|| panic!("{k} in {r}"));
        let attr = |k: &str| {
            r[k].as_str()
                .unwrap_or_else(|| panic!("{k} in {r}"))
                .to_string()
        };
        assert!(num("texts") > 10.0, "{name}: {r}");
        if name == "generated" {
            assert!(w0_of(&r) > num("viewWidth"), "{name} fits the page: {r}");
        }
        assert!(num("before") >= 11.0 - 1e-6, "{name}: smallest text {r}");
        assert!(
            r["toolsShown"] == true && r["focusable"] == true,
            "{name}: {r}"
        );
        let (w0, w1, w2): (f64, f64, f64) = (
            attr("w0").parse().unwrap(),
            attr("w1").parse().unwrap(),
            attr("w2").parse().unwrap(),
        );
        assert!((w1 / w0 - 1.25).abs() < 0.01, "{name}: zoom in {r}");
        assert!(
            (num("zoomed") / num("before") - 1.25).abs() < 0.01,
            "{name}: {r}"
        );
        assert_eq!(attr("label"), "125%", "{name}");
        assert_eq!(w2, w0, "{name}: 0 resets the size");
    }
}
