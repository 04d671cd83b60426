//! A billed claim's identity by content: the canonical text of the values
//! the bill consists of, read from the parsed claim — never from its bytes —
//! so that the same claim sent again with other delimiters, line breaks or
//! a new envelope (ISA13, GS06, ST02, BHT) is recognised as the same claim.
//!
//! What counts: the kind of claim; the billing provider (NPI, tax id); the
//! payer (id, else name) and the payer's order (SBR01); the subscriber
//! (member id, name) and the patient (name, id); CLM01, CLM02, CLM05
//! (facility, qualifier, frequency) and REF*F8; the claim's dates; and each
//! line's procedure (qualifier, code, modifiers as a set), revenue code,
//! charge, unit basis, units, non-covered charge, dates and REF*6R. Lines
//! count as a multiset: their order in the file does not matter.
//!
//! What does not count, on purpose: the envelope and BHT (a re-send has
//! new ones), LX numbers and positions, diagnoses, notes, the rendering
//! provider and other references. A claim sent again with only those
//! changed asks the payer for the same money for the same services, and the
//! payer answers it once; counting it twice would leave a ghost
//! NO_REMITTANCE line. Names are kept (upper-cased): dependants of one
//! subscriber share the member id and differ by name only, and dropping a
//! real claim as "already known" is worse than showing one line twice.

use std::fmt::Write;

use rust_decimal::Decimal;

use super::model::{BilledClaim, BilledLine};

/// The content identity of one billed claim (see the module comment).
///
/// It holds member ids and names, so it is never printed; the history
/// store keeps it beside the claim itself, under the same protection.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClaimFingerprint(String);

impl std::fmt::Debug for ClaimFingerprint {
    /// Shows the length only: the text is PHI.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ClaimFingerprint({} bytes)", self.0.len())
    }
}

/// Version of the canonical text, so that a later change of what counts
/// can be told from stored fingerprints (and re-derived by a migration).
const VERSION: &str = "c1";

impl ClaimFingerprint {
    /// The fingerprint of `claim`.
    pub fn of(claim: &BilledClaim) -> ClaimFingerprint {
        let mut out = Canonical::with_capacity(256 + 96 * claim.lines.len());
        out.raw(VERSION);
        out.raw(match claim.kind {
            super::ClaimKind::Professional => "P",
            super::ClaimKind::Institutional => "I",
            super::ClaimKind::Dental => "D",
        });
        let provider = &claim.billing_provider;
        out.id(&provider.npi);
        out.id(&provider.tax_id);
        let s = &claim.subscriber;
        // Payers are known by id; the name counts only when there is none,
        // so that a re-send spelling the payer's name otherwise still matches.
        out.id(&s.payer_id);
        out.text(if s.payer_id.trim().is_empty() {
            &s.payer_name
        } else {
            ""
        });
        out.text(&s.responsibility);
        out.id(&s.member_id);
        out.text(&s.last);
        out.text(&s.first);
        match &claim.patient {
            Some(p) => {
                out.raw("QC");
                out.text(&p.last);
                out.text(&p.first);
                out.id(&p.id);
            }
            None => out.raw("-"),
        }
        out.id(&claim.claim_id);
        out.amount(Some(claim.charge));
        out.text(&claim.facility_code);
        out.text(&claim.facility_qualifier);
        out.text(&claim.frequency);
        out.id(claim.payer_claim_number.as_deref().unwrap_or(""));
        // Dates and lines count as multisets: each is written alone, then
        // they are listed in sorted order (one buffer, no string apiece).
        let mut items = Canonical::with_capacity(32 * claim.dates.len());
        let dates = claim.dates.iter().map(|d| {
            items.text(&d.qualifier);
            items.date(Some(d.from));
            items.date(Some(d.to));
            items.end_item()
        });
        let dates: Vec<_> = dates.collect();
        out.sorted_list(&items, dates);
        let mut items = Canonical::with_capacity(96 * claim.lines.len());
        let lines: Vec<_> = claim
            .lines
            .iter()
            .map(|line| {
                write_line(&mut items, line);
                items.end_item()
            })
            .collect();
        out.sorted_list(&items, lines);
        ClaimFingerprint(out.text)
    }

