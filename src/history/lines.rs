//! The line state a run without `--db` holds for every service line until
//! its end (issue 17): identities interned to `u32` ids, histories as
//! fixed-size records chained in one arena, claim links chained in another
//! (arenas grown a chunk at a time: `history::arena`).
//!
//! Bytes per line held, as counted with the structures' lengths on the
//! 1 GB generated case (5.5 million lines, 1.11 events, 0.83 REF*6R, 1.05
//! claim references and 1.9 links a line; hash tables at the load
//! they had there, a byte of control per bucket included; the line ids'
//! and links' tables in shards sized to the room the memory store asks
//! for, ~1.2 buckets an entry: `history::table`):
//! - identity: its id in a table found by the identity's hash and compared
//!   field by field (a 4-byte slot), ~6;
//! - the key ([`CompactKey`]): 20 — payer and payee, procedure and
//!   modifiers one [`Pairs`] id, a pair of pairs (few payees bill few
//!   procedures: the pairs recur), the service date, scope and ordinal in
//!   one word, the head of its history chain;
//! - its events ([`Record`]): 20 each, ~22 — the amount as 30 bits of
//!   mantissa and 2 of scale (an amount those bits cannot hold exactly
//!   goes to `odd_amounts`: ~1% of generated amounts, ~0.3 a line), the
//!   payment date, kind, denial reasons and flags one interned id (few
//!   recur);
//! - REF*6R: no table — its line is found through the line ids, whose hash
//!   leaves the ordinal out ([`LineBook::ordinal_for_control`]), and its
//!   text is in the line's record;
//! - claim links (CLP01, CLP07): per claim reference its [`Link`] (8: its
//!   payer and payee are its lines') and a 4-byte slot in `links` (~7),
//!   per line linked a node (8), one node for both when a claim payment's
//!   lines are linked to its CLP01 and its CLP07 in turn (their chains
//!   shared: [`LineBook::link`]): ~23. A link's lines are each there once:
//!   its chain is scanned before a line is added (a claim reference has
//!   the few lines of its claim, and reading them back walks the same
//!   chain anyway);
//! - texts (`history::interner`: claim ids, member ids, ICNs, REF*6R,
//!   traces; ~2 a line, 13 bytes on average): ~42 — REF*6R (~0.8 a line)
//!   kept without a slot in the interner's table (~49 with one).
//!
//! About 113 bytes a line, each later event of a line 20 more. The same
//! interner holds the texts the memory store's claim indexes are keyed by
//! (CLM01, CLP01, ICN: `history::memory`), so a CLP01 is held once for
//! its lines and its claims.
//!
//! (Before: the full `LineKey`, some 136 bytes, stored in the history map
//! and again in each claim link and line control, with the events as owned
//! rows: about 1.6 KB a line. Then ~300 bytes counted the same way: 44-byte
//! records (a 16-byte `Decimal`), 36-byte keys and a separate head, maps
//! from 128-bit hashes for links and controls (32-byte entries, ~51 a line
//! each) and a set of (link, line) keeping links unique (~28). Then ~150:
//! 28-byte keys and records (the payment date and kind in one word, the
//! reasons and flags in two), 12-byte links, and the arenas as vectors
//! reserved ahead from upper bounds, whose room never used was resident.
//! Then ~134: 24-byte keys, an 8-byte (line, control) slot per REF*6R in
//! a table of its own (~14), each table one power-of-two `hashbrown`
//! table (8.4 million buckets each for 4.5 to 5.7 million entries).)
//! The hash tables double as they fill unless [`LineBook::reserve`] sized
//! them.

use std::hash::BuildHasher;

use indexmap::IndexSet;
use jiff::civil::Date;
use rust_decimal::Decimal;

use super::arena::Arena;
use super::interner::Interner;
use super::table::Table;
use super::{StoreError, StoreResult};
use crate::hashing::HashMap;
use crate::line::{Flags, LineHistory, LineKey, PriorEvent, PriorKind, Scope};
use crate::text::Text;

type Interned<T> = IndexSet<T, foldhash::fast::RandomState>;

/// No record: the end of a history chain.
const NONE: u32 = u32::MAX;

/// A line's identity with its texts interned, and its newest event.
#[derive(Clone, Copy, Debug)]
struct CompactKey {
    /// ((payer, payee), (procedure, modifiers)) in [`LineBook::pairs`],
    /// a pair of pairs: few payees bill few procedures, so the pairs of
    /// the two recur as each does (one word a line, 4 bytes, where each
    /// pair took one).
    place: u32,
    claim_id: u32,
    member_id: u32,
    /// The service date, the scope and the ordinal ([`pack_date`] with
    /// [`line_tag`]'s tag: the ordinal in 6 bits, [`ODD_ORDINAL`] for one
    /// kept in [`LineBook::odd_ordinals`] — a claim's identical lines are
    /// few, numbered from 0 —, where a word of its own made 24 bytes).
    day: u32,
    /// The line's newest record, or [`NONE`].
    head: u32,
}

/// One past event of a line, 20 bytes: texts interned, the amount
/// packed, the previous event of the line linked.
#[derive(Clone, Copy, Debug)]
struct Record {
    /// The amount ([`pack_amount`]), or [`ODD_AMOUNT`]: in
    /// [`LineBook::odd_amounts`].
    paid: u32,
    trace: u32,
    /// The payment date and the kind ([`pack_date`]), the set of denial
    /// reasons and the flags, in [`LineBook::details`]: few of them recur
    /// (a run's payment dates, seven kinds, the reason sets and flags its
    /// payers give: ~353 dates and 10 CARCs on the 1 GB generated case),
    /// so one word where each took one.
    detail: u32,
    line_control: u32,
    /// The line's event before this one, or [`NONE`].
    prev: u32,
}

