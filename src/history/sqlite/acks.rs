//! The SQLite store's acknowledgments (see [`crate::history::acks`]): one
//! row per acknowledgment as read (JSON, unique, so a file read twice adds
//! nothing), one per 837 set's batch number. Schema in [`MIGRATION_SQL`].

use std::collections::BTreeMap;

use rusqlite::params;

use super::SqliteStore;
use crate::history::StoreResult;
use crate::history::acks::AckStore;
use crate::lifecycle::{Acknowledgment, BatchReference, SetKey};
use crate::reconcile::claims::StoredClaim;
use crate::text::Text;

/// The migration adding the acknowledgment tables (issue 22). `kind` and
/// `source` are there for people reading the store with SQL.
pub const MIGRATION_SQL: &str = "
    CREATE TABLE acknowledgments (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        source TEXT NOT NULL,
        ingested_at TEXT NOT NULL,
        ack TEXT NOT NULL UNIQUE
    );
    CREATE TABLE claim_batches (
        sender TEXT NOT NULL,
        receiver TEXT NOT NULL,
        gs06 TEXT NOT NULL,
        st02 TEXT NOT NULL,
        reference TEXT NOT NULL,
        PRIMARY KEY (sender, receiver, gs06, st02)
    ) WITHOUT ROWID;
";

impl AckStore for SqliteStore {
    fn ingest_acks(&mut self, source: &str, acks: &[Acknowledgment]) -> StoreResult<usize> {
        let mut new = 0;
        let mut insert = self.conn.prepare_cached(
            "INSERT OR IGNORE INTO acknowledgments (kind, source, ingested_at, ack, considered)
             VALUES (?1, ?2, datetime('now'), ?3, 0)",
        )?;
        for ack in acks {
            let json = serde_json::to_string(ack)?;
            new += insert.execute(params![ack.kind(), source, json])?;
        }
        Ok(new)
    }

    fn note_batches(&mut self, batches: &[BatchReference]) -> StoreResult<()> {
        let mut insert = self.conn.prepare_cached(
            "INSERT OR REPLACE INTO claim_batches (sender, receiver, gs06, st02, reference)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for b in batches {
            let s = &b.set;
            insert.execute(params![
                s.sender.as_str(),
                s.receiver.as_str(),
                s.group.as_str(),
                s.control.as_str(),
                b.reference.as_str()
            ])?;
        }
        Ok(())
    }

    fn acknowledgments(&self) -> StoreResult<Vec<(String, Acknowledgment)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT source, ack FROM acknowledgments ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (source, json) = row?;
            out.push((source, serde_json::from_str(&json)?));
        }
        Ok(out)
    }

    fn batch_references(&self) -> StoreResult<BTreeMap<SetKey, Text>> {
        let mut stmt = self
            .conn
            .prepare("SELECT sender, receiver, gs06, st02, reference FROM claim_batches")?;
        let rows = stmt.query_map([], |r| {
            let text = |i: usize| r.get::<_, String>(i).map(Text::from);
            Ok((
                SetKey {
                    sender: text(0)?,
                    receiver: text(1)?,
                    group: text(2)?,
                    control: text(3)?,
                },
                text(4)?,
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn all_claims(&self) -> StoreResult<Vec<StoredClaim>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, source, claim FROM claims WHERE same_as IS NULL ORDER BY id")?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(super::stored_claim(r)?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::acks::{ClaimStatus, StatusReportKind};
    use crate::history::HistoryStore;

    fn status(claim: &str) -> Acknowledgment {
        Acknowledgment::Claim(ClaimStatus {
            kind: StatusReportKind::ClaimAcknowledgment,
            patient_control_number: claim.into(),
            ..ClaimStatus::default()
        })
    }

    #[test]
    fn acknowledgments_are_kept_once_across_runs_and_only_when_the_file_commits() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.db");
        let batch = BatchReference {
            set: SetKey {
                sender: "PRACTICE".into(),
                receiver: "HOUSE".into(),
                group: "509".into(),
                control: "0001".into(),
            },
            reference: "RCB1".into(),
        };
        {
            let mut store = SqliteStore::open(&path).unwrap();
            store.begin_file().unwrap();
            assert_eq!(store.ingest_acks("a.277ca", &[status("C1")]).unwrap(), 1);
            store.note_batches(std::slice::from_ref(&batch)).unwrap();
            store.commit_file().unwrap();
            // The same acknowledgment from another file is not kept again.
            store.begin_file().unwrap();
            assert_eq!(store.ingest_acks("copy.277ca", &[status("C1")]).unwrap(), 0);
            store.commit_file().unwrap();
            // A file rolled back (rejected midway) leaves nothing.
            store.begin_file().unwrap();
            store.ingest_acks("bad.277ca", &[status("C2")]).unwrap();
            store.rollback_file().unwrap();
        }
        let store = SqliteStore::open(&path).unwrap();
        let kept = store.acknowledgments().unwrap();
        assert_eq!(kept, vec![("a.277ca".to_string(), status("C1"))]);
        let batches = store.batch_references().unwrap();
        assert_eq!(batches.get(&batch.set).map(Text::as_str), Some("RCB1"));
        let version: i64 = store
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, super::super::current_version());
    }
}
