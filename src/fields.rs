//! Reading typed element values out of one segment while recording a
//! finding for every missing or malformed value. Shared by the 835 and 837
//! parsers so both report bad input the same way.
//!
//! A malformed number or date is fatal: money or dates that cannot be read
//! exactly must never be guessed.
//!
//! Also home to the typed composites both the 835 and the 837 carry
//! ([`Procedure`], [`Reference`]), so that neither model imports the other.

use compact_str::CompactString;
use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::diagnostic::{Expected, Issue, Rule, Severity, Shown, shown_element};
use crate::text::Text;
use crate::x12::{Elements, Segment, Split, TextSplit, value};

pub mod screen;

/// A qualified reference (REF): qualifier and value.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Reference {
    /// REF01, e.g. `6R`, `F8`, `EV`.
    pub qualifier: Text,
    /// REF02.
    pub value: Text,
}

/// A procedure composite (SVC01 or SVC06): qualifier, code and modifiers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Procedure {
    /// Product/service id qualifier (`HC`, `NU`, `AD`, `ER`, `IV`, `WK`, `N4`).
    pub qualifier: Text,
    /// The code (CPT/HCPCS, revenue code, NDC…).
    pub code: Text,
    /// Up to four modifiers, in the order given.
    pub modifiers: Vec<Text>,
    /// Free-text description (component 7), when given.
    pub description: Text,
}

/// A service line's procedure composite (SVC01/SVC06, SV101, SV202,
/// SV301), for the product/service ID qualifiers its component 1 may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProcedureComposite {
    /// 835 SVC01 and SVC06.
    Remittance,
    /// 837P SV101.
    Professional,
    /// 837I SV202.
    Institutional,
    /// 837D SV301.
    Dental,
}

impl ProcedureComposite {
    /// The qualifiers the TR3s allow, 005010 and 004010 together (X221A1 +
    /// X091A1, X222A1 + X098A1, X223A2 + X096A1, X224A2 + X097A1), so that
    /// both generations of files are recognised.
    pub fn qualifiers(self) -> &'static [&'static str] {
        match self {
            ProcedureComposite::Remittance => &[
                "AD", "ER", "HC", "HP", "ID", "IV", "N4", "N6", "NU", "RB", "UI", "WK", "ZZ",
            ],
            ProcedureComposite::Professional => &["ER", "HC", "IV", "N4", "WK", "ZZ"],
            ProcedureComposite::Institutional => &["ER", "HC", "HP", "IV", "N4", "WK", "ZZ"],
            ProcedureComposite::Dental => &["AD"],
        }
    }
}

/// Separators a composite is written with by mistake, tried in this order
/// when ISA16 does not split it (`>` and `:` are the usual ISA16s, `^` the
/// usual repetition separator, `|` a common element separator).
const WRONG_SEPARATORS: [u8; 4] = [b'>', b':', b'^', b'|'];

