//! The claims' life before their 835, as tables: the fix-and-resubmit
//! worklist (`remit resubmit`) and the A/R aging of unanswered money by
//! payer (`remit aging`, and a section of `remit report`).
//!
//! Aging works from NO_REMITTANCE rows, the same rows the ledger lists, so
//! its totals tie to the ledger's unanswered `billed` by construction:
//! each claim's open lines are summed once, into exactly one cell.

use std::collections::BTreeMap;

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::ledger::{Cell, Column, ColumnType};
use crate::lifecycle::{AgingBasis, AgingRow, AgingTable, FilingStatus, OpenItem, age};
use crate::line::{DecidedLine, Status};
use crate::pipeline::ResubmitItem;

use ColumnType::{Integer, Money, Text as Txt};

type R = Column<ResubmitItem>;

/// The worklist's columns.
pub static RESUBMIT_COLUMNS: &[R] = &[
    R::new("filing_deadline", ColumnType::Date, |i| {
        Cell::date(i.deadline.as_ref().map(|d| d.date))
    }),
    R::new("days_left", Integer, |i| match &i.filing {
        Some(FilingStatus::Open { days_left } | FilingStatus::DueSoon { days_left }) => {
            Cell::Integer(*days_left)
        }
        Some(FilingStatus::Missed { days_over }) => Cell::Integer(-days_over),
        _ => Cell::Empty,
    }),
    R::new("filing_status", Txt, |i| {
        Cell::Text(match &i.filing {
            Some(FilingStatus::Met { .. }) => "met",
            Some(FilingStatus::Open { .. }) => "open",
            Some(FilingStatus::DueSoon { .. }) => "due_soon",
            Some(FilingStatus::Missed { .. }) => "missed",
            None => "",
        })
    }),
    R::new("worklist", Txt, |i| Cell::Text(i.worklist.as_str())),
    R::new("claim_state", Txt, |i| Cell::Text(i.life.state.as_str())),
    R::new("claim_state_date", ColumnType::Date, |i| {
        Cell::date(i.life.date)
    }),
    R::new("reason", Txt, |i| {
        Cell::Owned(match &i.deadline {
            Some(d) => format!("{}; filing deadline {}", i.life.reason, d.basis),
            None => i.life.reason.clone(),
        })
    }),
    R::new("payer", Txt, |i| Cell::text(i.claim.payer())),
    R::new("payer_id", Txt, |i| Cell::text(&i.claim.payer_id)),
    R::new("claim_id", Txt, |i| Cell::text(&i.claim.claim_id)),
    R::new("billed", Money, |i| Cell::Money(i.claim.charge)),
    R::new("service_date", ColumnType::Date, |i| {
        Cell::date(i.claim.service_from)
    }),
    R::new("submitted", ColumnType::Date, |i| {
        Cell::date(i.claim.submitted)
    }),
    R::new("source", Txt, |i| Cell::text(&i.claim.source)),
];

/// The unanswered claims among `rows`: each claim's NO_REMITTANCE lines
/// summed into one item (payer, billed, first date of service, day sent).
pub fn open_items(rows: &[DecidedLine]) -> Vec<OpenItem> {
    let mut claims: BTreeMap<(&str, &str), OpenItem> = BTreeMap::new();
    for row in rows.iter().filter(|r| r.status == Status::NoRemittance) {
        // `FILE#CLM01/LX`: the claim is what precedes the line number.
        let line = row.matched_claim_line.as_str();
        let claim = line.rsplit_once('/').map_or(line, |(c, _)| c);
        let c = &row.event.context;
        let payer = if c.payer.is_empty() {
            &c.payer_id
        } else {
            &c.payer
        };
        let item = claims
            .entry((c.source.as_str(), claim))
            .or_insert_with(|| OpenItem {
                payer: payer.clone(),
                amount: Decimal::ZERO,
                service_date: None,
                submitted: row.standing.as_ref().and_then(|s| s.submitted),
            });
        item.amount += row.event.billed;
        item.service_date = match (item.service_date, row.event.service_date) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    claims.into_values().collect()
}

/// The aging tables of `rows` on `as_of`: from the date of service, then
/// from submission.
pub fn aging(rows: &[DecidedLine], as_of: Date) -> [AgingTable; 2] {
    let items = open_items(rows);
    [
        age(&items, AgingBasis::DateOfService, as_of),
        age(&items, AgingBasis::Submission, as_of),
    ]
}

type A = Column<AgingRecord>;

/// The aging table's columns: the basis, then [`AgingTable::columns`]
/// with the buckets named so that every format can carry them (an XML
/// element cannot be called `0-30`).
pub static AGING_COLUMNS: &[A] = &[
    A::new("basis", Txt, |r| {
        Cell::Text(match r.basis {
            AgingBasis::DateOfService => "service",
            AgingBasis::Submission => "submission",
        })
    }),
    A::new("payer", Txt, |r| Cell::text(&r.row.payer)),
    A::new("days_0_30", Money, |r| Cell::Money(r.row.buckets[0])),
    A::new("days_31_60", Money, |r| Cell::Money(r.row.buckets[1])),
    A::new("days_61_90", Money, |r| Cell::Money(r.row.buckets[2])),
    A::new("days_91_120", Money, |r| Cell::Money(r.row.buckets[3])),
    A::new("days_over_120", Money, |r| Cell::Money(r.row.buckets[4])),
    A::new("no_date", Money, |r| Cell::Money(r.row.no_date)),
    A::new("total", Money, |r| Cell::Money(r.row.total)),
    A::new("claims", Integer, |r| {
        Cell::Integer(i64::try_from(r.row.items).unwrap_or(i64::MAX))
    }),
];

/// One row of an aging table, with its basis (owned: a table's rows are
/// few, one per payer and basis).
pub struct AgingRecord {
    /// What ages count from.
    pub basis: AgingBasis,
    /// The row.
    pub row: AgingRow,
}

impl AgingRecord {
    /// Every row of `tables`, payers then the total, basis by basis.
    pub fn all(tables: &[AgingTable]) -> Vec<AgingRecord> {
        tables
            .iter()
            .flat_map(|t| {
                t.rows
                    .iter()
                    .chain(std::iter::once(&t.total))
                    .map(|row| AgingRecord {
                        basis: t.basis,
                        row: row.clone(),
                    })
            })
            .collect()
    }
}