/// One claim reference's lines: the reference (interned) and the newest
/// node of its chain in [`LineBook::link_nodes`] (chained newest first,
/// so that a link needs no pointer to its other end; read back, the chain
/// is reversed into link order). Its payer and payee are those of its
/// lines ([`LineBook::link`] links a line under its own), read from the
/// newest one's key: 8 bytes where a word of its own made 12 (~4 bytes a
/// service line on the 1 GB case: 5.7 million links).
#[derive(Clone, Copy, Debug)]
struct Link {
    claim_ref: u32,
    /// Never [`NONE`]: a link is made with its first line.
    newest: u32,
}

/// One line of a claim link, and the one linked before it (or [`NONE`]).
#[derive(Clone, Copy, Debug)]
struct LinkNode {
    line: u32,
    next: u32,
}

/// Pairs of text ids interned to one id: (payer, payee) and (procedure,
/// modifiers) take few distinct values, so a line holds one `u32` for
/// each pair instead of two.
#[derive(Debug, Default)]
struct Pairs {
    pairs: Vec<(u32, u32)>,
    ids: HashMap<(u32, u32), u32>,
}

impl Pairs {
    fn intern(&mut self, pair: (u32, u32)) -> StoreResult<u32> {
        if let Some(&id) = self.ids.get(&pair) {
            return Ok(id);
        }
        let id = index(self.pairs.len(), "pairs of texts")?;
        self.pairs.push(pair);
        self.ids.insert(pair, id);
        Ok(id)
    }

    /// The pair interned as `id` ((0, 0) for an id never handed out).
    fn get(&self, id: u32) -> (u32, u32) {
        self.pairs.get(id as usize).copied().unwrap_or_default()
    }
}

/// What [`LineBook::reserve`] makes room for in its hash tables, each an
/// upper bound counted from a first pass (the tables' control bytes are
/// written when they are allocated).
#[derive(Clone, Copy, Debug, Default)]
pub struct Room {
    /// Lines (their ids).
    pub lines: usize,
    /// Claim references (a claim payment has two: CLP01 and CLP07).
    pub links: usize,
}

/// Every line's identity, history, line controls and claim links.
#[derive(Debug, Default)]
pub struct LineBook {
    /// Line ids, found by their identity's hash and compared field by
    /// field with the key asked for: a 4-byte slot, where a map from a
    /// 128-bit identity hash took 20. The hash leaves the ordinal out
    /// ([`key_hash`]): a REF*6R's line is found here too.
    ids: Table<u32>,
    /// The hasher of `ids` and `links`.
    hasher: foldhash::fast::RandomState,
    keys: Arena<CompactKey>,
    records: Arena<Record>,
    /// By line id, the ordinals over [`ODD_ORDINAL`] - 1 (none on the
    /// generated cases).
    odd_ordinals: HashMap<u32, u32>,
    /// By record index, the amounts [`pack_amount`] cannot hold exactly
    /// (over ±5 million at cents, more than 2 decimals, a negative zero).
    odd_amounts: HashMap<u32, Decimal>,
    texts: Interner,
    pairs: Pairs,
    reason_sets: Interned<Vec<Text>>,
    /// (payment date and kind, a set in `reason_sets`, flags): an
    /// event's [`Record::detail`].
    details: Interned<(u32, u32, Flags)>,
    /// (payer, payee, claim reference) → link id, found by their hash and
    /// compared with the link's texts.
    links: Table<u32>,
    /// Per link id, its identity and the ends of its chain: one arena for
    /// every link, not a vector per link (whose 24 bytes and heap block
    /// cost ~56 bytes for the one or two lines a claim reference usually
    /// has).
    link_ends: Arena<Link>,
    /// The lines linked, each link's chained in link order.
    link_nodes: Arena<LinkNode>,
}

impl LineBook {
    /// Number of lines with a history.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Makes room for what [`Room`] counts in the hash tables, so that
    /// they are sized once from a first pass's counts instead of doubling
    /// as they fill (a doubling holds the old and the new block at once,
    /// and a table's entries are hashed again from their texts, which took
    /// ~4 s for the line controls of the 1 GB case). The arenas (keys,
    /// records, links and their nodes, the texts' starts) need no room:
    /// they grow a chunk at a time ([`Arena`]).
    pub fn reserve(&mut self, room: Room) {
        let LineBook {
            ids,
            hasher,
            keys,
            texts,
            pairs,
            links: link_ids,
            link_ends,
            link_nodes,
            ..
        } = self;
        ids.reserve(room.lines, |&id| {
            key_hash(hasher, compact_fields(texts, pairs, &keys[id as usize]))
        });
        link_ids.reserve(room.links, |&link| {
            link_hash(
                hasher,
                link_fields(texts, pairs, keys, link_nodes, &link_ends[link as usize]),
            )
        });
    }

