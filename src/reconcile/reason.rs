//! A ledger row's adjustments and remarks in plain words, from the code list.

use rust_decimal::Decimal;

use crate::codes::{CodeList, describe_provider_adjustment, reason_in_words};
use crate::line::{LineEvent, Status};
use crate::money::money;
use crate::remittance::balance::ClaimLineTotals;

/// The `reason` column of an event's row.
pub fn reason(list: &CodeList, event: &LineEvent) -> String {
    match event.status {
        Status::NoRemittance => "No remittance received for this billed line".to_string(),
        Status::ProviderAdjustment => event
            .adjustments
            .iter()
            .map(|a| provider_adjustment(&a.reason, -a.amount))
            .collect::<Vec<_>>()
            .join("; "),
        _ => {
            let adjustments: Vec<(&str, &str, Decimal)> = event
                .adjustments
                .iter()
                .map(|a| (a.group.as_str(), a.reason.as_str(), a.amount))
                .collect();
            let words = reason_in_words(list, &adjustments, &event.remarks);
            match &event.unexplained {
                // The difference first: it is why the row is flagged, and
                // the adjustments (if any) do not account for it.
                Some(totals) if words.is_empty() => unexplained(totals),
                Some(totals) => format!("{}; {words}", unexplained(totals)),
                None => words,
            }
        }
    }
}

/// A PLB amount in words, worded by the sign of what it does to the
/// payment (`paid`, the negated PLB amount) — never the PLB amount's own
/// sign, which reads backwards: a positive PLB04 takes money back.
fn provider_adjustment(reason: &str, paid: Decimal) -> String {
    let words = describe_provider_adjustment(reason);
    if paid > Decimal::ZERO {
        format!(
            "{words}: the payer paid out {} more in this payment",
            money(paid)
        )
    } else if paid < Decimal::ZERO {
        format!(
            "{words}: the payer took back {} from this payment",
            money(-paid)
        )
    } else {
        format!("{words}: no money moved")
    }
}

/// Why a claim-level row carries an unexplained difference: each claim
/// versus line equation that does not hold, with its amounts.
fn unexplained(totals: &ClaimLineTotals) -> String {
    let equations: Vec<String> = [totals.paid_equation(), totals.charge_equation()]
        .into_iter()
        .flatten()
        .collect();
    format!(
        "Unexplained difference: the payer's claim totals contradict its service lines and no adjustment explains it: {}",
        equations.join("; ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A positive PLB04 takes money back; a negative one pays out: the
    /// words follow what happened to the payment, not the PLB's sign.
    #[test]
    fn a_plb_amount_is_worded_by_what_it_did_to_the_payment() {
        let interest = provider_adjustment("L6", Decimal::new(45, 2));
        assert_eq!(
            interest,
            "Provider adjustment: interest owed (PLB L6): the payer paid out 0.45 more in this payment"
        );
        let recovery = provider_adjustment("WO", Decimal::new(-5500, 2));
        assert!(
            recovery.ends_with("the payer took back 55.00 from this payment"),
            "{recovery}"
        );
        assert!(!recovery.contains("-55.00"));
        assert!(provider_adjustment("CS", Decimal::ZERO).ends_with("no money moved"));
    }
}
