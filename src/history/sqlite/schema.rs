//! The store's schema and its forward migrations. The schema version lives
//! in SQLite's `user_version`; the `application_id` marks the file as a remit
//! store so a foreign database is never touched.

use std::collections::HashMap;

use rusqlite::{Connection, params};

use crate::claim::{BilledClaim, ClaimFingerprint, fingerprint::line_fingerprint};
use crate::history::StoreResult;

/// Marks a SQLite file as a remit history store ("RMIT").
pub const APPLICATION_ID: i32 = 0x524d_4954;

/// One schema step: SQL, then, when a step needs values SQL cannot
/// compute (a fingerprint of stored JSON), a function over the connection.
pub struct Migration {
    /// Statements run first.
    pub sql: &'static str,
    /// Run after `sql`, in the same transaction.
    pub then: Option<fn(&Connection) -> StoreResult<()>>,
}

/// Migrations, in order: migration `i` takes the schema from version `i` to
/// `i + 1`. Never edit a released migration; append a new one.
pub const MIGRATIONS: &[Migration] = &[
    // 0 → 1: the first schema.
    Migration {
        then: None,
        sql: "
    CREATE TABLE remittances (
        id INTEGER PRIMARY KEY,
        content_hash INTEGER NOT NULL UNIQUE,
        semantic TEXT NOT NULL UNIQUE,
        source TEXT NOT NULL,
        payer TEXT NOT NULL,
        payer_id TEXT NOT NULL,
        payee TEXT NOT NULL,
        trace TEXT NOT NULL,
        payment_date TEXT,
        production_date TEXT,
        isa13 TEXT NOT NULL,
        gs06 TEXT NOT NULL,
        st02 TEXT NOT NULL,
        st02_order TEXT NOT NULL,
        amount TEXT NOT NULL,
        ingested_at TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'decided')),
        context TEXT NOT NULL,
        events TEXT
    );
    CREATE INDEX remittances_pending ON remittances(state, payment_date, production_date, isa13, st02_order, trace, content_hash);

    CREATE TABLE lines (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        base_key TEXT NOT NULL,
        ordinal INTEGER NOT NULL
    );

    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        line_id INTEGER NOT NULL REFERENCES lines(id),
        remittance_id INTEGER,
        payment_date TEXT,
        trace TEXT NOT NULL,
        paid TEXT NOT NULL,
        kind TEXT NOT NULL,
        denial_reasons TEXT NOT NULL,
        line_control TEXT NOT NULL,
        flags INTEGER NOT NULL,
        claim_id TEXT,
        member_id TEXT,
        procedure TEXT,
        row TEXT
    );
    CREATE INDEX events_line ON events(line_id, id);
    CREATE INDEX events_claim ON events(claim_id, payment_date) WHERE row IS NOT NULL;
    CREATE INDEX events_member ON events(member_id, payment_date) WHERE row IS NOT NULL;
    CREATE INDEX events_procedure ON events(procedure, payment_date) WHERE row IS NOT NULL;
    CREATE INDEX events_date ON events(payment_date) WHERE row IS NOT NULL;

    CREATE TABLE line_controls (
        base_key TEXT NOT NULL,
        control TEXT NOT NULL,
        ordinal INTEGER NOT NULL,
        PRIMARY KEY (base_key, control)
    ) WITHOUT ROWID;

    CREATE TABLE claim_links (
        payer TEXT NOT NULL,
        payee TEXT NOT NULL,
        reference TEXT NOT NULL,
        line_id INTEGER NOT NULL,
        PRIMARY KEY (payer, payee, reference, line_id)
    ) WITHOUT ROWID;

    CREATE TABLE claims (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        clm01 TEXT NOT NULL,
        frequency TEXT NOT NULL,
        transaction_hash INTEGER NOT NULL,
        replaced_icn TEXT,
        created TEXT,
        ingested_at TEXT NOT NULL,
        claim TEXT NOT NULL,
        UNIQUE (clm01, frequency, transaction_hash)
    );
    CREATE INDEX claims_replaced ON claims(replaced_icn) WHERE replaced_icn IS NOT NULL;

    CREATE TABLE claim_lines (
        claim_id INTEGER NOT NULL REFERENCES claims(id),
        line INTEGER NOT NULL,
        answered INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (claim_id, line)
    ) WITHOUT ROWID;
    CREATE INDEX claim_lines_open ON claim_lines(answered, claim_id);

    CREATE TABLE icns (
        clp01 TEXT NOT NULL,
        icn TEXT NOT NULL,
        PRIMARY KEY (clp01, icn)
    ) WITHOUT ROWID;
    ",
    },
    // 1 → 2: statuses from what reason codes mean (issue 15): DENIED only
    // for denial, duplicate or unknown CARCs, the new NO_PAYMENT_DUE, the
    // PARTIAL_DENIAL flag, denial reasons that mean denial-category codes,
    // and each row's amount at stake. No table changes: the stored
    // decisions are re-derived in Rust after this step, with the code list
    // of the run that opens the store (see `rederive`).
    Migration { sql: "", then: None },
    // 2 → 3: a billed claim is known by its content (a fingerprint of its
    // parsed values), no longer by (CLM01, frequency, transaction hash),
    // which dropped a second claim sharing CLM01 in one transaction and
    // kept a claim re-sent in a new envelope twice. SQLite cannot drop a
    // UNIQUE constraint, so the table is rebuilt (ids kept, so claim_lines
    // still point at their claims). A copy stored twice by an older remit
    // stays, marked `same_as` the first one, and is ignored from then on.
    // claim_lines.answered gains 2: a remittance fitted the line and a line
    // of another claim equally well (an ambiguous match). claim_icns records
    // the ICN under which each billed claim was paid, so that a
    // replacement's REF*F8 names one claim even when others share its CLM01.
    Migration {
        then: Some(fill_claim_fingerprints),
        sql: "
    CREATE TABLE claims_v2 (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        clm01 TEXT NOT NULL,
        frequency TEXT NOT NULL,
        transaction_hash INTEGER NOT NULL,
        replaced_icn TEXT,
        created TEXT,
        ingested_at TEXT NOT NULL,
        claim TEXT NOT NULL,
        fingerprint TEXT,
        same_as INTEGER
    );
    INSERT INTO claims_v2 (id, source, clm01, frequency, transaction_hash, replaced_icn, created, ingested_at, claim)
        SELECT id, source, clm01, frequency, transaction_hash, replaced_icn, created, ingested_at, claim FROM claims;
    DROP TABLE claims;
    ALTER TABLE claims_v2 RENAME TO claims;
    CREATE INDEX claims_clm01 ON claims(clm01) WHERE same_as IS NULL;
    CREATE INDEX claims_replaced ON claims(replaced_icn) WHERE replaced_icn IS NOT NULL AND same_as IS NULL;
    CREATE UNIQUE INDEX claims_fingerprint ON claims(fingerprint) WHERE same_as IS NULL;

    CREATE TABLE claim_icns (
        icn TEXT NOT NULL,
        claim_id INTEGER NOT NULL,
        PRIMARY KEY (icn, claim_id)
    ) WITHOUT ROWID;
    CREATE INDEX icns_icn ON icns(icn);
    ",
    },
    // 3 → 4: one payment, one trace. A transaction a later version of its
    // remittance replaced names that version; `retired` once its money has
    // left the line histories, which skip events marked `superseded`. The
    // indexes find a payment's versions by trace and a version's events.
    Migration {
        then: None,
        sql: "
    ALTER TABLE remittances ADD COLUMN superseded_by INTEGER;
    ALTER TABLE remittances ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE events ADD COLUMN superseded INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX remittances_trace ON remittances(trace);
    CREATE INDEX remittances_superseded ON remittances(superseded_by) WHERE superseded_by IS NOT NULL;
    CREATE INDEX events_remittance ON events(remittance_id);
    ",
    },
    // 4 → 5: acknowledgments (999, 277CA, 277) and 837 batch numbers, so a
    // later run knows which claims were accepted or rejected, and when.
    Migration {
        then: None,
        sql: super::acks::MIGRATION_SQL,
    },
    // 5 → 6: appeal outcomes (issue 21), imported from the practice's CSV
    // (`remit outcomes import`). One row per appeal: what it covers (payer,
    // claim, and optionally the line — empty text for "any"), when it was
    // filed and what the payer answered. Importing a row with the same
    // coverage and filing date again updates its answer, so the practice
    // can keep one CSV and re-import it as answers come in.
    Migration {
        then: None,
        sql: "
    CREATE TABLE appeal_outcomes (
        id INTEGER PRIMARY KEY,
        payer TEXT NOT NULL,
        claim_id TEXT NOT NULL,
        service_date TEXT NOT NULL,
        procedure TEXT NOT NULL,
        modifiers TEXT NOT NULL,
        filed TEXT NOT NULL,
        outcome TEXT NOT NULL,
        decided TEXT,
        recovered TEXT NOT NULL,
        reference TEXT NOT NULL,
        notes TEXT NOT NULL,
        source TEXT NOT NULL,
        UNIQUE (payer, claim_id, service_date, procedure, modifiers, filed)
    );
    CREATE INDEX appeal_outcomes_claim ON appeal_outcomes(claim_id);
    ",
    },
    // 6 → 7: the store's answer depends only on what it holds (issue 23).
    // A decided transaction keeps its events (the facts), so that it can
    // be decided again when facts arrive out of order (see `replay`);
    // `applied` says it was applied, which a NULL `events` used to say.
    // A transaction an older remit decided has lost its events and cannot
    // be replayed. `considered` is 0 for a billed claim stored since the
    // store last decided: a claim arriving after remittances it may answer
    // were decided makes them be decided again.
    Migration {
        then: None,
        sql: "
    ALTER TABLE remittances ADD COLUMN applied INTEGER NOT NULL DEFAULT 0;
    UPDATE remittances SET applied = 1 WHERE state = 'decided' AND events IS NULL;
    ALTER TABLE claims ADD COLUMN considered INTEGER NOT NULL DEFAULT 1;
    CREATE INDEX claims_new ON claims(id) WHERE considered = 0;
    CREATE INDEX remittances_applied ON remittances(payment_date, production_date, isa13, st02_order, trace, content_hash) WHERE applied = 1;
    ",
    },
    // 7 → 8: acknowledgments stored since the last decisions (issue 23):
    // one that proves a claim was received in time turns a stored CARC 29
    // denial into TIMELY_FILING_PROVEN, so its late arrival re-decides.
    Migration {
        then: None,
        sql: "
    ALTER TABLE acknowledgments ADD COLUMN considered INTEGER NOT NULL DEFAULT 1;
    CREATE INDEX acknowledgments_new ON acknowledgments(id) WHERE considered = 0;
    ",
    },
    // 8 → 9: a store that keeps up (issue 17 item 4). What was JSON is
    // packed (see `codec`): decided rows, transactions' contexts and
    // pending events, billed claims; a line is known by its packed
    // identity (`lines.key`, `line_controls.base`), not by JSON text
    // indexed twice (key and base key). The indexes on events by procedure
    // and by member go: no decision reads them, and each cost a B-tree
    // insert per event (`remit history --procedure/--member` now filter
    // the rows by date order, as `--procedure` alone always scanned most
    // of them). SQLite keeps a BLOB as a BLOB in a column declared TEXT,
    // so `events`, `remittances` and `claims` keep their columns and the
    // values are rewritten in place, in batches; `lines` and
    // `line_controls` are rebuilt, as their unique keys change.
    Migration {
        then: Some(pack_json_values),
        sql: "
    DROP INDEX IF EXISTS events_member;
    DROP INDEX IF EXISTS events_procedure;
    CREATE TABLE lines_v9 (
        id INTEGER PRIMARY KEY,
        key BLOB NOT NULL UNIQUE
    );
    CREATE TABLE line_controls_v9 (
        base BLOB NOT NULL,
        control TEXT NOT NULL,
        ordinal INTEGER NOT NULL,
        PRIMARY KEY (base, control)
    ) WITHOUT ROWID;
    ",
    },
    // 9 → 10: the indexes by member and by procedure come back. Step 9
    // dropped them because no decision reads them, but `remit history
    // --member/--procedure` (a billing office looking up one patient, a
    // payer's pattern on one CPT code) then scanned every event in date
    // order: 0.13 s on 120,000 events, seconds on a year of a clearinghouse.
    // A lookup a person waits for is worth a B-tree insert per event.
    Migration {
        then: None,
        sql: "
    CREATE INDEX IF NOT EXISTS events_member ON events(member_id, payment_date) WHERE row IS NOT NULL;
    CREATE INDEX IF NOT EXISTS events_procedure ON events(procedure, payment_date) WHERE row IS NOT NULL;
    ",
    },
    // 10 → 11: decided rows in the store's own compact form (issue 17
    // item 4; see `codec::pack_row`): a version tag, then the row's fields
    // by position. Schemas 9 and 10 packed a row as a MessagePack map (the
    // flattened decision made serde name every field): some 220 bytes of
    // names in each ~600-byte row, and reading one back went through
    // serde's buffering of flattened maps. Rows are rewritten in place, in
    // batches; no table changes.
    Migration {
        then: Some(compact_rows),
        sql: "",
    },
    // 11 → 12: a billed claim is found by a 64-bit hash of its
    // fingerprint (`x12::hash::ContentHash`: stable, so it can be stored),
    // no longer by the fingerprint's text (some 250 bytes), which was kept
    // in the row and again in a unique index — about 500 bytes a claim, an
    // eighth of a store of generated files. The index is not unique: two
    // claims whose fingerprints share a hash are both kept, and a claim is
    // already known only when a stored claim with its hash has its very
    // fingerprint (`ingest_claim` compares them).
    Migration {
        then: Some(hash_claim_fingerprints),
        sql: "DROP INDEX IF EXISTS claims_fingerprint;",
    },
    // 12 → 13: decided rows keep only what the store cannot give back
    // (issue 17 item 4; row form 2, see `codec::pack_row`): a row's event
    // is named by its position among its transaction's stored events (kept
    // for replays since schema 7), and its reason sentence and line key
    // are left out when they are what the event gives (the built-in code
    // list's words, the event's own key). A row was ~400 bytes, ~230 of
    // them repeating the event and its words. A transaction's stored
    // events are compressed (`codec::pack_events`): ~3.5 KB packed, about
    // a third of that compressed. Rows and events are rewritten in place, in batches; no
    // table changes.
    Migration {
        then: Some(schema_13),
        sql: "",
    },
    // 13 → 14: a line is found by a 64-bit hash of its packed key
    // (`lines.hash`, indexed, not unique), no longer by the ~70-byte key
    // itself in a unique index: the key is kept once, in the row, and
    // compared when a hash matches (two keys sharing a hash are both
    // kept). A REF*6R ordinal names the line that first carried the
    // control (`line_controls.line_id`, its key giving the ordinal) under
    // a hash of the line's base key, instead of keeping the packed base
    // key again. ~100 B an event. Both tables are rebuilt, ids kept.
    Migration {
        then: Some(hash_line_keys),
        sql: "
    CREATE TABLE lines_v14 (
        id INTEGER PRIMARY KEY,
        hash INTEGER NOT NULL,
        key BLOB NOT NULL
    );
    CREATE TABLE line_controls_v14 (
        hash INTEGER NOT NULL,
        control TEXT NOT NULL,
        line_id INTEGER NOT NULL,
        PRIMARY KEY (hash, control, line_id)
    ) WITHOUT ROWID;
    ",
    },
    // 14 → 15: a billed claim is kept in the store's own form
    // (`codec::pack_claim`: fields by position, amounts and dates as
    // binary, compressed), no longer as MessagePack with every amount and
    // date as text — ~530 bytes a claim on generated files, a third of what
    // the store held per event. Claims are rewritten in place, in batches;
    // no table changes. Reading still accepts MessagePack.
    Migration {
        then: Some(pack_claims),
        sql: "",
    },
];

