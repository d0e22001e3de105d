//! The PDF report, read back as a reader would: its text extracted with
//! poppler's `pdftotext` (page by page), its bookmarks with `pdftohtml
//! -xml`, its page count with `pdfinfo`. These need poppler-utils: a
//! missing program skips visibly, or fails under `TMKIT_REQUIRE_TOOLS=1`.
//! Determinism and hostile text need no program.

mod diagram_support;
use diagram_support::example;
use std::path::{Path, PathBuf};
use std::process::Command;
use tmkit_analysis::views::{View, ViewKind};
use tmkit_model::Model;
use tmkit_render::pdf;
use tmkit_render::report::{ReportFormat, ReportOptions, render};

const VIEWS: [ViewKind; 5] = [
    ViewKind::Full,
    ViewKind::Unmitigated,
    ViewKind::Public,
    ViewKind::Checklist,
    ViewKind::Compliance,
];

fn every_example() -> Vec<(String, Model)> {
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
        .into_iter()
        .map(|n| {
            let m = example(&format!("{n}/threatmodel.yaml"));
            (n, m)
        })
        .collect()
}

fn pdf_of(model: &Model, kind: ViewKind, options: &ReportOptions) -> Vec<u8> {
    pdf::render(&View::new(model, kind), options).expect("pdf")
}

/// Poppler's tools, found next to `pdftotext`.
struct Poppler {
    dir: PathBuf,
}

impl Poppler {
    fn find(test: &str) -> Option<Poppler> {
        let p = tmkit_testtools::require(&tmkit_testtools::PDFTOTEXT, test)?;
        Some(Poppler {
            dir: p.parent().unwrap_or(Path::new("/")).to_path_buf(),
        })
    }

    fn run(&self, program: &str, args: &[&str], pdf: &[u8]) -> String {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("report.pdf");
        std::fs::write(&file, pdf).unwrap();
        let mut cmd = Command::new(self.dir.join(program));
        cmd.args(args).arg(&file);
        if program != "pdfimages" {
            // To stdout (`pdfimages -list` prints there by itself).
            cmd.arg("-");
        }
        let out = cmd.output().unwrap_or_else(|e| panic!("{program}: {e}"));
        assert!(
            out.status.success(),
            "{program} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 text")
    }

    /// The text of each page, laid out as on the page then with its
    /// whitespace collapsed (pdftotext separates pages by form feeds).
    fn pages(&self, pdf: &[u8]) -> Vec<String> {
        let text = self.run("pdftotext", &["-layout", "-enc", "UTF-8"], pdf);
        let mut pages: Vec<String> = text.split('\u{c}').map(collapse).collect();
        if pages.last().is_some_and(|p| p.is_empty()) {
            pages.pop();
        }
        pages
    }

    /// The page count pdfinfo reports.
    fn page_count(&self, pdf: &[u8]) -> usize {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("report.pdf");
        std::fs::write(&file, pdf).unwrap();
        let out = Command::new(self.dir.join("pdfinfo"))
            .arg(&file)
            .output()
            .expect("pdfinfo");
        let info = String::from_utf8_lossy(&out.stdout).into_owned();
        info.lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("no page count in {info}"))
    }

    /// The bookmarks: (depth, page, title), in order.
    fn bookmarks(&self, pdf: &[u8]) -> Vec<(usize, usize, String)> {
        let xml = self.run("pdftohtml", &["-xml", "-stdout", "-i", "-q"], pdf);
        let start = xml.find("<outline>").expect("the PDF has an outline");
        let mut depth = 0;
        let mut out = Vec::new();
        let mut rest = &xml[start..];
        while let Some(i) = rest.find('<') {
            rest = &rest[i..];
            if rest.starts_with("<outline>") {
                depth += 1;
            } else if rest.starts_with("</outline>") {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            } else if let Some(item) = rest.strip_prefix("<item page=\"") {
                let q = item.find('"').unwrap();
                let page = item[..q].parse().unwrap();
                let body = &item[q + 2..];
                let end = body.find("</item>").unwrap();
                let title = body[..end]
                    .replace("&amp;", "&")
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&#34;", "\"");
                out.push((depth, page, title));
            }
            rest = &rest[1..];
        }
        out
    }
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect()
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The level-2 and level-3 headings of the Markdown report of the same
/// view: the PDF prints the same outline.
fn markdown_headings(view: &View) -> Vec<String> {
    let md = render(view, ReportFormat::Markdown, &ReportOptions::new());
    md.lines()
        .filter(|l| l.starts_with("## ") || l.starts_with("### "))
        .filter_map(|l| l.split("</a>").nth(1))
        .map(|t| t.replace(['\\', '`'], ""))
        .filter(|t| t != "Contents")
        .map(|t| {
            // The Markdown names the analysis section "Analysis".
            if t == "Analysis" {
                "Analysis matrix".to_string()
            } else {
                t
            }
        })
        .collect()
}

