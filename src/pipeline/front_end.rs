//! The claims' life before their 835, for one run: every billed claim the
//! store keeps and every acknowledgment it holds (999, 277CA, 277) tied
//! together by `lifecycle::AckTracker`, then the timely-filing deadline of
//! each submission under the run's filing limits. The reconciler asks it
//! to annotate NO_REMITTANCE rows (state, deadline, days left) and to judge
//! CARC 29 denials; the commands ask it for the fix-and-resubmit worklist,
//! the A/R aging and the claims due a 276 status request.
//!
//! Rebuilt from the store on every run rather than stored: an
//! acknowledgment read before its 837, or a code list replaced, changes
//! old verdicts, and the order files arrive in never matters.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard, PoisonError};

use jiff::civil::Date;

use crate::acks::AckCodes;
use crate::claim::BilledClaim;
use crate::history::{HistoryStore, StoreResult};
use crate::lifecycle::{
    AckTracker, ClaimLifecycle, FilingDeadline, FilingLimits, FilingStatus, FrontEndState,
    Lifecycles, SetKey, SubmissionKey, SubmittedClaim, Worklist, filing_deadline, filing_status,
    judge_timely_filing_denial,
};
use crate::line::{ClaimStanding, DecidedLine, Flag, Status};
use crate::text::Text;

/// The CARC of a timely-filing denial.
const TIMELY_FILING_CARC: &str = "29";

/// Lifecycles and deadlines of the submissions a store knows.
#[derive(Debug)]
pub struct FrontEnd {
    lifecycles: Lifecycles,
    by_key: HashMap<SubmissionKey, usize>,
    limits: FilingLimits,
    as_of: Date,
    /// Acknowledgments stored (all runs).
    pub acknowledgments: usize,
    /// Submissions found open (NO_REMITTANCE) by this run, with their claim.
    /// A mutex, not a `RefCell`: a run's front end is handed back with its
    /// summary and may cross threads (the terminal observer is `Sync`).
    open: Mutex<BTreeMap<SubmissionKey, (SubmittedClaim, BilledClaim)>>,
}

/// One claim on the fix-and-resubmit worklist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResubmitItem {
    /// The submission.
    pub claim: SubmittedClaim,
    /// Its lifecycle on the as-of date.
    pub life: ClaimLifecycle,
    /// Which list: `fix_and_resubmit`, `resend`, `answer_payer`.
    pub worklist: Worklist,
    /// Its deadline, when it has a date of service.
    pub deadline: Option<FilingDeadline>,
    /// Where it stands against the deadline.
    pub filing: Option<FilingStatus>,
}

impl FrontEnd {
    /// Ties every acknowledgment the store holds to every claim it holds.
    pub fn load(
        store: &dyn HistoryStore,
        codes: &AckCodes,
        limits: FilingLimits,
        as_of: Date,
    ) -> StoreResult<FrontEnd> {
        let acks = store.acknowledgments()?;
        let mut tracker = AckTracker::with_codes(codes.clone());
        // Without acknowledgments every claim is SUBMITTED: its deadline
        // needs only the claim, so the store's claims are not all loaded.
        let claims = if acks.is_empty() {
            Vec::new()
        } else {
            store.all_claims()?
        };
        // Read only for the claims: a copy of every 837 set's key and batch
        // number (~220 bytes a set) is nothing to hold for no claim.
        let batches = if claims.is_empty() {
            BTreeMap::new()
        } else {
            store.batch_references()?
        };
        for stored in claims {
            let set = SetKey::of_claim_set(&stored.claim.id);
            let batch = batches.get(&set).map_or("", Text::as_str);
            tracker.add_claim(SubmittedClaim::new(&stored.claim, batch, &stored.source));
        }
        for (source, ack) in &acks {
            ack.feed(&mut tracker, source);
        }
        let lifecycles = tracker.resolve();
        let by_key = lifecycles
            .claims
            .iter()
            .enumerate()
            .map(|(i, (claim, _))| (claim.key(), i))
            .collect();
        Ok(FrontEnd {
            lifecycles,
            by_key,
            limits,
            as_of,
            acknowledgments: acks.len(),
            open: Mutex::default(),
        })
    }

