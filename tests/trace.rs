//! One payment, one trace: a re-sent or corrected remittance (same payer,
//! same TRN02, other content) counts its payment once and names what
//! changed, in one run and across runs of a store (one made by the previous
//! schema included); a real second payment (another trace) is still a
//! duplicate; a re-delivery is skipped; the corpus pairs that gave false
//! duplicates; bank matching and posting expect the corrected amount; and
//! ids that differ only in bytes that are not UTF-8 stay apart.
//!
//! Fixtures: `tests/fixtures/verdicts/trace/` (README.md there).

use std::collections::BTreeMap;
use std::path::Path;

use rust_decimal::Decimal;

use crate::reconcile::{Ledger, reconcile};
use crate::support::{corpus, remit, temp_dir};

const AS_OF: &str = "2025-01-01";

fn fixture(name: &str) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/verdicts/trace");
    s(&dir.join(name))
}

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// The corpus remittance the fixtures are edited from.
fn profee() -> String {
    s(&corpus().join("tastypackets_x12-parser/test/test-files/835/profee.edi"))
}

fn stupidedi(part: &str) -> String {
    s(&corpus()
        .join("irobayna_stupidedi/spec/fixtures/005010")
        .join(part))
}

fn secondary_payments() -> String {
    stupidedi("X221A1 HP835 Health Care Claim Payment Advice/pass/secondary-payments.edi")
}

fn case_3a() -> String {
    stupidedi("X221 HP835 Health Care Claim Payment Advice/case/3a.edi")
}

fn era_sample() -> String {
    stupidedi("X221A1 HP835 Health Care Claim Payment Advice/pass/era-sample.edi")
}

fn multiple_claims() -> String {
    stupidedi("X221A1 HP835 Health Care Claim Payment Advice/pass/multiple-claims-single-check.edi")
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap_or_else(|_| panic!("not a decimal: {s:?}"))
}

fn run(paths: &[&str], extra: &[&str]) -> (Ledger, String) {
    let args: Vec<&str> = paths
        .iter()
        .copied()
        .chain(["--as-of", AS_OF])
        .chain(extra.iter().copied())
        .collect();
    let (ledger, stderr, code) = reconcile(&args);
    // 3: completed with findings (some corpus files do not balance).
    assert!(code == 0 || code == 3, "{stderr}");
    (ledger, stderr)
}

type Row = BTreeMap<String, String>;

fn current(ledger: &Ledger) -> Vec<&Row> {
    ledger
        .rows
        .iter()
        .filter(|r| r["superseded_by"].is_empty())
        .collect()
}

fn superseded(ledger: &Ledger) -> Vec<&Row> {
    ledger
        .rows
        .iter()
        .filter(|r| !r["superseded_by"].is_empty())
        .collect()
}

fn paid(rows: &[&Row]) -> Decimal {
    rows.iter().map(|r| d(&r["paid"])).sum()
}

fn flagged<'a>(rows: &[&'a Row], flag: &str) -> Vec<&'a Row> {
    rows.iter()
        .copied()
        .filter(|r| r["flags"].split(';').any(|f| f == flag))
        .collect()
}

/// The corrected line of `profee-corrected.835`: claim 1's V2700.
fn is_corrected_line(r: &Row) -> bool {
    r["member_id"] == "LL99999L" && r["procedure"] == "V2700"
}

/// What every run holding the original and the corrected version must show.
fn assert_corrected(ledger: &Ledger, stderr: &str) {
    let now = current(ledger);
    assert_eq!(paid(&now), d("44.75"), "the corrected BPR02, counted once");
    assert!(stderr.contains("paid 44.75"), "{stderr}");
    assert!(flagged(&now, "DUPLICATE_PAYMENT").is_empty(), "{stderr}");
    let corrected = flagged(&now, "CORRECTED_REMITTANCE");
    assert_eq!(corrected.len(), 1, "only the changed line: {corrected:?}");
    let line = corrected[0];
    assert!(is_corrected_line(line), "{line:?}");
    assert!(line["source"].ends_with("profee-corrected.835"));
    assert_eq!(
        (line["paid"].as_str(), line["net_paid"].as_str()),
        ("1.75", "1.75")
    );
    for words in [
        "Corrected remittance: replaces ",
        "profee.edi ST02 1740 ISA13 006000600 of 2010-01-01",
        "allowed 2.75 → 1.75; paid 2.75 → 1.75; adjustments none → CO-45:1.00",
    ] {
        assert!(
            line["reason"].contains(words),
            "{words:?} in {}",
            line["reason"]
        );
    }
    let old = superseded(ledger);
    assert_eq!(old.len(), 1, "the replaced line, shown once: {old:?}");
    assert!(is_corrected_line(old[0]) && old[0]["source"].ends_with("profee.edi"));
    assert_eq!(old[0]["paid"], "2.75");
    assert!(old[0]["net_paid"].is_empty() && old[0]["appeal_by"].is_empty());
    assert!(
        old[0]["superseded_by"].contains("profee-corrected.835 ST02 1741 ISA13 006000601"),
        "{old:?}"
    );
    assert!(old[0]["flags"].contains("CORRECTED_REMITTANCE"));
}