/// The migration before which a store decided under the group-code rule
/// has its decisions re-derived: `rederive` reads and writes the JSON rows
/// that migration 8 → 9 packs.
pub const REDERIVE_BEFORE: usize = 8;

/// Rows converted per statement batch (memory is one batch, whatever the
/// size of the store).
const BATCH: i64 = 1024;

/// Migration 8 → 9: packs what schema 8 kept as JSON (see `codec`).
fn pack_json_values(conn: &Connection) -> StoreResult<()> {
    use super::codec::pack;
    use crate::line::{DecidedLine, LineEvent, LineKey, RemittanceContext};

    /// Schema 8's pending events, beside their context.
    #[derive(serde::Deserialize)]
    struct PendingEvents {
        events: Vec<LineEvent>,
    }

    repack(conn, "events", "row", |json| {
        pack(&serde_json::from_str::<DecidedLine>(json)?)
    })?;
    repack(conn, "remittances", "context", |json| {
        pack(&serde_json::from_str::<RemittanceContext>(json)?)
    })?;
    repack(conn, "remittances", "events", |json| {
        pack(&serde_json::from_str::<PendingEvents>(json)?.events)
    })?;
    repack(conn, "claims", "claim", |json| {
        pack(&serde_json::from_str::<BilledClaim>(json)?)
    })?;
    // Lines and their REF*6R ordinals already keyed by packed identities
    // (a store this remit wrote, its version set back by hand) stay.
    let packed: bool = conn.query_row(
        "SELECT NOT EXISTS (SELECT 1 FROM pragma_table_info('lines') WHERE name = 'base_key')",
        [],
        |r| r.get(0),
    )?;
    if packed {
        conn.execute_batch("DROP TABLE lines_v9; DROP TABLE line_controls_v9;")?;
        return Ok(());
    }
    {
        let mut lines = conn.prepare("SELECT id, key FROM lines ORDER BY id")?;
        let mut insert = conn.prepare("INSERT INTO lines_v9 (id, key) VALUES (?1, ?2)")?;
        let mut found = lines.query([])?;
        while let Some(r) = found.next()? {
            let id: i64 = r.get(0)?;
            let key: LineKey = serde_json::from_str(r.get_ref(1)?.as_str()?)?;
            insert.execute(params![id, pack(&key)?])?;
        }
        let mut controls = conn.prepare("SELECT base_key, control, ordinal FROM line_controls")?;
        let mut insert = conn.prepare(
            "INSERT OR IGNORE INTO line_controls_v9 (base, control, ordinal) VALUES (?1, ?2, ?3)",
        )?;
        let mut found = controls.query([])?;
        while let Some(r) = found.next()? {
            let base: LineKey = serde_json::from_str(r.get_ref(0)?.as_str()?)?;
            let control: String = r.get(1)?;
            let ordinal: i64 = r.get(2)?;
            insert.execute(params![pack(&base)?, control, ordinal])?;
        }
    }
    conn.execute_batch(
        "DROP TABLE lines; ALTER TABLE lines_v9 RENAME TO lines;
         DROP TABLE line_controls; ALTER TABLE line_controls_v9 RENAME TO line_controls;",
    )?;
    Ok(())
}

