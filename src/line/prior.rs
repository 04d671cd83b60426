//! A line's history as the decision reads it: its past events, oldest
//! first, each with what it did to the line (paid, denied, took back…).

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::flags::Flags;
use crate::text::Text;

/// What a past event did to a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PriorKind {
    /// Paid a non-zero amount.
    Payment,
    /// Paid nothing with a denial.
    Denial,
    /// Paid nothing; the patient owes something, nothing denied.
    PatientResp,
    /// Paid nothing; nothing denied, nothing owed by the patient.
    NoPaymentDue,
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
            PriorKind::NoPaymentDue => "no_payment_due",
            PriorKind::Reversal => "reversal",
            PriorKind::Recovery => "recovery",
            PriorKind::Adjustment => "adjustment",
        }
    }

    /// Every kind, in declaration order.
    pub const ALL: [PriorKind; 7] = [
        PriorKind::Payment,
        PriorKind::Denial,
        PriorKind::PatientResp,
        PriorKind::NoPaymentDue,
        PriorKind::Reversal,
        PriorKind::Recovery,
        PriorKind::Adjustment,
    ];

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<PriorKind> {
        PriorKind::ALL.into_iter().find(|k| k.as_str() == s)
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
    /// Adjustments that refused payment (denial or duplicate category, or
    /// unknown CARC) as `GROUP-REASON`, sorted.
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
