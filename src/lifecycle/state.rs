//! A billed claim's front-end lifecycle: what the clearinghouse and the
//! payer said about it before any 835, folded from dated evidence.
//!
//! The fold is pure and order-independent (evidence is sorted first), so
//! reading the 999 before or after its 837, or the 277s in any order, gives
//! the same state.
//!
//! Rules, in the words a billing office would use:
//! - Evidence is applied oldest first; the latest decides. "Latest" is the
//!   evidence's own date (TA1/999: ISA09/GS04; 277CA/277: STC02, else
//!   BHT04); on the same day a TA1 comes before a 999, a 999 before a
//!   277CA, a 277CA before a 277 response — the order they are produced in.
//! - Accepted, then rejected: rejected (a clearinghouse accepts, the payer
//!   then rejects at its front end — a common 277CA sequence).
//! - Rejected, then accepted: accepted (a later acceptance of the same
//!   submission means the claim got in after all; a *corrected* claim is a
//!   new submission with its own lifecycle).
//! - A file-level acceptance (TA1 or 999 A/E) says only that the file's
//!   syntax passed; it never overrides a claim-level status (277CA/277), it
//!   only lifts `SUBMITTED` or an earlier file-level rejection.
//! - A 277 `E` category (the status *request* could not be answered) says
//!   nothing about the claim and changes nothing.
//! - Pending, then finalized: finalized; finalized, then pending (the payer
//!   reopened it): pending.

use std::fmt;

use compact_str::CompactString;
use jiff::civil::Date;

use crate::acks::Outcome;
use crate::text::Text;

/// The front-end state of one submission.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum FrontEndState {
    /// Sent; no acknowledgment read yet.
    #[default]
    #[serde(rename = "SUBMITTED")]
    Submitted,
    /// The interchange (TA1) or the 837 transaction set containing the claim
    /// (999) was rejected: the claim never reached the payer.
    #[serde(rename = "REJECTED_FILE")]
    RejectedFile,
    /// Rejected at the front end (277CA A3/A6/A7/A8): not in adjudication.
    #[serde(rename = "REJECTED")]
    Rejected,
    /// The payer has no record of it (A4, D0).
    #[serde(rename = "NOT_FOUND")]
    NotFound,
    /// Accepted: by the clearinghouse (999, A0, A1) or into adjudication (A2).
    #[serde(rename = "ACCEPTED")]
    Accepted,
    /// In adjudication, or waiting for information (P0–P5, R*).
    #[serde(rename = "PENDING")]
    Pending,
    /// Adjudicated according to a 277 (F*); the 835 carries the money.
    #[serde(rename = "FINALIZED")]
    Finalized,
}

impl FrontEndState {
    /// The ledger spelling: `REJECTED_FILE`, `ACCEPTED`…
    pub fn as_str(self) -> &'static str {
        match self {
            FrontEndState::Submitted => "SUBMITTED",
            FrontEndState::RejectedFile => "REJECTED_FILE",
            FrontEndState::Rejected => "REJECTED",
            FrontEndState::NotFound => "NOT_FOUND",
            FrontEndState::Accepted => "ACCEPTED",
            FrontEndState::Pending => "PENDING",
            FrontEndState::Finalized => "FINALIZED",
        }
    }

    /// True when the claim has to be sent again (after fixing it, or as is)
    /// because the payer never took it in.
    pub fn needs_resubmission(self) -> bool {
        matches!(
            self,
            FrontEndState::RejectedFile | FrontEndState::Rejected | FrontEndState::NotFound
        )
    }

    /// True when the payer (or its clearinghouse) has the claim.
    pub fn is_received(self) -> bool {
        matches!(
            self,
            FrontEndState::Accepted | FrontEndState::Pending | FrontEndState::Finalized
        )
    }
}

impl fmt::Display for FrontEndState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of acknowledgment a piece of evidence came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// TA1 interchange acknowledgment.
    InterchangeAck,
    /// 999 implementation acknowledgment.
    FunctionalAck,
    /// 277CA claim acknowledgment.
    ClaimAck,
    /// 277 claim status response.
    StatusResponse,
}