/// Migration 13 → 14: `lines` and `line_controls` by hashes of packed
/// keys (see `super::line_hash`). A REF*6R ordinal whose line is not
/// stored (none should be: a control is noted as its line's event is
/// recorded) gets a line with no events, so that it is kept.
fn hash_line_keys(conn: &Connection) -> StoreResult<()> {
    use super::codec::{blob, pack, unpack};
    use super::line_hash;
    use crate::line::LineKey;
    {
        let mut lines = conn.prepare("SELECT id, key FROM lines ORDER BY id")?;
        let mut insert =
            conn.prepare("INSERT INTO lines_v14 (id, hash, key) VALUES (?1, ?2, ?3)")?;
        let mut found = lines.query([])?;
        while let Some(r) = found.next()? {
            let id: i64 = r.get(0)?;
            let key = blob(r, 1)?;
            insert.execute(params![id, line_hash(key), key])?;
        }
    }
    // Named for the table it ends on (the old one has no index by that name).
    conn.execute_batch("CREATE INDEX lines_hash ON lines_v14(hash);")?;
    {
        let mut controls = conn
            .prepare("SELECT base, control, ordinal FROM line_controls ORDER BY base, control")?;
        let mut same_hash = conn.prepare("SELECT id, key FROM lines_v14 WHERE hash = ?1")?;
        let mut new_line = conn.prepare("INSERT INTO lines_v14 (hash, key) VALUES (?1, ?2)")?;
        let mut insert = conn.prepare(
            "INSERT OR IGNORE INTO line_controls_v14 (hash, control, line_id) VALUES (?1, ?2, ?3)",
        )?;
        let mut found = controls.query([])?;
        while let Some(r) = found.next()? {
            let base: LineKey = unpack(blob(r, 0)?, "line key")?;
            let base_key = LineKey {
                ordinal: 0,
                ..base.clone()
            };
            let control: String = r.get(1)?;
            let ordinal: u32 = r.get(2)?;
            let key = pack(&LineKey { ordinal, ..base })?;
            let hash = line_hash(&key);
            let mut line = None;
            {
                let mut same = same_hash.query([hash])?;
                while let Some(l) = same.next()? {
                    if blob(l, 1)? == key.as_slice() {
                        line = Some(l.get::<_, i64>(0)?);
                        break;
                    }
                }
            }
            let line = match line {
                Some(id) => id,
                None => {
                    new_line.execute(params![hash, key])?;
                    conn.last_insert_rowid()
                }
            };
            // The hash of the base as this remit packs it (what look-ups hash).
            insert.execute(params![line_hash(&pack(&base_key)?), control, line])?;
        }
    }
    conn.execute_batch(
        "DROP TABLE lines; ALTER TABLE lines_v14 RENAME TO lines;
         DROP TABLE line_controls; ALTER TABLE line_controls_v14 RENAME TO line_controls;",
    )?;
    Ok(())
}

