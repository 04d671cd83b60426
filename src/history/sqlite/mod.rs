//! The embedded, durable history store (`--db FILE`): one SQLite file,
//! bundled SQLite (nothing to install), write-ahead logging so that several
//! runs can share it, owner-only permissions because it holds patients'
//! names and member ids, and a versioned schema with forward migrations.
//!
//! Every file is ingested in one database transaction and every remittance
//! is decided in one more, so a process killed at any moment leaves whole
//! files and whole decisions only.

mod acks;
mod cache;
mod codec;
pub mod outcomes;
mod rederive;
mod replay;
mod schema;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OptionalExtension, params};

use cache::Cache;
use codec::{
    StoredEvents, blob, needs_events, pack, pack_claim, pack_events, pack_row, unpack,
    unpack_claim, unpack_events, unpack_row,
};

use super::{
    ClaimStore, Failure, HistoryStore, Ingested, OpenLine, Redecided, RemittanceState, Replay,
    StoreError, StoreResult, StoredVersion, TransactionRef, VersionStore,
};
use crate::claim::{BilledClaim, ClaimFingerprint};
use crate::codes::CodeList;
use crate::line::{
    DecidedLine, Flags, LineEvent, LineHistory, LineKey, OrderKey, PackedTransaction, PriorEvent,
    PriorKind, RemittanceContext, RemittanceTransaction, TransactionFingerprint, event_key,
    order_key_of, payer_key,
};
use crate::reconcile::claims::{ClaimRef, StoredClaim};
use crate::text::Text;

pub use schema::{APPLICATION_ID, current_version};

/// SQLite's errors become the store's backend-neutral error; the kinds a
/// caller acts on (not a database, busy) are told apart here, the only
/// place that knows SQLite's codes.
impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        let failure = match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase) => Failure::NotADatabase,
            Some(rusqlite::ErrorCode::DatabaseBusy) => Failure::Busy,
            _ => Failure::Other,
        };
        StoreError::backend(failure, e)
    }
}

/// A value SQLite holds in another type than the store wrote is damage.
impl From<rusqlite::types::FromSqlError> for StoreError {
    fn from(e: rusqlite::types::FromSqlError) -> Self {
        StoreError::Data(e.to_string())
    }
}

/// A date as stored (`YYYY-MM-DD`, or NULL for none); anything else is
/// damage, reported rather than read as "no date".
pub(super) fn stored_date(text: Option<String>) -> StoreResult<Option<jiff::civil::Date>> {
    text.map(|d| {
        d.parse()
            .map_err(|_| StoreError::Data(format!("stored date {d:?}")))
    })
    .transpose()
}

/// How long a run waits for another run holding the write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(120);

/// Prepared statements a connection keeps (`prepare_cached`). The store
/// prepares some 40 distinct statements, most of them per event or per
/// claim; with rusqlite's default of 16 the least recently used were
/// finalized and prepared again all through a run (callgrind, 1 MB 835 +
/// its 837s with `--db`: 2,255 prepares, ~10% of the run's instructions
/// in SQLite's parser and the cache's evictions).
const STATEMENT_CACHE: usize = 64;

/// Decisions are grouped into one SQLite transaction: the group is
/// committed after this many decisions, once [`GROUP_TIME`] has passed,
/// after the last pending transaction, before a file is ingested, and when
/// the store is dropped. Committing is what costs (every page a decision
/// touched is written to the log again), so grouping writes each page once
/// per group; a process killed meanwhile loses only whole decisions, which
/// stay pending and are made again by the next run. A decision cut short
/// (an error, a panic) rolls its whole group back, as a kill would: the
/// decisions are not each in a savepoint, because a savepoint keeps the
/// first image of every page a decision changes in a statement journal —
/// a temporary file written one page at a time (M with `--db`: 1.24M of
/// the run's 1.75M writes, ~1 s of system time of its ~8 s) — to undo
/// something only a failure undoes, and the failed run's next run redoes.
const GROUP_DECISIONS: usize = 256;

/// Longest time a group of decisions holds the write lock.
const GROUP_TIME: Duration = Duration::from_millis(500);

/// A history store in one SQLite file.
pub struct SqliteStore {
    conn: Connection,
    deciding: Option<TransactionRef>,
    cache: Cache,
    /// The open group of decisions: when it began, decisions made in it.
    group: Option<(Instant, usize)>,
    /// Pending transactions listed by `pending` not yet begun.
    planned: Cell<usize>,
    /// While replaying: the rows each re-decided transaction had before
    /// (see `replay`).
    before: replay::Before,
    /// The stored events of the transaction last loaded, which its rows
    /// name by position (row form 2, schema 13): one transaction's worth,
    /// whatever the size of the store. Cleared whenever the store may have
    /// changed under it (a rolled-back file frees its transactions' ids).
    stored_events: RefCell<Option<(i64, Arc<StoredEvents>)>>,
}

/// Filters of `remit history`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RowFilter {
    /// CLP01.
    pub claim_id: Option<String>,
    /// Member id.
    pub member_id: Option<String>,
    /// Procedure code.
    pub procedure: Option<String>,
    /// First payment date (inclusive), `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Last payment date (inclusive), `YYYY-MM-DD`.
    pub to: Option<String>,
}

/// The query of [`SqliteStore::rows`] for `filter`, and its arguments.
fn rows_query(filter: &RowFilter) -> (String, Vec<&str>) {
    let mut sql = String::from(
        "SELECT e.row, e.remittance_id, r.superseded_by FROM events e
         LEFT JOIN remittances r ON r.id = e.remittance_id WHERE e.row IS NOT NULL",
    );
    let mut args: Vec<&str> = Vec::new();
    for (column, op, value) in [
        ("e.claim_id", "=", &filter.claim_id),
        ("e.member_id", "=", &filter.member_id),
        ("e.procedure", "=", &filter.procedure),
        ("e.payment_date", ">=", &filter.from),
        ("e.payment_date", "<=", &filter.to),
    ] {
        if let Some(v) = value {
            sql.push_str(&format!(" AND {column} {op} ?{}", args.len() + 1));
            args.push(v);
        }
    }
    sql.push_str(" ORDER BY e.payment_date, e.id");
    (sql, args)
}

impl SqliteStore {
    /// Opens (or creates, owner-only) the store at `path`, refusing a file
    /// written by a newer remit or a database that is not a remit store.
    /// A store written by an older remit is upgraded, its decisions
    /// re-derived with the built-in code list.
    pub fn open(path: &Path) -> StoreResult<SqliteStore> {
        SqliteStore::open_with_codes(path, CodeList::builtin())
    }

