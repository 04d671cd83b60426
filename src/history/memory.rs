//! The in-memory history store: hash maps for one run, used without `--db`
//! and by tests and benchmarks. It fails only when a transaction or claim
//! held by where it is cannot be read again (its input changed: see
//! `pipeline::reread`), or packed bytes do not read back.
//!
//! What it holds (issue 17; the line state's arithmetic is in
//! `history::lines`), hash tables counted at their usual load:
//! - per billed claim of an input read again: [`HeldClaim`] 40 bytes (its
//!   identity and its place in its batch inline: `claim::ClaimPlace`,
//!   its own span relative to the batch — its CLM loop and the HL loops
//!   right before it, read with it — and the indices of its other HL
//!   loops in the batch, which keeps each of those once), its batch's
//!   share (~17 bytes a claim on the 200 MB generated pair, counted by the
//!   allocator: the batch, shared by the claims of one 837 transaction and
//!   kept once for them in `claim_batches`, ~150 bytes with its envelope,
//!   ST02 and the billing provider's loop, for ~10 claims; ~31 when it
//!   kept every subscriber's loop too), where its lines' marks start (4)
//!   and one byte a line, and its CLM01's entry in `by_id` (~19, a
//!   12-byte slot that also holds, the CLM01 being its payment's CLP01,
//!   the ICNs noted for it; the text interned in the line book, shared
//!   with the line keys), through which a claim given again is known
//!   ([`MemoryStore::is_known`]: a table by identity only for the claims
//!   past the first 8 of their CLM01, where one of every claim took ~7); its
//!   source is one entry per run of claims from one input: ~80 bytes a
//!   claim, ~45 a line at the 1.8 lines a generated claim has (before:
//!   ~100 with the subscribers' loops in the batch and the identity
//!   table, ~115 with an 88-byte `HeldClaim` — the batch a fat pointer,
//!   the HL loops' spans inline — and ~220 with the place a shared block
//!   and a boxed slice of spans, ~110, and the identity held again in a
//!   set, ~27). A claim held packed — an input read once — adds its
//!   packed bytes, less than its X12;
//! - per claim payment with an ICN (CLP07): its entry in `by_icn` (~19:
//!   its CLP01s and the claims paid under it, `history::few`), its ICN in
//!   its CLP01's entry of `by_id` (nothing more when the CLP01 is a CLM01
//!   read, ~19 when not; both sized before deciding from the pending
//!   transactions' counts, so not doubled at the run's peak) and the
//!   ICN's text interned (~10 plus its bytes: `history::interner`): ~40
//!   bytes (~60 with three one-column tables);
//! - per 835 transaction: its slot in `transactions` (104 bytes: until it
//!   is applied its payment order, boxed (~96), its fingerprint and where
//!   it is, ~64 — its events and its context, ~700 bytes whatever its
//!   size, are read again when it is applied (`PackedTransaction::
//!   keep_order_only`); one held packed keeps its context —; then its
//!   payment order inline), its content hash, its semantic fingerprint
//!   hashed and its payer and trace hashed, once (`TxKeys`, 40 bytes),
//!   and its slots in the three tables that find it by them and in
//!   `next_of_trace` (~38: 4- and 8-byte slots of ids; ~150 with maps
//!   keyed by the hashes, the 128-bit ones in 32-byte slots);
//! - per 837 set, its batch number (BHT03) by its ISA06, ISA08, GS06 and
//!   ST02, all interned (`history::acks`): ~40 bytes and the texts.

use std::hash::BuildHasher;
use std::sync::Arc;

use indexmap::IndexSet;

use super::few::FewIndex;
use super::lines::{LineBook, Room};
use super::{
    ClaimStore, HistoryStore, Ingested, OpenLine, RemittanceState, StoreResult, StoredVersion,
    TransactionRef, VersionStore,
};
use crate::claim::{BilledClaim, HeldClaim, PackedClaim, SharedBatch};
use crate::line::{
    DecidedLine, LineHistory, LineKey, OrderKey, PackedTransaction, PriorEvent,
    RemittanceTransaction, TransactionSize, payer_key,
};
use crate::reconcile::claims::{ClaimRef, Known, StoredClaim};
use crate::text::Text;

// Hash maps keyed by line keys and claim ids: SipHash cost ~1,300
// instructions per `LineKey`, a fifth of the engine's time.
use crate::hashing::HashMap;

