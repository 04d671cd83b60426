//! The line state a run without `--db` holds for every service line until
//! its end (issue 17): identities interned to `u32` ids, histories as
//! fixed-size records chained in one arena, claim links chained in another.
//!
//! Bytes per service line held (one event a line, the common case; hash
//! tables counted at their usual load, between 7/8 and 7/16 full; texts
//! interned by `history::interner`, ~10 bytes each plus their own):
//! - identity: its id in a table found by the identity's hash and compared
//!   field by field (a 4-byte slot), ~6;
//! - the key itself, its texts interned ([`CompactKey`]): 36; CLP01 and
//!   member id are interned once a claim (~22 each, shared by the claim's
//!   lines): ~25 a line;
//! - the head of its history chain: 4;
//! - one event ([`Record`]): 44;
//! - REF*6R (when the line has one): its text interned (~20) and the
//!   control → ordinal entry (~32);
//! - two claim links (CLP01, CLP07): a node each in one arena (8) and a
//!   slot each in the set that keeps them unique (~14), ~44; and per claim
//!   reference its slot in `links` (~30) and its chain's ends (8), ~40 a
//!   line at the 1.8 lines a generated claim has.
//!
//! The same interner holds the texts the memory store's claim indexes are
//! keyed by (CLM01, CLP01, ICN: `history::memory`), so a CLP01 is held
//! once for its lines and its claims.
//!
//! About 205 bytes without a line control, 255 with one; each later event
//! of a line adds 44. (Before: the full `LineKey`, some 136 bytes, stored
//! in the history map and again in each claim link and line control, with
//! the events as owned rows: about 1.6 KB a line. Then, with a vector per
//! claim link, an `IndexSet` of texts and a map from 128-bit identity
//! hashes to ids: ~125 bytes a line more than now.)

use std::hash::BuildHasher;

use indexmap::IndexSet;
use jiff::civil::Date;
use rust_decimal::Decimal;

use super::interner::Interner;
use super::{StoreError, StoreResult};
use crate::line::{Flags, LineHistory, LineKey, PriorEvent, PriorKind, Scope};
use crate::text::Text;

type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
type HashSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;
type Interned<T> = IndexSet<T, foldhash::fast::RandomState>;

/// No record: the end of a history chain.
const NONE: u32 = u32::MAX;

/// A line's identity with its texts interned.
#[derive(Clone, Copy, Debug)]
struct CompactKey {
    payer: u32,
    payee: u32,
    claim_id: u32,
    member_id: u32,
    procedure: u32,
    modifiers: u32,
    service_date: Option<Date>,
    ordinal: u32,
    scope: Scope,
}

/// One past event of a line, fixed size: texts interned, the amount as
/// `Decimal` (16 bytes, no heap), the previous event of the line linked.
#[derive(Clone, Copy, Debug)]
struct Record {
    paid: Decimal,
    payment_date: Option<Date>,
    trace: u32,
    /// The set of denial reasons, interned whole (few sets recur).
    denial_reasons: u32,
    line_control: u32,
    flags: Flags,
    /// The line's event before this one, or [`NONE`].
    prev: u32,
    kind: PriorKind,
}

/// The first and last node of a claim link's chain in
/// [`LineBook::link_nodes`].
#[derive(Clone, Copy, Debug)]
struct LinkEnds {
    first: u32,
    last: u32,
}

/// One line of a claim link, and the next one of the same link (or
/// [`NONE`]).
#[derive(Clone, Copy, Debug)]
struct LinkNode {
    line: u32,
    next: u32,
}

