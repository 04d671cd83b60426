//! Practice accounting: did the practice post what the payer paid? What
//! the practice posted ([`posted`]) is compared with the ledger's money per
//! service line ([`books`]) by claim id + date of service + procedure (+
//! payer when the export names one): each line gets its findings, and
//! totals per payer and month of payment tie the posted money to the
//! remitted money and, when bank deposits are given, to the money received.
//!
//! Knows ledger rows and postings, not files, X12 or terminals.

pub mod books;
pub mod posted;

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;
use rust_decimal::Decimal;

pub use books::{Books, LineBook, base_procedure, books, month};
pub use posted::{PostedColumns, Posting, read_postings};

use crate::ledger::{Cell, Column, ColumnType};
use crate::line::{DecidedLine, EventKind, Flags};
use crate::reports::appeals::AppealItem;

use ColumnType::{List, Money, Text as Txt};

/// What the comparison of one line found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Finding {
    /// Posted what the payer paid (or nothing to post).
    Ok,
    /// Posted less than the line's net paid.
    PostedLess,
    /// Posted more than the line's net paid.
    PostedMore,
    /// Paid (net ≠ 0) and never posted.
    NotPosted,
    /// Posted a payment on a line no remittance ever paid.
    PostedNotPaid,
    /// A previously-paid line re-listed as denied was reversed in the
    /// books (a negative posting, or posted down to zero): the payment
    /// stands and must not be reversed.
    PreviouslyPaidReversedInBooks,
    /// An adjustment posted on a line still open in the appeal worklist
    /// wrote off money an appeal could win back.
    WriteOffOnAppealable,
}

impl Finding {
    /// The name written in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Finding::Ok => "OK",
            Finding::PostedLess => "POSTED_LESS",
            Finding::PostedMore => "POSTED_MORE",
            Finding::NotPosted => "NOT_POSTED",
            Finding::PostedNotPaid => "POSTED_NOT_PAID",
            Finding::PreviouslyPaidReversedInBooks => "PREVIOUSLY_PAID_REVERSED_IN_BOOKS",
            Finding::WriteOffOnAppealable => "WRITE_OFF_ON_APPEALABLE",
        }
    }
}

/// The appeal still open on a line: what is at stake and by when.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OpenAppeal {
    /// What an appeal can win back.
    pub at_stake: Decimal,
    /// The earliest deadline.
    pub appeal_by: Option<Date>,
}

/// One compared line: the ledger's books and the postings for one claim id
/// + date of service + procedure (+ payer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineComparison {
    /// What was found (`Ok` alone when nothing is wrong).
    pub findings: Vec<Finding>,
    /// The claim id.
    pub claim_id: String,
    /// Date of service.
    pub service_date: Date,
    /// Procedure without modifiers.
    pub procedure: String,
    /// Payer name.
    pub payer: String,
    /// The ledger's service lines (several when only modifiers differ).
    pub books: Vec<LineBook>,
    /// The postings, in file order.
    pub postings: Vec<Posting>,
    /// The open appeal on the line, if any.
    pub appeal: Option<OpenAppeal>,
    /// Money an adjustment wrote off from what an appeal could win back.
    pub written_off: Decimal,
    /// The findings in words.
    pub note: String,
}

impl LineComparison {
    /// The line's net paid.
    pub fn paid(&self) -> Decimal {
        self.books.iter().map(LineBook::net).sum()
    }

    /// Σ amount posted.
    pub fn posted(&self) -> Decimal {
        self.postings.iter().map(|p| p.amount).sum()
    }

    /// Σ adjustment posted.
    pub fn adjusted(&self) -> Decimal {
        self.postings.iter().map(|p| p.adjustment).sum()
    }

    fn charge(&self) -> Decimal {
        self.books.iter().map(|b| b.charge).sum()
    }

    fn patient_resp(&self) -> Decimal {
        self.books.iter().map(|b| b.patient_resp).sum()
    }

