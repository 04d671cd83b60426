//! The regulator resolution report: one row per remitted claim line with
//! what the exam's recommendations ask for — claim number, procedure, date
//! of service, billed, allowed, paid or denied, date paid, interest applied
//! and the dates used to compute interest — plus the amount at stake, the
//! interest remit computes and the difference, and totals at the end.

use rust_decimal::Decimal;

use crate::ledger::{Cell, Column, ColumnType};
use crate::line::{DecidedLine, LineInterest};

use ColumnType::{Integer, List, Money, Text as Txt};

/// The report's columns. The totals row fills the money columns (and
/// says how many lines it sums under `status`); it has no amount at stake:
/// a line's rows over time (a denial, then its re-listing) would be summed
/// twice; the open amount at stake is the appeal worklist's.
pub static COLUMNS: &[Column<ResolutionRow>] = &[
    C::new("claim_id", Txt, |r| match r {
        ResolutionRow::Line(l) => Cell::text(&l.event.claim_id),
        ResolutionRow::Totals(_) => Cell::Text("TOTAL"),
    }),
    C::new("payer_claim_id", Txt, |r| {
        line(r, |l| Cell::text(&l.event.payer_claim_id))
    }),
    C::new("payer", Txt, |r| {
        line(r, |l| Cell::text(&l.event.context.payer))
    }),
    C::new("member_id", Txt, |r| {
        line(r, |l| Cell::text(&l.event.member_id))
    }),
    C::new("procedure", Txt, |r| {
        line(r, |l| Cell::text(&l.event.procedure))
    }),
    C::new("modifiers", List(':'), |r| {
        line(r, |l| {
            Cell::Owned(
                l.event
                    .modifiers
                    .iter()
                    .map(|m| m.as_str())
                    .collect::<Vec<_>>()
                    .join(":"),
            )
        })
    }),
    C::new("service_date", ColumnType::Date, |r| {
        line(r, |l| Cell::date(l.event.service_date))
    }),
    C::new("status", Txt, |r| match r {
        ResolutionRow::Line(l) => Cell::Text(l.status.as_str()),
        ResolutionRow::Totals(t) => Cell::Owned(format!("{} lines", t.lines)),
    }),
    C::new("billed", Money, |r| match r {
        ResolutionRow::Line(l) => Cell::Money(l.event.billed),
        ResolutionRow::Totals(t) => Cell::Money(t.billed),
    }),
    C::new("allowed", Money, |r| match r {
        ResolutionRow::Line(l) => Cell::Money(l.event.allowed),
        ResolutionRow::Totals(t) => Cell::Money(t.allowed),
    }),
    C::new("paid", Money, |r| match r {
        ResolutionRow::Line(l) => Cell::Money(l.event.paid),
        ResolutionRow::Totals(t) => Cell::Money(t.paid),
    }),
    C::new("denied", Money, |r| match r {
        ResolutionRow::Line(l) => Cell::Money(denied(l)),
        ResolutionRow::Totals(t) => Cell::Money(t.denied),
    }),
    C::new("at_stake", Money, |r| {
        line(r, |l| Cell::money(l.decision.at_stake))
    }),
    C::new("payment_date", ColumnType::Date, |r| {
        line(r, |l| Cell::date(l.event.context.payment_date))
    }),
    C::new("received_date", ColumnType::Date, |r| {
        interest(r, |i| Cell::Date(i.received))
    }),
    C::new("receipt_source", Txt, |r| {
        interest(r, |i| Cell::Text(i.source.as_str()))
    }),
    C::new("due_date", ColumnType::Date, |r| {
        interest(r, |i| Cell::Date(i.due))
    }),
    C::new("days_late", Integer, |r| {
        interest(r, |i| Cell::Integer(i.days_late))
    }),
    C::new("interest_applied", Money, |r| match r {
        ResolutionRow::Line(_) => interest(r, |i| Cell::Money(i.paid)),
        ResolutionRow::Totals(t) => Cell::Money(t.interest_applied),
    }),
    C::new("interest_computed", Money, |r| match r {
        ResolutionRow::Line(_) => interest(r, |i| Cell::Money(i.owed)),
        ResolutionRow::Totals(t) => Cell::Money(t.interest_computed),
    }),
    C::new("interest_difference", Money, |r| match r {
        ResolutionRow::Line(_) => interest(r, |i| Cell::Money(i.difference())),
        ResolutionRow::Totals(t) => Cell::Money(t.interest_computed - t.interest_applied),
    }),
    C::new("flags", List(';'), |r| {
        line(r, |l| Cell::Owned(l.decision.flags.to_string()))
    }),
    C::new("reason", Txt, |r| line(r, |l| Cell::text(&l.reason))),
];

type C = Column<ResolutionRow>;

/// A cell of a line row; the totals row leaves the column empty.
fn line<'a>(r: &'a ResolutionRow, cell: fn(&'a DecidedLine) -> Cell<'a>) -> Cell<'a> {
    match r {
        ResolutionRow::Line(l) => cell(l),
        ResolutionRow::Totals(_) => Cell::Empty,
    }
}

/// A prompt-pay interest cell of a line row, empty without interest figures.
fn interest<'a>(r: &'a ResolutionRow, cell: fn(&'a LineInterest) -> Cell<'a>) -> Cell<'a> {
    match r {
        ResolutionRow::Line(l) => l.interest.as_ref().map_or(Cell::Empty, cell),
        ResolutionRow::Totals(_) => Cell::Empty,
    }
}

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
