//! Taxonomies as data: each built-in taxonomy is one entry of [`BUILTIN`]
//! (name, categories with their one-letter abbreviations, the categories
//! asked of each element kind, the categories a trust-boundary crossing
//! exposes). Nothing else in tmkit names a taxonomy: every use goes through
//! [`Taxonomy`], which reads this table (docs/format.md).

use crate::model::AssetKind;

/// The category every taxonomy accepts, for what fits no other.
pub const OTHER: &str = "other";

/// What kind of element a question is asked of (for STRIDE-per-element).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TargetKind {
    /// An asset of that kind.
    Asset(AssetKind),
    /// A data flow.
    DataFlow,
}

/// A category of a built-in taxonomy.
#[derive(Debug)]
pub struct Category {
    /// Canonical name: lower case, hyphenated.
    pub name: &'static str,
    /// One letter that may be written for it (any case) and labels it in
    /// compact tables; None when it has none.
    pub letter: Option<&'static str>,
}

/// The categories asked of some element kinds (the others are asked all).
#[derive(Debug)]
pub struct Applies {
    /// The element kinds.
    pub kinds: &'static [TargetKind],
    /// The categories asked of them, in canonical order.
    pub categories: &'static [&'static str],
}

/// A built-in taxonomy.
#[derive(Debug)]
pub struct TaxonomyDef {
    /// Its name in the format (`STRIDE`), matched case-insensitively.
    pub name: &'static str,
    /// Its categories, in canonical order (without `other`).
    pub categories: &'static [Category],
    /// Per element kind, the categories asked when not all of them.
    pub per_kind: &'static [Applies],
    /// Categories exposed by data arriving from a less trusted zone.
    pub inbound: &'static [&'static str],
    /// Categories exposed by data leaving for a less trusted zone.
    pub outbound: &'static [&'static str],
}

impl PartialEq for TaxonomyDef {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for TaxonomyDef {}

const fn cat(name: &'static str, letter: &'static str) -> Category {
    Category {
        name,
        letter: Some(letter),
    }
}

const fn word(name: &'static str) -> Category {
    Category { name, letter: None }
}

const CIA: &[Category] = &[
    cat("confidentiality", "C"),
    cat("integrity", "I"),
    cat("availability", "A"),
];

const STRIDE: &[Category] = &[
    cat("spoofing", "S"),
    cat("tampering", "T"),
    cat("repudiation", "R"),
    cat("information-disclosure", "I"),
    cat("denial-of-service", "D"),
    cat("elevation-of-privilege", "E"),
];

const STRIDE_INBOUND: &[&str] = &["spoofing", "tampering", "elevation-of-privilege"];

/// Every built-in taxonomy; the first is the default.
pub const BUILTIN: &[TaxonomyDef] = &[
    TaxonomyDef {
        name: "CIA",
        categories: CIA,
        per_kind: &[],
        inbound: &["integrity"],
        outbound: &["confidentiality"],
    },
    TaxonomyDef {
        name: "STRIDE",
        categories: STRIDE,
        per_kind: &[],
        inbound: STRIDE_INBOUND,
        outbound: &["information-disclosure"],
    },
    TaxonomyDef {
        name: "STRIDE-per-element",
        categories: STRIDE,
        per_kind: &[
            Applies {
                kinds: &[TargetKind::Asset(AssetKind::External)],
                categories: &["spoofing", "repudiation"],
            },
            Applies {
                kinds: &[TargetKind::Asset(AssetKind::Datastore)],
                categories: &[
                    "tampering",
                    "repudiation",
                    "information-disclosure",
                    "denial-of-service",
                ],
            },
            Applies {
                kinds: &[
                    TargetKind::Asset(AssetKind::Data),
                    TargetKind::Asset(AssetKind::Credential),
                    TargetKind::Asset(AssetKind::Key),
                    TargetKind::Asset(AssetKind::Certificate),
                    TargetKind::DataFlow,
                ],
                categories: &["tampering", "information-disclosure", "denial-of-service"],
            },
        ],
        inbound: STRIDE_INBOUND,
        outbound: &["information-disclosure"],
    },
    TaxonomyDef {
        name: "LINDDUN",
        categories: &[
            word("linking"),
            word("identifying"),
            word("non-repudiation"),
            word("detecting"),
            word("data-disclosure"),
            word("unawareness"),
            word("non-compliance"),
        ],
        per_kind: &[],
        inbound: &[],
        outbound: &["data-disclosure"],
    },
];

/// The taxonomy of categories that questions are asked in.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Taxonomy {
    /// A built-in taxonomy: an entry of [`BUILTIN`].
    Builtin(&'static TaxonomyDef),
    /// A custom list of category names (lower-case, hyphenated).
    Custom(Vec<String>),
}

impl Default for Taxonomy {
    fn default() -> Self {
        Taxonomy::Cia
    }
}

/// The built-in taxonomies by name, as values (named like the variants
/// they once were, so that code naming them reads the same); a new
/// taxonomy needs no constant here, only its entry in [`BUILTIN`].
#[allow(non_upper_case_globals)]
impl Taxonomy {
    /// `CIA`: confidentiality, integrity, availability (the default).
    pub const Cia: Taxonomy = Taxonomy::Builtin(&BUILTIN[0]);
    /// `STRIDE`.
    pub const Stride: Taxonomy = Taxonomy::Builtin(&BUILTIN[1]);
    /// `STRIDE-per-element`: only the categories that apply to each element kind.
    pub const StridePerElement: Taxonomy = Taxonomy::Builtin(&BUILTIN[2]);
    /// `LINDDUN` (privacy).
    pub const Linddun: Taxonomy = Taxonomy::Builtin(&BUILTIN[3]);
}

impl Taxonomy {
    /// Parses a taxonomy name (`CIA`, `STRIDE`, `STRIDE-per-element`, `LINDDUN`),
    /// case-insensitively.
    pub fn parse_name(name: &str) -> Option<Taxonomy> {
        BUILTIN
            .iter()
            .find(|d| d.name.eq_ignore_ascii_case(name))
            .map(Taxonomy::Builtin)
    }

