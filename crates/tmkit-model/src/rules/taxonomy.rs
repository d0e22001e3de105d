//! Taxonomy rules.

use super::DocCx;
use tmkit_syntax::diagnostic::Diagnostics;
use tmkit_syntax::raw::RawTaxonomy;
use tmkit_syntax::{Code, Diagnostic};

/// E0307: a custom taxonomy with no category.
pub(super) fn empty_custom(cx: &DocCx<'_>, out: &mut Diagnostics) {
    let written = cx
        .raw
        .scope
        .as_ref()
        .and_then(|s| s.abstraction.as_ref())
        .and_then(|a| a.taxonomy.as_ref());
    if let Some(sp) = written {
        if matches!(&sp.value, RawTaxonomy::Custom(list) if list.is_empty()) {
            out.push(
                Diagnostic::new(Code::EmptyTaxonomy, "custom taxonomy has no categories")
                    .at(sp.span, "empty list")
                    .help("list at least one category, or use a built-in taxonomy such as CIA"),
            );
        }
    }
}
