use jiff::civil::Date;
use rust_decimal::Decimal;

use super::*;
use crate::bank::Position;

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn day(s: &str) -> Date {
    s.parse().unwrap()
}

fn payment(trace: &str, date: &str, amount: &str, method: &str) -> Payment {
    Payment {
        source: format!("{trace}.835"),
        interchange: "1".into(),
        transaction: "0001".into(),
        trace: trace.into(),
        payer: "ACME".into(),
        payer_id: "1310060054".into(),
        payer_shown: "60054".into(),
        date: Some(day(date)),
        amount: dec(amount),
        method: method.into(),
        balance_forward: Decimal::ZERO,
        superseded_by: None,
    }
}

fn deposit(date: &str, amount: &str, text: &str) -> Deposit {
    Deposit {
        source: "bank.csv".into(),
        position: Position::Line(2),
        date: day(date),
        amount: dec(amount),
        type_code: None,
        bank_ref: String::new(),
        customer_ref: String::new(),
        text: text.into(),
    }
}

fn ach(trace: &str) -> String {
    format!("ACME HCCLAIMPMT CCD TRN*1*{trace}*1310060054\\")
}

fn run(payments: Vec<Payment>, deposits: Vec<Deposit>) -> Vec<DepositMatch> {
    let settings = MatchSettings {
        window_days: 10,
        as_of: day("2025-07-31"),
    };
    match_deposits(payments, deposits, &settings)
}

fn kinds(rows: &[DepositMatch]) -> Vec<&'static str> {
    rows.iter().map(|r| r.kind.as_str()).collect()
}

#[test]
fn an_ach_payment_matches_the_deposit_carrying_its_trace_and_amount() {
    let rows = run(
        vec![payment("T1", "2024-02-07", "466.90", "ACH")],
        vec![
            deposit("2024-02-07", "466.90", &ach("T2")),
            deposit("2024-02-07", "466.90", &ach("T1")),
        ],
    );
    assert_eq!(
        kinds(&rows),
        ["MATCHED_TRACE", "DEPOSIT_WITHOUT_REMITTANCE"]
    );
    assert_eq!(rows[0].deposits[0].text, ach("T1"));
    assert_eq!(rows[0].difference(), Decimal::ZERO);
    assert_eq!(
        rows[1].note,
        "DEPOSIT WITHOUT REMITTANCE: no 835 has trace T2"
    );
}

#[test]
fn a_check_matches_its_number_without_leading_zeros() {
    let rows = run(
        vec![payment("0048213", "2024-12-04", "59.60", "CHK")],
        vec![deposit("2024-12-06", "59.60", "REMOTE DEPOSIT CHECK 48213")],
    );
    assert_eq!(kinds(&rows), ["MATCHED_CHECK"]);
}

#[test]
fn one_deposit_for_two_transactions_with_one_trace_is_combined() {
    let mut second = payment("T1", "2025-03-12", "114.40", "ACH");
    second.transaction = "0002".into();
    let rows = run(
        vec![payment("T1", "2025-03-12", "66.50", "ACH"), second],
        vec![deposit("2025-03-12", "180.90", &ach("T1"))],
    );
    assert_eq!(kinds(&rows), ["COMBINED"]);
    assert_eq!(rows[0].payments.len(), 2);
    assert_eq!(rows[0].promised, dec("180.90"));
}

/// Version `st02` of trace T1's remittance, superseded by `by` when given.
fn version(st02: &str, amount: &str, by: Option<&str>) -> Payment {
    let mut p = payment("T1", "2025-03-12", amount, "ACH");
    p.transaction = st02.into();
    p.superseded_by = by.map(Into::into);
    p
}

#[test]
fn a_corrected_remittance_is_one_payment_of_its_corrected_amount() {
    let payments = || {
        vec![
            version("0001", "66.50", Some("T1.835 ST02 0002")),
            version("0002", "60.00", None),
        ]
    };
    let rows = run(payments(), vec![deposit("2025-03-12", "60.00", &ach("T1"))]);
    assert_eq!(kinds(&rows), ["MATCHED_TRACE"]);
    assert_eq!(
        rows[0].payments.len(),
        1,
        "the superseded version is named, not expected"
    );
    assert_eq!(rows[0].promised, dec("60.00"));
    assert!(
        rows[0]
            .note
            .contains("T1.835 ST 0001 (BPR02 66.50) not expected"),
        "{}",
        rows[0].note
    );
    // The bank paid the superseded version's amount.
    let rows = run(payments(), vec![deposit("2025-03-12", "66.50", &ach("T1"))]);
    assert_eq!(kinds(&rows), ["AMOUNT_DIFFERS"]);
    assert_eq!(rows[0].difference(), dec("6.50"));
    assert!(
        rows[0]
            .note
            .contains("the amount of the superseded version T1.835 ST 0001"),
        "{}",
        rows[0].note
    );
}

