//! The bad-input corpus (`crates/tmkit/tests/corpus/`): every case goes
//! through the real binary and must report exactly the expected diagnostics
//! (the set of code + file + line, none missing and none extra), each with
//! its column, message and related place, exit with code 2 (0 when only
//! warnings are expected), no panic, and quickly.
//!
//! A case is a file (its first lines are `# expect: ...`, or a sidecar
//! `<file>.expect` holds the expectations, one a line, for files that cannot
//! carry a YAML comment) or a directory whose `threatmodel.yaml` carries the
//! lines.
//! Cases that would need huge or machine-specific files (too large, too many
//! components, symlinks) are generated here at run time.

use crate::support::{Test, repo_root};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A hang guard, not a speed goal: every case must finish within this, even
/// in a debug build on a loaded 2-core machine. The quadratic shapes these
/// cases were written against took 25 s to minutes in a release build, so a
/// regression to them still fails; the speed itself is measured by
/// `scripts/hostile.sh` and recorded in BENCHMARKS.md and docs/fuzzing.md
/// (release runs take milliseconds).
const FAST: Duration = Duration::from_secs(15);

/// One expected diagnostic.
#[derive(Debug, Clone, PartialEq)]
struct Expect {
    severity: String,
    code: String,
    /// None: the file the case is run on.
    file: Option<String>,
    line: u64,
    column: u64,
    fragment: String,
    /// A secondary place that must be shown too (`| related FILE:L:C`).
    related: Option<(Option<String>, u64, u64)>,
}

/// Parses `[FILE:]LINE:COLUMN`.
fn place(s: &str) -> Option<(Option<String>, u64, u64)> {
    let mut parts: Vec<&str> = s.rsplitn(3, ':').collect();
    parts.reverse();
    match parts.as_slice() {
        [file, line, col] => Some((
            Some(file.to_string()),
            line.parse().ok()?,
            col.parse().ok()?,
        )),
        [line, col] => Some((None, line.parse().ok()?, col.parse().ok()?)),
        _ => None,
    }
}

/// Parses `error[E0101] [FILE:]4:5 message fragment [| related [FILE:]L:C]`.
fn parse_expect(line: &str) -> Result<Expect, String> {
    let line = line.trim();
    let line = line.strip_prefix("# expect:").unwrap_or(line).trim();
    let (main, related) = match line.split_once(" | related ") {
        Some((m, r)) => (
            m,
            Some(place(r.trim()).ok_or(format!("bad related place {r:?}"))?),
        ),
        None => (line, None),
    };
    let (head, rest) = main.split_once(' ').ok_or("no place")?;
    let (severity, code) = head
        .strip_suffix(']')
        .and_then(|h| h.split_once('['))
        .ok_or(format!("bad head {head:?}: want error[E0101]"))?;
    let (at, fragment) = rest.split_once(' ').ok_or("no message fragment")?;
    let (file, line, column) = place(at).ok_or(format!("bad place {at:?}"))?;
    if fragment.trim().is_empty() {
        return Err("empty message fragment".into());
    }
    Ok(Expect {
        severity: severity.to_string(),
        code: code.to_string(),
        file,
        line,
        column,
        fragment: fragment.trim().to_string(),
        related,
    })
}

/// A corpus case: where to run, what to check, what to expect.
#[derive(Debug)]
struct Case {
    name: String,
    /// Working directory of the run.
    cwd: PathBuf,
    /// The path given to `tmkit check` (relative to `cwd`).
    target: String,
    expects: Vec<Expect>,
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// The expectation lines of a case: the `# expect:` lines at the top of a
/// model, or every non-empty line of a sidecar.
fn expect_lines(path: &Path, sidecar: bool) -> Vec<String> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let lines = bytes
        .split(|&b| b == b'\n')
        .map(|l| String::from_utf8_lossy(l).trim().to_string());
    if sidecar {
        lines.filter(|l| !l.is_empty()).collect()
    } else {
        lines.take_while(|l| l.starts_with("# expect:")).collect()
    }
}

