//! `.tm7` files in the wild are sometimes ZIP archives around the XML.

use crate::files::ImportError;

/// The XML text of a `.tm7` file: the bytes themselves. A ZIP archive is
/// refused with a clear error (extract the `.tm7` XML from it first).
pub(crate) fn single_xml(bytes: Vec<u8>, shown: &str) -> Result<String, ImportError> {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return Err(ImportError::at(
            shown,
            0,
            "this .tm7 file is a ZIP archive; ZIP-wrapped files are not supported yet: extract the XML file from it (`unzip`) and import that",
        ));
    }
    crate::yaml_in::decode(&bytes, shown)
}
