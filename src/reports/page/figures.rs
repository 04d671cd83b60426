//! The report's headline figures: the money figures every command shows,
//! as [`crate::line::figures`] defines and labels them, plus what only the
//! report shows (underpaid, appeal deadlines, unanswered lines), defined
//! here. The page prints each definition under its figure.

use rust_decimal::Decimal;

use crate::line::figures::{self, Totals};
use crate::line::{DecidedLine, Flag, Status};
use crate::reports::appeals::AppealItem;

/// "Remitted charge (835)" for "remitted charge (835)": labels are
/// defined lower-case, to sit inside a sentence; a card opens with a capital.
fn capitalised(label: &str) -> String {
    let mut chars = label.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

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

/// The headline sums, accumulated one row (and one appeal item) at a time:
/// the remitted figures as [`crate::line::figures`] defines them, and what
/// only the report shows (underpaid, the appeal deadlines, unanswered).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Headline {
    totals: Totals,
    at_stake: (Decimal, u64),
    underpaid: (Decimal, u64),
    at_risk: (Decimal, u64),
    past_deadline: (Decimal, u64),
    unanswered: (Decimal, u64),
}

pub use crate::line::figures::{denied as denied_amount, recovered as taken_back};

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
        if row.status == Status::NoRemittance {
            add(&mut self.unanswered, row.event.billed);
            return;
        }
        self.totals.add(row);
        if figures::is_remitted(row) {
            if let Some(amount) = underpaid_amount(row) {
                add(&mut self.underpaid, amount);
            }
        }
    }

    /// Adds one open appeal item; `deadline_days` is the warning window.
    pub fn add_appeal(&mut self, item: &AppealItem, deadline_days: i64) {
        add(&mut self.at_stake, item.at_stake);
        if item.days_left < 0 {
            add(&mut self.past_deadline, item.at_stake);
        } else if item.days_left <= deadline_days {
            add(&mut self.at_risk, item.at_stake);
        }
    }

    /// The figures in page order; `deadline_days` names the warning window.
    pub fn figures(&self, deadline_days: i64) -> Vec<Figure> {
        let at_risk = format!("At risk: appeal due within {deadline_days} days");
        let t = &self.totals;
        let sum = |s: figures::Sum| (s.value, s.rows);
        let defined = |d: figures::Definition, s: figures::Sum| {
            (d.id, capitalised(d.label), sum(s), d.includes)
        };
        [
            defined(figures::REMITTED_CHARGE, t.remitted_charge),
            defined(figures::PAID, t.paid),
            defined(figures::PATIENT_RESP, t.patient_resp),
            defined(figures::DENIED, t.denied),
            defined(figures::RECOVERED, t.recovered),
            (
                figures::AT_STAKE.id,
                capitalised(figures::AT_STAKE.label),
                self.at_stake,
                figures::AT_STAKE.includes,
            ),
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

const UNDERPAID: &str = "Σ (expected − allowed) of UNDERPAID rows: how far allowed amounts fall below the contract (a row also PARTIAL_DENIAL counts under Denied instead).";
const AT_RISK: &str = "Σ amount at stake of open appeal items (the `remit appeals` worklist) whose deadline is today or within the warning window (--deadline-days).";
const PAST_DEADLINE: &str = "Σ amount at stake of open appeal items whose deadline has passed.";
const UNANSWERED: &str =
    "Σ billed of NO_REMITTANCE rows: billed lines no remittance answered yet (not part of Billed).";
