//! The TR3 balancing equations of an 835 (005010X221A1 section 1.10.2.1),
//! checked with exact signed decimals:
//!
//! * service line: SVC02 − Σ line CAS = SVC03;
//! * claim: CLP03 − Σ (claim CAS + line CAS) = CLP04;
//! * claim versus its lines, when it has service lines: CLP04 = Σ SVC03 −
//!   Σ claim CAS, and CLP03 = Σ SVC02 ([`ClaimLineTotals`]);
//! * transaction: BPR02 = Σ CLP04 − Σ PLB amounts;
//! * CLP05 = Σ PR adjustments (a consistency warning, not a TR3 rule).
//!
//! An imbalance is reported with its position and both sides, never hidden.

use rust_decimal::Decimal;

use super::model::ClaimPayment;
use super::model::RemittanceTrailer;
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
    check_claim_against_lines(claim, issues);
    check_patient_responsibility(claim, issues);
}

/// The totals a claim with service lines states, beside the sums of its
/// lines: what the claim-versus-line equations compare.
///
/// The TR3 requires the claim to agree with its lines: the claim payment is
/// what the lines paid less the claim-level adjustments (CLP04 = Σ SVC03 −
/// Σ claim CAS), and the claim charge is what the lines billed (CLP03 =
/// Σ SVC02). The claim equation alone (CLP03 − Σ every CAS = CLP04) cannot
/// see a claim whose totals both disagree with its lines by the same amount,
/// so these are checked too. A ledger row that carries such a difference
/// keeps these totals as its evidence, hence the serde derives.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ClaimLineTotals {
    /// CLP03.
    pub claim_charge: Decimal,
    /// CLP04.
    pub claim_paid: Decimal,
    /// Σ SVC02 of the claim's lines.
    pub line_charges: Decimal,
    /// Σ SVC03 of the claim's lines.
    pub line_paid: Decimal,
    /// Σ claim-level CAS amounts.
    pub claim_adjustments: Decimal,
}

impl ClaimLineTotals {
    /// The totals of `claim`; `None` for a claim without service lines
    /// (nothing to compare with).
    pub fn of(claim: &ClaimPayment) -> Option<Self> {
        let lines = &claim.lines;
        if lines.is_empty() {
            return None;
        }
        Some(ClaimLineTotals {
            claim_charge: claim.charge,
            claim_paid: claim.paid,
            line_charges: lines.iter().map(|l| l.charge).sum(),
            line_paid: lines.iter().map(|l| l.paid).sum(),
            claim_adjustments: claim.adjustment_total(),
        })
    }

    /// What CLP04 should be: Σ SVC03 − Σ claim CAS.
    pub fn expected_paid(&self) -> Decimal {
        self.line_paid - self.claim_adjustments
    }

    /// The part of the claim payment no adjustment explains: CLP04 −
    /// (Σ SVC03 − Σ claim CAS). Zero when the payment equation holds.
    pub fn unexplained_paid(&self) -> Decimal {
        self.claim_paid - self.expected_paid()
    }

    /// CLP03 − Σ SVC02. Zero when the charge equation holds.
    pub fn unexplained_charge(&self) -> Decimal {
        self.claim_charge - self.line_charges
    }

    /// True when both equations hold.
    pub fn is_consistent(&self) -> bool {
        self.unexplained_paid().is_zero() && self.unexplained_charge().is_zero()
    }

    /// The payment equation in words when it does not hold.
    pub fn paid_equation(&self) -> Option<String> {
        let unexplained = self.unexplained_paid();
        (!unexplained.is_zero()).then(|| {
            format!(
                "CLP04 {} is not the lines' sum of SVC03 {} - claim-level CAS {} = {} (unexplained {})",
                self.claim_paid,
                self.line_paid,
                self.claim_adjustments,
                self.expected_paid(),
                unexplained
            )
        })
    }

    /// The charge equation in words when it does not hold.
    pub fn charge_equation(&self) -> Option<String> {
        let unexplained = self.unexplained_charge();
        (!unexplained.is_zero()).then(|| {
            format!(
                "CLP03 {} is not the lines' sum of SVC02 {} (unexplained {})",
                self.claim_charge, self.line_charges, unexplained
            )
        })
    }
}

