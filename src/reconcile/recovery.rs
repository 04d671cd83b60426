//! Provider-level recoveries: a PLB WO (withholding), 72 (refund) or FB
//! (forwarding balance) naming a claim takes money back from the lines of
//! that claim. How much it takes, from which lines, and what is left at
//! stake on the PLB row.

use rust_decimal::Decimal;

use super::decide::{Rules, duplicate_excess, refresh_appeal_by};
use crate::line::{Decision, Flag, Flags, LineEvent, LineHistory, PriorEvent, PriorKind};
use crate::money::money;
use crate::text::Text;

/// PLB reasons that take money back from (or document a take-back of) a claim.
pub const RECOVERY_REASONS: &[&str] = &["WO", "72", "FB"];

/// How much a PLB recovery takes from the lines of the claim it names: a
/// positive WO or FB amount, or a 72 refund of either sign.
pub fn recovery_take(reason: &str, amount: Decimal) -> Decimal {
    if reason == "72" {
        amount.abs()
    } else {
        amount.max(Decimal::ZERO)
    }
}

/// What a recovery takes from each line of its claim.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recovery {
    /// Per line of the claim, in the order given: what the recovery takes
    /// (each line's history gets an [`entry`] of minus that).
    pub per_line: Vec<Decimal>,
    /// True when the claim's lines held money: the PLB row is RECOUPED.
    pub recouped: bool,
}

/// Splits a recovery `event` (PLB `reason`) over the lines of claim
/// `claim`, given each line's history, and fills the PLB row's decision
/// when the lines held money: RECOUPED, the lines' net paid after it, the
/// payment it takes back, and what is at stake.
pub fn recover(
    event: &LineEvent,
    reason: &str,
    claim: &str,
    histories: &[LineHistory],
    decision: &mut Decision,
    rules: &Rules,
) -> Recovery {
    let amount = event
        .adjustments
        .first()
        .map_or(Decimal::ZERO, |a| a.amount);
    let mut to_take = recovery_take(reason, amount);
    let mut had_money = Decimal::ZERO;
    let mut last_payment: Option<&PriorEvent> = None;
    // Per line: money it holds, and what of it was paid twice.
    let mut held: Vec<(Decimal, Decimal)> = Vec::with_capacity(histories.len());
    for history in histories {
        let net: Decimal = history.events.iter().map(|e| e.paid).sum();
        had_money += net.max(Decimal::ZERO);
        if let Some(p) = history
            .events
            .iter()
            .rev()
            .find(|e| e.kind == PriorKind::Payment && e.paid > Decimal::ZERO)
        {
            last_payment = Some(p);
        }
        held.push((net, duplicate_excess(history).min(net.max(Decimal::ZERO))));
    }
    // A recovery takes money paid twice first (that is what a payer
    // recovers after a duplicate payment, and taking it back is nothing
    // to appeal), then the claim's other money, line by line in the order
    // given — never more than a line holds, so no line goes below zero and
    // what the lines do not hold is not taken from anyone.
    let mut taken = vec![Decimal::ZERO; histories.len()];
    for (i, (_, excess)) in held.iter().enumerate() {
        let take = (*excess).min(to_take);
        taken[i] += take;
        to_take -= take;
    }
    let duplicate: Decimal = taken.iter().sum();
    for (i, (net, _)) in held.iter().enumerate() {
        let take = ((*net).max(Decimal::ZERO) - taken[i])
            .min(to_take)
            .max(Decimal::ZERO);
        taken[i] += take;
        to_take -= take;
    }
    let taken_total: Decimal = taken.iter().sum();
    let remaining: Decimal = held
        .iter()
        .zip(&taken)
        .map(|((net, _), take)| *net - *take)
        .sum();
    let recouped = had_money > Decimal::ZERO;
    if recouped {
        decision.flags.insert(Flag::Recouped);
        decision.net_paid = Some(remaining);
        decision.prior_paid = last_payment.map(|p| p.paid);
        decision.prior_payment_date = last_payment.and_then(|p| p.payment_date);
        decision.prior_trace = last_payment.map(|p| p.trace.clone()).unwrap_or_default();
        decision.at_stake = Some(taken_total - duplicate);
        if duplicate.is_zero() {
            decision.notes.push(format!(
                "takes back {} paid on claim {claim}",
                money(taken_total)
            ));
        } else {
            decision.notes.push(if decision.stake().is_zero() {
                format!(
                    "takes back a duplicate payment ({} paid twice on the claim): nothing to appeal",
                    money(duplicate)
                )
            } else {
                format!(
                    "takes back {}, of which {} undoes a duplicate payment: {} at stake",
                    money(taken_total),
                    money(duplicate),
                    money(decision.stake())
                )
            });
        }
        refresh_appeal_by(decision, event, rules);
    }
    Recovery {
        per_line: taken,
        recouped,
    }
}

