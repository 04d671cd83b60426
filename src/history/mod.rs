//! The history of every service line's adjudications, behind one trait so
//! that the same reconciliation runs against memory (tests, one-off runs,
//! benchmarks) or an embedded database (`--db`).
//!
//! The store keeps what the decision needs about each past event, which
//! remittance transactions were already applied (so nothing is counted
//! twice), and which lines belong to which claim (so a provider-level
//! recovery can find the money it takes back).

pub mod memory;

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::ledger::Flags;
use crate::reconcile::key::LineKey;
use crate::remittance::Text;

pub use memory::MemoryStore;

/// What a past event did to a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PriorKind {
    /// Paid a non-zero amount.
    Payment,
    /// Paid nothing with a denial.
    Denial,
    /// Paid nothing; patient responsibility only.
    PatientResp,
    /// CLP02 = 22.
    Reversal,
    /// A provider-level recovery (PLB WO/72/FB) naming the claim.
    Recovery,
    /// A claim-level or provider-level adjustment row.
    Adjustment,
}

impl PriorKind {
    /// Stable name for storage.
    pub fn as_str(self) -> &'static str {
        match self {
            PriorKind::Payment => "payment",
            PriorKind::Denial => "denial",
            PriorKind::PatientResp => "patient_resp",
            PriorKind::Reversal => "reversal",
            PriorKind::Recovery => "recovery",
            PriorKind::Adjustment => "adjustment",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<PriorKind> {
        [
            PriorKind::Payment,
            PriorKind::Denial,
            PriorKind::PatientResp,
            PriorKind::Reversal,
            PriorKind::Recovery,
            PriorKind::Adjustment,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// One past adjudication of a line, as the decision needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriorEvent {
    /// BPR16 of the remittance.
    pub payment_date: Option<Date>,
    /// TRN02 of the remittance.
    pub trace: Text,
    /// Money the event moved on the line (negative takes back).
    pub paid: Decimal,
    /// What the event was.
    pub kind: PriorKind,
    /// Denial adjustments as `GROUP-REASON`, sorted.
    pub denial_reasons: Vec<Text>,
    /// REF*6R the event carried.
    pub line_control: Text,
    /// Flags decided for the event.
    pub flags: Flags,
}

/// A line's past events, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineHistory {
    /// The events in the order they were applied.
    pub events: Vec<PriorEvent>,
}

/// Identifies an 835 transaction so it is never applied twice.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TransactionFingerprint {
    /// Hash of the transaction's bytes (ST..SE body).
    pub content_hash: u64,
    /// Payer + trace + ST02 + amounts, for copies re-sent with other bytes.
    pub semantic: String,
}

/// Where line histories live.
pub trait HistoryStore {
    /// The history of a line (empty when unknown).
    fn history(&self, key: &LineKey) -> LineHistory;
    /// Appends an event to a line's history.
    fn record(&mut self, key: &LineKey, event: PriorEvent);
    /// The ordinal under which a line with this identity and REF*6R is known.
    fn ordinal_for_control(&self, key: &LineKey, control: &str) -> Option<u32>;
    /// Lines of the claim a remittance names by CLP01 or CLP07.
    fn claim_lines(&self, payer: &str, payee: &str, claim_ref: &str) -> Vec<LineKey>;
    /// Links a line to the references (CLP01, CLP07) its claim is known by.
    fn link_claim(&mut self, payer: &str, payee: &str, claim_ref: &str, key: &LineKey);
    /// True when the transaction was already applied.
    fn seen_transaction(&self, fingerprint: &TransactionFingerprint) -> bool;
    /// Marks a transaction as applied.
    fn record_transaction(&mut self, fingerprint: TransactionFingerprint);
}
