//! A ledger row's adjustments and remarks in plain words, from the code list.

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
            .map(|a| {
                format!(
                    "{}, {}",
                    describe_provider_adjustment(&a.reason),
                    money(a.amount)
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
        _ => {
            let adjustments: Vec<(&str, &str, rust_decimal::Decimal)> = event
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
