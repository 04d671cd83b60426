//! Who is who: payers, payees (billing providers) and members, and the
//! identifiers both files must spell the same way (CLM01 = CLP01, NPI,
//! member id, REF*6R, CLP07).
//!
//! Parties depend only on their index, never on the seed, so files made
//! with different seeds still agree on names and ids.

use jiff::civil::Date;

use super::encode::Enc;
use super::rng::mix;
use super::tables::{CITIES, DEPENDENT_NAMES, FILING_INDICATORS, FIRST_NAMES, PROCEDURES, STREETS};

/// A hash of a party index, for its stable attributes.
fn trait_of(kind: u64, index: u64) -> u64 {
    mix(mix(kind) ^ index)
}

/// Percent of the list price a payer allows (55 to 85).
pub(crate) fn payer_rate(payer: u32) -> i64 {
    55 + (trait_of(1, u64::from(payer)) % 31) as i64
}

/// Percent of the list price a payee charges (100 to 180).
pub(crate) fn payee_markup(payee: u32) -> i64 {
    100 + (trait_of(2, u64::from(payee)) % 81) as i64
}

/// True when the payee is a hospital billing institutional claims; `pct`
/// percent of payees are.
pub(crate) fn is_facility(payee: u32, pct: u8) -> bool {
    trait_of(6, u64::from(payee)) % 100 < u64::from(pct)
}

/// True when the payer pays by check rather than ACH.
pub(crate) fn pays_by_check(payer: u32) -> bool {
    payer % 4 == 3
}

/// The payer's claim filing indicator (CLP06 and SBR09).
pub(crate) fn filing_indicator(payer: u32) -> &'static [u8] {
    FILING_INDICATORS[payer as usize % FILING_INDICATORS.len()].as_bytes()
}

/// The payer's 9-digit employer id (TRN03 and BPR10 prefix it with `1`).
pub(crate) fn payer_ein(payer: u32) -> u64 {
    300_000_000 + u64::from(payer) * 1013
}

/// Appends the payer's name, e.g. `PAYER01 HEALTH PLAN`.
pub(crate) fn payer_name(e: &mut Enc, payer: u32) {
    e.raw(b"PAYER")
        .raw_pad(u64::from(payer) + 1, 2)
        .raw(b" HEALTH PLAN");
}

/// Appends the payer id used in 837 NM1*PR and 835 REF*2U, e.g. `60001`.
pub(crate) fn payer_id(e: &mut Enc, payer: u32) {
    e.byte(b'6').raw_pad(u64::from(payer) + 1, 4);
}

/// Appends the payee's name, e.g. `CLINIC0001 MEDICAL GROUP` or
/// `HOSPITAL0002 MEDICAL CENTER`.
pub(crate) fn payee_name(e: &mut Enc, payee: u32, facility: bool) {
    let (kind, suffix): (&[u8], &[u8]) = match facility {
        true => (b"HOSPITAL", b" MEDICAL CENTER"),
        false => (b"CLINIC", b" MEDICAL GROUP"),
    };
    e.raw(kind).raw_pad(u64::from(payee) + 1, 4).raw(suffix);
}

/// Writes an attending physician's NM1 name and NPI elements
/// (`*PHYSICIAN00042*ALEX****XX*npi`).
pub(crate) fn attending(e: &mut Enc, payee: u32, index: u8) {
    let id = u64::from(payee) * 4 + u64::from(index);
    e.el(b"PHYSICIAN").raw_pad(id, 5);
    e.el(FIRST_NAMES[(trait_of(7, id) % FIRST_NAMES.len() as u64) as usize].as_bytes());
    let base = 150_000_000 + id % 800_000_000;
    e.skip(3).el(b"XX").num(base * 10 + npi_check_digit(base));
}

/// The payee's NPI: ten digits whose last is a valid Luhn check digit.
pub(crate) fn payee_npi(payee: u32) -> u64 {
    let base = 100_000_000 + u64::from(payee) * 7 % 900_000_000;
    base * 10 + npi_check_digit(base)
}

/// The Luhn check digit of a 9-digit NPI base, with the `80840` prefix.
pub(crate) fn npi_check_digit(base: u64) -> u64 {
    // The prefix 80840 contributes a constant 24 to the doubled-digit sum.
    let mut sum = 24;
    let mut v = base;
    for i in 0..9 {
        let d = v % 10;
        v /= 10;
        sum += if i % 2 == 0 {
            (d * 2) / 10 + (d * 2) % 10
        } else {
            d
        };
    }
    (10 - sum % 10) % 10
}