#[test]
fn a_corrected_remittance_counts_its_payment_once_and_names_the_changed_line() {
    let corrected = fixture("profee-corrected.835");
    let (ledger, stderr) = run(&[&profee(), &corrected], &[]);
    assert_corrected(&ledger, &stderr);
    assert!(
        stderr.contains("1 row(s) of replaced versions shown"),
        "{stderr}"
    );
    // The same whatever order the files come in.
    let (reversed, _) = run(&[&corrected, &profee()], &[]);
    assert_eq!(reversed.rows, ledger.rows);
    // Without the original, the corrected version is an ordinary remittance.
    let (alone, _) = run(&[&corrected], &[]);
    assert!(alone.rows.iter().all(|r| r["flags"].is_empty()));
}

#[test]
fn a_corrected_remittance_in_a_later_run_of_a_store() {
    let dir = temp_dir("trace-db");
    let db = s(&dir.join("h.db"));
    let (first, _) = run(&[&profee()], &["--db", &db]);
    assert_eq!(paid(&current(&first)), d("45.75"));
    let (second, stderr) = run(&[&fixture("profee-corrected.835")], &["--db", &db]);
    assert_corrected(&second, &stderr);
    assert_stored_once(&db, first.rows.len());
    // The original again, or in a new envelope: already known.
    let (third, stderr) = run(
        &[&profee(), &fixture("profee-redelivered.835")],
        &["--db", &db],
    );
    assert!(third.rows.is_empty(), "{stderr}");
    assert_eq!(
        stderr
            .matches("repeats a remittance a corrected version replaced; not used")
            .count(),
        2,
        "{stderr}"
    );
}

/// `remit history` keeps both versions; only the corrected one counts.
fn assert_stored_once(db: &str, original_rows: usize) {
    let out = remit(&["history", "--db", db]);
    let stored = Ledger::parse(&String::from_utf8(out.stdout).unwrap());
    let old = superseded(&stored);
    assert_eq!(
        old.len(),
        original_rows,
        "every row of the replaced version"
    );
    assert!(old.iter().all(|r| r["source"].ends_with("profee.edi")));
    assert!(
        old.iter()
            .all(|r| r["superseded_by"].contains("profee-corrected.835"))
    );
    assert_eq!(paid(&current(&stored)), d("44.75"));
}

#[test]
fn the_older_version_arriving_after_the_corrected_one_is_not_used() {
    let dir = temp_dir("trace-late");
    let db = s(&dir.join("h.db"));
    run(&[&fixture("profee-corrected.835")], &["--db", &db]);
    let (late, stderr) = run(&[&profee()], &["--db", &db]);
    assert!(
        stderr.contains("is an earlier version of the remittance already applied from")
            && stderr.contains("profee-corrected.835 ST02 1741"),
        "{stderr}"
    );
    // The store's answer depends only on what it holds (issue 23): the
    // corrected version is decided again against the older one now known,
    // and the run shows what that changed — never a row of the older
    // version as counted.
    assert!(
        stderr.contains("because corrected remittance versions arrived out of order"),
        "{stderr}"
    );
    assert!(!late.rows.is_empty(), "{stderr}");
    assert!(
        current(&late)
            .iter()
            .all(|r| r["source"].ends_with("profee-corrected.835"))
    );
    let out = remit(&["history", "--db", &db]);
    let stored = Ledger::parse(&String::from_utf8(out.stdout.clone()).unwrap());
    assert_eq!(paid(&current(&stored)), d("44.75"));
    // The same history as one run over both versions.
    let one = s(&dir.join("one.db"));
    run(
        &[&profee(), &fixture("profee-corrected.835")],
        &["--db", &one],
    );
    let one_run = remit(&["history", "--db", &one]);
    assert_eq!(out.stdout, one_run.stdout);
}

