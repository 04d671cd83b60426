//! The appeal worklist: every line still open to appeal — denied (and not
//! previously paid), underpaid or recouped, where no later event settled it
//! — with the amount at stake, the reason in words, and the days left.

use std::collections::HashMap;

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::events::Status;
use crate::ledger::row::adjustments_text;
use crate::ledger::{Cell, Flag, LedgerRow, Record};

/// The worklist's columns.
pub const COLUMNS: &[&str] = &[
    "payer",
    "appeal_by",
    "days_left",
    "deadline_passed",
    "amount_at_stake",
    "status",
    "flags",
    "reason",
    "claim_id",
    "payer_claim_id",
    "member_id",
    "member_name",
    "service_date",
    "procedure",
    "modifiers",
    "billed",
    "paid",
    "payment_date",
    "trace",
    "adjustments",
    "remarks",
    "matched_claim_line",
    "source",
];

/// One line to appeal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppealItem {
    /// The row that left the line open.
    pub row: LedgerRow,
    /// What an appeal can win back.
    pub at_stake: Decimal,
    /// Days from the as-of date to the deadline (negative: passed).
    pub days_left: i64,
}

/// What is at stake on an open row: the billed charge of a denial, the
/// shortfall of an underpayment, the money a recoupment took back.
pub fn at_stake(row: &LedgerRow) -> Decimal {
    let e = &row.event;
    if row.flags.contains(Flag::Recouped) {
        return match row.status {
            Status::Reversal | Status::ProviderAdjustment => -e.paid,
            _ => row.prior_paid.unwrap_or(e.billed),
        };
    }
    if row.flags.contains(Flag::Underpaid) {
        return -row.variance.unwrap_or_default();
    }
    e.billed
}

/// True when the row calls for an appeal.
fn appealable(row: &LedgerRow) -> bool {
    let denied =
        row.status == Status::Denied && !row.flags.contains(Flag::PreviouslyPaidReportedDenied);
    (denied || row.flags.contains(Flag::Underpaid) || row.flags.contains(Flag::Recouped))
        && row.appeal_by.is_some()
}

/// The open items among `rows` (given in payment order): for each line the
/// last event decides whether it is still open. Sorted by payer, then
/// deadline.
pub fn worklist(rows: impl IntoIterator<Item = LedgerRow>, as_of: Date) -> Vec<AppealItem> {
    let mut last: HashMap<String, LedgerRow> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    for row in rows {
        if row.status == Status::NoRemittance {
            continue;
        }
        let key = match &row.key {
            Some(k) => k.to_string(),
            None => format!(
                "{}|{}|{}",
                row.event.context.trace, row.event.claim_id, row.event.sequence
            ),
        };
        if !last.contains_key(&key) {
            order.push(key.clone());
        }
        last.insert(key, row);
    }
    let mut items: Vec<AppealItem> = order
        .into_iter()
        .filter_map(|k| last.remove(&k))
        .filter(appealable)
        .map(|row| {
            let deadline = row.appeal_by.expect("appealable rows have a deadline");
            AppealItem {
                at_stake: at_stake(&row),
                days_left: i64::from((deadline - as_of).get_days()),
                row,
            }
        })
        .collect();
    items.sort_by(|a, b| {
        let key = |i: &AppealItem| {
            (
                i.row.event.context.payer.clone(),
                i.row.appeal_by,
                i.row.event.claim_id.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    items
}

impl Record for AppealItem {
    fn cell(&self, column: usize) -> Cell<'_> {
        let r = &self.row;
        let e = &r.event;
        match column {
            0 => Cell::text(&e.context.payer),
            1 => Cell::date(r.appeal_by),
            2 => Cell::Integer(self.days_left),
            3 => Cell::Text(if self.days_left < 0 { "yes" } else { "no" }),
            4 => Cell::Money(self.at_stake),
            5 => Cell::Text(r.status.as_str()),
            6 => Cell::Owned(r.flags.to_string()),
            7 => Cell::text(&r.reason),
            8 => Cell::text(&e.claim_id),
            9 => Cell::text(&e.payer_claim_id),
            10 => Cell::text(&e.member_id),
            11 => Cell::text(&e.member_name),
            12 => Cell::date(e.service_date),
            13 => Cell::text(&e.procedure),
            14 => Cell::Owned(
                e.modifiers
                    .iter()
                    .map(|m| m.as_str())
                    .collect::<Vec<_>>()
                    .join(":"),
            ),
            15 => Cell::Money(e.billed),
            16 => Cell::Money(e.paid),
            17 => Cell::date(e.context.payment_date),
            18 => Cell::text(&e.context.trace),
            19 => Cell::Owned(adjustments_text(e)),
            20 => Cell::Owned(
                e.remarks
                    .iter()
                    .map(|m| m.as_str())
                    .collect::<Vec<_>>()
                    .join(";"),
            ),
            21 => Cell::text(&r.matched_claim_line),
            22 => Cell::text(&e.context.source),
            _ => Cell::Empty,
        }
    }
}
