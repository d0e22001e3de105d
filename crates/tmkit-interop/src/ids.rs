//! Helpers shared by the importers: ids, short texts, asset kinds.

/// Turns a source id into a valid tmkit id: `[A-Za-z][A-Za-z0-9_-]*` then
/// `.`-separated segments of `[A-Za-z0-9_-]+`.
pub(crate) fn sanitise_id(raw: &str) -> String {
    let raw = raw.trim();
    let mut s: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    // Empty segments are not allowed: `a..b`, `a.`, `.a`.
    if s.split('.').any(str::is_empty) && s.contains('.') {
        s = s.replace('.', "_");
    }
    if !s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        s = format!("ID_{s}");
    }
    // The first segment must not contain a character other than [A-Za-z0-9_-]; it cannot by now.
    s
}

pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub(crate) fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max / 2 => cut[..i].to_string(),
        _ => cut,
    };
    format!("{}…", cut.trim_end())
}

/// Maps a free-text asset type to a tmkit asset kind.
pub(crate) fn asset_kind(t: &str) -> Option<&'static str> {
    let lower = t.trim().to_ascii_lowercase();
    let exact = match lower.as_str() {
        "data" | "information" | "document" | "file" | "pii" => Some("data"),
        "credential" | "credentials" | "password" | "secret" | "token" => Some("credential"),
        "key" | "keys" | "private key" | "secret key" => Some("key"),
        "certificate" | "certificates" | "cert" => Some("certificate"),
        "service" | "api" | "endpoint" | "web service" | "microservice" | "server"
        | "application" => Some("service"),
        "process" => Some("process"),
        "datastore" | "data store" | "database" | "db" | "storage" => Some("datastore"),
        "external" | "external entity" | "user" | "actor" | "browser" | "client" => {
            Some("external")
        }
        "hardware" | "device" => Some("hardware"),
        "dataflow" | "data flow" | "other" => Some("other"),
        _ => None,
    };
    if exact.is_some() {
        return exact;
    }
    // Otherwise the first kind, in this order, with one of its words
    // (separated by `|`) in the type.
    const CONTAINED: &[(&str, &str)] = &[
        ("credential", "credential|password|token"),
        ("certificate", "certificate"),
        ("key", "key"),
        (
            "datastore",
            "database|datastore|data store|storage|sql|postgres|mongo",
        ),
        (
            "datastore",
            "redis|dynamodb|bucket|s3|rds|cache|queue|elasticsearch",
        ),
        ("data", "data"),
        (
            "service",
            "service|api|endpoint|server|gateway|lambda|function",
        ),
        ("service", "container|web|app|balancer|proxy|backend"),
        ("process", "process"),
        ("hardware", "hardware|device"),
        (
            "external",
            "external|user|browser|client|mobile|actor|third",
        ),
    ];
    CONTAINED
        .iter()
        .find(|(_, words)| words.split('|').any(|w| lower.contains(w)))
        .map(|(kind, _)| *kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_sanitised() {
        assert_eq!(sanitise_id("VULN_001"), "VULN_001");
        assert_eq!(sanitise_id("dataflow.1"), "dataflow.1");
        assert_eq!(sanitise_id("1st asset"), "ID_1st_asset");
        assert_eq!(sanitise_id("a..b"), "a__b");
        assert_eq!(sanitise_id("x/y:z"), "x_y_z");
        for raw in [
            "", "9", ".", "a.", "-x", "a b.c d", "日本", "x..", "_a", "a.-b",
        ] {
            let id = sanitise_id(raw);
            assert!(tmkit_syntax::decode::is_valid_id(&id), "{raw:?} -> {id:?}");
        }
    }

    #[test]
    fn asset_types_map() {
        assert_eq!(asset_kind("credential"), Some("credential"));
        assert_eq!(asset_kind("Certificate"), Some("certificate"));
        assert_eq!(asset_kind("dataflow"), Some("other"));
        assert_eq!(asset_kind("API key"), Some("key"));
        assert_eq!(asset_kind("Customer database"), Some("datastore"));
        assert_eq!(asset_kind("sensitive data"), Some("data"));
        assert_eq!(asset_kind("frobnicator"), None);
        assert_eq!(asset_kind("postgresql"), Some("datastore"));
        assert_eq!(asset_kind("api-gateway"), Some("service"));
        assert_eq!(asset_kind("generic-client"), Some("external"));
    }
}
