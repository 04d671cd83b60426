//! The history of every service line's adjudications, behind one trait so
//! that the same reconciliation runs against memory (tests, one-off runs,
//! benchmarks) or an embedded database (`--db`).
//!
//! A store keeps: every 835 transaction applied (so nothing is counted
//! twice), each line's past events with the decision about them, which lines
//! belong to which claim (so a provider-level recovery finds the money it
//! takes back), and every billed 837 claim with which of its lines were
//! answered. Work happens in two phases: *ingest* adds a file's transactions
//! (pending) and claims atomically; *decide* applies pending transactions in
//! payment order, one store transaction each.

pub mod acks;
mod arena;
mod few;
mod interner;
mod lines;
pub mod memory;
pub mod sqlite;
mod table;

use crate::claim::{BilledClaim, HeldClaim, PackedClaim, SharedBatch};
use crate::line::{
    DecidedLine, LineHistory, LineKey, OrderKey, PackedTransaction, PriorEvent,
    RemittanceTransaction,
};
use crate::reconcile::claims::{ClaimRef, ClaimSource, Known, StoredClaim};
use crate::reconcile::versions::{StoredVersion, TransactionRef};
use crate::text::Text;

pub use acks::AckStore;
pub use memory::MemoryStore;
pub use sqlite::SqliteStore;

/// A billed line no remittance answered for certain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenLine {
    /// Its index in the claim's lines.
    pub line: usize,
    /// True when a remittance fitted it and a line of another claim
    /// equally well, so it may have been answered.
    pub contested: bool,
}

/// What ingesting a remittance transaction did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ingested {
    /// Stored as pending.
    New(TransactionRef),
    /// Already in the store (same bytes or same payer, trace, ST02,
    /// amounts): the stored transaction it repeats.
    Known(TransactionRef),
}

/// Where a stored remittance transaction stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RemittanceState {
    /// Not applied yet (ingested by this run, or by one that stopped
    /// before deciding it).
    Pending,
    /// Applied and still the remittance, at this place in payment order
    /// (the key [`HistoryStore::pending`] sorts by).
    Applied(OrderKey),
    /// A corrected version replaced it (before or after it was applied):
    /// what changed is the correction's to show.
    Replaced,
}

/// What kind of failure a backend reported, in words any backend can use
/// (so that callers decide what to say without knowing SQLite).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The file is not a database of this backend at all.
    NotADatabase,
    /// Another process holds the store and did not let go in time.
    Busy,
    /// Anything else (a full disk, a corrupt page, an I/O error…).
    Other,
}

/// Why the store failed. Messages name the store and what it was doing,
/// never a patient's data: stores hold names and member ids, and errors
/// go to logs.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The backend (the database) failed while doing `operation`.
    #[error("history store: {}{source}", operation_prefix(operation))]
    Backend {
        /// What the store was doing, e.g. "reading a line's history"
        /// (empty when not known).
        operation: &'static str,
        /// What kind of failure it was.
        failure: Failure,
        /// The backend's own error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A stored value could not be read back.
    #[error("history store: stored data is unreadable: {0}")]
    Data(String),
    /// An input a run keeps only the place of (see `pipeline::reread`)
    /// could not be read again, or changed since it was first read: the
    /// message names it and where.
    #[error("{0}")]
    Input(String),
    /// The file was written by a newer remit.
    #[error(
        "history store {path}: schema version {found} is newer than this remit understands ({supported}); upgrade remit — the store was not changed"
    )]
    TooNew {
        /// The store file.
        path: String,
        /// Its schema version.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },
    /// The file is not a remit store.
    #[error("history store {0}: not a remit history store")]
    Foreign(String),
    /// An operation failed, and undoing what it had done failed too (the
    /// backend drops the unfinished work when the store is closed).
    #[error("{failed}; undoing it failed too: {undo}")]
    UndoFailed {
        /// The first failure.
        #[source]
        failed: Box<StoreError>,
        /// Why undoing failed.
        undo: Box<StoreError>,
    },
    /// The file could not be created or its permissions set.
    #[error("history store {path}: {source}")]
    Io {
        /// The store file.
        path: String,
        /// The failure.
        source: std::io::Error,
    },
}