    fn flags(&self) -> Flags {
        Flags::from_bits(self.books.iter().fold(0, |f, b| f | b.flags.bits()))
    }

    /// Payment dates of the line's money, in order.
    pub fn payment_dates(&self) -> Vec<Date> {
        let mut dates: Vec<Date> = self
            .books
            .iter()
            .flat_map(|b| b.changes.iter().filter_map(|(d, _)| *d))
            .collect();
        dates.sort();
        dates.dedup();
        dates
    }

    /// The month of payment a posting books: that of the latest payment
    /// of the line on or before the posting date (else the posting's own).
    pub fn posting_month(&self, posting: &Posting) -> String {
        let dates = self.payment_dates();
        let booked = match posting.posting_date {
            Some(on) => dates.iter().rev().find(|d| **d <= on).copied().or(Some(on)),
            None => dates.last().copied(),
        };
        month(booked)
    }
}

/// Compares the books with the postings, line by line; `appeals` is the
/// appeal worklist (open lines) of the same ledger rows. Lines come in
/// claim, date and procedure order; lines neither remitted nor posted are
/// left out.
pub fn compare(
    books: &Books,
    postings: Vec<Posting>,
    appeals: &[AppealItem],
) -> Vec<LineComparison> {
    let mut units = units(books, postings);
    let open = open_appeals(appeals);
    for unit in &mut units {
        unit.appeal = open
            .get(&line_key(
                &unit.claim_id,
                unit.service_date,
                &unit.procedure,
                &unit.payer,
            ))
            .copied();
        judge(unit);
    }
    units.retain(|u| !u.postings.is_empty() || u.books.iter().any(|b| b.remitted));
    units.sort_by(|a, b| {
        (&a.claim_id, a.service_date, &a.procedure, &a.payer).cmp(&(
            &b.claim_id,
            b.service_date,
            &b.procedure,
            &b.payer,
        ))
    });
    units
}

type LineId = (String, Date, String);

fn line_id(claim: &str, date: Date, procedure: &str) -> LineId {
    (
        claim.trim().to_ascii_uppercase(),
        date,
        base_procedure(procedure),
    )
}

fn line_key(claim: &str, date: Date, procedure: &str, payer: &str) -> (LineId, String) {
    (line_id(claim, date, procedure), payer_word(payer))
}

/// A payer name reduced to letters and digits, upper case.
fn payer_word(payer: &str) -> String {
    payer
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// True when a posted payer names the ledger's payer: equal, or one
/// contains the other, letters and digits only.
fn same_payer(posted: &str, ledger: &str) -> bool {
    let (a, b) = (payer_word(posted), payer_word(ledger));
    !a.is_empty() && !b.is_empty() && (a.contains(&b) || b.contains(&a))
}

/// Groups books and postings into comparable lines: each posting joins
/// the books of its line (and payer), then every book left gets its own.
fn units(books: &Books, postings: Vec<Posting>) -> Vec<LineComparison> {
    let mut grouping = Grouping::new(books);
    for p in postings {
        grouping.posting(p);
    }
    for (i, b) in books.lines.iter().enumerate() {
        let Some(date) = b.service_date.filter(|_| !grouping.taken[i]) else {
            continue;
        };
        let key = line_key(&b.claim_id, date, &b.procedure, &b.payer);
        let u = grouping.unit(key, || {
            empty_unit(&b.claim_id, date, &b.procedure, &b.payer)
        });
        grouping.units[u].books.push(b.clone());
    }
    grouping.units
}

/// The state of [`units`]: books by line, the lines so far, and which
/// books a line has taken.
struct Grouping<'b> {
    books: &'b Books,
    by_id: HashMap<LineId, Vec<usize>>,
    units: Vec<LineComparison>,
    at: HashMap<(LineId, String), usize>,
    taken: Vec<bool>,
}

