//! Findings about an input: what is wrong or unusual, how serious it is, and
//! where it was found. Shared by the envelope, 835 and 837 layers.
//!
//! Messages never contain patient names or member ids; they name segments,
//! positions, control numbers, claim ids and amounts.

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
        }
    }

    /// Names the segment identifier the finding is about.
    pub fn at_segment(mut self, id: &[u8]) -> Self {
        self.segment = Some(String::from_utf8_lossy(id).as_ref().into());
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