/// Every line's identity, history, line controls and claim links.
#[derive(Debug, Default)]
pub struct LineBook {
    /// Line ids, found by their identity's hash and compared field by
    /// field with the key asked for: a 4-byte slot, where a map from a
    /// 128-bit identity hash took 20.
    ids: hashbrown::HashTable<u32>,
    /// The hasher of `ids`.
    id_hasher: foldhash::fast::RandomState,
    keys: Vec<CompactKey>,
    /// Per line id, its newest record.
    heads: Vec<u32>,
    records: Vec<Record>,
    texts: Interner,
    reason_sets: Interned<Vec<Text>>,
    /// (identity with ordinal 0, REF*6R) hashed → the ordinal it is known by.
    controls: HashMap<u128, u32>,
    /// (payer, payee, claim reference) hashed → link id.
    links: HashMap<u128, u32>,
    /// Per link id, the first and last of its lines in `link_nodes`: one
    /// arena for every link, not a vector per link (whose 24 bytes and
    /// heap block cost ~56 bytes for the one or two lines a claim
    /// reference usually has).
    link_ends: Vec<LinkEnds>,
    /// The lines linked, each link's chained in link order.
    link_nodes: Vec<LinkNode>,
    /// (link id, line id): each line once per link.
    linked: HashSet<u64>,
    hashers: [foldhash::quality::RandomState; 2],
}

impl LineBook {
    /// Number of lines with a history.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// A 128-bit hash of `value` under two independent keys drawn at
    /// random per store: a collision (2^-128 a pair) is not a practical
    /// risk, and crafted ids cannot aim for one.
    fn hash(&self, value: &impl std::hash::Hash) -> u128 {
        let [a, b] = &self.hashers;
        (u128::from(a.hash_one(value)) << 64) | u128::from(b.hash_one(value))
    }

    fn text(&mut self, text: &str) -> StoreResult<u32> {
        self.texts.intern(text)
    }

    /// The id of `text`, interned now if it was not (the claim indexes of
    /// the memory store key CLM01s, CLP01s and ICNs by these ids too, so
    /// that each text is held once).
    pub fn text_id(&mut self, text: &str) -> StoreResult<u32> {
        self.texts.intern(text)
    }

    /// The id of `text`, if it was interned.
    pub fn find_text(&self, text: &str) -> Option<u32> {
        self.texts.find(text)
    }

    /// The text interned as `id`.
    pub fn text_str(&self, id: u32) -> &str {
        self.texts.get(id)
    }

    fn text_of(&self, id: u32) -> Text {
        Text::from(self.texts.get(id))
    }

    fn id_of(&self, key: &LineKey) -> Option<u32> {
        let hash = key_hash(&self.id_hasher, key_fields(key));
        self.ids
            .find(hash, |&id| {
                same_line(&self.texts, &self.keys[id as usize], key)
            })
            .copied()
    }

    fn intern(&mut self, key: &LineKey) -> StoreResult<u32> {
        if let Some(id) = self.id_of(key) {
            return Ok(id);
        }
        let id = index(self.keys.len(), "lines")?;
        let compact = CompactKey {
            payer: self.text(&key.payer)?,
            payee: self.text(&key.payee)?,
            claim_id: self.text(&key.claim_id)?,
            member_id: self.text(&key.member_id)?,
            procedure: self.text(&key.procedure)?,
            modifiers: self.text(&key.modifiers)?,
            service_date: key.service_date,
            ordinal: key.ordinal,
            scope: key.scope,
        };
        self.keys.push(compact);
        let LineBook {
            ids,
            id_hasher,
            keys,
            texts,
            ..
        } = self;
        let hash = key_hash(id_hasher, key_fields(key));
        ids.insert_unique(hash, id, |&id| {
            key_hash(id_hasher, compact_fields(texts, &keys[id as usize]))
        });
        self.heads.push(NONE);
        Ok(id)
    }

    fn key_of(&self, id: u32) -> LineKey {
        let k = self.keys[id as usize];
        LineKey {
            payer: self.text_of(k.payer),
            payee: self.text_of(k.payee),
            claim_id: self.text_of(k.claim_id),
            member_id: self.text_of(k.member_id),
            service_date: k.service_date,
            procedure: self.text_of(k.procedure),
            modifiers: self.text_of(k.modifiers),
            ordinal: k.ordinal,
            scope: k.scope,
        }
    }