fn load_cases() -> Vec<Case> {
    let dir = corpus_dir();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("corpus directory")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    let mut cases = Vec::new();
    for path in entries {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".expect") || name == "README.md" {
            continue;
        }
        let (cwd, target, lines) = if path.is_dir() {
            let root = path.join("threatmodel.yaml");
            assert!(
                root.is_file(),
                "corpus directory {name} has no threatmodel.yaml"
            );
            (
                path.clone(),
                "threatmodel.yaml".to_string(),
                expect_lines(&root, false),
            )
        } else {
            let sidecar = dir.join(format!("{name}.expect"));
            let lines = if sidecar.is_file() {
                expect_lines(&sidecar, true)
            } else {
                expect_lines(&path, false)
            };
            (dir.clone(), name.clone(), lines)
        };
        assert!(!lines.is_empty(), "corpus case {name} has no expectation");
        let expects = lines
            .iter()
            .map(|l| {
                parse_expect(l)
                    .unwrap_or_else(|e| panic!("corpus case {name}: bad expectation {l:?}: {e}"))
            })
            .collect();
        cases.push(Case {
            name,
            cwd,
            target,
            expects,
        });
    }
    cases
}

/// (code, file, line) of a diagnostic: what the set comparison looks at.
type Key = (String, String, u64);

/// Finds the diagnostic matching one expectation (code, severity, place,
/// message fragment, related place).
fn find_expected<'a>(
    diags: &'a [serde_json::Value],
    target: &str,
    e: &Expect,
) -> Result<&'a serde_json::Value, String> {
    let file = e.file.clone().unwrap_or_else(|| target.to_string());
    let hit = diags
        .iter()
        .find(|d| {
            d["code"] == e.code.as_str()
                && d["severity"] == e.severity.as_str()
                && d["file"] == file.as_str()
                && d["line"] == e.line
                && d["column"] == e.column
                && d["message"]
                    .as_str()
                    .is_some_and(|m| m.contains(&e.fragment))
        })
        .ok_or(format!("no diagnostic matches {e:?} in {file}"))?;
    if let Some((rfile, rline, rcol)) = &e.related {
        let rfile = rfile.clone().unwrap_or_else(|| file.clone());
        let found = hit["related"].as_array().is_some_and(|rs| {
            rs.iter()
                .any(|r| r["file"] == rfile.as_str() && r["line"] == *rline && r["column"] == *rcol)
        });
        if !found {
            return Err(format!(
                "{} lacks the related place {rfile}:{rline}:{rcol}",
                e.code
            ));
        }
    }
    Ok(hit)
}

/// Runs `tmkit check` on a case and checks everything about the result.
/// Returns a description of the failure, if any.
fn run_case(cwd: &Path, target: &str, expects: &[Expect]) -> Result<(), String> {
    let want_code = if expects.iter().any(|e| e.severity == "error") {
        2
    } else {
        0
    };
    // JSON: the exact codes, places and messages.
    let mut t = Test::new()
        .cwd(cwd)
        .args(["check", "--format", "json", target]);
    let code = t.output().status.code();
    let took = t.elapsed();
    let stderr = t.stderr();
    if code != Some(want_code) {
        return Err(format!(
            "exit code {code:?}, want {want_code}\n{}",
            t.describe()
        ));
    }
    if stderr.contains("panicked") {
        return Err(format!("panic\n{}", t.describe()));
    }
    if took >= FAST {
        return Err(format!("took {took:?}\n{}", t.describe()));
    }
    let json = t.diagnostics_json();
    let diags = json.as_array().ok_or("not an array")?;
    for e in expects {
        find_expected(diags, target, e).map_err(|m| format!("{m}\n{}", t.describe()))?;
    }
    // Exactly the expected diagnostics: none missing, none extra.
    let key = |d: &serde_json::Value| -> Key {
        (
            d["code"].as_str().unwrap_or("").to_string(),
            d["file"].as_str().unwrap_or("").to_string(),
            d["line"].as_u64().unwrap_or(0),
        )
    };
    let got: std::collections::BTreeSet<Key> = diags.iter().map(key).collect();
    let want: std::collections::BTreeSet<Key> = expects
        .iter()
        .map(|e| {
            let file = e.file.clone().unwrap_or_else(|| target.to_string());
            (e.code.clone(), file, e.line)
        })
        .collect();
    if got != want {
        let extra: Vec<_> = got.difference(&want).collect();
        let missing: Vec<_> = want.difference(&got).collect();
        return Err(format!(
            "diagnostics differ: extra {extra:?}, missing {missing:?}\n{}",
            t.describe()
        ));
    }
    // Human output: the rustc-style header and the place of each.
    let mut h = Test::new().cwd(cwd).args(["check", target]);
    let code = h.output().status.code();
    let err = h.stderr();
    for e in expects {
        let file = e.file.clone().unwrap_or_else(|| target.to_string());
        let header = format!("{}[{}]: ", e.severity, e.code);
        let arrow = format!("--> {file}:{}:{}", e.line, e.column);
        if code != Some(want_code)
            || !err.contains(&header)
            || !err.contains(&arrow)
            || !err.contains(&e.fragment)
        {
            return Err(format!(
                "human output lacks {header:?}, {arrow:?} or the message\n{}",
                h.describe()
            ));
        }
    }
    let stdout = h.stdout();
    if want_code == 2 && !stdout.is_empty() {
        return Err(format!(
            "human diagnostics went to stdout\n{}",
            h.describe()
        ));
    }
    if want_code == 0 {
        // Warnings only: the model is valid, and `--deny warnings` fails.
        Test::new()
            .cwd(cwd)
            .args(["check", "--deny", "warnings", target])
            .status(1);
    }
    Ok(())
}