#[test]
fn both_versions_in_one_run_of_a_store_are_stored_once() {
    let dir = temp_dir("trace-one-run");
    let db = s(&dir.join("h.db"));
    let (ledger, stderr) = run(
        &[&profee(), &fixture("profee-corrected.835")],
        &["--db", &db],
    );
    assert_corrected(&ledger, &stderr);
    let (original, _) = run(&[&profee()], &[]);
    assert_stored_once(&db, original.rows.len());
}

#[test]
fn a_store_made_by_the_previous_schema_opens_and_takes_a_corrected_remittance() {
    // store-v1.sqlite: the original remittance reconciled by remit before this
    // change (schema version 1, see README.md beside it).
    let dir = temp_dir("trace-v1");
    let db = dir.join("h.db");
    std::fs::copy(fixture("store-v1.sqlite"), &db).unwrap();
    let db = s(&db);
    let (ledger, stderr) = run(&[&fixture("profee-corrected.835")], &["--db", &db]);
    assert_corrected(&ledger, &stderr);
    let (original, _) = run(&[&profee()], &[]);
    assert_stored_once(&db, original.rows.len());
    let version: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, remit::store_schema_version());
}

#[test]
fn a_second_payment_under_another_trace_is_still_a_duplicate() {
    let (ledger, stderr) = run(&[&profee(), &fixture("profee-second-payment.835")], &[]);
    let rows: Vec<&Row> = ledger.rows.iter().collect();
    assert!(superseded(&ledger).is_empty());
    assert!(flagged(&rows, "CORRECTED_REMITTANCE").is_empty());
    let duplicates = flagged(&rows, "DUPLICATE_PAYMENT");
    assert_eq!(duplicates.len(), 6, "{stderr}");
    assert!(duplicates.iter().all(|r| r["trace"] == "10100000099"));
    assert_eq!(paid(&rows), d("91.50"), "two payments, both counted");
}

#[test]
fn the_same_remittance_in_a_new_envelope_is_skipped() {
    let (once, _) = run(&[&profee()], &[]);
    let (twice, stderr) = run(&[&profee(), &fixture("profee-redelivered.835")], &[]);
    assert_eq!(
        stderr
            .matches("repeats one already stored and not yet applied")
            .count(),
        1,
        "{stderr}"
    );
    assert_eq!(twice.rows.len(), once.rows.len());
    assert!(twice.rows.iter().all(|r| r["flags"].is_empty()));
}

#[test]
fn stupidedi_case_3a_and_its_x221a1_reissue_are_one_payment() {
    // Both: payer id (TRN03) 1559123456, TRN02 0012524965, BPR02 1222. The
    // A1 file (GS 2008-05-03) is the later; 3a (GS 1999-12-31) recodes
    // claim 0001000053's procedures, allows 50.00 less on each, uses CO-45
    // for CO-42 and adds two PLB CV amounts.
    for db in [false, true] {
        let dir = temp_dir(&format!("trace-3a-{db}"));
        let store = s(&dir.join("h.db"));
        let extra: Vec<&str> = if db { vec!["--db", &store] } else { vec![] };
        let ledger = if db {
            run(&[&case_3a()], &extra);
            run(&[&secondary_payments()], &extra).0
        } else {
            run(&[&case_3a(), &secondary_payments()], &extra).0
        };
        let now = current(&ledger);
        assert!(
            now.iter()
                .all(|r| r["source"].ends_with("secondary-payments.edi"))
        );
        assert!(flagged(&now, "DUPLICATE_PAYMENT").is_empty());
        assert_eq!(paid(&now), d("1222.00"));
        let corrected = flagged(&now, "CORRECTED_REMITTANCE");
        assert_eq!(corrected.len(), 2, "{now:?}");
        assert!(
            corrected[0]["reason"].contains("procedure 12001 → 12345:26; allowed 100.00 → 150.00")
        );
        assert!(
            corrected[1]["reason"].contains("CO-45:85.00 → PR-1:150.00;PR-2:70.00;CO-42:85.00")
        );
        // The whole-claim row L0004828311 did not change: no flag.
        let unchanged = now.iter().find(|r| r["claim_id"] == "L0004828311").unwrap();
        assert!(unchanged["flags"].is_empty());
        let old = superseded(&ledger);
        let plb: Vec<_> = old
            .iter()
            .filter(|r| r["status"] == "PROVIDER_ADJUSTMENT")
            .collect();
        assert_eq!(plb.len(), 2, "3a's PLB amounts, no longer listed");
        assert!(plb[0]["reason"].contains("no longer lists this line"));
    }
}

