//! The 276 writer on the sample practice: its unanswered, accepted claims
//! asked about, the batch compared byte for byte with the fixture an
//! independent validator accepted, and read back with remit's own reader.
//!
//! The fixture `tests/fixtures/acks/status-request.276` was checked with
//! LinuxForHealth x12 (`scripts/check-276.sh`; pyx12 4.0 ships no 005010X212
//! 276 map, so its `x12valid` cannot check a 276):
//!
//! ```sh
//! python3 -m venv /tmp/x12check && /tmp/x12check/bin/pip install 'linuxforhealth-x12==0.57.0' 'pydantic<2'
//! scripts/check-276.sh tests/fixtures/acks/status-request.276
//! ```

use jiff::civil::date;

use super::*;
use crate::acks::{ClaimStatus, StatusEvent, StatusReportKind};
use crate::claim::{BilledClaim, ClaimEvent, Patient};
use crate::document::{DocumentEvent, DocumentReader};

fn root(path: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn claims_of(path: &str) -> Vec<BilledClaim> {
    let text = std::fs::read_to_string(root(path)).unwrap();
    let mut reader = DocumentReader::from_slice(text.as_bytes());
    let mut claims = Vec::new();
    while let Ok(Some(event)) = reader.next_event() {
        if let DocumentEvent::Claim(ClaimEvent::Claim(c)) = event {
            claims.push(*c);
        }
    }
    claims
}

fn claim(path: &str, id: &str) -> BilledClaim {
    claims_of(path)
        .into_iter()
        .find(|c| c.claim_id == id)
        .unwrap()
}

fn envelope() -> EnvelopeConfig {
    EnvelopeConfig::load(&root("samples/acks/status-request.csv")).unwrap()
}

const CREATED: (i16, i8, i8) = (2025, 7, 20);

fn created() -> DateTime {
    date(CREATED.0, CREATED.1, CREATED.2).at(9, 30, 0, 0)
}

/// The sample practice's unanswered claims (the NO_REMITTANCE rows of
/// `samples/expected/ledger.csv`) that the request policy picks on
/// 2025-07-20, with the payer claim numbers their acknowledgments gave.
fn sample_batch() -> StatusRequestBatch {
    let lifecycles = crate::lifecycle::tests::sample_lifecycles();
    let unanswered = ["RC24-037", "RC25-004", "RC25-007", "RC25-008"];
    let policy = crate::lifecycle::RequestPolicy::default();
    let as_of = created().date();
    let mut inquiries = Vec::new();
    for (submitted, life) in &lifecycles.claims {
        if !unanswered.contains(&submitted.claim_id.as_str())
            || !crate::lifecycle::needs_status_request(submitted, life, &policy, as_of)
        {
            continue;
        }
        let billed = claim(
            &format!("samples/{}", submitted.source),
            &submitted.claim_id,
        );
        inquiries.push(StatusInquiry::from_claim(&billed, &life.payer_claim_number));
    }
    write_status_requests(&inquiries, &envelope(), created())
}

/// Two payers, and a claim whose patient is a dependent.
fn mixed_batch() -> StatusRequestBatch {
    let mut dependent = claim("samples/claims/2025-02-837p.x12", "RC25-004");
    dependent.patient = Some(Patient {
        last: "THOMPSON".into(),
        first: "MAYA".into(),
        id: "".into(),
        ..Patient::default()
    });
    let mut child = StatusInquiry::from_claim(&dependent, "77022505001034");
    let patient = child.dependent.as_mut().unwrap();
    (patient.birth_date, patient.gender) = (Some(date(2015, 3, 2)), "F".into());
    let inquiries = [
        child,
        StatusInquiry::from_claim(&claim("samples/claims/2024-11-837p.x12", "RC24-037"), ""),
    ];
    write_status_requests(&inquiries, &envelope(), created())
}

/// Compares a batch with its fixture. REMIT_BLESS=1 rewrites the fixture:
/// re-run scripts/check-276.sh on it then.
fn assert_fixture(batch: &StatusRequestBatch, name: &str) {
    let path = root(&format!("tests/fixtures/acks/{name}"));
    if std::env::var_os("REMIT_BLESS").is_some() {
        std::fs::write(&path, &batch.bytes).unwrap();
    }
    let fixture = std::fs::read_to_string(&path).unwrap();
    assert_eq!(String::from_utf8(batch.bytes.clone()).unwrap(), fixture);
}

#[test]
fn the_batch_matches_the_validated_fixture() {
    let batch = sample_batch();
    assert_fixture(&batch, "status-request.276");
    // RC24-037 and RC25-007/008 were rejected: resubmit, do not ask.
    assert_eq!(batch.asked, ["RC25-004"]);
    assert!(batch.skipped.is_empty());
    assert_eq!(batch.next_control, 700000002);
    let mixed = mixed_batch();
    assert_fixture(&mixed, "status-request-mixed.276");
    // One set per payer, in payer-id order: ACME (60054) before Medicaid.
    assert_eq!(mixed.asked, ["RC24-037", "RC25-004"]);
}

#[test]
fn the_batch_reads_back_with_remits_own_reader() {
    let batch = mixed_batch();
    let mut reader = DocumentReader::from_slice(&batch.bytes);
    let mut claims: Vec<ClaimStatus> = Vec::new();
    let mut ends = 0;
    while let Ok(Some(event)) = reader.next_event() {
        match event {
            DocumentEvent::Status(StatusEvent::Claim(c)) => claims.push(*c),
            DocumentEvent::Status(StatusEvent::End { .. }) => ends += 1,
            _ => {}
        }
    }
    let issues = reader.take_issues();
    assert!(issues.is_empty(), "{issues:?}");
    assert_eq!(ends, 2);
    // Every value the inquiry carried, as read back: id, trace, payer claim
    // number, charge, first day of service, payer id.
    let read: Vec<String> = claims
        .iter()
        .map(|c| {
            format!(
                "{} {} {:?} {} {} {}",
                c.claim_id(),
                c.trace,
                c.payer_claim_number.as_str(),
                c.charge.unwrap(),
                c.service_from.unwrap(),
                c.source.id
            )
        })
        .collect();
    assert_eq!(
        read,
        [
            "RC24-037 RC24-037 \"\" 65.00 2024-11-12 60054",
            "RC25-004 RC25-004 \"77022505001034\" 65.00 2025-02-10 77027",
        ]
    );
    assert!(
        claims
            .iter()
            .all(|c| c.kind == StatusReportKind::StatusRequest)
    );
    assert!(
        claims
            .iter()
            .all(|c| c.provider_npi() == Some("1234567893"))
    );
    assert_eq!((claims[0].dependent, claims[1].dependent), (false, true));
}

#[test]
fn a_dependent_without_a_birth_date_is_skipped_with_the_reason() {
    let mut dependent = claim("samples/claims/2025-02-837p.x12", "RC25-004");
    dependent.patient = Some(Patient {
        last: "THOMPSON".into(),
        first: "MAYA".into(),
        id: "".into(),
        ..Patient::default()
    });
    let mut inquiry = StatusInquiry::from_claim(&dependent, "");
    let batch = write_status_requests(std::slice::from_ref(&inquiry), &envelope(), created());
    assert!(batch.bytes.is_empty());
    assert_eq!(batch.skipped[0].0, "RC25-004");
    assert!(
        batch.skipped[0]
            .1
            .contains("requires the patient's birth date")
    );
    // With the birth date the dependent level is written and reads back.
    inquiry.dependent.as_mut().unwrap().birth_date = Some(date(2015, 3, 2));
    let batch = write_status_requests(&[inquiry], &envelope(), created());
    let text = String::from_utf8(batch.bytes.clone()).unwrap();
    assert!(
        text.contains(
            "HL*4*3*22*1~\nNM1*IL*1*THOMPSON*JAMAL****MI*MCD880027~\nHL*5*4*23~\n\
             DMG*D8*20150302~\nNM1*QC*1*THOMPSON*MAYA~\nTRN*1*RC25-004~"
        ),
        "{text}"
    );
}

#[test]
fn a_value_holding_a_delimiter_is_not_written() {
    let mut inquiry =
        StatusInquiry::from_claim(&claim("samples/claims/2024-11-837p.x12", "RC24-037"), "");
    inquiry.subscriber_last = "O*BRIEN".into();
    let batch = write_status_requests(&[inquiry], &envelope(), created());
    assert!(batch.bytes.is_empty());
    assert_eq!(
        batch.skipped,
        [(
            "RC24-037".into(),
            "a value contains '*', a delimiter of the batch".to_string()
        )]
    );
}

#[test]
fn a_bad_envelope_configuration_is_refused_before_anything_is_written() {
    let base = std::fs::read_to_string(root("samples/acks/status-request.csv")).unwrap();
    let cases = [
        (
            base.replace("RIVERSIDECFM", "RIVERSIDE-CHIROPRACTIC"),
            "sender_id \"RIVERSIDE-CHIROPRACTIC\" is longer than 15 characters",
        ),
        (
            base.replace("700000001", "0"),
            "control_number \"0\" is not a number from 1 to 999999999",
        ),
        (
            base.replace("usage,P", "usage,X"),
            "usage \"X\" is not P (production) or T (test)",
        ),
        (
            base.replace("receiver_id,GSCLEARHOUSE\n", ""),
            "receiver_id is missing",
        ),
        (format!("{base}colour,blue\n"), "unknown setting \"colour\""),
        (
            base.replace("RCFM001", "RC*FM"),
            "information_receiver_id \"RC*FM\" contains '*', a delimiter of the batch",
        ),
    ];
    for (text, expected) in cases {
        let error = EnvelopeConfig::from_csv(text.as_bytes())
            .unwrap_err()
            .to_string();
        assert!(error.contains(expected), "{error} / {expected}");
    }
}

#[test]
fn a_dependent_whose_837_gave_a_birth_date_is_asked_about() {
    // The 837 parser keeps 2010CA DMG (see claim::tests); the inquiry
    // carries it, so the dependent's 2000E is written, not skipped.
    let mut dependent = claim("samples/claims/2025-02-837p.x12", "RC25-004");
    dependent.patient = Some(Patient {
        last: "THOMPSON".into(),
        first: "MAYA".into(),
        birth_date: Some(date(2015, 3, 2)),
        gender: "F".into(),
        ..Patient::default()
    });
    let inquiry = StatusInquiry::from_claim(&dependent, "");
    let batch = write_status_requests(&[inquiry], &envelope(), created());
    assert!(batch.skipped.is_empty(), "{:?}", batch.skipped);
    let text = String::from_utf8(batch.bytes).unwrap();
    assert!(
        text.contains("HL*5*4*23~\nDMG*D8*20150302*F~\nNM1*QC*1*THOMPSON*MAYA~"),
        "{text}"
    );
    // The subscriber's DMG is sent only when the subscriber is the patient.
    assert!(!text.contains("DMG*D8*19791219"), "{text}");
}
