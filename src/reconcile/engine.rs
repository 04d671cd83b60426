//! The reconciliation engine: applies remittance transactions, in payment
//! order, to the line histories; matches every event to its billed line;
//! decides each event; and finally lists the billed lines no remittance
//! answered. It knows events, claims and the history store — not files,
//! formats or terminals.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::claims::{ClaimMatch, match_claim, superseded};
use super::decide::{Decision, Rules, decide, prior_event};
use super::fees::FeeSchedule;
use super::interest::{ClaimFacts, LineInterest, PromptPay, assess};
use super::key::{LineKey, assign_ordinals, event_key};
use super::reason::reason;
use super::versions::{self, Correction, produced_cmp};
use crate::claim::{BilledClaim, BilledLine};
use crate::codes::CodeList;
use crate::events::{EventKind, LineEvent, RemittanceContext, Status};
use crate::history::{
    HistoryStore, PriorEvent, PriorKind, StoreResult, StoredVersion, TransactionFingerprint,
};
use crate::ledger::{Flag, Flags, LedgerRow};
use crate::remittance::Text;

/// One 835 transaction's events, ready to apply.
#[derive(Clone, Debug)]
pub struct RemittanceTransaction {
    /// What its events share.
    pub context: Arc<RemittanceContext>,
    /// Its events, in order.
    pub events: Vec<LineEvent>,
    /// Its identity, to apply it once only.
    pub fingerprint: TransactionFingerprint,
}

/// Sort key: payment date, production date, ISA13, ST02 (then trace and
/// content, so that the order never depends on file order).
pub type OrderKey = (Option<Date>, Option<Date>, Text, Text, Text, u64);

impl RemittanceTransaction {
    /// The order in which transactions are applied.
    pub fn order_key(&self) -> OrderKey {
        order_key_of(&self.context, self.fingerprint.content_hash)
    }
}

/// The order key of a transaction with this context and content hash.
pub fn order_key_of(c: &RemittanceContext, content_hash: u64) -> OrderKey {
    (
        c.payment_date.or(c.production_date),
        c.production_date,
        c.interchange.clone(),
        padded(&c.transaction),
        c.trace.clone(),
        content_hash,
    )
}

/// Numeric control numbers sort as numbers ("10" after "9").
fn padded(control: &str) -> Text {
    if control.bytes().all(|b| b.is_ascii_digit()) {
        format!("{control:0>15}").into()
    } else {
        control.into()
    }
}

/// Applies remittances to line histories and decides every event.
pub struct Reconciler<'a> {
    store: &'a mut dyn HistoryStore,
    schedule: Option<&'a FeeSchedule>,
    rules: Rules,
    codes: &'a CodeList,
    claims_known: bool,
    /// Set while applying a version that replaces earlier versions of its
    /// remittance: its rows are compared with the newest of them.
    correction: Option<Correction>,
}

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

impl<'a> Reconciler<'a> {
    /// A reconciler over a store (claims already ingested) and the rules.
    pub fn new(
        store: &'a mut dyn HistoryStore,
        schedule: Option<&'a FeeSchedule>,
        rules: Rules,
    ) -> StoreResult<Self> {
        let claims_known = store.has_claims()?;
        Ok(Reconciler {
            store,
            schedule,
            rules,
            codes: CodeList::builtin(),
            claims_known,
            correction: None,
        })
    }

    /// Uses `codes` for the reason column instead of the built-in list.
    pub fn with_codes(mut self, codes: &'a CodeList) -> Self {
        self.codes = codes;
        self
    }

    /// Applies every pending transaction in payment order, one store
    /// transaction each, handing each transaction's rows to `on_rows`.
    /// Returns the number of transactions applied.
    pub fn apply_pending<E: From<crate::history::StoreError>>(
        &mut self,
        mut on_rows: impl FnMut(Vec<LedgerRow>) -> Result<(), E>,
    ) -> Result<usize, E> {
        let mut applied = 0;
        for (_, id) in self.store.pending()? {
            if !self.store.begin_decide(id)? {
                continue;
            }
            let tx = self.store.load_pending(id)?;
            let replaced = self.store.replaced_versions(id)?;
            let rows = if replaced.is_empty() {
                self.apply(tx)?
            } else {
                self.apply_version(tx, replaced)?
            };
            self.store.commit_decide(id)?;
            applied += 1;
            on_rows(rows)?;
        }
        Ok(applied)
    }