impl<'b> Grouping<'b> {
    fn new(books: &'b Books) -> Self {
        let mut by_id: HashMap<LineId, Vec<usize>> = HashMap::new();
        for (i, b) in books.lines.iter().enumerate() {
            if let Some(date) = b.service_date {
                let id = line_id(&b.claim_id, date, &b.procedure);
                by_id.entry(id).or_default().push(i);
            }
        }
        Grouping {
            books,
            by_id,
            units: Vec::new(),
            at: HashMap::new(),
            taken: vec![false; books.lines.len()],
        }
    }

    /// The index of the line with `key`, made by `make` when new.
    fn unit(&mut self, key: (LineId, String), make: impl FnOnce() -> LineComparison) -> usize {
        let units = &mut self.units;
        *self.at.entry(key).or_insert_with(|| {
            units.push(make());
            units.len() - 1
        })
    }

    /// The books a posting is for: its line's, of the posted payer when
    /// the export names one.
    fn matching(&self, p: &Posting, id: &LineId) -> Vec<usize> {
        let candidates = self.by_id.get(id).into_iter().flatten().copied();
        candidates
            .filter(|&i| p.payer.is_empty() || same_payer(&p.payer, &self.books.lines[i].payer))
            .collect()
    }

    fn posting(&mut self, p: Posting) {
        let id = line_id(&p.claim_id, p.service_date, &p.procedure);
        let matching = self.matching(&p, &id);
        let payer = matching
            .first()
            .map_or(p.payer.clone(), |&i| self.books.lines[i].payer.clone());
        let payer_part = if p.payer.is_empty() {
            String::new()
        } else {
            payer_word(&payer)
        };
        let (claim, date, procedure) = (p.claim_id.clone(), p.service_date, id.2.clone());
        let u = self.unit((id, payer_part), || {
            empty_unit(&claim, date, &procedure, &payer)
        });
        for i in matching {
            if !self.taken[i] {
                self.taken[i] = true;
                self.units[u].books.push(self.books.lines[i].clone());
            }
        }
        self.units[u].postings.push(p);
    }
}

fn empty_unit(claim: &str, date: Date, procedure: &str, payer: &str) -> LineComparison {
    LineComparison {
        findings: Vec::new(),
        claim_id: claim.to_string(),
        service_date: date,
        procedure: base_procedure(procedure),
        payer: payer.to_string(),
        books: Vec::new(),
        postings: Vec::new(),
        appeal: None,
        written_off: Decimal::ZERO,
        note: String::new(),
    }
}

