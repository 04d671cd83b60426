//! The report's tables — appeal worklist, previously-paid-reported-denied
//! lines, recoupments, underpayments, remittances that did not balance,
//! rejected files. Each keeps at most a cap of rows, chosen by priority
//! (most urgent deadline, largest amount) with a bounded heap, counts every
//! row it saw, and says how to get the rest; cells are rendered (and member
//! names and ids masked) as rows are kept.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::figures::{shortfall, taken_back};
use super::mask::Privacy;
use crate::contract::ScorecardRow;
use crate::diagnostic::Issue;
use crate::line::{DecidedLine, Flag, Status};
use crate::money::money;
use crate::reports::appeals::AppealItem;

/// What a column holds, for alignment, wrapping and sorting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnKind {
    /// Short text: codes, dates, names (kept on one line).
    Text,
    /// A number: right-aligned, sorted as a number.
    Number,
    /// Sentences (reasons, findings): wrapped.
    Prose,
}

/// One column of a table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    /// Header text.
    pub name: &'static str,
    /// What it holds.
    pub kind: ColumnKind,
}

/// What a row's cells need besides the row itself: the amount the table
/// is about (at stake, taken back, short), the days left to appeal, and
/// whether PHI is masked.
#[derive(Clone, Copy, Debug)]
struct Extra {
    amount: Decimal,
    days_left: i64,
    privacy: Privacy,
}

impl Extra {
    fn new(privacy: Privacy) -> Extra {
        Extra {
            amount: Decimal::ZERO,
            days_left: 0,
            privacy,
        }
    }
}

/// One declared column of a report table: its heading and how a row of
/// `R` renders its cell. A table is one list of these; its headings and
/// its cells come from the same entries, so they cannot drift apart.
struct TableColumn<R> {
    head: Column,
    cell: fn(&R, &Extra) -> String,
}

impl<R> TableColumn<R> {
    const fn new(head: Column, cell: fn(&R, &Extra) -> String) -> Self {
        TableColumn { head, cell }
    }
}

/// The cells of `row` in `columns`.
fn cells<R>(columns: &[TableColumn<R>], row: &R, extra: &Extra) -> Vec<String> {
    columns.iter().map(|c| (c.cell)(row, extra)).collect()
}

/// The headings of `columns`.
fn heads<R>(columns: &[TableColumn<R>]) -> Vec<Column> {
    columns.iter().map(|c| c.head).collect()
}

const fn text(name: &'static str) -> Column {
    Column {
        name,
        kind: ColumnKind::Text,
    }
}

const fn num(name: &'static str) -> Column {
    Column {
        name,
        kind: ColumnKind::Number,
    }
}

const fn prose(name: &'static str) -> Column {
    Column {
        name,
        kind: ColumnKind::Prose,
    }
}

/// One table of the report, capped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    /// Stable id (the page's table is `t-{id}`).
    pub id: &'static str,
    /// Heading.
    pub title: &'static str,
    /// What the table lists and in which order.
    pub description: &'static str,
    /// The columns.
    pub columns: Vec<Column>,
    /// The kept rows, in priority order, as text cells.
    pub rows: Vec<Vec<String>>,
    /// How many rows there were in all (kept or not).
    pub total: u64,
    /// The command that lists every row, for when some were left out.
    pub get_all: &'static str,
}

impl Table {
    /// Rows there were but the page does not carry.
    pub fn left_out(&self) -> u64 {
        self.total - self.rows.len() as u64
    }
}

/// A file that was rejected or did not balance, with one finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileFinding {
    /// The file as named in the ledger's `source`.
    pub source: String,
    /// The finding.
    pub issue: Issue,
}

/// What the inputs' findings say, for the last two tables.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileFindings {
    /// Files read (rejected ones included).
    pub files: usize,
    /// Rejected files, each with its first fatal finding.
    pub rejected: Vec<FileFinding>,
    /// Balancing findings (TR3 equations that do not hold) of usable files.
    pub unbalanced: Vec<FileFinding>,
}

struct Kept<K> {
    key: K,
    seq: u64,
    cells: Vec<String>,
}

impl<K: Ord> Ord for Kept<K> {
    fn cmp(&self, other: &Self) -> Ordering {
        (&self.key, self.seq).cmp(&(&other.key, other.seq))
    }
}

impl<K: Ord> PartialOrd for Kept<K> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<K: Ord> PartialEq for Kept<K> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl<K: Ord> Eq for Kept<K> {}

/// The `cap` best rows by key (smaller is better; equal keys keep the
/// earlier row), counting every row offered. Cells are built only for rows
/// that are kept at the time they are offered.
pub struct TopRows<K> {
    cap: usize,
    heap: BinaryHeap<Kept<K>>,
    total: u64,
}

