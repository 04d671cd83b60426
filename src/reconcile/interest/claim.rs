//! Prompt-pay interest on the claims of one remittance transaction: which
//! lines earn it, on what principal, and whether the payer paid enough.
//! The arithmetic (due date, days late, simple interest, allocation) is
//! [`super::assess`]'s; this is what one transaction's rows feed it.

use std::collections::HashMap;

use rust_decimal::Decimal;

use super::{ClaimFacts, PromptPay, assess};
use crate::line::{
    DecidedLine, EventKind, Flag, LineEvent, LineInterest, LineKey, Status, event_key,
    reason_with_notes,
};
use crate::money::money;
use crate::reconcile::claims::StoredClaim;
use crate::text::Text;

/// What interest assessment keeps across the claims of one transaction.
#[derive(Debug, Default)]
pub struct TransactionInterest {
    /// Interest paid by PLB L6, by the claim reference it names.
    paid_by_reference: HashMap<Text, Decimal>,
    /// What reversals of this transaction took back, per line (negative):
    /// a correction paid in the same transaction as the reversal of the
    /// line's earlier payment earns interest only on its increment — the
    /// reversed amount had been paid, earlier, on its own date.
    reversed: HashMap<LineKey, Decimal>,
}

impl TransactionInterest {
    /// The interest state of a transaction whose PLB events are `provider`.
    pub fn new(provider: &[LineEvent]) -> Self {
        TransactionInterest {
            paid_by_reference: paid_by_reference(provider),
            reversed: HashMap::new(),
        }
    }

    /// Prompt-pay interest on the paying lines of one claim; the claim's paid
    /// lines are flagged INTEREST_DUE when owed − paid ≥ 0.01.
    pub fn assess(
        &mut self,
        rule: &PromptPay,
        claim: Option<&StoredClaim>,
        rows: &mut [DecidedLine],
    ) {
        let Some(first) = rows.first() else { return };
        let e = &first.event;
        let interest_paid = if !e.interest.is_zero() {
            e.interest
        } else {
            [&e.payer_claim_id, &e.claim_id]
                .into_iter()
                .find_map(|r| self.paid_by_reference.get(r).copied())
                .unwrap_or_default()
        };
        let facts = ClaimFacts {
            received: e.received_date,
            created: claim.and_then(|c| c.claim.created),
            electronic: claim.is_some(),
            paid_on: e.context.payment_date,
            interest_paid,
        };
        let mut paying = Vec::new();
        let mut principals = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            let key = row.key.clone().unwrap_or_else(|| event_key(&row.event));
            if row.status == Status::Reversal {
                *self.reversed.entry(key).or_default() += row.event.paid;
            } else if row.status == Status::Paid
                && matches!(row.event.kind, EventKind::Line | EventKind::Claim)
            {
                // `reversed` is negative: the correction earns interest on
                // what it adds to the payment it replaces.
                let reversed = self.reversed.get(&key).copied().unwrap_or_default();
                principals.push((row.event.paid + reversed).max(Decimal::ZERO));
                paying.push(i);
            }
        }
        let Some(lines) = assess(rule, &facts, &principals) else {
            return;
        };
        let due: Decimal = lines.iter().map(LineInterest::difference).sum();
        for (i, interest) in paying.into_iter().zip(lines) {
            // Owed and paid are each rounded to the cent; a difference below
            // a cent is rounding, not interest due.
            if due >= Decimal::new(1, 2) {
                rows[i].decision.flags.insert(Flag::InterestDue);
                let note = format!(
                    "Interest due: paid {} day(s) after the due date {}; the claim's interest owed exceeds what was paid by {}",
                    interest.days_late,
                    interest.due,
                    money(due)
                );
                let words = std::mem::take(&mut rows[i].reason);
                rows[i].reason = reason_with_notes(&[note], words);
            }
            rows[i].interest = Some(interest);
        }
    }
}

/// Interest paid by PLB L6 (amounts are negative: they add to the payment),
/// by the claim they name.
fn paid_by_reference(provider: &[LineEvent]) -> HashMap<Text, Decimal> {
    let mut paid: HashMap<Text, Decimal> = HashMap::new();
    for event in provider {
        for a in event.adjustments.iter().filter(|a| a.reason == "L6") {
            if !event.claim_id.is_empty() {
                *paid.entry(event.claim_id.clone()).or_default() -= a.amount;
            }
        }
    }
    paid
}