#[test]
fn stupidedi_era_sample_and_multiple_claims_single_check_are_one_payment() {
    // Both: TRN03 1512345678 (no N1*PR id), check 12345, ISA13 000000195,
    // ST02 35681, GS 2014-04-01 08:20, BPR16 2014-03-31; era-sample pays
    // 132.00 for one claim of SALLY, multiple-claims 810.80 for nine claims
    // (two of SALLY's five lines, unchanged). Nothing tells which came
    // later, so the content decides, the same way every run, and the reason
    // says so.
    let bpr = |source: &str| {
        if source.ends_with("era-sample.edi") {
            d("132.00")
        } else {
            d("810.80")
        }
    };
    let (together, stderr) = run(&[&era_sample(), &multiple_claims()], &[]);
    let now = current(&together);
    let winner = now[0]["source"].clone();
    assert!(now.iter().all(|r| r["source"] == winner));
    assert_eq!(paid(&now), bpr(&winner), "{stderr}");
    assert!(flagged(&now, "DUPLICATE_PAYMENT").is_empty());
    let corrected = flagged(&now, "CORRECTED_REMITTANCE");
    assert!(!corrected.is_empty());
    assert!(
        corrected
            .iter()
            .all(|r| r["reason"].contains("nothing in the envelopes tells the versions apart"))
    );
    // SALLY's D0120 and D1110 are the same in both versions: not flagged.
    let sally: Vec<_> = now
        .iter()
        .filter(|r| {
            r["member_id"] == "SJD11111" && ["D0120", "D1110"].contains(&r["procedure"].as_str())
        })
        .collect();
    assert_eq!(sally.len(), 2);
    assert!(sally.iter().all(|r| r["flags"].is_empty()));
    // Given in the other order, or in two runs of a store: the same version wins.
    let (reversed, _) = run(&[&multiple_claims(), &era_sample()], &[]);
    assert_eq!(current(&reversed)[0]["source"], winner);
    for (first, second) in [
        (era_sample(), multiple_claims()),
        (multiple_claims(), era_sample()),
    ] {
        let dir = temp_dir("trace-era");
        let db = s(&dir.join("h.db"));
        run(&[&first], &["--db", &db]);
        run(&[&second], &["--db", &db]);
        let out = remit(&["history", "--db", &db]);
        let stored = Ledger::parse(&String::from_utf8(out.stdout).unwrap());
        let now = current(&stored);
        assert!(
            now.iter().all(|r| r["source"] == winner),
            "{first} then {second}"
        );
        assert_eq!(paid(&now), bpr(&winner));
        assert!(flagged(&now, "DUPLICATE_PAYMENT").is_empty());
    }
}

fn bank_csv(dir: &Path, amount: &str) -> String {
    let path = dir.join("bank.csv");
    std::fs::write(
        &path,
        format!(
            "date,amount,description\n2010-01-04,{amount},NYSDOH HCCLAIMPMT CCD TRN*1*10100000000*1000000000\\ REF BK1\n"
        ),
    )
    .unwrap();
    s(&path)
}