    /// Decides one transaction's events (call in [`RemittanceTransaction::order_key`] order).
    pub fn apply(&mut self, tx: RemittanceTransaction) -> StoreResult<Vec<LedgerRow>> {
        let mut rows = Vec::with_capacity(tx.events.len());
        let mut groups: BTreeMap<u32, Vec<LineEvent>> = BTreeMap::new();
        let mut provider = Vec::new();
        for event in tx.events {
            if event.kind == EventKind::ProviderAdjustment {
                provider.push(event);
            } else {
                groups.entry(event.claim_seq).or_default().push(event);
            }
        }
        let mut tx_state = TransactionState {
            interest_by_reference: interest_paid_by_reference(&provider),
            reversed: HashMap::new(),
        };
        for (_, events) in groups {
            self.apply_claim(events, &mut tx_state, &mut rows)?;
        }
        for event in provider {
            rows.push(self.apply_provider(event)?);
        }
        Ok(rows)
    }

    /// Applies the newest version of a remittance (one payment, one trace:
    /// see [`super::versions`]). The versions it replaces leave the line
    /// histories first, so the payment counts once and no line of it looks
    /// paid twice; its rows are then decided as usual and compared with the
    /// newest replaced version; last come the replaced lines that changed or
    /// that it no longer lists, marked superseded.
    fn apply_version(
        &mut self,
        tx: RemittanceTransaction,
        mut replaced: Vec<StoredVersion>,
    ) -> StoreResult<Vec<LedgerRow>> {
        replaced.sort_by(|a, b| produced_cmp(&b.context, &b.order, &a.context, &a.order));
        let now_label = versions::label(&tx.context);
        for v in &mut replaced {
            for row in v.rows.iter_mut().filter(|r| r.reason.is_empty()) {
                row.reason = reason(self.codes, &row.event);
            }
            // A version never applied has no rows in the store yet: keep
            // them, marked, so `remit history` shows what was replaced.
            let kept: Vec<LedgerRow> = if v.applied {
                Vec::new()
            } else {
                let note =
                    format!("Superseded by the corrected remittance {now_label}, not counted.");
                v.rows
                    .iter()
                    .map(|r| {
                        versions::as_superseded(r.clone(), &now_label, &note, Flags::default())
                    })
                    .collect()
            };
            self.store.retire(v.id, &kept)?;
        }
        self.correction = Some(Correction::new(&tx, &replaced[0]));
        let applied = self.apply(tx);
        self.correction = None;
        let mut rows = applied?;
        let mut shown = Vec::new();
        for (k, v) in replaced.iter().enumerate() {
            // Older versions never applied moved no money: the newest one
            // is enough to say what changed.
            if k == 0 || v.applied {
                shown.extend(versions::superseded_rows(v, &rows, &now_label));
            }
        }
        rows.extend(shown);
        Ok(rows)
    }

