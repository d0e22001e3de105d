//! The one diagnostic model of tmkit, and its human and JSON sinks.
//!
//! Every rule has a stable [`Code`]; all messages about what a code means live
//! in [`Code::summary`], and `docs/diagnostics.md` documents each one.

use crate::span::{Files, SourceFile, Span};
use crate::text::{escape_controls, escaped_len};
use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};
use serde::Serialize;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The model is invalid.
    Error,
    /// The model is valid but probably not what was meant.
    Warning,
}

macro_rules! codes {
    ($( $variant:ident = $code:literal, $sev:ident, $summary:literal, $help:literal; )*) => {
        /// Stable diagnostic codes: one per rule, never reused.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Code { $(
            #[doc = $summary]
            $variant,
        )* }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The stable code (`E0101`).
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// The default severity of the rule.
            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$sev,)* }
            }

            /// One line saying what the rule checks: the title of its entry
            /// in docs/diagnostics.md.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$variant => $summary,)* }
            }

            /// What to do about it, in general: the first sentence of the
            /// **Fix** of its entry in docs/diagnostics.md (a diagnostic's
            /// own help is more specific).
            pub fn general_help(self) -> &'static str {
                match self { $(Code::$variant => $help,)* }
            }
        }
    };
}

codes! {
    // Files and YAML (E00xx)
    Io = "E0001", Error, "a file cannot be read",
        "make the file readable by the user running tmkit (`chmod a+r`), or point tmkit at the right path.";
    FileTooLarge = "E0002", Error, "a file is larger than the size limit",
        "split the model into components (`components:`), each well under the limit.";
    InvalidUtf8 = "E0003", Error, "a file is not valid UTF-8",
        "save the file as UTF-8 (most editors: \"Save with encoding\").";
    YamlSyntax = "E0004", Error, "a file is not valid YAML or JSON",
        "correct the syntax at the place shown; quote strings that contain `: ` or start with a special character (`*`, `&`, `!`, `%`, `@`).";
    EmptyDocument = "E0005", Error, "a file holds no document",
        "write the model (`tmkit: 1`, `id:`, `title:` at least), or run `tmkit init` to get a starter model.";
    NotAMapping = "E0006", Error, "a document is not a mapping",
        "write the fields at the top level without `-`: `tmkit: 1`, `id: SHOP`, `title: ...`.";
    TooDeep = "E0007", Error, "nesting is deeper than the limit",
        "flatten the structure.";
    TooManyAliases = "E0008", Error, "aliases or nodes exceed the expansion limit",
        "do not use aliases to build large structures; write elements out, and split very large models into components.";
    DuplicateKey = "E0009", Error, "a mapping has the same key twice",
        "keep one of the two entries.";
    TooManyFiles = "E0010", Error, "more component or import files than the limit",
        "check the `components:` lists for runaway includes; merge small components.";
    ComponentCycle = "E0011", Error, "components or imports include each other in a cycle",
        "remove one of the includes; components form a tree.";
    PathEscape = "E0012", Error, "a component or import path leaves the root model's directory",
        "move the component inside the project directory (or copy the shared catalogue into it), and use a relative path.";
    MissingFile = "E0013", Error, "a component or import file does not exist",
        "correct the path; it is relative to the file that includes it.";
    NoModelFound = "E0014", Error, "no threatmodel.yaml in this directory or above",
        "give the model's path (`tmkit check path/to/threatmodel.yaml`), or create one with `tmkit init`.";
    TabIndentation = "E0015", Error, "a tab is used for indentation",
        "replace the tabs with spaces (set the editor to insert spaces in YAML files).";
    ComponentListedTwice = "E0016", Error, "a model lists the same component file twice",
        "list each component once.";
    EmptyIncludePath = "E0017", Error, "a component or import path is empty",
        "write the path of the component or catalogue file (or directory), or remove the entry.";
    DiagnosticsOmitted = "E0020", Error, "more diagnostics than the cap: the rest are counted, not kept",
        "fix the problems shown (often one mistake repeated, such as a mis-indented block) and check again, or raise the cap.";
    NotRegularFile = "E0025", Error, "a file to read is not a regular file (a FIFO, a device, a directory)",
        "save the model to a regular file and give its path.";
    ImportInvalid = "E0026", Error, "an importer's result does not pass the check",
        "correct the source item named in the diagnostics, or report the input as an importer bug.";
    // Limits on the shape of a project (E003x)
    ComponentsTooDeep = "E0030", Error, "components nest deeper than the limit",
        "flatten the project: list components under a common parent.";
    ZonesTooDeep = "E0031", Error, "zones nest deeper than the limit",
        "nest zones only as deep as the diagram needs.";
    TooManyQuestions = "E0032", Error, "the model asks more questions than the limit",
        "put attackers in the components they threaten rather than sharing every attacker with every target, or mark some out of scope.";
    // Shape of the document (E01xx)
    DuplicateId = "E0101", Error, "two elements share an id",
        "rename one of them, and update the references to it.";
    UnknownField = "E0102", Error, "a field is not part of the format",
        "correct the key (here `title`); `tmkit schema` gives editors the list of fields for completion.";
    WrongType = "E0103", Error, "a value has the wrong type",
        "write a value of the type named in the message (`true`/`false`, a number, a list `[a, b]`, a mapping).";
    MissingField = "E0104", Error, "a required field is missing",
        "add the field (`trust: 0`).";
    UnsupportedVersion = "E0105", Error, "the format version is not supported",
        "write `tmkit: 1`, or upgrade tmkit if the model was written for a newer format.";
    InvalidId = "E0106", Error, "an id does not follow the id syntax",
        "rename it, for example `asset-1` or `VULN_001`.";
    InvalidValue = "E0107", Error, "a value is not one of the allowed values",
        "use one of the values listed in the help.";
    // References (E02xx)
    UnresolvedReference = "E0201", Error, "a reference names no element",
        "correct the id, or declare the element it should name.";
    AmbiguousReference = "E0202", Error, "a reference names more than one element",
        "write the qualified id of the one you mean (`ORG.anon`).";
    WrongKindReference = "E0203", Error, "a reference names an element of the wrong kind",
        "name an element of the right kind (here an asset or a data flow).";
    UnknownEndpoint = "E0204", Error, "a data flow starts or ends at an unknown asset",
        "correct the endpoint, or declare the asset.";
    UnknownZone = "E0205", Error, "an element is placed in an unknown zone",
        "correct the zone id, or declare the zone under `scope.zones`.";
    ZoneCycle = "E0206", Error, "zones are nested `within` each other in a cycle",
        "remove one `within`, so that zones form a tree.";
    // Semantics (E03xx)
    MissingReason = "E0301", Error, "an out-of-scope element has no reason",
        "add `reason: Decommissioned in Q3; covered by model LEGACY.`";
    UnknownCategory = "E0302", Error, "a category is not in the model's taxonomy",
        "use a category of the taxonomy (listed in the help), or `other`.";
    MissingRationale = "E0303", Error, "an analysis verdict has no rationale",
        "add `rationale: Edits are authorised server-side per document.`";
    InvalidCvss = "E0304", Error, "a CVSS vector is invalid",
        "complete or correct the vector (FIRST's calculators produce valid ones); metric names and values are case-sensitive.";
    ScoreMismatch = "E0305", Error, "a hand-written score disagrees with the CVSS vector",
        "write the computed score (`score: 7.5`), or remove `score`: tmkit computes it from the vector.";
    CatalogueContent = "E0306", Error, "a catalogue declares assets, flows, threats or analysis",
        "move the assets and threats to a component (`components:`), or remove them from the catalogue.";
    EmptyTaxonomy = "E0307", Error, "a custom taxonomy has no categories",
        "list the categories (`taxonomy: [safety, privacy]`), or use a built-in taxonomy such as `CIA`.";
    SuppressionWithoutRationale = "E0308", Error, "a pattern suppression has no rationale",
        "say why the library pattern does not apply to the target: `rationale: The table holds only public prices.`";
    SuppressionVerdict = "E0309", Error, "a pattern suppression is not `not-applicable`",
        "write `verdict: not-applicable`: a suppression says the pattern does not apply to the target.";
    // Risk treatment and evidence (E05xx)
    InvalidDate = "E0501", Error, "a date is not a real calendar date written YYYY-MM-DD",
        "write the date as `2026-03-31` (ISO 8601: four-digit year, two-digit month and day).";
    EvidenceShape = "E0502", Error, "an evidence entry does not name exactly one of test, file, url, ticket",
        "give each entry one kind: `{test: tests/login.rs::lockout}`, `{file: docs/runbook.md}`, `{url: https://...}` or `{ticket: SEC-12}`.";
    TreatmentFieldMisplaced = "E0503", Error, "a field of one treatment is given on a mitigation of another kind",
        "use `accepted`, `expires` and `permanent` on a `risk-acceptance`, `party` and `reference` on a `transfer`; or change the `kind`.";
    PermanentWithoutRationale = "E0504", Error, "a permanent risk acceptance has no rationale",
        "say why the risk is accepted for good in `rationale:`, or give an `expires:` date instead.";
    ExpiryConflict = "E0505", Error, "a risk acceptance has both an expiry date and `permanent: true`",
        "keep one of them: an `expires:` date, or `permanent: true` with a rationale.";
    ExpiresBeforeAccepted = "E0506", Error, "a risk acceptance expires before it was accepted",
        "correct one of the two dates.";
    TransferWithoutParty = "E0507", Error, "a transfer names no party",
        "name who carries the risk now (an insurer, a provider) in `party:`.";
    InvalidTestEvidence = "E0508", Error, "a test evidence is not written PATH::NAME",
        "write the file and the test name: `test: tests/login.rs::locks_after_five_failures`.";
    EvidenceNotFound = "E0509", Error, "an evidence file does not exist in the repository (`--verify-evidence`)",
        "correct the path (relative to the repository root), or commit the file; only regular files inside the repository are read.";
    TestNotFound = "E0510", Error, "a test name does not appear in its file (`--verify-evidence`)",
        "correct the test name or the file, or restore the test.";
    // Warnings (W03xx, W04xx)
    ThreatWithoutTargets = "W0301", Warning, "a threat has no targets, so it answers no question",
        "list the assets or data flows it threatens in `targets:`.";
    ReasonWhileInScope = "W0302", Warning, "an in-scope element gives a reason for being out of scope",
        "add `in_scope: false` if it is out of scope, or remove `reason`.";
    OutOfScopeTarget = "W0303", Warning, "a threat or verdict targets an out-of-scope element or attacker",
        "bring the target into scope, or retarget (or remove) the threat or verdict.";
    ScoreWithoutVector = "W0304", Warning, "a score is given without a CVSS vector, so it cannot be checked",
        "add `cvss:` with the vector; tmkit computes the score from it.";
    PlaceholderLeft = "W0305", Warning, "a placeholder written by `tmkit init` is left unchanged",
        "replace the text with the real value (or delete the optional field).";
    UnansweredCrossing = "W0401", Warning, "a trust-boundary crossing exposes a category no threat or verdict answers",
        "add a threat for the exposed category targeting the flow, or an `analysis` verdict with a rationale saying why nothing can go wrong.";
    // Risk treatment and evidence (W05xx)
    AcceptanceWithoutOwner = "W0501", Warning, "a risk acceptance names no owner",
        "name who accepted the risk in `owner:` (`--deny warnings` makes it required).";
    AcceptanceWithoutExpiry = "W0502", Warning, "a risk acceptance has no expiry",
        "give an `expires:` date, or `permanent: true` with a `rationale`.";
    AcceptanceExpired = "W0503", Warning, "a risk acceptance has expired",
        "review the risk: renew the acceptance with a new `expires:` date, or mitigate the threat.";
    AcceptanceExpiring = "W0504", Warning, "a risk acceptance expires within the window",
        "plan the review of the risk before it expires (`--expiring-within` sets the window).";
    MitigationOverdue = "W0505", Warning, "a mitigation not in place is past its due date",
        "put the mitigation in place (`in_place: true`), or agree a new `due:` date.";
    // Threat libraries (E07xx, W07xx)
    LibraryInvalid = "E0701", Error, "a threat library file does not follow the library format",
        "correct the key or value named (docs/library.md lists the keys; `tmkit schema library` gives editors the schema).";
    LibraryPattern = "E0702", Error, "a threat library pattern is not valid",
        "correct the pattern as the message says (ids, categories of their taxonomy, CWE/CAPEC/ATT&CK ids, `STANDARD:CLAUSE` references).";
    LibraryNotRead = "E0703", Error, "a threat library listed in `libraries` cannot be read",
        "correct the path (relative to the model file); only regular files inside the model's tree are read.";
    UnknownDisabled = "W0701", Warning, "a library disables a pattern that no library below it has",
        "remove the id from `disable:`, or correct it (`tmkit library list` lists the patterns).";
    UnknownSuppressed = "W0702", Warning, "a suppression names a pattern that no library has",
        "correct the pattern id (`tmkit library list`), or remove the suppression.";
    // Requirements and compliance, traced (E06xx, W06xx)
    InvalidStandardRef = "E0601", Error, "a requirement's reference to a standard is not `STANDARD:CLAUSE`",
        "write the standard with its version, a colon, then the clause: `ASVS-4.0.3:V2.1.1`, `ISO27001-2022:A.8.24`, `NIST-800-53:AC-2`.";
    InvalidWeaknessRef = "E0602", Error, "a threat's weakness reference is not a CWE, CAPEC or ATT&CK id",
        "write `CWE-` or `CAPEC-` then digits (`CWE-79`, `CAPEC-63`), or an ATT&CK technique `T` + 4 digits, optionally `.` + 3 digits (`T1190`, `T1059.001`).";
    UnreferencedComplianceRequirement = "W0601", Warning, "a compliance requirement is referenced by no threat or mitigation",
        "list it in the `requirements:` of the mitigations that implement it (and of the threats that concern it), or remove it.";
    // Analysis (W09xx)
    NoQuestions = "W0901", Warning, "the model asks no question: no in-scope attacker or no in-scope target",
        "add the attackers that threaten the system under `scope.attackers` (an import proposes some: review them) and mark the assets and data flows to analyse in scope; until then coverage is n/a and a coverage gate fails.";
}

