//! A `--db` store's answer depends only on what it holds (issue 23 item 1):
//! the same 835s and 837s loaded in any order — remittances first, claims
//! first, file by file in several orders, two processes at once — leave
//! the same `remit history` and the same NO_REMITTANCE lines as one run
//! over everything; a late 835 re-decides what it precedes; loading in
//! order replays nothing; and a store an older remit decided says it
//! cannot be replayed rather than answering differently.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use rusqlite::Connection;

use crate::support::{files_under, remit, samples, temp_dir};

const AS_OF: &str = "2025-07-31";

fn remits() -> Vec<PathBuf> {
    files_under(&samples().join("remits"))
}

fn claims() -> Vec<PathBuf> {
    files_under(&samples().join("claims"))
}

/// One `remit reconcile --db` run over `inputs`; its standard error.
fn load(db: &Path, inputs: &[PathBuf]) -> String {
    let out = db.with_extension("csv");
    let mut args = vec!["reconcile".to_string()];
    args.extend(inputs.iter().map(|p| p.display().to_string()));
    for a in ["--db", &db.display().to_string(), "--as-of", AS_OF] {
        args.push(a.to_string());
    }
    args.push("--out".into());
    args.push(out.display().to_string());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = remit(&args);
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    assert!(
        matches!(run.status.code(), Some(0 | 3)),
        "{args:?}: {stderr}"
    );
    stderr
}

/// Every stored event of the store, as `remit history` lists it.
fn history(db: &Path) -> String {
    let out = db.with_extension("history.csv");
    let run = remit(&[
        "history",
        "--db",
        &db.display().to_string(),
        "--out",
        &out.display().to_string(),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    std::fs::read_to_string(out).unwrap()
}

/// The NO_REMITTANCE count a run's summary gives (every run lists every
/// billed line of the store no remittance answered).
fn unanswered(stderr: &str) -> usize {
    let statuses = stderr
        .lines()
        .find(|l| l.trim_start().starts_with("statuses:"))
        .unwrap_or_else(|| panic!("no statuses line: {stderr}"));
    statuses
        .split([':', ','])
        .filter_map(|s| s.trim().strip_prefix("NO_REMITTANCE "))
        .map(|n| n.parse().unwrap())
        .next()
        .unwrap_or(0)
}

/// The history and NO_REMITTANCE count of one run over `inputs`.
fn one_run(dir: &Path, inputs: &[PathBuf]) -> (String, usize) {
    let db = dir.join("one.db");
    let stderr = load(&db, inputs);
    (history(&db), unanswered(&stderr))
}

/// Loads `runs` one after the other into a new store: its history and the
/// NO_REMITTANCE count of the last run.
fn sequence(dir: &Path, name: &str, runs: &[Vec<PathBuf>]) -> (String, usize, Vec<String>) {
    let db = dir.join(format!("{name}.db"));
    let stderrs: Vec<String> = runs.iter().map(|inputs| load(&db, inputs)).collect();
    let last = unanswered(stderrs.last().unwrap());
    (history(&db), last, stderrs)
}

/// A deterministic shuffle (a linear congruential generator; no crate).
fn shuffled(mut files: Vec<PathBuf>, seed: u64) -> Vec<PathBuf> {
    let mut state = seed;
    for i in (1..files.len()).rev() {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        files.swap(i, (state >> 33) as usize % (i + 1));
    }
    files
}

fn each(files: Vec<PathBuf>) -> Vec<Vec<PathBuf>> {
    files.into_iter().map(|f| vec![f]).collect()
}

#[test]
fn every_order_of_loading_gives_the_history_of_one_run() {
    let dir = temp_dir("order-permutations");
    let everything: Vec<PathBuf> = remits().into_iter().chain(claims()).collect();
    let (expected, expected_open) = one_run(&dir, &everything);
    // The memory store (no --db) agrees with the one-run store.
    let memory = remit(&[
        "reconcile",
        &samples().join("remits").display().to_string(),
        &samples().join("claims").display().to_string(),
        "--as-of",
        AS_OF,
        "--out",
        &dir.join("memory.csv").display().to_string(),
    ]);
    assert_eq!(
        unanswered(&String::from_utf8_lossy(&memory.stderr)),
        expected_open
    );
    assert!(expected_open > 0 && expected.lines().count() > 100);
    let orders: Vec<(&str, Vec<Vec<PathBuf>>)> = vec![
        ("remits-then-claims", vec![remits(), claims()]),
        ("claims-then-remits", vec![claims(), remits()]),
        ("reverse-by-file", {
            let mut all = everything.clone();
            all.reverse();
            each(all)
        }),
        ("shuffled-by-file", each(shuffled(everything.clone(), 7))),
        (
            "shuffled-in-threes",
            shuffled(everything.clone(), 23)
                .chunks(3)
                .map(<[PathBuf]>::to_vec)
                .collect(),
        ),
        (
            "claims-interleaved",
            remits()
                .chunks(2)
                .zip(claims().chunks(1))
                .flat_map(|(r, c)| [c.to_vec(), r.to_vec()])
                .chain(std::iter::once(everything.clone()))
                .collect(),
        ),
    ];
    for (name, runs) in orders {
        let (got, open, _) = sequence(&dir, name, &runs);
        assert_eq!(open, expected_open, "{name}: NO_REMITTANCE lines");
        assert!(
            got == expected,
            "{name}: the history differs from one run's"
        );
    }
}

#[test]
fn claims_loaded_after_their_remittances_are_matched_and_the_changes_shown() {
    let dir = temp_dir("order-late-claims");
    let (expected, expected_open) =
        one_run(&dir, &[samples().join("remits"), samples().join("claims")]);
    let db = dir.join("late.db");
    load(&db, &[samples().join("remits")]);
    let stderr = load(&db, &[samples().join("claims")]);
    assert_eq!(unanswered(&stderr), expected_open, "{stderr}");
    assert_eq!(history(&db), expected);
    let summary = stderr
        .lines()
        .find(|l| l.contains("re-decided"))
        .unwrap_or_else(|| panic!("no replay summary: {stderr}"));
    assert!(
        summary.contains("because claims arrived out of order"),
        "{summary}"
    );
    // The rows whose decision changed are in this run's ledger: matched to
    // their billed lines now, or flagged for having none.
    let ledger = std::fs::read_to_string(db.with_extension("csv")).unwrap();
    let changed: Vec<&str> = ledger
        .lines()
        .skip(1)
        .filter(|l| !l.contains("NO_REMITTANCE"))
        .collect();
    assert!(!changed.is_empty());
    assert!(
        changed
            .iter()
            .all(|l| l.contains("837p.x12#") || l.contains("NO_MATCHING_CLAIM")),
        "{ledger}"
    );
    assert!(changed.iter().any(|l| l.contains("NO_MATCHING_CLAIM")));
    assert!(
        summary.contains(&format!(": {} row(s) changed", changed.len())),
        "{summary} vs {} ledger rows",
        changed.len()
    );
}

/// The acme remittances, in payment order (their names carry the date).
fn acme() -> Vec<PathBuf> {
    remits()
        .into_iter()
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("acme-")
        })
        .collect()
}

