//! The two pipe-friendly stages that let a cluster run remit: `events`
//! turns X12 into one JSON record per 835 service-line event and per 837
//! claim, and `decide` turns a partition's records back into ledger rows
//! with the same engine and the same pure decision as `remit reconcile`.
//!
//! Records are partitioned by payee (the 835 payee NPI, the 837 billing
//! NPI): every claim, remittance and provider-level recovery of one
//! provider meets in one partition, so a partition decides exactly as one
//! machine would.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use crate::claim::BilledClaim;
use crate::history::{AckStore, ClaimStore, MemoryStore, StoreError, StoreResult};
use crate::lifecycle::{Acknowledgment, BatchReference};
use crate::line::{
    DecidedLine, LineEvent, RemittanceContext, RemittanceTransaction, TransactionFingerprint,
    event_key,
};
use crate::pipeline::{Config, InputContent, Observer, RunError};

/// One line of the `events` stream.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Record {
    /// One 835 event with its transaction.
    Remittance(RemittanceRecord),
    /// One billed 837 claim.
    Claim(ClaimRecord),
    /// An input that could not be used (nothing else came from it).
    Rejected(RejectedRecord),
    /// An acknowledgment (999, 277CA or 277 status) or an 837 batch
    /// number: no partition of its own, every partition gets it.
    Ack(AckRecord),
}

/// An acknowledgment, or the batch number of an 837 set, with its file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AckRecord {
    /// The file it came from.
    pub source: String,
    /// True for records of earlier runs (acknowledgments count the same).
    #[serde(default)]
    pub history: bool,
    /// The acknowledgment, when it is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ack: Option<Acknowledgment>,
    /// The batch number, when it is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<BatchReference>,
}

/// An input rejected by the `events` stage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedRecord {
    /// The file.
    pub source: String,
    /// Its first fatal finding.
    pub message: String,
}

/// An 835 event and everything needed to rebuild its transaction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemittanceRecord {
    /// The partition key: the payee.
    pub partition: String,
    /// The line's identity (without the ordinal), for sorting.
    pub line_key: String,
    /// The transaction's payment order, for sorting.
    pub order: String,
    /// True for records of earlier runs: they shape history, yield no rows.
    #[serde(default)]
    pub history: bool,
    /// The transaction's identity.
    pub fingerprint: TransactionFingerprint,
    /// The transaction's context.
    pub context: RemittanceContext,
    /// The event.
    pub event: LineEvent,
}

/// A billed claim.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimRecord {
    /// The partition key: the billing provider.
    pub partition: String,
    /// The file it came from.
    pub source: String,
    /// True for records of earlier runs.
    #[serde(default)]
    pub history: bool,
    /// The claim.
    pub claim: BilledClaim,
}

impl Record {
    /// The partition the record belongs to.
    pub fn partition(&self) -> &str {
        match self {
            Record::Remittance(r) => &r.partition,
            Record::Claim(c) => &c.partition,
            Record::Rejected(_) | Record::Ack(_) => "",
        }
    }

    /// Marks the record as coming from an earlier run.
    pub fn into_history(mut self) -> Self {
        match &mut self {
            Record::Remittance(r) => r.history = true,
            Record::Claim(c) => c.history = true,
            Record::Ack(a) => a.history = true,
            Record::Rejected(_) => {}
        }
        self
    }
}

/// The partition of an 835 transaction: its payee NPI, else its payee id.
pub fn remittance_partition(context: &RemittanceContext) -> String {
    let payee = if context.payee_npi.is_empty() {
        &context.payee_id
    } else {
        &context.payee_npi
    };
    payee.to_string()
}

/// The records of one input's content.
pub fn records(source: &str, content: &InputContent) -> Vec<Record> {
    let mut out = Vec::new();
    for claim in &content.claims {
        out.push(Record::Claim(ClaimRecord {
            partition: claim.billing_provider.npi.to_string(),
            source: source.to_string(),
            history: false,
            claim: claim.clone(),
        }));
    }
    for batch in &content.batches {
        out.push(Record::Ack(AckRecord {
            source: source.to_string(),
            history: false,
            ack: None,
            batch: Some(batch.clone()),
        }));
    }
    for ack in &content.acks {
        out.push(Record::Ack(AckRecord {
            source: source.to_string(),
            history: false,
            ack: Some(ack.clone()),
            batch: None,
        }));
    }
    for tx in &content.transactions {
        let partition = remittance_partition(&tx.context);
        let order = order_text(tx);
        for event in &tx.events {
            out.push(Record::Remittance(RemittanceRecord {
                partition: partition.clone(),
                line_key: event_key(event).to_string(),
                order: order.clone(),
                history: false,
                fingerprint: tx.fingerprint.clone(),
                context: (*tx.context).clone(),
                event: event.clone(),
            }));
        }
    }
    out
}