impl Code {
    /// The anchor of its entry in docs/diagnostics.md
    /// (`e0101-two-elements-share-an-id`), made from the heading
    /// `CODE: summary` as GitHub makes it: lower case, punctuation dropped,
    /// spaces as hyphens.
    pub fn docs_anchor(self) -> String {
        format!("{}: {}", self.as_str(), self.summary())
            .to_lowercase()
            .chars()
            .filter_map(|c| match c {
                ' ' => Some('-'),
                c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
                _ => None,
            })
            .collect()
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A labelled place in a source file.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What is there (may be empty).
    pub message: String,
}

/// One problem found in the input.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Diagnostic {
    /// The rule.
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// The headline, naming the offending value.
    pub message: String,
    /// The main place (None only for problems with no file, such as a missing root).
    pub primary: Option<Label>,
    /// Other places involved (the first definition of a duplicate id...).
    pub secondary: Vec<Label>,
    /// Extra facts.
    pub notes: Vec<String>,
    /// What to do about it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A diagnostic of that code with its default severity.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.severity(),
            message: message.into(),
            primary: None,
            secondary: Vec::new(),
            notes: Vec::new(),
            help: None,
        }
    }

    /// Sets the main place.
    pub fn at(mut self, span: Span, label: impl Into<String>) -> Self {
        self.primary = Some(Label {
            span,
            message: label.into(),
        });
        self
    }

    /// Adds another place.
    pub fn also(mut self, span: Span, label: impl Into<String>) -> Self {
        self.secondary.push(Label {
            span,
            message: label.into(),
        });
        self
    }

    /// Adds a note.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Sets the help line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Sets the help line to the code's [`Code::general_help`] (without
    /// its final period), for rules whose advice needs nothing specific.
    pub fn general_help(self) -> Self {
        let help = self.code.general_help();
        self.help(help.strip_suffix('.').unwrap_or(help))
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// How many diagnostics a run keeps by default (`tmkit check --max-diagnostics`).
pub const DEFAULT_MAX_DIAGNOSTICS: usize = 1_000;

/// The diagnostics of a run, kept up to a cap: past it, they are only
/// counted, so hostile input that breaks a rule a million times costs a
/// count, not a million diagnostics in memory and on screen. Every sink
/// ([`render_human`], [`render_json`], SARIF) ends with [`Self::omission`]
/// when some were dropped, and the totals ([`Self::errors`],
/// [`Self::warnings`]) include them.
///
/// It reads as a slice of the kept diagnostics.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostics {
    kept: Vec<Diagnostic>,
    cap: usize,
    omitted_errors: usize,
    omitted_warnings: usize,
}

