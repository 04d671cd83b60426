//! A ledger row's adjustments and remarks in plain words, from the code list.

use crate::codes::{CodeList, describe_provider_adjustment, reason_in_words};
use crate::events::{LineEvent, Status};
use crate::ledger::money;

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
            reason_in_words(list, &adjustments, &event.remarks)
        }
    }
}
