//! Limits on what a model may ask of the analysis.

use super::ModelCx;
use tmkit_syntax::diagnostic::Diagnostics;
use tmkit_syntax::node::raise_help;
use tmkit_syntax::{Code, Diagnostic};

/// E0032, on an otherwise valid model, when it asks more questions than
/// the limit allows: the larger of `max_questions` and one per byte of
/// input, so a big model pays for its questions with its size, and a small
/// one cannot ask millions.
pub(super) fn questions(cx: &ModelCx<'_>, out: &mut Diagnostics) {
    if !cx.valid_so_far(out) {
        return;
    }
    let model = cx.model;
    let questions = model.question_count();
    let bytes: u64 = cx
        .loaded
        .files
        .iter()
        .map(|(_, f)| f.text.len() as u64)
        .sum();
    let max = cx.loaded.limits.max_questions.max(bytes);
    if questions <= max {
        return;
    }
    let mut d = Diagnostic::new(
        Code::TooManyQuestions,
        format!(
            "the model asks {questions} questions (in-scope targets x visible attackers x categories), more than the limit of {max}"
        ),
    )
    .note(format!(
        "the limit is {} questions or one per byte of input ({bytes} bytes), whichever is larger",
        cx.loaded.limits.max_questions
    ));
    if let Some(s) = cx.spans.get(&model.root().qid) {
        d = d.at(s, "in this model and its components");
    }
    out.push(d.help(raise_help(
        "put attackers in the components they threaten instead of sharing every attacker with every target, or mark some out of scope",
        "questions",
    )));
}
