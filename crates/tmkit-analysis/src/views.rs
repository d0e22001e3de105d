//! Views of a model: the extractions (full report, unmitigated
//! vulnerabilities, public/distributable version, assumptions checklist).
//!
//! Owned by the reports work: see that module's own files.