/// The order key as sortable text.
fn order_text(tx: &RemittanceTransaction) -> String {
    let (paid, produced, isa, st, trace, hash) = tx.order_key();
    let date = |d: Option<jiff::civil::Date>| d.map(|d| d.to_string()).unwrap_or_default();
    format!(
        "{}|{}|{isa}|{st}|{trace}|{hash:016x}",
        date(paid),
        date(produced)
    )
}

/// Which transaction a record belongs to: history copies first (so that a
/// transaction already in history is the one applied and a copy of it
/// today is skipped, as `remit reconcile --db` skips it), then by file,
/// then by identity. Identical copies of it (the same file read twice) are
/// told apart by their event sequence numbers: see [`Partition::add_event`].
type CopyKey = (bool, String, u64, String);

/// One copy of a transaction being rebuilt.
#[derive(Debug)]
struct Copy {
    tx: RemittanceTransaction,
    history: bool,
    sequences: HashSet<u32>,
}

/// Everything one partition (provider) holds, rebuilt from records: what
/// [`decide_partition`] decides. Records go in in any order.
#[derive(Debug, Default)]
pub struct Partition {
    claims: Vec<(String, BilledClaim, bool)>,
    /// The slots of [`Partition::transaction`], by key.
    slots: HashMap<CopyKey, usize>,
    /// Per slot: its key and its copies, in the order they were made.
    copies: Vec<(CopyKey, Vec<Copy>)>,
}

/// A transaction's place in a [`Partition`] (from [`Partition::transaction`]):
/// looked up once per transaction rather than once per event, so that an
/// event costs no copy of the file name or the fingerprint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot(usize);

impl Partition {
    /// Adds a billed claim read from `source`.
    pub fn add_claim(&mut self, source: String, claim: BilledClaim, history: bool) {
        self.claims.push((source, claim, history));
    }

    /// The slot of the transaction with `context` and `fingerprint`.
    pub fn transaction(
        &mut self,
        history: bool,
        context: &RemittanceContext,
        fingerprint: &TransactionFingerprint,
    ) -> Slot {
        let key: CopyKey = (
            !history,
            context.source.clone(),
            fingerprint.content_hash,
            fingerprint.semantic.clone(),
        );
        let copies = &mut self.copies;
        Slot(*self.slots.entry(key).or_insert_with_key(|key| {
            copies.push((key.clone(), Vec::new()));
            copies.len() - 1
        }))
    }

    /// Adds an event of the transaction in `slot`: to the first copy of it
    /// that has no event with this sequence number yet, else to a new
    /// copy, whose context `context` gives (called only then: the first
    /// event of a copy gives the copy its context, as the records came).
    /// Every event of a copy shares the copy's context.
    pub fn add_event(
        &mut self,
        slot: Slot,
        history: bool,
        fingerprint: &TransactionFingerprint,
        mut event: LineEvent,
        context: impl FnOnce() -> Arc<RemittanceContext>,
    ) {
        let copies = &mut self.copies[slot.0].1;
        let at = match copies
            .iter()
            .position(|c| !c.sequences.contains(&event.sequence))
        {
            Some(at) => at,
            None => {
                let mut context = context();
                // Each copy its own context: rows are told apart by it
                // (`FromHistory`), and a shared one would join two copies.
                if copies.iter().any(|c| Arc::ptr_eq(&c.tx.context, &context)) {
                    context = Arc::new((*context).clone());
                }
                copies.push(Copy {
                    tx: RemittanceTransaction {
                        context,
                        events: Vec::new(),
                        fingerprint: fingerprint.clone(),
                    },
                    history,
                    sequences: HashSet::new(),
                });
                copies.len() - 1
            }
        };
        let copy = &mut copies[at];
        copy.sequences.insert(event.sequence);
        event.context = Arc::clone(&copy.tx.context);
        copy.tx.events.push(event);
    }

    /// The copies of every transaction in the order they are ingested: by
    /// key, then in the order each key's copies were made.
    fn into_copies(self) -> impl Iterator<Item = Copy> {
        let mut copies = self.copies;
        copies.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        copies.into_iter().flat_map(|(_, copies)| copies)
    }
}