#[test]
fn expectation_syntax() {
    let e = parse_expect("# expect: error[E0101] 4:5 duplicate id 'web' | related a/b.yaml:2:7")
        .unwrap();
    assert_eq!(e.severity, "error");
    assert_eq!(e.code, "E0101");
    assert_eq!((e.file.as_deref(), e.line, e.column), (None, 4, 5));
    assert_eq!(e.fragment, "duplicate id 'web'");
    assert_eq!(e.related, Some((Some("a/b.yaml".into()), 2, 7)));
    let e = parse_expect("error[E0011] b/threatmodel.yaml:5:5 cycle").unwrap();
    assert_eq!(e.file.as_deref(), Some("b/threatmodel.yaml"));
    assert!(parse_expect("# expect: E0101 4:5 x").is_err());
    assert!(parse_expect("# expect: error[E0101] four:5 x").is_err());
    assert!(parse_expect("# expect: error[E0101] 4:5").is_err());
}

#[test]
fn every_corpus_case() {
    let cases = load_cases();
    assert!(cases.len() >= 30, "only {} corpus cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        if let Err(e) = run_case(&case.cwd, &case.target, &case.expects) {
            failures.push(format!("=== corpus case {}\n{e}", case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} corpus cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Copies a corpus file into a temporary directory under another name is
/// not needed: generated cases are written straight into one.
fn generated(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    for (path, contents) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, contents).unwrap();
    }
    dir
}

fn expect(line: &str) -> Expect {
    parse_expect(line).expect("valid expectation")
}

#[cfg(unix)]
#[test]
fn component_escaping_through_a_symlink() {
    let outside = generated(&[(
        "secret/threatmodel.yaml",
        b"tmkit: 1\nid: S\ntitle: secret\n",
    )]);
    let root = generated(&[(
        "threatmodel.yaml",
        b"tmkit: 1\nid: SHOP\ntitle: Web shop\ncomponents:\n  - path: linked/threatmodel.yaml\n",
    )]);
    std::os::unix::fs::symlink(outside.path().join("secret"), root.path().join("linked")).unwrap();
    let e = expect(
        "error[E0012] 5:11 component path 'linked/threatmodel.yaml' leaves the root model's directory",
    );
    run_case(root.path(), "threatmodel.yaml", &[e]).unwrap();
    // A symlink that stays inside the root is fine.
    let inside = generated(&[
        (
            "threatmodel.yaml",
            b"tmkit: 1\nid: SHOP\ntitle: Web shop\ncomponents: [alias]\n",
        ),
        (
            "real/threatmodel.yaml",
            b"tmkit: 1\nid: C\ntitle: component\n",
        ),
    ]);
    std::os::unix::fs::symlink(inside.path().join("real"), inside.path().join("alias")).unwrap();
    Test::new().cwd(inside.path()).args(["check"]).status(0);
}

#[test]
fn file_too_large() {
    // One byte over the 8 MiB limit; the file is generated, never committed.
    let mut big = b"tmkit: 1\nid: SHOP\ntitle: Web shop\ndescription: |\n".to_vec();
    let line = b"  lorem ipsum dolor sit amet, consectetur adipiscing elit\n";
    while big.len() <= 8 * 1024 * 1024 {
        big.extend_from_slice(line);
    }
    let dir = generated(&[("threatmodel.yaml", &big)]);
    // The file is not read, so the place is its start.
    run_case(
        dir.path(),
        "threatmodel.yaml",
        &[expect(
            "error[E0002] 1:1 cannot read threatmodel.yaml: file too large",
        )],
    )
    .unwrap();
    // Also as a component: then the place is the include.
    let dir = generated(&[
        (
            "threatmodel.yaml",
            b"tmkit: 1\nid: SHOP\ntitle: Web shop\ncomponents: [big.yaml]\n",
        ),
        ("big.yaml", &big),
    ]);
    run_case(
        dir.path(),
        "threatmodel.yaml",
        &[expect(
            "error[E0002] 4:14 cannot read big.yaml: file too large",
        )],
    )
    .unwrap();
}

#[test]
fn too_many_components() {
    // 1,001 components listed by the root: one more file than the limit.
    // (A chain of them would stop at the component depth limit, E0030.)
    let dir = tempfile::tempdir().unwrap();
    let list: String = (0..1001).map(|i| format!("  - c{i}.yaml\n")).collect();
    std::fs::write(
        dir.path().join("threatmodel.yaml"),
        format!("tmkit: 1\nid: ROOT\ntitle: root\ncomponents:\n{list}"),
    )
    .unwrap();
    for i in 0..1001 {
        std::fs::write(
            dir.path().join(format!("c{i}.yaml")),
            format!("tmkit: 1\nid: C{i}\ntitle: component {i}\n"),
        )
        .unwrap();
    }
    run_case(
        dir.path(),
        "threatmodel.yaml",
        &[expect(
            "error[E0010] 1004:5 more than 1000 component and import files",
        )],
    )
    .unwrap();
}

#[test]
fn no_model_found() {
    let dir = generated(&[("notes.txt", b"not a model")]);
    let mut t = Test::new()
        .cwd(dir.path())
        .args(["check"])
        .stderr_contains("error[E0014]: no threatmodel.yaml in")
        .stderr_contains("tmkit init")
        .status(2);
    assert!(t.elapsed() < FAST);
    Test::new()
        .cwd(dir.path())
        .args(["check", "."])
        .stderr_contains("error[E0014]")
        .status(2);
}

#[test]
fn corpus_is_documented() {
    let readme = std::fs::read_to_string(repo_root().join("crates/tmkit/tests/README.md")).unwrap();
    assert!(
        readme.contains("# expect:"),
        "tests/README.md explains the expectation line"
    );
}

#[test]
fn repeated_components_on_one_long_line_stay_fast() {
    // 20,000 includes of the same component on one 60 KB line: the repeats
    // are reported without reading the file again, the queue of includes is
    // bounded, and the long line is cited by place instead of being drawn
    // under each of the 10,000 diagnostics.
    let list = vec!["a"; 20_000].join(", ");
    let dir = generated(&[
        (
            "threatmodel.yaml",
            format!("tmkit: 1\nid: ROOT\ntitle: root\ncomponents: [{list}]\n").as_bytes(),
        ),
        ("a/threatmodel.yaml", b"tmkit: 1\nid: A\ntitle: a\n"),
    ]);
    let mut t = Test::new()
        .cwd(dir.path())
        .args(["check"])
        .stderr_contains("error[E0016]: component a is included twice")
        .stderr_contains("--> threatmodel.yaml:4:17")
        .stderr_contains("error[E0010]: more than 10000 component and import includes")
        .stderr_contains("line too long to show")
        .status(2);
    assert!(t.elapsed() < FAST, "took {:?}", t.elapsed());
}

#[cfg(unix)]
#[test]
fn unreadable_component() {
    // A symbolic link pointing at itself: the operating system refuses to
    // read it (ELOOP), even for root, unlike a permission problem.
    let dir = generated(&[(
        "threatmodel.yaml",
        b"tmkit: 1\nid: SHOP\ntitle: Web shop\ncomponents: [loop.yaml]\n",
    )]);
    std::os::unix::fs::symlink("loop.yaml", dir.path().join("loop.yaml")).unwrap();
    run_case(
        dir.path(),
        "threatmodel.yaml",
        &[expect(
            "error[E0001] 4:14 component file loop.yaml cannot be read",
        )],
    )
    .unwrap();
}

/// Library files are checked by `tmkit library check` and when a model
/// lists them: errors name the file, line and column.
#[test]
fn library_files_with_errors() {
    let mut t = Test::new()
        .file(
            "shape.yaml",
            "tmkit-library: 1\nname: org\nversion: '1'\npatterns:\n  - id: x\n    titel: T\n",
        )
        .file(
            "content.yaml",
            "tmkit-library: 1\nname: org\nversion: '1'\npatterns:\n  - id: x\n    title: T\n    description: D\n    categories: {cia: [tampering]}\n    applies: {targets: [datastore]}\n",
        )
        .args(["library", "check", "shape.yaml", "content.yaml"])
        .status(2)
        .no_panic();
    let err = t.stderr();
    assert!(err.contains("error[E0701]"), "{err}");
    assert!(err.contains("shape.yaml:6:"), "{err}");
    assert!(err.contains("unknown field `titel`"), "{err}");
    assert!(err.contains("error[E0702]"), "{err}");
    assert!(err.contains("content.yaml:8:"), "{err}");
    assert!(err.contains("`tampering` is not a CIA category"), "{err}");
}

/// A `libraries:` entry must be a regular file inside the model's tree.
#[test]
fn library_outside_the_tree() {
    let outside = tempfile::NamedTempFile::new().unwrap();
    let model = format!(
        "tmkit: 1\nid: SHOP\ntitle: Web shop\nlibraries: [{}, lib-dir]\nscope:\n  assets: [{{id: db, title: DB, kind: datastore}}]\n",
        outside.path().display()
    );
    let mut t = Test::new()
        .model(&model)
        .dir("lib-dir")
        .args(["suggest"])
        .status(2)
        .no_panic();
    let err = t.stderr();
    assert!(err.contains("error[E0703]"), "{err}");
    assert!(err.contains("outside the model's directory"), "{err}");
    assert!(err.contains("library `lib-dir` cannot be read"), "{err}");
}

/// A `disable:` naming nothing, and a suppression naming no pattern, are
/// warnings: the command still runs.
#[test]
fn library_warnings() {
    let mut t = Test::new()
        .file(
            "org.yaml",
            "tmkit-library: 1\nname: org\nversion: '1'\ndisable: [flow-sniffng]\n",
        )
        .model("tmkit: 1\nid: SHOP\ntitle: Web shop\nlibraries: [org.yaml]\nscope:\n  assets: [{id: db, title: DB, kind: datastore}]\nanalysis:\n  - {target: db, pattern: no-such-pattern, verdict: not-applicable, rationale: x}\n")
        .args(["suggest"])
        .status(0)
        .no_panic();
    let err = t.stderr();
    assert!(err.contains("warning[W0701]"), "{err}");
    assert!(err.contains("disables `flow-sniffng`"), "{err}");
    assert!(err.contains("warning[W0702]"), "{err}");
    assert!(err.contains("`no-such-pattern`"), "{err}");
}

/// Codes asserted by a named test of this file rather than by a committed
/// case (the input is generated at run time or is no file at all).
const NAMED_TESTS: &[(&str, &str)] = &[
    ("E0001", "unreadable_component"),
    ("E0002", "file_too_large"),
    ("E0010", "too_many_components"),
    ("E0014", "no_model_found"),
    ("E0020", "diagnostics_past_the_cap"),
    ("E0025", "a_fifo_as_the_model"),
    ("E0030", "components_nested_too_deep"),
    ("E0031", "zones_nested_too_deep"),
    ("E0032", "too_many_questions"),
    ("W0504", "acceptance_expiring_on_the_date_given"),
    ("E0509", "evidence_verified_in_the_repository"),
    ("E0510", "evidence_verified_in_the_repository"),
    ("E0701", "library_files_with_errors"),
    ("E0702", "library_files_with_errors"),
    ("E0703", "library_outside_the_tree"),
    ("W0701", "library_warnings"),
    ("W0702", "library_warnings"),
];

/// Codes no model file can produce, with the reason.
const NOT_FROM_A_FILE: &[(&str, &str)] = &[(
    "E0026",
    "an importer's result failing the check: importers make their output valid (sanitised ids, titles, zones); the code guards against importer bugs",
)];

#[test]
fn diagnostics_past_the_cap() {
    let mut text = String::from("tmkit: 1\nid: X\ntitle: t\n");
    for i in 0..40 {
        text.push_str(&format!("bogus{i}: 1\n"));
    }
    let dir = generated(&[("threatmodel.yaml", text.as_bytes())]);
    Test::new()
        .cwd(dir.path())
        .args(["check", "--max-diagnostics", "10"])
        .stderr_contains("error[E0020]: 30 more diagnostics omitted")
        .stderr_contains("40 errors")
        .status(2);
}

#[cfg(unix)]
#[test]
fn a_fifo_as_the_model() {
    let dir = generated(&[]);
    let fifo = dir.path().join("threatmodel.yaml");
    tmkit_testtools::mkfifo(&fifo);
    Test::new()
        .cwd(dir.path())
        .args(["check"])
        .stderr_contains("error[E0025]")
        .status(2);
}

/// The source of the test function `name` of this file.
fn test_source(name: &str) -> String {
    let src = include_str!("corpus.rs");
    let start = src
        .find(&format!("\nfn {name}()"))
        .unwrap_or_else(|| panic!("corpus.rs has no test fn {name}"));
    let body = &src[start + 1..];
    let end = body[1..].find("\n#[").map_or(body.len(), |e| e + 1);
    body[..end].to_string()
}

#[test]
fn every_code_is_asserted() {
    let mut covered: std::collections::BTreeSet<String> = load_cases()
        .iter()
        .flat_map(|c| c.expects.iter().map(|e| e.code.clone()))
        .collect();
    for (code, name) in NAMED_TESTS {
        assert!(
            test_source(name).contains(code),
            "test {name} does not assert {code}"
        );
        covered.insert(code.to_string());
    }
    for (code, _why) in NOT_FROM_A_FILE {
        covered.insert(code.to_string());
    }
    let missing: Vec<&str> = tmkit_syntax::Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !covered.contains(*c))
        .collect();
    assert!(
        missing.is_empty(),
        "codes asserted by no corpus case or named test: {missing:?}"
    );
}