/// Migration 10 → 11: rewrites every decided row still packed as a map in
/// the store's compact form (see `codec::pack_row`).
fn compact_rows(conn: &Connection) -> StoreResult<()> {
    use super::codec::{blob, is_tagged_row, pack_row_v1, unpack_row};
    rewrite_by_id(
        conn,
        &format!(
            "SELECT id, row FROM events WHERE id > ?1 AND row IS NOT NULL ORDER BY id LIMIT {BATCH}"
        ),
        "UPDATE events SET row = ?1 WHERE id = ?2",
        |r| {
            let bytes = blob(r, 1)?;
            if is_tagged_row(bytes) {
                return Ok(None);
            }
            Ok(Some(pack_row_v1(&unpack_row(bytes, None)?)?))
        },
    )
}

/// Migration 12 → 13: rows by reference, then events compressed (rows are
/// rewritten first; reading events takes either form).
fn schema_13(conn: &Connection) -> StoreResult<()> {
    rows_by_reference(conn)?;
    compress_stored_events(conn)
}

/// Compresses every transaction's events still stored as a packed array
/// (see `codec::pack_events`).
fn compress_stored_events(conn: &Connection) -> StoreResult<()> {
    use super::codec::{blob, compress_events, is_compressed_events};
    rewrite_by_id(
        conn,
        &format!(
            "SELECT id, events FROM remittances WHERE id > ?1 AND events IS NOT NULL ORDER BY id LIMIT {BATCH}"
        ),
        "UPDATE remittances SET events = ?1 WHERE id = ?2",
        |r| {
            let stored = blob(r, 1)?;
            if is_compressed_events(stored) {
                return Ok(None);
            }
            Ok(Some(compress_events(stored)?))
        },
    )
}

