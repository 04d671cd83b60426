//! The ledger's money per service line, as a practice's books should show
//! it: every payment, reversal and re-listing of the line by payment date,
//! plus the PLB recoveries (WO, 72, FB naming the claim) that took money
//! back from it. The recoveries are allocated to the claim's lines the way
//! the reconcile engine does ([`recovery_take`]: each line gives up to its
//! net, in the order the lines were first paid), since the ledger carries
//! them on the PLB row rather than on the line.
//!
//! Knows ledger rows, not postings or files.

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::line::{DecidedLine, EventKind, Flag, Flags, LineKey, Status, event_key, payer_key};
use crate::reconcile::recovery::{RECOVERY_REASONS, recovery_take};
use crate::text::Text;

/// One service line's money over time.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineBook {
    /// CLP01 (or CLM01 for a line no remittance answered).
    pub claim_id: String,
    /// Date of service.
    pub service_date: Option<Date>,
    /// Procedure as billed, without modifiers.
    pub procedure: String,
    /// Payer name.
    pub payer: String,
    /// (payment date, change of the line's net paid), in payment order.
    pub changes: Vec<(Option<Date>, Decimal)>,
    /// The billed charge.
    pub charge: Decimal,
    /// Σ patient responsibility (net of reversals).
    pub patient_resp: Decimal,
    /// True when some remittance answered the line.
    pub remitted: bool,
    /// True when some remittance paid money on it.
    pub ever_paid: bool,
    /// Every flag of its rows.
    pub flags: Flags,
    /// Status of its last row.
    pub status: Option<Status>,
}

impl LineBook {
    /// The line's net paid.
    pub fn net(&self) -> Decimal {
        self.changes.iter().map(|(_, d)| d).sum()
    }

    /// True when a previously paid line was re-listed as denied (the
    /// payment stands).
    pub fn previously_paid_reported_denied(&self) -> bool {
        self.flags.contains(Flag::PreviouslyPaidReportedDenied)
    }
}

/// The lines, and every remitted amount (all rows, so Σ BPR02) by payer and
/// month of payment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Books {
    /// One book per service line, in order of first appearance.
    pub lines: Vec<LineBook>,
    /// Σ paid of every row by (payer, `YYYY-MM`).
    pub remitted: BTreeMap<(String, String), Decimal>,
}

/// `YYYY-MM` of a date (empty when unknown).
pub fn month(date: Option<Date>) -> String {
    date.map_or(String::new(), |d| {
        format!("{:04}-{:02}", d.year(), d.month())
    })
}

/// A procedure code without modifiers (`97140-59`, `97140:59`, `97140 59`).
pub fn base_procedure(code: &str) -> String {
    code.trim()
        .split(['-', ':', ' '])
        .next()
        .unwrap_or("")
        .to_ascii_uppercase()
}

/// Builds the books from ledger rows given in payment order.
pub fn books(rows: &[DecidedLine]) -> Books {
    let mut builder = Builder::default();
    for row in rows {
        builder.row(row);
    }
    Books {
        lines: builder.lines,
        remitted: builder.remitted,
    }
}

#[derive(Default)]
struct Builder {
    lines: Vec<LineBook>,
    by_key: HashMap<LineKey, usize>,
    links: HashMap<(Text, String), Vec<usize>>,
    remitted: BTreeMap<(String, String), Decimal>,
}

impl Builder {
    fn row(&mut self, row: &DecidedLine) {
        let e = &row.event;
        if row.status != Status::NoRemittance {
            let key = (e.context.payer.to_string(), month(e.context.payment_date));
            *self.remitted.entry(key).or_default() += e.paid;
        }
        match e.kind {
            EventKind::Line | EventKind::Claim => self.line_row(row),
            EventKind::ProviderAdjustment if row.decision.flags.contains(Flag::Recouped) => {
                self.recovery(row)
            }
            _ => {}
        }
    }

    fn line_row(&mut self, row: &DecidedLine) {
        let e = &row.event;
        let key = row.key.clone().unwrap_or_else(|| event_key(e));
        let at = match self.by_key.get(&key) {
            Some(&at) => at,
            None => {
                self.lines.push(LineBook {
                    claim_id: e.claim_id.to_string(),
                    service_date: e.service_date,
                    procedure: base_procedure(&e.procedure),
                    payer: e.context.payer.to_string(),
                    ..LineBook::default()
                });
                self.by_key.insert(key, self.lines.len() - 1);
                self.lines.len() - 1
            }
        };
        let book = &mut self.lines[at];
        book.charge = book.charge.max(e.billed);
        book.flags = Flags::from_bits(book.flags.bits() | row.decision.flags.bits());
        book.status = Some(row.status);
        if row.status == Status::NoRemittance {
            return;
        }
        book.remitted = true;
        book.ever_paid |= !e.paid.is_zero();
        book.patient_resp += e.patient_resp;
        book.changes.push((e.context.payment_date, e.paid));
        let payer = payer_key(&e.context.payer_id, &e.context.payer);
        for reference in [&e.claim_id, &e.payer_claim_id] {
            if reference.is_empty() {
                continue;
            }
            let linked = self
                .links
                .entry((payer.clone(), reference.to_string()))
                .or_default();
            if !linked.contains(&at) {
                linked.push(at);
            }
        }
    }

    /// A PLB recovery naming a claim takes money back from its lines.
    fn recovery(&mut self, row: &DecidedLine) {
        let e = &row.event;
        let Some(adjustment) = e.adjustments.first() else {
            return;
        };
        if !RECOVERY_REASONS.contains(&adjustment.reason.as_str()) {
            return;
        }
        let payer = payer_key(&e.context.payer_id, &e.context.payer);
        let Some(lines) = self.links.get(&(payer, e.claim_id.to_string())) else {
            return;
        };
        let mut to_take = recovery_take(&adjustment.reason, adjustment.amount);
        for &at in lines {
            let book = &mut self.lines[at];
            let taken = book.net().max(Decimal::ZERO).min(to_take);
            to_take -= taken;
            if !taken.is_zero() {
                book.changes.push((e.context.payment_date, -taken));
            }
        }
    }
}