fn deposits(paths: &[&str], bank: &str, extra: &[&str]) -> (Ledger, String) {
    let args: Vec<&str> = ["deposits"]
        .into_iter()
        .chain(paths.iter().copied())
        .chain(["--bank", bank, "--as-of", AS_OF])
        .chain(extra.iter().copied())
        .collect();
    let out = remit(&args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    (
        Ledger::parse(&String::from_utf8(out.stdout).unwrap()),
        stderr,
    )
}

#[test]
fn the_bank_is_expected_to_pay_the_corrected_amount_once() {
    let dir = temp_dir("trace-bank");
    let corrected = fixture("profee-corrected.835");
    let db = s(&dir.join("h.db"));
    run(&[&profee()], &["--db", &db]);
    run(&[&corrected], &["--db", &db]);
    for with_db in [false, true] {
        // With --db every stored remittance counts; the corrected file is
        // given again (already applied) as the command's input.
        let paths: Vec<String> = if with_db {
            vec![corrected.clone()]
        } else {
            vec![profee(), corrected.clone()]
        };
        let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
        let extra: Vec<&str> = if with_db { vec!["--db", &db] } else { vec![] };
        let (rows, stderr) = deposits(&paths, &bank_csv(&dir, "44.75"), &extra);
        assert_eq!(rows.rows.len(), 1, "one payment, one deposit: {stderr}");
        let m = &rows.rows[0];
        assert_eq!(
            (m["match"].as_str(), m["promised"].as_str()),
            ("MATCHED_TRACE", "44.75")
        );
        assert!(
            m["remittances"].ends_with("profee-corrected.835 ST 1741"),
            "{m:?}"
        );
        assert!(
            m["note"].contains("superseded version(s)")
                && m["note"].contains("profee.edi ST 1740 (BPR02 45.75)"),
            "{m:?}"
        );
        assert!(stderr.contains("1 remittance transaction(s)"), "{stderr}");
        // The bank paid what the superseded version said.
        let (rows, _) = deposits(&paths, &bank_csv(&dir, "45.75"), &extra);
        let m = &rows.rows[0];
        assert_eq!(
            (m["match"].as_str(), m["difference"].as_str()),
            ("AMOUNT_DIFFERS", "1.00")
        );
        assert!(
            m["note"].contains("the amount of the superseded version"),
            "{m:?}"
        );
    }
}

#[test]
fn posting_expects_the_corrected_amounts() {
    let dir = temp_dir("trace-posting");
    let posted = dir.join("posted.csv");
    // The practice posted the first version's 2.75 on the corrected line.
    std::fs::write(
        &posted,
        "claim_id,service_date,procedure,payer,amount_posted,adjustment_posted,posting_date\n\
         PATIENT ACCOUNT NUMBER,2010-01-01,V2700,NYSDOH,2.75,0.00,2010-01-05\n",
    )
    .unwrap();
    let out = remit(&[
        "posting",
        &profee(),
        &fixture("profee-corrected.835"),
        "--posted",
        &s(&posted),
        "--as-of",
        AS_OF,
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let rows = Ledger::parse(&String::from_utf8(out.stdout).unwrap());
    let total = rows
        .rows
        .iter()
        .find(|r| r["record"] == "total" && r["payer"] == "all")
        .unwrap();
    assert_eq!(total["remitted"], "44.75", "{stderr}");
    assert_eq!(total["paid"], "44.75");
    let line = rows
        .rows
        .iter()
        .find(|r| r["record"] == "line" && r["procedure"] == "V2700")
        .unwrap();
    assert_eq!(
        (line["paid"].as_str(), line["posted"].as_str()),
        ("1.75", "2.75")
    );
    assert_eq!(line["finding"], "POSTED_MORE");
}

#[test]
fn member_ids_that_differ_only_in_a_non_utf8_byte_are_two_patients() {
    let (ledger, stderr) = run(
        &[
            &fixture("latin1-member-a.835"),
            &fixture("latin1-member-b.835"),
        ],
        &[],
    );
    let rows: Vec<&Row> = ledger.rows.iter().collect();
    let members: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r["member_id"].as_str()).collect();
    assert!(
        members.contains("LL99999É") && members.contains("LL99999È"),
        "{members:?}"
    );
    let duplicates = flagged(&rows, "DUPLICATE_PAYMENT");
    // Only claim 3 (LL77777L, the same patient in both) was paid twice.
    assert_eq!(duplicates.len(), 2, "{stderr}");
    assert!(duplicates.iter().all(|r| r["member_id"] == "LL77777L"));
}

#[test]
fn traces_that_differ_only_in_a_non_utf8_byte_are_two_payments() {
    let (ledger, stderr) = run(
        &[
            &fixture("latin1-trace-a.835"),
            &fixture("latin1-trace-b.835"),
        ],
        &[],
    );
    assert!(superseded(&ledger).is_empty(), "{stderr}");
    let rows: Vec<&Row> = ledger.rows.iter().collect();
    assert!(flagged(&rows, "CORRECTED_REMITTANCE").is_empty());
    assert_eq!(paid(&rows), d("90.50"), "45.75 + 44.75, both counted");
    let traces: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r["trace"].as_str()).collect();
    assert_eq!(traces.len(), 2, "{traces:?}");
}