    /// The names of the built-in taxonomies, in table order.
    pub fn builtin_names() -> Vec<&'static str> {
        BUILTIN.iter().map(|d| d.name).collect()
    }

    /// A custom taxonomy of the categories as written: normalised (lower
    /// case, spaces and underscores as hyphens), without repeats or `other`.
    pub fn custom<'a>(written: impl IntoIterator<Item = &'a str>) -> Taxonomy {
        let mut cats: Vec<String> = Vec::new();
        for c in written {
            let norm = c.trim().to_ascii_lowercase().replace([' ', '_'], "-");
            if !cats.contains(&norm) && norm != OTHER {
                cats.push(norm);
            }
        }
        Taxonomy::Custom(cats)
    }

    /// The name used in the format (`CIA`, ..., or `custom`).
    pub fn name(&self) -> &str {
        match self {
            Taxonomy::Builtin(d) => d.name,
            Taxonomy::Custom(_) => "custom",
        }
    }

    /// All categories of the taxonomy, in canonical order (without `other`).
    pub fn categories(&self) -> Vec<&str> {
        match self {
            Taxonomy::Builtin(d) => d.categories.iter().map(|c| c.name).collect(),
            Taxonomy::Custom(c) => c.iter().map(String::as_str).collect(),
        }
    }

    /// The categories asked of a target of that kind: all of them, unless
    /// the taxonomy says otherwise for that kind (STRIDE-per-element).
    pub fn categories_for(&self, target: TargetKind) -> Vec<&str> {
        let specific = match self {
            Taxonomy::Builtin(d) => d.per_kind.iter().find(|a| a.kinds.contains(&target)),
            Taxonomy::Custom(_) => None,
        };
        match specific {
            Some(a) => a.categories.to_vec(),
            None => self.categories(),
        }
    }

    /// Normalises a category as written (full name, any case, or a one-letter
    /// abbreviation) to its canonical name, if the taxonomy has it.
    /// `other` is always accepted.
    pub fn normalise(&self, written: &str) -> Option<String> {
        let lower = written.trim().to_ascii_lowercase();
        if lower == OTHER {
            return Some(OTHER.to_string());
        }
        if let Some(c) = self.categories().into_iter().find(|c| *c == lower) {
            return Some(c.to_string());
        }
        let Taxonomy::Builtin(d) = self else {
            return None;
        };
        d.categories
            .iter()
            .find(|c| {
                c.letter
                    .is_some_and(|l| l.eq_ignore_ascii_case(written.trim()))
            })
            .map(|c| c.name.to_string())
    }

    /// Categories exposed by data arriving from a less trusted zone.
    pub fn exposed_inbound(&self) -> Vec<&str> {
        match self {
            Taxonomy::Builtin(d) => d.inbound.to_vec(),
            Taxonomy::Custom(_) => Vec::new(),
        }
    }

    /// Categories exposed by data leaving for a less trusted zone.
    pub fn exposed_outbound(&self) -> Vec<&str> {
        match self {
            Taxonomy::Builtin(d) => d.outbound.to_vec(),
            Taxonomy::Custom(_) => Vec::new(),
        }
    }
}

