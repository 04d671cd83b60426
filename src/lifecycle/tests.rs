//! The lifecycle on the bundled practice: its 837s (`samples/claims/`) and
//! the acknowledgments that answer them (`samples/acks/`), plus small
//! synthetic acknowledgments for the transitions the samples do not show.

use jiff::civil::{Date, date};
use rust_decimal::Decimal;

use super::*;
use crate::acks::{BatchStatus, ClaimStatus, FunctionalAck, InterchangeAck, Outcome};
use crate::claim::{BilledClaim, ClaimBatchHeader};
use crate::scan::{Consumer, scan_slice};

/// Feeds whatever a file holds to a tracker.
struct Feed<'a> {
    tracker: &'a mut AckTracker,
    batch: String,
    source: String,
}

impl Consumer for Feed<'_> {
    fn claim_batch(&mut self, header: &ClaimBatchHeader) {
        self.batch = header.reference.to_string();
    }
    fn billed_claim(&mut self, claim: BilledClaim) {
        let submitted = SubmittedClaim::new(&claim, &self.batch, &self.source);
        self.tracker.add_claim(submitted);
    }
    fn interchange_ack(&mut self, ack: &InterchangeAck) {
        self.tracker.add_interchange_ack(ack, &self.source);
    }
    fn functional_ack(&mut self, ack: &FunctionalAck) {
        self.tracker.add_functional_ack(ack, &self.source);
    }
    fn provider_status(&mut self, status: &ClaimStatus) {
        self.tracker.add_provider_status(status, &self.source);
    }
    fn claim_status(&mut self, status: &ClaimStatus) {
        self.tracker.add_claim_status(status, &self.source);
    }
    fn batch_status(&mut self, _: &BatchStatus) {}
}

fn samples_dir(sub: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(sub)
}

fn feed(tracker: &mut AckTracker, name: &str, text: &str) {
    let mut feed = Feed {
        tracker,
        batch: String::new(),
        source: name.to_string(),
    };
    let summary = scan_slice(text.as_bytes(), &mut feed);
    assert!(summary.issues.is_valid(), "{name}: {:?}", summary.issues);
}

fn feed_dir(tracker: &mut AckTracker, sub: &str) {
    let mut paths: Vec<_> = std::fs::read_dir(samples_dir(sub))
        .unwrap()
        .map(|e| e.unwrap().path())
        // X12 files by their kind's extension; the CSV configurations beside
        // them are not acknowledgments.
        .filter(|p| {
            p.extension()
                .is_some_and(|e| ["x12", "999", "277ca", "277"].contains(&&*e.to_string_lossy()))
        })
        .collect();
    paths.sort();
    for path in paths {
        let name = format!("{sub}/{}", path.file_name().unwrap().to_string_lossy());
        feed(tracker, &name, &std::fs::read_to_string(&path).unwrap());
    }
}

/// The sample practice with every sample acknowledgment.
pub(crate) fn sample_lifecycles() -> Lifecycles {
    let mut tracker = AckTracker::new();
    feed_dir(&mut tracker, "claims");
    feed_dir(&mut tracker, "acks");
    tracker.resolve()
}

fn life<'a>(all: &'a Lifecycles, claim_id: &str) -> &'a (SubmittedClaim, ClaimLifecycle) {
    let found = all.submissions_of(claim_id);
    assert_eq!(found.len(), 1, "{claim_id}");
    found[0]
}

#[test]
fn the_samples_acknowledgments_tie_to_their_claims() {
    let all = sample_lifecycles();
    assert!(all.unmatched.is_empty(), "{:?}", all.unmatched);
    assert!(all.notes.is_empty(), "{:?}", all.notes);
    let states: Vec<(&str, FrontEndState)> = [
        "RC24-001", "RC24-036", "RC24-037", "RC25-001", "RC25-003", "RC25-004", "RC25-007",
        "RC25-008",
    ]
    .into_iter()
    .map(|id| (id, life(&all, id).1.state))
    .collect();
    assert_eq!(
        states,
        [
            ("RC24-001", FrontEndState::Submitted),
            ("RC24-036", FrontEndState::Accepted),
            ("RC24-037", FrontEndState::Rejected),
            ("RC25-001", FrontEndState::Accepted),
            ("RC25-003", FrontEndState::Accepted),
            ("RC25-004", FrontEndState::Pending),
            ("RC25-007", FrontEndState::RejectedFile),
            ("RC25-008", FrontEndState::RejectedFile),
        ]
    );
}

