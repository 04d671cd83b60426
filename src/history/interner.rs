//! Texts interned to `u32` ids for the memory store (issue 17): every
//! claim id, member id, trace, ICN and REF*6R a run holds, each once.
//!
//! Bytes per text: its bytes in one shared buffer, its end offset (4) and
//! a 4-byte slot in a hash table of ids (~6 at its usual load): about 10
//! plus the text. An `IndexSet<Text>` took ~46 plus the text when over 24
//! bytes (a 32-byte entry of hash and inline string, an 8-byte index slot)
//! — and a run holds about two texts per service line.

use std::hash::BuildHasher;

use super::arena::Arena;
use super::{StoreError, StoreResult};

/// The bytes a chunk of texts holds: texts are appended to the last chunk
/// while they fit and start a new one when they do not (a text longer than
/// this has a chunk of its own), so the texts grow a chunk at a time and
/// are never copied — one `String` doubled as it filled, holding its old
/// and its new block at once: on the 1 GB generated case, +96 MiB for the
/// moment it grew, the run's peak (issue 17).
const CHUNK: usize = 1 << 20;

/// The bits of a text's start that are its offset in its chunk; the 12
/// above them are the chunk's index (4,096 chunks: 4 GiB of texts).
const OFFSET_BITS: u32 = 20;

/// Texts by id, and ids by text.
#[derive(Debug, Default)]
pub struct Interner {
    /// Every text, one after the other, in chunks of [`CHUNK`] bytes.
    chunks: Vec<String>,
    /// Per id, where its text starts: its chunk and its offset in it (it
    /// ends where the next id's starts, or at its chunk's end). An
    /// [`Arena`], not a `Vec`: it grows a chunk at a time, neither copied
    /// into a block twice the size (+64 MB for that moment on the 1 GB
    /// generated case) nor reserved ahead (18.3 million starts held for
    /// the 10.7 million used there: ~30 MB).
    starts: Arena<u32>,
    /// Ids, found by their text's hash.
    table: hashbrown::HashTable<u32>,
    hasher: foldhash::fast::RandomState,
}

impl Interner {
    /// The id of `text`, if it was interned.
    pub fn find(&self, text: &str) -> Option<u32> {
        let hash = self.hasher.hash_one(text);
        self.table
            .find(hash, |&id| str_of(&self.chunks, &self.starts, id) == text)
            .copied()
    }

    /// The id of `text`, interned now if it was not; fails only when ids
    /// or the 4 GiB of text one store can hold ran out.
    pub fn intern(&mut self, text: &str) -> StoreResult<u32> {
        let hash = self.hasher.hash_one(text);
        if let Some(&id) = self
            .table
            .find(hash, |&id| str_of(&self.chunks, &self.starts, id) == text)
        {
            return Ok(id);
        }
        let id = self.push(text)?;
        let Interner {
            chunks,
            starts,
            table,
            hasher,
        } = self;
        table.insert_unique(hash, id, |&id| hasher.hash_one(str_of(chunks, starts, id)));
        Ok(id)
    }

    /// A new id for `text`, which is kept without being made findable:
    /// for texts that are never looked up by their content (a line's
    /// REF*6R, all but unique, is found through its line), whose slot in
    /// the table would cost ~6 bytes each and the table's growth. A text
    /// so kept and interned as well has two ids.
    pub fn push(&mut self, text: &str) -> StoreResult<u32> {
        let full = || StoreError::Data("more than 4 GiB of texts in one memory store".into());
        let id = u32::try_from(self.starts.len())
            .ok()
            .filter(|&id| id != u32::MAX)
            .ok_or_else(full)?;
        let fits = self
            .chunks
            .last()
            .is_some_and(|last| last.len() < CHUNK && last.len() + text.len() <= CHUNK);
        if !fits {
            if self.chunks.len() >= 1 << (32 - OFFSET_BITS) {
                return Err(full());
            }
            self.chunks.push(if text.len() > CHUNK {
                String::with_capacity(text.len())
            } else {
                String::with_capacity(CHUNK)
            });
        }
        let chunk = self.chunks.len() - 1;
        let last = &mut self.chunks[chunk];
        // Below 4,096 chunks and, a new chunk's first text aside, within
        // one: the start fits its bits.
        let start = ((chunk as u32) << OFFSET_BITS) | last.len() as u32;
        last.push_str(text);
        self.starts.push(start);
        Ok(id)
    }

