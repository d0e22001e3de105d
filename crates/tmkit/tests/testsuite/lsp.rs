//! `tmkit lsp`, driven over stdio as an editor drives it: the real binary,
//! JSON-RPC with Content-Length framing on its stdin and stdout;
//! initialize, initialized, didOpen, didChange, requests, shutdown, exit.

use super::support::{HANG, copy_dir, repo_root};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Instant;

/// An editor's side of the conversation.
struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    next_id: u64,
    /// Notifications received while waiting for something else.
    notifications: Vec<Value>,
}

fn frame(msg: &Value) -> Vec<u8> {
    let body = msg.to_string();
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

impl Client {
    /// Starts `tmkit lsp` and initializes it, offering these position encodings.
    fn start(encodings: &[&str]) -> (Client, Value) {
        Client::start_with(json!({ "general": { "positionEncodings": encodings } }))
    }

    /// Starts `tmkit lsp` and initializes it with these client capabilities.
    fn start_with(caps: Value) -> (Client, Value) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tmkit"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start tmkit lsp");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, incoming) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = 0usize;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        len = v.parse().expect("length");
                    }
                }
                let mut body = vec![0; len];
                if r.read_exact(&mut body).is_err() {
                    return;
                }
                let v: Value = serde_json::from_slice(&body).expect("JSON-RPC body");
                if tx.send(v).is_err() {
                    return;
                }
            }
        });
        let mut c = Client {
            child,
            stdin,
            incoming,
            next_id: 0,
            notifications: Vec::new(),
        };
        let init = c.request(
            "initialize",
            json!({ "processId": null, "rootUri": null, "capabilities": caps }),
        );
        c.notify("initialized", json!({}));
        (c, init)
    }

    fn send(&mut self, msg: &Value) {
        self.stdin
            .write_all(&frame(msg))
            .expect("write to tmkit lsp");
        self.stdin.flush().expect("flush");
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    fn next(&mut self, deadline: Instant) -> Value {
        let left = deadline.saturating_duration_since(Instant::now());
        self.incoming
            .recv_timeout(left)
            .expect("tmkit lsp answered in time")
    }

    /// Sends a request and returns its response (`result`, or the whole
    /// response when it is an error).
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let deadline = Instant::now() + HANG;
        loop {
            let msg = self.next(deadline);
            if msg.get("id") == Some(&json!(id)) {
                return match msg.get("error") {
                    Some(_) => msg,
                    None => msg["result"].clone(),
                };
            }
            self.notifications.push(msg);
        }
    }

    /// The next diagnostics published for `uri` (skipping earlier ones
    /// already received when `fresh` is false).
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let deadline = Instant::now() + HANG;
        loop {
            if let Some(i) = self.notifications.iter().position(|n| is_diag_for(n, uri)) {
                let n = self.notifications.remove(i);
                return n["params"]["diagnostics"].as_array().expect("list").clone();
            }
            let msg = self.next(deadline);
            self.notifications.push(msg);
        }
    }

    /// Drops every notification received so far.
    fn forget(&mut self) {
        while let Ok(m) = self.incoming.try_recv() {
            self.notifications.push(m);
        }
        self.notifications.clear();
    }

    fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "yaml", "version": 1, "text": text } }),
        );
    }

    fn change(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] }),
        );
    }

    fn at(&mut self, method: &str, uri: &str, pos: (u32, u32), extra: Value) -> Value {
        let mut params = json!({ "textDocument": { "uri": uri }, "position": { "line": pos.0, "character": pos.1 } });
        if let (Some(p), Some(e)) = (params.as_object_mut(), extra.as_object()) {
            p.extend(e.clone());
        }
        self.request(method, params)
    }

    /// shutdown, exit; the server must then end with status 0.
    fn stop(mut self) {
        let r = self.request("shutdown", Value::Null);
        assert_eq!(r, Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + HANG;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                assert!(status.success(), "tmkit lsp ended with {status}");
                return;
            }
            assert!(Instant::now() < deadline, "tmkit lsp did not exit");
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn is_diag_for(n: &Value, uri: &str) -> bool {
    n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == uri
}

/// A copy of examples/composed in a temporary directory.
fn composed() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let from = repo_root().join("examples/composed");
    copy_dir(&from, dir.path());
    let root = std::fs::canonicalize(dir.path()).expect("canonical");
    (dir, root)
}