#[test]
fn a_277ca_rejection_is_in_words_with_its_date_and_file() {
    let all = sample_lifecycles();
    let (_, rejected) = life(&all, "RC24-037");
    assert_eq!(
        rejected.reason,
        "277CA of 2024-11-16 from GARDEN STATE CLEARINGHOUSE: returned as unprocessable: \
         rejected, not entered into adjudication (A3); missing or invalid information \
         (another status code names it) (status 21) | rejected for invalid information, \
         named in the status details (A7); the entity's contract/member number \
         (status 164) of the subscriber (IL)"
    );
    assert_eq!(rejected.date, Some(date(2024, 11, 16)));
    assert_eq!(rejected.source, "acks/2024-11.277ca");
    assert_eq!(rejected.worklist(), Some(Worklist::FixAndResubmit));
    // The 999 accepted the file the day before; the 277CA decides.
    let kinds: Vec<EvidenceKind> = rejected.history.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [EvidenceKind::FunctionalAck, EvidenceKind::ClaimAck]);
    assert_eq!(rejected.history[1].lines[0].control_number, "2403701");
    assert_eq!(
        rejected.history[1].lines[0].outcome,
        Some(Outcome::Rejected)
    );
}

#[test]
fn a_rejected_999_set_rejects_every_claim_in_it_and_names_the_one_to_fix() {
    let all = sample_lifecycles();
    let (_, named) = life(&all, "RC25-008");
    let (_, innocent) = life(&all, "RC25-007");
    assert_eq!(named.worklist(), Some(Worklist::FixAndResubmit));
    assert_eq!(innocent.worklist(), Some(Worklist::Resend));
    assert!(
        innocent.reason.ends_with(
            "the errors name other claims (RC25-008), not RC25-007: resend it unchanged"
        ),
        "{}",
        innocent.reason
    );
    assert!(
        named.reason.contains("(CLM01 RC25-008)"),
        "{}",
        named.reason
    );
    assert!(
        !named.reason.contains("MCD880056"),
        "PHI in {}",
        named.reason
    );
}

#[test]
fn a_later_277_supersedes_the_277ca_by_date() {
    let all = sample_lifecycles();
    let (_, pending) = life(&all, "RC25-004");
    assert_eq!(pending.date, Some(date(2025, 7, 24)));
    assert_eq!(pending.source, "acks/2025-07.277");
    assert_eq!(pending.payer_claim_number, "77022505001034");
    assert!(pending.reason.starts_with(
        "277 of 2025-07-24 from STATE MEDICAID MCO: pending: suspended for payer review"
    ));
    assert_eq!(pending.history.len(), 3);
}

#[test]
fn the_order_acknowledgments_are_read_in_does_not_matter() {
    let forward = sample_lifecycles();
    let mut tracker = AckTracker::new();
    feed_dir(&mut tracker, "acks");
    feed_dir(&mut tracker, "claims");
    let backward = tracker.resolve();
    assert_eq!(forward.claims, backward.claims);
}

const CLAIMS_2024_11: &str = "claims/2024-11-837p.x12";

fn one_claim_file(extra_acks: &[&str]) -> Lifecycles {
    let mut tracker = AckTracker::new();
    let text = std::fs::read_to_string(samples_dir("").join(CLAIMS_2024_11)).unwrap();
    feed(&mut tracker, CLAIMS_2024_11, &text);
    for (i, ack) in extra_acks.iter().enumerate() {
        feed(&mut tracker, &format!("ack{i}"), ack);
    }
    tracker.resolve()
}

const CH_ISA: &str = "ISA*00*          *00*          *ZZ*GSCLEARHOUSE   *ZZ*RIVERSIDECFM   *241120*0600*^*00501*700000001*0*P*:~";