    /// The text interned as `id` ("" for an id never handed out).
    pub fn get(&self, id: u32) -> &str {
        str_of(&self.chunks, &self.starts, id)
    }
}

/// The text of `id` in `chunks` ("" when there is none).
fn str_of<'a>(chunks: &'a [String], starts: &Arena<u32>, id: u32) -> &'a str {
    let id = id as usize;
    let Some((&start, next)) = starts.get_two(id) else {
        return "";
    };
    let Some(chunk) = chunks.get((start >> OFFSET_BITS) as usize) else {
        return "";
    };
    let offset = |start: u32| (start & ((1 << OFFSET_BITS) - 1)) as usize;
    let end = match next {
        Some(&next) if next >> OFFSET_BITS == start >> OFFSET_BITS => offset(next),
        _ => chunk.len(),
    };
    chunk.get(offset(start)..end).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_is_interned_once_and_reads_back() {
        let mut texts = Interner::default();
        let a = texts.intern("CLAIM-1").unwrap();
        let empty = texts.intern("").unwrap();
        let b = texts.intern("MEMBER-ÄÖ-2").unwrap();
        assert_eq!(texts.intern("CLAIM-1").unwrap(), a);
        assert_eq!(texts.intern("").unwrap(), empty);
        assert_ne!(a, b);
        assert_eq!(texts.intern("x").unwrap(), 3, "ids are handed out in turn");
        assert_eq!(
            (texts.get(a), texts.get(empty), texts.get(b)),
            ("CLAIM-1", "", "MEMBER-ÄÖ-2")
        );
        assert_eq!(texts.find("MEMBER-ÄÖ-2"), Some(b));
        assert_eq!(texts.find("CLAIM-2"), None);
        assert_eq!(texts.get(99), "", "an id never handed out reads as empty");
    }

    #[test]
    fn a_text_kept_unfindable_reads_back_and_leaves_the_others_alone() {
        let mut texts = Interner::default();
        let a = texts.intern("CLP01").unwrap();
        let kept = texts.push("6R-1").unwrap();
        assert_eq!(texts.get(kept), "6R-1");
        assert_eq!(texts.find("6R-1"), None, "not findable");
        let again = texts.push("CLP01").unwrap();
        assert_ne!(again, a, "pushed again, a new id");
        assert_eq!(texts.get(again), "CLP01");
        assert_eq!(texts.find("CLP01"), Some(a));
        assert_eq!(texts.intern("CLP01").unwrap(), a);
        let b = texts.intern("6R-1").unwrap();
        assert_ne!(b, kept);
        assert_eq!(
            (texts.get(a), texts.get(kept), texts.get(b)),
            ("CLP01", "6R-1", "6R-1")
        );
    }

    #[test]
    fn texts_read_back_across_chunks_whatever_their_length() {
        let mut texts = Interner::default();
        let long = "L".repeat(CHUNK + 3);
        let fill = "F".repeat(CHUNK - 10);
        let rest = "R".repeat(CHUNK - 11);
        // Chunk 0: `fill`; chunk 1: a text that did not fit after it, then
        // an empty one; chunk 2: a text longer than a chunk, alone; chunk
        // 3: "B", ten digits, then `rest`, which fills it exactly; chunk 4:
        // the empty text kept after it.
        let order = [
            fill.as_str(),
            "0123456789A",
            "",
            &long,
            "B",
            "0123456789",
            &rest,
        ];
        let ids: Vec<u32> = order.iter().map(|t| texts.intern(t).unwrap()).collect();
        let kept = texts.push("").unwrap();
        assert_eq!(texts.chunks.len(), 5);
        assert_eq!(texts.chunks[3].len(), CHUNK);
        for (id, text) in ids.iter().zip(order) {
            assert_eq!(texts.get(*id), text);
            assert_eq!(texts.find(text), Some(*id));
        }
        assert_eq!(texts.get(kept), "");
        assert_eq!(texts.intern(&long).unwrap(), ids[3]);
    }

    #[test]
    fn many_texts_survive_the_table_growing() {
        let mut texts = Interner::default();
        let ids: Vec<u32> = (0..10_000)
            .map(|i| texts.intern(&format!("T{i}")).unwrap())
            .collect();
        for (i, &id) in ids.iter().enumerate() {
            assert_eq!(texts.get(id), format!("T{i}"));
            assert_eq!(texts.find(&format!("T{i}")), Some(id));
        }
    }
}
