//! Deciding again when facts arrive out of order (issue 23): the store's
//! answer depends only on what it holds, never on the order files arrived.
//!
//! Facts are the stored 835 transactions (each keeps its events, decided or
//! not), the billed 837 claims, acknowledgments and appeal outcomes.
//! Everything else is derived by deciding the transactions in payment
//! order: line histories (`lines`, `events`), REF*6R ordinals
//! (`line_controls`), claim links (`claim_links`), the ICNs remittances
//! named (`icns`, `claim_icns`), which billed lines were answered
//! (`claim_lines.answered`), and which replaced versions were applied and
//! retired (`remittances.applied`, `retired`).
//!
//! Before a run decides, the store asks whether what it ingested would have
//! changed a decision already made:
//! - a remittance that sorts before (payment date, production date, ISA13,
//!   ST02, trace, content hash) the last one applied;
//! - a version of a remittance that replaces one applied, or that an
//!   applied one replaces (one run over both never applies the replaced
//!   one);
//! - a billed claim whose CLM01 is the CLP01 of a stored event, or whose
//!   REF*F8 is an ICN a remittance named (it joins the claim family those
//!   payments were matched in), or the first claims of a store whose
//!   remittances were decided with none known (matching then flags every
//!   payment without a claim);
//! - an acknowledgment (999, 277CA, 277) while a stored event is a CARC 29
//!   (timely filing) denial: proof of timely receipt changes its verdict.
//!   Acknowledgments otherwise shape only the NO_REMITTANCE rows, which
//!   every run derives afresh.
//!
//! If so, every derived table is emptied and every transaction made pending
//! again (a replaced version stays unapplied), all in one store
//! transaction; deciding then goes through everything in payment order, as
//! one run over everything stored would. In-order arrivals (the daily case:
//! later 835s, claims before their remittances) cost a few indexed
//! look-ups (one per new claim) and replay nothing.
//!
//! The cost of a replay is deciding the whole store again — about what the
//! first run over all its files cost, without reading or parsing them (the
//! events are stored) — rather than from the earliest affected transaction
//! onward: undoing only part of the derived state would need to record
//! which transaction made each mark, link and ordinal. While replaying, one
//! 64-bit hash per stored row is held (the rows decided before), so that
//! the run can say which rows changed.
//!
//! A transaction decided by a remit older than schema version 7 has lost
//! its events: a store holding one is not replayed, and the run says so.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use rusqlite::OptionalExtension;

use super::codec::blob;
use super::{SqliteStore, stored_date};
use crate::history::{Redecided, Replay, StoreResult, TransactionRef};
use crate::line::{DecidedLine, OrderKey};
use crate::text::Text;

/// The rows each transaction held before a replay, as hashes of their
/// stored (packed) bytes, by transaction id.
#[derive(Debug, Default)]
pub(super) struct Before {
    rows: HashMap<i64, Vec<u64>>,
}

/// A stored row's fingerprint (within one process).
fn row_hash(packed: &[u8]) -> u64 {
    let mut h = DefaultHasher::new();
    packed.hash(&mut h);
    h.finish()
}

/// Takes one `hash` out of the multiset `counts`; false when none was left.
fn take(counts: &mut HashMap<u64, usize>, hash: u64) -> bool {
    match counts.get_mut(&hash) {
        Some(n) if *n > 0 => {
            *n -= 1;
            true
        }
        _ => false,
    }
}

fn multiset(hashes: &[u64]) -> HashMap<u64, usize> {
    let mut counts = HashMap::with_capacity(hashes.len());
    for h in hashes {
        *counts.entry(*h).or_default() += 1;
    }
    counts
}

/// The order-key columns, in `pending`'s order.
const KEY_COLUMNS: &str = "payment_date, production_date, isa13, st02_order, trace, content_hash";

impl SqliteStore {
    /// See [`crate::history::HistoryStore::replay_out_of_order`]: plans
    /// and resets in one store transaction.
    pub(super) fn replay_if_due(&mut self) -> StoreResult<Replay> {
        self.finish_group()?;
        self.before.rows.clear();
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        match self.plan_and_reset() {
            Ok(replay) => {
                self.conn.execute_batch("COMMIT")?;
                Ok(replay)
            }
            Err(e) => {
                self.before.rows.clear();
                self.cache.clear();
                match self.conn.execute_batch("ROLLBACK") {
                    Ok(()) => Err(e),
                    Err(undo) => Err(e.and_undo_failed(undo.into())),
                }
            }
        }
    }

    fn plan_and_reset(&mut self) -> StoreResult<Replay> {
        self.check_cache()?;
        let mut replay = self.plan()?;
        if replay.due() {
            let legacy: i64 = self.conn.query_row(
                "SELECT count(*) FROM remittances WHERE events IS NULL",
                [],
                |r| r.get(0),
            )?;
            if legacy > 0 {
                replay.blocked = legacy as u64;
            } else {
                self.reset()?;
            }
        }
        // The claims and acknowledgments stored so far are known to the
        // decisions from now on.
        self.conn
            .execute("UPDATE claims SET considered = 1 WHERE considered = 0", [])?;
        self.conn.execute(
            "UPDATE acknowledgments SET considered = 1 WHERE considered = 0",
            [],
        )?;
        Ok(replay)
    }

