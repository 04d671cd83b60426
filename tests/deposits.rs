//! `remit deposits`: the samples against `samples/expected/deposits.csv`
//! (BAI2 and CSV give the same matches), hand-made fixtures for every match
//! kind, and malformed bank files rejected with their record numbers.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::reconcile::Ledger;
use crate::support::{remit, samples};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bank")
}

fn path(p: PathBuf) -> String {
    p.to_string_lossy().into_owned()
}

fn run(args: &[&str]) -> (Ledger, String, i32) {
    let out = remit(args);
    (
        Ledger::parse(&String::from_utf8(out.stdout).unwrap()),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

fn samples_with(bank: &str) -> (Ledger, String, i32) {
    run(&[
        "deposits",
        &path(samples().join("remits")),
        "--bank",
        &path(samples().join("bank").join(bank)),
        "--as-of",
        "2025-07-31",
    ])
}

/// The match kind the expectation's words stand for.
fn expected_kind(expect: &str) -> &'static str {
    [
        ("matched: ACH trace", "MATCHED_TRACE"),
        ("matched: check number", "MATCHED_CHECK"),
        ("SPLIT", "SPLIT"),
        ("COMBINED", "COMBINED"),
        ("no money moves", "NO_MONEY_MOVED"),
        ("REMITTANCE WITHOUT DEPOSIT", "REMITTANCE_WITHOUT_DEPOSIT"),
    ]
    .into_iter()
    .find(|(words, _)| expect.starts_with(words))
    .map(|(_, kind)| kind)
    .unwrap_or_else(|| panic!("unknown expectation {expect:?}"))
}

fn relative_to_samples(text: &str) -> String {
    let prefix = format!("{}/", samples().display());
    text.replace(&prefix, "")
}

#[test]
fn the_samples_match_the_expected_deposits() {
    let (rows, stderr, code) = samples_with("deposits.bai2");
    assert_eq!(code, 0, "{stderr}");
    let expected =
        Ledger::parse(&std::fs::read_to_string(samples().join("expected/deposits.csv")).unwrap());
    let payments: Vec<_> = rows
        .rows
        .iter()
        .filter(|r| !r["trace"].is_empty())
        .collect();
    assert_eq!(payments.len(), expected.rows.len());
    for (got, want) in payments.iter().zip(&expected.rows) {
        assert_eq!(got["match"], expected_kind(&want["expect"]), "{want:?}");
        for (column, theirs) in [
            ("trace", "trace"),
            ("payer", "payer"),
            ("payment_date", "payment_date"),
            ("method", "method"),
            ("promised", "amount"),
            ("deposits", "deposits"),
        ] {
            assert_eq!(got[column], want[theirs], "{column} of {want:?}");
        }
        assert_eq!(relative_to_samples(&got["remittances"]), want["files"]);
    }
    let unexplained = rows.with("match", "DEPOSIT_WITHOUT_REMITTANCE");
    assert_eq!(unexplained.len(), 1);
    assert_eq!(
        unexplained[0]["deposits"],
        "2025-05-28 212.40 (RB2505280021)"
    );
    assert_eq!(
        unexplained[0]["note"],
        "DEPOSIT WITHOUT REMITTANCE: no 835 has trace 2025052800391"
    );
    assert!(
        stderr.contains("promised 2769.47, received 2941.77, difference 172.30"),
        "{stderr}"
    );
    assert!(stderr.contains("STATE MEDICAID MCO 2025-06: promised 40.10, received 0.00"));
}

#[test]
fn bai2_and_csv_exports_of_the_same_deposits_match_alike() {
    let (bai2, _, _) = samples_with("deposits.bai2");
    let (csv, stderr, code) = samples_with("deposits.csv");
    assert_eq!(code, 0, "{stderr}");
    let without_records = |l: &Ledger| -> Vec<BTreeMap<String, String>> {
        l.rows
            .iter()
            .map(|r| {
                let mut r = r.clone();
                r.remove("bank_records");
                r
            })
            .collect()
    };
    assert_eq!(without_records(&bai2), without_records(&csv));
}

#[test]
fn overlapping_bank_files_do_not_count_a_deposit_twice() {
    let (one, _, _) = samples_with("deposits.bai2");
    let (both, stderr, code) = run(&[
        "deposits",
        &path(samples().join("remits")),
        "--bank",
        &path(samples().join("bank/deposits.bai2")),
        "--bank",
        &path(samples().join("bank/deposits.csv")),
        "--as-of",
        "2025-07-31",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(one.rows, both.rows);
    assert!(
        stderr.contains("22 deposit(s) an earlier bank file already gave"),
        "{stderr}"
    );
}

#[test]
fn the_window_decides_when_missing_money_is_reported() {
    let (rows, _, _) = run(&[
        "deposits",
        &path(samples().join("remits/mcd-2025-06-25.835")),
        "--bank",
        &path(samples().join("bank/deposits.csv")),
        "--as-of",
        "2025-06-30",
    ]);
    let payment = rows.with("trace", "MC2506250200");
    assert_eq!(payment[0]["match"], "AWAITING_DEPOSIT");
    assert_eq!(payment[0]["difference"], "-40.10");
}

fn fixture_rows(bank: &str, extra: &[&str]) -> (Ledger, String, i32) {
    let mut args = vec![
        "deposits".to_string(),
        path(fixtures().join("remits")),
        "--bank".into(),
        path(fixtures().join(bank)),
        "--as-of".into(),
        "2024-04-30".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&args)
}

const CSV_COLUMNS: &[&str] = &[
    "--bank-date-column",
    "Posted",
    "--bank-amount-column",
    "Credit",
    "--bank-description-column",
    "Memo",
    "--bank-reference-column",
    "Bank Ref",
];

fn by_trace(rows: &Ledger) -> BTreeMap<String, (String, String, String)> {
    rows.rows
        .iter()
        .map(|r| {
            let key = if r["trace"].is_empty() {
                r["deposits"].clone()
            } else {
                r["trace"].clone()
            };
            (
                key,
                (
                    r["match"].clone(),
                    r["received"].clone(),
                    r["difference"].clone(),
                ),
            )
        })
        .collect()
}

#[test]
fn every_match_kind_from_the_fixtures() {
    for (bank, extra) in [("deposits.bai2", &[][..]), ("deposits.csv", CSV_COLUMNS)] {
        let (rows, stderr, code) = fixture_rows(bank, extra);
        assert_eq!(code, 0, "{bank}: {stderr}");
        let got = by_trace(&rows);
        let want = |kind: &str, received: &str, difference: &str| {
            (
                kind.to_string(),
                received.to_string(),
                difference.to_string(),
            )
        };
        let expected: BTreeMap<String, _> = [
            ("TR100", want("MATCHED_TRACE", "100.00", "0.00")),
            ("000777", want("MATCHED_CHECK", "55.00", "0.00")),
            ("TR200", want("COMBINED", "75.00", "0.00")),
            ("TR300", want("SPLIT", "120.00", "0.00")),
            ("TR400 + TR500", want("OFFSET", "75.00", "0.00")),
            ("TR600", want("MATCHED_AMOUNT_DATE", "64.00", "0.00")),
            ("TR700", want("AMOUNT_DIFFERS", "85.00", "-5.00")),
            (
                "TR800",
                want("REMITTANCE_WITHOUT_DEPOSIT", "0.00", "-33.00"),
            ),
            ("TR900", want("AWAITING_DEPOSIT", "0.00", "-12.00")),
            ("TR950", want("NO_MONEY_MOVED", "0.00", "0.00")),
            (
                "2024-03-25 50.00 (BK0009)",
                want("DEPOSIT_WITHOUT_REMITTANCE", "50.00", "50.00"),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        assert_eq!(got, expected, "{bank}");
        let combined = rows.with("match", "COMBINED");
        assert!(combined[0]["remittances"].contains("combined.835 ST 0002"));
        let offset = rows.with("match", "OFFSET");
        assert!(
            offset[0]["note"].contains("less negative remittance -25.00 of trace TR400"),
            "{}",
            offset[0]["note"]
        );
        let fallback = rows.with("match", "MATCHED_AMOUNT_DATE");
        assert!(fallback[0]["note"].starts_with("by amount and date only"));
        assert!(stderr.contains("OFFSET 1"), "{stderr}");
    }
}

#[test]
fn deposits_write_jsonl_and_xml_too() {
    let out = remit(&[
        "deposits",
        &path(fixtures().join("remits/matched.835")),
        "--bank",
        &path(fixtures().join("deposits.bai2")),
        "--as-of",
        "2024-04-30",
        "--format",
        "jsonl",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["match"], "MATCHED_TRACE");
    assert_eq!(first["promised"], "100.00");
    let out = remit(&[
        "deposits",
        &path(fixtures().join("remits/matched.835")),
        "--bank",
        &path(fixtures().join("deposits.bai2")),
        "--as-of",
        "2024-04-30",
        "--format",
        "xml",
    ]);
    let xml = String::from_utf8(out.stdout).unwrap();
    assert!(
        xml.contains("<deposits>") && xml.contains("<match>"),
        "{xml}"
    );
}

#[test]
fn malformed_bai2_is_rejected_with_its_record_number() {
    for (file, expected) in [
        (
            "bad-account-total.bai2",
            "bad-account-total.bai2: record 6: 49 account trailer: control total 20001, but the account's 03 and 16 amounts (from record 3) sum to 20000",
        ),
        (
            "bad-record-count.bai2",
            "bad-record-count.bai2: record 20: 98 group trailer: 8 record(s) declared, but records 14 to 20 are 7",
        ),
        (
            "bad-file-total.bai2",
            "bad-file-total.bai2: record 50: 99 file trailer: control total 124700, but the 98 group totals sum to 124800",
        ),
        (
            "truncated.bai2",
            "truncated.bai2: record 30: the file ends here without the 49 account trailer, 98 group trailer, 99 file trailer: truncated",
        ),
        (
            "bad-amount.csv",
            "bad-amount.csv: line 3: Credit \"75.O0\" is not an amount",
        ),
    ] {
        let (rows, stderr, code) = fixture_rows(file, CSV_COLUMNS);
        assert_eq!(code, 1, "{file}: {stderr}");
        assert!(stderr.contains(expected), "{file}: {stderr}");
        assert!(
            stderr.contains(&format!("{file}: rejected; its deposits are not used")),
            "{stderr}"
        );
        assert!(
            rows.rows.iter().all(|r| r["deposits"].is_empty()),
            "{file}: no deposit of a rejected file is used"
        );
        let errors = stderr.lines().filter(|l| l.contains(&format!("{file}: ")));
        assert!(
            errors.clone().all(|l| !l.contains("TEST HEALTH")),
            "no entry text in errors"
        );
        assert!(errors.count() >= 2);
    }
}

#[test]
fn the_history_store_feeds_deposits_with_every_stored_remittance() {
    let dir = crate::support::temp_dir("deposits-db");
    let db = path(dir.join("history.db"));
    let remits = fixtures().join("remits");
    for file in ["matched.835", "split.835"] {
        let out = remit(&[
            "reconcile",
            &path(remits.join(file)),
            "--db",
            &db,
            "--as-of",
            "2024-04-30",
            "--out",
            &path(dir.join("ledger.csv")),
        ]);
        assert_eq!(out.status.code(), Some(0));
    }
    let (rows, stderr, code) = run(&[
        "deposits",
        &path(remits.join("check.835")),
        "--db",
        &db,
        "--bank",
        &path(fixtures().join("deposits.bai2")),
        "--as-of",
        "2024-04-30",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let kinds: Vec<&str> = rows
        .rows
        .iter()
        .filter(|r| !r["trace"].is_empty())
        .map(|r| r["match"].as_str())
        .collect();
    assert_eq!(kinds, ["MATCHED_TRACE", "MATCHED_CHECK", "SPLIT"]);
}
