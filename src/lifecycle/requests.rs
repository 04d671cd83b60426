//! Which unanswered claims are due a 276 claim status request.
//!
//! Asking about a claim the payer never took in only earns "not found", so
//! rejected claims go to the fix-and-resubmit worklist instead; a claim the
//! payer has finalized is answered by its 835, not a 276. The rest are
//! asked about once they are old enough to worry about and have not been
//! asked about recently.

use jiff::civil::Date;

use super::state::{ClaimLifecycle, FrontEndState};
use super::submission::SubmittedClaim;

/// When to ask.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestPolicy {
    /// Ask once a claim is this many days past submission: 30 days is the
    /// clean-claim payment window of electronic claims in New Jersey and
    /// Medicare's floor, so a claim unpaid after it is overdue.
    pub min_age_days: i64,
    /// Do not ask again within this many days of the last 277 answer: the
    /// payer's status rarely changes faster, and repeated 276s annoy.
    pub requery_days: i64,
}

impl Default for RequestPolicy {
    fn default() -> Self {
        RequestPolicy {
            min_age_days: 30,
            requery_days: 15,
        }
    }
}

/// True when `claim` (unanswered by any 835) should be asked about on
/// `as_of`, judged on what was known that day.
pub fn needs_status_request(
    claim: &SubmittedClaim,
    life: &ClaimLifecycle,
    policy: &RequestPolicy,
    as_of: Date,
) -> bool {
    let life = &life.as_of(as_of);
    let askable = matches!(
        life.state,
        FrontEndState::Submitted | FrontEndState::Accepted | FrontEndState::Pending
    );
    let Some(submitted) = claim.submitted.or(claim.service_to) else {
        return false;
    };
    let old_enough = i64::from((as_of - submitted).get_days()) >= policy.min_age_days;
    let asked_lately = life
        .last_status_response()
        .is_some_and(|d| i64::from((as_of - d).get_days()) < policy.requery_days);
    askable && old_enough && !asked_lately
}
