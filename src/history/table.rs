//! A hash table of small values found by their hash, in shards sized to
//! the room asked for (issue 17). A `hashbrown` table's buckets are a
//! power of two and at most 7/8 full, so a table sized for n entries holds
//! between 1.14 n and 2.29 n buckets: on the 1 GB generated case the line
//! controls' table had 8.4 million buckets for 4.5 million REF*6R (~54%
//! full), the line ids' and the claim links' 8.4 million for 5.5 and 5.7
//! million. Split into S shards of 2^m buckets each — S any number up to
//! [`MAX_SHARDS`], chosen when room is made ([`Table::reserve`]) —, the
//! buckets come within a few percent of n × 8/7 whatever n is. A shard is
//! a `hashbrown` table: its probing and its 7-bit tags are unchanged, and
//! a shard that fills up doubles alone (1/S of the table held twice for
//! that moment, not the whole).

use hashbrown::HashTable;

/// At most this many shards: the buckets come within 1/64 of what the
/// room needs, above what the 7/8 load asks.
const MAX_SHARDS: usize = 64;

/// Below this many entries a table is one shard: its size is no matter.
const SHARD_FROM: usize = 1 << 14;

/// Values by hash, in one or more shards.
#[derive(Debug)]
pub struct Table<T> {
    /// Never empty.
    shards: Vec<HashTable<T>>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table {
            shards: vec![HashTable::new()],
        }
    }
}

impl<T> Table<T> {
    /// The shard of `hash`: bits 24 to 55 scaled to the shards, apart
    /// from the low bits a shard's bucket is chosen by and the top 7 its
    /// tags are.
    fn shard(&self, hash: u64) -> usize {
        let n = self.shards.len();
        if n == 1 {
            0
        } else {
            ((u64::from((hash >> 24) as u32) * n as u64) >> 32) as usize
        }
    }

    /// The value of hash `hash` for which `eq` holds, if any.
    pub fn find(&self, hash: u64, eq: impl FnMut(&T) -> bool) -> Option<&T> {
        self.shards[self.shard(hash)].find(hash, eq)
    }

    /// Adds `value`, which no value equals; `hasher` gives the hash of a
    /// value already there, should its shard grow.
    pub fn insert_unique(&mut self, hash: u64, value: T, hasher: impl Fn(&T) -> u64) {
        let shard = self.shard(hash);
        self.shards[shard].insert_unique(hash, value, hasher);
    }

    /// The value of hash `hash` for which `eq` holds, if any, to change.
    pub fn find_mut(&mut self, hash: u64, eq: impl FnMut(&T) -> bool) -> Option<&mut T> {
        let shard = self.shard(hash);
        self.shards[shard].find_mut(hash, eq)
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.shards.iter().map(HashTable::len).sum()
    }

    /// How many values the table holds before a shard grows, were they
    /// spread evenly.
    #[cfg(test)]
    pub fn capacity(&self) -> usize {
        self.shards.iter().map(HashTable::capacity).sum()
    }

    /// Makes room for `additional` more values spread evenly, in the
    /// shards there are: no value moves to another shard (a table filled
    /// before its room was known keeps its layout rather than be copied
    /// whole while the copy and the original are both held).
    pub fn reserve_in_place(&mut self, additional: usize, hasher: impl Fn(&T) -> u64) {
        let each = additional.div_ceil(self.shards.len());
        for shard in &mut self.shards {
            shard.reserve(each, &hasher);
        }
    }

    /// Makes room for `additional` more values: the shards are chosen
    /// again for the whole ([`layout`]), the values there moved into them
    /// (`hasher` gives their hashes) when their number changes.
    pub fn reserve(&mut self, additional: usize, hasher: impl Fn(&T) -> u64) {
        let len: usize = self.shards.iter().map(HashTable::len).sum();
        let (count, each) = layout(len.saturating_add(additional));
        if count == self.shards.len() {
            for shard in &mut self.shards {
                shard.reserve(each.saturating_sub(shard.len()), &hasher);
            }
            return;
        }
        let old = std::mem::replace(
            &mut self.shards,
            (0..count).map(|_| HashTable::with_capacity(each)).collect(),
        );
        for mut shard in old {
            for value in shard.drain() {
                let hash = hasher(&value);
                self.insert_unique(hash, value, &hasher);
            }
        }
    }
}