fn operation_prefix(operation: &str) -> String {
    if operation.is_empty() {
        String::new()
    } else {
        format!("{operation}: ")
    }
}

impl StoreError {
    /// A backend failure of kind `failure`.
    pub fn backend(
        failure: Failure,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> StoreError {
        StoreError::Backend {
            operation: "",
            failure,
            source: source.into(),
        }
    }

    /// The backend's kind of failure, if the backend failed.
    pub fn failure(&self) -> Option<Failure> {
        match self {
            StoreError::Backend { failure, .. } => Some(*failure),
            StoreError::UndoFailed { failed, .. } => failed.failure(),
            _ => None,
        }
    }

    /// This failure, with the failure of undoing it: neither is dropped.
    pub fn and_undo_failed(self, undo: StoreError) -> StoreError {
        StoreError::UndoFailed {
            failed: Box::new(self),
            undo: Box::new(undo),
        }
    }

    /// Says what the store was doing, unless a closer caller said it.
    pub fn during(mut self, what: &'static str) -> StoreError {
        if let StoreError::Backend { operation, .. } = &mut self
            && operation.is_empty()
        {
            *operation = what;
        }
        self
    }
}

/// Adds the operation to a store error (see [`StoreError::during`]).
pub trait During<T> {
    /// `self` with the operation named when it failed.
    fn during(self, what: &'static str) -> StoreResult<T>;
}

impl<T> During<T> for StoreResult<T> {
    fn during(self, what: &'static str) -> StoreResult<T> {
        self.map_err(|e| e.during(what))
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Data(e.to_string())
    }
}

/// Result of store operations.
pub type StoreResult<T> = Result<T, StoreError>;

/// Billed claims handed out to be decoded on another thread, each by the
/// store's own index ([`HistoryStore::claims_to_decode`]), with the batch
/// it is read again from (see [`HeldClaim::unpack`]).
pub type ClaimCopies = Vec<(usize, HeldClaim, Option<SharedBatch>)>;

/// Those claims decoded (those that did not decode are left out: the
/// store decodes them again when asked, and says why they fail).
pub type DecodedClaims = Vec<(usize, BilledClaim)>;

/// Where line histories and applied transactions live: the core a
/// decision reads and writes. The versions of a remittance
/// ([`VersionStore`]), the billed claims ([`ClaimStore`]) and the
/// acknowledgments ([`AckStore`]) are the store's other faces; every store
/// has all four.
///
/// Readers fill a buffer the caller owns (as `csv::Reader::read_byte_record`
/// does): deciding reads one history per event, and reusing one buffer
/// keeps that from allocating a history per event.
///
/// `Send`: with more than one job a run decides on a thread of its own
/// while the caller's thread writes the rows (`pipeline::handoff`).
pub trait HistoryStore: VersionStore + ClaimStore + AckStore + Send {
    /// Starts ingesting one file: everything until [`HistoryStore::commit_file`]
    /// lands together or not at all.
    fn begin_file(&mut self) -> StoreResult<()>;
    /// Makes the file's ingest permanent.
    fn commit_file(&mut self) -> StoreResult<()>;
    /// Forgets the file's ingest.
    fn rollback_file(&mut self) -> StoreResult<()>;
    /// Adds a remittance transaction as pending, unless it is already known.
    /// Takes it by value: the memory store keeps it as it is (a clone would
    /// hold every transaction of a run twice until the inputs are dropped).
    fn ingest_transaction(&mut self, tx: RemittanceTransaction) -> StoreResult<Ingested>;
    /// [`HistoryStore::ingest_transaction`] of a transaction read packed:
    /// a store that keeps pending transactions in memory keeps it packed;
    /// the others unpack it to store it their way.
    fn ingest_packed(&mut self, tx: PackedTransaction) -> StoreResult<Ingested> {
        let tx = tx.into_transaction().map_err(StoreError::Data)?;
        self.ingest_transaction(tx)
    }

