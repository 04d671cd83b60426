//! The reconciliation ledger: one row per decided line ([`DecidedLine`]: a
//! service-line event with the decision about it), declared once as the
//! named columns of [`COLUMNS`]; `remit lines` writes the subset
//! [`lines_table`] names.

use std::sync::{Arc, LazyLock, Weak};

use super::Cell;
use super::csv_cells::{CsvCells, RowWindow, Scratch, write_fitting};
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
/// Where a column's cell comes from is declared with it ([`Source`]): a
/// `C::new` column reads the whole row. A `P::new` column reads only the
/// payment's context (its reader takes the [`RemittanceContext`], so it
/// cannot read anything else): the CSV writer formats those cells once
/// per transaction ([`PaymentCells`]) and copies their bytes into each of
/// its rows. An `I::new` column reads the line's prompt-pay interest and a
/// `S::new` column a NO_REMITTANCE row's standing, both empty when the row
/// has none: the CSV writer tests for the group once, at its first column,
/// and writes an absent group's empty cells as one run of commas. A
/// `Q::new` column reads the whole row, like a `C` column, and is one of
/// the run of columns that are empty on nearly every row (flags through
/// `expected_basis`: empty on 95% of rows, a line nothing was compared
/// with): [`quiet_present`] tells at once whether any of them has a cell,
/// and when none has, the CSV writer writes their commas as one run.
macro_rules! ledger_columns {
    (
        $(#[$meta:meta])*
        $vis:vis static $table:ident = [
            $($from:ident::new(
                $name:literal, $kind:expr, $cell:expr $(, csv = $csv:expr)? $(,)?
            )),+ $(,)?
        ];
    ) => {
        $(#[$meta])*
        $vis static $table: &[C] = &[
            $(C::new($name, $kind, |r| ledger_cell!($from, r, $cell)),)+
        ];

        /// Where each column's cell comes from, in order.
        const SOURCES: &[Source] = &[$(source!($from)),+];

        /// Per column, how many columns from it on come from the same
        /// source: at a group's first column, the group's width.
        const RUNS: [usize; SOURCES.len()] = runs(SOURCES);

        /// A row of [`COLUMNS`] as CSV, with its CRLF, written from the
        /// start of `window` as the CSV writer's loop over the columns
        /// writes it (`tests/ledger_csv.rs` holds them together): the
        /// payment's cells copied from `payment` (refreshed when the row
        /// belongs to another payment), an absent group's cells as one run
        /// of commas, every other cell formatted. Returns the row's length,
        /// or `None` when it is [`super::csv_cells::ROW_ROOM`] bytes or
        /// longer (the caller writes it with the column loop).
        // The flags below are constants once the columns are unrolled.
        // The cells are a local here, so that their cursor and window live
        // in registers (see `write_fitting`).
        #[allow(unused_assignments)]
        pub(super) fn write_csv(
            r: &DecidedLine,
            window: &mut RowWindow,
            scratch: &mut Scratch,
            payment: &mut PaymentCells,
        ) -> Option<usize> {
            payment.refresh(r, fill_payment);
            let mut cells = CsvCells::new(window, scratch);
            let out = &mut cells;
            let mut column = 0usize;
            let mut previous = None;
            let mut present = true;
            let mut slot = 0usize;
            $(
                let source = source!($from);
                let first = column == 0;
                let group_start = previous != Some(source);
                match source {
                    Source::Payment => {
                        // A run of payment columns is copied once, at its
                        // first, with the comma before it.
                        if group_start {
                            out.raw(payment.run(slot));
                        }
                        slot += 1;
                    }
                    Source::Interest | Source::Standing | Source::Quiet if group_start => {
                        present = group_present!($from, r);
                        if !present {
                            out.commas(RUNS[column] - usize::from(first));
                        }
                    }
                    _ => {}
                }
                if source == Source::Row || (source != Source::Payment && present) {
                    csv_cell!(out, first, r, $from, $cell $(, $csv)?);
                }
                previous = Some(source);
                column += 1;
            )+
            cells.end_record();
            cells.finish()
        }

        /// Formats `r`'s payment columns into `cache`, each run of adjacent
        /// payment columns as one block with the commas before and between
        /// them (none before the row's first column).
        #[allow(unused_assignments)]
        #[inline(never)]
        fn fill_payment(r: &DecidedLine, cache: &mut PaymentCells) {
            cache.context = Some(Arc::downgrade(&r.event.context));
            let runs = &mut cache.runs;
            write_fitting(&mut cache.bytes, 0, 256, &mut cache.scratch, |out, scratch| {
                let mut cells = CsvCells::new(out, scratch);
                runs.clear();
                let mut first = true;
                let mut in_run = false;
                let mut run_first = 0usize;
                $(
                    if source!($from) == Source::Payment {
                        let start = cells.len();
                        if !in_run {
                            run_first = runs.len();
                        }
                        if first {
                            cells.cell(ledger_cell!($from, r, $cell));
                        } else {
                            cells.next(ledger_cell!($from, r, $cell));
                        }
                        runs.push((start, cells.len()));
                        runs[run_first].1 = cells.len();
                        in_run = true;
                    } else {
                        in_run = false;
                    }
                    first = false;
                )+
                cells.finish()
            });
        }
    };
}

/// The cell of row `$r` in a column declared `$from::new(…, $cell)`: a
/// `C` column reads the row, a `P` column the row's payment context, an
/// `I` column its interest and an `S` column its standing (empty without).
macro_rules! ledger_cell {
    (C, $r:expr, $cell:expr) => {
        reader($cell)($r)
    };
    (P, $r:expr, $cell:expr) => {
        payment_reader($cell)(&$r.event.context)
    };
    (I, $r:expr, $cell:expr) => {
        interest($r, $cell)
    };
    (S, $r:expr, $cell:expr) => {
        standing($r, $cell)
    };
    (Q, $r:expr, $cell:expr) => {
        reader($cell)($r)
    };
}

/// Writes the cell of row `$r` in a column declared `$from::new(…, $cell)`
/// to `$out` (after a comma unless `$first`); a column declared with
/// `csv = $csv` has its CSV bytes, comma included, from `$csv($r)`
/// instead (never a first column).
macro_rules! csv_cell {
    ($out:ident, $first:ident, $r:ident, $from:ident, $cell:expr) => {
        if $first {
            $out.cell(ledger_cell!($from, $r, $cell));
        } else {
            $out.next(ledger_cell!($from, $r, $cell));
        }
    };
    ($out:ident, $first:ident, $r:ident, $from:ident, $cell:expr, $csv:expr) => {
        debug_assert!(!$first);
        $out.raw(($csv)($r));
    };
}

/// The [`Source`] of a column declared `$from::new`.
macro_rules! source {
    (C) => {
        Source::Row
    };
    (P) => {
        Source::Payment
    };
    (I) => {
        Source::Interest
    };
    (S) => {
        Source::Standing
    };
    (Q) => {
        Source::Quiet
    };
}

/// True when row `$r` has the group a column declared `$from::new` reads
/// (always, for a column outside a group).
macro_rules! group_present {
    (I, $r:expr) => {
        $r.interest.is_some()
    };
    (S, $r:expr) => {
        $r.standing.is_some()
    };
    (Q, $r:expr) => {
        quiet_present($r)
    };
    ($other:ident, $r:expr) => {
        true
    };
}

/// Where a ledger column's cell comes from (see [`ledger_columns`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    /// The row (`C::new`).
    Row,
    /// The payment's context (`P::new`).
    Payment,
    /// The line's prompt-pay interest, when it has some (`I::new`).
    Interest,
    /// A NO_REMITTANCE row's standing (`S::new`).
    Standing,
    /// The row, in the run of columns that are nearly always empty
    /// (`Q::new`, see [`quiet_present`]).
    Quiet,
}

/// Per column of `sources`, how many columns from it on (itself
/// included) have its source.
const fn runs<const N: usize>(sources: &[Source]) -> [usize; N] {
    let mut runs = [0; N];
    let mut i = N;
    while i > 0 {
        i -= 1;
        let same_next = i + 1 < N && sources[i + 1] as u8 == sources[i] as u8;
        runs[i] = if same_next { runs[i + 1] + 1 } else { 1 };
    }
    runs
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
/// Keyed by the context's `Arc` allocation, a weak reference to it held
/// here: two rows share the cache only when they share the very same
/// context (immutable behind its `Arc`), and a weak reference keeps the
/// allocation — so its address cannot be reused by another context while
/// the cache names it — without keeping the context: a transaction's
/// context is freed with its last row, where the engine drops it, not by
/// the writer when the next transaction's first row replaces it (as it
/// was when the cache held an `Arc`: ~1,450 instructions a transaction,
/// ~32 a row on S, charged to the writer).
#[derive(Debug, Default)]
pub(super) struct PaymentCells {
    /// The context the bytes were formatted from.
    context: Option<Weak<RemittanceContext>>,
    /// The payment columns' cells, run after run (then unused bytes: the
    /// cells are formatted into a window of initialised bytes).
    bytes: Vec<u8>,
    /// Reused by the rare cells formatted elsewhere first.
    scratch: Scratch,
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
            .is_some_and(|held| std::ptr::eq(held.as_ptr(), Arc::as_ptr(&row.event.context)));
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
    Q::new("flags", List(';'), |r| Cell::Flags(r.decision.flags)),
    Q::new("prior_paid", Money, |r| Cell::money(r.decision.prior_paid)),
    Q::new("prior_payment_date", Date, |r| {
        Cell::date(r.decision.prior_payment_date)
    }),
    Q::new("prior_trace", Txt, |r| Cell::text(&r.decision.prior_trace)),
    Q::new("expected", Money, |r| Cell::money(r.decision.expected)),
    Q::new("variance", Money, |r| Cell::money(r.decision.variance)),
    // Which contract row and rules produced `expected` (or why a covered
    // line could not be priced).
    Q::new("expected_basis", Txt, |r| {
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
    I::new("received_date", Date, |i| Cell::Date(i.received)),
    I::new("receipt_source", Txt, |i| Cell::Text(i.source.as_str())),
    I::new("due_date", Date, |i| Cell::Date(i.due)),
    I::new("days_late", Integer, |i| Cell::Integer(i.days_late)),
    I::new("interest_owed", Money, |i| Cell::Money(i.owed)),
    I::new("interest_paid", Money, |i| Cell::Money(i.paid)),
    I::new("interest_difference", Money, |i| Cell::Money(i.difference())),
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
    S::new("claim_state", Txt, |s| Cell::text(&s.state)),
    S::new("claim_state_date", Date, |s| Cell::date(s.state_date)),
    S::new("filing_deadline", Date, |s| Cell::date(s.filing_deadline)),
    S::new("days_left", Integer, |s| s.days_left.map_or(Cell::Empty, Cell::Integer)),
    C::new(
        "claim_status_words",
        Txt,
        |r| {
            if r.event.claim_status.is_empty() {
                Cell::Empty
            } else {
                Cell::Text(claim_status_words(&r.event.claim_status))
            }
        },
        csv = |r: &DecidedLine| status_words_csv(&r.event.claim_status),
    ),
];
}

/// The `claim_status_words` cell of a row whose CLP02 is `status`, as
/// the CSV writer writes it, comma before it included: the words of the
/// codes in use are a fixed handful, so their cells are written once here
/// (a test holds each to what the cell loop writes), not looked up and
/// tested for quoting on every row.
#[inline(always)]
fn status_words_csv(status: &str) -> &'static [u8] {
    match status.as_bytes() {
        b"" => b",",
        b"1" => STATUS_WORDS_CSV[0].1,
        b"2" => STATUS_WORDS_CSV[1].1,
        b"3" => STATUS_WORDS_CSV[2].1,
        b"4" => STATUS_WORDS_CSV[3].1,
        b"22" => STATUS_WORDS_CSV[7].1,
        _ => status_words_csv_rare(status),
    }
}

/// [`status_words_csv`] for any other status: by the words it has.
#[inline(never)]
fn status_words_csv_rare(status: &str) -> &'static [u8] {
    let words = claim_status_words(status);
    STATUS_WORDS_CSV
        .iter()
        .find(|(code, _)| claim_status_words(code) == words)
        .map_or(STATUS_WORDS_CSV[10].1, |&(_, csv)| csv)
}

/// A claim status code for each of [`claim_status_words`]' answers, and
/// that answer's CSV cell with the comma before it (`?`: any unknown code).
const STATUS_WORDS_CSV: [(&str, &[u8]); 11] = [
    ("1", b",Processed as primary"),
    ("2", b",Processed as secondary"),
    ("3", b",Processed as tertiary"),
    ("4", b",Denied"),
    (
        "19",
        b",\"Processed as primary, forwarded to additional payer(s)\"",
    ),
    (
        "20",
        b",\"Processed as secondary, forwarded to additional payer(s)\"",
    ),
    (
        "21",
        b",\"Processed as tertiary, forwarded to additional payer(s)\"",
    ),
    ("22", b",Reversal of previous payment"),
    (
        "23",
        b",\"Not our claim, forwarded to additional payer(s)\"",
    ),
    ("25", b",\"Predetermination pricing only, no payment\""),
    ("?", b",Unknown claim status"),
];

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

/// False only when every `Q::new` column of the ledger (flags through
/// `expected_basis`) is empty on `row`: what each of those columns reads,
/// tested at once so that the CSV writer writes the run's seven commas as
/// one write on the 95% of rows with none (a test holds it to the cells).
/// May say true of a row whose cells are all empty (they are then written
/// one by one, as empty cells); never false of a row with one.
#[inline(always)]
fn quiet_present(row: &DecidedLine) -> bool {
    let d = &row.decision;
    !(d.flags.is_empty()
        && d.prior_paid.is_none()
        && d.prior_payment_date.is_none()
        && d.prior_trace.is_empty()
        && d.expected.is_none()
        && d.variance.is_none()
        && d.expected_basis.is_empty())
}

/// A cell of a NO_REMITTANCE row's standing, empty on other rows.
fn standing<'a>(row: &'a DecidedLine, cell: fn(&'a ClaimStanding) -> Cell<'a>) -> Cell<'a> {
    row.standing.as_ref().map_or(Cell::Empty, cell)
}

