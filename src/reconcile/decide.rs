//! The decision: one pure function of (event, the line's prior history, the
//! contract price of the line, rules — the code list included) that gives an event its flags,
//! prior payment, expected amount, net paid, the amount at stake, the notes
//! that say why, and the appeal deadline.
//!
//! It reads no clock and no store: the same rules run in tests, in
//! `remit reconcile` and as a stage of a distributed job.
//!
//! **Amount at stake** (ledger `at_stake`): the money the practice can act
//! on for one row, never the whole charge unless the whole charge was
//! refused:
//! - a `DENIED` row: what was denied (Σ its denial adjustments — CARCs of
//!   the denial or duplicate category, or unknown — or the unpaid charge of
//!   a line denied without any reason); 0 for a duplicate-claim denial of a
//!   line whose payment stands (the payer answered a second submission);
//! - `PREVIOUSLY_PAID_REPORTED_DENIED`: the payment that stands (net paid
//!   before the re-listing), not the denied charge;
//! - a `DENIED` row flagged `RECOUPED` (the line's payment was taken back
//!   before): the denied amount, at most the payment taken back — the
//!   denial restates the take-back, and an appeal wins back what the payer
//!   had allowed and paid;
//! - a `PAID` row: its denied part (`PARTIAL_DENIAL`) or its shortfall
//!   against the contract (`UNDERPAID`, −variance), whichever is larger
//!   — not their sum: a denied part lowers the allowed amount, so the
//!   shortfall already contains it;
//! - `PATIENT_RESP` / `NO_PAYMENT_DUE`: the shortfall when `UNDERPAID`, else 0;
//! - a `RECOUPED` reversal or PLB recovery: what it took back, less what
//!   undid a duplicate payment, and (engine) less what a correction in the
//!   same remittance paid back, moved to the patient, or put at stake
//!   itself;
//! - everything else: 0.

use std::sync::Arc;

use jiff::ToSpan;
use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::codes::{CarcCategory, CodeList};
use crate::contract::LinePrice;
use crate::line::{Decision, Flag, Flags, LineEvent, LineHistory, PriorEvent, PriorKind, Status};
use crate::money::money;
use crate::text::Text;

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
    /// What reason codes mean (the built-in list, with `--code-list` files
    /// merged over it): statuses, denial reasons and the `reason` words.
    pub codes: Arc<CodeList>,
}

impl Rules {
    /// Default rules: 180 days for medical necessity, 90 otherwise, the
    /// built-in code list.
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
            codes: CodeList::builtin_shared(),
        }
    }

    /// These rules with `codes` as the code list.
    pub fn with_codes(mut self, codes: Arc<CodeList>) -> Self {
        self.codes = codes;
        self
    }
}

/// What the history says about a line before this event.
#[derive(Debug, Default)]
struct Standing<'h> {
    net_paid: Decimal,
    last_payment: Option<&'h PriorEvent>,
    taken_back_since_payment: bool,
    last_denial: Option<&'h PriorEvent>,
    /// Money paid more than once (payments flagged DUPLICATE_PAYMENT) that
    /// no take-back has returned yet: a take-back of it is nothing to appeal.
    duplicate_excess: Decimal,
    /// The last duplicate payment, to cite.
    last_duplicate: Option<&'h PriorEvent>,
}

fn standing(history: &LineHistory) -> Standing<'_> {
    let mut s = Standing::default();
    for event in &history.events {
        s.net_paid += event.paid;
        match event.kind {
            PriorKind::Payment if event.paid > Decimal::ZERO => {
                s.last_payment = Some(event);
                s.taken_back_since_payment = false;
                if event.flags.contains(Flag::DuplicatePayment) {
                    s.duplicate_excess += event.paid;
                    s.last_duplicate = Some(event);
                }
            }
            PriorKind::Payment if event.paid < Decimal::ZERO => {
                s.taken_back_since_payment = true;
                s.duplicate_excess = (s.duplicate_excess + event.paid).max(Decimal::ZERO);
            }
            PriorKind::Reversal | PriorKind::Recovery => {
                s.taken_back_since_payment = true;
                s.duplicate_excess = (s.duplicate_excess + event.paid).max(Decimal::ZERO);
            }
            PriorKind::Denial => s.last_denial = Some(event),
            _ => {}
        }
    }
    s
}

