//! The in-memory history store: hash maps for one run, used without `--db`
//! and by tests and benchmarks. Nothing here can fail.

use std::collections::BTreeSet;

use super::{
    ClaimRef, HistoryStore, Ingested, LineHistory, PriorEvent, StoreResult, StoredClaim,
    StoredVersion, TransactionRef,
};
use crate::claim::BilledClaim;
use crate::ledger::LedgerRow;
use crate::reconcile::RemittanceTransaction;
use crate::reconcile::engine::OrderKey;
use crate::reconcile::key::{LineKey, payer_key};
use crate::remittance::Text;

/// Hash maps keyed by line keys and claim ids, hashed with foldhash: the
/// standard SipHash cost ~1,300 instructions per `LineKey`, a fifth of
/// the engine's time. foldhash is seeded per process, so crafted ids
/// cannot pick the buckets in advance.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
type HashSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;

/// Line histories, transactions and claims held in memory for one run.
#[derive(Debug, Default)]
pub struct MemoryStore {
    lines: HashMap<LineKey, LineHistory>,
    controls: HashMap<(LineKey, Text), u32>,
    links: HashMap<(Text, Text, Text), Vec<LineKey>>,
    content: HashSet<u64>,
    semantic: HashSet<String>,
    pending: Vec<Option<RemittanceTransaction>>,
    /// Transactions by payer key and trace, to find versions of a payment.
    traces: HashMap<(Text, Text), Vec<TransactionRef>>,
    /// Pending transactions a later version replaced before they were
    /// applied, with that version; removed once it retires them.
    replaced: HashMap<TransactionRef, (RemittanceTransaction, TransactionRef)>,
    claims: Vec<StoredClaim>,
    known_claims: HashSet<(Text, Text, u64)>,
    by_id: HashMap<Text, Vec<usize>>,
    by_replaced_icn: HashMap<Text, Vec<usize>>,
    icns: HashMap<Text, BTreeSet<Text>>,
    answered: Vec<Vec<bool>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of lines with a history.
    pub fn lines(&self) -> usize {
        self.lines.len()
    }

    fn stored(&self, at: &[usize]) -> Vec<StoredClaim> {
        at.iter().map(|&i| self.claims[i].clone()).collect()
    }
}

/// A transaction not applied, as a version of its payment.
fn version(id: TransactionRef, tx: &RemittanceTransaction, superseded: bool) -> StoredVersion {
    StoredVersion {
        id,
        context: std::sync::Arc::clone(&tx.context),
        order: tx.order_key(),
        superseded,
        applied: false,
        rows: tx
            .events
            .iter()
            .cloned()
            .map(LedgerRow::from_event)
            .collect(),
    }
}

impl HistoryStore for MemoryStore {
    fn begin_file(&mut self) -> StoreResult<()> {
        Ok(())
    }

    fn commit_file(&mut self) -> StoreResult<()> {
        Ok(())
    }

    fn rollback_file(&mut self) -> StoreResult<()> {
        Ok(())
    }

    fn ingest_transaction(&mut self, tx: &RemittanceTransaction) -> StoreResult<Ingested> {
        let fp = &tx.fingerprint;
        if self.content.contains(&fp.content_hash) || self.semantic.contains(&fp.semantic) {
            return Ok(Ingested::Known);
        }
        self.content.insert(fp.content_hash);
        self.semantic.insert(fp.semantic.clone());
        self.pending.push(Some(tx.clone()));
        let id = self.pending.len() as TransactionRef - 1;
        if !tx.context.trace.is_empty() {
            let c = &tx.context;
            self.traces
                .entry((payer_key(&c.payer_id, &c.payer), c.trace.clone()))
                .or_default()
                .push(id);
        }
        Ok(Ingested::New(id))
    }

    fn trace_versions(&self, payer: &str, trace: &str) -> StoreResult<Vec<StoredVersion>> {
        let Some(ids) = self.traces.get(&(Text::from(payer), Text::from(trace))) else {
            return Ok(Vec::new());
        };
        Ok(ids
            .iter()
            .filter_map(|&id| {
                let pending = self.pending.get(id as usize).and_then(Option::as_ref);
                let replaced = self.replaced.get(&id).map(|(tx, _)| tx);
                pending
                    .map(|tx| version(id, tx, false))
                    .or_else(|| replaced.map(|tx| version(id, tx, true)))
            })
            .collect())
    }

    fn supersede(&mut self, earlier: TransactionRef, by: TransactionRef) -> StoreResult<()> {
        let slot = self
            .pending
            .get_mut(earlier as usize)
            .and_then(Option::take);
        match slot {
            Some(tx) => {
                self.replaced.insert(earlier, (tx, by));
                Ok(())
            }
            // Never offered by `trace_versions` (see there), so never asked.
            None => Err(super::StoreError::Data(format!(
                "transaction {earlier} is not pending: the memory store cannot replace it"
            ))),
        }
    }

    fn replaced_versions(&self, id: TransactionRef) -> StoreResult<Vec<StoredVersion>> {
        let mut found = Vec::new();
        let mut frontier = vec![id];
        while let Some(by) = frontier.pop() {
            for (&earlier, (tx, _)) in self.replaced.iter().filter(|(_, (_, b))| *b == by) {
                found.push(version(earlier, tx, true));
                frontier.push(earlier);
            }
        }
        found.sort_by_key(|v| v.id);
        Ok(found)
    }

    /// Replaced transactions were never applied here, so nothing leaves the
    /// line histories; the memory store keeps no rows.
    fn retire(&mut self, id: TransactionRef, _rows: &[LedgerRow]) -> StoreResult<()> {
        self.replaced.remove(&id);
        Ok(())
    }

