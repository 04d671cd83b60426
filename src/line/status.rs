//! What a service-line event is before any history is considered (the
//! `remit lines` statuses), and the rule that reads it from what the
//! adjustments' reason codes mean. A classification of one event, not a
//! verdict: the history-dependent decision is `reconcile`'s.

use rust_decimal::Decimal;

use crate::codes::{CarcCategory, CodeList};
use crate::remittance::Adjustment;

/// What an event is, before any history is considered (the `remit lines`
/// statuses). Statuses of lines that paid nothing come from what the
/// adjustments' reason codes mean (their category in the code list), not
/// from the group codes: see `line_status`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    /// Paid a non-zero amount.
    Paid,
    /// Paid nothing, and some adjustment refuses payment (its CARC is in the
    /// denial or duplicate category, or unknown to the code list), or nothing
    /// explains why a charge was not paid.
    Denied,
    /// Paid nothing, nothing refused, and the patient owes something (Σ PR > 0).
    PatientResp,
    /// Paid nothing, nothing refused, nothing owed by the patient: only
    /// contractual, coordination-of-benefits or informational adjustments
    /// (a secondary with nothing left to pay, a charge written off in full
    /// under contract). Nothing to collect and nothing to appeal.
    NoPaymentDue,
    /// CLP02 = 22: reversal of a previous payment.
    Reversal,
    /// Claim-level CAS (or CLP04 − ΣSVC03) of a claim with lines.
    ClaimAdjustment,
    /// A PLB amount.
    ProviderAdjustment,
    /// A billed 837 line that no 835 answered.
    NoRemittance,
}

impl Status {
    /// The name used in ledgers.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Paid => "PAID",
            Status::Denied => "DENIED",
            Status::PatientResp => "PATIENT_RESP",
            Status::NoPaymentDue => "NO_PAYMENT_DUE",
            Status::Reversal => "REVERSAL",
            Status::ClaimAdjustment => "CLAIM_ADJUSTMENT",
            Status::ProviderAdjustment => "PROVIDER_ADJUSTMENT",
            Status::NoRemittance => "NO_REMITTANCE",
        }
    }

    /// Every status, in declaration order.
    pub const ALL: [Status; 8] = [
        Status::Paid,
        Status::Denied,
        Status::PatientResp,
        Status::NoPaymentDue,
        Status::Reversal,
        Status::ClaimAdjustment,
        Status::ProviderAdjustment,
        Status::NoRemittance,
    ];

    /// Parses a ledger name.
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// CLP02 of a claim the payer adjudicated after another payer: 2
/// (secondary), 3 (tertiary), 20 (secondary, forwarded) and 21 (tertiary,
/// forwarded). The issue names 2, 3 and 20; 21 is the tertiary twin of 20
/// and a billing office treats it the same way, so it is included.
pub fn is_secondary_status(claim_status: &str) -> bool {
    matches!(claim_status.trim(), "2" | "3" | "20" | "21")
}

/// True when an adjustment refuses payment: its CARC is in the code list's
/// denial or duplicate category, or the list does not know it (a person
/// should look). Contractual, patient-responsibility,
/// coordination-of-benefits and informational codes do not.
pub fn denies(codes: &CodeList, adjustment: &Adjustment) -> bool {
    if adjustment.group == "PLB" {
        return false;
    }
    match codes.carc(&adjustment.reason).map(|e| e.category) {
        Some(Some(CarcCategory::Denial | CarcCategory::Duplicate)) => true,
        Some(Some(_)) => false,
        // Unknown to the list (or a list entry without a category).
        Some(None) | None => true,
    }
}

/// The status of an event from its claim status, charge, payment and
/// adjustments, with the reason codes' meanings from `codes`:
///
/// - CLP02 22: `REVERSAL`; anything paid (≠ 0): `PAID`.
/// - Paid 0 and some non-zero adjustment refuses payment ([`denies`]):
///   `DENIED` — whatever its group, so PR-96 is a denial the patient is
///   liable for, and OA-18 a duplicate.
/// - Paid 0, no such adjustment, Σ PR > 0: `PATIENT_RESP`.
/// - Paid 0 and no non-zero adjustment at all on a charge: `DENIED` —
///   nothing explains the non-payment, so a person should look.
/// - Otherwise (contractual, COB or informational adjustments only, or
///   nothing charged): `NO_PAYMENT_DUE`.
pub fn line_status(
    claim_status: &str,
    billed: Decimal,
    paid: Decimal,
    adjustments: &[Adjustment],
    codes: &CodeList,
) -> Status {
    if claim_status == "22" {
        return Status::Reversal;
    }
    if !paid.is_zero() {
        return Status::Paid;
    }
    let mut explained = false;
    for a in adjustments.iter().filter(|a| !a.amount.is_zero()) {
        if denies(codes, a) {
            return Status::Denied;
        }
        explained = true;
    }
    if patient_resp(adjustments) > Decimal::ZERO {
        Status::PatientResp
    } else if !explained && !billed.is_zero() {
        Status::Denied
    } else {
        Status::NoPaymentDue
    }
}

/// What a prior payer paid, as a secondary reports it: adjustments with
/// CARC 23 ("impact of prior payer(s) adjudication"), usually OA-23.
pub fn prior_payer_paid(adjustments: &[Adjustment]) -> Decimal {
    adjustments
        .iter()
        .filter(|a| a.group != "PR" && a.reason.trim() == "23")
        .map(|a| a.amount)
        .sum()
}