/// Money paid more than once on a line and not yet returned, from its
/// history: the part of a take-back that only undoes a duplicate payment.
pub fn duplicate_excess(history: &LineHistory) -> Decimal {
    standing(history).duplicate_excess
}

/// Denial reasons of an event as sorted `GROUP-REASON` codes: its
/// adjustments that refuse payment (denial or duplicate category, or
/// unknown to `codes`), whatever their group.
pub fn denial_reasons(event: &LineEvent, codes: &CodeList) -> Vec<Text> {
    let mut reasons: Vec<Text> = event
        .denial_reasons(codes)
        .map(|a| Text::from(format!("{}-{}", a.group, a.reason)))
        .collect();
    reasons.sort_unstable();
    reasons.dedup();
    reasons
}

/// Decides one event. `price` is what the contracts say about the line
/// (see [`super::pricing::price_claim`]): an expected amount with its basis,
/// a reason no amount could be computed, or nothing (no row covers it, or
/// no contracts were given).
pub fn decide(
    event: &LineEvent,
    history: &LineHistory,
    price: Option<&LinePrice>,
    rules: &Rules,
) -> Decision {
    let expected = match price {
        Some(Ok(Some(e))) => Some(ExpectedAmount {
            amount: e.amount,
            basis: &e.basis,
        }),
        _ => None,
    };
    let mut d = decide_with(event, history, expected, rules);
    if let Some(Err(why)) = price {
        if is_priced_status(event.status) {
            // A row covers the line but gives no amount (a tie, a missing
            // reference amount, a component without a share): say so
            // rather than leave `expected` silently empty.
            d.expected_basis = format!("not priced: {why}");
            d.notes.push(format!("no expected amount: {why}"));
        }
    }
    d
}

/// An expected amount and the words that justify it (the ledger's
/// `expected` and `expected_basis`).
#[derive(Clone, Copy, Debug)]
pub struct ExpectedAmount<'a> {
    /// The expected allowed amount.
    pub amount: Decimal,
    /// Which contract row and rules produced it.
    pub basis: &'a str,
}

/// The statuses an expected amount is compared with: lines the payer
/// allowed (paid, left to the patient, or nothing due). A denial's
/// shortfall is its denied amount, not a price difference.
fn is_priced_status(status: Status) -> bool {
    matches!(
        status,
        Status::Paid | Status::PatientResp | Status::NoPaymentDue
    )
}

