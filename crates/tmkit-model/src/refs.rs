//! Structured references: a requirement's clauses of standards
//! (`ASVS-4.0.3:V2.1.1`, [`StandardRef`]) and a threat's weaknesses
//! (`CWE-79`, `CAPEC-63`, `T1190`, [`WeaknessRef`]), parsed from the text
//! written in the model (docs/format.md#requirements, #threats).
//!
//! A weakness keeps only its validated numbers: its text and its URL are
//! rebuilt from them, so nothing the user wrote reaches a link.

use schemars::JsonSchema;
use serde::Serialize;
use std::fmt;

/// Longest standard name and longest clause accepted (a reference is an
/// identifier, not prose).
const MAX_PART: usize = 64;

/// A clause of a standard: `ASVS-4.0.3:V2.1.1` is standard `ASVS-4.0.3`,
/// clause `V2.1.1`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct StandardRef {
    /// The standard with its version (`ASVS-4.0.3`, `ISO27001-2022`, `NIST-800-53`, `PCI-DSS-4.0`).
    pub standard: String,
    /// The clause, control or requirement in it (`V2.1.1`, `A.8.24`, `AC-2`, `8.3.1`).
    pub clause: String,
}

impl StandardRef {
    /// Parses `STANDARD:CLAUSE`: the standard is a letter then letters,
    /// digits, `.`, `_` or `-`; the clause is a letter or digit then
    /// letters, digits, `.`, `_`, `-`, `(` or `)`; each at most 64
    /// characters. The error says what is wrong.
    pub fn parse(s: &str) -> Result<StandardRef, String> {
        let s = s.trim();
        let Some((standard, clause)) = s.split_once(':') else {
            return Err("no `:` between the standard and the clause".to_string());
        };
        let standard_ok = standard
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
            && standard
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if !standard_ok || standard.len() > MAX_PART {
            return Err(format!(
                "the standard must start with a letter, then letters, digits, `.`, `_` or `-` (at most {MAX_PART})"
            ));
        }
        let clause_ok = clause
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
            && clause
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '(' | ')'));
        if !clause_ok || clause.len() > MAX_PART {
            return Err(format!(
                "the clause must start with a letter or digit, then letters, digits, `.`, `_`, `-`, `(` or `)` (at most {MAX_PART})"
            ));
        }
        Ok(StandardRef {
            standard: standard.to_string(),
            clause: clause.to_string(),
        })
    }
}

impl fmt::Display for StandardRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.standard, self.clause)
    }
}

/// A weakness or attack technique a threat is an instance of. In JSON:
/// `{"kind": "cwe", "id": 79}`, `{"kind": "capec", "id": 63}`,
/// `{"kind": "attack", "technique": 1059, "subtechnique": 1}` (null when
/// the technique has no sub-technique).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "lowercase")]
#[non_exhaustive]
pub enum WeaknessRef {
    /// A MITRE CWE weakness (`CWE-79`).
    Cwe {
        /// The CWE number.
        id: u32,
    },
    /// A MITRE CAPEC attack pattern (`CAPEC-63`).
    Capec {
        /// The CAPEC number.
        id: u32,
    },
    /// A MITRE ATT&CK technique (`T1190`), or sub-technique (`T1059.001`).
    Attack {
        /// The technique number (4 digits).
        technique: u16,
        /// The sub-technique number (3 digits), if any.
        subtechnique: Option<u16>,
    },
}

/// The accepted forms, for error messages.
pub const WEAKNESS_FORMS: &str = "`CWE-` + digits (`CWE-79`), `CAPEC-` + digits (`CAPEC-63`), or an ATT&CK technique `T` + 4 digits with an optional `.` + 3-digit sub-technique (`T1190`, `T1059.001`)";

/// `digits` as a number when it is 1 to `max` ASCII digits without a
/// leading zero.
fn number(digits: &str, max: usize) -> Option<u32> {
    let ok = !digits.is_empty()
        && digits.len() <= max
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    ok.then(|| digits.parse().ok()).flatten()
}

