//! The acknowledgment readers on the sample acknowledgments of the bundled
//! practice (`samples/acks/`, answering `samples/claims/`) and on small
//! broken variants of them.

use super::*;
use crate::diagnostic::{Issue, Rule, Severity};
use crate::document::{DocumentEvent, DocumentReader};
use crate::scan::scan_slice;

fn sample(name: &str) -> String {
    let path = format!("{}/samples/acks/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every acknowledgment event and finding of a text.
fn read(text: &str) -> (Vec<DocumentEvent>, Vec<Issue>) {
    let mut reader = DocumentReader::from_slice(text.as_bytes());
    let mut events = Vec::new();
    while let Ok(Some(event)) = reader.next_event() {
        events.push(event);
    }
    (events, reader.take_issues())
}

fn functional_acks(events: &[DocumentEvent]) -> Vec<&FunctionalAck> {
    events
        .iter()
        .filter_map(|e| match e {
            DocumentEvent::Acknowledgment(AckEvent::Functional(a)) => Some(a.as_ref()),
            _ => None,
        })
        .collect()
}

fn claim_statuses(events: &[DocumentEvent]) -> Vec<&ClaimStatus> {
    events
        .iter()
        .filter_map(|e| match e {
            DocumentEvent::Status(StatusEvent::Claim(c)) => Some(c.as_ref()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_999_accepting_a_batch_names_the_group_and_set_it_accepts() {
    let (events, issues) = read(&sample("2024-11.999"));
    assert!(issues.is_empty(), "{issues:?}");
    let acks = functional_acks(&events);
    assert_eq!(acks.len(), 1);
    let ack = acks[0];
    assert_eq!(
        (ack.functional_id.as_str(), ack.group.as_str()),
        ("HC", "509")
    );
    assert_eq!(ack.id.sender, "GSCLEARHOUSE");
    assert_eq!(ack.date, jiff::civil::Date::new(2024, 11, 15).ok());
    assert_eq!(ack.code, "A");
    assert_eq!(
        (ack.included, ack.received, ack.accepted),
        (Some(1), Some(1), Some(1))
    );
    let control = crate::x12::Control::new(b"0001");
    assert_eq!(
        set_outcome(ack, &control).map(|o| o.0),
        Some(Outcome::Accepted)
    );
}

#[test]
fn a_999_rejecting_a_batch_says_why_in_words() {
    let (events, issues) = read(&sample("2025-06.999"));
    assert!(issues.is_empty(), "{issues:?}");
    let ack = functional_acks(&events)[0];
    assert_eq!(ack.code, "R");
    let set = &ack.sets[0];
    assert_eq!(set.errors.len(), 1);
    let error = &set.errors[0];
    assert_eq!(
        error.business_unit,
        Some(("CLM01".into(), "RC25-008".into()))
    );
    assert_eq!(error.elements[0].bad_value, "MCD880056");
    let words = describe_set_response(AckCodes::builtin(), set);
    assert_eq!(
        words,
        "837 ST02 0001 rejected (IK501 R): segment NM1 #31 in loop 2010 (CLM01 RC25-008): \
         segment has data element errors (IK304 8); NM109 (element 9, data element 67): \
         value does not match the pattern the implementation guide requires (IK403 I12); \
         one or more segments break the implementation guide (IK5 I5)"
    );
    // The copy of the bad value may be a member id: never in words.
    assert!(!words.contains("MCD880056"));
    let control = crate::x12::Control::new(b"0001");
    assert_eq!(
        set_outcome(ack, &control).map(|o| o.0),
        Some(Outcome::Rejected)
    );
}

#[test]
fn a_999_without_ak2_loops_speaks_for_every_set_through_ak9() {
    let text = sample("2024-11.999")
        .replace("AK2*837*0001*005010X222A1~\nIK5*A~\n", "")
        .replace("SE*6*0001", "SE*4*0001");
    let (events, issues) = read(&text);
    assert!(issues.is_empty(), "{issues:?}");
    let ack = functional_acks(&events)[0];
    let any_set = crate::x12::Control::new(b"0042");
    assert_eq!(
        set_outcome(ack, &any_set).map(|o| o.0),
        Some(Outcome::Accepted)
    );
    let partial = text.replace("AK9*A*1*1*1", "AK9*P*2*2*1");
    let (events, _) = read(&partial);
    assert_eq!(set_outcome(functional_acks(&events)[0], &any_set), None);
}

#[test]
fn a_999_that_contradicts_itself_is_invalid_with_positions() {
    let text = sample("2025-06.999")
        .replace("IK5*R*I5~\n", "")
        .replace("AK9*R*1*1*0", "AK9*A*1*1*1")
        .replace("SE*9*0001", "SE*8*0001");
    let (_, issues) = read(&text);
    let found: Vec<(Severity, Rule, u64, &str)> = issues
        .iter()
        .map(|i| (i.severity, i.rule, i.pos.segment, i.message.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (
                Severity::Invalid,
                Rule::Missing,
                9,
                "AK2 for 837 ST02 0001 has no IK5: its verdict is unknown"
            ),
            (
                Severity::Invalid,
                Rule::Consistency,
                4,
                "AK904 says 1 sets accepted; the IK5s accept 0"
            ),
            (
                Severity::Invalid,
                Rule::Consistency,
                4,
                "AK901 A contradicts the IK5s (0 set(s) accepted, 1 not); each set's own IK5 is used"
            ),
        ]
    );
}

#[test]
fn a_ta1_is_read_before_or_after_the_groups_and_standalone() {
    let ta1 = "TA1*300000512*250627*1730*R*024~";
    let text = sample("2025-06.999");
    let (isa, rest) = text.split_once('\n').unwrap();
    for placed in [
        format!("{isa}\n{ta1}\n{rest}"),
        text.replace("IEA*1*400000512", &format!("{ta1}IEA*1*400000512")),
        format!("{isa}\n{ta1}\nIEA*0*400000512~"),
    ] {
        let (events, issues) = read(&placed);
        assert!(
            issues.iter().all(|i| i.severity == Severity::Warning),
            "{issues:?}"
        );
        let ta1: Vec<&InterchangeAck> = events
            .iter()
            .filter_map(|e| match e {
                DocumentEvent::Acknowledgment(AckEvent::Interchange(a)) => Some(a.as_ref()),
                _ => None,
            })
            .collect();
        assert_eq!(ta1.len(), 1, "{placed}");
        assert_eq!(ta1[0].interchange.as_str(), "300000512");
        assert_eq!(ta1[0].sender, "GSCLEARHOUSE");
        assert_eq!(
            describe_interchange_ack(AckCodes::builtin(), ta1[0]),
            "interchange ISA13 300000512 interchange rejected because of errors (TA104 R): \
             invalid interchange content (for example a bad GS segment) (TA105 024)"
        );
    }
}

#[test]
fn a_277ca_accepts_one_claim_and_rejects_another_with_line_detail() {
    let text = sample("2024-11.277ca");
    let (events, issues) = read(&text);
    assert!(issues.is_empty(), "{issues:?}");
    let claims = claim_statuses(&events);
    assert_eq!(claims.len(), 2);
    let (accepted, rejected) = (claims[0], claims[1]);
    assert_eq!(accepted.kind, StatusReportKind::ClaimAcknowledgment);
    assert_eq!(accepted.claim_id(), "RC24-036");
    assert_eq!(accepted.batch_reference, "RCB20241115");
    assert_eq!(accepted.provider_npi(), Some("1234567893"));
    assert_eq!(accepted.source.entity, "AY");
    let codes = AckCodes::builtin();
    assert_eq!(
        claim_outcome(codes, &accepted.statuses),
        Some(Outcome::Received)
    );
    assert_eq!(rejected.claim_id(), "RC24-037");
    assert_eq!(
        claim_outcome(codes, &rejected.statuses),
        Some(Outcome::Rejected)
    );
    assert_eq!(
        describe_statuses(codes, &rejected.statuses),
        "returned as unprocessable: rejected, not entered into adjudication (A3); \
         missing or invalid information (another status code names it) (status 21) | \
         rejected for invalid information, named in the status details (A7); \
         the entity's contract/member number (status 164) of the subscriber (IL)"
    );
    let line = &rejected.lines[0];
    assert_eq!(line.control_number, "2403701");
    assert_eq!(line.procedure.code, "98940");
    assert_eq!(
        claim_outcome(codes, &line.statuses),
        Some(Outcome::Rejected)
    );
    let batches: Vec<&BatchStatus> = events
        .iter()
        .filter_map(|e| match e {
            DocumentEvent::Status(StatusEvent::Batch(b)) => Some(b.as_ref()),
            _ => None,
        })
        .collect();
    assert_eq!(batches.len(), 1);
    assert_eq!(
        batches[0].rejected_amount,
        Some(rust_decimal::Decimal::new(6500, 2))
    );
}

#[test]
fn a_277ca_whose_totals_disagree_with_its_claims_is_invalid() {
    let text = sample("2024-11.277ca").replace("AMT*YY*65.00~\nHL*3", "AMT*YY*60.00~\nHL*3");
    let (_, issues) = read(&text);
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0].rule, Rule::Count);
    assert_eq!(issues[0].pos.segment, 12);
    assert_eq!(
        issues[0].message,
        "batch RCB20241115 AMT*YY rejected amount says 60.00; the claims listed give 65.00"
    );
}

#[test]
fn a_broken_hierarchy_is_reported_where_it_breaks() {
    let text = sample("2024-11.277ca").replace("HL*5*3*PT", "HL*6*2*PT");
    let (_, issues) = read(&text);
    let messages: Vec<(u64, &str)> = issues
        .iter()
        .map(|i| (i.pos.segment, i.message.as_str()))
        .collect();
    assert_eq!(
        messages,
        [
            (
                32,
                "HL01 is \"6\"; expected 5 (HL01 counts up from 1 by one)"
            ),
            (
                32,
                "HL02 \"2\" is a Receiver level; a Subscriber level belongs under [Provider]"
            ),
        ]
    );
}

#[test]
fn a_277_status_response_is_told_apart_by_its_guide() {
    let (events, issues) = read(&sample("2025-07.277"));
    assert!(issues.is_empty(), "{issues:?}");
    let claims = claim_statuses(&events);
    assert_eq!(claims.len(), 1);
    let claim = claims[0];
    assert_eq!(claim.kind, StatusReportKind::StatusResponse);
    assert_eq!(claim.claim_id(), "RC25-004");
    assert_eq!(claim.payer_claim_number, "77022505001034");
    assert_eq!(claim.member_id, "MCD880027");
    assert_eq!(
        claim_outcome(AckCodes::builtin(), &claim.statuses),
        Some(Outcome::Pending)
    );
    assert_eq!(
        claim.status_date(),
        jiff::civil::Date::new(2025, 7, 24).ok()
    );
}

#[test]
fn any_delimiters_give_the_same_statuses() {
    let text = sample("2025-02.277ca");
    let (standard, _) = read(&text);
    // Elements `|`, components `>`, segments end at a newline.
    let odd = text
        .replace('*', "|")
        .replace(':', ">")
        .replace("~\n", "\n");
    let (events, issues) = read(&odd);
    assert!(issues.is_empty(), "{issues:?}");
    let strip = |c: &ClaimStatus| {
        let mut c = c.clone();
        c.pos = Default::default();
        c.id.start = Default::default();
        c.statuses
            .iter_mut()
            .for_each(|s| s.pos = Default::default());
        c
    };
    let a: Vec<ClaimStatus> = claim_statuses(&standard).into_iter().map(strip).collect();
    let b: Vec<ClaimStatus> = claim_statuses(&events).into_iter().map(strip).collect();
    assert_eq!(a.len(), 4);
    assert_eq!(a, b);
}

#[test]
fn the_file_summary_counts_acknowledgments_and_statuses() {
    let summary = scan_slice(
        sample("2025-02.277ca").as_bytes(),
        &mut crate::scan::Discard,
    );
    assert!(summary.issues.is_valid());
    assert_eq!((summary.status_reports, summary.claim_statuses), (2, 4));
    assert_eq!(summary.kind(), "277CA 005010X214");
    let summary = scan_slice(sample("2025-06.999").as_bytes(), &mut crate::scan::Discard);
    assert_eq!(
        (summary.acknowledgments, summary.kind().as_str()),
        (1, "999 005010X231A1")
    );
}

mod robustness {
    //! Mangled acknowledgments never panic the readers or the tie-back:
    //! bytes replaced by delimiters, digits and letters, segments cut short.

    use proptest::prelude::*;

    use super::sample;
    use crate::acks::{ClaimStatus, FunctionalAck, InterchangeAck};
    use crate::lifecycle::AckTracker;
    use crate::scan::{Consumer, scan_slice};

    struct Feed(AckTracker, String);

    impl Consumer for Feed {
        fn claim_batch(&mut self, header: &crate::claim::ClaimBatchHeader) {
            self.1 = header.reference.to_string();
        }
        fn billed_claim(&mut self, claim: crate::claim::BilledClaim) {
            let claim = crate::lifecycle::SubmittedClaim::new(&claim, &self.1, "claims");
            self.0.add_claim(claim);
        }
        fn interchange_ack(&mut self, ack: &InterchangeAck) {
            self.0.add_interchange_ack(ack, "fuzz");
        }
        fn functional_ack(&mut self, ack: &FunctionalAck) {
            self.0.add_functional_ack(ack, "fuzz");
        }
        fn provider_status(&mut self, status: &ClaimStatus) {
            self.0.add_provider_status(status, "fuzz");
        }
        fn claim_status(&mut self, status: &ClaimStatus) {
            self.0.add_claim_status(status, "fuzz");
        }
    }

    fn samples() -> Vec<Vec<u8>> {
        [
            "2024-11.277ca",
            "2025-02.277ca",
            "2025-06.999",
            "2025-07.277",
            "2024-11.999",
        ]
        .into_iter()
        .map(|name| sample(name).into_bytes())
        .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        #[test]
        fn mangled_acknowledgments_are_read_without_panicking(
            which in 0usize..5,
            edits in proptest::collection::vec((any::<prop::sample::Index>(), prop::sample::select(b"*:~^\n0A- ".to_vec())), 1..12),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut bytes = samples()[which].clone();
            for (at, byte) in edits {
                let i = at.index(bytes.len());
                bytes[i] = byte;
            }
            let keep = bytes.len() - cut.index(bytes.len() / 4 + 1);
            bytes.truncate(keep);
            // The claims the samples answer, so that the mangled answers are
            // tied (or refused) too.
            let mut feed = Feed(AckTracker::new(), String::new());
            for month in ["2024-11", "2025-02", "2025-06"] {
                let path = format!("{}/samples/claims/{month}-837p.x12", env!("CARGO_MANIFEST_DIR"));
                scan_slice(&std::fs::read(path).unwrap(), &mut feed);
            }
            let summary = scan_slice(&bytes, &mut feed);
            let _ = summary.kind();
            let lifecycles = feed.0.resolve();
            prop_assert_eq!(lifecycles.claims.len(), 8);
            for (_, life) in &lifecycles.claims {
                let _ = (life.worklist(), life.first_receipt());
            }
        }
    }
}
