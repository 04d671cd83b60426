//! The memory store's claim indexes (issue 17): interned text id → the
//! `u32` ids it leads to (claims by CLM01 or ICN, ICNs by CLP01, CLP01s by
//! ICN). Almost every key leads to one id, so a key's slot holds that id
//! inline and only the rare key with several keeps them in a vector aside:
//! a slot is 12 bytes (key, id, overflow index), ~18 at the table's usual
//! load — where an id with a boxed-slice fallback took 20 (~30).

/// No overflow vector: the slot's one id is all.
const ONE: u32 = u32::MAX;

use crate::hashing::HashMap;

/// One id, or where all of a key's ids are in [`FewIndex::more`].
#[derive(Clone, Copy, Debug)]
struct Slot {
    one: u32,
    more: u32,
}

/// Text id → the ids it leads to, in the order they were added (or kept
/// sorted, with [`FewIndex::insert_sorted_by`]).
#[derive(Debug, Default)]
pub struct FewIndex {
    map: HashMap<u32, Slot>,
    /// The ids of keys with more than one, whole.
    more: Vec<Vec<u32>>,
}

impl FewIndex {
    /// Makes room for `keys` more keys, so that a table filled to a count
    /// known ahead is sized once rather than doubled as it fills (a
    /// doubling holds the old and the new table at once).
    pub fn reserve(&mut self, keys: usize) {
        self.map.reserve(keys);
    }

    /// The ids of `key` (empty when it has none).
    pub fn get(&self, key: u32) -> &[u32] {
        match self.map.get(&key) {
            None => &[],
            Some(slot) if slot.more == ONE => std::slice::from_ref(&slot.one),
            Some(slot) => self.more.get(slot.more as usize).map_or(&[], Vec::as_slice),
        }
    }

    /// Adds `value` to the ids of `key`, at the end, unless there already.
    pub fn push_new(&mut self, key: u32, value: u32) {
        if !self.get(key).contains(&value) {
            let end = self.get(key).len();
            self.insert_at(key, end, value);
        }
    }

    /// Adds `value` to the ids of `key`, kept sorted by `cmp` (each once:
    /// nothing is added when `cmp` finds it equal to one there).
    pub fn insert_sorted_by(
        &mut self,
        key: u32,
        value: u32,
        cmp: impl Fn(u32) -> std::cmp::Ordering,
    ) {
        if let Err(at) = self.get(key).binary_search_by(|&id| cmp(id)) {
            self.insert_at(key, at, value);
        }
    }

    /// Inserts `value` at `at` (an index into [`FewIndex::get`]'s slice).
    fn insert_at(&mut self, key: u32, at: usize, value: u32) {
        match self.map.get_mut(&key) {
            None => {
                self.map.insert(
                    key,
                    Slot {
                        one: value,
                        more: ONE,
                    },
                );
            }
            Some(slot) if slot.more == ONE => {
                let mut ids = vec![slot.one];
                ids.insert(at.min(1), value);
                // Past u32::MAX - 1 overflow vectors the slot keeps its
                // first id: four billion keys with several ids do not fit
                // in memory long before.
                if let Ok(more) = u32::try_from(self.more.len())
                    && more != ONE
                {
                    slot.more = more;
                    self.more.push(ids);
                }
            }
            Some(slot) => {
                if let Some(ids) = self.more.get_mut(slot.more as usize) {
                    ids.insert(at.min(ids.len()), value);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_keep_their_ids_in_order_each_once() {
        let mut index = FewIndex::default();
        index.push_new(7, 3);
        assert_eq!(index.get(7), [3]);
        index.push_new(7, 3);
        assert_eq!(index.get(7), [3], "each id once");
        index.push_new(7, 1);
        index.push_new(7, 9);
        index.push_new(8, 4);
        assert_eq!(index.get(7), [3, 1, 9], "in the order added");
        assert_eq!(index.get(8), [4]);
        assert!(index.get(9).is_empty());
    }

    #[test]
    fn sorted_keys_stay_sorted() {
        let mut index = FewIndex::default();
        for id in [5, 2, 8, 2, 1] {
            index.insert_sorted_by(1, id, |there| there.cmp(&id));
        }
        assert_eq!(index.get(1), [1, 2, 5, 8]);
        // Sorted by something else than the id (the ICNs' texts).
        let names = ["b", "c", "a"];
        for id in [0u32, 1, 2] {
            index.insert_sorted_by(2, id, |there| names[there as usize].cmp(names[id as usize]));
        }
        assert_eq!(index.get(2), [2, 0, 1]);
    }
}