/// Line histories, transactions and claims held in memory for one run.
#[derive(Debug, Default)]
pub struct MemoryStore {
    /// Line histories, line controls and claim links, compact (see
    /// `history::lines` for the bytes a line costs).
    lines: LineBook,
    /// Stored transactions by content hash and by semantic fingerprint
    /// (hashed: see [`MemoryStore::hash`]; the fingerprint's ~90 bytes of
    /// text are held once, by the transaction, not again as a key): ids
    /// found by the hashes in `tx_keys` — 4-byte slots, where maps of the
    /// hashes to ids took 16 and 32 (the semantic hash a `u128`, aligned).
    content: hashbrown::HashTable<TransactionRef>,
    semantic: hashbrown::HashTable<TransactionRef>,
    /// Per transaction, the hashes it is found by.
    tx_keys: Vec<TxKeys>,
    /// Every transaction by its id: pending, packed (a run holds them all
    /// from reading to deciding: see [`PackedTransaction`]), then applied
    /// (its payment order) or gone.
    transactions: Vec<TxSlot>,
    /// The transaction being applied: its payment order and, when they are
    /// kept, its rows.
    deciding: Option<(TransactionRef, OrderKey, Vec<DecidedLine>)>,
    /// Their rows, when [`MemoryStore::keeping_rows`] asked for them.
    rows: HashMap<TransactionRef, Vec<DecidedLine>>,
    /// Whether rows are kept (see [`MemoryStore::keeping_rows`]).
    keep_rows: bool,
    /// Transactions by payer key and trace (hashed, the hash in the first
    /// one's `tx_keys`), to find versions of a payment: the first and
    /// last of a trace's transactions, the others chained between them in
    /// `next_of_trace` — an 8-byte slot, where the two texts and a vector
    /// took 72 and a heap block, and the hash kept in the slot 32.
    traces: hashbrown::HashTable<(TransactionRef, TransactionRef)>,
    /// Per transaction, the next one of its payer and trace, or
    /// [`NO_TRANSACTION`].
    next_of_trace: Vec<TransactionRef>,
    /// The keys of [`MemoryStore::hash`], drawn at random per store.
    hashers: [foldhash::quality::RandomState; 2],
    /// Pending transactions a later version replaced before they were
    /// applied, with that version; removed once it retires them.
    replaced: HashMap<TransactionRef, (PackedTransaction, TransactionRef)>,
    /// Billed claims, where each is in an input read again or packed (see
    /// [`HeldClaim`]: 40 bytes a claim, plus its bytes when packed), and
    /// where each was read: per run of claims from one source, the first
    /// claim's index and the source's in `sources` (a file's claims come
    /// together: a few entries a run, not 4 bytes a claim).
    claims: Vec<HeldClaim>,
    claim_sources: Vec<(u32, u32)>,
    /// The batch each claim held by where it is is read again from: per
    /// run of such claims from one batch, the first one's index and the
    /// batch (an 837 transaction's claims come together: ~2 bytes a claim
    /// where a pointer in each took 8).
    claim_batches: Vec<(u32, SharedBatch)>,
    sources: IndexSet<Arc<str>>,
    /// Per CLM01 trimmed, the claims whose CLM01 is it padded with
    /// spaces (rare): with `by_id`'s claims of that CLM01, every claim
    /// whose [`crate::claim::ClaimFingerprint::identity`] (which reads the
    /// CLM01 trimmed) can be a given claim's. A claim is known by those
    /// (see [`MemoryStore::is_known`]): no table of its own, where one of
    /// every claim's index by its identity's hash took ~7 bytes a claim
    /// (21 MB on the 1 GB generated case).
    by_padded_id: FewIndex,
    /// The claims that had [`KNOWN_SCAN`] or more claims of their CLM01
    /// (trimmed) before them, by the hash of their identity: a claim is
    /// known by a scan of the first few claims of its CLM01 and a look
    /// here. A scan of all of them was quadratic where one CLM01 is on
    /// every claim (CLM01 = 0: 58,734 claims of M so edited took 4.55 s
    /// against 3.38 s; the 1 GB case would take hours), and a table of
    /// every claim took ~7 bytes a claim where CLM01s are few a claim.
    known_many: hashbrown::HashTable<u32>,
    // The claim indexes are keyed by text ids interned in `lines` (each
    // CLM01, CLP01 and ICN held once, shared with the line keys): a slot
    // is 8 bytes (see `history::few`) where a `Text` key and a vector of
    // `Text` values took 56 (issue 17).
    // Lists, not sets: almost always one element, and a B-tree node
    // would cost some 300 bytes per claim. Keyed once for two lists where
    // their keys are one set of texts (a CLP01 is almost always a CLM01;
    // an ICN noted for a CLP01 is paid under for its claims): a slot of
    // 12 bytes where two tables took 16 and their control bytes twice.
    /// Per CLM01 its claims ([`CLAIMS`]); per CLP01 its ICNs ([`ICNS`]),
    /// sorted by their text, each once.
    by_id: FewIndex<2>,
    /// Per ICN the CLP01s it was noted for ([`CLP01S`]) and the claims
    /// paid under it ([`PAID`]).
    by_icn: FewIndex<2>,
    by_replaced_icn: FewIndex,
    /// What the remittances said of every billed line, claim after claim;
    /// a claim's lines start at its entry of `billed_from` (one vector,
    /// not one per claim: a vector's 24 bytes and heap block cost more
    /// than the claim's few states).
    billed_lines: Vec<LineState>,
    billed_from: Vec<u32>,
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

/// How many claims of a CLM01 are compared with a claim to know whether it
/// is stored; those after them are found in [`MemoryStore::known_many`].
const KNOWN_SCAN: usize = 8;

/// The columns of [`MemoryStore::by_id`] and [`MemoryStore::by_icn`].
const CLAIMS: usize = 0;
const ICNS: usize = 1;
const CLP01S: usize = 0;
const PAID: usize = 1;

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
            .take_pending_slot(id)
            .ok_or_else(|| super::StoreError::Data(format!("no pending transaction {id}")))?;
        self.deciding = Some((id, tx.order_key(), Vec::new()));
        // The claims decoded ahead were the last transaction's.
        self.decoded.clear();
        Ok(tx)
    }
}

/// What became of one stored transaction: its slot in
/// `MemoryStore::transactions`, one vector for every state (a map of the
/// applied ones' order, with its growth slack, took ~170 bytes a
/// transaction more).
#[derive(Debug)]
enum TxSlot {
    /// Not applied yet.
    Pending(PackedTransaction),
    /// Applied, in this payment order.
    Applied(OrderKey),
    /// Replaced by a later version, or handed over and not committed.
    Gone,
}