    /// Reads a line's history into `history`, oldest first (empty when
    /// the line is unknown).
    pub fn read(&self, key: &LineKey, history: &mut LineHistory) {
        history.events.clear();
        let Some(id) = self.id_of(key) else {
            return;
        };
        let mut at = self.heads[id as usize];
        while at != NONE {
            let r = &self.records[at as usize];
            history.events.push(PriorEvent {
                payment_date: r.payment_date,
                trace: self.text_of(r.trace),
                paid: r.paid,
                kind: r.kind,
                denial_reasons: self
                    .reason_sets
                    .get_index(r.denial_reasons as usize)
                    .cloned()
                    .unwrap_or_default(),
                line_control: self.text_of(r.line_control),
                flags: r.flags,
            });
            at = r.prev;
        }
        history.events.reverse();
    }

    /// Appends an event to a line's history (and, when it carries REF*6R,
    /// remembers the line's ordinal under that control).
    pub fn record(&mut self, key: &LineKey, event: &PriorEvent) -> StoreResult<()> {
        if !event.line_control.is_empty() {
            let base = LineKey {
                ordinal: 0,
                ..key.clone()
            };
            let hash = self.hash(&(base, event.line_control.as_str()));
            self.controls.insert(hash, key.ordinal);
        }
        let id = self.intern(key)?;
        let denial_reasons = match self.reason_sets.get_index_of(&event.denial_reasons) {
            Some(i) => i as u32,
            None => self.reason_sets.insert_full(event.denial_reasons.clone()).0 as u32,
        };
        let record = Record {
            paid: event.paid,
            payment_date: event.payment_date,
            trace: self.text(&event.trace)?,
            denial_reasons,
            line_control: self.text(&event.line_control)?,
            flags: event.flags,
            prev: self.heads[id as usize],
            kind: event.kind,
        };
        let at = index(self.records.len(), "line events")?;
        self.records.push(record);
        self.heads[id as usize] = at;
        Ok(())
    }

    /// The ordinal under which a line with this identity and REF*6R is known.
    pub fn ordinal_for_control(&self, key: &LineKey, control: &str) -> Option<u32> {
        let base = LineKey {
            ordinal: 0,
            ..key.clone()
        };
        self.controls.get(&self.hash(&(base, control))).copied()
    }

    /// Lines linked to a claim reference, in link order.
    pub fn claim_lines(&self, payer: &str, payee: &str, claim_ref: &str) -> Vec<LineKey> {
        let mut lines = Vec::new();
        if let Some(&link) = self.links.get(&self.hash(&(payer, payee, claim_ref))) {
            let mut at = self.link_ends[link as usize].first;
            while at != NONE {
                let node = self.link_nodes[at as usize];
                lines.push(self.key_of(node.line));
                at = node.next;
            }
        }
        lines
    }

    /// Links a line to a claim reference, once.
    pub fn link(
        &mut self,
        payer: &str,
        payee: &str,
        claim_ref: &str,
        key: &LineKey,
    ) -> StoreResult<()> {
        let line = self.intern(key)?;
        let hash = self.hash(&(payer, payee, claim_ref));
        let link = match self.links.get(&hash) {
            Some(&link) => link,
            None => {
                let link = index(self.link_ends.len(), "claim links")?;
                self.links.insert(hash, link);
                self.link_ends.push(LinkEnds {
                    first: NONE,
                    last: NONE,
                });
                link
            }
        };
        if self
            .linked
            .insert((u64::from(link) << 32) | u64::from(line))
        {
            let node = index(self.link_nodes.len(), "claim link lines")?;
            self.link_nodes.push(LinkNode { line, next: NONE });
            let ends = &mut self.link_ends[link as usize];
            match ends.last {
                NONE => ends.first = node,
                last => self.link_nodes[last as usize].next = node,
            }
            ends.last = node;
        }
        Ok(())
    }
}

/// The fields of a line's identity, as its hash in [`LineBook::ids`]
/// reads them.
type KeyFields<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    Option<Date>,
    &'a str,
    &'a str,
    u32,
    Scope,
);

fn key_fields(k: &LineKey) -> KeyFields<'_> {
    (
        &k.payer,
        &k.payee,
        &k.claim_id,
        &k.member_id,
        k.service_date,
        &k.procedure,
        &k.modifiers,
        k.ordinal,
        k.scope,
    )
}

