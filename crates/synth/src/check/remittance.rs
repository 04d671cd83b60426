//! Re-checks 835 content: line, claim and transaction balancing, PLB
//! references, reversals negating their original exactly.

use std::collections::{HashMap, HashSet};

use rust_decimal::Decimal;

use super::{Parsed, Seg, amount, check_envelopes, date, el, npi_ok, parse};

/// One SVC loop.
#[derive(Clone, Debug, Default)]
pub(crate) struct PaidLine {
    /// SVC06 when present, else SVC01: the procedure as billed.
    pub(crate) billed_code: String,
    pub(crate) charge: Decimal,
    pub(crate) paid: Decimal,
    pub(crate) units: String,
    pub(crate) date: String,
    pub(crate) control: Option<String>,
    cas: Decimal,
    pr: Decimal,
    allowed: Option<Decimal>,
}

/// One CLP loop.
#[derive(Clone, Debug, Default)]
pub(crate) struct PaidClaim {
    pub(crate) clp01: String,
    pub(crate) status: String,
    pub(crate) icn: String,
    pub(crate) charge: Decimal,
    pub(crate) paid: Decimal,
    pub(crate) patient: Decimal,
    pub(crate) member: String,
    pub(crate) payee_npi: String,
    /// CLP08: place of service or facility type.
    pub(crate) facility: String,
    /// Whether MIA (inpatient adjudication) was present.
    pub(crate) inpatient: bool,
    pub(crate) lines: Vec<PaidLine>,
    interest: Decimal,
    claim_cas: Decimal,
    pr: Decimal,
    /// Every amount of the loop in order, to compare a reversal with its original.
    amounts: Vec<Decimal>,
}

/// How often each feature occurred, so tests can require them.
#[derive(Clone, Debug, Default)]
pub(crate) struct Features {
    /// Reversals whose original payment is in the file and exactly negated.
    pub(crate) reversals_checked: usize,
    pub(crate) reversals: usize,
    /// PLB counts by reason and sign, e.g. "WO+", "L6-".
    pub(crate) plb: HashMap<String, usize>,
    /// Segment or code counts, e.g. "CO-16", "MOA", "DTM*050", "SVC06", "BPR-H".
    pub(crate) seen: HashMap<String, usize>,
}

/// Everything an 835 file said.
#[derive(Debug, Default)]
pub(crate) struct Remittance {
    pub(crate) interchanges: u64,
    pub(crate) groups: u64,
    pub(crate) transactions: u64,
    pub(crate) claims: Vec<PaidClaim>,
    pub(crate) lines: u64,
    pub(crate) billed: Decimal,
    pub(crate) paid: Decimal,
    pub(crate) features: Features,
}

/// Re-checks an 835 file.
pub(crate) fn check_835(bytes: &[u8]) -> Remittance {
    let p = parse(bytes);
    let env = check_envelopes(&p, &["005010X221A1"]);
    let mut r = Remittance {
        interchanges: env.interchanges,
        groups: env.groups,
        transactions: env.transactions.len() as u64,
        ..Remittance::default()
    };
    let mut earlier_icns = HashSet::new();
    let mut originals: HashMap<String, Vec<Decimal>> = HashMap::new();
    for (range, _) in env.transactions {
        let claims = check_transaction(
            &p,
            &p.segs[range],
            &earlier_icns,
            &mut r.features,
            &mut r.paid,
        );
        for c in claims {
            check_reversal(&c, &originals, &mut r.features);
            earlier_icns.insert(c.icn.clone());
            if c.status != "22" {
                originals.insert(c.icn.clone(), c.amounts.clone());
            }
            r.lines += c.lines.len() as u64;
            r.billed += c.charge;
            r.claims.push(c);
        }
    }
    r
}

