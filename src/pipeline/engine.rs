//! The reconciliation engine: applies remittance transactions, in payment
//! order, to the line histories; matches every event to its billed line;
//! decides each event; and finally lists the billed lines no remittance
//! answered. It knows events, claims and the history store — not files,
//! formats or terminals.

use std::collections::BTreeMap;

use crate::hashing::{HashMap, HashSet};
use std::sync::Arc;

use rust_decimal::Decimal;

use super::read_ahead::ReadAhead;
use crate::contract::Contracts;
use crate::history::{During, HistoryStore, RemittanceState, Replay, StoreResult};
use crate::line::{
    DecidedLine, Decision, EventKind, Flag, Flags, LineEvent, LineHistory, LineKey, NamedClaim,
    OrderKey, RemittanceTransaction, Status, event_key,
};
use crate::reconcile::claims::{
    ClaimBook, ClaimMatch, ClaimNames, LineMark, RecentClaims, SHARED_FROM, SharedClaims,
    StoredClaim, Supersession, Supersessions, claim_label, family, labels, match_claim,
    match_narrowed,
};
use crate::reconcile::corrections::Corrections;
use crate::reconcile::decide::{Rules, decide, prior_event, refresh_appeal_by};
use crate::reconcile::interest::TransactionInterest;
use crate::reconcile::ordinals::assign_ordinals;
use crate::reconcile::pricing::{Billed, price_claim};
use crate::reconcile::reason::reason;
use crate::reconcile::recovery::{self, RECOVERY_REASONS};
use crate::reconcile::unanswered::{billed_context, no_remittance};
use crate::reconcile::versions::{self, Correction, StoredVersion, TransactionRef, produced_cmp};
use crate::text::Text;

/// Applies remittances to line histories and decides every event, with
/// the code list of its rules.
pub struct Reconciler<'a> {
    store: &'a mut dyn HistoryStore,
    contracts: Option<&'a Contracts>,
    rules: Rules,
    claims_known: bool,
    /// Set while applying a version that replaces earlier versions of its
    /// remittance: its rows are compared with the newest of them.
    correction: Option<Correction>,
    /// The buffers histories are read into, reused for every event (one
    /// line's; the lines of a claim a recovery takes from).
    history: LineHistory,
    histories: Vec<LineHistory>,
    /// The claims' acknowledgments and deadlines (issue 22), when known.
    front_end: Option<&'a super::FrontEnd>,
    /// What deciding again, because facts arrived out of order, did.
    replay: Replay,
    /// The claim family of each CLM01 that many claims share, read once
    /// and indexed (see [`SharedClaims`]). Claims are all ingested before
    /// deciding starts, so what the store holds for an id does not change
    /// while this reconciler decides; the ICNs payments note do, and each
    /// is followed as it is noted ([`Reconciler::note_icn`]).
    shared: HashMap<Text, Arc<SharedClaims>>,
    /// For each CLM01 whose ICNs lead into one of `shared`'s families, the
    /// keys of those families.
    family_of: HashMap<Text, Vec<Text>>,
    /// Whether pending transactions are decoded on a thread of their own
    /// ahead of their turn (see `pipeline::read_ahead`).
    read_ahead: bool,
    /// The billed claims payments read last, kept so that the next
    /// payment of one of them (a reversal, a correction) does not decode
    /// it again.
    recent: RecentClaims,
}

/// The billed claims with one CLM01, as [`Reconciler::claims_with_id`]
/// hands them out.
enum WithId {
    /// A few: read for this question.
    Few(Vec<StoredClaim>),
    /// Many: read once, indexed.
    Shared(Arc<SharedClaims>),
}

impl<'a> Reconciler<'a> {
    /// A reconciler over a store (claims already ingested) and the rules.
    pub fn new(
        store: &'a mut dyn HistoryStore,
        contracts: Option<&'a Contracts>,
        rules: Rules,
    ) -> StoreResult<Self> {
        let claims_known = store.has_claims().during("looking for billed claims")?;
        Ok(Reconciler {
            store,
            contracts,
            rules,
            claims_known,
            correction: None,
            history: LineHistory::default(),
            histories: Vec::new(),
            front_end: None,
            replay: Replay::default(),
            shared: HashMap::default(),
            family_of: HashMap::default(),
            read_ahead: false,
            recent: RecentClaims::default(),
        })
    }