#[test]
fn a_late_835_gives_the_history_of_the_in_order_load() {
    let dir = temp_dir("order-late-835");
    let in_order: Vec<Vec<PathBuf>> = std::iter::once(claims()).chain(each(acme())).collect();
    let (expected, expected_open, _) = sequence(&dir, "in-order", &in_order);
    // The earliest payment arrives last (its payment date precedes every
    // one applied), and one from the middle arrives after it.
    let files = acme();
    let mut late = vec![claims()];
    late.extend(each(
        files[1..]
            .iter()
            .filter(|f| **f != files[4])
            .cloned()
            .collect(),
    ));
    late.push(vec![files[0].clone()]);
    late.push(vec![files[4].clone()]);
    let (got, open, stderrs) = sequence(&dir, "late", &late);
    assert_eq!(open, expected_open);
    assert!(got == expected, "a late 835 changed the history");
    for stderr in &stderrs[stderrs.len() - 2..] {
        assert!(
            stderr.contains("because remittances arrived out of order"),
            "{stderr}"
        );
    }
}

#[test]
fn loading_in_order_replays_nothing() {
    let dir = temp_dir("order-in-order");
    // Claims first, then every remittance in payment order, day by day.
    let mut by_date = remits();
    by_date.sort_by_key(|p| {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        name.split_once('-').unwrap().1.to_string()
    });
    let mut runs = vec![claims()];
    runs.extend(each(by_date));
    let (got, _, stderrs) = sequence(&dir, "daily", &runs);
    for stderr in &stderrs {
        assert!(!stderr.contains("re-decided"), "{stderr}");
    }
    let everything: Vec<PathBuf> = remits().into_iter().chain(claims()).collect();
    let (expected, _) = one_run(&dir, &everything);
    assert!(got == expected);
}

/// Starts `remit reconcile --db` over `inputs` without waiting.
fn spawn(db: &Path, inputs: &[PathBuf], out: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_remit"))
        .arg("reconcile")
        .args(inputs)
        .args(["--db", &db.display().to_string(), "--as-of", AS_OF])
        .args(["--out", &out.display().to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn two_concurrent_runs_give_the_store_of_one_after_the_other() {
    let dir = temp_dir("order-concurrent");
    let everything: Vec<PathBuf> = remits().into_iter().chain(claims()).collect();
    let (expected, expected_open) = one_run(&dir, &everything);
    // Different halves: all remittances and the first claims; the rest of
    // the claims and the latest remittances again (already known).
    let mixed = shuffled(everything, 5);
    let (a, b) = mixed.split_at(mixed.len() / 2);
    let mut waited = false;
    for trial in 0..3 {
        let db = dir.join(format!("shared-{trial}.db"));
        let first = spawn(&db, a, &dir.join(format!("a-{trial}.csv")));
        let second = spawn(&db, b, &dir.join(format!("b-{trial}.csv")));
        for child in [first, second] {
            let done = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&done.stderr);
            assert!(matches!(done.status.code(), Some(0 | 3)), "{stderr}");
            waited |= stderr.contains("waiting for another remit run on this store");
        }
        assert!(
            history(&db) == expected,
            "trial {trial}: the history differs"
        );
        // The store's unanswered lines are those of one run.
        let stderr = load(&db, &[samples().join("claims/2024-01-837p.x12")]);
        assert_eq!(unanswered(&stderr), expected_open);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let lock = dir.join(format!("shared-{trial}.db.lock"));
            let mode = std::fs::metadata(&lock).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "the lock file is owner-only");
        }
    }
    // Not asserted: whether a run had to wait depends on timing.
    let _ = waited;
}