    /// True when the store keeps what it ingests outside memory (a file):
    /// a run then ingests each input while it is read, inside the file's
    /// store transaction, holding one 835 transaction or 837 claim at a
    /// time rather than whole inputs read ahead (issue 17: `--db` RSS
    /// flat). A store in memory holds every transaction anyway: inputs are
    /// read ahead on all cores.
    fn ingests_while_reading(&self) -> bool {
        false
    }

    /// True when the store holds pending transactions and billed claims in
    /// memory as they come (`ingest_packed`, `ingest_packed_claim`): a run
    /// then hands it, for inputs that can be read again, where each one is
    /// rather than its content (`pipeline::reread`). A store that writes
    /// them elsewhere would only read them again to store them.
    fn reads_pending_again(&self) -> bool {
        false
    }

    /// A new, empty store of this kind, to decide into a part of a run's
    /// inputs that shares nothing a decision reads with the others, on a
    /// thread of its own (`pipeline::partition`) — only when this store is
    /// empty, holds everything in memory and keeps nothing for after the
    /// run: a run that splits leaves this store empty. `None` (the default)
    /// keeps the run in this store.
    fn empty_part(&self) -> Option<Box<dyn HistoryStore>> {
        None
    }

    /// Called once every input is stored, before the pending transactions
    /// are applied: a store that holds its state in memory makes room, from
    /// the pending transactions' sizes, for what applying them adds (issue
    /// 17: tables sized once, not doubled at the run's peak).
    fn prepare_decide(&mut self) -> StoreResult<()> {
        Ok(())
    }

    /// Pending transactions in the order they must be applied.
    fn pending(&self) -> StoreResult<Vec<(OrderKey, TransactionRef)>>;
    /// A pending transaction's events.
    fn load_pending(&mut self, id: TransactionRef) -> StoreResult<RemittanceTransaction>;
    /// A copy of what a pending transaction holds, for another thread to
    /// decode ([`PackedTransaction::unpack`]: MessagePack, or the input read
    /// again) ahead of its turn; its decoded events then go to
    /// [`HistoryStore::load_decoded`] instead of calling
    /// [`HistoryStore::load_pending`]. `None` (the default) when there is
    /// nothing worth decoding elsewhere: a store that reads its
    /// transactions itself, or one held parsed.
    fn pending_to_decode(&self, _id: TransactionRef) -> Option<PackedTransaction> {
        None
    }
    /// [`HistoryStore::load_pending`] for a transaction whose copy from
    /// [`HistoryStore::pending_to_decode`] was decoded into `decoded`
    /// (the error: why it did not decode), with `claims` decoded from
    /// [`HistoryStore::claims_to_decode`] for it: the store reads them
    /// rather than decode them while this transaction is decided. By
    /// default, loads it again.
    fn load_decoded(
        &mut self,
        id: TransactionRef,
        decoded: Result<RemittanceTransaction, String>,
        claims: DecodedClaims,
    ) -> StoreResult<RemittanceTransaction> {
        drop((decoded, claims));
        self.load_pending(id)
    }
    /// Copies of the billed claims with these CLM01s (those a payment with
    /// that CLP01 is matched against), for another thread to decode ahead
    /// of the transaction's turn, by the store's own index; at most a few a
    /// CLM01 (a CLM01 many claims share is indexed by the engine, not read
    /// claim by claim). Empty (the default) when the store's claims need
    /// no decoding or it reads them itself.
    fn claims_to_decode(&self, _clm01s: &[&str]) -> ClaimCopies {
        Vec::new()
    }
    /// Starts applying a pending transaction; false when another process
    /// applied it meanwhile (then nothing is to be done).
    fn begin_decide(&mut self, id: TransactionRef) -> StoreResult<bool>;
    /// Marks it applied; its decisions land together.
    fn commit_decide(&mut self, id: TransactionRef) -> StoreResult<()>;
    /// Whether a stored transaction is pending, applied, or replaced.
    fn transaction_state(&self, id: TransactionRef) -> StoreResult<RemittanceState>;
    /// The ledger rows an applied transaction's decision handed out, in
    /// that order, read back — so that a run given a remittance applied
    /// before still shows it in its ledger (issue 23: re-running after a
    /// crash yields the ledger of an uninterrupted run). Empty when `id`
    /// was not applied. A store that keeps no rows (a [`MemoryStore`] not
    /// made with [`MemoryStore::keeping_rows`]) fails rather than answer
    /// with none.
    fn decided_rows(&self, id: TransactionRef) -> StoreResult<Vec<DecidedLine>>;

