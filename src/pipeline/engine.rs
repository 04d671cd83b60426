//! The reconciliation engine: applies remittance transactions, in payment
//! order, to the line histories; matches every event to its billed line;
//! decides each event; and finally lists the billed lines no remittance
//! answered. It knows events, claims and the history store — not files,
//! formats or terminals.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use rust_decimal::Decimal;

use crate::claim::{BilledClaim, BilledLine};
use crate::history::{HistoryStore, StoreResult};
use crate::line::{
    DecidedLine, Decision, EventKind, Flag, Flags, LineEvent, LineInterest, LineKey, PriorEvent,
    PriorKind, RemittanceContext, RemittanceTransaction, Status, event_key, reason_with_notes,
};
use crate::money::money;
use crate::reconcile::claims::StoredClaim;
use crate::reconcile::claims::{
    ClaimBook, ClaimMatch, LineMark, Supersession, claim_label, claim_reference, family, labels,
    match_claim, supersession,
};
use crate::reconcile::decide::{Rules, decide, duplicate_excess, prior_event, refresh_appeal_by};
use crate::reconcile::fees::FeeSchedule;
use crate::reconcile::interest::{ClaimFacts, PromptPay, assess};
use crate::reconcile::ordinals::assign_ordinals;
use crate::reconcile::reason::reason;
use crate::reconcile::versions::StoredVersion;
use crate::reconcile::versions::{self, Correction, produced_cmp};
use crate::text::Text;

