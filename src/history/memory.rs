//! The in-memory history store: hash maps for one run, used without `--db`
//! and by tests and benchmarks. It fails only when a transaction or claim
//! held by where it is cannot be read again (its input changed: see
//! `pipeline::reread`), or packed bytes do not read back.
//!
//! What it holds (issue 17; the line state's arithmetic is in
//! `history::lines`), hash tables counted at their usual load:
//! - per billed claim of an input read again: [`HeldClaim`] 48 bytes, its
//!   place (`pipeline::reread::ClaimSpot`: a 48-byte block and its spans,
//!   16 bytes each for its HL loops and CLM loop, ~64), its source (4),
//!   where its lines' marks start (8) and one byte a line, its identity in
//!   `known_claims` (~27) and its CLM01's entry in `by_id` (~18, the text
//!   interned in the line book, shared with the line keys): ~220 bytes a
//!   claim, ~120 a line at the 1.8 lines a generated claim has (a claim
//!   held packed — an input read once — adds its MessagePack, about the
//!   size of its X12);
//! - per claim payment with an ICN (CLP07): its entries in `icns`,
//!   `clp01s_by_icn` and `claims_by_icn` (~18 each: `history::few`) and
//!   the ICN's text interned (~10 plus its bytes: `history::interner`):
//!   ~75 bytes;
//! - per 835 transaction until it is applied: its context and fingerprint
//!   (~1 KB whatever its size: its events are read again when it is
//!   applied), then its payment order (~100 bytes).

use indexmap::IndexSet;

use super::few::FewIndex;
use super::lines::LineBook;
use super::{
    ClaimStore, HistoryStore, Ingested, OpenLine, RemittanceState, StoreResult, StoredVersion,
    TransactionRef, VersionStore,
};
use crate::claim::{BilledClaim, HeldClaim, PackedClaim};
use crate::line::{
    DecidedLine, LineHistory, LineKey, OrderKey, PackedTransaction, PriorEvent,
    RemittanceTransaction, payer_key,
};
use crate::reconcile::claims::{ClaimRef, StoredClaim};
use crate::text::Text;

/// Hash maps keyed by line keys and claim ids, hashed with foldhash: the
/// standard SipHash cost ~1,300 instructions per `LineKey`, a fifth of
/// the engine's time. foldhash is seeded per process, so crafted ids
/// cannot pick the buckets in advance.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
type HashSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;

/// Line histories, transactions and claims held in memory for one run.
#[derive(Debug, Default)]
pub struct MemoryStore {
    /// Line histories, line controls and claim links, compact (see
    /// `history::lines` for the bytes a line costs).
    lines: LineBook,
    /// Stored transactions by content hash and by semantic fingerprint.
    content: HashMap<u64, TransactionRef>,
    semantic: HashMap<String, TransactionRef>,
    /// Transactions not applied yet, packed (a run holds them all from
    /// reading to deciding: see [`PackedTransaction`]).
    pending: Vec<Option<PackedTransaction>>,
    /// The transaction being applied: its payment order and, when they are
    /// kept, its rows.
    deciding: Option<(TransactionRef, OrderKey, Vec<DecidedLine>)>,
    /// Applied transactions' payment order.
    applied: HashMap<TransactionRef, OrderKey>,
    /// Their rows, when [`MemoryStore::keeping_rows`] asked for them.
    rows: HashMap<TransactionRef, Vec<DecidedLine>>,
    /// Whether rows are kept (see [`MemoryStore::keeping_rows`]).
    keep_rows: bool,
    /// Transactions by payer key and trace, to find versions of a payment.
    traces: HashMap<(Text, Text), Vec<TransactionRef>>,
    /// Pending transactions a later version replaced before they were
    /// applied, with that version; removed once it retires them.
    replaced: HashMap<TransactionRef, (PackedTransaction, TransactionRef)>,
    /// Billed claims, where each is in an input read again or packed (see
    /// [`HeldClaim`]: 48 bytes a claim, plus its bytes when packed), and
    /// where each was read (an index into `sources`).
    claims: Vec<HeldClaim>,
    claim_sources: Vec<u32>,
    sources: IndexSet<String>,
    /// [`crate::claim::ClaimFingerprint::identity`] of every claim.
    known_claims: HashSet<u128>,
    // The claim indexes are keyed by text ids interned in `lines` (each
    // CLM01, CLP01 and ICN held once, shared with the line keys): a slot
    // is 12 bytes (see `history::few`) where a `Text` key and a vector of
    // `Text` values took 56 (issue 17).
    by_id: FewIndex,
    by_replaced_icn: FewIndex,
    /// Per CLP01 its ICNs, sorted by their text, each once (a sorted list,
    /// not a set: almost always one element).
    icns: FewIndex,
    // Lists, not sets: almost always one element, and a B-tree node
    // would cost some 300 bytes per claim.
    clp01s_by_icn: FewIndex,
    claims_by_icn: FewIndex,
    /// What the remittances said of every billed line, claim after claim;
    /// a claim's lines start at its entry of `billed_from` (one vector,
    /// not one per claim: a vector's 24 bytes and heap block cost more
    /// than the claim's few states).
    billed_lines: Vec<LineState>,
    billed_from: Vec<usize>,
    /// Acknowledgments and batch numbers (see `history::acks`).
    acks: super::acks::AckBook,
    /// The claims read last, by index modulo [`RECENT_CLAIMS`]: matching
    /// one payment reads its claim more than once, and a claim held by
    /// where it is costs a read and a parse each time (a clone is a tenth
    /// of that).
    recent: std::sync::Mutex<Vec<Option<(usize, BilledClaim)>>>,
    /// The claims decoded on another thread for the transaction being
    /// decided (`pipeline::read_ahead`), by index; replaced at the next.
    decoded: HashMap<usize, BilledClaim>,
}

