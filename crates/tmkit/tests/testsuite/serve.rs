//! `tmkit serve`: started as a process on a free port, read over HTTP
//! while the model is edited underneath it.

use super::support::{HANG, copy_dir, repo_root};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(model: &Path) -> Server {
    start_with(model, &[])
}

fn start_with(model: &Path, extra: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tmkit"))
        .arg("serve")
        .arg(model)
        .args(["--port", "0"])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start tmkit serve");
    let mut line = String::new();
    let stdout = child.stdout.take().expect("stdout");
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("the URL line");
    let port = line
        .trim()
        .strip_prefix("http://127.0.0.1:")
        .and_then(|r| r.strip_suffix('/'))
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("printed URL on 127.0.0.1: {line:?}"));
    Server { child, port }
}

/// GET `path` with this Host header: (status, body).
fn get_as(port: u16, path: &str, host: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(HANG)).expect("timeout");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("status");
    let body = text
        .split_once("\r\n\r\n")
        .map(|x| x.1.to_string())
        .unwrap_or_default();
    (status, body)
}

fn get(port: u16, path: &str) -> (u16, String) {
    get_as(port, path, &format!("127.0.0.1:{port}"))
}

/// Polls `/report` until `ok` holds (at most [`HANG`]).
fn report_until(port: u16, what: &str, ok: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + HANG;
    loop {
        let (status, body) = get(port, "/report");
        assert_eq!(status, 200);
        if ok(&body) {
            return body;
        }
        assert!(Instant::now() < deadline, "the report never showed {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_preview_follows_edits_shows_errors_and_recovers() {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&repo_root().join("examples/composed"), dir.path());
    let server = start(dir.path());
    let port = server.port;
    // The preview page: the report in a frame, the reload script, a CSP.
    let (status, page) = get(port, "/");
    assert_eq!(status, 200);
    assert!(
        page.contains("<iframe id=\"view\" name=\"view\" src=\"/report\""),
        "{page}"
    );
    assert!(page.contains("fetch('/wait'") && page.contains("Content-Security-Policy"));
    let report = report_until(port, "the title", |b| {
        b.contains("<title>Threat model: Web shop</title>")
    });
    assert!(report.contains("Content-Security-Policy"));
    let (status, svg) = get(port, "/diagram.svg");
    assert_eq!(status, 200);
    assert!(
        svg.starts_with("<svg") && svg.contains("storefront"),
        "{svg}"
    );
    // The build number, then a long poll that returns on the next build.
    let (_, n) = get(port, "/wait");
    let n: u64 = n.trim().parse().expect("build number");
    // Edit the root: the next build shows it.
    let root = dir.path().join("threatmodel.yaml");
    let text = std::fs::read_to_string(&root).expect("read");
    std::fs::write(
        &root,
        text.replace("title: Web shop", "title: Web shop & café"),
    )
    .expect("write");
    let (_, next) = get(port, &format!("/wait?since={n}"));
    assert!(next.trim().parse::<u64>().expect("number") > n);
    report_until(port, "the edit", |b| b.contains("Web shop &amp; café"));
    // Break a component: the diagnostics, escaped, instead of the report.
    let login = dir.path().join("login/threatmodel.yaml");
    let good = std::fs::read_to_string(&login).expect("read");
    let bad = good.replacen("targets: [login]", "targets: [\"<b>logn\"]", 1);
    std::fs::write(&login, bad).expect("write");
    let page = report_until(port, "the diagnostics", |b| b.contains("E0201"));
    assert!(page.contains("The model has errors"), "{page}");
    assert!(
        page.contains("&lt;b&gt;logn") && !page.contains("<b>logn"),
        "{page}"
    );
    let (_, svg) = get(port, "/diagram.svg");
    assert!(svg.contains("1 error"), "{svg}");
    // Fixed: the report again.
    std::fs::write(&login, good).expect("write");
    report_until(port, "the recovered report", |b| {
        b.contains("Web shop &amp; café") && !b.contains("E0201")
    });
}

#[test]
fn only_local_hosts_and_the_preview_routes_are_served() {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&repo_root().join("examples/composed"), dir.path());
    let server = start(dir.path());
    let port = server.port;
    // DNS rebinding: a page of another name reaching our port is refused.
    let (status, body) = get_as(port, "/report", "evil.example");
    assert_eq!(status, 403);
    assert!(!body.contains("Web shop"));
    assert_eq!(get_as(port, "/report", &format!("localhost:{port}")).0, 200);
    // No file from disk, no listing.
    for path in [
        "/threatmodel.yaml",
        "/login/",
        "/../../etc/passwd",
        "/report/x",
    ] {
        assert_eq!(get(port, path).0, 404, "{path}");
    }
}

#[test]
fn a_port_in_use_is_an_io_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&repo_root().join("examples/composed"), dir.path());
    let out = Command::new(env!("CARGO_BIN_EXE_tmkit"))
        .arg("serve")
        .arg(dir.path())
        .args(["--port", &port.to_string()])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("error: tmkit serve:"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn the_public_view_withholds_what_is_confidential() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Only mitigated threats are public: T1 is, T2 is confidential.
    let model = "tmkit: 1\nid: S\ntitle: Shop\nscope:\n  zones: [{ id: net, title: Net, trust: 0 }, { id: dmz, title: DMZ, trust: 1 }]\n  assets:\n    - { id: web, title: Web, kind: service, zone: dmz }\n    - { id: vault, title: SecretVault, kind: datastore, zone: dmz, confidential: true }\n  attackers: [{ id: anon, title: Anon, zone: net }]\nthreats:\n  - { id: T1, title: Defacement, categories: [integrity], targets: [web], mitigations: [{ title: Signed deploys, kind: design, in_place: true }] }\n  - { id: T2, title: HiddenHeist, categories: [confidentiality], targets: [vault], confidential: true }\n";
    std::fs::write(dir.path().join("threatmodel.yaml"), model).expect("write");
    let server = start_with(dir.path(), &["--view", "public"]);
    let report = report_until(server.port, "the report", |b| b.contains("Defacement"));
    assert!(
        !report.contains("HiddenHeist") && !report.contains("SecretVault"),
        "{report}"
    );
    let (_, svg) = get(server.port, "/diagram.svg");
    assert!(svg.contains("Web") && !svg.contains("SecretVault"), "{svg}");
    let full = start(dir.path());
    let report = report_until(full.port, "the report", |b| b.contains("Defacement"));
    assert!(report.contains("HiddenHeist"));
}

#[test]
fn no_model_found_is_exit_2_and_nothing_listens() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new(env!("CARGO_BIN_EXE_tmkit"))
        .arg("serve")
        .args(["--port", "0"])
        .current_dir(dir.path())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("E0014"));
    assert!(out.stdout.is_empty());
}