impl Default for Diagnostics {
    fn default() -> Self {
        Diagnostics::with_cap(DEFAULT_MAX_DIAGNOSTICS)
    }
}

impl Diagnostics {
    /// An empty list keeping at most `cap` diagnostics.
    pub fn with_cap(cap: usize) -> Self {
        Diagnostics {
            kept: Vec::new(),
            cap,
            omitted_errors: 0,
            omitted_warnings: 0,
        }
    }

    /// The most diagnostics kept.
    pub fn cap(&self) -> usize {
        self.cap
    }

    /// Keeps `d`, or only counts it when the cap is reached.
    pub fn push(&mut self, d: Diagnostic) {
        if self.kept.len() < self.cap {
            self.kept.push(d);
        } else if d.is_error() {
            self.omitted_errors += 1;
        } else {
            self.omitted_warnings += 1;
        }
    }

    /// Moves every diagnostic of `other` (and its omitted counts) here.
    pub fn append(&mut self, other: &mut Diagnostics) {
        for d in other.kept.drain(..) {
            self.push(d);
        }
        self.omitted_errors += std::mem::take(&mut other.omitted_errors);
        self.omitted_warnings += std::mem::take(&mut other.omitted_warnings);
    }

    /// How many were counted but not kept.
    pub fn omitted(&self) -> usize {
        self.omitted_errors + self.omitted_warnings
    }