/// A 277CA from ACME for claim RC24-037 with one STC.
fn acme_277ca(stc: &str, date: &str) -> String {
    let body = [
        "ST*277*0001*005010X214".to_string(),
        format!("BHT*0085*08*X*{date}*0600*TH"),
        "HL*1**20*1".into(),
        "NM1*PR*2*ACME HEALTH PLAN*****PI*60054".into(),
        "TRN*1*X".into(),
        "HL*2*1*21*1".into(),
        "NM1*41*2*RIVERSIDE*****46*RCFM001".into(),
        "TRN*2*RCB20241115".into(),
        format!("STC*{stc}*{date}*WQ*65.00"),
        "HL*3*2*19*1".into(),
        "NM1*85*2*RIVERSIDE*****XX*1234567893".into(),
        "TRN*1*0".into(),
        "STC*A1:19**WQ*65.00".into(),
        "HL*4*3*PT".into(),
        "NM1*QC*1*BRENNAN*LIAM****MI*ACM100318".into(),
        "TRN*2*RC24-037".into(),
        format!("STC*{stc}*{date}*WQ*65.00"),
    ];
    let mut text = format!("{CH_ISA}GS*HN*GSCLEARHOUSE*RIVERSIDECFM*{date}*0600*71*X*005010X214~");
    for segment in &body {
        text.push_str(segment);
        text.push('~');
    }
    text.push_str(&format!(
        "SE*{}*0001~GE*1*71~IEA*1*700000001~",
        body.len() + 1
    ));
    text
}

fn state_of(all: &Lifecycles) -> (FrontEndState, String) {
    let (_, life) = life(all, "RC24-037");
    (life.state, life.reason.clone())
}

#[test]
fn accepted_then_rejected_is_rejected_and_rejected_then_accepted_is_accepted() {
    let accepted = acme_277ca("A2:20", "20241118");
    let rejected = acme_277ca("A7:33:IL", "20241120");
    let all = one_claim_file(&[&accepted, &rejected]);
    assert_eq!(state_of(&all).0, FrontEndState::Rejected);
    let accepted_later = acme_277ca("A2:20", "20241122");
    let all = one_claim_file(&[&accepted_later, &rejected]);
    assert_eq!(state_of(&all).0, FrontEndState::Accepted);
    // By date, not by the order read.
    let all = one_claim_file(&[&rejected, &accepted]);
    assert_eq!(state_of(&all).0, FrontEndState::Rejected);
}

#[test]
fn pending_then_finalized_then_reopened() {
    let pending = acme_277ca("P1:20", "20241201");
    let finalized = acme_277ca("F2:85", "20241215");
    let all = one_claim_file(&[&finalized, &pending]);
    assert_eq!(state_of(&all).0, FrontEndState::Finalized);
    let reopened = acme_277ca("P2:46", "20250105");
    let all = one_claim_file(&[&finalized, &pending, &reopened]);
    assert_eq!(state_of(&all).0, FrontEndState::Pending);
    // A request-level error (E category) says nothing about the claim.
    let error = acme_277ca("E2:484", "20250110");
    let all = one_claim_file(&[&reopened, &error]);
    assert_eq!(state_of(&all).0, FrontEndState::Pending);
}

#[test]
fn a_file_level_acceptance_never_undoes_a_claim_rejection() {
    let rejected = acme_277ca("A3:21", "20241116");
    let late_999 = format!(
        "{CH_ISA}GS*FA*GSCLEARHOUSE*RIVERSIDECFM*20241120*0600*72*X*005010X231A1~ST*999*0001*005010X231A1~\
         AK1*HC*509*005010X222A1~AK2*837*0001*005010X222A1~IK5*A~AK9*A*1*1*1~SE*6*0001~GE*1*72~IEA*1*700000001~"
    );
    let all = one_claim_file(&[&rejected, &late_999]);
    assert_eq!(state_of(&all).0, FrontEndState::Rejected);
}

