//! The TR3 balancing equations of an 835 (005010X221A1 section 1.10.2.1),
//! checked with exact signed decimals:
//!
//! * service line: SVC02 − Σ line CAS = SVC03;
//! * claim: CLP03 − Σ (claim CAS + line CAS) = CLP04;
//! * transaction: BPR02 = Σ CLP04 − Σ PLB amounts;
//! * CLP05 = Σ PR adjustments (a consistency warning, not a TR3 rule).
//!
//! An imbalance is reported with its position and both sides, never hidden.

use rust_decimal::Decimal;

use super::model::ClaimPayment;
use super::parser::RemittanceTrailer;
use crate::diagnostic::{Issue, Rule, Severity};

/// Checks the line and claim equations (and CLP05) of one claim payment.
pub fn check_claim(claim: &ClaimPayment, issues: &mut Vec<Issue>) {
    let mut line_adjustments = Decimal::ZERO;
    for line in &claim.lines {
        let adjusted = line.adjustment_total();
        line_adjustments += adjusted;
        let expected = line.charge - adjusted;
        if expected != line.paid {
            let message = format!(
                "service line does not balance: SVC02 {} - CAS {} = {}, but SVC03 is {} (claim {})",
                line.charge, adjusted, expected, line.paid, claim.claim_id
            );
            issues.push(
                Issue::new(Severity::Invalid, Rule::Balance, line.pos, message).at_segment(b"SVC"),
            );
        }
    }
    let adjusted = claim.adjustment_total() + line_adjustments;
    let expected = claim.charge - adjusted;
    if expected != claim.paid {
        let message = format!(
            "claim does not balance: CLP03 {} - CAS {} = {}, but CLP04 is {} (claim {})",
            claim.charge, adjusted, expected, claim.paid, claim.claim_id
        );
        issues.push(
            Issue::new(Severity::Invalid, Rule::Balance, claim.pos, message).at_segment(b"CLP"),
        );
    }
    check_patient_responsibility(claim, issues);
}

/// CLP05 should equal the sum of PR adjustments (claim and lines).
fn check_patient_responsibility(claim: &ClaimPayment, issues: &mut Vec<Issue>) {
    let Some(stated) = claim.patient_responsibility else {
        return;
    };
    let line_pr = claim.lines.iter().flat_map(|l| &l.adjustments);
    let pr: Decimal = claim
        .adjustments
        .iter()
        .chain(line_pr)
        .filter(|a| a.group == "PR")
        .map(|a| a.amount)
        .sum();
    if pr != stated {
        let message = format!(
            "CLP05 patient responsibility {} differs from the sum of PR adjustments {} (claim {})",
            stated, pr, claim.claim_id
        );
        issues.push(
            Issue::new(Severity::Warning, Rule::Consistency, claim.pos, message).at_segment(b"CLP"),
        );
    }
}

/// Checks BPR02 = Σ CLP04 − Σ PLB for one transaction.
pub fn check_transaction(trailer: &RemittanceTrailer, issues: &mut Vec<Issue>) {
    let totals = &trailer.totals;
    let expected = totals.paid - totals.provider_adjustments;
    if expected != trailer.stated_payment {
        let message = format!(
            "transaction does not balance: sum of CLP04 {} - sum of PLB {} = {}, but BPR02 is {}",
            totals.paid, totals.provider_adjustments, expected, trailer.stated_payment
        );
        issues.push(
            Issue::new(Severity::Invalid, Rule::Balance, trailer.pos, message).at_segment(b"SE"),
        );
    }
}