/// A model whose first asset anchors a description of `desc_bytes`, merged
/// (`<<: *d`) into `merges` more assets, one per line from line 8.
fn merged_description(desc_bytes: usize, merges: usize) -> Vec<u8> {
    let mut text = format!(
        "tmkit: 1\nid: M\ntitle: merges\nscope:\n  zones: [{{id: z, title: Z, trust: 1}}]\n  assets:\n    - &d {{id: a0, title: A, kind: service, zone: z, description: \"{}\"}}\n",
        "lorem ipsum ".repeat(desc_bytes / 12)
    );
    for i in 1..=merges {
        text.push_str(&format!("    - {{<<: *d, id: a{i}}}\n"));
    }
    text.into_bytes()
}

#[test]
fn merged_long_text_is_counted_in_bytes() {
    // 270 KB merged 9,000 times: 2.4 GB if expanded, in 18,000 copied nodes
    // (under the node limit). Refused at the merge that crosses 16 MiB: each
    // copy is 270,000 + 47 bytes of text, so the 63rd, on line 7 + 63.
    let dir = generated(&[("threatmodel.yaml", &merged_description(270_000, 9_000))]);
    let e = expect("error[E0008] 70:12 aliases copy more than 16 MiB of text");
    let started = std::time::Instant::now();
    run_case(dir.path(), "threatmodel.yaml", &[e]).unwrap();
    assert!(started.elapsed() < FAST, "took {:?}", started.elapsed());
    Test::new()
        .cwd(dir.path())
        .args(["check"])
        .stderr_contains("--limit alias-bytes=N")
        .status(2);
    // A trusted model may raise the limit; small merges need nothing.
    let dir = generated(&[("threatmodel.yaml", &merged_description(270_000, 70))]);
    Test::new()
        .cwd(dir.path())
        .args(["check", "--limit", "alias-bytes=33554432"])
        .stderr_contains("is valid")
        .status(0);
    Test::new()
        .cwd(dir.path())
        .args(["check", "--limit", "alias-bites=1"])
        .stderr_contains("unknown limit `alias-bites`")
        .status(3);
    let dir = generated(&[("threatmodel.yaml", &merged_description(1_000, 500))]);
    Test::new()
        .cwd(dir.path())
        .args(["check"])
        .stderr_contains("is valid")
        .status(0);
}

