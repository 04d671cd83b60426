//! The reconciliation ledger: one row per decided line ([`DecidedLine`]: a
//! service-line event with the decision about it), declared once as the
//! named columns of [`COLUMNS`]; `remit lines` writes the subset
//! [`lines_table`] names.

use std::sync::{Arc, LazyLock};

use super::Cell;
use super::csv_cells::CsvCells;
use super::table::{Column, ColumnType, select};
use crate::codes::claim_status_words;
use crate::line::{ClaimStanding, DecidedLine, EventKind, LineInterest, RemittanceContext, Status};

use ColumnType::{Date, Integer, List, Money, Quantity, Text as Txt};

type C = Column<DecidedLine>;

/// Declares the ledger's columns once: the table every writer follows
/// ([`COLUMNS`]) and, from the same list, the CSV writer's straight-line
/// row ([`write_csv`]), each cell read and written in place — no call
/// through the table and no match on the cell's kind at run time, for the
/// one table written a row per service line.
///
/// A column declared `P::new` reads only the payment's context (its
/// reader takes the [`RemittanceContext`], so it cannot read anything
/// else): the CSV writer formats those cells once per transaction
/// ([`PaymentCells`]) and copies their bytes into each of its rows. A
/// `C::new` column reads the whole row.
macro_rules! ledger_columns {
    (
        $(#[$meta:meta])*
        $vis:vis static $table:ident = [
            $($from:ident::new($name:literal, $kind:expr, $cell:expr $(,)?)),+ $(,)?
        ];
    ) => {
        $(#[$meta])*
        $vis static $table: &[C] = &[
            $(C::new($name, $kind, |r| ledger_cell!($from, r, $cell)),)+
        ];

        /// A row of [`COLUMNS`] as CSV, as the CSV writer's loop over the
        /// columns writes it (`tests/ledger_csv.rs` holds them together):
        /// the payment's cells copied from `payment` (refreshed when the
        /// row belongs to another payment), every other cell formatted.
        // The flags below are constants once the columns are unrolled.
        #[allow(unused_assignments)]
        pub(super) fn write_csv(
            r: &DecidedLine,
            out: &mut CsvCells<'_>,
            payment: &mut PaymentCells,
        ) {
            payment.refresh(r, fill_payment);
            let mut first = true;
            let mut in_run = false;
            let mut slot = 0usize;
            $(
                if is_payment!($from) {
                    // A run of payment columns is copied once, at its
                    // first, with the comma before it.
                    if !in_run {
                        out.raw(payment.run(slot));
                    }
                    in_run = true;
                    slot += 1;
                } else {
                    if first {
                        out.cell(ledger_cell!($from, r, $cell));
                    } else {
                        out.next(ledger_cell!($from, r, $cell));
                    }
                    in_run = false;
                }
                first = false;
            )+
        }

        /// Formats `r`'s payment columns into `cache`, each run of adjacent
        /// payment columns as one block with the commas before and between
        /// them (none before the row's first column).
        #[allow(unused_assignments)]
        #[inline(never)]
        fn fill_payment(r: &DecidedLine, cache: &mut PaymentCells) {
            cache.context = Some(Arc::clone(&r.event.context));
            cache.bytes.clear();
            cache.runs.clear();
            let mut cells = CsvCells::new(&mut cache.bytes, &mut cache.scratch);
            let mut first = true;
            let mut in_run = false;
            let mut run_first = 0usize;
            $(
                if is_payment!($from) {
                    let start = cells.len();
                    if !in_run {
                        run_first = cache.runs.len();
                    }
                    if first {
                        cells.cell(ledger_cell!($from, r, $cell));
                    } else {
                        cells.next(ledger_cell!($from, r, $cell));
                    }
                    cache.runs.push((start, cells.len()));
                    cache.runs[run_first].1 = cells.len();
                    in_run = true;
                } else {
                    in_run = false;
                }
                first = false;
            )+
        }
    };
}

/// The cell of row `$r` in a column declared `$from::new(…, $cell)`: a
/// `C` column reads the row, a `P` column the row's payment context.
macro_rules! ledger_cell {
    (C, $r:expr, $cell:expr) => {
        reader($cell)($r)
    };
    (P, $r:expr, $cell:expr) => {
        payment_reader($cell)(&$r.event.context)
    };
}

/// True for a column declared `P::new` (read from the payment context).
macro_rules! is_payment {
    (C) => {
        false
    };
    (P) => {
        true
    };
}

/// `cell`, typed as a column's reader (so that a closure written in
/// [`ledger_columns`] is typed as [`Column::new`] types it).
#[inline(always)]
fn reader<F: for<'a> Fn(&'a DecidedLine) -> Cell<'a>>(cell: F) -> F {
    cell
}