fn check_reversal(c: &PaidClaim, originals: &HashMap<String, Vec<Decimal>>, f: &mut Features) {
    if c.status != "22" {
        return;
    }
    f.reversals += 1;
    if let Some(original) = originals.get(&c.icn) {
        let negated: Vec<Decimal> = original.iter().map(|a| -a).collect();
        assert_eq!(
            c.amounts, negated,
            "reversal {} does not negate its original",
            c.icn
        );
        f.reversals_checked += 1;
    }
}

#[derive(Default)]
struct Plb {
    total: Decimal,
    interest: Decimal,
}

fn check_transaction(
    p: &Parsed,
    segs: &[Seg],
    earlier: &HashSet<String>,
    f: &mut Features,
    paid_total: &mut Decimal,
) -> Vec<PaidClaim> {
    assert_eq!(el(&segs[0], 1), "835");
    let find = |tag: &str, q: &str| {
        segs.iter()
            .find(|s| el(s, 0) == tag && (q.is_empty() || el(s, 1) == q))
    };
    let payee = find("N1", "PE").expect("N1*PE");
    assert_eq!(el(payee, 3), "XX");
    let npi = el(payee, 4).to_owned();
    assert!(npi_ok(&npi), "NPI {npi}");
    date(el(find("DTM", "405").expect("DTM*405"), 2));
    assert!(find("N1", "PR").is_some() && find("PER", "BL").is_some());
    let mut claims: Vec<PaidClaim> = Vec::new();
    let mut plb = Plb::default();
    for s in segs {
        read_segment(p, s, &npi, &mut claims, &mut plb, earlier, f);
    }
    for c in &claims {
        check_claim(c, f);
    }
    check_reversals_follow(&claims);
    let interest: Decimal = claims.iter().map(|c| c.interest).sum();
    assert_eq!(plb.interest, -interest, "PLB L6 = -sum AMT*I");
    let clp04: Decimal = claims.iter().map(|c| c.paid).sum();
    let bpr = find("BPR", "").expect("BPR");
    let bpr02 = amount(el(bpr, 2));
    assert_eq!(bpr02, clp04 - plb.total, "BPR02 = sum CLP04 - sum PLB");
    check_bpr(bpr, bpr02, find("TRN", "1").expect("TRN"), f);
    *paid_total += bpr02;
    claims
}

fn check_bpr(bpr: &Seg, bpr02: Decimal, trn: &Seg, f: &mut Features) {
    assert!(bpr02 >= Decimal::ZERO);
    date(el(bpr, 16));
    if bpr02.is_zero() {
        assert_eq!((el(bpr, 1), el(bpr, 4)), ("H", "NON"));
        *f.seen.entry("BPR-H".into()).or_default() += 1;
    } else {
        assert_eq!(el(bpr, 1), "I");
    }
    assert!(
        el(trn, 3).starts_with('1') && el(trn, 3).len() == 10,
        "TRN03"
    );
    if el(bpr, 4) == "ACH" {
        assert_eq!(el(bpr, 10), el(trn, 3), "BPR10 = TRN03");
    }
}

fn read_segment(
    p: &Parsed,
    s: &Seg,
    npi: &str,
    claims: &mut Vec<PaidClaim>,
    plb: &mut Plb,
    earlier: &HashSet<String>,
    f: &mut Features,
) {
    let tag = el(s, 0);
    if tag == "CLP" {
        claims.push(claim_of(s, npi));
        return;
    }
    if tag == "PLB" {
        read_plb(p, s, npi, claims, plb, earlier, f);
        return;
    }
    let Some(c) = claims.last_mut() else { return };
    match (tag, el(s, 1)) {
        ("SVC", _) => c.lines.push(line_of(p, s, &mut c.amounts, f)),
        ("CAS", _) => read_cas(s, c, f),
        ("NM1", "QC") => c.member = el(s, 9).to_owned(),
        ("AMT", "I") => {
            c.interest = amount(el(s, 2));
            c.amounts.push(c.interest);
        }
        ("AMT", "B6") => {
            let line = c.lines.last_mut().expect("B6 outside a line");
            line.allowed = Some(amount(el(s, 2)));
            c.amounts.push(line.allowed.unwrap());
        }
        ("DTM", "472") => {
            c.lines.last_mut().expect("DTM*472 outside a line").date = el(s, 2).to_owned()
        }
        ("DTM", "050") => count(f, "DTM*050"),
        ("REF", "6R") => {
            c.lines.last_mut().expect("6R outside a line").control = Some(el(s, 2).to_owned())
        }
        ("MOA", _) => count(f, "MOA"),
        ("MIA", _) => read_mia(s, c, f),
        ("DTM", "232" | "233") => count(f, "DTM*232/233"),
        ("LQ", "HE") => count(f, &format!("LQ*HE*{}", el(s, 2))),
        _ => {}
    }
    if tag == "DTM" {
        date(el(s, 2));
    }
}

