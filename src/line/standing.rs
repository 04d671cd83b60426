//! Where a billed claim stands before any remittance: its front-end state
//! (from 999/277CA/277 acknowledgments) and its timely-filing deadline, as
//! the ledger's `claim_state`, `claim_state_date`, `filing_deadline` and
//! `days_left` columns show them on NO_REMITTANCE rows.

use jiff::civil::Date;

use crate::text::Text;

/// A billed claim's front-end state and filing deadline.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ClaimStanding {
    /// `SUBMITTED`, `REJECTED_FILE`, `REJECTED`, `NOT_FOUND`, `ACCEPTED`,
    /// `PENDING` or `FINALIZED`.
    pub state: Text,
    /// The date of the acknowledgment that decided the state.
    pub state_date: Option<Date>,
    /// The last day the payer must receive the claim.
    pub filing_deadline: Option<Date>,
    /// Days from the as-of date to the deadline (0 on the day, negative
    /// after it).
    pub days_left: Option<i64>,
    /// The day the claim was sent (837 BHT04), for aging from submission
    /// (not a ledger column).
    #[serde(default)]
    pub submitted: Option<Date>,
}