    /// Decodes pending transactions (those the store holds packed or by
    /// where they are) on a thread of their own, ahead of their turn, when
    /// `on` (a run of more than one job): what is decided is the same.
    pub fn with_read_ahead(mut self, on: bool) -> Self {
        self.read_ahead = on;
        self
    }

    /// Decides as if billed claims were known (or not) whatever this store
    /// holds: a store holding one part of a run's inputs (see
    /// `pipeline::partition`) decides as the whole run's store would, in
    /// which some part's 837 turns on NO_MATCHING_CLAIM for every part.
    pub fn with_claims_known(mut self, known: bool) -> Self {
        self.claims_known = known;
        self
    }

    /// Annotates NO_REMITTANCE rows with the claims' front-end state and
    /// filing deadline, and judges CARC 29 denials, from `front_end`.
    pub fn with_front_end(mut self, front_end: &'a super::FrontEnd) -> Self {
        self.front_end = Some(front_end);
        self
    }

    /// What deciding again did, when facts had arrived out of order
    /// (see [`HistoryStore::replay_out_of_order`]).
    pub fn replay(&self) -> Replay {
        self.replay
    }

    /// Applies every pending transaction in payment order, one store
    /// transaction each, handing each transaction's rows to `on_rows`.
    /// When facts arrived that decisions already made did not know, the
    /// store first makes every transaction pending again; a transaction
    /// decided again hands over only its rows that changed (see
    /// [`Reconciler::replay`]). Returns the number of transactions applied
    /// for the first time.
    pub fn apply_pending<E: From<crate::history::StoreError>>(
        &mut self,
        mut on_rows: impl FnMut(Vec<DecidedLine>) -> Result<(), E>,
    ) -> Result<usize, E> {
        let covered = self.apply_covering(&[], |rows, _| on_rows(rows))?;
        Ok(covered.applied)
    }

    /// Applies every pending transaction (as [`Reconciler::apply_pending`])
    /// and reads back the rows of `applied_before` — transactions of this
    /// run's inputs that an earlier run applied — handing every
    /// transaction's rows to `on_rows` in one payment order, with `true`
    /// for rows read back. So a run's ledger covers every remittance in its
    /// inputs, and a re-run after a killed run yields the ledger of a run
    /// never interrupted: the killed run applied a prefix of the payment
    /// order, read back here in its place.
    pub fn apply_covering<E: From<crate::history::StoreError>>(
        &mut self,
        applied_before: &[TransactionRef],
        mut on_rows: impl FnMut(Vec<DecidedLine>, bool) -> Result<(), E>,
    ) -> Result<Covered, E> {
        self.covering(applied_before, false, |rows, before, _| {
            on_rows(rows, before)
        })
    }

    /// [`Reconciler::apply_pending`], handing each transaction's rows with
    /// its payment order, so that the rows of stores holding parts of one
    /// run (see `pipeline::partition`) can be merged into that run's order.
    pub fn apply_pending_keyed<E: From<crate::history::StoreError>>(
        &mut self,
        mut on_rows: impl FnMut(&OrderKey, Vec<DecidedLine>) -> Result<(), E>,
    ) -> Result<usize, E> {
        let covered = self.covering(&[], true, |rows, _, key| match key {
            Some(key) => on_rows(key, rows),
            None => Err(E::from(crate::history::StoreError::Data(
                "a transaction's payment order was not kept".into(),
            ))),
        })?;
        Ok(covered.applied)
    }

