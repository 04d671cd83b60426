//! What was decided about one event: its flags, the prior payment it
//! cites, the fee-schedule comparison, net paid, the money at stake, the
//! appeal deadline and the notes that say why. Data only: the rules that
//! fill it are `reconcile::decide`'s.

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::flags::Flags;
use super::prior::PriorEvent;
use crate::text::Text;

/// What was decided about one event.
///
/// Serialised flat inside a [`super::DecidedLine`] under the names the
/// ledger row always had (the store keeps rows as JSON: stores written
/// before the decision had a type of its own still read).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Decision {
    /// Flags.
    pub flags: Flags,
    /// The last paying event's amount, when the row refers to it.
    pub prior_paid: Option<Decimal>,
    /// The last paying event's date.
    pub prior_payment_date: Option<Date>,
    /// The last paying event's trace.
    pub prior_trace: Text,
    /// What the contract says the payer should have allowed.
    pub expected: Option<Decimal>,
    /// allowed − expected.
    pub variance: Option<Decimal>,
    /// Which contract row and which payment rules produced `expected`
    /// (`contract::Expected::basis`), or why a row covering the line gave
    /// no amount. Empty without contracts; absent from older stores.
    #[serde(default)]
    pub expected_basis: String,
    /// The line's net paid after this event.
    pub net_paid: Option<Decimal>,
    /// Last day to appeal.
    pub appeal_by: Option<Date>,
    /// The money the practice can act on (see `reconcile::decide`). Every
    /// decided event has one; `None` only where nothing was decided: a
    /// billed line no remittance answered (NO_REMITTANCE), the event of a
    /// remittance version never applied, a row stored before the amount
    /// existed.
    #[serde(default)]
    pub at_stake: Option<Decimal>,
    /// The money the payer refused on this event (its denial adjustments).
    #[serde(default)]
    pub denied: Decimal,
    /// Why the verdict and each flag, with the evidence, in words. They
    /// open the line's `reason` when a [`super::DecidedLine`] is made,
    /// which takes them (so they are never kept twice, nor stored).
    #[serde(skip)]
    pub notes: Vec<String>,
}

impl Decision {
    /// Names the last paying event on the row (`prior_paid`,
    /// `prior_payment_date`, `prior_trace`).
    pub fn cite(&mut self, payment: Option<&PriorEvent>) {
        if let Some(p) = payment {
            self.prior_paid = Some(p.paid);
            self.prior_payment_date = p.payment_date;
            self.prior_trace = p.trace.clone();
        }
    }

    /// [`Decision::at_stake`], zero when nothing was assessed: the amount
    /// the rules add to and take from.
    pub fn stake(&self) -> Decimal {
        self.at_stake.unwrap_or_default()
    }
}