/// Claims of one CLM01 that [`HistoryStore::claims_to_decode`] hands out,
/// at most: a CLM01 that more claims share (ids like "1" colliding across
/// practices) is rare, and its claims are decoded where they are read, as
/// without read-ahead.
const DECODE_PER_ID: usize = 4;

impl MemoryStore {
    /// Hands a pending transaction over (it is decided once; the slot
    /// stays empty, as [`HistoryStore::commit_decide`] would leave it) and
    /// notes it as the one being decided.
    fn take_pending(&mut self, id: TransactionRef) -> StoreResult<PackedTransaction> {
        let tx = self
            .pending
            .get_mut(id as usize)
            .and_then(Option::take)
            .ok_or_else(|| super::StoreError::Data(format!("no pending transaction {id}")))?;
        self.deciding = Some((id, tx.order_key(), Vec::new()));
        // The claims decoded ahead were the last transaction's.
        self.decoded.clear();
        Ok(tx)
    }
}

/// Slots of [`MemoryStore::recent`].
const RECENT_CLAIMS: usize = 64;

/// What the remittances said of one billed line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LineState {
    Open,
    Contested,
    Answered,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty store that also keeps every decided row, so that
    /// [`HistoryStore::decided_rows`] can read them back. Not the default:
    /// one run never needs them (each input is ingested before anything is
    /// decided), and a million-line run would hold its whole ledger.
    pub fn keeping_rows() -> Self {
        MemoryStore {
            keep_rows: true,
            ..Self::default()
        }
    }

    /// Number of lines with a history.
    pub fn lines(&self) -> usize {
        self.lines.len()
    }

    /// Makes room for `lines` more service lines and `links` more claim
    /// references (two a claim payment), counted by a first pass, so that
    /// the line state is sized once instead of doubling as it fills (see
    /// `history::lines`).
    pub fn reserve_lines(&mut self, lines: usize, links: usize) {
        self.lines.reserve(lines, links);
    }

    fn stored(&self, at: &[u32]) -> StoreResult<Vec<StoredClaim>> {
        at.iter().map(|&i| self.stored_claim(i as usize)).collect()
    }

    /// The entry of `text` in `index` (keyed by interned text ids).
    fn indexed<'a>(&self, index: &'a FewIndex, text: &str) -> &'a [u32] {
        self.lines.find_text(text).map_or(&[], |id| index.get(id))
    }

    /// The texts of interned ids.
    fn texts(&self, ids: &[u32]) -> Vec<Text> {
        ids.iter()
            .map(|&id| Text::from(self.lines.text_str(id)))
            .collect()
    }

    /// The claim stored at `at`, unpacked.
    fn stored_claim(&self, at: usize) -> StoreResult<StoredClaim> {
        let claim = self.claim_at(at)?;
        let source = self
            .sources
            .get_index(self.claim_sources[at] as usize)
            .cloned()
            .unwrap_or_default();
        Ok(StoredClaim {
            id: at as ClaimRef,
            source,
            claim,
        })
    }

    /// The claim at `at`: from [`MemoryStore::recent`], or read and kept
    /// there.
    fn claim_at(&self, at: usize) -> StoreResult<BilledClaim> {
        if let Some(claim) = self.decoded.get(&at) {
            return Ok(claim.clone());
        }
        let held = &self.claims[at];
        if !held.is_located() {
            return held.unpack().map_err(super::StoreError::Data);
        }
        let slot = at % RECENT_CLAIMS;
        let mut recent = self
            .recent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(Some((i, claim))) = recent.get(slot)
            && *i == at
        {
            return Ok(claim.clone());
        }
        let claim = held.unpack().map_err(super::StoreError::Input)?;
        if recent.len() < RECENT_CLAIMS {
            recent.resize(RECENT_CLAIMS, None);
        }
        recent[slot] = Some((at, claim.clone()));
        Ok(claim)
    }

    /// The states of a billed claim's lines.
    fn billed(&self, claim: usize) -> &[LineState] {
        let from = self.billed_from[claim];
        let to = self
            .billed_from
            .get(claim + 1)
            .copied()
            .unwrap_or(self.billed_lines.len());
        &self.billed_lines[from..to]
    }

    fn line_mut(&mut self, claim: ClaimRef, line: usize) -> Option<&mut LineState> {
        let claim = usize::try_from(claim).ok()?;
        let from = *self.billed_from.get(claim)?;
        let to = self
            .billed_from
            .get(claim + 1)
            .copied()
            .unwrap_or(self.billed_lines.len());
        (line < to - from).then(|| &mut self.billed_lines[from + line])
    }
}