#[test]
fn a_generated_set_loaded_claims_last_equals_one_run() {
    let dir = temp_dir("order-generated");
    let era = dir.join("gen.835");
    let billed = dir.join("gen.837");
    let bytes = "300000";
    let made = remit(&[
        "generate",
        "--kind",
        "835",
        "--bytes",
        bytes,
        "--seed",
        "3",
        "--out",
        &era.display().to_string(),
    ]);
    assert!(made.status.success());
    let made = remit(&[
        "generate",
        "--kind",
        "837",
        "--bytes",
        bytes,
        "--seed",
        "3",
        "--matching-835",
        &era.display().to_string(),
        "--out",
        &billed.display().to_string(),
    ]);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let (expected, expected_open) = one_run(&dir, &[era.clone(), billed.clone()]);
    let (got, open, stderrs) = sequence(&dir, "late", &[vec![era], vec![billed]]);
    assert!(stderrs[1].contains("re-decided"), "{}", stderrs[1]);
    assert_eq!(open, expected_open);
    assert!(got == expected, "the generated set's history differs");
}

#[test]
fn a_store_decided_by_an_older_remit_says_it_cannot_be_replayed() {
    let dir = temp_dir("order-legacy");
    let db = dir.join("old.db");
    // A store an older remit wrote from samples/claims and samples/remits
    // (schema 10: its rows whole, as a version-6 store's were; a store
    // this remit writes names each row's event among its transaction's
    // stored events, schema 13), its billed claims taken out.
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/store-v10/store.sqlite"),
        &db,
    )
    .unwrap();
    // What a version-6 store looks like: decided transactions lost their
    // events, and none of the later columns exists.
    let conn = Connection::open(&db).unwrap();
    conn.execute_batch(
        "DELETE FROM claim_lines; DELETE FROM claim_icns; DELETE FROM claims;
         DROP INDEX claims_new; DROP INDEX remittances_applied; DROP INDEX acknowledgments_new;
         ALTER TABLE remittances DROP COLUMN applied; ALTER TABLE claims DROP COLUMN considered;
         ALTER TABLE acknowledgments DROP COLUMN considered;
         UPDATE remittances SET events = NULL WHERE state = 'decided';
         PRAGMA user_version = 6;",
    )
    .unwrap();
    drop(conn);
    let before = history(&db);
    let stderr = load(&db, &[samples().join("claims")]);
    assert!(
        stderr.contains("decided by an older remit") && stderr.contains("--db NEW.db"),
        "{stderr}"
    );
    assert!(!stderr.contains("re-decided"), "{stderr}");
    assert_eq!(history(&db), before, "nothing was decided again");
    // The upgraded store keeps what it decides from now on: loading a
    // remittance later than every one applied is in order.
    let again = load(&db, &[samples().join("remits/acme-2025-06-18.835")]);
    assert!(!again.contains("older remit"), "{again}");
}

#[test]
fn acknowledgments_arriving_after_a_carc_29_denial_re_decide_it() {
    // RC25-004 is denied CARC 29 (timely filing) on 2025-07-30; its 999
    // and 277CA prove the payer received it in time. Loaded after the
    // denial was decided, they must still turn it TIMELY_FILING_PROVEN, as
    // one run over everything does.
    let dir = temp_dir("order-late-acks");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/acks");
    let billed = vec![
        samples().join("claims/2025-02-837p.x12"),
        fixtures.join("mcd-2025-07-30-carc29.835"),
    ];
    let acks = vec![
        samples().join("acks/2025-02.999"),
        samples().join("acks/2025-02.277ca"),
    ];
    let everything: Vec<PathBuf> = billed.iter().chain(&acks).cloned().collect();
    let (expected, _) = one_run(&dir, &everything);
    assert!(expected.contains("TIMELY_FILING_PROVEN"), "{expected}");
    let (late, _, stderrs) = sequence(&dir, "late", &[billed.clone(), acks.clone()]);
    assert_eq!(late, expected, "acknowledgments after the denial");
    assert!(
        stderrs[1].contains("re-decided") && stderrs[1].contains("acknowledgments"),
        "{}",
        stderrs[1]
    );
    let (early, _, stderrs) = sequence(&dir, "early", &[acks, billed]);
    assert_eq!(early, expected, "acknowledgments before the denial");
    assert!(!stderrs[1].contains("re-decided"), "{}", stderrs[1]);
}