    /// The lengths the tables [`LineBook::reserve`] sizes hold without
    /// growing: line ids, claim links.
    #[cfg(test)]
    pub fn capacities(&self) -> [usize; 2] {
        [self.ids.capacity(), self.links.capacity()]
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

    fn pair(&mut self, a: &str, b: &str) -> StoreResult<u32> {
        let pair = (self.text(a)?, self.text(b)?);
        self.pairs.intern(pair)
    }

    fn id_of(&self, key: &LineKey) -> Option<u32> {
        let hash = key_hash(&self.hasher, key_fields(key));
        self.ids
            .find(hash, |&id| {
                let line = &self.keys[id as usize];
                compact_fields(&self.texts, &self.pairs, line) == but_ordinal(key_fields(key))
                    && ordinal_of(&self.odd_ordinals, id, line) == key.ordinal
            })
            .copied()
    }

    fn intern(&mut self, key: &LineKey) -> StoreResult<u32> {
        if let Some(id) = self.id_of(key) {
            return Ok(id);
        }
        let id = index(self.keys.len(), "lines")?;
        let compact = CompactKey {
            place: {
                let party = self.pair(&key.payer, &key.payee)?;
                let service = self.pair(&key.procedure, &key.modifiers)?;
                self.pairs.intern((party, service))?
            },
            claim_id: self.text(&key.claim_id)?,
            member_id: self.text(&key.member_id)?,
            day: pack_date(key.service_date, line_tag(key.scope, key.ordinal)),
            head: NONE,
        };
        if key.ordinal >= ODD_ORDINAL {
            self.odd_ordinals.insert(id, key.ordinal);
        }
        self.keys.push(compact);
        let LineBook {
            ids,
            hasher,
            keys,
            texts,
            pairs,
            ..
        } = self;
        let hash = key_hash(hasher, key_fields(key));
        ids.insert_unique(hash, id, |&id| {
            key_hash(hasher, compact_fields(texts, pairs, &keys[id as usize]))
        });
        Ok(id)
    }

    fn key_of(&self, id: u32) -> LineKey {
        let line = &self.keys[id as usize];
        let (payer, payee, claim_id, member_id, service_date, procedure, modifiers, _, scope) =
            compact_fields(&self.texts, &self.pairs, line);
        let ordinal = ordinal_of(&self.odd_ordinals, id, line);
        LineKey {
            payer: payer.into(),
            payee: payee.into(),
            claim_id: claim_id.into(),
            member_id: member_id.into(),
            service_date,
            procedure: procedure.into(),
            modifiers: modifiers.into(),
            ordinal,
            scope,
        }
    }

    /// Reads a line's history into `history`, oldest first (empty when
    /// the line is unknown).
    pub fn read(&self, key: &LineKey, history: &mut LineHistory) {
        history.events.clear();
        let Some(id) = self.id_of(key) else {
            return;
        };
        let mut at = self.keys[id as usize].head;
        while at != NONE {
            let r = &self.records[at as usize];
            let (day, reasons, flags) = self
                .details
                .get_index(r.detail as usize)
                .copied()
                .unwrap_or_default();
            let (payment_date, kind) = unpack_date(day);
            let kind = kind_of(kind);
            let paid = match r.paid {
                ODD_AMOUNT => self.odd_amounts.get(&at).copied().unwrap_or_default(),
                packed => unpack_amount(packed),
            };
            history.events.push(PriorEvent {
                payment_date,
                trace: self.text_of(r.trace),
                paid,
                kind,
                denial_reasons: self
                    .reason_sets
                    .get_index(reasons as usize)
                    .cloned()
                    .unwrap_or_default(),
                line_control: self.text_of(r.line_control),
                flags,
            });
            at = r.prev;
        }
        history.events.reverse();
    }

    /// Appends an event to a line's history (and, when it carries REF*6R,
    /// remembers the line's ordinal under that control).
    pub fn record(&mut self, key: &LineKey, event: &PriorEvent) -> StoreResult<()> {
        let id = self.intern(key)?;
        let line_control = if event.line_control.is_empty() {
            self.text("")?
        } else {
            self.control_text(id, &event.line_control)?
        };
        let reasons = match self.reason_sets.get_index_of(&event.denial_reasons) {
            Some(i) => i as u32,
            None => self.reason_sets.insert_full(event.denial_reasons.clone()).0 as u32,
        };
        let day = pack_date(event.payment_date, kind_code(event.kind));
        let detail = self.details.insert_full((day, reasons, event.flags)).0 as u32;
        let at = index(self.records.len(), "line events")?;
        let paid = match pack_amount(event.paid) {
            Some(packed) => packed,
            None => {
                self.odd_amounts.insert(at, event.paid);
                ODD_AMOUNT
            }
        };
        let record = Record {
            paid,
            trace: self.text(&event.trace)?,
            detail,
            line_control,
            prev: self.keys[id as usize].head,
        };
        self.records.push(record);
        self.keys[id as usize].head = at;
        Ok(())
    }

    /// The text id of the REF*6R `text` of an event of the line `id`: its
    /// last event's when that has the same, else `text` kept anew, not
    /// interned — REF*6R is all but unique to its line (~0.8 a line on the
    /// 1 GB generated case: 4.5 million of the interner's 10.7 million
    /// texts), and is found through its line, never by its content, so its
    /// slot in the interner's table (~6 bytes and the table's doubling)
    /// would buy nothing (issue 17).
    fn control_text(&mut self, id: u32, text: &str) -> StoreResult<u32> {
        let head = self.keys[id as usize].head;
        if let Some(last) = self.records.get(head as usize)
            && self.texts.get(last.line_control) == text
        {
            return Ok(last.line_control);
        }
        self.texts.push(text)
    }

    /// The ordinal under which a line with this identity and REF*6R is
    /// known: among the lines that share the identity but the ordinal (one
    /// hash in `ids`), the one whose event with this REF*6R was recorded
    /// last (records are numbered in the order recorded) — a later line
    /// with the same control takes its place. Found through the lines'
    /// histories, with no table of its own: a (line, control) slot took
    /// ~14 bytes a line on the 1 GB generated case (4.5 million REF*6R,
    /// 8.4 million 9-byte buckets), and its inserts were a probe and a
    /// hash of the identity per REF*6R recorded (issue 17).
    pub fn ordinal_for_control(&self, key: &LineKey, control: &str) -> Option<u32> {
        if control.is_empty() {
            // Never a line's control: an event without REF*6R has "".
            return None;
        }
        let fields = key_fields(key);
        let wanted = but_ordinal(fields);
        let mut newest: Option<(u32, u32)> = None;
        // Every line of this hash is visited: `eq` never says found.
        self.ids.find(key_hash(&self.hasher, fields), |&id| {
            let line = &self.keys[id as usize];
            if compact_fields(&self.texts, &self.pairs, line) == wanted
                && let Some(at) = self.newest_with_control(line.head, control)
                && newest.is_none_or(|(last, _)| at > last)
            {
                newest = Some((at, ordinal_of(&self.odd_ordinals, id, line)));
            }
            false
        });
        newest.map(|(_, ordinal)| ordinal)
    }

    /// The newest record of the chain from `at` whose REF*6R is `control`.
    fn newest_with_control(&self, mut at: u32, control: &str) -> Option<u32> {
        while at != NONE {
            let r = &self.records[at as usize];
            if self.texts.get(r.line_control) == control {
                return Some(at);
            }
            at = r.prev;
        }
        None
    }

    fn link_of(&self, payer: &str, payee: &str, claim_ref: &str) -> Option<u32> {
        let fields = (payer, payee, claim_ref);
        self.links
            .find(link_hash(&self.hasher, fields), |&link| {
                link_fields(
                    &self.texts,
                    &self.pairs,
                    &self.keys,
                    &self.link_nodes,
                    &self.link_ends[link as usize],
                ) == fields
            })
            .copied()
    }

    /// Lines linked to a claim reference, in link order.
    pub fn claim_lines(&self, payer: &str, payee: &str, claim_ref: &str) -> Vec<LineKey> {
        let mut lines = Vec::new();
        if let Some(link) = self.link_of(payer, payee, claim_ref) {
            let mut at = self.link_ends[link as usize].newest;
            while at != NONE {
                let node = self.link_nodes[at as usize];
                lines.push(self.key_of(node.line));
                at = node.next;
            }
        }
        lines.reverse();
        lines
    }

    /// Links a line to a claim reference, once. The payer and payee are
    /// the line's own (a link's are read from its lines): others are an
    /// error.
    pub fn link(
        &mut self,
        payer: &str,
        payee: &str,
        claim_ref: &str,
        key: &LineKey,
    ) -> StoreResult<()> {
        if (payer, payee) != (key.payer.as_str(), key.payee.as_str()) {
            return Err(StoreError::Data(format!(
                "a line of payer {:?} and payee {:?} linked to claim reference {claim_ref:?} under payer {payer:?} and payee {payee:?}",
                key.payer.as_str(),
                key.payee.as_str()
            )));
        }
        let line = self.intern(key)?;
        let found = self.link_of(payer, payee, claim_ref);
        let newest = match found {
            Some(link) => {
                if self.is_linked(link, line) {
                    return Ok(());
                }
                self.link_ends[link as usize].newest
            }
            None => NONE,
        };
        // A claim payment's lines are linked to its CLP01 and its CLP07 in
        // turn: when the node just added for the other reference holds this
        // line on top of this link's whole chain, the two chains are the
        // same from there on, and this link takes that node as its newest
        // rather than a copy of it. Nodes never change once added (a chain
        // grows at its newest end), so a shared tail stays right for both:
        // one node a line where there were two (~8 bytes a line; issue 17).
        let node = match self.link_nodes.last() {
            // Below `NONE` nodes: the last one's index is an id.
            Some(last) if last.line == line && last.next == newest => {
                (self.link_nodes.len() - 1) as u32
            }
            _ => {
                let node = index(self.link_nodes.len(), "claim link lines")?;
                self.link_nodes.push(LinkNode { line, next: newest });
                node
            }
        };
        match found {
            Some(link) => self.link_ends[link as usize].newest = node,
            None => {
                // Made with its first line, so that its payer and payee
                // can be read (the table's hashes too, if it grows now).
                let link = index(self.link_ends.len(), "claim links")?;
                let ends = Link {
                    claim_ref: self.text(claim_ref)?,
                    newest: node,
                };
                self.link_ends.push(ends);
                let LineBook {
                    links,
                    hasher,
                    texts,
                    pairs,
                    keys,
                    link_ends,
                    link_nodes,
                    ..
                } = self;
                let hash = link_hash(hasher, (payer, payee, claim_ref));
                links.insert_unique(hash, link, |&link| {
                    link_hash(
                        hasher,
                        link_fields(texts, pairs, keys, link_nodes, &link_ends[link as usize]),
                    )
                });
            }
        }
        Ok(())
    }

    /// Whether `line` is in the chain of `link`. The chain is scanned,
    /// newest first (a line linked again is usually the one linked last):
    /// a claim reference has the few lines of its claim, and a set of
    /// (link, line) pairs kept them unique at ~28 bytes a line.
    fn is_linked(&self, link: u32, line: u32) -> bool {
        let mut at = self.link_ends[link as usize].newest;
        while at != NONE {
            let node = self.link_nodes[at as usize];
            if node.line == line {
                return true;
            }
            at = node.next;
        }
        false
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

/// A line's fields but its ordinal (0 there: [`ordinal_of`] reads it), as
/// its hash reads them ([`key_hash`]).
fn compact_fields<'a>(texts: &'a Interner, pairs: &Pairs, k: &CompactKey) -> KeyFields<'a> {
    let (party, service) = pairs.get(k.place);
    let (payer, payee) = pairs.get(party);
    let (procedure, modifiers) = pairs.get(service);
    let (service_date, tag) = unpack_date(k.day);
    (
        texts.get(payer),
        texts.get(payee),
        texts.get(k.claim_id),
        texts.get(k.member_id),
        service_date,
        texts.get(procedure),
        texts.get(modifiers),
        0,
        scope_of(tag & 3),
    )
}

/// A line's ordinal: in its key's tag, or in `odd` (by line id).
fn ordinal_of(odd: &HashMap<u32, u32>, id: u32, k: &CompactKey) -> u32 {
    match k.day >> 26 {
        ODD_ORDINAL => odd.get(&id).copied().unwrap_or_default(),
        ordinal => ordinal,
    }
}

/// The ordinal [`line_tag`] says is kept aside: 6 bits hold 0 to 62 (a
/// claim's identical lines are numbered from 0).
const ODD_ORDINAL: u32 = 63;

/// The 8-bit tag of a line's [`CompactKey::day`]: the scope (2 bits) and
/// the ordinal (6 bits, [`ODD_ORDINAL`] for one over 62).
fn line_tag(scope: Scope, ordinal: u32) -> u32 {
    scope_code(scope) | (ordinal.min(ODD_ORDINAL) << 2)
}

/// The fields with the ordinal left out: REF*6R names one line among those
/// that share the rest of the identity.
fn but_ordinal(mut fields: KeyFields<'_>) -> KeyFields<'_> {
    fields.7 = 0;
    fields
}

/// The hash a line's identity is found by: the same for a [`LineKey`] and
/// for its [`CompactKey`] (the same fields, as text), the ordinal left
/// out — the lines it tells apart, a claim's identical lines (few), share
/// a hash, so that a REF*6R's line is found among them
/// ([`LineBook::ordinal_for_control`]).
fn key_hash(hasher: &foldhash::fast::RandomState, fields: KeyFields<'_>) -> u64 {
    hasher.hash_one(but_ordinal(fields))
}

/// (payer, payee, claim reference).
type LinkFields<'a> = (&'a str, &'a str, &'a str);

/// A link's fields: its payer and payee are its newest line's.
fn link_fields<'a>(
    texts: &'a Interner,
    pairs: &Pairs,
    keys: &Arena<CompactKey>,
    nodes: &Arena<LinkNode>,
    link: &Link,
) -> LinkFields<'a> {
    let line = nodes
        .get(link.newest as usize)
        .and_then(|node| keys.get(node.line as usize));
    let (payer, payee) = match line {
        Some(key) => {
            let (party, _) = pairs.get(key.place);
            let (payer, payee) = pairs.get(party);
            (texts.get(payer), texts.get(payee))
        }
        None => ("", ""),
    };
    (payer, payee, texts.get(link.claim_ref))
}