fn uri(path: &Path) -> String {
    // The test paths have no character that needs escaping.
    format!("file://{}", path.display())
}

/// Line and UTF-8 column of the `nth` occurrence of `needle` in `text`.
fn find(text: &str, needle: &str, nth: usize) -> (u32, u32) {
    let at = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle} #{nth} not in the text"))
        .0;
    let line = text[..at].matches('\n').count();
    let col = at - text[..at].rfind('\n').map_or(0, |i| i + 1);
    (line as u32, col as u32)
}

fn range_of(v: &Value) -> (u64, u64, u64, u64) {
    let r = &v["range"];
    (
        r["start"]["line"].as_u64().expect("line"),
        r["start"]["character"].as_u64().expect("char"),
        r["end"]["line"].as_u64().expect("line"),
        r["end"]["character"].as_u64().expect("char"),
    )
}

#[test]
fn diagnostics_follow_the_buffer_across_the_files_of_a_composed_model() {
    let (_dir, root) = composed();
    let login = root.join("login/threatmodel.yaml");
    let text = std::fs::read_to_string(&login).expect("read");
    let (mut c, init) = Client::start(&[]);
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(init["serverInfo"]["name"], "tmkit");
    // A broken reference typed in the editor, not saved.
    let broken = text.replacen("targets: [login]", "targets: [logn]", 1);
    c.open(&uri(&login), &broken);
    let diags = c.diagnostics(&uri(&login));
    let codes: Vec<&str> = diags
        .iter()
        .map(|d| d["code"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(codes, ["E0201"], "{diags:#?}");
    let d = &diags[0];
    assert_eq!(d["severity"], 1);
    assert_eq!(d["source"], "tmkit");
    let msg = d["message"].as_str().expect("message");
    assert!(msg.contains("unresolved reference 'logn'"), "{msg}");
    assert!(msg.contains("help: did you mean 'login'?"), "{msg}");
    let (line, col) = find(&broken, "logn", 0);
    assert_eq!(
        range_of(d),
        (line.into(), col.into(), line.into(), (col + 4).into())
    );
    // The root and the catalogue are checked with it: published too.
    let root_diags = c.diagnostics(&uri(&root.join("threatmodel.yaml")));
    assert!(root_diags.iter().all(|d| d["code"] != "E0201"));
    c.diagnostics(&uri(&root.join("catalog/attackers.yaml")));
    // Fixed in the editor: the file's diagnostics are cleared.
    c.change(&uri(&login), 2, &text);
    assert_eq!(c.diagnostics(&uri(&login)), Vec::<Value>::new());
    c.stop();
}

#[test]
fn a_burst_of_changes_is_checked_once_the_editor_is_quiet() {
    let (_dir, root) = composed();
    let login = root.join("login/threatmodel.yaml");
    let text = std::fs::read_to_string(&login).expect("read");
    let (mut c, _) = Client::start(&[]);
    c.open(&uri(&login), &text);
    assert_eq!(c.diagnostics(&uri(&login)), Vec::<Value>::new());
    c.forget();
    // Twenty keystrokes in one write; the last leaves a broken reference.
    let mut burst = Vec::new();
    for v in 0..20 {
        let t = text.replacen("targets: [login]", &format!("targets: [lo{v}]"), 1);
        burst.extend(frame(
            &json!({ "jsonrpc": "2.0", "method": "textDocument/didChange",
            "params": { "textDocument": { "uri": uri(&login), "version": v + 2 },
                        "contentChanges": [{ "text": t }] } }),
        ));
    }
    c.stdin.write_all(&burst).expect("write");
    c.stdin.flush().expect("flush");
    // A request after the burst is answered on the last text; the
    // diagnostics published before its answer end with the last text's,
    // and the burst was not checked change by change (one check when the
    // machine is not starved; never twenty).
    let symbols = c.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": uri(&login) } }),
    );
    assert!(symbols.as_array().is_some_and(|s| !s.is_empty()));
    let published: Vec<&Value> = c
        .notifications
        .iter()
        .filter(|n| is_diag_for(n, &uri(&login)))
        .collect();
    assert!(
        !published.is_empty() && published.len() < 20,
        "{}",
        published.len()
    );
    let last = published.last().expect("one");
    let msg = last["params"]["diagnostics"][0]["message"]
        .as_str()
        .expect("message");
    assert!(msg.contains("'lo19'"), "{msg}");
    c.stop();
}

#[test]
fn definition_and_references_cross_files() {
    let (_dir, root) = composed();
    let login = root.join("login/threatmodel.yaml");
    let catalog = root.join("catalog/attackers.yaml");
    let top = root.join("threatmodel.yaml");
    let text = std::fs::read_to_string(&login).expect("read");
    let cat_text = std::fs::read_to_string(&catalog).expect("read");
    let top_text = std::fs::read_to_string(&top).expect("read");
    let (mut c, _) = Client::start(&[]);
    c.open(&uri(&login), &text);
    // A qualified reference into the imported catalogue.
    let (l, col) = find(&text, "ORG.script-kiddie", 0);
    let def = c.at(
        "textDocument/definition",
        &uri(&login),
        (l, col + 5),
        json!({}),
    );
    assert_eq!(def["uri"], uri(&catalog));
    let (dl, dc) = find(&cat_text, "script-kiddie", 0);
    assert_eq!(range_of(&def).0, u64::from(dl));
    assert_eq!(range_of(&def).1, u64::from(dc));
    // Every reference to the mitigation M.waf, in every file, with its definition.
    let (l, col) = find(&text, "M.waf", 0);
    let refs = c.at(
        "textDocument/references",
        &uri(&login),
        (l, col),
        json!({ "context": { "includeDeclaration": true } }),
    );
    let refs = refs.as_array().expect("locations");
    let files: Vec<&str> = refs
        .iter()
        .map(|r| r["uri"].as_str().expect("uri"))
        .collect();
    let expected_count = 1 + [&text, &top_text, &cat_text]
        .iter()
        .map(|t| {
            t.matches("- M.waf").count()
                + t.matches("[M.waf").count()
                + t.matches(", M.waf").count()
        })
        .sum::<usize>();
    assert_eq!(refs.len(), expected_count, "{refs:#?}");
    assert!(files.contains(&uri(&catalog).as_str()) && files.contains(&uri(&login).as_str()));
    let without = c.at(
        "textDocument/references",
        &uri(&login),
        (l, col),
        json!({ "context": { "includeDeclaration": false } }),
    );
    assert_eq!(without.as_array().map(Vec::len), Some(expected_count - 1));
    // A component path leads to the component's file.
    c.open(&uri(&top), &top_text);
    let (l, col) = find(&top_text, "path: login", 0);
    let def = c.at(
        "textDocument/definition",
        &uri(&top),
        (l, col + 7),
        json!({}),
    );
    assert_eq!(def["uri"], uri(&login));
    // So does an import path; its references are every path importing the catalogue.
    let (l, col) = find(&top_text, "catalog/attackers.yaml", 0);
    let def = c.at(
        "textDocument/definition",
        &uri(&top),
        (l, col + 3),
        json!({}),
    );
    assert_eq!(def["uri"], uri(&catalog));
    let importers = c.at(
        "textDocument/references",
        &uri(&top),
        (l, col + 3),
        json!({ "context": { "includeDeclaration": true } }),
    );
    let importers: Vec<&str> = importers
        .as_array()
        .expect("locations")
        .iter()
        .map(|r| r["uri"].as_str().expect("uri"))
        .collect();
    let expected = [&top_text, &text]
        .iter()
        .map(|t| t.matches("attackers.yaml").count())
        .sum::<usize>();
    assert_eq!(importers.len(), expected, "{importers:?}");
    assert!(importers.contains(&uri(&top).as_str()));
    // Nothing on a plain key.
    let (l, col) = find(&top_text, "title", 0);
    let none = c.at("textDocument/definition", &uri(&top), (l, col), json!({}));
    assert_eq!(none, Value::Null);
    c.stop();
}

#[test]
fn hover_shows_derived_values_and_symbols_outline_the_file() {
    let (_dir, root) = composed();
    let login = root.join("login/threatmodel.yaml");
    let text = std::fs::read_to_string(&login).expect("read");
    let (mut c, _) = Client::start(&[]);
    c.open(&uri(&login), &text);
    let (l, col) = find(&text, "T.stuffing", 0);
    let h = c.at("textDocument/hover", &uri(&login), (l, col + 2), json!({}));
    let value = h["contents"]["value"].as_str().expect("markdown");
    // CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N is 7.5 high.
    assert!(
        value.contains("**threat** `SHOP.LOGIN.T.stuffing`"),
        "{value}"
    );
    assert!(value.contains("score: 7.5 high"), "{value}");
    assert!(value.contains("status: "), "{value}");
    // A target: its answered and total questions, as the library counts them.
    let outcome = tmkit::check(&root, &tmkit::CheckOptions::new());
    let analysis = outcome.analysis.expect("valid");
    let qs: Vec<_> = analysis
        .questions()
        .filter(|q| q.target == "SHOP.LOGIN.login")
        .collect();
    let answered = qs.iter().filter(|q| q.answered).count();
    assert!(!qs.is_empty());
    let (l, col) = find(&text, "targets: [login]", 0);
    let h = c.at("textDocument/hover", &uri(&login), (l, col + 11), json!({}));
    let value = h["contents"]["value"].as_str().expect("markdown");
    assert!(
        value.contains(&format!("questions answered: {answered}/{}", qs.len())),
        "{value}"
    );
    assert!(value.contains("Submit credentials"), "{value}");
    // The outline: the model and each element, in file order, with its kind.
    let syms = c.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": uri(&login) } }),
    );
    let names: Vec<(&str, &str)> = syms
        .as_array()
        .expect("symbols")
        .iter()
        .map(|s| {
            (
                s["name"].as_str().expect("name"),
                s["detail"].as_str().expect("detail"),
            )
        })
        .collect();
    assert_eq!(
        &names[..7],
        [
            ("LOGIN", "model"),
            ("login-api", "asset"),
            ("credentials", "asset"),
            ("login", "data flow"),
            ("verify", "data flow"),
            ("A.argon", "assumption"),
            ("T.stuffing", "threat"),
        ]
    );
    c.stop();
}