#[test]
fn every_view_of_every_example_reads_back_with_its_headings_ids_and_marking() {
    let Some(poppler) = Poppler::find("every_view_of_every_example_reads_back") else {
        return;
    };
    let options = ReportOptions::new().with_date(Some("2026-12-01".into()));
    for (name, model) in every_example() {
        for kind in VIEWS {
            let view = View::new(&model, kind);
            let bytes = pdf::render(&view, &options).unwrap();
            let ctx = format!("{name} {kind}");
            assert!(bytes.starts_with(b"%PDF-"), "{ctx}");
            let pages = poppler.pages(&bytes);
            let n = poppler.page_count(&bytes);
            assert_eq!(pages.len(), n, "{ctx}: pdftotext and pdfinfo disagree");
            assert!(n >= 3, "{ctx}: cover, contents and a section at least");
            // The marking and the page number on every page.
            for (i, page) in pages.iter().enumerate() {
                assert!(
                    page.contains(kind.classification()),
                    "{ctx}: page {} lacks the marking: {page}",
                    i + 1
                );
                assert!(
                    page.contains(&format!("Page {} of {n}", i + 1)),
                    "{ctx}: page {} lacks its number: {page}",
                    i + 1
                );
            }
            // The cover: title, model, version, date.
            let root = view.model.root();
            let cover = &pages[0];
            assert!(cover.contains(kind.title()), "{ctx}: {cover}");
            assert!(cover.contains(&collapse(&root.title)), "{ctx}: {cover}");
            assert!(cover.contains("Date 2026-12-01"), "{ctx}: {cover}");
            if let Some(v) = &root.version {
                assert!(cover.contains(&format!("Version {v}")), "{ctx}: {cover}");
            }
            assert!(pages[1].starts_with(kind.classification()), "{ctx}");
            assert!(pages[1].contains("Contents"), "{ctx}: {}", pages[1]);
            // Every heading of the outline, every threat id of the view.
            let all = pages.join(" ");
            // Compared without whitespace: pdftotext may add a space where
            // the font changes (`(` then a monospaced id).
            let squashed = squash(&all);
            for h in markdown_headings(&view) {
                assert!(
                    squashed.contains(&squash(&h)),
                    "{ctx}: heading {h:?} missing"
                );
            }
            for t in &view.threats {
                assert!(
                    all.contains(t.qid.as_str()),
                    "{ctx}: threat {} missing",
                    t.qid
                );
                assert!(all.contains(&collapse(&t.title)), "{ctx}: {}", t.title);
            }
            for item in &view.checklist {
                assert!(all.contains(item.qid.as_str()), "{ctx}: {}", item.qid);
            }
            // The bookmarks: the cover, the contents, each section on the
            // page its heading is printed on, each threat below.
            let marks = poppler.bookmarks(&bytes);
            assert_eq!(marks[0], (1, 1, collapse(&root.title)), "{ctx}");
            assert_eq!(marks[1], (1, 2, "Contents".to_string()), "{ctx}");
            for (depth, page, title) in &marks {
                assert!(*page >= 1 && *page <= n, "{ctx}: {title} on page {page}");
                if *depth == 1 {
                    assert!(
                        pages[page - 1].contains(&collapse(title)),
                        "{ctx}: bookmark {title:?} points at page {page}, which lacks it"
                    );
                }
            }
            for t in &view.threats {
                assert!(
                    marks
                        .iter()
                        .any(|(d, _, title)| *d == 3 && title.starts_with(t.qid.as_str())),
                    "{ctx}: no bookmark for {}",
                    t.qid
                );
            }
            // The contents list each section with the page it starts on.
            for (depth, page, title) in marks.iter().skip(2).filter(|m| m.0 == 1) {
                assert!(
                    pages[1].contains(&format!("{title} {page}")),
                    "{ctx}: contents lack {title:?} .. {page}: {}",
                    pages[1]
                );
                let _ = depth;
            }
        }
    }
}