/// Applies remittances to line histories and decides every event, with
/// the code list of its rules.
pub struct Reconciler<'a> {
    store: &'a mut dyn HistoryStore,
    schedule: Option<&'a FeeSchedule>,
    rules: Rules,
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
            claims_known,
            correction: None,
        })
    }

    /// Applies every pending transaction in payment order, one store
    /// transaction each, handing each transaction's rows to `on_rows`.
    /// Returns the number of transactions applied.
    pub fn apply_pending<E: From<crate::history::StoreError>>(
        &mut self,
        mut on_rows: impl FnMut(Vec<DecidedLine>) -> Result<(), E>,
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
    pub fn apply(&mut self, mut tx: RemittanceTransaction) -> StoreResult<Vec<DecidedLine>> {
        // Statuses are decided with the code list in use now: a pending
        // transaction stored by an older remit, or event records made by
        // `remit events` with another list, may carry other statuses.
        for event in &mut tx.events {
            event.rederive_status(&self.rules.codes);
        }
        let corrections = Corrections::of(&tx.events, self.schedule, &self.rules);
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
            corrections,
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
    ) -> StoreResult<Vec<DecidedLine>> {
        replaced.sort_by(|a, b| produced_cmp(&b.context, &b.order, &a.context, &a.order));
        let now_label = versions::label(&tx.context);
        for v in &mut replaced {
            for row in v.rows.iter_mut().filter(|r| r.reason.is_empty()) {
                row.reason = reason(&self.rules.codes, &row.event);
            }
            // A version never applied has no rows in the store yet: keep
            // them, marked, so `remit history` shows what was replaced.
            let kept: Vec<DecidedLine> = if v.applied {
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
        rows: &mut Vec<DecidedLine>,
    ) -> StoreResult<()> {
        let context = Arc::clone(&events[0].context);
        let (mut matched, book) = if self.claims_known {
            let (matched, book) = self.match_payment(&events, &context.payee_npi)?;
            (matched, Some(book))
        } else {
            let unmatched = ClaimMatch {
                lines: vec![None; events.len()],
                ..ClaimMatch::default()
            };
            (unmatched, None)
        };
        let ambiguous = (!matched.ambiguous.is_empty()).then(|| {
            format!(
                "Ambiguous claim match: billed claims {} (file#CLM01@CLM segment) fit this payment equally well \
                 (line controls, member, dates, procedures, charges); matched to neither — check which one the payer answered",
                labels(&matched.ambiguous)
            )
        });
        let unmatched_claim = self.claims_known && matched.claim.is_none() && ambiguous.is_none();
        let mut keys: Vec<LineKey> = events.iter().map(event_key).collect();
        let controls: Vec<&str> = events.iter().map(|e| e.line_control.as_str()).collect();
        let store = &*self.store;
        assign_ordinals(&mut keys, &controls, |k, c| {
            store.ordinal_for_control(k, c).ok().flatten()
        });
        // A reversal of a claim the practice itself voided (837 CLM05-3 =
        // 8) answers the void: the money goes back because the practice
        // asked, so there is nothing to appeal.
        let voided = book.as_ref().is_some_and(|book| {
            events.iter().any(|e| e.status == Status::Reversal)
                && family(book, &events[0].claim_id)
                    .iter()
                    .any(|c| c.claim.frequency == "8")
        });
        let mut decided = Vec::with_capacity(events.len());
        let lines = std::mem::take(&mut matched.lines);
        for ((event, key), line) in events.into_iter().zip(keys).zip(lines) {
            let history = self.store.history(&key)?;
            let mut decision = decide(&event, &history, self.schedule, &self.rules);
            if event.kind == EventKind::ClaimAdjustment {
                decision.net_paid = None;
            }
            if unmatched_claim {
                decision.flags.insert(Flag::NoMatchingClaim);
                decision.notes.push(format!(
                    "no 837 claim given matches CLP01 {}",
                    event.claim_id
                ));
            }
            if event.status == Status::Reversal && decision.flags.contains(Flag::Recouped) {
                if voided && decision.stake() > Decimal::ZERO {
                    decision.at_stake = Some(Decimal::ZERO);
                    decision.notes.push(
                        "the practice voided this claim (837 frequency 8): the reversal answers the void — nothing to appeal"
                            .to_string(),
                    );
                    refresh_appeal_by(&mut decision, &event, &self.rules);
                }
                tx.corrections
                    .offset_reversal(&event, &mut decision, &self.rules);
            }
            if ambiguous.is_some() {
                decision.flags.insert(Flag::AmbiguousClaimMatch);
            }
            self.link(&event, &key)?;
            let matched_line = matched_line(&matched, line, &event);
            let mut row = row(&self.rules, event, decision, matched_line);
            if let Some(why) = &ambiguous {
                append_reason(&mut row.reason, why);
            }
            row.key = Some(key);
            decided.push(row);
        }
        if let Some(rule) = &self.rules.prompt_pay {
            // An ambiguous match is still an electronic claim: of the
            // candidates, the one sent last, so that no interest is claimed
            // for days before the payer could have had it.
            let billed = matched.claim.as_ref().or_else(|| {
                matched
                    .ambiguous
                    .iter()
                    .max_by_key(|c| (c.claim.created, c.id))
            });
            assess_interest(rule, billed, tx, &mut decided);
        }
        for mut row in decided {
            if let Some(correction) = &self.correction {
                correction.mark(&mut row);
            }
            let key = row.key.clone().expect("set above");
            let prior = prior_event(&row.event, &row.decision, &self.rules.codes);
            self.store.record(&key, &prior, Some(&row))?;
            rows.push(row);
        }
        Ok(())
    }

    /// Matches one claim payment to its billed claim: remembers the ICN it
    /// was paid under (first, so that the family includes replacements
    /// whose REF*F8 names it), gathers what matching reads, matches, and
    /// records the billed lines it answers.
    fn match_payment(
        &mut self,
        events: &[LineEvent],
        payee_npi: &str,
    ) -> StoreResult<(ClaimMatch, ClaimBook)> {
        let first = &events[0];
        self.store
            .note_icn(&first.claim_id, &first.payer_claim_id)?;
        let book = ClaimBook::gather(&*self.store, &first.claim_id)?;
        let matched = match_claim(&book, events, payee_npi);
        for mark in &matched.marks {
            match *mark {
                LineMark::Answered(claim, line) => self.store.mark_answered(claim, line)?,
                LineMark::Contested(claim, line) => self.store.mark_contested(claim, line)?,
            }
        }
        if let Some(best) = &matched.claim {
            self.store.note_claim_icn(best.id, &first.payer_claim_id)?;
        }
        Ok((matched, book))
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
    fn apply_provider(&mut self, event: LineEvent) -> StoreResult<DecidedLine> {
        let key = event_key(&event);
        let history = self.store.history(&key)?;
        let mut decision = decide(&event, &history, self.schedule, &self.rules);
        decision.net_paid = None;
        let reason = event
            .adjustments
            .first()
            .map(|a| a.reason.clone())
            .unwrap_or_default();
        let mut recovered_claim = Text::default();
        if RECOVERY_REASONS.contains(&reason.as_str()) && !event.claim_id.is_empty() {
            recovered_claim = self.recover(&event, &key, &reason, &mut decision)?;
        }
        let prior = prior_event(&event, &decision, &self.rules.codes);
        let mut row = row(&self.rules, event, decision, String::new());
        row.recovered_claim = recovered_claim;
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
    ) -> StoreResult<Text> {
        let lines = self
            .store
            .claim_lines(&key.payer, &key.payee, &event.claim_id)?;
        if lines.is_empty() {
            return Ok(Text::default());
        }
        let amount = event
            .adjustments
            .first()
            .map_or(Decimal::ZERO, |a| a.amount);
        let mut to_take = recovery_take(reason, amount);
        let mut had_money = Decimal::ZERO;
        let mut last_payment: Option<PriorEvent> = None;
        // Per line: money it holds, and what of it was paid twice.
        let mut held: Vec<(Decimal, Decimal)> = Vec::with_capacity(lines.len());
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
            held.push((net, duplicate_excess(&history).min(net.max(Decimal::ZERO))));
        }
        // A recovery takes money paid twice first (that is what a payer
        // recovers after a duplicate payment, and taking it back is nothing
        // to appeal), then the claim's other money, line by line.
        let mut taken = vec![Decimal::ZERO; lines.len()];
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
        let mut remaining = Decimal::ZERO;
        for ((line, (net, _)), take) in lines.iter().zip(&held).zip(&taken) {
            remaining += *net - *take;
            self.store.record(line, &recovery(event, -*take), None)?;
        }
        if had_money > Decimal::ZERO {
            decision.flags.insert(Flag::Recouped);
            decision.net_paid = Some(remaining);
            decision.prior_paid = last_payment.as_ref().map(|p| p.paid);
            decision.prior_payment_date = last_payment.as_ref().and_then(|p| p.payment_date);
            decision.prior_trace = last_payment.map(|p| p.trace).unwrap_or_default();
            decision.at_stake = Some(taken_total - duplicate);
            let claim = lines[0].claim_id.clone();
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
            refresh_appeal_by(decision, event, &self.rules);
            return Ok(claim);
        }
        Ok(Text::default())
    }

    /// One NO_REMITTANCE row per billed line that no remittance answered,
    /// except the lines of voids and of claims a replacement or void
    /// supersedes (withdrawn). A line a payment may answer (an ambiguous
    /// match), or of a claim a replacement may supersede, is listed with
    /// `AMBIGUOUS_CLAIM_MATCH` and says why.
    pub fn unanswered(&self) -> StoreResult<Vec<DecidedLine>> {
        let mut rows = Vec::new();
        let open = self.store.unanswered()?;
        let contested: HashSet<u64> = open
            .iter()
            .filter(|(_, lines)| lines.iter().any(|l| l.contested))
            .map(|(c, _)| c.id)
            .collect();
        let mut families: HashMap<Text, (ClaimBook, Vec<StoredClaim>)> = HashMap::new();
        for (stored, lines) in open {
            let claim = &stored.claim;
            let later = claim.created.is_some_and(|d| d > self.rules.as_of);
            if claim.frequency == "8" || later {
                continue;
            }
            // Open claims sharing CLM01 share their family: load it once.
            if !families.contains_key(&claim.claim_id) {
                let book = ClaimBook::gather(&*self.store, &claim.claim_id)?;
                let found = family(&book, &claim.claim_id);
                families.insert(claim.claim_id.clone(), (book, found));
            }
            let (book, family) = &families[&claim.claim_id];
            let replaced = match supersession(book, &stored, family) {
                Supersession::Superseded => continue,
                Supersession::InForce => None,
                Supersession::Uncertain {
                    replacements,
                    rivals,
                } => Some(format!(
                    "Ambiguous claim match: replacement or void {} may replace this claim or {} \
                     (file#CLM01@CLM segment); listed until it is known which (REF*F8 with the payer's ICN tells)",
                    labels(&replacements),
                    labels(&rivals)
                )),
            };
            let reference = claim_reference(&stored, family);
            // The claims a payment fitted as well as this one: those with
            // contested lines of their own, else every other of the family.
            let others = || family.iter().filter(|c| c.id != stored.id);
            let fought: Vec<StoredClaim> = others()
                .filter(|c| contested.contains(&c.id))
                .cloned()
                .collect();
            let rivals = if fought.is_empty() {
                others().cloned().collect()
            } else {
                fought
            };
            let context = Arc::new(billed_context(&stored.source, claim));
            for open in lines {
                let mut row =
                    self.no_remittance(&context, claim, &claim.lines[open.line], &reference);
                if open.contested {
                    row.decision.flags.insert(Flag::AmbiguousClaimMatch);
                    append_reason(
                        &mut row.reason,
                        &format!(
                            "Ambiguous claim match: a payment of CLP01 {} fits this claim ({}) and {} equally well; \
                             it may answer this line — check which claim the payer answered",
                            claim.claim_id,
                            claim_label(&stored),
                            labels(&rivals)
                        ),
                    );
                }
                if let Some(why) = &replaced {
                    row.decision.flags.insert(Flag::AmbiguousClaimMatch);
                    append_reason(&mut row.reason, why);
                }
                rows.push(row);
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
        reference: &str,
    ) -> DecidedLine {
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
            allowed_reported: false,
            paid: Decimal::ZERO,
            patient_resp: Decimal::ZERO,
            adjustments: Vec::new(),
            remarks: Vec::new(),
            line_control: line.control_number.clone(),
            received_date: None,
            interest: Decimal::ZERO,
            status: Status::NoRemittance,
            unexplained: None,
        };
        let age = line
            .service_date
            .and_then(|d| (self.rules.as_of - d).get_days().into());
        let mut row = DecidedLine::from_event(event);
        row.reason = reason(&self.rules.codes, &row.event);
        row.matched_claim_line = format!("{reference}/{}", line.number);
        row.age_days = age.map(i64::from);
        row
    }
}

/// `FILE#CLM01/LX` of the billed line an event answers (`FILE#CLM01` for
/// claim-level events; `FILE#CLM01@N` when the file holds several claims
/// with that CLM01, see [`crate::reconcile::claims::claim_reference`]).
fn matched_line(matched: &ClaimMatch, line: Option<usize>, event: &LineEvent) -> String {
    let Some(stored) = &matched.claim else {
        return String::new();
    };
    match line {
        Some(l) => format!("{}/{}", matched.reference, stored.claim.lines[l].number),
        None if event.kind != EventKind::Line => matched.reference.clone(),
        None => String::new(),
    }
}

/// Adds a flag's explanation to a row's reason.
fn append_reason(reason: &mut String, why: &str) {
    if !reason.is_empty() {
        reason.push_str("; ");
    }
    reason.push_str(why);
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
/// reference, what reversals took back per line (for the late increment of
/// a correction), and what corrections pay back of what reversals take.
struct TransactionState {
    interest_by_reference: HashMap<Text, Decimal>,
    reversed: HashMap<LineKey, Decimal>,
    corrections: Corrections,
}

/// What the corrections of one transaction give back to lines its
/// reversals take money from. A payer re-adjudicates a claim by reversing
/// it and paying it again in the same remittance; what the reversal takes
/// is at stake only as far as the correction does not give it back — by
/// paying it, by moving it to the patient (more patient responsibility
/// than the reversed payment had: collect it from the patient), or by
/// denying or underpaying it on its own row (then it is at stake there,
/// and counting it on the reversal too would count it twice).
#[derive(Debug, Default)]
struct Corrections {
    /// By line (ordinal 0): what corrections of a reversed line cover.
    by_line: HashMap<LineKey, Decimal>,
    /// By claim (CLP01): what corrections of lines no reversal names (the
    /// payer re-coded them) cover, for any reversed line of the claim.
    by_claim: HashMap<Text, Decimal>,
}

impl Corrections {
    /// The corrections among one transaction's events (statuses decided).
    fn of(events: &[LineEvent], schedule: Option<&FeeSchedule>, rules: &Rules) -> Corrections {
        let is_line = |e: &&LineEvent| matches!(e.kind, EventKind::Line | EventKind::Claim);
        let reversals: Vec<&LineEvent> = events
            .iter()
            .filter(is_line)
            .filter(|e| e.status == Status::Reversal)
            .collect();
        if reversals.is_empty() {
            return Corrections::default();
        }
        // Per line and per claim: (paid, patient responsibility, own stake)
        // of the corrections, and the patient responsibility the reversed
        // payments had.
        let mut lines: HashMap<LineKey, [Decimal; 4]> = HashMap::new();
        let mut claims: HashMap<Text, [Decimal; 4]> = HashMap::new();
        for r in &reversals {
            lines.entry(event_key(r)).or_default()[3] -= r.patient_resp;
        }
        let reversed_claims: Vec<&Text> = reversals.iter().map(|r| &r.claim_id).collect();
        for e in events.iter().filter(is_line) {
            if e.status == Status::Reversal || !reversed_claims.contains(&&e.claim_id) {
                continue;
            }
            let own = decide(e, &crate::line::LineHistory::default(), schedule, rules).stake();
            let key = event_key(e);
            let sums = match lines.get_mut(&key) {
                Some(sums) => sums,
                None => claims.entry(e.claim_id.clone()).or_default(),
            };
            sums[0] += e.paid;
            sums[1] += e.patient_resp;
            sums[2] += own;
        }
        // Reversed lines without a correction of their own: their patient
        // responsibility is what a re-coded correction compares with.
        for r in &reversals {
            let sums = lines[&event_key(r)];
            if sums[0].is_zero() && sums[1].is_zero() && sums[2].is_zero() {
                claims.entry(r.claim_id.clone()).or_default()[3] -= r.patient_resp;
            }
        }
        let cover = |[paid, patient, own, before]: [Decimal; 4]| {
            paid + (patient - before).max(Decimal::ZERO) + own
        };
        Corrections {
            by_line: lines.into_iter().map(|(k, v)| (k, cover(v))).collect(),
            by_claim: claims.into_iter().map(|(k, v)| (k, cover(v))).collect(),
        }
    }

    /// Lowers a recouping reversal's amount at stake by what corrections
    /// of the same transaction cover (each amount used once), and says so.
    fn offset_reversal(&mut self, event: &LineEvent, d: &mut Decision, rules: &Rules) {
        if d.stake() <= Decimal::ZERO {
            return;
        }
        let before = d.stake();
        let mut used = Decimal::ZERO;
        for pool in [
            self.by_line.get_mut(&event_key(event)),
            self.by_claim.get_mut(&event.claim_id),
        ]
        .into_iter()
        .flatten()
        {
            let take = (*pool).min(d.stake()).max(Decimal::ZERO);
            *pool -= take;
            d.at_stake = Some(d.stake() - take);
            used += take;
        }
        if used.is_zero() {
            return;
        }
        d.notes.push(if d.stake().is_zero() {
            format!(
                "reversed and re-adjudicated in the same remittance: the correction pays back, moves to the patient or puts at stake on its own row the {} taken back — nothing to appeal here",
                money(before)
            )
        } else {
            format!(
                "reversed and re-adjudicated in the same remittance: the correction covers {} of the {} taken back; the net reduction {} is at stake",
                money(used),
                money(before),
                money(d.stake())
            )
        });
        refresh_appeal_by(d, event, rules);
    }
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
    claim: Option<&crate::reconcile::claims::StoredClaim>,
    tx: &mut TransactionState,
    rows: &mut [DecidedLine],
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
            rows[i].decision.flags.insert(Flag::InterestDue);
            let note = format!(
                "Interest due: paid {} day(s) after the due date {}; the claim's interest owed exceeds what was paid by {}",
                interest.days_late,
                interest.due,
                money(due)
            );
            let words = std::mem::take(&mut rows[i].reason);
            rows[i].reason = reason_with_notes(&[note], words);
        }
        rows[i].interest = Some(interest);
    }
}
/// The decided line of `event`: the decision's notes, then its adjustments
/// and remarks in words, make its reason.
fn row(rules: &Rules, event: LineEvent, d: Decision, matched_claim_line: String) -> DecidedLine {
    let words = reason(&rules.codes, &event);
    DecidedLine {
        matched_claim_line,
        ..DecidedLine::new(event, d, words)
    }
}
