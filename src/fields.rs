//! Reading typed element values out of one segment while recording a
//! finding for every missing or malformed value. Shared by the 835 and 837
//! parsers so both report bad input the same way.
//!
//! A malformed number or date is fatal: money or dates that cannot be read
//! exactly must never be guessed.

use compact_str::CompactString;
use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::diagnostic::{Issue, Rule, Severity};
use crate::x12::{Elements, Segment, Split, TextSplit, value};

/// A segment being read, with the place findings go.
pub struct Fields<'s, 'a> {
    seg: &'s Segment<'a>,
    elements: Elements<'a>,
    issues: &'s mut Vec<Issue>,
}

impl<'s, 'a> Fields<'s, 'a> {
    /// Starts reading `seg`; findings are pushed to `issues`.
    pub fn new(seg: &'s Segment<'a>, issues: &'s mut Vec<Issue>) -> Self {
        Fields {
            seg,
            elements: seg.fields(),
            issues,
        }
    }

    /// The segment being read.
    pub fn segment(&self) -> &Segment<'a> {
        self.seg
    }

    /// Element `n`'s raw bytes (empty when absent).
    pub fn raw(&self, n: usize) -> &'a [u8] {
        self.elements.get(n)
    }

    /// The components of element `n`.
    pub fn components(&self, n: usize) -> Split<'a> {
        self.seg.split_components(self.raw(n))
    }

    /// The components of element `n` as inline texts (trimmed; non-UTF-8
    /// bytes read as Latin-1, see [`text_of`]).
    pub fn component_texts(&self, n: usize) -> ComponentTexts<'a> {
        match self.elements.component_texts(n) {
            Some(parts) => ComponentTexts::Text(parts),
            None => ComponentTexts::Bytes(self.components(n)),
        }
    }

    /// Element `n` as inline text (trimmed; non-UTF-8 bytes read as
    /// Latin-1, see [`text_of`]).
    #[inline]
    pub fn text(&self, n: usize) -> CompactString {
        element_text(&self.elements, n)
    }

    /// Component `m` of element `n` as inline text.
    pub fn component(&self, n: usize, m: usize) -> CompactString {
        self.component_texts(n)
            .nth(m.wrapping_sub(1))
            .unwrap_or_default()
    }

    /// A required text element; fatal when empty.
    pub fn required_text(&mut self, n: usize, what: &str) -> CompactString {
        let value = self.text(n);
        if value.is_empty() {
            self.missing(n, what);
        }
        value
    }

    /// A required decimal; fatal when missing or malformed (then zero).
    pub fn amount(&mut self, n: usize, what: &str) -> Decimal {
        let raw = self.raw(n);
        if raw.trim_ascii().is_empty() {
            self.missing(n, what);
            return Decimal::ZERO;
        }
        self.optional_amount(n, what).unwrap_or(Decimal::ZERO)
    }

    /// An optional decimal; `None` when empty, fatal when malformed.
    pub fn optional_amount(&mut self, n: usize, what: &str) -> Option<Decimal> {
        let raw = self.raw(n);
        if raw.trim_ascii().is_empty() {
            return None;
        }
        let parsed = value::decimal(raw);
        if parsed.is_none() {
            self.bad_value(n, what, "a decimal number");
        }
        parsed
    }

    /// A decimal from raw component bytes; fatal when malformed.
    pub fn amount_from(&mut self, raw: &[u8], n: usize, what: &str) -> Option<Decimal> {
        if raw.trim_ascii().is_empty() {
            return None;
        }
        let parsed = value::decimal(raw);
        if parsed.is_none() {
            self.bad_value(n, what, "a decimal number");
        }
        parsed
    }

    /// An optional CCYYMMDD date; `None` when empty. A malformed date makes
    /// the input invalid (the date is then unknown) but not unreadable.
    pub fn optional_date(&mut self, n: usize, what: &str) -> Option<Date> {
        let raw = self.raw(n);
        if raw.trim_ascii().is_empty() {
            return None;
        }
        let parsed = value::date(raw);
        if parsed.is_none() {
            let message = format!(
                "{}{n:02} ({what}) is not a date CCYYMMDD: {:?}; the date is unknown",
                self.seg.id_str(),
                shown(self.raw(n))
            );
            self.push(Severity::Invalid, Rule::BadValue, message);
        }
        parsed
    }

    /// A required CCYYMMDD date; missing or malformed makes the input
    /// invalid and the date unknown.
    pub fn date(&mut self, n: usize, what: &str) -> Option<Date> {
        if self.raw(n).trim_ascii().is_empty() {
            let message = format!(
                "{}{n:02} ({what}) is missing; the date is unknown",
                self.seg.id_str()
            );
            self.push(Severity::Invalid, Rule::Missing, message);
            return None;
        }
        self.optional_date(n, what)
    }

    /// Records a fatal finding that element `n` is missing.
    pub fn missing(&mut self, n: usize, what: &str) {
        let message = format!("{}{n:02} ({what}) is missing", self.seg.id_str());
        self.push(Severity::Fatal, Rule::Missing, message);
    }

    /// Records a fatal finding that element `n` is not `expected`.
    pub fn bad_value(&mut self, n: usize, what: &str, expected: &str) {
        let message = format!(
            "{}{n:02} ({what}) is not {expected}: {:?}",
            self.seg.id_str(),
            shown(self.raw(n))
        );
        self.push(Severity::Fatal, Rule::BadValue, message);
    }

    /// Records a finding about this segment.
    pub fn push(&mut self, severity: Severity, rule: Rule, message: String) {
        let issue = Issue::new(severity, rule, self.seg.pos(), message).at_segment(self.seg.id());
        self.issues.push(issue);
    }
}

