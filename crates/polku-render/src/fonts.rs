//! The bundled fonts and text measurement.
//!
//! Every picture is set in Noto Sans (SIL Open Font Licence, `assets/fonts/OFL.txt`), compiled
//! into the binary. Layout measures text with the same font files that resvg and svg2pdf draw
//! with, so a line that fits when measured fits when drawn, on every machine.

use std::sync::OnceLock;

use ttf_parser::Face;

/// Noto Sans Regular.
pub(crate) static REGULAR: &[u8] = include_bytes!("../assets/fonts/NotoSans-Regular.ttf");
/// Noto Sans Bold.
pub(crate) static BOLD: &[u8] = include_bytes!("../assets/fonts/NotoSans-Bold.ttf");
/// Noto Sans Italic.
pub(crate) static ITALIC: &[u8] = include_bytes!("../assets/fonts/NotoSans-Italic.ttf");

/// The family name all pictures use.
pub(crate) const FAMILY: &str = "Noto Sans";

/// One of the bundled font files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) enum Face3 {
    /// Upright, normal weight.
    #[default]
    Regular,
    /// Upright, bold.
    Bold,
    /// Italic, normal weight.
    Italic,
}

impl Face3 {
    fn face(self) -> &'static Face<'static> {
        static FACES: OnceLock<[Face<'static>; 3]> = OnceLock::new();
        let faces = FACES.get_or_init(|| {
            [REGULAR, BOLD, ITALIC]
                .map(|data| Face::parse(data, 0).expect("the bundled fonts are valid"))
        });
        match self {
            Face3::Regular => &faces[0],
            Face3::Bold => &faces[1],
            Face3::Italic => &faces[2],
        }
    }
}

/// Whether the bundled font has a glyph for `c` (in every style).
#[must_use]
pub fn has_glyph(c: char) -> bool {
    [Face3::Regular, Face3::Bold, Face3::Italic]
        .into_iter()
        .all(|f| f.face().glyph_index(c).is_some())
}

/// The advance width of `text` set in `face` at `size`, in the units of `size`.
///
/// Kerning only ever narrows Noto Sans text slightly, so this is a safe upper bound.
pub(crate) fn text_width(text: &str, face: Face3, size: f64) -> f64 {
    let f = face.face();
    let upem = f64::from(f.units_per_em());
    let units: u32 = text
        .chars()
        .map(|c| {
            let g = f.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
            u32::from(f.glyph_hor_advance(g).unwrap_or(0))
        })
        .sum();
    f64::from(units) * size / upem
}

/// A soft hyphen: an invisible point where a long word may break with a hyphen.
const SHY: char = '\u{AD}';

/// Splits `text` into lines no wider than `width` when set in `face` at `size`.
///
/// Lines break at spaces; a word wider than a whole line breaks at a soft hyphen, a hyphen or a
/// slash inside it where possible, else between letters with a hyphen added. Explicit newlines
/// are kept. Soft hyphens never show except as the hyphen of a break.
pub(crate) fn wrap(text: &str, face: Face3, size: f64, width: f64) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split_whitespace() {
            let shown: String = word.chars().filter(|c| *c != SHY).collect();
            let candidate = if line.is_empty() {
                shown.clone()
            } else {
                format!("{line} {shown}")
            };
            if text_width(&candidate, face, size) <= width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if text_width(&shown, face, size) <= width {
                line = shown;
            } else {
                let mut pieces = break_word(word, face, size, width);
                line = pieces.pop().unwrap_or_default();
                lines.extend(pieces);
            }
        }
        if !line.is_empty() || lines.is_empty() {
            lines.push(line);
        }
    }
    while lines.len() > 1 && lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    lines
}