/// A chain of `depth` components below the root, each in its own file.
fn nested_components(depth: usize) -> tempfile::TempDir {
    let mut files: Vec<(String, Vec<u8>)> = vec![(
        "threatmodel.yaml".into(),
        b"tmkit: 1\nid: ROOT\ntitle: root\ncomponents: [c1.yaml]\n".to_vec(),
    )];
    for i in 1..=depth {
        let next = if i < depth {
            format!("components: [c{}.yaml]\n", i + 1)
        } else {
            String::new()
        };
        let text = format!(
            "tmkit: 1\nid: C{i}\ntitle: component {i}\nscope:\n  zones: [{{id: z, title: Z, trust: 1}}]\n  assets: [{{id: a, title: A, kind: service, zone: z}}]\n  attackers: [{{id: k, title: K, zone: z}}]\n{next}"
        );
        files.push((format!("c{i}.yaml"), text.into_bytes()));
    }
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_slice()))
        .collect();
    generated(&refs)
}

#[test]
fn components_nested_too_deep() {
    // 990 levels took 7 s and 1.9 GB to check: now refused at level 33.
    let dir = nested_components(990);
    let started = std::time::Instant::now();
    run_case(
        dir.path(),
        "threatmodel.yaml",
        &[expect(
            "error[E0030] c32.yaml:8:14 c33.yaml nests 33 levels below the root",
        )],
    )
    .unwrap();
    assert!(started.elapsed() < FAST, "took {:?}", started.elapsed());
    // 32 levels are fine, and a trusted model may go deeper.
    Test::new()
        .cwd(nested_components(32).path())
        .args(["check"])
        .status(0);
    Test::new()
        .cwd(nested_components(40).path())
        .args(["check", "--limit", "component-depth=40"])
        .status(0);
}