fn labels(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("items")
        .iter()
        .map(|i| i["label"].as_str().expect("label").to_string())
        .collect()
}

#[test]
fn completion_offers_what_fits_the_context() {
    let (_dir, root) = composed();
    let login = root.join("login/threatmodel.yaml");
    let text = std::fs::read_to_string(&login).expect("read");
    let (mut c, _) = Client::start(&[]);
    c.open(&uri(&login), &text);
    // Targets: assets and data flows, not attackers or threats.
    let (l, col) = find(&text, "targets: [login]", 0);
    let items = labels(&c.at(
        "textDocument/completion",
        &uri(&login),
        (l, col + 10),
        json!({}),
    ));
    for want in ["login-api", "credentials", "login", "verify", "storefront"] {
        assert!(items.contains(&want.to_string()), "{want} in {items:?}");
    }
    assert!(
        !items
            .iter()
            .any(|i| i == "script-kiddie" || i == "T.stuffing"),
        "{items:?}"
    );
    // Attackers: from the catalogue too.
    let (l, col) = find(&text, "attackers: [", 0);
    let items = labels(&c.at(
        "textDocument/completion",
        &uri(&login),
        (l, col + 12),
        json!({}),
    ));
    assert!(items.contains(&"script-kiddie".to_string()), "{items:?}");
    // Categories of the model's taxonomy (STRIDE, inherited from the root).
    let (l, col) = find(&text, "categories: [", 0);
    let items = labels(&c.at(
        "textDocument/completion",
        &uri(&login),
        (l, col + 13),
        json!({}),
    ));
    assert!(
        items.contains(&"spoofing".to_string()) && items.contains(&"tampering".to_string()),
        "{items:?}"
    );
    // An asset's kind, and the keys of an asset being written.
    let typing = text.replacen("      kind: service\n", "      kind: \n      zo\n", 1);
    c.change(&uri(&login), 2, &typing);
    let (l, col) = find(&typing, "kind: \n", 0);
    let items = labels(&c.at(
        "textDocument/completion",
        &uri(&login),
        (l, col + 6),
        json!({}),
    ));
    assert!(
        items.contains(&"datastore".to_string()) && !items.contains(&"design".to_string()),
        "{items:?}"
    );
    let (l, _) = find(&typing, "      zo\n", 0);
    let items = labels(&c.at("textDocument/completion", &uri(&login), (l, 8), json!({})));
    assert!(
        items.contains(&"zone".to_string()) && items.contains(&"in_scope".to_string()),
        "{items:?}"
    );
    assert!(!items.contains(&"targets".to_string()), "{items:?}");
    c.stop();
}

