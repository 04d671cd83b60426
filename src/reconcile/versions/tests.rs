//! Versions of one payment's remittance: placement, which is later,
//! pairing of lines and the differences named.

use std::sync::Arc;

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::*;
use crate::line::{Status, TransactionFingerprint};
use crate::remittance::Adjustment;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

fn context(st02: &str, produced: &str, amount: &str) -> Arc<RemittanceContext> {
    Arc::new(RemittanceContext {
        source: format!("{st02}.835"),
        payer: "ACME".into(),
        payer_id: "60054".into(),
        trace: "T1".into(),
        payment_date: Some(date("2024-03-05")),
        production_date: Some(date(produced)),
        payment_amount: d(amount),
        payment_method: "ACH".into(),
        interchange: "1".into(),
        transaction: st02.into(),
        ..RemittanceContext::default()
    })
}

fn line(c: &Arc<RemittanceContext>, claim: &str, procedure: &str, paid: &str) -> LineEvent {
    LineEvent {
        context: Arc::clone(c),
        claim_id: claim.into(),
        member_id: "M1".into(),
        service_date: Some(date("2024-02-01")),
        procedure: procedure.into(),
        billed: d("100"),
        allowed: d(paid),
        paid: d(paid),
        adjustments: vec![Adjustment {
            group: "CO".into(),
            reason: "45".into(),
            amount: d("100") - d(paid),
            quantity: None,
        }],
        ..LineEvent::sample()
    }
}

fn tx(c: &Arc<RemittanceContext>, events: Vec<LineEvent>, hash: u64) -> RemittanceTransaction {
    let events = events
        .into_iter()
        .enumerate()
        .map(|(i, e)| LineEvent {
            sequence: i as u32,
            ..e
        })
        .collect();
    RemittanceTransaction {
        context: Arc::clone(c),
        events,
        fingerprint: TransactionFingerprint {
            content_hash: hash,
            semantic: String::new(),
        },
    }
}

fn stored(id: TransactionRef, t: &RemittanceTransaction, superseded: bool) -> StoredVersion {
    StoredVersion {
        id,
        context: Arc::clone(&t.context),
        order: t.order_key(),
        superseded,
        applied: true,
        rows: t
            .events
            .iter()
            .cloned()
            .map(DecidedLine::from_event)
            .collect(),
    }
}

#[test]
fn a_transaction_sharing_no_claim_is_a_part_of_a_split_payment() {
    let a = context("0001", "2024-03-05", "40");
    let b = context("0002", "2024-03-05", "60");
    let first = tx(&a, vec![line(&a, "C1", "98941", "40")], 1);
    let second = tx(&b, vec![line(&b, "C2", "98941", "60")], 2);
    assert_eq!(place(&second, &[stored(7, &first, false)]), Placement::Own);
}

#[test]
fn the_same_content_in_another_envelope_is_a_redelivery() {
    let a = context("0001", "2024-03-05", "40");
    let b = context("0099", "2024-03-09", "40");
    let first = tx(&a, vec![line(&a, "C1", "98941", "40")], 1);
    let again = tx(&b, vec![line(&b, "C1", "98941", "40")], 2);
    assert_eq!(
        place(&again, &[stored(7, &first, false)]),
        Placement::Redelivery(7)
    );
}

#[test]
fn a_later_produced_version_replaces_the_current_one_and_an_earlier_one_does_not() {
    let old = context("0001", "2024-03-05", "40");
    let new = context("0002", "2024-03-07", "35");
    let v1 = tx(&old, vec![line(&old, "C1", "98941", "40")], 1);
    let v2 = tx(&new, vec![line(&new, "C1", "98941", "35")], 2);
    assert_eq!(
        place(&v2, &[stored(7, &v1, false)]),
        Placement::Replaces(vec![7])
    );
    // The other way round (the old one arrives last): it stays replaced.
    assert_eq!(
        place(&v1, &[stored(8, &v2, false)]),
        Placement::OlderThan(8)
    );
}

#[test]
fn a_version_joins_the_family_through_a_superseded_member() {
    let v1c = context("0001", "2024-03-05", "40");
    let v2c = context("0002", "2024-03-06", "100");
    let v3c = context("0003", "2024-03-07", "60");
    // v2 (claims C1, C2) replaced v1 (C1); v3 names C1 only but is the
    // newest: it replaces v2, the current version, not the superseded v1.
    let v1 = tx(&v1c, vec![line(&v1c, "C1", "98941", "40")], 1);
    let v2 = tx(
        &v2c,
        vec![
            line(&v2c, "C1", "98941", "40"),
            line(&v2c, "C2", "98941", "60"),
        ],
        2,
    );
    let v3 = tx(&v3c, vec![line(&v3c, "C2", "98941", "60")], 3);
    let others = [stored(1, &v1, true), stored(2, &v2, false)];
    assert_eq!(place(&v3, &others), Placement::Replaces(vec![2]));
}

