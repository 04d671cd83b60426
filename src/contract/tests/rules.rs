//! The payment rules, each with a contract written out and the arithmetic
//! beside the expected amount.

use super::*;

/// An orthopaedic contract: a payer-wide `*` row with the rules, and flat
/// rates per code.
const ORTHO: &str = "payer,plan,procedure,modifier,rate,rules\n\
    ACME HEALTH PLAN,,*,,,mppr=50;bilateral=150;assistant=16;professional=26:40;technical=TC:60\n\
    ACME HEALTH PLAN,,29881,,700.00,\n\
    ACME HEALTH PLAN,,29877,,500.00,\n\
    ACME HEALTH PLAN,,20610,,80.00,\n\
    ACME HEALTH PLAN,,27447,,1400.00,\n\
    ACME HEALTH PLAN,,69210,,60.00,\n\
    ACME HEALTH PLAN,,73030,,40.00,\n\
    ACME HEALTH PLAN,,73030,26,12.50,\n\
    ACME HEALTH PLAN,,97110,,30.00,\n\
    ACME HEALTH PLAN,,11042,,150.00,\n";

fn ortho() -> Contracts {
    load(&[("ortho.csv", ORTHO)], &[])
}

fn bases(c: &Contracts, lines: &[L]) -> Vec<(Decimal, String)> {
    price(c, &ACME, lines)
        .into_iter()
        .map(|p| {
            let e = p.unwrap_or_else(|e| panic!("{e}")).unwrap();
            (e.amount, e.basis)
        })
        .collect()
}

#[test]
fn implied_multiple_procedure_pair_same_day() {
    // Two arthroscopies on one date, billed lower-valued first: 29881
    // (700.00) ranks first at 100%, 29877 (500.00) second at 50% = 250.00.
    // 97110 is not surgical and keeps 30.00.
    let got = bases(
        &ortho(),
        &[
            line("29877", &[], "1"),
            line("29881", &[], "1"),
            line("97110", &[], "1"),
        ],
    );
    assert_eq!(
        got,
        [
            (
                d("250.00"),
                "ACME HEALTH PLAN (ortho.csv:4), 29877 at 500.00, 1 unit, 2nd procedure at 50% (ortho.csv:2)"
                    .to_string()
            ),
            (
                d("700.00"),
                "ACME HEALTH PLAN (ortho.csv:3), 29881 at 700.00, 1 unit".to_string()
            ),
            (
                d("30.00"),
                "ACME HEALTH PLAN (ortho.csv:10), 97110 at 30.00, 1 unit".to_string()
            ),
        ]
    );
}

#[test]
fn procedures_on_different_dates_are_not_reduced() {
    // 700.00 and 500.00 in full: different dates of service.
    assert_eq!(
        amounts(
            &ortho(),
            &ACME,
            &[
                line("29881", &[], "1").on("2024-03-04"),
                line("29877", &[], "1").on("2024-03-05")
            ]
        ),
        [Some(d("700.00")), Some(d("500.00"))]
    );
}

#[test]
fn modifier_51_pair_and_a_lone_51() {
    // 27447 (1400.00) and 20610-51 (80.00) the same day: 80.00 × 50% = 40.00.
    let got = bases(
        &ortho(),
        &[line("27447", &[], "1"), line("20610", &["51"], "1")],
    );
    assert_eq!(got[0].0, d("1400.00"));
    assert_eq!(got[1].0, d("40.00"));
    assert!(
        got[1]
            .1
            .ends_with("20610-51 at 80.00, 1 unit, 2nd procedure at 50% (ortho.csv:2)")
    );
    // 20610-51 alone on its claim (the primary was billed on another):
    // 80.00 × 50% = 40.00, named for the modifier.
    let got = bases(&ortho(), &[line("20610", &["51"], "1")]);
    assert_eq!(
        got[0],
        (
            d("40.00"),
            "ACME HEALTH PLAN (ortho.csv:5), 20610-51 at 80.00, 1 unit, modifier 51 procedure at 50% (ortho.csv:2)"
                .to_string()
        )
    );
    // 97110-51 counts through its modifier though not surgical: with
    // 20610 (80.00) it ranks second, 30.00 × 50% = 15.00.
    assert_eq!(
        amounts(
            &ortho(),
            &ACME,
            &[line("20610", &[], "1"), line("97110", &["51"], "1")]
        ),
        [Some(d("80.00")), Some(d("15.00"))]
    );
}