    /// Applies the events of one claim payment.
    fn apply_claim(
        &mut self,
        events: Vec<LineEvent>,
        tx: &mut TransactionState,
        rows: &mut Vec<LedgerRow>,
    ) -> StoreResult<()> {
        let context = Arc::clone(&events[0].context);
        let matched = if self.claims_known {
            match_claim(self.store, &events, &context.payee_npi)?
        } else {
            ClaimMatch {
                claim: None,
                lines: vec![None; events.len()],
            }
        };
        let unmatched_claim = self.claims_known && matched.claim.is_none();
        let mut keys: Vec<LineKey> = events.iter().map(event_key).collect();
        let controls: Vec<&str> = events.iter().map(|e| e.line_control.as_str()).collect();
        let store = &*self.store;
        assign_ordinals(&mut keys, &controls, |k, c| {
            store.ordinal_for_control(k, c).ok().flatten()
        });
        let mut decided = Vec::with_capacity(events.len());
        for ((event, key), line) in events.into_iter().zip(keys).zip(matched.lines) {
            let history = self.store.history(&key)?;
            let mut decision = decide(&event, &history, self.schedule, &self.rules);
            if event.kind == EventKind::ClaimAdjustment {
                decision.net_paid = None;
            }
            if unmatched_claim {
                decision.flags.insert(Flag::NoMatchingClaim);
            }
            self.link(&event, &key)?;
            let matched_line = matched_line(matched.claim.as_ref(), line, &event);
            let mut row = row(self.codes, event, decision, matched_line);
            row.key = Some(key);
            decided.push(row);
        }
        if let Some(rule) = &self.rules.prompt_pay {
            assess_interest(rule, matched.claim.as_ref(), tx, &mut decided);
        }
        for mut row in decided {
            if let Some(correction) = &self.correction {
                correction.mark(&mut row);
            }
            let key = row.key.clone().expect("set above");
            let prior = prior_event(&row.event, &decision_of(&row));
            self.store.record(&key, &prior, Some(&row))?;
            rows.push(row);
        }
        Ok(())
    }

    /// Lets a later PLB find this line by the claim's CLP01 and CLP07.
    fn link(&mut self, event: &LineEvent, key: &LineKey) -> StoreResult<()> {
        if event.kind != EventKind::Line && event.kind != EventKind::Claim {
            return Ok(());
        }
        for reference in [&event.claim_id, &event.payer_claim_id] {
            self.store
                .link_claim(&key.payer, &key.payee, reference, key)?;
        }
        Ok(())
    }

    /// Applies one PLB amount; a recovery takes money back from the lines
    /// of the claim it names.
    fn apply_provider(&mut self, event: LineEvent) -> StoreResult<LedgerRow> {
        let key = event_key(&event);
        let history = self.store.history(&key)?;
        let mut decision = decide(&event, &history, self.schedule, &self.rules);
        decision.net_paid = None;
        let reason = event
            .adjustments
            .first()
            .map(|a| a.reason.clone())
            .unwrap_or_default();
        if RECOVERY_REASONS.contains(&reason.as_str()) && !event.claim_id.is_empty() {
            self.recover(&event, &key, &reason, &mut decision)?;
        }
        let prior = prior_event(&event, &decision);
        let mut row = row(self.codes, event, decision, String::new());
        if let Some(correction) = &self.correction {
            correction.mark(&mut row);
        }
        self.store.record(&key, &prior, Some(&row))?;
        Ok(row)
    }

    fn recover(
        &mut self,
        event: &LineEvent,
        key: &LineKey,
        reason: &str,
        decision: &mut Decision,
    ) -> StoreResult<()> {
        let lines = self
            .store
            .claim_lines(&key.payer, &key.payee, &event.claim_id)?;
        if lines.is_empty() {
            return Ok(());
        }
        let amount = event
            .adjustments
            .first()
            .map_or(Decimal::ZERO, |a| a.amount);
        let mut to_take = recovery_take(reason, amount);
        let mut had_money = Decimal::ZERO;
        let mut remaining = Decimal::ZERO;
        let mut last_payment: Option<PriorEvent> = None;
        for line in &lines {
            let history = self.store.history(line)?;
            let net: Decimal = history.events.iter().map(|e| e.paid).sum();
            had_money += net.max(Decimal::ZERO);
            if let Some(p) = history
                .events
                .iter()
                .rev()
                .find(|e| e.kind == PriorKind::Payment && e.paid > Decimal::ZERO)
            {
                last_payment = Some(p.clone());
            }
            let taken = net.max(Decimal::ZERO).min(to_take);
            to_take -= taken;
            remaining += net - taken;
            self.store.record(line, &recovery(event, -taken), None)?;
        }
        if had_money > Decimal::ZERO {
            decision.flags.insert(Flag::Recouped);
            decision.net_paid = Some(remaining);
            decision.prior_paid = last_payment.as_ref().map(|p| p.paid);
            decision.prior_payment_date = last_payment.as_ref().and_then(|p| p.payment_date);
            decision.prior_trace = last_payment.map(|p| p.trace).unwrap_or_default();
            let paid_on = event.context.payment_date.or(event.context.production_date);
            decision.appeal_by = paid_on.and_then(|d| {
                d.checked_add(jiff::Span::new().days(self.rules.administrative_appeal_days))
                    .ok()
            });
        }
        Ok(())
    }