#[test]
fn the_public_pdf_withholds_what_the_public_view_withholds() {
    let Some(poppler) = Poppler::find("the_public_pdf_withholds") else {
        return;
    };
    let yaml = r#"tmkit: 1
id: R
title: Root
owner: SECRET owner
scope:
  zones:
    - { id: net, title: Internet, trust: 0 }
    - { id: dc, title: Data centre, trust: 3 }
  assets:
    - { id: client, title: Client, kind: external, zone: net }
    - { id: api, title: Public API, kind: service, zone: dc }
  dataflows:
    - { id: call, title: API call, from: client, to: api }
  attackers:
    - { id: anon, title: Anonymous, zone: net }
mitigations:
  - { id: M.tls, title: TLS everywhere, kind: design, in_place: true }
  - { id: M.secret, title: SECRET control, kind: design, in_place: true, confidential: true }
  - { id: M.ops, title: Monitoring, kind: operational, operator: SECRET soc, ticket: SECRET-9, in_place: true }
threats:
  - id: T.sniff
    title: Sniffing the call
    categories: [confidentiality]
    targets: [call]
    mitigations: [M.tls]
  - id: SECRET-T1
    title: SECRET threat hidden by its control
    categories: [integrity]
    targets: [call]
    mitigations: [M.secret]
  - id: SECRET-T2
    title: SECRET open threat
    description: SECRET details of an open hole
    categories: [availability]
    targets: [api]
  - id: T.dos
    title: Flooding
    categories: [availability]
    targets: [call]
    ticket: SECRET-10
    mitigations: [M.ops]
"#;
    let checked = tmkit_model::check_files(&[("threatmodel.yaml", yaml)], "threatmodel.yaml");
    let model = checked
        .model
        .unwrap_or_else(|| panic!("{:#?}", checked.diagnostics));
    let full = poppler.pages(&pdf_of(&model, ViewKind::Full, &ReportOptions::new()));
    let full = full.join(" ");
    // The test would prove nothing if the full PDF did not show them.
    for s in [
        "SECRET-T2",
        "SECRET open threat",
        "SECRET owner",
        "SECRET soc",
    ] {
        assert!(full.contains(s), "the full PDF should show {s}");
    }
    let public = pdf_of(&model, ViewKind::Public, &ReportOptions::new());
    let pages = poppler.pages(&public);
    let text = pages.join(" ");
    assert!(
        !text.contains("SECRET"),
        "withheld text in the public PDF: {text}"
    );
    for shown in [
        "R.T.sniff",
        "Sniffing the call",
        "TLS everywhere",
        "R.T.dos",
    ] {
        assert!(text.contains(shown), "{shown} should be shown: {text}");
    }
    for page in &pages {
        assert!(page.contains(ViewKind::Public.classification()));
    }
    let marks = poppler.bookmarks(&public);
    assert!(
        marks.iter().all(|(_, _, t)| !t.contains("SECRET")),
        "{marks:?}"
    );
}

