//! Posting comparison: books from ledger rows (PLB recoveries allocated to
//! lines), findings per line, and totals.

use std::sync::Arc;

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::*;
use crate::line::{DecidedLine, EventKind, Flag, LineEvent, RemittanceContext, Status};
use crate::remittance::Adjustment;

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn day(s: &str) -> Date {
    s.parse().unwrap()
}

fn context(date: &str, trace: &str) -> Arc<RemittanceContext> {
    Arc::new(RemittanceContext {
        source: format!("{trace}.835"),
        payer: "ACME HEALTH PLAN".into(),
        payer_id: "1310060054".into(),
        trace: trace.into(),
        payment_date: Some(day(date)),
        ..RemittanceContext::default()
    })
}

fn event(date: &str, claim: &str, icn: &str, procedure: &str, paid: &str) -> LineEvent {
    LineEvent {
        context: context(date, &format!("T{date}")),
        kind: EventKind::Line,
        sequence: 0,
        claim_seq: 0,
        claim_id: claim.into(),
        payer_claim_id: icn.into(),
        claim_status: "1".into(),
        claim_frequency: "1".into(),
        member_id: "M1".into(),
        member_name: "DOE, JANE".into(),
        service_date: Some(day("2024-01-17")),
        procedure: procedure.into(),
        modifiers: Vec::new(),
        paid_procedure: None,
        revenue_code: Default::default(),
        units: Decimal::ONE,
        billed_units: Decimal::ONE,
        billed: dec("85.00"),
        allowed: dec(paid),
        allowed_reported: false,
        paid: dec(paid),
        patient_resp: Decimal::ZERO,
        adjustments: Vec::new(),
        remarks: Vec::new(),
        line_control: Default::default(),
        received_date: None,
        interest: Decimal::ZERO,
        status: if dec(paid).is_zero() {
            Status::Denied
        } else {
            Status::Paid
        },
        filing_indicator: Default::default(),
        facility_code: Default::default(),
        rendering_provider: Default::default(),
        plan_id: Default::default(),
        unexplained: None,
    }
}

fn row(event: LineEvent) -> DecidedLine {
    DecidedLine::from_event(event)
}

fn plb(date: &str, reference: &str, reason: &str, amount: &str) -> DecidedLine {
    let mut e = event(date, reference, "", "", "0");
    e.kind = EventKind::ProviderAdjustment;
    e.service_date = None;
    e.paid = -dec(amount);
    e.status = Status::ProviderAdjustment;
    e.adjustments = vec![Adjustment {
        group: "PLB".into(),
        reason: reason.into(),
        amount: dec(amount),
        quantity: None,
    }];
    let mut r = row(e);
    r.decision.flags.insert(Flag::Recouped);
    r
}

fn posting(line: usize, procedure: &str, amount: &str, adjustment: &str, on: &str) -> Posting {
    Posting {
        line,
        claim_id: "RC24-008".into(),
        service_date: day("2024-01-17"),
        procedure: procedure.into(),
        payer: "ACME HEALTH PLAN".into(),
        amount: dec(amount),
        adjustment: dec(adjustment),
        posting_date: Some(day(on)),
    }
}

#[test]
fn a_plb_recovery_naming_the_icn_takes_money_from_the_line() {
    let rows = vec![
        row(event(
            "2024-02-07",
            "RC24-008",
            "24036000935",
            "98941",
            "55.00",
        )),
        plb("2024-08-14", "24036000935", "WO", "55.00"),
        plb("2024-08-14", "RFND10442", "72", "-35.00"),
    ];
    let b = books(&rows);
    assert_eq!(b.lines.len(), 1);
    assert_eq!(b.lines[0].net(), Decimal::ZERO);
    assert_eq!(
        b.lines[0].changes,
        vec![
            (Some(day("2024-02-07")), dec("55.00")),
            (Some(day("2024-08-14")), dec("-55.00"))
        ]
    );
    assert_eq!(
        b.remitted[&("ACME HEALTH PLAN".to_string(), "2024-08".to_string())],
        dec("-20.00")
    );
}

#[test]
fn postings_match_lines_whatever_the_modifier_and_payer_spelling() {
    let rows = vec![row(event("2024-02-07", "RC24-008", "I1", "98941", "55.00"))];
    let mut p = posting(2, "98941-AT", "55.00", "30.00", "2024-02-09");
    p.payer = "Acme Health".into();
    let lines = compare(&books(&rows), vec![p], &[]);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].findings, vec![Finding::Ok]);
    assert_eq!(lines[0].payer, "ACME HEALTH PLAN");
}

#[test]
fn less_more_missing_and_unpaid_postings_are_found() {
    let rows = vec![
        row(event("2024-02-07", "RC24-008", "I1", "98941", "55.00")),
        row(event("2024-02-07", "RC24-008", "I1", "97140", "28.40")),
        row(event("2024-02-07", "RC24-008", "I1", "99213", "0")),
    ];
    let postings = vec![
        posting(2, "98941", "50.00", "30.00", "2024-02-09"),
        posting(3, "99213", "10.00", "0", "2024-02-09"),
        posting(4, "G0283", "5.00", "0", "2024-02-09"),
    ];
    let lines = compare(&books(&rows), postings, &[]);
    let found: Vec<(&str, Vec<Finding>)> = lines
        .iter()
        .map(|l| (l.procedure.as_str(), l.findings.clone()))
        .collect();
    assert_eq!(
        found,
        vec![
            ("97140", vec![Finding::NotPosted]),
            ("98941", vec![Finding::PostedLess]),
            ("99213", vec![Finding::PostedNotPaid]),
            ("G0283", vec![Finding::PostedNotPaid]),
        ]
    );
    assert_eq!(lines[1].note, "posted 50.00, paid 55.00 (-5.00)");
    let more = compare(
        &books(&rows[..1]),
        vec![posting(2, "98941", "58.10", "0", "2024-02-09")],
        &[],
    );
    assert_eq!(more[0].findings, vec![Finding::PostedMore]);
    assert_eq!(more[0].note, "posted 58.10, paid 55.00 (+3.10)");
}

