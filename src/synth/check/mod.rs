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

/// Envelope totals and where each transaction (ST..SE inclusive) lies.
#[derive(Debug, Default)]
pub(crate) struct Envelopes {
    pub(crate) interchanges: u64,
    pub(crate) groups: u64,
    pub(crate) transactions: Vec<Range<usize>>,
}

/// Checks ISA/IEA, GS/GE and ST/SE nesting, counts and control numbers.
pub(crate) fn check_envelopes(p: &Parsed, version: &str) -> Envelopes {
    let mut env = Envelopes::default();
    let (mut isa, mut gs, mut st): (Option<&Seg>, Option<&Seg>, Option<usize>) = (None, None, None);
    let (mut groups, mut sets) = (0u64, 0u64);
    let mut st02s = HashSet::new();
    for (i, s) in p.segs.iter().enumerate() {
        match (el(s, 0), st) {
            ("ISA", None) => {
                assert!(isa.is_none() && gs.is_none(), "nested ISA");
                assert_eq!(el(s, 11), p.repetition.to_string(), "ISA11");
                assert_eq!(el(s, 16), p.component.to_string(), "ISA16");
                assert_eq!(el(s, 12), "00501");
                (isa, groups) = (Some(s), 0);
                env.interchanges += 1;
            }
            ("GS", None) => {
                assert!(isa.is_some() && gs.is_none(), "GS outside ISA");
                assert_eq!(el(s, 8), version, "GS08");
                (gs, sets, groups) = (Some(s), 0, groups + 1);
                st02s.clear();
                env.groups += 1;
            }
            ("ST", None) => {
                assert!(gs.is_some(), "ST outside GS");
                assert!(st02s.insert(el(s, 2).to_owned()), "duplicate ST02 {s:?}");
                st = Some(i);
                sets += 1;
            }
            ("SE", Some(start)) => {
                let count: usize = el(s, 1).parse().expect("SE01");
                assert_eq!(count, i - start + 1, "SE01 at segment {i}");
                assert_eq!(el(s, 2), el(&p.segs[start], 2), "SE02");
                env.transactions.push(start..i + 1);
                st = None;
            }
            ("GE", None) => {
                let g = gs.take().expect("GE without GS");
                assert_eq!(el(s, 1).parse::<u64>().unwrap(), sets, "GE01");
                assert_eq!(el(s, 2), el(g, 6), "GE02");
            }
            ("IEA", None) => {
                let x = isa.take().expect("IEA without ISA");
                assert!(gs.is_none(), "IEA inside GS");
                assert_eq!(el(s, 1).parse::<u64>().unwrap(), groups, "IEA01");
                assert_eq!(el(s, 2), el(x, 13), "IEA02");
            }
            (tag, Some(_)) if !["ISA", "GS", "ST", "GE", "IEA"].contains(&tag) => {}
            _ => panic!("segment out of place at {i}: {s:?}"),
        }
    }
    assert!(
        isa.is_none() && gs.is_none() && st.is_none(),
        "unclosed envelope"
    );
    env
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