    /// One NO_REMITTANCE row per billed line that no remittance answered.
    pub fn unanswered(&self) -> StoreResult<Vec<LedgerRow>> {
        let mut rows = Vec::new();
        for (stored, lines) in self.store.unanswered()? {
            let claim = &stored.claim;
            let later = claim.created.is_some_and(|d| d > self.rules.as_of);
            if claim.frequency == "8" || later || superseded(&*self.store, &stored)? {
                continue;
            }
            let context = Arc::new(billed_context(&stored.source, claim));
            for l in lines {
                rows.push(self.no_remittance(&context, claim, &claim.lines[l]));
            }
        }
        rows.sort_by(|a, b| {
            (
                a.event.service_date,
                &a.event.claim_id,
                &a.matched_claim_line,
            )
                .cmp(&(
                    b.event.service_date,
                    &b.event.claim_id,
                    &b.matched_claim_line,
                ))
        });
        Ok(rows)
    }

    fn no_remittance(
        &self,
        context: &Arc<RemittanceContext>,
        claim: &BilledClaim,
        line: &BilledLine,
    ) -> LedgerRow {
        let name = match &claim.patient {
            Some(p) if !p.last.is_empty() => person(&p.last, &p.first),
            _ => person(&claim.subscriber.last, &claim.subscriber.first),
        };
        let units = line.units.unwrap_or(Decimal::ONE);
        let event = LineEvent {
            context: Arc::clone(context),
            kind: EventKind::Line,
            sequence: 0,
            claim_seq: 0,
            claim_id: claim.claim_id.clone(),
            payer_claim_id: claim.payer_claim_number.clone().unwrap_or_default(),
            claim_status: Text::default(),
            claim_frequency: claim.frequency.clone(),
            member_id: claim.member_id().into(),
            member_name: name,
            service_date: line.service_date,
            procedure: if line.procedure.code.is_empty() {
                line.revenue_code.clone()
            } else {
                line.procedure.code.clone()
            },
            modifiers: line.procedure.modifiers.clone(),
            paid_procedure: None,
            revenue_code: line.revenue_code.clone(),
            units,
            billed_units: units,
            billed: line.charge,
            allowed: Decimal::ZERO,
            paid: Decimal::ZERO,
            patient_resp: Decimal::ZERO,
            adjustments: Vec::new(),
            remarks: Vec::new(),
            line_control: line.control_number.clone(),
            received_date: None,
            interest: Decimal::ZERO,
            status: Status::NoRemittance,
        };
        let age = line
            .service_date
            .and_then(|d| (self.rules.as_of - d).get_days().into());
        let mut row = LedgerRow::from_event(event);
        row.reason = reason(self.codes, &row.event);
        row.matched_claim_line = format!("{}#{}/{}", context.source, claim.claim_id, line.number);
        row.age_days = age.map(i64::from);
        row
    }
}

/// `FILE#CLM01/LX` of the billed line an event answers (`FILE#CLM01` for
/// claim-level events).
fn matched_line(
    claim: Option<&crate::history::StoredClaim>,
    line: Option<usize>,
    event: &LineEvent,
) -> String {
    let Some(stored) = claim else {
        return String::new();
    };
    match line {
        Some(l) => format!(
            "{}#{}/{}",
            stored.source, stored.claim.claim_id, stored.claim.lines[l].number
        ),
        None if event.kind != EventKind::Line => {
            format!("{}#{}", stored.source, stored.claim.claim_id)
        }
        None => String::new(),
    }
}

fn person(last: &str, first: &str) -> String {
    if first.is_empty() {
        last.to_string()
    } else {
        format!("{last}, {first}")
    }
}

