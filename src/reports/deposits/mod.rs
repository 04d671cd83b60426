//! ERA ↔ EFT/check reassociation: did the money each remittance promises
//! arrive? Payments (one per 835 transaction: TRN02 trace, BPR02 amount,
//! BPR04 method, BPR16 date, payer) are collected from ledger rows and
//! matched to bank deposits ([`crate::bank`]) by trace, check number and
//! amount, then by amount and date as a last resort; the result is one row
//! per match — payments and the deposits that answer them — plus one per
//! deposit that no remittance explains.
//!
//! Knows ledger rows and deposits, not files, X12 or terminals.

mod matcher;

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;
use rust_decimal::Decimal;

pub use matcher::{MatchSettings, match_deposits};

use crate::bank::Deposit;
use crate::ledger::{Cell, Column, ColumnType};

use crate::line::{DecidedLine, EventKind, RemittanceContext, Status, payer_key};
use crate::money::money;
use crate::text::Text;
use ColumnType::Text as Txt;

/// One payment: what one 835 transaction says the payer sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payment {
    /// The file the 835 came from.
    pub source: String,
    /// ISA13.
    pub interchange: Text,
    /// ST02.
    pub transaction: Text,
    /// TRN02: the EFT trace number, or the check number.
    pub trace: Text,
    /// N1*PR name.
    pub payer: Text,
    /// N1*PR N104 (or TRN03): how the history keys the payer.
    pub payer_id: Text,
    /// The payer's identifier as every output shows it
    /// ([`RemittanceContext::payer_identifier`]: REF*2U, else N104, else
    /// TRN03), so the deposits' `payer_id` is the ledger's.
    pub payer_shown: Text,
    /// BPR16, else the production date.
    pub date: Option<Date>,
    /// BPR02.
    pub amount: Decimal,
    /// BPR04: ACH, CHK, NON…
    pub method: Text,
    /// Σ PLB FB amounts: negative carries a balance forward to a later
    /// payment, positive takes one from this payment.
    pub balance_forward: Decimal,
    /// Set when a corrected version of this remittance (same payer and
    /// trace) replaced it: the bank is expected to pay the corrected
    /// version's amount, not this one.
    pub superseded_by: Option<Text>,
}

impl Payment {
    /// The payment of one transaction's context.
    pub fn from_context(c: &RemittanceContext) -> Self {
        Payment {
            source: c.source.clone(),
            interchange: c.interchange.clone(),
            transaction: c.transaction.clone(),
            trace: c.trace.clone(),
            payer: c.payer.clone(),
            payer_id: c.payer_id.clone(),
            payer_shown: c.payer_identifier().into(),
            date: c.payment_or_production_date(),
            amount: c.payment_amount,
            method: c.payment_method.clone(),
            balance_forward: Decimal::ZERO,
            superseded_by: None,
        }
    }

    /// `FILE ST 0001`.
    pub fn label(&self) -> String {
        format!("{} ST {}", self.source, self.transaction)
    }

    /// True when money should move: a non-zero BPR02 not marked NON.
    pub fn moves_money(&self) -> bool {
        !self.amount.is_zero() && !self.method.eq_ignore_ascii_case("NON")
    }

    /// True for a check (BPR04 CHK): TRN02 is the check number.
    pub fn is_check(&self) -> bool {
        self.method.eq_ignore_ascii_case("CHK")
    }

    /// The payer as the ledger keys it (id, else upper-case name).
    pub fn payer_key(&self) -> Text {
        payer_key(&self.payer_id, &self.payer)
    }
}

/// Collects the payments of ledger rows, one per transaction (source,
/// ISA13, ST02, trace), with the PLB FB amounts of each. A superseded
/// version of a remittance (its rows name the version that replaced it) is
/// kept as such: the matcher expects the corrected amount and names the
/// old one.
#[derive(Debug, Default)]
pub struct Payments {
    index: HashMap<(String, Text, Text, Text), usize>,
    list: Vec<Payment>,
}

