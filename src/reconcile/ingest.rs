//! Phase one of a run: each usable input's claims and remittance
//! transactions go into the store in one store transaction (all or
//! nothing); transactions already known, or dated after the as-of date,
//! are left out and reported.

use jiff::civil::Date;

use super::input::InputContent;
use crate::history::{HistoryStore, Ingested, StoreResult};

/// What ingesting one input did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct IngestReport {
    /// Remittance transactions stored as pending.
    pub transactions: usize,
    /// Transactions already in the store: (ST02, trace).
    pub duplicates: Vec<(String, String)>,
    /// Transactions dated after the as-of date (not stored).
    pub after_as_of: usize,
    /// Billed claims stored.
    pub claims: usize,
    /// Service lines of the billed claims stored.
    pub claim_lines: usize,
    /// Billed claims already in the store (same content, see
    /// [`crate::claim::ClaimFingerprint`]).
    pub known_claims: usize,
}

/// Ingests one input's content; nothing is stored when anything fails.
pub fn ingest(
    store: &mut dyn HistoryStore,
    source: &str,
    content: &InputContent,
    as_of: Date,
) -> StoreResult<IngestReport> {
    store.begin_file()?;
    match ingest_all(store, source, content, as_of) {
        Ok(report) => {
            store.commit_file()?;
            Ok(report)
        }
        Err(e) => {
            let _ = store.rollback_file();
            Err(e)
        }
    }
}

fn ingest_all(
    store: &mut dyn HistoryStore,
    source: &str,
    content: &InputContent,
    as_of: Date,
) -> StoreResult<IngestReport> {
    let mut report = IngestReport::default();
    for claim in &content.claims {
        if store.ingest_claim(source, claim)? {
            report.claims += 1;
            report.claim_lines += claim.lines.len();
        } else {
            report.known_claims += 1;
        }
    }
    for tx in &content.transactions {
        let c = &tx.context;
        if c.payment_date
            .or(c.production_date)
            .is_some_and(|d| d > as_of)
        {
            report.after_as_of += 1;
            continue;
        }
        match store.ingest_transaction(tx)? {
            Ingested::New(_) => report.transactions += 1,
            Ingested::Known => report
                .duplicates
                .push((c.transaction.to_string(), c.trace.to_string())),
        }
    }
    Ok(report)
}