fn compact_fields<'a>(texts: &'a Interner, k: &CompactKey) -> KeyFields<'a> {
    (
        texts.get(k.payer),
        texts.get(k.payee),
        texts.get(k.claim_id),
        texts.get(k.member_id),
        k.service_date,
        texts.get(k.procedure),
        texts.get(k.modifiers),
        k.ordinal,
        k.scope,
    )
}

/// The hash a line's identity is found by: the same for a [`LineKey`] and
/// for its [`CompactKey`] (the same fields, as text).
fn key_hash(hasher: &foldhash::fast::RandomState, fields: KeyFields<'_>) -> u64 {
    hasher.hash_one(fields)
}

/// Whether `stored` is the identity of `key`.
fn same_line(texts: &Interner, stored: &CompactKey, key: &LineKey) -> bool {
    compact_fields(texts, stored) == key_fields(key)
}

/// `len` as the next `u32` id, unless ids ran out.
fn index(len: usize, what: &str) -> StoreResult<u32> {
    u32::try_from(len)
        .ok()
        .filter(|&i| i != NONE)
        .ok_or_else(|| StoreError::Data(format!("more than 4 billion {what} in one memory store")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(claim: &str, ordinal: u32) -> LineKey {
        LineKey {
            payer: "P".into(),
            payee: "1".into(),
            claim_id: claim.into(),
            member_id: "M".into(),
            service_date: Some(Date::constant(2024, 1, 2)),
            procedure: "97110".into(),
            modifiers: "GP".into(),
            ordinal,
            scope: Scope::Line,
        }
    }

    fn event(trace: &str, paid: i64, control: &str) -> PriorEvent {
        PriorEvent {
            payment_date: Some(Date::constant(2024, 2, 1)),
            trace: trace.into(),
            paid: Decimal::new(paid, 2),
            kind: PriorKind::Payment,
            denial_reasons: vec!["CO-45".into()],
            line_control: control.into(),
            flags: Flags::default(),
        }
    }

    #[test]
    fn a_history_reads_back_oldest_first_and_apart_from_other_lines() {
        let mut book = LineBook::default();
        book.record(&key("A", 0), &event("T1", 1050, "")).unwrap();
        book.record(&key("B", 0), &event("T2", 7, "")).unwrap();
        book.record(&key("A", 0), &event("T3", -1050, "")).unwrap();
        let mut history = LineHistory::default();
        book.read(&key("A", 0), &mut history);
        assert_eq!(
            history.events,
            [event("T1", 1050, ""), event("T3", -1050, "")]
        );
        book.read(&key("A", 1), &mut history);
        assert!(history.events.is_empty(), "another ordinal, another line");
        assert_eq!(book.len(), 2);
    }

    #[test]
    fn every_line_keeps_its_history_as_the_id_table_grows() {
        let mut book = LineBook::default();
        for i in 0..5_000 {
            let k = key(&format!("C{}", i / 3), i % 3);
            book.record(&k, &event(&format!("T{i}"), i64::from(i), ""))
                .unwrap();
        }
        assert_eq!(book.len(), 5_000);
        let mut history = LineHistory::default();
        for i in [0, 1, 2, 2_999, 4_999] {
            book.read(&key(&format!("C{}", i / 3), i % 3), &mut history);
            assert_eq!(history.events, [event(&format!("T{i}"), i64::from(i), "")]);
        }
        // A field that differs is another line, whatever else is equal.
        let other_member = LineKey {
            member_id: "N".into(),
            ..key("C0", 0)
        };
        book.read(&other_member, &mut history);
        assert!(history.events.is_empty());
    }

    #[test]
    fn controls_and_claim_links_find_their_lines() {
        let mut book = LineBook::default();
        book.record(&key("A", 1), &event("T1", 100, "6R-1"))
            .unwrap();
        assert_eq!(book.ordinal_for_control(&key("A", 0), "6R-1"), Some(1));
        assert_eq!(book.ordinal_for_control(&key("A", 0), "6R-2"), None);
        for k in [key("A", 1), key("A", 0), key("A", 1)] {
            book.link("P", "1", "A", &k).unwrap();
        }
        assert_eq!(book.claim_lines("P", "1", "A"), [key("A", 1), key("A", 0)]);
        assert!(book.claim_lines("P", "2", "A").is_empty());
    }
}
