//! Questions: the finite enumeration of the analysis.
//!
//! For every analysed model (root and components), each in-scope target (asset
//! or data flow declared in it) x each in-scope attacker visible to it x each
//! category its taxonomy asks of that target is one question: *"What can go
//! wrong for TARGET given an attack by ATTACKER for the aspect of CATEGORY?"*
//!
//! Questions are not stored one by one (a model of 100,000 targets and tens of
//! attackers has millions): the analysis keeps one [`Cell`] per target and
//! category with the threats and verdicts that name it, and
//! [`crate::Analysis::questions_of`] expands cells into [`Question`]s on demand.

use serde::{Serialize, Serializer};
use std::sync::Arc;
use tmkit_model::taxonomy::TargetKind;
use tmkit_model::{ModelIndex, Qid, VerdictKind};

/// An in-scope asset or data flow of an analysed model: one row of the matrix.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Target {
    /// Local id (as written in its model).
    pub id: String,
    /// Qualified id of the asset or data flow.
    pub qid: Qid,
    /// Title of the asset or data flow.
    pub title: String,
    /// The model that declares it (its questions belong to that model).
    pub model: ModelIndex,
    /// Asset kind, or data flow.
    pub kind: TargetKind,
    /// One cell per category asked of the target, in taxonomy order.
    pub cells: Vec<Cell>,
    /// Threats (indices into [`crate::Analysis::threats`]) of category `other`
    /// naming this target: answers to "is there something else that can go
    /// wrong?", listed but not counted in coverage.
    pub other: Vec<usize>,
}

/// The answers for one target and one category, over every attacker.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Cell {
    /// Category name (canonical, lower-case).
    pub category: Arc<str>,
    /// Threats (indices into [`crate::Analysis::threats`]) that name the target
    /// and the category, whatever attackers they list.
    pub threats: Vec<usize>,
    /// Verdicts that name the target and the category (or every category).
    pub verdicts: Vec<VerdictRef>,
    /// How many of the model's attackers have their question answered.
    pub answered: usize,
}

impl Cell {
    /// An empty cell of `category`.
    pub(crate) fn new(category: Arc<str>) -> Cell {
        Cell {
            category,
            threats: Vec::new(),
            verdicts: Vec::new(),
            answered: 0,
        }
    }

    /// The first verdict of the cell that answers for `attacker`.
    pub fn answering_verdict(&self, attacker: &str) -> Option<&VerdictRef> {
        self.verdicts.iter().find(|v| v.covers(attacker))
    }

    /// True when a threat or a verdict names the cell, for any attacker (a
    /// boundary crossing's exposed category is then not *unanswered*).
    pub fn names_anything(&self) -> bool {
        !self.threats.is_empty() || !self.verdicts.is_empty()
    }
}

/// A reference to an `analysis` entry (verdict) of a model.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct VerdictRef {
    /// Model declaring the verdict.
    pub model: ModelIndex,
    /// Index in that model's `analysis`.
    pub index: usize,
    /// Attacker it answers for; None = every attacker.
    pub attacker: Option<Qid>,
    /// The verdict.
    pub verdict: VerdictKind,
}

impl VerdictRef {
    /// True when the verdict answers for that attacker.
    pub fn covers(&self, attacker: &str) -> bool {
        self.attacker.as_deref().is_none_or(|a| a == attacker)
    }
}

/// One question of the analysis, with what answers it.
///
/// Serialises (for `tmkit matrix --format json`) as
/// `{"target", "attacker", "category", "answered", "threats", "verdict"}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Question<'a> {
    /// The analysed model the question belongs to (the target's model).
    #[serde(skip)]
    pub model: ModelIndex,
    /// Qualified id of the target (asset or data flow).
    pub target: &'a str,
    /// Qualified id of the attacker.
    pub attacker: &'a str,
    /// Category name.
    pub category: &'a str,
    /// True when a threat or a verdict answers it.
    pub answered: bool,
    /// Qualified ids of the threats answering it, in model order.
    pub threats: Vec<&'a str>,
    /// The verdict answering it, if any (the first that applies).
    #[serde(serialize_with = "serialize_verdict")]
    pub verdict: Option<VerdictKind>,
    /// Title of the target.
    #[serde(skip)]
    pub target_title: &'a str,
    /// Title of the attacker.
    #[serde(skip)]
    pub attacker_title: &'a str,
}

impl Question<'_> {
    /// The question as a sentence a team can work through, with qualified
    /// ids (unambiguous, unlike titles): "What can go wrong for
    /// CCC.dataflow.1 given an attack by CCC.editor for the aspect of
    /// confidentiality?"
    pub fn sentence(&self) -> String {
        format!(
            "What can go wrong for {} given an attack by {} for the aspect of {}?",
            self.target, self.attacker, self.category
        )
    }

    /// The titles of the target and the attacker, for a reader:
    /// "Edit API endpoint / logged in user with "editor" privileges".
    pub fn titles(&self) -> String {
        format!("{} / {}", self.target_title, self.attacker_title)
    }
}

fn serialize_verdict<S: Serializer>(v: &Option<VerdictKind>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.serialize_str(v.as_str()),
        None => s.serialize_none(),
    }
}