impl Payments {
    /// Adds the transaction of `row` (billed-only rows have none).
    pub fn add(&mut self, row: &DecidedLine) {
        if row.status == Status::NoRemittance {
            return;
        }
        let c = &row.event.context;
        let key = (
            c.source.clone(),
            c.interchange.clone(),
            c.transaction.clone(),
            c.trace.clone(),
        );
        let at = match self.index.get(&key) {
            Some(&at) => at,
            None => {
                self.list.push(Payment {
                    superseded_by: row.superseded_by.clone(),
                    ..Payment::from_context(c)
                });
                self.index.insert(key, self.list.len() - 1);
                self.list.len() - 1
            }
        };
        if row.event.kind == EventKind::ProviderAdjustment {
            for a in row.event.adjustments.iter().filter(|a| a.reason == "FB") {
                self.list[at].balance_forward += a.amount;
            }
        }
    }

    /// The payments by date, then file and transaction.
    pub fn into_sorted(mut self) -> Vec<Payment> {
        self.list.sort_by(|a, b| {
            (a.date, &a.source, &a.interchange, &a.transaction).cmp(&(
                b.date,
                &b.source,
                &b.interchange,
                &b.transaction,
            ))
        });
        self.list
    }
}

/// How payments and deposits were matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MatchKind {
    /// ACH: a deposit carries the trace (TRN02) and the amount (BPR02).
    MatchedTrace,
    /// Check: a deposit carries the check number (TRN02) and the amount.
    MatchedCheck,
    /// Last resort: no deposit carries the trace; one has the amount within
    /// the date window.
    MatchedAmountDate,
    /// Several 835 transactions with the same trace paid by one deposit.
    Combined,
    /// One 835 paid by several deposits carrying its trace.
    Split,
    /// A negative remittance (negative BPR02, or a balance carried forward
    /// by PLB FB) netted against a later payment in one deposit.
    Offset,
    /// Deposits carry the trace but their sum differs from BPR02.
    AmountDiffers,
    /// Money promised and not received within the window.
    RemittanceWithoutDeposit,
    /// Money promised, no deposit yet, still within the window.
    AwaitingDeposit,
    /// A negative remittance no later payment or deposit has offset yet.
    AwaitingOffset,
    /// BPR02 0 or BPR04 NON: no money moves, nothing to match.
    NoMoneyMoved,
    /// Money received that no remittance explains: it cannot be posted.
    DepositWithoutRemittance,
}

impl MatchKind {
    /// The name written in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchKind::MatchedTrace => "MATCHED_TRACE",
            MatchKind::MatchedCheck => "MATCHED_CHECK",
            MatchKind::MatchedAmountDate => "MATCHED_AMOUNT_DATE",
            MatchKind::Combined => "COMBINED",
            MatchKind::Split => "SPLIT",
            MatchKind::Offset => "OFFSET",
            MatchKind::AmountDiffers => "AMOUNT_DIFFERS",
            MatchKind::RemittanceWithoutDeposit => "REMITTANCE_WITHOUT_DEPOSIT",
            MatchKind::AwaitingDeposit => "AWAITING_DEPOSIT",
            MatchKind::AwaitingOffset => "AWAITING_OFFSET",
            MatchKind::NoMoneyMoved => "NO_MONEY_MOVED",
            MatchKind::DepositWithoutRemittance => "DEPOSIT_WITHOUT_REMITTANCE",
        }
    }
}

/// One row of the deposits report: payments and the deposits that answer
/// them (either side may be empty).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DepositMatch {
    /// How they were matched.
    pub kind: MatchKind,
    /// The 835 transactions, by date.
    pub payments: Vec<Payment>,
    /// The deposits, by date.
    pub deposits: Vec<Deposit>,
    /// What should have arrived: Σ BPR02, less balances carried forward
    /// into this payment.
    pub promised: Decimal,
    /// What happened, in words.
    pub note: String,
}

impl DepositMatch {
    /// Σ deposits.
    pub fn received(&self) -> Decimal {
        self.deposits.iter().map(|d| d.amount).sum()
    }

    /// received − promised.
    pub fn difference(&self) -> Decimal {
        self.received() - self.promised
    }

    /// The traces of the payments, once each, joined with ` + `.
    pub fn traces(&self) -> String {
        unique(self.payments.iter().map(|p| p.trace.as_str()))
    }

    /// The date of the payment the deposits answer (the latest).
    pub fn payment_date(&self) -> Option<Date> {
        self.payments.iter().filter_map(|p| p.date).max()
    }

    /// The day the last deposit arrived.
    pub fn deposit_date(&self) -> Option<Date> {
        self.deposits.iter().map(|d| d.date).max()
    }