#[test]
fn a_999_from_another_clearinghouse_with_the_same_group_number_ties_to_nothing() {
    let other = "ISA*00*          *00*          *ZZ*OTHERHOUSE     *ZZ*RIVERSIDECFM   *241115*1745*^*00501*400000509*0*P*:~\
        GS*FA*OTHERHOUSE*RIVERSIDECFM*20241115*1745*40509*X*005010X231A1~ST*999*0001*005010X231A1~\
        AK1*HC*509*005010X222A1~AK2*837*0001*005010X222A1~IK5*R*5~AK9*R*1*1*0~SE*6*0001~GE*1*40509~IEA*1*400000509~";
    let all = one_claim_file(&[other]);
    assert_eq!(state_of(&all).0, FrontEndState::Submitted);
    assert_eq!(all.unmatched.len(), 1);
    assert_eq!(
        all.unmatched[0].reason,
        "999 of 2024-11-15 for 509: no 837 group with that GS06 from RIVERSIDECFM to OTHERHOUSE was read"
    );
}

#[test]
fn a_277_for_a_claim_of_another_provider_ties_to_nothing() {
    let other_npi = acme_277ca("A2:20", "20241118").replace("XX*1234567893", "XX*1999999984");
    let all = one_claim_file(&[&other_npi]);
    assert_eq!(state_of(&all).0, FrontEndState::Submitted);
    assert_eq!(
        all.unmatched[0].reason,
        "277CA for claim RC24-037: no claim with that CLM01 and billing NPI 1999999984 submitted on or before 2024-11-18 was read"
    );
}

#[test]
fn a_provider_level_rejection_covers_the_claims_it_does_not_list() {
    let rejected_provider =
        acme_277ca("A2:20", "20241118").replace("STC*A1:19**WQ*65.00", "STC*A3:562:85**U*65.00");
    // Drop the claim level: the provider rejection is all there is.
    let cut = rejected_provider.find("HL*4*3*PT").unwrap();
    let end = rejected_provider.rfind("SE*").unwrap();
    let mut text = rejected_provider[..cut].replace("HL*3*2*19*1", "HL*3*2*19*0");
    text.push_str(&rejected_provider[end..].replacen("SE*18", "SE*14", 1));
    let all = one_claim_file(&[&text]);
    let (state, reason) = state_of(&all);
    assert_eq!(state, FrontEndState::Rejected);
    assert!(
        reason.contains("rejected at provider level: returned as unprocessable"),
        "{reason}"
    );
    assert!(reason.contains("the entity's National Provider Identifier (NPI) (status 562) of the billing provider (85)"), "{reason}");
}

/// A claim of the samples by CLM01.
fn sample_claim(claim_id: &str) -> (SubmittedClaim, ClaimLifecycle) {
    let all = sample_lifecycles();
    life(&all, claim_id).clone()
}

#[test]
fn a_rejected_claim_about_to_miss_its_filing_limit_is_due_soon() {
    let (claim, life) = sample_claim("RC25-007");
    let deadline = filing_deadline(&claim, FilingLimits::builtin(), None).unwrap();
    assert_eq!(deadline.date, date(2025, 9, 22));
    assert_eq!(
        deadline.basis,
        "90 days from the date of service 2025-06-24 (default for payers without a configured limit)"
    );
    assert_eq!(
        filing_status(&life, &deadline, date(2025, 7, 31)),
        FilingStatus::Open { days_left: 53 }
    );
    assert_eq!(
        filing_status(&life, &deadline, date(2025, 9, 15)),
        FilingStatus::DueSoon { days_left: 7 }
    );
    assert_eq!(
        filing_status(&life, &deadline, date(2025, 9, 30)),
        FilingStatus::Missed { days_over: 8 }
    );
}

#[test]
fn a_claim_the_payer_accepted_in_time_has_met_its_limit() {
    let (claim, life) = sample_claim("RC25-004");
    let deadline = filing_deadline(&claim, FilingLimits::builtin(), None).unwrap();
    assert_eq!(deadline.date, date(2025, 5, 11));
    let FilingStatus::Met { proof } = filing_status(&life, &deadline, date(2025, 7, 31)) else {
        panic!("not met");
    };
    assert_eq!(proof.earliest.kind, EvidenceKind::FunctionalAck);
    assert_eq!(proof.earliest.date, Some(date(2025, 2, 14)));
    assert_eq!(
        proof.by_payer.as_ref().unwrap().date,
        Some(date(2025, 2, 19))
    );
    assert_eq!(
        proof.words,
        "received per 999 of 2025-02-14 from GSCLEARHOUSE (IK5 A), on or before the filing deadline \
         2025-05-11 (90 days from the date of service 2025-02-10 (limit for claim filing indicator MC)); \
         the payer's own acknowledgment: 277CA of 2025-02-19 from STATE MEDICAID MCO (A2:20)"
    );
}