#[test]
fn third_and_later_procedures_at_their_own_percentage() {
    let text = "procedure,rate,rules\n*,,mppr=50:25\n29881,700,\n29877,500,\n11042,150,\n";
    let c = load(&[("c.csv", text)], &[]);
    // 700.00 at 100%; 500.00 × 50% = 250.00; 150.00 × 25% = 37.50.
    let got = bases(
        &c,
        &[
            line("11042", &[], "1"),
            line("29877", &[], "1"),
            line("29881", &[], "1"),
        ],
    );
    let values: Vec<Decimal> = got.iter().map(|g| g.0).collect();
    assert_eq!(values, [d("37.50"), d("250.00"), d("700.00")]);
    assert!(got[0].1.ends_with("3rd procedure at 25% (c.csv:2)"));
    // Equal values: the earlier line ranks first. 500 and 500 × 50% = 250.
    let text = "procedure,rate,rules\n*,,mppr=50\n29877,500,\n";
    let c = load(&[("c.csv", text)], &[]);
    assert_eq!(
        amounts(
            &c,
            &ACME,
            &[line("29877", &[], "1"), line("29877", &[], "1")]
        ),
        [Some(d("500")), Some(d("250.00"))]
    );
}

#[test]
fn mppr_codes_widen_what_counts_and_off_exempts_a_code() {
    // A chiropractic contract reducing therapy and manipulation the same
    // day; 98941 is exempt by its own row.
    let text = "payer,procedure,rate,rules\n\
                ACME HEALTH PLAN,*,,mppr=50;mppr_codes=97010-97799 98940-98942\n\
                ACME HEALTH PLAN,97110,30.00,\n\
                ACME HEALTH PLAN,97140,31.50,\n\
                ACME HEALTH PLAN,98941,55.00,mppr=off\n";
    let c = load(&[("chiro.csv", text)], &[]);
    // 97140 31.50 ranks first; 97110 30.00 × 50% = 15.00; 98941 55.00
    // takes no part (its row switches the rule off).
    let got = bases(
        &c,
        &[
            line("98941", &[], "1"),
            line("97110", &[], "1"),
            line("97140", &["59"], "1"),
        ],
    );
    let values: Vec<Decimal> = got.iter().map(|g| g.0).collect();
    assert_eq!(values, [d("55.00"), d("15.00"), d("31.50")]);
    assert_eq!(
        got[0].1,
        "ACME HEALTH PLAN (chiro.csv:5), 98941 at 55.00, 1 unit"
    );
}

#[test]
fn without_an_mppr_rule_nothing_is_reduced() {
    // The contract states no reduction: both in full, 700.00 and 500.00.
    let text = "procedure,rate\n29881,700\n29877,500\n";
    let c = load(&[("c.csv", text)], &[]);
    assert_eq!(
        amounts(
            &c,
            &ACME,
            &[line("29881", &[], "1"), line("29877", &["51"], "1")]
        ),
        [Some(d("700")), Some(d("500"))]
    );
}

#[test]
fn bilateral_procedure_at_150_percent() {
    // 69210-50: 60.00 × 150% = 90.00.
    let got = bases(&ortho(), &[line("69210", &["50"], "1")]);
    assert_eq!(
        got[0],
        (
            d("90.00"),
            "ACME HEALTH PLAN (ortho.csv:7), 69210-50 at 60.00, 1 unit, bilateral (50) at 150% (ortho.csv:2)"
                .to_string()
        )
    );
    // Billed as 2 units it is still one bilateral procedure: 90.00.
    let got = bases(&ortho(), &[line("69210", &["50"], "2")]);
    assert_eq!(
        got[0],
        (
            d("90.00"),
            "ACME HEALTH PLAN (ortho.csv:7), 69210-50 at 60.00, 2 units billed, priced as one bilateral procedure, bilateral (50) at 150% (ortho.csv:2)"
                .to_string()
        )
    );
}

#[test]
fn bilateral_then_multiple_procedure_ranking() {
    // Ranking uses the amount after bilateral: 29881-50 is 700.00 × 150%
    // = 1050.00, below 27447's 1400.00, so it is second: 1050.00 × 50%
    // = 525.00.
    assert_eq!(
        amounts(
            &ortho(),
            &ACME,
            &[line("29881", &["50"], "1"), line("27447", &[], "1")]
        ),
        [Some(d("525.00")), Some(d("1400.00"))]
    );
}