    /// Like [`SqliteStore::open`], re-deriving an older store's decisions
    /// with `codes` (the run's `--code-list`).
    pub fn open_with_codes(path: &Path, codes: &CodeList) -> StoreResult<SqliteStore> {
        let shown = path.display().to_string();
        create_private(path).map_err(|source| StoreError::Io {
            path: shown.clone(),
            source,
        })?;
        let conn = Connection::open(path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        retry_while_busy(|| prepare(&conn, &shown, codes))?;
        Ok(SqliteStore {
            conn,
            deciding: None,
            cache: Cache::default(),
            group: None,
            planned: Cell::new(0),
            before: replay::Before::default(),
            stored_events: RefCell::new(None),
        })
    }

    /// Number of stored ledger events.
    pub fn event_count(&self) -> StoreResult<u64> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM events WHERE row IS NOT NULL",
            [],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// Every stored ledger row matching `filter`, by payment date, to `each`.
    pub fn rows<E: From<StoreError>>(
        &self,
        filter: &RowFilter,
        mut each: impl FnMut(DecidedLine) -> Result<(), E>,
    ) -> Result<u64, E> {
        let (sql, args) = rows_query(filter);
        let mut stmt = self.conn.prepare(&sql).map_err(StoreError::from)?;
        let mut found = stmt
            .query(rusqlite::params_from_iter(args.iter()))
            .map_err(StoreError::from)?;
        let mut contexts: HashMap<i64, Arc<RemittanceContext>> = HashMap::new();
        let mut count = 0;
        while let Some(r) = found.next().map_err(StoreError::from)? {
            let remittance: Option<i64> = r.get(1).map_err(StoreError::from)?;
            let packed = blob(r, 0)?;
            // A transaction's rows come together (by date, then id), so
            // the one transaction's events kept are loaded once for them.
            let stored = match remittance {
                Some(id) if needs_events(packed) => self.transaction_events(id)?,
                _ => None,
            };
            let mut row = unpack_row(packed, stored.as_deref())?;
            let superseded_by: Option<i64> = r.get(2).map_err(StoreError::from)?;
            if let Some(id) = remittance {
                row.event.context = self.context(id, &mut contexts)?;
            }
            // Rows of a version replaced after it was applied were stored
            // before anyone knew: the replacing version is named here.
            if let Some(by) = superseded_by {
                let by = self.context(by, &mut contexts)?;
                row.superseded_by = Some(crate::reconcile::versions::label(&by).into());
            }
            each(row)?;
            count += 1;
        }
        Ok(count)
    }

    fn context(
        &self,
        id: i64,
        cache: &mut HashMap<i64, Arc<RemittanceContext>>,
    ) -> StoreResult<Arc<RemittanceContext>> {
        if let Some(c) = cache.get(&id) {
            return Ok(Arc::clone(c));
        }
        let context: Arc<RemittanceContext> = Arc::new(self.stored_context(id)?);
        cache.insert(id, Arc::clone(&context));
        Ok(context)
    }

    /// The stored events of transaction `id` (none for a transaction an
    /// older remit decided, which kept none), from the one transaction kept
    /// or the store.
    fn transaction_events(&self, id: i64) -> StoreResult<Option<Arc<StoredEvents>>> {
        if let Some((kept, events)) = &*self.stored_events.borrow() {
            if *kept == id {
                return Ok(Some(Arc::clone(events)));
            }
        }
        let mut stmt = self
            .conn
            .prepare_cached("SELECT context, events FROM remittances WHERE id = ?1")?;
        let mut found = stmt.query([id])?;
        let Some(r) = found.next()? else {
            return Ok(None);
        };
        let Some(packed) = r.get_ref(1)?.as_blob_or_null()? else {
            return Ok(None);
        };
        let context: Arc<RemittanceContext> = Arc::new(unpack(blob(r, 0)?, "context")?);
        let events = Arc::new(StoredEvents::unpack(context, packed)?);
        *self.stored_events.borrow_mut() = Some((id, Arc::clone(&events)));
        Ok(Some(events))
    }

    /// A decided row as the store keeps it under transaction `id` (none: a
    /// row of no transaction), naming its event among the transaction's.
    fn pack_row_of(&self, id: Option<i64>, row: &DecidedLine) -> StoreResult<Vec<u8>> {
        let stored = match id {
            Some(id) => self.transaction_events(id)?,
            None => None,
        };
        pack_row(row, stored.as_deref())
    }

    /// Commits the open group of decisions, if any.
    fn finish_group(&mut self) -> StoreResult<()> {
        if self.group.take().is_some() {
            self.conn.execute_batch("COMMIT")?;
        }
        Ok(())
    }

    /// Commits the group when it is full, old, or nothing is left to decide.
    fn maybe_finish_group(&mut self) -> StoreResult<()> {
        let due = self.group.is_some_and(|(started, decided)| {
            self.planned.get() == 0 || decided >= GROUP_DECISIONS || started.elapsed() >= GROUP_TIME
        });
        if due {
            self.finish_group()?;
        }
        Ok(())
    }

    /// Clears the cache if another connection wrote since it was made.
    fn check_cache(&self) -> StoreResult<()> {
        self.stored_events.borrow_mut().take();
        let version: i64 = self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?;
        self.cache.check(version);
        Ok(())
    }

    /// Before a read outside a transaction, makes sure the cache is right.
    fn check_cache_outside_transaction(&self) -> StoreResult<()> {
        if self.conn.is_autocommit() {
            self.check_cache()?;
        }
        Ok(())
    }

    /// The id of a line, if the store has it.
    fn find_line(&self, key: &LineKey) -> StoreResult<Option<i64>> {
        self.check_cache_outside_transaction()?;
        if let Some(known) = self.cache.line(key) {
            return Ok(known);
        }
        let packed = pack(key)?;
        let found = self.line_by_packed_key(&packed)?;
        self.cache.set_line(key, found);
        Ok(found)
    }

    /// The id of the line whose packed key is `packed` (schema 14: lines
    /// are found by a hash of it; keys sharing a hash are told apart by
    /// their bytes, the same key always packing to the same bytes).
    fn line_by_packed_key(&self, packed: &[u8]) -> StoreResult<Option<i64>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, key FROM lines WHERE hash = ?1")?;
        let mut found = stmt.query([line_hash(packed)])?;
        while let Some(r) = found.next()? {
            if blob(r, 1)? == packed {
                return Ok(Some(r.get(0)?));
            }
        }
        Ok(None)
    }

