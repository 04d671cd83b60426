//! The regulator resolution report: one row per remitted claim line with
//! what the exam's recommendations ask for — claim number, procedure, date
//! of service, billed, allowed, paid or denied, date paid, interest applied
//! and the dates used to compute interest — plus the amount at stake, the
//! interest remit computes and the difference, and totals at the end.

use rust_decimal::Decimal;

use crate::ledger::{Cell, Record};
use crate::line::DecidedLine;

/// The report's columns.
pub const COLUMNS: &[&str] = &[
    "claim_id",
    "payer_claim_id",
    "payer",
    "member_id",
    "procedure",
    "modifiers",
    "service_date",
    "status",
    "billed",
    "allowed",
    "paid",
    "denied",
    "at_stake",
    "payment_date",
    "received_date",
    "receipt_source",
    "due_date",
    "days_late",
    "interest_applied",
    "interest_computed",
    "interest_difference",
    "flags",
    "reason",
];

/// One row of the report: a claim line, or the totals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResolutionRow {
    /// One remitted line.
    Line(Box<DecidedLine>),
    /// The sums of the money columns.
    Totals(Totals),
}

/// Sums over the report's lines.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Lines counted.
    pub lines: u64,
    /// Σ billed: the remitted charge of these lines
    /// ([`crate::line::figures::REMITTED_CHARGE`], claim lines only).
    pub billed: Decimal,
    /// Σ allowed.
    pub allowed: Decimal,
    /// Σ paid: [`crate::line::figures::PAID_ON_LINES`].
    pub paid: Decimal,
    /// Σ denied: [`crate::line::figures::DENIED_AS_REPORTED`].
    pub denied: Decimal,
    /// Σ interest the payers applied.
    pub interest_applied: Decimal,
    /// Σ interest remit computes as owed.
    pub interest_computed: Decimal,
}

/// The amount denied on a line, as the payer reported it: see
/// [`crate::line::figures::DENIED_AS_REPORTED`] (every denial, re-listings of paid
/// lines included — the report is the regulator's view of what the payer
/// said).
pub use crate::line::figures::denied_as_reported as denied;

/// True for the rows the report lists: remitted service lines and claims
/// without lines.
pub use crate::line::figures::is_claim_line;

impl Totals {
    /// Adds a line.
    pub fn add(&mut self, row: &DecidedLine) {
        let e = &row.event;
        self.lines += 1;
        self.billed += e.billed;
        self.allowed += e.allowed;
        self.paid += e.paid;
        self.denied += denied(row);
        if let Some(i) = &row.interest {
            self.interest_applied += i.paid;
            self.interest_computed += i.owed;
        }
    }
}

impl Record for ResolutionRow {
    fn cell(&self, column: usize) -> Cell<'_> {
        match self {
            ResolutionRow::Line(row) => line_cell(row, column),
            ResolutionRow::Totals(t) => totals_cell(t, column),
        }
    }
}

fn line_cell(r: &DecidedLine, column: usize) -> Cell<'_> {
    let e = &r.event;
    let i = r.interest.as_ref();
    match column {
        0 => Cell::text(&e.claim_id),
        1 => Cell::text(&e.payer_claim_id),
        2 => Cell::text(&e.context.payer),
        3 => Cell::text(&e.member_id),
        4 => Cell::text(&e.procedure),
        5 => Cell::Owned(
            e.modifiers
                .iter()
                .map(|m| m.as_str())
                .collect::<Vec<_>>()
                .join(":"),
        ),
        6 => Cell::date(e.service_date),
        7 => Cell::Text(r.status.as_str()),
        8 => Cell::Money(e.billed),
        9 => Cell::Money(e.allowed),
        10 => Cell::Money(e.paid),
        11 => Cell::Money(denied(r)),
        12 => Cell::money(r.decision.at_stake),
        13 => Cell::date(e.context.payment_date),
        14 => i.map_or(Cell::Empty, |i| Cell::Date(i.received)),
        15 => i.map_or(Cell::Empty, |i| Cell::Text(i.source.as_str())),
        16 => i.map_or(Cell::Empty, |i| Cell::Date(i.due)),
        17 => i.map_or(Cell::Empty, |i| Cell::Integer(i.days_late)),
        18 => i.map_or(Cell::Empty, |i| Cell::Money(i.paid)),
        19 => i.map_or(Cell::Empty, |i| Cell::Money(i.owed)),
        20 => i.map_or(Cell::Empty, |i| Cell::Money(i.difference())),
        21 => Cell::Owned(r.decision.flags.to_string()),
        22 => Cell::text(&r.reason),
        _ => Cell::Empty,
    }
}

/// The totals row. It has no amount at stake: a line's rows over time
/// (a denial, then its re-listing) would be summed twice; the open amount
/// at stake is the appeal worklist's.
fn totals_cell(t: &Totals, column: usize) -> Cell<'_> {
    match column {
        0 => Cell::Text("TOTAL"),
        7 => Cell::Owned(format!("{} lines", t.lines)),
        8 => Cell::Money(t.billed),
        9 => Cell::Money(t.allowed),
        10 => Cell::Money(t.paid),
        11 => Cell::Money(t.denied),
        18 => Cell::Money(t.interest_applied),
        19 => Cell::Money(t.interest_computed),
        20 => Cell::Money(t.interest_computed - t.interest_applied),
        _ => Cell::Empty,
    }
}
