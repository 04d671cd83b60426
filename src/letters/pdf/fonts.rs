//! The two fonts a letter is set in — Helvetica and Helvetica-Bold, two of
//! the 14 standard PDF fonts every reader has, so nothing is embedded — and
//! their WinAnsi encoding: how wide each character is (to break lines
//! before they overflow) and which byte stands for it in the content
//! stream.
//!
//! The widths are the advance widths of Adobe's Core 14 AFM metrics
//! (Helvetica and Helvetica-Bold, version 003.001, © Adobe Systems; the AFM
//! files may be used and distributed for any purpose), in thousandths of
//! the font size, for WinAnsi codes 32 to 255. Oblique Helvetica has the
//! regular widths.

/// A face of the letter font.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Face {
    /// Helvetica.
    Regular,
    /// Helvetica-Bold.
    Bold,
    /// Helvetica-Oblique (regular widths).
    Italic,
}

impl Face {
    /// The PDF base-font name.
    pub fn base_font(self) -> &'static str {
        match self {
            Face::Regular => "Helvetica",
            Face::Bold => "Helvetica-Bold",
            Face::Italic => "Helvetica-Oblique",
        }
    }

    /// The resource name used in content streams.
    pub fn resource(self) -> &'static str {
        match self {
            Face::Regular => "F1",
            Face::Bold => "F2",
            Face::Italic => "F3",
        }
    }

    fn widths(self) -> &'static [u16; 224] {
        match self {
            Face::Bold => &HELVETICA_BOLD,
            Face::Regular | Face::Italic => &HELVETICA,
        }
    }

    /// The width of `text` at `size` points.
    pub fn width(self, text: &str, size: f32) -> f32 {
        let widths = self.widths();
        let units: u32 = text
            .chars()
            .map(|c| u32::from(widths[usize::from(win_ansi(c) - 32)]))
            .sum();
        units as f32 * size / 1000.0
    }
}

/// The WinAnsi (Windows-1252) byte of `c`; characters the encoding lacks
/// print as `?` (never dropped, so a reader sees something is missing), and
/// control characters (tabs, stray newlines) as a space.
pub fn win_ansi(c: char) -> u8 {
    let code = u32::from(c);
    match code {
        0x20..=0x7E | 0xA1..=0xFF => code as u8,
        0xA0 => b' ',
        0x00..=0x1F | 0x7F => b' ',
        _ => HIGH
            .iter()
            .position(|&h| h == c)
            .map_or(b'?', |i| 0x80 + i as u8),
    }
}

/// `text` as WinAnsi bytes.
pub fn encode(text: &str) -> Vec<u8> {
    text.chars().map(win_ansi).collect()
}

/// The characters of WinAnsi codes 0x80..=0x9F (`\0` where undefined).
const HIGH: [char; 32] = [
    '€', '\0', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\0', 'Ž', '\0', '\0', '‘',
    '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\0', 'ž', 'Ÿ',
];

#[rustfmt::skip]
const HELVETICA: [u16; 224] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, 350,
    556, 0, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0,
    0, 222, 222, 333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 0, 500, 667,
    278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333,
    400, 584, 333, 333, 333, 578, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611,
    667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
    556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500,
];
#[rustfmt::skip]
const HELVETICA_BOLD: [u16; 224] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, 350,
    556, 0, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0,
    0, 278, 278, 500, 500, 350, 556, 1000, 333, 1000, 556, 333, 944, 0, 500, 667,
    278, 333, 556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737, 333,
    400, 584, 333, 333, 333, 611, 556, 278, 333, 333, 365, 556, 834, 834, 834, 611,
    722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
    556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278,
    611, 611, 611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_are_the_afm_widths() {
        // Helvetica: a 556, i 222, W 944; bold a 556, i 278.
        assert_eq!(Face::Regular.width("a", 1000.0), 556.0);
        assert_eq!(Face::Regular.width("i", 1000.0), 222.0);
        assert_eq!(Face::Regular.width("W", 1000.0), 944.0);
        assert_eq!(Face::Bold.width("i", 1000.0), 278.0);
        assert_eq!(Face::Regular.width("ab", 10.0), 11.12);
    }

    #[test]
    fn encoding_keeps_latin_and_typographic_characters() {
        assert_eq!(encode("Zoë – “A” €5"), b"Zo\xEB \x96 \x93A\x94 \x805");
        // Outside WinAnsi: a question mark, never nothing.
        assert_eq!(encode("\u{4e2d}"), b"?");
        assert_eq!(encode("a\tb"), b"a b");
    }
}
