//! The appeal worklist: every line still open to appeal — denied (and not
//! previously paid), partly denied, underpaid or recouped with something at
//! stake, where no later remittance settled it — with the amount at stake,
//! the reason in words, and the days left.

use std::collections::HashMap;

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::ledger::{Cell, Column, ColumnType};
use crate::line::{DecidedLine, Flag, Status, adjustments_text};

use ColumnType::{Integer, List, Money, Text as Txt};

/// The worklist's columns.
pub static COLUMNS: &[Column<AppealItem>] = &[
    C::new("payer", Txt, |i| Cell::text(&i.row.event.context.payer)),
    C::new("appeal_by", ColumnType::Date, |i| {
        Cell::date(i.row.decision.appeal_by)
    }),
    C::new("days_left", Integer, |i| Cell::Integer(i.days_left)),
    C::new("deadline_passed", Txt, |i| {
        Cell::Text(if i.days_left < 0 { "yes" } else { "no" })
    }),
    C::new("amount_at_stake", Money, |i| Cell::Money(i.at_stake)),
    C::new("status", Txt, |i| Cell::Text(i.row.status.as_str())),
    C::new("flags", List(';'), |i| {
        Cell::Owned(i.row.decision.flags.to_string())
    }),
    C::new("reason", Txt, |i| Cell::text(&i.row.reason)),
    C::new("claim_id", Txt, |i| Cell::text(i.row.shown_claim().0)),
    C::new("payer_claim_id", Txt, |i| {
        Cell::text(&i.row.event.payer_claim_id)
    }),
    C::new("member_id", Txt, |i| Cell::text(i.row.shown_claim().1)),
    C::new("member_name", Txt, |i| Cell::text(&i.row.event.member_name)),
    C::new("service_date", ColumnType::Date, |i| {
        Cell::date(i.row.event.service_date)
    }),
    C::new("procedure", Txt, |i| Cell::text(i.row.shown_claim().2)),
    C::new("modifiers", List(':'), |i| {
        Cell::Owned(joined(&i.row.event.modifiers, ":"))
    }),
    C::new("billed", Money, |i| Cell::Money(i.row.event.billed)),
    C::new("paid", Money, |i| Cell::Money(i.row.event.paid)),
    C::new("payment_date", ColumnType::Date, |i| {
        Cell::date(i.row.event.context.payment_date)
    }),
    C::new("trace", Txt, |i| Cell::text(&i.row.event.context.trace)),
    C::new("adjustments", Txt, |i| {
        Cell::Owned(adjustments_text(&i.row.event))
    }),
    C::new("remarks", List(';'), |i| {
        Cell::Owned(joined(&i.row.event.remarks, ";"))
    }),
    C::new("matched_claim_line", Txt, |i| {
        Cell::text(&i.row.matched_claim_line)
    }),
    C::new("source", Txt, |i| Cell::text(&i.row.event.context.source)),
    // The evidence of an underpayment: what the contract expected, and
    // which row and rules say so.
    C::new("expected", Money, |i| Cell::money(i.row.decision.expected)),
    C::new("expected_basis", Txt, |i| {
        Cell::text(&i.row.decision.expected_basis)
    }),
    C::new("appeal_state", Txt, |i| {
        i.tracking
            .as_ref()
            .map_or(Cell::Empty, |t| Cell::Text(t.state))
    }),
    C::new("appeal_filed", ColumnType::Date, |i| {
        i.tracking
            .as_ref()
            .map_or(Cell::Empty, |t| Cell::date(t.filed))
    }),
    C::new("appeal_note", Txt, |i| {
        i.tracking
            .as_ref()
            .map_or(Cell::Empty, |t| Cell::text(&t.note))
    }),
];

type C = Column<AppealItem>;

fn joined(parts: &[crate::text::Text], sep: &str) -> String {
    parts
        .iter()
        .map(|p| p.as_str())
        .collect::<Vec<_>>()
        .join(sep)
}

/// One line to appeal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppealItem {
    /// The row that left the line open.
    pub row: DecidedLine,
    /// What an appeal can win back.
    pub at_stake: Decimal,
    /// Days from the as-of date to the deadline (negative: passed).
    pub days_left: i64,
    /// Where the item's appeal stands, when the caller tracks appeals
    /// (`remit appeals` does, from the outcomes in `--db`); None leaves the
    /// tracking columns empty.
    pub tracking: Option<AppealTracking>,
}

/// Where an item's appeal stands: the worklist's last three columns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppealTracking {
    /// The state (`open`, `filed`, `won`…).
    pub state: &'static str,
    /// When the deciding appeal was filed.
    pub filed: Option<Date>,
    /// Why, with the evidence (the outcome's file and line, later
    /// payments); no PHI.
    pub note: String,
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
            tracking: None,
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