impl EvidenceKind {
    /// `TA1`, `999`, `277CA`, `277`.
    pub fn label(self) -> &'static str {
        match self {
            EvidenceKind::InterchangeAck => "TA1",
            EvidenceKind::FunctionalAck => "999",
            EvidenceKind::ClaimAck => "277CA",
            EvidenceKind::StatusResponse => "277",
        }
    }

    /// True for TA1 and 999: about the file, not the claim.
    pub fn is_file_level(self) -> bool {
        matches!(
            self,
            EvidenceKind::InterchangeAck | EvidenceKind::FunctionalAck
        )
    }
}

/// The verdict of an acknowledgment on one service line (277 REF*FJ).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LineVerdict {
    /// REF*FJ, the 837's REF*6R.
    pub control_number: Text,
    /// What the line's status codes mean.
    pub outcome: Option<Outcome>,
    /// The codes in words.
    pub reason: String,
}

/// One acknowledgment's word on one submission.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct AckEvidence {
    /// TA1, 999, 277CA or 277.
    pub kind: EvidenceKind,
    /// What its codes mean.
    pub outcome: Outcome,
    /// The state it puts the claim in (`None` when it says nothing about
    /// the claim: a 277 `E` category).
    pub state: Option<FrontEndState>,
    /// The date it speaks for.
    pub date: Option<Date>,
    /// Who said it: the payer's or clearinghouse's name, else its ISA06.
    pub from: Text,
    /// True when the payer itself said it (277 source NM1*PR), not a
    /// clearinghouse: the stronger proof of timely filing.
    pub by_payer: bool,
    /// The codes as sent (`IK5 R`, `A7:164:IL`).
    pub codes: Vec<Text>,
    /// The codes in words, for a worklist's reason.
    pub reason: String,
    /// For a rejected 999 set: true when its errors name this claim
    /// (CTX CLM01) — it needs fixing, not just resending.
    pub names_this_claim: bool,
    /// For a rejected 999 set: true when its errors name other claims and
    /// not this one — this claim only needs resending.
    pub names_only_others: bool,
    /// REF*1K, when the payer assigned its claim number.
    pub payer_claim_number: Text,
    /// Line verdicts (277 line loops tied by REF*FJ).
    pub lines: Vec<LineVerdict>,
    /// The acknowledgment file.
    pub source: CompactString,
    /// Byte offset of the acknowledgment in its file (ties are broken by
    /// file and offset, so the fold is deterministic).
    pub byte: u64,
}

impl AckEvidence {
    /// The order evidence is applied in: date, then TA1 < 999 < 277CA <
    /// 277, then file and offset.
    fn order_key(&self) -> (Option<Date>, EvidenceKind, &str, u64) {
        (self.date, self.kind, self.source.as_str(), self.byte)
    }

    /// One line: `277CA of 2024-11-16 from GARDEN STATE CLEARINGHOUSE`.
    pub fn label(&self) -> String {
        let date = self.date.map_or("undated".to_string(), |d| d.to_string());
        format!("{} of {date} from {}", self.kind.label(), self.from)
    }
}

/// A submission's lifecycle: its state, why, since when and according to
/// which file, and the evidence it was folded from.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ClaimLifecycle {
    /// The state now.
    pub state: FrontEndState,
    /// Why, in words: the deciding acknowledgment and its codes.
    pub reason: String,
    /// The date of the deciding acknowledgment.
    pub date: Option<Date>,
    /// The file of the deciding acknowledgment.
    pub source: CompactString,
    /// The payer's claim number, from the latest acknowledgment giving one.
    pub payer_claim_number: Text,
    /// Every piece of evidence, in the order applied.
    pub history: Vec<AckEvidence>,
}

