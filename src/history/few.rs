//! The memory store's claim indexes (issue 17): interned text id → the
//! `u32` ids it leads to, in one or more columns (claims by CLM01 and ICNs
//! by CLP01 in one table, CLP01s and claims by ICN in another, claims by
//! the ICN they replace). Almost every key leads to one id a column, so a
//! key's slot holds that id inline and only the rare key with several
//! keeps them in a vector aside, the cell's top bit telling which: a slot
//! is 4 bytes of key and 4 a column, ~13 at the table's usual load for two
//! columns where two tables of one took ~18 (~40 MB less on the 1 GB
//! generated case's four indexes) — and a separate overflow index took 12
//! a column (~18), an id with a boxed-slice fallback 20 (~30).

/// In a cell, the bit that says it holds an index into [`FewIndex::more`]
/// rather than the key's one id (an id with this bit set, past two
/// billion, is kept in `more` too).
const MORE: u32 = 1 << 31;

/// A cell of a key with no id in that column.
const EMPTY: u32 = u32::MAX;

use std::hash::BuildHasher;

use super::table::Table;

/// Text id → per column, the ids it leads to, in the order they were
/// added (or kept sorted, with [`FewIndex::insert_sorted_by`]).
#[derive(Debug)]
pub struct FewIndex<const N: usize = 1> {
    /// Per key (a text id), per column the key's one id, [`MORE`] and
    /// where its ids are in `more`, or [`EMPTY`]. A [`Table`] in shards:
    /// an index sized before it is filled (the ICNs' while deciding)
    /// takes ~1.2 slots a key, where one power-of-two table took 1.14 to
    /// 2.29 (the 1 GB generated case's ICN index: 4.2 million slots of 13
    /// bytes for 3.1 million keys).
    map: Table<(u32, [u32; N])>,
    hasher: foldhash::fast::RandomState,
    /// The ids of cells with more than one, whole.
    more: Vec<Vec<u32>>,
}

impl<const N: usize> Default for FewIndex<N> {
    fn default() -> Self {
        FewIndex {
            map: Table::default(),
            hasher: foldhash::fast::RandomState::default(),
            more: Vec::new(),
        }
    }
}

impl<const N: usize> FewIndex<N> {
    /// Makes room for `keys` more keys, so that a table filled to a count
    /// known ahead is sized once rather than doubled as it fills (a
    /// doubling holds the old and the new table at once). An empty index
    /// is laid out in shards for them; one holding keys already grows in
    /// place (laying it out again would hold it twice for that moment).
    pub fn reserve(&mut self, keys: usize) {
        let hasher = &self.hasher;
        let rehash = |(key, _): &(u32, [u32; N])| hasher.hash_one(key);
        if self.map.len() == 0 {
            self.map.reserve(keys, rehash);
        } else {
            self.map.reserve_in_place(keys, rehash);
        }
    }

    /// Keys it holds.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// The ids of `key` in `column` (empty when it has none).
    pub fn get(&self, key: u32, column: usize) -> &[u32] {
        let hash = self.hasher.hash_one(key);
        let found = self.map.find(hash, |(there, _)| *there == key);
        match found.and_then(|(_, cells)| cells.get(column)) {
            None | Some(&EMPTY) => &[],
            Some(one) if one & MORE == 0 => std::slice::from_ref(one),
            Some(cell) => self
                .more
                .get((cell & !MORE) as usize)
                .map_or(&[], Vec::as_slice),
        }
    }

    /// Adds `value` to the ids of `key` in `column`, at the end, unless
    /// there already.
    pub fn push_new(&mut self, key: u32, column: usize, value: u32) {
        let ids = self.get(key, column);
        if !ids.contains(&value) {
            let end = ids.len();
            self.insert_at(key, column, end, value);
        }
    }

    /// Adds `value` to the ids of `key` in `column`, kept sorted by `cmp`
    /// (each once: nothing is added when `cmp` finds it equal to one
    /// there).
    pub fn insert_sorted_by(
        &mut self,
        key: u32,
        column: usize,
        value: u32,
        cmp: impl Fn(u32) -> std::cmp::Ordering,
    ) {
        if let Err(at) = self.get(key, column).binary_search_by(|&id| cmp(id)) {
            self.insert_at(key, column, at, value);
        }
    }