    /// [`Reconciler::apply_covering`]; with `keyed`, each transaction's
    /// payment order is kept and handed with its rows.
    fn covering<E: From<crate::history::StoreError>>(
        &mut self,
        applied_before: &[TransactionRef],
        keyed: bool,
        mut on_rows: impl FnMut(Vec<DecidedLine>, bool, Option<&OrderKey>) -> Result<(), E>,
    ) -> Result<Covered, E> {
        self.replay = self
            .store
            .replay_out_of_order()
            .during("deciding again what facts that arrived out of order change")?;
        // Deciding again forgets the ICNs payments noted: so do the indexes.
        self.shared.clear();
        self.family_of.clear();
        let mut covered = Covered::default();
        self.store
            .prepare_decide()
            .during("making room for the pending transactions' decisions")?;
        let mut work: Vec<(OrderKey, TransactionRef, bool)> = self
            .store
            .pending()
            .during("listing pending transactions")?
            .into_iter()
            .map(|(key, id)| (key, id, false))
            .collect();
        let mut seen = HashSet::default();
        for &id in applied_before {
            // A transaction given twice (a re-delivery) shows once.
            if !seen.insert(id) {
                continue;
            }
            if let RemittanceState::Applied(key) = self
                .store
                .transaction_state(id)
                .during("finding an applied transaction")?
            {
                work.push((key, id, true));
            }
        }
        // Payment order, not file order: a decision reads the line's earlier
        // events (a re-listing needs the payment before it), and the store's
        // order key ends in the content hash, so the ledger is the same
        // whatever order the files came in.
        work.sort();
        // Only the order is needed now: a transaction's key (some 90 bytes)
        // is not held through deciding, unless asked for.
        let mut keys = Vec::new();
        let work: Vec<(TransactionRef, bool)> = work
            .into_iter()
            .map(|(key, id, before)| {
                if keyed {
                    keys.push(key);
                }
                (id, before)
            })
            .collect();
        let keys = keyed.then_some(keys.as_slice());
        if self.read_ahead {
            std::thread::scope(|scope| {
                let mut ahead = ReadAhead::start(scope);
                let ahead = Some(&mut ahead);
                self.cover(&work, keys, &seen, &mut covered, &mut on_rows, ahead)
            })?;
        } else {
            self.cover(&work, keys, &seen, &mut covered, &mut on_rows, None)?;
        }
        Ok(covered)
    }

    /// Applies (or reads back) each transaction of `work` in its order, as
    /// [`Reconciler::apply_covering`] says; with `ahead`, pending
    /// transactions are decoded on its thread before their turn.
    fn cover<E: From<crate::history::StoreError>>(
        &mut self,
        work: &[(TransactionRef, bool)],
        keys: Option<&[OrderKey]>,
        seen: &HashSet<TransactionRef>,
        covered: &mut Covered,
        on_rows: &mut impl FnMut(Vec<DecidedLine>, bool, Option<&OrderKey>) -> Result<(), E>,
        mut ahead: Option<&mut ReadAhead>,
    ) -> Result<(), E> {
        for (at, &(id, before)) in work.iter().enumerate() {
            let key = keys.and_then(|keys| keys.get(at));
            if let Some(ahead) = ahead.as_deref_mut() {
                ahead.feed(work, &*self.store);
            }
            if before {
                let rows = self
                    .store
                    .decided_rows(id)
                    .during("reading an applied transaction's rows")?;
                covered.read_back += 1;
                on_rows(rows, true, key)?;
                continue;
            }
            // One store transaction per 835 transaction: its rows, history
            // entries, claim marks and links land together or not at all, so
            // a run killed midway leaves whole remittances applied and the
            // rest pending for the next run. `false`: another run sharing the
            // store applied it meanwhile.
            // Taken before it may be skipped: the decoded queue is in
            // work order.
            let decoded = ahead
                .as_deref_mut()
                .and_then(|ahead| ahead.take(id, &*self.store));
            if !self
                .store
                .begin_decide(id)
                .during("starting a transaction's decisions")?
            {
                continue;
            }
            let tx = match decoded {
                Some((decoded, claims)) => self.store.load_decoded(id, decoded, claims),
                None => self.store.load_pending(id),
            }
            .during("loading a pending transaction")?;
            let replaced = self
                .store
                .replaced_versions(id)
                .during("listing the versions a transaction replaces")?;
            let rows = if replaced.is_empty() {
                self.apply(tx)?
            } else {
                self.apply_version(tx, replaced)?
            };
            // Compared before the decisions are committed: the rows stored
            // now are this transaction's.
            let redecided = self
                .store
                .replayed(id, &rows)
                .during("comparing a transaction decided again")?;
            self.store
                .commit_decide(id)
                .during("committing a transaction's decisions")?;
            let rows = match redecided {
                None => {
                    covered.applied += 1;
                    rows
                }
                Some(again) => {
                    self.replay.transactions += 1;
                    self.replay.changed_rows += again.changed;
                    if seen.contains(&id) {
                        // One of this run's inputs, applied by an earlier
                        // run and decided again now: the ledger covers it
                        // whole, as it covers every input.
                        rows
                    } else {
                        rows.into_iter()
                            .zip(again.shown)
                            .filter_map(|(row, shown)| shown.then_some(row))
                            .collect()
                    }
                }
            };
            // Rows go out only once their decisions are kept: no output ever
            // shows a row the history does not have. (If writing them fails
            // now, the store still has them: `remit history` lists them.)
            on_rows(rows, false, key)?;
        }
        Ok(())
    }

