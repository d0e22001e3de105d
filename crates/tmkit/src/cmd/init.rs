//! `tmkit init`: write a small valid model with TODO markers.

use std::path::PathBuf;
use tmkit::ExitStatus;

/// Arguments of `tmkit init`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Directory to write `threatmodel.yaml` and its schema into (default: the current directory).
    pub dir: Option<PathBuf>,
    /// Model id (the first segment of every qualified id).
    #[arg(long, default_value = "APP")]
    pub id: String,
}

/// The file name of the schema written beside the model.
pub const SCHEMA_FILE: &str = "threatmodel.schema.json";

/// The starter model.
pub fn template(id: &str) -> String {
    format!(
        r#"# yaml-language-server: $schema=./{SCHEMA_FILE}
# A starter threat model. Replace every TODO (each one is a W0305 warning),
# then run `tmkit check --deny warnings`.
tmkit: 1
id: {id}
title: TODO name of the system
version: "0.1"
owner: TODO owning team
description: |
  TODO what the system does, for whom, and what it must protect.

scope:
  abstraction:
    level: container
    taxonomy: STRIDE
    notes: TODO why this level of abstraction
  requirements:
    - id: req.1
      title: TODO a high-level security or compliance requirement
      kind: compliance
  zones:
    - {{ id: internet, title: Open internet, trust: 0 }}
    - {{ id: internal, title: TODO internal network, trust: 2 }}
  assets:
    - id: client
      title: TODO client (browser, device)
      kind: external
      zone: internet
      in_scope: false
      reason: TODO why the client itself is not analysed
    - id: api
      title: TODO the service you build
      kind: service
      zone: internal
  dataflows:
    - id: flow.1
      title: TODO client calls the API
      from: client
      to: api
      protocol: HTTPS
  attackers:
    - {{ id: anon, title: TODO anonymous internet user, zone: internet }}
  assumptions:
    - {{ id: A1, title: TODO something the analysis takes for granted }}

mitigations:
  - id: M.tls
    title: TODO TLS on every external endpoint
    kind: design
    in_place: false
    requirements: [req.1]

threats:
  - id: T.1
    title: TODO attacker tampers with requests to the API
    categories: [tampering, spoofing, elevation-of-privilege]
    targets: [flow.1]
    attackers: [anon]
    assumptions: [A1]
    cvss: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:L/A:N
    ticket: TODO-1
    requirements: [req.1]
    mitigations: [M.tls]
"#
    )
}

/// Runs the command.
pub fn run(args: Args) -> ExitStatus {
    let dir = args.dir.unwrap_or_else(|| PathBuf::from("."));
    if !tmkit_syntax::decode::is_valid_id(&args.id) {
        eprintln_escaped!(
            "error: invalid model id '{}': start with a letter, then letters, digits, `_` or `-`",
            args.id
        );
        return ExitStatus::UsageOrIo;
    }
    let model = dir.join(tmkit_syntax::load::MODEL_FILE);
    let schema = dir.join(SCHEMA_FILE);
    for p in [&model, &schema] {
        if p.exists() {
            eprintln_escaped!(
                "error: {} already exists; tmkit init never overwrites a file",
                p.display()
            );
            return ExitStatus::UsageOrIo;
        }
    }
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln_escaped!("error: cannot create {}: {e}", dir.display());
        return ExitStatus::UsageOrIo;
    }
    let mut schema_text =
        serde_json::to_string_pretty(&tmkit_syntax::raw::schema()).unwrap_or_default();
    schema_text.push('\n');
    for (path, text) in [(&schema, schema_text), (&model, template(&args.id))] {
        // create_new: never replace a file that appeared meanwhile.
        let res = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()));
        if let Err(e) = res {
            eprintln_escaped!("error: cannot write {}: {e}", path.display());
            return ExitStatus::UsageOrIo;
        }
    }
    eprintln_escaped!(
        "wrote {} and {}; next: edit the TODOs, then `tmkit check {}`",
        model.display(),
        schema.display(),
        dir.display()
    );
    ExitStatus::Ok
}