/// Applies a WorkspaceEdit's edits (UTF-8 positions) to the files.
fn apply(edit: &Value) -> usize {
    let mut n = 0;
    for (u, edits) in edit["changes"].as_object().expect("changes") {
        let path = PathBuf::from(u.strip_prefix("file://").expect("file uri"));
        let mut text = std::fs::read_to_string(&path).expect("read");
        let mut edits: Vec<&Value> = edits.as_array().expect("edits").iter().collect();
        edits.sort_by_key(|e| std::cmp::Reverse(range_of(e)));
        for e in edits {
            let (sl, sc, el, ec) = range_of(e);
            let offset = |l: u64, c: u64| {
                text.split_inclusive('\n')
                    .take(l as usize)
                    .map(str::len)
                    .sum::<usize>()
                    + c as usize
            };
            let (a, b) = (offset(sl, sc), offset(el, ec));
            text.replace_range(a..b, e["newText"].as_str().expect("text"));
            n += 1;
        }
        std::fs::write(&path, text).expect("write");
    }
    n
}

#[test]
fn rename_changes_every_file_of_the_model_and_it_still_checks() {
    let (_dir, root) = composed();
    let login = root.join("login/threatmodel.yaml");
    let catalog = root.join("catalog/attackers.yaml");
    let text = std::fs::read_to_string(&login).expect("read");
    let (mut c, _) = Client::start(&["utf-8"]);
    c.open(&uri(&login), &text);
    let (l, col) = find(&text, "M.waf", 0);
    let bad = c.at(
        "textDocument/rename",
        &uri(&login),
        (l, col),
        json!({ "newName": "no spaces" }),
    );
    assert!(
        bad["error"]["message"]
            .as_str()
            .expect("error")
            .contains("not an id"),
        "{bad}"
    );
    let edit = c.at(
        "textDocument/rename",
        &uri(&login),
        (l, col),
        json!({ "newName": "M.firewall" }),
    );
    let files = edit["changes"].as_object().expect("changes");
    assert!(
        files.contains_key(&uri(&catalog)) && files.contains_key(&uri(&login)),
        "{edit:#}"
    );
    let before = tmkit::check(&root, &tmkit::CheckOptions::new());
    let n = apply(&edit);
    assert!(n >= 2);
    let after = tmkit::check(&root, &tmkit::CheckOptions::new());
    assert!(after.model.is_some(), "{:?}", after.diagnostics);
    assert_eq!(after.diagnostics.len(), before.diagnostics.len());
    let all: String = [&login, &catalog, &root.join("threatmodel.yaml")]
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("read"))
        .collect();
    assert!(!all.contains("M.waf") && all.contains("M.firewall"));
    let spans = after.spans;
    assert!(spans.get("ORG.M.firewall").is_some());
    c.stop();
}