/// Migration 12 → 13: rewrites every decided row in form 2, naming its
/// event among its transaction's stored events where it is one of them
/// (see `codec::pack_row`). A transaction's rows are together in id order,
/// so its events are unpacked about once; a row of a transaction an older
/// remit decided (which kept no events) is kept whole.
fn rows_by_reference(conn: &Connection) -> StoreResult<()> {
    use super::codec::{StoredEvents, blob, is_current_row, pack_row, unpack, unpack_row};
    use crate::line::RemittanceContext;
    use std::sync::Arc;
    let mut transaction = conn.prepare("SELECT context, events FROM remittances WHERE id = ?1")?;
    let mut kept: Option<(i64, Option<StoredEvents>)> = None;
    rewrite_by_id(
        conn,
        &format!(
            "SELECT e.id, e.remittance_id, e.row FROM events e
             WHERE e.id > ?1 AND e.row IS NOT NULL ORDER BY e.id LIMIT {BATCH}"
        ),
        "UPDATE events SET row = ?1 WHERE id = ?2",
        |r| {
            let remittance: Option<i64> = r.get(1)?;
            let bytes = blob(r, 2)?;
            if is_current_row(bytes) {
                return Ok(None);
            }
            let mut row = unpack_row(bytes, None)?;
            let stored = match remittance {
                None => None,
                Some(tx) => {
                    if kept.as_ref().is_none_or(|(k, _)| *k != tx) {
                        let mut found = transaction.query([tx])?;
                        let events = match found.next()? {
                            Some(t) => match t.get_ref(1)?.as_blob_or_null()? {
                                Some(packed) => {
                                    let context: RemittanceContext =
                                        unpack(blob(t, 0)?, "context")?;
                                    Some(StoredEvents::unpack(Arc::new(context), packed)?)
                                }
                                None => None,
                            },
                            None => None,
                        };
                        kept = Some((tx, events));
                    }
                    kept.as_ref().and_then(|(_, e)| e.as_ref())
                }
            };
            // A row kept whole has no context (it is the transaction's,
            // set when read); the event compares with its context.
            if let Some(s) = stored {
                row.event.context = Arc::clone(&s.context);
            }
            Ok(Some(pack_row(&row, stored)?))
        },
    )
}

