//! Phase one of a run: each usable input's claims and remittance
//! transactions go into the store in one store transaction (all or
//! nothing); transactions already known, or dated after the as-of date,
//! are left out and reported. A transaction with the payer and trace of a
//! stored one is placed among the versions of that payment's remittance
//! here (`reconcile::versions`), so that which version counts never depends
//! on the order files arrive in.

use jiff::civil::Date;

use super::input::{InputContent, ReadItem};
use crate::claim::PackedClaim;
use crate::history::{During, HistoryStore, Ingested, RemittanceState, StoreError, StoreResult};
use crate::line::{PackedTransaction, RemittanceTransaction, payer_key};
use crate::reconcile::versions::TransactionRef;
use crate::reconcile::versions::{self, Placement};

/// What ingesting one input did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct IngestReport {
    /// Remittance transactions stored as pending.
    pub transactions: usize,
    /// Transactions an earlier run applied: (ST02, trace, the stored
    /// transaction). Not applied again; their rows are read back from the
    /// store into this run's ledger (see `pipeline::decide_covering`).
    pub applied_before: Vec<(String, String, TransactionRef)>,
    /// Copies of a transaction stored but not applied yet — given twice in
    /// this run's inputs, or ingested by a run killed before it decided
    /// it: (ST02, trace). Decided once, by this run.
    pub repeated: Vec<(String, String)>,
    /// Copies of a transaction a corrected version replaced: (ST02,
    /// trace). Not applied; the correction's rows say what changed.
    pub replaced: Vec<(String, String)>,
    /// Transactions dated after the as-of date (not stored).
    pub after_as_of: usize,
    /// Earlier versions of a remittance whose later version was already
    /// applied: (ST02, trace, the applied version). Stored, never applied.
    pub older_versions: Vec<(String, String, String)>,
    /// Billed claims stored.
    pub claims: usize,
    /// Service lines of the billed claims stored.
    pub claim_lines: usize,
    /// Σ CLM02 of the billed claims stored: what `line::figures::BILLED`
    /// sums.
    pub claim_charges: rust_decimal::Decimal,
    /// Billed claims already in the store (the same content: the same
    /// claim fingerprint).
    pub known_claims: usize,
    /// Acknowledgments (TA1, 999, 277CA/277 statuses) new to the store.
    pub acks: usize,
}

/// Ingests one input's content; nothing is stored when anything fails.
/// Its transactions are copied into the store: a caller done with the
/// content hands it over with [`ingest_owned`] instead.
pub fn ingest(
    store: &mut dyn HistoryStore,
    source: &str,
    content: &InputContent,
    as_of: Date,
) -> StoreResult<IngestReport> {
    let parsed = content.transactions.iter().cloned();
    let transactions = parsed
        .map(PackedTransaction::parsed)
        .chain(content.packed.iter().cloned());
    let claims = content.claims.iter().cloned().map(PackedClaim::parsed);
    let claims = claims.chain(content.packed_claims.iter().cloned());
    ingest_file(store, source, content, claims, transactions, as_of)
}

/// [`ingest`] of content the caller is done with: its transactions move
/// into the store rather than being copied, so a run does not hold every
/// parsed transaction twice (issue 17).
pub fn ingest_owned(
    store: &mut dyn HistoryStore,
    source: &str,
    mut content: InputContent,
    as_of: Date,
) -> StoreResult<IngestReport> {
    let parsed = std::mem::take(&mut content.transactions);
    let packed = std::mem::take(&mut content.packed);
    let transactions = parsed
        .into_iter()
        .map(PackedTransaction::parsed)
        .chain(packed);
    let claims = std::mem::take(&mut content.claims);
    let packed_claims = std::mem::take(&mut content.packed_claims);
    let claims = claims
        .into_iter()
        .map(PackedClaim::parsed)
        .chain(packed_claims);
    ingest_file(store, source, &content, claims, transactions, as_of)
}

/// One store transaction per file around [`ingest_all`].
fn ingest_file(
    store: &mut dyn HistoryStore,
    source: &str,
    content: &InputContent,
    claims: impl IntoIterator<Item = PackedClaim>,
    transactions: impl IntoIterator<Item = PackedTransaction>,
    as_of: Date,
) -> StoreResult<IngestReport> {
    in_file(store, |store| {
        ingest_all(store, source, content, claims, transactions, as_of)
    })
}