impl MemoryStore {
    /// The pending transaction `id`.
    fn pending_tx(&self, id: TransactionRef) -> Option<&PackedTransaction> {
        match self.transactions.get(id as usize)? {
            TxSlot::Pending(tx) => Some(tx),
            TxSlot::Applied(_) | TxSlot::Gone => None,
        }
    }

    /// Takes the pending transaction `id` out, leaving its slot gone.
    fn take_pending_slot(&mut self, id: TransactionRef) -> Option<PackedTransaction> {
        let slot = self.transactions.get_mut(id as usize)?;
        if !matches!(slot, TxSlot::Pending(_)) {
            return None;
        }
        match std::mem::replace(slot, TxSlot::Gone) {
            TxSlot::Pending(tx) => Some(tx),
            TxSlot::Applied(_) | TxSlot::Gone => None,
        }
    }

    /// The payment order of the applied transaction `id`.
    fn applied_order(&self, id: TransactionRef) -> Option<&OrderKey> {
        match self.transactions.get(id as usize)? {
            TxSlot::Applied(order) => Some(order),
            TxSlot::Pending(_) | TxSlot::Gone => None,
        }
    }
}

/// The hashes a stored transaction is found by (`MemoryStore::tx_keys`):
/// 40 bytes a transaction, its slots in the three tables 4 to 8 (~74
/// bytes a transaction with the tables at their usual load, where maps
/// keyed by the hashes took ~150).
#[derive(Clone, Copy, Debug, Default)]
struct TxKeys {
    /// [`crate::line::TransactionFingerprint::content_hash`].
    content: u64,
    /// Its semantic fingerprint, hashed ([`MemoryStore::hash`]), as two
    /// halves (a `u128` would align the record to 16 bytes).
    semantic: [u64; 2],
    /// Its payer and trace, hashed ([`MemoryStore::trace_key`]).
    trace: [u64; 2],
}

/// A 128-bit hash as two halves.
fn halves(hash: u128) -> [u64; 2] {
    [(hash >> 64) as u64, hash as u64]
}

/// No transaction: the end of a chain in `next_of_trace`.
const NO_TRANSACTION: TransactionRef = TransactionRef::MAX;

impl MemoryStore {
    /// A 128-bit hash of `value` under two independent keys drawn at
    /// random per store: a collision (2^-128 a pair) is not a practical
    /// risk, and crafted inputs cannot aim for one.
    fn hash(&self, value: &impl std::hash::Hash) -> u128 {
        let [a, b] = &self.hashers;
        (u128::from(a.hash_one(value)) << 64) | u128::from(b.hash_one(value))
    }

    /// The key of a payer and trace in `traces`.
    fn trace_key(&self, payer: &str, trace: &str) -> u128 {
        self.hash(&(payer, trace))
    }