#[test]
fn reversing_a_previously_paid_relisted_line_in_the_books_is_found() {
    let mut relisted = row(event("2025-06-18", "RC24-008", "I1", "98941", "0"));
    relisted
        .decision
        .flags
        .insert(Flag::PreviouslyPaidReportedDenied);
    let rows = vec![
        row(event("2024-02-07", "RC24-008", "I1", "98941", "55.00")),
        relisted,
    ];
    let postings = vec![
        posting(2, "98941", "55.00", "30.00", "2024-02-09"),
        posting(3, "98941", "-55.00", "0", "2025-06-20"),
    ];
    let lines = compare(&books(&rows), postings.clone(), &[]);
    assert_eq!(
        lines[0].findings,
        vec![Finding::PreviouslyPaidReversedInBooks]
    );
    assert_eq!(lines[0].paid(), dec("55.00"));
    // Keeping the payment in the books is right.
    let lines = compare(&books(&rows), postings[..1].to_vec(), &[]);
    assert_eq!(lines[0].findings, vec![Finding::Ok]);
}

fn appealed(at_stake: &str, by: &str) -> Option<OpenAppeal> {
    Some(OpenAppeal {
        at_stake: dec(at_stake),
        appeal_by: Some(day(by)),
    })
}

fn judged(paid: &str, postings: Vec<Posting>, appeal: Option<OpenAppeal>) -> LineComparison {
    let rows = vec![row(event("2024-04-10", "RC24-008", "I1", "98941", paid))];
    let mut lines = compare(&books(&rows), postings, &[]);
    let mut line = lines.remove(0);
    line.findings.clear();
    line.appeal = appeal;
    judge(&mut line);
    line
}

#[test]
fn a_write_off_on_an_appealable_denial_is_found_while_the_appeal_is_open() {
    let denial = judged(
        "0",
        vec![posting(2, "98941", "0", "85.00", "2024-04-12")],
        appealed("85.00", "2024-10-07"),
    );
    assert_eq!(denial.findings, vec![Finding::WriteOffOnAppealable]);
    assert_eq!(denial.written_off, dec("85.00"));
    assert!(
        denial.note.contains("appeal by 2024-10-07"),
        "{}",
        denial.note
    );
    let late = judged(
        "0",
        vec![posting(2, "98941", "0", "85.00", "2024-10-08")],
        appealed("85.00", "2024-10-07"),
    );
    assert_eq!(
        late.findings,
        vec![Finding::Ok],
        "written off after the deadline"
    );
}

#[test]
fn an_underpaid_line_may_write_off_the_contractual_part_only() {
    // charge 85, paid 50, expected 53.40: at stake 3.40, so up to 31.60 may
    // be written off.
    let contractual = judged(
        "50.00",
        vec![posting(2, "98941", "50.00", "31.60", "2024-04-12")],
        appealed("3.40", "2024-07-09"),
    );
    assert_eq!(contractual.findings, vec![Finding::Ok]);
    let all = judged(
        "50.00",
        vec![posting(2, "98941", "50.00", "35.00", "2024-04-12")],
        appealed("3.40", "2024-07-09"),
    );
    assert_eq!(all.findings, vec![Finding::WriteOffOnAppealable]);
    assert_eq!(all.written_off, dec("3.40"));
}

#[test]
fn postings_count_in_the_month_of_the_payment_they_book() {
    let rows = vec![
        row(event("2024-05-29", "RC24-008", "I1", "98941", "55.00")),
        plb("2024-08-14", "I1", "WO", "55.00"),
    ];
    let b = books(&rows);
    let postings = vec![
        posting(2, "98941", "55.00", "30.00", "2024-06-01"),
        posting(3, "98941", "-55.00", "0", "2024-08-16"),
    ];
    let lines = compare(&b, postings, &[]);
    assert_eq!(lines[0].findings, vec![Finding::Ok]);
    let months: Vec<String> = lines[0]
        .postings
        .iter()
        .map(|p| lines[0].posting_month(p))
        .collect();
    assert_eq!(months, ["2024-05", "2024-08"]);
    let totals = month_totals(&b, &lines, None);
    let may = &totals[&("ACME HEALTH PLAN".to_string(), "2024-05".to_string())];
    assert_eq!(
        (may.remitted, may.paid, may.posted),
        (dec("55.00"), dec("55.00"), dec("55.00"))
    );
    let rows = total_rows(&totals);
    let PostingRow::Total {
        payer,
        month,
        totals,
    } = rows.last().unwrap()
    else {
        panic!("totals last")
    };
    assert_eq!((payer.as_str(), month.as_str()), ("all", "all"));
    assert_eq!(totals.paid, Decimal::ZERO);
    assert_eq!(totals.received, None);
}