/// Migration 11 → 12: each claim's fingerprint hash, from the text schema
/// 3 stored (or, were it missing, the claim itself); then the text goes.
/// A store already laid out so (this remit's, its version set back by
/// hand) keeps its hashes.
fn hash_claim_fingerprints(conn: &Connection) -> StoreResult<()> {
    use super::codec::{blob, unpack_claim};
    let has = |column: &str| -> StoreResult<bool> {
        Ok(conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM pragma_table_info('claims') WHERE name = ?1)",
            [column],
            |r| r.get(0),
        )?)
    };
    if !has("fingerprint_hash")? {
        conn.execute_batch("ALTER TABLE claims ADD COLUMN fingerprint_hash INTEGER")?;
    }
    if has("fingerprint")? {
        rewrite_by_id(
            conn,
            &format!(
                "SELECT id, fingerprint, claim FROM claims WHERE id > ?1 ORDER BY id LIMIT {BATCH}"
            ),
            "UPDATE claims SET fingerprint_hash = ?1 WHERE id = ?2",
            |r| {
                Ok(Some(match r.get_ref(1)?.as_str_or_null()? {
                    Some(text) => super::fingerprint_hash(text),
                    None => {
                        let claim: BilledClaim = unpack_claim(blob(r, 2)?)?;
                        super::fingerprint_hash(ClaimFingerprint::of(&claim).as_str())
                    }
                }))
            },
        )?;
        conn.execute_batch("ALTER TABLE claims DROP COLUMN fingerprint")?;
    }
    conn.execute_batch(
        "CREATE INDEX IF NOT EXISTS claims_fingerprint_hash ON claims(fingerprint_hash) WHERE same_as IS NULL;",
    )?;
    Ok(())
}