    /// The ordinal recorded for REF*6R `control` on lines of identity
    /// `base` (schema 14: `line_controls` names the line that carried it
    /// first, under a hash of the base; a line of another base sharing the
    /// hash is skipped).
    fn stored_control(&self, base: &LineKey, control: &str) -> StoreResult<Option<u32>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT l.key FROM line_controls c JOIN lines l ON l.id = c.line_id
             WHERE c.hash = ?1 AND c.control = ?2",
        )?;
        let mut found = stmt.query(params![line_hash(&pack(base)?), control])?;
        while let Some(r) = found.next()? {
            let key: LineKey = unpack(blob(r, 0)?, "line key")?;
            if base_key(&key) == *base {
                return Ok(Some(key.ordinal));
            }
        }
        Ok(None)
    }

    /// The id of a line, created if the store does not have it.
    fn line_id(&mut self, key: &LineKey) -> StoreResult<i64> {
        if let Some(id) = self.find_line(key)? {
            return Ok(id);
        }
        let packed = pack(key)?;
        self.conn
            .prepare_cached("INSERT INTO lines (hash, key) VALUES (?1, ?2)")?
            .execute(params![line_hash(&packed), packed])?;
        let id = self.conn.last_insert_rowid();
        self.cache.set_line(key, Some(id));
        Ok(id)
    }

    /// Records that `key`'s line (stored as `line`) carries REF*6R
    /// `control`, unless known.
    fn note_control(&mut self, key: &LineKey, line: i64, control: &str) -> StoreResult<()> {
        let base = base_key(key);
        match self.cache.control(&base, control) {
            Some(Some(_)) => return Ok(()), // the first ordinal recorded stays
            // Looked up and not stored: the cache follows this connection's
            // writes and is cleared when another connection writes.
            Some(None) => {}
            None => {
                if let Some(first) = self.stored_control(&base, control)? {
                    self.cache.set_control(&base, control, Some(first));
                    return Ok(());
                }
            }
        }
        self.conn
            .prepare_cached(
                "INSERT OR IGNORE INTO line_controls (hash, control, line_id) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![line_hash(&pack(&base)?), control, line])?;
        self.cache.set_control(&base, control, Some(key.ordinal));
        Ok(())
    }

    fn load_claims(&self, sql: &str, arg: &str) -> StoreResult<Vec<StoredClaim>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let mut rows = stmt.query([arg])?;
        let mut claims = Vec::new();
        while let Some(r) = rows.next()? {
            claims.push(stored_claim(r)?);
        }
        Ok(claims)
    }

    /// A stored transaction's context.
    fn stored_context(&self, id: i64) -> StoreResult<RemittanceContext> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT context FROM remittances WHERE id = ?1")?;
        let mut found = stmt.query([id])?;
        match found.next()? {
            Some(r) => unpack(blob(r, 0)?, "context"),
            None => Err(StoreError::Data(format!("no stored transaction {id}"))),
        }
    }
}

/// A billed claim from a row of (id, source, packed claim).
fn stored_claim(r: &rusqlite::Row<'_>) -> StoreResult<StoredClaim> {
    Ok(StoredClaim {
        id: r.get::<_, i64>(0)? as ClaimRef,
        source: r.get::<_, String>(1)?.into(),
        claim: Arc::new(unpack_claim(blob(r, 2)?)?),
    })
}

