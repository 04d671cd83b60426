//! Texts interned to `u32` ids for the memory store (issue 17): every
//! claim id, member id, trace, ICN and REF*6R a run holds, each once.
//!
//! Bytes per text: its bytes in one shared buffer, its end offset (4) and
//! a 4-byte slot in a hash table of ids (~6 at its usual load): about 10
//! plus the text. An `IndexSet<Text>` took ~46 plus the text when over 24
//! bytes (a 32-byte entry of hash and inline string, an 8-byte index slot)
//! — and a run holds about two texts per service line.

use std::hash::BuildHasher;

use super::{StoreError, StoreResult};

/// Texts by id, and ids by text.
#[derive(Debug, Default)]
pub struct Interner {
    /// Every text, one after the other.
    bytes: String,
    /// Per id, where its text ends in `bytes` (it starts where the one
    /// before ends).
    ends: Vec<u32>,
    /// Ids, found by their text's hash.
    table: hashbrown::HashTable<u32>,
    hasher: foldhash::fast::RandomState,
}

impl Interner {
    /// The id of `text`, if it was interned.
    pub fn find(&self, text: &str) -> Option<u32> {
        let hash = self.hasher.hash_one(text);
        self.table
            .find(hash, |&id| str_of(&self.bytes, &self.ends, id) == text)
            .copied()
    }

    /// The id of `text`, interned now if it was not; fails only when ids
    /// or the 4 GiB of text one store can hold ran out.
    pub fn intern(&mut self, text: &str) -> StoreResult<u32> {
        let hash = self.hasher.hash_one(text);
        let Interner {
            bytes,
            ends,
            table,
            hasher,
        } = self;
        if let Some(&id) = table.find(hash, |&id| str_of(bytes, ends, id) == text) {
            return Ok(id);
        }
        let full = || StoreError::Data("more than 4 GiB of texts in one memory store".into());
        let id = u32::try_from(ends.len())
            .ok()
            .filter(|&id| id != u32::MAX)
            .ok_or_else(full)?;
        let end = u32::try_from(bytes.len() + text.len()).map_err(|_| full())?;
        bytes.push_str(text);
        ends.push(end);
        table.insert_unique(hash, id, |&id| hasher.hash_one(str_of(bytes, ends, id)));
        Ok(id)
    }

    /// A new id for `text`, which is kept without being made findable:
    /// for texts that are never looked up by their content (a line's
    /// REF*6R, all but unique, is found through its line), whose slot in
    /// the table would cost ~6 bytes each and the table's growth. A text
    /// so kept and interned as well has two ids.
    pub fn push(&mut self, text: &str) -> StoreResult<u32> {
        let full = || StoreError::Data("more than 4 GiB of texts in one memory store".into());
        let id = u32::try_from(self.ends.len())
            .ok()
            .filter(|&id| id != u32::MAX)
            .ok_or_else(full)?;
        let end = u32::try_from(self.bytes.len() + text.len()).map_err(|_| full())?;
        self.bytes.push_str(text);
        self.ends.push(end);
        Ok(id)
    }

    /// The text interned as `id` ("" for an id never handed out).
    pub fn get(&self, id: u32) -> &str {
        str_of(&self.bytes, &self.ends, id)
    }
}

/// The text of `id` in `bytes` ("" when there is none).
fn str_of<'a>(bytes: &'a str, ends: &[u32], id: u32) -> &'a str {
    let id = id as usize;
    let Some(&end) = ends.get(id) else {
        return "";
    };
    let start = if id == 0 { 0 } else { ends[id - 1] };
    bytes.get(start as usize..end as usize).unwrap_or("")
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
