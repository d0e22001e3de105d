//! Working on one component: commands run from inside a component (or
//! given its file) find the root model that includes it, check the whole
//! and show the component's diagnostics first; `--component ID` limits
//! the outputs to one component and its children; a catalogue checks on
//! its own.

use crate::support::{Test, repo_root};

/// A file of `examples/composed`.
fn composed(path: &str) -> String {
    let p = repo_root().join("examples/composed").join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// `examples/composed` in a temporary repository (a `.git` directory at
/// its root bounds the search), each file passed through `edit`.
fn shop_with(edit: impl Fn(&str, String) -> String) -> Test {
    let mut t = Test::new().dir(".git");
    for path in [
        "threatmodel.yaml",
        "login/threatmodel.yaml",
        "payments/threatmodel.yaml",
        "catalog/attackers.yaml",
    ] {
        t = t.file(path, edit(path, composed(path)));
    }
    t
}

fn shop() -> Test {
    shop_with(|_, text| text)
}

/// The shop with one W0305 (a TODO title) in `login` and two in `payments`.
fn shop_with_todos() -> Test {
    shop_with(|path, text| match path {
        "login/threatmodel.yaml" => text.replace("title: Login API", "title: TODO login"),
        "payments/threatmodel.yaml" => text
            .replace("title: Payment API", "title: TODO payment API")
            .replace("title: Checkout request", "title: TODO checkout"),
        _ => text,
    })
}

#[test]
fn from_inside_a_component_the_root_is_found_and_checked_whole() {
    // Alone, the component fails (E0205 on its parent's zones, E0201 on
    // the catalogue's attacker); as part of the shop it is valid.
    shop()
        .cwd("login")
        .args(["check"])
        .stderr_contains(
            "ok: SHOP.LOGIN is valid, checked with the whole of SHOP (Web shop): 4 model files",
        )
        .stderr_lacks("error")
        .status(0);
}

#[test]
fn the_components_diagnostics_come_first_and_the_rest_are_counted() {
    shop_with_todos()
        .cwd("login")
        .args(["check"])
        .stderr_contains("'TODO login'")
        .stderr_lacks("TODO payment")
        .stderr_lacks("TODO checkout")
        .stderr_contains("0 errors, 1 warning\nand 2 diagnostics in other files of the model (0 errors, 3 warnings in all; `--all` prints them)")
        .status(0);
}

#[test]
fn all_prints_the_diagnostics_of_every_file() {
    shop_with_todos()
        .cwd("login")
        .args(["check", "--all"])
        .stderr_contains("'TODO login'")
        .stderr_contains("'TODO payment API'")
        .stderr_contains("'TODO checkout'")
        .stderr_contains("0 errors, 3 warnings")
        .stderr_lacks("in other files")
        .status(0);
}

#[test]
fn a_component_file_given_as_path_finds_its_root_too() {
    let mut t = shop_with_todos().args(["check", "payments/threatmodel.yaml"]);
    let err = t.stderr();
    assert!(
        err.contains("'TODO payment API'") && err.contains("'TODO checkout'"),
        "{err}"
    );
    assert!(!err.contains("TODO login"), "{err}");
    t.stderr_contains("and 1 diagnostic in other files of the model")
        .stderr_contains("ok: SHOP.PAY is valid")
        .status(0);
}

#[test]
fn errors_elsewhere_in_the_model_are_counted_and_fail_the_check() {
    shop_with(|path, text| match path {
        "threatmodel.yaml" => text.replace(
            "zone: dmz\n    - id: catalog-db",
            "zone: dmzz\n    - id: catalog-db",
        ),
        _ => text,
    })
    .cwd("login")
    .args(["check"])
    .stderr_lacks("dmzz")
    .stderr_contains("and 1 diagnostic in other files of the model (1 error, 0 warnings in all")
    .status(2);
}

#[test]
fn deny_warnings_and_json_see_the_whole_model() {
    let mut t = shop_with_todos()
        .cwd("login")
        .args(["check", "--deny", "warnings", "-f", "json"]);
    let json = t.json();
    let files: Vec<&str> = json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter_map(|d| d["file"].as_str())
        .collect();
    assert_eq!(files.len(), 3, "{json}");
    assert!(files.iter().any(|f| f.contains("payments")), "{files:?}");
    t.status(1);
}

#[test]
fn a_file_that_no_model_above_includes_is_checked_on_its_own() {
    shop()
        .file(
            "notes/threatmodel.yaml",
            "tmkit: 1\nid: NOTES\ntitle: Notes\n",
        )
        .cwd("notes")
        .args(["check"])
        .stderr_contains("ok: NOTES (Notes) is valid: 1 model file")
        .status(0);
}

#[test]
fn the_search_stops_at_the_repository_root() {
    // The shop's root is above the component's repository: not searched.
    let component = "tmkit: 1\nid: LOGIN\ntitle: Login\nscope:\n  assets:\n    - { id: api, title: API, kind: service, zone: dmz }\n";
    let root = "tmkit: 1\nid: SHOP\ntitle: Shop\nscope:\n  zones:\n    - { id: dmz, title: DMZ, trust: 1 }\ncomponents: [repo/login]\n";
    let project = || {
        Test::new()
            .dir(".git")
            .file("threatmodel.yaml", root)
            .file("repo/login/threatmodel.yaml", component)
            .cwd("repo/login")
            .args(["check"])
    };
    project()
        .dir("repo/.git")
        .stderr_contains("unresolved reference 'dmz'")
        .status(2);
    // Without the inner repository, the root above is found.
    project()
        .stderr_contains("ok: SHOP.LOGIN is valid")
        .status(0);
}

#[test]
fn the_root_is_the_outermost_model_that_includes_the_file() {
    let leaf = "tmkit: 1\nid: LEAF\ntitle: Leaf\nscope:\n  assets:\n    - { id: x, title: X, kind: service, zone: z }\n";
    let mid = "tmkit: 1\nid: MID\ntitle: Mid\ncomponents: [leaf]\n";
    let top = "tmkit: 1\nid: TOP\ntitle: Top\nscope:\n  zones:\n    - { id: z, title: Z, trust: 1 }\ncomponents: [mid]\n";
    Test::new()
        .dir(".git")
        .file("threatmodel.yaml", top)
        .file("mid/threatmodel.yaml", mid)
        .file("mid/leaf/threatmodel.yaml", leaf)
        .cwd("mid/leaf")
        .args(["check"])
        .stderr_contains(
            "ok: TOP.MID.LEAF is valid, checked with the whole of TOP (Top): 3 model files",
        )
        .status(0);
}

#[test]
fn every_command_renders_the_whole_model_from_inside_a_component() {
    for args in [
        vec!["metrics", "-f", "json"],
        vec!["matrix", "-f", "json"],
        vec!["report", "-f", "json"],
        vec!["export", "-f", "otm", "."],
    ] {
        let mut t = shop().cwd("login").args(&args);
        let out = t.stdout();
        assert!(out.contains("\"SHOP.PAY"), "{args:?}: {}", t.describe());
        t.status(0);
    }
    shop()
        .cwd("login")
        .args(["diagram", "-f", "mermaid"])
        .stdout_contains("Payment API")
        .status(0);
}

#[test]
fn a_catalogue_checks_on_its_own() {
    shop()
        .args(["check", "catalog/attackers.yaml"])
        .stderr_contains("ok: ORG (Organisation-wide threat catalogue) is valid: 1 model file")
        .status(0);
}

/// A catalogue whose attacker acts from a zone the catalogue does not
/// declare, imported by a model that declares a zone by that name.
const ORPHAN_ZONE_CATALOGUE: &str = "tmkit: 1\nid: ORG\ntitle: Catalogue\nscope:\n  attackers:\n    - { id: kid, title: Kid, zone: internet }\n";

#[test]
fn a_catalogue_never_takes_its_importers_zones() {
    let root = "tmkit: 1\nid: SHOP\ntitle: Shop\nscope:\n  zones:\n    - { id: internet, title: Internet, trust: 0 }\nimports: [cat/org.yaml]\n";
    let project = || {
        Test::new()
            .dir(".git")
            .model(root)
            .file("cat/org.yaml", ORPHAN_ZONE_CATALOGUE)
    };
    // Imported, it means what it means alone: the zone is unknown.
    project()
        .args(["check"])
        .stderr_contains("cat/org.yaml:6:36")
        .stderr_contains("unresolved reference 'internet' in `zone`")
        .stderr_contains(
            "a catalogue's references resolve in the catalogue and its own imports only",
        )
        .status(2);
    project()
        .args(["check", "cat/org.yaml"])
        .stderr_contains("unresolved reference 'internet' in `zone`")
        .status(2);
}

#[test]
fn imported_attackers_keep_their_catalogues_zone() {
    let catalogue = "tmkit: 1\nid: ORG\ntitle: Catalogue\nscope:\n  zones:\n    - { id: partner, title: Partner network, trust: 1 }\n  attackers:\n    - { id: vendor, title: Vendor, zone: partner }\n";
    // The component declares a `partner` zone of its own: the catalogue's
    // attacker still acts from the catalogue's.
    let root = "tmkit: 1\nid: SHOP\ntitle: Shop\ncomponents: [login]\n";
    let login = "tmkit: 1\nid: LOGIN\ntitle: Login\nscope:\n  zones:\n    - { id: partner, title: Our partner segment, trust: 2 }\n  assets:\n    - { id: api, title: API, kind: service, zone: LOGIN.partner }\nimports: [../cat/org.yaml]\n";
    let mut t = Test::new()
        .dir(".git")
        .model(root)
        .file("login/threatmodel.yaml", login)
        .file("cat/org.yaml", catalogue)
        .args(["report", "-f", "json"]);
    let json = t.json();
    let text = json.to_string();
    assert!(text.contains("\"zone\":\"ORG.partner\""), "{text}");
    t.status(0);
    // From the component's folder, its `../cat` import is inside the root's tree.
    Test::new()
        .dir(".git")
        .model(root)
        .file("login/threatmodel.yaml", login)
        .file("cat/org.yaml", catalogue)
        .cwd("login")
        .args(["check"])
        .stderr_contains("ok: SHOP.LOGIN is valid")
        .status(0);
}

/// Every text value of a key named `field`, anywhere in `json`.
fn all_strings(json: &serde_json::Value, field: &str, out: &mut Vec<String>) {
    match json {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                if k == field {
                    if let Some(s) = v.as_str() {
                        out.push(s.to_string());
                    }
                }
                all_strings(v, field, out);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| all_strings(v, field, out)),
        _ => {}
    }
}

