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
    d.flags = d.flags.union(remittance_flags(event));
    d.appeal_by = appeal_by(event, &d, rules);
    d
}

/// The flags an event raises by itself, whatever the line's history: what
/// `remit lines` can show as well as `remit reconcile`.
pub fn remittance_flags(event: &LineEvent) -> Flags {
    let mut flags = Flags::default();
    if event.adjustments.iter().any(|a| a.group == "CR") {
        flags.insert(Flag::DeprecatedGroupCode);
    }
    if event.unexplained.is_some() {
        flags.insert(Flag::UnexplainedDifference);
    }
    flags
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
    // Checked: units and amounts come from the input and may be absurd.
    let Some(expected) = unit.checked_mul(event.billed_units) else {
        return;
    };
    let Some(variance) = event.allowed.checked_sub(expected) else {
        return;
    };
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::events::{EventKind, RemittanceContext};
    use crate::remittance::Adjustment;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn event(
        status: Status,
        paid: &str,
        adjustments: &[(&str, &str, &str)],
        on: &str,
    ) -> LineEvent {
        let context = RemittanceContext {
            payer: "ACME".into(),
            trace: format!("T{on}").into(),
            payment_date: Some(date(on)),
            ..RemittanceContext::default()
        };
        LineEvent {
            context: Arc::new(context),
            kind: EventKind::Line,
            sequence: 0,
            claim_seq: 0,
            claim_id: "C1".into(),
            payer_claim_id: "ICN1".into(),
            claim_status: if status == Status::Reversal {
                "22".into()
            } else {
                "1".into()
            },
            claim_frequency: Text::default(),
            member_id: "M1".into(),
            member_name: String::new(),
            service_date: Some(date("2024-01-05")),
            procedure: "98940".into(),
            modifiers: Vec::new(),
            paid_procedure: None,
            revenue_code: Text::default(),
            units: Decimal::ONE,
            billed_units: Decimal::ONE,
            billed: d("65.00"),
            allowed: d(paid),
            paid: d(paid),
            patient_resp: Decimal::ZERO,
            adjustments: adjustments
                .iter()
                .map(|(g, r, a)| Adjustment {
                    group: (*g).into(),
                    reason: (*r).into(),
                    amount: d(a),
                    quantity: None,
                })
                .collect(),
            remarks: Vec::new(),
            line_control: Text::default(),
            received_date: None,
            interest: Decimal::ZERO,
            status,
            unexplained: None,
        }
    }

    /// Decides `events` in order, each against the history the earlier ones left.
    fn run(events: &[LineEvent]) -> Vec<Decision> {
        let rules = Rules::new(date("2026-01-01"));
        let mut history = LineHistory::default();
        events
            .iter()
            .map(|e| {
                let decision = decide(e, &history, None, &rules);
                history.events.push(prior_event(e, &decision));
                decision
            })
            .collect()
    }

    #[test]
    fn a_denial_after_a_standing_payment_is_previously_paid() {
        let paid = event(
            Status::Paid,
            "40.00",
            &[("CO", "45", "25.00")],
            "2024-02-05",
        );
        let relisted = event(
            Status::Denied,
            "0.00",
            &[("CO", "50", "65.00")],
            "2025-12-18",
        );
        let d2 = &run(&[paid, relisted])[1];
        assert!(d2.flags.contains(Flag::PreviouslyPaidReportedDenied));
        assert_eq!(
            (d2.net_paid, d2.prior_paid),
            (Some(d("40.00")), Some(d("40.00")))
        );
        assert_eq!(d2.prior_payment_date, Some(date("2024-02-05")));
        assert_eq!(d2.prior_trace, "T2024-02-05");
        // Medical necessity (CARC 50): 180 days to appeal.
        assert_eq!(d2.appeal_by, Some(date("2026-06-16")));
    }

    #[test]
    fn a_reversal_recoups_and_a_later_denial_stays_recouped() {
        let paid = event(
            Status::Paid,
            "40.00",
            &[("CO", "45", "25.00")],
            "2024-02-05",
        );
        let reversal = event(
            Status::Reversal,
            "-40.00",
            &[("CO", "45", "-25.00")],
            "2024-05-01",
        );
        let denial = event(
            Status::Denied,
            "0.00",
            &[("CO", "197", "65.00")],
            "2024-06-01",
        );
        let ds = run(&[paid, reversal, denial]);
        assert!(ds[1].flags.contains(Flag::Recouped));
        assert_eq!(ds[1].net_paid, Some(d("0.00")));
        assert_eq!(
            ds[1].appeal_by,
            Some(date("2024-07-30")),
            "90 days after 2024-05-01"
        );
        assert!(ds[2].flags.contains(Flag::Recouped));
        assert!(!ds[2].flags.contains(Flag::PreviouslyPaidReportedDenied));
    }

    #[test]
    fn a_recovery_marker_prevents_previously_paid() {
        let paid = event(Status::Paid, "40.00", &[], "2024-02-05");
        let mut history = LineHistory::default();
        let rules = Rules::new(date("2026-01-01"));
        let first = decide(&paid, &history, None, &rules);
        history.events.push(prior_event(&paid, &first));
        history.events.push(PriorEvent {
            payment_date: Some(date("2024-08-01")),
            trace: "PLB".into(),
            paid: d("-40.00"),
            kind: PriorKind::Recovery,
            denial_reasons: Vec::new(),
            line_control: Text::default(),
            flags: Flags::default(),
        });
        let denial = event(
            Status::Denied,
            "0.00",
            &[("CO", "16", "65.00")],
            "2024-09-01",
        );
        let d = decide(&denial, &history, None, &rules);
        assert!(d.flags.contains(Flag::Recouped));
        assert!(!d.flags.contains(Flag::PreviouslyPaidReportedDenied));
    }

    #[test]
    fn paying_twice_without_a_reversal_is_a_duplicate_but_after_one_is_not() {
        let a = event(Status::Paid, "40.00", &[], "2024-02-05");
        let b = event(Status::Paid, "40.00", &[], "2024-03-05");
        assert!(
            run(&[a.clone(), b.clone()])[1]
                .flags
                .contains(Flag::DuplicatePayment)
        );
        let reversal = event(Status::Reversal, "-40.00", &[], "2024-03-01");
        assert!(
            !run(&[a, reversal, b])[2]
                .flags
                .contains(Flag::DuplicatePayment)
        );
    }

    #[test]
    fn a_changed_denial_reason_is_inconsistent() {
        let a = event(
            Status::Denied,
            "0.00",
            &[("CO", "197", "65.00")],
            "2024-02-05",
        );
        let b = event(
            Status::Denied,
            "0.00",
            &[("CO", "50", "65.00")],
            "2024-04-05",
        );
        let same = event(
            Status::Denied,
            "0.00",
            &[("CO", "197", "65.00")],
            "2024-04-05",
        );
        assert!(
            run(&[a.clone(), b])[1]
                .flags
                .contains(Flag::InconsistentDenial)
        );
        assert!(!run(&[a, same])[1].flags.contains(Flag::InconsistentDenial));
    }

    #[test]
    fn underpaid_compares_allowed_with_the_schedule_times_units() {
        let schedule =
            FeeSchedule::from_reader("procedure,modifier,allowed\n98940,,42.50\n".as_bytes())
                .unwrap();
        let rules = Rules::new(date("2026-01-01"));
        let mut e = event(
            Status::Paid,
            "40.00",
            &[("CO", "45", "25.00")],
            "2024-02-05",
        );
        e.billed_units = d("2");
        e.allowed = d("80.00");
        let decision = decide(&e, &LineHistory::default(), Some(&schedule), &rules);
        // Expected 42.50 × 2 = 85.00; allowed 80.00: variance −5.00.
        assert_eq!(
            (decision.expected, decision.variance),
            (Some(d("85.00")), Some(d("-5.00")))
        );
        assert!(decision.flags.contains(Flag::Underpaid));
        assert_eq!(decision.appeal_by, Some(date("2024-05-05")));
        let denied = event(
            Status::Denied,
            "0.00",
            &[("CO", "197", "65.00")],
            "2024-02-05",
        );
        assert_eq!(
            decide(&denied, &LineHistory::default(), Some(&schedule), &rules).expected,
            None
        );
    }

    #[test]
    fn group_code_cr_is_flagged() {
        let e = event(
            Status::Denied,
            "0.00",
            &[("CR", "18", "65.00")],
            "2024-02-05",
        );
        assert!(run(&[e])[0].flags.contains(Flag::DeprecatedGroupCode));
    }
}
