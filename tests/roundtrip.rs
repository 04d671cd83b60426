//! Property test: random valid 835s (random delimiters, line breaks,
//! claims, lines, adjustments, provider adjustments) are written as X12,
//! parsed back, and every amount compared; they must validate cleanly.

use proptest::prelude::*;
use remit::{ClaimPayment, Consumer, RemittanceHeader, RemittanceTrailer, scan_slice};
use rust_decimal::Decimal;

#[derive(Clone, Debug)]
struct Line {
    charge: i64,
    adjustments: Vec<(&'static str, &'static str, i64)>,
}

#[derive(Clone, Debug)]
struct Claim {
    lines: Vec<Line>,
    charge_without_lines: i64,
    adjustments: Vec<(&'static str, &'static str, i64)>,
}

#[derive(Clone, Debug)]
struct Remit {
    delimiters: [u8; 4],
    line_break: &'static str,
    claims: Vec<Claim>,
    plbs: Vec<(&'static str, bool, i64)>,
}

fn cents(c: i64) -> String {
    Decimal::new(c, 2).normalize().to_string()
}

fn adjustment() -> impl Strategy<Value = (&'static str, &'static str, i64)> {
    (
        prop::sample::select(vec![
            ("CO", "45"),
            ("PR", "1"),
            ("PR", "3"),
            ("OA", "23"),
            ("CO", "197"),
            ("PI", "16"),
        ]),
        -5_000i64..50_000,
    )
        .prop_map(|((g, r), a)| (g, r, a))
}

fn line() -> impl Strategy<Value = Line> {
    (0i64..200_000, prop::collection::vec(adjustment(), 0..4)).prop_map(|(charge, adjustments)| {
        Line {
            charge,
            adjustments,
        }
    })
}

fn claim() -> impl Strategy<Value = Claim> {
    (
        prop::collection::vec(line(), 0..4),
        0i64..300_000,
        prop::collection::vec(adjustment(), 0..3),
    )
        .prop_map(|(lines, charge_without_lines, adjustments)| Claim {
            lines,
            charge_without_lines,
            adjustments,
        })
}

fn remittance() -> impl Strategy<Value = Remit> {
    let delimiters = prop::sample::select(vec![*b"*:^~", *b"|>}\n", *b"!`^\x07", *b"+\\@'"]);
    let breaks = prop::sample::select(vec!["", "\n", "\r\n"]);
    let plb = (
        prop::sample::select(vec!["WO", "L6", "FB", "72", "CS"]),
        any::<bool>(),
        -20_000i64..20_000,
    )
        .prop_filter("PLB amounts are never zero", |(_, _, a)| *a != 0);
    (
        delimiters,
        breaks,
        prop::collection::vec(claim(), 1..6),
        prop::collection::vec(plb, 0..4),
    )
        .prop_map(|(delimiters, line_break, claims, plbs)| Remit {
            delimiters,
            line_break,
            claims,
            plbs,
        })
}

impl Claim {
    fn charge(&self) -> i64 {
        if self.lines.is_empty() {
            self.charge_without_lines
        } else {
            self.lines.iter().map(|l| l.charge).sum()
        }
    }
    fn paid(&self) -> i64 {
        let line_adj: i64 = self
            .lines
            .iter()
            .flat_map(|l| &l.adjustments)
            .map(|a| a.2)
            .sum();
        self.charge() - line_adj - self.adjustments.iter().map(|a| a.2).sum::<i64>()
    }
}

/// Writes the remittance as one interchange, counting segments.
fn write(r: &Remit) -> (String, i64) {
    let [e, c, rep, t] = r.delimiters.map(|b| b as char);
    let mut body: Vec<String> = Vec::new();
    let paid: i64 =
        r.claims.iter().map(Claim::paid).sum::<i64>() - r.plbs.iter().map(|p| p.2).sum::<i64>();
    let (handling, method) = if paid == 0 {
        ("H", "NON")
    } else {
        ("I", "CHK")
    };
    body.push(format!(
        "BPR{e}{handling}{e}{}{e}C{e}{method}{e}{e}{e}{e}{e}{e}{e}{e}{e}{e}{e}{e}20240301",
        cents(paid)
    ));
    body.push(format!("TRN{e}1{e}TRACE1{e}1999999999"));
    body.push(format!("N1{e}PR{e}PAYER"));
    body.push(format!("N1{e}PE{e}PRACTICE{e}XX{e}1234567893"));
    for (i, claim) in r.claims.iter().enumerate() {
        body.push(format!("LX{e}{}", i + 1));
        body.push(format!(
            "CLP{e}C{i}{e}1{e}{}{e}{}{e}{e}12{e}ICN{i}",
            cents(claim.charge()),
            cents(claim.paid())
        ));
        for (g, reason, a) in &claim.adjustments {
            body.push(format!("CAS{e}{g}{e}{reason}{e}{}", cents(*a)));
        }
        body.push(format!("NM1{e}QC{e}1{e}DOE{e}JO{e}{e}{e}{e}MI{e}M{i}"));
        for (j, line) in claim.lines.iter().enumerate() {
            let paid = line.charge - line.adjustments.iter().map(|a| a.2).sum::<i64>();
            body.push(format!(
                "SVC{e}HC{c}9921{j}{c}25{e}{}{e}{}{e}{e}1",
                cents(line.charge),
                cents(paid)
            ));
            body.push(format!("DTM{e}472{e}20240105"));
            for (g, reason, a) in &line.adjustments {
                body.push(format!("CAS{e}{g}{e}{reason}{e}{}", cents(*a)));
            }
        }
    }
    for (reason, names_claim, amount) in &r.plbs {
        let reference = if *names_claim { "ICN0" } else { "OTHER" };
        body.push(format!(
            "PLB{e}1234567893{e}20241231{e}{reason}{c}{reference}{e}{}",
            cents(*amount)
        ));
    }
    let isa = format!(
        "ISA{e}00{e}          {e}00{e}          {e}ZZ{e}SENDER         {e}ZZ{e}RECEIVER       {e}240301{e}1200{e}{rep}{e}00501{e}000000001{e}0{e}P{e}{c}"
    );
    let mut segments = vec![
        isa,
        format!("GS{e}HP{e}S{e}R{e}20240301{e}1200{e}1{e}X{e}005010X221A1"),
        format!("ST{e}835{e}0001"),
    ];
    let count = body.len() + 2;
    segments.extend(body);
    segments.push(format!("SE{e}{count}{e}0001"));
    segments.push(format!("GE{e}1{e}1"));
    segments.push(format!("IEA{e}1{e}000000001"));
    let mut text = String::new();
    for s in segments {
        text.push_str(&s);
        text.push(t);
        text.push_str(r.line_break);
    }
    (text, paid)
}

/// A line read back: charge, paid, adjustment amounts.
type LineAmounts = (Decimal, Decimal, Vec<Decimal>);
/// A claim read back: charge, paid, claim adjustment amounts, lines.
type ClaimAmounts = (Decimal, Decimal, Vec<Decimal>, Vec<LineAmounts>);

#[derive(Default)]
struct Amounts {
    bpr: Vec<Decimal>,
    claims: Vec<ClaimAmounts>,
    plbs: Vec<Decimal>,
}

impl Consumer for Amounts {
    fn remittance_header(&mut self, h: &RemittanceHeader) {
        self.bpr.push(h.payment.amount);
    }
    fn claim_payment(&mut self, c: &ClaimPayment) {
        let lines = c
            .lines
            .iter()
            .map(|l| {
                (
                    l.charge,
                    l.paid,
                    l.adjustments.iter().map(|a| a.amount).collect(),
                )
            })
            .collect();
        self.claims.push((
            c.charge,
            c.paid,
            c.adjustments.iter().map(|a| a.amount).collect(),
            lines,
        ));
    }
    fn remittance_end(&mut self, t: &RemittanceTrailer) {
        self.plbs
            .extend(t.provider_adjustments.iter().map(|p| p.amount));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn every_amount_survives_writing_and_parsing(r in remittance()) {
        let (text, paid) = write(&r);
        let mut amounts = Amounts::default();
        let summary = scan_slice(text.as_bytes(), &mut amounts);
        prop_assert!(summary.issues.is_valid(), "{:?}\n{}", summary.issues, text);
        prop_assert_eq!(amounts.bpr, vec![Decimal::new(paid, 2)]);
        prop_assert_eq!(amounts.claims.len(), r.claims.len());
        for (got, want) in amounts.claims.iter().zip(&r.claims) {
            prop_assert_eq!(got.0, Decimal::new(want.charge(), 2));
            prop_assert_eq!(got.1, Decimal::new(want.paid(), 2));
            let adj: Vec<Decimal> = want.adjustments.iter().map(|a| Decimal::new(a.2, 2)).collect();
            prop_assert_eq!(&got.2, &adj);
            prop_assert_eq!(got.3.len(), want.lines.len());
            for (gl, wl) in got.3.iter().zip(&want.lines) {
                prop_assert_eq!(gl.0, Decimal::new(wl.charge, 2));
                let line_adj: Vec<Decimal> = wl.adjustments.iter().map(|a| Decimal::new(a.2, 2)).collect();
                prop_assert_eq!(&gl.2, &line_adj);
                prop_assert_eq!(gl.1, gl.0 - line_adj.iter().copied().sum::<Decimal>());
            }
        }
        let plbs: Vec<Decimal> = r.plbs.iter().map(|p| Decimal::new(p.2, 2)).collect();
        prop_assert_eq!(amounts.plbs, plbs);
    }
}