/// `cell`, typed as the reader of a payment column.
#[inline(always)]
fn payment_reader<F: for<'a> Fn(&'a RemittanceContext) -> Cell<'a>>(cell: F) -> F {
    cell
}

/// The CSV bytes of the current payment's columns, formatted once per
/// transaction rather than once per row: a ledger's rows come a
/// transaction at a time, and these eight cells (source, payer, payee,
/// trace, payment date, payer id, interchange, transaction) are the same
/// on every row of one.
///
/// Keyed by the context's `Arc` itself, held here: two rows share the
/// cache only when they share the very same context (immutable behind its
/// `Arc`), and holding it means its address cannot be reused by another
/// context while the cache names it.
#[derive(Debug, Default)]
pub(super) struct PaymentCells {
    /// The context the bytes were formatted from.
    context: Option<Arc<RemittanceContext>>,
    /// The payment columns' cells, run after run.
    bytes: Vec<u8>,
    /// Reused by the rare cells formatted through a `String`.
    scratch: String,
    /// Per payment column, in order: its bytes with the comma before it;
    /// for the first column of a run of adjacent payment columns, the
    /// whole run's.
    runs: Vec<(usize, usize)>,
}

impl PaymentCells {
    /// Makes the cache hold `row`'s payment, formatting it with `fill`
    /// when it holds another.
    #[inline(always)]
    fn refresh(&mut self, row: &DecidedLine, fill: fn(&DecidedLine, &mut PaymentCells)) {
        let same = self
            .context
            .as_ref()
            .is_some_and(|held| Arc::ptr_eq(held, &row.event.context));
        if !same {
            fill(row, self);
        }
    }

    /// The bytes of payment column `slot` (a whole run at a run's first).
    #[inline(always)]
    fn run(&self, slot: usize) -> &[u8] {
        let (start, end) = self.runs[slot];
        &self.bytes[start..end]
    }
}