    /// Inserts `value` at `at` (an index into [`FewIndex::get`]'s slice).
    fn insert_at(&mut self, key: u32, column: usize, at: usize, value: u32) {
        if column >= N {
            return;
        }
        let hash = self.hasher.hash_one(key);
        if self.map.find(hash, |(there, _)| *there == key).is_none() {
            let hasher = &self.hasher;
            self.map
                .insert_unique(hash, (key, [EMPTY; N]), |(key, _)| hasher.hash_one(key));
        }
        let Some((_, cells)) = self.map.find_mut(hash, |(there, _)| *there == key) else {
            return;
        };
        let ids = match cells[column] {
            EMPTY if value & MORE == 0 => {
                cells[column] = value;
                return;
            }
            EMPTY => vec![value],
            one if one & MORE == 0 => {
                let mut ids = vec![one];
                ids.insert(at.min(1), value);
                ids
            }
            cell => {
                if let Some(ids) = self.more.get_mut((cell & !MORE) as usize) {
                    ids.insert(at.min(ids.len()), value);
                }
                return;
            }
        };
        // Past two billion overflow vectors a cell keeps what it had (a
        // first id, or nothing): two billion keys with several ids do
        // not fit in memory long before.
        if let Ok(more) = u32::try_from(self.more.len())
            && more & MORE == 0
            && MORE | more != EMPTY
        {
            cells[column] = MORE | more;
            self.more.push(ids);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_keep_their_ids_in_order_each_once() {
        let mut index = FewIndex::<1>::default();
        index.push_new(7, 0, 3);
        assert_eq!(index.get(7, 0), [3]);
        index.push_new(7, 0, 3);
        assert_eq!(index.get(7, 0), [3], "each id once");
        index.push_new(7, 0, 1);
        index.push_new(7, 0, 9);
        index.push_new(8, 0, 4);
        assert_eq!(index.get(7, 0), [3, 1, 9], "in the order added");
        assert_eq!(index.get(8, 0), [4]);
        assert!(index.get(9, 0).is_empty());
    }

    #[test]
    fn sorted_keys_stay_sorted() {
        let mut index = FewIndex::<1>::default();
        for id in [5, 2, 8, 2, 1] {
            index.insert_sorted_by(1, 0, id, |there| there.cmp(&id));
        }
        assert_eq!(index.get(1, 0), [1, 2, 5, 8]);
        // Sorted by something else than the id (the ICNs' texts).
        let names = ["b", "c", "a"];
        for id in [0u32, 1, 2] {
            index.insert_sorted_by(2, 0, id, |there| {
                names[there as usize].cmp(names[id as usize])
            });
        }
        assert_eq!(index.get(2, 0), [2, 0, 1]);
    }

    #[test]
    fn ids_past_two_billion_are_kept_aside_and_read_back() {
        let mut index = FewIndex::<1>::default();
        let big = MORE + 5;
        index.push_new(1, 0, big);
        assert_eq!(index.get(1, 0), [big]);
        index.push_new(1, 0, 3);
        index.push_new(1, 0, big);
        assert_eq!(index.get(1, 0), [big, 3]);
        index.push_new(2, 0, 4);
        index.push_new(2, 0, u32::MAX);
        assert_eq!(index.get(2, 0), [4, u32::MAX]);
        for (id, at) in [(u32::MAX - 1, 0), (MORE, 1)] {
            index.insert_sorted_by(3, 0, id, |there| there.cmp(&id));
            assert_eq!(index.get(3, 0).len(), at + 1);
        }
        assert_eq!(index.get(3, 0), [MORE, u32::MAX - 1]);
    }

    /// An index sized before it is filled is laid out in shards near its
    /// keys' count (one power-of-two table for 75,000 keys holds 114,688),
    /// and every key is found again across the shards; room asked for
    /// once keys are there keeps them where they are.
    #[test]
    fn an_index_sized_ahead_takes_room_near_its_keys_and_finds_each() {
        let mut index = FewIndex::<2>::default();
        index.reserve(75_000);
        for key in 0..75_000u32 {
            index.push_new(key * 7, 0, key);
            if key % 3 == 0 {
                index.push_new(key * 7, 1, key + 1);
                index.push_new(key * 7, 1, key + 2);
            }
        }
        assert!(index.map.capacity() < 90_000, "{}", index.map.capacity());
        index.reserve(10_000);
        for key in 75_000..85_000u32 {
            index.push_new(key * 7, 0, key);
        }
        assert_eq!(index.len(), 85_000);
        for key in 0..85_000u32 {
            assert_eq!(index.get(key * 7, 0), [key], "{key}");
            let more: &[u32] = if key % 3 == 0 && key < 75_000 {
                &[key + 1, key + 2]
            } else {
                &[]
            };
            assert_eq!(index.get(key * 7, 1), more, "{key}");
        }
        assert!(index.get(1, 0).is_empty());
    }

    /// Columns of one key are apart: a key with ids in one column has
    /// none in the others until given, and each column overflows alone.
    #[test]
    fn columns_of_a_key_are_apart() {
        let mut index = FewIndex::<2>::default();
        index.push_new(1, 0, 5);
        assert_eq!((index.get(1, 0), index.get(1, 1)), (&[5u32][..], &[][..]));
        index.push_new(1, 1, 6);
        index.push_new(1, 1, 7);
        index.push_new(2, 1, 8);
        assert_eq!(index.get(1, 0), [5]);
        assert_eq!(index.get(1, 1), [6, 7]);
        assert_eq!((index.get(2, 0), index.get(2, 1)), (&[][..], &[8u32][..]));
        index.push_new(1, 0, 9);
        assert_eq!(index.get(1, 0), [5, 9]);
        assert_eq!(index.get(1, 1), [6, 7]);
        // No such column: nothing kept, nothing read.
        index.push_new(3, 2, 1);
        assert!(index.get(3, 2).is_empty() && index.get(3, 0).is_empty());
        assert_eq!(index.len(), 2);
    }
}
