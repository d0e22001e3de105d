//! The hidden marker that ties a ticket to an element: an HTML comment
//! `<!-- tmkit:id=QID -->` at the end of the body. The sync finds tickets by
//! it, so a renamed title or a lost write-back never makes a duplicate.

/// The marker of `qid`.
pub fn marker(qid: &str) -> String {
    format!("<!-- tmkit:id={} -->", sanitize(qid))
}

/// Qualified ids are made of id characters; anything else (which a valid
/// model never has) is dropped so the comment cannot be closed early.
fn sanitize(qid: &str) -> String {
    qid.chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '/'))
        .collect()
}

/// The qualified id in the first marker of `body`, if any.
pub fn find(body: &str) -> Option<String> {
    let start = body.find("<!-- tmkit:id=")? + "<!-- tmkit:id=".len();
    let rest = &body[start..];
    let end = rest.find(" -->")?;
    let qid = &rest[..end];
    (!qid.is_empty() && sanitize(qid) == qid).then(|| qid.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_round_trips() {
        for q in ["T1", "SHOP.LOGIN.T-2", "X.t/m1"] {
            assert_eq!(
                find(&format!("text\n\n{}\n", marker(q))).as_deref(),
                Some(q)
            );
        }
        assert_eq!(find("no marker"), None);
        assert_eq!(find("<!-- tmkit:id= -->"), None);
        assert_eq!(find("<!-- tmkit:id=a b -->"), None);
        assert_eq!(marker("a -->x"), "<!-- tmkit:id=a--x -->");
    }
}