/// The claim-versus-line equations: one `invalid` finding for each that
/// does not hold, at the CLP.
fn check_claim_against_lines(claim: &ClaimPayment, issues: &mut Vec<Issue>) {
    let Some(totals) = ClaimLineTotals::of(claim) else {
        return;
    };
    let broken = [
        ("payment", totals.paid_equation()),
        ("charge", totals.charge_equation()),
    ];
    for (what, equation) in broken {
        let Some(equation) = equation else { continue };
        let message = format!(
            "claim {what} does not match its service lines: {equation} (claim {})",
            claim.claim_id
        );
        issues.push(
            Issue::new(Severity::Invalid, Rule::Balance, claim.pos, message).at_segment(b"CLP"),
        );
    }
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

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;
    use crate::remittance::{Adjustment, ServiceLine};

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn line(charge: &str, paid: &str, cas: &[&str]) -> ServiceLine {
        ServiceLine {
            charge: d(charge),
            paid: d(paid),
            adjustments: cas.iter().map(|a| adjustment("CO", a)).collect(),
            ..ServiceLine::default()
        }
    }

    fn adjustment(group: &str, amount: &str) -> Adjustment {
        Adjustment {
            group: group.into(),
            reason: "45".into(),
            amount: d(amount),
            quantity: None,
        }
    }

    fn claim(charge: &str, paid: &str, lines: Vec<ServiceLine>) -> ClaimPayment {
        ClaimPayment {
            claim_id: "PCN1".into(),
            status: "1".into(),
            charge: d(charge),
            paid: d(paid),
            lines,
            ..ClaimPayment::default()
        }
    }

    fn findings(claim: &ClaimPayment) -> Vec<String> {
        let mut issues = Vec::new();
        check_claim(claim, &mut issues);
        issues
            .into_iter()
            .filter(|i| i.severity == Severity::Invalid)
            .map(|i| i.message)
            .collect()
    }

    /// diasks2 example_2: every line balances and CLP03 − Σ line CAS =
    /// CLP04, but the claim totals are 742.00 below the sums of its lines.
    fn example_2() -> ClaimPayment {
        claim(
            "2100",
            "1922.86",
            vec![
                line("1210", "1057.86", &["34.6", "117.54"]),
                line("890", "865", &["25"]),
                line("742", "742", &[]),
            ],
        )
    }

    #[test]
    fn claim_totals_contradicting_their_lines_break_both_equations() {
        let claim = example_2();
        let totals = ClaimLineTotals::of(&claim).unwrap();
        assert_eq!(totals.unexplained_paid(), d("-742.00"));
        assert_eq!(totals.unexplained_charge(), d("-742"));
        assert!(!totals.is_consistent());
        assert_eq!(
            findings(&claim),
            [
                "claim payment does not match its service lines: CLP04 1922.86 is not the lines' sum of SVC03 2664.86 - claim-level CAS 0 = 2664.86 (unexplained -742.00) (claim PCN1)",
                "claim charge does not match its service lines: CLP03 2100 is not the lines' sum of SVC02 2842 (unexplained -742) (claim PCN1)",
            ]
        );
    }

    #[test]
    fn claim_level_adjustments_explain_the_payment_difference() {
        // Lines paid 100; a claim-level CO-45 of 10 leaves CLP04 90.
        let mut claim = claim("120", "90", vec![line("120", "100", &["20"])]);
        claim.adjustments.push(adjustment("CO", "10"));
        assert!(ClaimLineTotals::of(&claim).unwrap().is_consistent());
        assert!(findings(&claim).is_empty(), "{:?}", findings(&claim));
        // A negative claim-level amount (an addition) explains a payment
        // above the lines' payments.
        let mut claim = claim_with_addition();
        assert!(findings(&claim).is_empty());
        claim.paid = d("106");
        let found = findings(&claim);
        assert_eq!(found.len(), 2, "{found:?}"); // and the claim equation
        assert!(found[1].contains(
            "CLP04 106 is not the lines' sum of SVC03 100 - claim-level CAS -5 = 105 (unexplained 1)"
        ));
    }

    fn claim_with_addition() -> ClaimPayment {
        let mut claim = claim("120", "105", vec![line("120", "100", &["20"])]);
        claim.adjustments.push(adjustment("OA", "-5"));
        claim
    }

    #[test]
    fn only_the_broken_equation_is_reported() {
        // Charge equation broken alone: CLP03 130 against lines billing 120
        // (the claim equation breaks too: 130 − 20 ≠ 100).
        let claim = claim("130", "100", vec![line("120", "100", &["20"])]);
        let found = findings(&claim);
        assert!(
            found.iter().all(|m| !m.starts_with("claim payment")),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|m| m.starts_with("claim charge does not match"))
        );
    }

    #[test]
    fn claims_without_lines_have_nothing_to_compare() {
        let claim = claim("100", "80", Vec::new());
        assert_eq!(ClaimLineTotals::of(&claim), None);
        assert!(!findings(&claim).iter().any(|m| m.contains("service lines")));
    }

    #[test]
    fn reversals_compare_negated_totals() {
        let mut claim = claim("-120", "-100", vec![line("-120", "-100", &["-20"])]);
        claim.status = "22".into();
        assert!(findings(&claim).is_empty());
        claim.paid = d("-90");
        assert!(
            findings(&claim)
                .iter()
                .any(|m| m.contains("unexplained 10"))
        );
    }
}
