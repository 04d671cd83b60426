//! Findings about an input: what is wrong or unusual, how serious it is, and
//! where it was found. Shared by the envelope, 835 and 837 layers.
//!
//! Messages never contain patient names or member ids; they name segments,
//! positions, control numbers, claim ids and amounts. Element text is
//! quoted only through [`shown_element`]: never for an element that holds
//! PHI in its segment ([`is_phi_element`]), and only when it has the shape
//! its element expects (a misaligned name or member id does not), otherwise
//! described by length and kind of characters. A finding that quotes
//! element text also carries a message without it, for masked reports.

use std::fmt;

use crate::x12::Position;

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational: the input is valid, but something is worth knowing.
    Warning,
    /// The input breaks a rule (a count, a control number, a balance), but
    /// its money can still be read.
    Invalid,
    /// The input cannot be read safely; nothing from it is used.
    Fatal,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Invalid => "invalid",
            Severity::Fatal => "error",
        })
    }
}

/// What kind of rule a finding is about; stable names for tests and tools.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// The bytes are not X12 (no ISA, bad delimiters, bad segment id).
    Syntax,
    /// Text outside interchanges, a missing final terminator.
    Skipped,
    /// An interchange, group or transaction is not closed.
    Truncated,
    /// A segment outside the envelope level it belongs to.
    Structure,
    /// A control number does not match its trailer.
    ControlNumber,
    /// A count in a trailer does not match what was read.
    Count,
    /// An ISA element does not have its fixed width.
    IsaWidth,
    /// A required segment or element is missing.
    Missing,
    /// An element's value cannot be read (number, date, code).
    BadValue,
    /// A segment the reader does not expect at this place; ignored.
    Unexpected,
    /// A transaction set other than 835/837 was skipped.
    UnsupportedTransaction,
    /// A TR3 balancing equation does not hold.
    Balance,
    /// A consistency check that the TR3 recommends but does not require.
    Consistency,
    /// A composite written with a component separator other than ISA16's.
    ComponentSeparator,
}

/// One finding with its place in the input.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Issue {
    /// How serious it is.
    pub severity: Severity,
    /// Which rule.
    pub rule: Rule,
    /// What was found and what was expected, in words.
    pub message: String,
    /// Where.
    #[serde(skip)]
    pub pos: Position,
    /// The segment identifier at that place, when there is one.
    pub segment: Option<compact_str::CompactString>,
    /// The message without any element text, when `message` quotes some.
    #[serde(skip)]
    pub redacted: Option<String>,
}

impl Issue {
    /// A finding at `pos`.
    pub fn new(severity: Severity, rule: Rule, pos: Position, message: impl Into<String>) -> Self {
        Issue {
            severity,
            rule,
            message: message.into(),
            pos,
            segment: None,
            redacted: None,
        }
    }

    /// Gives the message as it reads without element text.
    pub fn with_redacted(mut self, redacted: Option<String>) -> Self {
        self.redacted = redacted;
        self
    }

    /// The message with no element text in it, for masked outputs.
    pub fn masked_message(&self) -> &str {
        self.redacted.as_deref().unwrap_or(&self.message)
    }

    /// Names the segment identifier the finding is about, when it is a
    /// known one (see `segment_name`).
    pub fn at_segment(mut self, id: &[u8]) -> Self {
        self.segment = is_known_segment(id).then(|| String::from_utf8_lossy(id).as_ref().into());
        self
    }
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.severity, self.pos)?;
        if let Some(id) = &self.segment {
            write!(f, " {id}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// What an element should hold, which decides whether a finding may quote
/// a value that is not what it should be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expected {
    /// A decimal number. A malformed one is never quoted: digits, letters
    /// and dashes there may be a member id or a social security number.
    Number,
    /// A date `CCYYMMDD` or period `CCYYMMDD-CCYYMMDD`: quoted only when it
    /// is eight digits of this or the last century (each side), i.e. a
    /// date that does not exist, not a name or an id.
    Date,
    /// At most this many digits (a count, a control number, a numeric code).
    Digits(usize),
}

/// Element text as a finding may show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shown {
    /// The text quoted, when it may be.
    pub quoted: Option<String>,
    /// Length and kinds of characters, never the text.
    pub description: String,
}

impl Shown {
    /// What a finding shows: the quote when allowed, else the description.
    pub fn text(&self) -> &str {
        self.quoted.as_deref().unwrap_or(&self.description)
    }

    /// `message(text)`, and the same without the quote when there is one
    /// (for [`Issue::with_redacted`]).
    pub fn messages(&self, message: impl Fn(&str) -> String) -> (String, Option<String>) {
        let shown = message(self.text());
        let redacted = self.quoted.as_ref().map(|_| message(&self.description));
        (shown, redacted)
    }
}

