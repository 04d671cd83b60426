//! The worked examples of the README section *Contracts*, on the sample contract and
//! reference schedule it shows: the documentation's numbers are these.

use super::*;

const CONTRACT: &str = include_str!("../../../samples/contracts.csv");
const MEDICARE: &str = include_str!("../../../samples/medicare-reference.csv");

fn sample() -> Contracts {
    load(
        &[("contracts.csv", CONTRACT)],
        &[("medicare", "medicare.csv", MEDICARE)],
    )
}

fn priced(payer: &Payer<'_>, lines: &[L]) -> Vec<(String, String)> {
    price(&sample(), payer, lines)
        .into_iter()
        .map(|p| {
            let e = p.unwrap_or_else(|e| panic!("{e}")).unwrap();
            (e.amount.to_string(), e.basis)
        })
        .collect()
}

fn pair(amount: &str, basis: &str) -> (String, String) {
    (amount.to_string(), basis.to_string())
}

#[test]
fn dated_rates_and_the_unit_cap() {
    let got = priced(
        &ACME,
        &[
            // 30.00 × 2 = 60.00
            line("97110", &[], "2").on("2024-12-31"),
            // 31.50 × 2 = 63.00
            line("97110", &[], "2").on("2025-01-01"),
            // 30.00 × 4 (6 billed, capped) = 120.00
            line("97110", &[], "6").on("2024-06-03"),
        ],
    );
    assert_eq!(
        got,
        [
            pair(
                "60.00",
                "ACME HEALTH PLAN PPO 2024 (contracts.csv:3), 97110 at 30.00, 2 units"
            ),
            pair(
                "63.00",
                "ACME HEALTH PLAN PPO from 2025-01-01 (contracts.csv:4), 97110 at 31.50, 2 units"
            ),
            pair(
                "120.00",
                "ACME HEALTH PLAN PPO 2024 (contracts.csv:3), 97110 at 30.00, 4 units (6 billed, max 4)"
            ),
        ]
    );
}

#[test]
fn percent_of_medicare_and_modifier_rows() {
    let hmo = Payer {
        filing: "HM",
        ..ACME
    };
    let got = priced(
        &hmo,
        &[
            // Not PPO: the payer's * row, 110% × 30.12 = 33.132 → 33.13.
            line("97110", &[], "1").at(Place::NonFacility),
            // The GP row; 59 changes nothing: 28.40.
            line("97140", &["GP", "59"], "1").on("2024-03-05"),
        ],
    );
    assert_eq!(
        got,
        [
            pair(
                "33.13",
                "ACME HEALTH PLAN (contracts.csv:2), 97110 at 110% of medicare non-facility 30.12 (medicare.csv:2) = 33.13, 1 unit"
            ),
            pair(
                "28.40",
                "ACME HEALTH PLAN (contracts.csv:5), 97140-59-GP at 28.40, 1 unit"
            ),
        ]
    );
}

#[test]
fn surgery_rules() {
    let got = priced(
        &ACME,
        &[
            // 700.00 first; 500.00 × 50% = 250.00 second.
            line("29881", &[], "1"),
            line("29877", &[], "1"),
            // Another date, alone, with 51: 500.00 × 50% = 250.00.
            line("29877", &["51"], "1").on("2024-03-11"),
            // 60.00 × 150% = 90.00.
            line("69210", &["50"], "1").on("2024-03-12"),
            // 1400.00 × 16% = 224.00.
            line("27447", &["80"], "1").on("2024-03-13"),
        ],
    );
    assert_eq!(
        got,
        [
            pair(
                "700.00",
                "ACME HEALTH PLAN (contracts.csv:6), 29881 at 700.00, 1 unit"
            ),
            pair(
                "250.00",
                "ACME HEALTH PLAN (contracts.csv:7), 29877 at 500.00, 1 unit, 2nd procedure at 50% (contracts.csv:2)"
            ),
            pair(
                "250.00",
                "ACME HEALTH PLAN (contracts.csv:7), 29877-51 at 500.00, 1 unit, modifier 51 procedure at 50% (contracts.csv:2)"
            ),
            pair(
                "90.00",
                "ACME HEALTH PLAN (contracts.csv:10), 69210-50 at 60.00, 1 unit, bilateral (50) at 150% (contracts.csv:2)"
            ),
            pair(
                "224.00",
                "ACME HEALTH PLAN (contracts.csv:11), 27447-80 at 1400.00, 1 unit, assistant at surgery (80) at 16% (contracts.csv:2)"
            ),
        ]
    );
}

#[test]
fn components() {
    let got = priced(
        &ACME,
        &[
            // Global only: 40.00 × 60% = 24.00.
            line("73030", &["TC"], "1"),
            // Its own row: 12.50.
            line("73030", &["26"], "1").on("2024-03-05"),
            // Through the * row: 110% × 41.20 = 45.32, × 40% = 18.128 → 18.13.
            line("98941", &["26"], "1").on("2024-03-06"),
        ],
    );
    assert_eq!(
        got,
        [
            pair(
                "24.00",
                "ACME HEALTH PLAN (contracts.csv:8), 73030-TC at 40.00, 1 unit, technical component (TC) at 60% of the global (contracts.csv:2)"
            ),
            pair(
                "12.50",
                "ACME HEALTH PLAN (contracts.csv:9), 73030-26 at 12.50, 1 unit"
            ),
            pair(
                "18.13",
                "ACME HEALTH PLAN (contracts.csv:2), 98941-26 at 110% of medicare 41.20 (medicare.csv:5) = 45.32, 1 unit, professional component (26) at 40% of the global"
            ),
        ]
    );
}

#[test]
fn sequestration_and_percent_of_billed() {
    let medicare = Payer {
        id: "04412",
        name: "MEDICARE PART B",
        filing: "MB",
        plan: "",
    };
    // Allowed 28.43, coinsurance 20% = 5.69, payer's share 22.74,
    // sequestration 2% = 0.45, paid 22.29; no AMT*B6, so the allowed amount
    // is 22.29 + 5.69 = 27.98 and expected is 28.43 − 0.45 = 27.98.
    let mut l = line("98940", &[], "1");
    l.paid = d("22.29");
    l.allowed = d("27.98");
    l.adjustments = vec![
        adjustment("CO", "253", "0.45"),
        adjustment("PR", "2", "5.69"),
    ];
    assert_eq!(
        priced(&medicare, &[l]),
        [pair(
            "27.98",
            "any payer MB (contracts.csv:13), 98940 at 100% of medicare 28.43 (medicare.csv:4) = 28.43, 1 unit, less sequestration 0.45 (CARC 253)"
        )]
    );
    let mco = Payer {
        id: "",
        name: "STATE MEDICAID MCO",
        filing: "MC",
        plan: "",
    };
    // 60% × 65.00 = 39.00.
    assert_eq!(
        priced(&mco, &[line("98940", &[], "1").billed("65.00")]),
        [pair(
            "39.00",
            "STATE MEDICAID MCO (contracts.csv:12), 98940 at 60% of billed 65.00, 1 unit"
        )]
    );
}