/// The March 2024 batch (RC24-017, DOS 2023-11-20, sent 2024-03-15 and
/// denied CO-29 on 2024-04-10) with a 999 accepting it on the day it was
/// sent.
fn march_2024() -> (SubmittedClaim, ClaimLifecycle) {
    let mut tracker = AckTracker::new();
    let path = "claims/2024-03-837p.x12";
    feed(
        &mut tracker,
        path,
        &std::fs::read_to_string(samples_dir("").join(path)).unwrap(),
    );
    let ack = "ISA*00*          *00*          *ZZ*GSCLEARHOUSE   *ZZ*RIVERSIDECFM   *240315*1745*^*00501*400000503*0*P*:~\
        GS*FA*GSCLEARHOUSE*RIVERSIDECFM*20240315*1745*40503*X*005010X231A1~ST*999*0001*005010X231A1~\
        AK1*HC*503*005010X222A1~AK2*837*0001*005010X222A1~IK5*A~AK9*A*1*1*1~SE*6*0001~GE*1*40503~IEA*1*400000503~";
    feed(&mut tracker, "acks/2024-03-999.x12", ack);
    let all = tracker.resolve();
    life(&all, "RC24-017").clone()
}

#[test]
fn a_carc_29_denial_stands_when_the_claim_was_sent_late() {
    let (claim, life) = march_2024();
    let deadline = filing_deadline(&claim, FilingLimits::builtin(), None).unwrap();
    assert_eq!(deadline.date, date(2024, 2, 18));
    let verdict = judge_timely_filing_denial(&[&life], &deadline);
    assert!(!verdict.appealable);
    assert_eq!(
        verdict.reason,
        "CARC 29 stands: the earliest acknowledgment of receipt is the 999 of 2024-03-15 from \
         GSCLEARHOUSE (IK5 A), after the filing deadline 2024-02-18 (90 days from the date of \
         service 2023-11-20 (limit for claim filing indicator MC))"
    );
}

#[test]
fn a_carc_29_denial_within_the_payers_configured_limit_is_appealable_with_proof() {
    let (claim, life) = march_2024();
    let user = "scope,key,days_from_service,days_from_primary_payment,note\n\
                payer,77027,180,90,STATE MEDICAID MCO provider manual section 7\n";
    let limits =
        FilingLimits::builtin().merged_with(&FilingLimits::from_csv(user.as_bytes()).unwrap());
    let deadline = filing_deadline(&claim, &limits, None).unwrap();
    assert_eq!(deadline.date, date(2024, 5, 18));
    let verdict = judge_timely_filing_denial(&[&life], &deadline);
    assert!(verdict.appealable);
    assert_eq!(
        verdict.proof.unwrap().earliest.date,
        Some(date(2024, 3, 15))
    );
    assert!(
        verdict.reason.starts_with(
            "CARC 29 contradicted: received per 999 of 2024-03-15 from GSCLEARHOUSE (IK5 A), on or \
             before the filing deadline 2024-05-18 (180 days from the date of service 2023-11-20 \
             (limit configured for payer 77027))"
        ),
        "{}",
        verdict.reason
    );
}

#[test]
fn a_rejected_submission_is_no_proof_of_timely_filing() {
    let (claim, life) = sample_claim("RC24-037");
    let deadline = filing_deadline(&claim, FilingLimits::builtin(), None).unwrap();
    // The 999 accepted the file, but the claim itself was rejected: the
    // payer never had it.
    assert_eq!(
        filing_status(&life, &deadline, date(2025, 1, 31)),
        FilingStatus::DueSoon { days_left: 10 }
    );
}

