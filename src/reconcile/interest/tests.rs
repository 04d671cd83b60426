//! Worked examples, with the arithmetic written out.

use super::*;

fn d(s: &str) -> Decimal {
    Decimal::from_str_exact(s).unwrap()
}

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

fn facts(received: &str, paid_on: &str) -> ClaimFacts {
    ClaimFacts {
        received: Some(date(received)),
        created: None,
        electronic: true,
        paid_on: Some(date(paid_on)),
        interest_paid: Decimal::ZERO,
    }
}

#[test]
fn nj_thirty_days_late_across_a_leap_february() {
    // Received 2024-01-10; due 30 days later = 2024-02-09.
    // Paid 2024-03-10: Feb 9 → Feb 29 is 20 days (2024 is a leap year),
    // → Mar 10 is 10 more: 30 days late.
    // 1000.00 × 0.12 × 30 / 365 = 9.863013… → 9.86.
    let lines = assess(
        &PromptPay::nj(),
        &facts("2024-01-10", "2024-03-10"),
        &[d("1000.00")],
    )
    .unwrap();
    let l = &lines[0];
    assert_eq!(l.due, date("2024-02-09"));
    assert_eq!(l.days_late, 30);
    assert_eq!(l.owed, d("9.86"));
    assert_eq!(l.source, ReceiptSource::Dtm050);
}

#[test]
fn due_date_lands_differently_in_leap_and_common_years() {
    // 2024-02-01 + 30 days: Feb has 29 days, so Feb 1 + 28 = Feb 29, + 2 = Mar 2.
    let leap = assess(
        &PromptPay::nj(),
        &facts("2024-02-01", "2024-03-02"),
        &[d("100")],
    )
    .unwrap();
    assert_eq!(leap[0].due, date("2024-03-02"));
    // 2023-02-01 + 30 days: Feb has 28 days, so Feb 1 + 27 = Feb 28, + 3 = Mar 3.
    let common = assess(
        &PromptPay::nj(),
        &facts("2023-02-01", "2023-03-02"),
        &[d("100")],
    )
    .unwrap();
    assert_eq!(common[0].due, date("2023-03-03"));
    assert_eq!(common[0].days_late, 0);
}

#[test]
fn paid_on_the_due_date_is_zero_days_late() {
    // Received 2024-05-01, due 2024-05-31, paid 2024-05-31: 0 days, 0.00 owed.
    let lines = assess(
        &PromptPay::nj(),
        &facts("2024-05-01", "2024-05-31"),
        &[d("250.00")],
    )
    .unwrap();
    assert_eq!((lines[0].days_late, lines[0].owed), (0, d("0.00")));
    // One day later: 250.00 × 0.12 × 1 / 365 = 0.08219… → 0.08.
    let lines = assess(
        &PromptPay::nj(),
        &facts("2024-05-01", "2024-06-01"),
        &[d("250.00")],
    )
    .unwrap();
    assert_eq!((lines[0].days_late, lines[0].owed), (1, d("0.08")));
}

#[test]
fn paper_claims_get_forty_days_in_new_jersey() {
    // No 837 known: treated as paper. Received 2024-04-01, due 2024-05-11,
    // paid 2024-05-21: 10 days. 365.00 × 0.12 × 10 / 365 = 1.20.
    let mut f = facts("2024-04-01", "2024-05-21");
    f.electronic = false;
    let lines = assess(&PromptPay::nj(), &f, &[d("365.00")]).unwrap();
    assert_eq!(lines[0].due, date("2024-05-11"));
    assert_eq!((lines[0].days_late, lines[0].owed), (10, d("1.20")));
}

#[test]
fn receipt_falls_back_to_the_837_creation_date() {
    let f = ClaimFacts {
        received: None,
        created: Some(date("2024-03-01")),
        electronic: true,
        paid_on: Some(date("2024-04-15")),
        interest_paid: Decimal::ZERO,
    };
    // Due 2024-03-31; paid 2024-04-15: 15 days. 146.00 × 0.12 × 15 / 365 = 0.72.
    let lines = assess(&PromptPay::nj(), &f, &[d("146.00")]).unwrap();
    assert_eq!(lines[0].source, ReceiptSource::Bht04);
    assert_eq!((lines[0].days_late, lines[0].owed), (15, d("0.72")));
    assert!(
        assess(
            &PromptPay::nj(),
            &ClaimFacts { created: None, ..f },
            &[d("1")]
        )
        .is_none()
    );
}

