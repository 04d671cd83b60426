//! The memory store's claim indexes (issue 17): interned text id → the
//! `u32` ids it leads to (claims by CLM01 or ICN, ICNs by CLP01, CLP01s by
//! ICN). Almost every key leads to one id, so a key's slot holds that id
//! inline and only the rare key with several keeps them in a vector aside,
//! the slot's top bit telling which: a slot is 8 bytes (key, id or
//! overflow index), ~13 at the table's usual load — where a separate
//! overflow index took 12 (~18; 68 MB more on the 1 GB generated case's
//! four indexes), and an id with a boxed-slice fallback 20 (~30).

/// In a slot, the bit that says it holds an index into [`FewIndex::more`]
/// rather than the key's one id (an id with this bit set, past two
/// billion, is kept in `more` too).
const MORE: u32 = 1 << 31;

use crate::hashing::HashMap;

/// Text id → the ids it leads to, in the order they were added (or kept
/// sorted, with [`FewIndex::insert_sorted_by`]).
#[derive(Debug, Default)]
pub struct FewIndex {
    /// The key's one id, or [`MORE`] and where its ids are in `more`.
    map: HashMap<u32, u32>,
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
            Some(one) if one & MORE == 0 => std::slice::from_ref(one),
            Some(slot) => self
                .more
                .get((slot & !MORE) as usize)
                .map_or(&[], Vec::as_slice),
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
        let ids = match self.map.get(&key) {
            None if value & MORE == 0 => {
                self.map.insert(key, value);
                return;
            }
            None => vec![value],
            Some(&one) if one & MORE == 0 => {
                let mut ids = vec![one];
                ids.insert(at.min(1), value);
                ids
            }
            Some(&slot) => {
                if let Some(ids) = self.more.get_mut((slot & !MORE) as usize) {
                    ids.insert(at.min(ids.len()), value);
                }
                return;
            }
        };
        // Past two billion overflow vectors a key keeps what it had (a
        // first id, or nothing): two billion keys with several ids do
        // not fit in memory long before.
        if let Ok(more) = u32::try_from(self.more.len())
            && more & MORE == 0
        {
            self.map.insert(key, MORE | more);
            self.more.push(ids);
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

    #[test]
    fn ids_past_two_billion_are_kept_aside_and_read_back() {
        let mut index = FewIndex::default();
        let big = MORE + 5;
        index.push_new(1, big);
        assert_eq!(index.get(1), [big]);
        index.push_new(1, 3);
        index.push_new(1, big);
        assert_eq!(index.get(1), [big, 3]);
        index.push_new(2, 4);
        index.push_new(2, u32::MAX);
        assert_eq!(index.get(2), [4, u32::MAX]);
        for (id, at) in [(u32::MAX - 1, 0), (MORE, 1)] {
            index.insert_sorted_by(3, id, |there| there.cmp(&id));
            assert_eq!(index.get(3).len(), at + 1);
        }
        assert_eq!(index.get(3), [MORE, u32::MAX - 1]);
    }
}