/// Creates the file owner-only (0600) before SQLite opens it; SQLite gives
/// its WAL and shared-memory files the same permissions.
fn create_private(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Checks the file, switches it to write-ahead logging and migrates it.
fn prepare(conn: &Connection, path: &str, codes: &CodeList) -> StoreResult<()> {
    check_identity(conn, path)?;
    conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
    // Memory is the page cache (64 MiB) whatever the size of the store:
    // temporary data (the statement journal of an UPDATE touching every
    // new claim, sorts) goes to temporary files, not memory — in memory it
    // took ~3 bytes of RSS per byte of billed claims at the start of
    // deciding (issue 17: `--db` RSS flat).
    conn.execute_batch(
        "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = OFF;
         PRAGMA cache_size = -65536; PRAGMA temp_store = FILE;",
    )?;
    if migrate(conn, path, codes)? {
        compact_after_migration(conn);
    }
    Ok(())
}

/// Rewrites a store once it is migrated. A migration that packs rows or
/// claims anew leaves their pages part empty, and SQLite keeps a file's
/// size until `VACUUM`: the S day's schema-14 store (27.0 MB) kept its
/// pages migrated to schema 15, and takes 23.8 MB compacted, smaller
/// than the 24.8 MB this remit writes from the same files. Once per
/// upgrade, which already rewrote most of the store. A store that cannot
/// be compacted now (another process reading it, no room on the disk for
/// the copy `VACUUM` writes) stays as it is: valid, only larger, and
/// compacted at the next upgrade.
fn compact_after_migration(conn: &Connection) {
    let _ = conn.execute_batch("VACUUM");
}

/// Runs `step` again while SQLite reports the database busy without waiting
/// (two processes creating a store at once can deadlock on the switch to
/// write-ahead logging, and SQLite then fails one at once), for at most
/// [`BUSY_TIMEOUT`].
fn retry_while_busy(mut step: impl FnMut() -> StoreResult<()>) -> StoreResult<()> {
    let started = Instant::now();
    loop {
        match step() {
            Err(e) if e.failure() == Some(Failure::Busy) && started.elapsed() < BUSY_TIMEOUT => {
                std::thread::sleep(Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

/// Refuses databases that are not remit stores or are from a newer remit.
/// The three facts are read in one statement, so in one snapshot: read one
/// by one, another process's first migration could land between them.
fn check_identity(conn: &Connection, path: &str) -> StoreResult<()> {
    let (app, version, tables): (i32, i64, i64) = conn.query_row(
        "SELECT (SELECT * FROM pragma_application_id()), (SELECT * FROM pragma_user_version()),
                (SELECT count(*) FROM sqlite_master)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    if (app != 0 && app != APPLICATION_ID) || (app == 0 && tables > 0) {
        return Err(StoreError::Foreign(path.to_string()));
    }
    if version > current_version() {
        return Err(StoreError::TooNew {
            path: path.to_string(),
            found: version,
            supported: current_version(),
        });
    }
    Ok(())
}

/// Applies the migrations the file lacks, in one transaction; a store
/// decided under the group-code rule has its decisions re-derived. True
/// when a store an older remit wrote was migrated (not a new one made).
fn migrate(conn: &Connection, path: &str, codes: &CodeList) -> StoreResult<bool> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let result = (|| {
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version > current_version() {
            return Err(StoreError::TooNew {
                path: path.to_string(),
                found: version,
                supported: current_version(),
            });
        }
        for (step, migration) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
            // A new store (version 0) has nothing to re-derive; one decided
            // under the group-code rule is re-derived while its rows are
            // still the JSON `rederive` reads.
            if step == schema::REDERIVE_BEFORE
                && (1..=schema::GROUP_CODE_RULE_VERSION).contains(&version)
            {
                rederive::rederive(conn, codes)?;
            }
            conn.execute_batch(migration.sql)?;
            if let Some(then) = migration.then {
                then(conn)?;
            }
        }
        conn.execute_batch(&format!(
            "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {};",
            current_version()
        ))?;
        Ok((1..current_version()).contains(&version))
    })();
    match result {
        Ok(migrated) => {
            conn.execute_batch("COMMIT")?;
            Ok(migrated)
        }
        Err(e) => match conn.execute_batch("ROLLBACK") {
            Ok(()) => Err(e),
            Err(undo) => Err(e.and_undo_failed(undo.into())),
        },
    }
}

impl Drop for SqliteStore {
    /// Commits the open group of decisions; when one was cut short, rolls
    /// the whole group back (its decisions stay pending, as after a kill).
    fn drop(&mut self) {
        if self.group.is_none() {
            return;
        }
        if self.deciding.is_some() {
            // Cut short: the group's decisions stay pending, whole.
            self.group = None;
            let _ = self.conn.execute_batch("ROLLBACK");
            return;
        }
        let _ = self.finish_group();
    }
}

/// The identity of a line without its ordinal, under which REF*6R values
/// are remembered.
fn base_key(key: &LineKey) -> LineKey {
    LineKey {
        ordinal: 0,
        ..key.clone()
    }
}

/// The hash under which a line (its packed key) or a REF*6R base (its
/// packed base key) is stored (schema 14): stable, so it can be stored.
/// Tests can make every key share a few hashes, to exercise collisions.
pub(super) fn line_hash(packed: &[u8]) -> i64 {
    let mut h = crate::x12::hash::ContentHash::default();
    h.write(packed);
    let hash = h.finish() as i64;
    #[cfg(test)]
    if tests::COLLIDE.with(|c| c.get()) {
        return hash & 3;
    }
    hash
}

fn date_text(date: Option<jiff::civil::Date>) -> Option<String> {
    date.map(|d| d.to_string())
}

/// A claim's fingerprint as the store finds it (schema 12): a stable
/// 64-bit hash of its text, stored as SQLite's signed integer.
pub(super) fn fingerprint_hash(fingerprint: &str) -> i64 {
    let mut h = crate::x12::hash::ContentHash::default();
    h.write(fingerprint.as_bytes());
    h.finish() as i64
}

fn now() -> String {
    jiff::Timestamp::now().to_string()
}

impl SqliteStore {
    /// One stored transaction as a version of its payment, from a row of
    /// `VERSION_COLUMNS`.
    fn version(&self, r: &rusqlite::Row<'_>) -> StoreResult<StoredVersion> {
        let id: i64 = r.get(0)?;
        let state: String = r.get(1)?;
        let superseded_by: Option<i64> = r.get(2)?;
        let retired: i64 = r.get(3)?;
        let context: Arc<RemittanceContext> = Arc::new(unpack(blob(r, 4)?, "context")?);
        let events = r.get_ref(5)?.as_blob_or_null()?;
        let hash: i64 = r.get(6)?;
        let applied = r.get::<_, i64>(7)? == 1;
        let rows = match events {
            // Not applied (pending, or replaced before it was): its events.
            // (An applied one keeps its events too, for a replay; its rows
            // are the ones decided.)
            Some(stored) if !applied => unpack_events(stored)?
                .into_iter()
                .map(|e| {
                    DecidedLine::from_event(LineEvent {
                        context: Arc::clone(&context),
                        ..e
                    })
                })
                .collect(),
            _ => self.version_rows(id, &context)?,
        };
        Ok(StoredVersion {
            id: id as TransactionRef,
            order: order_key_of(&context, hash as u64),
            context,
            superseded: superseded_by.is_some(),
            applied: state == "decided" && applied && retired == 0,
            rows,
        })
    }

    /// The ledger rows stored for a transaction, in the order decided.
    fn version_rows(
        &self,
        id: i64,
        context: &Arc<RemittanceContext>,
    ) -> StoreResult<Vec<DecidedLine>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT row FROM events WHERE remittance_id = ?1 AND row IS NOT NULL ORDER BY id",
        )?;
        let mut rows = stmt.query([id])?;
        let mut out = Vec::new();
        let mut stored = None;
        while let Some(r) = rows.next()? {
            let packed = blob(r, 0)?;
            if stored.is_none() && needs_events(packed) {
                stored = self.transaction_events(id)?;
            }
            let mut row = unpack_row(packed, stored.as_deref())?;
            row.event.context = Arc::clone(context);
            out.push(row);
        }
        Ok(out)
    }

    /// Stores a row of a version that was never applied, marked superseded
    /// so that no line history counts it.
    fn record_superseded(&mut self, id: TransactionRef, row: &DecidedLine) -> StoreResult<()> {
        let key = row.key.clone().unwrap_or_else(|| event_key(&row.event));
        let line = self.line_id(&key)?;
        // Superseded events never count in a line's history, so the
        // built-in list is enough for the denial reasons kept beside them.
        let prior = crate::reconcile::decide::prior_event(
            &row.event,
            &Default::default(),
            CodeList::builtin(),
        );
        let e = &row.event;
        self.conn
            .prepare_cached(
                "INSERT INTO events (line_id, remittance_id, payment_date, trace, paid, kind, denial_reasons,
                    line_control, flags, claim_id, member_id, procedure, row, superseded)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 1)",
            )?
            .execute(params![
                line,
                id as i64,
                date_text(prior.payment_date),
                prior.trace.as_str(),
                prior.paid.to_string(),
                prior.kind.as_str(),
                prior.denial_reasons.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(";"),
                prior.line_control.as_str(),
                row.decision.flags.bits() as i64,
                e.claim_id.as_str(),
                e.member_id.as_str(),
                e.procedure.as_str(),
                self.pack_row_of(Some(id as i64), row)?,
            ])?;
        Ok(())
    }
}

/// The columns [`SqliteStore::version`] reads.
const VERSION_COLUMNS: &str =
    "id, state, superseded_by, retired, context, events, content_hash, applied FROM remittances";

impl SqliteStore {
    /// Stores a transaction as pending, its events already in their stored
    /// form (`codec::pack_events`), unless the store knows it.
    fn ingest_events(
        &mut self,
        c: &Arc<RemittanceContext>,
        fingerprint: &TransactionFingerprint,
        events: &[u8],
    ) -> StoreResult<Ingested> {
        let key = order_key_of(c, fingerprint.content_hash);
        let inserted = self.conn.prepare_cached(
            "INSERT OR IGNORE INTO remittances (content_hash, semantic, source, payer, payer_id, payee, trace,
                payment_date, production_date, isa13, gs06, st02, st02_order, amount, ingested_at, state, context, events)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, 'pending', ?16, ?17)",
        )?
        .execute(params![
            fingerprint.content_hash as i64,
            fingerprint.semantic,
            c.source,
            c.payer.as_str(),
            c.payer_id.as_str(),
            if c.payee_npi.is_empty() { c.payee_id.as_str() } else { c.payee_npi.as_str() },
            c.trace.as_str(),
            date_text(c.payment_or_production_date()),
            date_text(c.production_date),
            c.interchange.as_str(),
            c.group.as_str(),
            c.transaction.as_str(),
            key.3.as_str(),
            c.payment_amount.to_string(),
            now(),
            pack(&**c)?,
            events,
        ])?;
        Ok(if inserted == 0 {
            // The twin it repeats: the same bytes, or the same payer,
            // trace, ST02 and amounts (the two UNIQUE columns).
            let twin: i64 = self
                .conn
                .prepare_cached(
                    "SELECT id FROM remittances WHERE content_hash = ?1 OR semantic = ?2 ORDER BY id LIMIT 1",
                )?
                .query_row(
                    params![fingerprint.content_hash as i64, &fingerprint.semantic],
                    |r| r.get(0),
                )?;
            Ingested::Known(twin as TransactionRef)
        } else {
            Ingested::New(self.conn.last_insert_rowid() as TransactionRef)
        })
    }
}