/// The error of a claim or transaction that did not read back: its input
/// changed (when `located`, see `pipeline::reread`), or the store's own
/// packed bytes are unreadable.
fn unreadable(located: bool, error: String) -> super::StoreError {
    if located {
        super::StoreError::Input(error)
    } else {
        super::StoreError::Data(error)
    }
}

/// A transaction not applied, as a version of its payment.
fn version(
    id: TransactionRef,
    tx: &PackedTransaction,
    superseded: bool,
) -> StoreResult<StoredVersion> {
    let tx = tx.unpack().map_err(|e| unreadable(tx.is_located(), e))?;
    Ok(StoredVersion {
        id,
        order: tx.order_key(),
        context: tx.context,
        superseded,
        applied: false,
        rows: tx.events.into_iter().map(DecidedLine::from_event).collect(),
    })
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

    fn ingest_transaction(&mut self, tx: RemittanceTransaction) -> StoreResult<Ingested> {
        self.ingest_packed(PackedTransaction::pack(tx))
    }

    fn ingest_packed(&mut self, tx: PackedTransaction) -> StoreResult<Ingested> {
        let fp = &tx.fingerprint;
        let known = self.content.get(&fp.content_hash);
        if let Some(&id) = known.or_else(|| self.semantic.get(&fp.semantic)) {
            return Ok(Ingested::Known(id));
        }
        let id = self.pending.len() as TransactionRef;
        self.content.insert(fp.content_hash, id);
        self.semantic.insert(fp.semantic.clone(), id);
        if !tx.context.trace.is_empty() {
            let c = &tx.context;
            self.traces
                .entry((payer_key(&c.payer_id, &c.payer), c.trace.clone()))
                .or_default()
                .push(id);
        }
        self.pending.push(Some(tx));
        Ok(Ingested::New(id))
    }

    fn reads_pending_again(&self) -> bool {
        true
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
        let tx = self.take_pending(id)?;
        let located = tx.is_located();
        tx.into_transaction().map_err(|e| unreadable(located, e))
    }

    /// A copy of a transaction held packed or by where it is (a few
    /// hundred bytes of MessagePack, or a shared place), not of one held
    /// parsed (nothing to decode).
    fn pending_to_decode(&self, id: TransactionRef) -> Option<PackedTransaction> {
        self.pending
            .get(id as usize)?
            .as_ref()
            .filter(|tx| tx.is_packed() || tx.is_located())
            .cloned()
    }

    fn load_decoded(
        &mut self,
        id: TransactionRef,
        decoded: Result<RemittanceTransaction, String>,
        claims: super::DecodedClaims,
    ) -> StoreResult<RemittanceTransaction> {
        let located = self.take_pending(id)?.is_located();
        self.decoded.extend(claims);
        decoded.map_err(|e| unreadable(located, e))
    }

    fn claims_to_decode(&self, clm01s: &[&str]) -> super::ClaimCopies {
        let mut copies = Vec::new();
        for clm01 in clm01s {
            let at = self.indexed(&self.by_id, clm01);
            if at.len() <= DECODE_PER_ID {
                copies.extend(
                    at.iter()
                        .map(|&i| (i as usize, self.claims[i as usize].clone())),
                );
            }
        }
        copies
    }

    fn begin_decide(&mut self, id: TransactionRef) -> StoreResult<bool> {
        Ok(self.pending.get(id as usize).is_some_and(Option::is_some))
    }

    fn commit_decide(&mut self, id: TransactionRef) -> StoreResult<()> {
        if let Some(slot) = self.pending.get_mut(id as usize) {
            *slot = None;
        }
        if let Some((deciding, order, rows)) = self.deciding.take()
            && deciding == id
        {
            self.applied.insert(id, order);
            if self.keep_rows {
                self.rows.insert(id, rows);
            }
        }
        Ok(())
    }

    fn transaction_state(&self, id: TransactionRef) -> StoreResult<RemittanceState> {
        Ok(if let Some(order) = self.applied.get(&id) {
            RemittanceState::Applied(order.clone())
        } else if self.pending.get(id as usize).is_some_and(Option::is_some) {
            RemittanceState::Pending
        } else {
            RemittanceState::Replaced
        })
    }

    fn decided_rows(&self, id: TransactionRef) -> StoreResult<Vec<DecidedLine>> {
        if !self.applied.contains_key(&id) {
            return Ok(Vec::new());
        }
        match self.rows.get(&id) {
            Some(rows) => Ok(rows.clone()),
            None => Err(super::StoreError::Data(format!(
                "transaction {id} was applied, but this memory store keeps no rows (MemoryStore::keeping_rows)"
            ))),
        }
    }

    fn read_history(&self, key: &LineKey, history: &mut LineHistory) -> StoreResult<()> {
        self.lines.read(key, history);
        Ok(())
    }

    fn record(
        &mut self,
        key: &LineKey,
        event: &PriorEvent,
        row: Option<&DecidedLine>,
    ) -> StoreResult<()> {
        if self.keep_rows
            && let (Some(row), Some((_, _, rows))) = (row, &mut self.deciding)
        {
            rows.push(row.clone());
        }
        self.lines.record(key, event)
    }

    fn ordinal_for_control(&self, key: &LineKey, control: &str) -> StoreResult<Option<u32>> {
        Ok(self.lines.ordinal_for_control(key, control))
    }

    fn claim_lines(&self, payer: &str, payee: &str, claim_ref: &str) -> StoreResult<Vec<LineKey>> {
        Ok(self.lines.claim_lines(payer, payee, claim_ref))
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
        self.lines.link(payer, payee, claim_ref, key)
    }
}

