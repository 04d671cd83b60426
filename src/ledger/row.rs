//! The reconciliation ledger: its column names, and each decided line
//! ([`DecidedLine`]: a service-line event with the decision about it) as
//! the cells of one row.

use super::{Cell, Record};
use crate::line::{DecidedLine, Status, adjustments_text};
use crate::text::Text;

/// The ledger's columns, in order. `remit lines` writes the columns of
/// [`LINES`], which names some of them.
pub const COLUMNS: &[&str] = &[
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
    "flags",
    "prior_paid",
    "prior_payment_date",
    "prior_trace",
    "expected",
    "variance",
    "net_paid",
    "appeal_by",
    "matched_claim_line",
    "age_days",
    "reason",
    "payer_id",
    "line_control",
    "paid_procedure",
    "revenue_code",
    "interchange",
    "transaction",
    "received_date",
    "receipt_source",
    "due_date",
    "days_late",
    "interest_owed",
    "interest_paid",
    "interest_difference",
    "at_stake",
    "superseded_by",
    "claim_state",
    "claim_state_date",
    "filing_deadline",
    "days_left",
];

/// The columns of `remit lines`: what the remittance itself says, without
/// any history — the ledger's first columns through `status`, then the
/// procedure as adjudicated, the flags an event raises by itself and the
/// reason in words. Named, not counted, so that a column added to the
/// ledger neither shifts `reconcile`'s columns nor appears here unasked.
pub const LINES: &[&str] = &[
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
];

/// A ledger row as `remit lines` writes it: cell `i` is the ledger cell of
/// the column [`LINES`]`[i]`.
pub struct LinesRecord<'a>(pub &'a DecidedLine);

/// The ledger column of each [`LINES`] column, found once.
fn lines_to_ledger() -> &'static [usize] {
    static MAP: std::sync::LazyLock<Vec<usize>> = std::sync::LazyLock::new(|| {
        LINES
            .iter()
            .map(|name| {
                COLUMNS
                    .iter()
                    .position(|c| c == name)
                    .expect("every lines column is a ledger column")
            })
            .collect()
    });
    &MAP
}

impl Record for LinesRecord<'_> {
    fn cell(&self, column: usize) -> Cell<'_> {
        match lines_to_ledger().get(column) {
            Some(&ledger) => self.0.cell(ledger),
            None => Cell::Empty,
        }
    }
}

fn joined(parts: &[Text], sep: &str) -> String {
    parts
        .iter()
        .map(|p| p.as_str())
        .collect::<Vec<_>>()
        .join(sep)
}

impl DecidedLine {
    /// Units, billed and allowed mean something for service lines and
    /// claims only, not for claim-level remainders or PLB amounts.
    fn has_line_amounts(&self) -> bool {
        !matches!(
            self.status,
            Status::ClaimAdjustment | Status::ProviderAdjustment
        )
    }

    /// Nothing was paid or allowed on a line no remittance answered.
    fn has_payment(&self) -> bool {
        self.status != Status::NoRemittance
    }
}

impl DecidedLine {
    fn interest_cell(&self, column: usize) -> Cell<'_> {
        let Some(i) = &self.interest else {
            return Cell::Empty;
        };
        match column {
            38 => Cell::Date(i.received),
            39 => Cell::Text(i.source.as_str()),
            40 => Cell::Date(i.due),
            41 => Cell::Integer(i.days_late),
            42 => Cell::Money(i.owed),
            43 => Cell::Money(i.paid),
            _ => Cell::Money(i.difference()),
        }
    }
}

impl Record for DecidedLine {
    fn cell(&self, column: usize) -> Cell<'_> {
        let e = &self.event;
        let c = &e.context;
        let line = self.has_line_amounts();
        let paid = self.has_payment();
        match column {
            13 if !line => Cell::Empty,
            14 | 15 if !line => Cell::Empty,
            15..=17 if !paid => Cell::Empty,
            17 if self.status == Status::ProviderAdjustment => Cell::Empty,
            0 => Cell::text(&c.source),
            1 => Cell::text(&c.payer),
            2 => Cell::text(&c.payee_npi),
            3 => Cell::text(&c.trace),
            4 => Cell::date(c.payment_date),
            5 => Cell::text(&e.claim_id),
            6 => Cell::text(&e.payer_claim_id),
            7 => Cell::text(&e.claim_status),
            8 => Cell::text(&e.member_id),
            9 => Cell::text(&e.member_name),
            10 => Cell::date(e.service_date),
            11 => Cell::text(&e.procedure),
            12 => Cell::Owned(joined(&e.modifiers, ":")),
            13 => Cell::Number(e.billed_units),
            14 => Cell::Money(e.billed),
            15 => Cell::Money(e.allowed),
            16 => Cell::Money(e.paid),
            17 => Cell::Money(e.patient_resp),
            18 => Cell::Owned(adjustments_text(e)),
            19 => Cell::Owned(joined(&e.remarks, ";")),
            20 => Cell::Text(self.status.as_str()),
            21 => Cell::Owned(self.decision.flags.to_string()),
            22 => Cell::money(self.decision.prior_paid),
            23 => Cell::date(self.decision.prior_payment_date),
            24 => Cell::text(&self.decision.prior_trace),
            25 => Cell::money(self.decision.expected),
            26 => Cell::money(self.decision.variance),
            27 => Cell::money(self.decision.net_paid),
            28 => Cell::date(self.decision.appeal_by),
            29 => Cell::text(&self.matched_claim_line),
            30 => self.age_days.map_or(Cell::Empty, Cell::Integer),
            31 => Cell::text(&self.reason),
            32 => Cell::text(&c.payer_id),
            33 => Cell::text(&e.line_control),
            34 => e.paid_procedure.as_deref().map_or(Cell::Empty, Cell::Text),
            35 => Cell::text(&e.revenue_code),
            36 => Cell::text(&c.interchange),
            37 => Cell::text(&c.transaction),
            38..=44 => self.interest_cell(column),
            45 => Cell::money(self.decision.at_stake),
            46 => self
                .superseded_by
                .as_deref()
                .map_or(Cell::Empty, Cell::Text),
            47..=50 => self.standing_cell(column),
            _ => Cell::Empty,
        }
    }
}

impl DecidedLine {
    /// The front-end state and filing deadline of a NO_REMITTANCE row.
    fn standing_cell(&self, column: usize) -> Cell<'_> {
        let Some(s) = &self.standing else {
            return Cell::Empty;
        };
        match column {
            47 => Cell::text(&s.state),
            48 => Cell::date(s.state_date),
            49 => Cell::date(s.filing_deadline),
            _ => s.days_left.map_or(Cell::Empty, Cell::Integer),
        }
    }
}
