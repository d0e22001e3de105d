//! The fonts embedded in the binary for the PDF report (subsets of DejaVu
//! 2.37, see `fonts/README.md`) and their advance widths, for line
//! breaking.

use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};
use std::collections::HashMap;

/// DejaVu Sans (body text).
pub(crate) const SANS: &[u8] = include_bytes!("../../fonts/DejaVuSans.ttf");
/// DejaVu Sans Bold (headings, labels).
pub(crate) const BOLD: &[u8] = include_bytes!("../../fonts/DejaVuSans-Bold.ttf");
/// DejaVu Sans Mono (ids, code, and the diagram's text).
pub(crate) const MONO: &[u8] = include_bytes!("../../fonts/DejaVuSansMono.ttf");

/// The family name the diagram's SVG asks for first.
pub(crate) const MONO_FAMILY: &str = "DejaVu Sans Mono";

/// A face of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Face {
    Regular,
    Bold,
    Mono,
}

impl Face {
    pub(crate) const ALL: [Face; 3] = [Face::Regular, Face::Bold, Face::Mono];

    pub(crate) fn data(self) -> &'static [u8] {
        match self {
            Face::Regular => SANS,
            Face::Bold => BOLD,
            Face::Mono => MONO,
        }
    }

    fn index(self) -> usize {
        match self {
            Face::Regular => 0,
            Face::Bold => 1,
            Face::Mono => 2,
        }
    }
}

/// The advance width of every character of each face, in ems.
pub(crate) struct Metrics {
    advances: [HashMap<char, f32>; 3],
}

impl Metrics {
    /// Reads the embedded fonts; None if one cannot be read (a broken
    /// build, caught by the tests).
    pub(crate) fn new() -> Option<Metrics> {
        let read = |face: Face| -> Option<HashMap<char, f32>> {
            let font = FontRef::new(face.data()).ok()?;
            let upem = f32::from(
                font.metrics(Size::unscaled(), LocationRef::default())
                    .units_per_em,
            );
            let glyphs = font.glyph_metrics(Size::unscaled(), LocationRef::default());
            let mut map = HashMap::new();
            for (cp, gid) in font.charmap().mappings() {
                if let (Some(c), Some(adv)) = (char::from_u32(cp), glyphs.advance_width(gid)) {
                    map.insert(c, adv / upem);
                }
            }
            Some(map)
        };
        Some(Metrics {
            advances: [read(Face::Regular)?, read(Face::Bold)?, read(Face::Mono)?],
        })
    }

    /// The face has a glyph for `c`.
    pub(crate) fn covers(&self, face: Face, c: char) -> bool {
        self.advances[face.index()].contains_key(&c)
    }

    /// The advance of `c` at `size` points (a character without a glyph
    /// counts as wide as the replacement character it is drawn as).
    pub(crate) fn char_width(&self, face: Face, c: char, size: f32) -> f32 {
        let map = &self.advances[face.index()];
        map.get(&c)
            .or_else(|| map.get(&char::REPLACEMENT_CHARACTER))
            .copied()
            .unwrap_or(1.0)
            * size
    }

    /// The advance of `s` at `size` points.
    pub(crate) fn width(&self, face: Face, s: &str, size: f32) -> f32 {
        s.chars().map(|c| self.char_width(face, c, size)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_fonts_read_and_cover_what_the_report_draws() {
        let m = Metrics::new().expect("embedded fonts");
        for face in Face::ALL {
            for c in [
                'a', 'Z', '0', '\u{FFFD}', '\u{2192}', '\u{2713}', '\u{2022}', 'é',
            ] {
                assert!(m.covers(face, c), "{face:?} lacks {c:?}");
            }
            assert!(
                !m.covers(face, '\u{4E2D}'),
                "{face:?} has CJK: not the subset"
            );
        }
        // Mono is monospaced; bold is wider than regular.
        assert_eq!(
            m.width(Face::Mono, "iiii", 10.0),
            m.width(Face::Mono, "WWWW", 10.0)
        );
        assert!(m.width(Face::Bold, "threat", 10.0) > m.width(Face::Regular, "threat", 10.0));
    }
}