impl VersionStore for MemoryStore {
    fn trace_versions(&self, payer: &str, trace: &str) -> StoreResult<Vec<StoredVersion>> {
        let Some(ids) = self.traces.get(&(Text::from(payer), Text::from(trace))) else {
            return Ok(Vec::new());
        };
        ids.iter()
            .filter_map(|&id| {
                let pending = self.pending.get(id as usize).and_then(Option::as_ref);
                let replaced = self.replaced.get(&id).map(|(tx, _)| tx);
                pending
                    .map(|tx| version(id, tx, false))
                    .or_else(|| replaced.map(|tx| version(id, tx, true)))
            })
            .collect()
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
                found.push(version(earlier, tx, true)?);
                frontier.push(earlier);
            }
        }
        found.sort_by_key(|v| v.id);
        Ok(found)
    }

    /// Replaced transactions were never applied here, so nothing leaves the
    /// line histories; the memory store keeps no rows.
    fn retire(&mut self, id: TransactionRef, _rows: &[DecidedLine]) -> StoreResult<()> {
        self.replaced.remove(&id);
        Ok(())
    }
}

impl ClaimStore for MemoryStore {
    fn ingest_claim(&mut self, source: &str, claim: &BilledClaim) -> StoreResult<bool> {
        self.ingest_packed_claim(source, PackedClaim::pack(claim))
    }