/// The shards for `room` values and the capacity of each: the fewest
/// buckets in all, each shard's capacity its share of `room` with a margin
/// for the spread of hashes (four standard deviations: a shard that
/// overflows anyway doubles alone). One shard below [`SHARD_FROM`].
fn layout(room: usize) -> (usize, usize) {
    if room < SHARD_FROM {
        return (1, room);
    }
    let mut best = (1, room, buckets(room));
    for count in 2..=MAX_SHARDS {
        let share = room.div_ceil(count);
        let need = share + 4 * (share as f64).sqrt() as usize + 16;
        let b = buckets(need);
        // The shard's full capacity: what its buckets hold anyway.
        let total = b.saturating_mul(count);
        if total < best.2 {
            best = (count, b / 8 * 7, total);
        }
    }
    (best.0, best.1)
}

/// The buckets `hashbrown` gives a table made for `capacity` values (at
/// most 7/8 full, a power of two; 8 or more).
fn buckets(capacity: usize) -> usize {
    (capacity.saturating_mul(8) / 7).max(8).next_power_of_two()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(v: u64) -> u64 {
        use std::hash::BuildHasher;
        foldhash::fast::FixedState::with_seed(7).hash_one(v)
    }

    /// The 1 GB case's line controls: 4.75 million asked for. One
    /// `hashbrown` table takes 8.4 million buckets; the shards ~5.5.
    #[test]
    fn shards_come_close_to_the_room_asked_for() {
        for room in [20_000, 100_000, 4_750_000, 5_700_000, 6_300_000, 50_000_000] {
            let (count, each) = layout(room);
            assert!(count > 1 && count <= MAX_SHARDS);
            assert!(each * count >= room, "{room}: {count} × {each}");
            let total = count * buckets(each);
            assert!(
                total as f64 <= room as f64 * 8.0 / 7.0 * 1.1,
                "{room}: {count} × {each}, {total} buckets"
            );
            assert_eq!(buckets(each), (each * 8 / 7).next_power_of_two());
        }
        assert_eq!(layout(1_000), (1, 1_000));
        let (count, each) = layout(4_750_000);
        assert!(count * buckets(each) < 5_600_000, "{count} × {each}");
    }

    #[test]
    fn values_are_found_in_one_shard_or_many_and_survive_growth() {
        for room in [0, 100, 30_000] {
            let mut table: Table<u64> = Table::default();
            table.reserve(room, |&v| hash(v));
            let made = table.capacity();
            let shards = table.shards.len();
            assert_eq!(shards > 1, room >= SHARD_FROM);
            for v in 0..30_000u64 {
                assert!(table.find(hash(v), |&x| x == v).is_none());
                table.insert_unique(hash(v), v, |&x| hash(x));
            }
            assert_eq!(table.len(), 30_000);
            if room >= 30_000 {
                assert_eq!(table.capacity(), made, "room made was enough");
            }
            for v in 0..30_000u64 {
                assert_eq!(table.find(hash(v), |&x| x == v), Some(&v));
            }
            assert!(table.find(hash(30_000), |&x| x == 30_000).is_none());
            // Made bigger with values in it: moved into the new shards.
            table.reserve(60_000, |&v| hash(v));
            assert!(table.shards.len() > 1 && table.capacity() >= 90_000);
            for v in 0..30_000u64 {
                assert_eq!(table.find(hash(v), |&x| x == v), Some(&v));
            }
            assert_eq!(table.len(), 30_000);
        }
    }

    /// Every shard gets values: the shard is not chosen by the bits a
    /// shard's bucket or tag is.
    #[test]
    fn values_spread_over_every_shard() {
        let mut table: Table<u64> = Table::default();
        table.reserve(100_000, |&v| hash(v));
        for v in 0..100_000u64 {
            table.insert_unique(hash(v), v, |&x| hash(x));
        }
        let n = table.shards.len() as f64;
        for shard in &table.shards {
            let share = shard.len() as f64 / (100_000.0 / n);
            assert!((0.9..1.1).contains(&share), "{share}");
        }
    }
}