fn link_hash(hasher: &foldhash::fast::RandomState, fields: LinkFields<'_>) -> u64 {
    hasher.hash_one(fields)
}

/// [`Record::paid`] of an amount kept in [`LineBook::odd_amounts`]: scale
/// code 3, which [`pack_amount`] never gives.
const ODD_AMOUNT: u32 = 3;

/// The largest mantissa a packed amount holds, in magnitude (2^29: 5.3
/// million at cents).
const PACKED_MANTISSA: i64 = 1 << 29;

/// `amount` as its mantissa (30 bits, two's complement) shifted over its
/// scale (2 bits, 0 to 2), when that reads back as exactly the same
/// decimal — value, scale and sign of zero (`10.5` and `10.50` print
/// apart) —, else `None`.
fn pack_amount(amount: Decimal) -> Option<u32> {
    let scale = amount.scale();
    if scale > 2 {
        return None;
    }
    let mantissa = i64::try_from(amount.mantissa())
        .ok()
        .filter(|m| (-PACKED_MANTISSA..PACKED_MANTISSA).contains(m))?;
    // Within ±2^29 the shift keeps every bit: the cast only reinterprets.
    let packed = ((mantissa << 2) as u32) | scale;
    (unpack_amount(packed).serialize() == amount.serialize()).then_some(packed)
}

