//! The payer scorecard (`remit contracts`, and a section of `remit
//! report`): per payer × procedure, what was billed, allowed and paid,
//! allowed per unit, the contract's expected amount and the shortfall, the
//! allowed amounts as a percentage of billed and of each reference
//! schedule, denials by category and the days from service to payment —
//! what a practice brings to a contract negotiation. The arithmetic is
//! [`crate::contract::Scorecard`]'s; this module picks the ledger rows it
//! counts (each service line once, as it stands) and lays out the table.

use std::collections::HashMap;

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::codes::CodeList;
use crate::contract::{References, Scorecard, ScorecardError, ScorecardLine, ScorecardRow};
use crate::ledger::{Cell, Column, ColumnType};
use crate::line::{DecidedLine, EventKind, Status};
use crate::reconcile::pricing::remitted_place;

use ColumnType::{Integer, Money, Quantity, Text as Txt};

type C = Column<ScorecardRow>;

/// The columns every scorecard has; one group of four per reference
/// schedule follows (see [`columns`]).
pub static FIXED_COLUMNS: &[C] = &[
    C::new("payer", Txt, |r| Cell::text(&r.payer)),
    C::new("procedure", Txt, |r| Cell::text(&r.procedure)),
    C::new("lines", Integer, |r| count(r.lines)),
    C::new("units", Quantity, |r| Cell::Number(r.units)),
    C::new("billed", Money, |r| Cell::Money(r.billed)),
    C::new("allowed", Money, |r| Cell::Money(r.allowed)),
    C::new("paid", Money, |r| Cell::Money(r.paid)),
    C::new("allowed_per_unit_min", Money, |r| {
        Cell::money(r.allowed_per_unit.as_ref().map(|s| s.min))
    }),
    C::new("allowed_per_unit_median", Money, |r| {
        Cell::money(r.allowed_per_unit.as_ref().map(|s| s.median))
    }),
    C::new("allowed_per_unit_max", Money, |r| {
        Cell::money(r.allowed_per_unit.as_ref().map(|s| s.max))
    }),
    C::new("expected_lines", Integer, |r| count(r.expected_lines)),
    C::new("expected", Money, |r| Cell::Money(r.expected)),
    C::new("underpaid_lines", Integer, |r| count(r.underpaid_lines)),
    C::new("shortfall", Money, |r| Cell::Money(r.shortfall)),
    C::new("allowed_percent_of_billed", Money, |r| {
        Cell::money(r.allowed_percent_of_billed)
    }),
    C::new("denied_lines", Integer, |r| count(r.denied_lines)),
    C::new("denial_percent", Money, |r| Cell::Money(r.denial_percent)),
    C::new("denials_by_category", Txt, |r| {
        Cell::Owned(
            r.denials
                .iter()
                .map(|d| format!("{} {} ({:.2}%)", d.category, d.lines, d.percent))
                .collect::<Vec<_>>()
                .join("; "),
        )
    }),
    C::new("median_days_to_payment", Quantity, |r| {
        r.median_days_to_payment.map_or(Cell::Empty, Cell::Number)
    }),
];

fn count<'a>(n: u64) -> Cell<'a> {
    Cell::Integer(i64::try_from(n).unwrap_or(i64::MAX))
}

/// How many reference schedules a scorecard shows (four columns each).
pub const MAX_REFERENCES: usize = 8;

/// The cell of part `P` (lines, reference, allowed, percent) of reference
/// schedule `K`: a plain function per (schedule, part), as a declared
/// column reads its cell through a function pointer.
fn reference_cell<const K: usize, const P: usize>(r: &ScorecardRow) -> Cell<'_> {
    let Some(share) = r.references.get(K) else {
        return Cell::Empty;
    };
    match P {
        0 => count(share.lines),
        1 => Cell::Money(share.reference),
        2 => Cell::Money(share.allowed),
        _ => Cell::money(share.percent),
    }
}

macro_rules! reference_cells {
    ($($k:literal)*) => {
        [$([
            reference_cell::<$k, 0> as ReadCell,
            reference_cell::<$k, 1>,
            reference_cell::<$k, 2>,
            reference_cell::<$k, 3>,
        ]),*]
    };
}

/// How a declared column reads a scorecard cell.
type ReadCell = for<'a> fn(&'a ScorecardRow) -> Cell<'a>;