/// Which list of an [`IngestReport`] a transaction was noted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Noted {
    /// [`IngestReport::applied_before`].
    AppliedBefore,
    /// [`IngestReport::repeated`].
    Repeated,
    /// [`IngestReport::replaced`].
    Replaced,
    /// [`IngestReport::older_versions`].
    Older,
}

/// Ingests a piece of one input (see `pipeline::parts`): some of its
/// claims and transactions, each transaction with its place among the
/// input's, and its batch numbers, in one store transaction as a whole
/// file is. Returns the piece's report and, for each transaction noted in
/// one of its lists, its place and which list (in the lists' order), so
/// that the reports of an input's pieces are put together in the order a
/// whole file's ingest gives ([`join_pieces`]).
pub fn ingest_piece(
    store: &mut dyn HistoryStore,
    source: &str,
    extras: &InputContent,
    claims: Vec<PackedClaim>,
    transactions: Vec<(u32, PackedTransaction)>,
    as_of: Date,
) -> StoreResult<(IngestReport, Vec<(u32, Noted)>)> {
    in_file(store, |store| {
        let mut report = IngestReport::default();
        let mut noted = Vec::new();
        ingest_extras(store, source, extras, &mut report)?;
        for claim in claims {
            ingest_claim(store, source, claim, &mut report)?;
        }
        for (at, tx) in transactions {
            let before = lists(&report);
            ingest_transaction(store, tx, as_of, &mut report)?;
            let after = lists(&report);
            let which = [
                Noted::AppliedBefore,
                Noted::Repeated,
                Noted::Replaced,
                Noted::Older,
            ];
            for ((b, a), which) in before.into_iter().zip(after).zip(which) {
                if a > b {
                    noted.push((at, which));
                }
            }
        }
        Ok((report, noted))
    })
}

/// The lengths of a report's lists, in [`Noted`] order.
fn lists(r: &IngestReport) -> [usize; 4] {
    [
        r.applied_before.len(),
        r.repeated.len(),
        r.replaced.len(),
        r.older_versions.len(),
    ]
}

/// The report of a whole input from those of its pieces
/// ([`ingest_piece`]): counts summed, and the lists' entries in the order
/// of the transactions they name, as ingesting the whole file lists them.
pub fn join_pieces(pieces: Vec<(IngestReport, Vec<(u32, Noted)>)>) -> IngestReport {
    enum Entry {
        AppliedBefore((String, String, TransactionRef)),
        Repeated((String, String)),
        Replaced((String, String)),
        Older((String, String, String)),
    }
    let mut joined = IngestReport::default();
    let mut entries = Vec::new();
    for (r, noted) in pieces {
        joined.transactions += r.transactions;
        joined.after_as_of += r.after_as_of;
        joined.claims += r.claims;
        joined.claim_lines += r.claim_lines;
        joined.claim_charges += r.claim_charges;
        joined.known_claims += r.known_claims;
        joined.acks += r.acks;
        let mut applied = r.applied_before.into_iter();
        let mut repeated = r.repeated.into_iter();
        let mut replaced = r.replaced.into_iter();
        let mut older = r.older_versions.into_iter();
        for (at, which) in noted {
            let entry = match which {
                Noted::AppliedBefore => applied.next().map(Entry::AppliedBefore),
                Noted::Repeated => repeated.next().map(Entry::Repeated),
                Noted::Replaced => replaced.next().map(Entry::Replaced),
                Noted::Older => older.next().map(Entry::Older),
            };
            entries.extend(entry.map(|e| (at, e)));
        }
    }
    // Stable: a transaction noted twice keeps its order.
    entries.sort_by_key(|(at, _)| *at);
    for (_, entry) in entries {
        match entry {
            Entry::AppliedBefore(e) => joined.applied_before.push(e),
            Entry::Repeated(e) => joined.repeated.push(e),
            Entry::Replaced(e) => joined.replaced.push(e),
            Entry::Older(e) => joined.older_versions.push(e),
        }
    }
    joined
}

