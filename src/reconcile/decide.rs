//! The decision: one pure function of (event, the line's prior history, fee
//! schedule, rules) that gives an event its status, flags, prior payment,
//! expected amount, net paid and appeal deadline.
//!
//! It reads no clock and no store: the same rules run in tests, in
//! `remit reconcile` and as a stage of a distributed job.

use jiff::ToSpan;
use jiff::civil::Date;
use rust_decimal::Decimal;

use super::fees::FeeSchedule;
use crate::events::{LineEvent, Status};
use crate::history::{LineHistory, PriorEvent, PriorKind};
use crate::ledger::{Flag, Flags};
use crate::remittance::Text;

/// CARCs whose denials are medical-necessity (utilisation review) denials.
pub const MEDICAL_NECESSITY_CARCS: &[&str] = &["50", "55", "56", "150", "151", "152", "167"];

/// The settings the decision depends on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rules {
    /// The reconciliation date (`--as-of`).
    pub as_of: Date,
    /// Days to appeal a medical-necessity denial.
    pub medical_appeal_days: i32,
    /// Days to appeal anything else.
    pub administrative_appeal_days: i32,
    /// CARCs that make a denial medical-necessity.
    pub medical_necessity_carcs: Vec<Text>,
    /// Prompt-pay interest rule, when interest is assessed.
    pub prompt_pay: Option<super::interest::PromptPay>,
}

impl Rules {
    /// Default rules: 180 days for medical necessity, 90 otherwise.
    pub fn new(as_of: Date) -> Self {
        Rules {
            as_of,
            medical_appeal_days: 180,
            administrative_appeal_days: 90,
            medical_necessity_carcs: MEDICAL_NECESSITY_CARCS
                .iter()
                .map(|c| Text::from(*c))
                .collect(),
            prompt_pay: None,
        }
    }
}

/// What was decided about one event.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Decision {
    /// Flags.
    pub flags: Flags,
    /// The last paying event's amount, when the row refers to it.
    pub prior_paid: Option<Decimal>,
    /// The last paying event's date.
    pub prior_payment_date: Option<Date>,
    /// The last paying event's trace.
    pub prior_trace: Text,
    /// Fee schedule allowed × units.
    pub expected: Option<Decimal>,
    /// allowed − expected.
    pub variance: Option<Decimal>,
    /// The line's net paid after this event.
    pub net_paid: Option<Decimal>,
    /// Last day to appeal.
    pub appeal_by: Option<Date>,
}

/// What the history says about a line before this event.
#[derive(Debug, Default)]
struct Standing<'h> {
    net_paid: Decimal,
    last_payment: Option<&'h PriorEvent>,
    taken_back_since_payment: bool,
    last_denial: Option<&'h PriorEvent>,
}

fn standing(history: &LineHistory) -> Standing<'_> {
    let mut s = Standing::default();
    for event in &history.events {
        s.net_paid += event.paid;
        match event.kind {
            PriorKind::Payment if event.paid > Decimal::ZERO => {
                s.last_payment = Some(event);
                s.taken_back_since_payment = false;
            }
            PriorKind::Payment if event.paid < Decimal::ZERO => s.taken_back_since_payment = true,
            PriorKind::Reversal | PriorKind::Recovery => s.taken_back_since_payment = true,
            PriorKind::Denial => s.last_denial = Some(event),
            _ => {}
        }
    }
    s
}

/// Denial reasons of an event as sorted `GROUP-REASON` codes.
pub fn denial_reasons(event: &LineEvent) -> Vec<Text> {
    let mut reasons: Vec<Text> = event
        .denial_reasons()
        .map(|a| Text::from(format!("{}-{}", a.group, a.reason)))
        .collect();
    reasons.sort_unstable();
    reasons.dedup();
    reasons
}

