//! The store's appeal outcomes (table `appeal_outcomes`, schema version 5):
//! what the practice filed and what the payers answered, as imported from
//! its outcomes CSV. Plain values here (the history layer knows no
//! appeal model); `cli::outcomes` converts them. Notes may hold PHI: the
//! store is owner-only and nothing here logs.

use jiff::civil::Date;
use rusqlite::{OptionalExtension, params};
use rust_decimal::Decimal;

use super::SqliteStore;
use crate::history::{StoreError, StoreResult};

/// One stored appeal outcome.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OutcomeRecord {
    /// Payer name or id; empty: any payer.
    pub payer: String,
    /// CLM01.
    pub claim_id: String,
    /// Date of service; `None`: any.
    pub service_date: Option<Date>,
    /// Procedure as billed; empty: every item of the claim.
    pub procedure: String,
    /// Modifiers, upper case, sorted, `:`-joined; empty: any.
    pub modifiers: String,
    /// When the appeal was filed.
    pub filed: Date,
    /// `pending`, `no_answer`, `lost`, `partial` or `won`.
    pub outcome: String,
    /// When the payer decided.
    pub decided: Option<Date>,
    /// What was recovered.
    pub recovered: Decimal,
    /// The payer's appeal reference.
    pub reference: String,
    /// Free notes.
    pub notes: String,
    /// The file and line it was imported from.
    pub source: String,
}

/// What an import did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OutcomeImport {
    /// Rows not stored before.
    pub added: usize,
    /// Rows stored before (same coverage and filing date) whose answer,
    /// amount, reference or notes changed.
    pub updated: usize,
    /// Rows stored before, unchanged.
    pub unchanged: usize,
}

fn day(text: Option<String>) -> StoreResult<Option<Date>> {
    text.filter(|t| !t.is_empty())
        .map(|t| {
            t.parse::<Date>()
                .map_err(|e| StoreError::Data(format!("appeal outcome date {t:?}: {e}")))
        })
        .transpose()
}

impl SqliteStore {
    /// Stores `records` in one transaction: a record with the same payer,
    /// claim, date of service, procedure, modifiers and filing date as a
    /// stored one replaces its answer.
    pub fn import_outcomes(&mut self, records: &[OutcomeRecord]) -> StoreResult<OutcomeImport> {
        let tx = self.conn.transaction()?;
        let mut done = OutcomeImport::default();
        for r in records {
            let date = r.service_date.map(|d| d.to_string()).unwrap_or_default();
            let filed = r.filed.to_string();
            let decided = r.decided.map(|d| d.to_string());
            let recovered = r.recovered.normalize().to_string();
            let existing: Option<(i64, String, Option<String>, String, String, String)> = tx
                .query_row(
                    "SELECT id, outcome, decided, recovered, reference, notes FROM appeal_outcomes
                     WHERE payer = ?1 AND claim_id = ?2 AND service_date = ?3 AND procedure = ?4
                       AND modifiers = ?5 AND filed = ?6",
                    params![r.payer, r.claim_id, date, r.procedure, r.modifiers, filed],
                    |row| {
                        Ok((
                            row.get(0)?,
                            row.get(1)?,
                            row.get(2)?,
                            row.get(3)?,
                            row.get(4)?,
                            row.get(5)?,
                        ))
                    },
                )
                .optional()?;
            match existing {
                None => {
                    tx.execute(
                        "INSERT INTO appeal_outcomes (payer, claim_id, service_date, procedure,
                         modifiers, filed, outcome, decided, recovered, reference, notes, source)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                        params![
                            r.payer,
                            r.claim_id,
                            date,
                            r.procedure,
                            r.modifiers,
                            filed,
                            r.outcome,
                            decided,
                            recovered,
                            r.reference,
                            r.notes,
                            r.source
                        ],
                    )?;
                    done.added += 1;
                }
                Some((id, outcome, was_decided, was_recovered, reference, notes)) => {
                    let same = outcome == r.outcome
                        && was_decided == decided
                        && was_recovered == recovered
                        && reference == r.reference
                        && notes == r.notes;
                    if same {
                        done.unchanged += 1;
                    } else {
                        tx.execute(
                            "UPDATE appeal_outcomes SET outcome = ?1, decided = ?2, recovered = ?3,
                             reference = ?4, notes = ?5, source = ?6 WHERE id = ?7",
                            params![
                                r.outcome,
                                decided,
                                recovered,
                                r.reference,
                                r.notes,
                                r.source,
                                id
                            ],
                        )?;
                        done.updated += 1;
                    }
                }
            }
        }
        tx.commit()?;
        Ok(done)
    }

    /// Every stored outcome, in the order imported.
    pub fn outcomes(&self) -> StoreResult<Vec<OutcomeRecord>> {
        let mut stmt = self.conn.prepare(
            "SELECT payer, claim_id, service_date, procedure, modifiers, filed, outcome, decided,
                    recovered, reference, notes, source FROM appeal_outcomes ORDER BY id",
        )?;
        let rows = stmt.query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, String>(5)?,
                row.get::<_, String>(6)?,
                row.get::<_, Option<String>>(7)?,
                row.get::<_, String>(8)?,
                row.get::<_, String>(9)?,
                row.get::<_, String>(10)?,
                row.get::<_, String>(11)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let r = row?;
            let filed = day(Some(r.5.clone()))?
                .ok_or_else(|| StoreError::Data(format!("appeal outcome filed {:?}", r.5)))?;
            let recovered = r
                .8
                .parse()
                .map_err(|e| StoreError::Data(format!("appeal outcome amount {:?}: {e}", r.8)))?;
            out.push(OutcomeRecord {
                payer: r.0,
                claim_id: r.1,
                service_date: day(Some(r.2))?,
                procedure: r.3,
                modifiers: r.4,
                filed,
                outcome: r.6,
                decided: day(r.7)?,
                recovered,
                reference: r.9,
                notes: r.10,
                source: r.11,
            });
        }
        Ok(out)
    }
}
