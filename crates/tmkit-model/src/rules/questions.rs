//! Whether the model asks any question at all.

use super::ModelCx;
use tmkit_syntax::diagnostic::Diagnostics;
use tmkit_syntax::{Code, Diagnostic};

/// W0901, on an otherwise valid model that asks no question: no in-scope
/// attacker, or no in-scope target (an imported diagram, a model started
/// with assets only). Its coverage is undefined, not 100%: metrics show
/// "n/a" (`null` in JSON) and every coverage gate fails.
pub(super) fn none_asked(cx: &ModelCx<'_>, out: &mut Diagnostics) {
    if !cx.valid_so_far(out) {
        return;
    }
    let model = cx.model;
    if model.question_count() > 0 {
        return;
    }
    let analysed: Vec<_> = model.analysed().collect();
    let targets = analysed.iter().any(|&m| {
        let tm = &model.models[m];
        tm.assets.iter().any(|a| a.in_scope) || tm.dataflows.iter().any(|f| f.in_scope)
    });
    let attackers = analysed
        .iter()
        .any(|&m| !model.visible_attackers(m).is_empty());
    let why = match (targets, attackers) {
        (false, false) => "it has no in-scope target (asset or data flow) and no in-scope attacker",
        (false, true) => "it has no in-scope target (asset or data flow)",
        (true, false) => "it has no in-scope attacker",
        (true, true) => "no in-scope attacker is visible to a model with an in-scope target",
    };
    let root = model.root();
    let mut d = Diagnostic::new(
        Code::NoQuestions,
        format!(
            "model {} asks no question: {why}; its coverage is undefined",
            root.qid
        ),
    )
    .note("coverage is shown as n/a (null in JSON) and every `--fail-on coverage` gate fails");
    if let Some(s) = cx.spans.get(&root.qid) {
        d = d.at(s, "in this model and its components");
    }
    out.push(d.help(Code::NoQuestions.general_help()));
}

#[cfg(test)]
mod tests {
    use tmkit_syntax::Code;

    fn messages(body: &str) -> Vec<String> {
        let checked = crate::check_str(&format!("tmkit: 1\nid: M\ntitle: M\n{body}"));
        (checked.diagnostics.iter())
            .filter(|d| d.code == Code::NoQuestions)
            .map(|d| d.message.clone())
            .collect()
    }

    #[test]
    fn says_what_is_missing_and_only_when_nothing_is_asked() {
        let asset = "  assets: [{id: web, title: Web, kind: service}]\n";
        let attacker = "  attackers: [{id: anon, title: Anonymous}]\n";
        let out_of_scope =
            "  attackers: [{id: anon, title: Anonymous, in_scope: false, reason: later}]\n";
        assert_eq!(
            messages(&format!("scope:\n{asset}")),
            ["model M asks no question: it has no in-scope attacker; its coverage is undefined"]
        );
        assert!(
            messages(&format!("scope:\n{asset}{out_of_scope}"))[0].contains("no in-scope attacker")
        );
        assert!(
            messages(&format!("scope:\n{attacker}"))[0]
                .contains("no in-scope target (asset or data flow)")
        );
        assert!(
            messages("")[0]
                .contains("no in-scope target (asset or data flow) and no in-scope attacker")
        );
        assert!(messages(&format!("scope:\n{asset}{attacker}")).is_empty());
    }
}