/// Decides one event. `payers` are the names/ids the payer is known by (for
/// payer-specific fee schedule rows).
pub fn decide(
    event: &LineEvent,
    history: &LineHistory,
    schedule: Option<&FeeSchedule>,
    rules: &Rules,
) -> Decision {
    let s = standing(history);
    let mut d = Decision {
        net_paid: Some(s.net_paid + event.paid),
        ..Decision::default()
    };
    let had_money = s.net_paid > Decimal::ZERO;
    match event.status {
        Status::Reversal if had_money && event.paid < Decimal::ZERO => {
            d.flags.insert(Flag::Recouped);
            d.cite(s.last_payment);
        }
        Status::Paid if event.paid > Decimal::ZERO && had_money && !s.taken_back_since_payment => {
            d.flags.insert(Flag::DuplicatePayment);
            d.cite(s.last_payment);
        }
        Status::Denied => decide_denial(event, &s, &mut d),
        _ => {}
    }
    if matches!(event.status, Status::Paid | Status::PatientResp) {
        compare_with_schedule(event, schedule, &mut d);
    }
    if event.adjustments.iter().any(|a| a.group == "CR") {
        d.flags.insert(Flag::DeprecatedGroupCode);
    }
    d.appeal_by = appeal_by(event, &d, rules);
    d
}

fn decide_denial(event: &LineEvent, s: &Standing<'_>, d: &mut Decision) {
    let had_money = s.net_paid > Decimal::ZERO;
    if event.paid.is_zero() && had_money && !s.taken_back_since_payment {
        d.flags.insert(Flag::PreviouslyPaidReportedDenied);
        d.net_paid = Some(s.net_paid);
        d.cite(s.last_payment);
    } else if s.last_payment.is_some() && s.taken_back_since_payment {
        d.flags.insert(Flag::Recouped);
        d.cite(s.last_payment);
    }
    if let Some(previous) = s.last_denial {
        let reasons = denial_reasons(event);
        if !reasons.is_empty()
            && !previous.denial_reasons.is_empty()
            && reasons != previous.denial_reasons
        {
            d.flags.insert(Flag::InconsistentDenial);
        }
    }
}

impl Decision {
    /// Names the last paying event on the row.
    fn cite(&mut self, payment: Option<&PriorEvent>) {
        if let Some(p) = payment {
            self.prior_paid = Some(p.paid);
            self.prior_payment_date = p.payment_date;
            self.prior_trace = p.trace.clone();
        }
    }
}

fn compare_with_schedule(event: &LineEvent, schedule: Option<&FeeSchedule>, d: &mut Decision) {
    let Some(schedule) = schedule else { return };
    if event.procedure.is_empty() {
        return;
    }
    let c = &event.context;
    let payers = [c.payer_id.as_str(), c.payer.as_str()];
    let Some(unit) = schedule.allowed(&payers, &event.procedure, &event.modifiers) else {
        return;
    };
    let expected = unit * event.billed_units;
    let variance = event.allowed - expected;
    d.expected = Some(expected);
    d.variance = Some(variance);
    if variance < Decimal::ZERO {
        d.flags.insert(Flag::Underpaid);
    }
}

/// Payment date + 180 days for medical-necessity denials, + 90 otherwise,
/// for denied, underpaid and recouped rows.
fn appeal_by(event: &LineEvent, d: &Decision, rules: &Rules) -> Option<Date> {
    let appealable = event.status == Status::Denied
        || d.flags.contains(Flag::Underpaid)
        || d.flags.contains(Flag::Recouped);
    if !appealable {
        return None;
    }
    let paid_on = event
        .context
        .payment_date
        .or(event.context.production_date)?;
    let medical = event
        .denial_reasons()
        .any(|a| rules.medical_necessity_carcs.contains(&a.reason));
    let days = if medical {
        rules.medical_appeal_days
    } else {
        rules.administrative_appeal_days
    };
    paid_on.checked_add(days.days()).ok()
}

/// The history entry an event leaves behind (`allocated` is for recoveries).
pub fn prior_event(event: &LineEvent, decision: &Decision) -> PriorEvent {
    let kind = match event.status {
        Status::Paid => PriorKind::Payment,
        Status::Denied => PriorKind::Denial,
        Status::PatientResp => PriorKind::PatientResp,
        Status::Reversal => PriorKind::Reversal,
        _ => PriorKind::Adjustment,
    };
    let paid = if decision.flags.contains(Flag::PreviouslyPaidReportedDenied) {
        Decimal::ZERO
    } else {
        event.paid
    };
    PriorEvent {
        payment_date: event.context.payment_date,
        trace: event.context.trace.clone(),
        paid,
        kind,
        denial_reasons: denial_reasons(event),
        line_control: event.line_control.clone(),
        flags: decision.flags,
    }
}