/// The components of one element as inline texts.
pub enum ComponentTexts<'a> {
    /// Split from the element's checked text.
    Text(TextSplit<'a>),
    /// Split from bytes that are not UTF-8 (converted lossily).
    Bytes(Split<'a>),
}

impl Iterator for ComponentTexts<'_> {
    type Item = CompactString;

    fn next(&mut self) -> Option<CompactString> {
        match self {
            ComponentTexts::Text(parts) => parts.next().map(trimmed),
            ComponentTexts::Bytes(parts) => parts.next().map(text_of),
        }
    }
}

/// Element `n` of located elements as inline text (trimmed; non-UTF-8
/// bytes read as Latin-1, see [`text_of`]).
#[inline]
pub fn element_text(elements: &Elements<'_>, n: usize) -> CompactString {
    match elements.text(n) {
        Some(text) => trimmed(text),
        None => text_of(elements.get(n)),
    }
}

/// Text as inline text, trimmed of padding spaces.
#[inline]
pub fn trimmed(text: &str) -> CompactString {
    let bytes = text.as_bytes();
    let padded = bytes.first() == Some(&b' ') || bytes.last() == Some(&b' ');
    if !padded {
        return CompactString::new(text);
    }
    CompactString::new(text.trim_matches(' '))
}

/// Element bytes as inline text, trimmed of padding spaces.
///
/// Bytes that are not UTF-8 are read as ISO-8859-1, one character per
/// byte, never replaced: X12 5010 lets trading partners agree on national
/// characters (the extended character set) without saying how they are
/// encoded, and Latin-1 is the usual 8-bit one. Replacing them with U+FFFD,
/// as before, made ids that differ only in those bytes (`LL99999\xC9`,
/// `LL99999\xC8`) one id — one line key, one trace — and a false
/// `DUPLICATE_PAYMENT`. Read this way, two byte strings give the same text
/// only when they spell the same characters (`É` in UTF-8 and in Latin-1).
pub fn text_of(raw: &[u8]) -> CompactString {
    let start = raw.iter().position(|&b| b != b' ').unwrap_or(raw.len());
    let end = raw
        .iter()
        .rposition(|&b| b != b' ')
        .map_or(start, |e| e + 1);
    let raw = &raw[start..end];
    match std::str::from_utf8(raw) {
        Ok(s) => CompactString::from(s),
        Err(_) => raw.iter().map(|&b| char::from(b)).collect(),
    }
}

/// At most 20 bytes of a bad value, for messages (values are numbers or
/// dates here, never names).
fn shown(raw: &[u8]) -> String {
    String::from_utf8_lossy(&raw[..raw.len().min(20)]).into_owned()
}

#[cfg(test)]
mod tests {
    use super::text_of;

    #[test]
    fn ids_that_differ_only_in_non_utf8_bytes_stay_different() {
        let a = text_of(b"LL99999\xC9");
        let b = text_of(b"LL99999\xC8");
        assert_ne!(a, b);
        // Latin-1, byte for byte: the same characters as the UTF-8 spelling.
        assert_eq!(a, "LL99999É");
        assert_eq!(text_of("LL99999É".as_bytes()), a);
        assert_eq!(text_of(b" MU\xD1OZ "), "MUÑOZ");
    }
}