/// How a finding may show element `n` (raw bytes `raw`) of segment
/// `segment` whose first element is `qualifier`, which should be `expected`.
pub fn shown_element(
    segment: &[u8],
    qualifier: &[u8],
    n: usize,
    raw: &[u8],
    expected: Expected,
) -> Shown {
    let raw = raw.trim_ascii();
    let description = crate::x12::value::describe(raw);
    let quotable = !is_phi_element(segment, qualifier, n) && has_shape(raw, expected);
    Shown {
        quoted: quotable.then(|| format!("{:?}", String::from_utf8_lossy(raw))),
        description,
    }
}

fn has_shape(raw: &[u8], expected: Expected) -> bool {
    let digits =
        |r: &[u8], max: usize| (1..=max).contains(&r.len()) && r.iter().all(u8::is_ascii_digit);
    match expected {
        Expected::Number => false,
        Expected::Digits(max) => digits(raw, max),
        Expected::Date => {
            let mut sides = raw.split(|&b| b == b'-');
            let (first, second, rest) = (sides.next(), sides.next(), sides.next());
            let date_like =
                |d: &[u8]| digits(d, 8) && d.len() == 8 && matches!(&d[..2], b"19" | b"20");
            rest.is_none() && first.is_some_and(date_like) && second.is_none_or(date_like)
        }
    }
}

/// REF qualifiers whose REF02 identifies a person: social security number,
/// member, subscriber and policy numbers, client, case, family-unit, medical
/// record, patient account, Medicare (HIC) and identity card numbers.
const PERSON_REFERENCES: &[&[u8]] = &[
    b"SY", b"1W", b"0F", b"1L", b"23", b"3H", b"49", b"EA", b"EJ", b"F6", b"HJ", b"IG",
];

/// True when element `n` of `segment` (first element `qualifier`) holds
/// protected health information: names and ids (NM1), addresses (N3, N4),
/// demographics (DMG, PAT), contacts (PER), and person-identifying
/// references (REF with a qualifier of [`PERSON_REFERENCES`]). Its text is
/// never quoted in a finding, whatever it looks like.
pub fn is_phi_element(segment: &[u8], qualifier: &[u8], n: usize) -> bool {
    match segment {
        b"NM1" => matches!(n, 3..=7 | 9),
        b"N3" | b"N4" | b"DMG" | b"PAT" => n >= 1,
        b"PER" => n >= 2,
        b"REF" => n >= 2 && PERSON_REFERENCES.contains(&qualifier),
        _ => false,
    }
}

/// Segment identifiers of the interchange envelope, the 835 and the 837s
/// (005010 and 004010), and of the acknowledgements and other transactions
/// that may share a file.
const KNOWN_SEGMENTS: &[&[u8]] = &[
    b"ISA", b"IEA", b"GS", b"GE", b"ST", b"SE", b"TA1", b"AK1", b"AK2", b"AK3", b"AK4", b"AK5",
    b"AK9", b"IK3", b"IK4", b"IK5", b"CTX", b"BPR", b"TRN", b"CUR", b"REF", b"DTM", b"N1", b"N2",
    b"N3", b"N4", b"PER", b"RDM", b"LX", b"TS3", b"TS2", b"CLP", b"CAS", b"NM1", b"MIA", b"MOA",
    b"AMT", b"QTY", b"SVC", b"LQ", b"PLB", b"BHT", b"HL", b"PRV", b"SBR", b"PAT", b"DMG", b"CLM",
    b"DTP", b"PWK", b"CN1", b"K3", b"NTE", b"CR1", b"CR2", b"CR3", b"CR4", b"CR5", b"CR6", b"CR7",
    b"CR8", b"CRC", b"HI", b"HCP", b"CL1", b"DN1", b"DN2", b"TOO", b"MEA", b"PS1", b"LIN", b"CTP",
    b"SV1", b"SV2", b"SV3", b"SV4", b"SV5", b"SV6", b"SV7", b"SVD", b"OI", b"FRM", b"HSD", b"MPI",
    b"UR", b"DSB", b"PLA", b"BGN", b"STC", b"INS", b"HD", b"EQ", b"EB", b"III", b"MSG",
];

/// True for the identifier of a segment X12 defines for these files.
pub fn is_known_segment(id: &[u8]) -> bool {
    KNOWN_SEGMENTS.contains(&id)
}

