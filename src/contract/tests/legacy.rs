//! The old `procedure,modifier,allowed[,payer]` fee schedule loads as a
//! contract and gives the amounts `FeeSchedule::allowed × units` gave,
//! except in the three cases where that answer was wrong (tested below).

use super::old_fees::FeeSchedule;
use super::*;

const SAMPLE: &str = include_str!("../../../samples/fee-schedule.csv");

#[test]
fn the_sample_fee_schedule_prices_like_fee_schedule_over_a_grid() {
    let old = FeeSchedule::from_reader(SAMPLE.as_bytes());
    let new = load(&[("fee-schedule.csv", SAMPLE)], &[]);
    assert_eq!(new.len(), old.len());
    let payers = [
        Payer {
            id: "",
            name: "ACME HEALTH PLAN",
            filing: "12",
            plan: "",
        },
        Payer {
            id: "60054",
            name: "Acme Health Plan",
            filing: "",
            plan: "",
        },
        Payer {
            id: "SKCO0",
            name: "State Medicaid MCO",
            filing: "MC",
            plan: "",
        },
        Payer {
            id: "",
            name: "OTHER PAYER",
            filing: "",
            plan: "",
        },
    ];
    let codes = [
        "98940", "98941", "97140", "97110", "97012", "G0283", "99203", "99213", "99214", "99999",
    ];
    let modifier_sets: [&[&str]; 5] = [&[], &["GP"], &["25"], &["59"], &["51"]];
    let units = ["1", "2", "3", "4", "1.5"];
    let mut compared = 0;
    let mut priced = 0;
    for payer in &payers {
        for code in codes {
            for mods in modifier_sets {
                for u in units {
                    let modifiers: Vec<Text> = mods.iter().map(|m| Text::from(*m)).collect();
                    // In cents, as the ledger always printed it: 18.75 ×
                    // 1.5 was 28.125 and is now 28.13.
                    let before = old
                        .allowed(&[payer.id, payer.name], code, &modifiers)
                        .map(|unit| crate::contract::price::cents(unit * d(u)));
                    let after = amounts(&new, payer, &[line(code, mods, u)])[0];
                    assert_eq!(after, before, "{} {code} {mods:?} × {u}", payer.name);
                    compared += 1;
                    priced += usize::from(after.is_some());
                }
            }
        }
    }
    // The grid is real: 4 payers × 10 codes × 5 modifier sets × 5 units,
    // most of them priced.
    assert_eq!(compared, 1000);
    assert!(priced > 600, "{priced}");
}

#[test]
fn a_legacy_row_names_its_file_and_line_in_the_basis() {
    let new = load(&[("fee-schedule.csv", SAMPLE)], &[]);
    // 99213-25 at ACME: its own row (line 17), 88.00 × 1.
    let (amount, basis) = one(&new, &ACME, line("99213", &["25"], "1"));
    assert_eq!(amount, d("88.00"));
    assert_eq!(
        basis,
        "ACME HEALTH PLAN (fee-schedule.csv:17), 99213-25 at 88.00, 1 unit"
    );
}

#[test]
fn a_legacy_file_with_a_foreign_column_is_refused() {
    let errors = load_errors(
        &[(
            "fs.csv",
            "procedure,modifier,allowed,payer,note\n98940,,42.50,,x\n",
        )],
        &[],
    );
    assert_eq!(
        errors,
        [
            "fs.csv:1: column \"note\" is not a fee schedule column (the columns are: procedure, modifier, allowed, payer)"
        ]
    );
}

/// Where the old answer was wrong, on purpose.
#[test]
fn where_the_old_fee_schedule_was_wrong() {
    let old = FeeSchedule::from_reader(SAMPLE.as_bytes());
    let new = load(&[("fee-schedule.csv", SAMPLE)], &[]);
    let mco = Payer {
        id: "",
        name: "STATE MEDICAID MCO",
        filing: "MC",
        plan: "",
    };
    let gp59: Vec<Text> = vec!["GP".into(), "59".into()];

    // 1. A line with more modifiers than the row: 97110-GP-59 at the MCO.
    // The old lookup wanted exactly {GP,59}, found none and fell back to the
    // any-payer 29.00; the MCO's GP rate is 25.60.
    assert_eq!(
        old.allowed(&["", mco.name], "97110", &gp59),
        Some(d("29.00"))
    );
    assert_eq!(
        amounts(&new, &mco, &[line("97110", &["GP", "59"], "1")]),
        [Some(d("25.60"))]
    );

    // 2. A professional component with only the global scheduled: the old
    // answer was the global 92.00, which flags every 26 line as underpaid;
    // now it is not priced unless the contract gives a share.
    assert_eq!(
        old.allowed(&["", "ACME HEALTH PLAN"], "99213", &["26".into()]),
        Some(d("92.00"))
    );
    assert!(price(&new, &ACME, &[line("99213", &["26"], "1")])[0].is_err());

    // 3. Sequestration: 2% of the payment (CARC 253) is no longer a
    // shortfall. 98940 at 42.50, paid 41.65 after 0.85 sequestered, allowed
    // (paid + PR) 41.65: expected 42.50 − 0.85 = 41.65, variance 0.
    let mut l = line("98940", &[], "1");
    l.paid = d("41.65");
    l.allowed = d("41.65");
    l.adjustments = vec![adjustment("CO", "253", "0.85")];
    assert_eq!(
        old.allowed(&["", "ACME HEALTH PLAN"], "98940", &[]),
        Some(d("42.50"))
    );
    assert_eq!(amounts(&new, &ACME, &[l]), [Some(d("41.65"))]);
}

/// The expected column of the bundled sample ledger, reproduced line by
/// line from the sample fee schedule loaded as a contract.
#[test]
fn the_sample_ledger_expected_column_is_reproduced() {
    const LEDGER: &str = include_str!("../../../samples/expected/ledger.csv");
    let contracts = load(&[("fee-schedule.csv", SAMPLE)], &[]);
    let mut reader = csv::Reader::from_reader(LEDGER.as_bytes());
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (payer, procedure, modifiers, units) = (
        col("payer"),
        col("procedure"),
        col("modifiers"),
        col("units"),
    );
    let (allowed, paid, adjustments, expected) = (
        col("allowed"),
        col("paid"),
        col("adjustments"),
        col("expected"),
    );
    let mut checked = 0;
    for record in reader.records() {
        let r = record.unwrap();
        if r[expected].is_empty() {
            continue;
        }
        let mods: Vec<&str> = r[modifiers].split(':').filter(|m| !m.is_empty()).collect();
        let mut l = line(&r[procedure], &mods, &r[units]);
        l.allowed = d(&r[allowed]);
        l.paid = d(&r[paid]);
        l.adjustments = r[adjustments]
            .split(';')
            .filter(|a| !a.is_empty())
            .map(|a| {
                let (code, amount) = a.split_once(':').unwrap();
                let (group, reason) = code.split_once('-').unwrap();
                adjustment(group, reason, amount)
            })
            .collect();
        let who = Payer {
            id: "",
            name: &r[payer],
            filing: "",
            plan: "",
        };
        assert_eq!(
            amounts(&contracts, &who, &[l]),
            [Some(d(&r[expected]))],
            "{:?}",
            r
        );
        checked += 1;
    }
    assert_eq!(checked, 73);
}