#[test]
fn dates_decide_which_version_is_later_before_control_numbers() {
    let mut a = (*context("0009", "2024-03-05", "40")).clone();
    let mut b = (*context("0001", "2024-03-05", "40")).clone();
    let key = |c: &RemittanceContext| crate::line::order_key_of(c, 0);
    // Same DTM*405: the GS date and time decide (2008 after 1999), whatever
    // ST02 says.
    a.group_date = "199912310802".into();
    b.group_date = "200805031705".into();
    assert_eq!(produced_cmp(&b, &key(&b), &a, &key(&a)), Ordering::Greater);
    // Without GS dates, ISA09/ISA10 (030101 is 2003, 991231 is 1999).
    a.group_date = Text::default();
    a.interchange_date = "0301011253".into();
    b.interchange_date = "9912310000".into();
    assert_eq!(produced_cmp(&a, &key(&a), &b, &key(&b)), Ordering::Greater);
    // No date at all: payment order (ST02 0009 after 0001).
    b.interchange_date = Text::default();
    assert_eq!(dated_cmp(&a, &b), Ordering::Equal);
    assert_eq!(produced_cmp(&a, &key(&a), &b, &key(&b)), Ordering::Greater);
}

#[test]
fn lines_pair_by_identity_then_by_line_control_then_in_claim_order() {
    let c = context("0001", "2024-03-05", "0");
    let mut with_control = line(&c, "C1", "97110", "30");
    with_control.line_control = "L2".into();
    let mut recoded = with_control.clone();
    recoded.procedure = "97112".into();
    let then = [
        line(&c, "C1", "98941", "40"),
        with_control,
        line(&c, "C1", "12001", "10"),
    ];
    let now = [
        line(&c, "C1", "12345", "10"),
        line(&c, "C1", "98941", "35"),
        recoded,
    ];
    fn refs(v: &[LineEvent]) -> Vec<&LineEvent> {
        v.iter().collect()
    }
    assert_eq!(
        pair(&refs(&now), &refs(&then)),
        vec![Some(2), Some(0), Some(1)]
    );
}

#[test]
fn differences_name_paid_adjustments_status_and_procedure() {
    let c = context("0001", "2024-03-05", "0");
    let then = line(&c, "C1", "98941", "40");
    let mut now = line(&c, "C1", "98941", "0");
    now.status = Status::Denied;
    now.adjustments[0].reason = "197".into();
    assert_eq!(
        differences(&now, &then),
        vec![
            "allowed 40.00 → 0.00",
            "paid 40.00 → 0.00",
            "adjustments CO-45:60.00 → CO-197:100.00",
            "status PAID → DENIED",
        ]
    );
    assert!(differences(&then, &then.clone()).is_empty());
}

#[test]
fn a_correction_flags_changed_and_new_lines_and_shows_the_replaced_ones() {
    let old = context("0001", "2024-03-05", "70");
    let new = context("0002", "2024-03-07", "95");
    let v1 = tx(
        &old,
        vec![
            line(&old, "C1", "98941", "40"),
            line(&old, "C1", "97140", "30"),
        ],
        1,
    );
    let v2 = tx(
        &new,
        vec![
            line(&new, "C1", "98941", "35"),
            line(&new, "C2", "99213", "60"),
        ],
        2,
    );
    let baseline = stored(7, &v1, true);
    let correction = Correction::new(&v2, &baseline);
    let mut rows: Vec<DecidedLine> = v2
        .events
        .iter()
        .cloned()
        .map(DecidedLine::from_event)
        .collect();
    rows.iter_mut().for_each(|r| correction.mark(r));
    assert!(
        rows.iter()
            .all(|r| r.decision.flags.contains(Flag::CorrectedRemittance))
    );
    assert!(
        rows[0].reason.starts_with(
            "Corrected remittance: replaces 0001.835 ST02 0001 ISA13 1 of 2024-03-05: allowed 40.00 → 35.00; paid 40.00 → 35.00"
        ),
        "{}",
        rows[0].reason
    );
    assert!(rows[1].reason.contains("not in the earlier version"));
    let shown = superseded_rows(&baseline, &rows, "0002.835 ST02 0002");
    assert_eq!(shown.len(), 2, "the changed and the dropped line");
    assert!(
        shown
            .iter()
            .all(|r| r.is_superseded() && r.decision.net_paid.is_none())
    );
    assert!(shown[1].reason.contains("no longer lists this line"));
}
