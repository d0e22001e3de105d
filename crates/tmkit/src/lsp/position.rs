//! Positions and file names as LSP speaks them: lines and characters in
//! the negotiated encoding (UTF-8 bytes or UTF-16 code units), `file:` URIs.

use lsp_types::{Position, Range, Uri};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use tmkit_syntax::{SourceFile, Span};

/// How a position's `character` counts: negotiated at `initialize`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Bytes of UTF-8 (offered by the client as `utf-8`).
    Utf8,
    /// UTF-16 code units: LSP's default, what every client understands.
    Utf16,
}

impl Encoding {
    /// The length of `s` in this encoding's units.
    fn units(self, s: &str) -> usize {
        match self {
            Encoding::Utf8 => s.len(),
            Encoding::Utf16 => s.encode_utf16().count(),
        }
    }
}

/// The position of byte `offset` of `file`.
pub fn position(file: &SourceFile, offset: usize, enc: Encoding) -> Position {
    let offset = floor_char(&file.text, offset.min(file.text.len()));
    let (line, _) = file.position(offset);
    let start = file.line_start(line).unwrap_or(0).min(offset);
    let character = enc.units(&file.text[start..offset]);
    Position::new(line - 1, u32::try_from(character).unwrap_or(u32::MAX))
}

/// The range of a span (in its own file).
pub fn range(file: &SourceFile, span: Span, enc: Encoding) -> Range {
    let start = position(file, span.start as usize, enc);
    let end = position(file, (span.end.max(span.start)) as usize, enc);
    Range::new(start, end)
}

/// The byte offset of `pos` in `file`: past the end of a line is its end,
/// past the last line is the end of the file, and a position inside a
/// character (a UTF-16 surrogate pair) is that character's start.
pub fn offset(file: &SourceFile, pos: Position, enc: Encoding) -> usize {
    let Some(start) = file.line_start(pos.line.saturating_add(1)) else {
        return file.text.len();
    };
    let line = file.line_text(pos.line + 1).unwrap_or("");
    let mut units = 0usize;
    for (i, c) in line.char_indices() {
        let width = match enc {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        };
        if units + width > pos.character as usize {
            return start + i;
        }
        units += width;
    }
    start + line.len()
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Characters kept as they are in a URI path (RFC 3986 unreserved and `/`).
const PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The `file:` URI of an absolute path.
pub fn uri_of(path: &Path) -> Option<Uri> {
    let text = path.to_str()?;
    let encoded = utf8_percent_encode(text, PATH).to_string();
    Uri::from_str(&format!("file://{encoded}")).ok()
}

/// The path a `file:` URI names (None for other schemes or a remote host).
pub fn path_of(uri: &Uri) -> Option<PathBuf> {
    let text = uri.as_str();
    let rest = text.strip_prefix("file://")?;
    // `file:///p` (empty host) or `file://localhost/p`.
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    if !rest.starts_with('/') {
        return None;
    }
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let decoded = percent_decode_str(rest).decode_utf8().ok()?;
    Some(tmkit_syntax::fs::normalise(Path::new(decoded.as_ref())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile::new("f".into(), "f".into(), PathBuf::from("/f"), text.into())
    }

    #[test]
    fn positions_count_in_the_negotiated_encoding() {
        // "é" is 2 bytes and 1 UTF-16 unit; "𝄞" is 4 bytes and 2 units.
        let f = file("a: x\ntitle: é𝄞 id\n");
        let id = f.text.find("id\n").expect("id");
        assert_eq!(position(&f, id, Encoding::Utf8), Position::new(1, 14));
        assert_eq!(position(&f, id, Encoding::Utf16), Position::new(1, 11));
        assert_eq!(offset(&f, Position::new(1, 14), Encoding::Utf8), id);
        assert_eq!(offset(&f, Position::new(1, 11), Encoding::Utf16), id);
        // Inside the surrogate pair: the character's start.
        let clef = f.text.find('𝄞').expect("clef");
        assert_eq!(offset(&f, Position::new(1, 9), Encoding::Utf16), clef);
        // Past the end of the line and of the file.
        assert_eq!(offset(&f, Position::new(0, 99), Encoding::Utf16), 4);
        assert_eq!(
            offset(&f, Position::new(9, 0), Encoding::Utf16),
            f.text.len()
        );
    }

    #[test]
    fn uris_round_trip_with_spaces_and_non_ascii() {
        let p = Path::new("/tmp/a model/été #1.yaml");
        let uri = uri_of(p).expect("uri");
        assert_eq!(
            uri.as_str(),
            "file:///tmp/a%20model/%C3%A9t%C3%A9%20%231.yaml"
        );
        assert_eq!(path_of(&uri).as_deref(), Some(p));
        let other = Uri::from_str("https://example.invalid/x").expect("uri");
        assert_eq!(path_of(&other), None);
    }
}