#[test]
fn positions_are_counted_in_the_negotiated_encoding() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = std::fs::canonicalize(dir.path()).expect("canonical");
    let model = root.join("threatmodel.yaml");
    // Two characters outside the BMP before the broken reference: 8 UTF-8
    // bytes, 4 UTF-16 units, on the same line.
    let text = "tmkit: 1\nid: X\ntitle: X\nscope:\n  zones:\n    - { id: z, title: Z, trust: 0 }\n  assets:\n    - { title: \"𝄞𝄞\", id: a, kind: service, zone: zz }\n";
    std::fs::write(&model, text).expect("write");
    for (offer, expect_enc, col) in [
        (&["utf-8", "utf-16"][..], "utf-8", 55u64),
        (&[][..], "utf-16", 51),
    ] {
        let (mut c, init) = Client::start(offer);
        assert_eq!(init["capabilities"]["positionEncoding"], expect_enc);
        c.open(&uri(&model), text);
        let diags = c.diagnostics(&uri(&model));
        let d = diags.iter().find(|d| d["code"] == "E0205").expect("E0205");
        assert_eq!(range_of(d), (7, col, 7, col + 2), "{expect_enc}");
        // And back: a position on `zz` in that encoding finds nothing to
        // define (it names nothing) but hover on `a` just before works.
        let h = c.at(
            "textDocument/hover",
            &uri(&model),
            (7, col as u32 - 24),
            json!({}),
        );
        let v = h["contents"]["value"].as_str().unwrap_or_default();
        assert!(v.contains("**asset** `X.a`"), "{expect_enc}: {h}");
        c.stop();
    }
}