#[test]
fn assistant_at_surgery() {
    // 27447-80: 1400.00 × 16% = 224.00.
    let got = bases(&ortho(), &[line("27447", &["80"], "1")]);
    assert_eq!(
        got[0],
        (
            d("224.00"),
            "ACME HEALTH PLAN (ortho.csv:6), 27447-80 at 1400.00, 1 unit, assistant at surgery (80) at 16% (ortho.csv:2)"
                .to_string()
        )
    );
    // AS the same: 224.00.
    assert_eq!(
        amounts(&ortho(), &ACME, &[line("27447", &["AS"], "1")]),
        [Some(d("224.00"))]
    );
    // With no assistant rule the line is not priced at the surgeon's fee.
    let c = load(&[("c.csv", "procedure,rate\n27447,1400\n")], &[]);
    let p = price(&c, &ACME, &[line("27447", &["82"], "1")]);
    assert_eq!(
        p[0].as_ref().unwrap_err().to_string(),
        "c.csv:2: 27447-82 has modifier 82 but the row prices the global service and no assistant rule gives its share"
    );
}

#[test]
fn professional_and_technical_components() {
    let c = ortho();
    // 73030-TC: only the global (40.00) applies: 40.00 × 60% = 24.00.
    let got = bases(&c, &[line("73030", &["TC"], "1")]);
    assert_eq!(
        got[0],
        (
            d("24.00"),
            "ACME HEALTH PLAN (ortho.csv:8), 73030-TC at 40.00, 1 unit, technical component (TC) at 60% of the global (ortho.csv:2)"
                .to_string()
        )
    );
    // 73030-26 has its own row: 12.50, no share.
    let got = bases(&c, &[line("73030", &["26"], "1")]);
    assert_eq!(
        got[0],
        (
            d("12.50"),
            "ACME HEALTH PLAN (ortho.csv:9), 73030-26 at 12.50, 1 unit".to_string()
        )
    );
    // 97110-26 (only the global is scheduled): 30.00 × 40% = 12.00.
    assert_eq!(
        amounts(&c, &ACME, &[line("97110", &["26"], "1")]),
        [Some(d("12.00"))]
    );
    // Without a share in the contract the component is not priced.
    let plain = load(&[("c.csv", "procedure,rate\n73030,40\n")], &[]);
    let p = price(&plain, &ACME, &[line("73030", &["26"], "1")]);
    assert_eq!(
        p[0].as_ref().unwrap_err().to_string(),
        "c.csv:2: 73030-26 has modifier 26 but the row prices the global service and no professional rule gives its share"
    );
}

#[test]
fn a_contract_may_name_its_own_component_modifier() {
    let text = "procedure,rate,rules\n*,,professional=PC:35\n93000,20.00,\n";
    let c = load(&[("c.csv", text)], &[]);
    // 93000-PC: 20.00 × 35% = 7.00.
    assert_eq!(
        amounts(&c, &ACME, &[line("93000", &["PC"], "1")]),
        [Some(d("7.00"))]
    );
}

#[test]
fn percent_of_billed_takes_no_modifier_rules() {
    // The charge of a 26 line is already the provider's component charge:
    // 60% × 50.00 = 30.00, no 40% share on top.
    let text = "procedure,rate,rules\n*,60% of billed,professional=26:40\n";
    let c = load(&[("c.csv", text)], &[]);
    assert_eq!(
        amounts(&c, &ACME, &[line("73030", &["26"], "1").billed("50.00")]),
        [Some(d("30.00"))]
    );
}

/// A Medicare claim line: 98940 at 40.00, coinsurance 8.00, sequestration
/// `seq`, paid 40.00 − 8.00 − seq.
fn medicare_line(seq: &str, b6: bool) -> L {
    let mut l = line("98940", &[], "1");
    l.paid = d("32.00") - d(seq);
    l.adjustments = vec![adjustment("PR", "2", "8.00"), adjustment("CO", "253", seq)];
    // Without AMT*B6 the allowed amount is paid + patient responsibility.
    l.allowed = if b6 { d("40.00") } else { l.paid + d("8.00") };
    l
}

const MEDICARE: Payer<'static> = Payer {
    id: "04412",
    name: "MEDICARE PART B",
    filing: "MB",
    plan: "",
};