    /// Decides one transaction's events (call in [`RemittanceTransaction::order_key`] order).
    pub fn apply(&mut self, mut tx: RemittanceTransaction) -> StoreResult<Vec<DecidedLine>> {
        // Statuses are decided with the code list in use now: a pending
        // transaction stored by an older remit, or event records made by
        // `remit events` with another list, may carry other statuses.
        for event in &mut tx.events {
            event.rederive_status(&self.rules.codes);
        }
        let corrections = Corrections::of(&tx.events, self.contracts, &self.rules);
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
            interest: TransactionInterest::new(&provider),
            corrections,
        };
        // Claim payments first, in the order the payer listed them, then the
        // PLB amounts: a recovery takes money back from a claim's lines, and
        // a payer may pay and recover in one remittance, so the lines'
        // payments must already be in their histories.
        for (_, events) in groups {
            self.apply_claim(events, &mut tx_state, &mut rows)?;
        }
        for event in provider {
            rows.push(self.apply_provider(event)?);
        }
        Ok(rows)
    }

    /// Applies the newest version of a remittance (one payment, one trace:
    /// see `reconcile::versions`). The versions it replaces leave the line
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
            self.store
                .retire(v.id, &kept)
                .during("retiring a replaced remittance")?;
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
        let (mut matched, family_voids) = if self.claims_known {
            self.match_payment(&events, &context.payee_npi)?
        } else {
            let unmatched = ClaimMatch {
                lines: vec![None; events.len()],
                ..ClaimMatch::default()
            };
            (unmatched, false)
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
            store
                .ordinal_for_control(k, c)
                .during("finding a line by its control number")
        })?;
        // A reversal of a claim the practice itself voided (837 CLM05-3 =
        // 8) answers the void: the money goes back because the practice
        // asked, so there is nothing to appeal.
        let voided = family_voids && events.iter().any(|e| e.status == Status::Reversal);
        // The claim's rows are built in place at the end of `rows` (each
        // was moved three times more through a vector of its own: a row is
        // about a kilobyte).
        let start = rows.len();
        rows.reserve(events.len());
        // The claim's lines are priced together (a second procedure the
        // same day is reduced), with the billed claim's place of service.
        let billed = matched.claim.as_ref().map(|c| Billed {
            claim: &c.claim,
            lines: &matched.lines,
        });
        let mut prices = price_claim(self.contracts, &events, billed).into_iter();
        let lines = std::mem::take(&mut matched.lines);
        // One key an event (made from the events above).
        for (at, (event, key)) in events.into_iter().zip(keys).enumerate() {
            let line = lines.get(at).copied().flatten();
            self.store
                .read_history(&key, &mut self.history)
                .during("reading a line's history")?;
            let price = prices.next().flatten();
            let mut decision = decide(&event, &self.history, price.as_ref(), &self.rules);
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
            if let Some(front_end) = self.front_end {
                let billed = matched.claim.as_ref().map(|c| &*c.claim);
                front_end.judge_timely_filing(&mut row, billed);
            }
            if let Some(why) = &ambiguous {
                append_reason(&mut row.reason, why);
            }
            row.key = Some(key);
            rows.push(row);
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
            tx.interest.assess(rule, billed, &mut rows[start..]);
        }
        for row in &mut rows[start..] {
            if let Some(correction) = &self.correction {
                correction.mark(row);
            }
            let key = row.key.clone().expect("set above");
            let prior = prior_event(&row.event, &row.decision, &self.rules.codes);
            self.store
                .record(&key, &prior, Some(row))
                .during("recording a decision")?;
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
    ) -> StoreResult<(ClaimMatch, bool)> {
        let first = &events[0];
        self.note_icn(&first.claim_id, &first.payer_claim_id)
            .during("noting a claim's ICN")?;
        let (matched, family_voids) = self
            .match_with_id(events, payee_npi)
            .during("reading the billed claims a payment may answer")?;
        for mark in &matched.marks {
            match *mark {
                LineMark::Answered(claim, line) => self
                    .store
                    .mark_answered(claim, line)
                    .during("marking a billed line answered")?,
                LineMark::Contested(claim, line) => self
                    .store
                    .mark_contested(claim, line)
                    .during("marking a billed line contested")?,
            }
        }
        if let Some(best) = &matched.claim {
            self.store
                .note_claim_icn(best.id, &first.payer_claim_id)
                .during("noting a claim's ICN")?;
        }
        Ok((matched, family_voids))
    }

    /// Notes that CLP01 `clp01` was adjudicated under ICN `icn`, and
    /// follows the ICN in the indexed families `clp01` leads into: the
    /// replacements naming it join them now, as [`family`] would find them.
    fn note_icn(&mut self, clp01: &str, icn: &str) -> StoreResult<()> {
        self.store.note_icn(clp01, icn)?;
        if icn.is_empty() {
            return Ok(());
        }
        let Some(keys) = self.family_of.get(clp01).cloned() else {
            return Ok(());
        };
        for key in keys {
            let Some(shared) = self.shared.get_mut(&key) else {
                continue;
            };
            // The index is not shared between payments: no copy is made.
            let joined = Arc::make_mut(shared).learn_icn(&*self.store, icn)?;
            for id in joined {
                self.family_of.entry(id).or_default().push(key.clone());
            }
        }
        Ok(())
    }

    /// The billed claims with CLM01 `clm01`: read from the store, or, when
    /// many share it, from the index of its family made the first time (a
    /// store read and a clone of every one of them per payment made claims
    /// sharing an id quadratic).
    fn claims_with_id(&mut self, clm01: &str) -> StoreResult<WithId> {
        if let Some(shared) = self.shared.get(clm01) {
            return Ok(WithId::Shared(Arc::clone(shared)));
        }
        let recent = &self.recent;
        let claims = self
            .store
            .claims_with_id_reusing(clm01, &|id| recent.get(id))?;
        if claims.len() < SHARED_FROM {
            for claim in &claims {
                self.recent.put(claim);
            }
            return Ok(WithId::Few(claims));
        }
        let mut shared = SharedClaims::new(clm01, claims);
        let joined = shared.learn_icns_of(&*self.store)?;
        for id in joined.into_iter().chain([Text::from(clm01)]) {
            self.family_of.entry(id).or_default().push(clm01.into());
        }
        let shared = Arc::new(shared);
        self.shared.insert(clm01.into(), Arc::clone(&shared));
        Ok(WithId::Shared(shared))
    }

    /// Gathers what matching the payment `events` reads and matches it:
    /// when many claims share its CLP01, among those of its member or
    /// controls when that is certain to give the verdict of scoring them
    /// all ([`SharedClaims::narrow`]), else among its whole family, and of
    /// those only the ones whose fit starts best
    /// ([`SharedClaims::contenders`]). Also
    /// says whether the family holds a void (a reversal of a voided claim
    /// has nothing to appeal).
    fn match_with_id(
        &mut self,
        events: &[LineEvent],
        payee_npi: &str,
    ) -> StoreResult<(ClaimMatch, bool)> {
        let claim_id = &events[0].claim_id;
        let reversal = events.iter().any(|e| e.status == Status::Reversal);
        let with_id = self.claims_with_id(claim_id)?;
        let store = &*self.store;
        let shared_map = &self.shared;
        let lookup = |k: &str| shared_map.get(k).cloned();
        match with_id {
            WithId::Few(claims) => {
                let book =
                    ClaimBook::for_payment(store, &lookup, claim_id, claims, events, payee_npi)?;
                let voids = reversal
                    && family(&book, claim_id)
                        .iter()
                        .any(|c| c.claim.frequency == "8");
                Ok((match_claim(&book, events, payee_npi), voids))
            }
            WithId::Shared(shared) => {
                let candidates = shared.contenders(events, payee_npi);
                let book = ClaimBook::for_shared_payment(
                    store,
                    &lookup,
                    Arc::clone(&shared),
                    candidates,
                    events,
                    payee_npi,
                )?;
                let candidates = family(&book, claim_id);
                let matched = match_narrowed(&book, &shared, candidates, events, payee_npi);
                Ok((matched, reversal && shared.has_void()))
            }
        }
    }

    /// Lets a later PLB find this line by the claim's CLP01 and CLP07.
    fn link(&mut self, event: &LineEvent, key: &LineKey) -> StoreResult<()> {
        if event.kind != EventKind::Line && event.kind != EventKind::Claim {
            return Ok(());
        }
        for reference in [&event.claim_id, &event.payer_claim_id] {
            self.store
                .link_claim(&key.payer, &key.payee, reference, key)
                .during("linking a line to its claim")?;
        }
        Ok(())
    }

    /// Applies one PLB amount; a recovery takes money back from the lines
    /// of the claim it names.
    fn apply_provider(&mut self, event: LineEvent) -> StoreResult<DecidedLine> {
        let key = event_key(&event);
        self.store
            .read_history(&key, &mut self.history)
            .during("reading a line's history")?;
        let mut decision = decide(&event, &self.history, None, &self.rules);
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
        let named = self.named_claim(&key, &event.claim_id)?;
        let prior = prior_event(&event, &decision, &self.rules.codes);
        let mut row = row(&self.rules, event, decision, String::new());
        row.recovered_claim = recovered_claim;
        row.plb_claim = named.map(Box::new);
        if let Some(correction) = &self.correction {
            correction.mark(&mut row);
        }
        self.store
            .record(&key, &prior, Some(&row))
            .during("recording a decision")?;
        Ok(row)
    }

    /// The claim a PLB reference names, as far as remit knows it without
    /// ambiguity: the lines a claim payment applied before linked to it (by
    /// CLP01 or CLP07, for this payer and payee), else the billed claims
    /// with that CLM01 (for this payee). Any reason code: an L6 interest or
    /// a CS adjustment naming a claim is as worth tying to it as a WO.
    fn named_claim(&mut self, key: &LineKey, reference: &str) -> StoreResult<Option<NamedClaim>> {
        if reference.trim().is_empty() {
            return Ok(None);
        }
        let lines = self.store.claim_lines(&key.payer, &key.payee, reference)?;
        if !lines.is_empty() {
            return Ok(NamedClaim::shared(lines.iter().map(|l| {
                (
                    l.claim_id.as_str(),
                    l.member_id.as_str(),
                    l.procedure.as_str(),
                )
            })));
        }
        if !self.claims_known {
            return Ok(None);
        }
        let with_id = self.claims_with_id(reference)?;
        let claims = match &with_id {
            WithId::Few(claims) => claims.as_slice(),
            WithId::Shared(shared) => shared.claims(),
        };
        let payee_fits = |npi: &str| key.payee.is_empty() || npi.is_empty() || npi == key.payee;
        Ok(NamedClaim::shared(
            claims
                .iter()
                .map(|c| &c.claim)
                .filter(|c| payee_fits(&c.billing_provider.npi))
                .flat_map(|c| {
                    c.lines.iter().map(move |l| {
                        let procedure = if l.procedure.code.is_empty() {
                            &l.revenue_code
                        } else {
                            &l.procedure.code
                        };
                        (c.claim_id.as_str(), c.member_id(), procedure.as_str())
                    })
                }),
        ))
    }

    /// Takes a PLB recovery's money back from the lines of the claim it
    /// names (see [`recovery::recover`]); returns that claim's CLP01 when
    /// its lines held money, else nothing.
    fn recover(
        &mut self,
        event: &LineEvent,
        key: &LineKey,
        reason: &str,
        decision: &mut Decision,
    ) -> StoreResult<Text> {
        let lines = self
            .store
            .claim_lines(&key.payer, &key.payee, &event.claim_id)
            .during("finding the lines of a recovered claim")?;
        if lines.is_empty() {
            return Ok(Text::default());
        }
        // One buffer per line, kept from one recovery to the next.
        if self.histories.len() < lines.len() {
            self.histories
                .resize_with(lines.len(), LineHistory::default);
        }
        for (line, history) in lines.iter().zip(&mut self.histories) {
            self.store
                .read_history(line, history)
                .during("reading a line's history")?;
        }
        let histories = &self.histories[..lines.len()];
        let claim = lines[0].claim_id.clone();
        let taken = recovery::recover(event, reason, &claim, histories, decision, &self.rules);
        for (line, take) in lines.iter().zip(&taken.per_line) {
            self.store
                .record(line, &recovery::entry(event, -*take), None)
                .during("recording a recovery")?;
        }
        Ok(if taken.recouped {
            claim
        } else {
            Text::default()
        })
    }

    /// Indexes the family of `clm01` into `shared` when many claims share
    /// it and no payment did already: which claim each of its replacements
    /// replaces then reads the claims of one member, not all of them.
    /// Returns the claims with that CLM01 when they are too few to index
    /// (read here, they need not be read again: decoding them is most of
    /// what listing a claim's unanswered lines costs).
    fn index_family(
        &self,
        clm01: &str,
        shared: &mut HashMap<Text, Arc<SharedClaims>>,
    ) -> StoreResult<Option<Vec<StoredClaim>>> {
        if shared.contains_key(clm01) {
            return Ok(None);
        }
        let claims = self.store.claims_with_id(clm01)?;
        if claims.len() < SHARED_FROM {
            return Ok(Some(claims));
        }
        let mut family = SharedClaims::new(clm01, claims);
        family.learn_icns_of(&*self.store)?;
        shared.insert(clm01.into(), Arc::new(family));
        Ok(None)
    }

    /// One NO_REMITTANCE row per billed line that no remittance answered,
    /// except the lines of voids and of claims a replacement or void
    /// supersedes (withdrawn). A line a payment may answer (an ambiguous
    /// match), or of a claim a replacement may supersede, is listed with
    /// `AMBIGUOUS_CLAIM_MATCH` and says why.
    pub fn unanswered(&self) -> StoreResult<Vec<DecidedLine>> {
        let mut rows = Vec::new();
        let open = self
            .store
            .unanswered()
            .during("listing unanswered billed lines")?;
        let contested: HashSet<u64> = open
            .iter()
            .filter(|(_, lines)| lines.iter().any(|l| l.contested))
            .map(|(c, _)| c.id)
            .collect();
        let mut families: HashMap<Text, OpenFamily> = HashMap::default();
        // The indexed families decided payments made, and those of CLM01s
        // no payment named that many claims share.
        let mut shared = self.shared.clone();
        for (stored, lines) in open {
            let claim = &stored.claim;
            let later = claim.created.is_some_and(|d| d > self.rules.as_of);
            if claim.frequency == "8" || later {
                continue;
            }
            // Open claims sharing CLM01 share their family: load it once.
            if !families.contains_key(&claim.claim_id) {
                let with_id = self
                    .index_family(&claim.claim_id, &mut shared)
                    .during("reading a billed claim's family")?;
                // Indexed: its claims with this CLM01 are decoded already
                // (the family's other claims have other CLM01s); reading
                // them from the store decoded every one of them again.
                let with_id = with_id.or_else(|| {
                    shared.get(&claim.claim_id).map(|family| {
                        family
                            .claims()
                            .iter()
                            .filter(|c| c.claim.claim_id == claim.claim_id)
                            .cloned()
                            .collect()
                    })
                });
                let lookup = |k: &str| shared.get(k).cloned();
                let book = ClaimBook::for_claim(&*self.store, &lookup, &claim.claim_id, with_id)
                    .during("reading a billed claim's family")?;
                let found = family(&book, &claim.claim_id);
                families.insert(claim.claim_id.clone(), OpenFamily::new(&book, found));
            }
            let open_family = &families[&claim.claim_id];
            let family = &open_family.claims;
            // Only replacements and voids can supersede: `supersession`
            // skips the rest, so they are picked once per family rather
            // than once per open claim (many claims may share CLM01).
            let replaced = match open_family.supersessions.of(&stored) {
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
            let reference = open_family.names.reference(&stored);
            // The claims a payment fitted as well as this one: those with
            // contested lines of their own, else every other of the family
            // (gathered only for a contested line's reason).
            let rivals = || {
                let others = || family.iter().filter(|c| c.id != stored.id);
                let fought: Vec<StoredClaim> = others()
                    .filter(|c| contested.contains(&c.id))
                    .cloned()
                    .collect();
                if fought.is_empty() {
                    others().cloned().collect()
                } else {
                    fought
                }
            };
            let context = Arc::new(billed_context(&stored.source, claim));
            let annotation = self
                .front_end
                .map(|front_end| front_end.annotation(claim, &context.source));
            for open in lines {
                let mut row = no_remittance(
                    &self.rules,
                    &context,
                    claim,
                    &claim.lines[open.line],
                    &reference,
                );
                if open.contested {
                    row.decision.flags.insert(Flag::AmbiguousClaimMatch);
                    append_reason(
                        &mut row.reason,
                        &format!(
                            "Ambiguous claim match: a payment of CLP01 {} fits this claim ({}) and {} equally well; \
                             it may answer this line — check which claim the payer answered",
                            claim.claim_id,
                            claim_label(&stored),
                            labels(&rivals())
                        ),
                    );
                }
                if let Some(why) = &replaced {
                    row.decision.flags.insert(Flag::AmbiguousClaimMatch);
                    append_reason(&mut row.reason, why);
                }
                if let Some(annotation) = &annotation {
                    annotation.apply(&mut row);
                }
                rows.push(row);
            }
        }
        // Sorted by place, rows moved once: a row is large, and a sort
        // moves its elements ~log n times each.
        let mut order: Vec<usize> = (0..rows.len()).collect();
        // Stable, as sorting the rows was: equal keys keep listing order.
        order.sort_by(|&a, &b| place(&rows[a]).cmp(&place(&rows[b])));
        let mut slots: Vec<Option<DecidedLine>> = rows.into_iter().map(Some).collect();
        Ok(order.into_iter().filter_map(|i| slots[i].take()).collect())
    }
}

