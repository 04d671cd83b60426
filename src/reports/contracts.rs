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
use crate::ledger::{Cell, Record};
use crate::line::{DecidedLine, EventKind, Status};
use crate::reconcile::pricing::remitted_place;

/// The columns every scorecard has; one group of four per reference
/// schedule follows (see [`columns`]).
pub const FIXED_COLUMNS: &[&str] = &[
    "payer",
    "procedure",
    "lines",
    "units",
    "billed",
    "allowed",
    "paid",
    "allowed_per_unit_min",
    "allowed_per_unit_median",
    "allowed_per_unit_max",
    "expected_lines",
    "expected",
    "underpaid_lines",
    "shortfall",
    "allowed_percent_of_billed",
    "denied_lines",
    "denial_percent",
    "denials_by_category",
    "median_days_to_payment",
];

/// The column names for these reference schedules: the fixed ones, then
/// `NAME_lines`, `NAME_reference`, `NAME_allowed`, `NAME_percent` per
/// schedule, in the order given.
pub fn columns(references: &References) -> Vec<String> {
    let mut out: Vec<String> = FIXED_COLUMNS.iter().map(|c| c.to_string()).collect();
    for s in references.iter() {
        for part in ["lines", "reference", "allowed", "percent"] {
            out.push(format!("{}_{part}", s.name()));
        }
    }
    out
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

/// One scorecard row as a table row.
pub struct ScorecardRecord<'a>(pub &'a ScorecardRow);

impl Record for ScorecardRecord<'_> {
    fn cell(&self, column: usize) -> Cell<'_> {
        let r = self.0;
        let count = |n: u64| Cell::Integer(i64::try_from(n).unwrap_or(i64::MAX));
        match column {
            0 => Cell::text(&r.payer),
            1 => Cell::text(&r.procedure),
            2 => count(r.lines),
            3 => Cell::Number(r.units),
            4 => Cell::Money(r.billed),
            5 => Cell::Money(r.allowed),
            6 => Cell::Money(r.paid),
            7 => Cell::money(r.allowed_per_unit.as_ref().map(|s| s.min)),
            8 => Cell::money(r.allowed_per_unit.as_ref().map(|s| s.median)),
            9 => Cell::money(r.allowed_per_unit.as_ref().map(|s| s.max)),
            10 => count(r.expected_lines),
            11 => Cell::Money(r.expected),
            12 => count(r.underpaid_lines),
            13 => Cell::Money(r.shortfall),
            14 => Cell::money(r.allowed_percent_of_billed),
            15 => count(r.denied_lines),
            16 => Cell::Money(r.denial_percent),
            17 => Cell::Owned(
                r.denials
                    .iter()
                    .map(|d| format!("{} {} ({:.2}%)", d.category, d.lines, d.percent))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            18 => r.median_days_to_payment.map_or(Cell::Empty, Cell::Number),
            n => {
                let k = n - FIXED_COLUMNS.len();
                let Some(share) = r.references.get(k / 4) else {
                    return Cell::Empty;
                };
                match k % 4 {
                    0 => count(share.lines),
                    1 => Cell::Money(share.reference),
                    2 => Cell::Money(share.allowed),
                    _ => Cell::money(share.percent),
                }
            }
        }
    }
}