ledger_columns! {
/// The ledger's columns, in order. A new column goes where it should
/// appear; the CSV, JSON Lines, XML, Parquet and xlsx writers all follow.
pub static COLUMNS = [
    P::new("source", Txt, |c| Cell::text(&c.source)),
    P::new("payer", Txt, |c| Cell::text(&c.payer)),
    P::new("payee_npi", Txt, |c| Cell::text(&c.payee_npi)),
    P::new("trace", Txt, |c| Cell::text(&c.trace)),
    P::new("payment_date", Date, |c| Cell::date(c.payment_date)),
    C::new("claim_id", Txt, |r| Cell::text(r.shown_claim().0)),
    C::new("payer_claim_id", Txt, |r| {
        Cell::text(&r.event.payer_claim_id)
    }),
    C::new("claim_status", Txt, |r| Cell::text(&r.event.claim_status)),
    C::new("member_id", Txt, |r| Cell::text(r.shown_claim().1)),
    C::new("member_name", Txt, |r| Cell::text(&r.event.member_name)),
    C::new("service_date", Date, |r| Cell::date(r.event.service_date)),
    C::new("procedure", Txt, |r| Cell::text(r.shown_claim().2)),
    C::new("modifiers", List(':'), |r| {
        Cell::Joined(&r.event.modifiers, ':')
    }),
    C::new("units", Quantity, |r| {
        line_amount(r, Cell::Number(r.event.billed_units))
    }),
    C::new("billed", Money, |r| {
        line_amount(r, Cell::Money(r.event.billed))
    }),
    C::new("allowed", Money, |r| {
        paid_amount(r, line_amount(r, Cell::Money(r.event.allowed)))
    }),
    C::new("paid", Money, |r| paid_amount(r, Cell::Money(r.event.paid))),
    C::new("patient_resp", Money, |r| {
        // A PLB amount is the provider's, never a patient's.
        if r.status == Status::ProviderAdjustment {
            return Cell::Empty;
        }
        paid_amount(r, Cell::Money(r.event.patient_resp))
    }),
    C::new("adjustments", Txt, |r| {
        Cell::Adjustments(&r.event.adjustments)
    }),
    C::new("remarks", List(';'), |r| {
        Cell::Joined(&r.event.remarks, ';')
    }),
    C::new("status", Txt, |r| Cell::Text(r.status.as_str())),
    C::new("flags", List(';'), |r| Cell::Flags(r.decision.flags)),
    C::new("prior_paid", Money, |r| Cell::money(r.decision.prior_paid)),
    C::new("prior_payment_date", Date, |r| {
        Cell::date(r.decision.prior_payment_date)
    }),
    C::new("prior_trace", Txt, |r| Cell::text(&r.decision.prior_trace)),
    C::new("expected", Money, |r| Cell::money(r.decision.expected)),
    C::new("variance", Money, |r| Cell::money(r.decision.variance)),
    // Which contract row and rules produced `expected` (or why a covered
    // line could not be priced).
    C::new("expected_basis", Txt, |r| {
        Cell::text(&r.decision.expected_basis)
    }),
    C::new("net_paid", Money, |r| Cell::money(r.decision.net_paid)),
    C::new("appeal_by", Date, |r| Cell::date(r.decision.appeal_by)),
    C::new("matched_claim_line", Txt, |r| {
        Cell::text(&r.matched_claim_line)
    }),
    C::new("age_days", Integer, |r| {
        r.age_days.map_or(Cell::Empty, Cell::Integer)
    }),
    C::new("reason", Txt, |r| Cell::text(&r.reason)),
    P::new("payer_id", Txt, |c| Cell::text(c.payer_identifier())),
    C::new("line_control", Txt, |r| Cell::text(&r.event.line_control)),
    C::new("paid_procedure", Txt, |r| {
        r.event
            .paid_procedure
            .as_deref()
            .map_or(Cell::Empty, Cell::Text)
    }),
    C::new("revenue_code", Txt, |r| Cell::text(&r.event.revenue_code)),
    P::new("interchange", Txt, |c| Cell::text(&c.interchange)),
    P::new("transaction", Txt, |c| Cell::text(&c.transaction)),
    C::new("received_date", Date, |r| {
        interest(r, |i| Cell::Date(i.received))
    }),
    C::new("receipt_source", Txt, |r| {
        interest(r, |i| Cell::Text(i.source.as_str()))
    }),
    C::new("due_date", Date, |r| interest(r, |i| Cell::Date(i.due))),
    C::new("days_late", Integer, |r| {
        interest(r, |i| Cell::Integer(i.days_late))
    }),
    C::new("interest_owed", Money, |r| {
        interest(r, |i| Cell::Money(i.owed))
    }),
    C::new("interest_paid", Money, |r| {
        interest(r, |i| Cell::Money(i.paid))
    }),
    C::new("interest_difference", Money, |r| {
        interest(r, |i| Cell::Money(i.difference()))
    }),
    C::new("at_stake", Money, |r| Cell::money(r.decision.at_stake)),
    C::new("superseded_by", Txt, |r| {
        r.superseded_by.as_deref().map_or(Cell::Empty, Cell::Text)
    }),
    // A PLB row's reference (PLB03-2) as the payer wrote it; `claim_id`,
    // `member_id` and `procedure` show the claim it names, when known.
    C::new("plb_reference", Txt, |r| {
        if r.event.kind == EventKind::ProviderAdjustment {
            Cell::text(&r.event.claim_id)
        } else {
            Cell::Empty
        }
    }),
    // A NO_REMITTANCE row's front end: the claim's state from the 999 /
    // 277CA / 277 (with its date) and where it stands against the payer's
    // filing limit.
    C::new("claim_state", Txt, |r| {
        standing(r, |s| Cell::text(&s.state))
    }),
    C::new("claim_state_date", Date, |r| {
        standing(r, |s| Cell::date(s.state_date))
    }),
    C::new("filing_deadline", Date, |r| {
        standing(r, |s| Cell::date(s.filing_deadline))
    }),
    C::new("days_left", Integer, |r| {
        standing(r, |s| s.days_left.map_or(Cell::Empty, Cell::Integer))
    }),
    C::new("claim_status_words", Txt, |r| {
        if r.event.claim_status.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(claim_status_words(&r.event.claim_status))
        }
    }),
];
}