/// `n` zones, each `within` the one before (or, with `cycle`, the first
/// `within` the last).
fn nested_zones(n: usize, cycle: bool) -> Vec<u8> {
    let mut text = String::from("tmkit: 1\nid: Z\ntitle: zones\nscope:\n  zones:\n");
    for i in 0..n {
        let within = match (i, cycle) {
            (0, true) => format!(", within: z{}", n - 1),
            (0, false) => String::new(),
            _ => format!(", within: z{}", i - 1),
        };
        text.push_str(&format!("    - {{id: z{i}, title: Z, trust: 1{within}}}\n"));
    }
    text.push_str("  assets: [{id: a, title: A, kind: service, zone: z0}]\n");
    text.into_bytes()
}

#[test]
fn zones_nested_too_deep() {
    // 40,000 nested zones took 7 s and 2.5 GB for a DOT diagram; 5,000 here.
    let dir = generated(&[("threatmodel.yaml", &nested_zones(5_000, false))]);
    let started = std::time::Instant::now();
    run_case(
        dir.path(),
        "threatmodel.yaml",
        &[expect(
            "error[E0031] 38:12 zone 'Z.z32' is nested 33 levels deep",
        )],
    )
    .unwrap();
    assert!(started.elapsed() < FAST, "took {:?}", started.elapsed());
    let dir = generated(&[("threatmodel.yaml", &nested_zones(40, false))]);
    Test::new()
        .cwd(dir.path())
        .args(["diagram", "--format", "dot"])
        .stderr_contains("--limit zone-depth=N")
        .status(2);
    Test::new()
        .cwd(dir.path())
        .args(["diagram", "--format", "dot", "--limit", "zone-depth=40"])
        .stdout_contains("z39")
        .status(0);
    // A cycle of `within` ends the chain: no hang, no E0031.
    let dir = generated(&[("threatmodel.yaml", &nested_zones(20, true))]);
    let mut t = Test::new()
        .cwd(dir.path())
        .args(["check", "--format", "json"]);
    assert!(!t.stdout().contains("E0031"), "{}", t.describe());
}