#[test]
fn other_yaml_files_are_left_alone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = std::fs::canonicalize(dir.path()).expect("canonical");
    let workflow = root.join("ci.yaml");
    let text = "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n";
    std::fs::write(&workflow, text).expect("write");
    let (mut c, _) = Client::start(&[]);
    c.open(&uri(&workflow), text);
    // Requests are answered after pending changes are handled: no
    // diagnostics come for the workflow, and nothing is found in it.
    let h = c.at("textDocument/hover", &uri(&workflow), (0, 0), json!({}));
    assert_eq!(h, Value::Null);
    let syms = c.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": uri(&workflow) } }),
    );
    assert_eq!(syms, json!([]));
    assert!(
        !c.notifications
            .iter()
            .any(|n| is_diag_for(n, &uri(&workflow))),
        "{:?}",
        c.notifications
    );
    // Once it becomes a model, it is checked.
    c.change(&uri(&workflow), 2, "tmkit: 1\nid: W\n");
    let diags = c.diagnostics(&uri(&workflow));
    assert!(diags.iter().any(|d| d["code"] == "E0104"), "{diags:#?}");
    c.stop();
}

#[test]
fn every_position_of_a_file_is_answered_without_failing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = std::fs::canonicalize(dir.path()).expect("canonical");
    let model = root.join("threatmodel.yaml");
    // Multi-byte text, flow and block mappings, comments, quoting, a broken
    // reference and a line being typed.
    let text = "tmkit: 1\nid: X # é\ntitle: \"Ünïcode 𝄞\"\nscope:\n  zones: [{ id: z, title: Zé, trust: 0 }]\n  assets:\n    - { title: \"𝄞\", id: a, kind: service, zone: z }\n    - id: 'b'\n      title: B\n      zone: zz\n      ki\nthreats:\n  - id: T\n    title: t\n    categories: [confidentiality, \n    targets: [a, \"b\"]\n";
    std::fs::write(&model, text).expect("write");
    let (mut c, _) = Client::start(&[]);
    c.open(&uri(&model), text);
    let lines = text.lines().count() as u32;
    for line in 0..=lines + 1 {
        for ch in 0..40 {
            for method in [
                "textDocument/hover",
                "textDocument/completion",
                "textDocument/definition",
            ] {
                let r = c.at(method, &uri(&model), (line, ch), json!({}));
                assert!(r.get("error").is_none(), "{method} at {line}:{ch}: {r}");
            }
        }
    }
    let r = c.at(
        "textDocument/references",
        &uri(&model),
        (u32::MAX, u32::MAX),
        json!({ "context": { "includeDeclaration": true } }),
    );
    assert_eq!(r, json!([]));
    c.stop();
}

#[test]
fn control_characters_of_the_model_never_reach_the_editor_raw() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = std::fs::canonicalize(dir.path()).expect("canonical");
    let model = root.join("threatmodel.yaml");
    // An escape sequence in a broken reference: terminal editors print
    // diagnostics as they are.
    let text = "tmkit: 1\nid: X\ntitle: X\nthreats:\n  - { id: T, title: t, categories: [integrity], targets: [\"\\e[31mred\"] }\n";
    std::fs::write(&model, text).expect("write");
    let (mut c, _) = Client::start(&[]);
    c.open(&uri(&model), text);
    let diags = c.diagnostics(&uri(&model));
    let msg = diags
        .iter()
        .map(|d| d["message"].as_str().expect("message"))
        .collect::<String>();
    assert!(msg.contains("[31mred"), "{msg}");
    assert!(!msg.contains('\u{1b}'), "{msg}");
    c.stop();
}