/// Longest procedure code accepted when guessing a separator: the
/// product/service ID (234) is at most 48 characters.
const MAX_CODE_LEN: usize = 48;

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
            self.bad_value(n, what, "a decimal number", Expected::Number);
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
            let id = self.seg.id_str();
            let (message, redacted) = self.shown(n, Expected::Date).messages(|text| {
                format!("{id}{n:02} ({what}) is not a date CCYYMMDD: {text}; the date is unknown")
            });
            self.push_redacted(Severity::Invalid, Rule::BadValue, message, redacted);
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

    /// The components of procedure composite `n`; `None` when the element
    /// is empty.
    ///
    /// Normally split on ISA16. When ISA16 gives no code but one of the
    /// common separators (`>`, `:`, `^`, `|`) splits the element into a
    /// qualifier `kind` allows and a code of letters and digits, the
    /// composite was written with the wrong separator: it is read with
    /// that one and a warning naming the element (its meaning is not in
    /// doubt). Otherwise a composite without a code is fatal: a procedure is
    /// never read as empty. One rule for the 835 and every 837.
    pub fn procedure_components(
        &mut self,
        n: usize,
        kind: ProcedureComposite,
    ) -> Option<ComponentTexts<'a>> {
        let raw = self.raw(n);
        if raw.trim_ascii().is_empty() {
            return None;
        }
        let mut parts = self.components(n);
        let _qualifier = parts.next();
        if parts
            .next()
            .is_some_and(|code| !code.trim_ascii().is_empty())
        {
            return Some(self.component_texts(n));
        }
        let Some(separator) = self.wrong_separator(raw, kind) else {
            self.missing_code(n);
            return Some(self.component_texts(n));
        };
        let mut found = Split::on(raw, separator);
        let qualifier = String::from_utf8_lossy(found.next().unwrap_or_default().trim_ascii());
        let code = String::from_utf8_lossy(found.next().unwrap_or_default().trim_ascii());
        let declared = self.seg.delimiters().component as char;
        // The qualifier is one of a fixed list and the code letters and
        // digits (checked above): quoting them cannot disclose PHI.
        let message = format!(
            "{}{n:02} is written with the component separator {:?} but ISA16 declares {declared:?}; read as qualifier {qualifier}, code {code}",
            self.seg.id_str(),
            separator as char,
        );
        self.push(Severity::Warning, Rule::ComponentSeparator, message);
        Some(match self.elements.text(n) {
            Some(text) => ComponentTexts::Text(TextSplit::new(text, separator)),
            None => ComponentTexts::Bytes(Split::on(raw, separator)),
        })
    }

    /// The common separator other than ISA16 that splits `raw` into a
    /// qualifier of `kind` and a code, if any.
    fn wrong_separator(&self, raw: &[u8], kind: ProcedureComposite) -> Option<u8> {
        let delimiters = self.seg.delimiters();
        WRONG_SEPARATORS
            .into_iter()
            .filter(|&s| s != delimiters.component)
            .find(|&s| {
                let mut parts = raw.split(|&b| b == s);
                let (Some(qualifier), Some(code)) = (parts.next(), parts.next()) else {
                    return false;
                };
                let (qualifier, code) = (qualifier.trim_ascii(), code.trim_ascii());
                kind.qualifiers().iter().any(|q| q.as_bytes() == qualifier)
                    && (1..=MAX_CODE_LEN).contains(&code.len())
                    && code.iter().all(u8::is_ascii_alphanumeric)
            })
    }

    /// Records a fatal finding that composite `n` has no procedure code,
    /// naming the separator ISA16 declares.
    pub fn missing_code(&mut self, n: usize) {
        let separator = self.seg.delimiters().component as char;
        let message = format!(
            "{}{n:02} has no procedure code: expected qualifier{separator}code with the component separator {separator:?} declared in ISA16",
            self.seg.id_str()
        );
        self.push(Severity::Fatal, Rule::Missing, message);
    }

    /// Records a fatal finding that element `n` is missing.
    pub fn missing(&mut self, n: usize, what: &str) {
        let message = format!("{}{n:02} ({what}) is missing", self.seg.id_str());
        self.push(Severity::Fatal, Rule::Missing, message);
    }

    /// Records a fatal finding that element `n` is not `expected` (in
    /// words), quoting it only as [`shown_element`] allows for `shape`.
    pub fn bad_value(&mut self, n: usize, what: &str, expected: &str, shape: Expected) {
        let id = self.seg.id_str();
        let (message, redacted) = self
            .shown(n, shape)
            .messages(|text| format!("{id}{n:02} ({what}) is not {expected}: {text}"));
        self.push_redacted(Severity::Fatal, Rule::BadValue, message, redacted);
    }

    /// Element `n` as a finding may show it.
    pub fn shown(&self, n: usize, expected: Expected) -> Shown {
        shown_element(self.seg.id(), self.raw(1), n, self.raw(n), expected)
    }

    /// Records a finding about this segment.
    pub fn push(&mut self, severity: Severity, rule: Rule, message: String) {
        self.push_redacted(severity, rule, message, None);
    }

    /// Records a finding whose message quotes element text, with the same
    /// message without it.
    pub fn push_redacted(
        &mut self,
        severity: Severity,
        rule: Rule,
        message: String,
        redacted: Option<String>,
    ) {
        let issue = Issue::new(severity, rule, self.seg.pos(), message)
            .at_segment(self.seg.id())
            .with_redacted(redacted);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::x12::Delimiters;

    /// The components of element `n` of `raw` (ISA16 `:`, or `component`)
    /// as read by [`Fields::procedure_components`], and the findings.
    fn read(
        raw: &str,
        n: usize,
        kind: ProcedureComposite,
        component: u8,
    ) -> (Option<Vec<String>>, Vec<Issue>) {
        let delimiters = Delimiters {
            component,
            ..Delimiters::default()
        };
        let seg = Segment::new(raw.as_bytes(), delimiters);
        let mut issues = Vec::new();
        let mut f = Fields::new(&seg, &mut issues);
        let parts = f
            .procedure_components(n, kind)
            .map(|p| p.map(|c| c.to_string()).collect());
        (parts, issues)
    }

    fn only(issues: &[Issue]) -> (Severity, Rule) {
        assert_eq!(issues.len(), 1, "{issues:?}");
        (issues[0].severity, issues[0].rule)
    }

    #[test]
    fn a_composite_split_by_isa16_is_read_without_findings() {
        let (parts, issues) = read(
            "SVC*HC:99213:25*100*80",
            1,
            ProcedureComposite::Remittance,
            b':',
        );
        assert_eq!(parts.unwrap(), ["HC", "99213", "25"]);
        assert!(issues.is_empty());
        let (parts, issues) = read("SV2*0450**100", 2, ProcedureComposite::Institutional, b':');
        assert_eq!((parts, issues.len()), (None, 0), "an absent SV202 is fine");
    }

    #[test]
    fn the_wrong_separator_is_read_with_a_warning_naming_the_element() {
        // The issue's case: SV2*0471*HC>92557 under ISA16 ':'.
        let (parts, issues) = read(
            "SV2*0471*HC>92557*100",
            2,
            ProcedureComposite::Institutional,
            b':',
        );
        assert_eq!(parts.unwrap(), ["HC", "92557"]);
        assert_eq!(only(&issues), (Severity::Warning, Rule::ComponentSeparator));
        assert_eq!(
            issues[0].message,
            "SV202 is written with the component separator '>' but ISA16 declares ':'; read as qualifier HC, code 92557"
        );
        assert_eq!(issues[0].segment.as_deref(), Some("SV2"));
        // Modifiers follow the same separator; ':' is recognised under '>'.
        let (parts, issues) = read(
            "SVC*HC:99213:25:59*100*80",
            1,
            ProcedureComposite::Remittance,
            b'>',
        );
        assert_eq!(parts.unwrap(), ["HC", "99213", "25", "59"]);
        assert_eq!(only(&issues).1, Rule::ComponentSeparator);
        for (raw, kind) in [
            ("SV1*HC^99213*40", ProcedureComposite::Professional),
            ("SV1*HC|99213*40", ProcedureComposite::Professional),
            ("SV3*AD>D3320*200", ProcedureComposite::Dental),
            ("SVC*N4>00002143380*10*8", ProcedureComposite::Remittance),
        ] {
            let (parts, issues) = read(raw, 1, kind, b':');
            assert_eq!(parts.unwrap().len(), 2, "{raw}");
            assert_eq!(
                only(&issues),
                (Severity::Warning, Rule::ComponentSeparator),
                "{raw}"
            );
        }
    }

    #[test]
    fn a_composite_no_separator_explains_is_fatal() {
        for (raw, n, kind) in [
            // No separator at all, an unknown qualifier, a qualifier the
            // element does not allow, a code that is not a code, no code.
            ("SV1*HC99213*40", 1, ProcedureComposite::Professional),
            ("SVC*HX>99213*100*80", 1, ProcedureComposite::Remittance),
            ("SV3*HC>D3320*200", 1, ProcedureComposite::Dental),
            ("SV1*HC>99 213*40", 1, ProcedureComposite::Professional),
            ("SV2*0471*HC*100", 2, ProcedureComposite::Institutional),
            ("SV2*0471*HC>*100", 2, ProcedureComposite::Institutional),
        ] {
            let (parts, issues) = read(raw, n, kind, b':');
            assert!(parts.is_some(), "{raw}");
            assert_eq!(only(&issues), (Severity::Fatal, Rule::Missing), "{raw}");
            assert!(
                issues[0]
                    .message
                    .contains("has no procedure code: expected qualifier:code"),
                "{raw}: {}",
                issues[0].message
            );
        }
    }

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