#[test]
fn hostile_text_is_drawn_with_the_replacement_glyph_and_long_words_wrap() {
    let long = "A".repeat(3000);
    let yaml = format!(
        r#"tmkit: 1
id: H
title: "Hostile \u0007 \u202Egnp.exe  中文 😀 עברית"
description: "{long}"
scope:
  zones:
    - {{ id: net, title: Internet, trust: 0 }}
  assets:
    - {{ id: a, title: "{long}", kind: service, zone: net }}
    - {{ id: b, title: "x\u0000y", kind: datastore, zone: net }}
  dataflows:
    - {{ id: f, title: "flow 中", from: a, to: b }}
  attackers:
    - {{ id: anon, title: Anonymous, zone: net }}
threats:
  - id: T1
    title: "Tab\there and ☃ snow"
    categories: [integrity]
    targets: [f]
"#
    );
    let checked =
        tmkit_model::check_files(&[("threatmodel.yaml", yaml.as_str())], "threatmodel.yaml");
    let model = checked
        .model
        .unwrap_or_else(|| panic!("{:#?}", checked.diagnostics));
    for kind in VIEWS {
        let bytes = pdf_of(&model, kind, &ReportOptions::new());
        assert!(bytes.starts_with(b"%PDF-"));
    }
    let Some(poppler) = Poppler::find("hostile_text_reads_back") else {
        return;
    };
    let bytes = pdf_of(&model, ViewKind::Full, &ReportOptions::new());
    let text = poppler.pages(&bytes).join(" ");
    // CJK, emoji, Hebrew, the snowman and the controls are not in the
    // embedded fonts (or never drawn): each became U+FFFD.
    for gone in ['中', '😀', 'ע', '☃', '\u{7}', '\u{202E}'] {
        assert!(!text.contains(gone), "{gone:?} drawn");
    }
    assert!(text.contains("Hostile \u{FFFD} \u{FFFD}gnp.exe"), "{text}");
    assert!(text.contains("Tab here and \u{FFFD} snow"), "{text}");
    // The document's title property too.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.pdf");
    std::fs::write(&file, &bytes).unwrap();
    let out = Command::new(poppler.dir.join("pdfinfo"))
        .args(["-enc", "UTF-8"])
        .arg(&file)
        .output()
        .expect("pdfinfo");
    let info = String::from_utf8_lossy(&out.stdout);
    let title = info.lines().find(|l| l.starts_with("Title:")).unwrap_or("");
    assert!(
        title.ends_with("Threat model: Hostile \u{FFFD} \u{FFFD}gnp.exe  \u{FFFD}\u{FFFD} \u{FFFD} \u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}"),
        "{title:?}"
    );
    // The 3000-letter word is all there, broken across lines.
    let letters: usize = text
        .split(|c: char| c != 'A')
        .filter(|w| w.len() > 20)
        .map(str::len)
        .sum();
    assert!(letters >= 2 * 3000, "{letters}");
}

#[test]
fn the_same_model_gives_byte_identical_pdfs() {
    for (name, model) in every_example() {
        for kind in VIEWS {
            for date in [None, Some("2026-12-01".to_string())] {
                let options = ReportOptions::new().with_date(date.clone());
                let a = pdf_of(&model, kind, &options);
                let b = pdf_of(&model, kind, &options);
                assert!(a == b, "{name} {kind} {date:?}: two renders differ");
            }
        }
        // The date is the only input beside the model: it changes the bytes.
        let a = pdf_of(&model, ViewKind::Full, &ReportOptions::new());
        let b = pdf_of(
            &model,
            ViewKind::Full,
            &ReportOptions::new().with_date(Some("2026-12-01".into())),
        );
        assert!(a != b, "{name}");
    }
}

