//! Test-only, independent re-checking of generated files.
//!
//! It shares nothing with the generator: it reads the delimiters from each
//! ISA, splits segments naively into strings, parses money with
//! `Decimal::from_str_exact`, and re-verifies envelope counts, control
//! numbers, every balancing equation and the 835 ↔ 837 correspondence.
//! It panics (with the offending segment) on the first violation.

use std::collections::HashSet;
use std::ops::Range;

mod claim;
mod remittance;

pub(crate) use claim::{ClaimFile, check_837, check_matching};
pub(crate) use remittance::{Remittance, check_835};

use rust_decimal::Decimal;

/// One segment: element 0 is the tag.
pub(crate) type Seg = Vec<String>;

/// A file split into segments.
pub(crate) struct Parsed {
    pub(crate) segs: Vec<Seg>,
    pub(crate) component: char,
    pub(crate) repetition: char,
}

/// Element `i` of a segment, or "" when absent.
pub(crate) fn el(s: &Seg, i: usize) -> &str {
    s.get(i).map_or("", String::as_str)
}

/// Splits `bytes` on the delimiters declared by its first ISA, checking
/// that every ISA is 106 bytes and declares the same delimiters.
pub(crate) fn parse(bytes: &[u8]) -> Parsed {
    assert!(bytes.len() >= 106 && bytes.starts_with(b"ISA"), "no ISA");
    let (element, repetition, component, terminator) =
        (bytes[3], bytes[82], bytes[104], bytes[105]);
    let text = std::str::from_utf8(bytes).expect("ASCII");
    let mut segs = Vec::new();
    for raw in text.split(terminator as char) {
        let raw = raw.trim_start_matches(['\r', '\n']);
        if raw.is_empty() {
            continue;
        }
        if raw.starts_with("ISA") {
            let b = raw.as_bytes();
            assert_eq!(
                b.len(),
                105,
                "ISA is not 106 bytes with its terminator: {raw}"
            );
            assert_eq!(
                (b[3], b[82], b[104]),
                (element, repetition, component),
                "{raw}"
            );
        }
        segs.push(raw.split(element as char).map(str::to_owned).collect());
    }
    assert!(
        text.ends_with(terminator as char) || text.ends_with('\n'),
        "file ends mid-segment"
    );
    Parsed {
        segs,
        component: component as char,
        repetition: repetition as char,
    }
}

/// Envelope totals, and where each transaction (ST..SE inclusive) lies
/// with the GS08 of its group.
#[derive(Debug, Default)]
pub(crate) struct Envelopes {
    pub(crate) interchanges: u64,
    pub(crate) groups: u64,
    pub(crate) transactions: Vec<(Range<usize>, String)>,
}

/// Checks ISA/IEA, GS/GE and ST/SE nesting, counts and control numbers,
/// and that every GS08 is one of `versions`.
pub(crate) fn check_envelopes(p: &Parsed, versions: &[&str]) -> Envelopes {
    let mut w = Walker {
        p,
        versions,
        isa: None,
        gs: None,
        st: None,
        groups: 0,
        sets: 0,
        st02s: HashSet::new(),
        env: Envelopes::default(),
    };
    for (i, s) in p.segs.iter().enumerate() {
        w.segment(i, s);
    }
    assert!(
        w.isa.is_none() && w.gs.is_none() && w.st.is_none(),
        "unclosed envelope"
    );
    w.env
}

struct Walker<'a> {
    p: &'a Parsed,
    versions: &'a [&'a str],
    isa: Option<&'a Seg>,
    gs: Option<&'a Seg>,
    st: Option<usize>,
    groups: u64,
    sets: u64,
    st02s: HashSet<String>,
    env: Envelopes,
}

