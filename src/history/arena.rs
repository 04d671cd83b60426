//! A vector of fixed-size values held in chunks of [`CHUNK_LEN`]: it grows
//! a chunk at a time and is never copied, and holds at most one chunk it
//! does not use (issue 17). A `Vec` doubles as it fills, holding its old
//! and its new block at once, so the memory store's arenas were reserved
//! ahead from upper bounds counted in a first pass — and room reserved and
//! never used was resident: the allocator hands out pages the first pass
//! freed (on the 1 GB generated case the claim links' nodes had room for
//! two a line and used one, the interner's text starts 18.3 million for
//! 10.7 million: ~80 MB held for nothing).

use std::ops::{Index, IndexMut};

/// The bits of an index that are its place in its chunk.
const CHUNK_BITS: u32 = 16;

/// Values a chunk holds: 65,536 (1.5 MiB of 24-byte line keys).
const CHUNK_LEN: usize = 1 << CHUNK_BITS;

/// Values by index, in chunks.
#[derive(Debug)]
pub struct Arena<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for Arena<T> {
    fn default() -> Self {
        Arena {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T> Arena<T> {
    /// Number of values.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Appends a value. The first chunk grows as a `Vec` does (a small run
    /// holds little); every later one is allocated whole.
    pub fn push(&mut self, value: T) {
        let chunk = match self.chunks.last_mut() {
            Some(last) if last.len() < CHUNK_LEN => last,
            _ => {
                let first = self.chunks.is_empty();
                self.chunks.push(if first {
                    Vec::new()
                } else {
                    Vec::with_capacity(CHUNK_LEN)
                });
                let last = self.chunks.len() - 1;
                &mut self.chunks[last]
            }
        };
        chunk.push(value);
        self.len += 1;
    }

    /// The value at `index`, if there is one.
    pub fn get(&self, index: usize) -> Option<&T> {
        self.chunks
            .get(index >> CHUNK_BITS)
            .and_then(|chunk| chunk.get(index & (CHUNK_LEN - 1)))
    }

    /// The values at `index` and `index + 1`, if there is the first (the
    /// second's chunk found only when it starts a new one: one lookup for
    /// the two where two `get`s made two).
    pub fn get_two(&self, index: usize) -> Option<(&T, Option<&T>)> {
        let chunk = self.chunks.get(index >> CHUNK_BITS)?;
        let at = index & (CHUNK_LEN - 1);
        let first = chunk.get(at)?;
        let second = match chunk.get(at + 1) {
            Some(second) => Some(second),
            None if at + 1 == CHUNK_LEN => self
                .chunks
                .get((index >> CHUNK_BITS) + 1)
                .and_then(|next| next.first()),
            None => None,
        };
        Some((first, second))
    }

    /// The last value, if any.
    pub fn last(&self) -> Option<&T> {
        self.chunks.last().and_then(|chunk| chunk.last())
    }

    /// How many values the chunks allocated hold.
    #[cfg(test)]
    pub fn capacity(&self) -> usize {
        self.chunks.iter().map(Vec::capacity).sum()
    }
}

/// As a `Vec` is: an index past the end panics (the memory store indexes
/// only with ids it handed out).
impl<T> Index<usize> for Arena<T> {
    type Output = T;

    fn index(&self, index: usize) -> &T {
        &self.chunks[index >> CHUNK_BITS][index & (CHUNK_LEN - 1)]
    }
}

impl<T> IndexMut<usize> for Arena<T> {
    fn index_mut(&mut self, index: usize) -> &mut T {
        &mut self.chunks[index >> CHUNK_BITS][index & (CHUNK_LEN - 1)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_back_across_chunks() {
        let mut arena = Arena::default();
        assert_eq!(arena.get(0), None);
        assert_eq!(arena.last(), None);
        let n = 2 * CHUNK_LEN + 3;
        for i in 0..n {
            arena.push(i as u64 * 7);
        }
        assert_eq!(arena.len(), n);
        for i in [0, 1, CHUNK_LEN - 1, CHUNK_LEN, 2 * CHUNK_LEN, n - 1] {
            assert_eq!(arena[i], i as u64 * 7);
            assert_eq!(arena.get(i), Some(&(i as u64 * 7)));
        }
        assert_eq!(arena.get(n), None);
        for i in [0, CHUNK_LEN - 2, CHUNK_LEN - 1, CHUNK_LEN, n - 2] {
            let (a, b) = arena.get_two(i).unwrap();
            assert_eq!((*a, b.copied()), (i as u64 * 7, Some((i + 1) as u64 * 7)));
        }
        assert_eq!(arena.get_two(n - 1), Some((&((n - 1) as u64 * 7), None)));
        assert_eq!(arena.get_two(n), None);
        assert_eq!(arena.last(), Some(&((n - 1) as u64 * 7)));
        arena[CHUNK_LEN] = 1;
        arena[n - 1] = 2;
        assert_eq!((arena[CHUNK_LEN], arena[n - 1]), (1, 2));
    }

    /// Past the first chunk, room is one chunk at most, and a chunk once
    /// allocated is never reallocated.
    #[test]
    fn room_is_a_chunk_at_most_and_chunks_never_move() {
        let mut arena = Arena::default();
        for i in 0..CHUNK_LEN + 1 {
            arena.push(i as u32);
        }
        assert_eq!(arena.capacity(), 2 * CHUNK_LEN);
        let second = arena.chunks[1].as_ptr();
        for i in 0..CHUNK_LEN - 1 {
            arena.push(i as u32);
        }
        assert_eq!(arena.capacity(), 2 * CHUNK_LEN);
        assert_eq!(arena.chunks[1].as_ptr(), second);
        arena.push(0);
        assert_eq!(arena.capacity(), 3 * CHUNK_LEN);
        assert_eq!(arena.chunks[1].as_ptr(), second);
    }
}