/// The history entry a PLB recovery leaves on one line of its claim.
pub fn entry(event: &LineEvent, paid: Decimal) -> PriorEvent {
    PriorEvent {
        payment_date: event.context.payment_date,
        trace: event.context.trace.clone(),
        paid,
        kind: PriorKind::Recovery,
        denial_reasons: Vec::new(),
        line_control: Text::default(),
        flags: Flags::default(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use jiff::civil::Date;

    use super::*;
    use crate::events::provider_event;
    use crate::line::RemittanceContext;
    use crate::remittance::ProviderAdjustment;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn payment(paid: &str, flags: Flags) -> PriorEvent {
        PriorEvent {
            payment_date: Some(Date::constant(2024, 3, 1)),
            trace: "T1".into(),
            paid: d(paid),
            kind: PriorKind::Payment,
            denial_reasons: Vec::new(),
            line_control: Text::default(),
            flags,
        }
    }

    fn plb(reason: &str, amount: &str) -> LineEvent {
        let context = Arc::new(RemittanceContext {
            payment_date: Some(Date::constant(2024, 6, 1)),
            ..RemittanceContext::default()
        });
        let plb = ProviderAdjustment {
            provider_id: "1234567893".into(),
            fiscal_period: None,
            reason: reason.into(),
            reference: "C1".into(),
            amount: d(amount),
            pos: Default::default(),
        };
        provider_event(&context, &plb, 0)
    }

    #[test]
    fn a_recovery_takes_money_paid_twice_first_and_that_part_is_not_at_stake() {
        let mut duplicate = Flags::default();
        duplicate.insert(Flag::DuplicatePayment);
        // Line 1 was paid 40 twice; line 2 was paid 30 once.
        let histories = [
            LineHistory {
                events: vec![payment("40", Flags::default()), payment("40", duplicate)],
            },
            LineHistory {
                events: vec![payment("30", Flags::default())],
            },
        ];
        let mut decision = Decision::default();
        let rules = Rules::new(Date::constant(2024, 12, 31));
        let taken = recover(
            &plb("WO", "50"),
            "WO",
            "C1",
            &histories,
            &mut decision,
            &rules,
        );
        // 40 of the duplicate, then 10 more from the first line that holds it.
        assert_eq!(taken.per_line, [d("50"), d("0")]);
        assert!(taken.recouped && decision.flags.contains(Flag::Recouped));
        assert_eq!(
            decision.at_stake,
            Some(d("10")),
            "the duplicate part is nothing to appeal"
        );
        assert_eq!(decision.net_paid, Some(d("60")));
    }

    #[test]
    fn a_recovery_never_takes_more_than_the_lines_hold() {
        let histories = [LineHistory {
            events: vec![payment("25", Flags::default())],
        }];
        let mut decision = Decision::default();
        let rules = Rules::new(Date::constant(2024, 12, 31));
        let taken = recover(
            &plb("72", "-100"),
            "72",
            "C1",
            &histories,
            &mut decision,
            &rules,
        );
        assert_eq!(
            taken.per_line,
            [d("25")],
            "a 72 refund counts whatever its sign"
        );
        assert_eq!(decision.at_stake, Some(d("25")));
        assert_eq!(decision.net_paid, Some(d("0")));
    }

    #[test]
    fn lines_that_held_nothing_are_not_recouped() {
        let histories = [LineHistory::default()];
        let mut decision = Decision::default();
        let rules = Rules::new(Date::constant(2024, 12, 31));
        let taken = recover(
            &plb("WO", "30"),
            "WO",
            "C1",
            &histories,
            &mut decision,
            &rules,
        );
        assert_eq!(taken.per_line, [d("0")]);
        assert!(!taken.recouped);
        assert_eq!(decision, Decision::default());
    }
}
