//! Data formats: JSON, CSV and SARIF.

use super::{Verdict, fail};
use serde_json::Value;

/// JSON: parses as one JSON value.
pub fn json(out: &str) -> Verdict {
    serde_json::from_str::<Value>(out)
        .map(|_| ())
        .map_err(|e| format!("invalid JSON: {e}"))
}

/// CSV: parses (RFC 4180), every record as long as the header, no NUL, and no
/// field that a spreadsheet would read as a formula (starting with `=`, `+`,
/// `-`, `@`, tab or carriage return).
pub fn csv(out: &str) -> Verdict {
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(out.as_bytes());
    let mut width = None;
    for record in reader.records() {
        let record = record.map_err(|e| format!("invalid CSV: {e}"))?;
        if *width.get_or_insert(record.len()) != record.len() {
            return Err(format!(
                "CSV record of {} fields, header has {width:?}",
                record.len()
            ));
        }
        let at = record.position().map_or(0, |p| p.byte() as usize);
        for field in &record {
            if field.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                return fail(&format!("CSV formula {field:?}"), out, at);
            }
            if field.contains('\0') {
                return fail(&format!("NUL in CSV field {field:?}"), out, at);
            }
        }
    }
    Ok(())
}

/// SARIF: valid JSON, version 2.1.0, and every `uri` a URI reference with
/// only ASCII characters allowed by RFC 3986, `%` starting an escape.
pub fn sarif(out: &str) -> Verdict {
    let doc: Value = serde_json::from_str(out).map_err(|e| format!("invalid SARIF JSON: {e}"))?;
    if doc["version"] != "2.1.0" {
        return Err(format!("SARIF version {}", doc["version"]));
    }
    let mut stack = vec![&doc];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    if let (true, Some(uri)) = (k == "uri", v.as_str()) {
                        uri_reference(uri)?;
                    }
                    stack.push(v);
                }
            }
            Value::Array(a) => stack.extend(a),
            _ => {}
        }
    }
    Ok(())
}

fn uri_reference(uri: &str) -> Verdict {
    let b = uri.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        let ok = c.is_ascii_alphanumeric()
            || b"-._~:/?#[]@!$&'()*+,;=".contains(&c)
            || (c == b'%'
                && b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit));
        if !ok {
            return Err(format!(
                "SARIF uri {uri:?}: byte {i} ({:?}) not percent-encoded",
                c as char
            ));
        }
    }
    Ok(())
}
