//! What happened to an appeal, and which line (or claim) it was about.

use std::fmt;

use jiff::civil::Date;
use rust_decimal::Decimal;

/// The payer's answer to an appeal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Filed, no answer yet (the `outcome` cell is empty).
    Pending,
    /// The payer did not answer in the time it had: still open, to escalate.
    NoAnswer,
    /// Upheld: nothing recovered.
    Lost,
    /// Partly overturned.
    Partial,
    /// Overturned in full.
    Won,
}

impl Outcome {
    /// The CSV spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pending => "pending",
            Outcome::NoAnswer => "no_answer",
            Outcome::Lost => "lost",
            Outcome::Partial => "partial",
            Outcome::Won => "won",
        }
    }

    /// Parses a CSV cell: `won`, `partial`, `lost`, `no answer` /
    /// `no_answer`, or empty / `pending` (any case).
    pub fn parse(text: &str) -> Option<Outcome> {
        match text
            .trim()
            .to_ascii_lowercase()
            .replace(['-', ' '], "_")
            .as_str()
        {
            "" | "pending" => Some(Outcome::Pending),
            "no_answer" => Some(Outcome::NoAnswer),
            "lost" | "upheld" | "denied" => Some(Outcome::Lost),
            "partial" => Some(Outcome::Partial),
            "won" | "overturned" => Some(Outcome::Won),
            _ => None,
        }
    }

    /// True once the payer has decided (won, partial, lost).
    pub fn is_decided(self) -> bool {
        matches!(self, Outcome::Won | Outcome::Partial | Outcome::Lost)
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which worklist line an outcome or a payment is about: payer, claim
/// (CLM01), and, for a line, its date of service, procedure and modifiers.
/// An outcome without a procedure is about every item of the claim — a
/// letter appeals all of a claim's items at once.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ItemKey {
    /// Payer name or id; empty in an outcome: any payer.
    pub payer: String,
    /// CLM01.
    pub claim_id: String,
    /// Date of service; `None` in an outcome: any.
    pub service_date: Option<Date>,
    /// Procedure as billed; empty in an outcome: the whole claim.
    pub procedure: String,
    /// Modifiers, in any order; empty in an outcome: any.
    pub modifiers: Vec<String>,
}

/// One recorded appeal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppealOutcome {
    /// What was appealed.
    pub key: ItemKey,
    /// When it was filed.
    pub filed: Date,
    /// The answer.
    pub outcome: Outcome,
    /// When the payer decided, when known.
    pub decided: Option<Date>,
    /// What the appeal recovered (0 when not said).
    pub recovered: Decimal,
    /// The payer's appeal reference.
    pub reference: String,
    /// Free notes (may hold PHI: stored, never logged).
    pub notes: String,
    /// The file and line it was read from, for messages.
    pub source: String,
}