/// Decides one event against an already known expected amount, e.g. the
/// one an older remit stored on the row.
pub fn decide_with(
    event: &LineEvent,
    history: &LineHistory,
    expected: Option<ExpectedAmount<'_>>,
    rules: &Rules,
) -> Decision {
    let codes = &*rules.codes;
    let s = standing(history);
    let mut d = Decision {
        net_paid: Some(s.net_paid + event.paid),
        denied: event.denied_amount(codes),
        // Every decided event has an amount at stake, zero unless a rule
        // below finds one.
        at_stake: Some(Decimal::ZERO),
        ..Decision::default()
    };
    let had_money = s.net_paid > Decimal::ZERO;
    match event.status {
        Status::Reversal if had_money && event.paid < Decimal::ZERO => {
            decide_reversal(event, &s, &mut d)
        }
        // A reversal of a payment the history does not hold (read before
        // remit kept this practice's history, or of another payee) still
        // says what it is.
        Status::Reversal if event.paid < Decimal::ZERO => d.notes.push(format!(
            "payer reversed a payment not in the history (no earlier payment of this line was read): {} taken back",
            money(-event.paid)
        )),
        Status::Reversal => d
            .notes
            .push("payer reversed an earlier adjudication that paid nothing on this line".to_string()),
        Status::Paid if event.paid > Decimal::ZERO && had_money && !s.taken_back_since_payment => {
            d.flags.insert(Flag::DuplicatePayment);
            d.cite(s.last_payment);
            if let Some(p) = s.last_payment {
                d.notes.push(format!(
                    "paid again: {} was already paid{} with no reversal or recovery since — a duplicate payment to refund or expect taken back",
                    money(p.paid),
                    on_trace(p)
                ));
            }
        }
        Status::Denied => decide_denial(event, &s, &mut d, codes),
        Status::PatientResp | Status::NoPaymentDue => decide_relisting(event, &s, &mut d),
        _ => {}
    }
    note_unknown_codes(event, codes, &mut d);
    if event.status == Status::Paid && d.denied > Decimal::ZERO {
        d.flags.insert(Flag::PartialDenial);
        d.notes.push(format!(
            "partly denied: {} of the line refused ({}); the paid part stands, the denied part can be appealed",
            money(d.denied),
            reasons_text(event, codes)
        ));
    }
    if is_priced_status(event.status) {
        if let Some(expected) = expected {
            compare_with_expected(event, expected, &mut d);
        }
        let shortfall = if d.flags.contains(Flag::Underpaid) {
            d.variance.map_or(Decimal::ZERO, |v| -v)
        } else {
            Decimal::ZERO
        };
        // Not the sum: a denied part lowers the allowed amount, so the
        // shortfall against the schedule already contains it.
        let denied = if event.status == Status::Paid {
            d.denied
        } else {
            Decimal::ZERO
        };
        d.at_stake = Some(denied.max(shortfall));
    }
    d.flags = d.flags.union(remittance_flags(event));
    if event.adjustments.iter().any(|a| a.group == "CR") {
        d.notes
            .push("uses group code CR, removed from the 5010 835".to_string());
    }
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

/// Says which reason codes the list does not know, on a row they make
/// denied or partly denied: treated as denials so that a person looks.
fn note_unknown_codes(event: &LineEvent, codes: &CodeList, d: &mut Decision) {
    if !matches!(event.status, Status::Denied | Status::Paid) {
        return;
    }
    let unknown: Vec<&str> = event
        .adjustments
        .iter()
        .filter(|a| a.group != "PLB" && !a.amount.is_zero() && codes.carc(&a.reason).is_none())
        .map(|a| a.reason.as_str())
        .collect();
    if !unknown.is_empty() {
        d.notes.push(format!(
            "CARC {} is not in the code list: counted as a denial so that a person looks",
            unknown.join(", ")
        ));
    }
}

/// "on 2024-02-05 (trace T)" for a cited event.
fn on_trace(p: &PriorEvent) -> String {
    let date = p
        .payment_date
        .map(|d| format!(" on {d}"))
        .unwrap_or_default();
    if p.trace.is_empty() {
        date
    } else {
        format!("{date} (trace {})", p.trace)
    }
}

/// `CO-50 85.00, CO-16 10.00` for an event's denial adjustments.
fn reasons_text(event: &LineEvent, codes: &CodeList) -> String {
    event
        .denial_reasons(codes)
        .map(|a| format!("{}-{} {}", a.group, a.reason, money(a.amount)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A reversal takes back money the line had: RECOUPED, and at stake what
/// it took less what only undid a duplicate payment.
fn decide_reversal(event: &LineEvent, s: &Standing<'_>, d: &mut Decision) {
    d.flags.insert(Flag::Recouped);
    d.cite(s.last_payment);
    let taken = -event.paid;
    let duplicate = taken.min(s.duplicate_excess).max(Decimal::ZERO);
    d.at_stake = Some(taken - duplicate);
    if duplicate.is_zero() {
        d.notes.push(format!(
            "{}: takes back {}",
            reversed(s.last_payment),
            money(taken)
        ));
    } else {
        let reversed = reversed(s.last_duplicate);
        d.notes.push(if d.stake().is_zero() {
            format!(
                "{reversed}, a duplicate payment ({} paid twice): takes it back, nothing to appeal",
                money(duplicate)
            )
        } else {
            format!(
                "{reversed}: takes back {}, of which {} undoes a duplicate payment: {} at stake",
                money(taken),
                money(duplicate),
                money(d.stake())
            )
        });
    }
}

/// "payer reversed the payment of DATE (trace …)": what a REVERSAL row
/// says first, naming the payment it reverses as the history has it.
fn reversed(payment: Option<&PriorEvent>) -> String {
    let Some(p) = payment else {
        return "payer reversed an earlier payment".to_string();
    };
    let mut out = "payer reversed the payment".to_string();
    if let Some(date) = p.payment_date {
        out.push_str(&format!(" of {date}"));
    }
    if !p.trace.is_empty() {
        out.push_str(&format!(" (trace {})", p.trace));
    }
    out
}

fn decide_denial(event: &LineEvent, s: &Standing<'_>, d: &mut Decision, codes: &CodeList) {
    let had_money = s.net_paid > Decimal::ZERO;
    d.at_stake = Some(d.denied);
    let duplicate_only = {
        let mut reasons = event.denial_reasons(codes).peekable();
        reasons.peek().is_some()
            && reasons.all(|a| {
                codes.carc(&a.reason).and_then(|e| e.category) == Some(CarcCategory::Duplicate)
            })
    };
    if event.paid.is_zero() && had_money && !s.taken_back_since_payment {
        d.cite(s.last_payment);
        let cited = s.last_payment.map(on_trace).unwrap_or_default();
        if duplicate_only {
            // The payer answers a second submission of a line it paid: the
            // first payment stands and there is nothing to win back.
            d.at_stake = Some(Decimal::ZERO);
            d.notes.push(format!(
                "denied as a duplicate of a payment that stands ({}{cited}): nothing to appeal",
                money(s.net_paid)
            ));
        } else {
            d.flags.insert(Flag::PreviouslyPaidReportedDenied);
            d.net_paid = Some(s.net_paid);
            d.at_stake = Some(s.net_paid);
            d.notes.push(format!(
                "previously paid: {} paid{cited} was never reversed or recovered, so the payment stands — do not reverse it in the books; dispute the re-listing as denied",
                money(s.net_paid)
            ));
        }
    } else if s.last_payment.is_some() && s.taken_back_since_payment {
        d.flags.insert(Flag::Recouped);
        d.cite(s.last_payment);
        if let Some(p) = s.last_payment {
            // The denial restates the take-back: an appeal wins back what
            // the payer had allowed and paid, not the charge it now denies
            // (the rest was a contractual write-off all along).
            d.at_stake = Some(d.denied.min(p.paid).max(Decimal::ZERO));
            d.notes.push(format!(
                "the payment of {}{} was taken back before this denial: an appeal wins back at most that payment",
                money(p.paid),
                on_trace(p)
            ));
        }
    }
    if let Some(previous) = s.last_denial {
        let reasons = denial_reasons(event, codes);
        if !reasons.is_empty()
            && !previous.denial_reasons.is_empty()
            && reasons != previous.denial_reasons
        {
            d.flags.insert(Flag::InconsistentDenial);
            let when = previous
                .payment_date
                .map(|d| format!(" on {d}"))
                .unwrap_or_default();
            d.notes.push(format!(
                "denied before{when} for {}, now for {}",
                previous.denial_reasons.join(", "),
                reasons.join(", ")
            ));
        }
    }
    if event.adjustments.iter().all(|a| a.amount.is_zero()) {
        d.notes.push(format!(
            "paid nothing on a charge of {} and gave no adjustment saying why: a person should look",
            money(event.billed)
        ));
    }
    if event.denial_reasons(codes).any(|a| a.group == "PR") {
        d.notes
            .push("the patient is liable for the denied service (group PR)".to_string());
    }
}

/// A line paid before and now listed with nothing paid, but not denied
/// (patient responsibility, or nothing due), with no take-back between:
/// the payer changed its adjudication without taking the money back. The
/// payment stands like a previously-paid-reported-denied one, but nothing
/// is denied, so no flag: the row cites the payment and says so.
fn decide_relisting(event: &LineEvent, s: &Standing<'_>, d: &mut Decision) {
    if !event.paid.is_zero() || s.net_paid <= Decimal::ZERO || s.taken_back_since_payment {
        return;
    }
    d.cite(s.last_payment);
    let cited = s.last_payment.map(on_trace).unwrap_or_default();
    let now = if event.status == Status::PatientResp {
        format!(
            "now listed as patient responsibility ({}) with nothing paid",
            money(event.patient_resp)
        )
    } else {
        "now listed with nothing paid and nothing due".to_string()
    };
    d.notes.push(format!(
        "previously paid: {} paid{cited} was never reversed or recovered and {now}: the payment stands — do not reverse it; ask the payer which adjudication holds before billing the patient",
        money(s.net_paid)
    ));
}

/// Sets `appeal_by` again after `at_stake` changed (the engine lowers it
/// when a correction in the same remittance paid the money back).
pub fn refresh_appeal_by(d: &mut Decision, event: &LineEvent, rules: &Rules) {
    d.appeal_by = appeal_by(event, d, rules);
}

fn compare_with_expected(event: &LineEvent, expected: ExpectedAmount<'_>, d: &mut Decision) {
    let Some(variance) = event.allowed.checked_sub(expected.amount) else {
        return;
    };
    d.expected = Some(expected.amount);
    d.variance = Some(variance);
    d.expected_basis = expected.basis.to_string();
    if event.is_secondary() && !event.allowed_reported {
        // What a secondary or tertiary payer owes depends on the primary's
        // adjudication and the plan's COB method (standard, carve-out,
        // non-duplication…), which the 835 does not state: an allowed
        // amount derived from paid + PR + the prior payer's payment is not
        // evidence of an underpayment.
        d.notes.push(format!(
            "secondary/tertiary claim (CLP02 {}) without AMT*B6: allowed {} is derived (paid + patient responsibility + the prior payer's payment, CARC 23) against the contract's {} — not flagged UNDERPAID; what a secondary owes depends on the primary's adjudication and the plan's COB method, so the verdict is left to a person",
            event.claim_status,
            money(event.allowed),
            money(expected.amount)
        ));
        return;
    }
    if variance < Decimal::ZERO {
        d.flags.insert(Flag::Underpaid);
        d.notes.push(format!(
            "underpaid: allowed {}{} is {} below the contract's {} ({})",
            money(event.allowed),
            if event.allowed_reported {
                " (AMT*B6)"
            } else {
                " (paid + patient responsibility)"
            },
            money(-variance),
            money(expected.amount),
            expected.basis
        ));
    }
}

/// Payment date + 180 days for medical-necessity denials, + 90 otherwise,
/// for rows with something at stake that an appeal can win: denials,
/// partial denials, underpayments, recoupments, and re-listings of a
/// payment that stands as denied.
fn appeal_by(event: &LineEvent, d: &Decision, rules: &Rules) -> Option<Date> {
    let appealable = event.status == Status::Denied
        || d.flags.contains(Flag::PartialDenial)
        || d.flags.contains(Flag::Underpaid)
        || d.flags.contains(Flag::Recouped);
    if !appealable || d.stake() <= Decimal::ZERO {
        return None;
    }
    let paid_on = event.context.payment_or_production_date()?;
    let medical = event
        .denial_reasons(&rules.codes)
        .any(|a| rules.medical_necessity_carcs.contains(&a.reason));
    let days = if medical {
        rules.medical_appeal_days
    } else {
        rules.administrative_appeal_days
    };
    paid_on.checked_add(days.days()).ok()
}

/// The history entry an event leaves behind (`allocated` is for recoveries).
pub fn prior_event(event: &LineEvent, decision: &Decision, codes: &CodeList) -> PriorEvent {
    let kind = match event.status {
        Status::Paid => PriorKind::Payment,
        Status::Denied => PriorKind::Denial,
        Status::PatientResp => PriorKind::PatientResp,
        Status::NoPaymentDue => PriorKind::NoPaymentDue,
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
        denial_reasons: denial_reasons(event, codes),
        line_control: event.line_control.clone(),
        flags: decision.flags,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::line::{EventKind, RemittanceContext};
    use crate::remittance::Adjustment;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    fn contracts(csv: &str) -> crate::contract::Contracts {
        let mut loader = crate::contract::ContractLoader::new();
        loader.add_contract("fees.csv", csv.as_bytes());
        loader.finish().unwrap()
    }

    fn priced(contracts: &crate::contract::Contracts, e: &LineEvent) -> Option<LinePrice> {
        crate::reconcile::pricing::price_claim(Some(contracts), std::slice::from_ref(e), None)
            .pop()
            .flatten()
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
            allowed_reported: false,
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
            filing_indicator: Default::default(),
            facility_code: Default::default(),
            rendering_provider: Default::default(),
            plan_id: Default::default(),
            unexplained: None,
        }
    }

    /// A line paid `paid` (not a reversal) with the status its codes give.
    fn line(paid: &str, adjustments: &[(&str, &str, &str)], on: &str) -> LineEvent {
        let mut e = event(Status::Paid, paid, adjustments, on);
        e.patient_resp = e
            .adjustments
            .iter()
            .filter(|a| a.group == "PR")
            .map(|a| a.amount)
            .sum();
        e.allowed = e.paid + e.patient_resp;
        e.rederive_status(CodeList::builtin());
        e
    }

    /// Decides `events` in order, each against the history the earlier ones left.
    fn run(events: &[LineEvent]) -> Vec<Decision> {
        let rules = Rules::new(date("2026-01-01"));
        let mut history = LineHistory::default();
        events
            .iter()
            .map(|e| {
                let decision = decide(e, &history, None, &rules);
                history.events.push(prior_event(e, &decision, &rules.codes));
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
        history
            .events
            .push(prior_event(&paid, &first, &rules.codes));
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
        let schedule = contracts("procedure,modifier,allowed\n98940,,42.50\n");
        let rules = Rules::new(date("2026-01-01"));
        let mut e = event(
            Status::Paid,
            "40.00",
            &[("CO", "45", "25.00")],
            "2024-02-05",
        );
        e.billed_units = d("2");
        e.allowed = d("80.00");
        let decision = decide(
            &e,
            &LineHistory::default(),
            priced(&schedule, &e).as_ref(),
            &rules,
        );
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
            decide(
                &denied,
                &LineHistory::default(),
                priced(&schedule, &denied).as_ref(),
                &rules
            )
            .expected,
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

    #[test]
    fn a_payment_relisted_as_patient_responsibility_stands_without_a_denial_flag() {
        let paid = line("40.00", &[("CO", "45", "25.00")], "2024-02-05");
        let relisted = line("0.00", &[("PR", "1", "65.00")], "2025-01-10");
        assert_eq!(relisted.status, Status::PatientResp);
        let d2 = &run(&[paid, relisted])[1];
        // Not "reported denied": nothing was denied. But the payment was
        // never taken back, so it stands and the row says so, citing it.
        assert!(!d2.flags.contains(Flag::PreviouslyPaidReportedDenied));
        assert_eq!(d2.net_paid, Some(d("40.00")));
        assert_eq!(d2.prior_paid, Some(d("40.00")));
        assert_eq!(d2.prior_trace, "T2024-02-05");
        assert_eq!((d2.appeal_by, d2.stake()), (None, Decimal::ZERO));
        let note = d2.notes.join("; ");
        assert!(note.contains("payment stands"), "{note}");
        assert!(note.contains("patient responsibility"), "{note}");
    }

    #[test]
    fn previously_paid_reported_denied_puts_the_standing_payment_at_stake() {
        let paid = line("40.00", &[("CO", "45", "25.00")], "2024-02-05");
        let relisted = line("0.00", &[("CO", "50", "65.00")], "2025-12-18");
        let d2 = &run(&[paid, relisted])[1];
        assert!(d2.flags.contains(Flag::PreviouslyPaidReportedDenied));
        assert_eq!(d2.stake(), d("40.00"), "the payment, not the 65.00 charge");
        assert_eq!(d2.denied, d("65.00"));
        assert!(d2.notes[0].contains("40.00 paid on 2024-02-05 (trace T2024-02-05)"));
    }

    #[test]
    fn a_duplicate_claim_denial_of_a_standing_payment_is_nothing_to_appeal() {
        let paid = line("40.00", &[("CO", "45", "25.00")], "2024-02-05");
        let again = line("0.00", &[("OA", "18", "65.00")], "2024-03-05");
        assert_eq!(again.status, Status::Denied);
        let d2 = &run(&[paid.clone(), again])[1];
        assert!(!d2.flags.contains(Flag::PreviouslyPaidReportedDenied));
        assert_eq!((d2.stake(), d2.appeal_by), (Decimal::ZERO, None));
        assert_eq!(d2.prior_paid, Some(d("40.00")));
        assert!(d2.notes[0].contains("duplicate"), "{:?}", d2.notes);
        // With no payment on record, a duplicate denial can be appealed.
        let alone = line("0.00", &[("OA", "18", "65.00")], "2024-03-05");
        let d1 = &run(&[alone])[0];
        assert_eq!(d1.stake(), d("65.00"));
        assert!(d1.appeal_by.is_some());
    }

    #[test]
    fn a_paid_line_with_a_denied_part_is_partly_denied_and_appealable_for_that_part() {
        let cut = line(
            "40.00",
            &[("CO", "45", "10.00"), ("CO", "151", "15.00")],
            "2024-02-05",
        );
        assert_eq!(cut.status, Status::Paid);
        let d1 = &run(&[cut])[0];
        assert!(d1.flags.contains(Flag::PartialDenial));
        assert_eq!((d1.denied, d1.stake()), (d("15.00"), d("15.00")));
        // CARC 151 is a medical-necessity denial: 180 days.
        assert_eq!(d1.appeal_by, Some(date("2024-08-03")));
        assert!(d1.notes.iter().any(|n| n.contains("CO-151 15.00")));
        let plain = line("40.00", &[("CO", "45", "25.00")], "2024-02-05");
        let d2 = &run(&[plain])[0];
        assert!(!d2.flags.contains(Flag::PartialDenial));
        assert_eq!((d2.stake(), d2.appeal_by), (Decimal::ZERO, None));
    }

    #[test]
    fn a_partial_denial_that_is_also_underpaid_is_not_counted_twice() {
        let schedule = contracts("procedure,modifier,allowed\n98940,,60.00\n");
        let rules = Rules::new(date("2026-01-01"));
        // Allowed 40 (paid + PR) against 60: shortfall 20, denied part 15.
        let cut = line(
            "40.00",
            &[("CO", "45", "10.00"), ("CO", "16", "15.00")],
            "2024-02-05",
        );
        let d1 = decide(
            &cut,
            &LineHistory::default(),
            priced(&schedule, &cut).as_ref(),
            &rules,
        );
        assert!(d1.flags.contains(Flag::PartialDenial) && d1.flags.contains(Flag::Underpaid));
        assert_eq!(d1.stake(), d("20.00"), "the larger, not 35.00");
    }

    #[test]
    fn a_secondary_without_amt_b6_is_never_underpaid_from_a_derived_allowed_amount() {
        let schedule = contracts("procedure,modifier,allowed\n98940,,60.00\n");
        let rules = Rules::new(date("2026-01-01"));
        for clp02 in ["2", "3", "20", "21"] {
            let mut e = line("10.00", &[("OA", "23", "30.00")], "2024-02-05");
            e.claim_status = clp02.into();
            e.allowed = d("40.00");
            let decision = decide(
                &e,
                &LineHistory::default(),
                priced(&schedule, &e).as_ref(),
                &rules,
            );
            assert!(!decision.flags.contains(Flag::Underpaid), "CLP02 {clp02}");
            assert_eq!(decision.expected, Some(d("60.00")), "expected is shown");
            assert_eq!(
                (decision.stake(), decision.appeal_by),
                (Decimal::ZERO, None)
            );
            let note = decision.notes.join("; ");
            assert!(
                note.contains("left to a person") && note.contains("AMT*B6"),
                "{note}"
            );
            // The payer's own AMT*B6 is evidence: then it is underpaid.
            e.allowed_reported = true;
            let reported = decide(
                &e,
                &LineHistory::default(),
                priced(&schedule, &e).as_ref(),
                &rules,
            );
            assert!(reported.flags.contains(Flag::Underpaid), "CLP02 {clp02}");
            assert_eq!(reported.stake(), d("20.00"));
        }
        // A primary with a derived amount below the schedule stays underpaid.
        let mut primary = line("10.00", &[("CO", "45", "55.00")], "2024-02-05");
        primary.allowed = d("10.00");
        let decision = decide(
            &primary,
            &LineHistory::default(),
            priced(&schedule, &primary).as_ref(),
            &rules,
        );
        assert!(decision.flags.contains(Flag::Underpaid));
    }

    #[test]
    fn a_take_back_of_a_duplicate_payment_is_recouped_but_not_appealable() {
        let first = line("40.00", &[], "2024-02-05");
        let second = line("40.00", &[], "2024-03-05");
        let reversal = event(Status::Reversal, "-40.00", &[], "2024-04-01");
        let ds = run(&[first.clone(), second.clone(), reversal.clone()]);
        assert!(ds[1].flags.contains(Flag::DuplicatePayment));
        assert!(ds[2].flags.contains(Flag::Recouped));
        assert_eq!((ds[2].stake(), ds[2].appeal_by), (Decimal::ZERO, None));
        assert!(ds[2].notes[0].contains("duplicate"), "{:?}", ds[2].notes);
        // Taking back both payments: only the second 40.00 was owed back.
        let both = event(Status::Reversal, "-80.00", &[], "2024-04-01");
        let ds = run(&[first.clone(), second, both]);
        assert_eq!(ds[2].stake(), d("40.00"));
        assert_eq!(ds[2].appeal_by, Some(date("2024-06-30")));
        // Without a duplicate, a take-back is at stake in full.
        let ds = run(&[first, reversal]);
        assert_eq!(ds[1].stake(), d("40.00"));
        assert!(ds[1].appeal_by.is_some());
    }

    #[test]
    fn inconsistent_denial_compares_denial_reasons_only() {
        // The contractual part and the deductible changed; the denial did not.
        let a = line(
            "0.00",
            &[("CO", "45", "5.00"), ("CO", "197", "60.00")],
            "2024-02-05",
        );
        let b = line(
            "0.00",
            &[("PR", "1", "5.00"), ("CO", "197", "60.00")],
            "2024-04-05",
        );
        assert!(
            !run(&[a.clone(), b])[1]
                .flags
                .contains(Flag::InconsistentDenial)
        );
        let c = line("0.00", &[("PR", "96", "65.00")], "2024-04-05");
        let ds = run(&[a, c]);
        assert!(ds[1].flags.contains(Flag::InconsistentDenial));
        assert!(
            ds[1]
                .notes
                .iter()
                .any(|n| n.contains("CO-197") && n.contains("PR-96"))
        );
        assert!(ds[1].notes.iter().any(|n| n.contains("patient is liable")));
    }

    #[test]
    fn an_unknown_code_denies_and_says_so() {
        let e = line("0.00", &[("CO", "ZZ9", "65.00")], "2024-02-05");
        assert_eq!(e.status, Status::Denied);
        let d1 = &run(&[e])[0];
        assert_eq!(d1.stake(), d("65.00"));
        assert!(d1.appeal_by.is_some());
        assert!(
            d1.notes
                .iter()
                .any(|n| n.contains("ZZ9") && n.contains("not in the code list")),
            "{:?}",
            d1.notes
        );
    }

    #[test]
    fn a_denial_after_a_take_back_puts_at_most_the_payment_taken_at_stake() {
        let paid = line("40.00", &[("CO", "45", "25.00")], "2024-02-05");
        let reversal = event(Status::Reversal, "-40.00", &[], "2024-05-01");
        let denial = line("0.00", &[("CO", "27", "65.00")], "2024-06-01");
        let ds = run(&[paid, reversal, denial]);
        assert!(ds[2].flags.contains(Flag::Recouped));
        assert_eq!(ds[2].stake(), d("40.00"), "not the 65.00 charge");
    }

    #[test]
    fn a_user_code_list_changes_the_decision() {
        let user = CodeList::from_csv_reader(
            "list,code,description,category\ncarc,45,charge exceeds the fee schedule,denial\n"
                .as_bytes(),
        )
        .unwrap();
        let rules = Rules::new(date("2026-01-01"))
            .with_codes(Arc::new(CodeList::builtin().merged_with(&user)));
        let e = line("40.00", &[("CO", "45", "25.00")], "2024-02-05");
        let builtin = decide(
            &e,
            &LineHistory::default(),
            None,
            &Rules::new(date("2026-01-01")),
        );
        assert!(!builtin.flags.contains(Flag::PartialDenial));
        let theirs = decide(&e, &LineHistory::default(), None, &rules);
        assert!(theirs.flags.contains(Flag::PartialDenial));
        assert_eq!(theirs.stake(), d("25.00"));
    }
}
