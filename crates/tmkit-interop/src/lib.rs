//! # tmkit-interop: other tools' formats in and out
//!
//! Exporters turn a checked model and its analysis into formats that other
//! tools read; importers turn other tools' files into tmkit's own YAML format.
//! Everything here is a pure function over memory (text in, text or a set of
//! files out), so the CLI decides where files go and tests need no disk.
//!
//! - [`sarif`]: SARIF 2.1.0 for code-scanning dashboards, from threats that
//!   are not mitigated, or from check diagnostics;
//! - [`csv_export`]: CSV rows for issue trackers (one per threat, or one per
//!   planned mitigation), safe against spreadsheet formula injection;
//! - [`otm`]: the Open Threat Model 0.2.0 (JSON) export and import;
//! - [`pytm`]: import of the JSON pytm prints with `--json`;
//! - [`threagile`]: Threagile YAML import;
//! - [`threat_dragon`]: OWASP Threat Dragon (v1, v2) and TM-BOM import;
//! - [`tm7`]: Microsoft Threat Modeling Tool (`.tm7`) import;
//! - [`tmyaml`]: migration from the REFID-based YAML threat-model format of
//!   a report generator ("tmyaml").
#![warn(missing_docs)]

pub mod csv_export;
pub mod detect;
mod draft;
mod files;
mod ids;
#[cfg(feature = "oracles")]
#[doc(hidden)]
pub mod oracles;
pub mod otm;
pub mod pytm;
pub mod sarif;
pub mod threagile;
pub mod threat_dragon;
pub mod tm7;
mod tmbom;
pub mod tmyaml;
mod unzip;
mod yaml_in;
mod yaml_out;

pub use files::{
    ImportError, ImportOutput, ImportWarning, ImportedThreat, OutputFile, SourcePlace,
};

/// Reads one source file through `fs` within the loader's limits; returns
/// its text and its name as shown in messages.
fn read_source(
    fs: &dyn tmkit_syntax::fs::FileSystem,
    path: &std::path::Path,
) -> Result<(String, String), ImportError> {
    let shown = path.to_string_lossy().replace('\\', "/");
    let mut budget = tmkit_syntax::node::Limits::default().max_total_bytes;
    let text = yaml_in::read(fs, path, &shown, &mut budget)?;
    Ok((text, shown))
}