fn strings(json: &serde_json::Value, field: &str) -> Vec<String> {
    let mut out = Vec::new();
    all_strings(json, field, &mut out);
    out
}

#[test]
fn component_metrics_are_the_components_own_rolled_up_entry() {
    let whole = shop().args(["metrics", "-f", "json"]).json();
    let entry = whole["components"]
        .as_array()
        .expect("components")
        .iter()
        .find(|c| c["model"] == "SHOP.LOGIN")
        .expect("the login component's metrics")
        .clone();
    for id in ["SHOP.LOGIN", "LOGIN"] {
        let mut t = shop().args(["metrics", "-f", "json", "--component", id]);
        assert_eq!(t.json(), entry, "--component {id}");
        t.status(0);
    }
    shop()
        .args(["metrics", "--component", "LOGIN"])
        .stdout_contains("SHOP.LOGIN  Login service")
        .stdout_lacks("SHOP.PAY")
        .status(0);
}

#[test]
fn component_matrix_has_only_the_components_questions() {
    for open in [false, true] {
        let mut args = vec!["matrix", "-f", "json", "--component", "SHOP.PAY"];
        if open {
            args.push("--open");
        }
        let mut t = shop().args(&args);
        let json = t.json();
        let targets = strings(&json, "target");
        assert!(!targets.is_empty(), "{json}");
        assert!(
            targets.iter().all(|q| q.starts_with("SHOP.PAY.")),
            "{targets:?}"
        );
        // The attackers of the shop and of the catalogue still ask.
        let attackers = strings(&json, "attacker");
        assert!(
            attackers.iter().any(|a| a == "SHOP.customer"),
            "{attackers:?}"
        );
        assert!(
            attackers.iter().any(|a| a == "ORG.script-kiddie"),
            "{attackers:?}"
        );
        t.status(0);
    }
    shop()
        .args(["matrix", "--open", "--component", "PAY"])
        .stdout_contains("SHOP.PAY: 26 open questions")
        .stdout_lacks("SHOP.LOGIN")
        .status(0);
}