#[test]
fn medicare_uses_the_treasury_rate_given() {
    // Rate 4.625%: 2000.00 × 0.04625 × 10 / 365 = 2.534246… → 2.53.
    let rule = PromptPay::parse("medicare", Some(d("0.04625")))
        .unwrap()
        .unwrap();
    let lines = assess(&rule, &facts("2025-01-02", "2025-02-11"), &[d("2000.00")]).unwrap();
    assert_eq!((lines[0].days_late, lines[0].owed), (10, d("2.53")));
    assert_eq!(
        PromptPay::parse("medicare", None),
        Err(RuleError::MissingRate)
    );
}

#[test]
fn reversed_and_twice_paid_lines_earn_interest_on_the_late_increment_only() {
    // A correction paying 35.00 after a reversal of 55.00 in the same
    // remittance: principal max(0, 35 − 55) = 0, nothing owed.
    let lines = assess(
        &PromptPay::nj(),
        &facts("2024-01-01", "2024-06-01"),
        &[Decimal::ZERO],
    )
    .unwrap();
    assert_eq!(lines[0].owed, d("0.00"));
    // A line paid 50.00 on time and 30.00 more 20 days late: only the 30.00
    // earns interest: 30.00 × 0.12 × 20 / 365 = 0.19726… → 0.20.
    let lines = assess(
        &PromptPay::nj(),
        &facts("2024-01-01", "2024-02-20"),
        &[d("30.00")],
    )
    .unwrap();
    assert_eq!((lines[0].days_late, lines[0].owed), (20, d("0.20")));
}

#[test]
fn interest_paid_is_allocated_by_principal_to_the_cent() {
    // 10.00 over three equal lines: 3.33 each, the odd cent to the first.
    assert_eq!(
        allocate(d("10.00"), &[d("1"), d("1"), d("1")]),
        vec![d("3.34"), d("3.33"), d("3.33")]
    );
    // 1.00 over 75/25: 0.75 and 0.25 exactly.
    assert_eq!(
        allocate(d("1.00"), &[d("75"), d("25")]),
        vec![d("0.75"), d("0.25")]
    );
    let mut f = facts("2024-01-01", "2024-03-01");
    f.interest_paid = d("1.00");
    let lines = assess(&PromptPay::nj(), &f, &[d("300.00"), d("100.00")]).unwrap();
    // Due 2024-01-31; paid 2024-03-01: 29 days to Feb 29 (leap year) + 1 = 30 late.
    // 300 × 0.12 × 30 / 365 = 2.9589… → 2.96; 100 × 0.12 × 30 / 365 = 0.9863… → 0.99.
    // The 1.00 paid is split 0.75 / 0.25 by principal.
    assert_eq!(lines[0].days_late, 30);
    assert_eq!((lines[0].owed, lines[0].paid), (d("2.96"), d("0.75")));
    assert_eq!((lines[1].owed, lines[1].paid), (d("0.99"), d("0.25")));
    assert_eq!(lines[0].difference() + lines[1].difference(), d("2.95"));
}

#[test]
fn rules_parse() {
    let custom = PromptPay::parse("custom:days=45,rate=10%", None)
        .unwrap()
        .unwrap();
    assert_eq!((custom.electronic_days, custom.rate), (45, d("0.10")));
    let custom = PromptPay::parse("custom:rate=0.18,days=15", None)
        .unwrap()
        .unwrap();
    assert_eq!((custom.electronic_days, custom.rate), (15, d("0.18")));
    assert_eq!(PromptPay::parse("none", None), Ok(None));
    assert!(matches!(
        PromptPay::parse("custom:days=x", None),
        Err(RuleError::BadCustom(_))
    ));
    assert!(matches!(
        PromptPay::parse("ny", None),
        Err(RuleError::Unknown(_))
    ));
}