#[test]
fn a_secondary_claim_counts_from_the_primary_payment() {
    let (mut claim, _) = sample_claim("RC24-037");
    claim.responsibility = "S".into();
    let deadline =
        filing_deadline(&claim, FilingLimits::builtin(), Some(date(2025, 1, 6))).unwrap();
    assert_eq!(deadline.date, date(2025, 4, 6));
    assert!(
        deadline
            .basis
            .starts_with("90 days from the primary payer's payment 2025-01-06")
    );
    let unknown = filing_deadline(&claim, FilingLimits::builtin(), None).unwrap();
    assert_eq!(unknown.date, date(2025, 2, 10));
    // Medicare counts from the date of service even for secondary claims.
    claim.filing_indicator = "MB".into();
    let medicare =
        filing_deadline(&claim, FilingLimits::builtin(), Some(date(2025, 1, 6))).unwrap();
    assert_eq!(medicare.date, date(2025, 11, 12));
}

#[test]
fn a_bad_limits_file_names_its_line() {
    let bad = "scope,key,days_from_service\npayer,60054,ninety\n";
    let error = FilingLimits::from_csv(bad.as_bytes())
        .unwrap_err()
        .to_string();
    assert_eq!(
        error,
        "filing limits line 2: days_from_service \"ninety\" is not a number of days (1 to 3650)"
    );
    let bad = "scope,key,days_from_service\nplanet,60054,90\n";
    assert!(FilingLimits::from_csv(bad.as_bytes()).is_err());
}

fn money(cents: i64) -> Decimal {
    Decimal::new(cents, 2)
}

#[test]
fn aging_buckets_tie_to_the_unanswered_total() {
    let item = |payer: &str, cents, dos: Date, sent: Option<Date>| OpenItem {
        payer: payer.into(),
        amount: money(cents),
        service_date: Some(dos),
        submitted: sent,
    };
    let items = [
        item(
            "ACME HEALTH PLAN",
            6500,
            date(2024, 11, 12),
            Some(date(2024, 11, 15)),
        ),
        item(
            "STATE MEDICAID MCO",
            6500,
            date(2025, 2, 10),
            Some(date(2025, 2, 14)),
        ),
        item(
            "ACME HEALTH PLAN",
            21000,
            date(2025, 6, 24),
            Some(date(2025, 6, 27)),
        ),
        item(
            "STATE MEDICAID MCO",
            6500,
            date(2025, 6, 23),
            Some(date(2025, 6, 27)),
        ),
        item("STATE MEDICAID MCO", 1999, date(2025, 5, 2), None),
        item(
            "STATE MEDICAID MCO",
            1001,
            date(2025, 5, 1),
            Some(date(2025, 5, 2)),
        ),
    ];
    let total: Decimal = items.iter().map(|i| i.amount).sum();
    for basis in [AgingBasis::DateOfService, AgingBasis::Submission] {
        let table = age(&items, basis, date(2025, 7, 31));
        assert_eq!(table.total.total, total, "{basis:?}");
        let cells: Decimal = table.total.buckets.iter().sum::<Decimal>() + table.total.no_date;
        assert_eq!(cells, total, "{basis:?}");
        for row in &table.rows {
            assert_eq!(row.buckets.iter().sum::<Decimal>() + row.no_date, row.total);
        }
        assert_eq!(table.rows.iter().map(|r| r.total).sum::<Decimal>(), total);
        assert_eq!(
            table.rows.iter().map(|r| r.items).sum::<u64>(),
            items.len() as u64
        );
    }
    let by_service = age(&items, AgingBasis::DateOfService, date(2025, 7, 31));
    let acme = &by_service.rows[0];
    assert_eq!(acme.payer, "ACME HEALTH PLAN");
    // 2025-06-24 is 37 days old; 2024-11-12 is 261.
    assert_eq!(
        acme.buckets,
        [money(0), money(21000), money(0), money(0), money(6500)]
    );
    let by_submission = age(&items, AgingBasis::Submission, date(2025, 7, 31));
    let medicaid = &by_submission.rows[1];
    // The item without a submission date is kept, in its own column.
    assert_eq!(medicaid.no_date, money(1999));
    assert_eq!(
        medicaid.buckets,
        [money(0), money(6500), money(1001), money(0), money(6500)]
    );
    assert_eq!(
        by_submission.cells().last().unwrap(),
        &[
            "TOTAL", "0.00", "275.00", "10.01", "0.00", "130.00", "19.99", "435.00", "6"
        ]
    );
}

