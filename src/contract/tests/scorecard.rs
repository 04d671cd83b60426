//! The payer scorecard, with every total worked out by hand.

use super::*;

struct In {
    payer: &'static str,
    procedure: &'static str,
    units: &'static str,
    billed: &'static str,
    allowed: &'static str,
    expected: Option<&'static str>,
    paid: &'static str,
    denial: Option<&'static str>,
    service: &'static str,
    payment: &'static str,
}

/// A line not denied: `[units, billed, allowed, paid]`, the expected
/// amount, `(service date, payment date)`.
const fn paid(
    (payer, procedure): (&'static str, &'static str),
    [units, billed, allowed, paid]: [&'static str; 4],
    expected: Option<&'static str>,
    (service, payment): (&'static str, &'static str),
) -> In {
    In {
        payer,
        procedure,
        units,
        billed,
        allowed,
        expected,
        paid,
        denial: None,
        service,
        payment,
    }
}

const fn denied(payer: &'static str, procedure: &'static str, category: &'static str) -> In {
    In {
        payer,
        procedure,
        units: "1",
        billed: "60.00",
        allowed: "0",
        expected: None,
        paid: "0",
        denial: Some(category),
        service: "2024-03-22",
        payment: "2024-04-20",
    }
}

#[rustfmt::skip]
const LINES: [In; 8] = [
    paid(("ACME", "97110"), ["2", "120.00", "60.00", "48.00"], Some("60.00"), ("2024-03-01", "2024-03-21")),
    paid(("ACME", "97110"), ["1", "60.00", "28.00", "22.40"], Some("30.00"), ("2024-03-08", "2024-04-07")),
    paid(("ACME", "97110"), ["3", "180.00", "87.00", "69.60"], Some("90.00"), ("2024-03-15", "2024-04-24")),
    denied("ACME", "97110", "medical_necessity"),
    denied("ACME", "97110", "timely_filing"),
    paid(("ACME", "98940"), ["1", "75.00", "45.00", "36.00"], Some("42.50"), ("2024-03-01", "2024-03-31")),
    paid(("OTHER", "97110"), ["1", "60.00", "35.00", "35.00"], None, ("2024-01-01", "2024-01-15")),
    paid(("OTHER", "97110"), ["1", "60.00", "33.00", "33.00"], None, ("2024-01-01", "2024-01-22")),
];

fn scorecard() -> Vec<ScorecardRow> {
    let c = load(
        &[],
        &[(
            "ucr",
            "ucr.csv",
            "procedure,amount\n97110,40.00\n98940,50.00\n",
        )],
    );
    let mut card = Scorecard::new(c.references());
    for l in &LINES {
        card.add(&ScorecardLine {
            payer: l.payer,
            procedure: l.procedure,
            modifiers: &[],
            place: Place::NonFacility,
            units: d(l.units),
            billed: d(l.billed),
            allowed: d(l.allowed),
            expected: l.expected.map(d),
            paid: d(l.paid),
            denial: l.denial,
            service_date: Some(day(l.service)),
            payment_date: Some(day(l.payment)),
        })
        .unwrap();
    }
    card.finish()
}

#[test]
fn one_payer_and_procedure_worked_by_hand() {
    let rows = scorecard();
    assert_eq!(rows.len(), 3);
    let r = &rows[0];
    assert_eq!((r.payer.as_str(), r.procedure.as_str()), ("ACME", "97110"));
    // 5 lines; units 2 + 1 + 3 + 1 + 1 = 8.
    assert_eq!((r.lines, r.units), (5, d("8")));
    // Billed 120 + 60 + 180 + 60 + 60 = 480.00; allowed 60 + 28 + 87 =
    // 175.00; paid 48.00 + 22.40 + 69.60 = 140.00.
    assert_eq!(
        (r.billed, r.allowed, r.paid),
        (d("480.00"), d("175.00"), d("140.00"))
    );
    // Allowed per unit on the lines not denied: 60/2 = 30, 28/1 = 28,
    // 87/3 = 29 → min 28.00, median 29.00, max 30.00.
    assert_eq!(
        r.allowed_per_unit,
        Some(Spread {
            min: d("28.00"),
            median: d("29.00"),
            max: d("30.00")
        })
    );
    // Expected 60 + 30 + 90 = 180.00 on 3 lines; underpaid 30 − 28 = 2.00
    // and 90 − 87 = 3.00: 2 lines, shortfall 5.00.
    assert_eq!((r.expected_lines, r.expected), (3, d("180.00")));
    assert_eq!((r.underpaid_lines, r.shortfall), (2, d("5.00")));
    // Allowed ÷ billed on the lines not denied: 175 ÷ 360 = 48.611…% → 48.61.
    assert_eq!(r.allowed_percent_of_billed, Some(d("48.61")));
    // UCR 40.00 a unit: 40 × (2 + 1 + 3) = 240.00; 175 ÷ 240 = 72.916…%.
    assert_eq!(
        r.references,
        [ReferenceShare {
            name: "ucr".into(),
            lines: 3,
            reference: d("240.00"),
            allowed: d("175.00"),
            percent: Some(d("72.92")),
        }]
    );
    // 2 of 5 denied = 40%, one per category = 20% each.
    assert_eq!((r.denied_lines, r.denial_percent), (2, d("40.00")));
    assert_eq!(
        r.denials,
        [
            DenialShare {
                category: "medical_necessity".into(),
                lines: 1,
                percent: d("20.00")
            },
            DenialShare {
                category: "timely_filing".into(),
                lines: 1,
                percent: d("20.00")
            },
        ]
    );
    // Paid lines took 20, 30 and 40 days: median 30.
    assert_eq!(r.median_days_to_payment, Some(d("30")));
}

#[test]
fn the_other_rows_and_an_even_median() {
    let rows = scorecard();
    let acme = &rows[1];
    assert_eq!(acme.procedure, "98940");
    // One line: allowed 45.00 = 60% of 75.00 and 90% of UCR 50.00; expected
    // 42.50 < 45.00, no shortfall; 30 days.
    assert_eq!(acme.allowed_percent_of_billed, Some(d("60.00")));
    assert_eq!(acme.references[0].percent, Some(d("90.00")));
    assert_eq!((acme.underpaid_lines, acme.shortfall), (0, d("0")));
    assert_eq!(acme.median_days_to_payment, Some(d("30")));
    let other = &rows[2];
    assert_eq!(other.payer, "OTHER");
    // Per unit 33 and 35: median (33 + 35) / 2 = 34.00. No expected amounts.
    assert_eq!(other.allowed_per_unit.as_ref().unwrap().median, d("34.00"));
    assert_eq!((other.expected_lines, other.expected), (0, d("0")));
    // 68 ÷ 120 = 56.666…% → 56.67; 68 ÷ 80 = 85%.
    assert_eq!(other.allowed_percent_of_billed, Some(d("56.67")));
    assert_eq!(other.references[0].percent, Some(d("85.00")));
    // 14 and 21 days: median 17.5.
    assert_eq!(other.median_days_to_payment, Some(d("17.5")));
    assert_eq!((other.denied_lines, other.denial_percent), (0, d("0")));
}

#[test]
fn totals_tie_to_the_lines_given() {
    let rows = scorecard();
    let sum = |f: fn(&ScorecardRow) -> Decimal| rows.iter().map(f).sum::<Decimal>();
    let given = |f: fn(&In) -> &'static str| LINES.iter().map(|l| d(f(l))).sum::<Decimal>();
    assert_eq!(sum(|r| r.billed), given(|l| l.billed));
    assert_eq!(sum(|r| r.allowed), given(|l| l.allowed));
    assert_eq!(sum(|r| r.paid), given(|l| l.paid));
    assert_eq!(
        rows.iter().map(|r| r.lines).sum::<u64>(),
        LINES.len() as u64
    );
    // The shortfall is the ledger's negative variances (allowed − expected):
    // −2.00 and −3.00.
    let variances: Decimal = LINES
        .iter()
        .filter_map(|l| Some(d(l.allowed) - d(l.expected?)))
        .filter(|v| *v < Decimal::ZERO)
        .sum();
    assert_eq!(sum(|r| r.shortfall), -variances);
    assert_eq!(sum(|r| r.shortfall), d("5.00"));
}

#[test]
fn an_empty_input_has_no_rows() {
    let refs = References::default();
    assert!(Scorecard::new(&refs).finish().is_empty());
}