#[test]
fn too_many_questions() {
    let grid = |assets: usize, attackers: usize| {
        let mut text = String::from(
            "tmkit: 1\nid: G\ntitle: grid\nscope:\n  zones: [{id: z, title: Z, trust: 1}]\n  assets:\n",
        );
        for i in 0..assets {
            text.push_str(&format!(
                "    - {{id: a{i}, title: A, kind: service, zone: z}}\n"
            ));
        }
        text.push_str("  attackers:\n");
        for i in 0..attackers {
            text.push_str(&format!("    - {{id: k{i}, title: K, zone: z}}\n"));
        }
        text.into_bytes()
    };
    // 2,000 x 2,000 in 110 KB took 17.6 s and 6.9 GB for the JSON report.
    let dir = generated(&[("threatmodel.yaml", &grid(2_000, 2_000))]);
    let started = std::time::Instant::now();
    run_case(
        dir.path(),
        "threatmodel.yaml",
        &[expect("error[E0032] 2:5 the model asks 12000000 questions")],
    )
    .unwrap();
    assert!(started.elapsed() < FAST, "took {:?}", started.elapsed());
    Test::new()
        .cwd(dir.path())
        .args(["report", "--format", "json"])
        .stderr_contains("--limit questions=N")
        .status(2);
    // Lowering the limit refuses a small grid (input bytes count as well).
    let dir = generated(&[("threatmodel.yaml", &grid(40, 40))]);
    Test::new().cwd(dir.path()).args(["check"]).status(0);
    Test::new()
        .cwd(dir.path())
        .args(["check", "--limit", "questions=1000"])
        .stderr_contains("asks 4800 questions")
        .status(2);
}

