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
//! ```
//! use remit::lifecycle::{AckTracker, FrontEndState, SubmittedClaim};
//! use remit::scan::{Consumer, scan_slice};
//! use remit::claim::{BilledClaim, ClaimBatchHeader};
//! use remit::acks::FunctionalAck;
//!
//! struct Feed(AckTracker, String);
//! impl Consumer for Feed {
//!     fn claim_batch(&mut self, h: &ClaimBatchHeader) { self.1 = h.reference.to_string() }
//!     fn billed_claim(&mut self, c: BilledClaim) {
//!         self.0.add_claim(SubmittedClaim::new(&c, &self.1, "claims.x12"))
//!     }
//!     fn functional_ack(&mut self, a: &FunctionalAck) { self.0.add_functional_ack(a, "ack.999") }
//! }
//!
//! let claims = "ISA*00*          *00*          *ZZ*PRACTICE       *ZZ*CLEARHOUSE     *240301*1200*^*00501*000000001*0*P*:~\
//! GS*HC*PRACTICE*CLEARHOUSE*20240301*1200*7*X*005010X222A1~ST*837*0001*005010X222A1~\
//! BHT*0019*00*B1*20240301*1200*CH~HL*1**20*1~NM1*85*2*CLINIC*****XX*1234567893~\
//! HL*2*1*22*0~SBR*P*18*******CI~NM1*IL*1*DOE*JANE****MI*M1~NM1*PR*2*PAYER*****PI*P1~\
//! CLM*C1*100***11:B:1~LX*1~SV1*HC:99213*100*UN*1~DTP*472*D8*20240220~\
//! SE*13*0001~GE*1*7~IEA*1*000000001~";
//! let ack = "ISA*00*          *00*          *ZZ*CLEARHOUSE     *ZZ*PRACTICE       *240301*1300*^*00501*000000009*0*P*:~\
//! GS*FA*CLEARHOUSE*PRACTICE*20240301*1300*9*X*005010X231A1~ST*999*0001*005010X231A1~\
//! AK1*HC*7*005010X222A1~AK2*837*0001~IK5*R*5~AK9*R*1*1*0~SE*6*0001~GE*1*9~IEA*1*000000009~";
//!
//! let mut feed = Feed(AckTracker::new(), String::new());
//! scan_slice(claims.as_bytes(), &mut feed);
//! scan_slice(ack.as_bytes(), &mut feed);
//! let lifecycles = feed.0.resolve();
//! let (claim, life) = &lifecycles.claims[0];
//! assert_eq!(claim.claim_id, "C1");
//! assert_eq!(life.state, FrontEndState::RejectedFile);
//! assert_eq!(
//!     life.reason,
//!     "999 of 2024-03-01 from CLEARHOUSE: 837 ST02 0001 rejected (IK501 R): \
//!      one or more segments in error (IK5 5)"
//! );
//! ```

pub mod aging;
pub mod filing;
pub mod requests;
pub mod state;
pub mod submission;
pub mod tieback;

pub use aging::{AgingBasis, AgingRow, AgingTable, BUCKETS, OpenItem, age};
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