#[test]
fn the_diagram_is_vector_graphics_and_its_labels_are_text() {
    let Some(poppler) = Poppler::find("the_diagram_is_vector_graphics") else {
        return;
    };
    let model = example("reference/threatmodel.yaml");
    let bytes = pdf_of(&model, ViewKind::Full, &ReportOptions::new());
    let pages = poppler.pages(&bytes);
    // The contents (page 2) name it too.
    let page = pages
        .iter()
        .skip(2)
        .find(|p| p.contains("Data-flow diagram"))
        .expect("a diagram page");
    // Labels of the native SVG diagram are searchable text in the PDF.
    for label in ["Open internet", "Edit service", "SQL database system"] {
        assert!(page.contains(label), "{label}: {page}");
    }
    // No raster image in the document.
    let images = poppler.run("pdfimages", &["-list"], &bytes);
    assert_eq!(images.lines().count(), 2, "images found: {images}");
}

#[test]
fn a_diagram_wider_than_the_body_gets_a_landscape_page() {
    let Some(poppler) = Poppler::find("a_diagram_wider_than_the_body_gets_a_landscape_page") else {
        return;
    };
    // The composed example's diagram is several times wider than high.
    let model = example("composed/threatmodel.yaml");
    let bytes = pdf_of(&model, ViewKind::Full, &ReportOptions::new());
    let pages = poppler.pages(&bytes);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.pdf");
    std::fs::write(&file, &bytes).unwrap();
    let out = Command::new(poppler.dir.join("pdfinfo"))
        .args(["-f", "1", "-l", &pages.len().to_string()])
        .arg(&file)
        .output()
        .expect("pdfinfo");
    let info = String::from_utf8_lossy(&out.stdout);
    let sizes: Vec<&str> = info
        .lines()
        .filter(|l| l.starts_with("Page ") && l.contains(" size:"))
        .map(|l| l.split("size:").nth(1).unwrap_or("").trim())
        .collect();
    assert_eq!(sizes.len(), pages.len(), "{info}");
    for (i, (size, text)) in sizes.iter().zip(&pages).enumerate() {
        let diagram = i >= 2 && text.contains("Data-flow diagram");
        let want = if diagram {
            "841.89 x 595.28"
        } else {
            "595.28 x 841.89"
        };
        assert!(size.starts_with(want), "page {}: {size} ({text})", i + 1);
    }
    assert!(sizes.iter().any(|s| s.starts_with("841.89")), "{info}");
}

/// A YAML double-quoted scalar holding `s` exactly (controls as `\uXXXX`).
fn yaml_quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || c == '\u{7f}' || ('\u{80}'..='\u{9f}').contains(&c) => {
                out.push_str(&format!("\\u{:04X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 24, .. Default::default() })]

    /// Any text in titles and descriptions (any printable character, line
    /// breaks, long words) renders to a PDF without a panic.
    #[test]
    fn any_text_renders(title in "[a-zA-Z]\\PC{0,80}", desc in "(\\PC|\n){0,400}", word in "[a-z.]{0,400}") {
        let yaml = format!(
            "tmkit: 1\nid: P\ntitle: {}\ndescription: {}\nscope:\n  zones:\n    - {{ id: z, title: {}, trust: 0 }}\n  assets:\n    - {{ id: a, title: {}, kind: service, zone: z }}\n    - {{ id: b, title: B, kind: datastore, zone: z }}\n  dataflows:\n    - {{ id: f, title: {}, from: a, to: b }}\n  attackers:\n    - {{ id: x, title: X, zone: z }}\nthreats:\n  - id: T\n    title: {}\n    description: {}\n    categories: [integrity]\n    targets: [f]\n",
            yaml_quoted(&title),
            yaml_quoted(&desc),
            yaml_quoted(&title),
            yaml_quoted(&word),
            yaml_quoted(&word),
            yaml_quoted(&title),
            yaml_quoted(&desc),
        );
        let checked = tmkit_model::check_files(&[("threatmodel.yaml", yaml.as_str())], "threatmodel.yaml");
        let model = checked.model.unwrap_or_else(|| panic!("{:#?}\n{yaml}", checked.diagnostics));
        for kind in [ViewKind::Full, ViewKind::Public] {
            let bytes = pdf_of(&model, kind, &ReportOptions::new());
            proptest::prop_assert!(bytes.starts_with(b"%PDF-"));
        }
    }
}