/// Migration 14 → 15: every billed claim not yet in the store's own form
/// rewritten into it. The claim read back is the claim written: its
/// fingerprint (and so `fingerprint_hash`) does not change.
fn pack_claims(conn: &Connection) -> StoreResult<()> {
    use super::codec::{blob, is_claim_form, pack_claim, unpack_claim};
    rewrite_by_id(
        conn,
        &format!("SELECT id, claim FROM claims WHERE id > ?1 ORDER BY id LIMIT {BATCH}"),
        "UPDATE claims SET claim = ?1 WHERE id = ?2",
        |r| {
            let stored = blob(r, 1)?;
            if is_claim_form(stored) {
                return Ok(None);
            }
            Ok(Some(pack_claim(&unpack_claim(stored)?)?))
        },
    )
}

/// Rewrites every non-NULL text value of `table.column` with `convert`,
/// a batch of rows at a time, by row id.
fn repack(
    conn: &Connection,
    table: &str,
    column: &str,
    convert: impl Fn(&str) -> StoreResult<Vec<u8>>,
) -> StoreResult<()> {
    rewrite_by_id(
        conn,
        &format!(
            "SELECT id, {column} FROM {table} WHERE id > ?1 AND typeof({column}) = 'text' ORDER BY id LIMIT {BATCH}"
        ),
        &format!("UPDATE {table} SET {column} = ?1 WHERE id = ?2"),
        |r| Ok(Some(convert(r.get_ref(1)?.as_str()?)?)),
    )
}

