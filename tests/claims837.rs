//! 837 claim identity, end to end on fixtures derived from the corpus
//! (tests/fixtures/verdicts/claims837/README.md says from what and how):
//! claims sharing CLM01 are all kept and matched by what differs, a tie is
//! reported and never resolved silently, a re-sent 837 (other delimiters,
//! line breaks, envelope) is recognised, replacements and voids leave no
//! ghost NO_REMITTANCE rows, with and without `--db`, and a store written
//! by the previous version migrates and keeps working.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rusqlite::Connection;

use crate::reconcile::{Ledger, reconcile};
use crate::support::{remit, temp_dir};

/// Every claim and remittance of the fixtures is dated before this.
const AS_OF: &str = "2005-06-30";

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/verdicts/claims837")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// Reconciles the fixtures named (plus `extra` arguments): exit status 0,
/// or 3 (completed with findings: the corpus 837 these fixtures come from
/// has a CLM02 that is not the sum of its lines).
fn run(files: &[&str], extra: &[&str]) -> (Ledger, String) {
    let paths: Vec<String> = files.iter().map(|f| fixture(f)).collect();
    let mut args: Vec<&str> = paths.iter().map(String::as_str).collect();
    args.extend(["--as-of", AS_OF]);
    args.extend(extra);
    let (ledger, stderr, code) = reconcile(&args);
    assert!(code == 0 || code == 3, "{stderr}");
    (ledger, stderr)
}

/// `(status, procedure, member_name, matched line without the folder)` of
/// every row, sorted.
fn rows(ledger: &Ledger) -> Vec<(String, String, String, String)> {
    let mut out: Vec<_> = ledger
        .rows
        .iter()
        .map(|r| {
            let line = &r["matched_claim_line"];
            let short = match line.split_once('#') {
                Some((path, rest)) => {
                    let file = Path::new(path).file_name().unwrap().to_string_lossy();
                    format!("{file}#{rest}")
                }
                None => line.clone(),
            };
            (
                r["status"].clone(),
                r["procedure"].clone(),
                r["member_name"].clone(),
                short,
            )
        })
        .collect();
    out.sort();
    out
}

fn row(status: &str, procedure: &str, name: &str, line: &str) -> (String, String, String, String) {
    (status.into(), procedure.into(), name.into(), line.into())
}

fn with_db(name: &str) -> (PathBuf, String) {
    let dir = temp_dir(name);
    let db = dir.join("h.db");
    let text = db.to_string_lossy().into_owned();
    (db, text)
}

#[test]
fn two_claims_sharing_clm01_give_two_no_remittance_rows() {
    let expected = vec![
        row(
            "NO_REMITTANCE",
            "478331",
            "DOE, DAVID",
            "shared-clm01.837#A37YH556@31/2",
        ),
        row(
            "NO_REMITTANCE",
            "99211",
            "DOE, JOHN",
            "shared-clm01.837#A37YH556@22/1",
        ),
    ];
    let (ledger, stderr) = run(&["shared-clm01.837"], &[]);
    assert_eq!(rows(&ledger), expected);
    assert!(
        stderr.contains("billed (837): 2 claim(s), 2 service line(s)"),
        "{stderr}"
    );
    let (_, db) = with_db("shared");
    let (ledger, _) = run(&["shared-clm01.837"], &["--db", &db]);
    assert_eq!(rows(&ledger), expected);
}

#[test]
fn a_payment_matches_the_claim_sharing_clm01_that_it_fits() {
    let expected = vec![
        row(
            "NO_REMITTANCE",
            "478331",
            "DOE, DAVID",
            "shared-clm01.837#A37YH556@31/2",
        ),
        row(
            "PAID",
            "99211",
            "DOE, JOHN",
            "shared-clm01.837#A37YH556@22/1",
        ),
    ];
    let (ledger, stderr) = run(&["shared-clm01.837", "answer-john.835"], &[]);
    assert_eq!(rows(&ledger), expected);
    assert!(!ledger.rows.iter().any(|r| !r["flags"].is_empty()));
    assert!(
        stderr.contains("remitted (835): 1 claim payment(s), 1 service line(s)"),
        "{stderr}"
    );
    // With a store, across two runs: the claims first, the payment later.
    let (_, db) = with_db("shared-answer");
    run(&["shared-clm01.837"], &["--db", &db]);
    let (ledger, _) = run(&["answer-john.835"], &["--db", &db]);
    assert_eq!(rows(&ledger), expected);
}