#[test]
fn sequestration_is_expected_not_an_underpayment() {
    let c = load(&[("mb.csv", "plan,procedure,rate\nMB,98940,40.00\n")], &[]);
    // 2% of 32.00 = 0.64 sequestered; allowed = 31.36 + 8.00 = 39.36.
    // Expected 40.00 − 0.64 = 39.36: variance 0, no flag.
    let p = price(&c, &MEDICARE, &[medicare_line("0.64", false)])
        .pop()
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(p.amount, d("39.36"));
    assert_eq!(p.sequestration, d("0.64"));
    assert_eq!(
        p.basis,
        "any payer MB (mb.csv:2), 98940 at 40.00, 1 unit, less sequestration 0.64 (CARC 253)"
    );
    // With AMT*B6 = 40.00 the allowed amount already leaves sequestration
    // aside: expected stays 40.00, variance 0.
    let p = price(&c, &MEDICARE, &[medicare_line("0.64", true)])
        .pop()
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!((p.amount, p.sequestration), (d("40.00"), d("0.00")));
}

#[test]
fn sequestration_beyond_its_percentage_stays_a_shortfall() {
    let c = load(&[("mb.csv", "plan,procedure,rate\nMB,98940,40.00\n")], &[]);
    // 5.00 reported as CARC 253, but 2% of 40.00 is 0.80: expected
    // 40.00 − 0.80 = 39.20 against allowed 27.00 + 8.00 = 35.00, a 4.20
    // shortfall left for the verdict.
    let p = price(&c, &MEDICARE, &[medicare_line("5.00", false)])
        .pop()
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(p.amount, d("39.20"));
    assert_eq!(
        p.basis,
        "any payer MB (mb.csv:2), 98940 at 40.00, 1 unit, less sequestration 0.80 of 5.00 reported (CARC 253 above 2% is a shortfall)"
    );
    // A contract may switch sequestration off: expected 40.00.
    let off = load(
        &[(
            "mb.csv",
            "plan,procedure,rate,rules\nMB,98940,40.00,sequestration=off\n",
        )],
        &[],
    );
    let p = price(&off, &MEDICARE, &[medicare_line("0.64", false)])
        .pop()
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!((p.amount, p.sequestration), (d("40.00"), d("0")));
}

#[test]
fn narrower_star_rows_override_wider_ones_rule_by_rule() {
    let text = "payer,plan,procedure,rate,rules\n\
                ,,*,,mppr=50;assistant=20\n\
                ACME HEALTH PLAN,,*,,assistant=16\n\
                ACME HEALTH PLAN,HMO,*,,mppr=off\n\
                ,,29881,700,\n\
                ,,29877,500,\n";
    let c = load(&[("c.csv", text)], &[]);
    let lines = [line("29881", &[], "1"), line("29877", &["80"], "1")];
    // ACME PPO: mppr=50 from the any-payer row, assistant=16 from ACME's.
    // 29877-80: 500.00 × 16% = 80.00, ranks second: × 50% = 40.00.
    let got = bases(&c, &lines);
    assert_eq!(got[1].0, d("40.00"));
    assert_eq!(
        got[1].1,
        "any payer (c.csv:6), 29877-80 at 500.00, 1 unit, assistant at surgery (80) at 16% (c.csv:3), 2nd procedure at 50% (c.csv:2)"
    );
    // ACME HMO: mppr off: 80.00 in full.
    let hmo = Payer {
        filing: "HM",
        ..ACME
    };
    assert_eq!(
        amounts(&c, &hmo, &lines),
        [Some(d("700")), Some(d("80.00"))]
    );
    // Another payer: assistant=20 → 100.00, then 50% → 50.00.
    let other = Payer {
        id: "1",
        name: "OTHER",
        filing: "12",
        plan: "",
    };
    assert_eq!(
        amounts(&c, &other, &lines),
        [Some(d("700")), Some(d("50.00"))]
    );
}

#[test]
fn a_dated_star_row_changes_the_rules_from_its_date() {
    let text = "payer,procedure,from,to,rate,rules\n\
                ACME HEALTH PLAN,*,,,,mppr=50\n\
                ACME HEALTH PLAN,*,2025-01-01,,,mppr=25\n\
                ACME HEALTH PLAN,29881,,,700,\n\
                ACME HEALTH PLAN,29877,,,500,\n";
    let c = load(&[("c.csv", text)], &[]);
    let pair = |date: &str| {
        [
            line("29881", &[], "1").on(date),
            line("29877", &[], "1").on(date),
        ]
    };
    // 2024: 500 × 50% = 250.00; 2025: 500 × 25% = 125.00.
    assert_eq!(
        amounts(&c, &ACME, &pair("2024-12-31"))[1],
        Some(d("250.00"))
    );
    assert_eq!(
        amounts(&c, &ACME, &pair("2025-01-01"))[1],
        Some(d("125.00"))
    );
}