/// The context of a billed claim, for its NO_REMITTANCE rows.
fn billed_context(source: &str, claim: &BilledClaim) -> RemittanceContext {
    RemittanceContext {
        source: source.to_string(),
        payer: claim.subscriber.payer_name.clone(),
        payer_id: claim.subscriber.payer_id.clone(),
        payee_npi: claim.billing_provider.npi.clone(),
        payee_id: claim.billing_provider.npi.clone(),
        interchange: claim.id.interchange.as_str().into(),
        transaction: claim.id.control.as_str().into(),
        ..RemittanceContext::default()
    }
}

/// The history entry a PLB recovery leaves on one line of its claim.
fn recovery(event: &LineEvent, paid: Decimal) -> PriorEvent {
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

/// What changes within one transaction: interest paid by PLB L6 per claim
/// reference, and what reversals took back per line (for the late
/// increment of a correction).
struct TransactionState {
    interest_by_reference: HashMap<Text, Decimal>,
    reversed: HashMap<LineKey, Decimal>,
}

/// Interest paid by PLB L6 (amounts are negative: they add to the payment),
/// by the claim they name.
fn interest_paid_by_reference(provider: &[LineEvent]) -> HashMap<Text, Decimal> {
    let mut paid: HashMap<Text, Decimal> = HashMap::new();
    for event in provider {
        for a in event.adjustments.iter().filter(|a| a.reason == "L6") {
            if !event.claim_id.is_empty() {
                *paid.entry(event.claim_id.clone()).or_default() -= a.amount;
            }
        }
    }
    paid
}

/// Prompt-pay interest on the paying lines of one claim; the claim's paid
/// lines are flagged INTEREST_DUE when owed − paid ≥ 0.01.
fn assess_interest(
    rule: &PromptPay,
    claim: Option<&crate::history::StoredClaim>,
    tx: &mut TransactionState,
    rows: &mut [LedgerRow],
) {
    let Some(first) = rows.first() else { return };
    let e = &first.event;
    let interest_paid = if !e.interest.is_zero() {
        e.interest
    } else {
        [&e.payer_claim_id, &e.claim_id]
            .into_iter()
            .find_map(|r| tx.interest_by_reference.get(r).copied())
            .unwrap_or_default()
    };
    let facts = ClaimFacts {
        received: e.received_date,
        created: claim.and_then(|c| c.claim.created),
        electronic: claim.is_some(),
        paid_on: e.context.payment_date,
        interest_paid,
    };
    let mut paying = Vec::new();
    let mut principals = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let key = row.key.clone().unwrap_or_else(|| event_key(&row.event));
        if row.status == Status::Reversal {
            *tx.reversed.entry(key).or_default() += row.event.paid;
        } else if row.status == Status::Paid
            && matches!(row.event.kind, EventKind::Line | EventKind::Claim)
        {
            let reversed = tx.reversed.get(&key).copied().unwrap_or_default();
            principals.push((row.event.paid + reversed).max(Decimal::ZERO));
            paying.push(i);
        }
    }
    let Some(lines) = assess(rule, &facts, &principals) else {
        return;
    };
    let due: Decimal = lines.iter().map(LineInterest::difference).sum();
    for (i, interest) in paying.into_iter().zip(lines) {
        if due >= Decimal::new(1, 2) {
            rows[i].flags.insert(Flag::InterestDue);
        }
        rows[i].interest = Some(interest);
    }
}

/// The decision a row carries, for its history entry.
fn decision_of(row: &LedgerRow) -> Decision {
    Decision {
        flags: row.flags,
        prior_paid: row.prior_paid,
        prior_payment_date: row.prior_payment_date,
        prior_trace: row.prior_trace.clone(),
        expected: row.expected,
        variance: row.variance,
        net_paid: row.net_paid,
        appeal_by: row.appeal_by,
    }
}

fn row(codes: &CodeList, event: LineEvent, d: Decision, matched_claim_line: String) -> LedgerRow {
    LedgerRow {
        interest: None,
        key: None,
        reason: reason(codes, &event),
        status: event.status,
        event,
        flags: d.flags,
        prior_paid: d.prior_paid,
        prior_payment_date: d.prior_payment_date,
        prior_trace: d.prior_trace,
        expected: d.expected,
        variance: d.variance,
        net_paid: d.net_paid,
        appeal_by: d.appeal_by,
        matched_claim_line,
        age_days: None,
        superseded_by: None,
    }
}