impl ClaimLifecycle {
    /// Folds evidence (in any order) into a lifecycle.
    pub fn from_evidence(mut evidence: Vec<AckEvidence>) -> ClaimLifecycle {
        evidence.sort_by(|a, b| a.order_key().cmp(&b.order_key()));
        let mut life = ClaimLifecycle::default();
        let mut decided_by_claim_level = false;
        for item in &evidence {
            if !item.payer_claim_number.is_empty() {
                life.payer_claim_number = item.payer_claim_number.clone();
            }
            let Some(state) = item.state else { continue };
            // A file-level acceptance cannot undo a claim-level verdict.
            let file_acceptance = item.kind.is_file_level() && state.is_received();
            if file_acceptance && decided_by_claim_level {
                continue;
            }
            decided_by_claim_level = !item.kind.is_file_level();
            life.state = state;
            life.reason = format!("{}: {}", item.label(), item.reason);
            life.date = item.date;
            life.source = item.source.clone();
        }
        life.history = evidence;
        life
    }

    /// The lifecycle as it stood on `date`: evidence dated later is left
    /// out (so re-running a past day gives that day's answer).
    pub fn as_of(&self, date: Date) -> ClaimLifecycle {
        let known = self
            .history
            .iter()
            .filter(|e| e.date.is_none_or(|d| d <= date))
            .cloned()
            .collect();
        ClaimLifecycle::from_evidence(known)
    }

    /// The earliest evidence that the claim was received (accepted by a
    /// clearinghouse or the payer, pending or finalized), for proof of
    /// timely submission.
    pub fn first_receipt(&self) -> Option<&AckEvidence> {
        self.history
            .iter()
            .filter(|e| e.state.is_some_and(FrontEndState::is_received) && e.date.is_some())
            .min_by_key(|e| e.date)
    }

    /// The earliest evidence that the *payer* received it.
    pub fn first_payer_receipt(&self) -> Option<&AckEvidence> {
        self.history
            .iter()
            .filter(|e| {
                e.by_payer && e.state.is_some_and(FrontEndState::is_received) && e.date.is_some()
            })
            .min_by_key(|e| e.date)
    }

    /// The latest 277 status response, for deciding when to ask again.
    pub fn last_status_response(&self) -> Option<Date> {
        self.history
            .iter()
            .filter(|e| e.kind == EvidenceKind::StatusResponse)
            .filter_map(|e| e.date)
            .max()
    }

    /// The worklist the claim belongs on, if any.
    pub fn worklist(&self) -> Option<Worklist> {
        match self.state {
            FrontEndState::RejectedFile => {
                let innocent = self.deciding().is_some_and(|e| e.names_only_others);
                Some(if innocent {
                    Worklist::Resend
                } else {
                    Worklist::FixAndResubmit
                })
            }
            FrontEndState::Rejected | FrontEndState::NotFound => Some(Worklist::FixAndResubmit),
            FrontEndState::Pending
                if self
                    .deciding()
                    .is_some_and(|e| e.outcome == Outcome::InformationRequested) =>
            {
                Some(Worklist::AnswerPayer)
            }
            _ => None,
        }
    }

    /// The evidence that decided the state.
    fn deciding(&self) -> Option<&AckEvidence> {
        self.history
            .iter()
            .rev()
            .find(|e| e.state == Some(self.state) && e.date == self.date && e.source == self.source)
    }
}

/// Which worklist a claim goes on (separate from appeals: nothing here was
/// adjudicated).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Worklist {
    /// Correct what the acknowledgment names and send the claim again.
    FixAndResubmit,
    /// The file was rejected for another claim's errors: send this claim
    /// again unchanged (with the corrected ones).
    Resend,
    /// The payer waits for information from the provider.
    AnswerPayer,
}

impl Worklist {
    /// `fix_and_resubmit`, `resend`, `answer_payer`.
    pub fn as_str(self) -> &'static str {
        match self {
            Worklist::FixAndResubmit => "fix_and_resubmit",
            Worklist::Resend => "resend",
            Worklist::AnswerPayer => "answer_payer",
        }
    }
}
