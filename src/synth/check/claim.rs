//! Re-checks 837P content (HL hierarchy, CLM02 = ΣSV102, frequency and
//! REF*F8, unique REF*6R) and matches 835 claims against it.

use std::collections::{HashMap, HashSet};

use rust_decimal::Decimal;

use super::remittance::{PaidClaim, Remittance};
use super::{Parsed, Seg, amount, check_envelopes, date, el, npi_ok, parse};

/// One SV1 loop.
#[derive(Clone, Debug, Default)]
pub(crate) struct BilledLine {
    pub(crate) code: String,
    pub(crate) charge: Decimal,
    pub(crate) units: String,
    pub(crate) date: String,
    pub(crate) control: String,
}

/// One CLM loop.
#[derive(Clone, Debug, Default)]
pub(crate) struct BilledClaim {
    pub(crate) clm01: String,
    pub(crate) charge: Decimal,
    pub(crate) frequency: char,
    pub(crate) prior: Option<String>,
    pub(crate) member: String,
    pub(crate) npi: String,
    pub(crate) lines: Vec<BilledLine>,
}

/// Everything an 837 file said.
#[derive(Debug, Default)]
pub(crate) struct ClaimFile {
    pub(crate) transactions: u64,
    pub(crate) claims: Vec<BilledClaim>,
    pub(crate) lines: u64,
    pub(crate) billed: Decimal,
}

/// Re-checks an 837P file.
pub(crate) fn check_837(bytes: &[u8]) -> ClaimFile {
    let p = parse(bytes);
    let env = check_envelopes(&p, "005010X222A1");
    let mut file = ClaimFile {
        transactions: env.transactions.len() as u64,
        ..ClaimFile::default()
    };
    for range in env.transactions {
        let segs = &p.segs[range];
        check_header(segs);
        check_hierarchy(segs);
        for c in claims_of(&p, segs) {
            check_claim(&c);
            file.lines += c.lines.len() as u64;
            file.billed += c.charge;
            file.claims.push(c);
        }
    }
    file
}

fn check_header(segs: &[Seg]) {
    assert_eq!((el(&segs[0], 1), el(&segs[0], 3)), ("837", "005010X222A1"));
    let bht = &segs[1];
    assert_eq!((el(bht, 0), el(bht, 1), el(bht, 6)), ("BHT", "0019", "CH"));
    date(el(bht, 4));
}

/// HL01 counts from 1; 22 hangs under 20, 23 under 22; HL04 says whether
/// children follow.
fn check_hierarchy(segs: &[Seg]) {
    let hls: Vec<&Seg> = segs.iter().filter(|s| el(s, 0) == "HL").collect();
    let mut levels = HashMap::new();
    for (i, hl) in hls.iter().enumerate() {
        assert_eq!(el(hl, 1), (i + 1).to_string(), "HL01");
        let level = el(hl, 3);
        let parent = levels.get(el(hl, 2)).copied().unwrap_or("");
        let expected = match level {
            "20" => "",
            "22" => "20",
            "23" => "22",
            other => panic!("HL03 {other}"),
        };
        assert_eq!(parent, expected, "HL parent of {hl:?}");
        levels.insert(el(hl, 1), level);
        let has_child = hls.get(i + 1).is_some_and(|next| el(next, 2) == el(hl, 1));
        assert_eq!(
            el(hl, 4),
            if has_child { "1" } else { "0" },
            "HL04 of {hl:?}"
        );
    }
}

fn claims_of(p: &Parsed, segs: &[Seg]) -> Vec<BilledClaim> {
    let mut claims: Vec<BilledClaim> = Vec::new();
    let (mut npi, mut member) = (String::new(), String::new());
    for s in segs {
        match (el(s, 0), el(s, 1)) {
            ("NM1", "85") => {
                assert_eq!(el(s, 8), "XX");
                npi = el(s, 9).to_owned();
                assert!(npi_ok(&npi), "billing NPI {npi}");
            }
            ("NM1", "IL") => member = el(s, 9).to_owned(),
            ("CLM", _) => claims.push(clm_of(p, s, &npi, &member)),
            ("REF", "F8") => {
                claims.last_mut().expect("F8 before CLM").prior = Some(el(s, 2).to_owned())
            }
            ("SV1", _) => claims
                .last_mut()
                .expect("SV1 before CLM")
                .lines
                .push(sv1_of(p, s)),
            ("LX", n) => assert_eq!(n, (claims.last().expect("LX").lines.len() + 1).to_string()),
            ("DTP", "472") => {
                assert_eq!(el(s, 2), "D8");
                date(el(s, 3));
                line_of(&mut claims).date = el(s, 3).to_owned();
            }
            ("REF", "6R") => line_of(&mut claims).control = el(s, 2).to_owned(),
            _ => {}
        }
    }
    claims
}

