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

use crate::ledger::{Cell, Record};
use crate::lifecycle::{AgingBasis, AgingRow, AgingTable, FilingStatus, OpenItem, age};
use crate::line::{DecidedLine, Status};
use crate::pipeline::ResubmitItem;

/// The worklist's columns.
pub const RESUBMIT_COLUMNS: &[&str] = &[
    "filing_deadline",
    "days_left",
    "filing_status",
    "worklist",
    "claim_state",
    "claim_state_date",
    "reason",
    "payer",
    "payer_id",
    "claim_id",
    "billed",
    "service_date",
    "submitted",
    "source",
];

impl Record for ResubmitItem {
    fn cell(&self, column: usize) -> Cell<'_> {
        let c = &self.claim;
        match column {
            0 => Cell::date(self.deadline.as_ref().map(|d| d.date)),
            1 => match &self.filing {
                Some(FilingStatus::Open { days_left } | FilingStatus::DueSoon { days_left }) => {
                    Cell::Integer(*days_left)
                }
                Some(FilingStatus::Missed { days_over }) => Cell::Integer(-days_over),
                _ => Cell::Empty,
            },
            2 => Cell::Text(match &self.filing {
                Some(FilingStatus::Met { .. }) => "met",
                Some(FilingStatus::Open { .. }) => "open",
                Some(FilingStatus::DueSoon { .. }) => "due_soon",
                Some(FilingStatus::Missed { .. }) => "missed",
                None => "",
            }),
            3 => Cell::Text(self.worklist.as_str()),
            4 => Cell::Text(self.life.state.as_str()),
            5 => Cell::date(self.life.date),
            6 => Cell::Owned(match &self.deadline {
                Some(d) => format!("{}; filing deadline {}", self.life.reason, d.basis),
                None => self.life.reason.clone(),
            }),
            7 => Cell::text(c.payer()),
            8 => Cell::text(&c.payer_id),
            9 => Cell::text(&c.claim_id),
            10 => Cell::Money(c.charge),
            11 => Cell::date(c.service_from),
            12 => Cell::date(c.submitted),
            13 => Cell::text(&c.source),
            _ => Cell::Empty,
        }
    }
}

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

/// The aging table's columns: the basis, then [`AgingTable::columns`]
/// with the buckets named so that every format can carry them (an XML
/// element cannot be called `0-30`).
pub const AGING_COLUMNS: &[&str] = &[
    "basis",
    "payer",
    "days_0_30",
    "days_31_60",
    "days_61_90",
    "days_91_120",
    "days_over_120",
    "no_date",
    "total",
    "claims",
];

/// One row of an aging table, with its basis.
pub struct AgingRecord<'a> {
    /// What ages count from.
    pub basis: AgingBasis,
    /// The row.
    pub row: &'a AgingRow,
}

impl AgingRecord<'_> {
    /// Every row of `tables`, payers then the total, basis by basis.
    pub fn all(tables: &[AgingTable]) -> Vec<AgingRecord<'_>> {
        tables
            .iter()
            .flat_map(|t| {
                t.rows
                    .iter()
                    .chain(std::iter::once(&t.total))
                    .map(|row| AgingRecord {
                        basis: t.basis,
                        row,
                    })
            })
            .collect()
    }
}

impl Record for AgingRecord<'_> {
    fn cell(&self, column: usize) -> Cell<'_> {
        let r = self.row;
        match column {
            0 => Cell::Text(match self.basis {
                AgingBasis::DateOfService => "service",
                AgingBasis::Submission => "submission",
            }),
            1 => Cell::text(&r.payer),
            2..=6 => Cell::Money(r.buckets[column - 2]),
            7 => Cell::Money(r.no_date),
            8 => Cell::Money(r.total),
            9 => Cell::Integer(r.items as i64),
            _ => Cell::Empty,
        }
    }
}