/// `ingest` in one store transaction: its claims and remittances land
/// together or not at all.
fn in_file<T>(
    store: &mut dyn HistoryStore,
    ingest: impl FnOnce(&mut dyn HistoryStore) -> StoreResult<T>,
) -> StoreResult<T> {
    // One store transaction per file: its claims and remittances land
    // together or not at all, so a file that fails halfway leaves nothing
    // behind, and a rerun ingests it whole (nothing looks "already known").
    store.begin_file().during("starting a file's ingest")?;
    match ingest(store) {
        Ok(report) => {
            store.commit_file().during("committing a file's ingest")?;
            Ok(report)
        }
        // The ingest error is the one to report; should the rollback fail
        // too, both are (the transaction stays uncommitted, and SQLite
        // drops an uncommitted transaction when the connection closes).
        Err(e) => match store.rollback_file() {
            Ok(()) => Err(e),
            Err(undo) => Err(e.and_undo_failed(undo.during("undoing a file's ingest"))),
        },
    }
}

/// Stores `content`'s batch numbers and acknowledgments, then `claims`
/// and `transactions` (its claims and remittances, copied or moved by the
/// caller).
fn ingest_all(
    store: &mut dyn HistoryStore,
    source: &str,
    content: &InputContent,
    claims: impl IntoIterator<Item = PackedClaim>,
    transactions: impl IntoIterator<Item = PackedTransaction>,
    as_of: Date,
) -> StoreResult<IngestReport> {
    let mut report = IngestReport::default();
    ingest_extras(store, source, content, &mut report)?;
    for claim in claims {
        ingest_claim(store, source, claim, &mut report)?;
    }
    for tx in transactions {
        ingest_transaction(store, tx, as_of, &mut report)?;
    }
    Ok(report)
}

/// Stores a file's batch numbers and acknowledgments.
fn ingest_extras(
    store: &mut dyn HistoryStore,
    source: &str,
    content: &InputContent,
    report: &mut IngestReport,
) -> StoreResult<()> {
    store.note_batches(&content.batches)?;
    report.acks = store.ingest_acks(source, &content.acks)?;
    Ok(())
}

/// Stores one billed claim, counting it in `report`.
fn ingest_claim(
    store: &mut dyn HistoryStore,
    source: &str,
    claim: PackedClaim,
    report: &mut IngestReport,
) -> StoreResult<()> {
    let (lines, charge) = (claim.lines as usize, claim.charge);
    if store
        .ingest_packed_claim(source, claim)
        .during("storing a billed claim")?
    {
        report.claims += 1;
        report.claim_lines += lines;
        report.claim_charges += charge;
    } else {
        report.known_claims += 1;
    }
    Ok(())
}

/// Stores one remittance transaction, saying in `report` what became of it.
fn ingest_transaction(
    store: &mut dyn HistoryStore,
    tx: PackedTransaction,
    as_of: Date,
    report: &mut IngestReport,
) -> StoreResult<()> {
    let c = tx.context().map_err(StoreError::Input)?;
    // Not stored at all (rather than stored and skipped): a later run
    // with a later --as-of reads the same file and finds it new.
    if c.payment_or_production_date().is_some_and(|d| d > as_of) {
        report.after_as_of += 1;
        return Ok(());
    }
    match ingest_packed(store, tx)? {
        Remittance::New => report.transactions += 1,
        Remittance::Known(id) => {
            let (control, trace) = (c.transaction.to_string(), c.trace.to_string());
            match store
                .transaction_state(id)
                .during("asking whether a transaction was applied")?
            {
                RemittanceState::Applied(_) => report.applied_before.push((control, trace, id)),
                RemittanceState::Pending => report.repeated.push((control, trace)),
                RemittanceState::Replaced => report.replaced.push((control, trace)),
            }
        }
        Remittance::Older(current) => {
            report
                .older_versions
                .push((c.transaction.to_string(), c.trace.to_string(), current))
        }
    }
    Ok(())
}

/// One file ingested while it is read (see `read_input_streamed`): its
/// transactions and claims are stored as they come, inside the file's
/// store transaction, which is committed once the whole file is read and
/// usable, and rolled back otherwise — so a rejected file leaves nothing
/// behind and a killed run keeps whole files only, as [`ingest`] does.
pub struct FileIngest<'s> {
    store: &'s mut dyn HistoryStore,
    source: String,
    as_of: Date,
    report: IngestReport,
    /// The first failure: what follows is read and dropped.
    failed: Option<StoreError>,
}