    /// The canonical text, for storage.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The fingerprint as two 64-bit hashes with independent keys, drawn
    /// at random once per process: 16 bytes a claim instead of its text
    /// (some 300), what a store held in memory compares. Within one run's
    /// claims a collision (2^-128 a pair) is not a practical risk, and the
    /// keys being secret, crafted claims cannot aim for one.
    pub fn identity(&self) -> u128 {
        use std::hash::BuildHasher;
        static KEYS: std::sync::OnceLock<[foldhash::quality::RandomState; 2]> =
            std::sync::OnceLock::new();
        let [a, b] = KEYS.get_or_init(Default::default);
        (u128::from(a.hash_one(&self.0)) << 64) | u128::from(b.hash_one(&self.0))
    }
}

/// One line's part of the fingerprint: two lines with the same text bill
/// the same service (used to carry answers between copies of a claim).
pub fn line_fingerprint(line: &BilledLine) -> String {
    let mut out = Canonical::default();
    write_line(&mut out, line);
    out.text
}

fn write_line(out: &mut Canonical, line: &BilledLine) {
    let p = &line.procedure;
    out.text(&p.qualifier);
    out.text(&p.code);
    let mut modifiers: Vec<&str> = p
        .modifiers
        .iter()
        .map(|m| m.trim())
        .filter(|m| !m.is_empty())
        .collect();
    modifiers.sort_unstable_by(|a, b| {
        a.bytes()
            .map(|c| c.to_ascii_uppercase())
            .cmp(b.bytes().map(|c| c.to_ascii_uppercase()))
    });
    modifiers.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    out.count(modifiers.len());
    for m in modifiers {
        out.text(m);
    }
    out.text(&line.revenue_code);
    out.amount(Some(line.charge));
    out.text(&line.unit_basis);
    // An absent unit count means one unit (TR3 default).
    out.amount(Some(line.units.unwrap_or(Decimal::ONE)));
    out.amount(line.non_covered);
    out.date(line.service_date);
    out.date(line.service_to);
    out.id(&line.control_number);
}

/// Length-prefixed fields, so that no value can run into the next one
/// whatever characters it holds, written straight into one string. Numbers
/// are written by hand: the formatting machinery cost more than the rest of
/// ingesting a claim.
#[derive(Default)]
struct Canonical {
    text: String,
    /// Where the item being written began (see [`Canonical::end_item`]).
    item_start: usize,
    scratch: String,
}