fn count(f: &mut Features, what: &str) {
    *f.seen.entry(what.to_owned()).or_default() += 1;
}

fn claim_of(s: &Seg, npi: &str) -> PaidClaim {
    let patient = if el(s, 5).is_empty() {
        Decimal::ZERO
    } else {
        amount(el(s, 5))
    };
    let (charge, paid) = (amount(el(s, 3)), amount(el(s, 4)));
    assert!(!el(s, 7).is_empty(), "CLP07 is required");
    PaidClaim {
        clp01: el(s, 1).to_owned(),
        status: el(s, 2).to_owned(),
        icn: el(s, 7).to_owned(),
        charge,
        paid,
        patient,
        payee_npi: npi.to_owned(),
        facility: el(s, 8).to_owned(),
        amounts: vec![charge, paid, patient],
        ..PaidClaim::default()
    }
}

fn line_of(p: &Parsed, s: &Seg, amounts: &mut Vec<Decimal>, f: &mut Features) -> PaidLine {
    let (charge, paid) = (amount(el(s, 2)), amount(el(s, 3)));
    amounts.extend([charge, paid]);
    let recoded = !el(s, 6).is_empty();
    if recoded {
        count(f, "SVC06");
        assert_ne!(el(s, 6), el(s, 1), "SVC06 only when the code changed");
    }
    let billed = if recoded { el(s, 6) } else { el(s, 1) };
    let (hc, nu) = (format!("HC{}", p.component), format!("NU{}", p.component));
    assert!(
        billed.starts_with(&hc) || billed.starts_with(&nu),
        "SVC01 {billed}"
    );
    let revenue = el(s, 4);
    assert!(revenue.is_empty() || revenue.len() == 4, "SVC04 {revenue}");
    PaidLine {
        billed_code: if revenue.is_empty() {
            billed.to_owned()
        } else {
            format!("{billed}/{revenue}")
        },
        charge,
        paid,
        units: el(s, 5).to_owned(),
        ..PaidLine::default()
    }
}

/// MIA: inpatient adjudication; MIA04, when present, is an amount.
fn read_mia(s: &Seg, c: &mut PaidClaim, f: &mut Features) {
    assert!(c.lines.is_empty(), "MIA after a service line");
    el(s, 1).parse::<u32>().expect("MIA01 covered days");
    if !el(s, 4).is_empty() {
        c.amounts.push(amount(el(s, 4)));
    }
    c.inpatient = true;
    count(f, "MIA");
}

fn read_cas(s: &Seg, c: &mut PaidClaim, f: &mut Features) {
    let group = el(s, 1);
    assert!(["CO", "PR", "OA", "PI"].contains(&group), "CAS01 {group}");
    let mut sum = Decimal::ZERO;
    for j in (2..s.len()).step_by(3) {
        let value = amount(el(s, j + 1));
        count(f, &format!("{group}-{}", el(s, j)));
        c.amounts.push(value);
        sum += value;
    }
    let pr = if group == "PR" { sum } else { Decimal::ZERO };
    c.pr += pr;
    match c.lines.last_mut() {
        Some(line) => {
            line.cas += sum;
            line.pr += pr;
        }
        None => {
            c.claim_cas += sum;
            count(f, "claim CAS");
        }
    }
}