/// A segment identifier as a finding names it: itself when X12 defines it,
/// otherwise `an unknown segment identifier (3 characters (letters))`. A
/// segment terminator inside a name makes the rest of the name look like a
/// segment (`NM1*QC*1*O~NEIL*JOHN` gives a segment `NEIL`), so an unknown
/// identifier is described, not quoted.
pub fn segment_name(id: &[u8]) -> String {
    if is_known_segment(id) {
        format!("segment {}", String::from_utf8_lossy(id))
    } else {
        format!(
            "an unknown segment identifier ({})",
            crate::x12::value::describe(id)
        )
    }
}

/// A collection of findings with quick severity questions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Issues(pub Vec<Issue>);

impl Issues {
    /// Adds a finding.
    pub fn push(&mut self, issue: Issue) {
        self.0.push(issue);
    }

    /// True when some finding is fatal.
    pub fn has_fatal(&self) -> bool {
        self.0.iter().any(|i| i.severity == Severity::Fatal)
    }

    /// True when nothing is fatal or invalid.
    pub fn is_valid(&self) -> bool {
        self.0.iter().all(|i| i.severity == Severity::Warning)
    }

    /// Number of findings of a severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.0.iter().filter(|i| i.severity == severity).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(segment: &str, qualifier: &str, n: usize, raw: &str, expected: Expected) -> String {
        shown_element(
            segment.as_bytes(),
            qualifier.as_bytes(),
            n,
            raw.as_bytes(),
            expected,
        )
        .text()
        .to_string()
    }

    #[test]
    fn values_of_the_expected_shape_are_quoted() {
        assert_eq!(
            show("BPR", "I", 16, "20002316", Expected::Date),
            "\"20002316\""
        );
        assert_eq!(
            show("DTP", "472", 3, "20240101-20241399", Expected::Date),
            "\"20240101-20241399\""
        );
        assert_eq!(show("SE", "21", 1, "21", Expected::Digits(15)), "\"21\"");
        assert_eq!(show("HL", "1", 3, "25", Expected::Digits(2)), "\"25\"");
    }

    #[test]
    fn misplaced_names_and_ids_are_described_not_quoted() {
        // A name in a date field, ids in amount and date fields, a social
        // security number in an amount field, a long digit string in a
        // count.
        for (raw, expected, description) in [
            (
                "DOUGH MARY",
                Expected::Date,
                "10 characters (letters, spaces)",
            ),
            (
                "YPB123456789001",
                Expected::Number,
                "15 characters (letters, digits)",
            ),
            ("12345678", Expected::Date, "8 characters (digits)"),
            (
                "123-45-6789",
                Expected::Number,
                "11 characters (digits, '-')",
            ),
            ("1OO", Expected::Number, "3 characters (letters, digits)"),
            ("DOE", Expected::Digits(3), "3 characters (letters)"),
        ] {
            assert_eq!(show("CLP", "A", 3, raw, expected), description, "{raw}");
        }
    }

    #[test]
    fn phi_elements_are_never_quoted_whatever_their_shape() {
        // A birth date that does not exist looks like a date, but DMG02 is PHI.
        assert_eq!(
            show("DMG", "D8", 2, "19800230", Expected::Date),
            "8 characters (digits)"
        );
        assert_eq!(
            show("REF", "SY", 2, "123", Expected::Digits(9)),
            "3 characters (digits)"
        );
        assert_eq!(show("REF", "6R", 2, "123", Expected::Digits(9)), "\"123\"");
        assert!(is_phi_element(b"NM1", b"QC", 3));
        assert!(is_phi_element(b"NM1", b"IL", 9));
        assert!(!is_phi_element(b"NM1", b"IL", 8));
        assert!(is_phi_element(b"N3", b"", 1) && is_phi_element(b"N4", b"", 3));
        assert!(is_phi_element(b"PER", b"IC", 4) && !is_phi_element(b"PER", b"IC", 1));
        assert!(is_phi_element(b"REF", b"1W", 2) && !is_phi_element(b"REF", b"1W", 1));
        assert!(!is_phi_element(b"CLP", b"A", 1));
    }

    #[test]
    fn an_issue_that_quotes_carries_a_message_without_the_quote() {
        let shown = shown_element(b"BPR", b"I", 16, b"20002316", Expected::Date);
        let (message, redacted) = shown.messages(|t| format!("BPR16 is not a date: {t}"));
        let issue = Issue::new(
            Severity::Invalid,
            Rule::BadValue,
            Position::default(),
            message,
        )
        .with_redacted(redacted);
        assert_eq!(issue.message, "BPR16 is not a date: \"20002316\"");
        assert_eq!(
            issue.masked_message(),
            "BPR16 is not a date: 8 characters (digits)"
        );
        let plain = Issue::new(
            Severity::Invalid,
            Rule::Count,
            Position::default(),
            "no text",
        );
        assert_eq!(plain.masked_message(), "no text");
    }
}