/// The amount [`pack_amount`] packed.
fn unpack_amount(packed: u32) -> Decimal {
    Decimal::new(i64::from(packed as i32 >> 2), packed & 3)
}

/// A date and an 8-bit tag (an event's kind; a line's scope and ordinal,
/// [`line_tag`]) in one word:
/// the year offset by 10,000 (15 bits: jiff's years are -9999 to 9999),
/// the month (4) and the day (5), then the tag; no date is month 0.
fn pack_date(date: Option<Date>, tag: u32) -> u32 {
    let day = date.map_or(0, |d| {
        let year = (i32::from(d.year()) + 10_000) as u32;
        (year << 9) | ((d.month() as u32) << 5) | d.day() as u32
    });
    (tag << 24) | day
}

/// What [`pack_date`] packed.
fn unpack_date(packed: u32) -> (Option<Date>, u32) {
    let day = packed & 0x00ff_ffff;
    let (year, month, dom) = (
        (day >> 9) as i32 - 10_000,
        ((day >> 5) & 0xf) as i8,
        (day & 0x1f) as i8,
    );
    // Month 0 is no date; every other value was a valid date when packed.
    let date = (month != 0)
        .then(|| Date::new(year as i16, month, dom).ok())
        .flatten();
    (date, packed >> 24)
}

fn scope_code(scope: Scope) -> u32 {
    match scope {
        Scope::Line => 0,
        Scope::Claim => 1,
        Scope::Provider => 2,
    }
}

fn scope_of(code: u32) -> Scope {
    match code {
        0 => Scope::Line,
        1 => Scope::Claim,
        _ => Scope::Provider,
    }
}

fn kind_code(kind: PriorKind) -> u32 {
    match kind {
        PriorKind::Payment => 0,
        PriorKind::Denial => 1,
        PriorKind::PatientResp => 2,
        PriorKind::NoPaymentDue => 3,
        PriorKind::Reversal => 4,
        PriorKind::Recovery => 5,
        PriorKind::Adjustment => 6,
    }
}