/// Appends the decimal digits of `n`.
fn push_number(out: &mut String, mut n: u64) {
    if n < 10 {
        out.push(char::from(b'0' + n as u8));
        return;
    }
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    while n > 0 {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    for &d in &digits[at..] {
        out.push(char::from(d));
    }
}

fn push_field(out: &mut String, value: &str) {
    push_number(out, value.len() as u64);
    out.push(':');
    out.push_str(value);
}

impl Canonical {
    /// Room for `bytes` of text, so that it grows once at most.
    fn with_capacity(bytes: usize) -> Canonical {
        Canonical {
            text: String::with_capacity(bytes),
            item_start: 0,
            scratch: String::with_capacity(24),
        }
    }

    fn raw(&mut self, value: &str) {
        push_field(&mut self.text, value);
    }

    /// Names and codes as the bill means them: surrounding spaces and
    /// letter case aside (ASCII upper-casing keeps the length).
    fn text(&mut self, value: &str) {
        let value = value.trim();
        push_number(&mut self.text, value.len() as u64);
        self.text.push(':');
        if value.bytes().any(|b| b.is_ascii_lowercase()) {
            self.text
                .extend(value.chars().map(|c| c.to_ascii_uppercase()));
        } else {
            self.text.push_str(value);
        }
    }

    /// Identifiers exactly, but for surrounding spaces: payers echo CLM01
    /// and REF*6R as sent, so `pcn1` and `PCN1` are not one claim to them.
    fn id(&mut self, value: &str) {
        self.raw(value.trim());
    }

    /// An amount by value (`12.5`, `12.50` and `012.500` are one amount),
    /// as its mantissa and scale without trailing zeros: `125e1`.
    fn amount(&mut self, value: Option<Decimal>) {
        self.scratch.clear();
        if let Some(d) = value {
            let (mut mantissa, mut scale) = (d.mantissa(), d.scale());
            // Decimal::normalize does this with 96-bit arithmetic; amounts
            // fit 64 bits, where it is a few instructions a digit.
            if let Ok(mut m) = i64::try_from(mantissa) {
                while scale > 0 && m % 10 == 0 {
                    m /= 10;
                    scale -= 1;
                }
                mantissa = i128::from(m);
            } else {
                let n = d.normalize();
                (mantissa, scale) = (n.mantissa(), n.scale());
            }
            if mantissa < 0 {
                self.scratch.push('-');
            }
            match u64::try_from(mantissa.unsigned_abs()) {
                Ok(m) => push_number(&mut self.scratch, m),
                Err(_) => {
                    let _ = write!(self.scratch, "{}", mantissa.unsigned_abs());
                }
            }
            self.scratch.push('e');
            push_number(&mut self.scratch, u64::from(scale));
        }
        push_field(&mut self.text, &self.scratch);
    }

    /// A date as the number YYYYMMDD (years before 1 cannot be read from
    /// X12, whose dates are CCYYMMDD).
    fn date(&mut self, value: Option<jiff::civil::Date>) {
        self.scratch.clear();
        if let Some(d) = value {
            let number =
                i64::from(d.year()) * 10_000 + i64::from(d.month()) * 100 + i64::from(d.day());
            push_number(&mut self.scratch, number.unsigned_abs());
        }
        push_field(&mut self.text, &self.scratch);
    }

    fn count(&mut self, n: usize) {
        self.text.push('#');
        push_number(&mut self.text, n as u64);
    }

    /// Ends one item of a list: its range in the text.
    fn end_item(&mut self) -> std::ops::Range<usize> {
        let range = self.item_start..self.text.len();
        self.item_start = self.text.len();
        range
    }

    /// Appends the items of `from` (ranges of its text) in sorted order.
    fn sorted_list(&mut self, from: &Canonical, mut items: Vec<std::ops::Range<usize>>) {
        items.sort_unstable_by(|a, b| from.text[a.clone()].cmp(&from.text[b.clone()]));
        self.count(items.len());
        self.text.push('[');
        for item in items {
            self.raw(&from.text[item]);
        }
        self.text.push(']');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_and_dates_are_written_by_value() {
        let mut c = Canonical::default();
        for amount in ["12.50", "12.5", "-0.10", "1000"] {
            c.amount(Some(amount.parse().unwrap()));
        }
        c.amount(None);
        c.date(Some(jiff::civil::date(2024, 1, 5)));
        c.date(None);
        assert_eq!(c.text, "5:125e15:125e14:-1e16:1000e00:8:202401050:");
    }

    #[test]
    fn amounts_lose_trailing_zeros_as_decimal_normalize_does() {
        for text in [
            "0",
            "0.00",
            "-0.0",
            "7",
            "70",
            "7.70",
            "123456.789000",
            "-5.10",
            "0.001",
            "79228162514264337593543950335",
            "7922816251426433759354395033.50",
        ] {
            let d: Decimal = text.parse().unwrap();
            let n = d.normalize();
            let mut c = Canonical::default();
            c.amount(Some(d));
            let sign = if n.mantissa() < 0 { "-" } else { "" };
            let expected = format!("{sign}{}e{}", n.mantissa().unsigned_abs(), n.scale());
            assert_eq!(c.text, format!("{}:{expected}", expected.len()), "{text}");
        }
    }
}