/// A prompt-pay interest cell, empty when the line has no interest figures.
fn interest<'a>(row: &'a DecidedLine, cell: fn(&'a LineInterest) -> Cell<'a>) -> Cell<'a> {
    row.interest.as_ref().map_or(Cell::Empty, cell)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `quiet_present` says false exactly when every `Q::new` column's
    /// cell is empty: on a decision with none of them set, and on one with
    /// each set alone (every flag, amounts of zero, empty and non-empty
    /// texts), the writer's run of commas stands for what the cells write.
    #[test]
    fn quiet_columns_are_empty_exactly_when_quiet_present_says_so() {
        use crate::line::{Decision, Flag, Flags, LineEvent};
        use rust_decimal::Decimal;

        let quiet: Vec<&C> = COLUMNS
            .iter()
            .zip(SOURCES)
            .filter(|(_, source)| **source == Source::Quiet)
            .map(|(column, _)| column)
            .collect();
        assert_eq!(quiet.len(), 7);
        let date = jiff::civil::date(2024, 5, 6);
        let mut decisions = vec![Decision::default()];
        for flag in Flag::ALL {
            let mut flags = Flags::default();
            flags.insert(flag);
            decisions.push(Decision {
                flags,
                ..Decision::default()
            });
        }
        for amount in [Decimal::ZERO, Decimal::new(-1, 2), Decimal::new(12345, 2)] {
            decisions.push(Decision {
                prior_paid: Some(amount),
                ..Decision::default()
            });
            decisions.push(Decision {
                expected: Some(amount),
                ..Decision::default()
            });
            decisions.push(Decision {
                variance: Some(amount),
                ..Decision::default()
            });
        }
        decisions.push(Decision {
            prior_payment_date: Some(date),
            ..Decision::default()
        });
        decisions.push(Decision {
            prior_trace: "T1".into(),
            ..Decision::default()
        });
        decisions.push(Decision {
            expected_basis: "row 3".into(),
            ..Decision::default()
        });
        // Fields outside the run change nothing.
        decisions.push(Decision {
            net_paid: Some(Decimal::ONE),
            appeal_by: Some(date),
            at_stake: Some(Decimal::ONE),
            ..Decision::default()
        });
        for decision in decisions {
            let row = DecidedLine::new(LineEvent::sample(), decision, String::new());
            let written: Vec<String> = quiet.iter().map(|c| c.read(&row).render()).collect();
            assert_eq!(
                quiet_present(&row),
                written.iter().any(|cell| !cell.is_empty()),
                "{written:?} for {:?}",
                row.decision
            );
        }
    }

    /// The claim status words the CSV writer copies are the bytes the cell
    /// loop writes for the words of each code, and of codes around them
    /// (padded, unknown, empty).
    #[test]
    fn status_words_cells_are_what_the_cell_loop_writes() {
        let mut codes: Vec<String> = STATUS_WORDS_CSV
            .iter()
            .map(|(code, _)| code.to_string())
            .collect();
        for extra in ["", " ", " 1", "1 ", "4\t", "0", "5", "99", "22 ", "ZZ", "é"] {
            codes.push(extra.to_string());
        }
        for code in codes {
            let cell = if code.is_empty() {
                Cell::Empty
            } else {
                Cell::Text(claim_status_words(&code))
            };
            let mut window = vec![0u8; 256];
            let mut scratch = Scratch::default();
            let mut cells = CsvCells::new(&mut window[..], &mut scratch);
            cells.next(cell);
            let len = cells.finish().unwrap();
            assert_eq!(
                String::from_utf8_lossy(status_words_csv(&code)),
                String::from_utf8_lossy(&window[..len]),
                "CLP02 {code:?}"
            );
        }
    }
}