/// The open appeals of service lines (not PLB rows), by line and payer.
fn open_appeals(items: &[AppealItem]) -> HashMap<(LineId, String), OpenAppeal> {
    let mut open: HashMap<(LineId, String), OpenAppeal> = HashMap::new();
    for item in items {
        let e = &item.row.event;
        let (EventKind::Line | EventKind::Claim) = e.kind else {
            continue;
        };
        let Some(date) = e.service_date else { continue };
        let entry = open
            .entry(line_key(&e.claim_id, date, &e.procedure, &e.context.payer))
            .or_default();
        entry.at_stake += item.at_stake;
        entry.appeal_by = match (entry.appeal_by, item.row.decision.appeal_by) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    open
}

/// Decides the findings of one line.
fn judge(u: &mut LineComparison) {
    let mut notes = Vec::new();
    if let Some((finding, note)) = money_finding(u) {
        u.findings.push(finding);
        notes.push(note);
    }
    write_off(u, &mut notes);
    if u.findings.is_empty() {
        u.findings.push(Finding::Ok);
    }
    u.note = notes.join("; ");
}

/// How the money posted compares with the money paid, when it is wrong.
fn money_finding(u: &LineComparison) -> Option<(Finding, String)> {
    let (paid, posted) = (u.paid(), u.posted());
    let money = crate::money::money;
    let remitted = u.books.iter().any(|b| b.remitted);
    if u.postings.is_empty() {
        return (remitted && !paid.is_zero()).then(|| {
            (
                Finding::NotPosted,
                format!("paid {} and never posted", money(paid)),
            )
        });
    }
    if !u.books.iter().any(|b| b.ever_paid) && !posted.is_zero() {
        let why = if remitted {
            "no remittance paid the line"
        } else {
            "no 835 line answers it"
        };
        let note = format!("posted {} but {why}", money(posted));
        return Some((Finding::PostedNotPaid, note));
    }
    if posted < paid && reversed_in_books(u) {
        let note = format!(
            "the payment of {} stands (re-listed as denied, not reversed); the books show {}",
            money(paid),
            money(posted)
        );
        return Some((Finding::PreviouslyPaidReversedInBooks, note));
    }
    let finding = match posted.cmp(&paid) {
        std::cmp::Ordering::Less => Finding::PostedLess,
        std::cmp::Ordering::Greater => Finding::PostedMore,
        std::cmp::Ordering::Equal => return None,
    };
    let note = format!(
        "posted {}, paid {} ({})",
        money(posted),
        money(paid),
        signed(posted - paid)
    );
    Some((finding, note))
}

fn signed(d: Decimal) -> String {
    let text = crate::money::money(d);
    if d > Decimal::ZERO {
        format!("+{text}")
    } else {
        text
    }
}

/// A previously-paid-reported-denied line whose books went negative or
/// down to zero.
fn reversed_in_books(u: &LineComparison) -> bool {
    let relisted = u
        .books
        .iter()
        .any(LineBook::previously_paid_reported_denied);
    let negative = u.postings.iter().any(|p| p.amount < Decimal::ZERO);
    relisted && (negative || u.posted().is_zero())
}

/// An adjustment that eats into what an appeal could win back, booked
/// while the appeal was still possible. The practice may write off the
/// charge less what was paid, what the patient owes and what is at stake.
fn write_off(u: &mut LineComparison, notes: &mut Vec<String>) {
    let Some(appeal) = u.appeal else { return };
    if appeal.at_stake <= Decimal::ZERO {
        return;
    }
    let allowance = u.charge() - u.paid() - u.patient_resp() - appeal.at_stake;
    let excess = u.adjusted() - allowance.max(Decimal::ZERO);
    let in_time = u.postings.iter().any(|p| {
        !p.adjustment.is_zero()
            && match (p.posting_date, appeal.appeal_by) {
                (Some(on), Some(by)) => on <= by,
                _ => true,
            }
    });
    if excess > Decimal::ZERO && in_time {
        u.written_off = excess.min(appeal.at_stake);
        u.findings.push(Finding::WriteOffOnAppealable);
        let by = appeal
            .appeal_by
            .map(|d| format!(", appeal by {d}"))
            .unwrap_or_default();
        notes.push(format!(
            "adjustment of {} writes off {} that an appeal could win back{by}",
            crate::money::money(u.adjusted()),
            crate::money::money(u.written_off)
        ));
    }
}

/// Money per payer and month of payment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MonthTotals {
    /// Σ BPR02: every remitted amount, line, claim-level and provider-level.
    pub remitted: Decimal,
    /// The lines' money (payments, reversals and recoveries allocated to
    /// lines) in the month.
    pub paid: Decimal,
    /// Σ amount posted, by the month of the payment each posting books.
    pub posted: Decimal,
    /// Σ adjustment posted.
    pub adjusted: Decimal,
    /// Money received for the month's payments (with bank deposits).
    pub received: Option<Decimal>,
}

/// Totals per (payer, `YYYY-MM`); deposits no remittance explains count
/// as received under the payer [`UNEXPLAINED`].
pub fn month_totals(
    books: &Books,
    lines: &[LineComparison],
    received: Option<&BTreeMap<(String, String), Decimal>>,
) -> BTreeMap<(String, String), MonthTotals> {
    let mut totals: BTreeMap<(String, String), MonthTotals> = BTreeMap::new();
    for (key, amount) in &books.remitted {
        totals.entry(key.clone()).or_default().remitted += amount;
    }
    for b in &books.lines {
        for (date, change) in &b.changes {
            totals
                .entry((b.payer.clone(), month(*date)))
                .or_default()
                .paid += change;
        }
    }
    for line in lines {
        for p in &line.postings {
            let t = totals
                .entry((line.payer.clone(), line.posting_month(p)))
                .or_default();
            t.posted += p.amount;
            t.adjusted += p.adjustment;
        }
    }
    if let Some(received) = received {
        for t in totals.values_mut() {
            t.received = Some(Decimal::ZERO);
        }
        for ((payer, month), amount) in received {
            let payer = if payer.is_empty() {
                UNEXPLAINED.to_string()
            } else {
                payer.clone()
            };
            let t = totals.entry((payer, month.clone())).or_default();
            t.received = Some(t.received.unwrap_or_default() + amount);
        }
    }
    totals
}

