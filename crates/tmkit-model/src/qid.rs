//! [`Qid`]: a qualified id, interned once by the name table and shared by
//! every element and reference that names it (docs/format.md, "Ids and
//! references").

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::{Borrow, Cow};
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// A qualified id: the chain of model ids from the root, then the element id
/// (`CCC.LOGIN.VULN_001`). Inline mitigations, which have no id of their own,
/// get `<threat qid>/m<n>` (a `/` never appears in a written id, so they never
/// collide with one).
///
/// The text is shared: the model builds each qualified id once, and every
/// reference to the element, the span table and the analysis hold the same
/// allocation (a clone is a reference count). It reads as a `&str`
/// (`Deref`, `Borrow`, comparisons with `str` and `String`), prints and
/// serializes as its text.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Qid(Arc<str>);

impl Qid {
    /// The id's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for Qid {
    fn default() -> Qid {
        Qid(Arc::from(""))
    }
}

impl Deref for Qid {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Qid {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Qid {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Qid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Qid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl From<Arc<str>> for Qid {
    fn from(s: Arc<str>) -> Qid {
        Qid(s)
    }
}

impl From<&str> for Qid {
    fn from(s: &str) -> Qid {
        Qid(Arc::from(s))
    }
}

impl From<String> for Qid {
    fn from(s: String) -> Qid {
        Qid(Arc::from(s))
    }
}

impl From<&String> for Qid {
    fn from(s: &String) -> Qid {
        Qid(Arc::from(s.as_str()))
    }
}

impl From<Qid> for Arc<str> {
    fn from(q: Qid) -> Arc<str> {
        q.0
    }
}

impl From<Qid> for String {
    fn from(q: Qid) -> String {
        q.0.to_string()
    }
}

impl PartialEq<str> for Qid {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for Qid {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<String> for Qid {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<Qid> for str {
    fn eq(&self, other: &Qid) -> bool {
        *self == *other.0
    }
}

impl PartialEq<Qid> for &str {
    fn eq(&self, other: &Qid) -> bool {
        **self == *other.0
    }
}

impl PartialEq<Qid> for String {
    fn eq(&self, other: &Qid) -> bool {
        **self == *other.0
    }
}

impl Serialize for Qid {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Qid {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Qid, D::Error> {
        String::deserialize(d).map(Qid::from)
    }
}

impl JsonSchema for Qid {
    fn schema_name() -> Cow<'static, str> {
        String::schema_name()
    }
    fn schema_id() -> Cow<'static, str> {
        String::schema_id()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        String::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn a_qid_reads_compares_prints_and_serializes_as_its_text() {
        let q = Qid::from("ROOT.LOGIN.T1");
        assert_eq!(q, "ROOT.LOGIN.T1");
        assert_eq!("ROOT.LOGIN.T1", q);
        assert_eq!(q, String::from("ROOT.LOGIN.T1"));
        assert_eq!(q.len(), 13);
        assert_eq!(format!("{q}"), "ROOT.LOGIN.T1");
        assert_eq!(format!("{q:?}"), "\"ROOT.LOGIN.T1\"");
        assert_eq!(serde_json::to_string(&q).unwrap(), "\"ROOT.LOGIN.T1\"");
        let back: Qid = serde_json::from_str("\"ROOT.LOGIN.T1\"").unwrap();
        assert_eq!(back, q);
        let mut by_qid = HashMap::new();
        by_qid.insert(q.clone(), 1);
        assert_eq!(by_qid.get("ROOT.LOGIN.T1"), Some(&1));
        let mut sorted = vec![Qid::from("A.C"), Qid::from("A.B")];
        sorted.sort();
        assert_eq!(sorted, ["A.B", "A.C"]);
    }

    #[test]
    fn a_clone_shares_the_text() {
        let q = Qid::from("ROOT.A");
        let c = q.clone();
        assert!(std::ptr::eq(q.as_str(), c.as_str()));
    }
}
