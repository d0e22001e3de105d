//! `tmkit import FILE`: which importer a file needs, from its content.

use crate::files::{ImportError, ImportOutput};
use crate::yaml_in::Node;
use std::path::Path;
use tmkit_syntax::fs::FileSystem;

/// A format that `tmkit import FILE` recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// OWASP Threat Dragon JSON (v1 or v2).
    ThreatDragon,
    /// TM-BOM (OWASP Threat Model Library schema).
    TmBom,
    /// Microsoft Threat Modeling Tool (`.tm7`).
    Tm7,
    /// Open Threat Model.
    Otm,
    /// A tmyaml tree (a directory or its root file).
    Tmyaml,
    /// Threagile YAML.
    Threagile,
    /// The JSON of pytm's `--json`.
    Pytm,
}

impl Format {
    /// The name shown to the user, with the subcommand that imports it.
    pub fn describe(self) -> &'static str {
        match self {
            Format::ThreatDragon => "OWASP Threat Dragon (`tmkit import threat-dragon`)",
            Format::TmBom => "TM-BOM (`tmkit import threat-dragon`)",
            Format::Tm7 => "Microsoft Threat Modeling Tool (`tmkit import tm7`)",
            Format::Otm => "Open Threat Model (`tmkit import otm`)",
            Format::Tmyaml => "tmyaml (`tmkit import tmyaml`)",
            Format::Threagile => "Threagile (`tmkit import threagile`)",
            Format::Pytm => "pytm JSON (`tmkit import pytm`)",
        }
    }
}

/// Recognises the format of the file (or tmyaml directory) at `path` by its
/// content and imports it. An unknown format, or a known one that is not
/// supported, is an error saying so.
pub fn import_file(
    fs: &dyn FileSystem,
    path: &Path,
) -> Result<(Format, ImportOutput), ImportError> {
    if fs.is_dir(path) {
        return crate::tmyaml::import_from(fs, path).map(|o| (Format::Tmyaml, o));
    }
    let shown = path.to_string_lossy().replace('\\', "/");
    let mut budget = tmkit_syntax::node::Limits::default().max_total_bytes;
    let bytes = crate::yaml_in::read_bytes(fs, path, &shown, &mut budget)?;
    if bytes.starts_with(b"PK") {
        let text = crate::unzip::single_xml(bytes, &shown)?;
        return crate::tm7::import(&text, &shown).map(|o| (Format::Tm7, o));
    }
    let text = crate::yaml_in::decode(&bytes, &shown)?;
    if text.trim_start().starts_with('<') {
        if crate::tm7::is_tm7(&text) {
            return crate::tm7::import(&text, &shown).map(|o| (Format::Tm7, o));
        }
        return Err(ImportError::at(
            &shown,
            1,
            "an XML file, but not a Microsoft Threat Modeling Tool model (no `ThreatModel` element of its namespace)",
        ));
    }
    let doc = crate::yaml_in::parse(&text, &shown)?;
    match detect(&doc) {
        Ok(Format::TmBom) => {
            crate::threat_dragon::import(&text, &shown).map(|o| (Format::TmBom, o))
        }
        Ok(Format::ThreatDragon) => {
            crate::threat_dragon::import(&text, &shown).map(|o| (Format::ThreatDragon, o))
        }
        Ok(Format::Otm) => crate::otm::import(&text, &shown).map(|o| (Format::Otm, o)),
        Ok(Format::Pytm) => crate::pytm::import(&text, &shown).map(|o| (Format::Pytm, o)),
        Ok(Format::Threagile) => {
            crate::threagile::import(&text, &shown).map(|o| (Format::Threagile, o))
        }
        Ok(_) => crate::tmyaml::import_from(fs, path).map(|o| (Format::Tmyaml, o)),
        Err(message) => Err(ImportError::at(&shown, doc.line, message)),
    }
}

/// The format of a parsed JSON or YAML document.
fn detect(doc: &Node) -> Result<Format, String> {
    let has = |k: &str| doc.get(k).is_some();
    if crate::tmbom::is_tmbom(doc) {
        Ok(Format::TmBom)
    } else if crate::threat_dragon::is_threat_dragon(doc) {
        Ok(Format::ThreatDragon)
    } else if has("otmVersion") {
        Ok(Format::Otm)
    } else if has("ID") && (has("scope") || has("threats") || has("children")) {
        Ok(Format::Tmyaml)
    } else if crate::threagile::is_threagile(doc) {
        Ok(Format::Threagile)
    } else if crate::pytm::is_pytm(doc) {
        Ok(Format::Pytm)
    } else if has("tmkit") {
        Err("already a tmkit model: nothing to import".into())
    } else {
        Err("unknown format: not Threat Dragon, TM-BOM, TMT .tm7, Threagile, pytm JSON, OTM or tmyaml (name the format: `tmkit import FORMAT FILE`)".into())
    }
}