fn read_plb(
    p: &Parsed,
    s: &Seg,
    npi: &str,
    claims: &[PaidClaim],
    plb: &mut Plb,
    earlier: &HashSet<String>,
    f: &mut Features,
) {
    assert_eq!(el(s, 1), npi, "PLB01 = payee NPI");
    date(el(s, 2));
    for j in (3..s.len()).step_by(2) {
        let (reason, reference) = el(s, j)
            .split_once(p.component)
            .expect("PLB reason:reference");
        let value = amount(el(s, j + 1));
        assert!(!value.is_zero(), "zero PLB amount");
        let sign = if value > Decimal::ZERO { '+' } else { '-' };
        *f.plb.entry(format!("{reason}{sign}")).or_default() += 1;
        let here = |status: Option<&str>| {
            claims
                .iter()
                .any(|c| c.icn == reference && status.is_none_or(|st| c.status == st))
        };
        match (reason, sign) {
            ("WO", '+') => assert!(
                earlier.contains(reference),
                "WO+ {reference} is no earlier CLP07"
            ),
            ("WO" | "72", '-') => {
                assert!(here(Some("22")), "{reason} {reference} is no reversal here")
            }
            ("L6", _) => assert!(here(None), "L6 {reference} is no claim here"),
            ("FB", _) => {}
            _ => panic!("unexpected PLB {reason}"),
        }
        if reason == "L6" {
            plb.interest += value;
        }
        plb.total += value;
    }
}

fn check_claim(c: &PaidClaim, f: &mut Features) {
    let mut line_cas = Decimal::ZERO;
    for l in &c.lines {
        assert_eq!(
            l.charge - l.cas,
            l.paid,
            "SVC02 - CAS = SVC03 in {}",
            c.clp01
        );
        if let Some(allowed) = l.allowed {
            assert_eq!(allowed, l.paid + l.pr, "B6 = SVC03 + PR in {}", c.clp01);
        }
        date(&l.date);
        line_cas += l.cas;
    }
    assert_eq!(
        c.charge - c.claim_cas - line_cas,
        c.paid,
        "CLP03 - CAS = CLP04 in {}",
        c.clp01
    );
    if c.inpatient {
        assert!(
            c.lines.is_empty() && c.facility == "11",
            "inpatient claims are paid at claim level"
        );
    } else {
        assert!(!c.lines.is_empty(), "no service lines in {}", c.clp01);
        assert_eq!(
            c.charge,
            c.lines.iter().map(|l| l.charge).sum::<Decimal>(),
            "CLP03 = sum SVC02"
        );
    }
    assert!(
        ["11", "13"].contains(&c.facility.as_str()),
        "CLP08 {}",
        c.facility
    );
    assert_eq!(c.patient, c.pr, "CLP05 = sum PR in {}", c.clp01);
    assert!(
        ["1", "22"].contains(&c.status.as_str()),
        "CLP02 {}",
        c.status
    );
    assert!(!c.member.is_empty(), "NM1*QC member id");
    if c.interest != Decimal::ZERO {
        count(f, "AMT*I");
    }
}

/// Every reversal is followed in the same transaction by its correction.
fn check_reversals_follow(claims: &[PaidClaim]) {
    for (i, c) in claims.iter().enumerate() {
        if c.status == "22" {
            let next = claims.get(i + 1).expect("reversal without correction");
            assert_eq!(
                (next.clp01.as_str(), next.status.as_str()),
                (c.clp01.as_str(), "1")
            );
            assert_ne!(next.icn, c.icn, "correction has a new CLP07");
        }
    }
}