#[test]
fn a_payment_two_distinct_claims_fit_equally_is_reported_not_matched() {
    let (ledger, _) = run(&["shared-clm01-tie.837", "answer-john.835"], &[]);
    let paid = ledger.with("status", "PAID");
    assert_eq!(paid.len(), 1);
    let paid = paid[0];
    assert_eq!(paid["flags"], "AMBIGUOUS_CLAIM_MATCH");
    assert_eq!(
        paid["matched_claim_line"], "",
        "never the first one silently"
    );
    assert!(!paid["flags"].contains("NO_MATCHING_CLAIM"));
    for candidate in [
        "shared-clm01-tie.837#A37YH556@22",
        "shared-clm01-tie.837#A37YH556@31",
    ] {
        assert!(paid["reason"].contains(candidate), "{}", paid["reason"]);
    }
    assert!(!paid["reason"].contains("123456") && !paid["reason"].contains("JOHN"));
    // Both billed lines stay listed, each naming the other candidate.
    let open = ledger.with("status", "NO_REMITTANCE");
    assert_eq!(open.len(), 2);
    for r in open {
        assert_eq!(r["flags"], "AMBIGUOUS_CLAIM_MATCH");
        assert!(r["reason"].contains("A37YH556@22") && r["reason"].contains("A37YH556@31"));
    }
}

#[test]
fn a_resent_837_with_other_delimiters_and_envelope_is_already_known() {
    let resent = std::fs::read(fixture("shared-clm01-resent.837")).unwrap();
    assert!(resent.starts_with(b"ISA|") && resent.windows(3).any(|w| w == b"!\r\n"));
    let (once, _) = run(&["shared-clm01.837"], &[]);
    let (twice, stderr) = run(&["shared-clm01.837", "shared-clm01-resent.837"], &[]);
    assert_eq!(rows(&twice), rows(&once), "no doubled unanswered lines");
    assert!(
        stderr.contains("billed (837): 2 claim(s), 2 service line(s), charges ")
            && stderr.contains("; 2 claim(s) already known"),
        "{stderr}"
    );
    // The re-send also pairs with the payment of the original.
    let (paid, _) = run(
        &[
            "shared-clm01.837",
            "shared-clm01-resent.837",
            "answer-john.835",
        ],
        &[],
    );
    assert_eq!(paid.with("status", "PAID").len(), 1);
    assert_eq!(paid.with("status", "NO_REMITTANCE").len(), 1);
    assert!(paid.rows.iter().all(|r| r["flags"].is_empty()));
    // In a store, the re-send arrives in a later run.
    let (_, db) = with_db("resent");
    run(&["shared-clm01.837"], &["--db", &db]);
    let (later, stderr) = run(&["shared-clm01-resent.837"], &["--db", &db]);
    assert_eq!(later.rows.len(), 2, "{stderr}");
    assert!(
        stderr.contains(
            "billed (837): 0 claim(s), 0 service line(s), charges 0.00; 2 claim(s) already known"
        ),
        "{stderr}"
    );
}

#[test]
fn replacements_and_voids_leave_no_ghost_rows() {
    let only_replacement = vec![row(
        "NO_REMITTANCE",
        "99212",
        "DOE, JOHN",
        "x12_valid-replacement.837#A37YH556/1",
    )];
    // The replacement takes the place of claim 1's line (99211 → 99212);
    // the void withdraws claim 2, never paid.
    let files = [
        "x12_valid.837",
        "x12_valid-replacement.837",
        "x12_valid-void.837",
    ];
    let (ledger, _) = run(&files, &[]);
    assert_eq!(rows(&ledger), only_replacement);
    let (_, db) = with_db("replaced");
    run(&["x12_valid.837"], &["--db", &db]);
    let (ledger, _) = run(&files[1..], &["--db", &db]);
    assert_eq!(rows(&ledger), only_replacement);
}

