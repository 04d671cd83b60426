//! Re-checks 837 content, professional and institutional (HL hierarchy,
//! CLM02 = ΣSV102/SV203, CLM05, frequency and REF*F8, statement dates, CL1,
//! attending NPI, unique REF*6R) and matches 835 claims against it.

use std::collections::{HashMap, HashSet};

use rust_decimal::Decimal;

use super::remittance::{PaidClaim, Remittance};
use super::{Parsed, Seg, amount, check_envelopes, date, el, npi_ok, parse};

const PROFESSIONAL: &str = "005010X222A1";
const INSTITUTIONAL: &str = "005010X223A2";

/// One SV1 or SV2 loop.
#[derive(Clone, Debug, Default)]
pub(crate) struct BilledLine {
    /// `HC:code[:mods]`, with `/revenue` on institutional lines, or `NU:revenue`.
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
    pub(crate) institutional: bool,
    pub(crate) charge: Decimal,
    /// CLM05: facility code, qualifier, frequency.
    pub(crate) kind: Vec<String>,
    pub(crate) prior: Option<String>,
    pub(crate) member: String,
    pub(crate) npi: String,
    /// Statement dates, CL1 and attending NPI seen (institutional).
    pub(crate) statement: bool,
    pub(crate) cl1: bool,
    pub(crate) attending: bool,
    pub(crate) lines: Vec<BilledLine>,
}

/// Everything an 837 file said.
#[derive(Debug, Default)]
pub(crate) struct ClaimFile {
    pub(crate) transactions: u64,
    pub(crate) institutional_transactions: u64,
    pub(crate) claims: Vec<BilledClaim>,
    pub(crate) lines: u64,
    pub(crate) billed: Decimal,
}

/// Re-checks an 837 file.
pub(crate) fn check_837(bytes: &[u8]) -> ClaimFile {
    let p = parse(bytes);
    let env = check_envelopes(&p, &[PROFESSIONAL, INSTITUTIONAL]);
    let mut file = ClaimFile {
        transactions: env.transactions.len() as u64,
        ..ClaimFile::default()
    };
    for (range, version) in env.transactions {
        let segs = &p.segs[range];
        check_header(segs, &version);
        check_hierarchy(segs);
        let institutional = version == INSTITUTIONAL;
        file.institutional_transactions += u64::from(institutional);
        for c in claims_of(&p, segs, institutional) {
            check_claim(&c);
            file.lines += c.lines.len() as u64;
            file.billed += c.charge;
            file.claims.push(c);
        }
    }
    file
}

fn check_header(segs: &[Seg], version: &str) {
    assert_eq!(
        (el(&segs[0], 1), el(&segs[0], 3)),
        ("837", version),
        "ST03 = GS08"
    );
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

/// Where the claims of one transaction are read into.
struct Reader<'a> {
    p: &'a Parsed,
    institutional: bool,
    npi: String,
    member: String,
    claims: Vec<BilledClaim>,
}

fn claims_of(p: &Parsed, segs: &[Seg], institutional: bool) -> Vec<BilledClaim> {
    let mut r = Reader {
        p,
        institutional,
        npi: String::new(),
        member: String::new(),
        claims: Vec::new(),
    };
    for s in segs {
        r.segment(s);
    }
    r.claims
}

impl Reader<'_> {
    fn claim(&mut self) -> &mut BilledClaim {
        self.claims.last_mut().expect("claim segment before CLM")
    }

    fn line(&mut self) -> &mut BilledLine {
        self.claim()
            .lines
            .last_mut()
            .expect("line segment before SV1/SV2")
    }

    fn segment(&mut self, s: &Seg) {
        match (el(s, 0), el(s, 1)) {
            ("NM1", "85") => {
                assert_eq!(el(s, 8), "XX");
                self.npi = el(s, 9).to_owned();
                assert!(npi_ok(&self.npi), "billing NPI {}", self.npi);
            }
            ("NM1", "IL") => self.member = el(s, 9).to_owned(),
            ("CLM", _) => self.claims.push(self.clm_of(s)),
            ("DTP", "434") => self.statement(s),
            ("CL1", _) => self.claim().cl1 = true,
            ("NM1", "71") => self.claim().attending = el(s, 8) == "XX" && npi_ok(el(s, 9)),
            ("REF", "F8") => self.claim().prior = Some(el(s, 2).to_owned()),
            ("LX", n) => assert_eq!(n, (self.claim().lines.len() + 1).to_string(), "LX01"),
            ("SV1", _) => {
                let line = sv1_of(self.p, s);
                self.claim().lines.push(line);
            }
            ("SV2", _) => {
                let line = sv2_of(self.p, s);
                self.claim().lines.push(line);
            }
            ("DTP", "472") => {
                assert_eq!(el(s, 2), "D8");
                date(el(s, 3));
                self.line().date = el(s, 3).to_owned();
            }
            ("REF", "6R") => self.line().control = el(s, 2).to_owned(),
            _ => {}
        }
    }

    fn clm_of(&self, s: &Seg) -> BilledClaim {
        let kind: Vec<String> = el(s, 5)
            .split(self.p.component)
            .map(str::to_owned)
            .collect();
        BilledClaim {
            clm01: el(s, 1).to_owned(),
            institutional: self.institutional,
            charge: amount(el(s, 2)),
            kind,
            npi: self.npi.clone(),
            member: self.member.clone(),
            ..BilledClaim::default()
        }
    }

    fn statement(&mut self, s: &Seg) {
        assert_eq!(el(s, 2), "RD8");
        let (from, to) = el(s, 3).split_once('-').expect("RD8 from-to");
        assert!(date(from) <= date(to), "statement dates {s:?}");
        self.claim().statement = true;
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

fn sv2_of(p: &Parsed, s: &Seg) -> BilledLine {
    let (revenue, procedure) = (el(s, 1), el(s, 2));
    assert_eq!(revenue.len(), 4, "SV201");
    assert!(["UN", "DA"].contains(&el(s, 4)), "SV204");
    let code = if procedure.is_empty() {
        format!("NU{}{revenue}", p.component)
    } else {
        assert!(procedure.starts_with(&format!("HC{}", p.component)));
        format!("{procedure}/{revenue}")
    };
    BilledLine {
        code,
        charge: amount(el(s, 3)),
        units: el(s, 5).to_owned(),
        ..BilledLine::default()
    }
}

fn check_claim(c: &BilledClaim) {
    let sum: Decimal = c.lines.iter().map(|l| l.charge).sum();
    assert_eq!(c.charge, sum, "CLM02 = sum of line charges in {}", c.clm01);
    assert!(!c.lines.is_empty() && c.lines.len() <= 50);
    let kind: Vec<&str> = c.kind.iter().map(String::as_str).collect();
    match (c.institutional, &kind[..2]) {
        (false, ["11", "B"]) | (true, ["11" | "13", "A"]) => {}
        other => panic!("CLM05 {other:?} in {}", c.clm01),
    }
    match kind[2] {
        "1" => assert!(c.prior.is_none()),
        "7" => assert!(c.prior.is_some(), "replacement without REF*F8"),
        f => panic!("CLM05-3 {f}"),
    }
    if c.institutional {
        assert!(
            c.statement && c.cl1 && c.attending,
            "DTP*434, CL1, NM1*71 in {}",
            c.clm01
        );
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
    assert_eq!(paid.facility, billed.kind[0], "CLP08 = CLM05-1 of {id}");
    if paid.inpatient {
        assert!(
            billed.institutional,
            "claim-level payment of a professional claim {id}"
        );
        return;
    }
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