impl<'s> FileIngest<'s> {
    /// Opens the file's store transaction.
    pub fn begin(
        store: &'s mut dyn HistoryStore,
        source: &str,
        as_of: Date,
    ) -> StoreResult<FileIngest<'s>> {
        store.begin_file().during("starting a file's ingest")?;
        Ok(FileIngest {
            store,
            source: source.to_string(),
            as_of,
            report: IngestReport::default(),
            failed: None,
        })
    }

    /// Stores one transaction or claim of the file (nothing once a store
    /// operation failed).
    pub fn take(&mut self, item: ReadItem) {
        if self.failed.is_some() {
            return;
        }
        let done = match item {
            ReadItem::Claim(claim) => {
                ingest_claim(self.store, &self.source, claim, &mut self.report)
            }
            ReadItem::Transaction(tx) => {
                ingest_transaction(self.store, tx, self.as_of, &mut self.report)
            }
        };
        self.failed = done.err();
    }

    /// Ends the file, read whole as `content`: a usable one has its batch
    /// numbers and acknowledgments stored and is committed (its report
    /// returned); a rejected one is rolled back (`None`).
    pub fn finish(
        mut self,
        content: &InputContent,
        usable: bool,
    ) -> StoreResult<Option<IngestReport>> {
        if usable && self.failed.is_none() {
            let extras = ingest_extras(self.store, &self.source, content, &mut self.report);
            self.failed = extras.err();
        }
        match self.failed.take() {
            None if usable => {
                self.store
                    .commit_file()
                    .during("committing a file's ingest")?;
                Ok(Some(self.report))
            }
            failed => {
                let undone = self.store.rollback_file().during("undoing a file's ingest");
                match (failed, undone) {
                    (None, undone) => undone.map(|()| None),
                    (Some(e), Ok(())) => Err(e),
                    (Some(e), Err(undo)) => Err(e.and_undo_failed(undo)),
                }
            }
        }
    }
}

/// What became of one remittance transaction at ingest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Remittance {
    /// Stored; it will be applied (or, when a later version of its
    /// remittance is pending, replaced by it).
    New,
    /// Already stored (same bytes, same payer/trace/ST02/amounts, or the
    /// same content as another version): a re-delivery of the stored
    /// transaction named, not stored again.
    Known(TransactionRef),
    /// An earlier version of a remittance whose later version (named) was
    /// applied before: stored, never applied.
    Older(String),
}

/// Stores one remittance transaction among the versions of its payment.
pub fn ingest_remittance(
    store: &mut dyn HistoryStore,
    tx: RemittanceTransaction,
) -> StoreResult<Remittance> {
    ingest_packed(store, PackedTransaction::parsed(tx))
}

/// [`ingest_remittance`] of a transaction read packed: it is unpacked only
/// when other versions of its payment are stored (placing it among them
/// reads its events), and stored as it came.
pub fn ingest_packed(
    store: &mut dyn HistoryStore,
    tx: PackedTransaction,
) -> StoreResult<Remittance> {
    let c = tx.context().map_err(StoreError::Input)?;
    let others = if c.trace.is_empty() {
        Vec::new()
    } else {
        store
            .trace_versions(&payer_key(&c.payer_id, &c.payer), &c.trace)
            .during("finding the versions of a remittance")?
    };
    let placement = if others.is_empty() {
        Placement::Own
    } else {
        let parsed = tx.unpack().map_err(StoreError::Data)?;
        versions::place(&parsed, &others)
    };
    if let Placement::Redelivery(twin) = placement {
        return Ok(Remittance::Known(twin));
    }
    let id = match store
        .ingest_packed(tx)
        .during("storing a remittance transaction")?
    {
        Ingested::New(id) => id,
        Ingested::Known(twin) => return Ok(Remittance::Known(twin)),
    };
    match placement {
        Placement::Replaces(earlier) => {
            for e in earlier {
                store
                    .supersede(e, id)
                    .during("recording a corrected remittance")?;
            }
        }
        Placement::OlderThan(current) => {
            store
                .supersede(id, current)
                .during("recording a corrected remittance")?;
            if let Some(v) = others.iter().find(|v| v.id == current && v.applied) {
                return Ok(Remittance::Older(versions::label(&v.context)));
            }
        }
        Placement::Own | Placement::Redelivery(_) => {}
    }
    Ok(Remittance::New)
}