impl HistoryStore for SqliteStore {
    fn begin_file(&mut self) -> StoreResult<()> {
        self.finish_group()?;
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        self.check_cache()
    }

    fn commit_file(&mut self) -> StoreResult<()> {
        Ok(self.conn.execute_batch("COMMIT")?)
    }

    fn rollback_file(&mut self) -> StoreResult<()> {
        self.cache.clear();
        self.stored_events.borrow_mut().take();
        Ok(self.conn.execute_batch("ROLLBACK")?)
    }

    fn ingests_while_reading(&self) -> bool {
        true
    }

    fn ingest_transaction(&mut self, tx: RemittanceTransaction) -> StoreResult<Ingested> {
        let events = pack_events(&tx.events)?;
        self.ingest_events(&tx.context, &tx.fingerprint, &events)
    }

    /// Unpacks the events and stores them as MessagePack, compressed: what a run packs
    /// in memory (`line::PackedTransaction`) lives only as long as the
    /// run, the store's bytes outlive it.
    fn ingest_packed(&mut self, tx: PackedTransaction) -> StoreResult<Ingested> {
        self.ingest_transaction(tx.into_transaction().map_err(StoreError::Data)?)
    }

    fn pending(&self) -> StoreResult<Vec<(OrderKey, TransactionRef)>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, payment_date, production_date, isa13, st02_order, trace, content_hash FROM remittances
             WHERE state = 'pending'
             ORDER BY payment_date, production_date, isa13, st02_order, trace, content_hash",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)? as TransactionRef,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<String>>(2)?,
                Text::from(r.get::<_, String>(3)?),
                Text::from(r.get::<_, String>(4)?),
                Text::from(r.get::<_, String>(5)?),
                r.get::<_, i64>(6)? as u64,
            ))
        })?;
        let mut pending = Vec::new();
        for row in rows {
            let (id, paid, produced, isa, st, trace, hash) = row?;
            // Dates are the payment order: one that does not read back is
            // damage to report, not a transaction to apply first.
            let key: OrderKey = (
                stored_date(paid)?,
                stored_date(produced)?,
                isa,
                st,
                trace,
                hash,
            );
            pending.push((key, id));
        }
        self.planned.set(pending.len());
        Ok(pending)
    }

    fn load_pending(&mut self, id: TransactionRef) -> StoreResult<RemittanceTransaction> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT context, events, content_hash, semantic FROM remittances WHERE id = ?1",
        )?;
        let mut found = stmt.query([id as i64])?;
        let r = found
            .next()?
            .ok_or_else(|| StoreError::Data(format!("no stored transaction {id}")))?;
        let context: Arc<RemittanceContext> = Arc::new(unpack(blob(r, 0)?, "context")?);
        let events: Vec<LineEvent> = match r.get_ref(1)?.as_blob_or_null()? {
            Some(stored) => unpack_events(stored)?,
            None => Vec::new(),
        };
        let (hash, semantic): (i64, String) = (r.get(2)?, r.get(3)?);
        let events: Vec<LineEvent> = events
            .into_iter()
            .map(|e| LineEvent {
                context: Arc::clone(&context),
                ..e
            })
            .collect();
        // Kept: the rows about to be recorded name their events among
        // these (a copy costs less than unpacking them again).
        if r.get_ref(1)?.as_blob_or_null()?.is_some() {
            let stored = StoredEvents {
                context: Arc::clone(&context),
                events: events.clone(),
            };
            *self.stored_events.borrow_mut() = Some((id as i64, Arc::new(stored)));
        }
        Ok(RemittanceTransaction {
            context,
            events,
            fingerprint: TransactionFingerprint {
                content_hash: hash as u64,
                semantic,
            },
        })
    }

    fn begin_decide(&mut self, id: TransactionRef) -> StoreResult<bool> {
        self.planned.set(self.planned.get().saturating_sub(1));
        if self.group.is_none() {
            self.conn.execute_batch("BEGIN IMMEDIATE")?;
            self.group = Some((Instant::now(), 0));
            self.check_cache()?;
        }
        let state: Option<String> = self
            .conn
            .prepare_cached("SELECT state FROM remittances WHERE id = ?1")?
            .query_row([id as i64], |r| r.get(0))
            .optional()?;
        if state.as_deref() != Some("pending") {
            // Nothing written yet: another run applied it.
            self.maybe_finish_group()?;
            return Ok(false);
        }
        self.deciding = Some(id);
        Ok(true)
    }

    fn commit_decide(&mut self, id: TransactionRef) -> StoreResult<()> {
        self.conn
            .prepare_cached("UPDATE remittances SET state = 'decided', applied = 1 WHERE id = ?1")?
            .execute([id as i64])?;
        self.deciding = None;
        if let Some((_, decided)) = &mut self.group {
            *decided += 1;
        }
        self.maybe_finish_group()
    }

    fn replay_out_of_order(&mut self) -> StoreResult<Replay> {
        self.replay_if_due()
    }

    fn replayed(
        &mut self,
        id: TransactionRef,
        rows: &[DecidedLine],
    ) -> StoreResult<Option<Redecided>> {
        self.compare_replayed(id, rows)
    }

    /// Applied: decided (`applied`), and not replaced by a
    /// correction (a version replaced while pending is marked decided too,
    /// and keeps its events until the correction retires it).
    fn transaction_state(&self, id: TransactionRef) -> StoreResult<RemittanceState> {
        let (state, applied, paid, produced, isa, st, trace, hash) = self
            .conn
            .prepare_cached(
                "SELECT state, applied = 1 AND superseded_by IS NULL AND retired = 0,
                    payment_date, production_date, isa13, st02_order, trace, content_hash
                 FROM remittances WHERE id = ?1",
            )?
            .query_row([id as i64], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, bool>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, i64>(7)?,
                ))
            })?;
        Ok(match (state.as_str(), applied) {
            ("pending", _) => RemittanceState::Pending,
            // The key `pending` sorts by, from the same columns.
            (_, true) => RemittanceState::Applied((
                stored_date(paid)?,
                stored_date(produced)?,
                isa.into(),
                st.into(),
                trace.into(),
                hash as u64,
            )),
            _ => RemittanceState::Replaced,
        })
    }

    fn decided_rows(&self, id: TransactionRef) -> StoreResult<Vec<DecidedLine>> {
        let decided: bool = self
            .conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM remittances WHERE id = ?1 AND state = 'decided')",
            )?
            .query_row([id as i64], |r| r.get(0))?;
        if !decided {
            return Ok(Vec::new());
        }
        let context: Arc<RemittanceContext> = Arc::new(self.stored_context(id as i64)?);
        self.version_rows(id as i64, &context)
    }

    fn read_history(&self, key: &LineKey, history: &mut LineHistory) -> StoreResult<()> {
        history.events.clear();
        let Some(line) = self.find_line(key)? else {
            return Ok(());
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT payment_date, trace, paid, kind, denial_reasons, line_control, flags
             FROM events WHERE line_id = ?1 AND superseded = 0 ORDER BY id",
        )?;
        let rows = stmt.query_map([line], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, i64>(6)?,
            ))
        })?;
        for row in rows {
            let (date, trace, paid, kind, reasons, control, flags) = row?;
            history.events.push(PriorEvent {
                // A stored date that does not read back is damage, not
                // "no date": a missing date would reorder the line's story.
                payment_date: stored_date(date)?,
                trace: trace.into(),
                paid: paid
                    .parse()
                    .map_err(|_| StoreError::Data(format!("stored amount {paid:?}")))?,
                kind: PriorKind::parse(&kind)
                    .ok_or_else(|| StoreError::Data(format!("stored kind {kind:?}")))?,
                denial_reasons: reasons
                    .split(';')
                    .filter(|r| !r.is_empty())
                    .map(Text::from)
                    .collect(),
                line_control: control.into(),
                flags: Flags::from_bits(flags as u32),
            });
        }
        Ok(())
    }

    fn record(
        &mut self,
        key: &LineKey,
        event: &PriorEvent,
        row: Option<&DecidedLine>,
    ) -> StoreResult<()> {
        let line = self.line_id(key)?;
        let (claim_id, member_id, procedure) = match row {
            Some(r) => (
                Some(r.event.claim_id.as_str()),
                Some(r.event.member_id.as_str()),
                Some(r.event.procedure.as_str()),
            ),
            None => (None, None, None),
        };
        let deciding = self.deciding.map(|d| d as i64);
        let packed_row = row.map(|r| self.pack_row_of(deciding, r)).transpose()?;
        self.conn
            .prepare_cached(
                "INSERT INTO events (line_id, remittance_id, payment_date, trace, paid, kind, denial_reasons,
                    line_control, flags, claim_id, member_id, procedure, row)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?
            .execute(params![
                line,
                self.deciding.map(|d| d as i64),
                date_text(event.payment_date),
                event.trace.as_str(),
                event.paid.to_string(),
                event.kind.as_str(),
                event.denial_reasons.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(";"),
                event.line_control.as_str(),
                event.flags.bits() as i64,
                claim_id,
                member_id,
                procedure,
                packed_row,
            ])?;
        if !event.line_control.is_empty() {
            self.note_control(key, line, &event.line_control)?;
        }
        Ok(())
    }

    fn ordinal_for_control(&self, key: &LineKey, control: &str) -> StoreResult<Option<u32>> {
        self.check_cache_outside_transaction()?;
        let base = base_key(key);
        if let Some(known) = self.cache.control(&base, control) {
            return Ok(known);
        }
        let found = self.stored_control(&base, control)?;
        self.cache.set_control(&base, control, found);
        Ok(found)
    }

    fn claim_lines(&self, payer: &str, payee: &str, claim_ref: &str) -> StoreResult<Vec<LineKey>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT l.key FROM claim_links c JOIN lines l ON l.id = c.line_id
             WHERE c.payer = ?1 AND c.payee = ?2 AND c.reference = ?3 ORDER BY c.line_id",
        )?;
        let mut keys = stmt.query(params![payer, payee, claim_ref])?;
        let mut out = Vec::new();
        while let Some(r) = keys.next()? {
            out.push(unpack(blob(r, 0)?, "line key")?);
        }
        Ok(out)
    }

    fn link_claim(
        &mut self,
        payer: &str,
        payee: &str,
        claim_ref: &str,
        key: &LineKey,
    ) -> StoreResult<()> {
        if claim_ref.is_empty() {
            return Ok(());
        }
        let line = self.line_id(key)?;
        self.conn
            .prepare_cached("INSERT OR IGNORE INTO claim_links (payer, payee, reference, line_id) VALUES (?1, ?2, ?3, ?4)")?
            .execute(params![payer, payee, claim_ref, line])?;
        Ok(())
    }
}