    /// Errors, kept or not.
    pub fn errors(&self) -> usize {
        self.kept.iter().filter(|d| d.is_error()).count() + self.omitted_errors
    }

    /// Warnings, kept or not.
    pub fn warnings(&self) -> usize {
        self.kept.iter().filter(|d| !d.is_error()).count() + self.omitted_warnings
    }

    /// True when any diagnostic, kept or not, is an error.
    pub fn has_errors(&self) -> bool {
        self.omitted_errors > 0 || self.kept.iter().any(Diagnostic::is_error)
    }

    /// The note that ends every output when diagnostics were omitted (code
    /// E0020; an error when an omitted one is).
    pub fn omission(&self) -> Option<Diagnostic> {
        let n = self.omitted();
        if n == 0 {
            return None;
        }
        let mut d = Diagnostic::new(
            Code::DiagnosticsOmitted,
            format!(
                "{n} more diagnostic{} omitted ({}, {}): only the first {} are kept",
                if n == 1 { "" } else { "s" },
                plural(self.omitted_errors, "error"),
                plural(self.omitted_warnings, "warning"),
                self.cap
            ),
        )
        .help("fix the problems shown and check again, or raise the cap with `tmkit check --max-diagnostics N`");
        if self.omitted_errors == 0 {
            d.severity = Severity::Warning;
        }
        Some(d)
    }