fn kind_of(code: u32) -> PriorKind {
    match code {
        0 => PriorKind::Payment,
        1 => PriorKind::Denial,
        2 => PriorKind::PatientResp,
        3 => PriorKind::NoPaymentDue,
        4 => PriorKind::Reversal,
        5 => PriorKind::Recovery,
        _ => PriorKind::Adjustment,
    }
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
    use crate::line::Flag;

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
    fn every_field_of_an_identity_tells_lines_apart() {
        let base = key("A", 0);
        let others = [
            LineKey {
                payer: "Q".into(),
                ..base.clone()
            },
            LineKey {
                payee: "2".into(),
                ..base.clone()
            },
            // The pairs are of texts in order: payer and payee swapped is
            // another party.
            LineKey {
                payer: "1".into(),
                payee: "P".into(),
                ..base.clone()
            },
            LineKey {
                service_date: None,
                ..base.clone()
            },
            LineKey {
                procedure: "97112".into(),
                ..base.clone()
            },
            LineKey {
                modifiers: "".into(),
                ..base.clone()
            },
            LineKey {
                procedure: "GP".into(),
                modifiers: "97110".into(),
                ..base.clone()
            },
            LineKey {
                scope: Scope::Claim,
                ..base.clone()
            },
        ];
        let mut book = LineBook::default();
        book.record(&base, &event("T0", 1, "")).unwrap();
        for (i, other) in others.iter().enumerate() {
            book.record(other, &event(&format!("T{}", i + 1), 1, ""))
                .unwrap();
        }
        assert_eq!(book.len(), others.len() + 1);
        let mut history = LineHistory::default();
        for (i, k) in std::iter::once(&base).chain(&others).enumerate() {
            book.read(k, &mut history);
            assert_eq!(history.events.len(), 1);
            assert_eq!(history.events[0].trace, format!("T{i}").as_str());
        }
        // Read back, a linked line is the identity it was recorded under,
        // under its own payer and payee (and only there).
        for k in &others {
            book.link(&k.payer, &k.payee, "A", k).unwrap();
        }
        for (payer, payee) in [("P", "1"), ("Q", "1"), ("P", "2"), ("1", "P")] {
            let own: Vec<LineKey> = others
                .iter()
                .filter(|k| (k.payer.as_str(), k.payee.as_str()) == (payer, payee))
                .cloned()
                .collect();
            assert!(!own.is_empty());
            assert_eq!(book.claim_lines(payer, payee, "A"), own, "{payer} {payee}");
        }
        assert!(book.claim_lines("Q", "2", "A").is_empty());
        assert!(book.link("Q", "1", "A", &base).is_err(), "not its payer");
        assert!(book.link("P", "2", "A", &base).is_err(), "not its payee");
        assert_eq!(book.claim_lines("P", "1", "A").len(), 5);
    }

    #[test]
    fn amounts_read_back_exactly_whether_packed_or_kept_aside() {
        let parsed = |text: &str| text.parse::<Decimal>().unwrap();
        let mut negative_zero = Decimal::new(0, 2);
        negative_zero.set_sign_negative(true);
        // (amount, whether it packs into the record's 32 bits)
        let amounts = [
            (parsed("0"), true),
            (parsed("0.00"), true),
            (parsed("10.5"), true),
            (parsed("10.50"), true),
            (parsed("-10.50"), true),
            (parsed("1234567"), true),
            (parsed("5368709.11"), true),
            (parsed("-5368709.12"), true),
            (parsed("5368709.12"), false),
            (parsed("-5368709.13"), false),
            (parsed("536870912"), false),
            (parsed("0.001"), false),
            (parsed("12.345"), false),
            (Decimal::MAX, false),
            (parsed("-0.0000000000000000000000000001"), false),
            // A negative zero, if one is ever made, keeps its sign.
            (negative_zero, !negative_zero.is_sign_negative()),
        ];
        let mut book = LineBook::default();
        for (i, &(paid, packs)) in amounts.iter().enumerate() {
            assert_eq!(pack_amount(paid).is_some(), packs, "{paid}");
            let event = PriorEvent {
                paid,
                ..event(&format!("T{i}"), 0, "")
            };
            book.record(&key(&format!("C{i}"), 0), &event).unwrap();
        }
        let mut history = LineHistory::default();
        for (i, &(want, _)) in amounts.iter().enumerate() {
            book.read(&key(&format!("C{i}"), 0), &mut history);
            let paid = history.events[0].paid;
            // Decimals compare equal across scales and signs of zero;
            // their bits and text do not.
            assert_eq!(paid.serialize(), want.serialize(), "{want}");
            assert_eq!(paid.to_string(), want.to_string(), "{want}");
        }
        let aside = amounts.iter().filter(|(_, packs)| !packs).count();
        assert_eq!(book.odd_amounts.len(), aside);
    }

    /// An event's payment date and kind, denial reasons and flags are one
    /// interned detail: every combination reads back as it was, the same
    /// value of one with other values of the others included.
    #[test]
    fn dates_kinds_reasons_and_flags_read_back_in_every_combination() {
        let dates = [None, Some(Date::constant(2024, 2, 1)), Some(Date::MAX)];
        let kinds = [PriorKind::Payment, PriorKind::Denial, PriorKind::Reversal];
        let sets: [Vec<Text>; 3] = [
            Vec::new(),
            vec!["CO-45".into()],
            vec!["CO-45".into(), "PR-2".into()],
        ];
        let mut flag_sets = vec![Flags::default()];
        for flag in [Flag::Recouped, Flag::Underpaid] {
            let mut one = Flags::default();
            one.insert(flag);
            flag_sets.push(one);
        }
        let both = flag_sets[1].union(flag_sets[2]);
        flag_sets.push(both);
        let mut book = LineBook::default();
        let mut want = Vec::new();
        for payment_date in dates {
            for kind in kinds {
                for reasons in &sets {
                    for &flags in &flag_sets {
                        let event = PriorEvent {
                            payment_date,
                            kind,
                            denial_reasons: reasons.clone(),
                            flags,
                            ..event(&format!("T{}", want.len()), 1, "")
                        };
                        book.record(&key("A", 0), &event).unwrap();
                        want.push(event);
                    }
                }
            }
        }
        assert_eq!(book.details.len(), want.len(), "each one its own");
        // The same again is the same detail.
        book.record(&key("B", 0), &want[7]).unwrap();
        assert_eq!(book.details.len(), want.len());
        let mut history = LineHistory::default();
        book.read(&key("A", 0), &mut history);
        assert_eq!(history.events, want);
        book.read(&key("B", 0), &mut history);
        assert_eq!(history.events, [want[7].clone()]);
    }

    #[test]
    fn dates_kinds_and_scopes_read_back_from_their_word() {
        let kinds = PriorKind::ALL;
        let dates = [
            None,
            Some(Date::MIN),
            Some(Date::MAX),
            Some(Date::constant(2024, 2, 29)),
            Some(Date::constant(1, 1, 1)),
            Some(Date::constant(-1, 12, 31)),
        ];
        for kind in kinds {
            for date in dates {
                let (back, code) = unpack_date(pack_date(date, kind_code(kind)));
                assert_eq!((back, kind_of(code)), (date, kind));
            }
        }
        for scope in [Scope::Line, Scope::Claim, Scope::Provider] {
            for date in dates {
                for ordinal in [0, 1, 62, 63, 64, u32::MAX] {
                    let day = pack_date(date, line_tag(scope, ordinal));
                    let (back, tag) = unpack_date(day);
                    assert_eq!((back, scope_of(tag & 3)), (date, scope));
                    // 63 (ODD_ORDINAL) and over: kept aside.
                    assert_eq!(day >> 26, ordinal.min(ODD_ORDINAL));
                }
            }
        }
    }

    #[test]
    fn the_line_state_is_as_small_as_its_arithmetic_says() {
        // The module comment's bytes a line: a field added here is paid
        // for every line of a run.
        assert_eq!(std::mem::size_of::<CompactKey>(), 20);
        assert_eq!(std::mem::size_of::<Record>(), 20);
        assert_eq!(std::mem::size_of::<Link>(), 8);
        assert_eq!(std::mem::size_of::<LinkNode>(), 8);
    }

    /// Lines recorded and linked within the room made for them leave every
    /// table it sized as it was: none doubled (holding its old and new
    /// block at once — a run's peak when it happens late).
    #[test]
    fn room_made_ahead_is_not_outgrown() {
        let record_all = |book: &mut LineBook| {
            for i in 0..3_000 {
                let control = format!("6R-{i}");
                let k = key(&format!("C{i}"), 1);
                book.record(&k, &event("T1", 100, &control)).unwrap();
                book.link("P", "1", &format!("C{i}"), &k).unwrap();
            }
        };
        let room = |n| Room { lines: n, links: n };
        let mut book = LineBook::default();
        book.reserve(room(3_000));
        let before = book.capacities();
        assert!(before.iter().all(|&c| c >= 3_000), "{before:?}");
        record_all(&mut book);
        assert_eq!(book.capacities(), before);
        // Without the room, each of them grows: the test sees a doubling.
        let mut grown = LineBook::default();
        grown.reserve(room(100));
        let small = grown.capacities();
        record_all(&mut grown);
        let after = grown.capacities();
        assert!(
            (0..2).all(|i| after[i] > small[i] && after[i] >= 3_000),
            "{small:?} {after:?}"
        );
    }

    #[test]
    fn controls_and_claim_links_find_their_lines() {
        let mut book = LineBook::default();
        book.record(&key("A", 1), &event("T1", 100, "6R-1"))
            .unwrap();
        assert_eq!(book.ordinal_for_control(&key("A", 0), "6R-1"), Some(1));
        assert_eq!(book.ordinal_for_control(&key("A", 7), "6R-1"), Some(1));
        assert_eq!(book.ordinal_for_control(&key("A", 0), "6R-2"), None);
        assert_eq!(book.ordinal_for_control(&key("B", 0), "6R-1"), None);
        // A later line with the same control takes its place.
        book.record(&key("A", 3), &event("T2", 100, "6R-1"))
            .unwrap();
        assert_eq!(book.ordinal_for_control(&key("A", 0), "6R-1"), Some(3));
        for k in [key("A", 1), key("A", 0), key("A", 1)] {
            book.link("P", "1", "A", &k).unwrap();
        }
        assert_eq!(book.claim_lines("P", "1", "A"), [key("A", 1), key("A", 0)]);
        assert!(book.claim_lines("P", "2", "A").is_empty());
        assert!(book.claim_lines("P", "1", "B").is_empty());
    }

    /// REF*6R found through the lines: among a claim's identical lines
    /// (one hash), the one whose event with the control came last, a
    /// line keeping every control it had, an identity's other fields
    /// telling apart, a text told from another of the same digits.
    #[test]
    fn a_control_finds_the_line_that_had_it_last() {
        let mut book = LineBook::default();
        book.reserve(Room {
            lines: 20_000,
            links: 10,
        });
        let a = |ordinal| key("A", ordinal);
        book.record(&a(0), &event("T1", 100, "X")).unwrap();
        book.record(&a(1), &event("T1", 100, "Y")).unwrap();
        book.record(&a(2), &event("T1", 100, "")).unwrap();
        assert_eq!(book.ordinal_for_control(&a(5), "X"), Some(0));
        assert_eq!(book.ordinal_for_control(&a(5), "Y"), Some(1));
        assert_eq!(book.ordinal_for_control(&a(5), ""), None);
        // Line 1 gets X after line 0 had it: X is line 1's now, and Y
        // still is. Line 0's REF*6R changes to Z: known by Z, X stays 1's.
        book.record(&a(1), &event("T2", 100, "X")).unwrap();
        assert_eq!(book.ordinal_for_control(&a(0), "X"), Some(1));
        book.record(&a(0), &event("T3", 100, "Z")).unwrap();
        assert_eq!(book.ordinal_for_control(&a(0), "X"), Some(1));
        assert_eq!(book.ordinal_for_control(&a(0), "Y"), Some(1));
        assert_eq!(book.ordinal_for_control(&a(0), "Z"), Some(0));
        // Back to line 0, then to line 2, which had none before.
        book.record(&a(0), &event("T4", 100, "X")).unwrap();
        assert_eq!(book.ordinal_for_control(&a(9), "X"), Some(0));
        book.record(&a(2), &event("T5", 100, "X")).unwrap();
        assert_eq!(book.ordinal_for_control(&a(9), "X"), Some(2));
        // Every history reads back with its own controls.
        let mut history = LineHistory::default();
        book.read(&a(0), &mut history);
        let controls: Vec<&str> = history
            .events
            .iter()
            .map(|e| e.line_control.as_str())
            .collect();
        assert_eq!(controls, ["X", "Z", "X"]);
        // Another claim, a text of the same digits but a leading zero.
        book.record(&key("B", 0), &event("T1", 100, "07")).unwrap();
        assert_eq!(book.ordinal_for_control(&key("B", 3), "7"), None);
        assert_eq!(book.ordinal_for_control(&key("B", 3), "07"), Some(0));
        assert_eq!(book.ordinal_for_control(&a(0), "07"), None);
        assert_eq!(book.ordinal_for_control(&key("B", 0), "X"), None);
        let other = LineKey {
            procedure: "97112".into(),
            ..a(0)
        };
        assert_eq!(book.ordinal_for_control(&other, "X"), None);
        // Many identical lines of one claim (one hash), in a sharded table.
        for ordinal in 10..200 {
            let control = format!("C{ordinal}");
            book.record(&a(ordinal), &event("T6", 100, &control))
                .unwrap();
        }
        for ordinal in 10..200 {
            let control = format!("C{ordinal}");
            assert_eq!(book.ordinal_for_control(&a(0), &control), Some(ordinal));
            let mut history = LineHistory::default();
            book.read(&a(ordinal), &mut history);
            assert_eq!(history.events.len(), 1);
        }
        assert_eq!(book.ordinal_for_control(&a(0), "X"), Some(2));
        // Ordinals over 62 are kept aside: each line reads back whole.
        for ordinal in [62, 63, 64, 199] {
            book.link("P", "1", "ODD", &a(ordinal)).unwrap();
        }
        assert_eq!(
            book.claim_lines("P", "1", "ODD"),
            [a(62), a(63), a(64), a(199)]
        );
        assert_eq!(book.odd_ordinals.len(), 200 - 63);
    }

    #[test]
    fn a_line_is_linked_once_however_often_and_in_whatever_order() {
        let mut book = LineBook::default();
        book.reserve(Room {
            lines: 100,
            links: 10,
        });
        // Two links sharing lines, each line linked again out of order.
        let order = [0, 1, 2, 3, 1, 0, 3, 2, 2, 4, 0];
        for &i in &order {
            book.link("P", "1", "C1", &key("A", i)).unwrap();
            book.link("P", "1", "ICN", &key("A", 4 - i)).unwrap();
        }
        let want: Vec<LineKey> = [0, 1, 2, 3, 4].map(|i| key("A", i)).into();
        assert_eq!(book.claim_lines("P", "1", "C1"), want);
        let want: Vec<LineKey> = [4, 3, 2, 1, 0].map(|i| key("A", i)).into();
        assert_eq!(book.claim_lines("P", "1", "ICN"), want);
        assert_eq!(book.link_nodes.len(), 10, "each line once a link");
        assert_eq!(book.len(), 5);
    }

    /// A claim payment's lines linked to its CLP01 and CLP07 in turn are
    /// one chain of nodes, shared; what one reference gets later is its
    /// own, and each still reads back its own lines in link order.
    #[test]
    fn a_claim_payments_two_references_share_one_chain() {
        let mut book = LineBook::default();
        for i in 0..3 {
            book.link("P", "1", "C1", &key("A", i)).unwrap();
            book.link("P", "1", "ICN1", &key("A", i)).unwrap();
        }
        assert_eq!(book.link_nodes.len(), 3, "one node a line");
        // Another claim paid under the same ICN, then a line of C1 alone,
        // then a line linked again.
        book.link("P", "1", "C2", &key("B", 3)).unwrap();
        book.link("P", "1", "ICN1", &key("B", 3)).unwrap();
        book.link("P", "1", "C1", &key("A", 4)).unwrap();
        book.link("P", "1", "ICN1", &key("A", 1)).unwrap();
        let lines = |keys: &[(&str, u32)]| -> Vec<LineKey> {
            keys.iter().map(|&(c, i)| key(c, i)).collect()
        };
        assert_eq!(
            book.claim_lines("P", "1", "C1"),
            lines(&[("A", 0), ("A", 1), ("A", 2), ("A", 4)])
        );
        assert_eq!(
            book.claim_lines("P", "1", "ICN1"),
            lines(&[("A", 0), ("A", 1), ("A", 2), ("B", 3)])
        );
        assert_eq!(book.claim_lines("P", "1", "C2"), lines(&[("B", 3)]));
        assert_eq!(book.link_nodes.len(), 6);
    }

    #[test]
    fn many_links_survive_their_table_growing() {
        let mut book = LineBook::default();
        for i in 0..3_000 {
            let k = key(&format!("C{i}"), 0);
            book.link("P", "1", &format!("C{i}"), &k).unwrap();
            book.link("P", "1", &format!("I{i}"), &k).unwrap();
        }
        for i in [0, 1, 1_500, 2_999] {
            let want = [key(&format!("C{i}"), 0)];
            assert_eq!(book.claim_lines("P", "1", &format!("C{i}")), want);
            assert_eq!(book.claim_lines("P", "1", &format!("I{i}")), want);
        }
        assert!(book.claim_lines("P", "1", "C3000").is_empty());
    }
}
