//! Open Threat Model 0.2.0: export a tmkit project, import an OTM document.
//!
//! # Export ([`export`], [`to_json`])
//!
//! | tmkit | OTM |
//! |---|---|
//! | root model | `project` (id, title as name, description, owner) |
//! | zones | `trustZones`; `trust` scaled to `trustRating` 0-100 over the project's lowest..highest trust (50 when all zones trust alike); `within` as `parent` |
//! | assets of kind service, process, datastore, external, hardware, other | `components` (`type` is the kind, `parent` the zone) |
//! | assets of kind data, credential, key, certificate | root `assets` (risk 0/0/0: tmkit does not rate sensitivity) |
//! | data flows | `dataflows` (`carries` as `assets`) |
//! | threats | root `threats` (impact = CVSS score x 10), with an instance on every component and flow it targets (state `Mitigated`, `Accepted`, `Partly mitigated` or `Exposed`) |
//! | mitigations | root `mitigations` (risk reduction 100 for controls, 0 for risk acceptance), instances `Implemented` when in place, else `Required` |
//!
//! What OTM cannot hold goes into `attributes` under `tmkit.` keys, so an
//! export imports back to the same model: each element's qualified id, model
//! and local id, in/out of scope and reason, confidentiality, CVSS vector,
//! tickets, operators, mitigation kinds, a mitigation's owner, treatment
//! fields and evidence (`tmkit.owner`, `tmkit.treatment`, `tmkit.evidence`), the exact trust level, threat
//! targets (OTM assets cannot hold threat instances) and attackers; and, on
//! the project, the models themselves (`tmkit.models`: ids, paths, titles,
//! taxonomy, requirements, attackers, assumptions, analysis verdicts).
//! An asset without a zone is placed in a synthetic trust zone
//! (`tmkit-no-zone`, rating 0), dropped again on import.
//!
//! Ids are the qualified ids; one longer than OTM's 36 characters becomes its
//! first 27 characters, `~` and 8 hex digits of a hash of the whole id
//! (deterministic), the original being kept in `tmkit.qid`.
//!
//! # Import ([`import`])
//!
//! A document with `tmkit.` attributes is rebuilt exactly. Any other OTM
//! document becomes one model: trust zones become zones (trust = rating),
//! components assets (kind from the type), OTM assets data assets, data flows
//! flows, catalogue threats threats (targets = the components and flows with
//! an instance; mitigations = those named by its instances, in place when an
//! instance says `Implemented`). The taxonomy is STRIDE when every category
//! is a STRIDE word, CIA when every one is a CIA word, else the categories
//! found. Everything approximated is a warning.

pub mod types;

mod emit;
mod export;
mod foreign;
mod import;
mod meta;
mod treatment;

use crate::files::{ImportError, ImportOutput};
use crate::yaml_in::Node;
use import::Importer;
use tmkit_analysis::Analysis;
use tmkit_model::Model;

pub use types::*;

/// The OTM version written.
pub const OTM_VERSION: &str = "0.2.0";
/// Longest id OTM tools accept.
pub const MAX_ID_LEN: usize = 36;
/// Id of the trust zone holding assets that have none.
pub const NO_ZONE: &str = "tmkit-no-zone";

const A_QID: &str = "tmkit.qid";
const A_MODEL: &str = "tmkit.model";
const A_ID: &str = "tmkit.id";
const A_MODELS: &str = "tmkit.models";
const A_SYNTHETIC: &str = "tmkit.synthetic";

/// An OTM id for a qualified id: itself when short enough, else a prefix and
/// a hash (see the module docs).
pub fn otm_id(qid: &str) -> String {
    if qid.chars().count() <= MAX_ID_LEN {
        return qid.to_string();
    }
    let prefix: String = qid.chars().take(MAX_ID_LEN - 9).collect();
    format!("{prefix}~{:08x}", fnv1a(qid.as_bytes()) as u32)
}