    /// Everything tied, and what could not be.
    pub fn lifecycles(&self) -> &Lifecycles {
        &self.lifecycles
    }

    /// A submission's lifecycle as known on the as-of date (`SUBMITTED`
    /// when nothing answered it), and its deadline.
    fn standing_of(&self, claim: &SubmittedClaim) -> (ClaimLifecycle, Option<FilingDeadline>) {
        let life = match self.by_key.get(&claim.key()) {
            Some(&i) => self.lifecycles.claims[i].1.as_of(self.as_of),
            None => ClaimLifecycle::default(),
        };
        (
            life,
            filing_deadline(claim, &self.limits, claim.primary_paid),
        )
    }

    /// The submission of a billed claim: the tracker's, else made now.
    fn submission(&self, claim: &BilledClaim, source: &str) -> SubmittedClaim {
        let key = SubmissionKey {
            set: SetKey::of_claim_set(&claim.id),
            claim_id: claim.claim_id.clone(),
        };
        match self.by_key.get(&key) {
            Some(&i) => self.lifecycles.claims[i].0.clone(),
            None => SubmittedClaim::new(claim, "", source),
        }
    }

    /// What the NO_REMITTANCE rows of `claim` (read from input `source`)
    /// get from the front end: its state and filing deadline, said in
    /// `reason` too. The same for every open line of the claim, so worked
    /// out once a claim, not once a line; notes the submission open.
    pub fn annotation(&self, claim: &BilledClaim, source: &str) -> Annotation {
        let submission = self.submission(claim, source);
        let (life, deadline) = self.standing_of(&submission);
        self.open_claims_lock()
            .entry(submission.key())
            .or_insert_with(|| (submission, claim.clone()));
        let mut words = Vec::new();
        if life.state != FrontEndState::Submitted {
            words.push(format!("front end: {} — {}", life.state, life.reason));
        }
        if let Some(d) = &deadline {
            words.push(filing_words(&filing_status(&life, d, self.as_of), d));
        }
        if let Some(list) = life.worklist() {
            words.push(format!(
                "on the {} worklist (remit resubmit)",
                list.as_str()
            ));
        }
        Annotation {
            words,
            standing: ClaimStanding {
                state: life.state.as_str().into(),
                state_date: life.date,
                filing_deadline: deadline.as_ref().map(|d| d.date),
                days_left: deadline.as_ref().map(|d| d.days_left(self.as_of)),
                submitted: claim.created,
            },
        }
    }

    /// Judges a CARC 29 (timely filing) denial against the acknowledgments
    /// of the claim's submissions: received before the deadline makes it
    /// appealable (`TIMELY_FILING_PROVEN`, the proof in `reason`).
    /// `billed` is the claim the payment matched, for its deadline when no
    /// acknowledgment was ever read.
    pub fn judge_timely_filing(&self, row: &mut DecidedLine, billed: Option<&BilledClaim>) {
        let e = &row.event;
        let timely = e.adjustments.iter().any(|a| a.reason == TIMELY_FILING_CARC);
        let answered = !matches!(
            row.status,
            Status::Reversal | Status::ProviderAdjustment | Status::NoRemittance
        );
        if !timely || !answered {
            return;
        }
        let submissions = self.lifecycles.submissions_of(&e.claim_id);
        let first = match (submissions.first(), billed) {
            (Some((first, _)), _) => first.clone(),
            (None, Some(claim)) => SubmittedClaim::new(claim, "", &e.context.source),
            (None, None) => return,
        };
        let Some(deadline) = filing_deadline(&first, &self.limits, first.primary_paid) else {
            return;
        };
        let lives: Vec<&ClaimLifecycle> = submissions.iter().map(|(_, l)| l).collect();
        let verdict = judge_timely_filing_denial(&lives, &deadline);
        if verdict.appealable {
            row.decision.flags.insert(Flag::TimelyFilingProven);
        }
        append(&mut row.reason, &verdict.reason);
    }