    /// The kept diagnostics followed by the [`Self::omission`] note, if any:
    /// what a sink shows.
    pub fn shown(&self) -> impl Iterator<Item = std::borrow::Cow<'_, Diagnostic>> {
        self.kept
            .iter()
            .map(std::borrow::Cow::Borrowed)
            .chain(self.omission().map(std::borrow::Cow::Owned))
    }
}

fn plural(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

impl std::ops::Deref for Diagnostics {
    type Target = [Diagnostic];
    fn deref(&self) -> &[Diagnostic] {
        &self.kept
    }
}

impl std::ops::DerefMut for Diagnostics {
    fn deref_mut(&mut self) -> &mut [Diagnostic] {
        &mut self.kept
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.kept.iter()
    }
}

impl Extend<Diagnostic> for Diagnostics {
    fn extend<I: IntoIterator<Item = Diagnostic>>(&mut self, iter: I) {
        for d in iter {
            self.push(d);
        }
    }
}

impl From<Vec<Diagnostic>> for Diagnostics {
    /// The diagnostics under the default cap.
    fn from(list: Vec<Diagnostic>) -> Self {
        let mut out = Diagnostics::default();
        out.extend(list);
        out
    }
}

/// Sorts diagnostics by file, position, then code, for deterministic output.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        let key = |d: &Diagnostic| {
            d.primary
                .as_ref()
                .map(|l| (l.span.file.0, l.span.line, l.span.column))
                .unwrap_or((0, 0, 0))
        };
        key(a)
            .cmp(&key(b))
            .then(a.code.cmp(&b.code))
            .then(a.message.cmp(&b.message))
    });
}

/// Renders diagnostics the way rustc does (`error[E0101]: ...`, the file, the
/// source line underlined, notes and help), followed by a summary line.
///
/// Every piece of text that comes from the input (messages, labels, notes,
/// help, file names and source lines) goes through
/// [`escape_controls`](crate::text::escape_controls): control characters
/// and bidi overrides are shown as `\u{1b}`, never sent to the terminal.
pub fn render_human(diags: &Diagnostics, files: &Files, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for d in diags.shown() {
        out.push_str(&renderer.render(&[human_group(&d, files)]));
        out.push_str("\n\n");
    }
    let (errors, warnings) = (diags.errors(), diags.warnings());
    if errors + warnings > 0 {
        out.push_str(&format!(
            "{}, {}\n",
            plural(errors, "error"),
            plural(warnings, "warning")
        ));
    }
    out
}

/// One diagnostic for [`render_human`]: title, cited lines per file
/// (primary file first), notes and help.
fn human_group<'a>(d: &'a Diagnostic, files: &'a Files) -> Group<'a> {
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let mut group = Group::with_title(
        level
            .primary_title(escape_controls(&d.message))
            .id(d.code.as_str()),
    );
    let labels: Vec<&Label> = d.primary.iter().chain(&d.secondary).collect();
    let mut seen_files = Vec::new();
    for l in &labels {
        if !seen_files.contains(&l.span.file) {
            seen_files.push(l.span.file);
        }
    }
    for fid in seen_files {
        let here: Vec<(usize, &Label)> = labels
            .iter()
            .enumerate()
            .filter(|(_, l)| l.span.file == fid)
            .map(|(i, l)| (i, *l))
            .collect();
        let primary = d.primary.is_some();
        group = file_snippets(group, files.get(fid), &here, primary);
    }
    for n in &d.notes {
        group = group.element(Level::NOTE.message(escape_controls(n)));
    }
    if let Some(h) = &d.help {
        group = group.element(Level::HELP.message(escape_controls(h)));
    }
    group
}