    /// Before deciding: when facts arrived that decisions already made did
    /// not know (a claim those remittances may answer, a remittance that
    /// comes before them in payment order, a version of an applied
    /// remittance), undoes every decision and makes every transaction
    /// pending again, so that deciding in payment order gives what one run
    /// over everything stored gives. Says why, and how many transactions
    /// were decided before. A store that lives for one run (memory) has
    /// decided nothing before its facts arrive: it never replays.
    fn replay_out_of_order(&mut self) -> StoreResult<Replay> {
        Ok(Replay::default())
    }

    /// After a transaction was decided again by a replay: which of `rows`
    /// (its decision's rows) differ from what it had before. `None` when
    /// the transaction is decided for the first time.
    fn replayed(
        &mut self,
        _id: TransactionRef,
        _rows: &[DecidedLine],
    ) -> StoreResult<Option<Redecided>> {
        Ok(None)
    }

    /// Reads the history of a line into `history`, replacing what it held
    /// (left empty when the line is unknown).
    fn read_history(&self, key: &LineKey, history: &mut LineHistory) -> StoreResult<()>;
    /// Appends an event to a line's history, with its ledger row if it has one.
    fn record(
        &mut self,
        key: &LineKey,
        event: &PriorEvent,
        row: Option<&DecidedLine>,
    ) -> StoreResult<()>;
    /// The ordinal under which a line with this identity and REF*6R is known.
    fn ordinal_for_control(&self, key: &LineKey, control: &str) -> StoreResult<Option<u32>>;
    /// Lines of the claim a remittance names by CLP01 or CLP07.
    fn claim_lines(&self, payer: &str, payee: &str, claim_ref: &str) -> StoreResult<Vec<LineKey>>;
    /// Links a line to a reference (CLP01, CLP07) its claim is known by.
    fn link_claim(
        &mut self,
        payer: &str,
        payee: &str,
        claim_ref: &str,
        key: &LineKey,
    ) -> StoreResult<()>;
}

/// Why decisions a store held were made again, and what that changed
/// (see [`HistoryStore::replay_out_of_order`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Replay {
    /// Billed claims arrived that remittances decided before may answer
    /// (or the first claims, which change matching for every remittance).
    pub claims: bool,
    /// A remittance arrived that comes before (in payment order) one
    /// decided before.
    pub remittances: bool,
    /// A version of a remittance arrived that replaces, or is replaced
    /// by, one applied before.
    pub versions: bool,
    /// Acknowledgments arrived while a stored denial is for timely filing
    /// (CARC 29), which they may prove wrong.
    pub acknowledgments: bool,
    /// Transactions decided before and decided again now.
    pub transactions: usize,
    /// Rows of those transactions whose decision changed.
    pub changed_rows: usize,
    /// A replay was due but not made: this many transactions were decided
    /// by a remit older than the store's facts-keeping schema, which did
    /// not keep their events, so they cannot be decided again.
    pub blocked: u64,
}

impl Replay {
    /// True when facts arrived that earlier decisions did not know.
    pub fn due(&self) -> bool {
        self.claims || self.remittances || self.versions || self.acknowledgments
    }

    /// What arrived out of order, in words.
    pub fn cause(&self) -> String {
        let mut what = Vec::new();
        if self.claims {
            what.push("claims");
        }
        if self.remittances {
            what.push("remittances");
        }
        if self.versions {
            what.push("corrected remittance versions");
        }
        if self.acknowledgments {
            what.push("acknowledgments");
        }
        what.join(" and ")
    }
}

/// Which rows of a transaction decided again changed
/// (see [`HistoryStore::replayed`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Redecided {
    /// Rows the store now holds for it that it did not hold before.
    pub changed: usize,
    /// Per row handed back by the decision: true when the run shows it
    /// (it is new or changed).
    pub shown: Vec<bool>,
}

