//! The in-memory history store: hash maps, for tests, benchmarks and runs
//! without `--db`.

use std::collections::{HashMap, HashSet};

use super::{HistoryStore, LineHistory, PriorEvent, TransactionFingerprint};
use crate::reconcile::key::LineKey;
use crate::remittance::Text;

/// Line histories held in memory for one run.
#[derive(Debug, Default)]
pub struct MemoryStore {
    lines: HashMap<LineKey, LineHistory>,
    claims: HashMap<(Text, Text, Text), Vec<LineKey>>,
    content: HashSet<u64>,
    semantic: HashSet<String>,
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
}

impl HistoryStore for MemoryStore {
    fn history(&self, key: &LineKey) -> LineHistory {
        self.lines.get(key).cloned().unwrap_or_default()
    }

    fn record(&mut self, key: &LineKey, event: PriorEvent) {
        self.lines
            .entry(key.clone())
            .or_default()
            .events
            .push(event);
    }

    fn ordinal_for_control(&self, key: &LineKey, control: &str) -> Option<u32> {
        (0..64).find(|&ordinal| {
            let candidate = LineKey {
                ordinal,
                ..key.clone()
            };
            self.lines
                .get(&candidate)
                .is_some_and(|h| h.events.iter().any(|e| e.line_control == control))
        })
    }

    fn claim_lines(&self, payer: &str, payee: &str, claim_ref: &str) -> Vec<LineKey> {
        self.claims
            .get(&(payer.into(), payee.into(), claim_ref.into()))
            .cloned()
            .unwrap_or_default()
    }

    fn link_claim(&mut self, payer: &str, payee: &str, claim_ref: &str, key: &LineKey) {
        if claim_ref.is_empty() {
            return;
        }
        let lines = self
            .claims
            .entry((payer.into(), payee.into(), claim_ref.into()))
            .or_default();
        if !lines.contains(key) {
            lines.push(key.clone());
        }
    }

    fn seen_transaction(&self, fingerprint: &TransactionFingerprint) -> bool {
        self.content.contains(&fingerprint.content_hash)
            || self.semantic.contains(&fingerprint.semantic)
    }

    fn record_transaction(&mut self, fingerprint: TransactionFingerprint) {
        self.content.insert(fingerprint.content_hash);
        self.semantic.insert(fingerprint.semantic);
    }
}