/// Exactly `n` ASCII digits as a number.
fn fixed(digits: &str, n: usize) -> Option<u16> {
    (digits.len() == n && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
}

impl WeaknessRef {
    /// Parses `CWE-79`, `CAPEC-63`, `T1190` or `T1059.001` (prefixes in
    /// upper case; CWE and CAPEC numbers of 1 to 7 digits without a leading
    /// zero).
    pub fn parse(s: &str) -> Option<WeaknessRef> {
        let s = s.trim();
        if let Some(d) = s.strip_prefix("CWE-") {
            return number(d, 7).map(|id| WeaknessRef::Cwe { id });
        }
        if let Some(d) = s.strip_prefix("CAPEC-") {
            return number(d, 7).map(|id| WeaknessRef::Capec { id });
        }
        let t = s.strip_prefix('T')?;
        let (technique, sub) = match t.split_once('.') {
            Some((a, b)) => (a, Some(b)),
            None => (t, None),
        };
        let technique = fixed(technique, 4)?;
        let subtechnique = match sub {
            Some(b) => Some(fixed(b, 3)?),
            None => None,
        };
        Some(WeaknessRef::Attack {
            technique,
            subtechnique,
        })
    }

    /// The canonical form of a near miss (`CWE79`, `cwe-79`, `CWE_79`,
    /// `t1190`), for a "did you mean".
    pub fn suggest(s: &str) -> Option<String> {
        let upper = s.trim().to_ascii_uppercase();
        let digits_after = |prefix: &str| {
            let rest = upper.strip_prefix(prefix)?;
            let rest = rest.trim_start_matches(['-', '_', ' ', ':', '#']);
            let n = number(rest.trim_start_matches('0'), 7)?;
            Some(format!("{prefix}-{n}"))
        };
        let candidate = digits_after("CAPEC")
            .or_else(|| digits_after("CWE"))
            .unwrap_or_else(|| upper.clone());
        let parsed = WeaknessRef::parse(&candidate)?;
        let text = parsed.to_string();
        (text != s.trim()).then_some(text)
    }

    /// The page describing it at MITRE, built from its numbers only.
    pub fn url(self) -> String {
        match self {
            WeaknessRef::Cwe { id } => {
                format!("https://cwe.mitre.org/data/definitions/{id}.html")
            }
            WeaknessRef::Capec { id } => {
                format!("https://capec.mitre.org/data/definitions/{id}.html")
            }
            WeaknessRef::Attack {
                technique,
                subtechnique: None,
            } => format!("https://attack.mitre.org/techniques/T{technique:04}/"),
            WeaknessRef::Attack {
                technique,
                subtechnique: Some(sub),
            } => format!("https://attack.mitre.org/techniques/T{technique:04}/{sub:03}/"),
        }
    }
}

impl fmt::Display for WeaknessRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            WeaknessRef::Cwe { id } => write!(f, "CWE-{id}"),
            WeaknessRef::Capec { id } => write!(f, "CAPEC-{id}"),
            WeaknessRef::Attack {
                technique,
                subtechnique,
            } => {
                write!(f, "T{technique:04}")?;
                match subtechnique {
                    Some(sub) => write!(f, ".{sub:03}"),
                    None => Ok(()),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_refs() {
        for (text, standard, clause) in [
            ("ASVS-4.0.3:V2.1.1", "ASVS-4.0.3", "V2.1.1"),
            ("ISO27001-2022:A.8.24", "ISO27001-2022", "A.8.24"),
            ("NIST-800-53:AC-2", "NIST-800-53", "AC-2"),
            ("PCI-DSS-4.0:8.3.1", "PCI-DSS-4.0", "8.3.1"),
            ("NIST-800-53:AC-2(1)", "NIST-800-53", "AC-2(1)"),
        ] {
            let r = StandardRef::parse(text).unwrap();
            assert_eq!((r.standard.as_str(), r.clause.as_str()), (standard, clause));
            assert_eq!(r.to_string(), text);
        }
        for bad in [
            "ASVS",
            "ASVS 4.0.3 V2.1.1",
            ":V2.1.1",
            "ASVS-4.0.3:",
            "4.0:V1",
            "ASVS:V2 1",
            "ASVS:V2:1",
            "<b>:x",
        ] {
            assert!(StandardRef::parse(bad).is_err(), "{bad}");
        }
        let long = format!("S:{}", "1".repeat(65));
        assert!(StandardRef::parse(&long).is_err());
    }

    #[test]
    fn weakness_refs_parse_and_print() {
        for (text, parsed) in [
            ("CWE-79", WeaknessRef::Cwe { id: 79 }),
            ("CAPEC-63", WeaknessRef::Capec { id: 63 }),
            (
                "T1190",
                WeaknessRef::Attack {
                    technique: 1190,
                    subtechnique: None,
                },
            ),
            (
                "T1059.001",
                WeaknessRef::Attack {
                    technique: 1059,
                    subtechnique: Some(1),
                },
            ),
        ] {
            assert_eq!(WeaknessRef::parse(text), Some(parsed));
            assert_eq!(parsed.to_string(), text);
        }
        for bad in [
            "CWE79",
            "cwe-79",
            "CWE-",
            "CWE-07",
            "CWE-12345678",
            "CAPEC63",
            "T119",
            "T11900",
            "T1190.1",
            "T1190.0001",
            "t1190",
            "CWE-79x",
            "X-1",
            "",
        ] {
            assert_eq!(WeaknessRef::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn near_misses_get_the_canonical_form() {
        assert_eq!(WeaknessRef::suggest("CWE79").as_deref(), Some("CWE-79"));
        assert_eq!(WeaknessRef::suggest("cwe_79").as_deref(), Some("CWE-79"));
        assert_eq!(
            WeaknessRef::suggest("capec 63").as_deref(),
            Some("CAPEC-63")
        );
        assert_eq!(WeaknessRef::suggest("t1190").as_deref(), Some("T1190"));
        assert_eq!(WeaknessRef::suggest("XSS"), None);
    }

    #[test]
    fn urls_come_from_the_numbers() {
        let url = |s| WeaknessRef::parse(s).unwrap().url();
        assert_eq!(
            url("CWE-79"),
            "https://cwe.mitre.org/data/definitions/79.html"
        );
        assert_eq!(
            url("CAPEC-63"),
            "https://capec.mitre.org/data/definitions/63.html"
        );
        assert_eq!(url("T1190"), "https://attack.mitre.org/techniques/T1190/");
        assert_eq!(
            url("T1059.001"),
            "https://attack.mitre.org/techniques/T1059/001/"
        );
    }

    #[test]
    fn json_shape() {
        let j = |s| serde_json::to_string(&WeaknessRef::parse(s).unwrap()).unwrap();
        assert_eq!(j("CWE-79"), r#"{"kind":"cwe","id":79}"#);
        assert_eq!(
            j("T1059.001"),
            r#"{"kind":"attack","technique":1059,"subtechnique":1}"#
        );
    }
}