    fn ingest_packed_claim(&mut self, source: &str, claim: PackedClaim) -> StoreResult<bool> {
        if !self.known_claims.insert(claim.identity) {
            return Ok(false);
        }
        let at = u32::try_from(self.claims.len()).map_err(|_| {
            super::StoreError::Data("more than 4 billion claims in one memory store".into())
        })?;
        let id = self.lines.text_id(&claim.claim_id)?;
        self.by_id.push_new(id, at);
        if let Some(icn) = &claim.replaced_icn {
            let icn = self.lines.text_id(icn)?;
            self.by_replaced_icn.push_new(icn, at);
        }
        self.billed_from.push(self.billed_lines.len());
        self.billed_lines.resize(
            self.billed_lines.len() + claim.lines as usize,
            LineState::Open,
        );
        let source = match self.sources.get_index_of(source) {
            Some(i) => i,
            None => self.sources.insert_full(source.to_string()).0,
        };
        self.claim_sources.push(source as u32);
        self.claims.push(claim.into_held());
        Ok(true)
    }

    fn has_claims(&self) -> StoreResult<bool> {
        Ok(!self.claims.is_empty())
    }

    fn claims_with_id(&self, clm01: &str) -> StoreResult<Vec<StoredClaim>> {
        self.stored(self.indexed(&self.by_id, clm01))
    }

    fn claims_replacing(&self, icn: &str) -> StoreResult<Vec<StoredClaim>> {
        self.stored(self.indexed(&self.by_replaced_icn, icn))
    }

    fn note_icn(&mut self, clp01: &str, icn: &str) -> StoreResult<()> {
        if !icn.is_empty() {
            let (clp01_id, icn_id) = (self.lines.text_id(clp01)?, self.lines.text_id(icn)?);
            // Sorted by their text, each once.
            let lines = &self.lines;
            self.icns
                .insert_sorted_by(clp01_id, icn_id, |i| lines.text_str(i).cmp(icn));
            self.clp01s_by_icn.push_new(icn_id, clp01_id);
        }
        Ok(())
    }

    fn icns_of(&self, clp01: &str) -> StoreResult<Vec<Text>> {
        Ok(self.texts(self.indexed(&self.icns, clp01)))
    }

    fn clp01s_of_icn(&self, icn: &str) -> StoreResult<Vec<Text>> {
        Ok(self.texts(self.indexed(&self.clp01s_by_icn, icn)))
    }

    fn note_claim_icn(&mut self, claim: ClaimRef, icn: &str) -> StoreResult<()> {
        if !icn.is_empty() {
            if let Ok(claim) = u32::try_from(claim) {
                let icn = self.lines.text_id(icn)?;
                self.claims_by_icn.push_new(icn, claim);
            }
        }
        Ok(())
    }

    fn claims_paid_under(&self, icn: &str) -> StoreResult<Vec<StoredClaim>> {
        self.stored(self.indexed(&self.claims_by_icn, icn))
    }

    fn mark_answered(&mut self, claim: ClaimRef, line: usize) -> StoreResult<()> {
        if let Some(slot) = self.line_mut(claim, line) {
            *slot = LineState::Answered;
        }
        Ok(())
    }

    fn mark_contested(&mut self, claim: ClaimRef, line: usize) -> StoreResult<()> {
        if let Some(slot) = self
            .line_mut(claim, line)
            .filter(|s| **s == LineState::Open)
        {
            *slot = LineState::Contested;
        }
        Ok(())
    }

    fn unanswered(&self) -> StoreResult<Vec<(StoredClaim, Vec<OpenLine>)>> {
        (0..self.billed_from.len())
            .filter_map(|at| {
                let open: Vec<OpenLine> = self
                    .billed(at)
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| **s != LineState::Answered)
                    .map(|(line, s)| OpenLine {
                        line,
                        contested: *s == LineState::Contested,
                    })
                    .collect();
                (!open.is_empty()).then(|| Ok((self.stored_claim(at)?, open)))
            })
            .collect()
    }
}

impl super::AckStore for MemoryStore {
    fn ingest_acks(
        &mut self,
        source: &str,
        acks: &[crate::lifecycle::Acknowledgment],
    ) -> StoreResult<usize> {
        self.acks.ingest(source, acks)
    }

    fn note_batches(&mut self, batches: &[crate::lifecycle::BatchReference]) -> StoreResult<()> {
        self.acks.note_batches(batches);
        Ok(())
    }

    fn acknowledgments(&self) -> StoreResult<Vec<(String, crate::lifecycle::Acknowledgment)>> {
        Ok(self.acks.acknowledgments())
    }

    fn batch_references(
        &self,
    ) -> StoreResult<std::collections::BTreeMap<crate::lifecycle::SetKey, Text>> {
        Ok(self.acks.batch_references())
    }

    fn all_claims(&self) -> StoreResult<Vec<StoredClaim>> {
        (0..self.claims.len())
            .map(|at| self.stored_claim(at))
            .collect()
    }
}