/// The columns of `remit lines`: what the remittance itself says, without
/// any history — the ledger's first columns through `status`, then the
/// procedure as adjudicated, the flags an event raises by itself and the
/// reason in words. Named, not counted, so that a column added to the
/// ledger neither shifts `reconcile`'s columns nor appears here unasked.
pub const LINES_NAMES: &[&str] = &[
    "source",
    "payer",
    "payee_npi",
    "trace",
    "payment_date",
    "claim_id",
    "payer_claim_id",
    "claim_status",
    "member_id",
    "member_name",
    "service_date",
    "procedure",
    "modifiers",
    "units",
    "billed",
    "allowed",
    "paid",
    "patient_resp",
    "adjustments",
    "remarks",
    "status",
    "paid_procedure",
    "flags",
    "reason",
    "claim_status_words",
    "plb_reference",
    "payer_id",
    "interchange",
    "transaction",
];

/// The table `remit lines` writes: the [`COLUMNS`] columns [`LINES_NAMES`]
/// names, found once.
pub fn lines_table() -> &'static [C] {
    static LINES: LazyLock<Vec<C>> = LazyLock::new(|| {
        select(COLUMNS, LINES_NAMES)
            .unwrap_or_else(|name| panic!("lines column {name} is not a ledger column"))
    });
    &LINES
}

/// `cell`, for rows with line amounts: units, billed and allowed mean
/// something for service lines and claims only, not for claim-level
/// remainders or PLB amounts.
fn line_amount<'a>(row: &DecidedLine, cell: Cell<'a>) -> Cell<'a> {
    match row.status {
        Status::ClaimAdjustment | Status::ProviderAdjustment => Cell::Empty,
        _ => cell,
    }
}

/// `cell`, for rows a remittance answered: nothing was paid or allowed on
/// a line no remittance answered.
fn paid_amount<'a>(row: &DecidedLine, cell: Cell<'a>) -> Cell<'a> {
    if row.status == Status::NoRemittance {
        Cell::Empty
    } else {
        cell
    }
}

/// A cell of a NO_REMITTANCE row's standing, empty on other rows.
fn standing<'a>(row: &'a DecidedLine, cell: fn(&'a ClaimStanding) -> Cell<'a>) -> Cell<'a> {
    row.standing.as_ref().map_or(Cell::Empty, cell)
}

/// A prompt-pay interest cell, empty when the line has no interest figures.
fn interest<'a>(row: &'a DecidedLine, cell: fn(&'a LineInterest) -> Cell<'a>) -> Cell<'a> {
    row.interest.as_ref().map_or(Cell::Empty, cell)
}
