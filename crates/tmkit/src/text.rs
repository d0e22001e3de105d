//! The wording shared by every message: one way to say a count.

/// `count` and `noun`, with the noun in the plural unless the count is one:
/// `count(1, "warning")` is "1 warning", `count(2, "warning")` is "2 warnings".
/// Every noun the CLI counts takes a plain `s` (file, threat, warning...).
pub fn count(n: usize, noun: &str) -> String {
    format!("{n} {}", plural(n, noun))
}

/// `noun` in the plural unless `n` is one.
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        noun.to_string()
    } else {
        format!("{noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_and_everything_else_plural() {
        assert_eq!(count(0, "threat"), "0 threats");
        assert_eq!(count(1, "threat"), "1 threat");
        assert_eq!(count(2, "warning"), "2 warnings");
        assert_eq!(plural(1, "file"), "file");
        assert_eq!(plural(11, "file"), "files");
    }
}
