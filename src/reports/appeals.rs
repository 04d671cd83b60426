//! The appeal worklist: every line still open to appeal — denied (and not
//! previously paid), partly denied, underpaid or recouped with something at
//! stake, where no later remittance settled it — with the amount at stake,
//! the reason in words, and the days left.

use std::collections::HashMap;

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::ledger::{Cell, Record};
use crate::line::{DecidedLine, Flag, Status, adjustments_text};

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
    pub row: DecidedLine,
    /// What an appeal can win back.
    pub at_stake: Decimal,
    /// Days from the as-of date to the deadline (negative: passed).
    pub days_left: i64,
}

/// What is at stake on a row: its `at_stake` (the denied part, the
/// shortfall, what a recoupment took back and nothing gave back…, see
/// [`crate::reconcile::decide`]), never the charge of the line.
pub fn at_stake(row: &DecidedLine) -> Decimal {
    row.decision.at_stake.unwrap_or_default()
}

/// True when the row calls for an appeal: something at stake and a
/// deadline. A re-listing of a payment that stands
/// (PREVIOUSLY_PAID_REPORTED_DENIED) is not: the money is the practice's,
/// it is listed on its own.
fn appealable(row: &DecidedLine) -> bool {
    row.decision.appeal_by.is_some()
        && at_stake(row) > Decimal::ZERO
        && !row
            .decision
            .flags
            .contains(Flag::PreviouslyPaidReportedDenied)
}

/// True when two rows come from the same remittance transaction.
fn same_remittance(a: &DecidedLine, b: &DecidedLine) -> bool {
    std::sync::Arc::ptr_eq(&a.event.context, &b.event.context) || a.event.context == b.event.context
}

/// The open items among `rows` (given in payment order): for each line the
/// last remittance that names it decides whether it is still open (a later
/// payment settles an earlier denial). Its rows of that remittance all
/// count: a reversal and the correction that follows it in the same
/// remittance may each leave something at stake. Sorted by payer, then
/// deadline.
pub fn worklist(rows: impl IntoIterator<Item = DecidedLine>, as_of: Date) -> Vec<AppealItem> {
    open_items(rows, as_of, appealable)
}

/// The items an appeal letter is written about: the worklist's, and, as
/// the letter disputes them too, a re-listing as denied of a payment that
/// stands (PREVIOUSLY_PAID_REPORTED_DENIED: the letter asks the payer to
/// correct its record) and a late payment without the interest owed
/// (INTEREST_DUE). Same order and same "last remittance decides" rule as
/// [`worklist`]; an item without a deadline has `days_left` 0.
pub fn letter_items(rows: impl IntoIterator<Item = DecidedLine>, as_of: Date) -> Vec<AppealItem> {
    open_items(rows, as_of, |row| {
        let flags = &row.decision.flags;
        appealable(row)
            || (flags.contains(Flag::PreviouslyPaidReportedDenied) && at_stake(row) > Decimal::ZERO)
            || (flags.contains(Flag::InterestDue)
                && row
                    .interest
                    .as_ref()
                    .is_some_and(|i| i.difference() > Decimal::ZERO))
    })
}

fn open_items(
    rows: impl IntoIterator<Item = DecidedLine>,
    as_of: Date,
    keep: impl Fn(&DecidedLine) -> bool,
) -> Vec<AppealItem> {
    let mut last: HashMap<String, Vec<DecidedLine>> = HashMap::new();
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
        match last.get_mut(&key) {
            Some(rows) if rows.last().is_some_and(|r| same_remittance(r, &row)) => rows.push(row),
            Some(rows) => *rows = vec![row],
            None => {
                order.push(key.clone());
                last.insert(key, vec![row]);
            }
        }
    }
    let open: Vec<DecidedLine> = order
        .into_iter()
        .filter_map(|k| last.remove(&k))
        .flatten()
        .filter(|row| keep(row))
        .collect();
    let mut items: Vec<AppealItem> = without_restated_recoveries(open)
        .into_iter()
        .map(|row| AppealItem {
            at_stake: at_stake(&row),
            days_left: row
                .decision
                .appeal_by
                .map_or(0, |deadline| i64::from((deadline - as_of).get_days())),
            row,
        })
        .collect();
    items.sort_by(|a, b| {
        let key = |i: &AppealItem| {
            (
                i.row.event.context.payer.clone(),
                i.row.decision.appeal_by,
                i.row.event.claim_id.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    items
}

/// Drops a PLB recovery (WO, 72, FB) whose claim a later denial of the same
/// payer re-lists after the take-back (`DENIED` + `RECOUPED`): the denial
/// restates the recovery, so the money is one appeal item, counted once,
/// under the denial's deadline. (A reversal and a later denial of the same
/// line are one line already: the later remittance supersedes.)
fn without_restated_recoveries(rows: Vec<DecidedLine>) -> Vec<DecidedLine> {
    let restates = |recovery: &DecidedLine, denial: &DecidedLine| {
        denial.status == Status::Denied
            && denial.decision.flags.contains(Flag::Recouped)
            && denial.event.claim_id == recovery.recovered_claim
            && denial.event.context.payer_id == recovery.event.context.payer_id
            && denial.event.context.payer == recovery.event.context.payer
            && denial.event.context.payment_date >= recovery.event.context.payment_date
    };
    let keep: Vec<bool> = rows
        .iter()
        .map(|row| {
            !(row.status == Status::ProviderAdjustment
                && !row.recovered_claim.is_empty()
                && rows.iter().any(|other| restates(row, other)))
        })
        .collect();
    rows.into_iter()
        .zip(keep)
        .filter_map(|(row, keep)| keep.then_some(row))
        .collect()
}

impl Record for AppealItem {
    fn cell(&self, column: usize) -> Cell<'_> {
        let r = &self.row;
        let e = &r.event;
        match column {
            0 => Cell::text(&e.context.payer),
            1 => Cell::date(r.decision.appeal_by),
            2 => Cell::Integer(self.days_left),
            3 => Cell::Text(if self.days_left < 0 { "yes" } else { "no" }),
            4 => Cell::Money(self.at_stake),
            5 => Cell::Text(r.status.as_str()),
            6 => Cell::Owned(r.decision.flags.to_string()),
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