    fn ingest_claim(&mut self, source: &str, claim: &BilledClaim) -> StoreResult<bool> {
        let identity = (
            claim.claim_id.clone(),
            claim.frequency.clone(),
            claim.transaction_hash,
        );
        if !self.known_claims.insert(identity) {
            return Ok(false);
        }
        let at = self.claims.len();
        self.by_id
            .entry(claim.claim_id.clone())
            .or_default()
            .push(at);
        if let Some(icn) = claim.payer_claim_number.as_ref().filter(|i| !i.is_empty()) {
            self.by_replaced_icn
                .entry(icn.clone())
                .or_default()
                .push(at);
        }
        self.answered.push(vec![false; claim.lines.len()]);
        self.claims.push(StoredClaim {
            id: at as ClaimRef,
            source: source.to_string(),
            claim: claim.clone(),
        });
        Ok(true)
    }

    fn pending(&self) -> StoreResult<Vec<(OrderKey, TransactionRef)>> {
        let mut pending: Vec<(OrderKey, TransactionRef)> = self
            .pending
            .iter()
            .enumerate()
            .filter_map(|(i, tx)| tx.as_ref().map(|tx| (tx.order_key(), i as TransactionRef)))
            .collect();
        pending.sort();
        Ok(pending)
    }

    /// Hands the transaction over (it is decided once; the slot stays
    /// empty, as [`HistoryStore::commit_decide`] would leave it).
    fn load_pending(&mut self, id: TransactionRef) -> StoreResult<RemittanceTransaction> {
        self.pending
            .get_mut(id as usize)
            .and_then(Option::take)
            .ok_or_else(|| super::StoreError::Data(format!("no pending transaction {id}")))
    }

    fn begin_decide(&mut self, id: TransactionRef) -> StoreResult<bool> {
        Ok(self.pending.get(id as usize).is_some_and(Option::is_some))
    }

    fn commit_decide(&mut self, id: TransactionRef) -> StoreResult<()> {
        if let Some(slot) = self.pending.get_mut(id as usize) {
            *slot = None;
        }
        Ok(())
    }

    fn history(&self, key: &LineKey) -> StoreResult<LineHistory> {
        Ok(self.lines.get(key).cloned().unwrap_or_default())
    }

    fn record(
        &mut self,
        key: &LineKey,
        event: &PriorEvent,
        _row: Option<&LedgerRow>,
    ) -> StoreResult<()> {
        if !event.line_control.is_empty() {
            let base = LineKey {
                ordinal: 0,
                ..key.clone()
            };
            self.controls
                .insert((base, event.line_control.clone()), key.ordinal);
        }
        match self.lines.get_mut(key) {
            Some(history) => history.events.push(event.clone()),
            None => {
                self.lines.insert(
                    key.clone(),
                    LineHistory {
                        events: vec![event.clone()],
                    },
                );
            }
        }
        Ok(())
    }

    fn ordinal_for_control(&self, key: &LineKey, control: &str) -> StoreResult<Option<u32>> {
        let base = LineKey {
            ordinal: 0,
            ..key.clone()
        };
        Ok(self.controls.get(&(base, Text::from(control))).copied())
    }

    fn claim_lines(&self, payer: &str, payee: &str, claim_ref: &str) -> StoreResult<Vec<LineKey>> {
        let key = (Text::from(payer), Text::from(payee), Text::from(claim_ref));
        Ok(self.links.get(&key).cloned().unwrap_or_default())
    }

    fn link_claim(
        &mut self,
        payer: &str,
        payee: &str,
        claim_ref: &str,
        key: &LineKey,
    ) -> StoreResult<()> {
        if claim_ref.is_empty() {
            return Ok(());
        }
        let lines = self
            .links
            .entry((payer.into(), payee.into(), claim_ref.into()))
            .or_default();
        if !lines.contains(key) {
            lines.push(key.clone());
        }
        Ok(())
    }

    fn has_claims(&self) -> StoreResult<bool> {
        Ok(!self.claims.is_empty())
    }

    fn claims_with_id(&self, clm01: &str) -> StoreResult<Vec<StoredClaim>> {
        Ok(self
            .by_id
            .get(clm01)
            .map(|at| self.stored(at))
            .unwrap_or_default())
    }

    fn claims_replacing(&self, icn: &str) -> StoreResult<Vec<StoredClaim>> {
        Ok(self
            .by_replaced_icn
            .get(icn)
            .map(|at| self.stored(at))
            .unwrap_or_default())
    }

    fn note_icn(&mut self, clp01: &str, icn: &str) -> StoreResult<()> {
        if !icn.is_empty() {
            self.icns
                .entry(clp01.into())
                .or_default()
                .insert(icn.into());
        }
        Ok(())
    }

    fn icns_of(&self, clp01: &str) -> StoreResult<Vec<Text>> {
        Ok(self
            .icns
            .get(clp01)
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default())
    }

    fn mark_answered(&mut self, claim: ClaimRef, line: usize) -> StoreResult<()> {
        if let Some(slot) = self
            .answered
            .get_mut(claim as usize)
            .and_then(|a| a.get_mut(line))
        {
            *slot = true;
        }
        Ok(())
    }

    fn unanswered(&self) -> StoreResult<Vec<(StoredClaim, Vec<usize>)>> {
        Ok(self
            .answered
            .iter()
            .enumerate()
            .filter_map(|(at, lines)| {
                let open: Vec<usize> = lines
                    .iter()
                    .enumerate()
                    .filter(|(_, a)| !**a)
                    .map(|(l, _)| l)
                    .collect();
                (!open.is_empty()).then(|| (self.claims[at].clone(), open))
            })
            .collect())
    }
}