fn line_of(claims: &mut [BilledClaim]) -> &mut BilledLine {
    claims
        .last_mut()
        .and_then(|c| c.lines.last_mut())
        .expect("line segment before SV1")
}

fn clm_of(p: &Parsed, s: &Seg, npi: &str, member: &str) -> BilledClaim {
    let parts: Vec<&str> = el(s, 5).split(p.component).collect();
    assert_eq!(&parts[..2], ["11", "B"], "CLM05");
    BilledClaim {
        clm01: el(s, 1).to_owned(),
        charge: amount(el(s, 2)),
        frequency: parts[2].chars().next().expect("CLM05-3"),
        npi: npi.to_owned(),
        member: member.to_owned(),
        ..BilledClaim::default()
    }
}

fn sv1_of(p: &Parsed, s: &Seg) -> BilledLine {
    assert!(el(s, 1).starts_with(&format!("HC{}", p.component)));
    assert_eq!((el(s, 3), el(s, 7)), ("UN", "1"), "SV103/SV107");
    BilledLine {
        code: el(s, 1).to_owned(),
        charge: amount(el(s, 2)),
        units: el(s, 4).to_owned(),
        ..BilledLine::default()
    }
}

fn check_claim(c: &BilledClaim) {
    let sum: Decimal = c.lines.iter().map(|l| l.charge).sum();
    assert_eq!(c.charge, sum, "CLM02 = sum SV102 in {}", c.clm01);
    assert!(!c.lines.is_empty() && c.lines.len() <= 50);
    match c.frequency {
        '1' => assert!(c.prior.is_none()),
        '7' => assert!(c.prior.is_some(), "replacement without REF*F8"),
        f => panic!("CLM05-3 {f}"),
    }
    let controls: HashSet<&str> = c.lines.iter().map(|l| l.control.as_str()).collect();
    assert_eq!(
        controls.len(),
        c.lines.len(),
        "REF*6R unique within {}",
        c.clm01
    );
    assert!(!c.member.is_empty());
}

/// Matches 835 claims to 837 claims; returns (835 claims without an 837
/// claim, 837 claims without an 835 claim).
pub(crate) fn check_matching(r: &Remittance, f: &ClaimFile) -> (u64, u64) {
    let mut billed: HashMap<&str, &BilledClaim> = HashMap::new();
    for c in &f.claims {
        billed.entry(c.clm01.as_str()).or_insert(c);
    }
    let mut unmatched = 0;
    for paid in &r.claims {
        match billed.get(paid.clp01.as_str()) {
            Some(b) => match_claim(paid, b),
            None => unmatched += 1,
        }
    }
    let answered: HashSet<&str> = r.claims.iter().map(|c| c.clp01.as_str()).collect();
    let unanswered = f
        .claims
        .iter()
        .filter(|c| !answered.contains(c.clm01.as_str()))
        .count();
    (unmatched, unanswered as u64)
}

fn match_claim(paid: &PaidClaim, billed: &BilledClaim) {
    let id = &paid.clp01;
    assert_eq!(paid.payee_npi, billed.npi, "payee NPI of {id}");
    assert_eq!(paid.member, billed.member, "member of {id}");
    assert_eq!(paid.charge.abs(), billed.charge, "charge of {id}");
    assert_eq!(paid.lines.len(), billed.lines.len(), "lines of {id}");
    for (p, b) in paid.lines.iter().zip(&billed.lines) {
        assert_eq!(p.billed_code, b.code, "procedure in {id}");
        assert_eq!(p.charge.abs(), b.charge, "line charge in {id}");
        assert_eq!(
            (&p.units, &p.date),
            (&b.units, &b.date),
            "units/date in {id}"
        );
        if let Some(control) = &p.control {
            assert_eq!(control, &b.control, "REF*6R in {id}");
        }
    }
}