/// The loop every in-place migration runs: `select` (the row id first,
/// `?1` the id to start after, at most [`BATCH`] rows in id order) hands
/// each row to `convert`, and what it returns (`None`: the row stays as it
/// is) is written back by `update` (`?1` the value, `?2` the id). A batch
/// is read whole before it is written — SQLite's reading statement must
/// not run over rows being rewritten — so memory is one batch, whatever
/// the size of the store.
fn rewrite_by_id<V: rusqlite::ToSql>(
    conn: &Connection,
    select: &str,
    update: &str,
    mut convert: impl FnMut(&rusqlite::Row<'_>) -> StoreResult<Option<V>>,
) -> StoreResult<()> {
    let mut select = conn.prepare(select)?;
    let mut update = conn.prepare(update)?;
    let mut from: i64 = 0;
    loop {
        let mut batch: Vec<(i64, V)> = Vec::new();
        let mut last = None;
        {
            let mut found = select.query([from])?;
            while let Some(r) = found.next()? {
                let id: i64 = r.get(0)?;
                last = Some(id);
                if let Some(value) = convert(r)? {
                    batch.push((id, value));
                }
            }
        }
        let Some(last) = last else {
            return Ok(());
        };
        for (id, value) in batch {
            update.execute(params![value, id])?;
        }
        from = last;
    }
}

/// The version whose decisions were taken under the group-code rule and
/// are re-derived when a store is upgraded past it.
pub const GROUP_CODE_RULE_VERSION: i64 = 1;

/// Fingerprints the claims a version-1 store holds. The first claim with a
/// fingerprint keeps it; later copies (the same claim re-sent in another
/// envelope, which version 1 stored again) point at it with `same_as`, and
/// a line a remittance answered on a copy counts as answered on the claim
/// kept, so that hiding the copy leaves no ghost NO_REMITTANCE line.
fn fill_claim_fingerprints(conn: &Connection) -> StoreResult<()> {
    let mut claims: Vec<(i64, String)> = Vec::new();
    {
        let mut stmt = conn.prepare("SELECT id, claim FROM claims ORDER BY id")?;
        for row in stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))? {
            claims.push(row?);
        }
    }
    let mut first: HashMap<ClaimFingerprint, (i64, BilledClaim)> = HashMap::new();
    for (id, json) in claims {
        let claim: BilledClaim = serde_json::from_str(&json)?;
        let fingerprint = ClaimFingerprint::of(&claim);
        match first.get(&fingerprint) {
            None => {
                conn.execute(
                    "UPDATE claims SET fingerprint = ?1 WHERE id = ?2",
                    params![fingerprint.as_str(), id],
                )?;
                first.insert(fingerprint, (id, claim));
            }
            Some((kept, kept_claim)) => {
                conn.execute(
                    "UPDATE claims SET fingerprint = ?1, same_as = ?2 WHERE id = ?3",
                    params![fingerprint.as_str(), kept, id],
                )?;
                carry_answers(conn, id, &claim, *kept, kept_claim)?;
            }
        }
    }
    Ok(())
}

/// Marks answered on `kept` the lines answered on its copy, line by line
/// content (the copy may list its lines in another order).
fn carry_answers(
    conn: &Connection,
    copy: i64,
    copy_claim: &BilledClaim,
    kept: i64,
    kept_claim: &BilledClaim,
) -> StoreResult<()> {
    let mut stmt =
        conn.prepare("SELECT line FROM claim_lines WHERE claim_id = ?1 AND answered = 1")?;
    let answered: Vec<i64> = stmt
        .query_map([copy], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut taken = vec![false; kept_claim.lines.len()];
    for line in answered {
        let Some(copied) = copy_claim.lines.get(line as usize) else {
            continue;
        };
        let same = line_fingerprint(copied);
        let found = (0..kept_claim.lines.len())
            .find(|&k| !taken[k] && line_fingerprint(&kept_claim.lines[k]) == same);
        if let Some(k) = found {
            taken[k] = true;
            conn.execute(
                "UPDATE claim_lines SET answered = 1 WHERE claim_id = ?1 AND line = ?2",
                params![kept, k as i64],
            )?;
        }
    }
    Ok(())
}

/// The schema version this build writes.
pub fn current_version() -> i64 {
    MIGRATIONS.len() as i64
}