impl<'a> Walker<'a> {
    fn segment(&mut self, i: usize, s: &'a Seg) {
        match (el(s, 0), self.st) {
            ("ISA", None) => self.isa(s),
            ("GS", None) => self.gs(s),
            ("ST", None) => self.st(i, s),
            ("SE", Some(start)) => self.se(i, start, s),
            ("GE", None) => self.ge(s),
            ("IEA", None) => self.iea(s),
            (tag, Some(_)) if !["ISA", "GS", "ST", "GE", "IEA"].contains(&tag) => {}
            _ => panic!("segment out of place at {i}: {s:?}"),
        }
    }

    fn isa(&mut self, s: &'a Seg) {
        assert!(self.isa.is_none() && self.gs.is_none(), "nested ISA");
        assert_eq!(el(s, 11), self.p.repetition.to_string(), "ISA11");
        assert_eq!(el(s, 16), self.p.component.to_string(), "ISA16");
        assert_eq!(el(s, 12), "00501");
        (self.isa, self.groups) = (Some(s), 0);
        self.env.interchanges += 1;
    }

    fn gs(&mut self, s: &'a Seg) {
        assert!(self.isa.is_some() && self.gs.is_none(), "GS outside ISA");
        assert!(self.versions.contains(&el(s, 8)), "GS08 {s:?}");
        (self.gs, self.sets) = (Some(s), 0);
        self.groups += 1;
        self.st02s.clear();
        self.env.groups += 1;
    }

    fn st(&mut self, i: usize, s: &Seg) {
        assert!(self.gs.is_some(), "ST outside GS");
        assert!(
            self.st02s.insert(el(s, 2).to_owned()),
            "duplicate ST02 {s:?}"
        );
        self.st = Some(i);
        self.sets += 1;
    }

    fn se(&mut self, i: usize, start: usize, s: &Seg) {
        let count: usize = el(s, 1).parse().expect("SE01");
        assert_eq!(count, i - start + 1, "SE01 at segment {i}");
        assert_eq!(el(s, 2), el(&self.p.segs[start], 2), "SE02");
        let version = el(self.gs.expect("in a group"), 8).to_owned();
        self.env.transactions.push((start..i + 1, version));
        self.st = None;
    }

    fn ge(&mut self, s: &Seg) {
        let g = self.gs.take().expect("GE without GS");
        assert_eq!(el(s, 1).parse::<u64>().unwrap(), self.sets, "GE01");
        assert_eq!(el(s, 2), el(g, 6), "GE02");
    }

    fn iea(&mut self, s: &Seg) {
        let x = self.isa.take().expect("IEA without ISA");
        assert!(self.gs.is_none(), "IEA inside GS");
        assert_eq!(el(s, 1).parse::<u64>().unwrap(), self.groups, "IEA01");
        assert_eq!(el(s, 2), el(x, 13), "IEA02");
    }
}

/// Parses an amount, checking it is written the canonical X12 way.
pub(crate) fn amount(s: &str) -> Decimal {
    let d = Decimal::from_str_exact(s).unwrap_or_else(|_| panic!("bad amount {s:?}"));
    assert_eq!(d.normalize().to_string(), s, "amount not canonical");
    assert!(d.scale() <= 2, "more than cents: {s}");
    d
}

/// Checks a CCYYMMDD date.
pub(crate) fn date(s: &str) -> jiff::civil::Date {
    assert_eq!(s.len(), 8, "date {s:?}");
    let (y, m, d) = (&s[..4], &s[4..6], &s[6..]);
    jiff::civil::Date::new(y.parse().unwrap(), m.parse().unwrap(), d.parse().unwrap())
        .unwrap_or_else(|_| panic!("invalid date {s}"))
}

/// Luhn check of a 10-digit NPI (with the 80840 prefix).
pub(crate) fn npi_ok(npi: &str) -> bool {
    let digits = format!("80840{npi}");
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0') * if i % 2 == 1 { 2 } else { 1 };
            d / 10 + d % 10
        })
        .sum();
    npi.len() == 10 && sum % 10 == 0
}