#[test]
fn bucket_edges() {
    let buckets: Vec<usize> = [-3, 0, 30, 31, 60, 61, 90, 91, 120, 121]
        .into_iter()
        .map(aging::bucket)
        .collect();
    assert_eq!(buckets, [0, 0, 0, 1, 1, 2, 2, 3, 3, 4]);
}

#[test]
fn only_claims_the_payer_may_have_are_asked_about() {
    let policy = RequestPolicy::default();
    let (claim, life) = sample_claim("RC25-004");
    // Answered by a 277 on 2025-07-24: not again within 15 days.
    assert!(!needs_status_request(
        &claim,
        &life,
        &policy,
        date(2025, 7, 31)
    ));
    assert!(needs_status_request(
        &claim,
        &life,
        &policy,
        date(2025, 8, 10)
    ));
    let (claim, life) = sample_claim("RC24-037");
    assert!(
        !needs_status_request(&claim, &life, &policy, date(2025, 7, 31)),
        "rejected: resubmit, not ask"
    );
    let (claim, life) = sample_claim("RC25-007");
    assert!(!needs_status_request(
        &claim,
        &life,
        &policy,
        date(2025, 7, 31)
    ));
    let (claim, life) = sample_claim("RC25-001");
    assert!(
        !needs_status_request(&claim, &life, &policy, date(2025, 2, 20)),
        "too young"
    );
    assert!(needs_status_request(
        &claim,
        &life,
        &policy,
        date(2025, 3, 20)
    ));
}

/// The module's worked example: a 999 rejecting the file (IK5 R) that
/// carried a claim rejects the claim, and says so with the evidence.
#[test]
fn a_999_rejecting_the_file_rejects_its_claims() {
    struct Feed(AckTracker, String);
    impl Consumer for Feed {
        fn claim_batch(&mut self, h: &ClaimBatchHeader) {
            self.1 = h.reference.to_string()
        }
        fn billed_claim(&mut self, c: BilledClaim) {
            self.0
                .add_claim(SubmittedClaim::new(&c, &self.1, "claims.x12"))
        }
        fn functional_ack(&mut self, a: &FunctionalAck) {
            self.0.add_functional_ack(a, "ack.999")
        }
    }

    let claims = "ISA*00*          *00*          *ZZ*PRACTICE       *ZZ*CLEARHOUSE     *240301*1200*^*00501*000000001*0*P*:~\
    GS*HC*PRACTICE*CLEARHOUSE*20240301*1200*7*X*005010X222A1~ST*837*0001*005010X222A1~\
    BHT*0019*00*B1*20240301*1200*CH~HL*1**20*1~NM1*85*2*CLINIC*****XX*1234567893~\
    HL*2*1*22*0~SBR*P*18*******CI~NM1*IL*1*DOE*JANE****MI*M1~NM1*PR*2*PAYER*****PI*P1~\
    CLM*C1*100***11:B:1~LX*1~SV1*HC:99213*100*UN*1~DTP*472*D8*20240220~\
    SE*13*0001~GE*1*7~IEA*1*000000001~";
    let ack = "ISA*00*          *00*          *ZZ*CLEARHOUSE     *ZZ*PRACTICE       *240301*1300*^*00501*000000009*0*P*:~\
    GS*FA*CLEARHOUSE*PRACTICE*20240301*1300*9*X*005010X231A1~ST*999*0001*005010X231A1~\
    AK1*HC*7*005010X222A1~AK2*837*0001~IK5*R*5~AK9*R*1*1*0~SE*6*0001~GE*1*9~IEA*1*000000009~";

    let mut feed = Feed(AckTracker::new(), String::new());
    scan_slice(claims.as_bytes(), &mut feed);
    scan_slice(ack.as_bytes(), &mut feed);
    let lifecycles = feed.0.resolve();
    let (claim, life) = &lifecycles.claims[0];
    assert_eq!(claim.claim_id, "C1");
    assert_eq!(life.state, FrontEndState::RejectedFile);
    assert_eq!(
        life.reason,
        "999 of 2024-03-01 from CLEARHOUSE: 837 ST02 0001 rejected (IK501 R): \
         one or more segments in error (IK5 5)"
    );
}