/// The lines of one file that `here` (labels with their rank; rank 0 is
/// the primary one when `primary`) point at, added to `group`.
fn file_snippets<'a>(
    mut group: Group<'a>,
    file: &'a SourceFile,
    here: &[(usize, &'a Label)],
    primary: bool,
) -> Group<'a> {
    let path = escape_controls(&file.display);
    // Give the renderer only the lines it shows, not the whole file:
    // rendering stays proportional to the diagnostic, not to the file.
    let first = here.iter().map(|(_, l)| l.span.line).min().unwrap_or(1);
    let last = here.iter().map(|(_, l)| l.span.line).max().unwrap_or(1);
    let groups: Vec<(u32, u32)> = if last - first <= 40 {
        vec![(first, last)]
    } else {
        here.iter()
            .map(|(_, l)| (l.span.line, l.span.line))
            .collect()
    };
    for (from, to) in groups {
        let start = file.line_start(from).unwrap_or(0);
        let end = file.line_start(to + 1).unwrap_or(file.text.len());
        let text = &file.text[start..end];
        let shown = here
            .iter()
            .filter(|(_, l)| (from..=to).contains(&l.span.line));
        if text.len() > MAX_SNIPPET_BYTES {
            // A huge line (minified JSON, hostile input) is not shown:
            // rendering it for every diagnostic would cost its length each
            // time. The place and labels still are.
            for (_, l) in shown {
                group = group.element(
                    Origin::path(path.clone())
                        .line(l.span.line as usize)
                        .char_column(l.span.column as usize),
                );
                if !l.message.is_empty() {
                    group = group.element(Level::NOTE.message(format!(
                        "{}:{}: {} (line too long to show)",
                        l.span.line,
                        l.span.column,
                        escape_controls(&l.message)
                    )));
                }
            }
            continue;
        }
        let mut snippet = Snippet::source(escape_controls(text))
            .line_start(from as usize)
            .path(path.clone())
            .fold(true);
        for (i, l) in shown {
            let kind = if *i == 0 && primary {
                AnnotationKind::Primary
            } else {
                AnnotationKind::Context
            };
            let (s0, e0) = clamp_range(
                text,
                (l.span.start as usize).saturating_sub(start),
                (l.span.end as usize).saturating_sub(start),
            );
            // The same range in the escaped text.
            let (s0, e0) = (escaped_len(&text[..s0]), escaped_len(&text[..e0]));
            snippet = snippet.annotation(kind.span(s0..e0).label(escape_controls(&l.message)));
        }
        group = group.element(snippet);
    }
    group
}

/// Longest source excerpt shown under a diagnostic; longer lines are cited
/// by place only.
const MAX_SNIPPET_BYTES: usize = 4096;

/// Keeps a byte range inside the text and on character boundaries; an empty
/// range becomes one character wide so the caret is visible.
fn clamp_range(text: &str, start: usize, end: usize) -> (usize, usize) {
    let mut s = start.min(text.len());
    while s > 0 && !text.is_char_boundary(s) {
        s -= 1;
    }
    let mut e = end.max(s).min(text.len());
    while e < text.len() && !text.is_char_boundary(e) {
        e += 1;
    }
    if e == s {
        e = text[s..]
            .chars()
            .next()
            .map_or(s, |c| if c == '\n' { s } else { s + c.len_utf8() });
    }
    (s, e)
}

/// A diagnostic as machines read it (`--format json`).
#[derive(Debug, Serialize)]
struct JsonDiagnostic<'a> {
    code: &'a str,
    severity: Severity,
    message: &'a str,
    file: Option<&'a str>,
    line: Option<u32>,
    column: Option<u32>,
    end_line: Option<u32>,
    end_column: Option<u32>,
    label: Option<&'a str>,
    related: Vec<JsonLocation<'a>>,
    notes: &'a [String],
    help: Option<&'a str>,
}

#[derive(Debug, Serialize)]
struct JsonLocation<'a> {
    file: &'a str,
    line: u32,
    column: u32,
    message: &'a str,
}