/// Breaks a word that does not fit on one line into pieces that do.
fn break_word(word: &str, face: Face3, size: f64, width: f64) -> Vec<String> {
    let shown = |s: &str| s.chars().filter(|c| *c != SHY).collect::<String>();
    let mut pieces = Vec::new();
    let mut rest: &str = word;
    while text_width(&shown(rest), face, size) > width {
        // The longest prefix that fits, and the longest that ends at a soft break point.
        let mut fit: Option<(usize, String)> = None;
        let mut soft: Option<(usize, String)> = None;
        let mut prefix = String::new();
        for (i, c) in rest.char_indices() {
            let end = i + c.len_utf8();
            if end == rest.len() {
                break;
            }
            if c != SHY {
                prefix.push(c);
            }
            let explicit = matches!(c, '-' | '/' | '–');
            let probe = if explicit {
                prefix.clone()
            } else {
                format!("{prefix}-")
            };
            if text_width(&probe, face, size) > width {
                if c == SHY {
                    continue;
                }
                break;
            }
            if c != SHY {
                fit = Some((end, probe.clone()));
            }
            if explicit || c == SHY {
                soft = Some((end, probe));
            }
        }
        // Break at a soft point if it keeps at least half of what fits.
        let (cut, head) = match (soft, fit) {
            (Some(s), Some(f)) if s.0 * 2 >= f.0 => s,
            (Some(s), None) => s,
            (_, Some(f)) => f,
            (None, None) => {
                let c = rest.chars().next().map_or(rest.len(), char::len_utf8);
                (c, rest[..c].to_owned())
            }
        };
        pieces.push(head);
        rest = &rest[cut..];
    }
    if !rest.is_empty() {
        pieces.push(shown(rest));
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finnish_letters_have_glyphs() {
        for c in "äöåÄÖÅ€–—”’…·•×".chars() {
            assert!(has_glyph(c), "no glyph for {c}");
        }
    }

    #[test]
    fn bold_is_wider_than_regular() {
        let t = "Asiakaspolku";
        assert!(text_width(t, Face3::Bold, 12.0) > text_width(t, Face3::Regular, 12.0));
        assert!(
            (text_width(t, Face3::Regular, 24.0) - 2.0 * text_width(t, Face3::Regular, 12.0)).abs()
                < 1e-9
        );
    }

    #[test]
    fn wrapping_keeps_every_word_and_fits() {
        let t = "Asiakas vertailee palveluntarjoajia verkossa ja kysyy suosituksia kollegoiltaan";
        let lines = wrap(t, Face3::Regular, 12.0, 120.0);
        assert!(lines.len() > 2);
        for l in &lines {
            assert!(text_width(l, Face3::Regular, 12.0) <= 120.0, "{l}");
        }
        assert_eq!(lines.join(" "), t);
    }

    #[test]
    fn long_words_break_with_a_hyphen() {
        let w = "työterveyshuoltosopimusneuvottelukokous";
        let lines = wrap(w, Face3::Bold, 12.0, 80.0);
        assert!(lines.len() > 1);
        for l in &lines {
            assert!(text_width(l, Face3::Bold, 12.0) <= 80.0, "{l}");
        }
        let joined: String = lines.iter().map(|l| l.trim_end_matches('-')).collect();
        assert_eq!(joined, w);
    }

    #[test]
    fn hyphenated_compounds_break_at_the_hyphen() {
        let w = text_width("palvelumuotoilu-työpaja", Face3::Regular, 12.0);
        let lines = wrap(
            "palvelumuotoilu-työpajakokonaisuus",
            Face3::Regular,
            12.0,
            w,
        );
        assert_eq!(lines, ["palvelumuotoilu-", "työpajakokonaisuus"]);
        let w = text_width("Kosketuspisteet", Face3::Bold, 12.0);
        assert_eq!(
            wrap("Kosketus\u{AD}pisteet", Face3::Bold, 12.0, w),
            ["Kosketuspisteet"]
        );
        let lines = wrap("Kosketus\u{AD}pisteet", Face3::Bold, 12.0, w - 1.0);
        assert_eq!(lines, ["Kosketus-", "pisteet"]);
    }
}
