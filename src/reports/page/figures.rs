//! The report's headline figures, each defined once here (the page prints
//! the same definitions): sums over the very rows the ledger holds, plus
//! the open appeal items of the worklist.

use rust_decimal::Decimal;

use crate::line::{DecidedLine, Flag, Status};
use crate::reports::appeals::AppealItem;

/// One headline figure: a stable id (the page element is
/// `headline-{id}`), a label, its exact value and what it sums.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Figure {
    /// Stable id, e.g. `paid`.
    pub id: &'static str,
    /// Label shown on the page.
    pub label: String,
    /// The amount.
    pub value: Decimal,
    /// How it is computed, in words.
    pub definition: &'static str,
    /// How many rows or items it sums.
    pub count: u64,
}

/// The headline sums, accumulated one row (and one appeal item) at a time.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Headline {
    billed: (Decimal, u64),
    paid: (Decimal, u64),
    patient_resp: (Decimal, u64),
    denied: (Decimal, u64),
    recouped: (Decimal, u64),
    underpaid: (Decimal, u64),
    at_risk: (Decimal, u64),
    past_deadline: (Decimal, u64),
    unanswered: (Decimal, u64),
}

/// The money a row denies that can still cost the practice: the amount at
/// stake of a DENIED row that is not a re-listing of a payment that stands
/// (PREVIOUSLY_PAID_REPORTED_DENIED) — what its denial adjustments refused,
/// not its charge — and of a PARTIAL_DENIAL row (the denied part of a paid
/// line; when the line is also UNDERPAID, the larger of the denied part and
/// the shortfall, which is then counted here and not under Underpaid). None
/// for other rows and when nothing is at stake (a duplicate-claim denial of
/// a payment that stands).
pub fn denied_amount(row: &DecidedLine) -> Option<Decimal> {
    let denial = row.status == Status::Denied
        && !row
            .decision
            .flags
            .contains(Flag::PreviouslyPaidReportedDenied)
        || row.decision.flags.contains(Flag::PartialDenial);
    let amount = row.decision.at_stake.unwrap_or_default();
    (denial && amount > Decimal::ZERO).then_some(amount)
}

/// Money taken back by this row: −paid of a RECOUPED reversal or
/// provider-level (PLB) row. A later denial of a line whose money was
/// already taken back takes nothing more, so it is not counted again.
pub fn taken_back(row: &DecidedLine) -> Option<Decimal> {
    let takes = matches!(row.status, Status::Reversal | Status::ProviderAdjustment);
    (takes && row.decision.flags.contains(Flag::Recouped)).then(|| -row.event.paid)
}

/// How far an UNDERPAID row's allowed amount is below the contract:
/// −variance.
pub fn shortfall(row: &DecidedLine) -> Option<Decimal> {
    if !row.decision.flags.contains(Flag::Underpaid) {
        return None;
    }
    row.decision.variance.map(|v| -v)
}

/// The shortfall the Underpaid figure counts: that of UNDERPAID rows not
/// also PARTIAL_DENIAL (those count once, under Denied).
fn underpaid_amount(row: &DecidedLine) -> Option<Decimal> {
    if row.decision.flags.contains(Flag::PartialDenial) {
        return None;
    }
    shortfall(row)
}

fn add(sum: &mut (Decimal, u64), amount: Decimal) {
    sum.0 += amount;
    sum.1 += 1;
}

impl Headline {
    /// Adds one ledger row.
    pub fn add_row(&mut self, row: &DecidedLine) {
        let e = &row.event;
        if row.status == Status::NoRemittance {
            add(&mut self.unanswered, e.billed);
            return;
        }
        add(&mut self.billed, e.billed);
        add(&mut self.paid, e.paid);
        add(&mut self.patient_resp, e.patient_resp);
        if let Some(amount) = denied_amount(row) {
            add(&mut self.denied, amount);
        }
        if let Some(amount) = taken_back(row) {
            add(&mut self.recouped, amount);
        }
        if let Some(amount) = underpaid_amount(row) {
            add(&mut self.underpaid, amount);
        }
    }

    /// Adds one open appeal item; `deadline_days` is the warning window.
    pub fn add_appeal(&mut self, item: &AppealItem, deadline_days: i64) {
        if item.days_left < 0 {
            add(&mut self.past_deadline, item.at_stake);
        } else if item.days_left <= deadline_days {
            add(&mut self.at_risk, item.at_stake);
        }
    }

    /// The figures in page order; `deadline_days` names the warning window.
    pub fn figures(&self, deadline_days: i64) -> Vec<Figure> {
        let at_risk = format!("At risk: appeal due within {deadline_days} days");
        [
            ("billed", "Billed".to_string(), self.billed, BILLED),
            ("paid", "Paid".into(), self.paid, PAID),
            (
                "patient-resp",
                "Patient responsibility".into(),
                self.patient_resp,
                PATIENT_RESP,
            ),
            ("denied", "Denied".into(), self.denied, DENIED),
            ("recouped", "Recouped".into(), self.recouped, RECOUPED),
            ("underpaid", "Underpaid".into(), self.underpaid, UNDERPAID),
            ("at-risk", at_risk, self.at_risk, AT_RISK),
            (
                "past-deadline",
                "Appeal deadline passed".into(),
                self.past_deadline,
                PAST_DEADLINE,
            ),
            (
                "unanswered",
                "Billed, no remittance yet".into(),
                self.unanswered,
                UNANSWERED,
            ),
        ]
        .into_iter()
        .map(|(id, label, (value, count), definition)| Figure {
            id,
            label,
            value,
            definition,
            count,
        })
        .collect()
    }
}

const BILLED: &str = "Σ billed of every remitted row (reversals count negative, so a reversed and re-paid claim counts once); as `remit reconcile` prints it.";
const PAID: &str = "Σ paid of every row, including reversals, claim-level and provider-level (PLB) amounts: equals Σ BPR02 of the remittances.";
const PATIENT_RESP: &str = "Σ patient responsibility (PR adjustments) of every remitted row.";
const DENIED: &str = "Σ amount at stake of DENIED rows, except those flagged PREVIOUSLY_PAID_REPORTED_DENIED (that payment stands), and of PARTIAL_DENIAL rows: what the denial adjustments (denial or duplicate category, or unknown reason code) refused — never the whole charge unless all of it was refused; after a take-back, at most the payment taken back. Deductibles, co-pays and contractual write-offs are not denials. A line denied twice counts twice.";
const RECOUPED: &str = "Money taken back: Σ −paid of RECOUPED rows that are reversals or provider-level recoveries (PLB WO/72/FB). A later denial of a line already taken back adds nothing.";
const UNDERPAID: &str = "Σ (expected − allowed) of UNDERPAID rows: how far allowed amounts fall below the contract (a row also PARTIAL_DENIAL counts under Denied instead).";
const AT_RISK: &str = "Σ amount at stake of open appeal items (the `remit appeals` worklist) whose deadline is today or within the warning window (--deadline-days).";
const PAST_DEADLINE: &str = "Σ amount at stake of open appeal items whose deadline has passed.";
const UNANSWERED: &str =
    "Σ billed of NO_REMITTANCE rows: billed lines no remittance answered yet (not part of Billed).";