impl VersionStore for SqliteStore {
    fn trace_versions(&self, payer: &str, trace: &str) -> StoreResult<Vec<StoredVersion>> {
        let sql = format!("SELECT {VERSION_COLUMNS} WHERE trace = ?1 ORDER BY id");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut found = stmt.query([trace])?;
        let mut out = Vec::new();
        while let Some(r) = found.next()? {
            // The payer key is worked out as the engine does, from the
            // context, rather than stored: stores made before versions
            // were known have no such column.
            let context: RemittanceContext = unpack(blob(r, 4)?, "context")?;
            if payer_key(&context.payer_id, &context.payer) == payer {
                out.push(self.version(r)?);
            }
        }
        Ok(out)
    }

    fn supersede(&mut self, earlier: TransactionRef, by: TransactionRef) -> StoreResult<()> {
        // A pending version leaves the queue for good; an applied one keeps
        // its events until `by` is applied and retires it.
        self.conn
            .prepare_cached(
                "UPDATE remittances SET superseded_by = ?2, state = 'decided' WHERE id = ?1",
            )?
            .execute(params![earlier as i64, by as i64])?;
        Ok(())
    }

    fn replaced_versions(&self, id: TransactionRef) -> StoreResult<Vec<StoredVersion>> {
        let sql = format!("SELECT {VERSION_COLUMNS} WHERE superseded_by = ?1 ORDER BY id");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut out = Vec::new();
        let mut frontier = vec![id as i64];
        while let Some(by) = frontier.pop() {
            let mut found = stmt.query([by])?;
            while let Some(r) = found.next()? {
                let earlier: i64 = r.get(0)?;
                frontier.push(earlier);
                if r.get::<_, i64>(3)? == 0 {
                    out.push(self.version(r)?);
                }
            }
        }
        out.sort_by_key(|v| v.id);
        Ok(out)
    }

