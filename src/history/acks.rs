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

use crate::hashing::HashMap;

use crate::lifecycle::{Acknowledgment, BatchReference, SetKey};
use crate::reconcile::claims::StoredClaim;
use crate::text::Text;

use super::StoreResult;
use super::interner::Interner;

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
    /// Per 837 set (ISA06, ISA08, GS06, ST02 interned in `texts`), its
    /// batch number (BHT03, interned): ~40 bytes a set and its two texts,
    /// where a `BTreeMap<SetKey, Text>` of five inline strings took ~220
    /// — 65 MB held to the end of the 1 GB generated case's run (issue 17).
    batches: HashMap<[u32; 4], u32>,
    texts: Interner,
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

    /// Remembers batch numbers (a set's later number replaces its
    /// earlier); fails only when the texts a store can hold ran out.
    pub fn note_batches(&mut self, batches: &[BatchReference]) -> StoreResult<()> {
        for b in batches {
            let texts = &mut self.texts;
            let set = [
                texts.intern(&b.set.sender)?,
                texts.intern(&b.set.receiver)?,
                texts.intern(&b.set.group)?,
                texts.intern(&b.set.control)?,
            ];
            let reference = texts.intern(&b.reference)?;
            self.batches.insert(set, reference);
        }
        Ok(())
    }

    /// The stored acknowledgments.
    pub fn acknowledgments(&self) -> Vec<(String, Acknowledgment)> {
        self.acks.clone()
    }

    /// The batch numbers.
    pub fn batch_references(&self) -> BTreeMap<SetKey, Text> {
        let text = |id: u32| Text::from(self.texts.get(id));
        self.batches
            .iter()
            .map(|(&[sender, receiver, group, control], &reference)| {
                let set = SetKey {
                    sender: text(sender),
                    receiver: text(receiver),
                    group: text(group),
                    control: text(control),
                };
                (set, text(reference))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(sender: &str, control: &str, reference: &str) -> BatchReference {
        BatchReference {
            set: SetKey {
                sender: sender.into(),
                receiver: "PAYER".into(),
                group: "1".into(),
                control: control.into(),
            },
            reference: reference.into(),
        }
    }

    #[test]
    fn batch_numbers_read_back_by_set_the_latest_kept() {
        let mut book = AckBook::default();
        let (a, b, c) = (
            batch("S1", "0001", "B1"),
            batch("S2", "0001", "B2"),
            batch("S1", "0002", "B3"),
        );
        book.note_batches(&[a.clone(), b.clone()]).unwrap();
        book.note_batches(std::slice::from_ref(&c)).unwrap();
        // A set noted again takes its later number.
        let a2 = batch("S1", "0001", "B4");
        book.note_batches(std::slice::from_ref(&a2)).unwrap();
        let want: BTreeMap<SetKey, Text> = [
            (a2.set, a2.reference),
            (b.set, b.reference),
            (c.set, c.reference),
        ]
        .into_iter()
        .collect();
        assert_eq!(book.batch_references(), want);
        // Every field of the key tells sets apart, whichever field a text
        // was interned for first.
        let mut other = batch("S1", "0001", "B5");
        other.set.receiver = "1".into();
        book.note_batches(std::slice::from_ref(&other)).unwrap();
        assert_eq!(book.batch_references().len(), 4);
        assert_eq!(
            book.batch_references().get(&other.set).map(Text::as_str),
            Some("B5")
        );
    }
}