/// A short label for a category (`C`, `T`, `I`...) for compact tables: its
/// letter in the built-in taxonomy that has it, else its name.
pub fn short_label(category: &str) -> String {
    BUILTIN
        .iter()
        .flat_map(|d| d.categories)
        .find(|c| c.name == category)
        .and_then(|c| c.letter)
        .unwrap_or(category)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str) -> Taxonomy {
        Taxonomy::parse_name(name).expect("a built-in taxonomy")
    }

    #[test]
    fn stride_per_element_limits_categories() {
        let t = named("stride-per-element");
        assert_eq!(
            t.categories_for(TargetKind::DataFlow),
            vec!["tampering", "information-disclosure", "denial-of-service"]
        );
        assert_eq!(
            t.categories_for(TargetKind::Asset(AssetKind::External)),
            vec!["spoofing", "repudiation"]
        );
        assert_eq!(
            t.categories_for(TargetKind::Asset(AssetKind::Datastore)),
            vec![
                "tampering",
                "repudiation",
                "information-disclosure",
                "denial-of-service"
            ]
        );
        assert_eq!(
            t.categories_for(TargetKind::Asset(AssetKind::Key)),
            t.categories_for(TargetKind::DataFlow)
        );
        assert_eq!(
            t.categories_for(TargetKind::Asset(AssetKind::Service))
                .len(),
            6
        );
        assert_eq!(
            named("STRIDE").categories_for(TargetKind::DataFlow).len(),
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
            named("STRIDE").normalise("i").as_deref(),
            Some("information-disclosure")
        );
        assert_eq!(named("STRIDE").normalise("Other").as_deref(), Some("other"));
        assert_eq!(Taxonomy::Cia.normalise("tampering"), None);
        assert_eq!(named("LINDDUN").normalise("L"), None);
        let custom = Taxonomy::custom(["Safety", "safety", "Other", "data loss"]);
        assert_eq!(
            custom,
            Taxonomy::Custom(vec!["safety".into(), "data-loss".into()])
        );
        assert_eq!(custom.normalise("Safety").as_deref(), Some("safety"));
        assert_eq!(custom.normalise("S"), None);
    }

    #[test]
    fn the_table_is_consistent() {
        assert_eq!(Taxonomy::default(), Taxonomy::Cia);
        let consts = [
            Taxonomy::Cia,
            Taxonomy::Stride,
            Taxonomy::StridePerElement,
            Taxonomy::Linddun,
        ];
        let names: Vec<&str> = consts.iter().map(Taxonomy::name).collect();
        assert_eq!(names, Taxonomy::builtin_names());
        assert_eq!(
            Taxonomy::builtin_names(),
            ["CIA", "STRIDE", "STRIDE-per-element", "LINDDUN"]
        );
        for d in BUILTIN {
            let t = Taxonomy::Builtin(d);
            assert_eq!(
                Taxonomy::parse_name(&d.name.to_lowercase()),
                Some(t.clone())
            );
            let all = t.categories();
            let listed = d.per_kind.iter().flat_map(|a| a.categories.iter());
            for c in listed.chain(d.inbound).chain(d.outbound) {
                assert!(all.contains(c), "{c} is not a category of {}", d.name);
            }
        }
        assert_eq!(short_label("information-disclosure"), "I");
        assert_eq!(short_label("linking"), "linking");
        assert_eq!(named("LINDDUN").exposed_outbound(), vec!["data-disclosure"]);
        assert!(named("LINDDUN").exposed_inbound().is_empty());
    }
}
