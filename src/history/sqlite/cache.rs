//! What one connection remembers between statements: the id of each line
//! it has looked up (or that it has none), and REF*6R ordinals. It saves a
//! JSON key and a query per lookup, and for a line the store has never seen
//! (most lines of a new remittance) every query but the first.
//!
//! It is only right while no other connection writes: the store compares
//! SQLite's `data_version` whenever it takes the write lock (and before a
//! read outside a transaction) and clears the cache when it changed; a
//! rollback clears it too. It is cleared when it grows past a bound.

use std::cell::{Cell, RefCell};

use crate::line::LineKey;
use crate::text::Text;

// Keyed by whole line keys, which SipHash makes costly to hash.
use crate::hashing::HashMap;

/// Most lines (and, separately, line identities with REF*6R values)
/// remembered: an entry is a whole [`LineKey`] (seven short texts inline,
/// ~190 bytes) plus the map's slot, ~210 bytes, so the cache stays under
/// ~14 MiB whatever the size of the store and of the run (issue 17: `--db`
/// RSS flat). A line looked up again after the cache was cleared costs one
/// indexed query; runs decide a remittance's lines together, so most
/// repeats fall within one fill.
const MAX_ENTRIES: usize = 1 << 16;

/// REF*6R values known under one base key, each with its ordinal (`None`:
/// the store has none).
type Controls = Vec<(Text, Option<u32>)>;

/// Line ids and ordinals known to one connection.
#[derive(Debug, Default)]
pub(super) struct Cache {
    /// Line id by key; `None` when the store has no such line.
    lines: RefCell<HashMap<LineKey, Option<i64>>>,
    /// By base key (ordinal 0): REF*6R value and its ordinal (`None`: none).
    controls: RefCell<HashMap<LineKey, Controls>>,
    /// SQLite's data_version when the cache was last known right.
    version: Cell<Option<i64>>,
}

impl Cache {
    /// Forgets everything unless `version` is the one the cache was made at.
    pub(super) fn check(&self, version: i64) {
        if self.version.get() != Some(version) {
            self.clear();
            self.version.set(Some(version));
        }
    }

    /// Forgets everything.
    pub(super) fn clear(&self) {
        self.lines.borrow_mut().clear();
        self.controls.borrow_mut().clear();
        self.version.set(None);
    }

    /// The cached id of a line: `Some(None)` when known to be absent.
    pub(super) fn line(&self, key: &LineKey) -> Option<Option<i64>> {
        self.lines.borrow().get(key).copied()
    }

    /// Remembers a line's id (or its absence).
    pub(super) fn set_line(&self, key: &LineKey, id: Option<i64>) {
        let mut lines = self.lines.borrow_mut();
        if lines.len() >= MAX_ENTRIES {
            lines.clear();
        }
        lines.insert(key.clone(), id);
    }

    /// The cached ordinal of REF*6R `control` under `base`: `Some(None)`
    /// when known to be absent.
    pub(super) fn control(&self, base: &LineKey, control: &str) -> Option<Option<u32>> {
        let controls = self.controls.borrow();
        let known = controls.get(base)?;
        known.iter().find(|(c, _)| c == control).map(|(_, o)| *o)
    }

    /// Remembers the ordinal of `control` under `base` (or its absence).
    pub(super) fn set_control(&self, base: &LineKey, control: &str, ordinal: Option<u32>) {
        let mut controls = self.controls.borrow_mut();
        if controls.len() >= MAX_ENTRIES {
            controls.clear();
        }
        let known = controls.entry(base.clone()).or_default();
        match known.iter_mut().find(|(c, _)| c == control) {
            Some(entry) => entry.1 = ordinal,
            None => known.push((control.into(), ordinal)),
        }
    }
}
