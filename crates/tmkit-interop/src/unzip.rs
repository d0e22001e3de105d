//! `.tm7` files in the wild are sometimes ZIP archives around the XML.

use crate::files::ImportError;
use std::io::Read;

/// Most bytes the XML inside an archive may expand to (the loader's limit
/// for one file), whatever the archive claims.
const MAX_XML_BYTES: u64 = 8 * 1024 * 1024;

/// Most entries an archive may list.
const MAX_ENTRIES: usize = 1000;

/// The XML text of a `.tm7` file: the bytes themselves, or, for a ZIP
/// archive, its one `.tm7` (or else `.xml`) entry, read up to
/// [`MAX_XML_BYTES`] (a ZIP bomb stops there).
pub(crate) fn single_xml(bytes: Vec<u8>, shown: &str) -> Result<String, ImportError> {
    if !bytes.starts_with(b"PK\x03\x04") && !bytes.starts_with(b"PK\x05\x06") {
        return text(&bytes, shown);
    }
    let err = |m: String| ImportError::at(shown, 0, m);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| err(format!("a ZIP archive that cannot be read: {e}")))?;
    if archive.len() > MAX_ENTRIES {
        return Err(err(format!(
            "a ZIP archive of {} entries (at most {MAX_ENTRIES})",
            archive.len()
        )));
    }
    let names: Vec<String> = (archive.file_names())
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .collect();
    let pick = |ext: &str| {
        let mut found = names
            .iter()
            .filter(|n| n.to_ascii_lowercase().ends_with(ext) && !n.ends_with('/'));
        match (found.next(), found.next()) {
            (Some(one), None) => Some(Ok(one.clone())),
            (Some(_), Some(_)) => Some(Err(format!(
                "a ZIP archive with several `{ext}` entries; extract the one to import"
            ))),
            _ => None,
        }
    };
    let name = pick(".tm7")
        .or_else(|| pick(".xml"))
        .unwrap_or_else(|| Err("a ZIP archive without a `.tm7` or `.xml` entry".into()))
        .map_err(err)?;
    let entry = archive
        .by_name(&name)
        .map_err(|e| err(format!("cannot read `{name}` in the ZIP archive: {e}")))?;
    let mut xml = Vec::new();
    entry
        .take(MAX_XML_BYTES + 1)
        .read_to_end(&mut xml)
        .map_err(|e| err(format!("cannot read `{name}` in the ZIP archive: {e}")))?;
    if xml.len() as u64 > MAX_XML_BYTES {
        return Err(err(format!(
            "`{name}` in the ZIP archive expands to more than {MAX_XML_BYTES} bytes"
        )));
    }
    text(&xml, &format!("{shown}!{name}"))
}

/// XML text: UTF-16 when it starts with a UTF-16 byte order mark (as .NET
/// may write it), else UTF-8.
fn text(bytes: &[u8], shown: &str) -> Result<String, ImportError> {
    let units = |be: bool| -> Vec<u16> {
        (bytes[2..].chunks_exact(2))
            .map(|c| {
                if be {
                    u16::from_be_bytes([c[0], c[1]])
                } else {
                    u16::from_le_bytes([c[0], c[1]])
                }
            })
            .collect()
    };
    let utf16 = match bytes {
        [0xFF, 0xFE, ..] => Some(units(false)),
        [0xFE, 0xFF, ..] => Some(units(true)),
        _ => None,
    };
    match utf16 {
        Some(u) => {
            String::from_utf16(&u).map_err(|_| ImportError::at(shown, 0, "invalid UTF-16 text"))
        }
        None => crate::yaml_in::decode(bytes, shown),
    }
}