#[test]
fn a_replacement_after_a_payment_awaits_its_own_answer_then_has_none_left() {
    let david = row(
        "NO_REMITTANCE",
        "478331",
        "DOE, DAVID",
        "x12_valid.837#A37YH667/2",
    );
    let paid_original = row("PAID", "99211", "DOE, JOHN", "x12_valid.837#A37YH556/1");
    // Claim 1 paid, then replaced: the payer owes an answer to the replacement.
    let (ledger, _) = run(
        &[
            "x12_valid.837",
            "answer-john.835",
            "x12_valid-replacement.837",
        ],
        &[],
    );
    assert_eq!(
        rows(&ledger),
        vec![
            david.clone(),
            row(
                "NO_REMITTANCE",
                "99212",
                "DOE, JOHN",
                "x12_valid-replacement.837#A37YH556/1"
            ),
            paid_original.clone(),
        ]
    );
    // The payer reverses claim 1 and pays the replacement: nothing of
    // claim 1 is left open; the reversal names claim 1's line, the new
    // payment the replacement's.
    let files = [
        "x12_valid.837",
        "answer-john.835",
        "x12_valid-replacement.837",
        "answer-replacement.835",
    ];
    let expected = vec![
        david,
        paid_original,
        row(
            "PAID",
            "99212",
            "DOE, JOHN",
            "x12_valid-replacement.837#A37YH556/1",
        ),
        row("REVERSAL", "99211", "DOE, JOHN", "x12_valid.837#A37YH556/1"),
    ];
    let (ledger, _) = run(&files, &[]);
    assert_eq!(rows(&ledger), expected);
    let (_, db) = with_db("replaced-paid");
    let mut all = Vec::new();
    for chunk in files.chunks(2) {
        let (ledger, _) = run(chunk, &["--db", &db]);
        all.extend(rows(&ledger).into_iter().filter(|r| r.0 != "NO_REMITTANCE"));
    }
    let (last, _) = run(&["x12_valid.837"], &["--db", &db]);
    all.extend(rows(&last));
    all.sort();
    assert_eq!(all, expected);
}

/// Rows of `table` in the store, as text.
fn query(db: &Path, sql: &str) -> Vec<Vec<String>> {
    let conn = Connection::open(db).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    let n = stmt.column_count();
    stmt.query_map([], |r| {
        (0..n)
            .map(|i| {
                Ok(match r.get_ref(i)? {
                    rusqlite::types::ValueRef::Null => "NULL".to_string(),
                    rusqlite::types::ValueRef::Integer(i) => i.to_string(),
                    rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                    other => format!("{other:?}"),
                })
            })
            .collect()
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// `v1-store.sqlite` was written by the previous remit (schema version 1)
/// from shared-clm01.837, its re-send and answer-john.835: it dropped claim
/// 2 (same CLM01, same transaction), stored the re-send as a second claim,
/// matched the payment to that copy and listed the original's line as
/// NO_REMITTANCE — a ghost.
#[test]
fn a_store_of_the_previous_version_migrates_and_loses_its_ghosts() {
    let dir = temp_dir("v1-store");
    let db = dir.join("h.db");
    std::fs::copy(fixture("v1-store.sqlite"), &db).unwrap();
    let version = |db: &Path| query(db, "PRAGMA user_version")[0][0].clone();
    assert_eq!(version(&db), "1");
    assert_eq!(
        query(&db, "SELECT clm01, source FROM claims ORDER BY id"),
        [
            ["A37YH556", "shared-clm01.837"],
            ["A37YH556", "shared-clm01-resent.837"]
        ]
    );
    let db_text = db.to_string_lossy().into_owned();
    let (ledger, stderr) = run(&["shared-clm01.837"], &["--db", &db_text]);
    assert_eq!(version(&db), remit::store_schema_version().to_string());
    // Claim 1 is known (twice, as the old version stored it: the copy is
    // kept, marked as the same claim, and its answer counts for the
    // original); claim 2 is new.
    assert!(
        stderr.contains("billed (837): 1 claim(s), 1 service line(s), charges ")
            && stderr.contains("; 1 claim(s) already known"),
        "{stderr}"
    );
    // (The old store names its claims by the relative path it was given,
    // this run by an absolute one: two files to the ledger, so no `@N`.)
    assert_eq!(
        rows(&ledger),
        vec![row(
            "NO_REMITTANCE",
            "478331",
            "DOE, DAVID",
            "shared-clm01.837#A37YH556/2"
        )]
    );
    let claims = query(
        &db,
        "SELECT id, same_as, fingerprint_hash IS NOT NULL FROM claims ORDER BY id",
    );
    assert_eq!(claims[0], ["1", "NULL", "1"]);
    assert_eq!(claims[1], ["2", "1", "1"]);
    assert_eq!(claims.len(), 3);
    // The stored history still reads, and later runs keep working.
    let history = remit(&["history", "--db", &db_text]);
    assert_eq!(history.status.code(), Some(0));
    let stored = Ledger::parse(&String::from_utf8(history.stdout).unwrap());
    assert_eq!(stored.with("status", "PAID").len(), 1);
    let (again, _) = run(&["shared-clm01-resent.837"], &["--db", &db_text]);
    assert_eq!(again.rows.len(), 1);
    let columns: BTreeMap<String, String> = again.rows[0].clone();
    assert_eq!(columns["member_name"], "DOE, DAVID");
}
