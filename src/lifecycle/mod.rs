//! A billed claim's life before its 835: tying TA1, 999, 277CA and 277
//! acknowledgments to the claims they answer, folding them into a
//! front-end state (`REJECTED_FILE`, `REJECTED`, `NOT_FOUND`, `ACCEPTED`,
//! `PENDING`, `FINALIZED`, or `SUBMITTED` when nothing has answered), the
//! timely-filing deadline and its proof, A/R aging, and which claims are
//! due a 276 status request.
//!
//! Everything here is pure: claims and acknowledgments in, verdicts out,
//! the clock (`as_of`) passed in. It knows 837 claims and acknowledgment
//! models, not 835s, ledgers, stores or files; the callers decide what is
//! unanswered and where results go.
//!
//! (A worked example, a 999 rejecting the file that carried a claim, is
//! the test `tests::a_999_rejecting_the_file_rejects_its_claims`.)

pub mod aging;
pub mod evidence;
pub mod filing;
pub mod requests;
pub mod state;
pub mod submission;
pub mod tieback;

pub use aging::{AgingBasis, AgingRow, AgingTable, BUCKETS, OpenItem, age};
pub use evidence::{Acknowledgment, BatchReference};
pub use filing::{
    DUE_SOON_DAYS, FilingDeadline, FilingLimit, FilingLimitError, FilingLimits, FilingStatus,
    LimitScope, TimelyFilingDenial, TimelyProof, filing_deadline, filing_status,
    judge_timely_filing_denial, proof_of_timely_filing,
};
pub use requests::{RequestPolicy, needs_status_request};
pub use state::{AckEvidence, ClaimLifecycle, EvidenceKind, FrontEndState, LineVerdict, Worklist};
pub use submission::{SetKey, SubmissionKey, SubmittedClaim};
pub use tieback::{AckTracker, Lifecycles, UnmatchedAck};

#[cfg(test)]
pub(crate) mod tests;
