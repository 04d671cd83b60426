//! The headline money figures, each defined once: what is summed, over
//! which rows, under which label. `remit reconcile`'s summary, the
//! resolution report, posting, the HTML report's cards and the README all
//! take their labels and definitions from here, so one word means one sum
//! everywhere, and two commands that count different things say so with
//! different labels.
//!
//! Every figure leaves out the rows of superseded remittance versions
//! (shown for what changed, never counted) and, except "billed by the
//! practice", the `NO_REMITTANCE` rows of billed lines no remittance
//! answered.

use rust_decimal::Decimal;

use super::decided::DecidedLine;
use super::event::EventKind;
use super::flags::Flag;
use super::status::Status;

/// A figure's label and what it includes, in words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Definition {
    /// Stable id (the report's `headline-{id}` element).
    pub id: &'static str,
    /// The label every output prints.
    pub label: &'static str,
    /// What the total includes.
    pub includes: &'static str,
}

/// Billed by the practice: the 837s' charges.
pub const BILLED: Definition = Definition {
    id: "billed",
    label: "billed (837)",
    includes: "Σ claim charges (CLM02) of the 837 claims read that were new to the history, as sent: replacements (CLM05-3 = 7) and voids (8) count like any claim; a claim sent again with the same content counts once",
};

/// What the remittances say was charged.
pub const REMITTED_CHARGE: Definition = Definition {
    id: "remitted-charge",
    label: "remitted charge (835)",
    includes: "Σ charge as the payer restates it (SVC02, or CLP03 for a claim without lines) of every remitted row; reversals count negative, so a reversed and re-adjudicated claim counts once, but a line re-listed in a later remittance counts again — so it can exceed billed (837)",
};

/// Money paid, as the payments moved it.
pub const PAID: Definition = Definition {
    id: "paid",
    label: "paid",
    includes: "Σ paid of every remitted row: service lines, claims without lines, reversals (negative), claim-level remainders and provider-level (PLB) amounts — equals Σ BPR02 of the remittances",
};

/// Paid, on claim lines only.
pub const PAID_ON_LINES: Definition = Definition {
    id: "paid-on-lines",
    label: "paid on claim lines",
    includes: "Σ paid of service-line rows and claims without lines, reversals included (negative); claim-level remainders and provider-level (PLB) amounts left out, so it differs from paid by those",
};

/// Paid on claim lines once provider-level recoveries are taken from them
/// (posting's view: what each line holds).
pub const NET_PAID_ON_LINES: Definition = Definition {
    id: "net-paid-on-lines",
    label: "net paid on claim lines",
    includes: "Σ over claim lines of what each holds: payments and reversals, less what PLB recoveries (WO/72/FB) naming the claim took from its lines — so it differs from paid on claim lines by those recoveries, and from paid by the claim- and provider-level amounts not allocated to a line",
};

/// Patient responsibility.
pub const PATIENT_RESP: Definition = Definition {
    id: "patient-resp",
    label: "patient responsibility",
    includes: "Σ patient responsibility (PR adjustments) of every remitted row",
};

/// Denied: what the denials can still cost the practice.
pub const DENIED: Definition = Definition {
    id: "denied",
    label: "denied",
    includes: "Σ amount at stake of DENIED rows, except those flagged PREVIOUSLY_PAID_REPORTED_DENIED (that payment stands), and of PARTIAL_DENIAL rows: what the denial adjustments (denial or duplicate category, or unknown reason code) refused — never the whole charge unless all of it was refused; after a take-back, at most the payment taken back. Deductibles, co-pays and contractual write-offs are not denials. A line denied twice counts twice",
};

/// Denied as the payer reported it: every denial, re-listings included.
pub const DENIED_AS_REPORTED: Definition = Definition {
    id: "denied-as-reported",
    label: "denied as reported",
    includes: "Σ what the denial adjustments of DENIED and PAID claim-line rows refused, every denial counted — re-listings as denied of lines whose payment stands included (the payer's word, as a regulator reads it); denied leaves those out",
};

/// Money the payers took back.
pub const RECOVERED: Definition = Definition {
    id: "recovered",
    label: "recovered by payers",
    includes: "Σ −paid of RECOUPED rows that are reversals or provider-level recoveries (PLB WO/72/FB): money taken back from lines that held it. A later denial of a line already taken back adds nothing",
};

/// What an appeal can still win.
pub const AT_STAKE: Definition = Definition {
    id: "at-stake",
    label: "at stake",
    includes: "Σ amount at stake of the open appeal worklist items (`remit appeals`): each open denial, underpayment or take-back once, what an appeal can still win",
};

/// True when a row counts in the remitted figures: a remittance row of a
/// version in force.
pub fn is_remitted(row: &DecidedLine) -> bool {
    row.status != Status::NoRemittance && !row.is_superseded()
}

/// True for the rows of claim lines: service lines and claims without
/// lines (not claim-level remainders, PLB amounts or unanswered lines).
pub fn is_claim_line(row: &DecidedLine) -> bool {
    matches!(row.event.kind, EventKind::Line | EventKind::Claim)
        && row.status != Status::NoRemittance
}