/// The versions of one payment's remittance (same payer and trace): which
/// replaces which, and taking a replaced one out of the line histories
/// (see `reconcile::versions`).
pub trait VersionStore {
    /// The other transactions stored with this payer key and trace, in the
    /// order they were stored. The memory store lists pending and replaced
    /// ones only: within one run every file is ingested before any is
    /// decided, so a version never arrives after its twin was applied.
    fn trace_versions(&self, payer: &str, trace: &str) -> StoreResult<Vec<StoredVersion>>;
    /// Records that `by` replaces `earlier` (a version of the same payment's
    /// remittance). A pending `earlier` will never be applied; an applied one
    /// stays in the line histories until `by` is applied (see
    /// [`VersionStore::retire`]).
    fn supersede(&mut self, earlier: TransactionRef, by: TransactionRef) -> StoreResult<()>;
    /// The versions `id` replaces, directly or through a version it
    /// replaces, that are not retired yet.
    fn replaced_versions(&self, id: TransactionRef) -> StoreResult<Vec<StoredVersion>>;
    /// Takes a replaced version out of the line histories: the events of an
    /// applied one stop counting (its rows stay, marked superseded); a
    /// never-applied one keeps `rows` (its rows, marked superseded) for
    /// `remit history`. Called while deciding the version that replaces it.
    fn retire(&mut self, id: TransactionRef, rows: &[DecidedLine]) -> StoreResult<()>;
}

/// The billed (837) claims: what claim matching reads, and which billed
/// lines a remittance answered.
pub trait ClaimStore {
    /// Adds a billed claim read from `source`; false when a claim with the
    /// same content (the claim's fingerprint) is already known — the same claim
    /// sent again, whatever its delimiters and envelope. Claims that share
    /// CLM01 but differ in anything billed are all kept.
    fn ingest_claim(&mut self, source: &str, claim: &BilledClaim) -> StoreResult<bool>;
    /// [`ClaimStore::ingest_claim`] of a claim read packed: a store that
    /// keeps claims in memory keeps it packed; the others unpack it to
    /// store it their way.
    fn ingest_packed_claim(&mut self, source: &str, claim: PackedClaim) -> StoreResult<bool> {
        let claim = claim.unpack().map_err(StoreError::Data)?;
        self.ingest_claim(source, &claim)
    }
    /// True when any billed claim is known.
    fn has_claims(&self) -> StoreResult<bool>;
    /// Billed claims with this CLM01.
    fn claims_with_id(&self, clm01: &str) -> StoreResult<Vec<StoredClaim>>;
    /// Billed claims whose REF*F8 names this ICN.
    fn claims_replacing(&self, icn: &str) -> StoreResult<Vec<StoredClaim>>;
    /// [`ClaimStore::claims_with_id`], taking each claim `known` holds
    /// (by its handle) as it is rather than reading it again: a store
    /// that can tell its claims' handles without reading them (one that
    /// keeps them packed in memory) saves decoding them. The answer is
    /// the same; by default the claims are all read.
    fn claims_with_id_reusing(
        &self,
        clm01: &str,
        known: Known<'_>,
    ) -> StoreResult<Vec<StoredClaim>> {
        let _ = known;
        self.claims_with_id(clm01)
    }
    /// [`ClaimStore::claims_replacing`], reusing what `known` holds as
    /// [`ClaimStore::claims_with_id_reusing`] does.
    fn claims_replacing_reusing(
        &self,
        icn: &str,
        known: Known<'_>,
    ) -> StoreResult<Vec<StoredClaim>> {
        let _ = known;
        self.claims_replacing(icn)
    }
    /// Remembers that CLP01 was adjudicated under ICN (CLP07).
    fn note_icn(&mut self, clp01: &str, icn: &str) -> StoreResult<()>;
    /// ICNs CLP01 was adjudicated under.
    fn icns_of(&self, clp01: &str) -> StoreResult<Vec<Text>>;
    /// CLP01s adjudicated under ICN.
    fn clp01s_of_icn(&self, icn: &str) -> StoreResult<Vec<Text>>;
    /// Remembers that the remittance matched to this billed claim carried
    /// ICN (CLP07): a replacement's REF*F8 then names this very claim,
    /// even when others share its CLM01.
    fn note_claim_icn(&mut self, claim: ClaimRef, icn: &str) -> StoreResult<()>;
    /// Billed claims matched to a remittance that carried ICN.
    fn claims_paid_under(&self, icn: &str) -> StoreResult<Vec<StoredClaim>>;
    /// Marks a billed line answered by a remittance.
    fn mark_answered(&mut self, claim: ClaimRef, line: usize) -> StoreResult<()>;
    /// Marks a billed line that a remittance fits as well as a line of
    /// another claim (an ambiguous match); an answered line stays answered.
    fn mark_contested(&mut self, claim: ClaimRef, line: usize) -> StoreResult<()>;
    /// Billed claims with lines no remittance answered, and those lines.
    fn unanswered(&self) -> StoreResult<Vec<(StoredClaim, Vec<OpenLine>)>>;
}

