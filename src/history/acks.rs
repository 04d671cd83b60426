//! The store's front-end evidence: every acknowledgment read (TA1, 999,
//! 277CA and 277 statuses, as read, with the file they came from), the
//! batch number of every 837 set, and every billed claim, so that a later
//! run rebuilds each claim's lifecycle — accepted, rejected, and when —
//! from everything ever read, whatever order the files arrived in.
//!
//! Kept apart from [`super::HistoryStore`]'s line histories: nothing here
//! decides a remittance line, and the lifecycle is recomputed (by
//! `lifecycle::AckTracker`) rather than stored, so a better code list or a
//! claim read later changes the verdict of an old acknowledgment.

use std::collections::{BTreeMap, HashSet};

use crate::lifecycle::{Acknowledgment, BatchReference, SetKey};
use crate::reconcile::claims::StoredClaim;
use crate::text::Text;

use super::StoreResult;

/// What the store keeps of acknowledgments and submissions.
pub trait AckStore {
    /// Stores the acknowledgments read from `source` (in the open file
    /// transaction); one already stored (the same content, from any file)
    /// is not stored again. Returns how many were new.
    fn ingest_acks(&mut self, source: &str, acks: &[Acknowledgment]) -> StoreResult<usize>;

    /// Remembers the batch number (BHT03) of 837 sets.
    fn note_batches(&mut self, batches: &[BatchReference]) -> StoreResult<()>;

    /// Every stored acknowledgment with its source, in the order stored.
    fn acknowledgments(&self) -> StoreResult<Vec<(String, Acknowledgment)>>;

    /// The batch number of every 837 set seen.
    fn batch_references(&self) -> StoreResult<BTreeMap<SetKey, Text>>;

    /// Every billed claim kept (copies of one claim once), in store order.
    fn all_claims(&self) -> StoreResult<Vec<StoredClaim>>;
}

/// The in-memory store's acknowledgments.
#[derive(Debug, Default)]
pub struct AckBook {
    seen: HashSet<String>,
    acks: Vec<(String, Acknowledgment)>,
    batches: BTreeMap<SetKey, Text>,
}

impl AckBook {
    /// Stores `acks` from `source` not already stored.
    pub fn ingest(&mut self, source: &str, acks: &[Acknowledgment]) -> StoreResult<usize> {
        let mut new = 0;
        for ack in acks {
            if self.seen.insert(serde_json::to_string(ack)?) {
                self.acks.push((source.to_string(), ack.clone()));
                new += 1;
            }
        }
        Ok(new)
    }

    /// True when no acknowledgment and no batch number is held.
    pub fn is_empty(&self) -> bool {
        self.acks.is_empty() && self.batches.is_empty()
    }

    /// Remembers batch numbers.
    pub fn note_batches(&mut self, batches: &[BatchReference]) {
        for b in batches {
            self.batches.insert(b.set.clone(), b.reference.clone());
        }
    }

    /// The stored acknowledgments.
    pub fn acknowledgments(&self) -> Vec<(String, Acknowledgment)> {
        self.acks.clone()
    }

    /// The batch numbers.
    pub fn batch_references(&self) -> BTreeMap<SetKey, Text> {
        self.batches.clone()
    }
}
