//! Decoding the risk-treatment fields of a mitigation: dates and evidence
//! (docs/format.md#risk-treatment, docs/format.md#evidence).

use super::{Decoder, MapReader, truncate};
use crate::date::Date;
use crate::diagnostic::{Code, Diagnostic};
use crate::node::{Node, Value};
use crate::raw::{RawEvidence, Sp};

impl Decoder {
    /// A date written `YYYY-MM-DD` (E0501 otherwise).
    pub(super) fn opt_date(&mut self, r: &MapReader<'_>, key: &str) -> Option<Sp<Date>> {
        let node = Self::get(r, key)?;
        let Value::Str(s) = &node.value else {
            if node.value != Value::Null {
                self.wrong_type(node, key, "a date written YYYY-MM-DD");
            }
            return None;
        };
        match Date::parse(s.trim()) {
            Ok(d) => Some(Sp::new(d, node.span)),
            Err(why) => {
                self.push(
                    Diagnostic::new(
                        Code::InvalidDate,
                        format!("`{key}` is not a date: '{}'", truncate(s)),
                    )
                    .at(node.span, why)
                    .help("write the date as `2026-03-31` (YYYY-MM-DD)"),
                );
                None
            }
        }
    }

    /// One `evidence:` entry: exactly one of test, file, url, ticket (E0502);
    /// a test written `PATH::NAME` (E0508).
    pub(super) fn evidence(&mut self, node: &Node) -> Option<RawEvidence> {
        let r = self.map(node, "evidence")?;
        let v = RawEvidence {
            test: self.opt_str(&r, "test"),
            file: self.opt_str(&r, "file"),
            url: self.opt_str(&r, "url"),
            ticket: self.opt_str(&r, "ticket"),
            note: self.opt_str(&r, "note"),
            public: self.opt_bool(&r, "public"),
        };
        self.finish(&r, RawEvidence::FIELDS);
        let kinds = [&v.test, &v.file, &v.url, &v.ticket];
        let given = kinds.iter().filter(|k| k.is_some()).count();
        if given != 1 {
            let what = if given == 0 {
                "names none"
            } else {
                "names several"
            };
            self.push(
                Diagnostic::new(
                    Code::EvidenceShape,
                    format!("evidence entry {what} of `test`, `file`, `url`, `ticket`"),
                )
                .at(r.span, "one kind of evidence per entry")
                .help("write one entry per piece of evidence: `{test: PATH::NAME}`, `{file: PATH}`, `{url: URL}` or `{ticket: KEY}`"),
            );
            return None;
        }
        if let Some(t) = &v.test
            && split_test(&t.value).is_none()
        {
            self.push(
                Diagnostic::new(
                    Code::InvalidTestEvidence,
                    format!("test evidence '{}' is not PATH::NAME", truncate(&t.value)),
                )
                .at(t.span, "expected `PATH::NAME`")
                .help("write the test file and the test's name: `tests/login.rs::locks_after_five_failures`"),
            );
            return None;
        }
        Some(v)
    }
}

/// A test evidence `PATH::NAME` split at its first `::` into the file and
/// the test name (which may itself hold `::`); None when either is empty.
pub fn split_test(s: &str) -> Option<(&str, &str)> {
    let (path, name) = s.split_once("::")?;
    let (path, name) = (path.trim(), name.trim());
    (!path.is_empty() && !name.is_empty()).then_some((path, name))
}