#[test]
fn component_report_shows_the_subtree_and_what_it_uses() {
    for format in ["json", "md", "html"] {
        let mut t = shop().args(["report", "-f", format, "--component", "LOGIN"]);
        let out = t.stdout();
        assert!(out.contains("SHOP.LOGIN.T.stuffing"), "{format}");
        for other in ["SHOP.T.xss", "SHOP.PAY", "Payment API"] {
            assert!(!out.contains(other), "{format} shows {other}");
        }
        t.status(0);
    }
    let json = shop()
        .args(["report", "-f", "json", "--component", "LOGIN"])
        .json();
    assert_eq!(json["root"], "SHOP.LOGIN");
    let threats: Vec<&str> = json["threats"]
        .as_array()
        .expect("threats")
        .iter()
        .filter_map(|t| t.as_str())
        .collect();
    assert!(
        !threats.is_empty() && threats.iter().all(|q| q.starts_with("SHOP.LOGIN.")),
        "{threats:?}"
    );
    let targets = strings(&json["questions"], "target");
    assert!(
        !targets.is_empty() && targets.iter().all(|q| q.starts_with("SHOP.LOGIN.")),
        "{targets:?}"
    );
    // The shop is kept as context: only the browser its flow comes from.
    let shop_model = json["models"]
        .as_array()
        .expect("models")
        .iter()
        .find(|m| m["qid"] == "SHOP")
        .expect("the shop as context");
    assert_eq!(shop_model["kind"], "catalogue");
    assert_eq!(strings(&shop_model["assets"], "qid"), ["SHOP.browser"]);
    assert!(
        shop_model["threats"]
            .as_array()
            .is_none_or(|t| t.is_empty())
    );
}