    /// Whether facts arrived that decisions already made did not know.
    fn plan(&self) -> StoreResult<Replay> {
        let mut replay = Replay::default();
        let exists = |sql: &str| -> StoreResult<bool> {
            Ok(self
                .conn
                .query_row(&format!("SELECT EXISTS ({sql})"), [], |r| r.get(0))?)
        };
        if !exists("SELECT 1 FROM remittances WHERE applied = 1")? {
            return Ok(replay);
        }
        let first_pending = self.key_where(&format!("state = 'pending' ORDER BY {KEY_COLUMNS}"))?;
        let last_applied = self.key_where(
            "applied = 1 ORDER BY payment_date DESC, production_date DESC, isa13 DESC,
             st02_order DESC, trace DESC, content_hash DESC",
        )?;
        replay.remittances = matches!((first_pending, last_applied), (Some(p), Some(a)) if p < a);
        replay.versions = exists(
            "SELECT 1 FROM remittances v JOIN remittances t ON t.id = v.superseded_by
             WHERE v.superseded_by IS NOT NULL AND v.retired = 0
               AND (v.applied = 1 OR t.applied = 1)",
        )?;
        if exists("SELECT 1 FROM claims WHERE considered = 0")? {
            replay.claims = !exists("SELECT 1 FROM claims WHERE considered = 1")?
                || exists(
                    "SELECT 1 FROM claims c WHERE c.considered = 0 AND (
                        EXISTS (SELECT 1 FROM events e WHERE e.claim_id = c.clm01 AND e.row IS NOT NULL)
                        OR (c.replaced_icn IS NOT NULL
                            AND EXISTS (SELECT 1 FROM icns i WHERE i.icn = c.replaced_icn)))",
                )?;
        }
        replay.acknowledgments = exists("SELECT 1 FROM acknowledgments WHERE considered = 0")?
            && exists(
                "SELECT 1 FROM events WHERE row IS NOT NULL
                   AND ';' || denial_reasons || ';' LIKE '%-29;%'",
            )?;
        Ok(replay)
    }

    /// The order key of the first remittance `filter_order` (a WHERE
    /// clause with its ORDER BY) finds.
    fn key_where(&self, filter_order: &str) -> StoreResult<Option<OrderKey>> {
        let sql = format!("SELECT {KEY_COLUMNS} FROM remittances WHERE {filter_order} LIMIT 1");
        let found = self
            .conn
            .query_row(&sql, [], |r| {
                Ok((
                    r.get::<_, Option<String>>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, i64>(5)?,
                ))
            })
            .optional()?;
        found
            .map(|(paid, produced, isa, st, trace, hash)| {
                Ok((
                    stored_date(paid)?,
                    stored_date(produced)?,
                    Text::from(isa),
                    Text::from(st),
                    Text::from(trace),
                    hash as u64,
                ))
            })
            .transpose()
    }

    /// Undoes every decision: remembers the rows decided, empties the
    /// derived tables and makes every transaction pending again (a
    /// replaced version stays out of the queue, never applied).
    fn reset(&mut self) -> StoreResult<()> {
        {
            let mut stmt = self
                .conn
                .prepare("SELECT remittance_id, row FROM events WHERE row IS NOT NULL AND remittance_id IS NOT NULL")?;
            let mut found = stmt.query([])?;
            while let Some(r) = found.next()? {
                let id: i64 = r.get(0)?;
                let hash = row_hash(blob(r, 1)?);
                self.before.rows.entry(id).or_default().push(hash);
            }
        }
        self.conn.execute_batch(
            "DELETE FROM events; DELETE FROM lines; DELETE FROM line_controls;
             DELETE FROM claim_links; DELETE FROM icns; DELETE FROM claim_icns;
             UPDATE claim_lines SET answered = 0 WHERE answered != 0;
             UPDATE remittances SET
                state = CASE WHEN superseded_by IS NULL THEN 'pending' ELSE 'decided' END,
                applied = 0, retired = 0
             WHERE state != 'pending' OR applied != 0 OR retired != 0;",
        )?;
        self.cache.clear();
        Ok(())
    }

    /// See [`crate::history::HistoryStore::replayed`].
    pub(super) fn compare_replayed(
        &mut self,
        id: TransactionRef,
        rows: &[DecidedLine],
    ) -> StoreResult<Option<Redecided>> {
        let Some(before) = self.before.rows.remove(&(id as i64)) else {
            return Ok(None);
        };
        let mut left = multiset(&before);
        let mut changed = 0;
        {
            let mut stmt = self.conn.prepare_cached(
                "SELECT row FROM events WHERE remittance_id = ?1 AND row IS NOT NULL ORDER BY id",
            )?;
            let mut stored = stmt.query([id as i64])?;
            while let Some(r) = stored.next()? {
                if !take(&mut left, row_hash(blob(r, 0)?)) {
                    changed += 1;
                }
            }
        }
        let mut left = multiset(&before);
        let mut shown = Vec::with_capacity(rows.len());
        for row in rows {
            let packed = self.pack_row_of(Some(id as i64), row)?;
            // Rows of a replaced version are shown beside what changed,
            // never alone (they are worked out, not stored, under this
            // transaction).
            shown
                .push(!take(&mut left, row_hash(&packed)) && (changed > 0 || !row.is_superseded()));
        }
        Ok(Some(Redecided { changed, shown }))
    }
}
