//! Taxonomies: category names, abbreviations, the categories asked of each
//! element kind, and the categories a trust-boundary crossing exposes.

use crate::model::{AssetKind, Taxonomy};

/// The category every taxonomy accepts, for what fits no other.
pub const OTHER: &str = "other";

const CIA: &[&str] = &["confidentiality", "integrity", "availability"];
const STRIDE: &[&str] = &[
    "spoofing",
    "tampering",
    "repudiation",
    "information-disclosure",
    "denial-of-service",
    "elevation-of-privilege",
];
const LINDDUN: &[&str] = &[
    "linking",
    "identifying",
    "non-repudiation",
    "detecting",
    "data-disclosure",
    "unawareness",
    "non-compliance",
];

/// What kind of element a question is asked of (for STRIDE-per-element).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TargetKind {
    /// An asset of that kind.
    Asset(AssetKind),
    /// A data flow.
    DataFlow,
}

impl Taxonomy {
    /// Parses a taxonomy name (`CIA`, `STRIDE`, `STRIDE-per-element`, `LINDDUN`),
    /// case-insensitively.
    pub fn parse_name(name: &str) -> Option<Taxonomy> {
        match name.to_ascii_lowercase().as_str() {
            "cia" => Some(Taxonomy::Cia),
            "stride" => Some(Taxonomy::Stride),
            "stride-per-element" => Some(Taxonomy::StridePerElement),
            "linddun" => Some(Taxonomy::Linddun),
            _ => None,
        }
    }

    /// The name used in the format (`CIA`, ..., or `custom`).
    pub fn name(&self) -> &str {
        match self {
            Taxonomy::Cia => "CIA",
            Taxonomy::Stride => "STRIDE",
            Taxonomy::StridePerElement => "STRIDE-per-element",
            Taxonomy::Linddun => "LINDDUN",
            Taxonomy::Custom(_) => "custom",
        }
    }

    /// All categories of the taxonomy, in canonical order (without `other`).
    pub fn categories(&self) -> Vec<&str> {
        match self {
            Taxonomy::Cia => CIA.to_vec(),
            Taxonomy::Stride | Taxonomy::StridePerElement => STRIDE.to_vec(),
            Taxonomy::Linddun => LINDDUN.to_vec(),
            Taxonomy::Custom(c) => c.iter().map(String::as_str).collect(),
        }
    }

    /// The categories asked of a target of that kind: all of them, except
    /// under STRIDE-per-element.
    pub fn categories_for(&self, target: TargetKind) -> Vec<&str> {
        if *self != Taxonomy::StridePerElement {
            return self.categories();
        }
        // S T R I D E
        let mask: [bool; 6] = match target {
            TargetKind::Asset(AssetKind::External) => [true, false, true, false, false, false],
            TargetKind::Asset(AssetKind::Datastore) => [false, true, true, true, true, false],
            TargetKind::Asset(
                AssetKind::Data | AssetKind::Credential | AssetKind::Key | AssetKind::Certificate,
            ) => [false, true, false, true, true, false],
            TargetKind::DataFlow => [false, true, false, true, true, false],
            TargetKind::Asset(_) => [true; 6],
        };
        STRIDE
            .iter()
            .zip(mask)
            .filter(|(_, m)| *m)
            .map(|(c, _)| *c)
            .collect()
    }

    /// Normalises a category as written (full name, any case, or a one-letter
    /// STRIDE/CIA abbreviation) to its canonical name, if the taxonomy has it.
    /// `other` is always accepted.
    pub fn normalise(&self, written: &str) -> Option<String> {
        let lower = written.trim().to_ascii_lowercase();
        if lower == OTHER {
            return Some(OTHER.to_string());
        }
        let cats = self.categories();
        if let Some(c) = cats.iter().find(|c| **c == lower) {
            return Some((*c).to_string());
        }
        let abbrev = match (self, written.trim()) {
            (Taxonomy::Cia, "C" | "c") => Some("confidentiality"),
            (Taxonomy::Cia, "I" | "i") => Some("integrity"),
            (Taxonomy::Cia, "A" | "a") => Some("availability"),
            (Taxonomy::Stride | Taxonomy::StridePerElement, s) => match s {
                "S" | "s" => Some("spoofing"),
                "T" | "t" => Some("tampering"),
                "R" | "r" => Some("repudiation"),
                "I" | "i" => Some("information-disclosure"),
                "D" | "d" => Some("denial-of-service"),
                "E" | "e" => Some("elevation-of-privilege"),
                _ => None,
            },
            _ => None,
        };
        abbrev.map(str::to_string)
    }

    /// Categories exposed by data arriving from a less trusted zone.
    pub fn exposed_inbound(&self) -> Vec<&str> {
        match self {
            Taxonomy::Cia => vec!["integrity"],
            Taxonomy::Stride | Taxonomy::StridePerElement => {
                vec!["spoofing", "tampering", "elevation-of-privilege"]
            }
            _ => vec![],
        }
    }

    /// Categories exposed by data leaving for a less trusted zone.
    pub fn exposed_outbound(&self) -> Vec<&str> {
        match self {
            Taxonomy::Cia => vec!["confidentiality"],
            Taxonomy::Stride | Taxonomy::StridePerElement => vec!["information-disclosure"],
            Taxonomy::Linddun => vec!["data-disclosure"],
            Taxonomy::Custom(_) => vec![],
        }
    }
}

/// A short label for a category (`C`, `T`, `ID`...) for compact tables.
pub fn short_label(category: &str) -> String {
    match category {
        "confidentiality" => "C".into(),
        "integrity" => "I".into(),
        "availability" => "A".into(),
        "spoofing" => "S".into(),
        "tampering" => "T".into(),
        "repudiation" => "R".into(),
        "information-disclosure" => "I".into(),
        "denial-of-service" => "D".into(),
        "elevation-of-privilege" => "E".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stride_per_element_limits_categories() {
        let t = Taxonomy::StridePerElement;
        assert_eq!(
            t.categories_for(TargetKind::DataFlow),
            vec!["tampering", "information-disclosure", "denial-of-service"]
        );
        assert_eq!(
            t.categories_for(TargetKind::Asset(AssetKind::External)),
            vec!["spoofing", "repudiation"]
        );
        assert_eq!(
            t.categories_for(TargetKind::Asset(AssetKind::Service))
                .len(),
            6
        );
        assert_eq!(
            Taxonomy::Stride.categories_for(TargetKind::DataFlow).len(),
            6
        );
    }

    #[test]
    fn abbreviations_normalise() {
        assert_eq!(
            Taxonomy::Cia.normalise("C").as_deref(),
            Some("confidentiality")
        );
        assert_eq!(
            Taxonomy::Stride.normalise("I").as_deref(),
            Some("information-disclosure")
        );
        assert_eq!(
            Taxonomy::Stride.normalise("Other").as_deref(),
            Some("other")
        );
        assert_eq!(Taxonomy::Cia.normalise("tampering"), None);
        let custom = Taxonomy::Custom(vec!["safety".into()]);
        assert_eq!(custom.normalise("Safety").as_deref(), Some("safety"));
        assert_eq!(custom.normalise("S"), None);
    }
}