#[test]
fn the_diagnostics_are_those_of_check_in_every_file() {
    // Errors and warnings in the root and in a component (ASCII only, so
    // check's character columns and LSP's UTF-16 columns agree).
    let (_dir, root) = composed();
    let login = root.join("login/threatmodel.yaml");
    let top = root.join("threatmodel.yaml");
    let text = std::fs::read_to_string(&login).expect("read");
    let broken = text
        .replacen("targets: [login]", "targets: [logn]", 1)
        .replacen(
            "attackers: [ORG.script-kiddie]",
            "attackers: [ORG.script-kidie]",
            1,
        );
    std::fs::write(&login, &broken).expect("write");
    let top_text = std::fs::read_to_string(&top).expect("read");
    std::fs::write(&top, top_text.replacen("zone: dmz", "zone: dzm", 1)).expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_tmkit"))
        .args(["check", "-f", "json"])
        .arg(&root)
        .output()
        .expect("check");
    let json: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let mut expected: Vec<(String, String, u64, u64)> = super::support::diagnostics(&json)
        .into_iter()
        .map(|(code, file, line, col, _)| {
            let path = std::fs::canonicalize(root.join(&file)).expect("file");
            (code, uri(&path), line, col)
        })
        .collect();
    expected.sort();
    assert!(expected.len() >= 3, "{expected:?}");
    let (mut c, _) = Client::start(&[]);
    c.open(&uri(&login), &broken);
    let mut got: Vec<(String, String, u64, u64)> = Vec::new();
    for file in [&top, &login, &root.join("catalog/attackers.yaml")] {
        for d in c.diagnostics(&uri(file)) {
            let (line, col, _, _) = range_of(&d);
            got.push((
                d["code"].as_str().expect("code").to_string(),
                uri(file),
                line + 1,
                col + 1,
            ));
        }
    }
    got.sort();
    assert_eq!(got, expected);
    c.stop();
}

#[test]
fn files_changed_outside_the_editor_are_checked_again() {
    let (_dir, root) = composed();
    let login = root.join("login/threatmodel.yaml");
    let text = std::fs::read_to_string(&login).expect("read");
    let caps = json!({ "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } } });
    let (mut c, _) = Client::start_with(caps);
    // The server asks to be told of changed model files, and the editor
    // answers as an editor does.
    let deadline = Instant::now() + HANG;
    let register = loop {
        if let Some(i) =
            (c.notifications.iter()).position(|n| n["method"] == "client/registerCapability")
        {
            break c.notifications.remove(i);
        }
        let msg = c.next(deadline);
        c.notifications.push(msg);
    };
    let reg = &register["params"]["registrations"][0];
    assert_eq!(reg["method"], "workspace/didChangeWatchedFiles");
    let globs: Vec<&str> = (reg["registerOptions"]["watchers"]
        .as_array()
        .expect("watchers"))
    .iter()
    .map(|w| w["globPattern"].as_str().unwrap_or(""))
    .collect();
    assert_eq!(globs, ["**/*.yaml", "**/*.yml", "**/*.json"]);
    c.send(&json!({ "jsonrpc": "2.0", "id": register["id"], "result": null }));
    // The root is open in the editor; the component is not.
    let root_file = root.join("threatmodel.yaml");
    c.open(
        &uri(&root_file),
        &std::fs::read_to_string(&root_file).expect("read"),
    );
    assert_eq!(c.diagnostics(&uri(&login)), Vec::<Value>::new());
    // A checkout breaks the component on disk: its diagnostics come.
    std::fs::write(
        &login,
        text.replacen("targets: [login]", "targets: [logn]", 1),
    )
    .expect("write");
    let changed =
        |path: &Path, kind: u8| json!({ "changes": [{ "uri": uri(path), "type": kind }] });
    c.notify("workspace/didChangeWatchedFiles", changed(&login, 2));
    let codes: Vec<Value> = (c.diagnostics(&uri(&login)).iter())
        .map(|d| d["code"].clone())
        .collect();
    assert_eq!(codes, [json!("E0201")]);
    // Deleted, then created again as it was: the model is whole again.
    std::fs::remove_file(&login).expect("remove");
    c.notify("workspace/didChangeWatchedFiles", changed(&login, 3));
    // (Earlier publishes of the root may still be queued: the first
    // non-empty one is the answer, and it must come.)
    let root_diags = loop {
        let d = c.diagnostics(&uri(&root_file));
        if !d.is_empty() {
            break d;
        }
    };
    assert!(
        root_diags
            .iter()
            .any(|d| d["message"].as_str().unwrap_or("").contains("login")),
        "{root_diags:#?}"
    );
    c.forget();
    std::fs::write(&login, &text).expect("write");
    c.notify("workspace/didChangeWatchedFiles", changed(&login, 1));
    assert_eq!(c.diagnostics(&uri(&root_file)), Vec::<Value>::new());
    assert_eq!(c.diagnostics(&uri(&login)), Vec::<Value>::new());
    c.stop();
}