/// Decides records of any number of partitions; rows of history records
/// are not returned. Rows come partition by partition, each in payment
/// order followed by its NO_REMITTANCE rows.
pub fn decide_records(
    records: impl IntoIterator<Item = Record>,
    config: &Config,
) -> StoreResult<Vec<DecidedLine>> {
    let mut partitions: BTreeMap<String, Partition> = BTreeMap::new();
    let mut acks = Vec::new();
    for record in records {
        if matches!(record, Record::Rejected(_)) {
            continue;
        }
        if let Record::Ack(a) = record {
            acks.push(a);
            continue;
        }
        let partition = partitions
            .entry(record.partition().to_string())
            .or_default();
        match record {
            Record::Claim(c) => partition.add_claim(c.source, c.claim, c.history),
            Record::Remittance(r) => {
                let slot = partition.transaction(r.history, &r.context, &r.fingerprint);
                let context = r.context;
                partition.add_event(slot, r.history, &r.fingerprint, r.event, || {
                    Arc::new(context)
                });
            }
            Record::Rejected(_) | Record::Ack(_) => {}
        }
    }
    order_acks(&mut acks);
    let mut rows = Vec::new();
    for (_, partition) in partitions {
        decide_partition(partition, &acks, config, |row| {
            rows.push(row.clone());
            Ok::<(), StoreError>(())
        })
        .map_err(|e| match e {
            RunError::Ingest { error, .. } | RunError::Store(error) | RunError::Sink(error) => {
                error
            }
        })?;
    }
    Ok(rows)
}

/// Puts acknowledgments in the order `remit reconcile` reads them (by
/// file; a stable sort, so one file's stay in their order), the order
/// [`decide_partition`] takes them in.
pub fn order_acks(acks: &mut [AckRecord]) {
    acks.sort_by(|a, b| a.source.cmp(&b.source));
}

/// Decides one partition with `acks` (in [`order_acks`]' order), handing
/// each row of this run to `on_row` as the engine makes it (rows of
/// history records are not handed): in payment order, then the
/// NO_REMITTANCE rows.
pub fn decide_partition<E>(
    mut partition: Partition,
    acks: &[AckRecord],
    config: &Config,
    mut on_row: impl FnMut(&DecidedLine) -> Result<(), E>,
) -> Result<(), RunError<E>> {
    let mut store = MemoryStore::new();
    for a in acks {
        if let Some(batch) = &a.batch {
            store.note_batches(std::slice::from_ref(batch))?;
        }
        if let Some(ack) = &a.ack {
            store.ingest_acks(&a.source, std::slice::from_ref(ack))?;
        }
    }
    // Claims go in as `remit reconcile` reads them, file by file in name
    // order: of two copies of one claim (the same content in two files),
    // the first kept is then the same one whatever order the records came in.
    let mut claims = std::mem::take(&mut partition.claims);
    claims.sort_by(|a, b| (&a.0, a.1.pos.byte).cmp(&(&b.0, b.1.pos.byte)));
    for (source, claim, _) in &claims {
        store.ingest_claim(source, claim)?;
    }
    drop(claims);
    // Transactions of earlier runs shape the history but yield no rows; they
    // are recognised by their context, which their rows share.
    let skipping = AtomicBool::new(false);
    let mut history = FromHistory {
        contexts: HashSet::new(),
        skipping: &skipping,
    };
    for Copy {
        mut tx,
        history: old,
        ..
    } in partition.into_copies()
    {
        tx.events.sort_by_key(|e| e.sequence);
        if tx
            .context
            .payment_or_production_date()
            .is_some_and(|d| d > config.as_of())
        {
            continue;
        }
        // The store keeps the transaction, and with it this context: its
        // address names the rows of an earlier run while deciding.
        let context = Arc::as_ptr(&tx.context) as usize;
        crate::pipeline::ingest_remittance(&mut store, tx)?;
        if old {
            history.contexts.insert(context);
        }
    }
    crate::pipeline::decide(config, &mut store, &mut history, |row| {
        if skipping.load(Ordering::Relaxed) {
            Ok(())
        } else {
            on_row(row)
        }
    })?;
    Ok(())
}

/// Tells the rows of transactions from earlier runs (skipped) from this
/// run's, transaction by transaction; the NO_REMITTANCE rows that follow
/// are this run's.
struct FromHistory<'a> {
    contexts: HashSet<usize>,
    skipping: &'a AtomicBool,
}

impl Observer for FromHistory<'_> {
    fn transaction(&mut self, rows: &[DecidedLine]) {
        let old = rows.first().is_some_and(|r| {
            self.contexts
                .contains(&(Arc::as_ptr(&r.event.context) as usize))
        });
        self.skipping.store(old, Ordering::Relaxed);
    }

    fn decided(&mut self) {
        self.skipping.store(false, Ordering::Relaxed);
    }
}