impl<K: Ord> TopRows<K> {
    /// Keeps at most `cap` rows.
    pub fn new(cap: usize) -> Self {
        TopRows {
            cap,
            heap: BinaryHeap::new(),
            total: 0,
        }
    }

    /// Offers a row with its priority key.
    pub fn offer(&mut self, key: K, cells: impl FnOnce() -> Vec<String>) {
        let seq = self.total;
        self.total += 1;
        if self.heap.len() < self.cap {
            self.heap.push(Kept {
                key,
                seq,
                cells: cells(),
            });
            return;
        }
        let better = self
            .heap
            .peek()
            .is_some_and(|worst| (&key, seq) < (&worst.key, worst.seq));
        if better {
            self.heap.pop();
            self.heap.push(Kept {
                key,
                seq,
                cells: cells(),
            });
        }
    }

    /// Rows offered.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The kept rows, best first.
    pub fn into_rows(self) -> Vec<Vec<String>> {
        self.heap
            .into_sorted_vec()
            .into_iter()
            .map(|k| k.cells)
            .collect()
    }
}

fn date(d: Option<Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

fn opt_money(d: Option<Decimal>) -> String {
    d.map(money).unwrap_or_default()
}

fn procedure(row: &DecidedLine) -> String {
    let e = &row.event;
    let mut out = e.procedure.to_string();
    for m in &e.modifiers {
        out.push(':');
        out.push_str(m);
    }
    out
}

type Line = TableColumn<DecidedLine>;

/// Payer, claim, member name, member id, service date and procedure: the
/// columns that say which line a row is about, after each line table's
/// first column.
macro_rules! line_columns {
    ($first:expr; $($rest:expr),*) => {
        &[
            $first,
            Line::new(text("Payer"), |r, _| r.event.context.payer.to_string()),
            Line::new(text("Claim"), |r, _| r.event.claim_id.to_string()),
            Line::new(text("Member"), |r, x| x.privacy.name(&r.event.member_name)),
            Line::new(text("Member id"), |r, x| x.privacy.id(&r.event.member_id)),
            Line::new(text("Service date"), |r, _| date(r.event.service_date)),
            Line::new(text("Procedure"), |r, _| procedure(r)),
            $($rest),*
        ]
    };
}

static APPEAL_COLUMNS: &[Line] = line_columns!(
    Line::new(text("Appeal by"), |r, _| date(r.decision.appeal_by));
    Line::new(num("Days left"), |_, x| x.days_left.to_string()),
    Line::new(text("Kind"), |r, _| appeal_kind(r).to_string()),
    Line::new(num("At stake"), |_, x| money(x.amount)),
    Line::new(prose("Reason"), |r, _| r.reason.clone())
);
static PPRD_COLUMNS: &[Line] = line_columns!(
    Line::new(text("Denied on"), |r, _| date(r.event.context.payment_date));
    Line::new(num("Billed"), |r, _| money(r.event.billed)),
    Line::new(num("Prior paid"), |r, _| opt_money(r.decision.prior_paid)),
    Line::new(text("Prior payment date"), |r, _| date(r.decision.prior_payment_date)),
    Line::new(text("Prior trace"), |r, _| r.decision.prior_trace.to_string()),
    Line::new(num("Net paid"), |r, _| opt_money(r.decision.net_paid)),
    Line::new(text("Denial trace"), |r, _| r.event.context.trace.to_string())
);
static RECOUP_COLUMNS: &[Line] = line_columns!(
    Line::new(text("Taken back on"), |r, _| date(r.event.context.payment_date));
    Line::new(text("How"), |r, _| recovery_kind(r)),
    Line::new(num("Taken back"), |_, x| money(x.amount)),
    Line::new(num("Paid before"), |r, _| opt_money(r.decision.prior_paid)),
    Line::new(text("Paid on"), |r, _| date(r.decision.prior_payment_date)),
    Line::new(text("Appeal by"), |r, _| date(r.decision.appeal_by)),
    Line::new(text("Trace"), |r, _| r.event.context.trace.to_string())
);
static UNDERPAID_COLUMNS: &[Line] = line_columns!(
    Line::new(text("Paid on"), |r, _| date(r.event.context.payment_date));
    Line::new(num("Units"), |r, _| r.event.units.normalize().to_string()),
    Line::new(num("Allowed"), |r, _| money(r.event.allowed)),
    Line::new(num("Expected"), |r, _| opt_money(r.decision.expected)),
    Line::new(num("Shortfall"), |_, x| money(x.amount)),
    Line::new(text("Appeal by"), |r, _| date(r.decision.appeal_by)),
    Line::new(prose("Contract basis"), |r, _| r.decision.expected_basis.to_string())
);

type Finding = TableColumn<FileFinding>;

const FILE: Finding = Finding::new(text("File"), |f, _| f.source.clone());

static UNBALANCED_COLUMNS: &[Finding] = &[
    FILE,
    Finding::new(text("Where"), |f, _| f.issue.pos.to_string()),
    Finding::new(text("Segment"), |f, _| {
        f.issue.segment.as_deref().unwrap_or_default().to_string()
    }),
    Finding::new(prose("Finding"), finding_message),
];
static REJECTED_COLUMNS: &[Finding] = &[
    FILE,
    Finding::new(prose("Where"), |f, _| f.issue.pos.to_string()),
    Finding::new(prose("First error"), finding_message),
];

/// What an open appeal item is about.
fn appeal_kind(row: &DecidedLine) -> &'static str {
    if row.decision.flags.contains(Flag::Recouped) {
        "Recouped"
    } else if row.decision.flags.contains(Flag::Underpaid) {
        "Underpaid"
    } else {
        "Denied"
    }
}