/// The patient's share of a line: Σ of its PR adjustments.
pub fn patient_resp(adjustments: &[Adjustment]) -> Decimal {
    adjustments
        .iter()
        .filter(|a| a.group == "PR")
        .map(|a| a.amount)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn adjustments(list: &[(&str, &str, &str)]) -> Vec<Adjustment> {
        list.iter()
            .map(|(group, reason, amount)| Adjustment {
                group: (*group).into(),
                reason: (*reason).into(),
                amount: d(amount),
                quantity: None,
            })
            .collect()
    }

    /// The status of a line that paid `paid` on a charge of `billed`.
    fn status(billed: &str, paid: &str, list: &[(&str, &str, &str)]) -> Status {
        line_status(
            "1",
            d(billed),
            d(paid),
            &adjustments(list),
            CodeList::builtin(),
        )
    }

    #[test]
    fn a_deductible_or_co_pay_with_a_contractual_write_off_is_patient_responsibility() {
        // United Healthcare's B4152 of 2021-01-01 and the dental TR3's D2790.
        let uhc = [("PR", "1", "105.26"), ("CO", "45", "79.60")];
        assert_eq!(status("184.86", "0", &uhc), Status::PatientResp);
        let dental = [("PR", "3", "756"), ("CO", "131", "184")];
        assert_eq!(status("940", "0", &dental), Status::PatientResp);
        assert_eq!(status("35", "0", &[("PR", "1", "35")]), Status::PatientResp);
    }

    #[test]
    fn contractual_cob_or_informational_only_is_no_payment_due() {
        assert_eq!(
            status("125", "0", &[("CO", "131", "125")]),
            Status::NoPaymentDue
        );
        // A secondary with nothing left to pay: the primary paid it all.
        let secondary = [("OA", "23", "80"), ("CO", "45", "20")];
        assert_eq!(status("100", "0", &secondary), Status::NoPaymentDue);
        assert_eq!(
            status("60", "0", &[("OA", "133", "60")]),
            Status::NoPaymentDue
        );
        // Nothing charged, nothing paid, nothing said.
        assert_eq!(status("0", "0", &[]), Status::NoPaymentDue);
    }

    #[test]
    fn a_denial_or_duplicate_code_denies_whatever_its_group() {
        assert_eq!(status("85", "0", &[("CO", "197", "85")]), Status::Denied);
        // Non-covered, the patient liable: still a denial.
        assert_eq!(status("100", "0", &[("PR", "96", "100")]), Status::Denied);
        assert_eq!(status("100", "0", &[("PR", "204", "100")]), Status::Denied);
        assert_eq!(status("85", "0", &[("OA", "18", "85")]), Status::Denied);
        assert_eq!(status("85", "0", &[("CO", "B13", "85")]), Status::Denied);
        // A denial beside a deductible is a denial.
        let both = [("PR", "1", "20"), ("CO", "50", "65")];
        assert_eq!(status("85", "0", &both), Status::Denied);
    }

    #[test]
    fn an_unknown_code_or_no_reason_at_all_is_denied_for_a_person_to_look() {
        assert_eq!(status("85", "0", &[("CO", "ZZ9", "85")]), Status::Denied);
        assert_eq!(status("85", "0", &[("PR", "ZZ9", "85")]), Status::Denied);
        assert_eq!(status("85", "0", &[]), Status::Denied);
        // Zero amounts say nothing.
        assert_eq!(status("85", "0", &[("CO", "197", "0")]), Status::Denied);
        let zero_denial = [("CO", "197", "0"), ("PR", "1", "85")];
        assert_eq!(status("85", "0", &zero_denial), Status::PatientResp);
    }

    #[test]
    fn anything_paid_is_paid_and_a_reversal_is_a_reversal() {
        let cut = [("CO", "45", "20"), ("CO", "151", "30")];
        assert_eq!(status("100", "50", &cut), Status::Paid);
        assert_eq!(status("100", "-5", &[]), Status::Paid);
        let reversal = line_status(
            "22",
            d("-100"),
            d("-50"),
            &adjustments(&[("CO", "197", "-50")]),
            CodeList::builtin(),
        );
        assert_eq!(reversal, Status::Reversal);
    }

    #[test]
    fn a_code_list_override_changes_the_verdict() {
        // A user's list that calls CARC 45 a denial and 197 informational.
        let user = CodeList::from_csv_reader(
            "list,code,description,category\n\
             carc,45,charge exceeds the fee schedule,denial\n\
             carc,197,authorization absent (informational here),informational\n"
                .as_bytes(),
        )
        .unwrap();
        let list = CodeList::builtin().merged_with(&user);
        let co45 = adjustments(&[("PR", "1", "10"), ("CO", "45", "75")]);
        assert_eq!(
            line_status("1", d("85"), d("0"), &co45, CodeList::builtin()),
            Status::PatientResp
        );
        assert_eq!(
            line_status("1", d("85"), d("0"), &co45, &list),
            Status::Denied
        );
        let co197 = adjustments(&[("CO", "197", "85")]);
        assert_eq!(
            line_status("1", d("85"), d("0"), &co197, &list),
            Status::NoPaymentDue
        );
    }

    #[test]
    fn a_secondary_is_clp02_2_3_20_or_21() {
        for status in ["2", "3", "20", "21"] {
            assert!(is_secondary_status(status), "{status}");
        }
        for status in ["1", "4", "19", "22", "23"] {
            assert!(!is_secondary_status(status), "{status}");
        }
    }
}