    /// The hash of a content hash in `content` (not the content hash
    /// itself: it is not keyed).
    fn content_hash(&self, content: u64) -> u64 {
        self.hashers[0].hash_one(content)
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

    fn stored(&self, at: &[u32]) -> StoreResult<Vec<StoredClaim>> {
        at.iter().map(|&i| self.stored_claim(i as usize)).collect()
    }

    /// [`MemoryStore::stored`], taking the claims `known` holds as they
    /// are: decoding a claim is most of what reading it costs.
    fn stored_reusing(&self, at: &[u32], known: Known<'_>) -> StoreResult<Vec<StoredClaim>> {
        at.iter()
            .map(|&i| match known(ClaimRef::from(i)) {
                Some(claim) => Ok(claim),
                None => self.stored_claim(i as usize),
            })
            .collect()
    }

    /// The entry of `text` in `index` (keyed by interned text ids).
    fn indexed<'a, const N: usize>(
        &self,
        index: &'a FewIndex<N>,
        column: usize,
        text: &str,
    ) -> &'a [u32] {
        self.lines
            .find_text(text)
            .map_or(&[], |id| index.get(id, column))
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
        // The last run starting at or before `at`.
        let run = self
            .claim_sources
            .partition_point(|&(first, _)| first as usize <= at);
        let source = run
            .checked_sub(1)
            .and_then(|run| self.sources.get_index(self.claim_sources[run].1 as usize))
            .map(Arc::clone)
            .unwrap_or_default();
        Ok(StoredClaim {
            id: at as ClaimRef,
            source,
            claim: claim.into(),
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
            return held.unpack(None).map_err(super::StoreError::Data);
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
        let claim = held
            .unpack(self.batch_of(at))
            .map_err(super::StoreError::Input)?;
        if recent.len() < RECENT_CLAIMS {
            recent.resize(RECENT_CLAIMS, None);
        }
        recent[slot] = Some((at, claim.clone()));
        Ok(claim)
    }

    /// The batch the claim at `at` is read again from, when it is held by
    /// where it is: that of the last run of such claims starting at or
    /// before it.
    fn batch_of(&self, at: usize) -> Option<&SharedBatch> {
        let run = self
            .claim_batches
            .partition_point(|&(first, _)| first as usize <= at);
        Some(&self.claim_batches.get(run.checked_sub(1)?)?.1)
    }

    /// Whether a claim with `claim`'s identity is stored: one of the
    /// claims of its CLM01 (its identity reads the CLM01 trimmed: those
    /// of the CLM01 trimmed and those of it padded).
    fn is_known(&self, claim: &PackedClaim) -> bool {
        let Some(id) = self.lines.find_text(claim.claim_id.trim()) else {
            return false;
        };
        let same = |&i: &u32| self.claims[i as usize].identity() == claim.identity;
        // A claim past the first few of its CLM01 in either list had at
        // least that many before it: it is in `known_many`.
        let scan = |at: &[u32]| at.iter().take(KNOWN_SCAN).any(same);
        scan(self.by_id.get(id, CLAIMS))
            || scan(self.by_padded_id.get(id, 0))
            || self
                .known_many
                .find(self.hash_identity(claim.identity), same)
                .is_some()
    }

    /// The hash of a claim's identity in `known_many`.
    fn hash_identity(&self, identity: u128) -> u64 {
        self.hashers[0].hash_one(identity)
    }

    /// How many claims have `trimmed` (an interned CLM01 without padding)
    /// as their CLM01, padded or not.
    fn claims_of_trimmed(&self, trimmed: u32) -> usize {
        self.by_id.get(trimmed, CLAIMS).len() + self.by_padded_id.get(trimmed, 0).len()
    }

    /// The states of a billed claim's lines.
    fn billed(&self, claim: usize) -> &[LineState] {
        let from = self.billed_from[claim] as usize;
        let to = self
            .billed_from
            .get(claim + 1)
            .map_or(self.billed_lines.len(), |&to| to as usize);
        &self.billed_lines[from..to]
    }

    fn line_mut(&mut self, claim: ClaimRef, line: usize) -> Option<&mut LineState> {
        let claim = usize::try_from(claim).ok()?;
        let from = *self.billed_from.get(claim)? as usize;
        let to = self
            .billed_from
            .get(claim + 1)
            .map_or(self.billed_lines.len(), |&to| to as usize);
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
    fn empty_part(&self) -> Option<Box<dyn HistoryStore>> {
        let empty = !self.keep_rows
            && self.transactions.is_empty()
            && self.claims.is_empty()
            && self.lines.len() == 0
            && self.acks.is_empty();
        empty.then(|| Box::new(MemoryStore::new()) as Box<dyn HistoryStore>)
    }

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

    fn ingest_packed(&mut self, mut tx: PackedTransaction) -> StoreResult<Ingested> {
        let fp = &tx.fingerprint;
        let content = fp.content_hash;
        let semantic = halves(self.hash(&fp.semantic));
        let keys = &self.tx_keys;
        let content_hash = self.content_hash(content);
        let known = self
            .content
            .find(content_hash, |&id| keys[id as usize].content == content)
            .or_else(|| {
                // The semantic hash is keyed at random: its low half is the
                // table's hash.
                let same = |&id: &TransactionRef| keys[id as usize].semantic == semantic;
                self.semantic.find(semantic[1], same)
            });
        if let Some(&id) = known {
            return Ok(Ingested::Known(id));
        }
        let id = TransactionRef::try_from(self.transactions.len())
            .ok()
            .filter(|&id| id != NO_TRANSACTION)
            .ok_or_else(|| {
                super::StoreError::Data(
                    "more than 4 billion transactions in one memory store".into(),
                )
            })?;
        // Held until `keep_order_only` below: nothing is read again.
        let c = tx.context().map_err(|e| unreadable(tx.is_located(), e))?;
        let trace = match c.trace.is_empty() {
            true => [0; 2],
            false => halves(self.trace_key(&payer_key(&c.payer_id, &c.payer), &c.trace)),
        };
        self.tx_keys.push(TxKeys {
            content,
            semantic,
            trace,
        });
        let (keys, hasher) = (&self.tx_keys, &self.hashers[0]);
        self.content.insert_unique(content_hash, id, |&id| {
            hasher.hash_one(keys[id as usize].content)
        });
        self.semantic
            .insert_unique(semantic[1], id, |&id| keys[id as usize].semantic[1]);
        self.next_of_trace.push(NO_TRANSACTION);
        if !c.trace.is_empty() {
            let same = |&(first, _): &(TransactionRef, TransactionRef)| {
                keys[first as usize].trace == trace
            };
            match self.traces.find_mut(trace[1], same) {
                Some((_, last)) => {
                    self.next_of_trace[*last as usize] = id;
                    *last = id;
                }
                None => {
                    self.traces
                        .insert_unique(trace[1], (id, id), |&(first, _)| {
                            keys[first as usize].trace[1]
                        });
                }
            }
        }
        // Until it is applied, a transaction read again is held by its
        // payment order and where it is: its context comes back with its
        // events (~40 bytes a service line on the 1 GB case; issue 17).
        tx.keep_order_only();
        self.transactions.push(TxSlot::Pending(tx));
        Ok(Ingested::New(id))
    }

    fn reads_pending_again(&self) -> bool {
        true
    }

    /// Sizes the indexes that applying the pending transactions fills:
    /// the ICNs noted per claim payment.
    fn prepare_decide(&mut self) -> StoreResult<()> {
        let mut size = TransactionSize::default();
        for slot in &self.transactions {
            if let TxSlot::Pending(tx) = slot {
                size.lines = size.lines.saturating_add(tx.size.lines);
                size.claims = size.claims.saturating_add(tx.size.claims);
                size.icns = size.icns.saturating_add(tx.size.icns);
                size.events = size.events.saturating_add(tx.size.events);
            }
        }
        let icns = size.icns as usize;
        // Per CLP01 its ICNs, per ICN its CLP01s and the claims paid under
        // it: at most one key each per claim payment with an ICN.
        // The CLP01s are keys of `by_id` already when they are CLM01s of
        // the claims read (the usual case: only those past its CLM01s
        // need room; a run whose 835s pay claims it did not read may see
        // `by_id` double once as it fills).
        self.by_id.reserve(icns.saturating_sub(self.by_id.len()));
        self.by_icn.reserve(icns);
        // The line book's tables: a line per line or claim event, a claim
        // reference per CLP01 and per CLP07 at most (REF*6R are found
        // through the lines: no table). A margin covers what the counts leave out: a
        // table that fills up doubles, holding the old block and the new
        // one at once while its entries are hashed again (the line
        // controls' table near the end of the 1 GB case: +70 MB for ~4 s,
        // the run's peak; issue 17). Its arenas grow a chunk at a time and
        // need no room (`history::arena`).
        let lines = size.lines as usize;
        let claims = size.claims as usize;
        let links = claims + icns;
        self.lines.reserve(Room {
            lines: lines + lines / 32 + 64,
            links: links + links / 32 + 64,
        });
        Ok(())
    }

    fn pending(&self) -> StoreResult<Vec<(OrderKey, TransactionRef)>> {
        let mut pending: Vec<(OrderKey, TransactionRef)> = self
            .transactions
            .iter()
            .enumerate()
            .filter_map(|(i, slot)| match slot {
                TxSlot::Pending(tx) => Some((tx.order_key(), i as TransactionRef)),
                TxSlot::Applied(_) | TxSlot::Gone => None,
            })
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
        self.pending_tx(id)
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
            let at = self.indexed(&self.by_id, CLAIMS, clm01);
            if at.len() <= DECODE_PER_ID {
                copies.extend(at.iter().map(|&i| {
                    let i = i as usize;
                    (i, self.claims[i].clone(), self.batch_of(i).cloned())
                }));
            }
        }
        copies
    }

    fn begin_decide(&mut self, id: TransactionRef) -> StoreResult<bool> {
        Ok(self.pending_tx(id).is_some())
    }

    fn commit_decide(&mut self, id: TransactionRef) -> StoreResult<()> {
        let deciding = self
            .deciding
            .take()
            .filter(|(deciding, ..)| *deciding == id);
        let Some(slot) = self.transactions.get_mut(id as usize) else {
            return Ok(());
        };
        if matches!(slot, TxSlot::Pending(_)) {
            *slot = TxSlot::Gone;
        }
        if let Some((_, order, rows)) = deciding {
            *slot = TxSlot::Applied(order);
            if self.keep_rows {
                self.rows.insert(id, rows);
            }
        }
        Ok(())
    }

    fn transaction_state(&self, id: TransactionRef) -> StoreResult<RemittanceState> {
        Ok(match self.transactions.get(id as usize) {
            Some(TxSlot::Applied(order)) => RemittanceState::Applied(order.clone()),
            Some(TxSlot::Pending(_)) => RemittanceState::Pending,
            Some(TxSlot::Gone) | None => RemittanceState::Replaced,
        })
    }

    fn decided_rows(&self, id: TransactionRef) -> StoreResult<Vec<DecidedLine>> {
        if self.applied_order(id).is_none() {
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
        let key = halves(self.trace_key(payer, trace));
        let keys = &self.tx_keys;
        let same =
            |&(first, _): &(TransactionRef, TransactionRef)| keys[first as usize].trace == key;
        let Some(&(first, _)) = self.traces.find(key[1], same) else {
            return Ok(Vec::new());
        };
        let chain = std::iter::successors(Some(first), |&id| {
            Some(self.next_of_trace[id as usize]).filter(|&next| next != NO_TRANSACTION)
        });
        chain
            .filter_map(|id| {
                let pending = self.pending_tx(id);
                let replaced = self.replaced.get(&id).map(|(tx, _)| tx);
                pending
                    .map(|tx| version(id, tx, false))
                    .or_else(|| replaced.map(|tx| version(id, tx, true)))
            })
            .collect()
    }

    fn supersede(&mut self, earlier: TransactionRef, by: TransactionRef) -> StoreResult<()> {
        match self.take_pending_slot(earlier) {
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
        if self.is_known(&claim) {
            return Ok(false);
        }
        let at = u32::try_from(self.claims.len()).map_err(|_| {
            super::StoreError::Data("more than 4 billion claims in one memory store".into())
        })?;
        // The texts first: nothing is indexed unless all of the claim is.
        let id = self.lines.text_id(&claim.claim_id)?;
        let trimmed = claim.claim_id.trim();
        let padded = match trimmed.len() == claim.claim_id.len() {
            true => None,
            false => Some(self.lines.text_id(trimmed)?),
        };
        let many = (self.claims_of_trimmed(padded.unwrap_or(id)) >= KNOWN_SCAN)
            .then(|| self.hash_identity(claim.identity));
        let replaced = match &claim.replaced_icn {
            Some(icn) => Some(self.lines.text_id(icn)?),
            None => None,
        };
        let from = u32::try_from(self.billed_lines.len())
            .ok()
            .filter(|from| from.checked_add(claim.lines).is_some())
            .ok_or_else(|| {
                super::StoreError::Data(
                    "more than 4 billion billed lines in one memory store".into(),
                )
            })?;
        self.by_id.push_new(id, CLAIMS, at);
        if let Some(trimmed) = padded {
            self.by_padded_id.push_new(trimmed, 0, at);
        }
        if let Some(icn) = replaced {
            self.by_replaced_icn.push_new(icn, 0, at);
        }
        self.billed_from.push(from);
        self.billed_lines.resize(
            self.billed_lines.len() + claim.lines as usize,
            LineState::Open,
        );
        let source = match self.sources.get_index_of(source) {
            Some(i) => i,
            None => self.sources.insert_full(source.into()).0,
        } as u32;
        if self
            .claim_sources
            .last()
            .is_none_or(|&(_, last)| last != source)
        {
            self.claim_sources.push((at, source));
        }
        let (held, batch) = claim.into_held();
        if let Some(batch) = batch
            && self
                .claim_batches
                .last()
                .is_none_or(|(_, last)| !Arc::ptr_eq(last, &batch))
        {
            self.claim_batches.push((at, batch));
        }
        self.claims.push(held);
        if let Some(hash) = many {
            // Once the claim is in `claims`: the table's hasher reads it there.
            let (claims, hasher) = (&self.claims, &self.hashers[0]);
            self.known_many.insert_unique(hash, at, |&i| {
                hasher.hash_one(claims[i as usize].identity())
            });
        }
        Ok(true)
    }

    fn has_claims(&self) -> StoreResult<bool> {
        Ok(!self.claims.is_empty())
    }

    fn claims_with_id(&self, clm01: &str) -> StoreResult<Vec<StoredClaim>> {
        self.stored(self.indexed(&self.by_id, CLAIMS, clm01))
    }

    fn claims_replacing(&self, icn: &str) -> StoreResult<Vec<StoredClaim>> {
        self.stored(self.indexed(&self.by_replaced_icn, 0, icn))
    }

    fn claims_with_id_reusing(
        &self,
        clm01: &str,
        known: Known<'_>,
    ) -> StoreResult<Vec<StoredClaim>> {
        self.stored_reusing(self.indexed(&self.by_id, CLAIMS, clm01), known)
    }

    fn claims_replacing_reusing(
        &self,
        icn: &str,
        known: Known<'_>,
    ) -> StoreResult<Vec<StoredClaim>> {
        self.stored_reusing(self.indexed(&self.by_replaced_icn, 0, icn), known)
    }

    fn note_icn(&mut self, clp01: &str, icn: &str) -> StoreResult<()> {
        if !icn.is_empty() {
            let (clp01_id, icn_id) = (self.lines.text_id(clp01)?, self.lines.text_id(icn)?);
            // Sorted by their text, each once.
            let lines = &self.lines;
            self.by_id
                .insert_sorted_by(clp01_id, ICNS, icn_id, |i| lines.text_str(i).cmp(icn));
            self.by_icn.push_new(icn_id, CLP01S, clp01_id);
        }
        Ok(())
    }

    fn icns_of(&self, clp01: &str) -> StoreResult<Vec<Text>> {
        Ok(self.texts(self.indexed(&self.by_id, ICNS, clp01)))
    }

    fn clp01s_of_icn(&self, icn: &str) -> StoreResult<Vec<Text>> {
        Ok(self.texts(self.indexed(&self.by_icn, CLP01S, icn)))
    }

    fn note_claim_icn(&mut self, claim: ClaimRef, icn: &str) -> StoreResult<()> {
        if !icn.is_empty() {
            if let Ok(claim) = u32::try_from(claim) {
                let icn = self.lines.text_id(icn)?;
                self.by_icn.push_new(icn, PAID, claim);
            }
        }
        Ok(())
    }

    fn claims_paid_under(&self, icn: &str) -> StoreResult<Vec<StoredClaim>> {
        self.stored(self.indexed(&self.by_icn, PAID, icn))
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
        self.acks.note_batches(batches)
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::history::AckStore;
    use crate::line::{RemittanceContext, TransactionFingerprint};

    fn claim(id: &str, charge: i64) -> BilledClaim {
        BilledClaim {
            claim_id: id.into(),
            charge: charge.into(),
            ..BilledClaim::default()
        }
    }

    fn transaction(trace: &str, hash: u64, semantic: &str) -> RemittanceTransaction {
        let context = RemittanceContext {
            payer: "ACME".into(),
            payer_id: "12345".into(),
            trace: trace.into(),
            transaction: format!("{hash}").into(),
            ..RemittanceContext::default()
        };
        RemittanceTransaction {
            context: Arc::new(context),
            events: Vec::new(),
            fingerprint: TransactionFingerprint {
                content_hash: hash,
                semantic: semantic.into(),
            },
        }
    }

    /// Reads a fixed transaction "again".
    #[derive(Debug)]
    struct Again(RemittanceTransaction);

    impl crate::line::TransactionAt for Again {
        fn whereabouts(&self) -> String {
            "here".into()
        }

        fn read_again(&self) -> Result<RemittanceTransaction, String> {
            Ok(self.0.clone())
        }
    }

    /// A transaction with `n` line events, each with a REF*6R of its own.
    fn with_controls(trace: &str, hash: u64, n: usize) -> RemittanceTransaction {
        let mut tx = transaction(trace, hash, &format!("s{hash}"));
        tx.events = (0..n)
            .map(|i| crate::line::LineEvent {
                context: Arc::clone(&tx.context),
                claim_seq: i as u32 / 2,
                claim_id: format!("C{i}").into(),
                line_control: format!("6R-{hash}-{i}").into(),
                ..crate::line::LineEvent::sample()
            })
            .collect();
        tx
    }

    /// A transaction held by where it is keeps, pending, its payment order
    /// and not its context (which comes back when it is read again), and
    /// is applied in the order its context gave.
    #[test]
    fn a_pending_transaction_read_again_holds_no_context() {
        let mut store = MemoryStore::new();
        let tx = with_controls("T1", 7, 4);
        let order = tx.order_key();
        let located = PackedTransaction::located(tx.clone(), Arc::new(Again(tx.clone())));
        assert!(located.holds_context());
        let Ok(Ingested::New(id)) = store.ingest_packed(located) else {
            panic!("not new");
        };
        let pending = store.pending_tx(id).expect("pending");
        assert!(!pending.holds_context());
        assert_eq!(pending.order_key(), order);
        assert_eq!(store.pending().expect("pending"), [(order, id)]);
        assert_eq!(
            *store.trace_versions("12345", "T1").expect("found")[0].context,
            *tx.context
        );
        let back = store.load_pending(id).expect("read again");
        assert_eq!((back.events, back.context), (tx.events, tx.context));
        // One held packed keeps its context: its events are decoded with it.
        let mut store = MemoryStore::new();
        let Ok(Ingested::New(id)) = store.ingest_transaction(with_controls("T2", 8, 2)) else {
            panic!("not new");
        };
        assert!(store.pending_tx(id).expect("pending").holds_context());
    }

    /// The room made before deciding covers every REF*6R of the pending
    /// transactions and its text: recording their lines grows nothing.
    #[test]
    fn deciding_the_pending_transactions_fits_the_room_made_for_them() {
        let mut store = MemoryStore::new();
        let mut events = Vec::new();
        for hash in 1..=3 {
            let tx = with_controls(&format!("T{hash}"), hash, 1_000);
            events.extend(tx.events.clone());
            store.ingest_transaction(tx).expect("stored");
        }
        store.prepare_decide().expect("prepared");
        let before = store.lines.capacities();
        for event in &events {
            let key = LineKey {
                payer: "12345".into(),
                payee: "1".into(),
                claim_id: event.claim_id.clone(),
                member_id: Text::default(),
                service_date: None,
                procedure: event.procedure.clone(),
                modifiers: Text::default(),
                ordinal: 0,
                scope: crate::line::Scope::Line,
            };
            let prior = PriorEvent {
                payment_date: None,
                trace: event.context.trace.clone(),
                paid: event.paid,
                kind: crate::line::PriorKind::Payment,
                denial_reasons: Vec::new(),
                line_control: event.line_control.clone(),
                flags: crate::line::Flags::default(),
            };
            store.record(&key, &prior, None).expect("recorded");
        }
        assert_eq!(store.lines.capacities(), before);
    }

    /// A claim given twice is stored once (found by its identity through
    /// the id table); each claim reads back with the source it came from,
    /// across runs of claims from one source.
    #[test]
    fn claims_are_stored_once_each_with_its_source() {
        let mut store = MemoryStore::new();
        assert!(store.ingest_claim("a.837", &claim("1", 10)).expect("ok"));
        assert!(store.ingest_claim("a.837", &claim("2", 20)).expect("ok"));
        assert!(!store.ingest_claim("b.837", &claim("1", 10)).expect("ok"));
        assert!(store.ingest_claim("b.837", &claim("3", 30)).expect("ok"));
        assert!(store.ingest_claim("a.837", &claim("4", 40)).expect("ok"));
        assert!(!store.ingest_claim("a.837", &claim("4", 40)).expect("ok"));
        let all = store.all_claims().expect("claims");
        let seen: Vec<(&str, &str)> = all
            .iter()
            .map(|c| (c.claim.claim_id.as_str(), &*c.source))
            .collect();
        assert_eq!(
            seen,
            [
                ("1", "a.837"),
                ("2", "a.837"),
                ("3", "b.837"),
                ("4", "a.837")
            ]
        );
        // The same CLM01 with other content is another claim.
        assert!(store.ingest_claim("b.837", &claim("1", 11)).expect("ok"));
        assert_eq!(store.claims_with_id("1").expect("claims").len(), 2);
    }

    /// A claim's identity reads its CLM01 trimmed: the same claim with its
    /// CLM01 padded, either way round, is known; one of another CLM01 or
    /// charge is not.
    #[test]
    fn a_claim_is_known_whatever_spaces_pad_its_clm01() {
        let mut store = MemoryStore::new();
        assert!(store.ingest_claim("a.837", &claim(" 7 ", 10)).expect("ok"));
        assert!(!store.ingest_claim("a.837", &claim("7", 10)).expect("ok"));
        assert!(!store.ingest_claim("a.837", &claim("7 ", 10)).expect("ok"));
        assert!(store.ingest_claim("a.837", &claim("7", 11)).expect("ok"));
        assert!(!store.ingest_claim("b.837", &claim(" 7", 11)).expect("ok"));
        assert!(store.ingest_claim("a.837", &claim("8", 10)).expect("ok"));
        assert!(!store.ingest_claim("a.837", &claim("8 ", 10)).expect("ok"));
        assert_eq!(store.all_claims().expect("claims").len(), 3);
        assert_eq!(store.claims_with_id(" 7 ").expect("claims").len(), 1);
        assert_eq!(store.claims_with_id("7").expect("claims").len(), 1);
    }

    /// Many claims of one CLM01 (CLM01 = 0 on every claim): each given
    /// again is known — those past the first few through `known_many` —,
    /// one differing only in its charge is not, padded or not.
    #[test]
    fn claims_sharing_one_clm01_are_each_known_again() {
        let mut store = MemoryStore::new();
        let n = 5 * KNOWN_SCAN as i64;
        for charge in 0..n {
            let id = if charge % 5 == 4 { " 0" } else { "0" };
            assert!(store.ingest_claim("a.837", &claim(id, charge)).expect("ok"));
        }
        for charge in 0..n {
            assert!(
                !store
                    .ingest_claim("b.837", &claim("0", charge))
                    .expect("ok"),
                "{charge}"
            );
            assert!(
                !store
                    .ingest_claim("b.837", &claim("0 ", charge))
                    .expect("ok"),
                "{charge}"
            );
        }
        assert!(!store.known_many.is_empty());
        assert!(store.ingest_claim("b.837", &claim("0", n)).expect("ok"));
        assert_eq!(store.all_claims().expect("claims").len(), n as usize + 1);
    }

    /// Reading claims reusing those a caller holds gives what reading them
    /// all gives: the known claim (by handle) where one is, each other one
    /// read, in the store's order; a replacement likewise.
    #[test]
    fn claims_read_reusing_known_ones_are_the_claims_read() {
        let mut store = MemoryStore::new();
        let mut replacement = claim("1", 12);
        replacement.frequency = "7".into();
        replacement.payer_claim_number = Some("ICN9".into());
        for c in [claim("1", 10), claim("2", 20), claim("1", 11), replacement] {
            assert!(store.ingest_claim("a.837", &c).expect("ok"));
        }
        let all = store.claims_with_id("1").expect("claims");
        assert_eq!(all.len(), 3);
        let none = |_: ClaimRef| None;
        assert_eq!(
            store.claims_with_id_reusing("1", &none).expect("claims"),
            all
        );
        // A marked copy of the second claim stands for it: it was not read.
        let mut marked = all[1].clone();
        Arc::make_mut(&mut marked.claim).rendering_npi = "KNOWN".into();
        let known = |id: ClaimRef| (id == marked.id).then(|| marked.clone());
        let reused = store.claims_with_id_reusing("1", &known).expect("claims");
        assert_eq!(reused[0], all[0]);
        assert_eq!(reused[1], marked);
        assert_eq!(reused[2], all[2]);
        let replacing = store.claims_replacing("ICN9").expect("claims");
        assert_eq!(replacing, [all[2].clone()]);
        assert_eq!(
            store
                .claims_replacing_reusing("ICN9", &none)
                .expect("claims"),
            replacing
        );
        let mut marked = all[2].clone();
        Arc::make_mut(&mut marked.claim).rendering_npi = "KNOWN".into();
        let known = |id: ClaimRef| (id == marked.id).then(|| marked.clone());
        assert_eq!(
            store
                .claims_replacing_reusing("ICN9", &known)
                .expect("claims"),
            [marked.clone()]
        );
        assert_eq!(
            store.claims_with_id_reusing("9", &known).expect("claims"),
            []
        );
    }

    /// Versions of one payment (payer and trace) are found in the order
    /// they were stored, and only theirs; a transaction is known again by
    /// its content or by its semantic fingerprint; an applied one keeps
    /// its payment order.
    #[test]
    fn versions_of_a_trace_chain_in_order_and_states_follow_them() {
        let mut store = MemoryStore::new();
        let mut ids = Vec::new();
        for (trace, hash, semantic) in [
            ("T1", 1, "s1"),
            ("T2", 2, "s2"),
            ("T1", 3, "s3"),
            ("T1", 4, "s4"),
        ] {
            match store.ingest_transaction(transaction(trace, hash, semantic)) {
                Ok(Ingested::New(id)) => ids.push(id),
                other => panic!("not new: {other:?}"),
            }
        }
        let versions = |store: &MemoryStore, trace| -> Vec<TransactionRef> {
            let found = store.trace_versions("12345", trace).expect("versions");
            found.iter().map(|v| v.id).collect()
        };
        assert_eq!(versions(&store, "T1"), [ids[0], ids[2], ids[3]]);
        assert_eq!(versions(&store, "T2"), [ids[1]]);
        assert!(versions(&store, "T3").is_empty());
        // The same bytes, or the same payment sent with other bytes.
        for again in [transaction("T9", 2, "other"), transaction("T9", 9, "s3")] {
            assert!(matches!(
                store.ingest_transaction(again),
                Ok(Ingested::Known(_))
            ));
        }
        store.prepare_decide().expect("prepared");
        let order = store.pending().expect("pending");
        assert_eq!(order.len(), 4);
        let (key, first) = order[0].clone();
        assert!(store.begin_decide(first).expect("begins"));
        store.load_pending(first).expect("loads");
        store.commit_decide(first).expect("commits");
        assert_eq!(
            store.transaction_state(first).expect("state"),
            RemittanceState::Applied(key)
        );
        assert!(!store.begin_decide(first).expect("begins"));
        store.supersede(ids[2], ids[3]).expect("replaced");
        assert_eq!(
            store.transaction_state(ids[2]).expect("state"),
            RemittanceState::Replaced
        );
        assert_eq!(
            store.transaction_state(ids[3]).expect("state"),
            RemittanceState::Pending
        );
        // A replaced version is still listed among its trace's, superseded.
        let t1 = store.trace_versions("12345", "T1").expect("versions");
        let superseded: Vec<bool> = t1.iter().map(|v| v.superseded).collect();
        let listed: Vec<TransactionRef> = t1.iter().map(|v| v.id).collect();
        assert_eq!(listed.len(), superseded.len());
        assert!(
            listed.contains(&ids[2])
                && superseded[listed.iter().position(|&i| i == ids[2]).expect("there")]
        );
    }
}
