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
        let mut out = Canonical::default();
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
        let mut dates: Vec<String> = claim
            .dates
            .iter()
            .map(|d| format!("{}={}..{}", d.qualifier.trim(), d.from, d.to))
            .collect();
        dates.sort_unstable();
        out.list(&dates);
        let mut lines: Vec<String> = claim.lines.iter().map(line_fingerprint).collect();
        lines.sort_unstable();
        out.list(&lines);
        ClaimFingerprint(out.0)
    }

    /// The canonical text, for storage.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One line's part of the fingerprint: two lines with the same text bill
/// the same service (used to carry answers between copies of a claim).
pub fn line_fingerprint(line: &BilledLine) -> String {
    let mut out = Canonical::default();
    let p = &line.procedure;
    out.text(&p.qualifier);
    out.text(&p.code);
    let mut modifiers: Vec<String> = p
        .modifiers
        .iter()
        .map(|m| m.trim().to_ascii_uppercase())
        .filter(|m| !m.is_empty())
        .collect();
    modifiers.sort_unstable();
    modifiers.dedup();
    out.list(&modifiers);
    out.text(&line.revenue_code);
    out.amount(Some(line.charge));
    out.text(&line.unit_basis);
    // An absent unit count means one unit (TR3 default).
    out.amount(Some(line.units.unwrap_or(Decimal::ONE)));
    out.amount(line.non_covered);
    out.raw(&line.service_date.map(|d| d.to_string()).unwrap_or_default());
    out.raw(&line.service_to.map(|d| d.to_string()).unwrap_or_default());
    out.id(&line.control_number);
    out.0
}

/// Length-prefixed fields, so that no value can run into the next one
/// whatever characters it holds.
#[derive(Default)]
struct Canonical(String);

impl Canonical {
    fn raw(&mut self, value: &str) {
        let _ = write!(self.0, "{}:{value}", value.len());
    }

    /// Names and codes as the bill means them: surrounding spaces and
    /// letter case aside.
    fn text(&mut self, value: &str) {
        self.raw(&value.trim().to_ascii_uppercase());
    }

    /// Identifiers exactly, but for surrounding spaces: payers echo CLM01
    /// and REF*6R as sent, so `pcn1` and `PCN1` are not one claim to them.
    fn id(&mut self, value: &str) {
        self.raw(value.trim());
    }

    /// An amount by value: `12.5`, `12.50` and `012.500` are one amount.
    fn amount(&mut self, value: Option<Decimal>) {
        self.raw(&value.map(|d| d.normalize().to_string()).unwrap_or_default());
    }

    fn list(&mut self, items: &[String]) {
        let _ = write!(self.0, "[{}", items.len());
        for item in items {
            self.raw(item);
        }
        self.0.push(']');
    }
}