/// The payer of total rows for deposits no remittance explains.
pub const UNEXPLAINED: &str = "(no remittance)";

/// One row of the posting report: a line, or a total.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PostingRow {
    /// A compared line.
    Line(Box<LineComparison>),
    /// Totals of a payer and month (`all` for every month or payer).
    Total {
        /// Payer name, or `all`.
        payer: String,
        /// `YYYY-MM`, or `all`.
        month: String,
        /// The money.
        totals: MonthTotals,
    },
}

/// The report's columns. Total rows fill the payer, the month and the
/// money that sums (paid, posted, adjusted, remitted, received).
pub static COLUMNS: &[Column<PostingRow>] = &[
    C::new("record", Txt, |r| match r {
        PostingRow::Line(_) => Cell::Text("line"),
        PostingRow::Total { .. } => Cell::Text("total"),
    }),
    C::new("finding", Txt, |r| {
        line(r, |l| {
            Cell::Owned(
                l.findings
                    .iter()
                    .map(|f| f.as_str())
                    .collect::<Vec<_>>()
                    .join(";"),
            )
        })
    }),
    C::new("payer", Txt, |r| match r {
        PostingRow::Line(l) => Cell::text(&l.payer),
        PostingRow::Total { payer, .. } => Cell::text(payer),
    }),
    C::new("month", Txt, |r| match r {
        PostingRow::Line(l) => Cell::Owned(month(l.payment_dates().last().copied())),
        PostingRow::Total { month, .. } => Cell::text(month),
    }),
    C::new("claim_id", Txt, |r| line(r, |l| Cell::text(&l.claim_id))),
    C::new("service_date", ColumnType::Date, |r| {
        line(r, |l| Cell::Date(l.service_date))
    }),
    C::new("procedure", Txt, |r| line(r, |l| Cell::text(&l.procedure))),
    C::new("paid", Money, |r| match r {
        PostingRow::Line(l) => Cell::Money(l.paid()),
        PostingRow::Total { totals, .. } => Cell::Money(totals.paid),
    }),
    C::new("posted", Money, |r| match r {
        PostingRow::Line(l) => Cell::Money(l.posted()),
        PostingRow::Total { totals, .. } => Cell::Money(totals.posted),
    }),
    C::new("difference", Money, |r| match r {
        PostingRow::Line(l) => Cell::Money(l.posted() - l.paid()),
        PostingRow::Total { totals, .. } => Cell::Money(totals.posted - totals.paid),
    }),
    C::new("adjustment_posted", Money, |r| match r {
        PostingRow::Line(l) => Cell::Money(l.adjusted()),
        PostingRow::Total { totals, .. } => Cell::Money(totals.adjusted),
    }),
    C::new("written_off", Money, |r| {
        line(r, |l| Cell::Money(l.written_off))
    }),
    C::new("amount_at_stake", Money, |r| {
        line(r, |l| Cell::money(l.appeal.map(|a| a.at_stake)))
    }),
    C::new("appeal_by", ColumnType::Date, |r| {
        line(r, |l| Cell::date(l.appeal.and_then(|a| a.appeal_by)))
    }),
    C::new("remitted", Money, |r| total(r, |t| Cell::Money(t.remitted))),
    C::new("claim_level", Money, |r| {
        total(r, |t| Cell::Money(t.remitted - t.paid))
    }),
    C::new("received", Money, |r| total(r, |t| Cell::money(t.received))),
    C::new("ledger_status", Txt, |r| {
        line(r, |l| {
            Cell::Owned(
                l.books
                    .iter()
                    .filter_map(|b| b.status)
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(";"),
            )
        })
    }),
    C::new("flags", List(';'), |r| {
        line(r, |l| Cell::Owned(l.flags().to_string()))
    }),
    C::new("payment_dates", Txt, |r| {
        line(r, |l| Cell::Owned(dates(l.payment_dates())))
    }),
    C::new("posting_dates", Txt, |r| {
        line(r, |l| {
            Cell::Owned(dates(
                l.postings.iter().filter_map(|p| p.posting_date).collect(),
            ))
        })
    }),
    C::new("posted_lines", Txt, |r| {
        line(r, |l| {
            Cell::Owned(
                l.postings
                    .iter()
                    .map(|p| p.line.to_string())
                    .collect::<Vec<_>>()
                    .join(";"),
            )
        })
    }),
    C::new("note", Txt, |r| line(r, |l| Cell::text(&l.note))),
];