/// Renders diagnostics as a JSON array (one object per diagnostic, the
/// omission note last).
pub fn render_json(diags: &Diagnostics, files: &Files) -> String {
    let shown: Vec<std::borrow::Cow<'_, Diagnostic>> = diags.shown().collect();
    let items: Vec<JsonDiagnostic<'_>> = shown
        .iter()
        .map(|d| {
            let p = d.primary.as_ref();
            let end = p.map(|l| {
                files
                    .get(l.span.file)
                    .position(l.span.end.max(l.span.start) as usize)
            });
            JsonDiagnostic {
                code: d.code.as_str(),
                severity: d.severity,
                message: &d.message,
                file: p.map(|l| files.get(l.span.file).display.as_str()),
                line: p.map(|l| l.span.line),
                column: p.map(|l| l.span.column),
                end_line: end.map(|e| e.0),
                end_column: end.map(|e| e.1),
                label: p.map(|l| l.message.as_str()),
                related: d
                    .secondary
                    .iter()
                    .map(|l| JsonLocation {
                        file: files.get(l.span.file).display.as_str(),
                        line: l.span.line,
                        column: l.span.column,
                        message: &l.message,
                    })
                    .collect(),
                notes: &d.notes,
                help: d.help.as_deref(),
            }
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}

/// The closest candidate to a misspelt name, for "did you mean" help.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = name.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&lower, &c.to_ascii_lowercase()), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(a.1)))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_stable() {
        let mut seen = std::collections::HashSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.as_str()), "code {} reused", c.as_str());
            let prefix = if c.severity() == Severity::Error {
                'E'
            } else {
                'W'
            };
            assert!(
                c.as_str().starts_with(prefix),
                "{} severity mismatch",
                c.as_str()
            );
        }
        let listing: Vec<String> = Code::ALL
            .iter()
            .map(|c| format!("{} {}", c.as_str(), c.summary()))
            .collect();
        insta::assert_snapshot!(listing.join("\n"));
    }

    const DOCS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/diagnostics.md");
    const INDEX_START: &str = "<!-- index: generated from the table of codes in crates/tmkit-syntax/src/diagnostic.rs; TMKIT_BLESS=1 cargo test -p tmkit-syntax docs_follow rewrites it -->\n";
    const INDEX_END: &str = "<!-- end of index -->\n";

    /// The index of docs/diagnostics.md, generated from the table.
    fn docs_index() -> String {
        let mut out = String::from("| Code | Severity | What it means |\n|---|---|---|\n");
        for c in Code::ALL {
            let sev = match c.severity() {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            out.push_str(&format!(
                "| [{c}](#{}) | {sev} | {} |\n",
                c.docs_anchor(),
                c.summary()
            ));
        }
        out
    }

    /// docs/diagnostics.md follows the table of codes: its index is the
    /// generated one (`TMKIT_BLESS=1 cargo test -p tmkit-syntax docs_follow`
    /// rewrites it), it has one `## CODE: summary` entry per code, and
    /// each entry's **Fix** starts with the code's general help.
    #[test]
    fn docs_follow_the_table() {
        let mut text = std::fs::read_to_string(DOCS).expect("docs/diagnostics.md");
        let start = text.find(INDEX_START).expect("index start marker") + INDEX_START.len();
        let end = text.find(INDEX_END).expect("index end marker");
        let index = docs_index();
        if text[start..end] != index {
            if std::env::var_os("TMKIT_BLESS").is_some() {
                text.replace_range(start..end, &index);
                std::fs::write(DOCS, &text).expect("docs/diagnostics.md written");
            } else {
                panic!(
                    "docs/diagnostics.md index is out of date: run TMKIT_BLESS=1 cargo test -p tmkit-syntax docs_follow"
                );
            }
        }
        let mut entries: Vec<(&str, String)> = Vec::new();
        for block in text.split("\n## ").skip(1) {
            let (heading, body) = block.split_once('\n').unwrap_or((block, ""));
            let b = heading.as_bytes();
            if !(matches!(b.first(), Some(b'E' | b'W')) && b.get(1).is_some_and(u8::is_ascii_digit))
            {
                continue;
            }
            entries.push((
                heading,
                body.split_whitespace().collect::<Vec<_>>().join(" "),
            ));
        }
        let mut headings: Vec<&str> = entries.iter().map(|(h, _)| *h).collect();
        headings.sort_unstable();
        let mut expected: Vec<String> = Code::ALL
            .iter()
            .map(|c| format!("{c}: {}", c.summary()))
            .collect();
        expected.sort_unstable();
        assert_eq!(headings, expected, "docs/diagnostics.md entries");
        for c in Code::ALL {
            let heading = format!("{c}: {}", c.summary());
            let (_, body) = entries
                .iter()
                .find(|(h, _)| **h == heading)
                .expect("an entry");
            let fix = body.split_once("**Fix** ").map(|(_, f)| f);
            assert!(
                fix.is_some_and(|f| f.starts_with(c.general_help())),
                "the **Fix** of {c} does not start with {:?}",
                c.general_help()
            );
        }
        assert_eq!(
            Code::TooManyQuestions.docs_anchor(),
            "e0032-the-model-asks-more-questions-than-the-limit"
        );
        assert_eq!(
            Code::NotRegularFile.docs_anchor(),
            "e0025-a-file-to-read-is-not-a-regular-file-a-fifo-a-device-a-directory"
        );
    }

    #[test]
    fn human_output_escapes_user_text_even_in_colour() {
        let mut files = Files::new();
        // (A lone `\r` ends a line, as in YAML, so it cannot stand inside a
        // cited line; it is asserted escaped in the note below.)
        let text = "title: \"x\u{1b}]52;c;aGk=\u{7}ok\u{9b}\u{202e}\u{0}\"\n";
        let id = files.add(crate::span::SourceFile::new(
            "m\u{1b}[2J.yaml".into(),
            "m.yaml".into(),
            "m.yaml".into(),
            text.into(),
        ));
        let span = Span {
            file: id,
            start: 7,
            end: text.len() as u32 - 1,
            line: 1,
            column: 8,
        };
        let d = Diagnostic::new(Code::WrongType, "bad \u{1b}[2J value")
            .at(span, "label \u{7}")
            .note("note \r")
            .help("help \u{0}");
        for color in [false, true] {
            let out = render_human(&vec![d.clone()].into(), &files, color);
            // Only tmkit's own SGR sequences (`ESC [ digits/; m`) remain.
            let mut rest = String::new();
            let mut chars = out.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '\u{1b}' && chars.peek() == Some(&'[') {
                    chars.next();
                    let mut ok = false;
                    for c in chars.by_ref() {
                        if c == 'm' {
                            ok = true;
                            break;
                        }
                        assert!(c.is_ascii_digit() || c == ';', "non-SGR escape in {out:?}");
                    }
                    assert!(ok, "unterminated escape in {out:?}");
                } else {
                    rest.push(c);
                }
            }
            assert!(
                !rest.chars().any(crate::text::is_unsafe_char),
                "raw control in {rest:?}"
            );
            for shown in [
                "bad \\u{1b}[2J value",
                "m\\u{1b}[2J.yaml",
                "\\u{1b}]52;c;aGk=\\u{7}ok\\u{9b}\\u{202e}\\u{0}",
                "label \\u{7}",
                "note \\u{d}",
                "help \\u{0}",
            ] {
                assert!(rest.contains(shown), "{shown:?} not in {rest}");
            }
        }
    }

    #[test]
    fn diagnostics_past_the_cap_are_counted_not_kept() {
        let err = || Diagnostic::new(Code::UnknownField, "e");
        let warn = || Diagnostic::new(Code::ThreatWithoutTargets, "w");
        let mut a = Diagnostics::with_cap(3);
        a.extend([err(), warn(), err(), err(), warn()]);
        assert_eq!(
            (a.len(), a.omitted(), a.errors(), a.warnings()),
            (3, 2, 3, 2)
        );
        let mut b = Diagnostics::with_cap(3);
        b.extend([warn(), warn(), warn(), warn()]);
        // Appending keeps the receiver's cap and adds the other's counts.
        a.append(&mut b);
        assert_eq!(
            (a.len(), a.omitted(), a.errors(), a.warnings()),
            (3, 6, 3, 6)
        );
        assert!(a.has_errors());
        let note = a.omission().expect("an omission note");
        assert_eq!(note.code, Code::DiagnosticsOmitted);
        assert_eq!(note.severity, Severity::Error, "an error was omitted");
        assert_eq!(
            note.message,
            "6 more diagnostics omitted (1 error, 5 warnings): only the first 3 are kept"
        );
        assert_eq!(a.shown().count(), 4);
        let mut w = Diagnostics::with_cap(1);
        w.extend([warn(), warn()]);
        assert_eq!(w.omission().map(|d| d.severity), Some(Severity::Warning));
        assert!(!w.has_errors());
        // Only omitted errors still make the run fail.
        let mut c = Diagnostics::with_cap(1);
        c.extend([warn(), err()]);
        assert!(c.has_errors());
        assert_eq!(c.omission().map(|d| d.severity), Some(Severity::Error));
        assert!(Diagnostics::with_cap(5).omission().is_none());
        let summary = render_human(&c, &Files::new(), false);
        assert!(summary.ends_with("1 error, 1 warning\n"), "{summary}");
    }

    #[test]
    fn suggestions() {
        assert_eq!(
            did_you_mean("titel", ["title", "threats", "targets"]),
            Some("title")
        );
        assert_eq!(did_you_mean("zzz", ["title", "threats"]), None);
    }
}