/// How money was taken back: a PLB recovery (by its reason) or a reversal.
fn recovery_kind(row: &DecidedLine) -> String {
    match (row.status, row.event.adjustments.first()) {
        (Status::ProviderAdjustment, Some(a)) => format!("PLB {}", a.reason),
        _ => "Reversal (CLP02 22)".to_string(),
    }
}

/// A finding's message. Masked, the message is the one without element
/// text (a misaligned segment may put a name or member id where a date or
/// an amount belongs, and the finding is about that element).
fn finding_message(finding: &FileFinding, extra: &Extra) -> String {
    match extra.privacy {
        Privacy::Masked => finding.issue.masked_message().to_string(),
        Privacy::Shown => finding.issue.message.clone(),
    }
}

/// Appeal priority: open items by deadline (soonest first), then items
/// whose deadline passed (most recently first); larger amounts first.
type AppealKey = (bool, i64, Reverse<Decimal>);

/// Collects every table as rows arrive.
pub struct TableBuilder {
    privacy: Privacy,
    appeals: TopRows<AppealKey>,
    pprd: TopRows<(Reverse<Decimal>, Option<Date>)>,
    recouped: TopRows<(Reverse<Decimal>, Option<Date>)>,
    underpaid: TopRows<(Reverse<Decimal>, Option<Date>)>,
    unbalanced: TopRows<()>,
    rejected: TopRows<()>,
}

impl TableBuilder {
    /// Tables of at most `cap` rows each.
    pub fn new(cap: usize, privacy: Privacy) -> Self {
        TableBuilder {
            privacy,
            appeals: TopRows::new(cap),
            pprd: TopRows::new(cap),
            recouped: TopRows::new(cap),
            underpaid: TopRows::new(cap),
            unbalanced: TopRows::new(cap),
            rejected: TopRows::new(cap),
        }
    }

    /// Offers a ledger row to the tables it belongs in.
    pub fn add_row(&mut self, row: &DecidedLine) {
        let privacy = self.privacy;
        let paid_on = row.event.context.payment_date;
        if row.status == Status::Denied
            && row
                .decision
                .flags
                .contains(Flag::PreviouslyPaidReportedDenied)
        {
            let key = (
                Reverse(row.decision.prior_paid.unwrap_or_default()),
                paid_on,
            );
            self.pprd
                .offer(key, || cells(PPRD_COLUMNS, row, &Extra::new(privacy)));
        }
        if let Some(amount) = taken_back(row) {
            let key = (Reverse(amount), paid_on);
            let extra = Extra {
                amount,
                ..Extra::new(privacy)
            };
            self.recouped
                .offer(key, || cells(RECOUP_COLUMNS, row, &extra));
        }
        if let Some(amount) = shortfall(row) {
            let key = (Reverse(amount), paid_on);
            let extra = Extra {
                amount,
                ..Extra::new(privacy)
            };
            self.underpaid
                .offer(key, || cells(UNDERPAID_COLUMNS, row, &extra));
        }
    }

    /// Offers an open appeal item.
    pub fn add_appeal(&mut self, item: &AppealItem) {
        let passed = item.days_left < 0;
        let urgency = if passed {
            -item.days_left
        } else {
            item.days_left
        };
        let extra = Extra {
            amount: item.at_stake,
            days_left: item.days_left,
            privacy: self.privacy,
        };
        self.appeals
            .offer((passed, urgency, Reverse(item.at_stake)), || {
                cells(APPEAL_COLUMNS, &item.row, &extra)
            });
    }