#[test]
fn two_deposits_for_one_payment_are_a_split() {
    let rows = run(
        vec![payment("T1", "2025-03-05", "144.60", "ACH")],
        vec![
            deposit("2025-03-06", "44.60", &ach("T1")),
            deposit("2025-03-05", "100.00", &ach("T1")),
        ],
    );
    assert_eq!(kinds(&rows), ["SPLIT"]);
    assert_eq!(rows[0].note, "SPLIT: 2 deposits 100.00 + 44.60");
    assert_eq!(rows[0].deposit_date(), Some(day("2025-03-06")));
}

#[test]
fn a_negative_remittance_is_offset_against_a_later_payment() {
    let rows = run(
        vec![
            payment("NEG1", "2024-03-01", "-50.00", "ACH"),
            payment("T2", "2024-03-08", "200.00", "ACH"),
        ],
        vec![deposit("2024-03-08", "150.00", &ach("T2"))],
    );
    assert_eq!(kinds(&rows), ["OFFSET"]);
    assert_eq!(rows[0].payments.len(), 2);
    assert_eq!(rows[0].promised, dec("150.00"));
    assert_eq!(rows[0].difference(), Decimal::ZERO);
    assert!(
        rows[0]
            .note
            .contains("negative remittance -50.00 of trace NEG1"),
        "{}",
        rows[0].note
    );
}

#[test]
fn a_balance_carried_forward_offsets_the_next_payment_unless_taken_back() {
    let mut carrier = payment("C1", "2024-09-11", "0", "NON");
    carrier.balance_forward = dec("-70.40");
    let later = payment("T2", "2024-10-09", "139.80", "ACH");
    let rows = run(
        vec![carrier.clone(), later.clone()],
        vec![deposit("2024-10-09", "69.40", &ach("T2"))],
    );
    assert_eq!(kinds(&rows), ["OFFSET"]);
    assert!(rows[0].note.contains("balance carried forward (PLB FB)"));
    // The sample's way: the later 835 takes the balance back with PLB FB,
    // so its BPR02 is already net.
    let mut netted = payment("T2", "2024-10-09", "69.40", "ACH");
    netted.balance_forward = dec("70.40");
    let rows = run(
        vec![carrier, netted],
        vec![deposit("2024-10-09", "69.40", &ach("T2"))],
    );
    assert_eq!(kinds(&rows), ["NO_MONEY_MOVED", "MATCHED_TRACE"]);
}

#[test]
fn deposits_carrying_the_trace_with_another_amount_differ() {
    let rows = run(
        vec![payment("T1", "2024-05-01", "207.00", "ACH")],
        vec![deposit("2024-05-01", "200.00", &ach("T1"))],
    );
    assert_eq!(kinds(&rows), ["AMOUNT_DIFFERS"]);
    assert_eq!(rows[0].difference(), dec("-7.00"));
}

#[test]
fn amount_and_date_is_the_last_resort_within_the_window() {
    let rows = run(
        vec![
            payment("T1", "2024-05-01", "207.00", "ACH"),
            payment("T2", "2024-06-01", "99.00", "ACH"),
        ],
        vec![
            deposit("2024-05-03", "207.00", "ACME PAYMENT"),
            deposit("2024-06-20", "99.00", "ACME PAYMENT"),
        ],
    );
    assert_eq!(
        kinds(&rows),
        [
            "MATCHED_AMOUNT_DATE",
            "REMITTANCE_WITHOUT_DEPOSIT",
            "DEPOSIT_WITHOUT_REMITTANCE"
        ]
    );
    assert!(rows[0].note.starts_with("by amount and date only"));
}

#[test]
fn the_window_decides_between_awaiting_and_missing() {
    let rows = run(
        vec![
            payment("T1", "2025-07-25", "10.00", "ACH"),
            payment("T2", "2025-06-25", "40.10", "ACH"),
            payment("N1", "2025-07-01", "-5.00", "NON"),
            payment("Z1", "2025-07-02", "0", "NON"),
        ],
        vec![],
    );
    assert_eq!(
        kinds(&rows),
        [
            "REMITTANCE_WITHOUT_DEPOSIT",
            "AWAITING_OFFSET",
            "NO_MONEY_MOVED",
            "AWAITING_DEPOSIT"
        ]
    );
    assert_eq!(rows[0].difference(), dec("-40.10"));
}

#[test]
fn an_offset_can_be_found_by_amount_and_date() {
    let rows = run(
        vec![
            payment("NEG1", "2024-03-01", "-50.00", "ACH"),
            payment("T2", "2024-03-08", "200.00", "ACH"),
        ],
        vec![deposit("2024-03-09", "150.00", "ACME")],
    );
    assert_eq!(kinds(&rows), ["OFFSET"]);
    assert!(rows[0].note.contains("by amount and date only"));
}

#[test]
fn subsets_prefer_fewer_and_earlier_amounts() {
    let a = [dec("1"), dec("2"), dec("3")];
    assert_eq!(subset_with_sum(&a, dec("3")), Some(vec![2]));
    assert_eq!(subset_with_sum(&a, dec("6")), Some(vec![0, 1, 2]));
    assert_eq!(subset_with_sum(&a, dec("7")), None);
    assert_eq!(subset_with_sum(&[], dec("0")), None);
}