static REFERENCE_CELLS: [[ReadCell; 4]; MAX_REFERENCES] = reference_cells!(0 1 2 3 4 5 6 7);

/// The columns for these reference schedules: the fixed ones, then
/// `NAME_lines`, `NAME_reference`, `NAME_allowed`, `NAME_percent` per
/// schedule, in the order given (at most [`MAX_REFERENCES`] schedules; the
/// CLI refuses more). The names depend on the run, so the table is built
/// once per run and lives as long as the process: a few dozen bytes.
pub fn columns(references: &References) -> &'static [C] {
    let mut out: Vec<C> = FIXED_COLUMNS.to_vec();
    for (k, s) in references.iter().take(MAX_REFERENCES).enumerate() {
        let parts = [
            ("lines", Integer),
            ("reference", Money),
            ("allowed", Money),
            ("percent", Money),
        ];
        for (p, (part, kind)) in parts.into_iter().enumerate() {
            let name: &'static str = Box::leak(format!("{}_{part}", s.name()).into_boxed_str());
            out.push(C::new(name, kind, REFERENCE_CELLS[k][p]));
        }
    }
    Box::leak(out.into_boxed_slice())
}

/// The ledger rows the scorecard counts: service lines (and claims paid
/// without lines) that were adjudicated — paid, denied, left to the
/// patient or nothing due — each line once, as its latest row in `rows`
/// (given in payment order) leaves it; service dates within `from`–`to`
/// (inclusive; a line without a service date counts only without a range).
/// Reversals, claim remainders, PLB amounts, superseded versions and
/// billed lines no remittance answered are not lines of a payer's pricing.
pub fn counted(rows: &[DecidedLine], from: Option<Date>, to: Option<Date>) -> Vec<&DecidedLine> {
    let mut latest: HashMap<String, usize> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let adjudicated = matches!(
            row.status,
            Status::Paid | Status::Denied | Status::PatientResp | Status::NoPaymentDue
        );
        let line = matches!(row.event.kind, EventKind::Line | EventKind::Claim);
        if !adjudicated || !line || row.is_superseded() {
            continue;
        }
        let in_range = match row.event.service_date {
            Some(d) => from.is_none_or(|f| d >= f) && to.is_none_or(|t| d <= t),
            None => from.is_none() && to.is_none(),
        };
        if !in_range {
            continue;
        }
        let key = match &row.key {
            Some(k) => k.to_string(),
            None => format!(
                "{}|{}|{}",
                row.event.context.trace, row.event.claim_id, row.event.sequence
            ),
        };
        if latest.insert(key.clone(), i).is_none() {
            order.push(key);
        }
    }
    order.iter().map(|k| &rows[latest[k]]).collect()
}

/// The scorecard of `rows` (see [`counted`]), comparing allowed amounts
/// with `references`; a denied line counts under `category` of the CARC of
/// its largest denial adjustment (`""` when it has none): the caller
/// chooses the grouping (the CLI passes the outcomes analytics' categories,
/// a module this one may not import).
pub fn scorecard(
    rows: &[DecidedLine],
    references: &References,
    codes: &CodeList,
    (from, to): (Option<Date>, Option<Date>),
    category: impl Fn(&str) -> &'static str,
) -> Result<Vec<ScorecardRow>, ScorecardError> {
    let mut card = Scorecard::new(references);
    for row in counted(rows, from, to) {
        let e = &row.event;
        let denial = (row.status == Status::Denied).then(|| {
            let mut best: Option<(&str, Decimal)> = None;
            for a in e.denial_reasons(codes) {
                if best.is_none_or(|b| a.amount > b.1) {
                    best = Some((a.reason.as_str(), a.amount));
                }
            }
            category(best.map_or("", |(carc, _)| carc))
        });
        let payer = if e.context.payer.is_empty() {
            e.context.payer_id.as_str()
        } else {
            e.context.payer.as_str()
        };
        card.add(&ScorecardLine {
            payer,
            procedure: &e.procedure,
            modifiers: &e.modifiers,
            place: remitted_place(e),
            units: e.units,
            billed: e.billed,
            allowed: e.allowed,
            expected: row.decision.expected,
            paid: e.paid,
            denial,
            service_date: e.service_date,
            payment_date: e.context.payment_date,
        })?;
    }
    Ok(card.finish())
}