    /// Adds the inputs' findings.
    pub fn add_findings(&mut self, findings: &FileFindings) {
        let extra = Extra::new(self.privacy);
        for f in &findings.unbalanced {
            self.unbalanced
                .offer((), || cells(UNBALANCED_COLUMNS, f, &extra));
        }
        for f in &findings.rejected {
            self.rejected
                .offer((), || cells(REJECTED_COLUMNS, f, &extra));
        }
    }

    /// The finished tables, in page order.
    pub fn finish(self) -> Vec<Table> {
        vec![
            table(APPEALS, APPEAL_COLUMNS, self.appeals),
            table(PPRD, PPRD_COLUMNS, self.pprd),
            table(RECOUPED, RECOUP_COLUMNS, self.recouped),
            table(UNDERPAID, UNDERPAID_COLUMNS, self.underpaid),
            table(UNBALANCED, UNBALANCED_COLUMNS, self.unbalanced),
            table(REJECTED, REJECTED_COLUMNS, self.rejected),
        ]
    }
}

/// A table's fixed texts: id, title, description, command for all rows.
type About = (&'static str, &'static str, &'static str, &'static str);

const APPEALS: About = (
    "appeals",
    "Appeal worklist by deadline",
    "Open denied, underpaid and recouped lines: deadlines still ahead first (soonest first), then passed deadlines (most recent first).",
    "remit appeals PATH... --as-of DATE --out appeals.csv",
);
const PPRD: About = (
    "previously-paid",
    "Previously paid, now reported denied",
    "Lines paid before and re-listed as denied with no reversal or recovery: the prior payment stands — do not reverse it in your books. Largest prior payment first.",
    "remit reconcile PATH... --format csv --out ledger.csv (flag PREVIOUSLY_PAID_REPORTED_DENIED)",
);
const RECOUPED: About = (
    "recoupments",
    "Recoupments",
    "Money taken back by a reversal or a provider-level recovery (PLB). Largest first.",
    "remit reconcile PATH... --format csv --out ledger.csv (flag RECOUPED)",
);
const UNDERPAID: About = (
    "underpayments",
    "Underpayments",
    "Lines allowed below what the contract says (needs --contract), with the contract row and rules that gave the expected amount. Largest shortfall first.",
    "remit reconcile PATH... --contract CSV --format csv --out ledger.csv (flag UNDERPAID)",
);
const SCORECARD: About = (
    "scorecard",
    "Payer scorecard",
    "Per payer and procedure, each line once as it stands: allowed against billed and against the contracts (needs --contract), denials and days to payment. By payer, then procedure.",
    "remit contracts PATH... --contract CSV [--reference NAME=CSV]... --out scorecard.csv",
);
const SCORECARD_COLUMNS: &[Column] = &[
    text("Payer"),
    text("Procedure"),
    num("Lines"),
    num("Billed"),
    num("Allowed"),
    num("Allowed % of billed"),
    num("Expected"),
    num("Underpaid lines"),
    num("Shortfall"),
    num("Denial %"),
    num("Median days to payment"),
];

/// The payer scorecard as a page table: its first `cap` rows (payer, then
/// procedure order), with the count of all of them.
pub fn scorecard_table(rows: &[ScorecardRow], cap: usize) -> Table {
    let (id, title, description, get_all) = SCORECARD;
    Table {
        id,
        title,
        description,
        columns: SCORECARD_COLUMNS.to_vec(),
        total: rows.len() as u64,
        rows: rows
            .iter()
            .take(cap)
            .map(|r| {
                vec![
                    r.payer.clone(),
                    r.procedure.clone(),
                    r.lines.to_string(),
                    money(r.billed),
                    money(r.allowed),
                    opt_money(r.allowed_percent_of_billed),
                    if r.expected_lines == 0 {
                        String::new()
                    } else {
                        money(r.expected)
                    },
                    r.underpaid_lines.to_string(),
                    money(r.shortfall),
                    money(r.denial_percent),
                    r.median_days_to_payment
                        .map(|d| d.normalize().to_string())
                        .unwrap_or_default(),
                ]
            })
            .collect(),
        get_all,
    }
}

const UNBALANCED: About = (
    "unbalanced",
    "Remittances that did not balance",
    "TR3 balancing equations that do not hold — 835 line, claim and transaction totals, and 837 claim totals — in file order. The money was still read and is in this report.",
    "remit validate PATH...",
);
const REJECTED: About = (
    "rejected",
    "Files rejected",
    "Files that could not be read safely: nothing from them is in this report.",
    "remit validate PATH...",
);

fn table<R, K: Ord>(about: About, columns: &[TableColumn<R>], rows: TopRows<K>) -> Table {
    let (id, title, description, get_all) = about;
    Table {
        id,
        title,
        description,
        columns: heads(columns),
        total: rows.total(),
        rows: rows.into_rows(),
        get_all,
    }
}