    fn retire(&mut self, id: TransactionRef, rows: &[DecidedLine]) -> StoreResult<()> {
        self.conn
            .prepare_cached("UPDATE events SET superseded = 1 WHERE remittance_id = ?1")?
            .execute([id as i64])?;
        for row in rows {
            self.record_superseded(id, row)?;
        }
        self.conn
            .prepare_cached("UPDATE remittances SET retired = 1 WHERE id = ?1")?
            .execute([id as i64])?;
        Ok(())
    }
}

impl ClaimStore for SqliteStore {
    fn ingest_claim(&mut self, source: &str, claim: &BilledClaim) -> StoreResult<bool> {
        let fingerprint = ClaimFingerprint::of(claim);
        let hash = fingerprint_hash(fingerprint.as_str());
        {
            // Known: a stored claim (not a copy) with this very
            // fingerprint; the hash only finds the candidates.
            let mut stmt = self.conn.prepare_cached(
                "SELECT claim FROM claims WHERE fingerprint_hash = ?1 AND same_as IS NULL",
            )?;
            let mut found = stmt.query([hash])?;
            while let Some(r) = found.next()? {
                let stored = unpack_claim(blob(r, 0)?)?;
                if ClaimFingerprint::of(&stored) == fingerprint {
                    return Ok(false);
                }
            }
        }
        self.conn.prepare_cached(
            "INSERT INTO claims (source, clm01, frequency, transaction_hash, replaced_icn, created, ingested_at, claim, fingerprint_hash, considered)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0)",
        )?
        .execute(params![
            source,
            claim.claim_id.as_str(),
            claim.frequency.as_str(),
            claim.transaction_hash as i64,
            claim.payer_claim_number.as_deref().filter(|i| !i.is_empty()),
            date_text(claim.created),
            now(),
            pack_claim(claim)?,
            hash,
        ])?;
        let id = self.conn.last_insert_rowid();
        let mut stmt = self
            .conn
            .prepare_cached("INSERT INTO claim_lines (claim_id, line) VALUES (?1, ?2)")?;
        for line in 0..claim.lines.len() {
            stmt.execute(params![id, line as i64])?;
        }
        Ok(true)
    }

    fn has_claims(&self) -> StoreResult<bool> {
        Ok(self
            .conn
            .query_row("SELECT EXISTS (SELECT 1 FROM claims)", [], |r| r.get(0))?)
    }

    fn claims_with_id(&self, clm01: &str) -> StoreResult<Vec<StoredClaim>> {
        self.load_claims(
            "SELECT id, source, claim FROM claims WHERE clm01 = ?1 AND same_as IS NULL ORDER BY id",
            clm01,
        )
    }

    fn claims_replacing(&self, icn: &str) -> StoreResult<Vec<StoredClaim>> {
        self.load_claims(
            "SELECT id, source, claim FROM claims
             WHERE replaced_icn = ?1 AND replaced_icn IS NOT NULL AND same_as IS NULL ORDER BY id",
            icn,
        )
    }

    fn note_icn(&mut self, clp01: &str, icn: &str) -> StoreResult<()> {
        if !icn.is_empty() {
            self.conn
                .prepare_cached("INSERT OR IGNORE INTO icns (clp01, icn) VALUES (?1, ?2)")?
                .execute(params![clp01, icn])?;
        }
        Ok(())
    }