/// The store answers the questions claim matching asks (see
/// `reconcile::claims::ClaimBook`).
impl ClaimSource for dyn HistoryStore + '_ {
    type Error = StoreError;

    fn claims_with_id(&self, clm01: &str) -> StoreResult<Vec<StoredClaim>> {
        ClaimStore::claims_with_id(self, clm01)
    }

    fn claims_replacing(&self, icn: &str) -> StoreResult<Vec<StoredClaim>> {
        ClaimStore::claims_replacing(self, icn)
    }

    fn claims_replacing_reusing(
        &self,
        icn: &str,
        known: Known<'_>,
    ) -> StoreResult<Vec<StoredClaim>> {
        ClaimStore::claims_replacing_reusing(self, icn, known)
    }

    fn claims_paid_under(&self, icn: &str) -> StoreResult<Vec<StoredClaim>> {
        ClaimStore::claims_paid_under(self, icn)
    }

    fn icns_of(&self, clp01: &str) -> StoreResult<Vec<Text>> {
        ClaimStore::icns_of(self, clp01)
    }

    fn clp01s_of_icn(&self, icn: &str) -> StoreResult<Vec<Text>> {
        ClaimStore::clp01s_of_icn(self, icn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backend_error_names_the_operation_once_and_keeps_its_kind() {
        let io = std::io::Error::other("disk I/O error");
        let e = StoreError::backend(Failure::Busy, io)
            .during("reading a line's history")
            .during("an outer caller");
        assert_eq!(
            e.to_string(),
            "history store: reading a line's history: disk I/O error"
        );
        assert_eq!(e.failure(), Some(Failure::Busy));
        let undone = StoreError::Data("stored kind \"?\"".into())
            .and_undo_failed(StoreError::backend(Failure::Other, "locked"));
        assert_eq!(
            undone.to_string(),
            "history store: stored data is unreadable: stored kind \"?\"; undoing it failed too: history store: locked"
        );
    }

    #[test]
    fn reading_a_history_replaces_what_the_buffer_held() {
        use crate::line::{LineKey, PriorEvent, Scope};
        let key = |claim: &str| LineKey {
            payer: "P".into(),
            payee: "1".into(),
            claim_id: claim.into(),
            member_id: "M".into(),
            service_date: None,
            procedure: "97110".into(),
            modifiers: Text::default(),
            ordinal: 0,
            scope: Scope::Line,
        };
        let mut store = MemoryStore::new();
        let event = PriorEvent {
            payment_date: None,
            trace: "T1".into(),
            paid: rust_decimal::Decimal::ONE,
            kind: crate::line::PriorKind::Payment,
            denial_reasons: Vec::new(),
            line_control: Text::default(),
            flags: Default::default(),
        };
        store.record(&key("A"), &event, None).unwrap();
        let mut history = LineHistory::default();
        store.read_history(&key("A"), &mut history).unwrap();
        assert_eq!(history.events.len(), 1);
        store.read_history(&key("B"), &mut history).unwrap();
        assert!(history.events.is_empty(), "an unknown line reads as empty");
    }
}