    /// The claims found open by this run that belong on a worklist (fix and
    /// resubmit, resend, answer the payer), soonest filing deadline first.
    /// A rejected submission sent again later (same CLM01, a later 837 not
    /// itself rejected) is done and left out.
    pub fn worklist(&self) -> Vec<ResubmitItem> {
        let open = self.open_claims_lock();
        let mut items = Vec::new();
        for (claim, _) in open.values() {
            let (life, deadline) = self.standing_of(claim);
            let Some(list) = life.worklist() else {
                continue;
            };
            if self.sent_again(claim) {
                continue;
            }
            let filing = deadline
                .as_ref()
                .map(|d| filing_status(&life, d, self.as_of));
            items.push(ResubmitItem {
                claim: claim.clone(),
                life,
                worklist: list,
                deadline,
                filing,
            });
        }
        items.sort_by(|a, b| {
            let key = |x: &ResubmitItem| {
                (
                    x.deadline.as_ref().map_or(Date::MAX, |d| d.date),
                    x.claim.claim_id.clone(),
                )
            };
            key(a).cmp(&key(b))
        });
        items
    }

    /// True when a later submission of the claim's CLM01 was sent and not
    /// rejected.
    fn sent_again(&self, claim: &SubmittedClaim) -> bool {
        self.lifecycles
            .submissions_of(&claim.claim_id)
            .iter()
            .any(|(other, life)| {
                other.key() != claim.key()
                    && other.submitted >= claim.submitted
                    && other.submitted.is_some()
                    && !life.as_of(self.as_of).state.needs_resubmission()
            })
    }

    /// The open submissions of this run with their lifecycle on the as-of
    /// date (for aging and status requests).
    pub fn open_claims(&self) -> Vec<(SubmittedClaim, ClaimLifecycle, BilledClaim)> {
        self.open_claims_lock()
            .values()
            .map(|(claim, billed)| {
                let (life, _) = self.standing_of(claim);
                (claim.clone(), life, billed.clone())
            })
            .collect()
    }

    /// The as-of date.
    pub fn as_of(&self) -> Date {
        self.as_of
    }

    /// The open submissions. A panic elsewhere while they were held leaves
    /// them as they were (every change is one insertion), so a poisoned
    /// lock is still read.
    fn open_claims_lock(
        &self,
    ) -> MutexGuard<'_, BTreeMap<SubmissionKey, (SubmittedClaim, BilledClaim)>> {
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Where a claim stands against its deadline, in words.
fn filing_words(status: &FilingStatus, d: &FilingDeadline) -> String {
    let at = format!("filing deadline {} ({})", d.date, d.basis);
    match status {
        FilingStatus::Met { proof } => format!("{at}: met — {}", proof.words),
        FilingStatus::Open { days_left } => format!("{at}: {days_left} day(s) left"),
        FilingStatus::DueSoon { days_left } => {
            format!("{at}: DUE SOON, {days_left} day(s) left — correct and send it now")
        }
        FilingStatus::Missed { days_over } => {
            format!("{at}: MISSED {days_over} day(s) ago — a CARC 29 denial would stand")
        }
    }
}

/// Adds `why` to a row's reason.
/// What the front end adds to each NO_REMITTANCE row of one billed claim
/// ([`FrontEnd::annotation`]).
#[derive(Clone, Debug)]
pub struct Annotation {
    /// Said in `reason`, in this order.
    words: Vec<String>,
    standing: ClaimStanding,
}

impl Annotation {
    /// Gives `row` the claim's front-end state and filing deadline, and
    /// says both in its `reason`.
    pub fn apply(&self, row: &mut DecidedLine) {
        for w in &self.words {
            append(&mut row.reason, w);
        }
        row.standing = Some(self.standing.clone());
    }
}

fn append(reason: &mut String, why: &str) {
    if !reason.is_empty() {
        reason.push_str("; ");
    }
    reason.push_str(why);
}
