//! Rates: flat, percentage of a reference schedule, percentage of billed;
//! units and their cap; rounding.

use super::*;

const MPFS: &str = "procedure,modifier,amount,facility,nonfacility,from,to\n\
                    97110,,,25.10,30.12,2024-01-01,2024-12-31\n\
                    97110,,,25.90,31.04,2025-01-01,\n\
                    73030,,40.00,,,,\n\
                    73030,26,11.50,,,,\n\
                    98940,,28.43,,,,\n\
                    97140,,,22.00,,,\n";

fn medicare() -> (&'static str, &'static str, &'static str) {
    ("medicare", "mpfs.csv", MPFS)
}

#[test]
fn percent_of_reference_row() {
    let c = load(
        &[(
            "c.csv",
            "payer,procedure,rate\nACME HEALTH PLAN,*,115% of medicare\n",
        )],
        &[medicare()],
    );
    // Non-facility 2024: 115% × 30.12 = 34.638 → 34.64 a unit; × 2 = 69.28.
    let (amount, basis) = one(&c, &ACME, line("97110", &[], "2").at(Place::NonFacility));
    assert_eq!(amount, d("69.28"));
    assert_eq!(
        basis,
        "ACME HEALTH PLAN (c.csv:2), 97110 at 115% of medicare non-facility 30.12 (mpfs.csv:2) = 34.64, 2 units"
    );
    // Facility 2025: 115% × 25.90 = 29.785 → 29.79 (half away from zero).
    let (amount, _) = one(
        &c,
        &ACME,
        line("97110", &[], "1").at(Place::Facility).on("2025-02-03"),
    );
    assert_eq!(amount, d("29.79"));
    // A single-amount row serves every place: 115% × 28.43 = 32.6945 → 32.69.
    let (amount, basis) = one(&c, &ACME, line("98940", &[], "1").at(Place::Facility));
    assert_eq!(amount, d("32.69"));
    assert_eq!(
        basis,
        "ACME HEALTH PLAN (c.csv:2), 98940 at 115% of medicare 28.43 (mpfs.csv:6) = 32.69, 1 unit"
    );
}

#[test]
fn an_unknown_place_takes_the_lower_reference_amount() {
    let c = load(
        &[("c.csv", "procedure,rate\n97110,100% of medicare\n")],
        &[medicare()],
    );
    // Facility 25.10 < non-facility 30.12: 100% × 25.10 = 25.10.
    let (amount, basis) = one(&c, &ACME, line("97110", &[], "1"));
    assert_eq!(amount, d("25.10"));
    assert!(basis.contains("100% of medicare lower of facility and non-facility 25.10"));
}

#[test]
fn a_reference_without_an_amount_for_the_line_is_an_error() {
    let c = load(
        &[("c.csv", "procedure,rate\n*,115% of medicare\n")],
        &[medicare()],
    );
    let p = price(
        &c,
        &ACME,
        &[
            // 97140 has only a facility amount.
            line("97140", &[], "1").at(Place::NonFacility),
            // No 97112 at all.
            line("97112", &[], "1"),
            // 97110's dated rows start in 2024.
            line("97110", &[], "1").on("2023-06-30"),
        ],
    );
    let errors: Vec<String> = p
        .iter()
        .map(|r| r.as_ref().unwrap_err().to_string())
        .collect();
    assert_eq!(
        errors,
        [
            "c.csv:2: reference schedule medicare has no amount for 97140 on 2024-03-04",
            "c.csv:2: reference schedule medicare has no amount for 97112 on 2024-03-04",
            "c.csv:2: reference schedule medicare has no amount for 97110 on 2023-06-30",
        ]
    );
}

#[test]
fn percent_of_billed_is_taken_on_the_line_charge() {
    let c = load(
        &[("c.csv", "procedure,max_units,rate\n97530,3,60% of billed\n")],
        &[],
    );
    // 60% × 200.00 = 120.00 for 2 units.
    assert_eq!(
        one(&c, &ACME, line("97530", &[], "2").billed("200.00")).0,
        d("120.00")
    );
    // 4 units billed 200.00, capped at 3: 60% × 200.00 × 3/4 = 90.00.
    let (amount, basis) = one(&c, &ACME, line("97530", &[], "4").billed("200.00"));
    assert_eq!(amount, d("90.00"));
    assert_eq!(
        basis,
        "any payer (c.csv:2), 97530 at 60% of billed 200.00, 3 units (4 billed, max 3)"
    );
    // 60% × 33.35 = 20.01; 60% × 33.3416 = 20.00496 → 20.00.
    assert_eq!(
        one(&c, &ACME, line("97530", &[], "1").billed("33.35")).0,
        d("20.01")
    );
    assert_eq!(
        one(&c, &ACME, line("97530", &[], "1").billed("33.3416")).0,
        d("20.00")
    );
}

#[test]
fn units_are_capped_per_code() {
    let text = "payer,procedure,rate,max_units,rules\n\
                ACME HEALTH PLAN,*,,2,\n\
                ACME HEALTH PLAN,97110,30.00,4,\n\
                ACME HEALTH PLAN,97112,32.00,,\n";
    let c = load(&[("c.csv", text)], &[]);
    // 6 billed, the row caps at 4: 30.00 × 4 = 120.00.
    let (amount, basis) = one(&c, &ACME, line("97110", &[], "6"));
    assert_eq!(amount, d("120.00"));
    assert_eq!(
        basis,
        "ACME HEALTH PLAN (c.csv:3), 97110 at 30.00, 4 units (6 billed, max 4)"
    );
    // 97112 has no cap of its own; the payer's * row caps at 2:
    // 32.00 × 2 = 64.00, and the basis cites the * row.
    let (amount, basis) = one(&c, &ACME, line("97112", &[], "3"));
    assert_eq!(amount, d("64.00"));
    assert_eq!(
        basis,
        "ACME HEALTH PLAN (c.csv:4), 97112 at 32.00, 2 units (3 billed, max 2 from c.csv:2)"
    );
    // Under the cap nothing changes: 32.00 × 1.5 = 48.00.
    assert_eq!(one(&c, &ACME, line("97112", &[], "1.5")).0, d("48.00"));
}

#[test]
fn zero_units_is_an_error_not_a_zero_expected() {
    let c = load(&[("c.csv", "procedure,rate\n97110,30\n")], &[]);
    let p = price(&c, &ACME, &[line("97110", &[], "0")]);
    assert_eq!(
        p[0].as_ref().unwrap_err().to_string(),
        "c.csv:2: 97110 has 0 units billed; nothing to price"
    );
}

#[test]
fn absurd_amounts_are_an_error_not_a_panic() {
    let c = load(
        &[("c.csv", "procedure,rate\n97110,999999999999999999\n")],
        &[],
    );
    let p = price(&c, &ACME, &[line("97110", &[], "99999999999")]);
    assert_eq!(
        p[0].as_ref().unwrap_err().to_string(),
        "c.csv:2: the amount for 97110 is out of range"
    );
}

#[test]
fn a_reference_row_for_the_component_prices_it_without_a_share() {
    let c = load(
        &[(
            "c.csv",
            "procedure,rate,rules\n73030,100% of medicare,professional=26:40\n",
        )],
        &[medicare()],
    );
    // The schedule has 73030-26 at 11.50: 100% × 11.50, no 40% share.
    let (amount, basis) = one(&c, &ACME, line("73030", &["26"], "1"));
    assert_eq!(amount, d("11.50"));
    assert_eq!(
        basis,
        "any payer (c.csv:2), 73030-26 at 100% of medicare 11.50 (mpfs.csv:5) = 11.50, 1 unit"
    );
}