/// W0504 depends on "today": the case fixes it with `--date`.
#[test]
fn acceptance_expiring_on_the_date_given() {
    let model = "tmkit: 1\nid: SHOP\ntitle: Web shop\nmitigations:\n  - { id: acc, title: Accepted, kind: risk-acceptance, in_place: true, owner: CISO, expires: 2026-03-10 }\n";
    Test::new()
        .model(model)
        .args(["check", "--date", "2026-03-01"])
        .status(0)
        .stderr_contains("warning[W0504]: risk acceptance SHOP.acc expires on 2026-03-10 (9 days left, within 30 days)")
        .stderr_contains("threatmodel.yaml:5:94");
}

/// E0509 and E0510 read the repository: only with `--verify-evidence`.
#[test]
fn evidence_verified_in_the_repository() {
    let model = "tmkit: 1\nid: SHOP\ntitle: Web shop\nmitigations:\n  - id: waf\n    title: WAF\n    kind: design\n    in_place: true\n    evidence:\n      - {test: \"t.rs::missing_test\"}\n      - {file: gone.md}\n";
    Test::new()
        .dir(".git")
        .file("t.rs", "fn other_test() {}")
        .model(model)
        .args(["check", "--verify-evidence"])
        .status(2)
        .stderr_contains("error[E0510]: evidence of SHOP.waf: no test 'missing_test' in 't.rs'")
        .stderr_contains("threatmodel.yaml:10:16")
        .stderr_contains("error[E0509]: evidence of SHOP.waf: 'gone.md' does not exist")
        .stderr_contains("threatmodel.yaml:11:16");
}