    fn icns_of(&self, clp01: &str) -> StoreResult<Vec<Text>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT icn FROM icns WHERE clp01 = ?1 ORDER BY icn")?;
        let icns = stmt.query_map([clp01], |r| r.get::<_, String>(0))?;
        Ok(icns.map(|i| i.map(Text::from)).collect::<Result<_, _>>()?)
    }

    fn clp01s_of_icn(&self, icn: &str) -> StoreResult<Vec<Text>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT clp01 FROM icns WHERE icn = ?1 ORDER BY clp01")?;
        let found = stmt.query_map([icn], |r| r.get::<_, String>(0))?;
        Ok(found.map(|i| i.map(Text::from)).collect::<Result<_, _>>()?)
    }

    fn note_claim_icn(&mut self, claim: ClaimRef, icn: &str) -> StoreResult<()> {
        if !icn.is_empty() {
            self.conn
                .prepare_cached("INSERT OR IGNORE INTO claim_icns (icn, claim_id) VALUES (?1, ?2)")?
                .execute(params![icn, claim as i64])?;
        }
        Ok(())
    }

    fn claims_paid_under(&self, icn: &str) -> StoreResult<Vec<StoredClaim>> {
        self.load_claims(
            "SELECT c.id, c.source, c.claim FROM claim_icns i JOIN claims c ON c.id = i.claim_id
             WHERE i.icn = ?1 AND c.same_as IS NULL ORDER BY c.id",
            icn,
        )
    }

    fn mark_answered(&mut self, claim: ClaimRef, line: usize) -> StoreResult<()> {
        self.conn
            .prepare_cached("UPDATE claim_lines SET answered = 1 WHERE claim_id = ?1 AND line = ?2 AND answered != 1")?
            .execute(params![claim as i64, line as i64])?;
        Ok(())
    }

    fn mark_contested(&mut self, claim: ClaimRef, line: usize) -> StoreResult<()> {
        self.conn
            .prepare_cached("UPDATE claim_lines SET answered = 2 WHERE claim_id = ?1 AND line = ?2 AND answered = 0")?
            .execute(params![claim as i64, line as i64])?;
        Ok(())
    }

    fn unanswered(&self) -> StoreResult<Vec<(StoredClaim, Vec<OpenLine>)>> {
        // 0: open; 2: contested (see the schema's migration 2).
        let mut stmt = self.conn.prepare(
            "SELECT l.claim_id, l.line, l.answered FROM claim_lines l JOIN claims c ON c.id = l.claim_id
             WHERE l.answered IN (0, 2) AND c.same_as IS NULL ORDER BY l.claim_id, l.line",
        )?;
        let open = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        let mut grouped: Vec<(i64, Vec<OpenLine>)> = Vec::new();
        for found in open {
            let (claim, line, state) = found?;
            let line = OpenLine {
                line: line as usize,
                contested: state == 2,
            };
            match grouped.last_mut() {
                Some((c, lines)) if *c == claim => lines.push(line),
                _ => grouped.push((claim, vec![line])),
            }
        }
        let mut out = Vec::with_capacity(grouped.len());
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, source, claim FROM claims WHERE id = ?1")?;
        for (claim, lines) in grouped {
            let mut found = stmt.query([claim])?;
            let r = found
                .next()?
                .ok_or_else(|| StoreError::Data(format!("no stored claim {claim}")))?;
            out.push((stored_claim(r)?, lines));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        /// Makes `line_hash` give every key one of four hashes.
        pub(super) static COLLIDE: Cell<bool> = const { Cell::new(false) };
    }

    /// Lines, and REF*6R ordinals, are found by a hash of their keys
    /// (schema 14): keys sharing a hash are different lines, each found
    /// again, and an ordinal is the one recorded for its own base.
    #[test]
    fn lines_and_ref6r_ordinals_sharing_a_hash_are_told_apart() {
        use crate::line::Scope;
        COLLIDE.with(|c| c.set(true));
        let dir = std::env::temp_dir().join(format!("remit-line-hash-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let key = |claim: usize, ordinal: u32| LineKey {
            payer: "P".into(),
            payee: "1234567890".into(),
            claim_id: format!("C{claim}").as_str().into(),
            member_id: "M1".into(),
            service_date: Some(jiff::civil::date(2024, 1, 2)),
            procedure: "97110".into(),
            modifiers: "GP".into(),
            ordinal,
            scope: Scope::Line,
        };
        let mut store = SqliteStore::open(&dir.join("h.db")).unwrap();
        let mut ids = Vec::new();
        for claim in 0..40 {
            for ordinal in 0..3 {
                ids.push((claim, ordinal, store.line_id(&key(claim, ordinal)).unwrap()));
            }
        }
        for claim in 0..40 {
            let line = store.line_id(&key(claim, 2)).unwrap();
            store.note_control(&key(claim, 2), line, "R6").unwrap();
            let line = store.line_id(&key(claim, 1)).unwrap();
            store.note_control(&key(claim, 1), line, "R6").unwrap(); // the first stays
        }
        drop(store);
        // A fresh connection: nothing is answered from the cache.
        let store = SqliteStore::open(&dir.join("h.db")).unwrap();
        let hashes: i64 = store
            .conn
            .query_row("SELECT count(DISTINCT hash) FROM lines", [], |r| r.get(0))
            .unwrap();
        assert!(hashes <= 4, "{hashes} hashes");
        let mut distinct: Vec<i64> = ids.iter().map(|&(_, _, id)| id).collect();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), ids.len());
        for &(claim, ordinal, id) in &ids {
            assert_eq!(store.find_line(&key(claim, ordinal)).unwrap(), Some(id));
            assert_eq!(
                store
                    .ordinal_for_control(&key(claim, ordinal), "R6")
                    .unwrap(),
                Some(2)
            );
            assert_eq!(
                store
                    .ordinal_for_control(&key(claim, ordinal), "R7")
                    .unwrap(),
                None
            );
        }
        assert_eq!(store.find_line(&key(99, 0)).unwrap(), None);
        assert_eq!(store.ordinal_for_control(&key(99, 0), "R6").unwrap(), None);
        drop(store);
        COLLIDE.with(|c| c.set(false));
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A group of decisions is committed whole when the store is dropped
    /// between decisions, and rolled back whole when one was cut short (an
    /// error or a panic while deciding): every decision of the group stays
    /// pending — none half made — as after a kill, and the next run makes
    /// them again.
    #[test]
    fn a_decision_cut_short_leaves_its_group_pending_and_nothing_of_it() {
        use crate::line::{
            RemittanceContext, RemittanceTransaction, Scope, TransactionFingerprint,
        };
        let dir = std::env::temp_dir().join(format!("remit-cut-short-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("h.db");
        let transaction = |trace: &str, hash: u64| RemittanceTransaction {
            context: Arc::new(RemittanceContext {
                payer: "ACME".into(),
                payer_id: "12345".into(),
                trace: trace.into(),
                transaction: format!("{hash}").into(),
                ..RemittanceContext::default()
            }),
            events: Vec::new(),
            fingerprint: TransactionFingerprint {
                content_hash: hash,
                semantic: format!("s{hash}").as_str().into(),
            },
        };
        let key = LineKey {
            payer: "ACME".into(),
            payee: "1234567890".into(),
            claim_id: "C1".into(),
            member_id: "M1".into(),
            service_date: Some(jiff::civil::date(2024, 1, 2)),
            procedure: "97110".into(),
            modifiers: "".into(),
            ordinal: 0,
            scope: Scope::Line,
        };
        let mut store = SqliteStore::open(&path).unwrap();
        store.begin_file().unwrap();
        for (trace, hash) in [("T1", 1), ("T2", 2)] {
            assert!(matches!(
                store.ingest_transaction(transaction(trace, hash)).unwrap(),
                Ingested::New(_)
            ));
        }
        store.commit_file().unwrap();
        store.prepare_decide().unwrap();
        let order: Vec<TransactionRef> = store
            .pending()
            .unwrap()
            .into_iter()
            .map(|(_, id)| id)
            .collect();
        let (first, second) = (order[0], order[1]);
        assert!(store.begin_decide(first).unwrap());
        store.load_pending(first).unwrap();
        store.commit_decide(first).unwrap();
        assert!(store.begin_decide(second).unwrap());
        store.line_id(&key).unwrap(); // half of the second decision
        drop(store); // cut short

        let mut store = SqliteStore::open(&path).unwrap();
        for id in [first, second] {
            assert_eq!(
                store.transaction_state(id).unwrap(),
                RemittanceState::Pending,
                "{id}"
            );
        }
        assert_eq!(
            store.find_line(&key).unwrap(),
            None,
            "half a decision was kept"
        );
        // Dropped between decisions: the group is committed.
        store.prepare_decide().unwrap();
        assert!(store.begin_decide(first).unwrap());
        store.load_pending(first).unwrap();
        store.commit_decide(first).unwrap();
        drop(store);
        let store = SqliteStore::open(&path).unwrap();
        assert!(matches!(
            store.transaction_state(first).unwrap(),
            RemittanceState::Applied(_)
        ));
        assert_eq!(
            store.transaction_state(second).unwrap(),
            RemittanceState::Pending
        );
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// `remit history --claim/--member/--procedure` find their rows through
    /// an index, not by reading every event: a person waits for them, on a
    /// store of years (schema 10 put back the member and procedure
    /// indexes that 9 dropped).
    #[test]
    fn history_lookups_by_claim_member_and_procedure_use_an_index() {
        let dir = std::env::temp_dir().join(format!("remit-rows-plan-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let store = SqliteStore::open(&dir.join("h.db")).unwrap();
        let one = |claim: bool, member: bool, procedure: bool| RowFilter {
            claim_id: claim.then(|| "C1".to_string()),
            member_id: member.then(|| "M1".to_string()),
            procedure: procedure.then(|| "97110".to_string()),
            ..RowFilter::default()
        };
        for (filter, index) in [
            (one(true, false, false), "events_claim"),
            (one(false, true, false), "events_member"),
            (one(false, false, true), "events_procedure"),
        ] {
            let (sql, args) = rows_query(&filter);
            let mut stmt = store
                .conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .unwrap();
            let plan: Vec<String> = stmt
                .query_map(rusqlite::params_from_iter(args.iter()), |r| r.get(3))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            let plan = plan.join("; ");
            assert!(plan.contains(index), "{filter:?}: {plan}");
        }
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