type C = Column<PostingRow>;

/// A cell of a line row; total rows leave the column empty.
fn line<'a>(r: &'a PostingRow, cell: fn(&'a LineComparison) -> Cell<'a>) -> Cell<'a> {
    match r {
        PostingRow::Line(l) => cell(l),
        PostingRow::Total { .. } => Cell::Empty,
    }
}

/// A cell of a total row; line rows leave the column empty.
fn total<'a>(r: &'a PostingRow, cell: fn(&'a MonthTotals) -> Cell<'a>) -> Cell<'a> {
    match r {
        PostingRow::Line(_) => Cell::Empty,
        PostingRow::Total { totals, .. } => cell(totals),
    }
}

/// Dates as the report lists them: `YYYY-MM-DD;…`.
fn dates(d: Vec<Date>) -> String {
    d.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(";")
}

/// The total rows: each payer and month, each payer's sum (`all` months),
/// and the sum of everything.
pub fn total_rows(totals: &BTreeMap<(String, String), MonthTotals>) -> Vec<PostingRow> {
    let mut rows = Vec::new();
    let mut payer_sum: BTreeMap<&str, MonthTotals> = BTreeMap::new();
    let mut all = MonthTotals::default();
    for ((payer, month), t) in totals {
        rows.push(PostingRow::Total {
            payer: payer.clone(),
            month: month.clone(),
            totals: t.clone(),
        });
        add(payer_sum.entry(payer).or_default(), t);
        add(&mut all, t);
    }
    for (payer, t) in payer_sum {
        rows.push(PostingRow::Total {
            payer: payer.to_string(),
            month: "all".into(),
            totals: t,
        });
    }
    rows.push(PostingRow::Total {
        payer: "all".into(),
        month: "all".into(),
        totals: all,
    });
    rows
}

fn add(sum: &mut MonthTotals, t: &MonthTotals) {
    sum.remitted += t.remitted;
    sum.paid += t.paid;
    sum.posted += t.posted;
    sum.adjusted += t.adjusted;
    sum.received = match (sum.received, t.received) {
        (None, None) => None,
        (a, b) => Some(a.unwrap_or_default() + b.unwrap_or_default()),
    };
}

/// Rows per finding.
pub fn finding_counts(lines: &[LineComparison]) -> BTreeMap<Finding, usize> {
    let mut counts = BTreeMap::new();
    for l in lines {
        for f in &l.findings {
            *counts.entry(*f).or_default() += 1;
        }
    }
    counts
}

/// The ledger rows' lines still open to appeal (see
/// [`crate::reports::appeals::worklist`]).
pub fn open_lines(rows: &[DecidedLine], as_of: Date) -> Vec<AppealItem> {
    crate::reports::appeals::worklist(rows.iter().cloned(), as_of)
}

#[cfg(test)]
mod tests;