/// The row's part of [`DENIED`]: the amount at stake of a DENIED row that
/// is not a re-listing of a payment that stands, and of a PARTIAL_DENIAL
/// row (when the line is also UNDERPAID, the larger of the denied part and
/// the shortfall, counted here and not as underpaid). None for other rows
/// and when nothing is at stake.
pub fn denied(row: &DecidedLine) -> Option<Decimal> {
    let denial = row.status == Status::Denied
        && !row
            .decision
            .flags
            .contains(Flag::PreviouslyPaidReportedDenied)
        || row.decision.flags.contains(Flag::PartialDenial);
    let amount = row.decision.at_stake.unwrap_or_default();
    (denial && amount > Decimal::ZERO).then_some(amount)
}

/// The row's part of [`DENIED_AS_REPORTED`]: what its denial adjustments
/// refused (a denied line's, or the denied part of a paid one), not its
/// charge; a line that owes a deductible or co-pay, or was written off
/// under contract, denied nothing.
pub fn denied_as_reported(row: &DecidedLine) -> Decimal {
    match row.status {
        Status::Denied | Status::Paid => row.decision.denied,
        _ => Decimal::ZERO,
    }
}

/// The row's part of [`RECOVERED`]: −paid of a RECOUPED reversal or
/// provider-level (PLB) row.
pub fn recovered(row: &DecidedLine) -> Option<Decimal> {
    let takes = matches!(row.status, Status::Reversal | Status::ProviderAdjustment);
    (takes && row.decision.flags.contains(Flag::Recouped)).then(|| -row.event.paid)
}

/// A sum and how many rows it adds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sum {
    /// The amount.
    pub value: Decimal,
    /// Rows added.
    pub rows: u64,
}

impl Sum {
    fn add(&mut self, amount: Decimal) {
        self.value += amount;
        self.rows += 1;
    }
}

/// The remitted figures over a set of ledger rows, added one row at a time.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// [`REMITTED_CHARGE`].
    pub remitted_charge: Sum,
    /// [`PAID`].
    pub paid: Sum,
    /// [`PAID_ON_LINES`].
    pub paid_on_lines: Sum,
    /// [`PATIENT_RESP`].
    pub patient_resp: Sum,
    /// [`DENIED`].
    pub denied: Sum,
    /// [`DENIED_AS_REPORTED`].
    pub denied_as_reported: Sum,
    /// [`RECOVERED`].
    pub recovered: Sum,
}

impl Totals {
    /// Adds one ledger row; rows that count in no remitted figure (see
    /// [`is_remitted`]) are left out.
    pub fn add(&mut self, row: &DecidedLine) {
        if !is_remitted(row) {
            return;
        }
        let e = &row.event;
        self.remitted_charge.add(e.billed);
        self.paid.add(e.paid);
        self.patient_resp.add(e.patient_resp);
        if is_claim_line(row) {
            self.paid_on_lines.add(e.paid);
            let reported = denied_as_reported(row);
            if !reported.is_zero() {
                self.denied_as_reported.add(reported);
            }
        }
        if let Some(amount) = denied(row) {
            self.denied.add(amount);
        }
        if let Some(amount) = recovered(row) {
            self.recovered.add(amount);
        }
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::line::{Decision, LineEvent};

    fn row(kind: EventKind, status: Status, billed: i64, paid: i64) -> DecidedLine {
        let event = LineEvent {
            kind,
            member_id: "M1".into(),
            procedure: "98940".into(),
            billed: Decimal::from(billed),
            allowed: Decimal::ZERO,
            paid: Decimal::from(paid),
            status,
            ..LineEvent::sample()
        };
        DecidedLine::new(event, Decision::default(), String::new())
    }

    /// Paid counts every remitted row (so it ties to BPR02), paid on claim
    /// lines only lines; unanswered and superseded rows count nowhere.
    #[test]
    fn paid_and_paid_on_lines_differ_by_claim_and_provider_level_amounts() {
        let mut totals = Totals::default();
        totals.add(&row(EventKind::Line, Status::Paid, 85, 55));
        totals.add(&row(
            EventKind::ClaimAdjustment,
            Status::ClaimAdjustment,
            0,
            -2,
        ));
        totals.add(&row(
            EventKind::ProviderAdjustment,
            Status::ProviderAdjustment,
            0,
            -30,
        ));
        totals.add(&row(EventKind::Line, Status::NoRemittance, 65, 0));
        let mut old = row(EventKind::Line, Status::Paid, 85, 55);
        old.superseded_by = Some("v2".into());
        totals.add(&old);
        assert_eq!(totals.paid.value, Decimal::from(23));
        assert_eq!(totals.paid.rows, 3);
        assert_eq!(totals.paid_on_lines.value, Decimal::from(55));
        assert_eq!(totals.remitted_charge.value, Decimal::from(85));
    }

    /// A re-listing as denied of a payment that stands is denied as
    /// reported, not denied.
    #[test]
    fn a_relisting_of_a_standing_payment_is_denied_as_reported_only() {
        let mut relisted = row(EventKind::Line, Status::Denied, 85, 0);
        relisted.decision.denied = Decimal::from(85);
        relisted.decision.at_stake = Some(Decimal::ZERO);
        relisted
            .decision
            .flags
            .insert(Flag::PreviouslyPaidReportedDenied);
        let mut denial = row(EventKind::Line, Status::Denied, 40, 0);
        denial.decision.denied = Decimal::from(40);
        denial.decision.at_stake = Some(Decimal::from(40));
        let mut totals = Totals::default();
        totals.add(&relisted);
        totals.add(&denial);
        assert_eq!(totals.denied.value, Decimal::from(40));
        assert_eq!(totals.denied_as_reported.value, Decimal::from(125));
    }
}