/// Where a NO_REMITTANCE row goes among the others: by date of service,
/// CLM01, then the billed line.
pub(super) fn place(row: &DecidedLine) -> (Option<jiff::civil::Date>, &Text, &String) {
    (
        row.event.service_date,
        &row.event.claim_id,
        &row.matched_claim_line,
    )
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

/// What [`Reconciler::apply_covering`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Covered {
    /// Transactions applied now.
    pub applied: usize,
    /// Transactions an earlier run applied, whose rows were read back.
    pub read_back: usize,
}

/// The family of an open claim's CLM01, as `unanswered` reads it for every
/// open claim of that CLM01.
struct OpenFamily {
    /// The family, in canonical order.
    claims: Vec<StoredClaim>,
    /// What its replacements and voids supersede.
    supersessions: Supersessions,
    /// How the ledger names each of its claims.
    names: ClaimNames,
}

impl OpenFamily {
    fn new(book: &ClaimBook, claims: Vec<StoredClaim>) -> OpenFamily {
        let supersessions = Supersessions::new(book, &claims);
        let mut names = ClaimNames::default();
        for c in &claims {
            names.add(c);
        }
        OpenFamily {
            claims,
            supersessions,
            names,
        }
    }
}

/// What one transaction's claims share while they are applied: interest
/// paid by PLB L6 and what reversals took back (for prompt-pay interest),
/// and what corrections pay back of what reversals take.
struct TransactionState {
    interest: TransactionInterest,
    corrections: Corrections,
}

/// The decided line of `event`: the decision's notes, then its adjustments
/// and remarks in words, make its reason.
fn row(rules: &Rules, event: LineEvent, d: Decision, matched_claim_line: String) -> DecidedLine {
    let words = reason(&rules.codes, &event);
    // Set in place: a struct update moved the whole row once more.
    let mut row = DecidedLine::new(event, d, words);
    row.matched_claim_line = matched_claim_line;
    row
}