    /// The payer of the row (empty for a deposit without remittance).
    pub fn payer(&self) -> &str {
        self.payments.first().map_or("", |p| p.payer.as_str())
    }
}

fn unique<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for item in items {
        if !item.is_empty() && !seen.contains(&item) {
            seen.push(item);
        }
    }
    seen.join(" + ")
}

/// The report's columns.
pub static COLUMNS: &[Column<DepositMatch>] = &[
    C::new("match", Txt, |m| Cell::Text(m.kind.as_str())),
    C::new("trace", Txt, |m| Cell::Owned(m.traces())),
    C::new("payer", Txt, |m| Cell::text(m.payer())),
    C::new("payer_id", Txt, |m| {
        Cell::Owned(unique(m.payments.iter().map(|p| p.payer_shown.as_str())))
    }),
    C::new("payment_date", ColumnType::Date, |m| {
        Cell::date(m.payment_date())
    }),
    C::new("method", Txt, |m| {
        Cell::Owned(unique(m.payments.iter().map(|p| p.method.as_str())))
    }),
    C::new("promised", ColumnType::Money, |m| Cell::Money(m.promised)),
    C::new("received", ColumnType::Money, |m| Cell::Money(m.received())),
    C::new("difference", ColumnType::Money, |m| {
        Cell::Money(m.difference())
    }),
    C::new("deposit_date", ColumnType::Date, |m| {
        Cell::date(m.deposit_date())
    }),
    C::new("remittances", Txt, |m| {
        Cell::Owned(join(m.payments.iter().map(Payment::label)))
    }),
    C::new("deposits", Txt, |m| {
        Cell::Owned(join(m.deposits.iter().map(Deposit::label)))
    }),
    C::new("bank_records", Txt, |m| {
        Cell::Owned(join(
            m.deposits
                .iter()
                .map(|d| format!("{} {}", d.source, d.position)),
        ))
    }),
    C::new("note", Txt, |m| Cell::text(&m.note)),
];

type C = Column<DepositMatch>;

fn join(items: impl Iterator<Item = String>) -> String {
    items.collect::<Vec<_>>().join(" + ")
}

/// Promised and received money, for totals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Money {
    /// What the remittances say should arrive.
    pub promised: Decimal,
    /// What the bank received.
    pub received: Decimal,
}

/// Counts per match kind and totals, overall and per payer and month of
/// payment (deposits without remittance under an empty payer, by deposit
/// month).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DepositTotals {
    /// Rows per kind.
    pub kinds: BTreeMap<MatchKind, usize>,
    /// All rows.
    pub all: Money,
    /// Per (payer, `YYYY-MM`).
    pub by_payer_month: BTreeMap<(String, String), Money>,
}

impl DepositTotals {
    /// Adds one row.
    pub fn add(&mut self, m: &DepositMatch) {
        *self.kinds.entry(m.kind).or_default() += 1;
        let received = m.received();
        self.all.promised += m.promised;
        self.all.received += received;
        let month = m
            .payment_date()
            .or(m.deposit_date())
            .map_or(String::new(), |d| {
                format!("{:04}-{:02}", d.year(), d.month())
            });
        let entry = self
            .by_payer_month
            .entry((m.payer().to_string(), month))
            .or_default();
        entry.promised += m.promised;
        entry.received += received;
    }

    /// `KIND n, KIND n` in report order.
    pub fn kinds_text(&self) -> String {
        self.kinds
            .iter()
            .map(|(k, n)| format!("{} {n}", k.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// One line per payer and month: `payer YYYY-MM: promised …, received …`
    /// (deposits without remittance last).
    pub fn payer_month_lines(&self) -> Vec<String> {
        let (unexplained, payers): (Vec<_>, Vec<_>) = self
            .by_payer_month
            .iter()
            .partition(|((payer, _), _)| payer.is_empty());
        payers
            .into_iter()
            .chain(unexplained)
            .map(|((payer, month), m)| {
                let payer = if payer.is_empty() {
                    "(no remittance)"
                } else {
                    payer
                };
                format!(
                    "{payer} {month}: promised {}, received {}, difference {}",
                    money(m.promised),
                    money(m.received),
                    money(m.received - m.promised)
                )
            })
            .collect()
    }
}