/// FNV-1a, 64 bits: small, stable across platforms and releases.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Exports the whole project (root, components, catalogues) as one OTM document.
pub fn export(model: &Model, analysis: &Analysis) -> Otm {
    export::Exporter::run(model, analysis)
}

/// [`export`] as pretty JSON with a final newline.
pub fn to_json(model: &Model, analysis: &Analysis) -> String {
    let mut s = serde_json::to_string_pretty(&export(model, analysis)).unwrap_or_default();
    s.push('\n');
    s
}

/// Parses an OTM document (JSON, or YAML) named `file` in errors, with
/// tmkit-syntax's reader and limits.
pub fn parse(text: &str, file: &str) -> Result<Otm, ImportError> {
    parse_tree(text, file).map(|(otm, _)| otm)
}

/// [`parse`], also returning the document's tree (for the places of its
/// elements).
fn parse_tree(text: &str, file: &str) -> Result<(Otm, Node), ImportError> {
    let tree = crate::yaml_in::parse(text, file)?;
    let otm = serde_path_to_error::deserialize(tree.to_json()).map_err(|e| {
        let line = tree.at_path(e.path()).line;
        ImportError::at(
            file,
            line,
            format!("not a valid OTM document: {}: {}", e.path(), e.inner()),
        )
    })?;
    Ok((otm, tree))
}

/// Reads the OTM document at `path` through `fs` (a regular file within the
/// loader's size limit), then imports it.
pub fn import_file(
    fs: &dyn tmkit_syntax::fs::FileSystem,
    path: &std::path::Path,
) -> Result<ImportOutput, ImportError> {
    let shown = path.to_string_lossy().replace('\\', "/");
    let mut budget = tmkit_syntax::node::Limits::default().max_total_bytes;
    let text = crate::yaml_in::read(fs, path, &shown, &mut budget)?;
    import(&text, &shown)
}

/// Imports an OTM document into tmkit model files.
pub fn import(text: &str, file: &str) -> Result<ImportOutput, ImportError> {
    let (otm, tree) = parse_tree(text, file)?;
    let mut cx = Importer {
        file: file.to_string(),
        warnings: Vec::new(),
        tree: &tree,
        sources: Default::default(),
    };
    let project = if otm.project.attributes.contains_key(A_MODELS) {
        cx.read_tmkit(&otm)?
    } else {
        cx.read_foreign(&otm)
    };
    let mut out = cx.emit(project);
    out.inputs = vec![(file.to_string(), text.to_string())];
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_fit_otm() {
        assert_eq!(otm_id("SHOP.T.inject"), "SHOP.T.inject");
        let long = "SHOP.PAY.a-very-long-threat-identifier-that-is-longer-than-thirty-six";
        let id = otm_id(long);
        assert_eq!(id.chars().count(), MAX_ID_LEN);
        assert!(id.starts_with("SHOP.PAY.a-very-long-threat"));
        assert_eq!(id, otm_id(long), "deterministic");
        assert_ne!(id, otm_id(&format!("{long}x")));
        let mut ids = export::Ids::default();
        let a = ids.get(long);
        assert_eq!(ids.get(long), a);
        assert!(ids.get("x").len() <= MAX_ID_LEN);
    }

    #[test]
    fn relative_paths() {
        use emit::relative;
        assert_eq!(
            relative("threatmodel.yaml", "pay/threatmodel.yaml"),
            "pay/threatmodel.yaml"
        );
        assert_eq!(
            relative("a/threatmodel.yaml", "a/b/threatmodel.yaml"),
            "b/threatmodel.yaml"
        );
        assert_eq!(
            relative("a/threatmodel.yaml", "catalog/x.yaml"),
            "../catalog/x.yaml"
        );
    }

    #[test]
    fn states() {
        use import::is_implemented;
        assert!(is_implemented(Some("Implemented")));
        assert!(is_implemented(Some("IMPLEMENTED")));
        assert!(!is_implemented(Some("Required")));
        assert!(!is_implemented(None));
    }
}