/// The payee's 9-digit tax id (835 REF*TJ, 837 REF*EI).
pub(crate) fn payee_ein(payee: u32) -> u64 {
    200_000_000 + u64::from(payee) % 700_000_000
}

/// Appends a member id, e.g. `M00000042`.
pub(crate) fn member_id(e: &mut Enc, member: u64) {
    e.byte(b'M').raw_pad(member, 8);
}

/// Writes NM1 name elements `*PATIENT0042*ALEX` for a member, or for the
/// member's dependent when `dependent` is set.
pub(crate) fn member_name(e: &mut Enc, member: u64, dependent: Option<u8>) {
    e.el(b"PATIENT").raw_pad(member, 4);
    let first = match dependent {
        Some(i) => DEPENDENT_NAMES[usize::from(i)],
        None => FIRST_NAMES[(trait_of(3, member) % FIRST_NAMES.len() as u64) as usize],
    };
    e.el(first.as_bytes());
}

/// A member's (or dependent's) birth date and sex code.
pub(crate) fn birth(member: u64, dependent: Option<u8>) -> (Date, &'static [u8]) {
    let h = trait_of(4, member ^ (u64::from(dependent.unwrap_or(99)) << 40));
    let year = match dependent {
        Some(_) => 2006 + (h % 17) as i16,
        None => 1940 + (h % 64) as i16,
    };
    let date = jiff::civil::date(year, 1 + ((h >> 8) % 12) as i8, 1 + ((h >> 16) % 28) as i8);
    (date, if h >> 24 & 1 == 0 { b"F" } else { b"M" })
}

/// Writes `N3` and `N4` segments for an address keyed by `(kind, index)`.
pub(crate) fn address(e: &mut Enc, kind: u64, index: u64) {
    let h = trait_of(5 + kind, index);
    let city = CITIES[(h % CITIES.len() as u64) as usize];
    let street = STREETS[((h >> 8) % STREETS.len() as u64) as usize];
    e.seg(b"N3")
        .sep()
        .raw_num(1 + (h >> 16) % 9899)
        .byte(b' ')
        .raw(street.as_bytes())
        .end();
    e.seg(b"N4")
        .el(city.name.as_bytes())
        .el(city.state.as_bytes());
    e.sep()
        .raw_pad(u64::from(city.zip3), 3)
        .raw_pad((h >> 32) % 100, 2)
        .raw_pad((h >> 40) % 10000, 4);
    e.end();
}

/// Starts an element `HC:code[:mod…]` (SVC01, SVC06, SV101, SV202).
pub(crate) fn procedure(e: &mut Enc, code: u8, modifiers: &[Option<&'static str>]) {
    e.sep()
        .raw(b"HC")
        .comp(PROCEDURES[usize::from(code)].code.as_bytes());
    for m in modifiers.iter().flatten() {
        e.comp(m.as_bytes());
    }
}

/// Appends the patient control number CLM01 = CLP01, e.g. `PCN000000042`.
pub(crate) fn claim_number(e: &mut Enc, key: u64) {
    e.raw(b"PCN").raw_pad(key, 9);
}

/// Appends a line item control number (REF*6R), unique within its claim.
pub(crate) fn line_control(e: &mut Enc, key: u64, line: usize) {
    e.raw_pad(key, 9).byte(b'L').raw_num(line as u64 + 1);
}

/// A payer claim control number (CLP07): the adjudication date, the payer
/// and the claim slot that produced it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Icn {
    pub(crate) paid: Date,
    pub(crate) payer: u32,
    pub(crate) key: u64,
    pub(crate) variant: u8,
}

impl Icn {
    /// Appends the ICN, e.g. `240320100000000420` (YYDDD, payer, key, variant).
    pub(crate) fn write(&self, e: &mut Enc) {
        e.raw_pad(self.paid.year() as u64 % 100, 2)
            .raw_pad(self.paid.day_of_year() as u64, 3)
            .raw_pad(u64::from(self.payer) + 1, 2)
            .raw_pad(self.key, 10)
            .raw_num(u64::from(self.variant));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npi_check_digit_matches_the_cms_example() {
        // CMS: 123456789 with prefix 80840 has check digit 3.
        assert_eq!(npi_check_digit(123_456_789), 3);
        assert_eq!(payee_npi(0) / 10, 100_000_000);
    }

    #[test]
    fn birth_dates_are_valid() {
        for m in 0..500 {
            let (d, _) = birth(m, if m % 3 == 0 { Some(1) } else { None });
            assert!((1940..2024).contains(&d.year()));
        }
    }
}