#[test]
fn component_diagram_draws_the_component_and_the_ends_of_its_flows() {
    shop()
        .args(["diagram", "-f", "mermaid", "--component", "SHOP.LOGIN"])
        .stdout_contains("Login API")
        .stdout_contains("Customer browser")
        .stdout_contains("Submit credentials")
        .stdout_lacks("Payment API")
        .stdout_lacks("Storefront")
        .status(0);
}

#[test]
fn an_unknown_or_ambiguous_component_is_a_usage_error() {
    for cmd in ["matrix", "metrics", "report", "diagram"] {
        shop()
            .args([cmd, "--component", "NOPE"])
            .stderr_contains(
                "no component 'NOPE' in this model; its components: SHOP, SHOP.LOGIN, SHOP.PAY",
            )
            .stdout_empty()
            .status(3);
    }
    let x = "tmkit: 1\nid: X\ntitle: X\n";
    Test::new()
        .model("tmkit: 1\nid: R\ntitle: R\ncomponents: [a, b]\n")
        .file(
            "a/threatmodel.yaml",
            "tmkit: 1\nid: A\ntitle: A\ncomponents: [x]\n",
        )
        .file(
            "b/threatmodel.yaml",
            "tmkit: 1\nid: B\ntitle: B\ncomponents: [x]\n",
        )
        .file("a/x/threatmodel.yaml", x)
        .file("b/x/threatmodel.yaml", x)
        .args(["metrics", "--component", "X"])
        .stderr_contains("component 'X' is ambiguous: it may mean R.A.X, R.B.X")
        .status(3);
}

#[test]
fn a_component_of_a_confidential_model_stays_withheld_in_public() {
    let mut t = shop_with(|path, text| match path {
        "threatmodel.yaml" => text.replace(
            "owner: Shop Platform Team",
            "owner: Shop Platform Team\nconfidential: true",
        ),
        _ => text,
    })
    .args([
        "report",
        "--view",
        "public",
        "-f",
        "json",
        "--component",
        "LOGIN",
    ]);
    let out = t.stdout();
    assert!(!out.contains("LOGIN") && !out.contains("Login"), "{out}");
    t.status(0);
}

#[test]
fn diagnostics_over_the_cap_are_noted_with_the_components() {
    shop_with_todos()
        .cwd("login")
        .args(["check", "--max-diagnostics", "1"])
        .stderr_contains("'TODO login'")
        .stderr_contains("2 more diagnostics omitted (0 errors, 2 warnings)")
        .stderr_lacks("in other files")
        .status(0);
}
